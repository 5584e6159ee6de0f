#pragma once

// The evidence records of the synthetic world: Return Home Interviews
// (rhi.jsonl) and CPI intelligence forms (cpi.jsonl), made from the world's
// episodes, adults, peer groups and places (world.hpp), with the ground truth
// planted in them as the synthetic-world issue asks:
//
// - RHIs follow most episodes: completed, declined, refused by a parent, not
//   offered, no contact or pending; within 72 hours of the return or late with
//   a reason (notes "delay_reason"). Only completed RHIs carry content: the
//   places the child went to, slept at, met someone at and was found at; who
//   they were with (companions, the adult of concern: by person_id sometimes,
//   often by a name variant only: a street name, a nickname, a misspelling);
//   push and pull factors correlated with the planted causes; the high-risk
//   categories; people, young people and locations of concern.
// - CPI forms come from partners (school, health, housing, youth service,
//   police, the public, ...): most about the planted adults of concern, their
//   addresses, vehicles and the children of their groups; the rest about
//   unrelated adults and places, often weakly graded (3/D, 3/E): noise.
//
// Every record draws from its own random stream, so a record depends only on
// the world and its own index: the same world gives the same records.

#include "data/synth/world.hpp"
#include "engine/model/cpi_report.hpp"
#include "engine/model/return_interview.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace waymark::synth {

/// The truth of a record's mention written by name only (no person_id): who
/// it stands for and how the name was written, for truth.json `mentions`.
struct MentionTruth {
    std::string file;      ///< "rhi.jsonl" or "cpi.jsonl"
    std::string record;    ///< rhi_id or cpi_id
    std::string part;      ///< "with", "people_of_concern", "young_people_of_concern", "subjects"
    std::size_t index = 0; ///< position in that array of the record
    std::string name;      ///< as written
    model::PersonKind kind = model::PersonKind::adult;
    std::string person_id; ///< the person it stands for
    /// "alias", "nickname", "full", "given_only", "misspelt_given",
    /// "misspelt_family", "nickname_family", "misspelt_given_family"
    std::string variant;
};

/// Mention truths collected while making records. A name written for two
/// different people in one record cannot be told apart by position and is
/// only counted.
struct MentionTruths {
    std::vector<MentionTruth> mentions;
    std::size_t ambiguous = 0;
};

/// The RHI following episode `e` (world.episodes[e]), or nullopt when none was
/// recorded (about 15%; always none for an episode still open at world.end,
/// and for one whose referral would fall after world.end). Deterministic: it
/// draws only from Rng(world.params.seed, a stream of `e` unique to RHIs).
/// `e` must be a valid index (std::out_of_range otherwise).
/// With `mentions`, appends the truth of its name-only mentions (the records
/// are the same either way: nothing extra is drawn).
std::optional<model::ReturnInterview> make_rhi(const World& world, std::size_t e,
                                               MentionTruths* mentions = nullptr);

/// All CPI forms of the period (about world.spec.cpis_per_year a year),
/// ordered by received_at, ids "I-000001", "I-000002", ...
/// With `mentions`, appends the truth of their name-only mentions.
std::vector<model::CpiReport> make_cpis(const World& world, MentionTruths* mentions = nullptr);

} // namespace waymark::synth
