#pragma once

// The synthetic world: a fictional town in the sea off East Anglia (British
// National Grid around E 700 000, N 300 000, where no real address lies), its
// places, children, peer groups, adults of concern and missing episodes, with
// the ground truth planted in it. Everything is drawn from a seed; the same
// seed gives the same world.
//
// build_world() makes the world; the record makers (records.hpp) turn it into
// the canonical records; write_world() (writer.hpp) writes the files.

#include "engine/model/cpi_report.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/location.hpp"
#include "engine/model/timestamp.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace waymark::synth {

enum class Scale { small, force, national };

/// "small", "force" or "national"; throws InputError otherwise.
Scale parse_scale(std::string_view text);
std::string_view to_string(Scale scale);

struct SynthParams {
    Scale scale = Scale::small;
    std::uint64_t seed = 1;
    int years = 0; ///< 0 = the scale's default
    bool dirty = false;
};

/// The size of a world at one scale.
struct ScaleSpec {
    int children = 0;        ///< children living in the area (some never go missing)
    int target_episodes = 0; ///< about this many episodes over the whole period
    int years = 0;
    int neighbourhoods = 0;
    int childrens_homes = 0;
    int peer_groups = 0;
    int adults_of_concern = 0;
    int other_adults = 0; ///< adults mentioned in evidence who are not planted
    int cpis_per_year = 0;
};

ScaleSpec scale_spec(Scale scale, int years_override);

/// How a location is written in a record: the canonical formats allow all of
/// these, so the importers are exercised on each.
enum class LocationStyle { xy, lat_lon, place_id, postcode, label };

struct Place {
    std::string key; ///< gazetteer key: UPRN-like or local place id
    model::GazetteerKeyType key_type = model::GazetteerKeyType::place;
    std::string label;
    model::PlaceType type = model::PlaceType::other;
    double x = 0.0; ///< British National Grid
    double y = 0.0;
    bool restricted = false; ///< children's homes, foster homes, refuge
    std::string postcode;    ///< the ZZ postcode the place lies in
    int neighbourhood = -1;
};

struct Child {
    std::string id; ///< "C-000123" (also its person_id)
    std::string given;
    std::string family;
    std::string nickname; ///< what peers call them in RHIs
    model::Date dob{};
    model::Sex sex = model::Sex::unknown;
    model::Setting setting = model::Setting::home;
    bool looked_after = false;
    std::optional<model::PlacementArea> placement_area;
    std::string responsible_authority;
    int home = -1; ///< place where the child lives
    int school = -1;
    double rate = 0.0; ///< expected episodes a year on their own
    bool cse = false;
    bool cce = false;
    bool trafficked = false;
    bool uasc = false;
    int group = -1; ///< planted peer group, if any
};

struct Adult {
    std::string id; ///< "P-000123"
    std::string given;
    std::string family;
    std::vector<std::string> aliases; ///< street names and nicknames
    model::Date dob{};
    model::Sex sex = model::Sex::male;
    bool of_concern = false;    ///< planted adult of concern
    std::vector<int> addresses; ///< addresses of concern (places)
    model::Vehicle vehicle;
    std::vector<int> groups; ///< peer groups this adult draws
};

struct PeerGroup {
    std::vector<int> members; ///< children
    int adult = -1;           ///< adult of concern drawing the group, if any
    int hangout = -1;         ///< a public place the group frequents
};

struct EpisodeSpec {
    std::string id; ///< "E-0000123"
    int child = -1;
    model::Timestamp last_seen{};
    model::Timestamp reported{};
    std::optional<model::Timestamp> returned; ///< empty: still missing at the end
    int from = -1;                            ///< place
    int found = -1;                           ///< place; -1: not recorded (came back by themselves)
    int group_event = -1;                     ///< index of the group event, -1 alone
    std::vector<int> companions;              ///< children truly missing with them
    bool record_missing_with = false;         ///< whether the police record names them
    int adult = -1;                           ///< adult of concern the child was with
    std::vector<int> visited;                 ///< places the child went to
    int slept = -1;                           ///< where the child slept, if overnight
    model::RiskGrade risk = model::RiskGrade::low;
    std::optional<model::ReturnedBy> returned_by;
    std::optional<bool> safe_and_well;
    bool cse = false;
    bool cce = false;
    std::string police_ref;
    LocationStyle from_style = LocationStyle::place_id;
    LocationStyle found_style = LocationStyle::place_id;
};

/// Places by kind, for drawing and for the truth.
struct PlaceIndex {
    std::vector<int> homes, foster_homes, childrens_homes, supported, refuges, schools, town_centre,
        parks, transport, food, licensed, retail, health, addresses_of_concern, postcodes;
};

struct World {
    SynthParams params;
    ScaleSpec spec;
    model::Timestamp start{};              ///< first moment of the period (UTC)
    model::Timestamp end{};                ///< end of the period: the "as of" moment of the truth
    const date::time_zone* zone = nullptr; ///< Europe/London: times are written local
    std::vector<Place> places;
    PlaceIndex index;
    std::vector<Child> children;
    std::vector<Adult> adults; ///< adults of concern first, then the others
    std::vector<PeerGroup> groups;
    std::vector<EpisodeSpec> episodes; ///< in order of reported time
    /// Planted hotspots per role (place indexes), for the truth.
    std::vector<int> from_hotspots, found_hotspots, visited_hotspots;
};

World build_world(const SynthParams& params);

/// The location block for a place written in `style`. Coordinates are the
/// place's own, jittered by up to `jitter_m` metres for x/y and lat/lon.
model::Location location_of(const World& world, int place, LocationStyle style, double jitter_m,
                            std::uint64_t salt);

} // namespace waymark::synth
