#include "engine/import.hpp"

#include "base/batch_queue.hpp"
#include "base/error.hpp"
#include "engine/model/columns.hpp"
#include "engine/sha256.hpp"
#include "importers/csv_reader.hpp"
#include "importers/datetime.hpp"
#include "importers/gazetteer_index.hpp"
#include "importers/line_reader.hpp"
#include "importers/location_resolver.hpp"
#include "importers/records.hpp"
#include "importers/spec.hpp"
#include "importers/text.hpp"

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <ostream>
#include <thread>
#include <type_traits>

namespace waymark {
namespace {

namespace fs = std::filesystem;
namespace m = waymark::model;
using namespace waymark::importers;

constexpr std::size_t max_examples = 20;
// Fewer gazetteer places than this give no extent of their own.
constexpr std::size_t min_places_for_extent = 20;
// A record this long is no record: the file is of another kind, binary, or
// split on the wrong delimiter; the import stops rather than guess.
constexpr std::size_t max_record_bytes = 16 << 20;
// Rows handed from the reading thread to the writing thread at a time, and
// how many such batches may wait: enough to keep both cores busy, few enough
// that memory stays a few megabytes whatever the file's length.
constexpr std::size_t rows_per_batch = 512;
constexpr std::size_t batches_waiting = 8;

// FNV-1a over a record's fields: equal content, equal hash (never 0, which
// the store reads as "no hash").
class ContentHash {
public:
    void add(std::string_view text) {
        for (const char c : text) {
            m_hash = (m_hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        }
        m_hash = (m_hash ^ 0x1fU) * 0x100000001b3ULL; // field separator
    }
    /// A number by its bytes (a point's coordinates, another hash).
    template <typename Number>
    requires std::is_arithmetic_v<Number>
    void add(Number number) {
        char bytes[sizeof number];
        std::memcpy(bytes, &number, sizeof number);
        add(std::string_view(bytes, sizeof bytes));
    }
    std::uint64_t value() const { return m_hash == 0 ? 1 : m_hash; }

private:
    std::uint64_t m_hash = 0xcbf29ce484222325ULL;
};

// One row read, parsed and resolved on the reading thread, waiting to be
// counted and written on the writing thread (which alone touches the store
// and the report), in file order.
template <typename Record>
struct Prepared {
    std::int64_t line = 0;
    std::string raw;              ///< the row as read, kept if it is quarantined
    std::optional<Record> record; ///< empty: quarantined for `problem`
    Issue problem{};
    std::uint64_t hash = 0;      ///< the source content and what resolution made of it
    std::vector<Issue> warnings; ///< parsing's, then resolution's, in order
    m::Point place_point{};      ///< a gazetteer entry's point in the working CRS
    std::int64_t locations = 0;  ///< locations resolved (or not)
    std::vector<std::string_view> unresolved_given; ///< given_as() of each unresolved one
};

// Raised on the reading thread when the writing thread stopped taking rows.
struct ReadingCancelled {};

std::string_view given_as(const m::Location& location) {
    if (location.x || location.y) {
        return "x/y";
    }
    if (location.lat || location.lon) {
        return "lat/lon";
    }
    if (!location.place_id.empty()) {
        return "place_id";
    }
    if (!location.postcode.empty()) {
        return "postcode";
    }
    if (!location.label.empty()) {
        return "label";
    }
    return "nothing";
}

std::span<const std::string_view> canonical_columns(std::string_view kind) {
    if (kind == "episodes") {
        return m::episode_columns;
    }
    if (kind == "persons") {
        return m::person_columns;
    }
    if (kind == "gazetteer") {
        return m::gazetteer_columns;
    }
    if (kind == "rhi") {
        return m::rhi_fields;
    }
    return m::cpi_fields;
}

// The work of one import: counting, resolving, writing.
class Importer {
public:
    Importer(store::Store& store, const AreaSettings& area, const ImportRequest& request,
             ImportReport& report)
        : m_store(store), m_area(area), m_request(request), m_report(report),
          m_source(request.file.string()) {
        if (!request.spec.empty()) {
            m_spec = load_import_spec(request.spec, canonical_columns(request.kind), request.kind);
        }
        m_times = std::make_unique<DateTimeParser>(date::locate_zone(area.time_zone),
                                                   m_spec ? m_spec->datetime_formats
                                                          : std::vector<std::string>{});
    }

    void prepare_locations() {
        std::vector<double> xs;
        std::vector<double> ys;
        m_store.for_each_place([&](const m::GazetteerEntry& entry, const m::Point& point) {
            m_gazetteer.add(entry, point);
            xs.push_back(point.x);
            ys.push_back(point.y);
        });
        std::optional<AreaExtent> extent;
        if (m_area.extent) {
            const auto& e = *m_area.extent;
            extent = AreaExtent{e[0], e[1], e[2], e[3]};
        } else if (xs.size() >= min_places_for_extent) {
            // Without a configured extent, the gazetteer's own: the 1st to 99th
            // percentile of its points (so that a few misplaced entries cannot
            // stretch it), with a 10 km margin.
            const auto percentile = [](std::vector<double>& values, double q) {
                const auto at =
                    static_cast<std::ptrdiff_t>(q * static_cast<double>(values.size() - 1));
                std::nth_element(values.begin(), values.begin() + at, values.end());
                return values[static_cast<std::size_t>(at)];
            };
            extent = AreaExtent{percentile(xs, 0.01), percentile(ys, 0.01), percentile(xs, 0.99),
                                percentile(ys, 0.99)}
                         .grown(10000.0);
        }
        m_resolver = std::make_unique<LocationResolver>(m_store.working_crs(), m_gazetteer, extent);
    }

    void run(const ImportProgress& progress) {
        const auto started = std::chrono::steady_clock::now();
        std::ifstream in(m_request.file, std::ios::binary);
        if (!in) {
            throw IoError("cannot read " + m_source + ": " + std::strerror(errno));
        }
        const auto size = static_cast<double>(fs::file_size(m_request.file));
        if (size == 0) {
            throw InputError(m_source + ": the file is empty");
        }
        // Read on the reading thread, shown by the writing thread.
        m_position = [&in, size] {
            const auto at = static_cast<double>(in.tellg());
            return at < 0 ? 1.0 : at / size;
        };
        // Rough bytes per record of the canonical formats (the national
        // world's episodes.csv has 232, its rhi.jsonl 916): only an estimate
        // for the writer's choice of how to keep indexes, never a count.
        const std::int64_t bytes_per_record = m_request.kind == "rhi" ? 1000 : 250;
        m_writer = m_store.begin_import({m_request.kind, m_source, sha256_of_file(m_request.file),
                                         m_request.spec.string(),
                                         static_cast<std::int64_t>(size) / bytes_per_record});
        m_report.run_id = m_writer->run_id();
        // Read inside the import's transaction, which holds the write lock:
        // read before it, the gazetteer and the returns could be those from
        // before another process's import that commits while this one waits
        // for the lock, and two imports run at once would not equal the same
        // two run one after the other (tests/engine/crash_test.cpp).
        if (m_request.kind != "persons") {
            prepare_locations(); // for gazetteer entries: their transform and the extent
        }
        if (m_request.kind == "rhi") {
            m_returns = m_store.episode_returns();
        }
        if (is_json_lines_kind(m_request.kind)) {
            read_json_lines(in, progress);
        } else {
            read_csv(in, progress);
        }
        m_report.rows_read = m_rows_read;
        m_report.blank_lines = m_blank_lines;
        if (m_report.rows_read == 0) {
            throw InputError(m_source + ": no records " +
                             (is_json_lines_kind(m_request.kind)
                                  ? std::string("in the file")
                                  : std::string("after the header")));
        }
        m_report.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        m_writer->commit({.rows_read = m_report.rows_read,
                          .rows_imported = m_report.inserted,
                          .rows_updated = m_report.updated,
                          .rows_unchanged = m_report.unchanged,
                          .rows_quarantined = m_report.quarantined,
                          .unresolved_locations = m_report.unresolved_locations,
                          .report_json = m_report.to_json()});
        // The report printed includes the commit (for a large import, the
        // indexes built at the end and the journal written out); the stored
        // one, written inside the commit, cannot.
        m_report.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (progress) {
            progress(1.0);
        }
    }

private:
    // The header is read and checked here, on the calling thread, before any
    // row; the rows go through pipeline().
    void read_csv(std::istream& in, const ImportProgress& progress) {
        CsvOptions options;
        options.max_record_bytes = max_record_bytes;
        if (m_spec) {
            options.delimiter = m_spec->delimiter;
            options.encoding = parse_encoding(m_spec->encoding);
        }
        CsvReader reader(in, m_source, options);
        CsvRecord header;
        if (!reader.next(header)) {
            throw InputError(m_source + ": the file is empty");
        }
        if (!header.raw.empty() && (header.raw.front() == '{' || header.raw.front() == '[')) {
            throw InputError(m_source + ": line " + std::to_string(header.line) +
                             ": this is JSON, not a CSV file of " + m_request.kind +
                             ": is this the right kind of file?");
        }
        if (header.problem != ReadProblem::none) {
            const bool utf8 = header.problem == ReadProblem::encoding &&
                              (!m_spec || parse_encoding(m_spec->encoding) == Encoding::utf8);
            throw InputError(m_source + ": line " + std::to_string(header.line) +
                             ": the header cannot be read: " + header.error +
                             (utf8 ? " (if the file is Windows-1252, say so in an import spec: "
                                     "\"encoding\": \"windows-1252\")"
                                   : ""));
        }
        const std::span<const std::string_view> required =
            m_request.kind == "episodes"  ? required_episode_columns()
            : m_request.kind == "persons" ? required_person_columns()
                                          : required_gazetteer_columns();
        const ColumnMap columns(canonical_columns(m_request.kind), required, header,
                                m_spec ? &*m_spec : nullptr, m_source);
        m_report.unknown_columns = columns.unknown_columns();
        for (const std::string& column : m_report.unknown_columns) {
            warn(header.line, "unknown_column",
                 "column '" + column + "' is not in the format: kept as an attribute");
        }
        const m::Timestamp now = m::now_utc();
        if (m_request.kind == "episodes") {
            csv_rows<m::Episode>(reader, progress, [&](const CsvRecord& record) {
                return parse_episode(columns, record, *m_times, now);
            });
        } else if (m_request.kind == "persons") {
            csv_rows<m::Person>(reader, progress, [&](const CsvRecord& record) {
                return parse_person(columns, record, *m_times);
            });
        } else {
            csv_rows<m::GazetteerEntry>(reader, progress, [&](const CsvRecord& record) {
                return parse_gazetteer_entry(columns, record);
            });
        }
        // Blank lines (RFC 4180: no characters at all) are not records; the
        // header, the rows read and the blank lines are every record of the file.
        m_blank_lines = reader.blank_lines();
    }

    template <typename Record, typename Parse>
    void csv_rows(CsvReader& reader, const ImportProgress& progress, const Parse& parse) {
        pipeline<Record>(progress, [&](const auto& emit) {
            CsvRecord record;
            while (reader.next(record)) {
                if (record.problem == ReadProblem::too_long) {
                    throw InputError(m_source + ": line " + std::to_string(record.line) + ": " +
                                     record.error + "; is this the right file and delimiter?");
                }
                ++m_rows_read;
                ContentHash hash;
                for (const std::string_view field : record.fields) {
                    hash.add(field);
                }
                emit(prepare(parse(record), record.line, record.raw, hash.value()));
            }
        });
    }

    void read_json_lines(std::istream& in, const ImportProgress& progress) {
        LineReader reader(in, m_source, max_record_bytes, 1 << 20,
                          m_spec ? parse_encoding(m_spec->encoding) : Encoding::utf8);
        const m::Timestamp now = m::now_utc();
        const ImportSpec* spec = m_spec ? &*m_spec : nullptr;
        if (m_request.kind == "rhi") {
            json_rows<m::ReturnInterview>(reader, "rhi_id", progress, [&](std::string_view text) {
                return parse_rhi(text, *m_times, spec, now);
            });
        } else {
            json_rows<m::CpiReport>(reader, "cpi_id", progress, [&](std::string_view text) {
                return parse_cpi(text, *m_times, spec, now);
            });
        }
    }

    template <typename Record, typename Parse>
    void json_rows(LineReader& reader, std::string_view id_field, const ImportProgress& progress,
                   const Parse& parse) {
        pipeline<Record>(progress, [&](const auto& emit) {
            Line line;
            bool checked_kind = false;
            while (reader.next(line)) {
                if (line.problem == ReadProblem::too_long) {
                    throw InputError(m_source + ": line " + std::to_string(line.number) + ": " +
                                     line.error + "; is this the right file?");
                }
                if (line.problem == ReadProblem::none &&
                    line.text.find_first_not_of(" \t\r") == std::string_view::npos) {
                    ++m_blank_lines;
                    continue;
                }
                if (!checked_kind) {
                    check_json_kind(line, id_field);
                    checked_kind = true;
                }
                ++m_rows_read;
                if (line.problem != ReadProblem::none) {
                    Prepared<Record> row;
                    row.line = line.number;
                    row.raw = std::string(line.text);
                    row.problem = {"encoding_error", "", line.error};
                    emit(std::move(row));
                    continue;
                }
                ContentHash hash;
                hash.add(line.text);
                emit(prepare(parse(line.text), line.number, line.text, hash.value()));
            }
        });
    }

    // Runs `read` (reading, parsing and resolving rows, and handing each to
    // the `emit` it is given) on a thread of its own while this thread writes
    // the rows to the store in file order: the import uses both cores. An
    // exception on either side stops both and reaches the caller; the
    // writer, never committed, then rolls everything back.
    template <typename Record, typename Read>
    void pipeline(const ImportProgress& progress, const Read& read) {
        BatchQueue<Prepared<Record>> queue(batches_waiting);
        std::thread reading([&] {
            try {
                std::vector<Prepared<Record>> batch;
                batch.reserve(rows_per_batch);
                const auto send = [&] {
                    m_fraction_read.store(m_position(), std::memory_order_relaxed);
                    if (!queue.push(std::move(batch))) {
                        throw ReadingCancelled{};
                    }
                    batch = {};
                    batch.reserve(rows_per_batch);
                };
                read([&](Prepared<Record>&& row) {
                    batch.push_back(std::move(row));
                    if (batch.size() == rows_per_batch) {
                        send();
                    }
                });
                if (!batch.empty()) {
                    send();
                }
                queue.finish();
            } catch (const ReadingCancelled&) {
                queue.finish();
            } catch (...) {
                queue.finish(std::current_exception());
            }
        });
        try {
            std::vector<Prepared<Record>> batch;
            while (queue.pop(batch)) {
                for (Prepared<Record>& row : batch) {
                    write(row);
                }
                if (progress) {
                    progress(m_fraction_read.load(std::memory_order_relaxed));
                }
            }
        } catch (...) {
            queue.cancel();
            reading.join();
            throw;
        }
        reading.join();
    }

    // The first record of a JSON Lines file must look like the kind asked for:
    // a line that is no JSON object at all means a file of another kind (a CSV
    // file, a JSON array), and stops the import. A line that starts as an
    // object but does not parse is a damaged record: quarantined like any
    // other, as is a line whose bytes are not valid in the encoding.
    void check_json_kind(const Line& line, std::string_view id_field) {
        const std::string what = m_request.kind == "rhi" ? "a Return Home Interview" : "a CPI";
        const auto fail = [&](const std::string& problem) {
            throw InputError(m_source + ": line " + std::to_string(line.number) + ": " + problem +
                             ": is this " + what + " file?");
        };
        const std::string_view text =
            line.text.substr(std::min(line.text.size(), line.text.find_first_not_of(" \t\r")));
        if (!text.starts_with('{')) {
            if (text.find(',') != std::string_view::npos &&
                text.find('{') == std::string_view::npos) {
                fail("this looks like CSV, not JSON Lines (one JSON object per line)");
            }
            fail("this is not a JSON object (JSON Lines hold one JSON object per line)");
        }
        if (line.problem != ReadProblem::none) {
            return;
        }
        const auto object = nlohmann::json::parse(line.text, nullptr, false);
        if (object.is_discarded() || !object.is_object()) {
            return;
        }
        const std::string key(source_name(m_spec ? &*m_spec : nullptr, id_field));
        if (!object.contains(key)) {
            fail("no \"" + key + "\" in the first record");
        }
    }

    void quarantine(std::int64_t line, std::string_view raw, const Issue& issue) {
        ++m_report.quarantined;
        ++m_report.quarantined_by_reason[issue.code];
        m_writer->quarantine(line, issue.code + ": " + issue.message, raw);
        example(line, issue);
    }

    void warn(std::int64_t line, const std::string& code, const std::string& message) {
        ++m_report.warnings_by_reason[code];
        m_writer->warning(line, code, message);
        example(line, {code, "", message});
    }

    void example(std::int64_t line, const Issue& issue) {
        if (m_report.examples.size() < max_examples) {
            m_report.examples.push_back({line, issue.code, issue.message});
        }
    }

    // On the reading thread: everything about a row that needs no store.
    template <typename Record>
    Prepared<Record> prepare(importers::Parsed<Record> parsed, std::int64_t line,
                             std::string_view raw, std::uint64_t hash) {
        Prepared<Record> row;
        row.line = line;
        row.raw = std::string(raw);
        if (!parsed.record) {
            row.problem = parsed.errors.empty()
                              ? Issue{"malformed_row", "", "the record cannot be used"}
                              : parsed.errors.front();
            return row;
        }
        Record& record = *parsed.record;
        row.warnings = std::move(parsed.warnings);
        if constexpr (std::is_same_v<Record, m::GazetteerEntry>) {
            if (!place_point(record, row)) {
                row.problem = {"invalid_coordinates", "x",
                               "x " + std::to_string(record.x) + ", y " + std::to_string(record.y) +
                                   " in EPSG:" + std::to_string(record.crs) +
                                   " cannot be placed in the working CRS"};
                row.warnings.clear();
                return row;
            }
        }
        m_resolution = ContentHash{};
        check(record, row);
        // What resolution made of the record's locations is part of its
        // content: a re-import after the gazetteer changed updates the records
        // whose locations now resolve differently.
        m_resolution.add(hash);
        row.hash = m_resolution.value();
        row.record = std::move(record);
        return row;
    }

    // On the writing thread: counts the row and writes it.
    template <typename Record>
    void write(Prepared<Record>& row) {
        if (!row.record) {
            quarantine(row.line, row.raw, row.problem);
            return;
        }
        Record& record = *row.record;
        const std::string& id = id_of(record);
        if (m_writer->added_earlier(m_request.kind, id)) {
            quarantine(row.line, row.raw,
                       {"duplicate_id", "", "id " + id + " appears earlier in this file"});
            return;
        }
        if constexpr (std::is_same_v<Record, m::ReturnInterview> ||
                      std::is_same_v<Record, m::CpiReport>) {
            report_unknown_members(record.extra, row.line);
        }
        for (const Issue& warning : row.warnings) {
            warn(row.line, warning.code, warning.message);
        }
        m_report.locations += row.locations;
        for (const std::string_view given : row.unresolved_given) {
            ++m_report.unresolved_locations;
            ++m_report.unresolved_by_given[std::string(given)];
        }
        store::AddResult result;
        if constexpr (std::is_same_v<Record, m::GazetteerEntry>) {
            result = m_writer->add(record, row.place_point, row.hash);
        } else {
            result = m_writer->add(record, row.hash);
        }
        switch (result) {
        case store::AddResult::inserted:
            ++m_report.inserted;
            break;
        case store::AddResult::updated:
            ++m_report.updated;
            for (const std::string& field : m_writer->last_changes()) {
                ++m_report.changed_fields[field];
            }
            break;
        case store::AddResult::unchanged:
            ++m_report.unchanged;
            break;
        case store::AddResult::refused: // the importer always gives a hash
            quarantine(row.line, row.raw, {"duplicate_id", "", "id " + id + " is already stored"});
            break;
        }
    }

    // A JSON Lines file has no header: an unknown member is reported (and
    // listed with the unknown columns) on the line where it first appears.
    void report_unknown_members(const m::Attributes& extra, std::int64_t line) {
        for (const auto& [name, value] : extra) {
            const auto& known = m_report.unknown_columns;
            if (std::find(known.begin(), known.end(), name) == known.end()) {
                m_report.unknown_columns.push_back(name);
                warn(line, "unknown_column",
                     "member '" + name + "' is not in the format: kept as an attribute");
            }
        }
    }

    static const std::string& id_of(const m::Episode& r) { return r.episode_id; }
    static const std::string& id_of(const m::Person& r) { return r.person_id; }
    static const std::string& id_of(const m::ReturnInterview& r) { return r.rhi_id; }
    static const std::string& id_of(const m::CpiReport& r) { return r.cpi_id; }
    static std::string id_of(const m::GazetteerEntry& r) {
        return std::string(m::to_code(r.key_type)) + ":" + r.key;
    }

    template <typename Record>
    void resolve(m::Location& location, Prepared<Record>& row, std::string_view field) {
        ++row.locations;
        const ResolveOutcome outcome = m_resolver->resolve(location);
        for (const ResolveWarning& warning : outcome.warnings) {
            if (warning.code == LocationWarning::unresolved) {
                continue; // counted below, by how the location was given
            }
            row.warnings.push_back({std::string(to_string(warning.code)), std::string(field),
                                    std::string(field) + ": " + warning.message});
        }
        const m::ResolvedPoint& resolved = *location.resolved;
        m_resolution.add(m::to_code(resolved.how));
        m_resolution.add(resolved.place_key);
        m_resolution.add(resolved.point.x);
        m_resolution.add(resolved.point.y);
        if (!outcome.resolved) {
            row.unresolved_given.push_back(given_as(location));
        }
    }

    template <typename Row>
    void check(m::Episode& e, Row& row) {
        resolve(e.from, row, "from");
        if (e.found) {
            resolve(*e.found, row, "found");
        }
    }
    template <typename Row>
    void check(m::ReturnInterview& r, Row& row) {
        for (m::RhiPlace& place : r.places) {
            resolve(place.location, row, "places");
        }
        for (m::Location& location : r.locations_of_concern) {
            resolve(location, row, "locations_of_concern");
        }
        if (r.episode_id.empty()) {
            return;
        }
        const auto episode = m_returns.find(r.episode_id);
        if (episode == m_returns.end()) {
            row.warnings.push_back(
                {"unknown_episode", "episode_id",
                 "episode " + r.episode_id + " is not in the store (import episodes first)"});
        } else if (episode->second && r.conducted_at && *r.conducted_at < *episode->second) {
            row.warnings.push_back({"conducted_before_return", "conducted_at",
                                    "conducted_at " + m::format_timestamp(*r.conducted_at) +
                                        " is before the episode's return " +
                                        m::format_timestamp(*episode->second)});
        }
    }
    template <typename Row>
    void check(m::CpiReport& c, Row& row) {
        if (c.location) {
            resolve(*c.location, row, "location");
        }
        for (m::Location& place : c.places) {
            resolve(place, row, "places");
        }
    }
    template <typename Row>
    void check(m::Person&, Row&) {}
    template <typename Row>
    void check(m::GazetteerEntry&, Row&) {}

    // A gazetteer entry's point in the working CRS; false when it has none.
    bool place_point(const m::GazetteerEntry& entry, Prepared<m::GazetteerEntry>& row) {
        m::Location location;
        location.x = entry.x;
        location.y = entry.y;
        location.crs = entry.crs;
        const ResolveOutcome outcome = m_resolver->resolve(location);
        if (!outcome.resolved || !location.resolved) {
            return false;
        }
        for (const ResolveWarning& warning : outcome.warnings) {
            row.warnings.push_back({std::string(to_string(warning.code)), "", warning.message});
        }
        row.place_point = location.resolved->point;
        return true;
    }

    store::Store& m_store;
    const AreaSettings& m_area;
    const ImportRequest& m_request;
    ImportReport& m_report;
    std::string m_source;
    std::optional<ImportSpec> m_spec;
    std::unique_ptr<DateTimeParser> m_times;
    GazetteerIndex m_gazetteer;
    std::unique_ptr<LocationResolver> m_resolver;
    std::unordered_map<std::string, std::optional<m::Timestamp>> m_returns;
    std::unique_ptr<store::ImportWriter> m_writer;

    // The reading thread's own: what it counted, and where it is in the file
    // (published for the progress bar).
    std::int64_t m_rows_read = 0;
    std::int64_t m_blank_lines = 0;
    std::function<double()> m_position;
    std::atomic<double> m_fraction_read{0.0};
    ContentHash m_resolution; ///< the current row's resolved locations
};

} // namespace

ImportReport import_file(store::Store& store, const AreaSettings& area,
                         const ImportRequest& request, const ImportProgress& progress) {
    if (std::find(import_kinds.begin(), import_kinds.end(), request.kind) == import_kinds.end()) {
        throw UsageError("unknown kind '" + request.kind +
                         "' (expected one of: episodes, rhi, cpi, persons, gazetteer)");
    }
    ImportReport report;
    report.kind = request.kind;
    report.file = request.file.string();
    report.spec = request.spec.string();
    Importer importer(store, area, request, report);
    importer.run(progress);
    return report;
}

std::string ImportReport::to_json() const {
    nlohmann::json examples_json = nlohmann::json::array();
    for (const ImportExample& e : examples) {
        examples_json.push_back({{"line", e.line}, {"code", e.code}, {"message", e.message}});
    }
    const nlohmann::json document = {
        {"kind", kind},
        {"file", file},
        {"spec", spec.empty() ? nlohmann::json(nullptr) : nlohmann::json(spec)},
        {"import_run", run_id},
        {"rows_read", rows_read},
        {"inserted", inserted},
        {"updated", updated},
        {"unchanged", unchanged},
        {"quarantined", quarantined},
        {"blank_lines", blank_lines},
        {"quarantined_by_reason", quarantined_by_reason},
        {"warnings_by_reason", warnings_by_reason},
        {"locations", locations},
        {"unresolved_locations", unresolved_locations},
        {"unresolved_by_given", unresolved_by_given},
        {"changed_fields", changed_fields},
        {"unknown_columns", unknown_columns},
        {"examples", examples_json},
        {"seconds", seconds},
        {"rows_per_second", rows_per_second()},
    };
    return document.dump(2);
}

void ImportReport::write_text(std::ostream& out) const {
    out << "Imported " << kind << " from " << file << (spec.empty() ? "" : " with spec " + spec)
        << " (import run " << run_id << ")\n";
    out << "  rows read      " << rows_read << '\n'
        << "  new            " << inserted << '\n'
        << "  updated        " << updated << '\n'
        << "  unchanged      " << unchanged << '\n'
        << "  quarantined    " << quarantined << '\n';
    for (const auto& [reason, count] : quarantined_by_reason) {
        out << "    " << reason << ": " << count << '\n';
    }
    if (blank_lines > 0) {
        out << "  blank lines    " << blank_lines << " (skipped; not rows)\n";
    }
    if (!warnings_by_reason.empty()) {
        out << "  warnings\n";
        for (const auto& [reason, count] : warnings_by_reason) {
            out << "    " << reason << ": " << count << '\n';
        }
    }
    if (locations > 0) {
        out << "  locations      " << locations << " (" << unresolved_locations << " unresolved)\n";
        for (const auto& [given, count] : unresolved_by_given) {
            out << "    unresolved, given by " << given << ": " << count << '\n';
        }
    }
    if (!unknown_columns.empty()) {
        out << "  unknown columns kept as attributes:";
        for (const std::string& column : unknown_columns) {
            out << ' ' << column;
        }
        out << '\n';
    }
    if (!changed_fields.empty()) {
        out << "  changed fields";
        for (const auto& [field, count] : changed_fields) {
            out << ' ' << field << " (" << count << ')';
        }
        out << '\n';
    }
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.2f s, %.0f rows/s", seconds, rows_per_second());
    out << "  time           " << rate << '\n';
    if (!examples.empty()) {
        out << "First problems (every one is in the store: quarantine and import_warnings "
               "tables):\n";
        for (const ImportExample& e : examples) {
            out << "  line " << e.line << ": " << e.code << ": " << e.message << '\n';
        }
    }
}

} // namespace waymark
