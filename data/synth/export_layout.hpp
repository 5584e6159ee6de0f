#pragma once

// Episodes written the way a source system exports them (`waymark synth --as
// police|council`), so that the import specifications shipped in data/specs/
// are tested end to end: importing episodes-police.csv with
// data/specs/police-episodes.json must give the store the same content as
// importing the canonical episodes.csv, over everything the export carries.
//
// Why the layouts are code here and not read from data/specs/*.json:
// design/ARCHITECTURE.md gives data/ no arrow to importers/ (the generator
// links the model, geo and the canonical writers only), and the spec loader is
// the very code these files test: a generator that inverted a spec through the
// importers' own reading of it would agree with a wrong reading (a value map
// parsed back to front) and prove nothing. So each layout below is written out
// by hand as the inverse of its JSON spec, and
// tests/engine/import_variants_test.cpp checks, entry by entry, that it still
// is: same columns in the same order, same encoding, delimiter, date-time
// formats and defaults, and a source word for every canonical value the spec
// maps.
//
// What a layout can carry, and what happens to the rest (an export can only
// hold the columns its spec maps; nothing is invented):
//
// - A canonical column the spec does not map at all (police: looked_after,
//   placement_area, responsible_authority, trafficking, uasc, age and every
//   location `type`; council: missing_with, safe_and_well, age, types) is not
//   written. The store of the export simply lacks it, and the comparison is
//   made over the columns the spec maps or defaults.
// - Parts that are either/or are made to round-trip instead, by the generator
//   (writer.hpp, to_episode with a layout): a location is given only in ways
//   the layout has columns for (carried_style below), and the date of birth is
//   always given rather than only the age, since neither spec maps `age`.
//   So with `--as` the canonical episodes.csv describes the same records as
//   the export. Without `--as` nothing changes.
// - A column the spec only defaults (police: category, from_crs, found_crs) is
//   carried when the record holds the default; a record that does not cannot
//   be written and EpisodeExportWriter throws rather than lose it.
// - A canonical code the spec has no source word for is written as the
//   canonical code itself, which the importer reads unchanged (a value not in
//   a map passes through). Both shipped specs have a word for every code.
// - Date-times are written in the spec's first format as local time in the
//   world's zone (Europe/London), as the importer reads a time without offset.
//   In the hour repeated when the clocks go back, the local text cannot say
//   which of the two instants is meant: the canonical file writes the offset
//   there (canonical::LocalTimeFormatter) and is read exactly, but the
//   export's formats have no offset, so both are read as the earlier one (with
//   an ambiguous_time warning). The stores agree except that an export time in
//   the second 01:xx is stored an hour early. Seconds cannot be written (the
//   formats stop at minutes); the generator's times are whole minutes and a
//   time with seconds throws.
// - Windows-1252 (police): each character it lacks is written as `?`, and
//   counted (EpisodeExportWriter::replaced_characters); the generator's own
//   names and labels are ASCII, so nothing is replaced in a generated world.

#include "data/synth/world.hpp"
#include "engine/model/episode.hpp"
#include "engine/model/timestamp.hpp"

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
} // namespace date

namespace waymark::synth {

/// How the episodes are written: `canonical` (episodes.csv only), or also in
/// the layout of a police RMS extract or a council case-management report.
enum class ExportLayout { canonical, police, council };

/// "canonical", "police" or "council"; throws InputError otherwise.
ExportLayout parse_export_layout(std::string_view text);
std::string_view to_string(ExportLayout layout);

/// A column of the export: the canonical column it carries and its header.
struct ExportColumn {
    std::string_view canonical;
    std::string_view source;
};

/// One entry of an inverse value map: canonical `field` holding `canonical`
/// ("" = unknown) is written as `source`.
struct ExportValue {
    std::string_view field;
    std::string_view canonical;
    std::string_view source;
};

/// A value the spec's `defaults` gives a canonical column.
struct ExportDefault {
    std::string_view canonical;
    std::string_view value;
};

/// A source system's episodes export, written out as the inverse of its
/// import spec (data/specs/<spec_file>).
struct ExportLayoutSpec {
    ExportLayout layout = ExportLayout::canonical;
    std::string_view file_name; ///< "episodes-police.csv", next to episodes.csv
    std::string_view spec_file; ///< "police-episodes.json", in data/specs/
    std::string_view encoding;  ///< as the spec names it: "utf-8" or "windows-1252"
    char delimiter = ',';
    std::string_view line_end; ///< "\r\n" (as Excel saves) or "\n"
    bool bom = false;          ///< a UTF-8 byte order mark first (as Excel's "CSV UTF-8")
    std::span<const ExportColumn> columns;   ///< in the spec's order
    std::span<const ExportValue> values;     ///< the spec's value maps, inverted
    std::string_view datetime_format;        ///< one of the spec's datetime_formats
    std::string_view date_format;            ///< the date part of it, for dates of birth
    std::span<const ExportDefault> defaults; ///< the spec's defaults
};

/// The layout of `police` or `council`; throws std::invalid_argument for
/// `canonical`, which has none.
const ExportLayoutSpec& export_layout_spec(ExportLayout layout);

/// True when the layout has a column for canonical column `canonical`.
bool carries(const ExportLayoutSpec& layout, std::string_view canonical);

/// The way to write a location at `place` that the layout can carry, for the
/// `from` block or (found = true) the `found` block: `drawn` when the layout
/// has columns for what location_of() writes in that style, otherwise the
/// nearest it has (lat/lon ↔ x/y, place id ↔ postcode, then the label).
/// Always `drawn` for the canonical layout.
LocationStyle carried_style(ExportLayout layout, bool found, const Place& place,
                            LocationStyle drawn);

/// Appends `utf8` to `out` in Windows-1252. Each character Windows-1252 lacks,
/// and each byte of an invalid UTF-8 sequence, is written as '?'; returns how
/// many were.
std::size_t append_utf8_as_windows_1252(std::string& out, std::string_view utf8);

/// Appends the time as local time in `zone` (nullptr: UTC) written with
/// `format`, which may use %Y %m %d %b (Jan…Dec) %H %M %S and %%; any other
/// directive throws std::invalid_argument. Returns true when that local time
/// happens twice in the zone (the hour the clocks go back).
bool append_export_time(std::string& out, model::Timestamp utc, const date::time_zone* zone,
                        std::string_view format);

/// Appends the date written with `format` (%Y %m %d %b %%).
void append_export_date(std::string& out, model::Date date, std::string_view format);

/// Writes episodes in a layout. Streaming, like the canonical writers; a
/// stream that fails throws IoError naming the file and the record. A record
/// holding something the layout cannot carry without loss (see the top of
/// this file) throws waymark::Error naming the episode.
class EpisodeExportWriter {
public:
    /// zone: the time zone local times are written in (the world's).
    EpisodeExportWriter(std::ostream& out, ExportLayout layout, const date::time_zone* zone);

    void header();
    void write(const model::Episode& episode);

    /// Characters written as '?' because the encoding lacks them.
    std::int64_t replaced_characters() const { return m_replaced; }
    /// Times written in the hour the clocks go back (read back as the earlier instant).
    std::int64_t ambiguous_times() const { return m_ambiguous; }

private:
    void field(std::string_view text);
    void end_line(std::uint64_t record);

    std::ostream& m_out;
    const ExportLayoutSpec& m_layout;
    const date::time_zone* m_zone;
    std::vector<std::size_t> m_indexes; ///< of each column in model::episode_columns
    std::string m_line;
    std::string m_value;
    std::string m_encoded;
    std::size_t m_fields = 0; ///< fields in m_line so far
    std::uint64_t m_records = 0;
    std::int64_t m_replaced = 0;
    std::int64_t m_ambiguous = 0;
};

} // namespace waymark::synth
