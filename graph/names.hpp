#pragma once

// Comparing people's names as sources write them: normalisation (case,
// punctuation, accents transliterated to ASCII), Jaro–Winkler similarity, a
// phonetic key, familiar forms of given names (a table shipped as data:
// data/names/nicknames.csv, compiled into the binary), and dates of birth
// that are the same, have two digits transposed, or are a year apart.

#include "engine/model/timestamp.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::graph {

/// Lower case ASCII: accents and ligatures transliterated ("Zoë" → "zoe",
/// "Łukasz" → "lukasz", "Æ" → "ae"), apostrophes dropped ("O'Neil" →
/// "oneil"), other punctuation and runs of white space → one space, trimmed.
std::string normalise_name(std::string_view name);

/// The normalised name's words.
std::vector<std::string> name_tokens(std::string_view name);

/// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4),
/// as Winkler (1990) defines it; 1 for two empty strings.
double jaro_winkler(std::string_view a, std::string_view b);

/// A phonetic key of one normalised word, equal for words that sound alike
/// ("Kayleigh", "Kayley", "Kaylee"). The algorithm is named in
/// docs/methods/entity-resolution.md.
std::string phonetic_key(std::string_view word);

/// Familiar forms of given names, both ways: "dan", "danny" ↔ "daniel".
class Nicknames {
public:
    /// The table shipped with Waymark (data/names/nicknames.csv).
    static const Nicknames& builtin();
    /// Reads a table: CSV with a header `name,familiar` (one pair a row,
    /// normalised on reading). Throws InputError naming `source` and the line.
    static Nicknames parse(std::string_view csv, std::string_view source);

    /// Whether one word is a familiar form of the other, or both are familiar
    /// forms of one name ("danny", "dan"). Words are normalised.
    bool related(std::string_view a, std::string_view b) const;
    /// The formal names `word` is a familiar form of (empty if none).
    std::vector<std::string> formal_names(std::string_view word) const;

private:
    std::vector<std::pair<std::string, std::string>> m_pairs;       ///< (formal, familiar), sorted
    std::vector<std::pair<std::string, std::string>> m_by_familiar; ///< (familiar, formal), sorted
};

enum class DobAgreement {
    unknown,    ///< one or both not given
    same,       ///< the same date
    transposed, ///< two digits swapped, or day and month swapped
    near,       ///< within a year either way
    different,
};
DobAgreement compare_dob(const std::optional<model::Date>& a, const std::optional<model::Date>& b);

} // namespace waymark::graph
