#include "importers/gazetteer_index.hpp"

#include "importers/postcode.hpp"

#include <algorithm>

namespace waymark::importers {

namespace {

constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trimmed(std::string_view text) noexcept {
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

void normalise_label(std::string_view label, std::string& out) {
    out.clear();
    bool pending_space = false;
    for (const char c : trimmed(label)) {
        if (is_space(c)) {
            pending_space = true;
            continue;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
}

bool GazetteerIndex::add(const model::GazetteerEntry& entry, model::Point working_point) {
    if (m_keys.find(std::string_view(entry.key)) != m_keys.end()) {
        return false;
    }
    m_records.push_back({
        .key = entry.key,
        .key_type = entry.key_type,
        .label = entry.label,
        .point = working_point,
        .restricted = entry.restricted.value_or(false),
        .place_type = entry.place_type,
    });
    const GazetteerRecord& record = m_records.back();
    m_keys.emplace(record.key, &record);
    if (record.key_type == model::GazetteerKeyType::postcode) {
        const std::string postcode = normalise_postcode(record.key);
        m_postcodes.emplace(postcode.empty() ? record.key : postcode, &record);
    }
    if (!record.label.empty()) {
        std::string label;
        normalise_label(record.label, label);
        if (!label.empty()) {
            const auto [at, inserted] = m_labels.emplace(std::move(label), &record);
            if (!inserted && at->second != nullptr) {
                at->second = nullptr;
                ++m_ambiguous_labels;
            }
        }
    }
    if (m_records.size() == 1) {
        m_bounds = {working_point.x, working_point.y, working_point.x, working_point.y};
    } else {
        m_bounds.min_x = std::min(m_bounds.min_x, working_point.x);
        m_bounds.min_y = std::min(m_bounds.min_y, working_point.y);
        m_bounds.max_x = std::max(m_bounds.max_x, working_point.x);
        m_bounds.max_y = std::max(m_bounds.max_y, working_point.y);
    }
    return true;
}

const GazetteerRecord* GazetteerIndex::find_key(std::string_view key) const {
    const auto at = m_keys.find(trimmed(key));
    return at == m_keys.end() ? nullptr : at->second;
}

const GazetteerRecord* GazetteerIndex::find_postcode(std::string_view normalised) const {
    const auto at = m_postcodes.find(normalised);
    return at == m_postcodes.end() ? nullptr : at->second;
}

const GazetteerRecord* GazetteerIndex::lookup_label(std::string_view label, bool& ambiguous) const {
    thread_local std::string buffer;
    normalise_label(label, buffer);
    const auto at = m_labels.find(std::string_view(buffer));
    ambiguous = at != m_labels.end() && at->second == nullptr;
    return at == m_labels.end() ? nullptr : at->second;
}

const GazetteerRecord* GazetteerIndex::find_label(std::string_view label) const {
    bool ambiguous = false;
    return lookup_label(label, ambiguous);
}

bool GazetteerIndex::ambiguous_label(std::string_view label) const {
    bool ambiguous = false;
    lookup_label(label, ambiguous);
    return ambiguous;
}

std::optional<AreaExtent> GazetteerIndex::bounds() const noexcept {
    if (m_records.empty()) {
        return std::nullopt;
    }
    return m_bounds;
}

} // namespace waymark::importers
