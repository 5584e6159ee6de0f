#pragma once
// The viewer API's query parameters (docs/viewer-api.md "Filters"), parsed
// and checked apart from the API itself so that a fuzzer can reach them
// without the rest of the engine (tests/fuzz/viewer_query_fuzz.cpp).

#include "engine/hotspots.hpp"

#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

/// The incident roles the viewer shows, in the order of its legend.
extern const std::vector<std::string> viewer_incident_roles;

/// A request the API refuses, with the HTTP status to answer and a message
/// for the user that never quotes record contents.
class ApiError : public std::runtime_error {
public:
    ApiError(int status, const std::string& message)
        : std::runtime_error(message), m_status(status) {}
    int status() const { return m_status; }

private:
    int m_status;
};

/// A request's query parameters as given (a name may repeat).
using QueryParameters = std::multimap<std::string, std::string>;

/// The filters of one request (docs/viewer-api.md "Filters").
struct ViewerQuery {
    IncidentFilter filter;
    std::vector<std::string> roles; ///< from, found, visited, concern; empty: all
    /// The canonical text of the query, for cache keys.
    std::string key() const;
};

/// Parses the filter parameters; throws ApiError(400) naming the parameter
/// for a malformed value, an unknown parameter or one given twice.
/// `allowed` lists the endpoint's further parameters (`role`, `focus`, ...).
ViewerQuery parse_viewer_query(const QueryParameters& parameters,
                               std::initializer_list<std::string_view> allowed = {});

} // namespace waymark
