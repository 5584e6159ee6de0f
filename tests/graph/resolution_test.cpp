// Entity resolution on small hand-made indexes: each reason, the merge and
// possible thresholds, the margin, new entities, overrides and their file.
// The force world's figures are in resolution_world_test.cpp.

#include "base/error.hpp"
#include "graph/resolution.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace waymark::graph {
namespace {

namespace m = waymark::model;
using waymark::testing::message_of;
using waymark::testing::TempDir;

using Links = std::unordered_map<std::string, std::vector<std::string>>;

KnownPerson person(const char* id, m::PersonKind kind, const char* name,
                   std::vector<std::string> aliases = {}, const char* dob = nullptr) {
    KnownPerson p;
    p.id = id;
    p.kind = kind;
    p.name = name;
    p.aliases = std::move(aliases);
    if (dob != nullptr) {
        p.dob = m::parse_date(dob);
    }
    return p;
}

/// A mention in record `record` (by default a record of its own).
NameMention mention(const char* key, const char* name, std::optional<m::PersonKind> kind,
                    std::vector<std::string> context = {}, const char* record = nullptr) {
    NameMention n;
    n.key = key;
    n.record = record != nullptr ? record : std::string("R-") + key;
    n.name = name;
    n.kind = kind;
    n.context = std::move(context);
    return n;
}

constexpr auto child = m::PersonKind::child;
constexpr auto adult = m::PersonKind::adult;

bool has_reason(const Match& match, const std::string& code) {
    return std::any_of(match.reasons.begin(), match.reasons.end(),
                       [&](const MatchReason& r) { return r.code == code; });
}

double weight_of(const Match& match, const std::string& code) {
    for (const MatchReason& r : match.reasons) {
        if (r.code == code) {
            return r.weight;
        }
    }
    return 0;
}

/// A small index: children of one peer group and others who share names,
/// among 400 more children and 100 adults whose names match nothing here
/// (as in a real index, most known people are nobody the mention names).
std::vector<KnownPerson> town() {
    std::vector<KnownPerson> people = {
        person("C-1", child, "Daniel Cooper", {"Danny"}, "2009-04-11"),
        person("C-2", child, "Daniel Wright", {}, "2010-01-30"),
        person("C-3", child, "Kayleigh Smith", {}, "2008-07-02"),
        person("C-4", child, "Thomas Hughes", {}, "2009-12-24"),
        person("C-5", child, "Thomas Baker", {}, "2011-03-15"),
        person("C-6", child, "Mia Khan", {}, "2010-09-09"),
        person("P-1", adult, "Kieran Walsh", {"Kez"}, "1990-02-03"),
        person("P-2", adult, "Marcus Hill", {"Kez"}, "1985-06-20"),
        person("P-3", adult, "Lee Evans", {}, "1979-11-01"),
    };
    for (int i = 0; i < 500; ++i) {
        const std::string n = std::to_string(i);
        people.push_back(person(((i < 400 ? "C-F" : "P-F") + n).c_str(), i < 400 ? child : adult,
                                ("Zzgiven" + n + " Zzfamily" + n).c_str()));
    }
    return people;
}

/// Daniel Cooper, Thomas Hughes and Mia Khan go missing together; Kieran
/// Walsh is named by id in Mia's interviews.
Links town_links() {
    return {{"C-1", {"C-4", "C-6"}}, {"C-4", {"C-1", "C-6"}}, {"C-6", {"C-1", "C-4", "P-1"}}};
}

TEST(Resolver, FullNameMerges) {
    const auto people = town();
    const Resolver resolver(people, {}, {}, {});
    const auto results = resolver.resolve(std::vector{mention("k1", "Kayleigh SMITH", child)});
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].outcome, Outcome::merged);
    EXPECT_EQ(results[0].entity, "C-3");
    ASSERT_TRUE(results[0].match);
    EXPECT_EQ(results[0].match->person_id, "C-3");
    EXPECT_GE(results[0].match->score, 0.85);
    EXPECT_TRUE(has_reason(*results[0].match, "name_exact"));
    EXPECT_FALSE(results[0].overridden);
}

TEST(Resolver, MisspeltNamesAndSoundsAlike) {
    const auto people = town();
    const Resolver resolver(people, {}, {}, {});
    const auto results = resolver.resolve(std::vector{mention("k1", "Kayley Smith", child),
                                                      mention("k2", "Kayleigh Smiht", child),
                                                      mention("k3", "Mia Kahn", child)});
    for (const auto& r : results) {
        EXPECT_EQ(r.outcome, Outcome::merged) << r.entity;
    }
    EXPECT_EQ(results[0].entity, "C-3");
    EXPECT_TRUE(has_reason(*results[0].match, "phonetic")); // 'kayley' sounds like 'kayleigh'
    EXPECT_TRUE(has_reason(*results[0].match, "family_exact"));
    EXPECT_EQ(results[1].entity, "C-3");
    EXPECT_TRUE(has_reason(*results[1].match, "jaro_winkler"));
    EXPECT_EQ(results[2].entity, "C-6");
}

// The case the issue names: "Dan" in the interview of a child whose peer
// group includes Daniel Cooper, while another Daniel is known elsewhere.
TEST(Resolver, LoneNicknameResolvedByTheRecordsLinks) {
    const auto people = town();
    const Resolver resolver(people, town_links(), {}, {});
    const auto results = resolver.resolve(std::vector{
        mention("with", "Dan", child, {"C-6"}), // Mia's interview
        mention("alone", "Dan", child, {}),     // a form naming nobody by id
    });
    EXPECT_EQ(results[0].outcome, Outcome::merged);
    EXPECT_EQ(results[0].entity, "C-1");
    const Match& why = *results[0].match;
    EXPECT_TRUE(has_reason(why, "nickname"));
    EXPECT_LT(weight_of(why, "given_only"), 0);
    EXPECT_LT(weight_of(why, "common_name"), 0); // two Daniels
    EXPECT_GT(weight_of(why, "linked"), 0);
    for (const MatchReason& reason : why.reasons) {
        EXPECT_FALSE(reason.detail.empty()) << reason.code;
    }
    // Without the link, two Daniels fit as well: neither is merged.
    EXPECT_NE(results[1].outcome, Outcome::merged);
    EXPECT_EQ(results[1].entity.substr(0, 2), "U-");
}

TEST(Resolver, NamedByIdInTheRecord) {
    const auto people = town();
    const Resolver resolver(people, {}, {}, {});
    const auto results = resolver.resolve(std::vector{mention("k", "Tom", child, {"C-5"})});
    EXPECT_EQ(results[0].outcome, Outcome::merged);
    EXPECT_EQ(results[0].entity, "C-5");
    EXPECT_GT(weight_of(*results[0].match, "in_record"), 0);
}

TEST(Resolver, TheRecordsOwnChildIsNeverTheMention) {
    const auto people = town();
    const Resolver resolver(people, town_links(), {}, {});
    NameMention tom = mention("k", "Tom", child, {"C-4"});
    tom.subject = "C-4"; // Thomas Hughes's own interview: his "Tom" is someone else
    const auto results = resolver.resolve(std::vector{tom});
    EXPECT_NE(results[0].entity, "C-4");
    for (const Match& match : results[0].possible) {
        EXPECT_NE(match.person_id, "C-4");
    }
}

TEST(Resolver, AmbiguousCandidatesArePossibleMatches) {
    const auto people = town();
    // Both Thomases named by id in the record: "Tom" fits both equally.
    const Resolver resolver(people, {}, {}, {});
    const auto results = resolver.resolve(std::vector{mention("k", "Tom", child, {"C-4", "C-5"})});
    EXPECT_EQ(results[0].outcome, Outcome::possible);
    ASSERT_EQ(results[0].possible.size(), 2U);
    EXPECT_EQ(results[0].possible[0].person_id, "C-4"); // a tie: by id
    EXPECT_EQ(results[0].possible[1].person_id, "C-5");
    EXPECT_EQ(results[0].possible[0].score, results[0].possible[1].score);
    EXPECT_GE(results[0].possible[0].score, 0.6);
    EXPECT_FALSE(results[0].match);

    ResolutionParams one;
    one.max_possible = 1;
    const Resolver fewer(people, {}, {}, one);
    EXPECT_EQ(
        fewer.resolve(std::vector{mention("k", "Tom", child, {"C-4", "C-5"})})[0].possible.size(),
        1U);
}

TEST(Resolver, DatesOfBirthAndKind) {
    const auto people = town();
    const Resolver resolver(people, {}, {}, {});
    NameMention same = mention("a", "Mia Khan", child);
    same.dob = m::parse_date("2010-09-09");
    NameMention slip = mention("b", "Mia Khan", child);
    slip.dob = m::parse_date("2010-10-09");
    NameMention swapped = mention("c", "Mia Khan", child);
    swapped.dob = m::parse_date("2001-09-09");
    NameMention other = mention("d", "Mia Khan", child);
    other.dob = m::parse_date("2014-01-01");
    NameMention grown = mention("e", "Mia Khan", adult);
    const auto results = resolver.resolve(std::vector{same, slip, swapped, other, grown});
    EXPECT_GT(weight_of(*results[0].match, "dob_same"), 0);
    EXPECT_GT(weight_of(*results[1].match, "dob_near"), 0);
    EXPECT_EQ(results[2].outcome, Outcome::merged);
    EXPECT_GT(weight_of(*results[2].match, "dob_transposed"), 0);
    // A different date of birth counts against: not merged.
    EXPECT_NE(results[3].outcome, Outcome::merged);
    // Written as an adult: not the child Mia Khan.
    EXPECT_NE(results[4].outcome, Outcome::merged);
}

TEST(Resolver, AliasesAndSex) {
    const auto people = town();
    const Resolver resolver(people, town_links(), {}, {});
    NameMention kez = mention("k", "Kez", adult, {"C-6"});
    NameMention lone_kez = mention("l", "Kez", adult, {});
    NameMention woman = mention("w", "Lee Evans", adult);
    woman.sex = m::Sex::female;
    auto people_with_sex = people;
    people_with_sex[8].sex = m::Sex::male; // Lee Evans
    const Resolver sexed(people_with_sex, {}, {}, {});
    const auto results = resolver.resolve(std::vector{kez, lone_kez});
    EXPECT_EQ(results[0].outcome, Outcome::merged);
    EXPECT_EQ(results[0].entity, "P-1");
    EXPECT_TRUE(has_reason(*results[0].match, "alias"));
    EXPECT_NE(results[1].outcome, Outcome::merged); // two adults are known as Kez
    const auto sex_results = sexed.resolve(std::vector{woman});
    ASSERT_FALSE(sex_results[0].possible.empty() && !sex_results[0].match);
    const Match& lee = sex_results[0].match ? *sex_results[0].match : sex_results[0].possible[0];
    EXPECT_LT(weight_of(lee, "sex_different"), 0);
}

TEST(Resolver, MentionsOfOneRecordResolveTogether) {
    const auto people = town();
    const Resolver resolver(people, town_links(), {}, {});
    // A CPI form naming nobody by id: "Mia Khan" resolves by her full name,
    // and then "Kez" by Kieran Walsh's link to her.
    const auto results = resolver.resolve(std::vector{
        mention("cpi:1", "Kez", adult, {}, "I-1"),
        mention("cpi:2", "Mia Khan", child, {}, "I-1"),
        mention("cpi:3", "Kez", adult, {}, "I-2"),
    });
    EXPECT_EQ(results[1].entity, "C-6");
    EXPECT_EQ(results[0].outcome, Outcome::merged);
    EXPECT_EQ(results[0].entity, "P-1");
    EXPECT_NE(results[2].outcome, Outcome::merged); // another form: no one to link to
}

TEST(Resolver, NewEntitiesShareNameAndKindUnlessSomethingCountsAgainst) {
    const auto people = town();
    const Resolver resolver(people, {}, {}, {});
    NameMention a = mention("a", "Jordan Pike", child);
    NameMention b = mention("b", "  jordan PIKE", child, {}, "R-2");
    NameMention c = mention("c", "Jordan Pike", adult);
    NameMention d = mention("d", "Ellis", child);
    const auto results = resolver.resolve(std::vector{a, b, c, d});
    for (const auto& r : results) {
        EXPECT_EQ(r.outcome, Outcome::unmatched);
        ASSERT_EQ(r.entity.size(), 14U);
        EXPECT_EQ(r.entity.substr(0, 2), "U-");
        EXPECT_EQ(r.entity.find_first_not_of("0123456789abcdef", 2), std::string::npos);
    }
    EXPECT_EQ(results[0].entity, results[1].entity);
    EXPECT_NE(results[0].entity, results[2].entity); // a child and an adult
    EXPECT_NE(results[0].entity, results[3].entity);
    // Stable between runs and machines: a hash of the name and kind.
    EXPECT_EQ(resolver.resolve(std::vector{a})[0].entity, results[0].entity);

    // Two dates of birth that differ: two people, each with their own id;
    // a mention without one stays with the name's id.
    NameMention e = mention("e", "Jordan Pike", child);
    e.dob = m::parse_date("2009-01-01");
    NameMention f = mention("f", "Jordan Pike", child);
    f.dob = m::parse_date("2012-06-30");
    const auto split = resolver.resolve(std::vector{a, e, f});
    EXPECT_NE(split[1].entity, split[2].entity);
    EXPECT_NE(split[0].entity, split[1].entity);
    EXPECT_EQ(split[0].entity, results[0].entity);
    // One date of birth: nothing against, one entity.
    const auto together = resolver.resolve(std::vector{a, e});
    EXPECT_EQ(together[0].entity, together[1].entity);
}

TEST(Resolver, Deterministic) {
    const auto people = town();
    Links reordered;
    for (const auto& [id, others] : town_links()) {
        std::vector<std::string> reversed(others.rbegin(), others.rend());
        reordered.emplace(id, reversed);
    }
    const Resolver first(people, town_links(), {}, {});
    const Resolver second(people, reordered, {}, {});
    const std::vector<NameMention> mentions = {
        mention("1", "Dan", child, {"C-6"}), mention("2", "Tom", child, {"C-4", "C-5"}),
        mention("3", "Kez", adult, {}), mention("4", "Kayley Smyth", child)};
    const auto a = first.resolve(mentions);
    const auto b = second.resolve(mentions);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].outcome, b[i].outcome);
        EXPECT_EQ(a[i].entity, b[i].entity);
        EXPECT_EQ(a[i].possible.size(), b[i].possible.size());
        if (a[i].match && b[i].match) {
            EXPECT_EQ(a[i].match->score, b[i].match->score);
            EXPECT_EQ(a[i].match->reasons.size(), b[i].match->reasons.size());
        }
    }
}

TEST(Resolver, ResultsDoNotDependOnThreads) {
    const auto people = town();
    std::vector<NameMention> mentions;
    const char* names[] = {"Dan", "Tom", "Kez", "Kayley Smyth", "Mia", "Thomas Hughes", "Jordan"};
    for (int i = 0; i < 700; ++i) {
        const std::string key = std::to_string(i);
        NameMention n =
            mention(key.c_str(), names[i % 7], i % 3 == 2 ? adult : child,
                    i % 2 == 0 ? std::vector<std::string>{"C-6"} : std::vector<std::string>{},
                    ("R-" + std::to_string(i / 3)).c_str());
        mentions.push_back(n);
    }
    ResolutionParams one;
    one.threads = 1;
    ResolutionParams three;
    three.threads = 3;
    const auto a = Resolver(people, town_links(), {}, one).resolve(mentions);
    const auto b = Resolver(people, town_links(), {}, three).resolve(mentions);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].outcome, b[i].outcome) << i;
        EXPECT_EQ(a[i].entity, b[i].entity) << i;
        ASSERT_EQ(a[i].possible.size(), b[i].possible.size()) << i;
        for (std::size_t j = 0; j < a[i].possible.size(); ++j) {
            EXPECT_EQ(a[i].possible[j].person_id, b[i].possible[j].person_id);
            EXPECT_EQ(a[i].possible[j].score, b[i].possible[j].score);
        }
    }
}

TEST(Resolver, ParametersOutOfRange) {
    const auto people = town();
    const auto error = [&](auto change) {
        ResolutionParams params;
        change(params);
        return message_of<InputError>([&] { Resolver(people, {}, {}, params); });
    };
    EXPECT_EQ(error([](ResolutionParams& p) { p.merge_threshold = 0; }),
              "entity resolution: merge_threshold must be above 0 and at most 1, got 0");
    EXPECT_EQ(error([](ResolutionParams& p) { p.possible_threshold = 1.5; }),
              "entity resolution: possible_threshold must be from 0 to 1, got 1.5");
    EXPECT_EQ(error([](ResolutionParams& p) { p.max_possible = -1; }),
              "entity resolution: max_possible must be 0 or more, got -1");
    EXPECT_EQ(error([](ResolutionParams& p) { p.margin = -0.5; }),
              "entity resolution: margin must be a finite number, 0 or more, got -0.5");
    EXPECT_EQ(error([](ResolutionParams& p) { p.threads = -2; }),
              "entity resolution: threads must be 0 (one per core) or more, got -2");
}

TEST(Resolver, EmptyAndPunctuationOnlyNames) {
    const auto people = town();
    const Resolver resolver(people, {}, {}, {});
    const auto results =
        resolver.resolve(std::vector{mention("x", "--", child), mention("y", "", child)});
    for (const auto& r : results) {
        EXPECT_EQ(r.outcome, Outcome::unmatched);
        EXPECT_EQ(r.entity.substr(0, 2), "U-");
    }
    EXPECT_NE(results[0].entity, results[1].entity); // nothing says they are one person
}

TEST(Resolver, KnownPeopleMustHaveDistinctIds) {
    std::vector<KnownPerson> people = town();
    people.push_back(person("C-1", child, "Someone Else"));
    EXPECT_EQ(message_of<InputError>([&] { Resolver(people, {}, {}, {}); }),
              "entity resolution: person 'C-1' is listed twice");
}

// A large index: a lone "Thomas" is never compared with everyone who bears
// it, only with the people the record links to.
TEST(Resolver, OversizedBlocksUseTheRecordsPeople) {
    std::vector<KnownPerson> people;
    std::vector<std::string> ids;
    for (int i = 0; i < 3000; ++i) {
        ids.push_back("C-" + std::to_string(i));
    }
    for (int i = 0; i < 3000; ++i) {
        people.push_back(
            person(ids[static_cast<std::size_t>(i)].c_str(), child,
                   ("Thomas Family" + std::string(1, char('a' + i % 26)) +
                    std::string(1, char('a' + (i / 26) % 26)) + std::string(1, char('a' + i / 676)))
                       .c_str()));
    }
    people.push_back(person("C-X", child, "Mia Khan"));
    const Links links = {{"C-X", {"C-1234"}}};
    const Resolver resolver(people, links, {}, {});
    const auto results = resolver.resolve(
        std::vector{mention("a", "Thomas", child, {"C-X"}), mention("b", "Thomas", child, {})});
    EXPECT_EQ(results[0].outcome, Outcome::merged);
    EXPECT_EQ(results[0].entity, "C-1234");
    EXPECT_EQ(results[1].outcome, Outcome::unmatched);
}

// ---- overrides ----------------------------------------------------------------

TEST(Overrides, PinAndSplitWin) {
    const auto people = town();
    const std::vector<Override> overrides =
        parse_overrides("action,record,name,person_id,note\n"
                        "pin,R-9,Dan,C-2,\"confirmed with the social worker, 3 May\"\n"
                        "pin,,Kez,P-2,street name of Marcus Hill\n"
                        "split,R-5,Kayleigh Smith,C-3,another girl of that name\n"
                        "split,R-7,Kez,P-2,\n",
                        "overrides.csv");
    const Resolver resolver(people, town_links(), overrides, {});
    const auto results = resolver.resolve(std::vector{
        mention("1", "Dan", child, {"C-6"}, "R-9"),  // the link says C-1; the pin says C-2
        mention("2", "Dan", child, {"C-6"}, "R-10"), // not this record: the link decides
        mention("3", "KEZ", adult, {"C-6"}, "R-3"),  // pinned everywhere
        mention("4", "Kayleigh Smith", child, {}, "R-5"),
        mention("5", "Kez", adult, {"C-6"}, "R-7"), // here the split beats the global pin
    });
    EXPECT_EQ(results[0].entity, "C-2");
    EXPECT_TRUE(results[0].overridden);
    EXPECT_EQ(results[0].match->score, 1.0);
    EXPECT_EQ(results[0].match->reasons.at(0).code, "pinned");
    EXPECT_EQ(results[0].match->reasons.at(0).detail,
              "pinned by the analyst (overrides line 2): confirmed with the social worker, 3 May");
    EXPECT_EQ(results[1].entity, "C-1");
    EXPECT_FALSE(results[1].overridden);
    EXPECT_EQ(results[2].entity, "P-2");
    EXPECT_TRUE(results[2].overridden);
    EXPECT_NE(results[3].entity, "C-3");
    EXPECT_EQ(results[3].outcome, Outcome::unmatched);
    EXPECT_EQ(results[4].entity, "P-1");
    EXPECT_FALSE(results[4].overridden);
}

TEST(Overrides, UnknownPeopleAndConflicts) {
    const auto people = town();
    const auto build = [&](const char* csv) {
        const auto overrides = parse_overrides(csv, "o.csv");
        Resolver(people, {}, overrides, {});
    };
    EXPECT_EQ(message_of<InputError>([&] {
                  build("action,record,name,person_id,note\npin,R-1,Dan,C-1,\npin,,Tom,C-99,\n");
              }),
              "overrides: line 3: person 'C-99' is not known");
    EXPECT_EQ(message_of<InputError>(
                  [&] { build("action,record,name,person_id,note\nsplit,,Tom,P-404,\n"); }),
              "overrides: line 2: person 'P-404' is not known");
    EXPECT_EQ(message_of<InputError>([&] {
                  build("action,record,name,person_id,note\npin,R-1,Dan,C-1,\npin,R-1,dan,C-2,\n");
              }),
              "overrides: lines 2 and 3 pin 'dan' to two people, 'C-1' and 'C-2'");
    EXPECT_EQ(message_of<InputError>([&] {
                  build("action,record,name,person_id,note\npin,,Dan,C-1,\nsplit,,DAN,C-1,\n");
              }),
              "overrides: lines 2 and 3 both pin and split 'DAN' and 'C-1'");
}

TEST(Overrides, FileFormat) {
    const auto overrides = parse_overrides("\xEF\xBB\xBF"
                                           "action,record,name,person_id,note\r\n"
                                           "\r\n"
                                           "pin, R-1 ,\"O'Neil, Dan\",C-1,\"said \"\"Danny\"\"\n"
                                           "on the phone\"\r\n"
                                           "split,,Kez,P-2,\n",
                                           "o.csv");
    ASSERT_EQ(overrides.size(), 2U);
    EXPECT_EQ(overrides[0].action, Override::Action::pin);
    EXPECT_EQ(overrides[0].record, "R-1");
    EXPECT_EQ(overrides[0].name, "O'Neil, Dan");
    EXPECT_EQ(overrides[0].person_id, "C-1");
    EXPECT_EQ(overrides[0].note, "said \"Danny\"\non the phone");
    EXPECT_EQ(overrides[0].line, 3);
    EXPECT_EQ(overrides[1].action, Override::Action::split);
    EXPECT_EQ(overrides[1].record, "");
    EXPECT_EQ(overrides[1].line, 5);
}

TEST(Overrides, ErrorsNameFileAndLine) {
    const auto error = [](const char* csv) {
        return message_of<InputError>([&] { parse_overrides(csv, "o.csv"); });
    };
    EXPECT_EQ(error(""), "o.csv: line 1: expected the header action,record,name,person_id,note");
    EXPECT_EQ(error("action,name,person_id\n"),
              "o.csv: line 1: expected the header action,record,name,person_id,note");
    EXPECT_EQ(error("action,record,name,person_id,note\npin,R-1,Dan,C-1\n"),
              "o.csv: line 2: expected 5 fields (action,record,name,person_id,note), got 4");
    EXPECT_EQ(error("action,record,name,person_id,note\n\nmerge,R-1,Dan,C-1,\n"),
              "o.csv: line 3: unknown action 'merge' (expected pin or split)");
    EXPECT_EQ(error("action,record,name,person_id,note\npin,R-1,,C-1,\n"),
              "o.csv: line 2: the name is empty");
    EXPECT_EQ(error("action,record,name,person_id,note\npin,R-1,--,C-1,\n"),
              "o.csv: line 2: the name '--' has no letters or digits");
    EXPECT_EQ(error("action,record,name,person_id,note\npin,R-1,Dan,,\n"),
              "o.csv: line 2: the person_id is empty");
    EXPECT_EQ(error("action,record,name,person_id,note\npin,R-1,\"Dan,C-1,\n"),
              "o.csv: line 2: a quoted field is not closed");
}

TEST(Overrides, ReadFile) {
    TempDir dir;
    const std::string path = dir.file("overrides.csv");
    {
        std::ofstream out(path);
        out << "action,record,name,person_id,note\npin,,Kez,P-2,\nsplit,R-1,Tom,C-4\n";
    }
    EXPECT_EQ(message_of<InputError>([&] { read_overrides(path); }),
              path + ": line 3: expected 5 fields (action,record,name,person_id,note), got 4");
    EXPECT_EQ(message_of<IoError>([&] { read_overrides(dir.file("missing.csv")); }),
              "cannot read the overrides file " + dir.file("missing.csv"));
    {
        std::ofstream out(path);
        out << "action,record,name,person_id,note\npin,,Kez,P-2,\n";
    }
    EXPECT_EQ(read_overrides(path).size(), 1U);
}

} // namespace
} // namespace waymark::graph
