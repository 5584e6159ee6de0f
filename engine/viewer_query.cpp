#include "engine/viewer_query.hpp"

#include "base/error.hpp"
#include "engine/model/timestamp.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace waymark {

const std::vector<std::string> viewer_incident_roles = {"from", "found", "visited", "concern"};

namespace {

using nlohmann::json;

const std::set<std::string_view> filter_names = {"since", "until",        "setting",  "risk",
                                                 "role",  "looked_after", "indicator"};

std::vector<std::string> comma_list(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        if (comma > start) {
            items.push_back(text.substr(start, comma - start));
        }
        start = comma + 1;
    }
    return items;
}

// A code from a list parameter: lower-case letters, digits and underscores.
void check_code(const std::string& name, const std::string& value) {
    const bool ok =
        !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        });
    if (!ok) {
        throw ApiError(400, "parameter " + name + ": a value is not a code (a-z, 0-9, _)");
    }
}

std::string checked_day(const std::string& name, const std::string& value) {
    if (value.empty()) {
        return value;
    }
    try {
        model::parse_date(value);
    } catch (const InputError&) {
        throw ApiError(400, "parameter " + name + " must be a date YYYY-MM-DD");
    }
    return value;
}

} // namespace

// ---- Query ---------------------------------------------------------------------------

std::string ViewerQuery::key() const {
    json k = {{"since", filter.since},
              {"until", filter.until},
              {"settings", filter.settings},
              {"risk", filter.risk_grades},
              {"cse", filter.cse},
              {"cce", filter.cce},
              {"roles", roles}};
    if (filter.looked_after) {
        k["looked_after"] = *filter.looked_after;
    }
    return k.dump();
}

ViewerQuery parse_viewer_query(const QueryParameters& parameters,
                               std::initializer_list<std::string_view> allowed) {
    ViewerQuery query;
    std::set<std::string> seen;
    for (const auto& [name, value] : parameters) {
        const bool known = filter_names.contains(name) ||
                           std::find(allowed.begin(), allowed.end(), name) != allowed.end();
        if (!known) {
            throw ApiError(400, "unknown parameter (the API's parameters are listed in "
                                "docs/viewer.md)");
        }
        if (!seen.insert(name).second) {
            throw ApiError(400, "parameter " + name + " is given twice");
        }
        if (value.size() > 1024) {
            throw ApiError(400, "parameter " + name + " is too long");
        }
        if (name == "since") {
            query.filter.since = checked_day(name, value);
        } else if (name == "until") {
            query.filter.until = checked_day(name, value);
        } else if (name == "setting" || name == "risk" || name == "role" || name == "indicator") {
            std::vector<std::string> items = comma_list(value);
            for (const std::string& item : items) {
                check_code(name, item);
            }
            std::sort(items.begin(), items.end());
            items.erase(std::unique(items.begin(), items.end()), items.end());
            if (name == "setting") {
                query.filter.settings = std::move(items);
            } else if (name == "risk") {
                query.filter.risk_grades = std::move(items);
            } else if (name == "role") {
                for (const std::string& role : items) {
                    if (std::find(viewer_incident_roles.begin(), viewer_incident_roles.end(),
                                  role) == viewer_incident_roles.end()) {
                        throw ApiError(400, "parameter role: roles are from, found, visited and "
                                            "concern");
                    }
                }
                query.roles = std::move(items);
            } else {
                for (const std::string& indicator : items) {
                    if (indicator == "cse") {
                        query.filter.cse = true;
                    } else if (indicator == "cce") {
                        query.filter.cce = true;
                    } else {
                        throw ApiError(400, "parameter indicator: indicators are cse and cce");
                    }
                }
            }
        } else if (name == "looked_after") {
            if (value == "yes" || value == "no") {
                query.filter.looked_after = value == "yes";
            } else if (!value.empty() && value != "any") {
                throw ApiError(400, "parameter looked_after must be yes, no or any");
            }
        }
    }
    if (!query.filter.since.empty() && !query.filter.until.empty() &&
        query.filter.since > query.filter.until) {
        throw ApiError(400, "since is after until");
    }
    return query;
}

} // namespace waymark
