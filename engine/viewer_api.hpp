#pragma once
// The viewer's API (issue 8; docs/viewer.md): the answers `waymark serve`
// gives the web viewer, as JSON text, with no HTTP in sight so that tests and
// fuzzers call it directly. Everything it answers comes through the profile
// stage: it reads the store once, at start, as ProfiledIncidents and the
// network evidence, and narrows them in memory for each request. Hotspot
// answers and networks are cached per query.
//
// The partnership profile gets the per-role cell counts of the whole store
// only, with no filter: counts of two overlapping selections could be
// subtracted to reveal a suppressed cell (docs/viewer.md).
#include "engine/hotspots.hpp"
#include "engine/network.hpp"
#include "engine/profile_stage.hpp"
#include "engine/settings.hpp"
#include "engine/store/store.hpp"
#include "engine/viewer_query.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace waymark {

struct ViewerBasemap {
    std::string url;         ///< an XYZ template ({z}/{x}/{y}); "" for none
    std::string attribution; ///< shown in the map's corner
    int max_zoom = 18;
};

struct ViewerApiOptions {
    int network_limit = 300; ///< most nodes in one network answer
    NetworkBuildParams network;
    HotspotConfig hotspots; ///< methods, count, seed, threads; filter and roles per request
    ViewerBasemap basemap;
    std::string area_name;
    std::optional<std::array<double, 4>> extent; ///< the area settings' extent
    int cache_entries = 32;                      ///< hotspot answers and networks kept
};

class ViewerApi {
public:
    /// Reads the store through `stage` (which must outlive the API).
    /// Throws StoreError when the store cannot be read.
    ViewerApi(const store::Store& store, const ProfileStage& stage, ViewerApiOptions options);
    ViewerApi(const ViewerApi&) = delete;
    ViewerApi& operator=(const ViewerApi&) = delete;
    ~ViewerApi();

    /// Each answer is a JSON document (docs/viewer-api.md). Thread-safe.
    /// Throws ApiError for a request it refuses.
    std::string meta() const;
    std::string incidents(const QueryParameters& parameters) const;
    std::string hotspots(const QueryParameters& parameters) const;
    std::string network(const QueryParameters& parameters) const;
    std::string child(std::string_view id, const QueryParameters& parameters) const;
    std::string place(std::string_view id, const QueryParameters& parameters) const;

    struct State;

private:
    std::unique_ptr<State> m_state;
};

} // namespace waymark
