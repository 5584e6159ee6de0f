// Location resolution (issue 4, point 3): postcode normalisation, the
// gazetteer index, and resolving every episode location of a synthetic world
// by each way a location may be given, with the warnings for what fails.

#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "geo/gdal.hpp"
#include "importers/gazetteer_index.hpp"
#include "importers/location_resolver.hpp"
#include "importers/postcode.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

// Counts heap allocations, so that the hot path can be shown to make none.
// Every non-aligned form is replaced, so that each new is paired with its
// delete (the aligned forms keep the library's own pair). Out of line, so that
// GCC does not pair an inlined free() with a new-expression.
namespace {
thread_local std::size_t allocations = 0;

void* counted_malloc(std::size_t size) noexcept {
    ++allocations;
    return std::malloc(size == 0 ? 1 : size);
}
} // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
    if (void* p = counted_malloc(size)) {
        return p;
    }
    throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t size) {
    if (void* p = counted_malloc(size)) {
        return p;
    }
    throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return counted_malloc(size);
}
[[gnu::noinline]] void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return counted_malloc(size);
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
    std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p) noexcept {
    std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}

namespace waymark::importers {
namespace {

namespace m = waymark::model;
using synth::LocationStyle;

// ---- postcodes ----------------------------------------------------------------

TEST(NormalisePostcode, CanonicalForms) {
    const std::vector<std::pair<std::string, std::string>> table{
        {"po12ab", "PO1 2AB"},   {"PO1  2AB", "PO1 2AB"},    {"PO1 2AB", "PO1 2AB"},
        {"zz1 4ab", "ZZ1 4AB"},  {"SW1A 1AA", "SW1A 1AA"},   {"sw1a1aa", "SW1A 1AA"},
        {"EC1A1BB", "EC1A 1BB"}, {" M1 1AE ", "M1 1AE"},     {"m11ae", "M1 1AE"},
        {"B33 8TH", "B33 8TH"},  {"CR2 6XH", "CR2 6XH"},     {"DN55 1PT", "DN55 1PT"},
        {"W1A\t0AX", "W1A 0AX"}, {"Z Z 1 4 A B", "ZZ1 4AB"}, {"ZZ12 3CD", "ZZ12 3CD"},
    };
    for (const auto& [given, expected] : table) {
        EXPECT_EQ(normalise_postcode(given), expected) << "for \"" << given << "\"";
    }
}

TEST(NormalisePostcode, RejectsWhatCannotBeAPostcode) {
    for (const std::string given :
         {"", "   ", "P", "PO1", "1PO 2AB", "PO1 AAB", "PO1 22B", "PO1 2A1", "SW1AB 1AA",
          "PO-1 2AB", "PO1 2AB X", "not a postcode", "12345", "PO12AB7", "ZZ1 4AB;"}) {
        EXPECT_EQ(normalise_postcode(given), "") << "for \"" << given << "\"";
    }
}

// ---- gazetteer index ------------------------------------------------------------

m::GazetteerEntry entry(std::string key, m::GazetteerKeyType type, std::string label) {
    m::GazetteerEntry e;
    e.key = std::move(key);
    e.key_type = type;
    e.label = std::move(label);
    return e;
}

TEST(GazetteerIndex, FindsByKeyPostcodeAndLabel) {
    GazetteerIndex index;
    auto home = entry("990000000001", m::GazetteerKeyType::uprn, "12 Mill Lane, Eastfield");
    home.restricted = true;
    home.place_type = m::PlaceType::placement;
    EXPECT_TRUE(index.add(home, {700100, 300200}));
    EXPECT_TRUE(index.add(entry("zz1 4ab", m::GazetteerKeyType::postcode, ""), {700300, 300400}));
    EXPECT_TRUE(
        index.add(entry("PL-00001", m::GazetteerKeyType::place, "Bus Station"), {700500, 300600}));
    EXPECT_FALSE(index.add(entry("PL-00001", m::GazetteerKeyType::place, "Other"), {0, 0}));
    EXPECT_EQ(index.size(), 3U);

    const GazetteerRecord* record = index.find_key("990000000001");
    ASSERT_NE(record, nullptr);
    EXPECT_EQ(record->label, "12 Mill Lane, Eastfield");
    EXPECT_EQ(record->point, (m::Point{700100, 300200}));
    EXPECT_TRUE(record->restricted);
    EXPECT_EQ(record->place_type, m::PlaceType::placement);
    EXPECT_EQ(index.find_key(" PL-00001 "), index.find_label("bus station"));
    EXPECT_EQ(index.find_key("pl-00001"), nullptr);

    ASSERT_NE(index.find_postcode("ZZ1 4AB"), nullptr);
    EXPECT_EQ(index.find_postcode("ZZ1 4AB")->key, "zz1 4ab");
    EXPECT_EQ(index.find_postcode("ZZ1 4AC"), nullptr);

    EXPECT_EQ(index.find_label("  12   MILL lane,\tEASTFIELD "), index.find_key("990000000001"));
    EXPECT_EQ(index.find_label("12 Mill Lane"), nullptr);
    EXPECT_EQ(index.find_label(""), nullptr);

    const auto bounds = index.bounds();
    ASSERT_TRUE(bounds);
    EXPECT_EQ(*bounds, (AreaExtent{700100, 300200, 700500, 300600}));
}

TEST(GazetteerIndex, AmbiguousLabelsAreNotMatched) {
    GazetteerIndex index;
    index.add(entry("PL-1", m::GazetteerKeyType::place, "The Park"), {1, 1});
    index.add(entry("PL-2", m::GazetteerKeyType::place, " the   PARK"), {2, 2});
    index.add(entry("PL-3", m::GazetteerKeyType::place, "THE PARK"), {3, 3});
    index.add(entry("PL-4", m::GazetteerKeyType::place, "Park Road"), {4, 4});
    EXPECT_EQ(index.find_label("The Park"), nullptr);
    EXPECT_TRUE(index.ambiguous_label("the park"));
    EXPECT_FALSE(index.ambiguous_label("Park Road"));
    EXPECT_FALSE(index.ambiguous_label("Nowhere"));
    EXPECT_EQ(index.ambiguous_label_count(), 1U);
    EXPECT_NE(index.find_label("park road"), nullptr);
}

// ---- the synthetic world ----------------------------------------------------------

double distance(m::Point a, m::Point b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

class LocationResolverTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        world = new synth::World(synth::build_world({.scale = synth::Scale::small, .seed = 7}));
        gazetteer = new GazetteerIndex();
        for (std::size_t i = 0; i < world->places.size(); ++i) {
            const synth::Place& place = world->places[i];
            gazetteer->add(synth::to_gazetteer_entry(place), {place.x, place.y});
            by_key->emplace(place.key, static_cast<int>(i));
        }
    }
    static void TearDownTestSuite() {
        delete gazetteer;
        delete world;
        gazetteer = nullptr;
        world = nullptr;
    }

    static m::Point point_of(int place) {
        const synth::Place& p = world->places[static_cast<std::size_t>(place)];
        return {p.x, p.y};
    }
    static m::Point point_of_key(const std::string& key) {
        const auto at = by_key->find(key);
        EXPECT_NE(at, by_key->end()) << key;
        return at == by_key->end() ? m::Point{} : point_of(at->second);
    }
    /// The first place of the town (not an away placement) that has a postcode.
    static int town_place() {
        for (std::size_t i = 0; i < world->places.size(); ++i) {
            const synth::Place& p = world->places[i];
            if (p.neighbourhood >= 0 && p.key_type != m::GazetteerKeyType::postcode &&
                !p.postcode.empty()) {
                return static_cast<int>(i);
            }
        }
        ADD_FAILURE() << "no town place";
        return 0;
    }
    /// The town's bounding box (every place but the away placements) + 5 km.
    static AreaExtent town_extent() {
        AreaExtent box{1e300, 1e300, -1e300, -1e300};
        for (const synth::Place& p : world->places) {
            if (p.neighbourhood >= 0) {
                box.min_x = std::min(box.min_x, p.x);
                box.min_y = std::min(box.min_y, p.y);
                box.max_x = std::max(box.max_x, p.x);
                box.max_y = std::max(box.max_y, p.y);
            }
        }
        return box.grown(5000);
    }

    static synth::World* world;
    static GazetteerIndex* gazetteer;
    static std::unordered_map<std::string, int>* by_key;
};

synth::World* LocationResolverTest::world = nullptr;
GazetteerIndex* LocationResolverTest::gazetteer = nullptr;
std::unordered_map<std::string, int>* LocationResolverTest::by_key =
    new std::unordered_map<std::string, int>();

TEST_F(LocationResolverTest, EveryEpisodeLocationResolvesNearItsPlace) {
    const LocationResolver resolver(m::british_national_grid, *gazetteer, std::nullopt);
    std::unordered_map<int, int> by_how;
    std::size_t checked = 0;
    for (const synth::EpisodeSpec& spec : world->episodes) {
        m::Episode episode = synth::to_episode(*world, spec);
        const std::vector<std::pair<int, m::Location*>> locations{
            {spec.from, &episode.from}, {spec.found, episode.found ? &*episode.found : nullptr}};
        for (const auto& [place, location] : locations) {
            if (location == nullptr) {
                continue;
            }
            const m::Location given = *location;
            const ResolveOutcome outcome = resolver.resolve(*location);
            ASSERT_TRUE(outcome.resolved) << spec.id;
            EXPECT_TRUE(outcome.warnings.empty()) << spec.id << ": " << outcome.warnings[0].message;
            ASSERT_TRUE(location->resolved);
            const m::ResolvedPoint& resolved = *location->resolved;
            const synth::Place& p = world->places[static_cast<std::size_t>(place)];
            m::Point expected = point_of(place);
            switch (resolved.how) {
            case m::Resolution::coordinates:
            case m::Resolution::lat_lon:
                EXPECT_TRUE(resolved.place_key.empty());
                break;
            case m::Resolution::postcode:
                // A postcode resolves to the postcode's own point.
                EXPECT_EQ(resolved.place_key, p.postcode) << spec.id;
                expected =
                    point_of_key(p.key_type == m::GazetteerKeyType::postcode ? p.key : p.postcode);
                break;
            case m::Resolution::place_id:
            case m::Resolution::label:
                EXPECT_EQ(resolved.place_key, p.key) << spec.id;
                EXPECT_EQ(resolved.point, expected) << spec.id;
                break;
            case m::Resolution::unresolved:
                ADD_FAILURE() << spec.id << " unresolved";
                break;
            }
            // location_of jitters x and y each by up to 25 m (so up to 35 m
            // in all); allow 30 m on each axis for rounding and the datum.
            EXPECT_LE(std::abs(resolved.point.x - expected.x), 30.0)
                << spec.id << " resolved by " << m::to_code(resolved.how);
            EXPECT_LE(std::abs(resolved.point.y - expected.y), 30.0)
                << spec.id << " resolved by " << m::to_code(resolved.how);
            // The way it was given decides how it resolves.
            const m::Resolution want = given.x                   ? m::Resolution::coordinates
                                       : given.lat               ? m::Resolution::lat_lon
                                       : !given.place_id.empty() ? m::Resolution::place_id
                                       : !given.postcode.empty() ? m::Resolution::postcode
                                                                 : m::Resolution::label;
            EXPECT_EQ(resolved.how, want) << spec.id;
            ++by_how[static_cast<int>(resolved.how)];
            ++checked;
        }
    }
    EXPECT_GT(checked, 100U);
    for (const m::Resolution how :
         {m::Resolution::coordinates, m::Resolution::lat_lon, m::Resolution::place_id,
          m::Resolution::postcode, m::Resolution::label}) {
        EXPECT_GT(by_how[static_cast<int>(how)], 0) << "no location given by " << m::to_code(how);
    }
}

TEST_F(LocationResolverTest, SwappedLatLonIsDetectedAndCorrected) {
    const int place = town_place();
    for (const std::optional<AreaExtent>& extent :
         {std::optional<AreaExtent>{}, std::optional<AreaExtent>{town_extent()}}) {
        const LocationResolver resolver(m::british_national_grid, *gazetteer, extent);
        const m::Location right = synth::location_of(*world, place, LocationStyle::lat_lon, 0, 1);
        m::Location swapped;
        swapped.lat = right.lon;
        swapped.lon = right.lat;
        const ResolveOutcome outcome = resolver.resolve(swapped);
        ASSERT_TRUE(outcome.resolved);
        ASSERT_EQ(outcome.warnings.size(), 1U);
        EXPECT_EQ(outcome.warnings[0].code, LocationWarning::swapped_lat_lon);
        EXPECT_EQ(to_string(outcome.warnings[0].code), "swapped_lat_lon");
        EXPECT_EQ(swapped.resolved->how, m::Resolution::lat_lon);
        EXPECT_LE(distance(swapped.resolved->point, point_of(place)), 2.0);

        // The same in EPSG:4326 x/y given as x = lat, y = lon.
        m::Location xy;
        xy.x = right.lat;
        xy.y = right.lon;
        xy.crs = 4326;
        const ResolveOutcome xy_outcome = resolver.resolve(xy);
        ASSERT_TRUE(xy_outcome.resolved);
        EXPECT_TRUE(xy_outcome.has(LocationWarning::swapped_lat_lon));
        EXPECT_EQ(xy.resolved->how, m::Resolution::coordinates);
        EXPECT_LE(distance(xy.resolved->point, point_of(place)), 2.0);
    }
}

TEST_F(LocationResolverTest, LatLonOutOfRangeIsInvalidAndFallsThrough) {
    const LocationResolver resolver(m::british_national_grid, *gazetteer, std::nullopt);
    const int place = town_place();
    const synth::Place& p = world->places[static_cast<std::size_t>(place)];
    m::Location location;
    location.lat = 95.0;
    location.lon = 200.0;
    location.place_id = p.key;
    const ResolveOutcome outcome = resolver.resolve(location);
    ASSERT_TRUE(outcome.resolved);
    ASSERT_EQ(outcome.warnings.size(), 1U);
    EXPECT_EQ(outcome.warnings[0].code, LocationWarning::invalid_coordinates);
    EXPECT_EQ(outcome.warnings[0].message, "lat/lon (lat 95, lon 200) are not a valid latitude "
                                           "and longitude");
    EXPECT_EQ(location.resolved->how, m::Resolution::place_id);

    m::Location half;
    half.lat = 52.5;
    const ResolveOutcome half_outcome = resolver.resolve(half);
    EXPECT_FALSE(half_outcome.resolved);
    ASSERT_EQ(half_outcome.warnings.size(), 2U);
    EXPECT_EQ(half_outcome.warnings[0].code, LocationWarning::invalid_coordinates);
    EXPECT_EQ(half_outcome.warnings[0].message, "lat given without lon");
    EXPECT_EQ(half_outcome.warnings[1].code, LocationWarning::unresolved);

    m::Location not_finite;
    not_finite.x = std::nan("");
    not_finite.y = 300000;
    EXPECT_TRUE(resolver.resolve(not_finite).has(LocationWarning::invalid_coordinates));
}

TEST_F(LocationResolverTest, PointsOutsideTheExtentAreWarnedAndKept) {
    const AreaExtent extent = town_extent();
    const LocationResolver resolver(m::british_national_grid, *gazetteer, extent);
    m::Location far;
    far.x = extent.max_x + 20000;
    far.y = extent.min_y + 1000;
    const ResolveOutcome outcome = resolver.resolve(far);
    ASSERT_TRUE(outcome.resolved);
    ASSERT_EQ(outcome.warnings.size(), 1U);
    EXPECT_EQ(outcome.warnings[0].code, LocationWarning::outside_extent);
    EXPECT_EQ(far.resolved->point, (m::Point{*far.x, *far.y}));

    // Town places are inside; the away placements (restricted, far off) are not.
    int away = 0;
    for (std::size_t i = 0; i < world->places.size(); ++i) {
        const synth::Place& p = world->places[i];
        m::Location location;
        location.place_id = p.key;
        const ResolveOutcome place_outcome = resolver.resolve(location);
        ASSERT_TRUE(place_outcome.resolved) << p.key;
        EXPECT_EQ(place_outcome.has(LocationWarning::outside_extent), p.neighbourhood < 0) << p.key;
        away += p.neighbourhood < 0 ? 1 : 0;
    }
    EXPECT_GT(away, 0);
}

TEST_F(LocationResolverTest, CoordinatesInOtherCrsResolve) {
    const LocationResolver resolver(m::british_national_grid, *gazetteer, town_extent());
    const int place = town_place();
    const m::Point target = point_of(place);

    // EPSG:4326 as x = lon, y = lat.
    const m::Location lat_lon = synth::location_of(*world, place, LocationStyle::lat_lon, 0, 3);
    m::Location wgs84;
    wgs84.x = lat_lon.lon;
    wgs84.y = lat_lon.lat;
    wgs84.crs = 4326;
    ResolveOutcome outcome = resolver.resolve(wgs84);
    ASSERT_TRUE(outcome.resolved);
    EXPECT_TRUE(outcome.warnings.empty());
    EXPECT_EQ(wgs84.resolved->how, m::Resolution::coordinates);
    EXPECT_LE(distance(wgs84.resolved->point, target), 2.0);

    // EPSG:3857 (web Mercator).
    const auto bng = gdal::SpatialReference::from_epsg(27700);
    const auto mercator = gdal::SpatialReference::from_epsg(3857);
    const gdal::CoordinateTransformation to_mercator(bng, mercator);
    double mx = target.x;
    double my = target.y;
    to_mercator.transform(mx, my);
    m::Location web;
    web.x = mx;
    web.y = my;
    web.crs = 3857;
    outcome = resolver.resolve(web);
    ASSERT_TRUE(outcome.resolved);
    EXPECT_TRUE(outcome.warnings.empty());
    EXPECT_EQ(web.resolved->how, m::Resolution::coordinates);
    EXPECT_LE(distance(web.resolved->point, target), 2.0);
    // A second point through the cached transformation.
    web.x = mx + 100;
    ASSERT_TRUE(resolver.resolve(web).resolved);
    EXPECT_GT(distance(web.resolved->point, target), 40.0);
}

TEST_F(LocationResolverTest, UnknownCrsWarnsAndFallsThrough) {
    const LocationResolver resolver(m::british_national_grid, *gazetteer, std::nullopt);
    const int place = town_place();
    const synth::Place& p = world->places[static_cast<std::size_t>(place)];
    for (int round = 0; round < 2; ++round) { // the second time from the cache
        m::Location location;
        location.x = 1000;
        location.y = 2000;
        location.crs = 999999;
        location.postcode = p.postcode;
        const ResolveOutcome outcome = resolver.resolve(location);
        ASSERT_TRUE(outcome.resolved);
        ASSERT_EQ(outcome.warnings.size(), 1U);
        EXPECT_EQ(outcome.warnings[0].code, LocationWarning::unknown_crs);
        EXPECT_EQ(outcome.warnings[0].message,
                  "unknown CRS EPSG:999999 for coordinates (1000, 2000)");
        EXPECT_EQ(location.resolved->how, m::Resolution::postcode);
        EXPECT_EQ(location.resolved->point, point_of_key(p.postcode));
    }
    m::Location alone;
    alone.x = 1000;
    alone.y = 2000;
    alone.crs = 999999;
    const ResolveOutcome outcome = resolver.resolve(alone);
    EXPECT_FALSE(outcome.resolved);
    EXPECT_TRUE(outcome.has(LocationWarning::unknown_crs));
    EXPECT_TRUE(outcome.has(LocationWarning::unresolved));
    EXPECT_EQ(alone.resolved->how, m::Resolution::unresolved);
}

TEST_F(LocationResolverTest, UnresolvableTextIsKeptAndFlagged) {
    const LocationResolver resolver(m::british_national_grid, *gazetteer, std::nullopt);
    m::Location unknown_postcode;
    unknown_postcode.postcode = "zz99 9zz";
    ResolveOutcome outcome = resolver.resolve(unknown_postcode);
    EXPECT_FALSE(outcome.resolved);
    ASSERT_EQ(outcome.warnings.size(), 2U);
    EXPECT_EQ(outcome.warnings[0].code, LocationWarning::postcode_not_in_gazetteer);
    EXPECT_EQ(outcome.warnings[0].message, "postcode ZZ99 9ZZ is not in the gazetteer");
    EXPECT_EQ(outcome.warnings[1].code, LocationWarning::unresolved);
    EXPECT_EQ(to_string(outcome.warnings[1].code), "unresolved");
    EXPECT_EQ(unknown_postcode.postcode, "zz99 9zz"); // kept as given
    EXPECT_EQ(unknown_postcode.resolved->how, m::Resolution::unresolved);

    m::Location malformed;
    malformed.postcode = "behind the shops";
    malformed.label = "Somewhere Nobody Knows";
    outcome = resolver.resolve(malformed);
    EXPECT_FALSE(outcome.resolved);
    ASSERT_EQ(outcome.warnings.size(), 3U);
    EXPECT_EQ(outcome.warnings[0].code, LocationWarning::malformed_postcode);
    EXPECT_EQ(outcome.warnings[0].message, "\"behind the shops\" is not a UK postcode");
    EXPECT_EQ(outcome.warnings[1].code, LocationWarning::label_not_in_gazetteer);
    EXPECT_EQ(outcome.warnings[1].message,
              "label \"Somewhere Nobody Knows\" is not in the gazetteer");
    EXPECT_EQ(outcome.warnings[2].code, LocationWarning::unresolved);
    EXPECT_EQ(malformed.label, "Somewhere Nobody Knows");

    m::Location unknown_id;
    unknown_id.place_id = "PL-99999";
    outcome = resolver.resolve(unknown_id);
    EXPECT_FALSE(outcome.resolved);
    EXPECT_EQ(outcome.warnings[0].code, LocationWarning::place_id_not_in_gazetteer);
    EXPECT_EQ(outcome.warnings[0].message, "place id \"PL-99999\" is not in the gazetteer");

    // Only a type, or nothing: unresolved, without warnings.
    m::Location type_only;
    type_only.type = m::PlaceType::park;
    outcome = resolver.resolve(type_only);
    EXPECT_FALSE(outcome.resolved);
    EXPECT_TRUE(outcome.warnings.empty());
    ASSERT_TRUE(type_only.resolved);
    EXPECT_EQ(type_only.resolved->how, m::Resolution::unresolved);
    m::Location nothing;
    EXPECT_TRUE(resolver.resolve(nothing).warnings.empty());
}

TEST_F(LocationResolverTest, AmbiguousLabelIsFlagged) {
    GazetteerIndex index;
    index.add(entry("PL-1", m::GazetteerKeyType::place, "Riverside car park"), {700000, 300000});
    index.add(entry("PL-2", m::GazetteerKeyType::place, "RIVERSIDE CAR PARK"), {701000, 301000});
    const LocationResolver resolver(m::british_national_grid, index, std::nullopt);
    m::Location location;
    location.label = "riverside  car park";
    const ResolveOutcome outcome = resolver.resolve(location);
    EXPECT_FALSE(outcome.resolved);
    ASSERT_EQ(outcome.warnings.size(), 2U);
    EXPECT_EQ(outcome.warnings[0].code, LocationWarning::ambiguous_label);
    EXPECT_EQ(outcome.warnings[0].message,
              "label \"riverside  car park\" names several gazetteer places");
    EXPECT_EQ(outcome.warnings[1].code, LocationWarning::unresolved);
}

TEST_F(LocationResolverTest, PrecedenceAndFallThrough) {
    const LocationResolver resolver(m::british_national_grid, *gazetteer, std::nullopt);
    const int place = town_place();
    const synth::Place& p = world->places[static_cast<std::size_t>(place)];

    // x/y beats postcode.
    m::Location both;
    both.x = p.x + 7;
    both.y = p.y - 3;
    both.postcode = p.postcode;
    both.label = p.label;
    ResolveOutcome outcome = resolver.resolve(both);
    ASSERT_TRUE(outcome.resolved);
    EXPECT_TRUE(outcome.warnings.empty());
    EXPECT_EQ(both.resolved->how, m::Resolution::coordinates);
    EXPECT_EQ(both.resolved->point, (m::Point{p.x + 7, p.y - 3}));

    // A bad place id falls through to the postcode, which is normalised; the
    // place id's warning is kept.
    m::Location fall;
    fall.place_id = "nope";
    std::string sloppy = p.postcode;
    std::transform(sloppy.begin(), sloppy.end(), sloppy.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    sloppy.erase(std::remove(sloppy.begin(), sloppy.end(), ' '), sloppy.end());
    fall.postcode = sloppy;
    outcome = resolver.resolve(fall);
    ASSERT_TRUE(outcome.resolved);
    ASSERT_EQ(outcome.warnings.size(), 1U);
    EXPECT_EQ(outcome.warnings[0].code, LocationWarning::place_id_not_in_gazetteer);
    EXPECT_EQ(fall.resolved->how, m::Resolution::postcode);
    EXPECT_EQ(fall.resolved->place_key, p.postcode);
    EXPECT_EQ(fall.postcode, p.postcode);

    // Label, case- and space-insensitively, after a postcode that is not known.
    m::Location by_label;
    by_label.postcode = "ZZ99 9ZZ";
    by_label.label = "  " + p.label + " ";
    outcome = resolver.resolve(by_label);
    ASSERT_TRUE(outcome.resolved);
    EXPECT_TRUE(outcome.has(LocationWarning::postcode_not_in_gazetteer));
    EXPECT_EQ(by_label.resolved->how, m::Resolution::label);
    EXPECT_EQ(by_label.resolved->place_key, p.key);
    EXPECT_EQ(by_label.label, "  " + p.label + " "); // kept for display as given
}

TEST_F(LocationResolverTest, KeyAndPostcodeResolutionDoNotAllocate) {
    const LocationResolver resolver(m::british_national_grid, *gazetteer, std::nullopt);
    const synth::Place& p = world->places[static_cast<std::size_t>(town_place())];
    m::Location by_place_id;
    by_place_id.place_id = p.key;
    m::Location by_postcode;
    by_postcode.postcode = p.postcode;
    resolver.resolve(by_place_id); // the first call makes `resolved`
    resolver.resolve(by_postcode);
    const std::size_t before = allocations;
    for (int i = 0; i < 100; ++i) {
        by_postcode.postcode = "zz10aa"; // short: no allocation either
        ASSERT_TRUE(resolver.resolve(by_place_id).resolved);
        by_postcode.postcode = p.postcode;
        ASSERT_TRUE(resolver.resolve(by_postcode).resolved);
    }
    EXPECT_EQ(allocations, before);
}

// Not a benchmark (this is usually a debug build): prints the rates so that
// they can be quoted, and asserts only a floor far below the targets.
// Every key and postcode of the world is found, and every episode location
// given by postcode or by lat/lon resolves. (How fast: bench_import's
// BM_ResolveLocations, never a timed test.)
TEST_F(LocationResolverTest, ResolvesEveryGeneratedKeyPostcodeAndLatLon) {
    for (const synth::Place& p : world->places) {
        if (p.key_type == m::GazetteerKeyType::postcode) {
            EXPECT_NE(gazetteer->find_postcode(p.key), nullptr) << p.key;
        } else {
            EXPECT_NE(gazetteer->find_key(p.key), nullptr) << p.key;
        }
    }
    const LocationResolver resolver(m::british_national_grid, *gazetteer, std::nullopt);
    for (const LocationStyle style : {LocationStyle::postcode, LocationStyle::lat_lon}) {
        for (const synth::EpisodeSpec& spec : world->episodes) {
            m::Location location = synth::location_of(*world, spec.from, style, 25, 1);
            EXPECT_TRUE(resolver.resolve(location).resolved)
                << location.postcode << ' ' << location.lat.value_or(0) << ' '
                << location.lon.value_or(0);
        }
    }
}

} // namespace
} // namespace waymark::importers
