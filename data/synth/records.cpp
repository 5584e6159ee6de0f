#include "data/synth/records.hpp"

#include "data/synth/names.hpp"
#include "data/synth/random.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace waymark::synth {
namespace {

namespace m = waymark::model;
using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Stream ids of the records ("RHI", "CPI" in the high bytes): far from the
// world builder's streams, so that records never share a stream with it.
constexpr std::uint64_t rhi_streams = 0x5248'4900'0000'0000ULL;
constexpr std::uint64_t cpi_streams = 0x4350'4900'0000'0000ULL;

template <std::size_t N>
std::string_view pick(const std::array<std::string_view, N>& items, Rng& rng) {
    return items[rng.index(N)];
}

std::size_t at(int index) {
    return static_cast<std::size_t>(index);
}

bool contains(const std::vector<int>& items, int value) {
    return std::find(items.begin(), items.end(), value) != items.end();
}

m::Timestamp to_minute(m::Timestamp time) {
    return floor<minutes>(time);
}

m::Timestamp plus_hours(m::Timestamp time, double hours_count) {
    return time + seconds{static_cast<std::int64_t>(hours_count * 3600.0)};
}

/// Moves `time` into working hours [open, close) of its day or the next one.
/// UTC is used: the area's local time is within an hour of it.
m::Timestamp working_hours(m::Timestamp time, int open, int close, Rng& rng) {
    const auto day = floor<days>(time);
    const auto hour = (time - day) / hours{1};
    if (hour < open) {
        return to_minute(day + hours{open} + minutes{rng.between(0, 150)});
    }
    if (hour >= close) {
        return to_minute(day + days{1} + hours{open} + minutes{rng.between(0, 150)});
    }
    return to_minute(time);
}

// ---- names and people -------------------------------------------------------

/// A name as a source wrote it, and how (truth.json's mention variants).
struct Written {
    std::string name;
    const char* variant;
};

/// How a source writes an adult's name: a street name, a nickname, the full
/// name, a misspelling, the first name only.
Written write_adult_name(const Adult& adult, Rng& rng) {
    const double u = rng.uniform();
    if (u < 0.28 && !adult.aliases.empty()) {
        return {adult.aliases[rng.index(adult.aliases.size())], "alias"};
    }
    if (u < 0.42) {
        std::string name(nickname_of(adult.given, rng));
        const char* variant = name == adult.given ? "given_only" : "nickname";
        return {std::move(name), variant};
    }
    if (u < 0.56) {
        return {adult.given + ' ' + adult.family, "full"};
    }
    if (u < 0.68) {
        std::string name = misspell(adult.given, rng);
        if (rng.chance(0.5)) {
            name += ' ';
            name += adult.family;
            return {std::move(name), "misspelt_given_family"};
        }
        return {std::move(name), "misspelt_given"};
    }
    if (u < 0.78) {
        return {adult.given + ' ' + misspell(adult.family, rng), "misspelt_family"};
    }
    if (u < 0.90) {
        return {adult.given, "given_only"};
    }
    std::string nickname(nickname_of(adult.given, rng));
    const char* variant = nickname == adult.given ? "full" : "nickname_family";
    return {nickname + ' ' + adult.family, variant};
}

std::string adult_name(const Adult& adult, Rng& rng) {
    return write_adult_name(adult, rng).name;
}

/// How a peer or a partner writes a child's name.
Written write_child_name(const Child& child, Rng& rng) {
    const double u = rng.uniform();
    if (u < 0.30) {
        return child.nickname.empty() ? Written{child.given, "given_only"}
                                      : Written{child.nickname, "nickname"};
    }
    if (u < 0.55) {
        return {child.given, "given_only"};
    }
    if (u < 0.75) {
        return {child.given + ' ' + child.family, "full"};
    }
    if (u < 0.90) {
        return {misspell(child.given, rng), "misspelt_given"};
    }
    return {child.given + ' ' + misspell(child.family, rng), "misspelt_family"};
}

std::string child_name(const Child& child, Rng& rng) {
    return write_child_name(child, rng).name;
}

/// The names written into the record being made, with whom they stand for:
/// the truth of the record's mentions. Set only while a caller asked for it.
struct WrittenName {
    m::PersonKind kind;
    std::string name;
    std::string person_id;
    const char* variant;
};
thread_local std::vector<WrittenName>* t_written = nullptr;

class WrittenNamesScope {
public:
    explicit WrittenNamesScope(std::vector<WrittenName>* log) : m_previous(t_written) {
        t_written = log;
    }
    ~WrittenNamesScope() { t_written = m_previous; }
    WrittenNamesScope(const WrittenNamesScope&) = delete;
    WrittenNamesScope& operator=(const WrittenNamesScope&) = delete;

private:
    std::vector<WrittenName>* m_previous;
};

void note_written(m::PersonKind kind, const Written& written, const std::string& person_id) {
    if (t_written != nullptr) {
        t_written->push_back({kind, written.name, person_id, written.variant});
    }
}

/// The truth of each name-only mention in `people`: the person whose written
/// name it is. A name written for two different people in one record is
/// ambiguous and left out (counted by the caller).
template <typename Get>
void add_mention_truth(const std::vector<WrittenName>& written, std::string_view part,
                       std::size_t count, Get get, std::vector<MentionTruth>& out,
                       std::size_t& ambiguous) {
    for (std::size_t i = 0; i < count; ++i) {
        const m::PersonMention& mention = get(i);
        if (!mention.person_id.empty() || mention.name.empty() || !mention.kind) {
            continue;
        }
        const WrittenName* found = nullptr;
        bool clash = false;
        for (const WrittenName& w : written) {
            if (w.kind == *mention.kind && w.name == mention.name) {
                clash = clash || (found != nullptr && found->person_id != w.person_id);
                found = found == nullptr ? &w : found;
            }
        }
        if (found == nullptr || clash) {
            ++ambiguous;
            continue;
        }
        MentionTruth truth;
        truth.part = std::string(part);
        truth.index = i;
        truth.name = mention.name;
        truth.kind = found->kind;
        truth.person_id = found->person_id;
        truth.variant = found->variant;
        out.push_back(std::move(truth));
    }
}

m::PersonMention child_mention(const Child& child, Rng& rng, double by_id) {
    m::PersonMention mention;
    mention.kind = m::PersonKind::child;
    if (rng.chance(by_id)) {
        mention.person_id = child.id;
    } else {
        const Written written = write_child_name(child, rng);
        note_written(m::PersonKind::child, written, child.id);
        mention.name = written.name;
    }
    return mention;
}

m::PersonMention adult_mention(const Adult& adult, Rng& rng, double by_id) {
    m::PersonMention mention;
    mention.kind = m::PersonKind::adult;
    if (rng.chance(by_id)) {
        mention.person_id = adult.id;
    } else {
        const Written written = write_adult_name(adult, rng);
        note_written(m::PersonKind::adult, written, adult.id);
        mention.name = written.name;
        if (rng.chance(0.2)) {
            mention.sex = adult.sex;
        }
    }
    return mention;
}

struct Pronouns {
    std::string_view subject;    // she / he / they
    std::string_view object;     // her / him / them
    std::string_view possessive; // her / his / their
    std::string_view older;      // an older female / male / person
};

Pronouns pronouns(m::Sex sex) {
    switch (sex) {
    case m::Sex::female:
        return {"she", "her", "her", "an older female"};
    case m::Sex::male:
        return {"he", "him", "his", "an older male"};
    default:
        return {"they", "them", "their", "an older person"};
    }
}

/// Index of the first adult who is not of concern (adults of concern come first).
std::size_t planted_adults(const World& world) {
    const auto it = std::partition_point(world.adults.begin(), world.adults.end(),
                                         [](const Adult& a) { return a.of_concern; });
    return static_cast<std::size_t>(it - world.adults.begin());
}

// ---- locations --------------------------------------------------------------

struct StyleWeights {
    double label, postcode, place_id, xy;
};

constexpr StyleWeights rhi_styles{0.40, 0.25, 0.20, 0.15};
constexpr StyleWeights cpi_styles{0.35, 0.35, 0.15, 0.15};

m::Location place_location(const World& world, int place, Rng& rng, const StyleWeights& w) {
    const Place& p = world.places[at(place)];
    const double u = rng.uniform() * (w.label + w.postcode + w.place_id + w.xy);
    LocationStyle style = u < w.label                             ? LocationStyle::label
                          : u < w.label + w.postcode              ? LocationStyle::postcode
                          : u < w.label + w.postcode + w.place_id ? LocationStyle::place_id
                                                                  : LocationStyle::xy;
    if (style == LocationStyle::label && p.label.empty()) {
        style = LocationStyle::postcode;
    }
    return location_of(world, place, style, 15.0, rng.next());
}

/// A description of the place that matches no gazetteer label: it stays
/// unresolved (gazetteer labels are proper names; these never are).
std::string_view vague_label(const Place& place, Rng& rng) {
    static constexpr std::array<std::string_view, 4> food = {
        "the chicken shop by the lights", "the chippy near the flats", "the takeaway in town",
        "the kebab shop on the corner"};
    static constexpr std::array<std::string_view, 3> park = {
        "the park by the river", "the woods behind the park", "the swings on the estate"};
    static constexpr std::array<std::string_view, 3> street = {
        "round town", "the underpass by the shops", "the car park behind the shops"};
    static constexpr std::array<std::string_view, 2> transport = {"the bus stop near the garage",
                                                                  "by the station"};
    static constexpr std::array<std::string_view, 3> home = {"a mate's house", "a friend's flat",
                                                             "my friend's cousin's house"};
    static constexpr std::array<std::string_view, 4> concern = {
        "the flats near the chippy", "the flat in town", "a flat above a shop",
        "a house near the seafront"};
    static constexpr std::array<std::string_view, 3> other = {
        "the flats near the chippy", "somewhere near the seafront", "the old garages"};
    switch (place.type) {
    case m::PlaceType::food_outlet:
        return pick(food, rng);
    case m::PlaceType::park:
        return pick(park, rng);
    case m::PlaceType::street:
    case m::PlaceType::retail:
    case m::PlaceType::licensed_premises:
        return pick(street, rng);
    case m::PlaceType::transport:
        return pick(transport, rng);
    case m::PlaceType::home:
    case m::PlaceType::placement:
        return pick(home, rng);
    case m::PlaceType::address_of_concern:
        return pick(concern, rng);
    default:
        return pick(other, rng);
    }
}

m::Location vague_location(const Place& place, Rng& rng) {
    m::Location location;
    location.label = std::string(vague_label(place, rng));
    if (rng.chance(0.5)) {
        location.type = place.type;
    }
    return location;
}

// ---- code sets --------------------------------------------------------------

template <typename E>
void add(std::uint32_t& set, E code) {
    set |= 1U << static_cast<unsigned>(code);
}

template <typename E>
bool has(std::uint32_t set, E code) {
    return (set & (1U << static_cast<unsigned>(code))) != 0;
}

/// The codes of `set` in the order of the form.
template <typename E>
std::vector<E> codes_of(std::uint32_t set) {
    std::vector<E> codes;
    for (const auto& entry : m::CodeTraits<E>::table) {
        if (has(set, entry.value)) {
            codes.push_back(entry.value);
        }
    }
    return codes;
}

// ---- RHIs -------------------------------------------------------------------

m::RhiOutcome draw_outcome(const World& world, const EpisodeSpec& ep, const Child& child,
                           Rng& rng) {
    const bool recent = *ep.returned >= world.end - days{7};
    const bool parental = child.setting == m::Setting::home && !child.looked_after;
    const bool placed_in = child.placement_area == m::PlacementArea::placed_in;
    // Pending only for recent returns; otherwise its share goes to the other
    // ways an interview does not happen.
    const double not_pending = recent ? 0.0 : 3.0;
    const std::array<double, 6> weights = {
        65.0,                   // completed
        12.0 + not_pending,     // declined
        parental ? 4.0 : 0.0,   // parent_refused
        placed_in ? 15.0 : 5.0, // not_offered: placed here by another authority
        8.0 + not_pending,      // unable_to_contact
        recent ? 6.0 : 0.0,     // pending
    };
    return static_cast<m::RhiOutcome>(rng.weighted(weights));
}

std::string_view delay_reason(const EpisodeSpec& ep, const Child& child, m::Timestamp referred,
                              Rng& rng) {
    if (referred - *ep.returned > hours{24}) {
        return "Referral from police received late";
    }
    if (child.uasc && rng.chance(0.6)) {
        return "Interpreter needed; booked for the next available date";
    }
    if (child.placement_area == m::PlacementArea::out_of_area && rng.chance(0.6)) {
        return "Young person placed out of area; worker travel arranged";
    }
    static constexpr std::array<std::string_view, 7> reasons = {
        "Young person went missing again before the interview",
        "Young person asked to meet after school later in the week",
        "Worker capacity: backlog of referrals over the bank holiday weekend",
        "Carer rearranged the appointment",
        "Young person did not attend the first appointment",
        "Young person unwell; visit rearranged",
        "Worker on leave; reallocated to another worker"};
    return pick(reasons, rng);
}

std::string_view decline_reason(m::RhiOutcome outcome, Rng& rng) {
    static constexpr std::array<std::string_view, 6> child_reasons = {
        "Did not want to talk about it",
        "Said \"I was only at a mate's\" and it is nobody's business",
        "Did not want another professional involved",
        "Already speaks to their social worker & did not want to repeat it",
        "Said they were fine and did not need to talk",
        "Walked off when the worker arrived"};
    static constexpr std::array<std::string_view, 4> parent_reasons = {
        "Mother said the family will deal with it", "Father refused: said it was a one-off",
        "Parent did not want social care involved", "Parent said the child is too upset to talk"};
    return outcome == m::RhiOutcome::parent_refused ? pick(parent_reasons, rng)
                                                    : pick(child_reasons, rng);
}

std::string_view no_interview_reason(m::RhiOutcome outcome, const Child& child, Rng& rng) {
    if (outcome == m::RhiOutcome::not_offered) {
        if (child.placement_area == m::PlacementArea::placed_in) {
            return "Responsible authority notified to arrange the interview";
        }
        static constexpr std::array<std::string_view, 3> reasons = {
            "Already open to a social worker who saw the child",
            "Child missing again before the offer was made", "Family moved out of the area"};
        return pick(reasons, rng);
    }
    static constexpr std::array<std::string_view, 3> reasons = {
        "Three calls and a home visit, no answer", "Phone number not recognised",
        "Letter sent, no reply"};
    return pick(reasons, rng);
}

/// A rough proxy for "has gone missing before": the child's propensity and
/// group membership (a worker also knows of episodes before the period).
bool draw_previous_missing(const Child& child, bool exploited, Rng& rng) {
    double p = child.rate >= 8.0 ? 0.97 : child.rate >= 3.0 ? 0.85 : child.rate >= 1.0 ? 0.6 : 0.3;
    if (child.group >= 0) {
        p = std::min(0.97, p + 0.2);
    }
    if (exploited) {
        p = std::max(p, 0.9);
    }
    return rng.chance(p);
}

struct RhiContent {
    const World& world;
    const EpisodeSpec& ep;
    const Child& child;
    const Adult* adult; // the adult of concern in this episode, if any
    Rng& rng;
    m::ReturnInterview& rhi;
};

void add_places_and_people(RhiContent& c, m::PersonMention& adult_said,
                           std::vector<m::PersonMention>& companions_said) {
    const World& world = c.world;
    const EpisodeSpec& ep = c.ep;
    Rng& rng = c.rng;
    m::ReturnInterview& rhi = c.rhi;

    // People: the adult first, then the companions.
    if (c.adult != nullptr) {
        adult_said = adult_mention(*c.adult, rng, 0.30);
        m::PersonMention with = adult_said;
        static constexpr std::array<std::string_view, 6> relations = {
            "unknown",        "friend's cousin",   "older friend",
            "mate's brother", "someone from town", "unknown"};
        const bool partner = c.child.cse && rng.chance(0.45);
        with.relation = !partner                         ? std::string(pick(relations, rng))
                        : c.adult->sex == m::Sex::female ? "girlfriend"
                                                         : "boyfriend";
        with.felt_safe = rng.chance(0.1); // groomed children sometimes say they felt safe
        rhi.with.push_back(std::move(with));
    }
    for (const int other : ep.companions) {
        m::PersonMention friend_said = child_mention(world.children[at(other)], rng, 0.65);
        companions_said.push_back(friend_said);
        friend_said.relation = "friend";
        rhi.with.push_back(std::move(friend_said));
    }

    // Ids of the people named by id, for places[].with.
    std::vector<std::string> ids_there;
    const bool adult_by_id = c.adult != nullptr && !adult_said.person_id.empty();
    for (const auto& said : companions_said) {
        if (!said.person_id.empty()) {
            ids_there.push_back(said.person_id);
        }
    }
    const auto is_adult_address = [&](int place) {
        return c.adult != nullptr && contains(c.adult->addresses, place);
    };
    const auto place_entry = [&](m::PlaceRole role, int place, bool with_adult,
                                 bool with_companions, double vague) {
        m::RhiPlace entry;
        entry.role = role;
        entry.location = rng.chance(vague) ? vague_location(world.places[at(place)], rng)
                                           : place_location(world, place, rng, rhi_styles);
        if (with_adult && adult_by_id) {
            entry.with.push_back(c.adult->id);
        }
        if (with_companions) {
            entry.with.insert(entry.with.end(), ids_there.begin(), ids_there.end());
        }
        rhi.places.push_back(std::move(entry));
    };

    // Where the child met the adult: the group's hangout.
    const int hangout =
        c.adult != nullptr && c.child.group >= 0 ? world.groups[at(c.child.group)].hangout : -1;
    if (hangout >= 0 && !contains(ep.visited, hangout) && rng.chance(0.4)) {
        place_entry(m::PlaceRole::met, hangout, true, !ep.companions.empty(), 0.05);
    }
    for (const int place : ep.visited) {
        if (place == ep.slept) {
            continue; // written as "slept" below
        }
        if (place == hangout && rng.chance(0.6)) {
            place_entry(m::PlaceRole::met, place, true, !ep.companions.empty(), 0.05);
            continue;
        }
        place_entry(m::PlaceRole::went_to, place, is_adult_address(place), !ep.companions.empty(),
                    0.08);
    }
    if (ep.slept >= 0) {
        place_entry(m::PlaceRole::slept, ep.slept, c.adult != nullptr, !ep.companions.empty(),
                    0.05);
    }
    if (ep.found >= 0) {
        place_entry(m::PlaceRole::found, ep.found, false, false, 0.03);
    }
    if (c.adult == nullptr && rng.chance(0.04)) {
        // Somewhere the child could not say more about.
        m::RhiPlace entry;
        entry.role = m::PlaceRole::went_to;
        static constexpr std::array<std::string_view, 3> unknown = {
            "the flats near the chippy", "a party somewhere on the estate", "a house in town"};
        entry.location.label = std::string(pick(unknown, rng));
        rhi.places.push_back(std::move(entry));
    }
}

void add_factors(RhiContent& c, bool exploited, bool repeat, double hours_missing) {
    const Child& child = c.child;
    const EpisodeSpec& ep = c.ep;
    Rng& rng = c.rng;
    m::ReturnInterview& rhi = c.rhi;
    using P = m::PushFactor;
    using L = m::PullFactor;
    std::uint32_t push = 0;
    std::uint32_t pull = 0;

    const auto maybe = [&rng](std::uint32_t& set, auto code, double p) {
        if (rng.chance(p)) {
            add(set, code);
        }
    };
    switch (child.setting) {
    case m::Setting::home:
        maybe(push, P::domestic_violence, 0.25);
        maybe(push, P::relationship_breakdown, 0.45);
        maybe(push, P::financial_difficulties, 0.20);
        if (!has(push, P::domestic_violence) && !has(push, P::relationship_breakdown) &&
            !has(push, P::financial_difficulties)) {
            add(push, P::relationship_breakdown);
        }
        break;
    case m::Setting::foster_care:
        maybe(push, P::relationship_breakdown, 0.45);
        maybe(push, P::needing_space, 0.35);
        maybe(push, P::lack_of_love_security, 0.20);
        if (!has(push, P::relationship_breakdown) && !has(push, P::needing_space)) {
            add(push, P::needing_space);
        }
        break;
    default: // children's homes, supported accommodation, ...
        maybe(push, P::relationship_breakdown, 0.50);
        maybe(push, P::needing_space, 0.50);
        maybe(push, P::peer_problems, 0.35);
        if (!has(push, P::relationship_breakdown) && !has(push, P::needing_space) &&
            !has(push, P::peer_problems)) {
            add(push, P::needing_space);
        }
        break;
    }
    const bool cse = child.cse || ep.cse;
    const bool cce = child.cce || ep.cce;
    if (exploited) {
        add(push, P::offender_associations);
        if (cce) {
            add(push, P::criminal_exposure);
        } else {
            maybe(push, P::criminal_exposure, 0.3);
        }
        maybe(push, P::substance_misuse, 0.5);
        maybe(push, P::disrupted_schooling, 0.35);
    }
    if (child.trafficked) {
        add(push, P::trafficking_factors);
    }
    if (child.uasc) {
        maybe(push, P::cultural_conflict, 0.4);
    }
    if (repeat) {
        add(push, P::previous_missing);
    }
    maybe(push, P::sen_mental_health, 0.10);
    maybe(push, P::self_harm, 0.05);
    maybe(push, P::disrupted_schooling, 0.12);
    maybe(push, P::peer_problems, 0.08);
    maybe(push, P::bereavement_loss, 0.04);
    maybe(push, P::abuse, 0.03);
    maybe(push, P::health_needs, 0.03);
    maybe(push, P::homophobia, 0.01);
    maybe(push, P::other, 0.03);

    const bool group = !ep.companions.empty();
    if (cse) {
        add(pull, c.adult != nullptr && ep.slept >= 0 && contains(c.adult->addresses, ep.slept)
                      ? L::partner_home
                      : L::run_to_partner);
        maybe(pull, L::unfamiliar_place_with_partner, 0.25);
    }
    if (cce) {
        add(pull, L::friends_fun);
    }
    if (child.trafficked) {
        add(pull, L::trafficking_control);
    }
    if (c.adult != nullptr && group) {
        add(pull, L::unfamiliar_place_with_friends);
    }
    if (group) {
        maybe(pull, L::friends_fun, 0.6);
        maybe(pull, L::run_to_friends, 0.4);
    } else if (c.adult == nullptr) {
        maybe(pull, L::run_to_friends, 0.30);
        maybe(pull, L::friends_fun, 0.25);
        maybe(pull, L::alone_town_parks, 0.25);
        maybe(pull, L::run_to_family, child.looked_after ? 0.35 : 0.10);
        maybe(pull, L::spent_time_with_family, child.looked_after ? 0.15 : 0.05);
        maybe(pull, L::run_to_partner, 0.08);
    }
    maybe(pull, L::other, 0.02);
    if (pull == 0) {
        add(pull, rng.chance(0.5) ? L::alone_town_parks : L::friends_fun);
    }
    rhi.push_factors = codes_of<m::PushFactor>(push);
    rhi.pull_factors = codes_of<m::PullFactor>(pull);

    // High-risk categories: every one answered Y or N, in the form's order.
    using H = m::HighRiskCategory;
    const bool slept_at_concern =
        ep.slept >= 0 && ((c.adult != nullptr && contains(c.adult->addresses, ep.slept)) ||
                          c.world.places[at(ep.slept)].type == m::PlaceType::address_of_concern);
    const bool substances = has(push, P::substance_misuse) || rng.chance(exploited ? 0.35 : 0.08);
    rhi.high_risk = {
        {H::overnight_24h, hours_missing > 24.0 || ep.slept >= 0},
        {H::repeat, repeat},
        {H::domestic_violence, has(push, P::domestic_violence)},
        {H::criminal_behaviour, cce ? rng.chance(0.6) : rng.chance(0.04)},
        {H::harmed, rng.chance(exploited ? 0.15 : 0.03)},
        {H::emotional_wellbeing, rng.chance(0.25)},
        {H::substance_misuse, substances},
        {H::trafficking, child.trafficked},
        {H::high_risk_places, slept_at_concern},
        {H::high_risk_associates, c.adult != nullptr},
    };
}

std::string analysis_note(const RhiContent& c, const m::PersonMention& adult_said, bool exploited) {
    Rng& rng = c.rng;
    const Pronouns p = pronouns(c.child.sex);
    std::string text;
    if (c.adult != nullptr) {
        // Sometimes the adult's name as the child said it: data for entity resolution.
        std::string name = adult_said.name;
        if (name.empty() && rng.chance(0.5)) {
            name = adult_name(*c.adult, rng);
        }
        switch (name.empty() ? 4 : rng.between(0, 3)) {
        case 0:
            text = "YP said ";
            text += p.subject;
            text += " stayed at \"" + name + "'s\" flat with friends & did not want to say more.";
            break;
        case 1:
            text = "YP vague about where ";
            text += p.subject;
            text +=
                " went; mentioned " + name + " several times. Presented tired & smelt of cannabis.";
            break;
        case 2:
            text = "Disclosed that " + name + " picks them up in " +
                   std::string(pronouns(c.adult->sex).possessive) +
                   " car and buys them food & vapes. Worker to submit CPI.";
            break;
        case 3:
            text = "YP says " + name + " is \"just a mate\"; worker concerned about the age gap.";
            break;
        default:
            text = "Went with friends to a flat where an adult gave them alcohol. Worker "
                   "concerned & will share with MASH.";
            break;
        }
        return text;
    }
    if (c.child.trafficked) {
        return "YP anxious & reluctant to speak; interpreter used. Mentioned owing money to "
               "\"the boss\".";
    }
    if (exploited && (c.child.cce || c.ep.cce)) {
        return "YP called it \"doing a favour\" for someone; had cash & a second phone on "
               "return.";
    }
    if (!c.ep.companions.empty()) {
        return "Went out with the usual group & lost track of time; phone was dead.";
    }
    switch (c.child.setting) {
    case m::Setting::home: {
        static constexpr std::array<std::string_view, 3> notes = {
            "Row with mum about curfew; stayed at a friend's.",
            "YP upset about things at home & money worries; walked round town.",
            "Argument at home after school; came back when calmer."};
        return std::string(pick(notes, rng));
    }
    case m::Setting::childrens_home:
    case m::Setting::supported_accommodation: {
        static constexpr std::array<std::string_view, 3> notes = {
            "Fell out with staff over phone use & wanted space; went to town.",
            "Argument with another resident; YP says staff \"don't listen\".",
            "YP bored at the home; wanted to see friends from the old area."};
        return std::string(pick(notes, rng));
    }
    default: {
        static constexpr std::array<std::string_view, 2> notes = {
            "YP wanted to see family & felt contact arrangements are unfair.",
            "YP engaged well; no concerns identified beyond staying out late."};
        return std::string(pick(notes, rng));
    }
    }
}

void fill_interview(RhiContent& c) {
    const World& world = c.world;
    const EpisodeSpec& ep = c.ep;
    const Child& child = c.child;
    Rng& rng = c.rng;
    m::ReturnInterview& rhi = c.rhi;

    const bool exploited =
        c.adult != nullptr || child.cse || child.cce || child.trafficked || ep.cse || ep.cce;
    const double hours_missing =
        static_cast<double>((*ep.returned - ep.last_seen).count()) / 3600.0;
    const bool repeat = draw_previous_missing(child, exploited, rng);

    m::PersonMention adult_said;
    std::vector<m::PersonMention> companions_said;
    add_places_and_people(c, adult_said, companions_said);

    // Someone else the child was with: a relative or family friend (not of
    // concern; the same one for the same child), for a few children.
    const std::size_t planted = planted_adults(world);
    if (c.adult == nullptr && planted < world.adults.size() && rng.chance(0.05)) {
        const std::size_t others = world.adults.size() - planted;
        const Adult& other =
            world.adults[planted +
                         mix64(static_cast<std::uint64_t>(ep.child) ^ world.params.seed) % others];
        m::PersonMention with = adult_mention(other, rng, 0.2);
        static constexpr std::array<std::string_view, 4> relations = {"uncle", "family friend",
                                                                      "mum's friend", "cousin"};
        with.relation = std::string(pick(relations, rng));
        with.felt_safe = true;
        rhi.with.push_back(std::move(with));
    }

    add_factors(c, exploited, repeat, hours_missing);

    // Risk of repeat and what follows.
    int level = c.adult != nullptr || child.cse || child.cce || child.rate >= 8.0 ? 2
                : child.rate >= 2.0 || repeat                                     ? 1
                                                                                  : 0;
    if (rng.chance(0.1)) {
        level = std::clamp(level + (rng.chance(0.5) ? 1 : -1), 0, 2);
    }
    rhi.risk_of_repeat = static_cast<m::RepeatRisk>(level);
    rhi.strategy_meeting_required =
        hours_missing > 24.0 || level == 2 || (exploited && rng.chance(0.7));
    rhi.cse_indicators = child.cse || ep.cse;
    rhi.cce_indicators = child.cce || ep.cce;
    rhi.nrm_referral = child.trafficked;

    // Locations of concern: the adult's address, as the worker wrote it.
    if (c.adult != nullptr && !c.adult->addresses.empty()) {
        const auto& addresses = c.adult->addresses;
        int address = addresses.front();
        if (ep.slept >= 0 && contains(addresses, ep.slept)) {
            address = ep.slept;
        } else {
            for (const int place : ep.visited) {
                if (contains(addresses, place)) {
                    address = place;
                    break;
                }
            }
        }
        rhi.locations_of_concern.push_back(place_location(world, address, rng, rhi_styles));
        for (const int other : addresses) {
            if (other != address && rng.chance(0.3)) {
                rhi.locations_of_concern.push_back(place_location(world, other, rng, rhi_styles));
            }
        }
        if (rng.chance(0.1)) {
            rhi.locations_of_concern.push_back(vague_location(world.places[at(address)], rng));
        }
        m::PersonMention concern;
        concern.person_id = adult_said.person_id;
        concern.name = adult_said.name;
        concern.kind = m::PersonKind::adult;
        rhi.people_of_concern.push_back(std::move(concern));
        for (auto& said : companions_said) {
            if (rng.chance(0.5)) {
                said.relation.clear();
                rhi.young_people_of_concern.push_back(std::move(said));
            }
        }
    }

    rhi.cpi_submitted = rng.chance(c.adult != nullptr ? 0.45 : exploited ? 0.2 : 0.03);
    rhi.sensitive_disclosure = rng.chance(exploited ? 0.06 : 0.025);
    rhi.notes.emplace_back("analysis", analysis_note(c, adult_said, exploited));
}

std::optional<m::ReturnInterview> make_rhi_record(const World& world, std::size_t e) {
    const EpisodeSpec& ep = world.episodes.at(e);
    if (!ep.returned || *ep.returned > world.end) {
        return std::nullopt;
    }
    Rng rng(world.params.seed, rhi_streams + static_cast<std::uint64_t>(e));
    if (rng.chance(0.15)) {
        return std::nullopt;
    }
    const Child& child = world.children.at(at(ep.child));
    const m::Timestamp returned = *ep.returned;
    const double police_delay_h = rng.uniform(0.5, 3.0);
    const double queue_h = rng.exponential(5.0);
    const m::Timestamp referred =
        to_minute(std::min(plus_hours(returned, police_delay_h + queue_h), returned + hours{96}));
    if (referred > world.end) {
        return std::nullopt; // not referred yet
    }

    m::ReturnInterview rhi;
    const auto digits = ep.id.find_first_of("0123456789");
    rhi.rhi_id = "R-" + (digits == std::string::npos ? ep.id : ep.id.substr(digits));
    rhi.episode_id = ep.id;
    rhi.child_id = child.id;
    rhi.referred_at = referred;
    m::RhiOutcome outcome = draw_outcome(world, ep, child, rng);

    if (outcome != m::RhiOutcome::not_offered) {
        const m::Timestamp offered =
            working_hours(referred + minutes{rng.between(20, 26 * 60)}, 9, 18, rng);
        if (offered <= world.end) {
            rhi.offered_at = offered;
        } else if (outcome == m::RhiOutcome::completed) {
            outcome = m::RhiOutcome::pending;
        }
    }
    if (outcome == m::RhiOutcome::completed) {
        const m::Timestamp offered = *rhi.offered_at;
        const m::Timestamp due = returned + hours{72};
        const double open_h = static_cast<double>((offered - returned).count()) / 3600.0 + 0.5;
        m::Timestamp conducted;
        if (open_h < 70.0 && rng.chance(0.8)) {
            conducted = working_hours(plus_hours(returned, rng.uniform(open_h, 70.0)), 9, 20, rng);
        } else {
            conducted = working_hours(
                plus_hours(due, 1.0 + std::min(rng.exponential(72.0), 27.0 * 24.0)), 9, 20, rng);
        }
        conducted = std::max(conducted, offered);
        if (conducted > world.end) {
            outcome = m::RhiOutcome::pending;
        } else {
            rhi.conducted_at = conducted;
            if (conducted > due) {
                rhi.notes.emplace_back("delay_reason",
                                       std::string(delay_reason(ep, child, referred, rng)));
            }
        }
    }
    rhi.outcome = outcome;

    switch (outcome) {
    case m::RhiOutcome::completed: {
        const double mode = rng.uniform();
        rhi.mode = mode < 0.80   ? m::RhiMode::face_to_face
                   : mode < 0.94 ? m::RhiMode::phone
                                 : m::RhiMode::video;
        rhi.independent = rng.chance(child.setting == m::Setting::childrens_home ? 0.7 : 0.88);
        rhi.consent_to_share = rng.chance(0.7);
        const Adult* adult = ep.adult >= 0 ? &world.adults.at(at(ep.adult)) : nullptr;
        RhiContent content{world, ep, child, adult, rng, rhi};
        fill_interview(content);
        break;
    }
    case m::RhiOutcome::declined:
    case m::RhiOutcome::parent_refused:
        rhi.decline_reason = std::string(decline_reason(outcome, rng));
        break;
    case m::RhiOutcome::not_offered:
    case m::RhiOutcome::unable_to_contact:
        rhi.notes.emplace_back("reason", std::string(no_interview_reason(outcome, child, rng)));
        break;
    case m::RhiOutcome::pending:
        break;
    }
    return rhi;
}

} // namespace

std::optional<m::ReturnInterview> make_rhi(const World& world, std::size_t e,
                                           MentionTruths* mentions) {
    if (mentions == nullptr) {
        return make_rhi_record(world, e);
    }
    std::vector<WrittenName> written;
    std::optional<m::ReturnInterview> rhi;
    {
        const WrittenNamesScope scope(&written);
        rhi = make_rhi_record(world, e);
    }
    if (rhi) {
        const auto add = [&](std::string_view part, const std::vector<m::PersonMention>& people) {
            add_mention_truth(
                written, part, people.size(),
                [&](std::size_t i) -> const m::PersonMention& { return people[i]; },
                mentions->mentions, mentions->ambiguous);
        };
        add("with", rhi->with);
        add("people_of_concern", rhi->people_of_concern);
        add("young_people_of_concern", rhi->young_people_of_concern);
        for (MentionTruth& truth : mentions->mentions) {
            if (truth.record.empty()) {
                truth.file = "rhi.jsonl";
                truth.record = rhi->rhi_id;
            }
        }
    }
    return rhi;
}

// ---- CPIs -------------------------------------------------------------------

namespace {

enum class CpiKind { planted_adult, planted_place, other_adult, other_place };

std::string padded(std::size_t value, std::size_t width) {
    std::string text = std::to_string(value);
    if (text.size() < width) {
        text.insert(0, width - text.size(), '0');
    }
    return text;
}

std::string drama_phone(Rng& rng) {
    return "07700 900" + padded(static_cast<std::size_t>(rng.between(0, 999)), 3);
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& ch : out) {
        if (ch >= 'A' && ch <= 'Z') {
            ch = static_cast<char>(ch - 'A' + 'a');
        }
    }
    return out;
}

std::string date_text(m::Date date) {
    const std::chrono::year_month_day ymd{date};
    return padded(static_cast<unsigned>(ymd.day()), 2) + '/' +
           padded(static_cast<unsigned>(ymd.month()), 2) + '/' +
           std::to_string(static_cast<int>(ymd.year()));
}

/// The vehicle as a source wrote it: the VRM exact, spaced, in lower case,
/// with a typo, or missing; make and colour sometimes left out.
m::Vehicle vehicle_as_written(const m::Vehicle& vehicle, Rng& rng) {
    m::Vehicle out;
    std::string vrm = vehicle.vrm;
    const double u = rng.uniform();
    if (vrm.size() >= 5) {
        if (u < 0.45) {
            // exact
        } else if (u < 0.70) {
            vrm.insert(vrm.size() - 3, 1, ' '); // "ZZ12 ABC"
        } else if (u < 0.75) {
            vrm = lower(vrm);
        } else if (u < 0.90) {
            // One slip: neighbouring letters swapped or a look-alike character.
            const std::size_t i = vrm.size() - 1 - rng.index(3);
            char& ch = vrm[i];
            if (ch == 'O') {
                ch = '0';
            } else if (ch == 'I') {
                ch = '1';
            } else if (ch == 'B') {
                ch = '8';
            } else if (ch == 'S') {
                ch = '5';
            } else {
                const std::size_t j = i == vrm.size() - 1 ? i - 1 : i + 1;
                if (vrm[i] != vrm[j]) {
                    std::swap(vrm[i], vrm[j]);
                } else {
                    vrm[i] = vrm[i] == 'Z' ? 'Y' : static_cast<char>(vrm[i] + 1);
                }
            }
        } else {
            vrm.clear(); // not seen
        }
    }
    out.vrm = std::move(vrm);
    if (out.vrm.empty() || rng.chance(0.8)) {
        out.make = vehicle.make;
    }
    if (out.vrm.empty() || rng.chance(0.8)) {
        out.colour = vehicle.colour;
    }
    return out;
}

std::string vehicle_text(const m::Vehicle& v) {
    std::string text = v.colour.empty() ? std::string() : v.colour + ' ';
    text += v.make.empty() ? std::string("car") : v.make;
    if (!v.vrm.empty()) {
        text += " (" + v.vrm + ")";
    }
    return text;
}

struct Grade {
    m::SourceEvaluation source;
    m::IntelligenceAssessment intelligence;
    double weight;
};

template <std::size_t N>
const Grade& draw_grade(const std::array<Grade, N>& table, Rng& rng) {
    std::array<double, N> weights{};
    for (std::size_t i = 0; i < N; ++i) {
        weights[i] = table[i].weight;
    }
    return table[rng.weighted(weights)];
}

m::Grading draw_grading(CpiKind kind, Rng& rng) {
    using S = m::SourceEvaluation;
    using I = m::IntelligenceAssessment;
    // Planted intelligence: mostly 2/B, 2/C, 1/B.
    static constexpr std::array<Grade, 6> planted = {{
        {S::untested, I::known_indirectly_corroborated, 35},
        {S::untested, I::known_indirectly, 30},
        {S::reliable, I::known_indirectly_corroborated, 20},
        {S::reliable, I::known_directly, 5},
        {S::untested, I::known_directly, 5},
        {S::not_reliable, I::known_indirectly, 5},
    }};
    static constexpr std::array<Grade, 3> place = {{
        {S::untested, I::known_indirectly, 50},
        {S::untested, I::known_indirectly_corroborated, 30},
        {S::not_reliable, I::known_indirectly, 20},
    }};
    // Noise: often weak or suspected false.
    static constexpr std::array<Grade, 6> noise = {{
        {S::untested, I::known_indirectly, 25},
        {S::not_reliable, I::not_known, 25},
        {S::not_reliable, I::suspected_false, 20},
        {S::untested, I::not_known, 15},
        {S::not_reliable, I::known_indirectly, 10},
        {S::untested, I::known_indirectly_corroborated, 5},
    }};
    const Grade& grade = kind == CpiKind::planted_adult   ? draw_grade(planted, rng)
                         : kind == CpiKind::planted_place ? draw_grade(place, rng)
                                                          : draw_grade(noise, rng);
    m::Grading grading;
    grading.source = grade.source;
    grading.intelligence = grade.intelligence;
    grading.handling = rng.chance(0.85) ? m::HandlingCode::lawful_sharing_permitted
                                        : m::HandlingCode::sharing_with_conditions;
    return grading;
}

void fill_submitter_and_source(const World& world, m::CpiReport& cpi, CpiKind kind, Rng& rng) {
    static constexpr std::array<std::string_view, 9> organisations = {
        "school", "health",         "housing",     "youth_service",   "public",
        "police", "taxi_licensing", "social_care", "residential_care"};
    const std::array<double, 9> weights =
        kind == CpiKind::planted_adult ? std::array<double, 9>{22, 12, 10, 14, 8, 12, 5, 10, 7}
                                       : std::array<double, 9>{15, 8, 14, 10, 28, 10, 3, 7, 5};
    const std::string_view organisation = organisations[rng.weighted(weights)];
    cpi.submitter.organisation = std::string(organisation);
    const m::Sex sex = rng.chance(0.6) ? m::Sex::female : m::Sex::male;
    const std::string_view given = given_name(sex, rng);
    const std::string_view family = family_name(rng);
    cpi.submitter.name = std::string(given) + ' ' + std::string(family);
    cpi.submitter.phone = drama_phone(rng);
    if (organisation != "public" || rng.chance(0.3)) {
        cpi.submitter.email = lower(given) + '.' + lower(family) + "@example.org";
    }

    m::CpiSource& source = cpi.source;
    if (organisation == "public" || rng.chance(0.45)) {
        // Someone else told the submitter.
        const m::Sex source_sex = rng.chance(0.5) ? m::Sex::female : m::Sex::male;
        source.name = std::string(given_name(source_sex, rng));
        source.name += ' ';
        source.name += family_name(rng);
        if (rng.chance(0.4)) {
            const auto age_years = rng.between(14, 70);
            const auto extra_days = rng.between(0, 364);
            source.dob = date_text(floor<days>(world.end) - days{365 * age_years + extra_days});
        }
        if (!world.index.homes.empty() && rng.chance(0.5)) {
            source.address =
                world.places[at(world.index.homes[rng.index(world.index.homes.size())])].label;
        }
        source.can_recontact = rng.chance(0.6);
        if (*source.can_recontact) {
            source.contact = rng.chance(0.7) ? drama_phone(rng) : "via the submitter";
        }
        static constexpr std::array<std::string_view, 3> pupils = {
            "Told by a pupil", "Overheard pupils talking", "A parent told the school office"};
        static constexpr std::array<std::string_view, 4> public_ = {
            "Saw it from their window", "Heard it from a neighbour", "Saw posts on social media",
            "Works nearby & saw it"};
        static constexpr std::array<std::string_view, 3> others = {
            "Overheard young people talking", "Told by a colleague", "Saw posts on social media"};
        source.how_known = std::string(organisation == "school"   ? pick(pupils, rng)
                                       : organisation == "public" ? pick(public_, rng)
                                                                  : pick(others, rng));
    } else {
        source.name = cpi.submitter.name;
        source.can_recontact = true;
        source.contact = cpi.submitter.phone;
        if (organisation == "police") {
            source.how_known = "Seen on patrol";
        } else if (organisation == "housing" || organisation == "social_care") {
            source.how_known = "Seen on a home visit";
        } else if (organisation == "health" || organisation == "youth_service") {
            source.how_known = "Disclosure during a session";
        } else {
            source.how_known = "Direct observation while at work";
        }
    }
    // When the source learnt it: the date of the information, as written.
    if (cpi.information_date && rng.chance(0.6)) {
        source.when_known = date_text(*cpi.information_date);
    } else {
        static constexpr std::array<std::string_view, 3> when = {
            "The same day", "A day or two later", "Shortly after it happened"};
        source.when_known = std::string(pick(when, rng));
    }
    static constexpr std::array<std::string_view, 6> shared = {
        "", "DSL", "Social worker", "MASH", "Nobody else yet", "Line manager & DSL"};
    cpi.shared_with = std::string(pick(shared, rng));
}

/// The place as written in free text: its label, or a vague description.
std::string place_text(const Place& place, Rng& rng) {
    if (place.label.empty() || rng.chance(0.3)) {
        return std::string(vague_label(place, rng));
    }
    return place.label;
}

struct CpiPlanner {
    const World& world;
    std::size_t planted;                       // adults of concern: [0, planted)
    std::vector<std::vector<std::size_t>> eps; // episodes with each adult of concern
    std::vector<int> planted_places;           // addresses of concern and adult groups' hangouts
    std::vector<int> public_places;            // for noise
    double period_seconds;

    explicit CpiPlanner(const World& w) : world(w), planted(planted_adults(w)) {
        eps.resize(planted);
        for (std::size_t e = 0; e < w.episodes.size(); ++e) {
            const int a = w.episodes[e].adult;
            if (a >= 0 && at(a) < planted) {
                eps[at(a)].push_back(e);
            }
        }
        planted_places = w.index.addresses_of_concern;
        for (const PeerGroup& g : w.groups) {
            if (g.adult >= 0 && g.hangout >= 0 && !contains(planted_places, g.hangout)) {
                planted_places.push_back(g.hangout);
            }
        }
        for (const auto* list : {&w.index.retail, &w.index.food, &w.index.licensed, &w.index.parks,
                                 &w.index.town_centre, &w.index.transport}) {
            public_places.insert(public_places.end(), list->begin(), list->end());
        }
        period_seconds = static_cast<double>((w.end - w.start).count());
    }

    m::Timestamp uniform_time(Rng& rng) const {
        return world.start + seconds{static_cast<std::int64_t>(rng.uniform() * period_seconds)};
    }

    CpiKind draw_kind(Rng& rng) const {
        const bool adults = planted > 0;
        const bool others = planted < world.adults.size();
        const std::array<double, 4> weights = {
            adults ? 55.0 : 0.0, planted_places.empty() ? 0.0 : 7.0, others ? 28.0 : 0.0,
            public_places.empty() ? 0.0 : 10.0};
        if (weights[0] + weights[1] + weights[2] + weights[3] == 0.0) {
            return CpiKind::other_place;
        }
        return static_cast<CpiKind>(rng.weighted(weights));
    }

    m::CpiReport make(std::size_t i) const {
        Rng rng(world.params.seed, cpi_streams + static_cast<std::uint64_t>(i));
        m::CpiReport cpi;
        // The first forms of the period's list are one about each adult of
        // concern with his vehicle as it is: every planted adult is in the
        // intelligence at least once, whatever the draws.
        const bool one_each = i < planted;
        const CpiKind kind = one_each ? CpiKind::planted_adult : draw_kind(rng);
        m::Timestamp about = uniform_time(rng);
        switch (kind) {
        case CpiKind::planted_adult:
            about = planted_adult(cpi, rng, about, one_each ? std::optional(i) : std::nullopt);
            break;
        case CpiKind::planted_place:
            planted_place(cpi, rng);
            break;
        case CpiKind::other_adult:
            other_adult(cpi, rng);
            break;
        case CpiKind::other_place:
            other_place(cpi, rng);
            break;
        }
        m::Timestamp received = working_hours(about + hours{rng.between(4, 24 * 14)}, 8, 18, rng);
        if (received > world.end) {
            received = to_minute(world.end - hours{rng.between(1, 72)});
            about = std::min(about, received);
        }
        cpi.received_at = received;
        cpi.information_date = floor<days>(about);
        fill_submitter_and_source(world, cpi, kind, rng);
        cpi.grading = draw_grading(kind, rng);
        return cpi;
    }

    // An adult of concern with children of his groups, his addresses and vehicle.
    m::Timestamp planted_adult(m::CpiReport& cpi, Rng& rng, m::Timestamp about,
                               std::optional<std::size_t> forced) const {
        const std::size_t a = forced ? *forced : rng.index(planted);
        const Adult& adult = world.adults[a];
        std::vector<int> victims;
        if (!eps[a].empty() && rng.chance(0.8)) {
            // About something that happened: one of the adult's episodes.
            const EpisodeSpec& ep = world.episodes[eps[a][rng.index(eps[a].size())]];
            about = ep.last_seen;
            victims.push_back(ep.child);
            for (const int other : ep.companions) {
                if (victims.size() < 3 && rng.chance(0.4)) {
                    victims.push_back(other);
                }
            }
        } else if (!adult.groups.empty()) {
            const PeerGroup& group = world.groups[at(adult.groups[rng.index(adult.groups.size())])];
            for (const int member : group.members) {
                if (victims.empty() || (victims.size() < 3 && rng.chance(0.3))) {
                    victims.push_back(member);
                }
            }
        }
        // The adult: by id, by a name variant, or only through his car and address.
        const Pronouns ap = pronouns(adult.sex);
        const bool unnamed = rng.chance(0.12);
        std::string name = unnamed ? std::string(ap.older) : std::string();
        if (!unnamed) {
            m::CpiSubject subject;
            subject.person = adult_mention(adult, rng, 0.25);
            if (rng.chance(0.15)) {
                subject.person.dob = adult.dob;
            }
            subject.role = m::SubjectRole::suspect;
            name = subject.person.name.empty() ? adult_name(adult, rng) : subject.person.name;
            cpi.subjects.push_back(std::move(subject));
        }
        std::string victim_name;
        for (const int v : victims) {
            const Child& child = world.children[at(v)];
            m::CpiSubject subject;
            subject.person = child_mention(child, rng, 0.2);
            if (rng.chance(0.3)) {
                subject.person.dob = child.dob;
            }
            if (rng.chance(0.3)) {
                subject.person.sex = child.sex;
            }
            subject.role = victim_name.empty() || rng.chance(0.7) ? m::SubjectRole::victim
                                                                  : m::SubjectRole::associate;
            if (victim_name.empty()) {
                victim_name =
                    subject.person.name.empty() ? child_name(child, rng) : subject.person.name;
            }
            cpi.subjects.push_back(std::move(subject));
        }
        const bool car = !adult.vehicle.vrm.empty() && (forced || unnamed || rng.chance(0.5));
        m::Vehicle vehicle;
        if (car) {
            vehicle = forced ? adult.vehicle : vehicle_as_written(adult.vehicle, rng);
            cpi.vehicles.push_back(vehicle);
        }
        int address = -1;
        if (!adult.addresses.empty()) {
            address = adult.addresses[rng.index(adult.addresses.size())];
            cpi.places.push_back(place_location(world, address, rng, cpi_styles));
            for (const int other : adult.addresses) {
                if (other != address && rng.chance(0.3)) {
                    cpi.places.push_back(place_location(world, other, rng, cpi_styles));
                }
            }
        }

        // Where the information is about, and the text.
        const Child* victim = victims.empty() ? nullptr : &world.children[at(victims.front())];
        const bool criminal = victim != nullptr ? victim->cce && !victim->cse : a % 2 == 1;
        const Pronouns p = pronouns(victim != nullptr ? victim->sex : m::Sex::female);
        const std::string k = victim_name.empty() ? std::string("a young person") : victim_name;
        const std::string l = address >= 0 ? place_text(world.places[at(address)], rng)
                                           : std::string("a flat in town");
        const std::string v = car ? vehicle_text(vehicle) : std::string("car");
        int where = address;
        std::string& t = cpi.information;
        switch (rng.between(0, 4) + (criminal ? 5 : 0)) {
        case 0:
            if (victim != nullptr && victim->school >= 0) {
                where = victim->school;
            }
            t = k + " has been seen getting into a " + v + " outside " +
                (where >= 0 ? place_text(world.places[at(where)], rng) : std::string("school")) +
                " after school. Driver is " + std::string(ap.older) +
                (unnamed ? std::string(".") : ", possibly called \"" + name + "\".");
            break;
        case 1:
            t = "Neighbour reports young people who look about 14 arriving at " + l +
                " late at night & leaving in the morning; " + name + " lives there.";
            break;
        case 2:
            t = k + " told a friend that " + name + " is 24 and lets " + std::string(p.object) +
                " stay at " + std::string(ap.possessive) + " flat; has new clothes & a new phone.";
            break;
        case 3:
            t = "Taxi driver took two young people to " + l + " at 2am; " + name +
                " paid the fare in cash.";
            break;
        case 4:
            t = k + " attended the clinic with " + name + ", who answered questions for " +
                std::string(p.object) + ".";
            break;
        case 5:
            t = "Youth worker overheard " + k + " talking about running \"parcels\" for " + name +
                " to pay off a £200 debt.";
            break;
        case 6:
            t = k + " and others seen being dropped off by a " + v + " at " + l +
                (unnamed ? std::string("; driver not known.")
                         : "; driver known locally as " + name + ".");
            break;
        case 7:
            t = "Housing officer: tenant at " + l +
                " has young visitors at all hours; cannabis smell & " + name + " seen there.";
            break;
        case 8:
            t = k + " has been missing from school on Fridays; pupils say it is to \"work\" for " +
                name + " at " + l + ".";
            break;
        default:
            t = "Officer saw " + k + " with " + name + " near " + l +
                " at 23:30;\ngave a false name & had two phones.";
            break;
        }
        if (where >= 0) {
            cpi.location = place_location(world, where, rng, cpi_styles);
        }
        return about;
    }

    // An address of concern or an adult's group hangout, without the adult.
    void planted_place(m::CpiReport& cpi, Rng& rng) const {
        const int place = planted_places[rng.index(planted_places.size())];
        const Place& p = world.places[at(place)];
        const std::string l = place_text(p, rng);
        cpi.location = place_location(world, place, rng, cpi_styles);
        cpi.places.push_back(place_location(world, place, rng, cpi_styles));
        // The adult whose address or group it is, for the car parked outside.
        const Adult* owner = nullptr;
        for (std::size_t a = 0; a < planted && owner == nullptr; ++a) {
            const Adult& adult = world.adults[a];
            if (contains(adult.addresses, place)) {
                owner = &adult;
            }
            for (const int g : adult.groups) {
                if (world.groups[at(g)].hangout == place) {
                    owner = &adult;
                }
            }
        }
        cpi.information = "Lots of young people coming and going at " + l + " late at night";
        if (owner != nullptr && !owner->vehicle.vrm.empty() && rng.chance(0.5)) {
            const m::Vehicle v = vehicle_as_written(owner->vehicle, rng);
            cpi.vehicles.push_back(v);
            cpi.information += "; a " + vehicle_text(v) + " is often parked there";
        }
        cpi.information += ".";
    }

    // An adult who is not of concern: weak intelligence, noise.
    void other_adult(m::CpiReport& cpi, Rng& rng) const {
        const Adult& adult = world.adults[planted + rng.index(world.adults.size() - planted)];
        m::CpiSubject subject;
        subject.person = adult_mention(adult, rng, 0.25);
        const double role = rng.uniform();
        subject.role = role < 0.6    ? m::SubjectRole::suspect
                       : role < 0.85 ? m::SubjectRole::associate
                                     : m::SubjectRole::unknown;
        const std::string name =
            subject.person.name.empty() ? adult_name(adult, rng) : subject.person.name;
        const Pronouns ap = pronouns(adult.sex);
        cpi.subjects.push_back(std::move(subject));
        if (!world.children.empty() && rng.chance(0.35)) {
            m::CpiSubject child;
            child.person =
                child_mention(world.children[rng.index(world.children.size())], rng, 0.2);
            child.role = m::SubjectRole::victim;
            cpi.subjects.push_back(std::move(child));
        }
        if (!adult.vehicle.vrm.empty() && rng.chance(0.5)) {
            cpi.vehicles.push_back(vehicle_as_written(adult.vehicle, rng));
        }
        std::string l = "the shops";
        if (!public_places.empty()) {
            const int place = public_places[rng.index(public_places.size())];
            l = place_text(world.places[at(place)], rng);
            cpi.location = place_location(world, place, rng, cpi_styles);
        }
        if (!world.index.homes.empty() && rng.chance(0.4)) {
            const int home = world.index.homes[rng.index(world.index.homes.size())];
            cpi.places.push_back(place_location(world, home, rng, cpi_styles));
        }
        switch (rng.between(0, 4)) {
        case 0:
            cpi.information = name + " seen hanging around " + l +
                              " talking to young people; caller thinks " + std::string(ap.subject) +
                              " is \"dodgy\".";
            break;
        case 1:
            cpi.information = "Parent worried that " + name +
                              " has been messaging her son online; no details of what was said.";
            break;
        case 2:
            cpi.information = "Anonymous report that " + name + " sells cannabis near " + l + ".";
            break;
        case 3:
            cpi.information = name + " was seen giving a lift to a girl in school uniform near " +
                              l + "; may be a relative.";
            break;
        default:
            cpi.information = "Member of the public says " + name + " lets teenagers drink at " +
                              std::string(ap.possessive) + " house; address not known.";
            break;
        }
    }

    // A public place, no one named: noise.
    void other_place(m::CpiReport& cpi, Rng& rng) const {
        if (public_places.empty()) {
            cpi.information = "General concern about young people out late in town.";
            return;
        }
        const int place = public_places[rng.index(public_places.size())];
        const std::string l = place_text(world.places[at(place)], rng);
        cpi.location = place_location(world, place, rng, cpi_styles);
        if (rng.chance(0.5)) {
            cpi.places.push_back(place_location(world, place, rng, cpi_styles));
        }
        switch (rng.between(0, 3)) {
        case 0:
            cpi.information =
                "Groups of teenagers drinking at " + l + " most weekends; some look very young.";
            break;
        case 1:
            cpi.information = "Suspected drug dealing outside " + l + " in the evenings.";
            break;
        case 2:
            cpi.information =
                "Caller reports a man & a youth arguing outside " + l + "; nothing further known.";
            break;
        default:
            cpi.information =
                "Rumour on social media that " + l + " is being used to store stolen bikes.";
            break;
        }
    }
};

} // namespace

std::vector<m::CpiReport> make_cpis(const World& world, MentionTruths* mentions) {
    const double years =
        static_cast<double>((world.end - world.start).count()) / (365.2425 * 86400.0);
    const auto count =
        static_cast<std::size_t>(std::max(0.0, std::round(world.spec.cpis_per_year * years)));
    std::vector<m::CpiReport> cpis;
    if (count == 0 || world.end <= world.start) {
        return cpis;
    }
    const CpiPlanner planner(world);
    cpis.reserve(count);
    // Each form's mention truths, until the forms have their ids.
    std::vector<std::vector<MentionTruth>> truths(mentions != nullptr ? count : 0);
    for (std::size_t i = 0; i < count; ++i) {
        if (mentions == nullptr) {
            cpis.push_back(planner.make(i));
            continue;
        }
        std::vector<WrittenName> written;
        {
            const WrittenNamesScope scope(&written);
            cpis.push_back(planner.make(i));
        }
        const auto& subjects = cpis.back().subjects;
        add_mention_truth(
            written, "subjects", subjects.size(),
            [&](std::size_t k) -> const m::PersonMention& { return subjects[k].person; }, truths[i],
            mentions->ambiguous);
    }
    std::vector<std::size_t> order(count);
    for (std::size_t i = 0; i < count; ++i) {
        order[i] = i;
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return *cpis[a].received_at < *cpis[b].received_at;
    });
    std::vector<m::CpiReport> sorted;
    sorted.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        sorted.push_back(std::move(cpis[order[i]]));
        sorted.back().cpi_id = "I-" + padded(i + 1, 6);
        if (mentions != nullptr) {
            for (MentionTruth& truth : truths[order[i]]) {
                truth.file = "cpi.jsonl";
                truth.record = sorted.back().cpi_id;
                mentions->mentions.push_back(std::move(truth));
            }
        }
    }
    return sorted;
}

} // namespace waymark::synth
