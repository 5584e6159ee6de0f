// The --dirty set (synthetic-world issue, point 8): small copies of the
// world's canonical files with planted defects, each listed with its file and
// the 1-based PHYSICAL line where the defective record starts (the header is
// line 1; newlines inside quoted CSV fields count; a CRLF ends one line).
//
// Files (relative to the output folder; write_dirty_files() is given
// <out>/dirty and writes the files straight into it):
//   dirty/episodes.csv               ~300 episodes (the world's first whose return is
//                                    not before their report)
//   dirty/episodes_extra_column.csv  5 further episodes with an extra column
//   dirty/rhi.jsonl                  the RHIs of the clean episode rows
//   dirty/cpi.jsonl                  60 CPI forms (the world's first)
//   dirty/persons.csv                the people those records mention
//   dirty/gazetteer.csv              the places those records use
//
// Defect codes: a contract for the importers' tests. Every code is planted at
// least twice per file it is listed for (legal_bom and unknown_column, which
// describe line 1, once), spread through the file. `record` is
// the record's id as written (empty only for legal_bom, legal_blank_line and
// unknown_column, whose line holds no record).
//
// dirty/episodes.csv
//   bad_date              reported_at "yesterday evening", "YYYY-02-30T21:15",
//                         "31/02/YYYY 21:15"
//   return_before_report  returned_at 6 hours / 2 days before reported_at
//   unknown_code          setting "fostr_care"; risk_grade "severe"; sex "Q"
//   bad_boolean           looked_after "yes"; looked_after "maybe"
//   malformed_row         12 fields; 43 fields; a from_label that opens a quote
//                         never closed (the last defect of the file: the few
//                         clean rows after it, to the end of the file, hold no
//                         quote, so they are swallowed into the field)
//   missing_required      empty child_id; empty setting; no from_* at all
//   swapped_lat_lon       from_lat ~1.9 and from_lon ~52.4 (exchanged)
//   off_grid              from_x 2000000 (BNG); WGS 84 degrees written as
//                         from_x/from_y in EPSG 27700
//   duplicate_id          an earlier row's episode_id on another episode
//   unresolvable_postcode from_postcode "ZZ0 0ZZ" (well formed, not in the
//                         gazetteer); from_postcode "1ZZ ZZ9" (malformed); no
//                         other from_* field given
//   over_long_field       from_label of 10,000 characters; police_ref of 5,000
//   encoding_error        from_label with the bytes 0xFF 0xFE; from_label with
//                         a Windows-1252 0xE9 ("Caf\xE9")
//   negative_age          age -1; age -3 (date_of_birth empty)
//   age_out_of_range      age 42; age 99 (date_of_birth empty)
//   legal_bom             line 1 starts with a UTF-8 BOM (not a defect)
//   legal_crlf            a row ending CRLF (not a defect; 3 of them)
//   legal_quoted_newline  from_label holding a newline and a comma, quoted;
//                         the row spans two lines (not a defect)
//   legal_quoted_comma    from_label holding a comma and doubled quotes (not a
//                         defect)
// dirty/episodes_extra_column.csv
//   unknown_column        line 1: an extra `beat` column after police_ref, to
//                         be kept as an attribute and reported (legal)
// dirty/rhi.jsonl
//   malformed_json        a truncated object; a trailing comma before the `}`
//   unknown_code          outcome "done"; push_factors "boredom";
//                         places[0].role "stayed"
//   bad_date              conducted_at "YYYY-02-30T16:30"; referred_at
//                         "next Tuesday"
//   unknown_episode       episode_id that no episode of the world has
//   conducted_before_return  conducted_at 3 hours before the episode's
//                         returned_at
//   duplicate_id          an earlier line's rhi_id on another interview
//   encoding_error        places[0].location.label with 0xFF 0xFE;
//                         with[0].name with a Windows-1252 0xE9
//   over_long_field       places[0].location.label of 10,000 characters;
//                         with[0].name of 5,000
//   wrong_type            consent_to_share "yes" (a string); places an object
//   legal_blank_line      an empty line (not a defect)
// dirty/cpi.jsonl
//   malformed_json        a truncated object; a trailing comma before the `}`
//   unknown_code          grading.source "4"; grading.intelligence "F";
//                         grading.handling "X"; subjects[0].role "boss"
//   bad_date              received_at "YYYY-02-30T09:00"; information_date
//                         "YYYY-13-40"
//   duplicate_id          an earlier line's cpi_id on another form
//   swapped_lat_lon       location lat ~1.9, lon ~52.4 (exchanged)
//   off_grid              location x 2000000; degrees as x/y in EPSG 27700
//   over_long_field       location.label of 10,000 characters;
//                         subjects[0].name of 5,000
//   encoding_error        information with 0xFF 0xFE; subjects[0].name with a
//                         Windows-1252 0xE9
// dirty/persons.csv (defective rows are extra people nothing else refers to,
// except duplicate_id, whose id is a clean row's)
//   unknown_code          kind "teen"; sex "Q"
//   bad_date              date_of_birth "2010-13-40"; "31/12/2009"
//   duplicate_id          an earlier row's person_id on another person
//   malformed_row         3 fields; 9 fields
//   encoding_error        name with 0xFF 0xFE; name with a Windows-1252 0xE9
// dirty/gazetteer.csv (defective rows are extra places nothing refers to,
// except duplicate_id, whose key is a clean row's)
//   unknown_code          key_type "street"; key_type "building"
//   off_grid              x 2000000 (EPSG 27700); BNG metres with crs 4326
//   bad_number            x "abc"; y with a letter O for a zero
//   duplicate_id          an earlier row's key with coordinates 5 km away
//   swapped_lat_lon       crs 4326 with x = latitude, y = longitude
//   malformed_row         4 fields; 10 fields
//
// Records that carry no defect are the world's own records, written by the
// canonical writers; RHIs are written only for episode rows that import
// cleanly, so that a defective episode row leaves no orphan RHI behind. The
// gazetteer holds every place the dirty records refer to (by place_id,
// postcode or, for label-only locations, the first place with the label), so
// clean rows resolve.

#include "data/synth/dirty.hpp"

#include "base/error.hpp"
#include "data/canonical/writers.hpp"
#include "data/synth/random.hpp"
#include "data/synth/records.hpp"
#include "data/synth/writer.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>
#include <utility>

namespace waymark::synth {
namespace {

namespace fs = std::filesystem;
namespace m = waymark::model;
using namespace std::chrono_literals;

constexpr std::uint64_t dirty_stream = 6ULL << 40;

constexpr std::size_t episode_rows = 300;
constexpr std::size_t swallowed_rows = 3;
constexpr std::size_t extra_column_rows = 5;
constexpr std::size_t cpi_rows = 60;

constexpr std::string_view episodes_name = "dirty/episodes.csv";
constexpr std::string_view extra_column_name = "dirty/episodes_extra_column.csv";
constexpr std::string_view rhi_name = "dirty/rhi.jsonl";
constexpr std::string_view cpi_name = "dirty/cpi.jsonl";
constexpr std::string_view persons_name = "dirty/persons.csv";
constexpr std::string_view gazetteer_name = "dirty/gazetteer.csv";

constexpr std::string_view bom = "\xEF\xBB\xBF";
constexpr std::string_view marker = "@@DIRTY@@"; ///< replaced by invalid UTF-8 after writing
constexpr std::string_view bad_bytes = "\xFF\xFE";

// ---- files in memory ---------------------------------------------------------

/// A file being built in memory, counting its physical lines as it grows.
class TextFile {
public:
    explicit TextFile(std::string_view name) : m_name(name) {}

    const std::string& name() const { return m_name; }
    /// The physical line on which the next appended text starts.
    std::int64_t next_line() const { return m_newlines + 1; }
    void append(std::string_view text) {
        m_text += text;
        m_newlines += std::count(text.begin(), text.end(), '\n');
    }
    const std::string& text() const { return m_text; }

private:
    std::string m_name;
    std::string m_text;
    std::int64_t m_newlines = 0;
};

void save(const TextFile& file, const fs::path& folder) {
    // The names are "dirty/<file>"; the folder is the dirty folder itself.
    const fs::path path = folder / fs::path(file.name()).filename();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw IoError("cannot write " + path.string() + ": " + std::strerror(errno));
    }
    out.write(file.text().data(), static_cast<std::streamsize>(file.text().size()));
    out.close();
    if (!out) {
        throw IoError("writing " + path.string() + " failed: " + std::strerror(errno));
    }
}

// ---- plants --------------------------------------------------------------------

struct Plant {
    std::string_view code;
    int variant = 0;
};

/// Which plant goes on which row of [0, rows): the plants in a random order,
/// one in each of as many equal slots of [first, rows), at a random row of
/// its slot. nullptr for the rows that stay clean.
std::vector<const Plant*> schedule(Rng& rng, const std::vector<Plant>& plants, std::size_t first,
                                   std::size_t rows) {
    std::vector<const Plant*> order;
    for (const Plant& plant : plants) {
        order.push_back(&plant);
    }
    rng.shuffle(order);
    std::vector<const Plant*> by_row(rows, nullptr);
    const std::size_t span = rows - first;
    const std::size_t count = order.size();
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t begin = first + span * k / count;
        const std::size_t end = first + span * (k + 1) / count;
        by_row[begin + rng.index(end - begin)] = order[k];
    }
    return by_row;
}

void require_rows(std::string_view what, std::size_t have, std::size_t need) {
    if (have < need) {
        throw Error("the dirty set needs at least " + std::to_string(need) + " " +
                    std::string(what) + "; the world has " + std::to_string(have));
    }
}

std::string long_text(std::string_view pattern, std::size_t length) {
    std::string text;
    text.reserve(length + pattern.size());
    while (text.size() < length) {
        text += pattern;
    }
    text.resize(length);
    return text;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

std::string decimal(double value, int decimals) {
    std::string out;
    canonical::append_decimal(out, value, decimals);
    return out;
}

// ---- CSV -------------------------------------------------------------------------

/// The fields of one CSV record as the canonical writers write it (RFC 4180,
/// ending at the first newline outside quotes).
std::vector<std::string> split_csv(std::string_view line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c != '"') {
                fields.back() += c;
            } else if (i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c == '\n' || c == '\r') {
            break;
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

std::string join_csv(const std::vector<std::string>& fields, std::string_view ending = "\n") {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != 0) {
            line += ',';
        }
        canonical::append_csv_field(line, fields[i]);
    }
    line += ending;
    return line;
}

/// Column positions by name.
class Columns {
public:
    explicit Columns(std::vector<std::string> names) : m_names(std::move(names)) {}
    std::size_t operator[](std::string_view name) const {
        const auto it = std::find(m_names.begin(), m_names.end(), name);
        if (it == m_names.end()) {
            throw Error("dirty: the canonical header has no column " + std::string(name));
        }
        return static_cast<std::size_t>(it - m_names.begin());
    }
    const std::vector<std::string>& names() const { return m_names; }

private:
    std::vector<std::string> m_names;
};

/// Formats records one at a time with a canonical writer.
template <class Writer>
class Formatter {
public:
    template <class... Args>
    explicit Formatter(Args... args) : m_writer(m_stream, args...) {}

    std::string header() {
        m_writer.header();
        return take();
    }
    template <class Record>
    std::string line(const Record& record) {
        m_writer.write(record);
        return take();
    }

private:
    std::string take() {
        std::string text = m_stream.str();
        m_stream.str({});
        return text;
    }

    std::ostringstream m_stream;
    Writer m_writer;
};

// ---- JSON ------------------------------------------------------------------------

/// The end of the JSON value starting at text[at].
std::size_t json_value_end(std::string_view text, std::size_t at) {
    if (at >= text.size()) {
        throw Error("dirty: no JSON value at the end of a line");
    }
    const char first = text[at];
    if (first == '"') {
        for (std::size_t i = at + 1; i < text.size(); ++i) {
            if (text[i] == '\\') {
                ++i;
            } else if (text[i] == '"') {
                return i + 1;
            }
        }
    } else if (first == '{' || first == '[') {
        int depth = 0;
        bool in_string = false;
        for (std::size_t i = at; i < text.size(); ++i) {
            const char c = text[i];
            if (in_string) {
                if (c == '\\') {
                    ++i;
                } else if (c == '"') {
                    in_string = false;
                }
            } else if (c == '"') {
                in_string = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
    } else {
        std::size_t i = at;
        while (i < text.size() && text[i] != ',' && text[i] != '}' && text[i] != ']' &&
               text[i] != '\n') {
            ++i;
        }
        return i;
    }
    throw Error("dirty: an unterminated JSON value");
}

/// [begin, end) of the value of the first member `key` at or after `from`.
std::pair<std::size_t, std::size_t> json_member(std::string_view text, std::string_view key,
                                                std::size_t from = 0) {
    const std::string token = "\"" + std::string(key) + "\":";
    const auto at = text.find(token, from);
    if (at == std::string_view::npos) {
        throw Error("dirty: no JSON member " + std::string(key));
    }
    const auto begin = at + token.size();
    return {begin, json_value_end(text, begin)};
}

/// Replaces the value of the first member `key` (at or after `from`); returns
/// the value it had.
std::string replace_member(std::string& text, std::string_view key, std::string_view value,
                           std::size_t from = 0) {
    const auto [begin, end] = json_member(text, key, from);
    std::string old = text.substr(begin, end - begin);
    text.replace(begin, end - begin, value);
    return old;
}

/// The line cut about half way (after the id member, never inside a UTF-8
/// sequence), with its newline.
std::string cut_short(std::string_view line, std::string_view id_key) {
    std::size_t cut = std::max(json_member(line, id_key).second + 1, line.size() / 2);
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0U) == 0x80U) {
        --cut;
    }
    return std::string(line.substr(0, cut)) + "\n";
}

std::string json_text(std::string_view text) {
    std::string out;
    canonical::append_json_string(out, text);
    return out;
}

// ---- the dirty set -----------------------------------------------------------------

class DirtyWriter {
public:
    explicit DirtyWriter(const World& world) : m_world(world), m_time(world.zone) {
        // Public places, where CPI locations with planted coordinates are put.
        for (const int p : world.index.town_centre) {
            m_public_places.push_back(p);
        }
        for (const int p : world.index.parks) {
            m_public_places.push_back(p);
        }
        if (m_public_places.empty()) {
            m_public_places.push_back(0);
        }
        m_unknown_postcode = unused_key({"ZZ0 0ZZ", "ZZ0 9ZY", "ZZ00 0ZZ"});
        m_unknown_episodes[0] = unused_episode_id({"E-9999999", "E-9999998", "E-9999997"});
        m_unknown_episodes[1] = unused_episode_id({"E-0000000", "E-8888888", "E-8888887"});
    }

    std::vector<DirtyDefect> write(const fs::path& folder) {
        TextFile episodes(episodes_name);
        TextFile extra(extra_column_name);
        TextFile rhis(rhi_name);
        TextFile cpis(cpi_name);
        TextFile persons(persons_name);
        TextFile gazetteer(gazetteer_name);

        write_episodes(episodes, extra);
        write_rhis(rhis);
        write_cpis(cpis);
        write_persons(persons);
        write_gazetteer(gazetteer);

        std::error_code error;
        fs::create_directories(folder, error);
        if (error) {
            throw IoError("cannot create " + folder.string() + ": " + error.message());
        }
        for (const TextFile* file : {&episodes, &extra, &rhis, &cpis, &persons, &gazetteer}) {
            save(*file, folder);
        }
        std::stable_sort(m_defects.begin(), m_defects.end(),
                         [](const DirtyDefect& a, const DirtyDefect& b) {
                             return std::tie(a.file, a.line) < std::tie(b.file, b.line);
                         });
        return std::move(m_defects);
    }

private:
    // ---- shared ----------------------------------------------------------------

    void add(const TextFile& file, std::int64_t line, std::string record, std::string_view code,
             std::string detail) {
        m_defects.push_back(
            {file.name(), line, std::move(record), std::string(code), std::move(detail)});
    }

    std::string unused_key(std::initializer_list<std::string_view> candidates) const {
        for (const std::string_view candidate : candidates) {
            const bool used =
                std::any_of(m_world.places.begin(), m_world.places.end(), [&](const Place& p) {
                    return p.key == candidate || p.postcode == candidate;
                });
            if (!used) {
                return std::string(candidate);
            }
        }
        throw Error("dirty: no unused postcode for the unresolvable-postcode defect");
    }

    std::string unused_episode_id(std::initializer_list<std::string_view> candidates) const {
        for (const std::string_view candidate : candidates) {
            const bool used = std::any_of(m_world.episodes.begin(), m_world.episodes.end(),
                                          [&](const EpisodeSpec& e) { return e.id == candidate; });
            if (!used) {
                return std::string(candidate);
            }
        }
        throw Error("dirty: no unused episode id for the unknown-episode defect");
    }

    std::string year_of(m::Timestamp time) { return m_time.format(time).substr(0, 4); }

    /// Breaks a JSON line: cut short after `id_key` (variant 0), or a trailing
    /// comma before the closing brace (variant 1).
    static void malform_json(std::string& line, std::string_view id_key, int variant,
                             std::string& detail) {
        if (variant == 0) {
            line = cut_short(line, id_key);
            detail = "the object is cut short";
        } else {
            line.insert(line.size() - 2, ",");
            detail = "a trailing comma before the closing brace";
        }
    }

    /// A place's WGS 84 position as location_of writes it.
    m::Location lat_lon_of(int place, std::uint64_t salt) const {
        return location_of(m_world, place, LocationStyle::lat_lon, 25.0, salt);
    }

    /// A location with latitude and longitude exchanged; the names of the two
    /// fields go into the detail.
    m::Location swapped_lat_lon(int at, std::uint64_t salt, std::string_view lat_name,
                                std::string_view lon_name, std::string& detail) const {
        m::Location location = lat_lon_of(at, salt);
        std::swap(location.lat, location.lon);
        detail = std::string(lat_name) + " " + decimal(*location.lat, 6) + " and " +
                 std::string(lon_name) + " " + decimal(*location.lon, 6) + " are exchanged";
        return location;
    }

    /// A location off the area's grid: far east of it (variant 0), or WGS 84
    /// degrees written as British National Grid metres (variant 1).
    m::Location off_grid(int at, int variant, std::uint64_t salt, std::string_view x_name,
                         std::string_view y_name, std::string& detail) const {
        m::Location location;
        location.label = place(at).label;
        if (variant == 0) {
            location.x = 2000000.0;
            location.y = place(at).y;
            detail = std::string(x_name) + " 2000000 is far outside the area (EPSG 27700)";
        } else {
            const m::Location degrees = lat_lon_of(at, salt);
            location.x = degrees.lon;
            location.y = degrees.lat;
            detail = "WGS 84 degrees written as " + std::string(x_name) + " " +
                     decimal(*location.x, 2) + ", " + std::string(y_name) + " " +
                     decimal(*location.y, 2) + " in EPSG 27700";
        }
        return location;
    }

    const Place& place(int index) const { return m_world.places[static_cast<std::size_t>(index)]; }

    /// Remembers what a written location refers to in the gazetteer.
    void refer(const m::Location& location) {
        if (!location.place_id.empty()) {
            m_keys.insert(location.place_id);
        }
        if (!location.postcode.empty()) {
            m_keys.insert(location.postcode);
        }
        if (!location.x && !location.y && !location.lat && !location.lon &&
            location.place_id.empty() && location.postcode.empty() && !location.label.empty()) {
            m_labels.insert(location.label);
        }
    }

    void refer(const m::PersonMention& person) {
        if (!person.person_id.empty()) {
            m_people.insert(person.person_id);
        }
    }

    // ---- episodes.csv ------------------------------------------------------------

    void write_episodes(TextFile& file, TextFile& extra) {
        static const std::vector<Plant> plants = {
            {"bad_date", 0},
            {"bad_date", 1},
            {"bad_date", 2},
            {"return_before_report", 0},
            {"return_before_report", 1},
            {"unknown_code", 0},
            {"unknown_code", 1},
            {"unknown_code", 2},
            {"bad_boolean", 0},
            {"bad_boolean", 1},
            {"malformed_row", 0},
            {"malformed_row", 1},
            {"missing_required", 0},
            {"missing_required", 1},
            {"missing_required", 2},
            {"swapped_lat_lon", 0},
            {"swapped_lat_lon", 1},
            {"off_grid", 0},
            {"off_grid", 1},
            {"duplicate_id", 0},
            {"duplicate_id", 1},
            {"unresolvable_postcode", 0},
            {"unresolvable_postcode", 1},
            {"over_long_field", 0},
            {"over_long_field", 1},
            {"encoding_error", 0},
            {"encoding_error", 1},
            {"negative_age", 0},
            {"negative_age", 1},
            {"age_out_of_range", 0},
            {"age_out_of_range", 1},
            {"legal_crlf", 0},
            {"legal_crlf", 1},
            {"legal_crlf", 2},
            {"legal_quoted_newline", 0},
            {"legal_quoted_newline", 1},
            {"legal_quoted_comma", 0},
            {"legal_quoted_comma", 1},
        };
        // The world records some returns before the report (a late report);
        // the importers warn of those, so they are left out here, where a
        // clean row must be clean.
        std::vector<std::size_t> usable;
        for (std::size_t i = 0; i < m_world.episodes.size() && usable.size() < 2 * episode_rows;
             ++i) {
            const EpisodeSpec& spec = m_world.episodes[i];
            if (!spec.returned || *spec.returned >= spec.reported) {
                usable.push_back(i);
            }
        }
        const std::size_t total = usable.size();
        require_rows("episodes", total, 2 * plants.size() + 2);
        const std::size_t rows = std::min(episode_rows, total - 1);
        Rng rng(m_world.params.seed, dirty_stream + 1);
        const auto by_row = schedule(rng, plants, 1, rows);

        Formatter<canonical::EpisodesCsvWriter> format(m_world.zone);
        const std::string header = format.header();
        const Columns columns(split_csv(header));

        add(file, 1, "", "legal_bom", "the file starts with a UTF-8 byte order mark");
        file.append(bom);
        file.append(header);

        std::vector<std::string> clean_ids;
        for (std::size_t r = 0; r < rows; ++r) {
            const EpisodeSpec& spec = m_world.episodes[usable[r]];
            if (by_row[r] == nullptr) {
                const m::Episode episode = to_episode(m_world, spec);
                note_episode(episode);
                file.append(format.line(episode));
                clean_ids.push_back(episode.episode_id);
                m_rhi_episodes.push_back(usable[r]);
                continue;
            }
            const Plant& plant = *by_row[r];
            DirtyDefect defect;
            const std::string row =
                dirty_episode(plant, spec, format, columns, clean_ids, rng, defect);
            add(file, file.next_line(), defect.record, plant.code, defect.detail);
            file.append(row);
            if (plant.code.starts_with("legal_")) {
                m_rhi_episodes.push_back(usable[r]);
            }
        }

        // The unterminated quote: last, so that it can swallow only clean rows.
        std::size_t next = rows;
        {
            const EpisodeSpec& spec = m_world.episodes[usable[next++]];
            const m::Episode episode = to_episode(m_world, spec);
            note_episode(episode);
            auto fields = split_csv(format.line(episode));
            const std::size_t label = columns["from_label"];
            std::string row;
            for (std::size_t i = 0; i < fields.size(); ++i) {
                if (i != 0) {
                    row += ',';
                }
                if (i == label) {
                    row += "\"Flat 3, The Annexe";
                    continue;
                }
                for (const char c : fields[i]) {
                    row += c == '"' || c == ',' || c == '\r' || c == '\n' ? ' ' : c;
                }
            }
            row += '\n';
            std::string after;
            std::size_t swallowed = 0;
            for (; next < total && swallowed < swallowed_rows && next < rows + 50; ++next) {
                const m::Episode clean = to_episode(m_world, m_world.episodes[usable[next]]);
                const std::string line = format.line(clean);
                if (line.find('"') == std::string::npos) {
                    note_episode(clean);
                    after += line;
                    ++swallowed;
                }
            }
            add(file, file.next_line(), episode.episode_id, "malformed_row",
                "from_label opens a quote that is never closed: the " + std::to_string(swallowed) +
                    " rows after it, to the end of the file, hold no quote and are swallowed "
                    "into the field");
            file.append(row);
            file.append(after);
        }

        // A separate file with an extra column, which is legal.
        auto names = columns.names();
        const std::size_t beat_at = columns["police_ref"] + 1;
        names.insert(names.begin() + static_cast<std::ptrdiff_t>(beat_at), "beat");
        add(extra, 1, "", "unknown_column",
            "an extra column 'beat' after police_ref: kept as an attribute and reported");
        extra.append(join_csv(names));
        for (std::size_t k = 0; k < extra_column_rows && next < total; ++k, ++next) {
            const m::Episode episode = to_episode(m_world, m_world.episodes[usable[next]]);
            note_episode(episode);
            auto fields = split_csv(format.line(episode));
            fields.insert(fields.begin() + static_cast<std::ptrdiff_t>(beat_at),
                          "B" + std::to_string(10 + rng.between(0, 89)));
            extra.append(join_csv(fields));
        }
    }

    void note_episode(const m::Episode& episode) {
        refer(episode.from);
        if (episode.found) {
            refer(*episode.found);
        }
        if (!episode.child_id.empty()) {
            m_people.insert(episode.child_id);
        }
        for (const auto& id : episode.missing_with) {
            m_people.insert(id);
        }
    }

    std::string dirty_episode(const Plant& plant, const EpisodeSpec& spec,
                              Formatter<canonical::EpisodesCsvWriter>& format, const Columns& col,
                              const std::vector<std::string>& clean_ids, Rng& rng,
                              DirtyDefect& defect) {
        const std::string_view code = plant.code;
        const int v = plant.variant;
        const std::uint64_t salt = stable_hash(spec.id);
        m::Episode e = to_episode(m_world, spec);
        const std::string year = year_of(e.reported_at);
        std::string& detail = defect.detail;
        // Planted coordinates are put in the town, not at a placement far away.
        const int in_town = place(spec.from).postcode.empty() ? m_public_places.front() : spec.from;

        // Changes the model can hold.
        if (code == "return_before_report") {
            e.returned_at =
                e.reported_at - (v == 0 ? std::chrono::seconds(6h) : std::chrono::seconds(48h));
            detail = "returned_at " + m_time.format(*e.returned_at) + " is before reported_at " +
                     m_time.format(e.reported_at);
        } else if (code == "swapped_lat_lon") {
            e.from = swapped_lat_lon(in_town, salt, "from_lat", "from_lon", detail);
        } else if (code == "off_grid") {
            e.from = off_grid(in_town, v, salt, "from_x", "from_y", detail);
            e.from.type = place(in_town).type;
        } else if (code == "duplicate_id") {
            e.episode_id = clean_ids[rng.index(clean_ids.size())];
            detail =
                "episode_id " + e.episode_id + " was used by an earlier row with other content";
        } else if (code == "unresolvable_postcode") {
            m::Location location;
            location.type = place(spec.from).type;
            location.postcode = v == 0 ? m_unknown_postcode : "1ZZ ZZ9";
            detail = v == 0 ? "from_postcode " + location.postcode + " is not in the gazetteer"
                            : "from_postcode " + location.postcode + " is not a postcode";
            e.from = location;
        } else if (code.starts_with("legal_quoted")) {
            // Located by place id or postcode, so the odd label does not matter.
            e.from = location_of(m_world, spec.from, LocationStyle::place_id, 0.0, salt);
            e.from.label = code == "legal_quoted_newline"
                               ? (v == 0 ? "Flat 2\nabove the shop, rear door"
                                         : "Bus shelter,\nopposite the school")
                               : (v == 0 ? "Riverside car park, \"north\" entrance"
                                         : "The \"Den\", behind the garages");
            detail = code == "legal_quoted_newline"
                         ? "from_label holds a newline and a comma, quoted: the row spans two "
                           "lines"
                         : "from_label holds a comma and doubled quotes, quoted";
        }
        defect.record = e.episode_id;
        note_episode(e);

        // Changes only the text can hold.
        auto fields = split_csv(format.line(e));
        std::string ending = "\n";
        const auto set = [&](std::string_view column, std::string value) {
            std::string& field = fields[col[column]];
            std::string old = std::move(field);
            field = std::move(value);
            return old;
        };
        if (code == "bad_date") {
            const auto& reported = fields[col["reported_at"]];
            const std::string clock = reported.size() >= 16 ? reported.substr(11, 5) : "21:15";
            const std::string value = v == 0   ? "yesterday evening"
                                      : v == 1 ? year + "-02-30T" + clock
                                               : "31/02/" + year + " " + clock;
            set("reported_at", value);
            detail = "reported_at '" + value + "' is not a valid date-time";
        } else if (code == "unknown_code") {
            const char* column = v == 0 ? "setting" : v == 1 ? "risk_grade" : "sex";
            const char* value = v == 0 ? "fostr_care" : v == 1 ? "severe" : "Q";
            set(column, value);
            detail = std::string(column) + " '" + value + "' is not a code";
        } else if (code == "bad_boolean") {
            const char* value = v == 0 ? "yes" : "maybe";
            set("looked_after", value);
            detail = std::string("looked_after '") + value + "' is not a boolean";
        } else if (code == "malformed_row") {
            if (v == 0) {
                fields.resize(12);
                detail = "12 fields where the header has " + std::to_string(col.names().size());
            } else {
                fields.insert(fields.end(), {"extra", "", "Z"});
                detail = std::to_string(fields.size()) + " fields where the header has " +
                         std::to_string(col.names().size());
            }
        } else if (code == "missing_required") {
            if (v == 0) {
                set("child_id", "");
                detail = "child_id is empty";
            } else if (v == 1) {
                set("setting", "");
                detail = "setting is empty";
            } else {
                for (std::size_t i = col["from_x"]; i <= col["from_type"]; ++i) {
                    fields[i].clear();
                }
                detail = "no from_* location field is given";
            }
        } else if (code == "over_long_field") {
            if (v == 0) {
                set("from_label",
                    long_text("Flat above the shop on the corner of High Street ", 10000));
                detail = "from_label is 10000 characters long";
            } else {
                set("police_ref", "PPN-" + long_text("0123456789", 4996));
                detail = "police_ref is 5000 characters long";
            }
        } else if (code == "encoding_error") {
            if (v == 0) {
                set("from_label", "Flat 2 " + std::string(bad_bytes) + " Riverside");
                detail = "from_label holds the invalid UTF-8 bytes 0xFF 0xFE";
            } else {
                set("from_label", "Caf\xE9 on the corner");
                detail = "from_label holds the Windows-1252 byte 0xE9 (invalid UTF-8)";
            }
        } else if (code == "negative_age" || code == "age_out_of_range") {
            const char* age =
                code == "negative_age" ? (v == 0 ? "-1" : "-3") : (v == 0 ? "42" : "99");
            set("date_of_birth", "");
            set("age", age);
            detail = std::string("age ") + age + " is outside 0-25";
        } else if (code == "legal_crlf") {
            ending = "\r\n";
            detail = "the row ends with CRLF";
        }
        return join_csv(fields, ending);
    }

    // ---- rhi.jsonl ---------------------------------------------------------------

    void write_rhis(TextFile& file) {
        static const std::vector<Plant> plants = {
            {"malformed_json", 0},
            {"malformed_json", 1},
            {"unknown_code", 0},
            {"unknown_code", 1},
            {"unknown_code", 2},
            {"bad_date", 0},
            {"bad_date", 1},
            {"unknown_episode", 0},
            {"unknown_episode", 1},
            {"conducted_before_return", 0},
            {"conducted_before_return", 1},
            {"duplicate_id", 0},
            {"duplicate_id", 1},
            {"encoding_error", 0},
            {"encoding_error", 1},
            {"over_long_field", 0},
            {"over_long_field", 1},
            {"wrong_type", 0},
            {"wrong_type", 1},
            {"legal_blank_line", 0},
            {"legal_blank_line", 1},
        };
        std::vector<std::pair<std::size_t, m::ReturnInterview>> rhis;
        for (const std::size_t e : m_rhi_episodes) {
            if (auto rhi = make_rhi(m_world, e)) {
                rhis.emplace_back(e, std::move(*rhi));
            }
        }
        require_rows("RHIs", rhis.size(), 2 * plants.size() + 1);
        Rng rng(m_world.params.seed, dirty_stream + 2);
        const auto by_row = schedule(rng, plants, 1, rhis.size());
        Formatter<canonical::RhiJsonlWriter> format(m_world.zone);
        std::vector<std::string> clean_ids;
        for (std::size_t r = 0; r < rhis.size(); ++r) {
            auto& [e, rhi] = rhis[r];
            if (by_row[r] == nullptr || by_row[r]->code == "legal_blank_line") {
                if (by_row[r] != nullptr) {
                    add(file, file.next_line(), "", "legal_blank_line", "an empty line");
                    file.append("\n");
                }
                note_rhi(rhi);
                file.append(format.line(rhi));
                clean_ids.push_back(rhi.rhi_id);
                continue;
            }
            DirtyDefect defect;
            const std::string line =
                dirty_rhi(*by_row[r], m_world.episodes[e], rhi, format, clean_ids, rng, defect);
            add(file, file.next_line(), defect.record, by_row[r]->code, defect.detail);
            file.append(line);
        }
    }

    void note_rhi(const m::ReturnInterview& rhi) {
        for (const auto& place : rhi.places) {
            refer(place.location);
            for (const auto& id : place.with) {
                m_people.insert(id);
            }
        }
        for (const auto& location : rhi.locations_of_concern) {
            refer(location);
        }
        for (const auto* list : {&rhi.with, &rhi.people_of_concern, &rhi.young_people_of_concern}) {
            for (const auto& person : *list) {
                refer(person);
            }
        }
        if (!rhi.child_id.empty()) {
            m_people.insert(rhi.child_id);
        }
    }

    std::string dirty_rhi(const Plant& plant, const EpisodeSpec& spec, m::ReturnInterview& rhi,
                          Formatter<canonical::RhiJsonlWriter>& format,
                          const std::vector<std::string>& clean_ids, Rng& rng,
                          DirtyDefect& defect) {
        const std::string_view code = plant.code;
        const int v = plant.variant;
        std::string& detail = defect.detail;
        const bool needs_place =
            (code == "unknown_code" && v == 2) || (code == "wrong_type" && v == 1) ||
            (code == "over_long_field" && v == 0) || (code == "encoding_error" && v == 0);
        const bool needs_person = (code == "over_long_field" || code == "encoding_error") && v == 1;
        if (needs_place && rhi.places.empty()) {
            m::RhiPlace went;
            went.role = m::PlaceRole::went_to;
            went.location =
                location_of(m_world, spec.from, LocationStyle::place_id, 0.0, stable_hash(spec.id));
            rhi.places.push_back(std::move(went));
        }
        if (needs_person && rhi.with.empty()) {
            rhi.with.push_back({.name = "Dan", .kind = m::PersonKind::adult});
        }

        // Changes the model can hold.
        const m::Timestamp returned = spec.returned.value_or(spec.reported);
        if (code == "conducted_before_return") {
            rhi.outcome = m::RhiOutcome::completed;
            rhi.conducted_at = returned - std::chrono::seconds(3h);
            detail = "conducted_at " + m_time.format(*rhi.conducted_at) +
                     " is before the episode's returned_at " + m_time.format(returned);
        } else if (code == "duplicate_id") {
            rhi.rhi_id = clean_ids[rng.index(clean_ids.size())];
            detail = "rhi_id " + rhi.rhi_id + " was used by an earlier line with other content";
        } else if (code == "unknown_episode") {
            rhi.episode_id = m_unknown_episodes[static_cast<std::size_t>(v)];
            detail = "episode_id " + rhi.episode_id + " is no episode's";
        } else if (code == "over_long_field") {
            if (v == 0) {
                rhi.places.front().location.label =
                    long_text("The flat above the takeaway ", 10000);
                detail = "places[0].location.label is 10000 characters long";
            } else {
                rhi.with.front().name = long_text("Danny ", 5000);
                detail = "with[0].name is 5000 characters long";
            }
        } else if (code == "encoding_error") {
            if (v == 0) {
                rhi.places.front().location.label = "Kev" + std::string(marker) + "s flat";
                detail = "places[0].location.label holds the invalid UTF-8 bytes 0xFF 0xFE";
            } else {
                rhi.with.front().name = std::string(marker);
                detail = "with[0].name holds the Windows-1252 byte 0xE9 (invalid UTF-8)";
            }
        }
        defect.record = rhi.rhi_id;
        note_rhi(rhi);

        // Changes only the text can hold.
        std::string line = format.line(rhi);
        if (code == "malformed_json") {
            malform_json(line, "rhi_id", v, detail);
        } else if (code == "unknown_code") {
            if (v == 0) {
                replace_member(line, "outcome", "\"done\"");
                detail = "outcome 'done' is not a code";
            } else if (v == 1) {
                const auto [begin, end] = json_member(line, "push_factors");
                line.insert(begin + 1, end - begin == 2 ? "\"boredom\"" : "\"boredom\",");
                detail = "push_factors 'boredom' is not a code";
            } else {
                replace_member(line, "role", "\"stayed\"");
                detail = "places[0].role 'stayed' is not a code";
            }
        } else if (code == "bad_date") {
            const std::string value =
                v == 0 ? year_of(rhi.conducted_at.value_or(returned)) + "-02-30T16:30"
                       : "next Tuesday";
            replace_member(line, v == 0 ? "conducted_at" : "referred_at", json_text(value));
            detail = std::string(v == 0 ? "conducted_at" : "referred_at") + " '" + value +
                     "' is not a valid date-time";
        } else if (code == "wrong_type") {
            if (v == 0) {
                replace_member(line, "consent_to_share", "\"yes\"");
                detail = "consent_to_share is the string \"yes\", not a boolean";
            } else {
                const auto [begin, end] = json_member(line, "places");
                const std::string first =
                    line.substr(begin + 1, json_value_end(line, begin + 1) - begin - 1);
                line.replace(begin, end - begin, first);
                detail = "places is an object, not an array";
            }
        } else if (code == "encoding_error") {
            replace_all(line, marker,
                        v == 0 ? bad_bytes
                               : std::string_view("Ren\xE9"
                                                  "e"));
        }
        return line;
    }

    // ---- cpi.jsonl ---------------------------------------------------------------

    void write_cpis(TextFile& file) {
        static const std::vector<Plant> plants = {
            {"malformed_json", 0},  {"malformed_json", 1},  {"unknown_code", 0},
            {"unknown_code", 1},    {"unknown_code", 2},    {"unknown_code", 3},
            {"bad_date", 0},        {"bad_date", 1},        {"duplicate_id", 0},
            {"duplicate_id", 1},    {"swapped_lat_lon", 0}, {"swapped_lat_lon", 1},
            {"off_grid", 0},        {"off_grid", 1},        {"over_long_field", 0},
            {"over_long_field", 1}, {"encoding_error", 0},  {"encoding_error", 1},
        };
        const std::vector<m::CpiReport> all = make_cpis(m_world);
        require_rows("CPI forms", all.size(), 1);
        Rng rng(m_world.params.seed, dirty_stream + 3);
        const auto by_row = schedule(rng, plants, 1, cpi_rows);
        Formatter<canonical::CpiJsonlWriter> format(m_world.zone);
        std::vector<std::string> clean_ids;
        for (std::size_t r = 0; r < cpi_rows; ++r) {
            m::CpiReport cpi = all[r % all.size()];
            if (r >= all.size()) { // a small world with few forms: copies under new ids
                cpi.cpi_id += "-" + std::to_string(r / all.size() + 1);
            }
            if (by_row[r] == nullptr) {
                note_cpi(cpi);
                file.append(format.line(cpi));
                clean_ids.push_back(cpi.cpi_id);
                continue;
            }
            DirtyDefect defect;
            const std::string line = dirty_cpi(*by_row[r], cpi, format, clean_ids, rng, defect);
            add(file, file.next_line(), defect.record, by_row[r]->code, defect.detail);
            file.append(line);
        }
    }

    void note_cpi(const m::CpiReport& cpi) {
        if (cpi.location) {
            refer(*cpi.location);
        }
        for (const auto& location : cpi.places) {
            refer(location);
        }
        for (const auto& subject : cpi.subjects) {
            refer(subject.person);
        }
    }

    std::string dirty_cpi(const Plant& plant, m::CpiReport& cpi,
                          Formatter<canonical::CpiJsonlWriter>& format,
                          const std::vector<std::string>& clean_ids, Rng& rng,
                          DirtyDefect& defect) {
        const std::string_view code = plant.code;
        const int v = plant.variant;
        std::string& detail = defect.detail;
        if ((code == "unknown_code" && v == 3) ||
            ((code == "over_long_field" || code == "encoding_error") && v == 1)) {
            if (cpi.subjects.empty()) {
                cpi.subjects.push_back({.person = {.name = "Dan", .kind = m::PersonKind::adult},
                                        .role = m::SubjectRole::suspect});
            }
        }
        const int spot = m_public_places[rng.index(m_public_places.size())];
        const std::uint64_t salt = stable_hash(cpi.cpi_id);

        // Changes the model can hold.
        if (code == "duplicate_id") {
            cpi.cpi_id = clean_ids[rng.index(clean_ids.size())];
            detail = "cpi_id " + cpi.cpi_id + " was used by an earlier line with other content";
        } else if (code == "swapped_lat_lon") {
            cpi.location = swapped_lat_lon(spot, salt, "location lat", "lon", detail);
            cpi.location->label = place(spot).label;
        } else if (code == "off_grid") {
            cpi.location = off_grid(spot, v, salt, "location x", "y", detail);
        } else if (code == "over_long_field") {
            if (v == 0) {
                if (!cpi.location) {
                    cpi.location = location_of(m_world, spot, LocationStyle::place_id, 0.0, salt);
                }
                cpi.location->label = long_text("Outside the chip shop by the bus station ", 10000);
                detail = "location.label is 10000 characters long";
            } else {
                cpi.subjects.front().person.name = long_text("Danny ", 5000);
                detail = "subjects[0].name is 5000 characters long";
            }
        } else if (code == "encoding_error") {
            if (v == 0) {
                cpi.information = "Seen with older males at " + std::string(marker) + " the park";
                detail = "information holds the invalid UTF-8 bytes 0xFF 0xFE";
            } else {
                cpi.subjects.front().person.name = std::string(marker);
                detail = "subjects[0].name holds the Windows-1252 byte 0xE9 (invalid UTF-8)";
            }
        }
        defect.record = cpi.cpi_id;
        note_cpi(cpi);

        // Changes only the text can hold.
        std::string line = format.line(cpi);
        if (code == "malformed_json") {
            malform_json(line, "cpi_id", v, detail);
        } else if (code == "unknown_code") {
            const std::size_t grading = line.find("\"grading\":");
            if (v == 0) {
                replace_member(line, "source", "\"4\"", grading);
                detail = "grading.source '4' is not a code";
            } else if (v == 1) {
                replace_member(line, "intelligence", "\"F\"", grading);
                detail = "grading.intelligence 'F' is not a code";
            } else if (v == 2) {
                replace_member(line, "handling", "\"X\"", grading);
                detail = "grading.handling 'X' is not a code";
            } else {
                const auto [begin, end] = json_member(line, "subjects");
                const std::size_t role = line.find("\"role\":", begin);
                if (role != std::string::npos && role < end) {
                    replace_member(line, "role", "\"boss\"", begin);
                } else { // a subject without a role: give it one
                    line.insert(begin + 2, "\"role\":\"boss\",");
                }
                detail = "subjects[0].role 'boss' is not a code";
            }
        } else if (code == "bad_date") {
            const std::string year = year_of(cpi.received_at.value_or(m_world.end));
            const std::string value = v == 0 ? year + "-02-30T09:00" : year + "-13-40";
            replace_member(line, v == 0 ? "received_at" : "information_date", json_text(value));
            detail = std::string(v == 0 ? "received_at '" : "information_date '") + value +
                     "' is not a valid date";
        } else if (code == "encoding_error") {
            replace_all(line, marker,
                        v == 0 ? bad_bytes
                               : std::string_view("Ren\xE9"
                                                  "e"));
        }
        return line;
    }

    // ---- persons.csv -------------------------------------------------------------

    void write_persons(TextFile& file) {
        static const std::vector<Plant> plants = {
            {"unknown_code", 0},   {"unknown_code", 1},  {"bad_date", 0},
            {"bad_date", 1},       {"duplicate_id", 0},  {"duplicate_id", 1},
            {"malformed_row", 0},  {"malformed_row", 1}, {"encoding_error", 0},
            {"encoding_error", 1},
        };
        std::vector<m::Person> clean;
        std::vector<m::Person> spare; // people nothing in the dirty set refers to
        for (const Child& child : m_world.children) {
            (m_people.contains(child.id) ? clean : spare).push_back(to_person(child));
        }
        for (const Adult& adult : m_world.adults) {
            m::Person person = to_person(adult);
            if (adult.of_concern) {
                person.flags.emplace_back("adult_of_concern");
            }
            ((m_people.contains(adult.id) || adult.of_concern) ? clean : spare)
                .push_back(std::move(person));
        }
        require_rows("people", clean.size(), 1);
        require_rows("people nothing refers to", spare.size(), plants.size());

        Rng rng(m_world.params.seed, dirty_stream + 4);
        const std::size_t rows = clean.size() + plants.size();
        const auto by_row = schedule(rng, plants, 1, rows);
        Formatter<canonical::PersonsCsvWriter> format;
        const std::string header = format.header();
        const Columns col(split_csv(header));
        file.append(header);
        std::vector<std::string> clean_ids;
        std::size_t next_clean = 0;
        std::size_t next_spare = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            if (by_row[r] == nullptr) {
                const m::Person& person = clean[next_clean++];
                file.append(format.line(person));
                clean_ids.push_back(person.person_id);
                continue;
            }
            const std::string_view code = by_row[r]->code;
            const int v = by_row[r]->variant;
            m::Person person = spare[next_spare++ * spare.size() / plants.size()];
            std::string detail;
            if (code == "duplicate_id") {
                person.person_id = clean_ids[rng.index(clean_ids.size())];
                detail = "person_id " + person.person_id +
                         " was used by an earlier row with other content";
            }
            auto fields = split_csv(format.line(person));
            if (code == "unknown_code") {
                fields[col[v == 0 ? "kind" : "sex"]] = v == 0 ? "teen" : "Q";
                detail = v == 0 ? "kind 'teen' is not a code" : "sex 'Q' is not a code";
            } else if (code == "bad_date") {
                const char* value = v == 0 ? "2010-13-40" : "31/12/2009";
                fields[col["date_of_birth"]] = value;
                detail = std::string("date_of_birth '") + value + "' is not a valid date";
            } else if (code == "malformed_row") {
                if (v == 0) {
                    fields.resize(3);
                } else {
                    fields.insert(fields.end(), {"extra", "fields"});
                }
                detail = std::to_string(fields.size()) + " fields where the header has " +
                         std::to_string(col.names().size());
            } else if (code == "encoding_error") {
                std::string& name = fields[col["name"]];
                if (v == 0) {
                    name.insert(name.find(' ') == std::string::npos ? name.size() : name.find(' '),
                                " " + std::string(bad_bytes));
                    detail = "name holds the invalid UTF-8 bytes 0xFF 0xFE";
                } else {
                    const auto space = name.find(' ');
                    name = "Ren\xE9"
                           "e" +
                           (space == std::string::npos ? "" : name.substr(space));
                    detail = "name holds the Windows-1252 byte 0xE9 (invalid UTF-8)";
                }
            }
            add(file, file.next_line(), person.person_id, code, detail);
            file.append(join_csv(fields));
        }
    }

    // ---- gazetteer.csv -----------------------------------------------------------

    void write_gazetteer(TextFile& file) {
        static const std::vector<Plant> plants = {
            {"unknown_code", 0},    {"unknown_code", 1},  {"off_grid", 0},
            {"off_grid", 1},        {"bad_number", 0},    {"bad_number", 1},
            {"duplicate_id", 0},    {"duplicate_id", 1},  {"swapped_lat_lon", 0},
            {"swapped_lat_lon", 1}, {"malformed_row", 0}, {"malformed_row", 1},
        };
        std::vector<int> clean;
        std::vector<int> spare;       // places nothing in the dirty set refers to
        std::set<std::string> labels; // of the places taken; a label-only location needs one
        for (std::size_t i = 0; i < m_world.places.size(); ++i) {
            const Place& p = m_world.places[i];
            const bool used =
                m_keys.contains(p.key) || (m_labels.contains(p.label) && !labels.contains(p.label));
            if (used) {
                labels.insert(p.label);
            }
            (used ? clean : spare).push_back(static_cast<int>(i));
        }
        require_rows("places", clean.size(), 1);
        require_rows("places nothing refers to", spare.size(), plants.size());

        Rng rng(m_world.params.seed, dirty_stream + 5);
        const std::size_t rows = clean.size() + plants.size();
        const auto by_row = schedule(rng, plants, 1, rows);
        Formatter<canonical::GazetteerCsvWriter> format;
        const std::string header = format.header();
        const Columns col(split_csv(header));
        file.append(header);
        std::vector<int> written;
        std::size_t next_clean = 0;
        std::size_t next_spare = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            if (by_row[r] == nullptr) {
                const int p = clean[next_clean++];
                file.append(format.line(to_gazetteer_entry(place(p))));
                written.push_back(p);
                continue;
            }
            const std::string_view code = by_row[r]->code;
            const int v = by_row[r]->variant;
            const int p = code == "duplicate_id"
                              ? written[rng.index(written.size())]
                              : spare[next_spare++ * spare.size() / plants.size()];
            m::GazetteerEntry entry = to_gazetteer_entry(place(p));
            std::string detail;
            if (code == "duplicate_id") {
                entry.x += 5000.0;
                entry.y -= 3000.0;
                detail = "key " + entry.key + " was given by an earlier row at other coordinates";
            } else if (code == "off_grid") {
                if (v == 0) {
                    entry.x = 2000000.0;
                    detail = "x 2000000 is far outside the area (EPSG 27700)";
                } else {
                    entry.crs = 4326;
                    detail = "British National Grid metres with crs 4326";
                }
            } else if (code == "swapped_lat_lon") {
                const m::Location degrees = location_of(m_world, p, LocationStyle::lat_lon, 0.0, 0);
                entry.crs = 4326;
                entry.x = *degrees.lat;
                entry.y = *degrees.lon;
                detail = "crs 4326 with x " + decimal(entry.x, 6) + " (a latitude) and y " +
                         decimal(entry.y, 6) + " (a longitude): the order is exchanged";
            }
            auto fields = split_csv(format.line(entry));
            if (code == "unknown_code") {
                fields[col["key_type"]] = v == 0 ? "street" : "building";
                detail = "key_type '" + fields[col["key_type"]] + "' is not a code";
            } else if (code == "bad_number") {
                if (v == 0) {
                    fields[col["x"]] = "abc";
                    detail = "x 'abc' is not a number";
                } else {
                    std::string& y = fields[col["y"]];
                    const auto zero = y.find('0');
                    if (zero == std::string::npos) {
                        y += 'O';
                    } else {
                        y[zero] = 'O';
                    }
                    detail = "y '" + y + "' has a letter O for a zero";
                }
            } else if (code == "malformed_row") {
                if (v == 0) {
                    fields.resize(4);
                } else {
                    fields.insert(fields.end(), {"extra", "fields"});
                }
                detail = std::to_string(fields.size()) + " fields where the header has " +
                         std::to_string(col.names().size());
            }
            add(file, file.next_line(), entry.key, code, detail);
            file.append(join_csv(fields));
        }
    }

    const World& m_world;
    canonical::LocalTimeFormatter m_time;
    std::vector<int> m_public_places;
    std::string m_unknown_postcode;
    std::string m_unknown_episodes[2];
    std::vector<std::size_t> m_rhi_episodes; ///< episode rows written clean, in file order
    std::set<std::string> m_keys;            ///< gazetteer keys the dirty records use
    std::set<std::string> m_labels;          ///< labels of label-only locations
    std::set<std::string> m_people;          ///< person ids the dirty records use
    std::vector<DirtyDefect> m_defects;
};

} // namespace

std::vector<DirtyDefect> write_dirty_files(const World& world, const fs::path& folder) {
    return DirtyWriter(world).write(folder);
}

} // namespace waymark::synth
