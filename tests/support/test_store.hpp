#pragma once

// Where a test keeps its store, on the backend the test run is for.
//
// WAYMARK_TEST_BACKEND unset or "spatialite": a file in the test's TempDir.
// "postgis": a new database in the throwaway PostgreSQL cluster that ctest
// starts (the postgres fixture, tests/CMakeLists.txt), reached through the
// admin URL in WAYMARK_TEST_POSTGRES_ADMIN; the database is dropped again
// when the TestStore goes. Either way the location is what `--db` and
// store::create_or_upgrade_store() take; creating the schema is still the
// test's job.
//
// A test reads the store's rows with StoreRows, on either backend; a test
// that needs SQLite itself (PRAGMA, sqlite_schema, SpatiaLite functions, the
// R*Tree) asks testing_postgis() and skips (GTEST_SKIP) that part.

#include "engine/store/pg.hpp"
#include "engine/store/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace waymark::testing {

/// Whether this run of the tests is for the PostGIS backend. Throws for a
/// WAYMARK_TEST_BACKEND it does not know, so that a typo fails every test
/// instead of quietly testing SpatiaLite.
inline bool testing_postgis() {
    const char* backend = std::getenv("WAYMARK_TEST_BACKEND");
    if (backend == nullptr || *backend == '\0' || std::string_view(backend) == "spatialite") {
        return false;
    }
    if (std::string_view(backend) == "postgis") {
        return true;
    }
    throw std::runtime_error(std::string("WAYMARK_TEST_BACKEND=") + backend +
                             ": expected spatialite or postgis");
}

namespace detail {

struct PgConnDeleter {
    void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct PgResultDeleter {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using PgConnection = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

/// The cluster's admin URL; throws when the test run did not give one.
inline std::string postgres_admin_url() {
    const char* url = std::getenv("WAYMARK_TEST_POSTGRES_ADMIN");
    if (url == nullptr || *url == '\0') {
        throw std::runtime_error(
            "WAYMARK_TEST_BACKEND=postgis but WAYMARK_TEST_POSTGRES_ADMIN is not set: run the "
            "postgis.* tests through ctest (its postgres fixture starts the cluster), or start "
            "one with scripts/pg-cluster.sh start DIR and set WAYMARK_TEST_POSTGRES_ADMIN to the "
            "URL it prints");
    }
    return url;
}

/// `url` (a libpq URI, postgresql://[authority]/[dbname][?params]) naming
/// `database` instead.
inline std::string with_database(const std::string& url, const std::string& database) {
    const std::size_t scheme = url.find("://");
    if (scheme == std::string::npos) {
        throw std::runtime_error("WAYMARK_TEST_POSTGRES_ADMIN=" + url +
                                 ": expected a postgresql:// URL");
    }
    const std::size_t query = url.find('?', scheme + 3);
    const std::size_t slash = url.find('/', scheme + 3);
    const std::size_t path = slash < query ? slash : query; // where the database name starts
    const std::string authority = url.substr(0, path);
    const std::string rest = query == std::string::npos ? "" : url.substr(query);
    return authority + "/" + database + rest;
}

/// Runs `sql` as the cluster's superuser; returns libpq's message on failure.
inline std::string run_as_admin(const std::string& sql) {
    const std::string url = postgres_admin_url();
    const PgConnection conn(PQconnectdb(url.c_str()));
    if (conn == nullptr) {
        return "connecting to " + url + ": out of memory";
    }
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        return "cannot connect to the test cluster at " + url + " (is it running? ctest's " +
               "postgres_cluster_start starts it): " + PQerrorMessage(conn.get());
    }
    const PgResult result(PQexec(conn.get(), sql.c_str()));
    if (result == nullptr || PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
        return "\"" + sql + "\" in " + url + ": " + PQerrorMessage(conn.get());
    }
    return "";
}

/// A database name no other test (process, or store of this process) has.
inline std::string unique_database_name() {
    static std::atomic<int> counter{0};
    std::random_device random;
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
    return "waymark_t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
           suffix;
}

} // namespace detail

/// A store location for one test (see the file comment). Move-only; the
/// PostGIS database is dropped on destruction, which never throws.
class TestStore {
public:
    /// A new, empty location: `dir.file(name)`, or a new database.
    explicit TestStore(const TempDir& dir, const std::string& name = "waymark.db")
        : TestStore(dir.path(), name) {}

    TestStore(TestStore&& other) noexcept
        : m_dir(std::move(other.m_dir)), m_location(std::move(other.m_location)),
          m_database(std::move(other.m_database)) {
        other.m_database.clear();
    }
    TestStore& operator=(TestStore&&) = delete;
    TestStore(const TestStore&) = delete;
    TestStore& operator=(const TestStore&) = delete;

    ~TestStore() {
        if (m_database.empty()) {
            return;
        }
        try {
            const std::string problem =
                detail::run_as_admin("DROP DATABASE IF EXISTS " + m_database + " WITH (FORCE)");
            if (!problem.empty()) {
                std::cerr << "TestStore: could not drop the test database: " << problem << "\n";
            }
        } catch (const std::exception& error) {
            std::cerr << "TestStore: could not drop " << m_database << ": " << error.what() << "\n";
        }
    }

    /// What `--db` and the store's functions take: a file path, or the URL of
    /// the database.
    const std::string& location() const noexcept { return m_location; }
    /// The PostgreSQL database's name ("" for SpatiaLite).
    const std::string& database() const noexcept { return m_database; }
    bool postgis() const noexcept { return !m_database.empty(); }

    /// A second new, empty location on the same backend (in the same folder).
    TestStore another(const std::string& name) const { return TestStore(m_dir, name); }

    /// A new location holding a copy of this store: the file copied to
    /// `dir.file(name)`, or a database made with this one as its template
    /// (no connection to this store may be open meanwhile).
    TestStore copy_to(const TempDir& dir, const std::string& name) const {
        if (!postgis()) {
            const std::string path = dir.file(name);
            std::filesystem::copy_file(m_location, path,
                                       std::filesystem::copy_options::overwrite_existing);
            return TestStore(dir.path(), path, "");
        }
        const std::string database = detail::unique_database_name();
        const std::string problem =
            detail::run_as_admin("CREATE DATABASE " + database + " TEMPLATE " + m_database);
        if (!problem.empty()) {
            throw std::runtime_error("copying the test database " + m_database + ": " + problem);
        }
        return TestStore(dir.path(), detail::with_database(detail::postgres_admin_url(), database),
                         database);
    }

private:
    TestStore(const std::filesystem::path& dir, const std::string& name) : m_dir(dir) {
        if (!testing_postgis()) {
            m_location = (dir / name).string();
            return;
        }
        const std::string database = detail::unique_database_name();
        const std::string problem = detail::run_as_admin("CREATE DATABASE " + database);
        if (!problem.empty()) {
            throw std::runtime_error("creating a test database for " + name + ": " + problem);
        }
        m_database = database;
        m_location = detail::with_database(detail::postgres_admin_url(), database);
    }
    TestStore(std::filesystem::path dir, std::string location, std::string database)
        : m_dir(std::move(dir)), m_location(std::move(location)), m_database(std::move(database)) {}

    std::filesystem::path m_dir;
    std::string m_location;
    std::string m_database; ///< "" for SpatiaLite
};

/// One row read by StoreRows: every value as text, NULL as nullopt.
using StoreRow = std::vector<std::optional<std::string>>;

/// Reads a store's rows on either backend: the location opened read-only
/// with sqlite::Database or pg::Connection. The SQL is written as for SQLite
/// (`?` and `?N` parameters) and must be valid on the backend read. Values
/// come back as text as each backend gives it: integers and PostgreSQL's
/// smallint yes/no columns as digits, but reals as each formats them
/// (SQLite "12.0", PostgreSQL "12"). bytea (quarantine.raw) comes back from
/// PostgreSQL as "\x…" hex in rows(): read the bytes with bytes().
class StoreRows {
public:
    explicit StoreRows(const std::string& location) {
        if (pg::is_url(location)) {
            auto& db = m_db.emplace<pg::Connection>(pg::Connection::open(location));
            db.exec("SET default_transaction_read_only = on");
        } else {
            m_db.emplace<sqlite::Database>(
                sqlite::Database::open(location, sqlite::OpenMode::read_only));
        }
    }

    bool postgis() const noexcept { return std::holds_alternative<pg::Connection>(m_db); }

    /// Every row of `sql` with `params` bound to ?1, ?2, …
    template <typename... Params>
    std::vector<StoreRow> rows(std::string_view sql, const Params&... params) const {
        const auto read = [&](auto& query) {
            bind_all(query, params...);
            std::vector<StoreRow> found;
            while (query.step()) {
                StoreRow& row = found.emplace_back();
                for (int i = 0; i < query.column_count(); ++i) {
                    row.push_back(query.column_optional_text(i));
                }
            }
            return found;
        };
        if (const auto* db = std::get_if<pg::Connection>(&m_db)) {
            pg::Statement query(*db, sql);
            return read(query);
        }
        sqlite::Statement query(std::get<sqlite::Database>(m_db), sql);
        return read(query);
    }

    /// The first column of every row ("NULL" for NULL).
    template <typename... Params>
    std::vector<std::string> column(std::string_view sql, const Params&... params) const {
        std::vector<std::string> values;
        for (const StoreRow& row : rows(sql, params...)) {
            values.push_back(row.at(0).value_or("NULL"));
        }
        return values;
    }

    /// The first column of the first row: "NULL" for NULL, "no row" for none.
    template <typename... Params>
    std::string text(std::string_view sql, const Params&... params) const {
        const std::vector<StoreRow> found = rows(sql, params...);
        return found.empty() ? "no row" : found.front().at(0).value_or("NULL");
    }

    /// The first column of the only row, an integer; throws otherwise.
    template <typename... Params>
    std::int64_t int64(std::string_view sql, const Params&... params) const {
        const std::vector<StoreRow> found = rows(sql, params...);
        if (found.size() != 1 || !found.front().at(0)) {
            throw std::runtime_error("expected one integer from " + std::string(sql));
        }
        return std::stoll(*found.front().at(0));
    }

    /// The bytes of the first column of each row (a BLOB or bytea; nullopt for NULL).
    template <typename... Params>
    std::vector<std::optional<std::string>> bytes(std::string_view sql,
                                                  const Params&... params) const {
        std::vector<std::optional<std::string>> found;
        if (const auto* db = std::get_if<pg::Connection>(&m_db)) {
            pg::Statement query(*db, sql);
            bind_all(query, params...);
            while (query.step()) {
                if (query.is_null(0)) {
                    found.emplace_back();
                    continue;
                }
                const std::vector<unsigned char> blob = query.column_blob(0);
                found.emplace_back(std::string(blob.begin(), blob.end()));
            }
            return found;
        }
        sqlite::Statement query(std::get<sqlite::Database>(m_db), sql);
        bind_all(query, params...);
        while (query.step()) {
            if (query.is_null(0)) {
                found.emplace_back();
                continue;
            }
            const void* data = sqlite3_column_blob(query.get(), 0);
            const int size = sqlite3_column_bytes(query.get(), 0);
            found.emplace_back(
                std::string(static_cast<const char*>(data), static_cast<std::size_t>(size)));
        }
        return found;
    }

private:
    template <typename Statement, typename... Params>
    static void bind_all(Statement& query, const Params&... params) {
        int index = 0;
        (query.bind(++index, params), ...);
    }

    std::variant<std::monostate, sqlite::Database, pg::Connection> m_db;
};

/// The rows of `sql` in the store at `location` (see StoreRows).
template <typename... Params>
std::vector<StoreRow> query_rows(const std::string& location, std::string_view sql,
                                 const Params&... params) {
    return StoreRows(location).rows(sql, params...);
}

/// Checks a message that names the store: exactly `before + location + after`
/// on SpatiaLite. The PostGIS backend names a database its own way (a URL
/// without the password), so there the message must start with `before`,
/// end with `after`, and name the database in between.
inline ::testing::AssertionResult names_store(const std::string& message, const std::string& before,
                                              const TestStore& store, const std::string& after) {
    if (!store.postgis()) {
        if (message == before + store.location() + after) {
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure() << "the message is\n  " << message << "\nexpected\n  "
                                             << before + store.location() + after;
    }
    const bool framed = message.size() >= before.size() + after.size() &&
                        message.starts_with(before) && message.ends_with(after);
    if (framed && message.substr(before.size(), message.size() - before.size() - after.size())
                          .find(store.database()) != std::string::npos) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "the message is\n  " << message << "\nexpected\n  " << before << "<a name of "
           << store.database() << ">" << after;
}

} // namespace waymark::testing
