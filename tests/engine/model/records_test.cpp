// The record types are plain aggregates; these tests pin their defaults and
// the few helpers they have.

#include "engine/model/cpi_report.hpp"
#include "engine/model/episode.hpp"
#include "engine/model/gazetteer.hpp"
#include "engine/model/location.hpp"
#include "engine/model/person.hpp"
#include "engine/model/return_interview.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace waymark::model {
namespace {

TEST(Location, DefaultIsEmptyWithBritishNationalGrid) {
    const Location location;
    EXPECT_TRUE(location.is_empty());
    EXPECT_EQ(location.crs, 27700);
    EXPECT_EQ(location.type, std::nullopt);
    EXPECT_EQ(location.resolved, std::nullopt);
}

TEST(Location, AnyWayOfLocatingMakesItNonEmpty) {
    Location with_x;
    with_x.x = 712340.0;
    EXPECT_FALSE(with_x.is_empty());
    Location with_lat;
    with_lat.lat = 50.8;
    EXPECT_FALSE(with_lat.is_empty());
    EXPECT_FALSE(Location{.place_id = "100012345678"}.is_empty());
    EXPECT_FALSE(Location{.postcode = "ZZ1 4AB"}.is_empty());
    EXPECT_FALSE(Location{.label = "Riverside car park"}.is_empty());
}

TEST(Location, TypeCrsAndResolutionAloneAreEmpty) {
    Location location;
    location.crs = 4326;
    location.type = PlaceType::park;
    location.resolved = ResolvedPoint{Resolution::unresolved, {}, ""};
    EXPECT_TRUE(location.is_empty());
}

TEST(Records, DefaultsFollowTheDataModel) {
    const Episode episode;
    EXPECT_EQ(episode.category, EpisodeCategory::missing);
    EXPECT_EQ(episode.looked_after, std::nullopt);
    EXPECT_EQ(episode.found, std::nullopt);
    EXPECT_TRUE(episode.from.is_empty());
    EXPECT_TRUE(episode.extra.empty());

    const GazetteerEntry entry;
    EXPECT_EQ(entry.crs, 27700);
    EXPECT_EQ(entry.restricted, std::nullopt);

    const CpiReport report;
    EXPECT_EQ(report.grading, Grading{});
    EXPECT_EQ(report.location, std::nullopt);

    const ReturnInterview rhi;
    EXPECT_EQ(rhi.consent_to_share, std::nullopt);
    EXPECT_TRUE(rhi.high_risk.empty());

    const Person person;
    EXPECT_EQ(person.kind, std::nullopt);
}

TEST(Records, CompareByValue) {
    ReturnInterview a;
    a.rhi_id = "R-1";
    a.places.push_back(
        RhiPlace{PlaceRole::slept,
                 Location{.postcode = "ZZ1 4AB", .type = PlaceType::address_of_concern},
                 {"P-9"}});
    a.with.push_back(
        PersonMention{.person_id = "P-9", .kind = PersonKind::adult, .felt_safe = false});
    a.high_risk.emplace_back(HighRiskCategory::overnight_24h, true);
    ReturnInterview b = a;
    EXPECT_EQ(a, b);
    b.high_risk.front().second = false;
    EXPECT_NE(a, b);

    CpiReport cpi;
    cpi.subjects.push_back(
        CpiSubject{PersonMention{.name = "Kayla", .kind = PersonKind::child}, SubjectRole::victim});
    cpi.vehicles.push_back(Vehicle{.vrm = "ZZ12ABC", .make = "Ford", .colour = "black"});
    cpi.grading =
        Grading{SourceEvaluation::untested, IntelligenceAssessment::known_indirectly_corroborated,
                HandlingCode::lawful_sharing_permitted};
    const CpiReport copy = cpi;
    EXPECT_EQ(copy, cpi);
}

} // namespace
} // namespace waymark::model
