#include "data/synth/world.hpp"

#include "base/error.hpp"
#include "data/synth/names.hpp"
#include "data/synth/random.hpp"
#include "geo/gdal.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <set>

namespace waymark::synth {
namespace {

using namespace std::chrono;
namespace m = waymark::model;

// Stream ids: each kind of entity draws from its own streams.
enum Stream : std::uint64_t {
    geography = 1,
    child_stream = 1ULL << 40,
    adult_stream = 2ULL << 40,
    group_stream = 3ULL << 40,
    episode_stream = 4ULL << 40,
    location_stream = 5ULL << 40,
};

// The town's centre, in the sea east of Lowestoft: no real address is near.
constexpr double centre_x = 700000.0;
constexpr double centre_y = 300000.0;
constexpr double cell = 1000.0; // one neighbourhood is a 1 km square

// Children placed out of area by us live in a cluster far outside the town.
constexpr double away_x = 770000.0;
constexpr double away_y = 330000.0;

constexpr std::string_view our_authority = "Waymark Bay Council";
constexpr std::array<std::string_view, 5> other_authorities = {
    "Northmere County Council", "Eastholm Borough Council", "Fenwick City Council",
    "Saltby District Council", "Harrowdale Council"};

constexpr std::array<std::string_view, 24> district_names = {
    "Northgate",   "Saltmarsh",   "Harbourside", "Eastcliff", "Westfield",  "Kingsmead",
    "Ferry Hill",  "Dunmoor",     "Sandhaven",   "Old Town",  "Millbrook",  "Rookwood",
    "Beacon Hill", "Longshore",   "Pier End",    "Marshside", "Greystones", "Cliff Park",
    "Southdene",   "Abbeyfields", "Brackley",    "Tidewater", "Lanthorn",   "Copperfield"};

constexpr std::array<std::string_view, 20> street_words = {
    "Harbour", "Station", "Church", "Mill",  "Victoria", "Albert",    "Queen",
    "King",    "Park",    "Marine", "Cliff", "Beach",    "Market",    "Chapel",
    "School",  "North",   "South",  "Ferry", "Anchor",   "Lighthouse"};
constexpr std::array<std::string_view, 6> street_kinds = {"Road",  "Street", "Lane",
                                                          "Close", "Avenue", "Terrace"};

constexpr std::array<std::string_view, 12> home_names = {
    "Oak House",   "Willow Lodge", "Beech House", "Harbour View", "Elm Lodge",   "Cedar House",
    "Rowan House", "Ash Lodge",    "Maple House", "Birch Lodge",  "Holly House", "Larch House"};

constexpr std::array<std::string_view, 8> food_names = {
    "Chicken Shack", "Golden Fry",        "Pizza Palace", "Harbour Chippy",
    "Kebab King",    "Dragon Noodle Bar", "Burger Stop",  "Corner Cafe"};
constexpr std::array<std::string_view, 6> pub_names = {
    "The Anchor", "The Crown", "The Ship", "The Lighthouse", "The Fisherman", "The Red Lion"};
constexpr std::array<std::string_view, 6> shop_names = {
    "Late Shop", "Vape Corner", "Mini Mart", "Phone Fix", "Discount Store", "News & Booze"};
constexpr std::array<std::string_view, 8> park_names = {
    "Marine Park",   "Victoria Park",    "Rec Ground",   "Skate Park",
    "Cliff Gardens", "Millbrook Fields", "Beacon Woods", "Sandhaven Green"};
constexpr std::array<std::string_view, 6> vehicle_makes = {"Ford",       "Vauxhall", "BMW",
                                                           "Volkswagen", "Audi",     "Mercedes"};
constexpr std::array<std::string_view, 6> colours = {"black", "silver", "white",
                                                     "grey",  "blue",   "red"};

std::string padded(std::int64_t value, int width) {
    std::string text = std::to_string(value);
    if (static_cast<int>(text.size()) < width) {
        text.insert(0, static_cast<std::size_t>(width) - text.size(), '0');
    }
    return text;
}

// A neighbourhood's name, unique however many there are.
std::string district_name(int n) {
    const auto base = district_names[static_cast<std::size_t>(n) % district_names.size()];
    const int round = n / static_cast<int>(district_names.size());
    return round == 0 ? std::string(base) : std::string(base) + " " + std::to_string(round + 1);
}

class Builder {
public:
    explicit Builder(const SynthParams& params) {
        m_world.params = params;
        m_world.spec = scale_spec(params.scale, params.years);
        m_world.zone = date::locate_zone("Europe/London");
        // A fixed end keeps worlds byte-identical whatever day they are made.
        m_world.end = sys_days{year{2026} / October / 1};
        m_world.start =
            sys_days{year_month_day{year{2026} / October / 1} - years{m_world.spec.years}};
    }

    World build() {
        make_geography();
        make_children();
        make_adults();
        make_groups();
        make_episodes();
        plant_hotspots();
        return std::move(m_world);
    }

private:
    // ---- geography ----------------------------------------------------------

    int add_place(Place place) {
        m_world.places.push_back(std::move(place));
        return static_cast<int>(m_world.places.size()) - 1;
    }

    std::pair<double, double> cell_centre(int n) const {
        const int side = static_cast<int>(std::ceil(std::sqrt(m_world.spec.neighbourhoods)));
        const int row = n / side;
        const int col = n % side;
        return {centre_x + (col - side / 2.0 + 0.5) * cell,
                centre_y + (row - side / 2.0 + 0.5) * cell};
    }

    // A point in neighbourhood n with its nearest postcode.
    Place placed(Rng& rng, int n, std::string label, m::PlaceType type) {
        const auto [cx, cy] = cell_centre(n);
        Place place;
        place.x = std::round(cx + rng.uniform(-450, 450));
        place.y = std::round(cy + rng.uniform(-450, 450));
        place.label = std::move(label);
        place.type = type;
        place.neighbourhood = n;
        place.postcode = nearest_postcode(n, place.x, place.y);
        return place;
    }

    std::string nearest_postcode(int n, double x, double y) const {
        const auto& codes = m_postcodes_by_cell[static_cast<std::size_t>(n)];
        int best = codes.front();
        double best_d = 1e300;
        for (const int code : codes) {
            const Place& p = m_world.places[static_cast<std::size_t>(code)];
            const double d = (p.x - x) * (p.x - x) + (p.y - y) * (p.y - y);
            if (d < best_d) {
                best_d = d;
                best = code;
            }
        }
        return m_world.places[static_cast<std::size_t>(best)].key;
    }

    int add_named(Rng& rng, int n, std::string label, m::PlaceType type, bool restricted = false) {
        Place place = placed(rng, n, std::move(label), type);
        place.key = "PL-" + padded(++m_place_ids, 5);
        place.key_type = m::GazetteerKeyType::place;
        place.restricted = restricted;
        return add_place(std::move(place));
    }

    int add_address(Rng& rng, int n, m::PlaceType type, bool restricted, std::string label = {}) {
        // An address no other place has: house numbers are drawn again on a
        // clash, and numbered as a last resort.
        for (int attempt = 0; label.empty() && attempt < 8; ++attempt) {
            std::string address = std::to_string(rng.between(1, 180)) + " " +
                                  std::string(street_words[rng.index(street_words.size())]) + " " +
                                  std::string(street_kinds[rng.index(street_kinds.size())]) + ", " +
                                  district_name(n);
            if (m_labels.insert(address).second) {
                label = std::move(address);
            } else if (attempt == 7) {
                label = unique(std::move(address), -1);
            }
        }
        Place place = placed(rng, n, std::move(label), type);
        place.key = "99" + padded(++m_uprns, 10);
        place.key_type = m::GazetteerKeyType::uprn;
        place.restricted = restricted;
        return add_place(std::move(place));
    }

    // Unique labels, so that label matching is exact: repeats get the district.
    std::string unique(std::string label, int n) {
        if (m_labels.insert(label).second) {
            return label;
        }
        if (n >= 0) {
            label += ", " + district_name(n);
            if (m_labels.insert(label).second) {
                return label;
            }
        }
        for (int i = 2;; ++i) {
            std::string numbered = label + " (" + std::to_string(i) + ")";
            if (m_labels.insert(numbered).second) {
                return numbered;
            }
        }
    }

    // A UK outward code has a district of at most two digits, so the areas
    // run ZZ1..ZZ99, ZY1..ZY99, … (the first 99 neighbourhoods keep the ZZ
    // codes of small and force worlds).
    static std::string outward_code(int neighbourhood) {
        constexpr int districts = 99;
        if (neighbourhood >= 26 * districts) {
            throw Error("synth: too many neighbourhoods for fictitious postcode areas");
        }
        return std::string{'Z', static_cast<char>('Z' - neighbourhood / districts)} +
               std::to_string(neighbourhood % districts + 1);
    }

    void make_geography() {
        Rng rng(m_world.params.seed, geography);
        const int cells = m_world.spec.neighbourhoods;
        auto& idx = m_world.index;
        m_postcodes_by_cell.resize(static_cast<std::size_t>(cells));
        // Postcodes: <area><district> <sector><unit>, a dozen a neighbourhood.
        for (int n = 0; n < cells; ++n) {
            const auto [cx, cy] = cell_centre(n);
            for (int k = 0; k < 12; ++k) {
                Place code;
                code.key = outward_code(n) + " " + std::to_string(k % 10) +
                           static_cast<char>('A' + (k * 7 + n) % 26) +
                           static_cast<char>('A' + (k * 3 + n * 5) % 26);
                code.key_type = m::GazetteerKeyType::postcode;
                code.x = std::round(cx + rng.uniform(-450, 450));
                code.y = std::round(cy + rng.uniform(-450, 450));
                code.postcode = code.key;
                code.neighbourhood = n;
                code.type = m::PlaceType::street;
                const int at = add_place(std::move(code));
                idx.postcodes.push_back(at);
                m_postcodes_by_cell[static_cast<std::size_t>(n)].push_back(at);
            }
        }
        const int middle = cells / 2 + static_cast<int>(std::ceil(std::sqrt(cells))) / 2;
        const int town = std::min(middle, cells - 1);
        // The town centre: streets, transport, shops, food and pubs.
        for (std::string_view street : {"High Street", "Market Square", "Harbour Parade"}) {
            idx.town_centre.push_back(
                add_named(rng, town, unique(std::string(street), town), m::PlaceType::street));
        }
        idx.transport.push_back(
            add_named(rng, town, unique("Bus Station", town), m::PlaceType::transport));
        m_found_hotspot = idx.transport.back(); // where police find many children
        idx.transport.push_back(
            add_named(rng, town, unique("Railway Station", town), m::PlaceType::transport));
        idx.health.push_back(
            add_named(rng, town, unique("Waymark Bay Hospital", town), m::PlaceType::health));
        for (int n = 0; n < cells; ++n) {
            if (n % 2 == 0) {
                idx.schools.push_back(add_named(rng, n, unique(district_name(n) + " Academy", n),
                                                m::PlaceType::school));
                idx.parks.push_back(add_named(
                    rng, n, unique(std::string(park_names[rng.index(park_names.size())]), n),
                    m::PlaceType::park));
            }
            for (int k = 0; k < 2; ++k) {
                idx.food.push_back(add_named(
                    rng, n, unique(std::string(food_names[rng.index(food_names.size())]), n),
                    m::PlaceType::food_outlet));
            }
            idx.licensed.push_back(
                add_named(rng, n, unique(std::string(pub_names[rng.index(pub_names.size())]), n),
                          m::PlaceType::licensed_premises));
            idx.retail.push_back(
                add_named(rng, n, unique(std::string(shop_names[rng.index(shop_names.size())]), n),
                          m::PlaceType::retail));
            if (n % 8 == 3) {
                idx.transport.push_back(add_named(rng, n, unique(district_name(n) + " Bus Stop", n),
                                                  m::PlaceType::transport));
            }
        }
        for (int h = 0; h < m_world.spec.childrens_homes; ++h) {
            const int n = static_cast<int>(rng.index(static_cast<std::size_t>(cells)));
            const std::string name(home_names[static_cast<std::size_t>(h) % home_names.size()]);
            idx.childrens_homes.push_back(
                add_named(rng, n, unique(name, n), m::PlaceType::placement, true));
        }
        const int supported = std::max(1, cells / 10);
        for (int s = 0; s < supported; ++s) {
            const int n = static_cast<int>(rng.index(static_cast<std::size_t>(cells)));
            idx.supported.push_back(
                add_named(rng, n, unique("Foyer Court", n), m::PlaceType::placement, true));
        }
        idx.refuges.push_back(
            add_named(rng, static_cast<int>(rng.index(static_cast<std::size_t>(cells))),
                      unique("Safe Harbour Refuge", 0), m::PlaceType::other, true));
    }

    int random_cell(Rng& rng) const {
        return static_cast<int>(rng.index(static_cast<std::size_t>(m_world.spec.neighbourhoods)));
    }

    // ---- children ---------------------------------------------------------

    void make_children() {
        const int count = m_world.spec.children;
        m_world.children.reserve(static_cast<std::size_t>(count));
        static constexpr std::array<double, 10> age_weights = {1, 1, 2, 3, 5, 8, 12, 16, 18, 16};
        for (int i = 0; i < count; ++i) {
            Rng rng(m_world.params.seed, child_stream + static_cast<std::uint64_t>(i));
            Child c;
            c.id = "C-" + padded(i + 1, 6);
            const double s = rng.uniform();
            c.sex = s < 0.52   ? m::Sex::female
                    : s < 0.98 ? m::Sex::male
                    : s < 0.99 ? m::Sex::other
                               : m::Sex::unknown;
            c.given = std::string(given_name(c.sex, rng));
            c.family = std::string(family_name(rng));
            c.nickname = std::string(nickname_of(c.given, rng));
            const int age = 8 + static_cast<int>(rng.weighted(age_weights));
            c.dob = birthday_for_age(rng, age);

            const double placement = rng.uniform();
            if (age >= 16 && placement < 0.08) {
                c.setting = m::Setting::supported_accommodation;
            } else if (placement < 0.20) {
                c.setting = m::Setting::childrens_home;
            } else if (placement < 0.40) {
                c.setting = m::Setting::foster_care;
            } else {
                c.setting = m::Setting::home;
            }
            c.looked_after = c.setting != m::Setting::home;
            c.responsible_authority = std::string(our_authority);
            const int n = random_cell(rng);
            if (c.looked_after) {
                const double area = rng.uniform();
                c.placement_area = area < 0.7   ? m::PlacementArea::in_area
                                   : area < 0.9 ? m::PlacementArea::placed_in
                                                : m::PlacementArea::out_of_area;
                if (c.placement_area == m::PlacementArea::placed_in) {
                    c.responsible_authority =
                        std::string(other_authorities[rng.index(other_authorities.size())]);
                }
            }
            const bool teen = age >= 13;
            const double care_factor = c.setting == m::Setting::childrens_home ? 2.5 : 1.0;
            c.cse = teen && rng.chance((c.sex == m::Sex::female ? 0.05 : 0.01) * care_factor);
            c.cce =
                teen && !c.cse && rng.chance((c.sex == m::Sex::male ? 0.05 : 0.01) * care_factor);
            c.uasc = age >= 14 && c.looked_after && rng.chance(0.04);
            c.trafficked = (c.uasc && rng.chance(0.3)) || (c.cse && rng.chance(0.05));

            if (c.placement_area == m::PlacementArea::out_of_area) {
                c.home = add_away_placement(rng);
            } else {
                switch (c.setting) {
                case m::Setting::childrens_home:
                    c.home = rng.pick(m_world.index.childrens_homes);
                    break;
                case m::Setting::supported_accommodation:
                    c.home = rng.pick(m_world.index.supported);
                    break;
                case m::Setting::foster_care:
                    c.home = add_address(rng, n, m::PlaceType::placement, true);
                    m_world.index.foster_homes.push_back(c.home);
                    break;
                default:
                    c.home = add_address(rng, n, m::PlaceType::home, false);
                    m_world.index.homes.push_back(c.home);
                    break;
                }
            }
            c.school =
                nearest(m_world.index.schools, m_world.places[static_cast<std::size_t>(c.home)]);

            // Heavy-tailed propensity: most children rarely or never go
            // missing, a few very often (log-normal, sigma 2.2).
            double rate = std::exp(rng.normal(0.0, 2.2));
            rate *= c.setting == m::Setting::childrens_home            ? 3.0
                    : c.setting == m::Setting::supported_accommodation ? 2.0
                    : c.setting == m::Setting::foster_care             ? 1.2
                                                                       : 0.6;
            rate *= (c.cse || c.cce) ? 2.5 : 1.0;
            rate *= teen ? 1.5 : 0.6;
            c.rate = rate;
            m_world.children.push_back(std::move(c));
        }
    }

    // A date of birth giving exactly `age` whole years at the period's end.
    m::Date birthday_for_age(Rng& rng, int age) const {
        const year_month_day end{floor<days>(m_world.end)};
        return sys_days{end - years{age}} - days{rng.between(1, 364)};
    }

    int add_away_placement(Rng& rng) {
        Place place;
        place.x = std::round(away_x + rng.uniform(-3000, 3000));
        place.y = std::round(away_y + rng.uniform(-3000, 3000));
        place.key = "99" + padded(++m_uprns, 10);
        // Labelled by address, so that a label names one place only.
        place.label = std::to_string(rng.between(1, 180)) + " " +
                      std::string(street_words[rng.index(street_words.size())]) + " " +
                      std::string(street_kinds[rng.index(street_kinds.size())]) + ", Farhaven";
        place.label = unique(place.label, -1);
        place.type = m::PlaceType::placement;
        place.restricted = true;
        place.key_type = m::GazetteerKeyType::uprn;
        place.postcode = "";
        return add_place(std::move(place));
    }

    int nearest(const std::vector<int>& candidates, const Place& to) const {
        int best = candidates.front();
        double best_d = 1e300;
        for (const int p : candidates) {
            const Place& q = m_world.places[static_cast<std::size_t>(p)];
            const double d = (q.x - to.x) * (q.x - to.x) + (q.y - to.y) * (q.y - to.y);
            if (d < best_d) {
                best_d = d;
                best = p;
            }
        }
        return best;
    }

    // ---- adults ---------------------------------------------------------------

    void make_adults() {
        const int planted = m_world.spec.adults_of_concern;
        const int total = planted + m_world.spec.other_adults;
        for (int i = 0; i < total; ++i) {
            Rng rng(m_world.params.seed, adult_stream + static_cast<std::uint64_t>(i));
            Adult a;
            a.id = "P-" + padded(i + 1, 6);
            a.of_concern = i < planted;
            a.sex = rng.chance(0.85) ? m::Sex::male : m::Sex::female;
            a.given = std::string(given_name(a.sex, rng));
            a.family = std::string(family_name(rng));
            a.dob = birthday_for_age(rng, static_cast<int>(rng.between(19, 45)));
            a.aliases.emplace_back(street_name(rng));
            if (a.of_concern) {
                const int addresses = rng.chance(0.4) ? 2 : 1;
                for (int k = 0; k < addresses; ++k) {
                    const int n = random_cell(rng);
                    const std::string label =
                        std::string(k == 0 ? "Flat above " : "Rear of ") +
                        std::string(shop_names[rng.index(shop_names.size())]) + ", " +
                        district_name(n);
                    const int at = add_address(rng, n, m::PlaceType::address_of_concern, false,
                                               unique(label, n));
                    a.addresses.push_back(at);
                    m_world.index.addresses_of_concern.push_back(at);
                }
            }
            if (a.of_concern || rng.chance(0.3)) {
                a.vehicle.vrm = "ZZ" + padded(rng.between(51, 75), 2) +
                                static_cast<char>('A' + rng.between(0, 25)) +
                                static_cast<char>('A' + rng.between(0, 25)) +
                                static_cast<char>('A' + rng.between(0, 25));
                a.vehicle.make = std::string(vehicle_makes[rng.index(vehicle_makes.size())]);
                a.vehicle.colour = std::string(colours[rng.index(colours.size())]);
            }
            m_world.adults.push_back(std::move(a));
        }
    }

    // ---- peer groups ----------------------------------------------------------

    void make_groups() {
        Rng rng(m_world.params.seed, group_stream);
        // Candidates: teenagers, grouped by where they live or go to school.
        std::vector<int> teens;
        for (int i = 0; i < static_cast<int>(m_world.children.size()); ++i) {
            const Child& c = m_world.children[static_cast<std::size_t>(i)];
            if (floor<days>(m_world.end) - c.dob >= days{365 * 12} &&
                c.placement_area != m::PlacementArea::out_of_area) {
                teens.push_back(i);
            }
        }
        rng.shuffle(teens);
        std::size_t next = 0;
        const int planted = m_world.spec.adults_of_concern;
        for (int g = 0; g < m_world.spec.peer_groups && next + 3 <= teens.size(); ++g) {
            PeerGroup group;
            const int size = static_cast<int>(rng.between(3, 6));
            // Seed the group with one teenager, then add others from the same
            // home or school, falling back to anyone.
            const int seed_child = teens[next++];
            group.members.push_back(seed_child);
            const Child& first = m_world.children[static_cast<std::size_t>(seed_child)];
            for (std::size_t k = next;
                 k < teens.size() && static_cast<int>(group.members.size()) < size; ++k) {
                const Child& c = m_world.children[static_cast<std::size_t>(teens[k])];
                if (c.home == first.home || c.school == first.school) {
                    std::swap(teens[k], teens[next]);
                    group.members.push_back(teens[next++]);
                }
            }
            while (static_cast<int>(group.members.size()) < size && next < teens.size()) {
                group.members.push_back(teens[next++]);
            }
            group.hangout = rng.chance(0.5) ? rng.pick(m_world.index.parks)
                                            : rng.pick(m_world.index.town_centre);
            // Each adult of concern draws two or three groups: the first
            // groups go to the adults in turn.
            if (planted > 0 && g < planted * 5 / 2) {
                group.adult = g % planted;
                m_world.adults[static_cast<std::size_t>(group.adult)].groups.push_back(g);
            }
            for (const int member : group.members) {
                Child& c = m_world.children[static_cast<std::size_t>(member)];
                c.group = g;
                if (group.adult >= 0) {
                    // The adult's kind of exploitation marks the group.
                    if (group.adult % 2 == 0) {
                        c.cse = true;
                    } else {
                        c.cce = true;
                    }
                }
            }
            m_world.groups.push_back(std::move(group));
        }
    }

    // ---- episodes ---------------------------------------------------------------

    // Weight of a local calendar day: weekends and school holidays peak.
    static double day_weight(year_month_day day) {
        const weekday wd{sys_days{day}};
        double weight = (wd == Friday || wd == Saturday) ? 1.5 : wd == Sunday ? 1.2 : 1.0;
        const unsigned mo = static_cast<unsigned>(day.month());
        const unsigned d = static_cast<unsigned>(day.day());
        const bool holiday = (mo == 8) || (mo == 7 && d >= 22) || (mo == 12 && d >= 20) ||
                             (mo == 1 && d <= 3) || (mo == 4 && d <= 14) || (mo == 10 && d >= 23) ||
                             (mo == 2 && d >= 14 && d <= 21) || (mo == 5 && d >= 27) ||
                             (mo == 6 && d <= 2);
        return holiday ? weight * 1.3 : weight;
    }

    // A local day in the period, drawn by day_weight (rejection sampling).
    date::local_days draw_day(Rng& rng) const {
        const auto first = floor<days>(m_world.start);
        const auto span = (floor<days>(m_world.end) - first).count();
        for (;;) {
            const sys_days day = first + days{rng.between(0, span - 1)};
            if (rng.uniform() * 1.95 < day_weight(year_month_day{day})) {
                return date::local_days{day.time_since_epoch()};
            }
        }
    }

    // Hour of the day a child was last seen (local): evenings and nights peak.
    static int draw_hour(Rng& rng) {
        static constexpr std::array<double, 24> weights = {4, 3, 2, 1, 1, 1, 1, 2,  3,  3, 3, 3,
                                                           4, 4, 5, 6, 7, 8, 9, 10, 10, 9, 7, 5};
        return static_cast<int>(rng.weighted(weights));
    }

    m::Timestamp to_utc(date::local_seconds local) const {
        return floor<seconds>(m_world.zone->to_sys(local, date::choose::earliest));
    }

    // Hours missing: mostly hours, some overnight, a few days, rarely over a week.
    static double draw_duration_hours(Rng& rng, bool exploited) {
        const double u = rng.uniform();
        const double long_share = exploited ? 2.0 : 1.0;
        if (u < 0.02 * long_share) {
            return rng.uniform(72, 240); // 3 to 10 days
        }
        if (u < 0.10 * long_share) {
            return rng.uniform(24, 72);
        }
        if (u < 0.40) {
            return std::exp(rng.normal(std::log(14.0), 0.3)); // overnight
        }
        return std::max(0.5, std::exp(rng.normal(std::log(4.0), 0.6)));
    }

    int draw_public_place(Rng& rng, bool found) const {
        const auto& idx = m_world.index;
        // Finds favour transport (the bus station above all: the planted
        // "found" hotspot); visits favour the town centre and parks.
        static constexpr std::array<double, 7> found_weights = {15, 15, 30, 12, 18, 5, 5};
        static constexpr std::array<double, 7> visit_weights = {25, 20, 10, 15, 20, 5, 5};
        switch (rng.weighted(found ? found_weights : visit_weights)) {
        case 0:
            return rng.pick(idx.town_centre);
        case 1:
            return rng.pick(idx.parks);
        case 2: // the planted "found" hotspot: the bus station takes most transport finds
            return found && rng.chance(0.8) ? m_found_hotspot : rng.pick(idx.transport);
        case 3:
            return rng.pick(idx.food);
        case 4:
            return idx.homes.empty() ? rng.pick(idx.food) : rng.pick(idx.homes); // a friend's
        case 5:
            return rng.pick(idx.licensed);
        default:
            return rng.pick(idx.retail);
        }
    }

    static LocationStyle draw_style(Rng& rng, const Place& place) {
        const double u = rng.uniform();
        if (place.key_type == m::GazetteerKeyType::uprn) {
            return u < 0.55   ? LocationStyle::place_id
                   : u < 0.75 ? LocationStyle::postcode
                   : u < 0.90 ? LocationStyle::xy
                   : u < 0.95 ? LocationStyle::lat_lon
                              : LocationStyle::label;
        }
        return u < 0.45   ? LocationStyle::place_id
               : u < 0.70 ? LocationStyle::label
               : u < 0.88 ? LocationStyle::xy
                          : LocationStyle::lat_lon;
    }

    m::RiskGrade grade(Rng& rng, const Child& c, int history, bool adult, double hours) const {
        const int age =
            static_cast<int>(duration_cast<years>(floor<days>(m_world.end) - c.dob).count());
        double score = rng.normal(0.0, 0.8);
        score += age < 12 ? 1.2 : age < 14 ? 0.5 : 0.0;
        score += c.looked_after ? 0.3 : 0.0;
        score += (c.cse || c.cce) ? 1.2 : 0.0;
        score += adult ? 1.0 : 0.0;
        score += history > 10 ? 0.6 : history > 3 ? 0.3 : 0.0;
        score += hours > 24 ? 0.5 : 0.0;
        return score < -0.8  ? m::RiskGrade::no_apparent_risk
               : score < 0.4 ? m::RiskGrade::low
               : score < 1.6 ? m::RiskGrade::medium
                             : m::RiskGrade::high;
    }

    // One episode of child `ci` starting at `local_start`.
    EpisodeSpec make_episode(Rng& rng, int ci, date::local_seconds local_start, double hours) {
        const Child& c = m_world.children[static_cast<std::size_t>(ci)];
        EpisodeSpec e;
        e.child = ci;
        e.last_seen = to_utc(local_start);
        // Whole minutes, as records are kept. A child who came back within
        // hours was still reported before coming back: a report comes first.
        const double report_delay_h =
            std::min(c.looked_after ? rng.uniform(0.3, 2.0) : rng.uniform(0.5, 8.0), hours / 2.0);
        e.reported = e.last_seen + minutes{static_cast<std::int64_t>(report_delay_h * 60)};
        const m::Timestamp back = e.last_seen + minutes{static_cast<std::int64_t>(hours * 60)};
        if (back < m_world.end) {
            e.returned = back;
        }
        e.from = c.home;
        e.cse = c.cse;
        e.cce = c.cce;
        e.police_ref = "WB-" + padded(rng.between(100000, 999999), 6);
        return e;
    }

    // `recovered`: the police or a professional found the child at the place
    // (as when children are recovered from an address of concern).
    void finish_found(Rng& rng, EpisodeSpec& e, const Child& c, int found_place,
                      bool recovered = false) {
        const double u = rng.uniform();
        e.returned_by = u < 0.40   ? m::ReturnedBy::self
                        : u < 0.65 ? m::ReturnedBy::police
                        : u < 0.80 ? (c.looked_after ? m::ReturnedBy::professional
                                                     : m::ReturnedBy::parent_carer)
                        : u < 0.95 ? m::ReturnedBy::professional
                                   : m::ReturnedBy::other;
        if (!e.returned) {
            e.returned_by.reset();
            return;
        }
        if (recovered && e.returned_by == m::ReturnedBy::self) {
            e.returned_by = m::ReturnedBy::police;
        }
        const bool located =
            found_place >= 0 && (e.returned_by != m::ReturnedBy::self || rng.chance(0.3));
        e.found = located ? found_place : -1;
        if (e.returned_by == m::ReturnedBy::police || rng.chance(0.7)) {
            e.safe_and_well = !rng.chance(0.08);
        } else if (rng.chance(0.5)) {
            e.safe_and_well = false;
        }
        e.from_style = draw_style(rng, m_world.places[static_cast<std::size_t>(e.from)]);
        if (e.found >= 0) {
            e.found_style = draw_style(rng, m_world.places[static_cast<std::size_t>(e.found)]);
        }
    }

    void make_episodes() {
        const auto years_count = static_cast<double>(m_world.spec.years);
        // Group events take about a fifth of the episodes; solo episodes the rest.
        double total_rate = 0.0;
        for (const Child& c : m_world.children) {
            total_rate += c.rate;
        }
        std::int64_t group_episodes = 0;
        std::vector<std::vector<std::pair<date::local_seconds, int>>> events(m_world.groups.size());
        for (std::size_t g = 0; g < m_world.groups.size(); ++g) {
            Rng rng(m_world.params.seed, group_stream + 1 + g);
            // Several times a year; at least three times, so that every group is visible.
            const int count = std::max(3, rng.poisson(rng.uniform(4, 10) * years_count));
            for (int k = 0; k < count; ++k) {
                const date::local_days day = draw_day(rng);
                const int hour = 17 + static_cast<int>(rng.between(0, 5));
                events[g].push_back({day + hours{hour} + minutes{rng.between(0, 59)}, k});
                // About 85% of the members go each time (see the events below).
                group_episodes += static_cast<std::int64_t>(
                    std::lround(0.85 * static_cast<double>(m_world.groups[g].members.size())));
            }
        }
        const double solo_target =
            std::max(0.0, m_world.spec.target_episodes - static_cast<double>(group_episodes));
        // Rates are capped, so the scale that meets the target is found by a
        // few rounds of rescaling what the capped rates leave short.
        constexpr double max_rate_per_year = 150.0;
        double scale = total_rate > 0 ? solo_target / (total_rate * years_count) : 0.0;
        for (int round = 0; round < 4 && total_rate > 0; ++round) {
            double expected = 0.0;
            for (const Child& c : m_world.children) {
                expected += std::min(c.rate * scale, max_rate_per_year) * years_count;
            }
            if (expected <= 0.0) {
                break;
            }
            scale *= solo_target / expected;
        }

        // Solo episodes, child by child.
        for (int ci = 0; ci < static_cast<int>(m_world.children.size()); ++ci) {
            Rng rng(m_world.params.seed, episode_stream + static_cast<std::uint64_t>(ci));
            const Child& c = m_world.children[static_cast<std::size_t>(ci)];
            const double rate = std::min(c.rate * scale, max_rate_per_year);
            const int count = rng.poisson(rate * years_count);
            for (int k = 0; k < count; ++k) {
                const date::local_days day = draw_day(rng);
                const date::local_seconds start =
                    day + hours{draw_hour(rng)} + minutes{rng.between(0, 59)};
                const bool exploited = c.cse || c.cce;
                const double duration = draw_duration_hours(rng, exploited);
                EpisodeSpec e = make_episode(rng, ci, start, duration);
                // A few children living at home go missing from school.
                if (c.setting == m::Setting::home && rng.chance(0.02)) {
                    e.from = c.school;
                }
                // An exploited child in a planted group is often with the adult.
                const PeerGroup* group =
                    c.group >= 0 ? &m_world.groups[static_cast<std::size_t>(c.group)] : nullptr;
                int found_place = draw_public_place(rng, true);
                if (group && group->adult >= 0 && rng.chance(0.35)) {
                    const Adult& a = m_world.adults[static_cast<std::size_t>(group->adult)];
                    e.adult = group->adult;
                    found_place = rng.pick(a.addresses);
                    e.visited.push_back(found_place);
                    if (duration > 8) {
                        e.slept = found_place;
                    }
                } else {
                    e.visited.push_back(draw_public_place(rng, false));
                    if (rng.chance(0.4)) {
                        e.visited.push_back(draw_public_place(rng, false));
                    }
                    if (duration > 8) {
                        e.slept = rng.chance(0.6) && !m_world.index.homes.empty()
                                      ? rng.pick(m_world.index.homes)
                                      : rng.pick(m_world.index.town_centre);
                    }
                }
                e.risk = grade(rng, c, k, e.adult >= 0, duration);
                finish_found(rng, e, c, found_place);
                m_world.episodes.push_back(std::move(e));
            }
        }

        // Group events: the members go missing the same evening, within an
        // hour or two of each other, and are found together.
        for (std::size_t g = 0; g < m_world.groups.size(); ++g) {
            Rng rng(m_world.params.seed, group_stream + (1ULL << 20) + g);
            const PeerGroup& group = m_world.groups[g];
            for (const auto& [start, k] : events[g]) {
                std::vector<int> present;
                for (const int member : group.members) {
                    if (rng.chance(0.85)) {
                        present.push_back(member);
                    }
                }
                if (present.size() < 2) {
                    continue;
                }
                const bool with_adult = group.adult >= 0 && rng.chance(0.75);
                const Adult* adult =
                    with_adult ? &m_world.adults[static_cast<std::size_t>(group.adult)] : nullptr;
                const int found_place = adult ? rng.pick(adult->addresses) : group.hangout;
                const double hours_common = with_adult ? rng.uniform(10, 40) : rng.uniform(3, 16);
                const int event_index = static_cast<int>(m_world.episodes.size());
                for (const int member : present) {
                    const Child& c = m_world.children[static_cast<std::size_t>(member)];
                    const date::local_seconds own_start = start + minutes{rng.between(-60, 60)};
                    const double own_hours = std::max(1.0, hours_common + rng.uniform(-2, 2));
                    EpisodeSpec e = make_episode(rng, member, own_start, own_hours);
                    e.group_event = event_index;
                    for (const int other : present) {
                        if (other != member) {
                            e.companions.push_back(other);
                        }
                    }
                    e.record_missing_with = rng.chance(0.6);
                    e.visited.push_back(group.hangout);
                    if (adult) {
                        e.adult = group.adult;
                        e.visited.push_back(found_place);
                        if (own_hours > 8) {
                            e.slept = found_place;
                        }
                    } else if (own_hours > 8) {
                        e.slept = group.hangout;
                    }
                    e.risk = grade(rng, c, k, adult != nullptr, own_hours);
                    finish_found(rng, e, c, found_place, adult != nullptr && rng.chance(0.8));
                    m_world.episodes.push_back(std::move(e));
                }
            }
        }

        // In order of reporting, as a police export would be; ids follow.
        std::vector<std::size_t> order(m_world.episodes.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::stable_sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) {
            return m_world.episodes[a].reported < m_world.episodes[b].reported;
        });
        std::vector<EpisodeSpec> sorted;
        sorted.reserve(order.size());
        std::vector<int> new_index(order.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            new_index[order[i]] = static_cast<int>(i);
            sorted.push_back(std::move(m_world.episodes[order[i]]));
        }
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            EpisodeSpec& e = sorted[i];
            e.id = "E-" + padded(static_cast<std::int64_t>(i) + 1, 7);
            if (e.group_event >= 0) {
                e.group_event = new_index[static_cast<std::size_t>(e.group_event)];
            }
        }
        m_world.episodes = std::move(sorted);
    }

    void plant_hotspots() {
        // Group homes: children's homes and supported accommodation.
        m_world.from_hotspots = m_world.index.childrens_homes;
        m_world.from_hotspots.insert(m_world.from_hotspots.end(), m_world.index.supported.begin(),
                                     m_world.index.supported.end());
        m_world.found_hotspots = m_world.index.addresses_of_concern;
        m_world.found_hotspots.push_back(m_found_hotspot);
        m_world.visited_hotspots = m_world.index.addresses_of_concern;
        for (const PeerGroup& group : m_world.groups) {
            if (group.adult >= 0 &&
                std::find(m_world.visited_hotspots.begin(), m_world.visited_hotspots.end(),
                          group.hangout) == m_world.visited_hotspots.end()) {
                m_world.visited_hotspots.push_back(group.hangout);
            }
        }
    }

    World m_world;
    std::vector<std::vector<int>> m_postcodes_by_cell;
    std::set<std::string> m_labels;
    std::int64_t m_place_ids = 0;
    std::int64_t m_uprns = 0;
    int m_found_hotspot = -1;
};

} // namespace

Scale parse_scale(std::string_view text) {
    if (text == "small") {
        return Scale::small;
    }
    if (text == "force") {
        return Scale::force;
    }
    if (text == "national") {
        return Scale::national;
    }
    throw InputError("unknown scale '" + std::string(text) +
                     "' (expected one of: small, force, national)");
}

std::string_view to_string(Scale scale) {
    switch (scale) {
    case Scale::small:
        return "small";
    case Scale::force:
        return "force";
    case Scale::national:
        return "national";
    }
    return "small";
}

ScaleSpec scale_spec(Scale scale, int years_override) {
    ScaleSpec spec;
    double episodes_per_year = 0;
    switch (scale) {
    case Scale::small:
        spec = {300, 0, 1, 9, 4, 6, 3, 10, 60};
        episodes_per_year = 1500;
        break;
    case Scale::force:
        spec = {8000, 0, 3, 49, 25, 60, 15, 150, 600};
        episodes_per_year = 25000.0 / 3.0;
        break;
    case Scale::national:
        spec = {300000, 0, 3, 400, 600, 1500, 300, 3000, 15000};
        episodes_per_year = 1000000.0 / 3.0;
        break;
    }
    if (years_override > 0) {
        spec.years = years_override;
    }
    spec.target_episodes = static_cast<int>(std::lround(episodes_per_year * spec.years));
    return spec;
}

World build_world(const SynthParams& params) {
    return Builder(params).build();
}

model::Location location_of(const World& world, int place, LocationStyle style, double jitter_m,
                            std::uint64_t salt) {
    const Place& p = world.places[static_cast<std::size_t>(place)];
    model::Location location;
    location.type = p.type;
    Rng rng(world.params.seed, location_stream ^ mix64(salt));
    const double x = std::round(p.x + rng.uniform(-jitter_m, jitter_m));
    const double y = std::round(p.y + rng.uniform(-jitter_m, jitter_m));
    switch (style) {
    case LocationStyle::xy:
        location.x = x;
        location.y = y;
        location.crs = model::british_national_grid;
        break;
    case LocationStyle::lat_lon: {
        // One transformation per thread: PROJ objects are not thread-safe.
        thread_local const auto transform = [] {
            const auto bng = gdal::SpatialReference::from_epsg(27700);
            const auto wgs84 = gdal::SpatialReference::from_epsg(4326);
            return std::make_unique<gdal::CoordinateTransformation>(bng, wgs84);
        }();
        double lon = x;
        double lat = y;
        transform->transform(lon, lat);
        location.lat = std::round(lat * 1e6) / 1e6;
        location.lon = std::round(lon * 1e6) / 1e6;
        break;
    }
    case LocationStyle::place_id:
        location.place_id = p.key_type == model::GazetteerKeyType::postcode ? "" : p.key;
        if (location.place_id.empty()) {
            location.postcode = p.postcode;
        }
        break;
    case LocationStyle::postcode:
        location.postcode = p.postcode;
        if (location.postcode.empty()) { // places outside the town have none
            location.place_id = p.key;
        }
        break;
    case LocationStyle::label:
        location.label = p.label;
        break;
    }
    if (style != LocationStyle::label && rng.chance(0.5)) {
        location.label = p.label; // often written for display alongside
    }
    return location;
}

} // namespace waymark::synth
