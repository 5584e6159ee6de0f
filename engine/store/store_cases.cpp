// SqlStore<Db>::case_records: every episode and RHI with its structured
// fields, for the triggers and the panel pack (store.hpp, CaseRecords). One
// ordered scan per table, joined in memory by id. Never reads locations,
// people, places or free text.

#include "engine/model/codes.hpp"
#include "engine/store/sql_store.hpp"

#include <unordered_map>

namespace waymark::store {
namespace {

namespace m = waymark::model;

template <class Row>
std::optional<m::Timestamp> optional_time(const Row& row, int column) {
    const auto text = row.column_optional_text(column);
    return text ? std::optional(m::parse_timestamp_utc(*text)) : std::nullopt;
}

template <class Row>
std::optional<m::Date> optional_date(const Row& row, int column) {
    const auto text = row.column_optional_text(column);
    return text && text->size() >= 10 ? std::optional(m::parse_date(text->substr(0, 10)))
                                      : std::nullopt;
}

template <class E, class Row>
std::optional<E> optional_code(const Row& row, int column) {
    const auto text = row.column_optional_text(column);
    return text ? m::try_parse_code<E>(*text) : std::nullopt;
}

template <class Row>
std::optional<bool> optional_bool(const Row& row, int column) {
    const auto value = row.column_optional_int64(column);
    return value ? std::optional(*value != 0) : std::nullopt;
}

template <class Row>
std::optional<int> optional_int(const Row& row, int column) {
    const auto value = row.column_optional_int64(column);
    return value ? std::optional(static_cast<int>(*value)) : std::nullopt;
}

template <class Db>
std::vector<m::Episode> read_episodes(const Db& db) {
    std::vector<m::Episode> episodes;
    std::unordered_map<std::string, std::size_t> at;
    typename Db::Statement rows(
        db, "SELECT e.episode_id, e.child_id, e.reported_at, e.last_seen_at, e.returned_at, "
            "COALESCE(e.date_of_birth, c.date_of_birth), e.age, COALESCE(e.sex, c.sex), "
            "e.category, e.setting, e.looked_after, e.placement_area, e.responsible_authority, "
            "e.risk_grade, e.police_ref, e.returned_by, e.safe_and_well, e.cse, e.cce, "
            "e.trafficking, e.uasc "
            "FROM episodes e LEFT JOIN children c ON c.child_id = e.child_id "
            "ORDER BY e.child_id, e.reported_at, e.episode_id");
    while (rows.step()) {
        m::Episode e;
        e.episode_id = rows.column_text(0);
        e.child_id = rows.column_text(1);
        e.reported_at = m::parse_timestamp_utc(rows.column_text(2));
        e.last_seen_at = optional_time(rows, 3);
        e.returned_at = optional_time(rows, 4);
        e.date_of_birth = optional_date(rows, 5);
        e.age = optional_int(rows, 6);
        e.sex = optional_code<m::Sex>(rows, 7);
        e.category =
            optional_code<m::EpisodeCategory>(rows, 8).value_or(m::EpisodeCategory::missing);
        e.setting = optional_code<m::Setting>(rows, 9).value_or(m::Setting::other);
        e.looked_after = optional_bool(rows, 10);
        e.placement_area = optional_code<m::PlacementArea>(rows, 11);
        e.responsible_authority = rows.column_optional_text(12).value_or("");
        e.risk_grade = optional_code<m::RiskGrade>(rows, 13);
        e.police_ref = rows.column_optional_text(14).value_or("");
        e.returned_by = optional_code<m::ReturnedBy>(rows, 15);
        e.safe_and_well = optional_bool(rows, 16);
        e.cse = optional_bool(rows, 17);
        e.cce = optional_bool(rows, 18);
        e.trafficking = optional_bool(rows, 19);
        e.uasc = optional_bool(rows, 20);
        at.emplace(e.episode_id, episodes.size());
        episodes.push_back(std::move(e));
    }
    typename Db::Statement with(
        db, "SELECT episode_id, child_id FROM episode_missing_with ORDER BY episode_id, child_id");
    while (with.step()) {
        episodes[at.at(with.column_text(0))].missing_with.push_back(with.column_text(1));
    }
    return episodes;
}

template <class Db>
std::vector<m::ReturnInterview> read_rhis(const Db& db) {
    std::vector<m::ReturnInterview> rhis;
    std::unordered_map<std::string, std::size_t> at;
    typename Db::Statement rows(
        db, "SELECT rhi_id, episode_id, child_id, referred_at, offered_at, outcome, "
            "decline_reason, conducted_at, mode, independent, consent_to_share, risk_of_repeat, "
            "strategy_meeting_required, cse_indicators, cce_indicators, nrm_referral, "
            "cpi_submitted, sensitive_disclosure FROM rhis ORDER BY rhi_id");
    while (rows.step()) {
        m::ReturnInterview r;
        r.rhi_id = rows.column_text(0);
        r.episode_id = rows.column_optional_text(1).value_or("");
        r.child_id = rows.column_optional_text(2).value_or("");
        r.referred_at = optional_time(rows, 3);
        r.offered_at = optional_time(rows, 4);
        r.outcome = optional_code<m::RhiOutcome>(rows, 5);
        r.decline_reason = rows.column_optional_text(6).value_or("");
        r.conducted_at = optional_time(rows, 7);
        r.mode = optional_code<m::RhiMode>(rows, 8);
        r.independent = optional_bool(rows, 9);
        r.consent_to_share = optional_bool(rows, 10);
        r.risk_of_repeat = optional_code<m::RepeatRisk>(rows, 11);
        r.strategy_meeting_required = optional_bool(rows, 12);
        r.cse_indicators = optional_bool(rows, 13);
        r.cce_indicators = optional_bool(rows, 14);
        r.nrm_referral = optional_bool(rows, 15);
        r.cpi_submitted = optional_bool(rows, 16);
        r.sensitive_disclosure = optional_bool(rows, 17);
        at.emplace(r.rhi_id, rhis.size());
        rhis.push_back(std::move(r));
    }
    typename Db::Statement factors(
        db, "SELECT rhi_id, direction, code FROM rhi_factors ORDER BY rhi_id, direction, code");
    while (factors.step()) {
        auto& r = rhis[at.at(factors.column_text(0))];
        const std::string code = factors.column_text(2);
        if (factors.column_text(1) == "push") {
            if (const auto push = m::try_parse_code<m::PushFactor>(code)) {
                r.push_factors.push_back(*push);
            }
        } else if (const auto pull = m::try_parse_code<m::PullFactor>(code)) {
            r.pull_factors.push_back(*pull);
        }
    }
    typename Db::Statement risks(
        db, "SELECT rhi_id, category, value FROM rhi_high_risk ORDER BY rhi_id, category");
    while (risks.step()) {
        if (const auto category = m::try_parse_code<m::HighRiskCategory>(risks.column_text(1))) {
            rhis[at.at(risks.column_text(0))].high_risk.emplace_back(*category,
                                                                     risks.column_int64(2) != 0);
        }
    }
    return rhis;
}

} // namespace

template <class Db>
CaseRecords SqlStore<Db>::case_records() const {
    return read_snapshot(m_db, [this] {
        return CaseRecords{read_episodes(m_db), read_rhis(m_db)};
    });
}

template CaseRecords SqlStore<sqlite::Database>::case_records() const;
template CaseRecords SqlStore<pg::Connection>::case_records() const;

} // namespace waymark::store
