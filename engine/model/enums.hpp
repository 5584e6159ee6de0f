#pragma once

// The code enums of the canonical formats (DATA-MODEL.md), each with its code
// table. Codes are matched exactly (case-sensitive); an import specification's
// `values` map turns a source's own codes into these before parsing.

#include "engine/model/codes.hpp"

#include <array>
#include <string_view>
#include <tuple>

namespace waymark::model {

/// Sex as recorded (episodes.csv `sex`, persons.csv `sex`, person objects).
enum class Sex {
    female,  ///< F
    male,    ///< M
    other,   ///< X: recorded as neither F nor M
    unknown, ///< U: not known
};

template <>
struct CodeTraits<Sex> {
    static constexpr std::string_view name = "sex";
    static constexpr std::array<CodeEntry<Sex>, 4> table{{
        {Sex::female, "F"},
        {Sex::male, "M"},
        {Sex::other, "X"},
        {Sex::unknown, "U"},
    }};
};
static_assert(codes_are_valid<Sex>());

/// episodes.csv `category`; an empty value means `missing`.
enum class EpisodeCategory {
    missing,
    absent,
    away_without_authorisation,
    unauthorised_absence,
};

template <>
struct CodeTraits<EpisodeCategory> {
    static constexpr std::string_view name = "episode category";
    static constexpr std::array<CodeEntry<EpisodeCategory>, 4> table{{
        {EpisodeCategory::missing, "missing"},
        {EpisodeCategory::absent, "absent"},
        {EpisodeCategory::away_without_authorisation, "away_without_authorisation"},
        {EpisodeCategory::unauthorised_absence, "unauthorised_absence"},
    }};
};
static_assert(codes_are_valid<EpisodeCategory>());

/// episodes.csv `setting`: where the child lives.
enum class Setting {
    home,
    foster_care,
    childrens_home,
    supported_accommodation,
    health,
    care_leaver,
    other,
};

template <>
struct CodeTraits<Setting> {
    static constexpr std::string_view name = "setting";
    static constexpr std::array<CodeEntry<Setting>, 7> table{{
        {Setting::home, "home"},
        {Setting::foster_care, "foster_care"},
        {Setting::childrens_home, "childrens_home"},
        {Setting::supported_accommodation, "supported_accommodation"},
        {Setting::health, "health"},
        {Setting::care_leaver, "care_leaver"},
        {Setting::other, "other"},
    }};
};
static_assert(codes_are_valid<Setting>());

/// episodes.csv `placement_area`.
enum class PlacementArea {
    in_area,
    out_of_area, ///< placed by us elsewhere
    placed_in,   ///< placed here by another authority
};

template <>
struct CodeTraits<PlacementArea> {
    static constexpr std::string_view name = "placement area";
    static constexpr std::array<CodeEntry<PlacementArea>, 3> table{{
        {PlacementArea::in_area, "in_area"},
        {PlacementArea::out_of_area, "out_of_area"},
        {PlacementArea::placed_in, "placed_in"},
    }};
};
static_assert(codes_are_valid<PlacementArea>());

/// episodes.csv `risk_grade`: the police risk grade.
enum class RiskGrade {
    no_apparent_risk,
    low,
    medium,
    high,
};

template <>
struct CodeTraits<RiskGrade> {
    static constexpr std::string_view name = "risk grade";
    static constexpr std::array<CodeEntry<RiskGrade>, 4> table{{
        {RiskGrade::no_apparent_risk, "no_apparent_risk"},
        {RiskGrade::low, "low"},
        {RiskGrade::medium, "medium"},
        {RiskGrade::high, "high"},
    }};
};
static_assert(codes_are_valid<RiskGrade>());

/// The `P_type` of a location block, and gazetteer.csv `place_type`.
enum class PlaceType {
    home,
    placement,
    school,
    street,
    park,
    retail,
    food_outlet,
    transport,
    licensed_premises,
    address_of_concern,
    health,
    other,
};

template <>
struct CodeTraits<PlaceType> {
    static constexpr std::string_view name = "place type";
    static constexpr std::array<CodeEntry<PlaceType>, 12> table{{
        {PlaceType::home, "home"},
        {PlaceType::placement, "placement"},
        {PlaceType::school, "school"},
        {PlaceType::street, "street"},
        {PlaceType::park, "park"},
        {PlaceType::retail, "retail"},
        {PlaceType::food_outlet, "food_outlet"},
        {PlaceType::transport, "transport"},
        {PlaceType::licensed_premises, "licensed_premises"},
        {PlaceType::address_of_concern, "address_of_concern"},
        {PlaceType::health, "health"},
        {PlaceType::other, "other"},
    }};
};
static_assert(codes_are_valid<PlaceType>());

/// episodes.csv `returned_by`: who returned the child.
enum class ReturnedBy {
    police,
    parent_carer,
    self,
    professional,
    other,
};

template <>
struct CodeTraits<ReturnedBy> {
    static constexpr std::string_view name = "returned by";
    static constexpr std::array<CodeEntry<ReturnedBy>, 5> table{{
        {ReturnedBy::police, "police"},
        {ReturnedBy::parent_carer, "parent_carer"},
        {ReturnedBy::self, "self"},
        {ReturnedBy::professional, "professional"},
        {ReturnedBy::other, "other"},
    }};
};
static_assert(codes_are_valid<ReturnedBy>());

/// rhi.jsonl `outcome`.
enum class RhiOutcome {
    completed,
    declined, ///< declined by the child
    parent_refused,
    not_offered,
    unable_to_contact,
    pending,
};

template <>
struct CodeTraits<RhiOutcome> {
    static constexpr std::string_view name = "RHI outcome";
    static constexpr std::array<CodeEntry<RhiOutcome>, 6> table{{
        {RhiOutcome::completed, "completed"},
        {RhiOutcome::declined, "declined"},
        {RhiOutcome::parent_refused, "parent_refused"},
        {RhiOutcome::not_offered, "not_offered"},
        {RhiOutcome::unable_to_contact, "unable_to_contact"},
        {RhiOutcome::pending, "pending"},
    }};
};
static_assert(codes_are_valid<RhiOutcome>());

/// rhi.jsonl `mode`: how the interview was conducted.
enum class RhiMode {
    face_to_face,
    phone,
    video,
};

template <>
struct CodeTraits<RhiMode> {
    static constexpr std::string_view name = "RHI mode";
    static constexpr std::array<CodeEntry<RhiMode>, 3> table{{
        {RhiMode::face_to_face, "face_to_face"},
        {RhiMode::phone, "phone"},
        {RhiMode::video, "video"},
    }};
};
static_assert(codes_are_valid<RhiMode>());

/// rhi.jsonl `places[].role`: what the child did at the place.
enum class PlaceRole {
    went_to,
    slept,
    met,
    found,
    concern,
};

template <>
struct CodeTraits<PlaceRole> {
    static constexpr std::string_view name = "place role";
    static constexpr std::array<CodeEntry<PlaceRole>, 5> table{{
        {PlaceRole::went_to, "went_to"},
        {PlaceRole::slept, "slept"},
        {PlaceRole::met, "met"},
        {PlaceRole::found, "found"},
        {PlaceRole::concern, "concern"},
    }};
};
static_assert(codes_are_valid<PlaceRole>());

/// rhi.jsonl `push_factors` (seed 001, Appendix 8).
enum class PushFactor {
    domestic_violence,
    abuse,
    cultural_conflict,
    peer_problems,
    substance_misuse,
    sen_mental_health,
    homophobia,
    relationship_breakdown,
    bereavement_loss,
    financial_difficulties,
    needing_space,
    lack_of_love_security,
    family_history_prostitution,
    trafficking_factors,
    offender_associations,
    disrupted_schooling,
    health_needs,
    self_harm,
    criminal_exposure,
    previous_missing,
    other,
};

template <>
struct CodeTraits<PushFactor> {
    static constexpr std::string_view name = "push factor";
    static constexpr std::array<CodeEntry<PushFactor>, 21> table{{
        {PushFactor::domestic_violence, "domestic_violence"},
        {PushFactor::abuse, "abuse"},
        {PushFactor::cultural_conflict, "cultural_conflict"},
        {PushFactor::peer_problems, "peer_problems"},
        {PushFactor::substance_misuse, "substance_misuse"},
        {PushFactor::sen_mental_health, "sen_mental_health"},
        {PushFactor::homophobia, "homophobia"},
        {PushFactor::relationship_breakdown, "relationship_breakdown"},
        {PushFactor::bereavement_loss, "bereavement_loss"},
        {PushFactor::financial_difficulties, "financial_difficulties"},
        {PushFactor::needing_space, "needing_space"},
        {PushFactor::lack_of_love_security, "lack_of_love_security"},
        {PushFactor::family_history_prostitution, "family_history_prostitution"},
        {PushFactor::trafficking_factors, "trafficking_factors"},
        {PushFactor::offender_associations, "offender_associations"},
        {PushFactor::disrupted_schooling, "disrupted_schooling"},
        {PushFactor::health_needs, "health_needs"},
        {PushFactor::self_harm, "self_harm"},
        {PushFactor::criminal_exposure, "criminal_exposure"},
        {PushFactor::previous_missing, "previous_missing"},
        {PushFactor::other, "other"},
    }};
};
static_assert(codes_are_valid<PushFactor>());

/// rhi.jsonl `pull_factors`.
enum class PullFactor {
    run_to_family,
    run_to_friends,
    run_to_partner,
    spent_time_with_family,
    friends_fun,
    partner_home,
    unfamiliar_place_with_partner,
    unfamiliar_place_with_friends,
    alone_town_parks,
    trafficking_control,
    other,
};

template <>
struct CodeTraits<PullFactor> {
    static constexpr std::string_view name = "pull factor";
    static constexpr std::array<CodeEntry<PullFactor>, 11> table{{
        {PullFactor::run_to_family, "run_to_family"},
        {PullFactor::run_to_friends, "run_to_friends"},
        {PullFactor::run_to_partner, "run_to_partner"},
        {PullFactor::spent_time_with_family, "spent_time_with_family"},
        {PullFactor::friends_fun, "friends_fun"},
        {PullFactor::partner_home, "partner_home"},
        {PullFactor::unfamiliar_place_with_partner, "unfamiliar_place_with_partner"},
        {PullFactor::unfamiliar_place_with_friends, "unfamiliar_place_with_friends"},
        {PullFactor::alone_town_parks, "alone_town_parks"},
        {PullFactor::trafficking_control, "trafficking_control"},
        {PullFactor::other, "other"},
    }};
};
static_assert(codes_are_valid<PullFactor>());

/// The keys of rhi.jsonl `high_risk`.
enum class HighRiskCategory {
    overnight_24h,
    repeat,
    domestic_violence,
    criminal_behaviour,
    harmed,
    emotional_wellbeing,
    substance_misuse,
    trafficking,
    high_risk_places,
    high_risk_associates,
};

template <>
struct CodeTraits<HighRiskCategory> {
    static constexpr std::string_view name = "high-risk category";
    static constexpr std::array<CodeEntry<HighRiskCategory>, 10> table{{
        {HighRiskCategory::overnight_24h, "overnight_24h"},
        {HighRiskCategory::repeat, "repeat"},
        {HighRiskCategory::domestic_violence, "domestic_violence"},
        {HighRiskCategory::criminal_behaviour, "criminal_behaviour"},
        {HighRiskCategory::harmed, "harmed"},
        {HighRiskCategory::emotional_wellbeing, "emotional_wellbeing"},
        {HighRiskCategory::substance_misuse, "substance_misuse"},
        {HighRiskCategory::trafficking, "trafficking"},
        {HighRiskCategory::high_risk_places, "high_risk_places"},
        {HighRiskCategory::high_risk_associates, "high_risk_associates"},
    }};
};
static_assert(codes_are_valid<HighRiskCategory>());

/// rhi.jsonl `risk_of_repeat`.
enum class RepeatRisk {
    low,
    medium,
    high,
};

template <>
struct CodeTraits<RepeatRisk> {
    static constexpr std::string_view name = "risk of repeat";
    static constexpr std::array<CodeEntry<RepeatRisk>, 3> table{{
        {RepeatRisk::low, "low"},
        {RepeatRisk::medium, "medium"},
        {RepeatRisk::high, "high"},
    }};
};
static_assert(codes_are_valid<RepeatRisk>());

/// `kind` of a person object and persons.csv `kind`.
enum class PersonKind {
    child,
    adult,
};

template <>
struct CodeTraits<PersonKind> {
    static constexpr std::string_view name = "person kind";
    static constexpr std::array<CodeEntry<PersonKind>, 2> table{{
        {PersonKind::child, "child"},
        {PersonKind::adult, "adult"},
    }};
};
static_assert(codes_are_valid<PersonKind>());

/// cpi.jsonl `subjects[].role`.
enum class SubjectRole {
    victim,
    suspect,
    associate,
    witness,
    unknown,
};

template <>
struct CodeTraits<SubjectRole> {
    static constexpr std::string_view name = "subject role";
    static constexpr std::array<CodeEntry<SubjectRole>, 5> table{{
        {SubjectRole::victim, "victim"},
        {SubjectRole::suspect, "suspect"},
        {SubjectRole::associate, "associate"},
        {SubjectRole::witness, "witness"},
        {SubjectRole::unknown, "unknown"},
    }};
};
static_assert(codes_are_valid<SubjectRole>());

/// cpi.jsonl `grading.source` (UK 3x5x2 scheme).
enum class SourceEvaluation {
    reliable,     ///< 1: reliable
    untested,     ///< 2: untested
    not_reliable, ///< 3: not reliable
};

template <>
struct CodeTraits<SourceEvaluation> {
    static constexpr std::string_view name = "source evaluation";
    static constexpr std::array<CodeEntry<SourceEvaluation>, 3> table{{
        {SourceEvaluation::reliable, "1"},
        {SourceEvaluation::untested, "2"},
        {SourceEvaluation::not_reliable, "3"},
    }};
};
static_assert(codes_are_valid<SourceEvaluation>());

/// cpi.jsonl `grading.intelligence` (UK 3x5x2 scheme).
enum class IntelligenceAssessment {
    known_directly,                ///< A: known directly
    known_indirectly_corroborated, ///< B: known indirectly and corroborated
    known_indirectly,              ///< C: known indirectly
    not_known,                     ///< D: not known
    suspected_false,               ///< E: suspected false
};

template <>
struct CodeTraits<IntelligenceAssessment> {
    static constexpr std::string_view name = "intelligence assessment";
    static constexpr std::array<CodeEntry<IntelligenceAssessment>, 5> table{{
        {IntelligenceAssessment::known_directly, "A"},
        {IntelligenceAssessment::known_indirectly_corroborated, "B"},
        {IntelligenceAssessment::known_indirectly, "C"},
        {IntelligenceAssessment::not_known, "D"},
        {IntelligenceAssessment::suspected_false, "E"},
    }};
};
static_assert(codes_are_valid<IntelligenceAssessment>());

/// cpi.jsonl `grading.handling` (UK 3x5x2 scheme).
enum class HandlingCode {
    lawful_sharing_permitted, ///< P: lawful sharing permitted
    sharing_with_conditions,  ///< C: sharing with conditions
};

template <>
struct CodeTraits<HandlingCode> {
    static constexpr std::string_view name = "handling code";
    static constexpr std::array<CodeEntry<HandlingCode>, 2> table{{
        {HandlingCode::lawful_sharing_permitted, "P"},
        {HandlingCode::sharing_with_conditions, "C"},
    }};
};
static_assert(codes_are_valid<HandlingCode>());

/// gazetteer.csv `key_type`.
enum class GazetteerKeyType {
    postcode,
    uprn,
    place,
};

template <>
struct CodeTraits<GazetteerKeyType> {
    static constexpr std::string_view name = "gazetteer key type";
    static constexpr std::array<CodeEntry<GazetteerKeyType>, 3> table{{
        {GazetteerKeyType::postcode, "postcode"},
        {GazetteerKeyType::uprn, "uprn"},
        {GazetteerKeyType::place, "place"},
    }};
};
static_assert(codes_are_valid<GazetteerKeyType>());

/// How a location was resolved to a point (not an input column: set by location
/// resolution, listed in the import report). Precedence as in DATA-MODEL.md.
enum class Resolution {
    coordinates, ///< from `P_x`, `P_y`, `P_crs`
    lat_lon,     ///< from `P_lat`, `P_lon` (WGS 84)
    place_id,    ///< gazetteer key `P_place_id`
    postcode,    ///< gazetteer postcode after normalisation
    label,       ///< gazetteer label, case- and space-insensitive
    unresolved,  ///< none of the above matched; the text is kept
};

template <>
struct CodeTraits<Resolution> {
    static constexpr std::string_view name = "resolution";
    static constexpr std::array<CodeEntry<Resolution>, 6> table{{
        {Resolution::coordinates, "coordinates"},
        {Resolution::lat_lon, "lat_lon"},
        {Resolution::place_id, "place_id"},
        {Resolution::postcode, "postcode"},
        {Resolution::label, "label"},
        {Resolution::unresolved, "unresolved"},
    }};
};
static_assert(codes_are_valid<Resolution>());

/// Every code enum, for help, docs and tests that iterate over all of them.
using AllCodeEnums =
    std::tuple<Sex, EpisodeCategory, Setting, PlacementArea, RiskGrade, PlaceType, ReturnedBy,
               RhiOutcome, RhiMode, PlaceRole, PushFactor, PullFactor, HighRiskCategory, RepeatRisk,
               PersonKind, SubjectRole, SourceEvaluation, IntelligenceAssessment, HandlingCode,
               GazetteerKeyType, Resolution>;

} // namespace waymark::model
