#include "engine/store/schema.hpp"

namespace waymark::store {
namespace {

// Version 1: where things are and who is known. Geometry columns are points in
// the working CRS; the location text as given is always kept beside them.
constexpr std::string_view v1_places_and_people = R"sql(
CREATE TABLE deployment (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    created_at    TEXT NOT NULL,
    working_crs   INTEGER NOT NULL,
    pseudonym_key BLOB NOT NULL CHECK (length(pseudonym_key) = 32)
);

CREATE TABLE places (
    place_id    INTEGER PRIMARY KEY,
    key         TEXT NOT NULL,
    key_type    TEXT NOT NULL,
    label       TEXT,
    place_type  TEXT,
    restricted  INTEGER CHECK (restricted IN (0, 1)),
    given_x     REAL NOT NULL,
    given_y     REAL NOT NULL,
    given_crs   INTEGER NOT NULL,
    UNIQUE (key_type, key)
);
SELECT AddGeometryColumn('places', 'geom', {srid}, 'POINT', 'XY');
SELECT CreateSpatialIndex('places', 'geom');
CREATE INDEX places_label ON places (lower(label));

CREATE TABLE locations (
    location_id        INTEGER PRIMARY KEY,
    given_x            REAL,
    given_y            REAL,
    given_crs          INTEGER,
    given_lat          REAL,
    given_lon          REAL,
    place_key          TEXT,
    postcode           TEXT,
    label              TEXT,
    type               TEXT,
    resolution         TEXT NOT NULL DEFAULT 'unresolved',
    resolved_place_key TEXT,
    place_id           INTEGER REFERENCES places (place_id)
);
SELECT AddGeometryColumn('locations', 'geom', {srid}, 'POINT', 'XY');
SELECT CreateSpatialIndex('locations', 'geom');
CREATE INDEX locations_resolution ON locations (resolution);

CREATE TABLE persons (
    person_id     TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    name          TEXT,
    date_of_birth TEXT,
    sex           TEXT
);
CREATE TABLE person_aliases (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    PRIMARY KEY (person_id, alias)
);
CREATE TABLE person_flags (
    person_id TEXT NOT NULL REFERENCES persons (person_id) ON DELETE CASCADE,
    flag      TEXT NOT NULL,
    PRIMARY KEY (person_id, flag)
);

CREATE TABLE children (
    child_id      TEXT PRIMARY KEY,
    date_of_birth TEXT,
    sex           TEXT
);
)sql";

// Version 2: the records — episodes, Return Home Interviews and their parts,
// CPI forms with their source-restricted blocks in a table of their own.
constexpr std::string_view v2_records = R"sql(
CREATE TABLE episodes (
    episode_id            TEXT PRIMARY KEY,
    child_id              TEXT NOT NULL REFERENCES children (child_id),
    reported_at           TEXT NOT NULL,
    last_seen_at          TEXT,
    returned_at           TEXT,
    age                   INTEGER,
    date_of_birth         TEXT,
    sex                   TEXT,
    category              TEXT NOT NULL DEFAULT 'missing',
    setting               TEXT NOT NULL,
    looked_after          INTEGER CHECK (looked_after IN (0, 1)),
    placement_area        TEXT,
    responsible_authority TEXT,
    risk_grade            TEXT,
    police_ref            TEXT,
    from_location_id      INTEGER NOT NULL REFERENCES locations (location_id),
    found_location_id     INTEGER REFERENCES locations (location_id),
    returned_by           TEXT,
    safe_and_well         INTEGER CHECK (safe_and_well IN (0, 1)),
    cse                   INTEGER CHECK (cse IN (0, 1)),
    cce                   INTEGER CHECK (cce IN (0, 1)),
    trafficking           INTEGER CHECK (trafficking IN (0, 1)),
    uasc                  INTEGER CHECK (uasc IN (0, 1)),
    attributes            TEXT
);
CREATE INDEX episodes_child ON episodes (child_id);
CREATE INDEX episodes_reported ON episodes (reported_at);

CREATE TABLE episode_missing_with (
    episode_id TEXT NOT NULL REFERENCES episodes (episode_id) ON DELETE CASCADE,
    child_id   TEXT NOT NULL,
    PRIMARY KEY (episode_id, child_id)
);

CREATE TABLE rhis (
    rhi_id                    TEXT PRIMARY KEY,
    episode_id                TEXT,
    child_id                  TEXT,
    referred_at               TEXT,
    offered_at                TEXT,
    outcome                   TEXT,
    decline_reason            TEXT,
    conducted_at              TEXT,
    mode                      TEXT,
    independent               INTEGER CHECK (independent IN (0, 1)),
    consent_to_share          INTEGER CHECK (consent_to_share IN (0, 1)),
    risk_of_repeat            TEXT,
    strategy_meeting_required INTEGER CHECK (strategy_meeting_required IN (0, 1)),
    cse_indicators            INTEGER CHECK (cse_indicators IN (0, 1)),
    cce_indicators            INTEGER CHECK (cce_indicators IN (0, 1)),
    nrm_referral              INTEGER CHECK (nrm_referral IN (0, 1)),
    cpi_submitted             INTEGER CHECK (cpi_submitted IN (0, 1)),
    sensitive_disclosure      INTEGER CHECK (sensitive_disclosure IN (0, 1)),
    attributes                TEXT
);
CREATE INDEX rhis_episode ON rhis (episode_id);
CREATE INDEX rhis_child ON rhis (child_id);

-- places[] (part 'places') and locations_of_concern[] (part 'locations_of_concern')
CREATE TABLE rhi_places (
    rhi_place_id INTEGER PRIMARY KEY,
    rhi_id       TEXT NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    part         TEXT NOT NULL CHECK (part IN ('places', 'locations_of_concern')),
    role         TEXT,
    location_id  INTEGER NOT NULL REFERENCES locations (location_id)
);
CREATE INDEX rhi_places_rhi ON rhi_places (rhi_id);
CREATE TABLE rhi_place_with (
    rhi_place_id INTEGER NOT NULL REFERENCES rhi_places (rhi_place_id) ON DELETE CASCADE,
    person_ref   TEXT NOT NULL
);

-- with[], people_of_concern[] and young_people_of_concern[]
CREATE TABLE rhi_people (
    rhi_person_id INTEGER PRIMARY KEY,
    rhi_id        TEXT NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    part          TEXT NOT NULL
                  CHECK (part IN ('with', 'people_of_concern', 'young_people_of_concern')),
    person_id     TEXT,
    name          TEXT,
    kind          TEXT,
    relation      TEXT,
    felt_safe     INTEGER CHECK (felt_safe IN (0, 1)),
    date_of_birth TEXT,
    sex           TEXT
);
CREATE INDEX rhi_people_rhi ON rhi_people (rhi_id);

CREATE TABLE rhi_factors (
    rhi_id    TEXT NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
    code      TEXT NOT NULL,
    PRIMARY KEY (rhi_id, direction, code)
);
CREATE TABLE rhi_high_risk (
    rhi_id   TEXT NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    value    INTEGER NOT NULL CHECK (value IN (0, 1)),
    PRIMARY KEY (rhi_id, category)
);
-- Free text is kept apart so that no query for a layer can pick it up by accident.
CREATE TABLE rhi_notes (
    rhi_id TEXT NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    text   TEXT NOT NULL,
    PRIMARY KEY (rhi_id, key)
);

CREATE TABLE cpis (
    cpi_id               TEXT PRIMARY KEY,
    received_at          TEXT NOT NULL,
    shared_with          TEXT,
    information          TEXT,
    information_date     TEXT,
    location_id          INTEGER REFERENCES locations (location_id),
    grading_source       TEXT,
    grading_intelligence TEXT,
    grading_handling     TEXT,
    attributes           TEXT
);
-- The source and submitter blocks are source-restricted (PRIVACY.md): stored
-- here, never exported, shown only in the analyst's record view.
CREATE TABLE cpi_restricted (
    cpi_id                 TEXT PRIMARY KEY REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    submitter_name         TEXT,
    submitter_organisation TEXT,
    submitter_phone        TEXT,
    submitter_email        TEXT,
    source_name            TEXT,
    source_dob             TEXT,
    source_address         TEXT,
    source_can_recontact   INTEGER CHECK (source_can_recontact IN (0, 1)),
    source_contact         TEXT,
    source_how_known       TEXT,
    source_when_known      TEXT
);
CREATE TABLE cpi_subjects (
    cpi_subject_id INTEGER PRIMARY KEY,
    cpi_id         TEXT NOT NULL REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    person_id      TEXT,
    name           TEXT,
    kind           TEXT,
    role           TEXT,
    date_of_birth  TEXT,
    sex            TEXT
);
CREATE INDEX cpi_subjects_cpi ON cpi_subjects (cpi_id);
CREATE TABLE cpi_vehicles (
    cpi_id TEXT NOT NULL REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    vrm    TEXT,
    make   TEXT,
    model  TEXT,
    colour TEXT
);
CREATE TABLE cpi_places (
    cpi_id      TEXT NOT NULL REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations (location_id)
);
)sql";

// Version 3: provenance. Every record says which import brought it; rows that
// could not be used are quarantined, never lost; the audit log is append-only
// (its hash chain is written by the audit code).
constexpr std::string_view v3_provenance = R"sql(
CREATE TABLE import_runs (
    import_run_id        INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL,
    file                 TEXT NOT NULL,
    file_sha256          TEXT,
    spec                 TEXT,
    started_at           TEXT NOT NULL,
    finished_at          TEXT,
    rows_read            INTEGER NOT NULL DEFAULT 0,
    rows_imported        INTEGER NOT NULL DEFAULT 0,
    rows_quarantined     INTEGER NOT NULL DEFAULT 0,
    unresolved_locations INTEGER NOT NULL DEFAULT 0,
    report               TEXT
);
CREATE TABLE quarantine (
    quarantine_id INTEGER PRIMARY KEY,
    import_run_id INTEGER NOT NULL REFERENCES import_runs (import_run_id) ON DELETE CASCADE,
    line          INTEGER,
    reason        TEXT NOT NULL,
    raw           TEXT
);
CREATE INDEX quarantine_run ON quarantine (import_run_id);

ALTER TABLE places   ADD COLUMN import_run_id INTEGER REFERENCES import_runs (import_run_id);
ALTER TABLE persons  ADD COLUMN import_run_id INTEGER REFERENCES import_runs (import_run_id);
ALTER TABLE episodes ADD COLUMN import_run_id INTEGER REFERENCES import_runs (import_run_id);
ALTER TABLE rhis     ADD COLUMN import_run_id INTEGER REFERENCES import_runs (import_run_id);
ALTER TABLE cpis     ADD COLUMN import_run_id INTEGER REFERENCES import_runs (import_run_id);

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    command   TEXT NOT NULL,
    profile   TEXT,
    inputs    TEXT,
    outputs   TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// Version 4: Waymark maintains the spatial indexes of places and locations
// itself, inside each import. SpatiaLite's per-row triggers re-parse SQL for
// every point (RTreeAlign) and touch geometry_columns_time on every insert,
// which made imports three to four times slower (bench/RESULTS.md); the
// geometry checks they made are kept by the code, which writes only points in
// the working CRS. The R*Tree tables and geometry_columns entries stay, so
// QGIS and SpatiaLite still find and use the indexes.
constexpr std::string_view v4_own_spatial_index = R"sql(
DROP TRIGGER IF EXISTS "gii_places_geom";
DROP TRIGGER IF EXISTS "giu_places_geom";
DROP TRIGGER IF EXISTS "gid_places_geom";
DROP TRIGGER IF EXISTS "ggi_places_geom";
DROP TRIGGER IF EXISTS "ggu_places_geom";
DROP TRIGGER IF EXISTS "tmi_places_geom";
DROP TRIGGER IF EXISTS "tmu_places_geom";
DROP TRIGGER IF EXISTS "tmd_places_geom";
DROP TRIGGER IF EXISTS "gii_locations_geom";
DROP TRIGGER IF EXISTS "giu_locations_geom";
DROP TRIGGER IF EXISTS "gid_locations_geom";
DROP TRIGGER IF EXISTS "ggi_locations_geom";
DROP TRIGGER IF EXISTS "ggu_locations_geom";
DROP TRIGGER IF EXISTS "tmi_locations_geom";
DROP TRIGGER IF EXISTS "tmu_locations_geom";
DROP TRIGGER IF EXISTS "tmd_locations_geom";
)sql";

// Version 5: idempotent re-import. Each record keeps a hash of its source
// content, so that importing the same extract again changes nothing and a
// newer extract updates only what changed, which import_changes records.
constexpr std::string_view v5_reimport = R"sql(
ALTER TABLE places   ADD COLUMN content_hash INTEGER;
ALTER TABLE persons  ADD COLUMN content_hash INTEGER;
ALTER TABLE episodes ADD COLUMN content_hash INTEGER;
ALTER TABLE rhis     ADD COLUMN content_hash INTEGER;
ALTER TABLE cpis     ADD COLUMN content_hash INTEGER;
ALTER TABLE import_runs ADD COLUMN rows_updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN rows_unchanged INTEGER NOT NULL DEFAULT 0;
CREATE TABLE import_changes (
    import_run_id INTEGER NOT NULL REFERENCES import_runs (import_run_id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    fields        TEXT NOT NULL
);
CREATE INDEX import_changes_run ON import_changes (import_run_id);
-- Rows imported with a warning: where, and why.
CREATE TABLE import_warnings (
    import_run_id INTEGER NOT NULL REFERENCES import_runs (import_run_id) ON DELETE CASCADE,
    line          INTEGER,
    code          TEXT NOT NULL,
    message       TEXT NOT NULL
);
CREATE INDEX import_warnings_run ON import_warnings (import_run_id);
)sql";

// Version 6: no spatial index on locations. Nothing reads one: analyses load
// points and index them in memory (geo/), and layers leave through export
// profiles into GeoPackages with their own index, never straight from the
// store (design/PRIVACY.md). Keeping it in step cost about half of every
// import (17 µs per point, bench/RESULTS.md). The geometry column stays
// registered, so SpatiaLite and QGIS still read the points.
// DisableSpatialIndex re-creates SpatiaLite's per-row geometry triggers, which
// version 4 removed for their cost; they are dropped again.
constexpr std::string_view v6_no_location_index = R"sql(
SELECT DisableSpatialIndex('locations', 'geom');
DROP TABLE IF EXISTS "idx_locations_geom";
DROP TRIGGER IF EXISTS "ggi_locations_geom";
DROP TRIGGER IF EXISTS "ggu_locations_geom";
DROP TRIGGER IF EXISTS "tmi_locations_geom";
DROP TRIGGER IF EXISTS "tmu_locations_geom";
DROP TRIGGER IF EXISTS "tmd_locations_geom";
)sql";

// Version 7: analysis runs. Each run of an analysis (hotspots first) keeps
// the parameters that reproduce it and the files it wrote with their SHA-256,
// beside its audit entry.
constexpr std::string_view v7_analysis_runs = R"sql(
CREATE TABLE analysis_runs (
    analysis_run_id INTEGER PRIMARY KEY,
    command         TEXT NOT NULL,
    profile         TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    parameters      TEXT NOT NULL CHECK (json_valid(parameters)),
    outputs         TEXT NOT NULL CHECK (json_valid(outputs))
);
)sql";

constexpr Migration migrations[] = {
    {1, "places, locations, persons and children", v1_places_and_people},
    {2, "episodes, return home interviews and CPI forms", v2_records},
    {3, "import runs, quarantined rows and the audit log", v3_provenance},
    {4, "spatial indexes maintained by Waymark in each import", v4_own_spatial_index},
    {5, "content hashes, changes and warnings of imports", v5_reimport},
    {6, "no spatial index on locations", v6_no_location_index},
    {7, "analysis runs (parameters and outputs of hotspots and later analyses)", v7_analysis_runs},
};

} // namespace

std::span<const Migration> spatialite_migrations() {
    return migrations;
}

int current_schema_version() {
    return migrations[std::size(migrations) - 1].version;
}

} // namespace waymark::store
