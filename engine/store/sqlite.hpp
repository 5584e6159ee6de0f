#pragma once

// RAII wrappers for SQLite handles (design/ARCHITECTURE.md, point 3):
// Database owns a sqlite3* with its SpatiaLite connection cache, Statement a
// prepared sqlite3_stmt*, Transaction a BEGIN … COMMIT that rolls back unless
// committed. All are move-only; destructors never throw; close() and
// commit() do. Every failure throws StoreError naming the database, the
// operation and SQLite's own message.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace waymark::sqlite {

enum class OpenMode {
    read_only,  ///< the file must exist; no writes
    read_write, ///< the file must exist
    create,     ///< created if missing
};

class Statement;
class Transaction;

class Database {
public:
    // What the store code, written once for both backends, names through the
    // database type (engine/store/sql_store.hpp).
    using Statement = sqlite::Statement;
    using Transaction = sqlite::Transaction;

    /// Opens `path`, loads SpatiaLite into the connection, turns foreign keys
    /// on, sets a busy timeout so that concurrent writers queue instead of
    /// failing, and (when writable) switches to WAL with full syncing.
    static Database open(const std::string& path, OpenMode mode);

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    /// Closes the connection; throws StoreError if SQLite refuses.
    void close();

    /// Runs one or more SQL statements that return no rows of interest.
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);

    std::int64_t last_insert_rowid() const noexcept;
    bool is_open() const noexcept { return m_db != nullptr; }
    bool in_transaction() const noexcept;
    const std::string& path() const noexcept { return m_path; }
    sqlite3* get() const noexcept { return m_db; }

    /// "<what> in <path>: <SQLite's message>"
    [[noreturn]] void fail(std::string_view what) const;

private:
    Database(sqlite3* db, void* spatialite_cache, std::string path) noexcept
        : m_db(db), m_spatialite(spatialite_cache), m_path(std::move(path)) {}
    void release() noexcept;

    sqlite3* m_db = nullptr;
    void* m_spatialite = nullptr; // SpatiaLite's per-connection cache
    std::string m_path;
};

/// A prepared statement. Parameters are numbered from 1, columns from 0, as
/// in SQLite. A Statement must not outlive its Database.
class Statement {
public:
    Statement(const Database& db, std::string_view sql);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& bind_null(int index);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind_blob(int index, const void* data, std::size_t size);
    /// Binds NULL for an empty optional.
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }
    /// Binds NULL for an empty string: "" means "not given" in our records.
    Statement& bind_text_or_null(int index, std::string_view value) {
        return value.empty() ? bind_null(index) : bind(index, value);
    }

    /// Advances; true while a row is available, false when done.
    bool step();
    /// Runs a statement that returns no rows, then resets it for reuse.
    void run();
    /// Resets the statement and clears its bindings.
    void reset() noexcept;

    bool is_null(int column) const;
    std::int64_t column_int64(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    std::optional<std::string> column_optional_text(int column) const;
    std::optional<std::int64_t> column_optional_int64(int column) const;
    int column_count() const { return sqlite3_column_count(m_stmt); }
    std::string column_name(int column) const { return sqlite3_column_name(m_stmt, column); }

    sqlite3_stmt* get() const noexcept { return m_stmt; }

private:
    void check_bind(int rc, int index);
    [[noreturn]] void fail(std::string_view what) const;

    sqlite3_stmt* m_stmt = nullptr;
    std::string m_db_path; // for messages; the Database may move, its path does not
};

/// Runs `sql` (which must return one row with one integer column) and returns it.
std::int64_t query_int64(const Database& db, std::string_view sql);

class Transaction {
public:
    /// BEGIN IMMEDIATE: takes the write lock now, so that two writers queue
    /// on the busy timeout rather than deadlock on upgrade.
    explicit Transaction(Database& db);
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    /// Rolls back if commit() was not reached; never throws.
    ~Transaction();

    void commit();
    /// Rolls back now; throws if SQLite refuses.
    void rollback();

private:
    Database* m_db = nullptr;
    bool m_open = false;
};

/// Runs `read` in one read transaction (BEGIN ... COMMIT; ROLLBACK if it
/// throws), so that its queries all see one state of the store: an import
/// committing meanwhile cannot give a mixture of before and after.
template <class Read>
auto read_snapshot(const Database& db, Read&& read) {
    Statement(db, "BEGIN").run();
    try {
        auto result = read();
        Statement(db, "COMMIT").run();
        return result;
    } catch (...) {
        Statement(db, "ROLLBACK").run();
        throw;
    }
}

} // namespace waymark::sqlite
