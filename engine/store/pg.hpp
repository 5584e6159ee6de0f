#pragma once

// RAII wrappers for libpq (the PostGIS backend, issue 11), shaped like the
// SQLite ones in sqlite.hpp so that the store's queries and row decoding are
// written once for both backends (engine/store/sql_store.hpp):
// Connection owns a PGconn*, Statement a query with its parameters and
// result, Transaction a BEGIN … COMMIT that rolls back unless committed.
//
// SQL is written as for SQLite: `?` and `?N` parameters are turned into
// PostgreSQL's `$N` (an unnumbered `?` takes the next number after the
// largest so far, as SQLite does). Parameters are sent as text and typed by
// the server from their use; results come back as text, booleans as 1 and 0.
//
// An import writes hundreds of thousands of small rows: a round trip per row
// would cost more than the rows. So a connection can be put in pipeline mode
// (libpq's), where run() only queues a statement and the results of queued
// statements are read when a query needs an answer, on commit, or every few
// hundred statements. A queued statement that fails is reported then, with
// its SQL; in a transaction nothing after it took effect.
//
// Every failure throws StoreError naming the database, the operation and
// PostgreSQL's message; a missing privilege names the privilege and the role.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace waymark::pg {

/// Whether `location` names a PostgreSQL database (postgresql:// or postgres://).
bool is_url(std::string_view location);

/// `location` with any password removed (postgresql://user:secret@… becomes
/// postgresql://user@…; a password=… parameter goes), for messages and the
/// audit log, which keeps command lines forever; what is left still connects
/// with ~/.pgpass or PGPASSWORD. Anything else is returned as it is.
std::string without_password(std::string_view location);

/// Turns SQLite-style parameters (`?`, `?N`) into PostgreSQL's `$N`, leaving
/// string literals, quoted identifiers and comments alone.
std::string translate_parameters(std::string_view sql);

class Statement;
class Transaction;

class Connection {
public:
    using Statement = pg::Statement;
    using Transaction = pg::Transaction;

    /// Connects to `url` (a libpq connection URI). Throws StoreError with
    /// libpq's reason when the server cannot be reached or refuses.
    static Connection open(const std::string& url);

    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    /// Runs one or more SQL statements (no parameters, no rows of interest).
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);

    bool in_transaction() const noexcept;
    /// The database as "postgresql://user@host:port/dbname", never with a password.
    const std::string& path() const noexcept { return m_location; }
    /// The role the connection is logged in as.
    std::string user() const;

    /// Pipeline mode (see the file comment). Leaving it reads every result
    /// still pending and throws for the first statement that failed.
    void enter_pipeline();
    void leave_pipeline();
    bool pipelined() const noexcept { return m_pipelined; }
    /// Reads the results of every queued statement; throws for the first that failed.
    void sync();
    /// Leaves pipeline mode, dropping what failed: for a transaction being
    /// rolled back. Never throws.
    void abandon_pipeline() noexcept;

    /// "<what> in <location>: <PostgreSQL's message>", with the missing
    /// privilege spelt out when that was the cause.
    [[noreturn]] void fail(std::string_view what, const pg_result* result = nullptr) const;

    pg_conn* get() const noexcept { return m_conn; }

private:
    friend class pg::Statement;
    Connection(pg_conn* conn, std::string location) noexcept
        : m_conn(conn), m_location(std::move(location)) {}
    void release() noexcept;

    // Pipeline bookkeeping: the SQL of each statement whose result is still
    // to be read, in the order sent.
    void queued(std::string sql);
    void check_result(pg_result* result, std::string_view sql);
    std::string next_statement_name();
    void drop_statement(std::string name) noexcept;
    void drop_released_statements();

    pg_conn* m_conn = nullptr;
    std::string m_location;
    bool m_pipelined = false;
    std::deque<std::string> m_pending;
    std::vector<std::string> m_released; ///< prepared statements to DEALLOCATE
    std::int64_t m_statement_counter = 0;
};

/// A query with its parameters. Parameters are numbered from 1 and columns
/// from 0, as in sqlite::Statement, whose interface this mirrors. The first
/// execution sends the SQL with its parameters; a statement run again is
/// prepared on the server and reused. A Statement must not outlive its
/// Connection.
class Statement {
public:
    Statement(const Connection& db, std::string_view sql);
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
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }
    Statement& bind_text_or_null(int index, std::string_view value) {
        return value.empty() ? bind_null(index) : bind(index, value);
    }

    /// Runs the query on the first call; true while a row is available.
    bool step();
    /// Runs a statement whose rows are not wanted (in pipeline mode: queues
    /// it), then resets it for reuse.
    void run();
    /// Forgets the result and the bindings.
    void reset() noexcept;

    bool is_null(int column) const;
    std::int64_t column_int64(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    std::optional<std::string> column_optional_text(int column) const;
    std::optional<std::int64_t> column_optional_int64(int column) const;
    std::vector<unsigned char> column_blob(int column) const;
    int column_count() const;
    std::string column_name(int column) const;

private:
    void send();
    std::vector<const char*> parameter_pointers() const;
    const char* value(int column) const;

    Connection* m_db = nullptr;
    std::string m_sql; ///< translated
    int m_parameter_count = 0;
    std::vector<std::optional<std::string>> m_parameters;
    std::string m_name; ///< of the prepared statement; "" until run twice
    int m_runs = 0;
    std::unique_ptr<pg_result, void (*)(pg_result*)> m_result;
    int m_row = -1;
};

/// Runs `sql` (one row, one integer column) and returns it.
std::int64_t query_int64(const Connection& db, std::string_view sql);

class Transaction {
public:
    /// BEGIN (READ COMMITTED: writers take Waymark's advisory lock, see
    /// postgis_store.cpp, rather than rely on serialisation failures).
    explicit Transaction(Connection& db);
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    /// Rolls back if commit() was not reached; never throws.
    ~Transaction();

    void commit();
    void rollback();

private:
    Connection* m_db = nullptr;
    bool m_open = false;
};

/// Runs `read` in one REPEATABLE READ, READ ONLY transaction, so that its
/// queries all see one state of the store, as sqlite::read_snapshot does.
template <class Read>
auto read_snapshot(const Connection& db, Read&& read) {
    auto& connection = const_cast<Connection&>(db);
    connection.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    try {
        auto result = read();
        connection.exec("COMMIT");
        return result;
    } catch (...) {
        try {
            connection.exec("ROLLBACK");
        } catch (...) { // NOLINT(bugprone-empty-catch): the first error is the one to report
        }
        throw;
    }
}

} // namespace waymark::pg
