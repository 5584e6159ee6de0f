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
#include <vector>

namespace waymark::synth {

/// The RHI following episode `e` (world.episodes[e]), or nullopt when none was
/// recorded (about 15%; always none for an episode still open at world.end,
/// and for one whose referral would fall after world.end). Deterministic: it
/// draws only from Rng(world.params.seed, a stream of `e` unique to RHIs).
/// `e` must be a valid index (std::out_of_range otherwise).
std::optional<model::ReturnInterview> make_rhi(const World& world, std::size_t e);

/// All CPI forms of the period (about world.spec.cpis_per_year a year),
/// ordered by received_at, ids "I-000001", "I-000002", ...
std::vector<model::CpiReport> make_cpis(const World& world);

} // namespace waymark::synth
