#pragma once

// The append-only audit log (design/PRIVACY.md): an entry for every import,
// export, report and viewer session — when, what command, which profile,
// which inputs and outputs — each chained to the entry before it by a
// SHA-256 hash, so that an edited, inserted or deleted entry breaks the chain
// (`waymark audit verify`). The functions taking a database are defined for
// both backends (sqlite::Database, pg::Connection). An entry says what was done, never what the
// data says: no record ids, names, places, free text or messages about rows.

#include "engine/store/store.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace waymark::store {

struct AuditEntry {
    std::string command; ///< "import", …
    std::string profile; ///< the privacy profile; "" for a command that has none
    std::string inputs;  ///< a JSON object: who, and what was read
    std::string outputs; ///< a JSON object: what was written
};

/// The prev_hash of the first entry: 64 zeros.
inline constexpr std::string_view audit_first_prev_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry's hash: the SHA-256 (hex) of the compact JSON array
/// [prev_hash, at, command, profile, inputs, outputs], each the column's text
/// as stored (profile null when there is none).
std::string audit_entry_hash(std::string_view prev_hash, std::string_view at,
                             std::string_view command, std::string_view profile,
                             std::string_view inputs, std::string_view outputs);

/// The command line of the `waymark` run in progress. While one of these is
/// alive (the CLI keeps one around each run), every entry appended records
/// it in its inputs as "command_line": the arguments as given, the program
/// first. Entries appended outside any (a library call from a test or a
/// tool) have no command_line. Scopes nest; the innermost applies.
class AuditCommandLine {
public:
    explicit AuditCommandLine(std::vector<std::string> arguments);
    ~AuditCommandLine();
    AuditCommandLine(const AuditCommandLine&) = delete;
    AuditCommandLine& operator=(const AuditCommandLine&) = delete;

private:
    std::vector<std::string> m_previous;
    bool m_had_previous = false;
};

/// Appends `entry`, stamped with the current time and chained to the last
/// entry, inside the transaction that `db` is in (so that the entry is
/// committed, or rolled back, with what it records). Throws StoreError when
/// `db` is in no transaction. Returns the entry's seq.
template <class Db>
std::int64_t append_audit_entry(Db& db, const AuditEntry& entry);

/// The operating-system account running Waymark: its user name, or
/// "uid N" when the system knows no name for it.
std::string current_os_user();

/// Appends the entry of import run `run_id`, read from its import_runs row:
/// inputs {user, kind, file, file_sha256, spec}, outputs {import_run,
/// rows_read, rows_imported, rows_updated, rows_unchanged, rows_quarantined,
/// unresolved_locations}. Called by the import's commit, in its transaction.
template <class Db>
void append_import_audit_entry(Db& db, std::int64_t run_id);

/// The entries at or after `since` (a UTC date, YYYY-MM-DD; "" for all), by
/// seq, as stored. Throws InputError for a malformed date.
template <class Db>
std::vector<AuditLogEntry> list_audit_entries(const Db& db, std::string_view since);

/// Walks the log in seq order and stops at the first entry that is wrong:
/// its hash does not match its contents (changed); its seq follows a gap
/// (missing: deleted); its prev_hash names no entry (unlinked: its
/// predecessor was deleted, or it was forged) or an entry other than the one
/// before it (moved: inserted or reordered); it is older than the entry
/// before it (out_of_order). Then, when `expected_head` is not empty, checks
/// that an entry with that hash is still in the log (head_missing: entries at
/// the end were removed, or the log was rewritten and re-chained). Messages
/// name entries by seq and never quote their contents.
template <class Db>
AuditVerification verify_audit_chain(const Db& db, std::string_view expected_head);

} // namespace waymark::store
