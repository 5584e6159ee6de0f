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

// ---- PostgreSQL with PostGIS (issue 11) ----------------------------------------
// The same tables, columns (in the same order) and versions, in PostgreSQL's
// types: whole numbers are bigint, yes/no columns smallint 0/1 as in SQLite,
// real numbers double precision, geometry PostGIS points in the working CRS.
// Text is declared COLLATE "C" so that it sorts byte by byte, as SQLite's
// does, whatever the server's locale: outputs are identical on both backends.
// Ids that the import writer numbers itself (places, locations, RHI places)
// and the audit log's seq (audit.cpp) are plain keys; the others are
// identities. Four tables whose rows are read back in the order they were
// written (aliases, an RHI place's companions, a CPI form's vehicles and
// places) get a last column named rowid, which SQLite has implicitly, so
// that the shared queries' ORDER BY … rowid means the same on both. A
// quarantined row is kept as the bytes read (bytea): it may not be UTF-8,
// which PostgreSQL's text refuses.

// Version 1, with two functions the shared queries use that PostgreSQL names
// differently (SQLite's instr and group_concat).
constexpr std::string_view pg_v1_places_and_people = R"sql(
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT strpos(haystack, needle)';
CREATE OR REPLACE FUNCTION waymark_concat(state text, value text, separator text) RETURNS text
    LANGUAGE sql IMMUTABLE AS
    'SELECT CASE WHEN value IS NULL THEN state WHEN state IS NULL THEN value
                 ELSE state || separator || value END';
CREATE OR REPLACE AGGREGATE group_concat(text, text) (SFUNC = waymark_concat, STYPE = text);

CREATE TABLE waymark_schema (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    version   INTEGER NOT NULL
);

CREATE TABLE deployment (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    created_at    TEXT COLLATE "C" NOT NULL,
    working_crs   INTEGER NOT NULL,
    pseudonym_key BYTEA NOT NULL CHECK (length(pseudonym_key) = 32)
);

CREATE TABLE places (
    place_id    BIGINT PRIMARY KEY,
    key         TEXT COLLATE "C" NOT NULL,
    key_type    TEXT COLLATE "C" NOT NULL,
    label       TEXT COLLATE "C",
    place_type  TEXT COLLATE "C",
    restricted  SMALLINT CHECK (restricted IN (0, 1)),
    given_x     DOUBLE PRECISION NOT NULL,
    given_y     DOUBLE PRECISION NOT NULL,
    given_crs   INTEGER NOT NULL,
    UNIQUE (key_type, key)
);
ALTER TABLE places ADD COLUMN geom geometry(Point, {srid});
CREATE INDEX places_geom ON places USING GIST (geom);
CREATE INDEX places_label ON places (lower(label));

CREATE TABLE locations (
    location_id        BIGINT PRIMARY KEY,
    given_x            DOUBLE PRECISION,
    given_y            DOUBLE PRECISION,
    given_crs          INTEGER,
    given_lat          DOUBLE PRECISION,
    given_lon          DOUBLE PRECISION,
    place_key          TEXT COLLATE "C",
    postcode           TEXT COLLATE "C",
    label              TEXT COLLATE "C",
    type               TEXT COLLATE "C",
    resolution         TEXT COLLATE "C" NOT NULL DEFAULT 'unresolved',
    resolved_place_key TEXT COLLATE "C",
    place_id           BIGINT REFERENCES places (place_id)
);
ALTER TABLE locations ADD COLUMN geom geometry(Point, {srid});
CREATE INDEX locations_geom ON locations USING GIST (geom);
CREATE INDEX locations_resolution ON locations (resolution);

CREATE TABLE persons (
    person_id     TEXT COLLATE "C" PRIMARY KEY,
    kind          TEXT COLLATE "C" NOT NULL,
    name          TEXT COLLATE "C",
    date_of_birth TEXT COLLATE "C",
    sex           TEXT COLLATE "C"
);
CREATE TABLE person_aliases (
    person_id TEXT COLLATE "C" NOT NULL REFERENCES persons (person_id) ON DELETE CASCADE,
    alias     TEXT COLLATE "C" NOT NULL,
    rowid     BIGINT GENERATED BY DEFAULT AS IDENTITY,
    PRIMARY KEY (person_id, alias)
);
CREATE TABLE person_flags (
    person_id TEXT COLLATE "C" NOT NULL REFERENCES persons (person_id) ON DELETE CASCADE,
    flag      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (person_id, flag)
);

CREATE TABLE children (
    child_id      TEXT COLLATE "C" PRIMARY KEY,
    date_of_birth TEXT COLLATE "C",
    sex           TEXT COLLATE "C"
);
)sql";

constexpr std::string_view pg_v2_records = R"sql(
CREATE TABLE episodes (
    episode_id            TEXT COLLATE "C" PRIMARY KEY,
    child_id              TEXT COLLATE "C" NOT NULL REFERENCES children (child_id),
    reported_at           TEXT COLLATE "C" NOT NULL,
    last_seen_at          TEXT COLLATE "C",
    returned_at           TEXT COLLATE "C",
    age                   BIGINT,
    date_of_birth         TEXT COLLATE "C",
    sex                   TEXT COLLATE "C",
    category              TEXT COLLATE "C" NOT NULL DEFAULT 'missing',
    setting               TEXT COLLATE "C" NOT NULL,
    looked_after          SMALLINT CHECK (looked_after IN (0, 1)),
    placement_area        TEXT COLLATE "C",
    responsible_authority TEXT COLLATE "C",
    risk_grade            TEXT COLLATE "C",
    police_ref            TEXT COLLATE "C",
    from_location_id      BIGINT NOT NULL REFERENCES locations (location_id),
    found_location_id     BIGINT REFERENCES locations (location_id),
    returned_by           TEXT COLLATE "C",
    safe_and_well         SMALLINT CHECK (safe_and_well IN (0, 1)),
    cse                   SMALLINT CHECK (cse IN (0, 1)),
    cce                   SMALLINT CHECK (cce IN (0, 1)),
    trafficking           SMALLINT CHECK (trafficking IN (0, 1)),
    uasc                  SMALLINT CHECK (uasc IN (0, 1)),
    attributes            TEXT COLLATE "C"
);
CREATE INDEX episodes_child ON episodes (child_id);
CREATE INDEX episodes_reported ON episodes (reported_at);

CREATE TABLE episode_missing_with (
    episode_id TEXT COLLATE "C" NOT NULL REFERENCES episodes (episode_id) ON DELETE CASCADE,
    child_id   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (episode_id, child_id)
);

CREATE TABLE rhis (
    rhi_id                    TEXT COLLATE "C" PRIMARY KEY,
    episode_id                TEXT COLLATE "C",
    child_id                  TEXT COLLATE "C",
    referred_at               TEXT COLLATE "C",
    offered_at                TEXT COLLATE "C",
    outcome                   TEXT COLLATE "C",
    decline_reason            TEXT COLLATE "C",
    conducted_at              TEXT COLLATE "C",
    mode                      TEXT COLLATE "C",
    independent               SMALLINT CHECK (independent IN (0, 1)),
    consent_to_share          SMALLINT CHECK (consent_to_share IN (0, 1)),
    risk_of_repeat            TEXT COLLATE "C",
    strategy_meeting_required SMALLINT CHECK (strategy_meeting_required IN (0, 1)),
    cse_indicators            SMALLINT CHECK (cse_indicators IN (0, 1)),
    cce_indicators            SMALLINT CHECK (cce_indicators IN (0, 1)),
    nrm_referral              SMALLINT CHECK (nrm_referral IN (0, 1)),
    cpi_submitted             SMALLINT CHECK (cpi_submitted IN (0, 1)),
    sensitive_disclosure      SMALLINT CHECK (sensitive_disclosure IN (0, 1)),
    attributes                TEXT COLLATE "C"
);
CREATE INDEX rhis_episode ON rhis (episode_id);
CREATE INDEX rhis_child ON rhis (child_id);

CREATE TABLE rhi_places (
    rhi_place_id BIGINT PRIMARY KEY,
    rhi_id       TEXT COLLATE "C" NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    part         TEXT COLLATE "C" NOT NULL CHECK (part IN ('places', 'locations_of_concern')),
    role         TEXT COLLATE "C",
    location_id  BIGINT NOT NULL REFERENCES locations (location_id)
);
CREATE INDEX rhi_places_rhi ON rhi_places (rhi_id);
CREATE TABLE rhi_place_with (
    rhi_place_id BIGINT NOT NULL REFERENCES rhi_places (rhi_place_id) ON DELETE CASCADE,
    person_ref   TEXT COLLATE "C" NOT NULL,
    rowid        BIGINT GENERATED BY DEFAULT AS IDENTITY
);
CREATE INDEX rhi_place_with_place ON rhi_place_with (rhi_place_id);

CREATE TABLE rhi_people (
    rhi_person_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    rhi_id        TEXT COLLATE "C" NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    part          TEXT COLLATE "C" NOT NULL
                  CHECK (part IN ('with', 'people_of_concern', 'young_people_of_concern')),
    person_id     TEXT COLLATE "C",
    name          TEXT COLLATE "C",
    kind          TEXT COLLATE "C",
    relation      TEXT COLLATE "C",
    felt_safe     SMALLINT CHECK (felt_safe IN (0, 1)),
    date_of_birth TEXT COLLATE "C",
    sex           TEXT COLLATE "C"
);
CREATE INDEX rhi_people_rhi ON rhi_people (rhi_id);

CREATE TABLE rhi_factors (
    rhi_id    TEXT COLLATE "C" NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    direction TEXT COLLATE "C" NOT NULL CHECK (direction IN ('push', 'pull')),
    code      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (rhi_id, direction, code)
);
CREATE TABLE rhi_high_risk (
    rhi_id   TEXT COLLATE "C" NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    category TEXT COLLATE "C" NOT NULL,
    value    SMALLINT NOT NULL CHECK (value IN (0, 1)),
    PRIMARY KEY (rhi_id, category)
);
CREATE TABLE rhi_notes (
    rhi_id TEXT COLLATE "C" NOT NULL REFERENCES rhis (rhi_id) ON DELETE CASCADE,
    key    TEXT COLLATE "C" NOT NULL,
    text   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (rhi_id, key)
);

CREATE TABLE cpis (
    cpi_id               TEXT COLLATE "C" PRIMARY KEY,
    received_at          TEXT COLLATE "C" NOT NULL,
    shared_with          TEXT COLLATE "C",
    information          TEXT COLLATE "C",
    information_date     TEXT COLLATE "C",
    location_id          BIGINT REFERENCES locations (location_id),
    grading_source       TEXT COLLATE "C",
    grading_intelligence TEXT COLLATE "C",
    grading_handling     TEXT COLLATE "C",
    attributes           TEXT COLLATE "C"
);
CREATE TABLE cpi_restricted (
    cpi_id                 TEXT COLLATE "C" PRIMARY KEY REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    submitter_name         TEXT COLLATE "C",
    submitter_organisation TEXT COLLATE "C",
    submitter_phone        TEXT COLLATE "C",
    submitter_email        TEXT COLLATE "C",
    source_name            TEXT COLLATE "C",
    source_dob             TEXT COLLATE "C",
    source_address         TEXT COLLATE "C",
    source_can_recontact   SMALLINT CHECK (source_can_recontact IN (0, 1)),
    source_contact         TEXT COLLATE "C",
    source_how_known       TEXT COLLATE "C",
    source_when_known      TEXT COLLATE "C"
);
CREATE TABLE cpi_subjects (
    cpi_subject_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    cpi_id         TEXT COLLATE "C" NOT NULL REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    person_id      TEXT COLLATE "C",
    name           TEXT COLLATE "C",
    kind           TEXT COLLATE "C",
    role           TEXT COLLATE "C",
    date_of_birth  TEXT COLLATE "C",
    sex            TEXT COLLATE "C"
);
CREATE INDEX cpi_subjects_cpi ON cpi_subjects (cpi_id);
CREATE TABLE cpi_vehicles (
    cpi_id TEXT COLLATE "C" NOT NULL REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    vrm    TEXT COLLATE "C",
    make   TEXT COLLATE "C",
    model  TEXT COLLATE "C",
    colour TEXT COLLATE "C",
    rowid  BIGINT GENERATED BY DEFAULT AS IDENTITY
);
CREATE INDEX cpi_vehicles_cpi ON cpi_vehicles (cpi_id);
CREATE TABLE cpi_places (
    cpi_id      TEXT COLLATE "C" NOT NULL REFERENCES cpis (cpi_id) ON DELETE CASCADE,
    location_id BIGINT NOT NULL REFERENCES locations (location_id),
    rowid       BIGINT GENERATED BY DEFAULT AS IDENTITY
);
CREATE INDEX cpi_places_cpi ON cpi_places (cpi_id);
)sql";

// Version 3. The audit log is append-only for everyone: a trigger refuses
// UPDATE, DELETE and TRUNCATE, and no Waymark role is granted them
// (postgis_store.cpp).
constexpr std::string_view pg_v3_provenance = R"sql(
CREATE TABLE import_runs (
    import_run_id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind                 TEXT COLLATE "C" NOT NULL,
    file                 TEXT COLLATE "C" NOT NULL,
    file_sha256          TEXT COLLATE "C",
    spec                 TEXT COLLATE "C",
    started_at           TEXT COLLATE "C" NOT NULL,
    finished_at          TEXT COLLATE "C",
    rows_read            BIGINT NOT NULL DEFAULT 0,
    rows_imported        BIGINT NOT NULL DEFAULT 0,
    rows_quarantined     BIGINT NOT NULL DEFAULT 0,
    unresolved_locations BIGINT NOT NULL DEFAULT 0,
    report               TEXT COLLATE "C"
);
CREATE TABLE quarantine (
    quarantine_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    import_run_id BIGINT NOT NULL REFERENCES import_runs (import_run_id) ON DELETE CASCADE,
    line          BIGINT,
    reason        TEXT COLLATE "C" NOT NULL,
    raw           BYTEA
);
CREATE INDEX quarantine_run ON quarantine (import_run_id);

ALTER TABLE places   ADD COLUMN import_run_id BIGINT REFERENCES import_runs (import_run_id);
ALTER TABLE persons  ADD COLUMN import_run_id BIGINT REFERENCES import_runs (import_run_id);
ALTER TABLE episodes ADD COLUMN import_run_id BIGINT REFERENCES import_runs (import_run_id);
ALTER TABLE rhis     ADD COLUMN import_run_id BIGINT REFERENCES import_runs (import_run_id);
ALTER TABLE cpis     ADD COLUMN import_run_id BIGINT REFERENCES import_runs (import_run_id);

CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        TEXT COLLATE "C" NOT NULL,
    command   TEXT COLLATE "C" NOT NULL,
    profile   TEXT COLLATE "C",
    inputs    TEXT COLLATE "C",
    outputs   TEXT COLLATE "C",
    prev_hash TEXT COLLATE "C" NOT NULL,
    hash      TEXT COLLATE "C" NOT NULL
);
CREATE FUNCTION waymark_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
    'BEGIN RAISE EXCEPTION ''the audit log is append-only''; END';
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION waymark_audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION waymark_audit_log_append_only();
)sql";

// Version 4 made SpatiaLite's R*Tree Waymark's to maintain; PostGIS keeps its
// GiST indexes itself, so there is nothing to do.
constexpr std::string_view pg_v4_own_spatial_index = "SELECT 1;";

constexpr std::string_view pg_v5_reimport = R"sql(
ALTER TABLE places   ADD COLUMN content_hash BIGINT;
ALTER TABLE persons  ADD COLUMN content_hash BIGINT;
ALTER TABLE episodes ADD COLUMN content_hash BIGINT;
ALTER TABLE rhis     ADD COLUMN content_hash BIGINT;
ALTER TABLE cpis     ADD COLUMN content_hash BIGINT;
ALTER TABLE import_runs ADD COLUMN rows_updated BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN rows_unchanged BIGINT NOT NULL DEFAULT 0;
CREATE TABLE import_changes (
    import_run_id BIGINT NOT NULL REFERENCES import_runs (import_run_id) ON DELETE CASCADE,
    kind          TEXT COLLATE "C" NOT NULL,
    record_id     TEXT COLLATE "C" NOT NULL,
    fields        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX import_changes_run ON import_changes (import_run_id);
CREATE TABLE import_warnings (
    import_run_id BIGINT NOT NULL REFERENCES import_runs (import_run_id) ON DELETE CASCADE,
    line          BIGINT,
    code          TEXT COLLATE "C" NOT NULL,
    message       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX import_warnings_run ON import_warnings (import_run_id);
)sql";

constexpr std::string_view pg_v6_no_location_index = R"sql(
DROP INDEX IF EXISTS locations_geom;
)sql";

constexpr std::string_view pg_v7_analysis_runs = R"sql(
CREATE TABLE analysis_runs (
    analysis_run_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    command         TEXT COLLATE "C" NOT NULL,
    profile         TEXT COLLATE "C" NOT NULL,
    started_at      TEXT COLLATE "C" NOT NULL,
    finished_at     TEXT COLLATE "C" NOT NULL,
    parameters      TEXT COLLATE "C" NOT NULL CHECK (parameters::jsonb IS NOT NULL),
    outputs         TEXT COLLATE "C" NOT NULL CHECK (outputs::jsonb IS NOT NULL)
);
)sql";

constexpr Migration pg_migrations[] = {
    {1, migrations[0].summary, pg_v1_places_and_people},
    {2, migrations[1].summary, pg_v2_records},
    {3, migrations[2].summary, pg_v3_provenance},
    {4, migrations[3].summary, pg_v4_own_spatial_index},
    {5, migrations[4].summary, pg_v5_reimport},
    {6, migrations[5].summary, pg_v6_no_location_index},
    {7, migrations[6].summary, pg_v7_analysis_runs},
};
static_assert(std::size(pg_migrations) == std::size(migrations),
              "every migration is expressed for both backends");

} // namespace

std::span<const Migration> postgis_migrations() {
    return pg_migrations;
}

std::span<const Migration> spatialite_migrations() {
    return migrations;
}

int current_schema_version() {
    return migrations[std::size(migrations) - 1].version;
}

} // namespace waymark::store
