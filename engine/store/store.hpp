#pragma once

// The store behind an interface: callers see Store, never SQLite, so that a
// PostGIS backend can be added without touching them. `waymark init` calls
// create_or_upgrade_store(); every other command calls open_store().

#include "engine/model/cpi_report.hpp"
#include "engine/model/episode.hpp"
#include "engine/model/gazetteer.hpp"
#include "engine/model/person.hpp"
#include "engine/model/return_interview.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace waymark::store {

/// What the store holds, for `waymark status`.
struct ImportRunSummary {
    std::int64_t id = 0;
    std::string kind;
    std::string file;
    std::string started_at;
    std::optional<std::string> finished_at;
    std::int64_t rows_imported = 0;
    std::int64_t rows_quarantined = 0;
    std::int64_t unresolved_locations = 0;
    std::int64_t rows_updated = 0;
    std::int64_t rows_unchanged = 0;
};

struct StoreStatus {
    std::string backend;  ///< "SpatiaLite"
    std::string location; ///< the file path (or URL for a server backend)
    int schema_version = 0;
    int working_crs = 0;
    std::string created_at;

    std::int64_t children = 0;
    std::int64_t episodes = 0;
    std::int64_t open_episodes = 0; ///< not yet returned
    std::int64_t rhis = 0;
    std::int64_t cpis = 0;
    std::int64_t persons = 0;
    std::int64_t places = 0; ///< gazetteer entries
    std::int64_t locations = 0;
    std::int64_t unresolved_locations = 0;
    std::int64_t quarantined_rows = 0;
    std::int64_t import_runs = 0;
    std::int64_t audit_entries = 0;
    std::optional<std::string> first_reported_at;
    std::optional<std::string> last_reported_at;
    std::vector<ImportRunSummary> last_imports; ///< newest first, at most five
};

/// Describes one import, recorded in import_runs.
struct ImportRunInfo {
    std::string kind;        ///< episodes, rhi, cpi, persons, gazetteer
    std::string file;        ///< as given by the user
    std::string file_sha256; ///< of the bytes read
    std::string spec;        ///< the import specification's path, if any
    /// A rough count of the records the file holds (0: unknown). A large
    /// import into a table that holds fewer rows may build that table's
    /// secondary indexes once at the end instead of row by row.
    std::int64_t expected_records = 0;
};

/// The import's totals, written when it commits.
struct ImportTotals {
    std::int64_t rows_read = 0;
    std::int64_t rows_imported = 0; ///< new records
    std::int64_t rows_updated = 0;
    std::int64_t rows_unchanged = 0;
    std::int64_t rows_quarantined = 0;
    std::int64_t unresolved_locations = 0;
    std::string report_json{}; ///< the import report, kept with the run
};

/// What add() did with a record.
enum class AddResult {
    inserted,  ///< a new record
    updated,   ///< a record with this id was stored with other content: replaced
    unchanged, ///< a record with this id and the same content was stored
    refused,   ///< a record with this id was stored and no content hash was given
};

/// All writes of one import, in one transaction (the store's only writer
/// while it lives). Destroying it without commit() rolls everything back,
/// the import run included: the store is either before or after an import,
/// never between.
///
/// Each add() takes a hash of the record's source content. A record whose id
/// is already stored is left alone when the hash is the same, replaced when it
/// differs (the changed fields are recorded in import_changes), and refused
/// when the hash is 0. Locations are stored as given, with their resolved
/// point (working CRS) when the importer resolved them.
class ImportWriter {
public:
    virtual ~ImportWriter() = default;

    virtual std::int64_t run_id() const = 0;

    /// Whether this import already added a record of `kind` (episodes, rhi,
    /// cpi, persons, gazetteer) with this id, whatever add() made of it: a
    /// second row with the id in one file is a duplicate. Answered from the
    /// store, not from memory kept per record.
    virtual bool added_earlier(std::string_view kind, const std::string& id) = 0;

    /// `point` is the entry's position in the working CRS.
    virtual AddResult add(const model::GazetteerEntry& entry, const model::Point& point,
                          std::uint64_t content_hash = 0) = 0;
    virtual AddResult add(const model::Person& person, std::uint64_t content_hash = 0) = 0;
    virtual AddResult add(const model::Episode& episode, std::uint64_t content_hash = 0) = 0;
    virtual AddResult add(const model::ReturnInterview& interview,
                          std::uint64_t content_hash = 0) = 0;
    virtual AddResult add(const model::CpiReport& report, std::uint64_t content_hash = 0) = 0;
    /// The fields that differed, for the last add() that returned `updated`.
    virtual const std::vector<std::string>& last_changes() const = 0;
    /// Keeps a row that could not be used, with its line and the reason.
    virtual void quarantine(std::int64_t line, std::string_view reason, std::string_view raw) = 0;
    /// Records a warning about a row that was imported (line 0: the file).
    virtual void warning(std::int64_t line, std::string_view code, std::string_view message) = 0;

    virtual void commit(const ImportTotals& totals) = 0;
};

/// A located incident for the hotspot engine: one location a record puts a
/// child at, with what the filters need. `role` says which location:
///   from    an episode's missing-from location;
///   found   an episode's found location;
///   visited an RHI place the child went to, slept at or met someone at;
///   concern an RHI place or location of concern, or a CPI form's locations.
/// Only resolved locations (with a point) are given.
struct Incident {
    std::string role;
    std::string record_id;  ///< episode_id, rhi_id or cpi_id
    std::string episode_id; ///< the episode it belongs to, if any
    std::string child_id;   ///< "" when the record names no child (most CPI forms)
    std::int64_t location_id = 0;
    model::Point point;      ///< working CRS
    std::string place_key;   ///< the gazetteer place it resolved to, if any
    std::string place_label; ///< the gazetteer label, or the location's own label
    std::string at; ///< UTC: missing from (last seen, else reported), found (returned), RHI/CPI
                    ///< (the episode's, else the record's own date)
    // From the episode (absent for records without one).
    std::string setting;
    std::optional<bool> looked_after;
    std::string risk_grade;
    std::optional<int> age; ///< as recorded, else from the date of birth at `at`
    bool cse = false;       ///< the episode's or the RHI's indicator
    bool cce = false;
    // What the profile stage (engine/profile_stage.hpp) needs.
    std::string place_type;  ///< the gazetteer place's type, else the location's own
    bool restricted = false; ///< a restricted gazetteer place
    /// RHI places: the RHI's consent to share (nullopt: not recorded, or not an RHI).
    std::optional<bool> consent_to_share;
    bool sensitive_disclosure = false; ///< RHI places: the RHI records a sensitive disclosure
    /// The child has an episode with the trafficking or UASC indicator, or an
    /// RHI with an NRM referral: their locations never go below area level
    /// outside the analyst profile (PRIVACY.md).
    bool protected_child = false;
};

/// A location as the network sees it (issue 6): the place it is, if any.
struct EvidenceLocation {
    std::optional<model::Point> point; ///< working CRS; empty while unresolved
    std::string place_key;             ///< the gazetteer place it resolved to, if any
    std::string label;                 ///< the gazetteer label, else the location's own
    std::string type;                  ///< place type: the gazetteer's, else as given
    std::string postcode;              ///< as given
    bool restricted = false;           ///< a restricted gazetteer place (PRIVACY.md)
};

/// An episode's facts the network needs.
struct EpisodeEvidence {
    std::string episode_id;
    std::string child_id;
    std::string start;      ///< UTC: last seen, else reported
    std::string end;        ///< UTC: returned; "" while still missing
    std::int64_t from = 0;  ///< location id
    std::int64_t found = 0; ///< location id; 0: not recorded
    std::vector<std::string> missing_with;
    std::string risk_grade;
    bool cse = false;
    bool cce = false;
};

/// A person object of an RHI, with its place in the record.
struct RhiPersonEvidence {
    std::string part; ///< with, people_of_concern, young_people_of_concern
    int index = 0;    ///< position in that array of the record
    model::PersonMention person;
};

struct RhiPlaceEvidence {
    std::string part; ///< places, locations_of_concern
    std::string role; ///< places[].role: went_to, slept, met, found, concern ("" if not given)
    std::int64_t location = 0;
    std::vector<std::string> with; ///< places[].with: person ids
};

/// An RHI's people and places. Free text (notes) is never read for it.
struct RhiEvidence {
    std::string rhi_id;
    std::string episode_id;
    std::string child_id;
    std::string at; ///< UTC: conducted, else offered, else referred
    std::string outcome;
    std::optional<bool> consent_to_share;
    bool sensitive_disclosure = false;
    std::vector<RhiPersonEvidence> people; ///< by part, then position
    std::vector<RhiPlaceEvidence> places;
};

/// A CPI form's subjects, vehicles, places and grading. The source-restricted
/// blocks and the free text are never read for it (PRIVACY.md).
struct CpiEvidence {
    std::string cpi_id;
    std::string at;                          ///< the information date, else the date received (UTC)
    std::string grade_source;                ///< "1", "2", "3" or ""
    std::string grade_intelligence;          ///< "A".."E" or ""
    std::string grade_handling;              ///< "P", "C" or ""
    std::int64_t location = 0;               ///< 0: none
    std::vector<model::CpiSubject> subjects; ///< in form order
    std::vector<model::Vehicle> vehicles;
    std::vector<std::int64_t> places;
};

/// Everything the peer network is built from, in stable order (by id).
struct NetworkEvidence {
    std::vector<model::Person> persons; ///< the person index
    /// Children known from episodes: id → date of birth and sex, if known.
    std::unordered_map<std::string,
                       std::pair<std::optional<model::Date>, std::optional<model::Sex>>>
        children;
    std::unordered_map<std::int64_t, EvidenceLocation> locations; ///< those referenced below
    std::vector<EpisodeEvidence> episodes;
    std::vector<RhiEvidence> rhis;
    std::vector<CpiEvidence> cpis;
    /// Children with a trafficking or UASC indicator or an NRM referral
    /// (store::Incident::protected_child).
    std::unordered_set<std::string> protected_children;
};

/// What the triggers and the panel pack count (issue 9): every episode and
/// RHI with its structured fields. Locations, people, places and free text
/// are not read: Episode::from and ::found, ReturnInterview::places, ::with,
/// ::people_of_concern, ::young_people_of_concern, ::locations_of_concern,
/// ::notes and both records' `extra` are left empty (the hotspot engine and
/// the network read locations and people, and free text never leaves the
/// store for a count).
struct CaseRecords {
    std::vector<model::Episode> episodes;     ///< by child, then reported time, then id
    std::vector<model::ReturnInterview> rhis; ///< by rhi_id
};

/// One run of an analysis (hotspots, network, ...), kept in analysis_runs
/// with an audit entry in the same transaction.
struct AnalysisRecord {
    std::string command;    ///< "hotspots"
    std::string profile;    ///< the privacy profile the outputs went through
    std::string started_at; ///< UTC
    std::string parameters; ///< JSON object: everything needed to reproduce it
    std::string outputs;    ///< JSON object: files written with their SHA-256
};

/// One entry of the audit log (engine/store/audit.hpp) as stored: what was
/// done, never what the records say.
struct AuditLogEntry {
    std::int64_t seq = 0;
    std::string at;      ///< UTC, YYYY-MM-DDTHH:MM:SSZ
    std::string command; ///< "import", "hotspots", …
    std::string profile; ///< "" for a command that has none
    std::string inputs;  ///< JSON object: user, command_line, what was read
    std::string outputs; ///< JSON object: what was written, with SHA-256
    std::string prev_hash;
    std::string hash;
};

/// What is wrong with the audit log, first problem found (in seq order).
enum class AuditFault {
    none,
    changed,      ///< an entry's hash does not match its contents
    missing,      ///< a gap in seq: the entry was deleted
    unlinked,     ///< an entry's prev_hash names no entry: its predecessor was deleted, or it was
                  ///< forged
    moved,        ///< an entry's prev_hash names another entry than the one before it: entries
                  ///< were inserted or reordered
    out_of_order, ///< an entry is older than the one before it
    head_missing, ///< the head hash the operator recorded is not in the log (--expect-head)
};

/// The result of checking the audit log's hash chain.
struct AuditVerification {
    bool ok = true;
    std::int64_t entries_checked = 0;
    std::int64_t head_seq = 0; ///< the last entry's seq (0: the log is empty)
    std::string head_hash;     ///< the last entry's hash (64 zeros: the log is empty)
    AuditFault fault = AuditFault::none;
    std::int64_t bad_seq = 0;             ///< the first entry found wrong (0 with head_missing)
    std::string problem;                  ///< one sentence naming the entry and what is wrong
    std::int64_t since_expected_head = 0; ///< entries after the expected head, when it was found
};

class Store {
public:
    virtual ~Store() = default;

    virtual int schema_version() const = 0;
    /// The EPSG code of the CRS in which geometries are stored.
    virtual int working_crs() const = 0;
    /// The deployment's pseudonymisation key (32 bytes). It never leaves the
    /// store: no writer may put it into an output (PRIVACY.md).
    virtual std::vector<unsigned char> pseudonym_key() const = 0;
    virtual StoreStatus status() const = 0;

    /// Calls `visit` for every gazetteer entry with its point in the working CRS.
    virtual void for_each_place(const std::function<void(const model::GazetteerEntry&,
                                                         const model::Point&)>& visit) const = 0;
    /// Every stored episode's return time (empty while the child is missing).
    virtual std::unordered_map<std::string, std::optional<model::Timestamp>>
    episode_returns() const = 0;

    /// Calls `visit` for every resolved incident of every role, in a stable
    /// order (role, then record id, then location).
    virtual void for_each_incident(const std::function<void(const Incident&)>& visit) const = 0;

    /// What the peer network is built from (engine/network.hpp).
    virtual NetworkEvidence network_evidence() const = 0;

    /// Every episode and RHI for counting (CaseRecords).
    virtual CaseRecords case_records() const = 0;

    /// Keeps an analysis run and its audit entry; returns the run's id.
    /// Throws StoreError if the store was opened read-only.
    virtual std::int64_t record_analysis(const AnalysisRecord& record) = 0;

    /// Starts an import. Throws StoreError if the store was opened read-only.
    virtual std::unique_ptr<ImportWriter> begin_import(const ImportRunInfo& info) = 0;

    /// The audit log's entries at or after `since` (a UTC date YYYY-MM-DD; ""
    /// for all), by seq. A backend that keeps no audit log throws StoreError.
    virtual std::vector<AuditLogEntry> audit_log(const std::string& since) const;
    /// Checks the audit log's hash chain entry by entry and, when
    /// `expected_head` is not empty, that the log still holds the entry with
    /// that hash (an earlier `waymark audit verify` printed it). A backend
    /// that keeps no audit log throws StoreError.
    virtual AuditVerification verify_audit_log(const std::string& expected_head) const;
};

enum class Access { read, write };

/// Opens an existing store at its current schema version. Throws StoreError
/// if it does not exist ("run 'waymark init'"), needs upgrading, or is newer
/// than this build; throws UsageError for a location of an unknown kind.
std::unique_ptr<Store> open_store(const std::string& location, Access access);

struct InitResult {
    bool created = false; ///< a new store was made
    int from_version = 0; ///< 0 for a new store
    int to_version = 0;
    int working_crs = 0;
    std::vector<std::string> applied; ///< summaries of the migrations applied
};

/// Creates the store with the current schema and a new pseudonymisation key,
/// or upgrades an existing one (never touching its key). All in one
/// transaction: on failure the store is as it was. `working_crs` must match
/// an existing store's.
InitResult create_or_upgrade_store(const std::string& location, int working_crs);

} // namespace waymark::store
