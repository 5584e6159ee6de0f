// The synthetic world's shapes: scale, heavy tails, time profiles, planted
// groups and adults visible in the evidence, determinism.

#include "base/error.hpp"
#include "data/synth/records.hpp"
#include "data/synth/truth.hpp"
#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace waymark::synth {
namespace {

using namespace std::chrono;
using waymark::testing::TempDir;
namespace m = waymark::model;

// The shapes must hold for any seed, not one lucky one: each test runs on
// three worlds.
class SynthWorld : public ::testing::TestWithParam<std::uint64_t> {
protected:
    const World& small_world() const {
        static std::map<std::uint64_t, World> worlds;
        auto it = worlds.find(GetParam());
        if (it == worlds.end()) {
            it =
                worlds.emplace(GetParam(), build_world({.scale = Scale::small, .seed = GetParam()}))
                    .first;
        }
        return it->second;
    }
};

INSTANTIATE_TEST_SUITE_P(Seeds, SynthWorld, ::testing::Values(42U, 7U, 2026U));

const World& seed_42_world() {
    static const World world = build_world({.scale = Scale::small, .seed = 42});
    return world;
}

using waymark::testing::read_file;

TEST_P(SynthWorld, SmallScaleHasTheAdvertisedSize) {
    const World& w = small_world();
    EXPECT_EQ(w.children.size(), 300U);
    EXPECT_NEAR(static_cast<double>(w.episodes.size()), 1500.0, 300.0);
    EXPECT_EQ(w.spec.years, 1);
    EXPECT_EQ(w.end - w.start, hours{24 * 365});
    for (const EpisodeSpec& e : w.episodes) {
        EXPECT_GE(e.last_seen, w.start - hours{24});
        EXPECT_LT(e.reported, w.end + hours{24});
        EXPECT_GE(e.reported, e.last_seen);
        if (e.returned) {
            EXPECT_GT(*e.returned, e.last_seen);
            EXPECT_GT(*e.returned, e.reported) << e.id;
            EXPECT_LT(*e.returned, w.end);
        }
    }
}

TEST_P(SynthWorld, EpisodesAreInReportedOrderWithSequentialIds) {
    const World& w = small_world();
    for (std::size_t i = 1; i < w.episodes.size(); ++i) {
        EXPECT_LE(w.episodes[i - 1].reported, w.episodes[i].reported);
    }
    EXPECT_EQ(w.episodes.front().id, "E-0000001");
}

TEST_P(SynthWorld, GazetteerKeysAndLabelsAreUnique) {
    std::set<std::string> keys;
    std::set<std::string> labels;
    for (const Place& p : small_world().places) {
        EXPECT_TRUE(keys.insert(p.key).second) << p.key;
        if (!p.label.empty()) {
            EXPECT_TRUE(labels.insert(p.label).second) << p.label;
        }
    }
}

TEST_P(SynthWorld, PlacesLieInTheSeaOffEastAnglia) {
    for (const Place& p : small_world().places) {
        EXPECT_GT(p.x, 690000);
        EXPECT_LT(p.x, 780000);
        EXPECT_GT(p.y, 290000);
        EXPECT_LT(p.y, 340000);
    }
}

TEST_P(SynthWorld, EpisodesPerChildAreHeavyTailed) {
    const World& w = small_world();
    std::vector<int> counts(w.children.size(), 0);
    for (const EpisodeSpec& e : w.episodes) {
        ++counts[static_cast<std::size_t>(e.child)];
    }
    std::sort(counts.begin(), counts.end());
    const auto never_or_once =
        std::count_if(counts.begin(), counts.end(), [](int c) { return c <= 1; });
    // Most children never or once missing, a few very often.
    EXPECT_GT(never_or_once, static_cast<long>(counts.size() / 2));
    const int top = counts.back();
    const double mean = static_cast<double>(w.episodes.size()) / static_cast<double>(counts.size());
    EXPECT_GT(top, 8 * mean);
    // The busiest tenth of children account for over half of all episodes.
    int top_tenth = 0;
    for (std::size_t i = counts.size() - counts.size() / 10; i < counts.size(); ++i) {
        top_tenth += counts[i];
    }
    EXPECT_GT(top_tenth * 2, static_cast<int>(w.episodes.size()));
}

TEST_P(SynthWorld, LastSeenPeaksInTheEveningAndOnWeekends) {
    const World& w = small_world();
    std::array<int, 24> by_hour{};
    int weekend = 0;
    for (const EpisodeSpec& e : w.episodes) {
        const auto local = w.zone->to_local(e.last_seen);
        const auto day = floor<days>(local);
        ++by_hour[static_cast<std::size_t>(duration_cast<hours>(local - day).count())];
        const weekday wd{sys_days{day.time_since_epoch()}};
        weekend += (wd == Friday || wd == Saturday || wd == Sunday) ? 1 : 0;
    }
    const int evening = by_hour[18] + by_hour[19] + by_hour[20] + by_hour[21] + by_hour[22];
    const int morning = by_hour[4] + by_hour[5] + by_hour[6] + by_hour[7] + by_hour[8];
    EXPECT_GT(evening, 3 * morning);
    const auto peak = std::max_element(by_hour.begin(), by_hour.end()) - by_hour.begin();
    EXPECT_GE(peak, 17);
    EXPECT_LE(peak, 23);
    // Three days of seven would be 43% without a weekend peak.
    EXPECT_GT(weekend, static_cast<int>(w.episodes.size() * 0.47));
}

TEST_P(SynthWorld, DurationsRunFromHoursToDays) {
    const World& w = small_world();
    int over_24h = 0;
    int over_7d = 0;
    int under_12h = 0;
    for (const EpisodeSpec& e : w.episodes) {
        if (!e.returned) {
            continue;
        }
        const auto d = *e.returned - e.last_seen;
        over_24h += d > hours{24} ? 1 : 0;
        over_7d += d > days{7} ? 1 : 0;
        under_12h += d < hours{12} ? 1 : 0;
    }
    const auto n = static_cast<double>(w.episodes.size());
    EXPECT_GT(under_12h, n * 0.4);
    EXPECT_GT(over_24h, n * 0.03);
    EXPECT_LT(over_24h, n * 0.35);
    EXPECT_GE(over_7d, 1);
    EXPECT_LT(over_7d, n * 0.03);
}

TEST_P(SynthWorld, EverySettingAndPlacementKindOccurs) {
    std::set<m::Setting> settings;
    std::set<m::PlacementArea> areas;
    std::set<int> ages;
    for (const Child& c : small_world().children) {
        settings.insert(c.setting);
        if (c.placement_area) {
            areas.insert(*c.placement_area);
        }
        ages.insert(static_cast<int>(floor<years>(floor<days>(small_world().end) - c.dob).count()));
    }
    EXPECT_EQ(settings, (std::set<m::Setting>{m::Setting::home, m::Setting::foster_care,
                                              m::Setting::childrens_home,
                                              m::Setting::supported_accommodation}));
    EXPECT_EQ(areas.size(), 3U);
    EXPECT_GE(*ages.begin(), 8);
    EXPECT_EQ(*ages.rbegin(), 17);
    EXPECT_GE(ages.size(), 9U); // 8-year-olds are rare enough to be absent at small scale
}

TEST_P(SynthWorld, ChildrensHomesHaveSeveralResidentsAndAreRestricted) {
    const World& w = small_world();
    for (const int home : w.index.childrens_homes) {
        EXPECT_TRUE(w.places[static_cast<std::size_t>(home)].restricted);
        const auto residents = std::count_if(w.children.begin(), w.children.end(),
                                             [home](const Child& c) { return c.home == home; });
        EXPECT_GE(residents, 3);
    }
}

TEST_P(SynthWorld, PeerGroupsGoMissingTogetherAndAreFoundTogether) {
    const World& w = small_world();
    std::map<int, std::vector<const EpisodeSpec*>> events;
    int named = 0;
    int together = 0;
    for (const EpisodeSpec& e : w.episodes) {
        if (e.group_event >= 0) {
            events[e.group_event].push_back(&e);
            ++together;
            named += e.record_missing_with ? 1 : 0;
        }
    }
    ASSERT_FALSE(events.empty());
    for (const auto& [event, episodes] : events) {
        ASSERT_GE(episodes.size(), 2U);
        const auto [first, last] = std::minmax_element(
            episodes.begin(), episodes.end(),
            [](const EpisodeSpec* a, const EpisodeSpec* b) { return a->last_seen < b->last_seen; });
        EXPECT_LE((*last)->last_seen - (*first)->last_seen, hours{2}); // same evening
        const int group = w.children[static_cast<std::size_t>(episodes[0]->child)].group;
        for (const EpisodeSpec* e : episodes) {
            EXPECT_EQ(w.children[static_cast<std::size_t>(e->child)].group, group);
            EXPECT_EQ(e->companions.size(), episodes.size() - 1);
        }
    }
    // missing_with is filled in only some of the time.
    EXPECT_GT(named, together / 4);
    EXPECT_LT(named, together * 9 / 10);
}

TEST_P(SynthWorld, AdultsOfConcernDrawChildrenFromSeveralGroupsToTheirAddresses) {
    const World& w = small_world();
    int drawing = 0;
    for (std::size_t a = 0; a < w.adults.size(); ++a) {
        const Adult& adult = w.adults[a];
        if (!adult.of_concern) {
            EXPECT_TRUE(adult.groups.empty());
            continue;
        }
        ++drawing;
        EXPECT_GE(adult.groups.size(), 2U);
        EXPECT_FALSE(adult.addresses.empty());
        EXPECT_FALSE(adult.vehicle.vrm.empty());
        std::set<int> groups_found_there;
        for (const EpisodeSpec& e : w.episodes) {
            if (e.adult == static_cast<int>(a) && e.found >= 0 &&
                std::find(adult.addresses.begin(), adult.addresses.end(), e.found) !=
                    adult.addresses.end()) {
                groups_found_there.insert(w.children[static_cast<std::size_t>(e.child)].group);
            }
        }
        EXPECT_GE(groups_found_there.size(), 2U) << adult.id;
    }
    EXPECT_EQ(drawing, w.spec.adults_of_concern);
}

TEST_P(SynthWorld, TheFoundHotspotDiffersFromTheFromHotspots) {
    // Counted in distinct children (one child going missing a hundred times
    // from a foster home is no hotspot): most go missing from group homes, and
    // are found at the planted "found" places.
    const World& w = small_world();
    std::map<int, std::set<int>> from;
    std::map<int, std::set<int>> found;
    for (const EpisodeSpec& e : w.episodes) {
        from[e.from].insert(e.child);
        if (e.found >= 0) {
            found[e.found].insert(e.child);
        }
    }
    const int top_from =
        std::max_element(from.begin(), from.end(), [](const auto& a, const auto& b) {
            return a.second.size() < b.second.size();
        })->first;
    const int top_found =
        std::max_element(found.begin(), found.end(), [](const auto& a, const auto& b) {
            return a.second.size() < b.second.size();
        })->first;
    EXPECT_NE(top_from, top_found);
    EXPECT_NE(std::find(w.from_hotspots.begin(), w.from_hotspots.end(), top_from),
              w.from_hotspots.end());
    EXPECT_NE(std::find(w.found_hotspots.begin(), w.found_hotspots.end(), top_found),
              w.found_hotspots.end());
}

TEST_P(SynthWorld, RiskGradesRiseWithExploitation) {
    const World& w = small_world();
    int exploited_high = 0;
    int exploited = 0;
    int other_high = 0;
    int other = 0;
    for (const EpisodeSpec& e : w.episodes) {
        const bool high = e.risk == m::RiskGrade::high;
        if (e.adult >= 0) {
            ++exploited;
            exploited_high += high ? 1 : 0;
        } else {
            ++other;
            other_high += high ? 1 : 0;
        }
    }
    ASSERT_GT(exploited, 0);
    EXPECT_GT(static_cast<double>(exploited_high) / exploited,
              2.0 * static_cast<double>(other_high) / other);
}

TEST(SynthScale, NamesAreChecked) {
    EXPECT_EQ(parse_scale("force"), Scale::force);
    EXPECT_EQ(waymark::testing::message_of<waymark::InputError>([] { parse_scale("county"); }),
              "unknown scale 'county' (expected one of: small, force, national)");
}

// ---- the files ----------------------------------------------------------------

class SynthFiles : public ::testing::Test {
protected:
    TempDir dir;
};

TEST_F(SynthFiles, TheSameSeedGivesByteIdenticalFilesAndAnotherSeedDiffers) {
    const auto write = [&](std::uint64_t seed, const std::string& name) {
        write_world(build_world({.scale = Scale::small, .seed = seed}), dir.path() / name);
    };
    write(5, "a");
    write(5, "b");
    write(6, "c");
    for (const char* file :
         {"episodes.csv", "rhi.jsonl", "cpi.jsonl", "persons.csv", "gazetteer.csv", "truth.json"}) {
        const std::string a = read_file(dir.path() / "a" / file);
        EXPECT_FALSE(a.empty()) << file;
        EXPECT_EQ(a, read_file(dir.path() / "b" / file)) << file;
        EXPECT_NE(a, read_file(dir.path() / "c" / file)) << file;
    }
}

TEST_F(SynthFiles, TruthListsWhatWasPlanted) {
    const World& w = seed_42_world();
    write_world(w, dir.path());
    const auto truth = nlohmann::json::parse(read_file(dir.path() / "truth.json"));
    EXPECT_EQ(truth["generator"]["seed"], 42);
    EXPECT_EQ(truth["counts"]["episodes"], w.episodes.size());
    EXPECT_EQ(truth["peer_groups"].size(), w.groups.size());
    EXPECT_EQ(truth["adults_of_concern"].size(),
              static_cast<std::size_t>(w.spec.adults_of_concern));
    EXPECT_FALSE(truth["addresses_of_concern"].empty());
    for (const char* role : {"from", "found", "visited"}) {
        EXPECT_FALSE(truth["hotspots"][role].empty()) << role;
    }
    for (const char* trigger :
         {"repeat_3_in_90_days", "missing_over_24h", "looked_after_missing_over_48h",
          "not_located_7_days", "rhi_graded_high", "rhi_not_within_72h"}) {
        EXPECT_TRUE(truth["triggers"].contains(trigger)) << trigger;
        EXPECT_FALSE(truth["triggers"][trigger].empty()) << trigger;
    }
    // Every child listed for "over 24 hours" has such an episode, checked
    // independently of the truth builder.
    std::map<std::string, const EpisodeSpec*> by_id;
    for (const EpisodeSpec& e : w.episodes) {
        by_id[e.id] = &e;
    }
    for (const auto& [child, episodes] : truth["triggers"]["missing_over_24h"].items()) {
        for (const auto& id : episodes) {
            const EpisodeSpec& e = *by_id.at(id.get<std::string>());
            EXPECT_EQ(w.children[static_cast<std::size_t>(e.child)].id, child);
            EXPECT_GT(e.returned.value_or(w.end) - e.last_seen, hours{24});
        }
    }
}

TEST_F(SynthFiles, EpisodesCsvHasTheCanonicalHeaderAndARowPerEpisode) {
    const World& w = seed_42_world();
    write_world(w, dir.path());
    std::ifstream in(dir.path() / "episodes.csv");
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header.rfind("episode_id,child_id,reported_at,", 0), 0U);
    std::size_t rows = 0;
    for (std::string line; std::getline(in, line);) {
        rows += line.rfind("E-", 0) == 0 ? 1 : 0;
    }
    EXPECT_EQ(rows, w.episodes.size());
}

} // namespace
} // namespace waymark::synth
