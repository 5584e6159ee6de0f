#include "engine/settings.hpp"

#include "base/error.hpp"
#include "geo/gdal.hpp"
#include "importers/text.hpp"

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <vector>

namespace waymark {
namespace {

using nlohmann::json;

// Reads one JSON object of the settings, remembering where it is ("triggers")
// so that every message names the key in full ("triggers.repeat_episodes").
class ObjectReader {
public:
    ObjectReader(const json& object, std::string_view source, std::string prefix)
        : m_object(object), m_source(source), m_prefix(std::move(prefix)) {}

    [[noreturn]] void fail(std::string_view problem) const {
        throw InputError("area settings " + std::string(m_source) + ": " + std::string(problem));
    }

    std::string where(std::string_view key) const {
        return m_prefix.empty() ? std::string(key) : m_prefix + "." + std::string(key);
    }

    /// Rejects keys that are not in `known`.
    void only(std::initializer_list<std::string_view> known) const {
        for (const auto& [key, value] : m_object.items()) {
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                std::string list;
                for (std::string_view name : known) {
                    list += list.empty() ? "" : ", ";
                    list += name;
                }
                fail("unknown key \"" + where(key) + "\" (known" +
                     (m_prefix.empty() ? std::string() : " in " + m_prefix) + ": " + list + ")");
            }
        }
    }

    const json* find(std::string_view key) const {
        const auto it = m_object.find(key);
        return it == m_object.end() ? nullptr : &*it;
    }

    /// `alternative` names another accepted value in the message ("null for…").
    void read_int(std::string_view key, int low, int high, int& target,
                  std::string_view alternative = {}) const {
        if (const json* value = find(key)) {
            if (!value->is_number_integer() || *value < low || *value > high) {
                fail(where(key) + " must be a whole number from " + std::to_string(low) + " to " +
                     std::to_string(high) +
                     (alternative.empty() ? std::string() : ", or " + std::string(alternative)) +
                     ", not " + shown(*value));
            }
            target = value->get<int>();
        }
    }

    void read_bool(std::string_view key, bool& target) const {
        if (const json* value = find(key)) {
            if (!value->is_boolean()) {
                fail(where(key) + " must be true or false, not " + shown(*value));
            }
            target = value->get<bool>();
        }
    }

    void read_string(std::string_view key, std::string& target) const {
        if (const json* value = find(key)) {
            if (!value->is_string()) {
                fail(where(key) + " must be a string, not " + shown(*value));
            }
            target = value->get<std::string>();
        }
    }

    /// The nested object at `key`, or an empty one when it is absent.
    ObjectReader child(std::string_view key) const {
        static const json empty = json::object();
        const json* value = find(key);
        if (value != nullptr && !value->is_object()) {
            fail(where(key) + " must be an object, not " + shown(*value));
        }
        return ObjectReader(value ? *value : empty, m_source, where(key));
    }

    /// A value as the user wrote it, cut short if long.
    static std::string shown(const json& value) {
        std::string text = value.dump();
        constexpr std::size_t limit = 60;
        if (text.size() > limit) {
            // Cut before a UTF-8 continuation byte, never inside a character.
            std::size_t cut = limit;
            while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) {
                --cut;
            }
            text = text.substr(0, cut) + "…";
        }
        return text;
    }

private:
    const json& m_object;
    std::string_view m_source;
    std::string m_prefix;
};

void read_time_zone(const ObjectReader& top, std::string& zone) {
    top.read_string("time_zone", zone);
    try {
        date::locate_zone(zone);
    } catch (const std::exception&) {
        top.fail("time_zone \"" + zone + "\" is not a known IANA time zone (e.g. Europe/London)");
    }
}

void read_working_crs(const ObjectReader& top, int& crs) {
    top.read_int("working_crs", 1024, 999999, crs);
    std::string problem;
    try {
        const auto srs = gdal::SpatialReference::from_epsg(crs);
        if (!srs.is_projected() || srs.metres_per_unit() != 1.0) {
            problem = "working_crs EPSG:" + std::to_string(crs) + " (" + srs.name() +
                      ") is not a projected CRS in metres";
        }
    } catch (const InputError&) {
        problem = "working_crs EPSG:" + std::to_string(crs) + " is not a known EPSG CRS";
    }
    if (!problem.empty()) {
        top.fail(problem);
    }
}

void read_extent(const ObjectReader& top, std::optional<std::array<double, 4>>& extent) {
    const json* value = top.find("extent");
    if (value == nullptr || value->is_null()) {
        return;
    }
    const bool numbers = value->is_array() && value->size() == 4 &&
                         std::all_of(value->begin(), value->end(),
                                     [](const json& item) { return item.is_number(); });
    if (!numbers || (*value)[0] >= (*value)[2] || (*value)[1] >= (*value)[3]) {
        top.fail("extent must be [min x, min y, max x, max y] with min below max, not " +
                 ObjectReader::shown(*value));
    }
    extent = std::array<double, 4>{(*value)[0].get<double>(), (*value)[1].get<double>(),
                                   (*value)[2].get<double>(), (*value)[3].get<double>()};
}

void read_triggers(const ObjectReader& reader, TriggerSettings& triggers) {
    reader.only({"repeat_episodes", "repeat_window_days", "long_missing_hours",
                 "looked_after_escalation_hours", "not_located_days", "rhi_due_hours",
                 "rhi_clock_starts", "low_risk_minimum_age"});
    constexpr int hours_in_a_year = 24 * 366;
    reader.read_int("repeat_episodes", 2, 100, triggers.repeat_episodes);
    reader.read_int("repeat_window_days", 1, 3660, triggers.repeat_window_days);
    reader.read_int("long_missing_hours", 1, hours_in_a_year, triggers.long_missing_hours);
    reader.read_int("looked_after_escalation_hours", 1, hours_in_a_year,
                    triggers.looked_after_escalation_hours);
    reader.read_int("not_located_days", 1, 366, triggers.not_located_days);
    reader.read_int("rhi_due_hours", 1, hours_in_a_year, triggers.rhi_due_hours);
    if (const json* value = reader.find("rhi_clock_starts")) {
        if (*value == "return") {
            triggers.rhi_clock_starts = RhiClockStart::return_time;
        } else if (*value == "referral") {
            triggers.rhi_clock_starts = RhiClockStart::referral_time;
        } else {
            reader.fail(reader.where("rhi_clock_starts") +
                        " must be \"return\" or \"referral\", not " + ObjectReader::shown(*value));
        }
    }
    if (const json* value = reader.find("low_risk_minimum_age"); value && value->is_null()) {
        triggers.low_risk_minimum_age.reset();
    } else if (value != nullptr) {
        int age = 0;
        reader.read_int("low_risk_minimum_age", 1, 18, age, "null for no such rule");
        triggers.low_risk_minimum_age = age;
    }
}

void read_privacy(const ObjectReader& reader, PrivacySettings& privacy) {
    reader.only({"suppression_k", "panel_snap_metres", "share_rhi_without_consent"});
    reader.read_int("suppression_k", 2, 100, privacy.suppression_k);
    reader.read_int("panel_snap_metres", 50, 100000, privacy.panel_snap_metres);
    reader.read_bool("share_rhi_without_consent", privacy.share_rhi_without_consent);
}

void read_grids(const ObjectReader& reader, GridSettings& grids) {
    reader.only({"hotspot_cell_metres", "partnership_cell_metres"});
    reader.read_int("hotspot_cell_metres", 10, 100000, grids.hotspot_cell_metres);
    reader.read_int("partnership_cell_metres", 100, 100000, grids.partnership_cell_metres);
}

std::string joined(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
}

// nlohmann::json keeps the last of repeated keys without a word; in a settings
// file a repeated key is as likely a mistake as a typo, so it is found here
// (in full, "triggers.repeat_window_days") and reported as an error.
class DuplicateKeyFinder {
public:
    bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            m_frames.push_back({m_frames.empty()
                                    ? std::string()
                                    : joined(m_frames.back().path, m_frames.back().last),
                                {},
                                {}});
            break;
        case json::parse_event_t::key: {
            Frame& frame = m_frames.back();
            frame.last = parsed.get<std::string>();
            if (!frame.keys.insert(frame.last).second && m_duplicate.empty()) {
                m_duplicate = joined(frame.path, frame.last);
            }
            break;
        }
        case json::parse_event_t::object_end:
            m_frames.pop_back();
            break;
        default:
            break;
        }
        return true;
    }

    /// The first repeated key in full, or "" if there was none.
    const std::string& duplicate() const { return m_duplicate; }

private:
    struct Frame {
        std::string path;           ///< where this object is ("" for the document)
        std::set<std::string> keys; ///< the keys seen in it so far
        std::string last;           ///< the latest of them
    };
    std::vector<Frame> m_frames;
    std::string m_duplicate;
};

} // namespace

AreaSettings parse_area_settings(std::string_view text, std::string_view source) {
    json document;
    DuplicateKeyFinder duplicates;
    if (const auto line = importers::json_too_deep(text)) {
        throw InputError("area settings " + std::string(source) + ": line " +
                         std::to_string(*line) + ": " + importers::json_too_deep_message());
    }
    try {
        document = json::parse(text, std::ref(duplicates));
    } catch (const json::exception& error) {
        // parse_error, or out_of_range for a number too large for a double
        // nlohmann's text starts "[json.exception.parse_error.101] parse error at line…"
        std::string message = error.what();
        if (const auto at = message.find("] "); at != std::string::npos) {
            message = message.substr(at + 2);
        }
        throw InputError("area settings " + std::string(source) + ": invalid JSON: " + message);
    }
    const ObjectReader top(document, source, "");
    if (!document.is_object()) {
        top.fail("must be a JSON object, not " + ObjectReader::shown(document));
    }
    if (!duplicates.duplicate().empty()) {
        top.fail("duplicate key \"" + duplicates.duplicate() + "\"");
    }
    top.only({"name", "time_zone", "working_crs", "extent", "triggers", "privacy", "grids"});

    AreaSettings settings;
    top.read_string("name", settings.name);
    read_time_zone(top, settings.time_zone);
    read_working_crs(top, settings.working_crs);
    read_extent(top, settings.extent);
    read_triggers(top.child("triggers"), settings.triggers);
    read_privacy(top.child("privacy"), settings.privacy);
    read_grids(top.child("grids"), settings.grids);
    return settings;
}

AreaSettings load_area_settings(const std::filesystem::path& path) {
    // A directory opens as a stream that then reads as empty: say what it is.
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
        throw IoError("cannot read area settings " + path.string() + ": " + std::strerror(EISDIR));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read area settings " + path.string() + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_area_settings(text.str(), path.string());
}

std::string_view to_code(RhiClockStart start) {
    return start == RhiClockStart::return_time ? "return" : "referral";
}

std::string to_json(const AreaSettings& settings) {
    const auto& t = settings.triggers;
    json document = {
        {"name", settings.name},
        {"time_zone", settings.time_zone},
        {"working_crs", settings.working_crs},
        {"extent", settings.extent ? json(*settings.extent) : json(nullptr)},
        {"triggers",
         {{"repeat_episodes", t.repeat_episodes},
          {"repeat_window_days", t.repeat_window_days},
          {"long_missing_hours", t.long_missing_hours},
          {"looked_after_escalation_hours", t.looked_after_escalation_hours},
          {"not_located_days", t.not_located_days},
          {"rhi_due_hours", t.rhi_due_hours},
          {"rhi_clock_starts", to_code(t.rhi_clock_starts)},
          {"low_risk_minimum_age",
           t.low_risk_minimum_age ? json(*t.low_risk_minimum_age) : json(nullptr)}}},
        {"privacy",
         {{"suppression_k", settings.privacy.suppression_k},
          {"panel_snap_metres", settings.privacy.panel_snap_metres},
          {"share_rhi_without_consent", settings.privacy.share_rhi_without_consent}}},
        {"grids",
         {{"hotspot_cell_metres", settings.grids.hotspot_cell_metres},
          {"partnership_cell_metres", settings.grids.partnership_cell_metres}}},
    };
    return document.dump(2);
}

} // namespace waymark
