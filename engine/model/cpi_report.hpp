#pragma once

// One line of cpi.jsonl: a CPI intelligence form (DATA-MODEL.md; seed 001,
// Appendix 6).

#include "engine/model/attributes.hpp"
#include "engine/model/enums.hpp"
#include "engine/model/location.hpp"
#include "engine/model/person.hpp"
#include "engine/model/timestamp.hpp"

#include <optional>
#include <string>
#include <vector>

namespace waymark::model {

/// Who submitted the form. SOURCE-RESTRICTED: stored, never exported, never
/// shown outside the analyst profile's record view (DATA-MODEL.md).
struct CpiSubmitter {
    std::string name{};
    std::string organisation{}; ///< e.g. "school"
    std::string phone{};
    std::string email{};

    bool operator==(const CpiSubmitter&) const = default;
};

/// The source of the information. SOURCE-RESTRICTED like CpiSubmitter. Kept
/// as written: dob is text here, not a Date, since it is never analysed.
struct CpiSource {
    std::string name{};
    std::string dob{};
    std::string address{};
    std::optional<bool> can_recontact{};
    std::string contact{};
    std::string how_known{};  ///< how the source knows the information
    std::string when_known{}; ///< when the source came to know it

    bool operator==(const CpiSource&) const = default;
};

/// A person the information is about.
struct CpiSubject {
    PersonMention person{};
    std::optional<SubjectRole> role{};

    bool operator==(const CpiSubject&) const = default;
};

/// A vehicle mentioned in the form. Text fields are empty when not given.
struct Vehicle {
    std::string vrm{}; ///< vehicle registration mark
    std::string make{};
    std::string model{};
    std::string colour{};

    bool operator==(const Vehicle&) const = default;
};

/// The UK 3x5x2 grading; each part is nullopt when not graded.
struct Grading {
    std::optional<SourceEvaluation> source{};
    std::optional<IntelligenceAssessment> intelligence{};
    std::optional<HandlingCode> handling{};

    bool operator==(const Grading&) const = default;
};

/// A CPI intelligence form. Text fields are empty when not given.
struct CpiReport {
    std::string cpi_id{};
    std::optional<Timestamp> received_at{};
    CpiSubmitter submitter{};  ///< source-restricted
    CpiSource source{};        ///< source-restricted
    std::string shared_with{}; ///< who else the information was shared with
    std::string information{}; ///< free text
    std::optional<Date> information_date{};
    std::optional<Location> location{}; ///< where the information is about
    std::vector<CpiSubject> subjects{};
    std::vector<Vehicle> vehicles{};
    std::vector<Location> places{};
    Grading grading{};
    Attributes extra{}; ///< unknown fields

    bool operator==(const CpiReport&) const = default;
};

} // namespace waymark::model
