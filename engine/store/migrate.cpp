#include "engine/store/migrate.hpp"

#include "base/error.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/sql_store.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <set>

namespace waymark::store {
namespace {

// ---- What is copied ------------------------------------------------------------

// Every Waymark table. The order is the copy's: import runs come before the
// records that name them, places before locations, locations before the
// records placed at them, each record before its parts. A table added to the
// schema must be added here, or migrate refuses the store (nothing is left
// behind unnoticed).
const std::vector<std::string_view> tables_in_copy_order = {
    "deployment",     "import_runs",   "places",         "locations",      "persons",
    "person_aliases", "person_flags",  "children",       "episodes",       "episode_missing_with",
    "rhis",           "rhi_places",    "rhi_place_with", "rhi_people",     "rhi_factors",
    "rhi_high_risk",  "rhi_notes",     "cpis",           "cpi_restricted", "cpi_subjects",
    "cpi_vehicles",   "cpi_places",    "quarantine",     "import_changes", "import_warnings",
    "audit_log",      "analysis_runs",
};

// SpatiaLite's own tables (metadata, reference systems, R*Tree indexes and
// virtual tables): PostGIS has its own, so they are not copied.
bool is_spatialite_metadata(std::string_view table) {
    static const std::set<std::string_view> names = {
        "ElementaryGeometries",
        "KNN",
        "KNN2",
        "SpatialIndex",
        "data_licenses",
        "spatial_ref_sys",
        "spatial_ref_sys_aux",
        "spatialite_history",
        "sql_statements_log",
    };
    static const std::string_view prefixes[] = {
        "sqlite_",                // SQLite's own (sqlite_sequence, sqlite_stat1)
        "idx_",                   // a spatial index's R*Tree: idx_<table>_<column>[_node|…]
        "geometry_columns",       // geometry_columns, _auth, _statistics, _time, _field_infos
        "views_geometry_columns", // and the same for views and virtual tables
        "virts_geometry_columns",
        "vector_layers",
    };
    return names.contains(table) ||
           std::any_of(std::begin(prefixes), std::end(prefixes),
                       [table](std::string_view prefix) { return table.starts_with(prefix); });
}

std::string sql_name(std::string_view identifier) {
    std::string text = "\"";
    for (const char c : identifier) {
        text += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return text + "\"";
}

// ---- The tables' shapes -----------------------------------------------------------

// How the target stores a column, which decides how its text is read back.
enum class TargetType { integer, real, binary, point, text };

struct Column {
    std::string name;
    bool point = false; ///< a geometry column (a point in the working CRS)
    /// The target's last column `rowid`, standing for SQLite's implicit one
    /// (schema.cpp): the tables read back in the order written have it.
    bool rowid = false;
    TargetType target = TargetType::text;
    bool identity = false; ///< the target numbers it (an identity column)
};

// How both sides select a column: a point as its x and y; SQLite's
// implicit rowid by its bare name.
std::string column_sql(const Column& column) {
    if (column.point) {
        return "ST_X(" + sql_name(column.name) + "), ST_Y(" + sql_name(column.name) + ")";
    }
    return column.rowid ? std::string("rowid") : sql_name(column.name);
}

struct Table {
    std::string name;
    std::vector<Column> columns;
    std::vector<std::string> key; ///< the primary key's columns, in key order ("" none)
};

// The source's columns in order, its primary key, and which columns are
// SpatiaLite geometries (registered in geometry_columns; only points are
// Waymark's).
Table read_source_table(const sqlite::Database& db, std::string_view name) {
    Table table{std::string(name), {}, {}};
    std::set<std::string> geometries;
    sqlite::Statement registered(db,
                                 "SELECT f_geometry_column, geometry_type FROM geometry_columns "
                                 "WHERE lower(f_table_name) = lower(?)");
    registered.bind(1, name);
    while (registered.step()) {
        if (registered.column_int64(1) != 1) { // 1: POINT (XY)
            throw StoreError("store " + db.path() + ": table " + table.name + " column " +
                             registered.column_text(0) +
                             " holds geometries other than points, which migrate cannot copy");
        }
        geometries.insert(registered.column_text(0));
    }

    std::vector<std::pair<std::int64_t, std::string>> key;
    sqlite::Statement info(db, "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid");
    info.bind(1, name);
    while (info.step()) {
        Column column;
        column.name = info.column_text(0);
        column.point = geometries.contains(column.name);
        if (info.column_int64(1) > 0) {
            key.emplace_back(info.column_int64(1), column.name);
        }
        table.columns.push_back(std::move(column));
    }
    if (table.columns.empty()) {
        throw StoreError("store " + db.path() + " has no table " + table.name +
                         ": it is not a complete Waymark store");
    }
    std::sort(key.begin(), key.end());
    for (auto& [position, column] : key) {
        table.key.push_back(std::move(column));
    }
    return table;
}

// Adds the target's types to `table`, after checking that the target has the
// same columns in the same order.
void match_target_table(const pg::Connection& db, Table& table) {
    pg::Statement columns(db, "SELECT column_name, udt_name, is_identity "
                              "FROM information_schema.columns "
                              "WHERE table_schema = current_schema() AND table_name = ? "
                              "ORDER BY ordinal_position");
    columns.bind(1, table.name);
    std::size_t index = 0;
    while (columns.step()) {
        const std::string name = columns.column_text(0);
        if (index == table.columns.size() && name == "rowid") {
            table.columns.push_back({name, false, true});
        }
        if (index >= table.columns.size()) {
            throw StoreError("store " + db.path() + ": table " + table.name + " has column " +
                             name + ", which the source's table does not have");
        }
        Column& column = table.columns[index];
        if (name != column.name) {
            throw StoreError("store " + db.path() + ": table " + table.name + " has column " +
                             name + " where the source has " + column.name + " (column " +
                             std::to_string(index + 1) + "): the two schemas differ");
        }
        const std::string type = columns.column_text(1);
        if ((type == "geometry") != column.point) {
            throw StoreError("store " + db.path() + ": table " + table.name + " column " + name +
                             (column.point ? " is not a geometry column, as it is in the source"
                                           : " is a geometry column, which it is not in the "
                                             "source"));
        }
        column.target = type == "geometry"                                   ? TargetType::point
                        : type == "int2" || type == "int4" || type == "int8" ? TargetType::integer
                        : type == "float4" || type == "float8" || type == "numeric"
                            ? TargetType::real
                        : type == "bytea" ? TargetType::binary
                                          : TargetType::text;
        column.identity = columns.column_text(2) == "YES";
        ++index;
    }
    if (index == 0) {
        throw StoreError("store " + db.path() + " has no table " + table.name +
                         ": it is not at this Waymark's schema");
    }
    if (index < table.columns.size()) {
        throw StoreError("store " + db.path() + ": table " + table.name + " has no column " +
                         table.columns[index].name + ", which the source's table has");
    }
}

// What the source holds must all be copied: a table this Waymark does not
// know (a newer schema, or one added by hand) is refused, not left behind.
void check_source_tables(const sqlite::Database& db) {
    const auto& known = tables_in_copy_order;
    sqlite::Statement tables(db,
                             "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    while (tables.step()) {
        const std::string name = tables.column_text(0);
        if (std::find(known.begin(), known.end(), name) == known.end() &&
            !is_spatialite_metadata(name)) {
            throw StoreError("store " + db.path() + " has a table " + name +
                             " that migrate does not know; it would be lost, so nothing was "
                             "copied");
        }
    }
}

// Each table's foreign keys must point at tables copied before it (or at
// itself), or PostgreSQL refuses the rows: a guard on the list above.
void check_copy_order(const sqlite::Database& db) {
    const auto& order = tables_in_copy_order;
    for (std::size_t i = 0; i < order.size(); ++i) {
        sqlite::Statement keys(db, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)");
        keys.bind(1, order[i]);
        while (keys.step()) {
            const std::string referenced = keys.column_text(0);
            const auto at = std::find(order.begin(), order.end(), referenced);
            if (at == order.end() || static_cast<std::size_t>(at - order.begin()) > i) {
                throw StoreError("migrate copies table " + std::string(order[i]) +
                                 " before table " + referenced +
                                 ", which it refers to: the copy order must be updated");
            }
        }
    }
}

// ---- Canonical values and checksums ------------------------------------------------

class Checksum {
public:
    explicit Checksum(const std::string& table) : m_table(table) {
        if (!m_context || EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1) {
            throw StoreError("checksum of table " + m_table + ": OpenSSL could not start SHA-256");
        }
    }

    void null() { add("N;"); }
    void value(std::string_view text) {
        add("V" + std::to_string(text.size()) + ":");
        add(text);
        add(";");
    }
    void end_row() {
        add("\n");
        ++m_rows;
    }

    std::int64_t rows() const { return m_rows; }

    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        if (EVP_DigestFinal_ex(m_context.get(), digest, &size) != 1) {
            throw StoreError("checksum of table " + m_table + ": OpenSSL's SHA-256 failed");
        }
        return hex_of(digest, size);
    }

    static std::string hex_of(const unsigned char* bytes, std::size_t size) {
        static constexpr char digits[] = "0123456789abcdef";
        std::string text;
        text.reserve(size * 2);
        for (std::size_t i = 0; i < size; ++i) {
            text += digits[bytes[i] >> 4];
            text += digits[bytes[i] & 15];
        }
        return text;
    }

private:
    void add(std::string_view bytes) {
        if (EVP_DigestUpdate(m_context.get(), bytes.data(), bytes.size()) != 1) {
            throw StoreError("checksum of table " + m_table + ": OpenSSL's SHA-256 failed");
        }
    }

    std::string m_table;
    std::int64_t m_rows = 0;
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> m_context{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

std::string real_text(double value) {
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

// The columns as both sides select them: a point as its x and y.
std::string select_list(const Table& table) {
    std::string list;
    for (const Column& column : table.columns) {
        list += (list.empty() ? "" : ", ") + column_sql(column);
    }
    return list;
}

// By the primary key, else by rowid, else by every column: the same order on
// both sides (text compares byte by byte in both, NULLs first in both).
std::string order_by(const Table& table) {
    std::string order;
    const auto add = [&order](const std::string& expression) {
        order += (order.empty() ? " ORDER BY " : ", ") + expression + " NULLS FIRST";
    };
    if (!table.key.empty()) {
        for (const std::string& column : table.key) {
            add(sql_name(column));
        }
        return order;
    }
    const auto rowid = std::find_if(table.columns.begin(), table.columns.end(),
                                    [](const Column& column) { return column.rowid; });
    if (rowid != table.columns.end()) {
        add(column_sql(*rowid));
        return order;
    }
    for (const Column& column : table.columns) {
        if (column.point) {
            add("ST_X(" + sql_name(column.name) + ")");
            add("ST_Y(" + sql_name(column.name) + ")");
        } else {
            add(sql_name(column.name));
        }
    }
    return order;
}

struct TableSum {
    std::int64_t rows = 0;
    std::string checksum;
};

// The bytes of a text or blob value (the bytes asked for after the value, as
// SQLite wants).
std::string_view source_bytes(sqlite3_stmt* row, int column) {
    const void* data = sqlite3_column_type(row, column) == SQLITE_BLOB
                           ? sqlite3_column_blob(row, column)
                           : static_cast<const void*>(sqlite3_column_text(row, column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(row, column));
    return {static_cast<const char*>(data), size};
}

std::string hex_of(std::string_view bytes) {
    return Checksum::hex_of(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

// Source values are written by what SQLite holds (its storage class), except
// that text going into a binary column (the quarantine's raw rows, bytea on
// PostgreSQL) is written as its bytes in hex, as the target's are.
void add_source_value(Checksum& sum, sqlite3_stmt* row, int column, TargetType target) {
    const int storage = sqlite3_column_type(row, column);
    if (target == TargetType::binary && storage == SQLITE_TEXT) {
        sum.value(hex_of(source_bytes(row, column)));
        return;
    }
    switch (storage) {
    case SQLITE_NULL:
        sum.null();
        break;
    case SQLITE_INTEGER:
        sum.value(std::to_string(static_cast<std::int64_t>(sqlite3_column_int64(row, column))));
        break;
    case SQLITE_FLOAT:
        sum.value(real_text(sqlite3_column_double(row, column)));
        break;
    case SQLITE_BLOB:
        sum.value(hex_of(source_bytes(row, column)));
        break;
    default:
        sum.value(source_bytes(row, column));
        break;
    }
}

template <class Row>
void add_point(Checksum& sum, const Row& row, int x) {
    if (row.is_null(x) || row.is_null(x + 1)) {
        sum.null();
    } else {
        sum.value(real_text(row.column_double(x)) + " " + real_text(row.column_double(x + 1)));
    }
}

using Tick = std::function<void(std::int64_t rows)>;
constexpr std::int64_t tick_every = 512;

TableSum source_sum(const sqlite::Database& db, const Table& table, const Tick& tick) {
    Checksum sum(table.name);
    sqlite::Statement rows(db, "SELECT " + select_list(table) + " FROM " + sql_name(table.name) +
                                   order_by(table));
    while (rows.step()) {
        int at = 0;
        for (const Column& column : table.columns) {
            if (column.point) {
                add_point(sum, rows, at);
                at += 2;
            } else {
                add_source_value(sum, rows.get(), at++, column.target);
            }
        }
        sum.end_row();
        if (sum.rows() % tick_every == 0) {
            tick(tick_every);
        }
    }
    tick(sum.rows() % tick_every);
    return {sum.rows(), sum.hex()};
}

// Target values come back as PostgreSQL's text and are rewritten as the
// source's would be: reals through a double, binary from bytea to hex.
void add_target_value(Checksum& sum, const pg::Statement& row, int at, TargetType type) {
    if (row.is_null(at)) {
        sum.null();
        return;
    }
    switch (type) {
    case TargetType::real:
        sum.value(real_text(row.column_double(at)));
        break;
    case TargetType::binary: {
        const auto bytes = row.column_blob(at);
        sum.value(Checksum::hex_of(bytes.data(), bytes.size()));
        break;
    }
    default: // integers come back in decimal, text as it is
        sum.value(row.column_text(at));
        break;
    }
}

// Read through a cursor, a batch at a time, so that a large table is never
// held in memory whole. Must run inside a transaction.
TableSum target_sum(pg::Connection& db, const Table& table, std::optional<std::int64_t> limit,
                    const Tick& tick) {
    constexpr int batch = 5000;
    Checksum sum(table.name);
    db.exec("DECLARE waymark_migrate_rows NO SCROLL CURSOR FOR SELECT " + select_list(table) +
            " FROM " + sql_name(table.name) + order_by(table) +
            (limit ? " LIMIT " + std::to_string(*limit) : std::string()));
    for (bool more = true; more;) {
        pg::Statement rows(db, "FETCH " + std::to_string(batch) + " FROM waymark_migrate_rows");
        int fetched = 0;
        while (rows.step()) {
            ++fetched;
            int at = 0;
            for (const Column& column : table.columns) {
                if (column.point) {
                    add_point(sum, rows, at);
                    at += 2;
                } else {
                    add_target_value(sum, rows, at++, column.target);
                }
            }
            sum.end_row();
        }
        tick(fetched);
        more = fetched == batch;
    }
    db.exec("CLOSE waymark_migrate_rows");
    return {sum.rows(), sum.hex()};
}

// ---- Opening both sides -----------------------------------------------------------

// "sqlite:PATH", "sqlite://PATH" or PATH.
std::string source_path(const std::string& from) {
    if (pg::is_url(from)) {
        throw UsageError("migrate copies a SpatiaLite store into PostGIS: the source '" + from +
                         "' is a PostgreSQL database; give a SpatiaLite file (sqlite:PATH)");
    }
    std::string path = from;
    for (const std::string_view prefix : {"sqlite://", "sqlite:"}) {
        if (path.starts_with(prefix)) {
            path.erase(0, prefix.size());
            break;
        }
    }
    if (path.empty()) {
        throw UsageError("migrate: the source '" + from + "' names no file (sqlite:PATH)");
    }
    return path;
}

sqlite::Database open_source(const std::string& path) {
    if (!std::filesystem::exists(path)) {
        throw StoreError("no store at " + path + " to migrate: the file does not exist");
    }
    if (!std::filesystem::is_regular_file(path)) {
        throw StoreError("no store at " + path + " to migrate: it is not a file");
    }
    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_only);
    const int version = stored_schema_version(db);
    if (version == 0) {
        throw StoreError(path + " is not a Waymark store (it has no Waymark schema)");
    }
    if (version < current_schema_version()) {
        throw StoreError("store " + path + " has schema version " + std::to_string(version) +
                         "; migrate copies stores at version " +
                         std::to_string(current_schema_version()) + ": run 'waymark --db " + path +
                         " init' on it first to upgrade it");
    }
    if (version > current_schema_version()) {
        throw StoreError(schema_mismatch_message(path, version));
    }
    return db;
}

// The first table of the target, in copy order, that holds rows; "" when
// none does. The deployment row is init's, and is replaced.
std::string first_table_with_rows(const pg::Connection& db, std::int64_t& rows) {
    for (const std::string_view table : tables_in_copy_order) {
        if (table == "deployment") {
            continue;
        }
        pg::Statement present(db, "SELECT count(*) FROM pg_catalog.pg_tables "
                                  "WHERE schemaname = current_schema() AND tablename = ?");
        present.bind(1, table);
        if (!present.step() || present.column_int64(0) == 0) {
            continue; // an older schema: not there yet
        }
        rows = pg::query_int64(db, "SELECT count(*) FROM " + sql_name(table));
        if (rows > 0) {
            return std::string(table);
        }
    }
    return "";
}

void refuse_unless_empty(const pg::Connection& db) {
    std::int64_t rows = 0;
    const std::string table = first_table_with_rows(db, rows);
    if (!table.empty()) {
        throw StoreError("store " + db.path() + " is not empty (table " + table + " holds " +
                         std::to_string(rows) + (rows == 1 ? " row" : " rows") +
                         "): migrate copies into an empty database only");
    }
}

// Before the target's schema is created or upgraded: a store there must be
// one this copy may go into, so that a refused migration changes nothing.
void check_target_before_init(const std::string& url, int working_crs) {
    auto db = pg::Connection::open(url);
    const int version = stored_schema_version(db);
    if (version == 0) {
        return; // an empty database (init refuses one with other tables)
    }
    if (version > current_schema_version()) {
        throw StoreError(schema_mismatch_message(db.path(), version));
    }
    refuse_unless_empty(db);
    const auto existing =
        static_cast<int>(pg::query_int64(db, "SELECT working_crs FROM deployment"));
    if (existing != working_crs) {
        throw StoreError("store " + db.path() +
                         " uses working CRS EPSG:" + std::to_string(existing) +
                         " but the source's is EPSG:" + std::to_string(working_crs) +
                         ": give an empty database");
    }
}

// ---- The copy -------------------------------------------------------------------

// One source value, held until the rows of its batch are sent.
struct SourceValue {
    int storage = SQLITE_NULL;
    std::int64_t integer = 0;
    double real = 0.0;
    std::string bytes; ///< text or blob
};

SourceValue read_source_value(sqlite3_stmt* row, int column) {
    SourceValue value;
    value.storage = sqlite3_column_type(row, column);
    if (value.storage == SQLITE_INTEGER) {
        value.integer = static_cast<std::int64_t>(sqlite3_column_int64(row, column));
    } else if (value.storage == SQLITE_FLOAT) {
        value.real = sqlite3_column_double(row, column);
    } else if (value.storage != SQLITE_NULL) {
        value.bytes = source_bytes(row, column);
    }
    return value;
}

// A source value as the target's parameter; text going into a binary column
// is sent as its bytes.
void bind_source_value(pg::Statement& statement, int parameter, const SourceValue& value,
                       TargetType target) {
    switch (value.storage) {
    case SQLITE_NULL:
        statement.bind_null(parameter);
        break;
    case SQLITE_INTEGER:
        statement.bind(parameter, value.integer);
        break;
    case SQLITE_FLOAT:
        statement.bind(parameter, value.real);
        break;
    case SQLITE_BLOB:
        statement.bind_blob(parameter, value.bytes.data(), value.bytes.size());
        break;
    default:
        if (target == TargetType::binary) {
            statement.bind_blob(parameter, value.bytes.data(), value.bytes.size());
        } else {
            statement.bind(parameter, value.bytes);
        }
        break;
    }
}

// The target's type of each value the source's SELECT gives: a point is two
// reals.
std::vector<TargetType> value_types(const Table& table) {
    std::vector<TargetType> types;
    for (const Column& column : table.columns) {
        if (column.point) {
            types.insert(types.end(), 2, TargetType::real);
        } else {
            types.push_back(column.target);
        }
    }
    return types;
}

// One row's value list from parameter `first` on: ?1, ?2, … with a point
// made from two parameters (x, y; NULL stays NULL).
std::vector<std::string> target_values(const pg::Connection& db, const Table& table, int srid,
                                       int first = 1) {
    std::vector<std::string> values;
    int parameter = first;
    for (const Column& column : table.columns) {
        if (column.point) {
            values.push_back(point_sql(db, "?" + std::to_string(parameter),
                                       "?" + std::to_string(parameter + 1), std::to_string(srid)));
            parameter += 2;
        } else {
            values.push_back("?" + std::to_string(parameter++));
        }
    }
    return values;
}

// An INSERT of `rows` rows: a statement per row would cost PostgreSQL more
// than the rows themselves.
std::string insert_sql(const pg::Connection& db, const Table& table, int srid, std::size_t rows,
                       std::size_t width) {
    std::string names;
    for (const Column& column : table.columns) {
        names += (names.empty() ? "" : ", ") + sql_name(column.name);
    }
    std::string values;
    for (std::size_t row = 0; row < rows; ++row) {
        std::string list;
        for (const std::string& value :
             target_values(db, table, srid, static_cast<int>(row * width + 1))) {
            list += (list.empty() ? "" : ", ") + value;
        }
        values += (row == 0 ? "(" : ", (") + list + ")";
    }
    return "INSERT INTO " + sql_name(table.name) + " (" + names + ") VALUES " + values;
}

// The deployment row that init made (with a key of its own) is replaced by
// the source's: every column set, found by its key.
std::string replace_sql(const pg::Connection& db, const Table& table, int srid) {
    const auto expressions = target_values(db, table, srid);
    std::string set;
    std::string where;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const std::string assignment = sql_name(table.columns[i].name) + " = " + expressions[i];
        set += (set.empty() ? "" : ", ") + assignment;
        if (std::find(table.key.begin(), table.key.end(), table.columns[i].name) !=
            table.key.end()) {
            where += (where.empty() ? "" : " AND ") + assignment;
        }
    }
    if (where.empty()) {
        throw StoreError("table " + table.name + " has no primary key to find its row by");
    }
    return "UPDATE " + sql_name(table.name) + " SET " + set + " WHERE " + where + " RETURNING 1";
}

// Rows per INSERT: as many as keep the parameters well under PostgreSQL's
// limit (65535), at most this many.
constexpr std::size_t batch_rows = 250;
constexpr std::size_t max_parameters = 30000;

std::int64_t copy_table(const sqlite::Database& source, pg::Connection& target, const Table& table,
                        int srid, const Tick& tick) {
    sqlite::Statement rows(source,
                           "SELECT " + select_list(table) + " FROM " + sql_name(table.name));
    const std::vector<TargetType> types = value_types(table);
    const std::size_t width = types.size();
    const std::size_t batch = std::clamp<std::size_t>(max_parameters / width, 1, batch_rows);
    const bool replacing = table.name == "deployment";
    std::optional<pg::Statement> replace;
    if (replacing) {
        replace.emplace(target, replace_sql(target, table, srid));
    }
    std::optional<pg::Statement> full_batch;
    std::vector<SourceValue> pending;
    pending.reserve((replacing ? 1 : batch) * width);
    const auto bind_pending = [&pending, &types, width](pg::Statement& statement) {
        for (std::size_t i = 0; i < pending.size(); ++i) {
            bind_source_value(statement, static_cast<int>(i + 1), pending[i], types[i % width]);
        }
    };
    // The rows held, in one INSERT (prepared once for full batches).
    const auto send = [&]() {
        const std::size_t held = pending.size() / width;
        if (held == batch && !full_batch) {
            full_batch.emplace(target, insert_sql(target, table, srid, batch, width));
        }
        std::optional<pg::Statement> rest;
        if (held != batch) {
            rest.emplace(target, insert_sql(target, table, srid, held, width));
        }
        pg::Statement& insert = held == batch ? *full_batch : *rest;
        bind_pending(insert);
        insert.run();
        pending.clear();
    };

    std::int64_t copied = 0;
    while (rows.step()) {
        for (std::size_t column = 0; column < width; ++column) {
            pending.push_back(read_source_value(rows.get(), static_cast<int>(column)));
        }
        if (replacing) {
            bind_pending(*replace);
            const bool replaced = replace->step();
            replace->reset();
            if (replaced) {
                pending.clear();
            } else {
                send(); // no such row on the target yet
            }
        } else if (pending.size() == batch * width) {
            send();
        }
        if (++copied % tick_every == 0) {
            tick(tick_every);
        }
    }
    if (!pending.empty()) {
        send();
    }
    tick(copied % tick_every);
    return copied;
}

// Identity columns were given the source's ids; their sequences move past
// them so that the next row the target numbers itself does not collide.
void advance_identities(pg::Connection& db, const Table& table) {
    for (const Column& column : table.columns) {
        if (!column.identity) {
            continue;
        }
        pg::Statement advance(db, "SELECT setval(pg_get_serial_sequence(?1, ?2), highest) "
                                  "FROM (SELECT max(" +
                                      sql_name(column.name) + ") AS highest FROM " +
                                      sql_name(table.name) + ") AS copied WHERE highest > 0");
        advance.bind(1, sql_name(table.name)).bind(2, column.name);
        advance.step();
    }
}

std::string short_hash(const std::string& hash) {
    return hash.substr(0, 12) + "…";
}

// ---- The migration -------------------------------------------------------------

// One migration, run inside the source's read transaction: the checks, then
// the copy, the audit entry and the comparison in one transaction on the
// target, then the commit and the committed log's verification.
class MigrationRun {
public:
    MigrationRun(const sqlite::Database& source, std::string path, std::string to,
                 const MigrationProgress& progress)
        : m_source(source), m_path(std::move(path)), m_to(std::move(to)), m_progress(progress) {
        m_report.from = m_path;
        m_report.schema_version = current_schema_version();
    }

    MigrationReport run() {
        read_source();
        prepare_target();
        pg::Connection& target = *m_target;
        pg::Transaction transaction(target);
        become_only_writer(target);
        refuse_unless_empty(target); // again, now that no other writer can slip in
        copy();
        const std::string entry_hash = log_migration();
        compare();
        transaction.commit();
        verify_committed_log(entry_hash);
        return m_report;
    }

private:
    // The source's tables, their shapes and sizes, its CRS and its audit log,
    // which must verify: a broken chain is not carried into a new store.
    void read_source() {
        m_report.working_crs = static_cast<int>(sqlite::query_int64(
            m_source, "SELECT working_crs FROM deployment WHERE singleton = 1"));
        check_source_tables(m_source);
        check_copy_order(m_source);
        for (const std::string_view name : tables_in_copy_order) {
            m_tables.push_back(read_source_table(m_source, name));
            m_total_rows += sqlite::query_int64(m_source, "SELECT count(*) FROM " + sql_name(name));
        }
        const AuditVerification chain = verify_audit_chain(m_source, "");
        if (!chain.ok) {
            throw StoreError("the audit log of " + m_path + " is broken (" + chain.problem +
                             "); a store whose log does not verify is not migrated ('waymark "
                             "--db " +
                             m_path + " audit verify')");
        }
        m_report.source_audit_head = chain.head_hash;
    }

    // The target: created, or brought to this schema, only if a copy may go
    // there; then its columns matched to the source's.
    void prepare_target() {
        check_target_before_init(m_to, m_report.working_crs);
        create_or_upgrade_store(m_to, m_report.working_crs);
        m_target.emplace(pg::Connection::open(m_to));
        m_report.to = m_target->path();
        m_target->exec("SET extra_float_digits = 3"); // reals read back exactly, on any server
        for (Table& table : m_tables) {
            match_target_table(*m_target, table);
        }
    }

    // Every table in copy order, pipelined: PostgreSQL's answers are read a
    // few hundred statements at a time, and after each table so that a row
    // it refuses is reported with its table.
    void copy() {
        pg::Connection& target = *m_target;
        m_stage = "copying";
        const Tick tick = [this](std::int64_t rows) { advance(rows); };
        target.enter_pipeline();
        for (const Table& table : m_tables) {
            try {
                m_report.tables.push_back(
                    {table.name, copy_table(m_source, target, table, m_report.working_crs, tick),
                     ""});
                target.sync();
            } catch (const StoreError& error) {
                throw StoreError("copying table " + table.name + " to " + target.path() + ": " +
                                 error.what());
            }
        }
        target.leave_pipeline();
        for (const Table& table : m_tables) {
            advance_identities(target, table);
        }
    }

    // The migration's own audit entry, chained to the copied ones; returns
    // its hash.
    std::string log_migration() {
        nlohmann::ordered_json copied = nlohmann::ordered_json::object();
        for (const MigratedTable& table : m_report.tables) {
            copied[table.name] = table.rows;
        }
        const nlohmann::ordered_json inputs = {{"user", current_os_user()},
                                               {"from", m_path},
                                               {"source_audit_head", m_report.source_audit_head}};
        const nlohmann::ordered_json outputs = {{"tables", copied}};
        m_report.audit_seq =
            append_audit_entry(*m_target, {"migrate", "", inputs.dump(), outputs.dump()});
        pg::Statement entry(*m_target, "SELECT hash FROM audit_log WHERE seq = ?");
        entry.bind(1, m_report.audit_seq);
        return entry.step() ? entry.column_text(0) : std::string();
    }

    // Both sides read back before the commit, the source on a thread of its
    // own while the target is read here: a copy that differs is rolled back
    // and the target is left empty.
    void compare() {
        m_stage = "comparing";
        std::atomic<bool> give_up{false};
        auto source_sums = std::async(std::launch::async, [this, &give_up] {
            const Tick tick = [this, &give_up](std::int64_t rows) {
                if (give_up) {
                    throw StoreError("comparing " + m_path + ": stopped");
                }
                m_source_rows_read += rows;
            };
            std::vector<TableSum> sums;
            for (const Table& table : m_tables) {
                sums.push_back(source_sum(m_source, table, tick));
            }
            return sums;
        });
        std::vector<TableSum> target_sums;
        try {
            const Tick tick = [this](std::int64_t rows) { advance(rows); };
            for (std::size_t i = 0; i < m_tables.size(); ++i) {
                // The audit log as copied, without the migration's own entry.
                const bool audit = m_tables[i].name == "audit_log";
                target_sums.push_back(target_sum(
                    *m_target, m_tables[i],
                    audit ? std::optional<std::int64_t>(m_report.tables[i].rows) : std::nullopt,
                    tick));
            }
        } catch (...) {
            give_up = true; // the source's thread stops at its next rows
            throw;
        }
        const std::vector<TableSum> source = source_sums.get();
        for (std::size_t i = 0; i < m_tables.size(); ++i) {
            check_same(m_report.tables[i], source[i], target_sums[i]);
            m_report.tables[i].checksum = source[i].checksum;
        }
        const std::int64_t entries = pg::query_int64(*m_target, "SELECT count(*) FROM audit_log");
        const auto copied =
            std::find_if(m_report.tables.begin(), m_report.tables.end(),
                         [](const auto& table) { return table.name == "audit_log"; });
        if (entries != copied->rows + 1) {
            throw StoreError("comparing table audit_log: " + m_target->path() + " holds " +
                             std::to_string(entries) + " entries, not the source's " +
                             std::to_string(copied->rows) +
                             " and the migration's own; nothing was committed");
        }
    }

    void check_same(const MigratedTable& copied, const TableSum& source,
                    const TableSum& target) const {
        if (source.rows != copied.rows || target.rows != source.rows) {
            throw StoreError("comparing table " + copied.name + ": the source " + m_path + " has " +
                             std::to_string(source.rows) + " rows but the copy in " +
                             m_target->path() + " has " + std::to_string(target.rows) +
                             "; nothing was committed");
        }
        if (target.checksum != source.checksum) {
            throw StoreError("comparing table " + copied.name + ": the rows copied to " +
                             m_target->path() + " differ from those in " + m_path + " (checksum " +
                             short_hash(target.checksum) + " in the copy, " +
                             short_hash(source.checksum) +
                             " in the source); nothing was committed");
        }
    }

    // The committed log must verify from its first entry to the migration's,
    // which must be in it.
    void verify_committed_log(const std::string& entry_hash) {
        m_stage = "verifying the audit log";
        report_progress(1.0);
        pg::Connection& target = *m_target;
        const AuditVerification chain = pg::read_snapshot(
            target, [&target, &entry_hash] { return verify_audit_chain(target, entry_hash); });
        if (!chain.ok) {
            throw StoreError("the audit log of " + target.path() +
                             " does not verify after the migration: " + chain.problem);
        }
        m_report.target_audit_head = chain.head_hash;
    }

    // Progress: every row is copied once and read back twice (the source's
    // reads counted by their thread).
    void advance(std::int64_t rows) {
        m_rows_done += rows;
        const double work = static_cast<double>(std::max<std::int64_t>(1, 3 * m_total_rows));
        report_progress(static_cast<double>(m_rows_done + m_source_rows_read) / work);
    }

    void report_progress(double fraction) const {
        if (m_progress) {
            m_progress(m_stage, std::clamp(fraction, 0.0, 1.0));
        }
    }

    const sqlite::Database& m_source;
    std::string m_path;
    std::string m_to;
    const MigrationProgress& m_progress;
    MigrationReport m_report;
    std::vector<Table> m_tables;
    std::optional<pg::Connection> m_target;
    std::int64_t m_total_rows = 0;
    std::int64_t m_rows_done = 0;
    std::atomic<std::int64_t> m_source_rows_read{0};
    std::string_view m_stage;
};

} // namespace

const std::vector<std::string_view>& migrated_tables() {
    return tables_in_copy_order;
}

MigrationReport migrate_store(const std::string& from, const std::string& to,
                              const MigrationProgress& progress) {
    const auto started = std::chrono::steady_clock::now();
    const std::string path = source_path(from);
    if (!pg::is_url(to)) {
        throw UsageError("migrate copies a SpatiaLite store into PostGIS: the target '" + to +
                         "' is not a PostgreSQL database (postgresql://…)");
    }
    const sqlite::Database source = open_source(path);
    // One read transaction on the source throughout: an import committed
    // there meanwhile is neither copied nor compared.
    MigrationReport report = sqlite::read_snapshot(
        source, [&] { return MigrationRun(source, path, to, progress).run(); });
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace waymark::store
