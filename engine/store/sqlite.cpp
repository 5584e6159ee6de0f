#include "engine/store/sqlite.hpp"

#include "base/error.hpp"

#include <spatialite.h>

#include <utility>

namespace waymark::sqlite {
namespace {

// Long statements make unreadable messages; the start identifies them.
std::string abbreviate(std::string_view sql) {
    constexpr std::size_t limit = 60;
    std::string text(sql.substr(0, limit));
    for (char& c : text) {
        if (c == '\n' || c == '\t') {
            c = ' ';
        }
    }
    if (sql.size() > limit) {
        text += "…";
    }
    return text;
}

constexpr int busy_timeout_ms = 10'000;
constexpr int page_cache_kib = 128 * 1024; // 128 MiB: see Database::open

} // namespace

// ---- Database ---------------------------------------------------------------

Database Database::open(const std::string& path, OpenMode mode) {
    int flags = SQLITE_OPEN_NOMUTEX;
    switch (mode) {
    case OpenMode::read_only:
        flags |= SQLITE_OPEN_READONLY;
        break;
    case OpenMode::read_write:
        flags |= SQLITE_OPEN_READWRITE;
        break;
    case OpenMode::create:
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        break;
    }
    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
    // sqlite3_open_v2 hands back a handle even on failure; it must be closed.
    Database db(handle, nullptr, path);
    if (rc != SQLITE_OK) {
        const std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
        throw StoreError("cannot open store " + path + ": " + message);
    }
    sqlite3_extended_result_codes(handle, 1);
    db.m_spatialite = spatialite_alloc_connection();
    spatialite_init_ex(handle, db.m_spatialite, 0);
    sqlite3_busy_timeout(handle, busy_timeout_ms);
    db.exec("PRAGMA foreign_keys = ON");
    // SQLite's default page cache is 2 MB; an import that inserts into a dozen
    // B-trees larger than that re-reads pages from the OS for every row. The
    // cache is a fixed ceiling, so memory still does not grow with input size.
    db.exec("PRAGMA cache_size = -" + std::to_string(page_cache_kib));
    if (mode != OpenMode::read_only) {
        // WAL keeps readers going during an import; FULL syncing makes a
        // committed import survive a power cut, not only stay consistent.
        db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
    }
    return db;
}

Database::Database(Database&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)),
      m_spatialite(std::exchange(other.m_spatialite, nullptr)), m_path(std::move(other.m_path)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        release();
        m_db = std::exchange(other.m_db, nullptr);
        m_spatialite = std::exchange(other.m_spatialite, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

Database::~Database() {
    release();
}

void Database::release() noexcept {
    if (m_db != nullptr) {
        // close_v2 defers the close until outstanding statements finish, so
        // it cannot fail here; close() reports what plain close refuses.
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
    if (m_spatialite != nullptr) {
        spatialite_cleanup_ex(m_spatialite);
        m_spatialite = nullptr;
    }
}

void Database::close() {
    if (m_db == nullptr) {
        return;
    }
    if (sqlite3_close(m_db) != SQLITE_OK) {
        fail("closing the store");
    }
    m_db = nullptr;
    release();
}

void Database::fail(std::string_view what) const {
    std::string message(what);
    message += " in ";
    message += m_path;
    if (m_db != nullptr) {
        message += ": ";
        message += sqlite3_errmsg(m_db);
    }
    throw StoreError(message);
}

void Database::exec(std::string_view sql) {
    const std::string text(sql);
    char* error = nullptr;
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = "running \"" + abbreviate(sql) + "\" in " + m_path + ": " +
                              (error ? error : sqlite3_errmsg(m_db));
        sqlite3_free(error);
        throw StoreError(message);
    }
}

Statement Database::prepare(std::string_view sql) {
    return Statement(*this, sql);
}

std::int64_t Database::last_insert_rowid() const noexcept {
    return sqlite3_last_insert_rowid(m_db);
}

bool Database::in_transaction() const noexcept {
    return sqlite3_get_autocommit(m_db) == 0;
}

// ---- Statement --------------------------------------------------------------

Statement::Statement(const Database& db, std::string_view sql) : m_db_path(db.path()) {
    if (sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) !=
        SQLITE_OK) {
        db.fail("preparing \"" + abbreviate(sql) + "\"");
    }
}

Statement::Statement(Statement&& other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr)), m_db_path(std::move(other.m_db_path)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_db_path = std::move(other.m_db_path);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

void Statement::fail(std::string_view what) const {
    const char* sql = sqlite3_sql(m_stmt);
    throw StoreError(std::string(what) + " \"" + abbreviate(sql ? sql : "") + "\" in " + m_db_path +
                     ": " + sqlite3_errmsg(sqlite3_db_handle(m_stmt)));
}

void Statement::check_bind(int rc, int index) {
    if (rc != SQLITE_OK) {
        fail("binding parameter " + std::to_string(index) + " of");
    }
}

Statement& Statement::bind_null(int index) {
    check_bind(sqlite3_bind_null(m_stmt, index), index);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    check_bind(sqlite3_bind_int64(m_stmt, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check_bind(sqlite3_bind_double(m_stmt, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    check_bind(sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8),
               index);
    return *this;
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
    check_bind(sqlite3_bind_blob64(m_stmt, index, data, size, SQLITE_TRANSIENT), index);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    fail("running");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() noexcept {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::column_double(int column) const {
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::column_text(int column) const {
    const auto* text = sqlite3_column_text(m_stmt, column);
    const int size = sqlite3_column_bytes(m_stmt, column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
                : std::string();
}

std::optional<std::string> Statement::column_optional_text(int column) const {
    if (is_null(column)) {
        return std::nullopt;
    }
    return column_text(column);
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
    if (is_null(column)) {
        return std::nullopt;
    }
    return column_int64(column);
}

std::int64_t query_int64(const Database& db, std::string_view sql) {
    Statement statement(db, sql);
    if (!statement.step()) {
        db.fail("no row from \"" + abbreviate(sql) + "\"");
    }
    return statement.column_int64(0);
}

// ---- Transaction ------------------------------------------------------------

Transaction::Transaction(Database& db) : m_db(&db) {
    db.exec("BEGIN IMMEDIATE");
    m_open = true;
}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(other.m_db), m_open(std::exchange(other.m_open, false)) {}

Transaction::~Transaction() {
    if (m_open && m_db->is_open()) {
        // Nothing to report to: the exception that got us here matters more.
        sqlite3_exec(m_db->get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    m_db->exec("COMMIT");
    m_open = false;
}

void Transaction::rollback() {
    m_open = false;
    m_db->exec("ROLLBACK");
}

} // namespace waymark::sqlite
