#include "graph/resolution.hpp"

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "graph/names.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>
#include <utility>

namespace waymark::graph {
namespace {

namespace m = waymark::model;

/// The weights of the reasons, in natural-log odds: a candidate's score is
/// logistic(bias + Σ weights). docs/methods/entity-resolution.md explains
/// each and how they were tuned on the synthetic force world.
struct Weights {
    double bias = 1.0;
    // Names.
    double name_exact = 4.0;      ///< the whole name: given and family names as written
    double alias = 3.5;           ///< the whole mention is one of the person's aliases
    double given_exact = 2.0;     ///< the given name, as one part of the match
    double family_exact = 2.5;    ///< the family name, as one part of the match
    double nickname = 1.6;        ///< a familiar form of the given name, or the other way round
    double initial = 0.8;         ///< "J Smith": the initial of the given name
    double fuzzy_given = 1.7;     ///< most a misspelt given name earns
    double fuzzy_family = 2.2;    ///< most a misspelt family name earns
    double phonetic_share = 0.25; ///< part of a misspelling's weight earned by sounding alike
    double given_different = -2.5;
    double family_different = -4.0;
    double family_only = 0.2; ///< a lone word that is the family name (rarely written so)
    double given_only = -1.5; ///< a lone given name (or nickname, or alias word): no family name
    // Other evidence.
    double dob_same = 4.0;
    double dob_transposed = 2.0;
    double dob_near = 0.5;
    double dob_different = -4.0;
    double sex_same = 0.3;
    double sex_different = -2.5;
    double kind_different = -15.0;
    /// The record names the candidate by id: P(the candidate is in the
    /// record's context | the mention is the candidate).
    double in_record_rate = 0.5;
    /// Someone the record names is linked to the candidate by other
    /// records: P(linked | the mention is the candidate).
    double linked_rate = 0.7;
    double max_context = 9.0; ///< no single context reason earns more
};
constexpr Weights weights{};

/// Jaro–Winkler at which a word counts as a misspelling of another.
constexpr double fuzzy_floor = 0.85;
/// Blocks with more people than this are used only for people the record
/// links to (a lone "Thomas" in a national index): never all pairs.
constexpr std::size_t max_block = 2000;

std::string quoted(std::string_view text) {
    return "'" + std::string(text) + "'";
}

std::string general(double value) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%g", value);
    return buffer.data();
}

std::string fixed2(double value) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.2f", value);
    return buffer.data();
}

std::vector<std::string> split_words(const std::string& normal) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start < normal.size()) {
        std::size_t end = normal.find(' ', start);
        if (end == std::string::npos) {
            end = normal.size();
        }
        words.emplace_back(normal.substr(start, end - start));
        start = end + 1;
    }
    return words;
}

/// The word with each one letter left out, for finding misspellings: two
/// words one insertion, deletion, substitution or swap apart share a key
/// (symmetric deletion).
void deletion_keys(const std::string& word, std::vector<std::string>& keys) {
    if (word.size() >= 2) {
        keys.push_back("d:" + word);
    }
    if (word.size() >= 3) {
        for (std::size_t i = 0; i < word.size(); ++i) {
            std::string variant = word;
            variant.erase(i, 1);
            keys.push_back("d:" + variant);
        }
    }
}

/// FNV-1a, 64 bits: the same on every platform and run, for entity ids.
std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

std::string new_entity_id(std::string_view text) {
    std::array<char, 20> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%012llx",
                  static_cast<unsigned long long>(fnv1a(text) >> 16));
    return "U-" + std::string(buffer.data());
}

bool sexes_known(const std::optional<m::Sex>& a, const std::optional<m::Sex>& b) {
    const auto known = [](const std::optional<m::Sex>& s) {
        return s && (*s == m::Sex::female || *s == m::Sex::male);
    };
    return known(a) && known(b);
}

std::string kind_word(const std::optional<m::PersonKind>& kind) {
    return kind ? std::string(m::to_code(*kind)) : std::string("?");
}

// ---- reading the overrides file ---------------------------------------------

/// One CSV record (RFC 4180: quoted fields may hold commas, quotes doubled,
/// and line breaks) and the line it starts on.
struct CsvRow {
    std::vector<std::string> fields;
    std::int64_t line = 0;
};

std::vector<CsvRow> read_csv(std::string_view text, std::string_view source) {
    std::vector<CsvRow> rows;
    std::size_t at = 0;
    std::int64_t line = 1;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        at = 3;
    }
    while (at < text.size()) {
        CsvRow row;
        row.line = line;
        std::string field;
        bool quoted_field = false;
        bool end_of_row = false;
        while (!end_of_row) {
            if (at >= text.size()) {
                end_of_row = true;
                break;
            }
            const char c = text[at];
            if (quoted_field) {
                if (c == '"') {
                    if (at + 1 < text.size() && text[at + 1] == '"') {
                        field += '"';
                        at += 2;
                    } else {
                        quoted_field = false;
                        ++at;
                    }
                } else {
                    if (c == '\n') {
                        ++line;
                    }
                    field += c;
                    ++at;
                }
                continue;
            }
            if (c == '"' && field.empty()) {
                quoted_field = true;
                ++at;
            } else if (c == ',') {
                row.fields.push_back(std::move(field));
                field.clear();
                ++at;
            } else if (c == '\n' || c == '\r') {
                ++at;
                if (c == '\r' && at < text.size() && text[at] == '\n') {
                    ++at;
                }
                ++line;
                end_of_row = true;
            } else {
                field += c;
                ++at;
            }
        }
        if (quoted_field) {
            throw InputError(std::string(source) + ": line " + std::to_string(row.line) +
                             ": a quoted field is not closed");
        }
        row.fields.push_back(std::move(field));
        const bool blank = row.fields.size() == 1 && row.fields[0].empty();
        if (!blank) {
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

std::string trimmed(std::string_view text) {
    const auto space = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && space(text.back())) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

} // namespace

std::vector<Override> parse_overrides(std::string_view csv, std::string_view source) {
    const std::vector<CsvRow> rows = read_csv(csv, source);
    const auto fail = [&](std::int64_t line, const std::string& reason) {
        throw InputError(std::string(source) + ": line " + std::to_string(line) + ": " + reason);
    };
    static constexpr std::array<std::string_view, 5> header = {"action", "record", "name",
                                                               "person_id", "note"};
    if (rows.empty()) {
        fail(1, "expected the header action,record,name,person_id,note");
    }
    const CsvRow& first = rows.front();
    bool header_ok = first.fields.size() == header.size();
    for (std::size_t i = 0; header_ok && i < header.size(); ++i) {
        header_ok = trimmed(first.fields[i]) == header[i];
    }
    if (!header_ok) {
        fail(first.line, "expected the header action,record,name,person_id,note");
    }
    std::vector<Override> overrides;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const CsvRow& row = rows[r];
        if (row.fields.size() != header.size()) {
            fail(row.line, "expected 5 fields (action,record,name,person_id,note), got " +
                               std::to_string(row.fields.size()));
        }
        Override entry;
        entry.line = row.line;
        const std::string action = trimmed(row.fields[0]);
        if (action == "pin") {
            entry.action = Override::Action::pin;
        } else if (action == "split") {
            entry.action = Override::Action::split;
        } else {
            fail(row.line, "unknown action " + quoted(action) + " (expected pin or split)");
        }
        entry.record = trimmed(row.fields[1]);
        entry.name = trimmed(row.fields[2]);
        entry.person_id = trimmed(row.fields[3]);
        entry.note = trimmed(row.fields[4]);
        if (normalise_name(entry.name).empty()) {
            fail(row.line, entry.name.empty()
                               ? std::string("the name is empty")
                               : "the name " + quoted(entry.name) + " has no letters or digits");
        }
        if (entry.person_id.empty()) {
            fail(row.line, "the person_id is empty");
        }
        overrides.push_back(std::move(entry));
    }
    return overrides;
}

std::vector<Override> read_overrides(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw IoError("cannot read the overrides file " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw IoError("cannot read the overrides file " + path);
    }
    return parse_overrides(text.str(), path);
}

// ---- the index ----------------------------------------------------------------

namespace resolution_detail {

/// A word of a name with what comparing it needs.
struct Word {
    std::string text;
    std::string key;                 ///< phonetic key
    std::vector<std::string> formal; ///< the names it is a familiar form of, sorted
};

/// A known person as the resolver compares them.
struct Person {
    std::string id;
    m::PersonKind kind = m::PersonKind::adult;
    std::optional<m::Date> dob;
    std::optional<m::Sex> sex;
    std::string full;                 ///< normalised name
    Word given;                       ///< first word
    Word family;                      ///< last word, when the name has two or more
    std::vector<std::string> aliases; ///< normalised
};

struct Rule {
    Override::Action action = Override::Action::pin;
    std::string record;
    std::uint32_t person = 0;
    std::string note;
    std::int64_t line = 0;
};

} // namespace resolution_detail

struct Resolver::Index {
    using Person = resolution_detail::Person;
    using Rule = resolution_detail::Rule;

    std::vector<Person> people;
    /// Every id known: people first (their number is their index), then the
    /// ids that only links mention.
    std::unordered_map<std::string, std::uint32_t> numbers;
    std::vector<std::string> ids;                  ///< by number
    std::vector<std::vector<std::uint32_t>> links; ///< by number, sorted
    std::unordered_map<std::string, std::vector<std::uint32_t>> blocks;
    std::array<std::size_t, 2> kind_count{}; ///< known people by kind
    /// Overrides by normalised name.
    std::unordered_map<std::string, std::vector<Rule>> rules;
    const Nicknames* nicknames = &Nicknames::builtin();

    std::uint32_t number(const std::string& id) {
        const auto [it, added] =
            numbers.try_emplace(id, static_cast<std::uint32_t>(numbers.size()));
        if (added) {
            ids.push_back(id);
            links.emplace_back();
        }
        return it->second;
    }
    std::optional<std::uint32_t> find(const std::string& id) const {
        const auto it = numbers.find(id);
        return it == numbers.end() ? std::nullopt : std::optional<std::uint32_t>(it->second);
    }
    bool is_person(std::uint32_t n) const { return n < people.size(); }
};

namespace {

using resolution_detail::Person;
using resolution_detail::Word;

std::size_t kind_slot(m::PersonKind kind) {
    return kind == m::PersonKind::child ? 0 : 1;
}

Word make_word(std::string text, const Nicknames& nicknames) {
    Word word;
    word.key = phonetic_key(text);
    word.formal = nicknames.formal_names(text);
    std::sort(word.formal.begin(), word.formal.end());
    word.text = std::move(text);
    return word;
}

/// Nicknames::related on prepared words: one is a familiar form of the
/// other, or both are familiar forms of one name.
bool related(const Word& a, const Word& b) {
    if (a.text == b.text) {
        return false;
    }
    if (std::binary_search(a.formal.begin(), a.formal.end(), b.text) ||
        std::binary_search(b.formal.begin(), b.formal.end(), a.text)) {
        return true;
    }
    for (const std::string& formal : a.formal) {
        if (std::binary_search(b.formal.begin(), b.formal.end(), formal)) {
            return true;
        }
    }
    return false;
}

/// Whether `a` becomes `b` by one slip: a letter changed, added or dropped,
/// or two neighbours swapped (the words Jaro-Winkler judges harshly because
/// they are short: "Loe" for "Leo", "Cx" for "Cox").
bool one_slip(std::string_view a, std::string_view b) {
    if (a == b || a.size() < 2 || b.size() < 2) {
        return false;
    }
    if (a.size() > b.size()) {
        std::swap(a, b);
    }
    if (b.size() - a.size() > 1) {
        return false;
    }
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) {
        ++i;
    }
    if (a.size() < b.size()) {
        return a.substr(i) == b.substr(i + 1);
    }
    if (a.substr(i + 1) == b.substr(i + 1)) {
        return true;
    }
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           a.substr(i + 2) == b.substr(i + 2);
}

/// The blocking keys of a name's words (docs/methods/entity-resolution.md).
std::vector<std::string> name_keys(const std::vector<Word>& words) {
    std::vector<std::string> keys;
    for (const Word& word : words) {
        if (word.text.size() < 2) {
            continue; // an initial: only with a family name, below
        }
        keys.push_back(word.key.empty() ? "t:" + word.text : "p:" + word.key);
        keys.push_back("f:" + word.text);
        for (const std::string& formal : word.formal) {
            keys.push_back("f:" + formal);
        }
        deletion_keys(word.text, keys);
    }
    if (words.size() >= 2) {
        const Word& given = words.front();
        const std::string& family_key = words.back().key;
        if (given.text.size() >= 2) {
            keys.push_back("g:" + given.key + "|" + family_key);
        }
        keys.push_back("i:" + given.text.substr(0, 1) + "|" + family_key);
    }
    return keys;
}

std::vector<Word> make_words(const std::string& normal, const Nicknames& nicknames) {
    std::vector<Word> words;
    for (std::string& text : split_words(normal)) {
        words.push_back(make_word(std::move(text), nicknames));
    }
    return words;
}

/// Reasons and their sum. Without `explain` only the sum is kept: scoring
/// every candidate needs numbers, and only the few reported need words.
class Reasons {
public:
    explicit Reasons(bool explain) : m_explain(explain) {}

    template <typename Detail>
    void add(const char* code, double weight, const Detail& detail) {
        m_total += weight;
        if (m_explain) {
            m_list.push_back({code, weight, detail()});
        }
    }
    /// Without words: starts from a sum already added up, the same way.
    void add_sum(double sum) { m_total += sum; }
    bool explains() const { return m_explain; }
    double total() const { return m_total; }
    std::vector<MatchReason> take() { return std::move(m_list); }

private:
    bool m_explain;
    double m_total = 0;
    std::vector<MatchReason> m_list;
};

/// How one written word fits one known word.
struct WordFit {
    enum class Kind { none, exact, nickname, alias, initial, fuzzy };
    Kind kind = Kind::none;
    double jw = 0;
    bool sounds = false;   ///< the same phonetic key
    bool one_slip = false; ///< one letter changed, added, dropped or swapped
    double weight = 0;
};

/// How close a misspelling is, in [0, 1]: by Jaro-Winkler from 0.8 up, or
/// one half for one slip.
double jw_closeness(const WordFit& fit) {
    return std::clamp((fit.jw - 0.8) / 0.2, 0.0, 1.0);
}
double slip_closeness(const WordFit& fit) {
    return fit.one_slip ? 0.5 : 0.0;
}

/// A misspelling: Jaro-Winkler at least `fuzzy_floor`, the same phonetic key
/// with Jaro-Winkler above 0.7, or one slip. Earns up to `most`.
WordFit fuzzy_fit(const Word& written, const Word& known, double most) {
    WordFit fit;
    fit.jw = jaro_winkler(written.text, known.text);
    fit.sounds = !written.key.empty() && written.key == known.key;
    fit.one_slip = one_slip(written.text, known.text);
    if (fit.jw < fuzzy_floor && !(fit.sounds && fit.jw > 0.7) && !fit.one_slip) {
        return fit;
    }
    fit.kind = WordFit::Kind::fuzzy;
    fit.weight = most; // the most it may earn; explain_fit splits it
    return fit;
}

WordFit given_fit(const Word& written, const Person& person) {
    WordFit fit;
    if (written.text == person.given.text) {
        fit.kind = WordFit::Kind::exact;
        fit.weight = weights.given_exact;
    } else if (related(written, person.given)) {
        fit.kind = WordFit::Kind::nickname;
        fit.weight = weights.nickname;
    } else {
        fit = fuzzy_fit(written, person.given, weights.fuzzy_given);
    }
    return fit;
}

WordFit family_fit(const Word& written, const Person& person) {
    if (written.text == person.family.text) {
        WordFit fit;
        fit.kind = WordFit::Kind::exact;
        fit.weight = weights.family_exact;
        return fit;
    }
    return fuzzy_fit(written, person.family, weights.fuzzy_family);
}

/// The reasons a word's fit gives (for a misspelling, `fit.weight` is the
/// most it may earn, shared out by closeness and sound).
void explain_fit(const WordFit& fit, const Word& written, const Word& known, bool given,
                 Reasons& reasons) {
    switch (fit.kind) {
    case WordFit::Kind::none:
        return;
    case WordFit::Kind::exact:
        reasons.add(given ? "given_exact" : "family_exact", fit.weight, [&] {
            return std::string(given ? "given name " : "family name ") + quoted(known.text);
        });
        return;
    case WordFit::Kind::nickname:
        reasons.add("nickname", fit.weight, [&] {
            return quoted(written.text) + " and " + quoted(known.text) + " are one name";
        });
        return;
    case WordFit::Kind::alias:
        reasons.add("alias", fit.weight, [&] { return "known as " + quoted(written.text); });
        return;
    case WordFit::Kind::initial:
        reasons.add("initial", fit.weight, [&] {
            return "initial " + quoted(written.text) + " of " + quoted(known.text);
        });
        return;
    case WordFit::Kind::fuzzy:
        break;
    }
    const double most = fit.weight;
    const double spelling = most * (1.0 - weights.phonetic_share);
    if (jw_closeness(fit) >= slip_closeness(fit)) {
        if (jw_closeness(fit) > 0) {
            reasons.add("jaro_winkler", spelling * jw_closeness(fit), [&] {
                return quoted(written.text) + " is close to " + quoted(known.text) +
                       " (Jaro-Winkler " + fixed2(fit.jw) + ")";
            });
        }
    } else {
        reasons.add("one_slip", spelling * slip_closeness(fit), [&] {
            return quoted(written.text) + " is one slip from " + quoted(known.text);
        });
    }
    if (fit.sounds) {
        reasons.add("phonetic", most * weights.phonetic_share,
                    [&] { return quoted(written.text) + " sounds like " + quoted(known.text); });
    }
}

/// What the name says about one person, as reasons; whether it fits at all
/// and whether it is a lone word (no family name to confirm it).
struct NameFit {
    bool any = false;
    bool lone = false;
};

NameFit compare_name(const std::string& normal, const std::vector<Word>& words,
                     const Person& person, Reasons& reasons) {
    NameFit result;
    result.lone = words.size() == 1;
    // The whole mention is one of the person's aliases ("Kez").
    for (const std::string& alias : person.aliases) {
        if (alias == normal) {
            result.any = true;
            reasons.add("alias", weights.alias, [&] { return "known as " + quoted(alias); });
            return result;
        }
    }
    if (person.given.text.empty()) {
        return result;
    }
    if (words.size() == 1) {
        const Word& word = words.front();
        const WordFit given = given_fit(word, person);
        if (given.kind != WordFit::Kind::none) {
            result.any = true;
            explain_fit(given, word, person.given, true, reasons);
        } else if (!person.family.text.empty() && word.text == person.family.text) {
            result.any = true;
            reasons.add("family_only", weights.family_only,
                        [&] { return "family name " + quoted(word.text); });
        }
        return result;
    }
    const Word& first = words.front();
    const Word& last = words.back();
    WordFit given;
    if (first.text.size() == 1) {
        if (person.given.text.front() == first.text.front()) {
            given.kind = WordFit::Kind::initial;
            given.weight = weights.initial;
        }
    } else {
        given = given_fit(first, person);
        if (given.kind == WordFit::Kind::none &&
            std::find(person.aliases.begin(), person.aliases.end(), first.text) !=
                person.aliases.end()) {
            // "Kez Smith": a one-word alias in the given name's place.
            given.kind = WordFit::Kind::alias;
            given.weight = weights.nickname;
        }
    }
    if (person.family.text.empty()) {
        // A person known by one word: the mention's first word must fit it.
        if (given.kind != WordFit::Kind::none) {
            result.any = true;
            explain_fit(given, first, person.given, true, reasons);
        }
        return result;
    }
    const WordFit family = family_fit(last, person);
    if (given.kind == WordFit::Kind::none && family.kind == WordFit::Kind::none) {
        return result;
    }
    result.any = true;
    if (given.kind == WordFit::Kind::exact && family.kind == WordFit::Kind::exact) {
        reasons.add("name_exact", weights.name_exact,
                    [&] { return "the same name " + quoted(person.full); });
        return result;
    }
    if (given.kind != WordFit::Kind::none) {
        explain_fit(given, first, person.given, true, reasons);
    } else {
        reasons.add("given_different", weights.given_different,
                    [&] { return quoted(first.text) + " is not " + quoted(person.given.text); });
    }
    if (family.kind != WordFit::Kind::none) {
        explain_fit(family, last, person.family, false, reasons);
    } else {
        reasons.add("family_different", weights.family_different,
                    [&] { return quoted(last.text) + " is not " + quoted(person.family.text); });
    }
    return result;
}

double logistic(double x) {
    return 1.0 / (1.0 + std::exp(-x));
}

/// One mention, prepared: its words, the record's people and the people
/// other records link them to, counted by kind.
struct Prepared {
    const NameMention* mention = nullptr;
    std::string normal;
    std::vector<Word> words;
    std::vector<std::uint32_t> context; ///< sorted
    std::vector<std::uint32_t> linked;  ///< sorted
    std::array<std::size_t, 2> context_kind{};
    std::array<std::size_t, 2> linked_kind{};
};

struct Candidate {
    std::uint32_t person = 0;
    double fit = 0;          ///< what the name alone says
    std::size_t sharing = 1; ///< known people of the mention's kind the name fits as well
    double crowd = 1;        ///< ... each weighted by how much better it fits
    bool lone = false;       ///< the mention is one word
    double total = 0;        ///< log-odds
};

} // namespace

// ---- the resolver -------------------------------------------------------------

namespace {

/// Every reason for one candidate, and the log-odds they add up to.
/// (A template only because the index's type is private to the Resolver.)
template <typename Index>
double score(const Index& x, const Prepared& p, const Candidate& c, Reasons& reasons) {
    const Person& person = x.people[c.person];
    const NameMention& mention = *p.mention;
    const std::size_t slot = kind_slot(person.kind);
    // The name's reasons again only when they are to be shown; otherwise
    // their sum, added up in the same order (the same number to the bit).
    bool lone = c.lone;
    if (reasons.explains()) {
        lone = compare_name(p.normal, p.words, person, reasons).lone;
    } else {
        reasons.add_sum(c.fit);
    }
    if (lone) {
        reasons.add("given_only", weights.given_only,
                    [] { return std::string("one word: no family name to confirm it"); });
    }
    const bool same_kind = !mention.kind || person.kind == *mention.kind;
    if (!same_kind) {
        reasons.add("kind_different", weights.kind_different, [&] {
            return "written as " + kind_word(mention.kind) + ", known as " +
                   std::string(m::to_code(person.kind));
        });
    } else if (c.sharing > 1 && c.crowd > 1.0 + 1e-9) {
        reasons.add("common_name", -std::log(c.crowd), [&] {
            return std::to_string(c.sharing) + " known people fit the name as well or better";
        });
    }
    // Named by id in the same record (or its episode), or else linked by
    // records to someone this record names. The weight is the likelihood
    // ratio q / ((1 - q) r): q how often the person a mention stands for is
    // so placed, r how often anyone of their kind is (the share of them named
    // in the record, or linked to it). Not both: the record's own links are
    // among the links.
    const auto context_weight = [&](double q, std::size_t placed) {
        const double r = static_cast<double>(std::max<std::size_t>(placed, 1)) /
                         static_cast<double>(std::max<std::size_t>(x.kind_count[slot], 1));
        return std::clamp(std::log(q / ((1.0 - q) * r)), 0.0, weights.max_context);
    };
    if (std::binary_search(p.context.begin(), p.context.end(), c.person)) {
        reasons.add("in_record", context_weight(weights.in_record_rate, p.context_kind[slot]),
                    [&] { return "the record names " + person.id + " by id"; });
    } else if (std::binary_search(p.linked.begin(), p.linked.end(), c.person)) {
        reasons.add("linked", context_weight(weights.linked_rate, p.linked_kind[slot]), [&] {
            for (const std::uint32_t other : p.context) {
                if (std::binary_search(x.links[other].begin(), x.links[other].end(), c.person)) {
                    return "other records link " + person.id + " to " + x.ids[other];
                }
            }
            return "other records link " + person.id + " to the record's people";
        });
    }
    const auto dates = [&](const char* how) {
        return "dates of birth " + m::format_date(*mention.dob) + " and " +
               m::format_date(*person.dob) + how;
    };
    switch (compare_dob(mention.dob, person.dob)) {
    case DobAgreement::same:
        reasons.add("dob_same", weights.dob_same,
                    [&] { return "date of birth " + m::format_date(*person.dob); });
        break;
    case DobAgreement::transposed:
        reasons.add("dob_transposed", weights.dob_transposed,
                    [&] { return dates(" differ by swapped digits"); });
        break;
    case DobAgreement::near:
        reasons.add("dob_near", weights.dob_near, [&] { return dates(" within a year"); });
        break;
    case DobAgreement::different:
        reasons.add("dob_different", weights.dob_different, [&] { return dates(" differ"); });
        break;
    case DobAgreement::unknown:
        break;
    }
    if (sexes_known(mention.sex, person.sex)) {
        if (*mention.sex == *person.sex) {
            reasons.add("sex_same", weights.sex_same, [] { return std::string("the same sex"); });
        } else {
            reasons.add("sex_different", weights.sex_different, [&] {
                return "written as " + std::string(m::to_code(*mention.sex)) + ", known as " +
                       std::string(m::to_code(*person.sex));
            });
        }
    }
    return weights.bias + reasons.total();
}

} // namespace

Resolver::Resolver(std::span<const KnownPerson> people,
                   const std::unordered_map<std::string, std::vector<std::string>>& links,
                   std::span<const Override> overrides, ResolutionParams params)
    : m_params(params) {
    const auto fail = [](const std::string& what) {
        throw InputError("entity resolution: " + what);
    };
    if (!(params.merge_threshold > 0 && params.merge_threshold <= 1)) {
        fail("merge_threshold must be above 0 and at most 1, got " +
             general(params.merge_threshold));
    }
    if (!(params.possible_threshold >= 0 && params.possible_threshold <= 1)) {
        fail("possible_threshold must be from 0 to 1, got " + general(params.possible_threshold));
    }
    if (params.max_possible < 0) {
        fail("max_possible must be 0 or more, got " + std::to_string(params.max_possible));
    }
    if (!(params.margin >= 0) || !std::isfinite(params.margin)) {
        fail("margin must be a finite number, 0 or more, got " + general(params.margin));
    }
    if (params.threads < 0) {
        fail("threads must be 0 (one per core) or more, got " + std::to_string(params.threads));
    }
    auto index = std::make_shared<Index>();
    Index& x = *index;
    x.people.reserve(people.size());
    for (const KnownPerson& known : people) {
        if (known.id.empty()) {
            throw InputError("entity resolution: a known person has no id");
        }
        if (x.numbers.contains(known.id)) {
            throw InputError("entity resolution: person " + quoted(known.id) + " is listed twice");
        }
        x.number(known.id);
        Person person;
        person.id = known.id;
        person.kind = known.kind;
        person.dob = known.dob;
        person.sex = known.sex;
        person.full = normalise_name(known.name);
        std::vector<std::string> words = split_words(person.full);
        if (!words.empty()) {
            person.given = make_word(words.front(), *x.nicknames);
        }
        if (words.size() >= 2) {
            person.family = make_word(words.back(), *x.nicknames);
        }
        for (const std::string& alias : known.aliases) {
            std::string normal = normalise_name(alias);
            if (!normal.empty() && normal != person.full &&
                std::find(person.aliases.begin(), person.aliases.end(), normal) ==
                    person.aliases.end()) {
                person.aliases.push_back(std::move(normal));
            }
        }
        ++x.kind_count[kind_slot(person.kind)];
        x.people.push_back(std::move(person));
    }
    // Links, both ways; numbered in sorted order, whatever the map's order.
    std::vector<std::string> link_ids;
    link_ids.reserve(links.size());
    for (const auto& entry : links) {
        link_ids.push_back(entry.first);
    }
    std::sort(link_ids.begin(), link_ids.end());
    for (const std::string& id : link_ids) {
        const std::uint32_t a = x.number(id);
        std::vector<std::string> others = links.at(id);
        std::sort(others.begin(), others.end());
        for (const std::string& other : others) {
            if (other != id) {
                const std::uint32_t b = x.number(other);
                x.links[a].push_back(b);
                x.links[b].push_back(a);
            }
        }
    }
    for (auto& list : x.links) {
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
    }
    // Blocking keys.
    for (std::uint32_t i = 0; i < x.people.size(); ++i) {
        const Person& person = x.people[i];
        std::vector<std::string> keys = name_keys(make_words(person.full, *x.nicknames));
        for (const std::string& alias : person.aliases) {
            keys.push_back("a:" + alias);
            const std::vector<std::string> alias_keys = name_keys(make_words(alias, *x.nicknames));
            keys.insert(keys.end(), alias_keys.begin(), alias_keys.end());
        }
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        for (const std::string& key : keys) {
            x.blocks[key].push_back(i); // ascending: people are visited in order
        }
    }
    // Overrides: every person named must be known; no name is both pinned
    // and split for one person, or pinned to two people, in one scope.
    std::map<std::tuple<std::string, std::string, std::uint32_t>, const Override*> seen;
    std::map<std::pair<std::string, std::string>, const Override*> pins;
    for (const Override& entry : overrides) {
        const auto person = x.find(entry.person_id);
        if (!person || !x.is_person(*person)) {
            throw InputError("overrides: line " + std::to_string(entry.line) + ": person " +
                             quoted(entry.person_id) + " is not known");
        }
        const std::string name = normalise_name(entry.name);
        if (name.empty()) {
            throw InputError("overrides: line " + std::to_string(entry.line) + ": the name " +
                             quoted(entry.name) + " has no letters or digits");
        }
        const auto same = seen.find({entry.record, name, *person});
        if (same != seen.end() && same->second->action != entry.action) {
            throw InputError("overrides: lines " + std::to_string(same->second->line) + " and " +
                             std::to_string(entry.line) + " both pin and split " +
                             quoted(entry.name) + " and " + quoted(entry.person_id));
        }
        seen.emplace(std::make_tuple(entry.record, name, *person), &entry);
        if (entry.action == Override::Action::pin) {
            const auto [it, added] = pins.emplace(std::make_pair(entry.record, name), &entry);
            if (!added && it->second->person_id != entry.person_id) {
                throw InputError("overrides: lines " + std::to_string(it->second->line) + " and " +
                                 std::to_string(entry.line) + " pin " + quoted(entry.name) +
                                 " to two people, " + quoted(it->second->person_id) + " and " +
                                 quoted(entry.person_id));
            }
        }
        x.rules[name].push_back({entry.action, entry.record, *person, entry.note, entry.line});
    }
    m_index = std::move(index);
}

namespace {

/// Resolves one mention; `extra` are people the record names that earlier
/// passes resolved (a CPI's "Kez" once its "Tom Smith" is known).
template <typename Index>
void resolve_one(const Index& x, const ResolutionParams& params, const NameMention& mention,
                 const std::vector<std::uint32_t>& extra, MentionResolution& result) {
    Prepared p;
    p.mention = &mention;
    p.normal = normalise_name(mention.name);
    if (p.normal.empty()) {
        return;
    }

    // The analyst's overrides: a pin decides; a split rules a person out.
    // A rule for this record beats one for every record.
    std::vector<std::uint32_t> ruled_out;
    const typename Index::Rule* pin = nullptr;
    if (const auto it = x.rules.find(p.normal); it != x.rules.end()) {
        for (const typename Index::Rule& rule : it->second) {
            if (rule.action == Override::Action::split &&
                (rule.record.empty() || rule.record == mention.record)) {
                ruled_out.push_back(rule.person);
            }
        }
        for (const bool specific : {true, false}) {
            for (const typename Index::Rule& rule : it->second) {
                const bool applies = specific
                                         ? !rule.record.empty() && rule.record == mention.record
                                         : rule.record.empty();
                if (pin == nullptr && applies && rule.action == Override::Action::pin &&
                    (specific || std::find(ruled_out.begin(), ruled_out.end(), rule.person) ==
                                     ruled_out.end())) {
                    pin = &rule;
                }
            }
        }
    }
    if (pin != nullptr) {
        const Person& person = x.people[pin->person];
        result.outcome = Outcome::merged;
        result.entity = person.id;
        result.overridden = true;
        Match match;
        match.person_id = person.id;
        match.score = 1.0;
        std::string detail =
            "pinned by the analyst (overrides line " + std::to_string(pin->line) + ")";
        if (!pin->note.empty()) {
            detail += ": " + pin->note;
        }
        match.reasons.push_back({"pinned", 0.0, std::move(detail)});
        result.match = std::move(match);
        return;
    }

    // The record's people, and the people other records link them to.
    for (const std::string& id : mention.context) {
        if (const auto n = x.find(id)) {
            p.context.push_back(*n);
        }
    }
    p.context.insert(p.context.end(), extra.begin(), extra.end());
    std::sort(p.context.begin(), p.context.end());
    p.context.erase(std::unique(p.context.begin(), p.context.end()), p.context.end());
    for (const std::uint32_t c : p.context) {
        p.linked.insert(p.linked.end(), x.links[c].begin(), x.links[c].end());
    }
    std::sort(p.linked.begin(), p.linked.end());
    p.linked.erase(std::unique(p.linked.begin(), p.linked.end()), p.linked.end());
    for (const std::uint32_t c : p.context) {
        if (x.is_person(c)) {
            ++p.context_kind[kind_slot(x.people[c].kind)];
        }
    }
    for (const std::uint32_t c : p.linked) {
        if (x.is_person(c)) {
            ++p.linked_kind[kind_slot(x.people[c].kind)];
        }
    }

    // Candidates: everyone sharing a blocking key with the mention.
    p.words = make_words(p.normal, *x.nicknames);
    std::vector<std::string> keys = name_keys(p.words);
    keys.push_back("a:" + p.normal);
    // Each person once: a per-thread stamp says who this mention has found.
    thread_local std::vector<std::uint32_t> stamps;
    thread_local std::uint32_t stamp = 0;
    if (stamps.size() != x.people.size()) {
        stamps.assign(x.people.size(), 0);
        stamp = 0;
    }
    if (++stamp == 0) { // wrapped round: start again
        std::fill(stamps.begin(), stamps.end(), 0);
        stamp = 1;
    }
    std::vector<std::uint32_t> found;
    const auto take = [&](std::uint32_t n) {
        if (stamps[n] != stamp) {
            stamps[n] = stamp;
            found.push_back(n);
        }
    };
    for (const std::string& key : keys) {
        const auto it = x.blocks.find(key);
        if (it == x.blocks.end()) {
            continue;
        }
        const std::vector<std::uint32_t>& block = it->second;
        if (block.size() <= max_block) {
            for (const std::uint32_t n : block) {
                take(n);
            }
            continue;
        }
        for (const auto* near : {&p.context, &p.linked}) {
            for (const std::uint32_t n : *near) {
                if (std::binary_search(block.begin(), block.end(), n)) {
                    take(n);
                }
            }
        }
    }
    std::sort(found.begin(), found.end()); // candidates in the order of the index

    // What the name alone says of each; keep those it fits.
    std::vector<Candidate> candidates;
    for (const std::uint32_t person : found) {
        if (std::find(ruled_out.begin(), ruled_out.end(), person) != ruled_out.end() ||
            x.people[person].id == mention.subject) {
            continue;
        }
        Reasons name(false);
        const NameFit fit = compare_name(p.normal, p.words, x.people[person], name);
        if (fit.any && name.total() > 0) {
            candidates.push_back({person, name.total(), 1, 1.0, fit.lone, 0.0});
        }
    }
    // How many known people of the mention's kind the name fits as well:
    // a lone "Thomas" fits every Thomas, and says little about which.
    std::vector<double> fits;
    for (const Candidate& c : candidates) {
        if (!mention.kind || x.people[c.person].kind == *mention.kind) {
            fits.push_back(c.fit);
        }
    }
    // Each who fits better counts as more than one, by how much likelier
    // the name makes them: n = Σ exp(fit_j - fit) over the fits at least as
    // good (for the best-fitting, simply their number).
    std::sort(fits.begin(), fits.end());
    std::vector<double> above(fits.size() + 1, 0.0); // Σ exp(fit) from each index up
    for (std::size_t i = fits.size(); i-- > 0;) {
        above[i] = above[i + 1] + std::exp(fits[i]);
    }
    for (Candidate& c : candidates) {
        const auto from = static_cast<std::size_t>(
            std::lower_bound(fits.begin(), fits.end(), c.fit - 1e-9) - fits.begin());
        c.sharing = fits.size() - from;
        c.crowd = std::max(1.0, above[from] * std::exp(-c.fit));
        Reasons reasons(false);
        c.total = score(x, p, c, reasons);
    }
    std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
        if (a.total != b.total) {
            return a.total > b.total;
        }
        return x.people[a.person].id < x.people[b.person].id;
    });

    const auto to_match = [&](const Candidate& c) {
        Reasons reasons(true);
        const double total = score(x, p, c, reasons);
        return Match{x.people[c.person].id, logistic(total), reasons.take()};
    };
    if (candidates.empty()) {
        return;
    }
    const Candidate& best = candidates.front();
    const bool clear = candidates.size() == 1 || best.total - candidates[1].total >= params.margin;
    if (logistic(best.total) >= params.merge_threshold && clear) {
        result.outcome = Outcome::merged;
        result.entity = x.people[best.person].id;
        result.match = to_match(best);
        return;
    }
    for (const Candidate& c : candidates) {
        if (static_cast<int>(result.possible.size()) >= params.max_possible ||
            logistic(c.total) < params.possible_threshold) {
            break;
        }
        result.possible.push_back(to_match(c));
    }
    if (!result.possible.empty()) {
        result.outcome = Outcome::possible;
    }
}

} // namespace

std::vector<MentionResolution> Resolver::resolve(std::span<const NameMention> mentions) const {
    const Index& x = *m_index;
    const int threads = thread_count(m_params.threads);
    std::vector<MentionResolution> results(mentions.size());
    std::vector<std::string> normals(mentions.size());
    // Each mention alone: every result depends on its mention only.
    parallel_chunks(threads, mentions.size(), 64, [&](std::size_t begin, std::size_t end) {
        for (std::size_t mi = begin; mi < end; ++mi) {
            normals[mi] = normalise_name(mentions[mi].name);
            resolve_one(x, m_params, mentions[mi], {}, results[mi]);
        }
    });
    // Mentions of one record resolve together: whom a record's other
    // mentions were merged into is context too, as if named by id. Repeated
    // while that merges more (at most three times). Records are independent
    // of each other.
    std::map<std::string, std::vector<std::size_t>> by_record;
    for (std::size_t mi = 0; mi < mentions.size(); ++mi) {
        if (!mentions[mi].record.empty()) {
            by_record[mentions[mi].record].push_back(mi);
        }
    }
    std::vector<const std::vector<std::size_t>*> records;
    for (const auto& entry : by_record) {
        if (entry.second.size() > 1) {
            records.push_back(&entry.second);
        }
    }
    for (int pass = 0; pass < 3; ++pass) {
        std::atomic<bool> merged_more{false};
        parallel_chunks(threads, records.size(), 64, [&](std::size_t begin, std::size_t end) {
            for (std::size_t r = begin; r < end; ++r) {
                const std::vector<std::size_t>& members = *records[r];
                std::vector<std::uint32_t> known;
                for (const std::size_t mi : members) {
                    if (results[mi].outcome == Outcome::merged) {
                        known.push_back(*x.find(results[mi].entity));
                    }
                }
                if (known.empty() || known.size() == members.size()) {
                    continue;
                }
                for (const std::size_t mi : members) {
                    if (results[mi].outcome == Outcome::merged) {
                        continue;
                    }
                    MentionResolution again;
                    resolve_one(x, m_params, mentions[mi], known, again);
                    if (again.outcome == Outcome::merged) {
                        merged_more = true;
                    }
                    results[mi] = std::move(again);
                }
            }
        });
        if (!merged_more) {
            break;
        }
    }

    // New entities for the mentions not merged: one per name and kind,
    // unless something counts against (a different date of birth or sex),
    // when each distinct date of birth and sex is an entity of its own.
    std::map<std::string, std::vector<std::size_t>> groups;
    for (std::size_t mi = 0; mi < mentions.size(); ++mi) {
        if (results[mi].outcome == Outcome::merged) {
            continue;
        }
        if (normals[mi].empty()) {
            results[mi].entity = new_entity_id("mention|" + mentions[mi].key);
            continue;
        }
        groups[kind_word(mentions[mi].kind) + "|" + normals[mi]].push_back(mi);
    }
    for (const auto& [group, members] : groups) {
        bool against = false;
        for (std::size_t i = 0; i < members.size() && !against; ++i) {
            for (std::size_t j = i + 1; j < members.size() && !against; ++j) {
                const NameMention& a = mentions[members[i]];
                const NameMention& b = mentions[members[j]];
                against = compare_dob(a.dob, b.dob) == DobAgreement::different ||
                          (sexes_known(a.sex, b.sex) && *a.sex != *b.sex);
            }
        }
        for (const std::size_t mi : members) {
            const NameMention& mention = mentions[mi];
            std::string signature;
            if (against && (mention.dob || mention.sex)) {
                signature = "|";
                signature += mention.dob ? m::format_date(*mention.dob) : std::string();
                signature += "|";
                signature += mention.sex ? std::string(m::to_code(*mention.sex)) : std::string();
            }
            results[mi].entity = new_entity_id(group + signature);
        }
    }
    return results;
}

} // namespace waymark::graph
