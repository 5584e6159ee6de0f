// Store creation, versioned migrations and their all-or-nothing behaviour.

#include "base/error.hpp"
#include "engine/store/pg.hpp"
#include "engine/store/schema.hpp"
#include "engine/store/sql_store.hpp"
#include "engine/store/store.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace waymark::store {
namespace {

using waymark::testing::message_of;
using waymark::testing::names_store;
using waymark::testing::TempDir;
using waymark::testing::testing_postgis;
using waymark::testing::TestStore;

bool has_table(const sqlite::Database& db, const std::string& table) {
    sqlite::Statement query(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
    query.bind(1, table);
    return query.step();
}

bool has_column(const sqlite::Database& db, const std::string& table, const std::string& column) {
    sqlite::Statement query(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
    query.bind(1, table).bind(2, column);
    return query.step();
}

// On SpatiaLite, `path` is dir.file("waymark.db"); on PostGIS, a new database
// (tests/support/test_store.hpp). A test that builds or inspects a store
// through SQLite skips on PostGIS, or checks only what the Store interface
// shows there.
class SchemaTest : public ::testing::Test {
protected:
    TempDir dir;
    TestStore test_store{dir, "waymark.db"};
    std::string path = test_store.location();
};

TEST_F(SchemaTest, MigrationsAreNumberedOneUpwards) {
    int expected = 1;
    for (const Migration& migration : spatialite_migrations()) {
        EXPECT_EQ(migration.version, expected++);
        EXPECT_FALSE(migration.summary.empty());
    }
    EXPECT_EQ(current_schema_version(), expected - 1);
}

TEST_F(SchemaTest, InitCreatesEveryTableAtTheCurrentVersion) {
    const InitResult result = create_or_upgrade_store(path, 27700);
    EXPECT_TRUE(result.created);
    EXPECT_EQ(result.from_version, 0);
    EXPECT_EQ(result.to_version, current_schema_version());
    if (testing_postgis()) {
        EXPECT_EQ(result.applied.size(), postgis_migrations().size());
        GTEST_SKIP() << "the tables and geometry columns are checked in the SQLite file";
    }
    EXPECT_EQ(result.applied.size(), spatialite_migrations().size());

    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_only);
    for (const char* table : {"deployment",   "places",         "locations",
                              "persons",      "person_aliases", "person_flags",
                              "children",     "episodes",       "episode_missing_with",
                              "rhis",         "rhi_places",     "rhi_place_with",
                              "rhi_people",   "rhi_factors",    "rhi_high_risk",
                              "rhi_notes",    "cpis",           "cpi_restricted",
                              "cpi_subjects", "cpi_vehicles",   "cpi_places",
                              "import_runs",  "quarantine",     "audit_log"}) {
        EXPECT_TRUE(has_table(db, table)) << table;
    }
    // Geometry columns are registered with SpatiaLite in the working CRS.
    EXPECT_EQ(sqlite::query_int64(db, "SELECT count(*) FROM geometry_columns WHERE srid = 27700 "
                                      "AND f_table_name IN ('places', 'locations')"),
              2);
    // No SpatiaLite per-row triggers on them: Waymark keeps the places index itself.
    EXPECT_EQ(sqlite::query_int64(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
                                      "AND tbl_name IN ('locations', 'places')"),
              0);
}

TEST_F(SchemaTest, TheWorkingCrsComesFromTheCaller) {
    create_or_upgrade_store(path, 32630); // WGS 84 / UTM zone 30N
    auto store = open_store(path, Access::read);
    EXPECT_EQ(store->working_crs(), 32630);
    if (testing_postgis()) {
        GTEST_SKIP() << "the geometry column's SRID is checked in the SQLite file";
    }
    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_only);
    EXPECT_EQ(sqlite::query_int64(
                  db, "SELECT srid FROM geometry_columns WHERE f_table_name = 'locations'"),
              32630);
}

TEST_F(SchemaTest, InitTwiceChangesNothingAndKeepsTheKey) {
    create_or_upgrade_store(path, 27700);
    const auto key = open_store(path, Access::read)->pseudonym_key();
    ASSERT_EQ(key.size(), 32U);
    EXPECT_NE(key, std::vector<unsigned char>(32, 0));

    const InitResult again = create_or_upgrade_store(path, 27700);
    EXPECT_FALSE(again.created);
    EXPECT_TRUE(again.applied.empty());
    EXPECT_EQ(open_store(path, Access::read)->pseudonym_key(), key);
}

TEST_F(SchemaTest, EachStoreGetsItsOwnKey) {
    const TestStore other = test_store.another("other.db");
    create_or_upgrade_store(path, 27700);
    create_or_upgrade_store(other.location(), 27700);
    EXPECT_NE(open_store(path, Access::read)->pseudonym_key(),
              open_store(other.location(), Access::read)->pseudonym_key());
}

TEST_F(SchemaTest, UpgradesAnOlderStoreKeepingItsData) {
    if (testing_postgis()) {
        GTEST_SKIP() << "the older store is made and read through SQLite";
    }
    {
        auto db = sqlite::Database::open(path, sqlite::OpenMode::create);
        apply_migrations(db, 27700, 1, spatialite_migrations());
        EXPECT_EQ(stored_schema_version(db), 1);
        EXPECT_FALSE(has_table(db, "episodes"));
        db.exec("INSERT INTO persons (person_id, kind, name) VALUES ('P-9', 'adult', 'Dan')");
        db.exec("INSERT INTO places (key, key_type, label, given_x, given_y, given_crs, geom) "
                "VALUES ('ZZ1 4AB', 'postcode', 'Riverside', 712340, 301220, 27700, "
                "MakePoint(712340, 301220, 27700))");
    }
    const std::string message = message_of<StoreError>([&] { open_store(path, Access::read); });
    EXPECT_EQ(message, "store " + path + " has schema version 1; this Waymark uses version " +
                           std::to_string(current_schema_version()) +
                           ": run 'waymark init' to upgrade it");

    const InitResult result = create_or_upgrade_store(path, 27700);
    EXPECT_FALSE(result.created);
    EXPECT_EQ(result.from_version, 1);
    EXPECT_EQ(result.to_version, current_schema_version());
    EXPECT_EQ(result.applied.size(), spatialite_migrations().size() - 1);

    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_only);
    EXPECT_TRUE(has_table(db, "episodes"));
    EXPECT_TRUE(has_column(db, "persons", "import_run_id"));
    sqlite::Statement person(db, "SELECT name, import_run_id FROM persons WHERE person_id = 'P-9'");
    ASSERT_TRUE(person.step());
    EXPECT_EQ(person.column_text(0), "Dan");
    EXPECT_TRUE(person.is_null(1));
    sqlite::Statement place(db, "SELECT ST_X(geom), ST_Y(geom) FROM places");
    ASSERT_TRUE(place.step());
    EXPECT_DOUBLE_EQ(place.column_double(0), 712340);
    EXPECT_DOUBLE_EQ(place.column_double(1), 301220);
    // The index entry SpatiaLite's trigger made before version 4 is still valid.
    EXPECT_EQ(sqlite::query_int64(db, "SELECT CheckSpatialIndex('places', 'geom')"), 1);
    EXPECT_EQ(sqlite::query_int64(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
                                      "AND name LIKE 'gii_%'"),
              0);
}

TEST_F(SchemaTest, VersionSixDropsTheLocationsIndexAndKeepsTheirPoints) {
    if (testing_postgis()) {
        GTEST_SKIP() << "SpatiaLite migrations, made and read through SQLite";
    }
    {
        auto db = sqlite::Database::open(path, sqlite::OpenMode::create);
        apply_migrations(db, 27700, 5, spatialite_migrations());
        db.exec("INSERT INTO locations (label, resolution, geom) VALUES ('Oak House', 'label', "
                "MakePoint(700100, 300200, 27700))");
        db.exec("INSERT INTO idx_locations_geom VALUES (1, 700100, 700100, 300200, 300200)");
    }
    const InitResult result = create_or_upgrade_store(path, 27700);
    EXPECT_EQ(result.from_version, 5);
    EXPECT_EQ(result.to_version, 7);

    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_only);
    EXPECT_FALSE(has_table(db, "idx_locations_geom"));
    EXPECT_TRUE(has_table(db, "idx_places_geom"));
    EXPECT_EQ(sqlite::query_int64(db, "SELECT spatial_index_enabled FROM geometry_columns "
                                      "WHERE f_table_name = 'locations'"),
              0);
    EXPECT_EQ(sqlite::query_int64(db, "SELECT ST_X(geom) FROM locations WHERE label = 'Oak House'"),
              700100);
    // Disabling the index must not bring back SpatiaLite's per-row triggers.
    EXPECT_EQ(sqlite::query_int64(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' "
                                      "AND tbl_name IN ('locations', 'places')"),
              0);
}

TEST_F(SchemaTest, AFailingMigrationLeavesTheStoreAsItWas) {
    if (testing_postgis()) {
        GTEST_SKIP() << "SpatiaLite migrations, applied through SQLite";
    }
    {
        auto db = sqlite::Database::open(path, sqlite::OpenMode::create);
        apply_migrations(db, 27700, 1, spatialite_migrations());
    }
    const Migration broken[] = {
        spatialite_migrations()[0],
        {2, "half good", "CREATE TABLE good (a INTEGER); CREATE TABLE bad (a INTEGER"},
    };
    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_write);
    const std::string message =
        message_of<StoreError>([&] { apply_migrations(db, 27700, 2, broken); });
    EXPECT_EQ(message.substr(0, 43), "schema migration 2 (half good): preparing \"");
    EXPECT_EQ(stored_schema_version(db), 1);
    EXPECT_FALSE(has_table(db, "good")); // the statement before the failure was rolled back
    EXPECT_FALSE(db.in_transaction());
}

TEST_F(SchemaTest, ASpatiaLiteFunctionReturningZeroFailsTheMigration) {
    if (testing_postgis()) {
        GTEST_SKIP() << "a SpatiaLite function, called through SQLite";
    }
    const Migration refused[] = {
        {1, "geometry on a missing table",
         "SELECT AddGeometryColumn('no_such_table', 'geom', {srid}, 'POINT', 'XY')"},
    };
    auto db = sqlite::Database::open(path, sqlite::OpenMode::create);
    const std::string message =
        message_of<StoreError>([&] { apply_migrations(db, 27700, 1, refused); });
    EXPECT_EQ(message, "schema migration 1 (geometry on a missing table) in " + path +
                           ": \"SELECT AddGeometryColumn('no_such_table', 'geom', 27700, "
                           "'POINT', 'XY')\" failed (SpatiaLite returned 0)");
    EXPECT_EQ(stored_schema_version(db), 0);
    EXPECT_FALSE(has_table(db, "geometry_columns"));
}

TEST_F(SchemaTest, ANewerStoreIsRefused) {
    if (testing_postgis()) {
        GTEST_SKIP() << "the version is set with SQLite's PRAGMA user_version";
    }
    create_or_upgrade_store(path, 27700);
    {
        auto db = sqlite::Database::open(path, sqlite::OpenMode::read_write);
        db.exec("PRAGMA user_version = 99");
    }
    const std::string expected = "store " + path +
                                 " has schema version 99, newer than this Waymark understands (" +
                                 std::to_string(current_schema_version()) + "): upgrade Waymark";
    EXPECT_EQ(message_of<StoreError>([&] { open_store(path, Access::read); }), expected);
    EXPECT_EQ(message_of<StoreError>([&] { create_or_upgrade_store(path, 27700); }), expected);
}

TEST_F(SchemaTest, AForeignSqliteDatabaseIsNotTakenOver) {
    if (testing_postgis()) {
        GTEST_SKIP() << "an SQLite file of another program";
    }
    {
        auto db = sqlite::Database::open(path, sqlite::OpenMode::create);
        db.exec("CREATE TABLE someone_elses (a INTEGER)");
    }
    EXPECT_EQ(message_of<StoreError>([&] { create_or_upgrade_store(path, 27700); }),
              path + " is an SQLite database but not a Waymark store: choose another --db path");
    EXPECT_EQ(message_of<StoreError>([&] { open_store(path, Access::read); }),
              path + " is not a Waymark store (it has no Waymark schema)");
    EXPECT_TRUE(std::filesystem::exists(path)); // and it is left alone
}

TEST_F(SchemaTest, TheWorkingCrsCannotChange) {
    create_or_upgrade_store(path, 27700);
    EXPECT_TRUE(names_store(
        message_of<StoreError>([&] { create_or_upgrade_store(path, 32630); }), "store ", test_store,
        " uses working CRS EPSG:27700 but the area settings ask for EPSG:32630"));
}

TEST_F(SchemaTest, AStoreThatCouldNotBeCreatedIsRemoved) {
    // EPSG:1 is no CRS: registering it with SpatiaLite fails after the file exists.
    EXPECT_THROW(create_or_upgrade_store(path, 1), StoreError);
    if (testing_postgis()) { // nothing of the schema is left in the database
        // (the PostGIS backend's advice names the URL: "run 'waymark --db URL init'")
        EXPECT_TRUE(names_store(message_of<StoreError>([&] { open_store(path, Access::read); }),
                                "no store ", test_store, " init' to create one"));
        return;
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST_F(SchemaTest, OpeningAMissingStoreSaysHowToCreateIt) {
    const std::string message = message_of<StoreError>([&] { open_store(path, Access::read); });
    if (testing_postgis()) { // its advice names the URL: "run 'waymark --db URL init'"
        EXPECT_TRUE(names_store(message, "no store ", test_store, " init' to create one"));
        return;
    }
    EXPECT_EQ(message, "no store at " + path + ": run 'waymark init' to create one");
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(SchemaTest, AnUnreachableServerIsAStoreErrorThatHidesThePassword) {
    // Port 1 on loopback: nothing listens there.
    const std::string message = message_of<StoreError>([&] {
        open_store("postgresql://waymark:s3cret@127.0.0.1:1/waymark?connect_timeout=2",
                   Access::read);
    });
    EXPECT_THAT(message, ::testing::StartsWith("cannot connect to the PostgreSQL store "
                                               "postgresql://waymark@127.0.0.1:1/waymark"));
    EXPECT_THAT(message, ::testing::Not(::testing::HasSubstr("s3cret")));
}

TEST(PgWithoutPassword, LeavesOutEveryFormOfPassword) {
    EXPECT_EQ(pg::without_password("postgresql://ana:pw@db.local:5432/waymark"),
              "postgresql://ana@db.local:5432/waymark");
    EXPECT_EQ(pg::without_password("postgresql:///waymark?host=/run/pg&password=pw&user=ana"),
              "postgresql:///waymark?host=/run/pg&user=ana");
    EXPECT_EQ(pg::without_password("postgresql:///waymark?user=ana&password=pw"),
              "postgresql:///waymark?user=ana");
    EXPECT_EQ(pg::without_password("postgresql:///waymark?password=pw"), "postgresql:///waymark");
    EXPECT_EQ(pg::without_password("postgresql://ana@db/waymark"), "postgresql://ana@db/waymark");
    EXPECT_EQ(pg::without_password("/home/ana/waymark.db"), "/home/ana/waymark.db");
}

TEST(PgParameters, QuestionMarksBecomeNumberedAsSqliteNumbersThem) {
    EXPECT_EQ(pg::translate_parameters("SELECT ?, ?3, ? FROM t WHERE a = '?' -- ?\n"),
              "SELECT $1, $3, $4 FROM t WHERE a = '?' -- ?\n");
    EXPECT_EQ(pg::translate_parameters("UPDATE t SET b = ?2 WHERE a = ?1"),
              "UPDATE t SET b = $2 WHERE a = $1");
}

TEST_F(SchemaTest, TheAuditLogIsAppendOnly) {
    if (testing_postgis()) {
        GTEST_SKIP() << "the SQLite file's triggers are tried directly";
    }
    create_or_upgrade_store(path, 27700);
    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_write);
    db.exec("INSERT INTO audit_log (at, command, prev_hash, hash) "
            "VALUES ('2026-01-01T00:00:00Z', 'init', '', 'h1')");
    EXPECT_THROW(db.exec("UPDATE audit_log SET command = 'x'"), StoreError);
    EXPECT_THROW(db.exec("DELETE FROM audit_log"), StoreError);
    EXPECT_EQ(sqlite::query_int64(db, "SELECT count(*) FROM audit_log"), 1);
}

} // namespace
} // namespace waymark::store
