// RHIs and CPI forms made from a small hand-built world: determinism, ids and
// links, the planted adult and his address in the evidence, push and pull
// factors of exploited children, timing rules, CPI order and grading.

#include "data/synth/records.hpp"
#include "data/synth/world.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::synth {
namespace {

using namespace std::chrono;
namespace m = waymark::model;

constexpr int home_place = 0; // Oak House, a children's home
constexpr int family_home = 1;
constexpr int park = 2;
constexpr int bus_station = 3;
constexpr int flat = 4; // the adult's address of concern
constexpr int school = 5;
constexpr int chicken_shop = 6;

constexpr int kayla = 0;  // cse, in the group
constexpr int dylan = 1;  // cce, in the group
constexpr int mia = 2;    // at home, not exploited
constexpr int daniel = 0; // the adult of concern

Place place(std::string key, m::GazetteerKeyType key_type, std::string label, m::PlaceType type,
            double x, double y, std::string postcode, bool restricted = false) {
    Place p;
    p.key = std::move(key);
    p.key_type = key_type;
    p.label = std::move(label);
    p.type = type;
    p.x = x;
    p.y = y;
    p.postcode = std::move(postcode);
    p.restricted = restricted;
    p.neighbourhood = 0;
    return p;
}

Child child(std::string id, std::string given, std::string family, std::string nickname, m::Sex sex,
            m::Setting setting, int home) {
    Child c;
    c.id = std::move(id);
    c.given = std::move(given);
    c.family = std::move(family);
    c.nickname = std::move(nickname);
    c.sex = sex;
    c.dob = sys_days{year{2011} / 5 / 17};
    c.setting = setting;
    c.looked_after = setting != m::Setting::home;
    c.home = home;
    c.school = school;
    c.rate = 3.0;
    return c;
}

EpisodeSpec episode(int child_index, sys_days day, int hour, double hours_missing) {
    EpisodeSpec e;
    e.child = child_index;
    e.last_seen = day + hours{hour};
    e.reported = e.last_seen + minutes{45};
    e.returned = e.last_seen + seconds{static_cast<std::int64_t>(hours_missing * 3600)};
    return e;
}

/// A town of seven places, three children, a group drawn by an adult of
/// concern, one other adult, and a year of episodes: every fourth week the
/// group goes missing with the adult and sleeps at his flat; Mia goes missing
/// on her own; the last episode is still open at the end.
World hand_built_world() {
    World w;
    w.params.seed = 20260301;
    w.spec.years = 1;
    w.spec.cpis_per_year = 60;
    w.start = sys_days{year{2025} / October / 1};
    w.end = sys_days{year{2026} / October / 1};
    using K = m::GazetteerKeyType;
    using T = m::PlaceType;
    w.places = {
        place("PL-00001", K::place, "Oak House", T::placement, 700100, 300100, "ZZ1 1AB", true),
        place("990000000001", K::uprn, "12 Harbour Road, Northgate", T::home, 700400, 300300,
              "ZZ1 2CD"),
        place("PL-00002", K::place, "Marine Park", T::park, 700800, 300200, "ZZ1 3EF"),
        place("PL-00003", K::place, "Bus Station", T::transport, 700500, 300600, "ZZ1 4GH"),
        place("990000000002", K::uprn, "Flat above Late Shop, Northgate", T::address_of_concern,
              701200, 300900, "ZZ1 5JK"),
        place("PL-00004", K::place, "Northgate Academy", T::school, 700300, 300800, "ZZ1 6LM"),
        place("PL-00005", K::place, "Chicken Shack", T::food_outlet, 700600, 300500, "ZZ1 4GH"),
    };
    w.index.childrens_homes = {home_place};
    w.index.homes = {family_home};
    w.index.parks = {park};
    w.index.transport = {bus_station};
    w.index.addresses_of_concern = {flat};
    w.index.schools = {school};
    w.index.food = {chicken_shop};

    w.children = {
        child("C-000001", "Kayla", "Smith", "Kayla", m::Sex::female, m::Setting::childrens_home,
              home_place),
        child("C-000002", "Dylan", "Jones", "Dyl", m::Sex::male, m::Setting::home, family_home),
        child("C-000003", "Mia", "Brown", "Mia", m::Sex::female, m::Setting::home, family_home),
    };
    w.children[kayla].cse = true;
    w.children[kayla].group = 0;
    w.children[dylan].cce = true;
    w.children[dylan].group = 0;
    w.children[mia].rate = 0.5;

    Adult dan;
    dan.id = "P-000001";
    dan.given = "Daniel";
    dan.family = "Walker";
    dan.aliases = {"Smiler"};
    dan.dob = sys_days{year{1998} / 2 / 3};
    dan.of_concern = true;
    dan.addresses = {flat};
    dan.vehicle = {.vrm = "ZZ61ABC", .make = "Ford", .model = "", .colour = "black"};
    dan.groups = {0};
    Adult gary;
    gary.id = "P-000002";
    gary.given = "Gary";
    gary.family = "Hill";
    gary.aliases = {"Tiny"};
    gary.vehicle = {.vrm = "ZZ55XYZ", .make = "Audi", .model = "", .colour = "grey"};
    w.adults = {dan, gary};

    PeerGroup group;
    group.members = {kayla, dylan};
    group.adult = daniel;
    group.hangout = park;
    w.groups = {group};

    std::vector<EpisodeSpec> episodes;
    for (int week = 0; week < 50; ++week) {
        const sys_days day = floor<days>(w.start) + days{7 * week + 2};
        if (week % 4 == 0) {
            // The group with the adult: overnight, over 24 hours, found at his flat.
            const int event = static_cast<int>(episodes.size());
            for (const int member : {kayla, dylan}) {
                EpisodeSpec e = episode(member, day, 19, 30.0);
                e.group_event = event;
                e.companions = {member == kayla ? dylan : kayla};
                e.record_missing_with = true;
                e.adult = daniel;
                e.visited = {park, flat};
                e.slept = flat;
                e.found = flat;
                e.cse = member == kayla;
                e.cce = member == dylan;
                e.from = w.children[static_cast<std::size_t>(member)].home;
                episodes.push_back(e);
            }
        } else if (week % 4 == 1) {
            // Kayla alone with the adult, a few hours.
            EpisodeSpec e = episode(kayla, day, 20, 5.0);
            e.adult = daniel;
            e.visited = {flat};
            e.cse = true;
            e.from = home_place;
            e.found = bus_station;
            episodes.push_back(e);
        } else {
            EpisodeSpec e = episode(mia, day, 21, 3.0);
            e.visited = {chicken_shop};
            e.from = family_home;
            episodes.push_back(e);
        }
    }
    // Returned in the last week (pending possible), and one still open.
    EpisodeSpec recent = episode(mia, floor<days>(w.end) - days{2}, 18, 4.0);
    recent.visited = {park};
    recent.from = family_home;
    episodes.push_back(recent);
    EpisodeSpec open = episode(kayla, floor<days>(w.end) - days{1}, 22, 100.0);
    open.returned.reset();
    open.adult = daniel;
    open.from = home_place;
    episodes.push_back(open);
    for (std::size_t i = 0; i < episodes.size(); ++i) {
        std::string digits = std::to_string(i + 1);
        episodes[i].id = "E-" + std::string(7 - digits.size(), '0') + digits;
    }
    w.episodes = std::move(episodes);
    return w;
}

const World& world() {
    static const World w = hand_built_world();
    return w;
}

std::vector<std::optional<m::ReturnInterview>> all_rhis() {
    std::vector<std::optional<m::ReturnInterview>> rhis;
    for (std::size_t e = 0; e < world().episodes.size(); ++e) {
        rhis.push_back(make_rhi(world(), e));
    }
    return rhis;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

/// Optimal string alignment distance (a transposition counts as one edit).
std::size_t edits(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

/// Whether a mention names the adult: by id, or a word of the name within one
/// slip of his given name, family name, street name or a nickname.
bool names_dan(const m::PersonMention& p) {
    if (p.person_id == "P-000001") {
        return true;
    }
    static const std::array<std::string, 5> forms = {"daniel", "walker", "smiler", "dan", "danny"};
    std::string word;
    const std::string name = lower(p.name) + ' ';
    for (const char c : name) {
        if (c != ' ') {
            word += c;
            continue;
        }
        for (const auto& form : forms) {
            if (!word.empty() && edits(word, form) <= 1) {
                return true;
            }
        }
        word.clear();
    }
    return false;
}

bool is_place(const m::Location& l, int index) {
    const Place& p = world().places[static_cast<std::size_t>(index)];
    if (!l.place_id.empty()) {
        return l.place_id == p.key;
    }
    if (l.x && l.y) {
        return std::hypot(*l.x - p.x, *l.y - p.y) < 25.0;
    }
    if (!l.postcode.empty()) {
        return l.postcode == p.postcode;
    }
    return l.label == p.label;
}

template <typename T>
bool has(const std::vector<T>& items, T item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

std::string note(const m::ReturnInterview& rhi, std::string_view heading) {
    for (const auto& [name, text] : rhi.notes) {
        if (name == heading) {
            return text;
        }
    }
    return {};
}

TEST(SynthRecords, TheSameWorldGivesTheSameRecords) {
    EXPECT_EQ(all_rhis(), all_rhis());
    EXPECT_EQ(make_cpis(world()), make_cpis(world()));
}

// The truth of name-only mentions (truth.json `mentions`) changes nothing in
// the records, and each entry points at a mention written by name with the
// name it says, standing for a person of the world written the way it says.
TEST(SynthRecords, MentionTruthPointsAtTheNamedMentions) {
    MentionTruths truths;
    std::vector<std::optional<m::ReturnInterview>> rhis;
    for (std::size_t e = 0; e < world().episodes.size(); ++e) {
        rhis.push_back(make_rhi(world(), e, &truths));
    }
    const auto cpis = make_cpis(world(), &truths);
    EXPECT_EQ(rhis, all_rhis());
    EXPECT_EQ(cpis, make_cpis(world()));
    ASSERT_FALSE(truths.mentions.empty());

    std::size_t name_only = 0;
    const auto count_name_only = [&](const std::vector<m::PersonMention>& people) {
        for (const auto& p : people) {
            name_only += p.person_id.empty() && !p.name.empty() ? 1 : 0;
        }
    };
    for (const auto& rhi : rhis) {
        if (rhi) {
            count_name_only(rhi->with);
            count_name_only(rhi->people_of_concern);
            count_name_only(rhi->young_people_of_concern);
        }
    }
    for (const auto& cpi : cpis) {
        for (const auto& subject : cpi.subjects) {
            name_only += subject.person.person_id.empty() && !subject.person.name.empty() ? 1 : 0;
        }
    }
    EXPECT_EQ(truths.mentions.size() + truths.ambiguous, name_only);

    for (const MentionTruth& t : truths.mentions) {
        SCOPED_TRACE(t.record + " " + t.part + " " + std::to_string(t.index) + " " + t.name);
        const m::PersonMention* mention = nullptr;
        if (t.file == "rhi.jsonl") {
            for (const auto& rhi : rhis) {
                if (rhi && rhi->rhi_id == t.record) {
                    const auto& people = t.part == "with" ? rhi->with
                                         : t.part == "people_of_concern"
                                             ? rhi->people_of_concern
                                             : rhi->young_people_of_concern;
                    ASSERT_LT(t.index, people.size());
                    mention = &people[t.index];
                }
            }
        } else {
            ASSERT_EQ(t.file, "cpi.jsonl");
            ASSERT_EQ(t.part, "subjects");
            for (const auto& cpi : cpis) {
                if (cpi.cpi_id == t.record) {
                    ASSERT_LT(t.index, cpi.subjects.size());
                    mention = &cpi.subjects[t.index].person;
                }
            }
        }
        ASSERT_NE(mention, nullptr);
        EXPECT_EQ(mention->name, t.name);
        EXPECT_TRUE(mention->person_id.empty());
        ASSERT_TRUE(mention->kind);
        EXPECT_EQ(*mention->kind, t.kind);
        std::string given, family;
        for (const Child& c : world().children) {
            if (c.id == t.person_id) {
                given = c.given;
                family = c.family;
            }
        }
        for (const Adult& a : world().adults) {
            if (a.id == t.person_id) {
                given = a.given;
                family = a.family;
            }
        }
        ASSERT_FALSE(given.empty()) << t.person_id;
        if (t.variant == "full") {
            EXPECT_EQ(t.name.substr(t.name.rfind(' ') + 1), family);
        } else if (t.variant == "given_only") {
            EXPECT_EQ(t.name, given);
        } else if (t.variant == "misspelt_family") {
            EXPECT_EQ(t.name.substr(0, t.name.find(' ')), given);
            EXPECT_NE(t.name, given + " " + family);
        }
    }
}

TEST(SynthRecords, ADifferentSeedGivesDifferentRecords) {
    World other = hand_built_world();
    other.params.seed += 1;
    std::vector<std::optional<m::ReturnInterview>> rhis;
    for (std::size_t e = 0; e < other.episodes.size(); ++e) {
        rhis.push_back(make_rhi(other, e));
    }
    EXPECT_NE(rhis, all_rhis());
    EXPECT_NE(make_cpis(other), make_cpis(world()));
}

TEST(SynthRecords, RhisLinkToTheirEpisodesWithConsistentTimes) {
    const auto rhis = all_rhis();
    int recorded = 0;
    for (std::size_t e = 0; e < rhis.size(); ++e) {
        const EpisodeSpec& ep = world().episodes[e];
        if (!rhis[e]) {
            continue;
        }
        ++recorded;
        const m::ReturnInterview& rhi = *rhis[e];
        EXPECT_EQ(rhi.rhi_id, "R-" + ep.id.substr(2));
        EXPECT_EQ(rhi.episode_id, ep.id);
        EXPECT_EQ(rhi.child_id, world().children[static_cast<std::size_t>(ep.child)].id);
        ASSERT_TRUE(ep.returned);
        ASSERT_TRUE(rhi.referred_at);
        ASSERT_TRUE(rhi.outcome);
        EXPECT_GT(*rhi.referred_at, *ep.returned);
        EXPECT_LE(*rhi.referred_at, world().end);
        if (rhi.offered_at) {
            EXPECT_GE(*rhi.offered_at, *rhi.referred_at);
            EXPECT_LE(*rhi.offered_at, world().end);
        }
        const bool completed = *rhi.outcome == m::RhiOutcome::completed;
        EXPECT_EQ(rhi.conducted_at.has_value(), completed);
        EXPECT_EQ(rhi.mode.has_value(), completed);
        EXPECT_EQ(rhi.consent_to_share.has_value(), completed);
        if (completed) {
            EXPECT_GE(*rhi.conducted_at, *rhi.offered_at);
            EXPECT_LE(*rhi.conducted_at, world().end);
            const bool late = *rhi.conducted_at > *ep.returned + hours{72};
            EXPECT_EQ(late, !note(rhi, "delay_reason").empty()) << rhi.rhi_id;
            EXPECT_FALSE(note(rhi, "analysis").empty());
        } else {
            EXPECT_TRUE(rhi.places.empty());
            EXPECT_TRUE(rhi.with.empty());
            EXPECT_TRUE(rhi.push_factors.empty());
        }
        const bool refused = *rhi.outcome == m::RhiOutcome::declined ||
                             *rhi.outcome == m::RhiOutcome::parent_refused;
        EXPECT_EQ(refused, !rhi.decline_reason.empty());
        if (*rhi.outcome == m::RhiOutcome::parent_refused) {
            EXPECT_EQ(world().children[static_cast<std::size_t>(ep.child)].setting,
                      m::Setting::home);
        }
        if (*rhi.outcome == m::RhiOutcome::pending) {
            EXPECT_GE(*ep.returned, world().end - days{7});
        }
    }
    // About 85% of episodes have an RHI.
    EXPECT_GT(recorded, static_cast<int>(rhis.size()) * 6 / 10);
    EXPECT_LT(recorded, static_cast<int>(rhis.size()));
}

TEST(SynthRecords, NoRhiForAnEpisodeStillOpen) {
    const std::size_t open = world().episodes.size() - 1;
    ASSERT_FALSE(world().episodes[open].returned);
    EXPECT_FALSE(make_rhi(world(), open));
    EXPECT_THROW((void)make_rhi(world(), world().episodes.size()), std::out_of_range);
}

TEST(SynthRecords, CompletedRhisWithTheAdultNameHimAndHisAddress) {
    const auto rhis = all_rhis();
    int checked = 0;
    int by_name_only = 0;
    for (std::size_t e = 0; e < rhis.size(); ++e) {
        const EpisodeSpec& ep = world().episodes[e];
        if (!rhis[e] || *rhis[e]->outcome != m::RhiOutcome::completed) {
            continue;
        }
        const m::ReturnInterview& rhi = *rhis[e];
        const bool with_dan = std::any_of(rhi.with.begin(), rhi.with.end(), names_dan);
        if (ep.adult < 0) {
            EXPECT_FALSE(with_dan) << rhi.rhi_id;
            EXPECT_TRUE(rhi.people_of_concern.empty());
            continue;
        }
        ++checked;
        EXPECT_TRUE(with_dan) << rhi.rhi_id;
        ASSERT_EQ(rhi.people_of_concern.size(), 1U);
        EXPECT_TRUE(names_dan(rhi.people_of_concern[0]));
        if (rhi.people_of_concern[0].person_id.empty()) {
            ++by_name_only;
        }
        EXPECT_TRUE(std::any_of(rhi.locations_of_concern.begin(), rhi.locations_of_concern.end(),
                                [](const m::Location& l) { return is_place(l, flat); }))
            << rhi.rhi_id;
        for (const auto& [category, value] : rhi.high_risk) {
            if (category == m::HighRiskCategory::high_risk_associates) {
                EXPECT_TRUE(value);
            }
            if (category == m::HighRiskCategory::overnight_24h) {
                EXPECT_EQ(value, ep.slept >= 0);
            }
            if (category == m::HighRiskCategory::high_risk_places) {
                EXPECT_EQ(value, ep.slept == flat);
            }
        }
        // The slept place lists him only when he is named by id.
        for (const m::RhiPlace& p : rhi.places) {
            if (p.role == m::PlaceRole::slept) {
                EXPECT_EQ(has(p.with, std::string("P-000001")),
                          !rhi.people_of_concern[0].person_id.empty());
            }
        }
    }
    EXPECT_GE(checked, 8);
    EXPECT_GT(by_name_only, 0); // most mentions are by name only
}

TEST(SynthRecords, FactorsOfExploitedChildrenIncludeThePlantedOnes) {
    const auto rhis = all_rhis();
    int kayla_seen = 0;
    int dylan_seen = 0;
    for (std::size_t e = 0; e < rhis.size(); ++e) {
        const EpisodeSpec& ep = world().episodes[e];
        if (!rhis[e] || *rhis[e]->outcome != m::RhiOutcome::completed) {
            continue;
        }
        const m::ReturnInterview& rhi = *rhis[e];
        using P = m::PushFactor;
        using L = m::PullFactor;
        if (ep.child == mia) {
            EXPECT_FALSE(has(rhi.push_factors, P::offender_associations));
            EXPECT_EQ(rhi.cse_indicators, false);
            continue;
        }
        EXPECT_TRUE(has(rhi.push_factors, P::offender_associations)) << rhi.rhi_id;
        if (ep.child == kayla) {
            ++kayla_seen;
            EXPECT_TRUE(has(rhi.pull_factors, L::partner_home) ||
                        has(rhi.pull_factors, L::run_to_partner));
            EXPECT_EQ(has(rhi.pull_factors, L::partner_home), ep.slept == flat);
            EXPECT_EQ(rhi.cse_indicators, true);
            // A children's home resident: one of the setting's push factors.
            EXPECT_TRUE(has(rhi.push_factors, P::relationship_breakdown) ||
                        has(rhi.push_factors, P::needing_space) ||
                        has(rhi.push_factors, P::peer_problems));
        } else {
            ++dylan_seen;
            EXPECT_TRUE(has(rhi.push_factors, P::criminal_exposure));
            EXPECT_TRUE(has(rhi.pull_factors, L::friends_fun));
            EXPECT_EQ(rhi.cce_indicators, true);
            EXPECT_TRUE(has(rhi.push_factors, P::domestic_violence) ||
                        has(rhi.push_factors, P::relationship_breakdown) ||
                        has(rhi.push_factors, P::financial_difficulties));
        }
        if (!ep.companions.empty()) {
            EXPECT_TRUE(has(rhi.pull_factors, L::unfamiliar_place_with_friends));
        }
        EXPECT_EQ(rhi.risk_of_repeat.has_value(), true);
        EXPECT_EQ(rhi.nrm_referral, false);
    }
    EXPECT_GT(kayla_seen, 3);
    EXPECT_GT(dylan_seen, 3);
}

TEST(SynthRecords, RhiPlacesComeFromTheEpisode) {
    const auto rhis = all_rhis();
    for (std::size_t e = 0; e < rhis.size(); ++e) {
        const EpisodeSpec& ep = world().episodes[e];
        if (!rhis[e] || *rhis[e]->outcome != m::RhiOutcome::completed) {
            continue;
        }
        for (const m::RhiPlace& p : rhis[e]->places) {
            EXPECT_FALSE(p.location.is_empty());
            const bool resolvable =
                !p.location.place_id.empty() || p.location.x || !p.location.postcode.empty() ||
                std::any_of(world().places.begin(), world().places.end(),
                            [&](const Place& q) { return q.label == p.location.label; });
            if (!resolvable) {
                continue; // a vague description ("the flats near the chippy")
            }
            switch (p.role) {
            case m::PlaceRole::slept:
                EXPECT_TRUE(is_place(p.location, ep.slept));
                break;
            case m::PlaceRole::found:
                EXPECT_TRUE(is_place(p.location, ep.found));
                break;
            case m::PlaceRole::met:
                EXPECT_TRUE(is_place(p.location, park));
                break;
            case m::PlaceRole::went_to:
                EXPECT_TRUE(std::any_of(ep.visited.begin(), ep.visited.end(), [&](int v) {
                    return is_place(p.location, v);
                })) << rhis[e]->rhi_id;
                break;
            case m::PlaceRole::concern:
                break;
            }
        }
    }
}

TEST(SynthRecords, CpisAreSortedNumberedAndGraded) {
    const auto cpis = make_cpis(world());
    EXPECT_NEAR(static_cast<double>(cpis.size()), 60.0, 1.0);
    for (std::size_t i = 0; i < cpis.size(); ++i) {
        const m::CpiReport& cpi = cpis[i];
        std::string number = std::to_string(i + 1);
        EXPECT_EQ(cpi.cpi_id, "I-" + std::string(6 - number.size(), '0') + number);
        ASSERT_TRUE(cpi.received_at);
        if (i > 0) {
            EXPECT_LE(*cpis[i - 1].received_at, *cpi.received_at);
        }
        EXPECT_GE(*cpi.received_at, world().start);
        EXPECT_LE(*cpi.received_at, world().end);
        ASSERT_TRUE(cpi.information_date);
        EXPECT_LE(*cpi.information_date, floor<days>(*cpi.received_at));
        EXPECT_TRUE(cpi.grading.source && cpi.grading.intelligence && cpi.grading.handling);
        EXPECT_FALSE(cpi.information.empty());
        EXPECT_FALSE(cpi.submitter.organisation.empty());
        EXPECT_NE(cpi.submitter.phone.find("07700 900"), std::string::npos);
        if (!cpi.submitter.email.empty()) {
            EXPECT_TRUE(cpi.submitter.email.ends_with("@example.org"));
        }
    }
}

TEST(SynthRecords, PlantedAdultsAreSuspectsAndNoiseIsWeak) {
    const auto cpis = make_cpis(world());
    int about_dan = 0;
    int with_victim = 0;
    int with_car_or_flat = 0;
    int weak = 0;
    for (const m::CpiReport& cpi : cpis) {
        for (const m::CpiSubject& s : cpi.subjects) {
            if (s.person.kind == m::PersonKind::adult && names_dan(s.person)) {
                EXPECT_EQ(s.role, m::SubjectRole::suspect);
                ++about_dan;
                const bool victim = std::any_of(cpi.subjects.begin(), cpi.subjects.end(),
                                                [](const m::CpiSubject& v) {
                                                    return v.person.kind == m::PersonKind::child &&
                                                           v.role == m::SubjectRole::victim;
                                                });
                with_victim += victim ? 1 : 0;
                const bool link =
                    !cpi.vehicles.empty() ||
                    std::any_of(cpi.places.begin(), cpi.places.end(),
                                [](const m::Location& l) { return is_place(l, flat); });
                with_car_or_flat += link ? 1 : 0;
            }
        }
        if (cpi.grading.source == m::SourceEvaluation::not_reliable &&
            (cpi.grading.intelligence == m::IntelligenceAssessment::not_known ||
             cpi.grading.intelligence == m::IntelligenceAssessment::suspected_false)) {
            ++weak;
        }
    }
    EXPECT_GT(about_dan, 10);
    EXPECT_GT(with_victim, about_dan / 2);
    EXPECT_EQ(with_car_or_flat, about_dan); // he always has the flat, so it is always there
    EXPECT_GT(weak, 0);
}

} // namespace
} // namespace waymark::synth
