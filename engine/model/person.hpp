#pragma once

// People: a person mentioned in an RHI or a CPI (DATA-MODEL.md, rhi.jsonl and
// cpi.jsonl "person object"), and a row of the optional person index
// (persons.csv).

#include "engine/model/attributes.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/timestamp.hpp"

#include <optional>
#include <string>
#include <vector>

namespace waymark::model {

/// A person object in an RHI or CPI. It carries person_id when the source
/// system has one, otherwise a name (and dob, sex when known); entity
/// resolution links mentions to people. Text fields are empty when not given.
struct PersonMention {
    std::string person_id{};          ///< opaque id from the source; a child's is their child_id
    std::string name{};               ///< as written by the source
    std::optional<PersonKind> kind{}; ///< child or adult
    std::string relation{};           ///< free text: "friend", "unknown", ...
    std::optional<bool> felt_safe{};  ///< RHI: whether the child felt safe with this person
    std::optional<Date> dob{};        ///< date of birth
    std::optional<Sex> sex{};

    bool operator==(const PersonMention&) const = default;
};

/// One row of persons.csv. Text fields are empty when not given.
struct Person {
    std::string person_id{}; ///< children's person_id equals their child_id
    std::optional<PersonKind> kind{};
    std::string name{};
    std::vector<std::string> aliases{}; ///< `aliases`, `;`-separated in the file
    std::optional<Date> date_of_birth{};
    std::optional<Sex> sex{};
    std::vector<std::string>
        flags{};        ///< `flags`, `;`-separated: "adult_of_concern", "gang:name", ...
    Attributes extra{}; ///< unknown columns

    bool operator==(const Person&) const = default;
};

} // namespace waymark::model
