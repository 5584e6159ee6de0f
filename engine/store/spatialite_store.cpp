#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/sql_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace waymark::store {
namespace {

// Runs a migration statement by statement. SpatiaLite's functions
// (AddGeometryColumn, CreateSpatialIndex, InitSpatialMetadata) report failure
// by returning 0 rather than raising an error, so a SELECT answering 0 fails.
void run_checked(sqlite::Database& db, std::string_view sql, std::string_view what) {
    const std::string text(sql);
    const char* next = text.c_str();
    while (*next != '\0') {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        if (sqlite3_prepare_v2(db.get(), next, -1, &raw, &tail) != SQLITE_OK) {
            db.fail(std::string(what) + ": preparing \"" +
                    std::string(next, std::min<std::size_t>(60, std::strlen(next))) + "\"");
        }
        if (raw == nullptr) { // only white space or a comment was left
            break;
        }
        const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw,
                                                                              sqlite3_finalize);
        const int rc = sqlite3_step(raw);
        if (rc == SQLITE_ROW && sqlite3_column_type(raw, 0) == SQLITE_INTEGER &&
            sqlite3_column_int(raw, 0) == 0) {
            throw StoreError(std::string(what) + " in " + db.path() + ": \"" + sqlite3_sql(raw) +
                             "\" failed (SpatiaLite returned 0)");
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            db.fail(std::string(what) + ": \"" + sqlite3_sql(raw) + "\"");
        }
        next = tail;
    }
}

int read_working_crs(const sqlite::Database& db) {
    return static_cast<int>(
        sqlite::query_int64(db, "SELECT working_crs FROM deployment WHERE singleton = 1"));
}

} // namespace

int stored_schema_version(const sqlite::Database& db) {
    return static_cast<int>(sqlite::query_int64(db, "PRAGMA user_version"));
}

std::vector<std::string> apply_migrations(sqlite::Database& db, int working_crs, int target_version,
                                          std::span<const Migration> migrations) {
    std::vector<std::string> applied;
    sqlite::Transaction transaction(db);
    const int from = stored_schema_version(db);
    if (from == 0) {
        // SpatiaLite's metadata tables, with only the SRIDs we use rather than
        // all five thousand; 0 = inside the caller's transaction.
        run_checked(db, "SELECT InitSpatialMetadata(0, 'NONE')", "creating spatial metadata");
        run_checked(db, "SELECT InsertEpsgSrid(" + std::to_string(working_crs) + ")",
                    "registering the working CRS EPSG:" + std::to_string(working_crs));
        if (working_crs != 4326) {
            run_checked(db, "SELECT InsertEpsgSrid(4326)", "registering WGS 84");
        }
    }
    const std::string srid = std::to_string(working_crs);
    for (const Migration& migration : migrations) {
        if (migration.version <= from || migration.version > target_version) {
            continue;
        }
        run_checked(db, with_srid(migration.sql, srid),
                    "schema migration " + std::to_string(migration.version) + " (" +
                        std::string(migration.summary) + ")");
        db.exec("PRAGMA user_version = " + std::to_string(migration.version));
        applied.emplace_back(migration.summary);
    }
    if (from == 0) {
        insert_deployment(db, working_crs);
    }
    transaction.commit();
    return applied;
}

std::string_view backend_name(const sqlite::Database& /*db*/) {
    return "SpatiaLite";
}

bool opened_read_only(const sqlite::Database& db) {
    return sqlite3_db_readonly(db.get(), "main") == 1;
}

std::vector<unsigned char> read_pseudonym_key(const sqlite::Database& db) {
    sqlite::Statement statement(db, "SELECT pseudonym_key FROM deployment WHERE singleton = 1");
    if (!statement.step()) {
        db.fail("reading the pseudonymisation key");
    }
    const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(statement.get(), 0));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), 0));
    return {data, data + size};
}

void become_only_writer(sqlite::Database& /*db*/) {
    // BEGIN IMMEDIATE (sqlite::Transaction) took the database's write lock.
}

std::string point_sql(const sqlite::Database& /*db*/, std::string_view x, std::string_view y,
                      std::string_view srid) {
    return "MakePoint(" + std::string(x) + ", " + std::string(y) + ", " + std::string(srid) + ")";
}

// ---- Factories --------------------------------------------------------------

std::unique_ptr<Store> open_store(const std::string& location, Access access) {
    if (pg::is_url(location)) {
        return open_postgis_store(location, access);
    }
    if (!std::filesystem::exists(location)) {
        throw StoreError("no store at " + location + ": run 'waymark init' to create one");
    }
    auto db =
        sqlite::Database::open(location, access == Access::write ? sqlite::OpenMode::read_write
                                                                 : sqlite::OpenMode::read_only);
    const int version = stored_schema_version(db);
    if (version == 0) {
        throw StoreError(location + " is not a Waymark store (it has no Waymark schema)");
    }
    if (version != current_schema_version()) {
        throw StoreError(schema_mismatch_message(location, version));
    }
    return std::make_unique<SpatiaLiteStore>(std::move(db));
}

namespace {

InitResult create_or_upgrade(const std::string& location, int working_crs, bool created) {
    InitResult result;
    result.created = created;
    auto db = sqlite::Database::open(location, sqlite::OpenMode::create);
    result.from_version = stored_schema_version(db);
    if (result.from_version > current_schema_version()) {
        throw StoreError(schema_mismatch_message(location, result.from_version));
    }
    if (result.from_version == 0 &&
        sqlite::query_int64(db, "SELECT count(*) FROM sqlite_schema") != 0) {
        throw StoreError(location + " is an SQLite database but not a Waymark store: "
                                    "choose another --db path");
    }
    if (result.from_version > 0) {
        const int existing = read_working_crs(db);
        if (existing != working_crs) {
            throw StoreError("store " + location +
                             " uses working CRS EPSG:" + std::to_string(existing) +
                             " but the area settings ask for EPSG:" + std::to_string(working_crs));
        }
    }
    result.applied =
        apply_migrations(db, working_crs, current_schema_version(), spatialite_migrations());
    result.to_version = stored_schema_version(db);
    result.working_crs = working_crs;
    db.close();
    return result;
}

} // namespace

InitResult create_or_upgrade_store(const std::string& location, int working_crs) {
    if (pg::is_url(location)) {
        return create_or_upgrade_postgis_store(location, working_crs);
    }
    const bool created = !std::filesystem::exists(location);
    try {
        return create_or_upgrade(location, working_crs, created);
    } catch (...) {
        // A store we failed to create is removed, so that the next attempt
        // starts clean; an existing store was rolled back and is left alone.
        if (created) {
            std::error_code ignored;
            for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
                std::filesystem::remove(location + suffix, ignored);
            }
        }
        throw;
    }
}

} // namespace waymark::store
