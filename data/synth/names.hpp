#pragma once

// Fictional people's names for the synthetic world, and the ways sources get
// them wrong: nicknames, misspellings, first names only. Names are common
// British first and family names drawn at random; no record describes anyone.

#include "data/synth/random.hpp"
#include "engine/model/enums.hpp"

#include <string>
#include <string_view>

namespace waymark::synth {

std::string_view given_name(model::Sex sex, Rng& rng);
std::string_view family_name(Rng& rng);

/// A familiar form of `given` ("Daniel" → "Dan" or "Danny"), or `given`
/// itself when it has none.
std::string_view nickname_of(std::string_view given, Rng& rng);

/// `name` with one realistic slip: a doubled or dropped letter, two letters
/// swapped, a vowel changed, or all in capitals. Never returns `name` itself
/// for names of three letters or more.
std::string misspell(std::string_view name, Rng& rng);

/// A street name for an adult of concern ("Kez", "Smiler").
std::string_view street_name(Rng& rng);

} // namespace waymark::synth
