#include "engine/store/sqlite.hpp"

#include "base/error.hpp"

#include <spatialite.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

// The errno behind an SQLITE_IOERR. sqlite3_system_errno() misses a write
// that fails in COMMIT (the commit is not a statement's step), so the files'
// own last errors are asked next: the WAL's, where a commit writes, then the
// database file's, where a checkpoint does.
int failed_errno(sqlite3* db) {
    if (const int error = sqlite3_system_errno(db); error != 0) {
        return error;
    }
    int error = 0;
    sqlite3_file* journal = nullptr;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK &&
        journal != nullptr && journal->pMethods != nullptr &&
        journal->pMethods->xFileControl(journal, SQLITE_FCNTL_LAST_ERRNO, &error) == SQLITE_OK &&
        error != 0) {
        return error;
    }
    error = 0;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_LAST_ERRNO, &error);
    return error;
}

// Why a statement on `db` failed, for a user to act on (tests/engine/crash_test.cpp).
// SQLite says "disk I/O error" for a write refused with EFBIG, "database is
// locked" after the busy timeout and "attempt to write a readonly database"
// when the store's folder cannot be written; none of these names the cause.
// So a full disk, a lock held by another process and a store that cannot be
// written are said first; anything else is "<what> in <path>: <SQLite's
// message>", as before. A failed write inside a transaction leaves the store
// as it was (the transaction is rolled back), so none of them changes it.
std::string describe_failure(sqlite3* db, const std::string& path, std::string_view what) {
    const std::string sqlite_message = db ? sqlite3_errmsg(db) : "no connection";
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    const int primary = code & 0xff;
    // SQLite records errno only for these; otherwise it is an earlier one's.
    const int system_errno =
        db && (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) ? failed_errno(db) : 0;
    const std::string store = "store " + path;
    const std::string detail =
        std::string(what) + ": " + sqlite_message +
        (system_errno != 0 ? "; " + std::string(std::strerror(system_errno)) : std::string());
    if (primary == SQLITE_FULL ||
        (primary == SQLITE_IOERR && (system_errno == ENOSPC || system_errno == EDQUOT))) {
        return store + ": the disk is full (" + detail + ")";
    }
    if (primary == SQLITE_IOERR && system_errno == EFBIG) {
        // RLIMIT_FSIZE (ulimit -f) or the file system's largest file.
        return store + ": the disk is full or the file has reached its size limit (" + detail + ")";
    }
    if (primary == SQLITE_BUSY) {
        return store + " is locked by another process (waited " +
               std::to_string(busy_timeout_ms / 1000) + " s; " + detail + ")";
    }
    // A plain SQLITE_READONLY is a write on a connection opened read-only,
    // which the caller chose; the extended codes are the file system's doing.
    if (primary == SQLITE_READONLY && code != SQLITE_READONLY) {
        return store + " is read-only: its folder or its -wal and -shm files cannot be written (" +
               detail + ")";
    }
    return std::string(what) + " in " + path + ": " + sqlite_message;
}

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
    if (mode != OpenMode::read_only && sqlite3_db_readonly(handle, "main") == 1) {
        // SQLite opens a file it may not write read-only without a word; the
        // first write would then fail with "attempt to write a readonly
        // database" halfway through a command.
        const int error = ::access(path.c_str(), W_OK) == 0 ? EACCES : errno;
        throw StoreError("store " + path + " is read-only: Waymark cannot write to it (" +
                         std::strerror(error) + ")");
    }
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
    if (m_db == nullptr) {
        throw StoreError(std::string(what) + " in " + m_path);
    }
    throw StoreError(describe_failure(m_db, m_path, what));
}

void Database::exec(std::string_view sql) {
    const std::string text(sql);
    char* error = nullptr;
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        // sqlite3_errmsg() is the same text as `error` while the error code
        // is still the connection's, which describe_failure() reads.
        sqlite3_free(error);
        throw StoreError(describe_failure(m_db, m_path, "running \"" + abbreviate(sql) + "\""));
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
    throw StoreError(
        describe_failure(sqlite3_db_handle(m_stmt), m_db_path,
                         std::string(what) + " \"" + abbreviate(sql ? sql : "") + "\""));
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
