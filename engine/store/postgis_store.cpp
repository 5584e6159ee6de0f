// The PostGIS backend's own parts (sql_store.hpp): how it records its schema
// version, keeps writers one at a time, makes points, and sets up the roles
// a force's deployment uses (docs/postgis.md):
//   waymark_reader  reads the records (never free text or CPI sources) and
//                   appends to the audit log, which every session must;
//   waymark_writer  also imports and records analyses.
// Neither may change or delete audit entries; a trigger refuses that even to
// the owner.

#include "base/error.hpp"
#include "engine/store/sql_store.hpp"

namespace waymark::store {
namespace {

using pg::query_int64;

// The advisory lock every writer holds to the end of its transaction
// ("Waymark" in ASCII): imports, analysis records and schema changes happen
// one after another, each seeing the one before.
constexpr std::int64_t writer_lock = 0x5761796d61726b;

// What each role may do, granted again by every `waymark init` so that
// tables added by a migration are covered.
constexpr std::string_view grants = R"sql(
GRANT USAGE ON SCHEMA public TO waymark_reader, waymark_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO waymark_reader, waymark_writer;
-- Free text kept apart for this reason, and the CPI form's source-restricted
-- blocks (PRIVACY.md): no reader sees them; nothing Waymark reads needs them.
REVOKE SELECT ON rhi_notes, cpi_restricted FROM waymark_reader;
GRANT INSERT ON audit_log, analysis_runs TO waymark_reader, waymark_writer;
GRANT INSERT, UPDATE, DELETE ON places, locations, persons, person_aliases, person_flags,
    children, episodes, episode_missing_with, rhis, rhi_places, rhi_place_with, rhi_people,
    rhi_factors, rhi_high_risk, rhi_notes, cpis, cpi_restricted, cpi_subjects, cpi_vehicles,
    cpi_places, quarantine, import_changes, import_warnings TO waymark_writer;
GRANT INSERT, UPDATE ON import_runs TO waymark_writer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO waymark_reader, waymark_writer;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
)sql";

bool has_table(const pg::Connection& db, std::string_view table) {
    pg::Statement query(db, "SELECT count(*) FROM pg_catalog.pg_tables "
                            "WHERE schemaname = current_schema() AND tablename = ?");
    query.bind(1, table);
    return query.step() && query.column_int64(0) > 0;
}

bool role_may(const pg::Connection& db, std::string_view sql) {
    return query_int64(db, sql) != 0;
}

// PostGIS must be installed in the database; only a superuser may install it
// (the extension is not marked trusted), so say who must do what.
void ensure_postgis(pg::Connection& db) {
    if (query_int64(db, "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'") > 0) {
        return;
    }
    if (query_int64(db, "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'") ==
        0) {
        throw StoreError("store " + db.path() +
                         ": the PostgreSQL server has no PostGIS; install it on the server "
                         "(Debian: apt install postgis) and run 'waymark init' again");
    }
    if (!role_may(db, "SELECT rolsuper::int FROM pg_roles WHERE rolname = current_user")) {
        throw StoreError("store " + db.path() +
                         ": PostGIS is not installed in this database and "
                         "the role '" +
                         db.user() +
                         "' may not install it; ask a superuser to run 'CREATE EXTENSION postgis' "
                         "in it (docs/postgis.md), then run 'waymark init' again");
    }
    db.exec("CREATE EXTENSION IF NOT EXISTS postgis");
}

// Creates Waymark's two roles (cluster-wide, so they may exist already) and
// grants them what they may do in this database.
void ensure_roles(pg::Connection& db) {
    const bool roles_exist =
        query_int64(db, "SELECT count(*) FROM pg_roles "
                        "WHERE rolname IN ('waymark_reader', 'waymark_writer')") == 2;
    if (!roles_exist) {
        if (!role_may(db, "SELECT (rolsuper OR rolcreaterole)::int FROM pg_roles "
                          "WHERE rolname = current_user")) {
            throw StoreError("store " + db.path() +
                             ": the roles waymark_reader and "
                             "waymark_writer do not exist and the role '" +
                             db.user() +
                             "' may not create them (it lacks CREATEROLE); ask the database "
                             "administrator to create them (docs/postgis.md)");
        }
        db.exec(R"sql(
DO $roles$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'waymark_reader') THEN
        CREATE ROLE waymark_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'waymark_writer') THEN
        CREATE ROLE waymark_writer NOLOGIN;
    END IF;
END $roles$)sql");
    }
    db.exec("DO $grant$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO "
            "waymark_reader, waymark_writer', current_database()); END $grant$");
    db.exec(grants);
}

void set_schema_version(pg::Connection& db, int version) {
    db.prepare("INSERT INTO waymark_schema (singleton, version) VALUES (1, ?) "
               "ON CONFLICT (singleton) DO UPDATE SET version = excluded.version")
        .bind(1, version)
        .run();
}

void lock_writers(pg::Connection& db) {
    db.exec("SELECT pg_advisory_xact_lock(" + std::to_string(writer_lock) + ")");
}

} // namespace

std::string_view backend_name(const pg::Connection& /*db*/) {
    return "PostGIS";
}

int stored_schema_version(const pg::Connection& db) {
    if (!has_table(db, "waymark_schema")) {
        return 0;
    }
    pg::Statement query(db, "SELECT version FROM waymark_schema WHERE singleton = 1");
    return query.step() ? static_cast<int>(query.column_int64(0)) : 0;
}

bool opened_read_only(const pg::Connection& db) {
    pg::Statement query(db, "SELECT current_setting('default_transaction_read_only')");
    return query.step() && query.column_text(0) == "on";
}

std::vector<unsigned char> read_pseudonym_key(const pg::Connection& db) {
    pg::Statement query(db, "SELECT pseudonym_key FROM deployment WHERE singleton = 1");
    if (!query.step()) {
        throw StoreError("store " + db.path() + " has no deployment row (no pseudonymisation key)");
    }
    return query.column_blob(0);
}

void become_only_writer(pg::Connection& db) {
    // Said before anything is written, naming what is missing, rather than
    // as a permission error from the middle of an import.
    pg::Statement may(db, "SELECT has_table_privilege('import_runs', 'INSERT')::int, "
                          "has_table_privilege('episodes', 'INSERT')::int, "
                          "has_table_privilege('audit_log', 'INSERT')::int, "
                          "has_table_privilege('analysis_runs', 'INSERT')::int");
    if (may.step() && (may.column_int64(2) == 0 || may.column_int64(3) == 0)) {
        throw StoreError("store " + db.path() + ": the database role '" + db.user() +
                         "' may not append to the audit log (it lacks INSERT on audit_log or "
                         "analysis_runs); grant it waymark_reader or waymark_writer");
    }
    lock_writers(db);
}

std::string point_sql(const pg::Connection& /*db*/, std::string_view x, std::string_view y,
                      std::string_view srid) {
    // Typed, so that the server knows each parameter's type however it is used.
    return "ST_SetSRID(ST_MakePoint(CAST(" + std::string(x) + " AS double precision), CAST(" +
           std::string(y) + " AS double precision)), CAST(" + std::string(srid) + " AS integer))";
}

namespace {

// The migrations above `from`, in the caller's transaction, which holds the
// writers' lock: a second `waymark init` at the same time waits, then finds
// the work done.
std::vector<std::string> apply_locked(pg::Connection& db, int from, int working_crs,
                                      int target_version, std::span<const Migration> migrations) {
    std::vector<std::string> applied;
    if (from == 0) {
        ensure_postgis(db);
        if (query_int64(db, "SELECT count(*) FROM spatial_ref_sys WHERE srid = " +
                                std::to_string(working_crs)) == 0) {
            throw StoreError("store " + db.path() +
                             ": PostGIS does not know EPSG:" + std::to_string(working_crs));
        }
    }
    const std::string srid = std::to_string(working_crs);
    for (const Migration& migration : migrations) {
        if (migration.version <= from || migration.version > target_version) {
            continue;
        }
        try {
            db.exec(with_srid(migration.sql, srid));
        } catch (const StoreError& error) {
            throw StoreError("schema migration " + std::to_string(migration.version) + " (" +
                             std::string(migration.summary) + "): " + error.what());
        }
        set_schema_version(db, migration.version);
        applied.emplace_back(migration.summary);
    }
    if (from == 0) {
        insert_deployment(db, working_crs);
    }
    if (target_version == current_schema_version()) {
        ensure_roles(db);
    }
    return applied;
}

} // namespace

std::vector<std::string> apply_migrations(pg::Connection& db, int working_crs, int target_version,
                                          std::span<const Migration> migrations) {
    pg::Transaction transaction(db);
    lock_writers(db);
    auto applied =
        apply_locked(db, stored_schema_version(db), working_crs, target_version, migrations);
    transaction.commit();
    return applied;
}

// ---- Factories --------------------------------------------------------------

std::unique_ptr<Store> open_postgis_store(const std::string& url, Access access) {
    auto db = pg::Connection::open(url);
    const int version = stored_schema_version(db);
    if (version == 0) {
        throw StoreError("no store in " + db.path() + ": run 'waymark --db " + db.path() +
                         " init' to create one");
    }
    if (version != current_schema_version()) {
        throw StoreError(schema_mismatch_message(db.path(), version));
    }
    if (access == Access::read) {
        // The server refuses any write from this session, whatever the role may do.
        db.exec("SET default_transaction_read_only = on");
    }
    return std::make_unique<PostgisStore>(std::move(db));
}

InitResult create_or_upgrade_postgis_store(const std::string& url, int working_crs) {
    auto db = pg::Connection::open(url);
    // Everything is read and decided under the writers' lock, so that of two
    // `waymark init` at once, the second sees what the first did.
    pg::Transaction transaction(db);
    lock_writers(db);
    InitResult result;
    result.from_version = stored_schema_version(db);
    result.created = result.from_version == 0;
    if (result.from_version > current_schema_version()) {
        throw StoreError(schema_mismatch_message(db.path(), result.from_version));
    }
    if (result.from_version == 0 &&
        query_int64(db, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                        "current_schema() AND tablename <> 'spatial_ref_sys'") != 0) {
        throw StoreError("database " + db.path() +
                         " has tables but is not a Waymark store: give an empty database");
    }
    if (result.from_version > 0) {
        const auto existing = static_cast<int>(
            query_int64(db, "SELECT working_crs FROM deployment WHERE singleton = 1"));
        if (existing != working_crs) {
            throw StoreError("store " + db.path() +
                             " uses working CRS EPSG:" + std::to_string(existing) +
                             " but the area settings ask for EPSG:" + std::to_string(working_crs));
        }
    }
    result.applied = apply_locked(db, result.from_version, working_crs, current_schema_version(),
                                  postgis_migrations());
    transaction.commit();
    result.to_version = stored_schema_version(db);
    result.working_crs = working_crs;
    return result;
}

} // namespace waymark::store
