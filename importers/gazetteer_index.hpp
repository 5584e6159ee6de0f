#pragma once

// The gazetteer held in memory for location resolution (DATA-MODEL.md,
// gazetteer.csv): lookups by key (UPRN / place id), by normalised postcode and
// by label, each a hash-map probe.

#include "engine/model/enums.hpp"
#include "engine/model/gazetteer.hpp"
#include "engine/model/location.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace waymark::importers {

/// A rectangle in the working CRS.
struct AreaExtent {
    double min_x = 0.0;
    double min_y = 0.0;
    double max_x = 0.0;
    double max_y = 0.0;

    bool contains(model::Point p) const noexcept {
        return p.x >= min_x && p.x <= max_x && p.y >= min_y && p.y <= max_y;
    }
    /// The extent grown by `margin` on every side.
    AreaExtent grown(double margin) const noexcept {
        return {min_x - margin, min_y - margin, max_x + margin, max_y + margin};
    }

    bool operator==(const AreaExtent&) const = default;
};

/// One gazetteer entry as location resolution needs it.
struct GazetteerRecord {
    std::string key{}; ///< as given in the gazetteer
    model::GazetteerKeyType key_type = model::GazetteerKeyType::place;
    std::string label{};
    model::Point point{};    ///< in the working CRS
    bool restricted = false; ///< the entry's `restricted` (false when not given)
    std::optional<model::PlaceType> place_type{};
};

/// Label matching form: surrounding whitespace trimmed, internal runs of ASCII
/// whitespace collapsed to one space, ASCII letters lower-cased. Writes into
/// `out` (cleared first) so that a caller can reuse its buffer.
void normalise_label(std::string_view label, std::string& out);

/// The gazetteer, indexed. Build it with add(), then look up; records are
/// stored in a deque, so the pointers the lookups return stay valid for the
/// index's lifetime (adding more entries does not invalidate them).
///
/// Lookups are const and touch no shared mutable state except a thread-local
/// buffer in find_label()/ambiguous_label(), so a built index may be read
/// from several threads at once.
class GazetteerIndex {
public:
    /// Adds `entry`, whose point the caller has already transformed into the
    /// working CRS. Postcode entries (key_type postcode) are also indexed by
    /// their normalised postcode. Every non-empty label is indexed; a label
    /// that two entries share becomes ambiguous. Returns false (and adds
    /// nothing) when an entry with the same key is already present.
    bool add(const model::GazetteerEntry& entry, model::Point working_point);

    /// The entry whose key is exactly `key` (surrounding whitespace ignored).
    const GazetteerRecord* find_key(std::string_view key) const;
    /// The postcode entry for an already normalised postcode ("ZZ1 4AB").
    const GazetteerRecord* find_postcode(std::string_view normalised) const;
    /// The one entry with this label (case- and whitespace-insensitive), or
    /// nullptr when there is none or the label is ambiguous.
    const GazetteerRecord* find_label(std::string_view label) const;
    /// True when two or more entries share this label.
    bool ambiguous_label(std::string_view label) const;

    std::size_t size() const noexcept { return m_records.size(); }
    bool empty() const noexcept { return m_records.empty(); }
    /// Number of distinct labels that are ambiguous.
    std::size_t ambiguous_label_count() const noexcept { return m_ambiguous_labels; }
    /// Bounding box of all points added (working CRS); nullopt when empty.
    std::optional<AreaExtent> bounds() const noexcept;

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept {
            return std::hash<std::string_view>{}(text);
        }
    };
    using Map = std::unordered_map<std::string, const GazetteerRecord*, Hash, std::equal_to<>>;

    const GazetteerRecord* lookup_label(std::string_view label, bool& ambiguous) const;

    std::deque<GazetteerRecord> m_records;
    Map m_keys;
    Map m_postcodes;
    Map m_labels; ///< a null value marks an ambiguous label
    std::size_t m_ambiguous_labels = 0;
    AreaExtent m_bounds{};
};

} // namespace waymark::importers
