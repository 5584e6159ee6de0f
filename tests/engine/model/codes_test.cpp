#include "base/error.hpp"
#include "engine/model/codes.hpp"
#include "engine/model/enums.hpp"
#include "tests/support/errors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <tuple>

namespace waymark::model {
namespace {

template <class Tuple>
struct ToTestingTypes;

template <class... E>
struct ToTestingTypes<std::tuple<E...>> {
    using type = ::testing::Types<E...>;
};

template <class E>
class CodeEnumTest : public ::testing::Test {};

using AllCodeEnumTypes = ToTestingTypes<AllCodeEnums>::type;
TYPED_TEST_SUITE(CodeEnumTest, AllCodeEnumTypes);

TYPED_TEST(CodeEnumTest, EveryCodeRoundTrips) {
    using E = TypeParam;
    for (const auto& entry : CodeTraits<E>::table) {
        EXPECT_EQ(to_code(entry.value), entry.code);
        EXPECT_EQ(parse_code<E>(to_code(entry.value)), entry.value) << entry.code;
        EXPECT_EQ(try_parse_code<E>(entry.code), entry.value) << entry.code;
    }
}

TYPED_TEST(CodeEnumTest, TableHasNoDuplicatesAndFollowsEnumeratorOrder) {
    using E = TypeParam;
    const auto& table = CodeTraits<E>::table;
    ASSERT_FALSE(table.empty());
    std::set<std::string_view> codes;
    for (std::size_t i = 0; i < table.size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(table[i].value), i);
        EXPECT_FALSE(table[i].code.empty());
        EXPECT_TRUE(codes.insert(table[i].code).second) << "duplicate code " << table[i].code;
    }
    EXPECT_TRUE(codes_are_valid<E>());
}

TYPED_TEST(CodeEnumTest, AllCodesListsTheTableInOrder) {
    using E = TypeParam;
    const auto codes = all_codes<E>();
    ASSERT_EQ(codes.size(), CodeTraits<E>::table.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
        EXPECT_EQ(codes[i], CodeTraits<E>::table[i].code);
    }
}

TYPED_TEST(CodeEnumTest, UnknownCodeNamesTheEnumAndListsEveryCode) {
    using E = TypeParam;
    EXPECT_EQ(try_parse_code<E>("no such code"), std::nullopt);
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<E>("no such code"); }),
              "unknown " + std::string(code_name<E>()) +
                  " 'no such code' (expected one of: " + joined_codes<E>() + ")");
}

TEST(Codes, UnknownSettingMessage) {
    EXPECT_THROW(parse_code<Setting>("fostr_care"), InputError);
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<Setting>("fostr_care"); }),
              "unknown setting 'fostr_care' (expected one of: home, foster_care, childrens_home, "
              "supported_accommodation, health, care_leaver, other)");
}

TEST(Codes, EmptyTextIsUnknown) {
    EXPECT_EQ(try_parse_code<Setting>(""), std::nullopt);
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<Setting>(""); }),
              "unknown setting '' (expected one of: home, foster_care, childrens_home, "
              "supported_accommodation, health, care_leaver, other)");
}

TEST(Codes, UnknownRiskGradeMessage) {
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<RiskGrade>("H"); }),
              "unknown risk grade 'H' (expected one of: no_apparent_risk, low, medium, high)");
}

TEST(Codes, UnknownSexMessage) {
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<Sex>("female"); }),
              "unknown sex 'female' (expected one of: F, M, X, U)");
}

TEST(Codes, UnknownGradingMessages) {
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<SourceEvaluation>("4"); }),
              "unknown source evaluation '4' (expected one of: 1, 2, 3)");
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<IntelligenceAssessment>("F"); }),
              "unknown intelligence assessment 'F' (expected one of: A, B, C, D, E)");
    EXPECT_EQ(testing::message_of<InputError>([] { parse_code<HandlingCode>("X"); }),
              "unknown handling code 'X' (expected one of: P, C)");
}

TEST(Codes, MatchIsExact) {
    EXPECT_EQ(try_parse_code<Sex>("f"), std::nullopt);
    EXPECT_EQ(try_parse_code<Setting>("Home"), std::nullopt);
    EXPECT_EQ(try_parse_code<Setting>(" home"), std::nullopt);
    EXPECT_EQ(try_parse_code<Setting>("home "), std::nullopt);
    EXPECT_EQ(try_parse_code<IntelligenceAssessment>("a"), std::nullopt);
}

TEST(Codes, CodesMatchTheDataModel) {
    EXPECT_EQ(joined_codes<Sex>(), "F, M, X, U");
    EXPECT_EQ(joined_codes<EpisodeCategory>(),
              "missing, absent, away_without_authorisation, unauthorised_absence");
    EXPECT_EQ(joined_codes<PlacementArea>(), "in_area, out_of_area, placed_in");
    EXPECT_EQ(joined_codes<PlaceType>(),
              "home, placement, school, street, park, retail, food_outlet, transport, "
              "licensed_premises, address_of_concern, health, other");
    EXPECT_EQ(joined_codes<ReturnedBy>(), "police, parent_carer, self, professional, other");
    EXPECT_EQ(joined_codes<RhiOutcome>(),
              "completed, declined, parent_refused, not_offered, unable_to_contact, pending");
    EXPECT_EQ(joined_codes<RhiMode>(), "face_to_face, phone, video");
    EXPECT_EQ(joined_codes<PlaceRole>(), "went_to, slept, met, found, concern");
    EXPECT_EQ(joined_codes<PushFactor>(),
              "domestic_violence, abuse, cultural_conflict, peer_problems, substance_misuse, "
              "sen_mental_health, homophobia, relationship_breakdown, bereavement_loss, "
              "financial_difficulties, needing_space, lack_of_love_security, "
              "family_history_prostitution, trafficking_factors, offender_associations, "
              "disrupted_schooling, health_needs, self_harm, criminal_exposure, "
              "previous_missing, other");
    EXPECT_EQ(joined_codes<PullFactor>(),
              "run_to_family, run_to_friends, run_to_partner, spent_time_with_family, "
              "friends_fun, partner_home, unfamiliar_place_with_partner, "
              "unfamiliar_place_with_friends, alone_town_parks, trafficking_control, other");
    EXPECT_EQ(joined_codes<HighRiskCategory>(),
              "overnight_24h, repeat, domestic_violence, criminal_behaviour, harmed, "
              "emotional_wellbeing, substance_misuse, trafficking, high_risk_places, "
              "high_risk_associates");
    EXPECT_EQ(joined_codes<RepeatRisk>(), "low, medium, high");
    EXPECT_EQ(joined_codes<PersonKind>(), "child, adult");
    EXPECT_EQ(joined_codes<SubjectRole>(), "victim, suspect, associate, witness, unknown");
    EXPECT_EQ(joined_codes<GazetteerKeyType>(), "postcode, uprn, place");
    EXPECT_EQ(joined_codes<Resolution>(),
              "coordinates, lat_lon, place_id, postcode, label, unresolved");
}

TEST(Codes, GradingCodesMapToTheirMeaning) {
    EXPECT_EQ(parse_code<SourceEvaluation>("1"), SourceEvaluation::reliable);
    EXPECT_EQ(parse_code<SourceEvaluation>("3"), SourceEvaluation::not_reliable);
    EXPECT_EQ(parse_code<IntelligenceAssessment>("B"),
              IntelligenceAssessment::known_indirectly_corroborated);
    EXPECT_EQ(parse_code<IntelligenceAssessment>("E"), IntelligenceAssessment::suspected_false);
    EXPECT_EQ(parse_code<HandlingCode>("C"), HandlingCode::sharing_with_conditions);
    EXPECT_EQ(parse_code<Sex>("U"), Sex::unknown);
}

TEST(Codes, ValueOutsideTheTableHasNoCode) {
    EXPECT_EQ(to_code(static_cast<Setting>(99)), "");
}

TEST(Codes, WorkAtCompileTime) {
    static_assert(to_code(RiskGrade::high) == "high");
    static_assert(try_parse_code<RiskGrade>("low") == RiskGrade::low);
    static_assert(!try_parse_code<RiskGrade>("LOW"));
    static_assert(all_codes<HandlingCode>().size() == 2);
    static_assert(std::tuple_size_v<AllCodeEnums> == 21);
    SUCCEED();
}

TEST(Codes, JoinCodes) {
    EXPECT_EQ(join_codes({}), "");
    const std::string_view one[] = {"a"};
    EXPECT_EQ(join_codes(one), "a");
    const std::string_view two[] = {"a", "b"};
    EXPECT_EQ(join_codes(two), "a, b");
}

} // namespace
} // namespace waymark::model
