#pragma once

// The append-only audit log (design/PRIVACY.md): an entry for every import,
// export, report and viewer session — when, what command, which profile,
// which inputs and outputs — each chained to the entry before it by a
// SHA-256 hash, so that an edited, inserted or deleted entry breaks the chain
// (`waymark audit verify`). An entry says what was done, never what the data
// says: no record ids, names, places, free text or messages about rows.

#include "engine/store/sqlite.hpp"

#include <cstdint>
#include <string>
#include <string_view>

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

/// Appends `entry`, stamped with the current time and chained to the last
/// entry, inside the transaction that `db` is in (so that the entry is
/// committed, or rolled back, with what it records). Throws StoreError when
/// `db` is in no transaction. Returns the entry's seq.
std::int64_t append_audit_entry(sqlite::Database& db, const AuditEntry& entry);

/// The operating-system account running Waymark: its user name, or
/// "uid N" when the system knows no name for it.
std::string current_os_user();

/// Appends the entry of import run `run_id`, read from its import_runs row:
/// inputs {user, kind, file, file_sha256, spec}, outputs {import_run,
/// rows_read, rows_imported, rows_updated, rows_unchanged, rows_quarantined,
/// unresolved_locations}. Called by the import's commit, in its transaction.
void append_import_audit_entry(sqlite::Database& db, std::int64_t run_id);

} // namespace waymark::store
