#include "engine/store/audit.hpp"

#include "base/error.hpp"
#include "engine/model/timestamp.hpp"
#include "engine/sha256.hpp"
#include "engine/store/pg.hpp"
#include "engine/store/sqlite.hpp"

#include <nlohmann/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace waymark::store {
namespace {

std::mutex command_line_mutex;
std::optional<std::vector<std::string>> command_line_in_progress;

std::optional<std::vector<std::string>> current_command_line() {
    const std::lock_guard lock(command_line_mutex);
    return command_line_in_progress;
}

// The entry's inputs with the command line in progress added, if any.
std::string with_command_line(const std::string& inputs) {
    const auto command_line = current_command_line();
    if (!command_line) {
        return inputs;
    }
    nlohmann::json document =
        inputs.empty() ? nlohmann::json::object() : nlohmann::json::parse(inputs);
    if (!document.is_object()) {
        throw StoreError("appending to the audit log: the entry's inputs are not a JSON object");
    }
    document["command_line"] = *command_line;
    return document.dump();
}

std::string short_hash(std::string_view hash) {
    return std::string(hash.substr(0, 12));
}

} // namespace

AuditCommandLine::AuditCommandLine(std::vector<std::string> arguments) {
    const std::lock_guard lock(command_line_mutex);
    if (command_line_in_progress) {
        m_previous = std::move(*command_line_in_progress);
        m_had_previous = true;
    }
    command_line_in_progress = std::move(arguments);
}

AuditCommandLine::~AuditCommandLine() {
    const std::lock_guard lock(command_line_mutex);
    if (m_had_previous) {
        command_line_in_progress = std::move(m_previous);
    } else {
        command_line_in_progress.reset();
    }
}

std::string audit_entry_hash(std::string_view prev_hash, std::string_view at,
                             std::string_view command, std::string_view profile,
                             std::string_view inputs, std::string_view outputs) {
    const nlohmann::json chained = nlohmann::json::array(
        {prev_hash, at, command,
         profile.empty() ? nlohmann::json(nullptr) : nlohmann::json(profile), inputs, outputs});
    return sha256_hex(chained.dump());
}

template <class Db>
std::int64_t append_audit_entry(Db& db, const AuditEntry& entry) {
    if (!db.in_transaction()) {
        throw StoreError("appending to the audit log of " + db.path() +
                         ": not inside a transaction (the entry must be committed with what it "
                         "records)");
    }
    // The next seq is the last one's plus one, given explicitly: a sequence
    // (PostgreSQL's identity) would leave a gap after a rolled-back write,
    // which `audit verify` must report as a deleted entry. The caller is the
    // only writer (become_only_writer), so no one else takes it meanwhile.
    typename Db::Statement last(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    const bool any = last.step();
    const std::int64_t seq = any ? last.column_int64(0) + 1 : 1;
    const std::string prev_hash = any ? last.column_text(1) : std::string(audit_first_prev_hash);
    last.reset();
    const std::string at = model::format_timestamp(model::now_utc());
    const std::string inputs = with_command_line(entry.inputs);
    typename Db::Statement insert(db, "INSERT INTO audit_log (seq, at, command, profile, inputs, "
                                      "outputs, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, seq)
        .bind(2, at)
        .bind(3, entry.command)
        .bind_text_or_null(4, entry.profile)
        .bind(5, inputs)
        .bind(6, entry.outputs)
        .bind(7, prev_hash)
        .bind(8,
              audit_entry_hash(prev_hash, at, entry.command, entry.profile, inputs, entry.outputs))
        .run();
    return seq;
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

template <class Db>
void append_import_audit_entry(Db& db, std::int64_t run_id) {
    typename Db::Statement run(db, R"sql(
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

namespace {

constexpr const char* select_entries =
    "SELECT seq, at, command, COALESCE(profile, ''), "
    "COALESCE(inputs, ''), COALESCE(outputs, ''), prev_hash, hash "
    "FROM audit_log";

template <class Row>
AuditLogEntry read_entry(const Row& row) {
    return {row.column_int64(0), row.column_text(1), row.column_text(2), row.column_text(3),
            row.column_text(4),  row.column_text(5), row.column_text(6), row.column_text(7)};
}

std::string entry_range(std::int64_t first, std::int64_t last) {
    return first == last ? "entry " + std::to_string(first)
                         : "entries " + std::to_string(first) + " to " + std::to_string(last);
}

} // namespace

template <class Db>
std::vector<AuditLogEntry> list_audit_entries(const Db& db, std::string_view since) {
    if (!since.empty()) {
        (void)model::parse_date(since); // throws InputError naming the date
    }
    typename Db::Statement query(db, std::string(select_entries) + " WHERE at >= ? ORDER BY seq");
    query.bind(1, since);
    std::vector<AuditLogEntry> entries;
    while (query.step()) {
        entries.push_back(read_entry(query));
    }
    return entries;
}

template <class Db>
AuditVerification verify_audit_chain(const Db& db, std::string_view expected_head) {
    // Which entry each hash belongs to, to tell a moved entry from a forged one.
    std::unordered_map<std::string, std::int64_t> seq_of_hash;
    {
        typename Db::Statement hashes(db, "SELECT seq, hash FROM audit_log");
        while (hashes.step()) {
            seq_of_hash.emplace(hashes.column_text(1), hashes.column_int64(0));
        }
    }

    AuditVerification result;
    result.head_hash = std::string(audit_first_prev_hash);
    const auto fail = [&result](AuditFault fault, std::int64_t seq, std::string problem) {
        result.ok = false;
        result.fault = fault;
        result.bad_seq = seq;
        result.problem = std::move(problem);
        return result;
    };

    typename Db::Statement query(db, std::string(select_entries) + " ORDER BY seq");
    std::int64_t previous_seq = 0;
    std::string previous_hash(audit_first_prev_hash);
    std::string previous_at;
    while (query.step()) {
        const AuditLogEntry entry = read_entry(query);
        const std::string name = "entry " + std::to_string(entry.seq);
        const std::string after = previous_seq == 0 ? std::string("the start of the log")
                                                    : "entry " + std::to_string(previous_seq);
        if (audit_entry_hash(entry.prev_hash, entry.at, entry.command, entry.profile, entry.inputs,
                             entry.outputs) != entry.hash) {
            return fail(AuditFault::changed, entry.seq,
                        name + " has been changed: its hash does not match its contents");
        }
        if (entry.seq != previous_seq + 1) {
            return fail(AuditFault::missing, previous_seq + 1,
                        entry_range(previous_seq + 1, entry.seq - 1) +
                            (entry.seq - previous_seq > 2 ? " are" : " is") +
                            " missing (deleted): " + name + " follows " + after);
        }
        if (entry.prev_hash != previous_hash) {
            const auto chained_to = seq_of_hash.find(entry.prev_hash);
            if (chained_to == seq_of_hash.end()) {
                return fail(AuditFault::unlinked, entry.seq,
                            name + " does not follow " + after +
                                ": the entry it was chained to is not in the log (deleted), or " +
                                name + " was forged");
            }
            const std::int64_t other = chained_to->second;
            return fail(AuditFault::moved, entry.seq,
                        name + " was written after entry " + std::to_string(other) +
                            " but now follows " + after +
                            (other < entry.seq ? ": an entry was inserted before it, or entries "
                                                 "were reordered"
                                               : ": entries were reordered"));
        }
        if (!previous_at.empty() && entry.at < previous_at) {
            return fail(AuditFault::out_of_order, entry.seq,
                        name + " is older than " + after + " (" + entry.at + " before " +
                            previous_at + "): entries were reordered, or the clock was set back");
        }
        previous_seq = entry.seq;
        previous_hash = entry.hash;
        previous_at = entry.at;
        ++result.entries_checked;
    }
    result.head_seq = previous_seq;
    result.head_hash = previous_hash;

    if (!expected_head.empty()) {
        const auto found = seq_of_hash.find(std::string(expected_head));
        if (found == seq_of_hash.end()) {
            return fail(AuditFault::head_missing, 0,
                        "the expected head " + short_hash(expected_head) +
                            "… is not in the log: entries at its end were removed, or the log "
                            "was rewritten");
        }
        result.since_expected_head = result.head_seq - found->second;
    }
    return result;
}

template std::int64_t append_audit_entry(sqlite::Database&, const AuditEntry&);
template std::int64_t append_audit_entry(pg::Connection&, const AuditEntry&);
template void append_import_audit_entry(sqlite::Database&, std::int64_t);
template void append_import_audit_entry(pg::Connection&, std::int64_t);
template std::vector<AuditLogEntry> list_audit_entries(const sqlite::Database&, std::string_view);
template std::vector<AuditLogEntry> list_audit_entries(const pg::Connection&, std::string_view);
template AuditVerification verify_audit_chain(const sqlite::Database&, std::string_view);
template AuditVerification verify_audit_chain(const pg::Connection&, std::string_view);

} // namespace waymark::store
