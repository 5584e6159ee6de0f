// waymark audit: the audit log (design/PRIVACY.md, docs/audit.md). `list`
// shows the entries, `verify` checks their hash chain. Both open the store
// read-only.

#include "base/error.hpp"
#include "engine/cli/command.hpp"
#include "engine/cli/options.hpp"
#include "engine/store/pg.hpp"
#include "engine/store/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace waymark::cli {
namespace {

using nlohmann::json;

// Checksums are shown to this many hex digits in the table; --json and the
// store keep them whole.
constexpr std::size_t short_hash_digits = 12;
// Files named per entry in the table; the rest are counted.
constexpr std::size_t files_shown = 4;

struct AuditOptions {
    std::string since;         ///< list --since
    bool json = false;         ///< list/verify --json
    std::string expected_head; ///< verify --expect-head
};

std::string abbreviated(const std::string& hash) {
    return hash.size() > short_hash_digits ? hash.substr(0, short_hash_digits) : hash;
}

// inputs and outputs are JSON objects as written by Waymark; anything else
// (an entry written by hand) is shown as it is.
json parsed(const std::string& text) {
    if (text.empty()) {
        return json::object();
    }
    json document = json::parse(text, nullptr, false);
    return document.is_discarded() ? json(text) : document;
}

std::string text_of(const json& document, const char* key) {
    if (!document.is_object() || !document.contains(key)) {
        return "";
    }
    const json& value = document[key];
    return value.is_string() ? value.get<std::string>() : value.is_null() ? "" : value.dump();
}

// An argument as a shell would need it to be typed.
std::string shell_quoted(const std::string& argument) {
    const bool plain =
        !argument.empty() && std::all_of(argument.begin(), argument.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                   std::string_view("-_./=:,@+%").find(c) != std::string_view::npos;
        });
    if (plain) {
        return argument;
    }
    std::string quoted = "'";
    for (char c : argument) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

std::string command_line_text(const json& inputs) {
    if (!inputs.is_object() || !inputs.contains("command_line") ||
        !inputs["command_line"].is_array()) {
        return "";
    }
    std::string text;
    for (const json& argument : inputs["command_line"]) {
        if (!text.empty()) {
            text += ' ';
        }
        text += shell_quoted(argument.is_string() ? argument.get<std::string>() : argument.dump());
    }
    return text;
}

// "read episodes.csv (sha256 1a2b3c4d5e6f) -> import run 2: 200 rows read, …"
std::string import_summary(const json& inputs, const json& outputs) {
    std::ostringstream text;
    text << "read " << text_of(inputs, "kind") << ' ' << text_of(inputs, "file");
    if (const std::string sha = text_of(inputs, "file_sha256"); !sha.empty()) {
        text << " (sha256 " << abbreviated(sha) << ')';
    }
    if (const std::string spec = text_of(inputs, "spec"); !spec.empty()) {
        text << " with spec " << spec;
    }
    text << " -> import run " << text_of(outputs, "import_run") << ": "
         << text_of(outputs, "rows_read") << " rows read, " << text_of(outputs, "rows_imported")
         << " new, " << text_of(outputs, "rows_updated") << " updated, "
         << text_of(outputs, "rows_unchanged") << " unchanged, "
         << text_of(outputs, "rows_quarantined") << " quarantined";
    return text.str();
}

// "copied from old.db: 27 tables, 412,345 rows"
std::string migrate_summary(const json& inputs, const json& outputs) {
    std::ostringstream text;
    text << "copied from " << text_of(inputs, "from");
    if (outputs.is_object() && outputs.contains("tables") && outputs["tables"].is_object()) {
        std::int64_t rows = 0;
        for (const auto& [table, count] : outputs["tables"].items()) {
            rows += count.is_number_integer() ? count.get<std::int64_t>() : 0;
        }
        text << ": " << outputs["tables"].size() << " tables, " << rows << " rows";
    }
    return text.str();
}

// "analysis run 3 wrote 12 files: hotspots.json 9f8e7d6c5b4a, …, and 8 more"
std::string analysis_summary(const json& outputs) {
    std::ostringstream text;
    text << "analysis run " << text_of(outputs, "analysis_run");
    const json files = outputs.is_object() && outputs.contains("files") ? outputs["files"] : json();
    if (files.is_object() && files.contains("session")) { // serve
        text << ": session " << text_of(files, "session");
        if (files.contains("requests") && files["requests"].is_object()) {
            std::int64_t total = 0;
            std::string kinds;
            for (const auto& [what, count] : files["requests"].items()) {
                total += count.is_number_integer() ? count.get<std::int64_t>() : 0;
                kinds += (kinds.empty() ? "" : ", ") + what + ' ' + count.dump();
            }
            text << ", " << total << " viewer requests"
                 << (kinds.empty() ? "" : " (" + kinds + ")");
        }
        return text.str();
    }
    if (!files.is_object()) {
        return text.str();
    }
    text << " wrote " << files.size() << (files.size() == 1 ? " file" : " files");
    std::size_t shown = 0;
    for (const auto& [name, sha] : files.items()) {
        if (shown == files_shown) {
            break;
        }
        text << (shown == 0 ? ": " : ", ") << name << ' '
             << abbreviated(sha.is_string() ? sha.get<std::string>() : sha.dump());
        ++shown;
    }
    if (files.size() > shown) {
        text << ", and " << files.size() - shown << " more";
    }
    return text.str();
}

void write_table(const std::vector<store::AuditLogEntry>& entries, std::ostream& out) {
    if (entries.empty()) {
        out << "No audit entries.\n";
        return;
    }
    const auto columns = [&out](const auto& seq, const auto& at, const auto& command,
                                const auto& profile, const auto& user) {
        out << std::right << std::setw(6) << seq << "  " << std::left << std::setw(22) << at
            << std::setw(10) << command << std::setw(13) << profile << user << '\n';
    };
    columns("SEQ", "TIME (UTC)", "COMMAND", "PROFILE", "USER");
    for (const store::AuditLogEntry& entry : entries) {
        const json inputs = parsed(entry.inputs);
        const json outputs = parsed(entry.outputs);
        const std::string user = text_of(inputs, "user");
        columns(entry.seq, entry.at, entry.command, entry.profile.empty() ? "-" : entry.profile,
                user.empty() ? "-" : user);
        const std::string indent(8, ' ');
        if (const std::string line = command_line_text(inputs); !line.empty()) {
            out << indent << "$ " << line << '\n';
        }
        out << indent
            << (entry.command == "import"    ? import_summary(inputs, outputs)
                : entry.command == "migrate" ? migrate_summary(inputs, outputs)
                                             : analysis_summary(outputs))
            << '\n';
    }
}

void write_json(const std::vector<store::AuditLogEntry>& entries, std::ostream& out) {
    json list = json::array();
    for (const store::AuditLogEntry& entry : entries) {
        list.push_back({{"seq", entry.seq},
                        {"at", entry.at},
                        {"command", entry.command},
                        {"profile", entry.profile.empty() ? json(nullptr) : json(entry.profile)},
                        {"inputs", parsed(entry.inputs)},
                        {"outputs", parsed(entry.outputs)},
                        {"prev_hash", entry.prev_hash},
                        {"hash", entry.hash}});
    }
    out << list.dump(2) << '\n';
}

const char* fault_name(store::AuditFault fault) {
    switch (fault) {
    case store::AuditFault::none:
        return "none";
    case store::AuditFault::changed:
        return "changed";
    case store::AuditFault::missing:
        return "missing";
    case store::AuditFault::unlinked:
        return "unlinked";
    case store::AuditFault::moved:
        return "moved";
    case store::AuditFault::out_of_order:
        return "out_of_order";
    case store::AuditFault::head_missing:
        return "head_missing";
    }
    return "unknown";
}

bool is_sha256_hex(const std::string& text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

class AuditCommand final : public Command {
public:
    AuditOptions options;
    CLI::App* list = nullptr;
    CLI::App* verify = nullptr;

    void run(const Context& context) override {
        if (list->parsed()) {
            run_list(context);
        } else if (verify->parsed()) {
            run_verify(context);
        }
    }

private:
    void run_list(const Context& context) const {
        const std::string since = checked_date(options.since, "--since");
        const auto store = store::open_store(context.options.db, store::Access::read);
        const auto entries = store->audit_log(since);
        if (options.json) {
            write_json(entries, context.out);
        } else {
            write_table(entries, context.out);
        }
    }

    void run_verify(const Context& context) const {
        if (!options.expected_head.empty() && !is_sha256_hex(options.expected_head)) {
            throw UsageError("--expect-head: '" + options.expected_head +
                             "' is not a SHA-256 hash (64 lower-case hex digits)");
        }
        const auto store = store::open_store(context.options.db, store::Access::read);
        const store::AuditVerification result = store->verify_audit_log(options.expected_head);
        if (options.json) {
            context.out << json{{"ok", result.ok},
                                {"entries_checked", result.entries_checked},
                                {"head_seq", result.ok ? json(result.head_seq) : json(nullptr)},
                                {"head_hash", result.ok ? json(result.head_hash) : json(nullptr)},
                                {"fault", fault_name(result.fault)},
                                {"bad_seq",
                                 result.bad_seq == 0 ? json(nullptr) : json(result.bad_seq)},
                                {"problem", result.problem}}
                               .dump(2)
                        << '\n';
        }
        if (!result.ok) {
            std::string intact;
            if (result.fault != store::AuditFault::head_missing && result.entries_checked > 0) {
                intact = result.entries_checked == 1
                             ? " (the entry before it is intact)"
                             : " (the " + std::to_string(result.entries_checked) +
                                   " entries before it are intact)";
            }
            throw StoreError("audit log of " + pg::without_password(context.options.db) +
                             " is broken: " + result.problem + intact);
        }
        if (options.json) {
            return;
        }
        context.out << "audit log intact: " << result.entries_checked
                    << (result.entries_checked == 1 ? " entry" : " entries") << ", chain head "
                    << result.head_hash << '\n';
        if (!options.expected_head.empty()) {
            context.out << "the expected head is entry "
                        << result.head_seq - result.since_expected_head << "; "
                        << result.since_expected_head
                        << (result.since_expected_head == 1 ? " entry was" : " entries were")
                        << " added after it\n";
        }
    }
};

} // namespace

std::unique_ptr<Command> make_audit_command(CLI::App& sub) {
    auto command = std::make_unique<AuditCommand>();
    auto& o = command->options;
    sub.require_subcommand(1);

    command->list = sub.add_subcommand("list", "The entries, oldest first");
    command->list
        ->add_option("--since", o.since, "Only entries on or after this date (UTC, YYYY-MM-DD)")
        ->type_name("DATE");
    command->list->add_flag("--json", o.json,
                            "Write the entries as JSON (inputs, outputs and hashes in full)");

    command->verify = sub.add_subcommand(
        "verify", "Check the hash chain; exit 1 naming the first entry that is wrong");
    command->verify
        ->add_option("--expect-head", o.expected_head,
                     "A chain head printed by an earlier verify and kept elsewhere: also check "
                     "that the log still holds it, so that removing the newest entries is seen")
        ->type_name("HASH");
    command->verify->add_flag("--json", o.json, "Write the result as JSON");
    return command;
}

} // namespace waymark::cli
