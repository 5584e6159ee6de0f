#pragma once

// Entity resolution: deciding which known person a mention without an id
// ("Dan", "Kayley Smith", "Kez") refers to, with a score and the reasons
// (+ helped, − counted against) like i2's smart matching. Above the merge
// threshold the mention is merged into the person; between the possible and
// the merge thresholds it stays a person of its own with *possible match*
// edges to the candidates; below, it is unmatched. Unmatched mentions that
// are clearly the same person (same normalised name and kind, nothing
// against) share one new entity. An analyst's overrides (pin, split) win
// over the scores.
//
// General code: people, mentions and links arrive as ids and strings; the
// engine adapts the store's records to it (engine/network.cpp).

#include "engine/model/enums.hpp"
#include "engine/model/timestamp.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace waymark::graph {

/// A person of the person index (persons.csv), or a child known from episodes.
struct KnownPerson {
    std::string id;
    model::PersonKind kind = model::PersonKind::adult;
    std::string name; ///< may be empty (a child known only by id)
    std::vector<std::string> aliases;
    std::optional<model::Date> dob;
    std::optional<model::Sex> sex;
};

/// A mention of a person without an id, in one record.
struct NameMention {
    std::string key;    ///< stable and unique: "rhi:R-1:with:2" (engine's convention)
    std::string record; ///< the record's id ("R-1", "I-4"), for overrides
    std::string name;   ///< as written
    std::optional<model::PersonKind> kind;
    std::optional<model::Date> dob;
    std::optional<model::Sex> sex;
    /// Known people the same record links the mention to (the record's child,
    /// people named there by id): a candidate already linked to one of them
    /// by other evidence is more likely.
    std::vector<std::string> context;
    /// The person the record is about (an RHI's child), if any: never the
    /// mention, since a child does not name themselves among the people they
    /// were with. May also be in `context`.
    std::string subject;
};

/// One reason for or against a match.
struct MatchReason {
    std::string code; ///< "name_exact", "nickname", "alias", "jaro_winkler", "phonetic",
                      ///< "dob_same", "dob_transposed", "dob_near", "dob_different",
                      ///< "sex_same", "sex_different", "kind_different", "linked", "common_name"...
    double weight = 0;  ///< > 0 helped, < 0 counted against
    std::string detail; ///< for people: "'Kayley' sounds like 'Kayleigh'"
};

struct Match {
    std::string person_id;
    double score = 0; ///< in [0, 1]
    std::vector<MatchReason> reasons;
};

enum class Outcome { merged, possible, unmatched };

struct MentionResolution {
    Outcome outcome = Outcome::unmatched;
    /// The entity the mention is: a known person's id when merged, otherwise
    /// a new id "U-" + 12 hex digits, shared by unmatched mentions of the same
    /// person and stable between runs.
    std::string entity;
    std::optional<Match> match;  ///< merged: why
    std::vector<Match> possible; ///< possible: the candidates, best first
    bool overridden = false;     ///< an analyst's pin decided it
};

/// An analyst's decision, from the overrides file (read_overrides).
struct Override {
    enum class Action { pin, split };
    Action action = Action::pin;
    std::string record;    ///< empty: every record
    std::string name;      ///< as written; compared after normalisation
    std::string person_id; ///< pin: the mention is this person; split: never this person
    std::string note;
    std::int64_t line = 0;
};

/// Reads an overrides file: CSV with header `action,record,name,person_id,note`
/// (`action` is `pin` or `split`; `record` may be empty). Throws InputError
/// naming the file, the line and the reason.
std::vector<Override> read_overrides(const std::string& path);
std::vector<Override> parse_overrides(std::string_view csv, std::string_view source);

struct ResolutionParams {
    double merge_threshold = 0.85;
    double possible_threshold = 0.6;
    int max_possible = 3; ///< possible-match edges kept per mention
    /// A merge also needs the best candidate's log-odds this far ahead of the
    /// second's (ln 10: ten times as likely); otherwise both are possible.
    double margin = 2.302585092994046;
    int threads = 0; ///< worker threads; 0 = one per core. Results never depend on it
};

class Resolver {
public:
    /// `links`: for each known person, the known people other evidence (records
    /// naming both by id) links them to. Throws InputError for an override
    /// naming a person who is not known, and for parameters out of range.
    Resolver(std::span<const KnownPerson> people,
             const std::unordered_map<std::string, std::vector<std::string>>& links,
             std::span<const Override> overrides, ResolutionParams params);

    /// Resolves every mention; results in the same order. Deterministic.
    std::vector<MentionResolution> resolve(std::span<const NameMention> mentions) const;

private:
    struct Index;
    /// People, links, blocking keys and overrides, copied and indexed once
    /// (shared: a Resolver copies cheaply and outlives its arguments).
    std::shared_ptr<const Index> m_index;
    ResolutionParams m_params;
};

} // namespace waymark::graph
