#include "engine/store/audit.hpp"

#include "base/error.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/sha256.hpp"

#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace waymark::store {

std::string audit_entry_hash(std::string_view prev_hash, std::string_view at,
                             std::string_view command, std::string_view profile,
                             std::string_view inputs, std::string_view outputs) {
    const nlohmann::json chained = nlohmann::json::array(
        {prev_hash, at, command,
         profile.empty() ? nlohmann::json(nullptr) : nlohmann::json(profile), inputs, outputs});
    return sha256_hex(chained.dump());
}

std::int64_t append_audit_entry(sqlite::Database& db, const AuditEntry& entry) {
    if (!db.in_transaction()) {
        throw StoreError("appending to the audit log of " + db.path() +
                         ": not inside a transaction (the entry must be committed with what it "
                         "records)");
    }
    sqlite::Statement last(db, "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    const std::string prev_hash =
        last.step() ? last.column_text(0) : std::string(audit_first_prev_hash);
    const std::string at = model::format_timestamp(model::now_utc());
    sqlite::Statement insert(db, "INSERT INTO audit_log (at, command, profile, inputs, outputs, "
                                 "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, at)
        .bind(2, entry.command)
        .bind_text_or_null(3, entry.profile)
        .bind(4, entry.inputs)
        .bind(5, entry.outputs)
        .bind(6, prev_hash)
        .bind(7, audit_entry_hash(prev_hash, at, entry.command, entry.profile, entry.inputs,
                                  entry.outputs))
        .run();
    return db.last_insert_rowid();
}

std::string current_os_user() {
    const uid_t uid = geteuid();
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(static_cast<std::size_t>(size > 0 ? size : 16384));
    passwd entry{};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_name != nullptr && found->pw_name[0] != '\0') {
        return found->pw_name;
    }
    return "uid " + std::to_string(uid);
}

void append_import_audit_entry(sqlite::Database& db, std::int64_t run_id) {
    sqlite::Statement run(db, R"sql(
        SELECT kind, file, file_sha256, spec, rows_read, rows_imported, rows_updated,
               rows_unchanged, rows_quarantined, unresolved_locations
        FROM import_runs WHERE import_run_id = ?)sql");
    run.bind(1, run_id);
    if (!run.step()) {
        throw StoreError("auditing import run " + std::to_string(run_id) + " in " + db.path() +
                         ": no such run");
    }
    const auto optional_text = [&](int column) {
        const auto text = run.column_optional_text(column);
        return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
    };
    // What was done, never what the records say (design/PRIVACY.md).
    const nlohmann::json inputs = {{"user", current_os_user()},
                                   {"kind", run.column_text(0)},
                                   {"file", run.column_text(1)},
                                   {"file_sha256", optional_text(2)},
                                   {"spec", optional_text(3)}};
    const nlohmann::json outputs = {{"import_run", run_id},
                                    {"rows_read", run.column_int64(4)},
                                    {"rows_imported", run.column_int64(5)},
                                    {"rows_updated", run.column_int64(6)},
                                    {"rows_unchanged", run.column_int64(7)},
                                    {"rows_quarantined", run.column_int64(8)},
                                    {"unresolved_locations", run.column_int64(9)}};
    append_audit_entry(db, {"import", "", inputs.dump(), outputs.dump()});
}

} // namespace waymark::store
