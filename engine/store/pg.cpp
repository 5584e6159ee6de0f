#include "engine/store/pg.hpp"

#include "base/error.hpp"

#include <libpq-fe.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace waymark::pg {
namespace {

// Long statements make unreadable messages; the start identifies them.
std::string abbreviate(std::string_view sql) {
    constexpr std::size_t limit = 60;
    std::string text;
    for (const char c : sql.substr(0, limit)) {
        text += c == '\n' || c == '\t' ? ' ' : c;
    }
    const auto start = text.find_first_not_of(' ');
    text = start == std::string::npos ? "" : text.substr(start);
    if (sql.size() > limit) {
        text += "…";
    }
    return text;
}

// In pipeline mode, results are read at least this often, so that neither
// side's socket buffer fills with results nobody reads (libpq's advice).
constexpr std::size_t max_pending = 256;

// A URI with the password left out, for messages and `waymark status`.
std::string describe(PGconn* conn) {
    std::string host = PQhost(conn) ? PQhost(conn) : "";
    if (host.starts_with('/')) {
        host = "[" + host + "]"; // a Unix socket's folder
    }
    return std::string("postgresql://") + PQuser(conn) + "@" + host + ":" + PQport(conn) + "/" +
           PQdb(conn);
}

std::string error_field(const PGresult* result, int field) {
    const char* text = result ? PQresultErrorField(result, field) : nullptr;
    return text ? text : "";
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

} // namespace

bool is_url(std::string_view location) {
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string without_password(std::string_view location) {
    std::string text(location);
    if (!is_url(text) && text.find("password=") == std::string::npos) {
        return text;
    }
    // The user-information part: scheme://user:password@host -> scheme://user@host
    const auto scheme = text.find("://");
    if (scheme != std::string::npos) {
        const auto start = scheme + 3;
        const auto end = text.find_first_of("/?", start);
        const auto at = text.rfind('@', end == std::string::npos ? text.size() : end);
        if (at != std::string::npos && at >= start) {
            const auto colon = text.find(':', start);
            if (colon != std::string::npos && colon < at) {
                text.erase(colon, at - colon);
            }
        }
    }
    // A password=… parameter, in a URI's query (…&password=x&…) or a
    // key=value string: removed with its separator, so that what is left
    // still connects (with ~/.pgpass or PGPASSWORD).
    for (auto at = text.find("password="); at != std::string::npos; at = text.find("password=")) {
        const auto end = text.find_first_of("& ", at);
        if (end != std::string::npos) {
            text.erase(at, end + 1 - at); // "password=x&" or "password=x "
        } else if (at > 0 && std::string_view("&? ").find(text[at - 1]) != std::string_view::npos) {
            text.erase(at - 1); // the last parameter, with the separator before it
        } else {
            text.erase(at);
        }
    }
    return text;
}

std::string translate_parameters(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int largest = 0;
    for (std::size_t i = 0; i < sql.size();) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            const std::size_t end = sql.find(c, i + 1);
            const std::size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
            out.append(sql.substr(i, stop - i));
            i = stop;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            const std::size_t end = sql.find('\n', i);
            const std::size_t stop = end == std::string_view::npos ? sql.size() : end;
            out.append(sql.substr(i, stop - i));
            i = stop;
        } else if (c == '?') {
            std::size_t j = i + 1;
            while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') {
                ++j;
            }
            int number = largest + 1;
            if (j > i + 1) {
                std::from_chars(sql.data() + i + 1, sql.data() + j, number);
            }
            largest = std::max(largest, number);
            out += '$';
            out += std::to_string(number);
            i = j;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

// ---- Connection -------------------------------------------------------------

Connection Connection::open(const std::string& url) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (conn == nullptr) {
        throw StoreError("connecting to the PostgreSQL store: out of memory");
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = trimmed(PQerrorMessage(conn));
        PQfinish(conn);
        // The URL may hold a password: name the store without it.
        throw StoreError("cannot connect to the PostgreSQL store " + without_password(url) + ": " +
                         message);
    }
    // Notices ("relation already exists, skipping") are not for the user.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    Connection connection(conn, describe(conn));
    // Text compares byte by byte, as in SQLite, whatever the server's locale:
    // the schema declares COLLATE "C", and the session's time zone is UTC.
    connection.exec("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
                    "SET application_name = 'waymark'");
    return connection;
}

Connection::Connection(Connection&& other) noexcept
    : m_conn(std::exchange(other.m_conn, nullptr)), m_location(std::move(other.m_location)),
      m_pipelined(std::exchange(other.m_pipelined, false)), m_pending(std::move(other.m_pending)),
      m_released(std::move(other.m_released)), m_statement_counter(other.m_statement_counter) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        release();
        m_conn = std::exchange(other.m_conn, nullptr);
        m_location = std::move(other.m_location);
        m_pipelined = std::exchange(other.m_pipelined, false);
        m_pending = std::move(other.m_pending);
        m_released = std::move(other.m_released);
        m_statement_counter = other.m_statement_counter;
    }
    return *this;
}

Connection::~Connection() {
    release();
}

void Connection::release() noexcept {
    if (m_conn != nullptr) {
        PQfinish(m_conn); // an open transaction is rolled back by the server
        m_conn = nullptr;
    }
}

void Connection::exec(std::string_view sql) {
    if (m_pipelined) {
        // The simple protocol is not allowed in a pipeline: one statement.
        Statement(*this, sql).run();
        return;
    }
    drop_released_statements();
    const std::string text(sql);
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(m_conn, text.c_str()), PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        fail("\"" + abbreviate(sql) + "\"", result.get());
    }
}

Statement Connection::prepare(std::string_view sql) {
    return {*this, sql};
}

bool Connection::in_transaction() const noexcept {
    const auto status = PQtransactionStatus(m_conn);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

std::string Connection::user() const {
    return PQuser(m_conn);
}

void Connection::enter_pipeline() {
    if (m_pipelined) {
        return;
    }
    if (PQenterPipelineMode(m_conn) != 1) {
        fail("entering pipeline mode");
    }
    m_pipelined = true;
}

void Connection::leave_pipeline() {
    if (!m_pipelined) {
        return;
    }
    sync();
    if (PQexitPipelineMode(m_conn) != 1) {
        fail("leaving pipeline mode");
    }
    m_pipelined = false;
}

void Connection::abandon_pipeline() noexcept {
    if (!m_pipelined) {
        return;
    }
    try {
        sync();
    } catch (...) { // NOLINT(bugprone-empty-catch): what failed is being rolled back
    }
    PQexitPipelineMode(m_conn);
    m_pipelined = false;
    m_pending.clear();
}

void Connection::queued(std::string sql) {
    m_pending.push_back(std::move(sql));
    if (m_pending.size() >= max_pending) {
        sync();
    }
}

void Connection::check_result(PGresult* raw, std::string_view sql) {
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(raw, PQclear);
    const auto status = PQresultStatus(raw);
    if (status == PGRES_FATAL_ERROR) {
        fail("\"" + abbreviate(sql) + "\"", raw);
    }
}

void Connection::sync() {
    if (!m_pipelined) {
        return;
    }
    if (PQpipelineSync(m_conn) != 1) {
        fail("sending a pipeline sync");
    }
    // Every result is read, even after a failure, so that the connection is
    // left in step; the first failure is thrown afterwards.
    std::optional<StoreError> first;
    while (!m_pending.empty()) {
        const std::string sql = std::move(m_pending.front());
        m_pending.pop_front();
        while (PGresult* result = PQgetResult(m_conn)) {
            if (!first && PQresultStatus(result) == PGRES_FATAL_ERROR) {
                try {
                    check_result(result, sql);
                } catch (const StoreError& error) {
                    first = error;
                }
                continue;
            }
            PQclear(result);
        }
    }
    // The sync's own result.
    for (PGresult* result = PQgetResult(m_conn); result != nullptr; result = PQgetResult(m_conn)) {
        const bool done = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
        PQclear(result);
        if (done) {
            break;
        }
    }
    if (first) {
        throw *first;
    }
}

std::string Connection::next_statement_name() {
    return "waymark_" + std::to_string(++m_statement_counter);
}

void Connection::drop_statement(std::string name) noexcept {
    if (m_conn != nullptr) {
        m_released.push_back(std::move(name));
    }
}

void Connection::drop_released_statements() {
    // Before the next statement is sent; nothing waits on it in a pipeline.
    while (!m_released.empty()) {
        const std::string sql = "DEALLOCATE " + m_released.back();
        m_released.pop_back();
        if (m_pipelined) {
            if (PQsendQueryParams(m_conn, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) !=
                1) {
                fail("\"" + sql + "\"");
            }
            m_pending.push_back(sql);
        } else {
            PQclear(PQexec(m_conn, sql.c_str()));
        }
    }
}

void Connection::fail(std::string_view what, const PGresult* result) const {
    const std::string message =
        trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(m_conn));
    const std::string state = error_field(result, PG_DIAG_SQLSTATE);
    const std::string store = "store " + m_location;
    if (state == "42501") {
        // insufficient_privilege: say which role lacks what, and which of
        // Waymark's roles has it (docs/postgis.md).
        throw StoreError(store + ": the database role '" + PQuser(m_conn) +
                         "' lacks a privilege Waymark needs for " + std::string(what) + " (" +
                         message +
                         "); grant it the waymark_writer role to import and record analyses, "
                         "or waymark_reader to read");
    }
    if (state == "53100") {
        throw StoreError(store + ": the database server's disk is full (" + std::string(what) +
                         ": " + message + ")");
    }
    if (PQstatus(m_conn) == CONNECTION_BAD) {
        throw StoreError(store + ": the connection to the server was lost (" + std::string(what) +
                         ": " + message + ")");
    }
    throw StoreError(std::string(what) + " in " + store + ": " + message);
}

// ---- Statement --------------------------------------------------------------

Statement::Statement(const Connection& db, std::string_view sql)
    : m_db(const_cast<Connection*>(&db)), m_sql(translate_parameters(sql)),
      m_result(nullptr, PQclear) {
    // The largest $N is the number of parameters.
    for (std::size_t at = m_sql.find('$'); at != std::string::npos; at = m_sql.find('$', at + 1)) {
        int number = 0;
        const char* end = m_sql.data() + m_sql.size();
        const auto parsed = std::from_chars(m_sql.data() + at + 1, end, number);
        if (parsed.ec == std::errc()) {
            m_parameter_count = std::max(m_parameter_count, number);
        }
    }
    m_parameters.resize(static_cast<std::size_t>(m_parameter_count));
}

Statement::Statement(Statement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_sql(std::move(other.m_sql)),
      m_parameter_count(other.m_parameter_count), m_parameters(std::move(other.m_parameters)),
      m_name(std::exchange(other.m_name, "")), m_runs(other.m_runs),
      m_result(std::move(other.m_result)), m_row(other.m_row) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        if (m_db != nullptr && !m_name.empty()) {
            m_db->drop_statement(m_name);
        }
        m_db = std::exchange(other.m_db, nullptr);
        m_sql = std::move(other.m_sql);
        m_parameter_count = other.m_parameter_count;
        m_parameters = std::move(other.m_parameters);
        m_name = std::exchange(other.m_name, "");
        m_runs = other.m_runs;
        m_result = std::move(other.m_result);
        m_row = other.m_row;
    }
    return *this;
}

Statement::~Statement() {
    if (m_db != nullptr && !m_name.empty()) {
        m_db->drop_statement(m_name);
    }
}

Statement& Statement::bind_null(int index) {
    if (index < 1 || index > m_parameter_count) {
        throw StoreError("binding parameter " + std::to_string(index) + " of \"" +
                         abbreviate(m_sql) + "\": it has " + std::to_string(m_parameter_count));
    }
    m_parameters[static_cast<std::size_t>(index - 1)].reset();
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    return bind(index, std::string_view(std::to_string(value)));
}

Statement& Statement::bind(int index, double value) {
    // 17 significant digits: the double comes back exactly.
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    return bind(index, std::string_view(text));
}

Statement& Statement::bind(int index, std::string_view value) {
    bind_null(index); // checks the index
    m_parameters[static_cast<std::size_t>(index - 1)] = std::string(value);
    return *this;
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
    // bytea's hex input format.
    static constexpr char digits[] = "0123456789abcdef";
    std::string text = "\\x";
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        text += digits[bytes[i] >> 4];
        text += digits[bytes[i] & 0xf];
    }
    return bind(index, std::string_view(text));
}

std::vector<const char*> Statement::parameter_pointers() const {
    std::vector<const char*> values;
    values.reserve(m_parameters.size());
    for (const auto& parameter : m_parameters) {
        values.push_back(parameter ? parameter->c_str() : nullptr);
    }
    return values;
}

void Statement::send() {
    Connection& db = *m_db;
    db.drop_released_statements();
    const auto values = parameter_pointers();
    ++m_runs;
    // Prepared from the second run on: a statement run once costs no
    // prepare, one run per row is parsed and planned once.
    if (m_runs == 2 && m_name.empty()) {
        m_name = db.next_statement_name();
        if (db.m_pipelined) {
            if (PQsendPrepare(db.m_conn, m_name.c_str(), m_sql.c_str(), m_parameter_count,
                              nullptr) != 1) {
                db.fail("preparing \"" + abbreviate(m_sql) + "\"");
            }
            db.m_pending.push_back(m_sql);
        } else {
            std::unique_ptr<PGresult, void (*)(PGresult*)> prepared(
                PQprepare(db.m_conn, m_name.c_str(), m_sql.c_str(), m_parameter_count, nullptr),
                PQclear);
            if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
                const std::string name = std::exchange(m_name, "");
                db.fail("preparing \"" + abbreviate(m_sql) + "\"", prepared.get());
            }
        }
    }
    if (db.m_pipelined) {
        const int sent = m_name.empty()
                             ? PQsendQueryParams(db.m_conn, m_sql.c_str(), m_parameter_count,
                                                 nullptr, values.data(), nullptr, nullptr, 0)
                             : PQsendQueryPrepared(db.m_conn, m_name.c_str(), m_parameter_count,
                                                   values.data(), nullptr, nullptr, 0);
        if (sent != 1) {
            db.fail("sending \"" + abbreviate(m_sql) + "\"");
        }
        return;
    }
    m_result.reset(m_name.empty() ? PQexecParams(db.m_conn, m_sql.c_str(), m_parameter_count,
                                                 nullptr, values.data(), nullptr, nullptr, 0)
                                  : PQexecPrepared(db.m_conn, m_name.c_str(), m_parameter_count,
                                                   values.data(), nullptr, nullptr, 0));
    const auto status = PQresultStatus(m_result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        db.fail("\"" + abbreviate(m_sql) + "\"", m_result.get());
    }
}

bool Statement::step() {
    if (m_row < 0) {
        send();
        if (m_db->m_pipelined) {
            // This query's answer is needed now: read everything before it,
            // then its result.
            Connection& db = *m_db;
            if (PQpipelineSync(db.m_conn) != 1) {
                db.fail("sending a pipeline sync");
            }
            std::optional<StoreError> first;
            while (!db.m_pending.empty()) {
                const std::string sql = std::move(db.m_pending.front());
                db.m_pending.pop_front();
                while (PGresult* result = PQgetResult(db.m_conn)) {
                    if (!first && PQresultStatus(result) == PGRES_FATAL_ERROR) {
                        try {
                            db.check_result(result, sql);
                        } catch (const StoreError& error) {
                            first = error;
                        }
                        continue;
                    }
                    PQclear(result);
                }
            }
            PGresult* mine = PQgetResult(db.m_conn);
            while (PGresult* extra = PQgetResult(db.m_conn)) {
                PQclear(extra); // the NULL that ends this query's results
            }
            m_result.reset(mine);
            for (PGresult* result = PQgetResult(db.m_conn); result != nullptr;
                 result = PQgetResult(db.m_conn)) {
                const bool done = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
                PQclear(result);
                if (done) {
                    break;
                }
            }
            if (first) {
                throw *first;
            }
            if (PQresultStatus(m_result.get()) != PGRES_TUPLES_OK &&
                PQresultStatus(m_result.get()) != PGRES_COMMAND_OK) {
                db.fail("\"" + abbreviate(m_sql) + "\"", m_result.get());
            }
        }
    }
    ++m_row;
    return m_row < PQntuples(m_result.get());
}

void Statement::run() {
    send();
    if (m_db->m_pipelined) {
        m_db->queued(m_sql);
    }
    reset();
}

void Statement::reset() noexcept {
    m_result.reset();
    m_row = -1;
    for (auto& parameter : m_parameters) {
        parameter.reset();
    }
}

const char* Statement::value(int column) const {
    if (!m_result || m_row < 0 || m_row >= PQntuples(m_result.get()) || column < 0 ||
        column >= PQnfields(m_result.get())) {
        throw StoreError("reading column " + std::to_string(column) + " of \"" + abbreviate(m_sql) +
                         "\": there is no such column or no row");
    }
    return PQgetvalue(m_result.get(), m_row, column);
}

bool Statement::is_null(int column) const {
    value(column); // checks the column
    return PQgetisnull(m_result.get(), m_row, column) == 1;
}

std::int64_t Statement::column_int64(int column) const {
    const char* text = value(column);
    if (is_null(column)) {
        return 0; // as sqlite3_column_int64 does
    }
    if (text[0] == 't' && text[1] == '\0') {
        return 1; // a boolean
    }
    if (text[0] == 'f' && text[1] == '\0') {
        return 0;
    }
    std::int64_t number = 0;
    const auto end = text + std::strlen(text);
    const auto parsed = std::from_chars(text, end, number);
    if (parsed.ec != std::errc() || parsed.ptr != end) {
        // A numeric result (sum, avg) or a double: truncate, as SQLite does.
        return static_cast<std::int64_t>(std::strtod(text, nullptr));
    }
    return number;
}

double Statement::column_double(int column) const {
    const char* text = value(column);
    return is_null(column) ? 0.0 : std::strtod(text, nullptr);
}

std::string Statement::column_text(int column) const {
    const char* text = value(column);
    return is_null(column) ? std::string() : std::string(text);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
    const char* text = value(column);
    return is_null(column) ? std::nullopt : std::optional<std::string>(text);
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
    return is_null(column) ? std::nullopt : std::optional(column_int64(column));
}

std::vector<unsigned char> Statement::column_blob(int column) const {
    const char* text = value(column);
    if (is_null(column)) {
        return {};
    }
    std::size_t size = 0;
    unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
    if (bytes == nullptr) {
        throw StoreError("reading binary column " + std::to_string(column) + " of \"" +
                         abbreviate(m_sql) + "\": out of memory");
    }
    std::vector<unsigned char> result(bytes, bytes + size);
    PQfreemem(bytes);
    return result;
}

int Statement::column_count() const {
    return m_result ? PQnfields(m_result.get()) : 0;
}

std::string Statement::column_name(int column) const {
    return m_result ? PQfname(m_result.get(), column) : "";
}

std::int64_t query_int64(const Connection& db, std::string_view sql) {
    Statement statement(db, sql);
    if (!statement.step()) {
        throw StoreError("\"" + abbreviate(sql) + "\" in store " + db.path() + " returned no row");
    }
    return statement.column_int64(0);
}

// ---- Transaction ------------------------------------------------------------

Transaction::Transaction(Connection& db) : m_db(&db) {
    db.exec("BEGIN");
    m_open = true;
}

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_open(std::exchange(other.m_open, false)) {}

Transaction::~Transaction() {
    if (m_open && m_db != nullptr) {
        m_db->abandon_pipeline();
        PQclear(PQexec(m_db->get(), "ROLLBACK"));
    }
}

void Transaction::commit() {
    m_db->exec("COMMIT");
    m_db->sync();
    m_open = false;
}

void Transaction::rollback() {
    m_open = false;
    m_db->exec("ROLLBACK");
    m_db->sync();
}

} // namespace waymark::pg
