// Crash safety (issue 10): an import killed at any point leaves the store as
// it was before the import or as it is after it, never between; a full disk, a
// read-only store and a store locked by another process give a clear error
// and leave the store unchanged; two writers at once are serialised. Every
// import here is the real command line in a child process (WAYMARK_CLI_PATH),
// so that it can be killed, limited and run twice at once.
//
// One suite, one process (WHOLE_SUITES in CMakeLists.txt): SetUpTestSuite
// writes a small world and imports its gazetteer, persons and episodes once
// (state A); each case copies that store and imports the RHIs into the copy
// (state B when complete). The kill test prints the figures quoted in
// docs/store.md ("kills survived: N (M mid-transaction)").

#include "base/error.hpp"
#include "data/synth/world.hpp"
#include "data/synth/writer.hpp"
#include "engine/import.hpp"
#include "engine/settings.hpp"
#include "engine/store/audit.hpp"
#include "engine/store/sqlite.hpp"
#include "engine/store/store.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/files.hpp"
#include "tests/support/temp_dir.hpp"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace waymark {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---- Child processes --------------------------------------------------------

struct SpawnOptions {
    std::optional<rlim_t> max_file_size; ///< RLIMIT_FSIZE, with SIGXFSZ ignored
    std::optional<uid_t> user;           ///< run as this user (and its group)
    std::string stderr_file;             ///< where the child's stderr goes
};

/// Starts `waymark args…`; stdout goes to /dev/null.
pid_t spawn_cli(const std::vector<std::string>& args, const SpawnOptions& options) {
    // Everything the child needs is made before fork(): after it, only
    // async-signal-safe calls until exec.
    std::vector<std::string> all{WAYMARK_CLI_PATH};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : all) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        ADD_FAILURE() << "fork: " << std::strerror(errno);
        return pid;
    }
    if (pid == 0) {
        const int out = open("/dev/null", O_WRONLY);
        const int err = open(options.stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
            _exit(126);
        }
        if (options.max_file_size) {
            signal(SIGXFSZ, SIG_IGN); // write() then fails with EFBIG instead
            const rlimit limit{*options.max_file_size, *options.max_file_size};
            if (setrlimit(RLIMIT_FSIZE, &limit) != 0) {
                _exit(126);
            }
        }
        if (options.user && (setgroups(0, nullptr) != 0 || setgid(*options.user) != 0 ||
                             setuid(*options.user) != 0)) {
            _exit(126);
        }
        execv(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

struct Finished {
    int status = 0;
    std::string err;
    bool exited(int code) const { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
};

Finished wait_for(pid_t pid, const SpawnOptions& options) {
    Finished finished;
    while (waitpid(pid, &finished.status, 0) < 0 && errno == EINTR) {
    }
    finished.err = testing::read_file(options.stderr_file);
    return finished;
}

/// Whether `pid` has not exited yet (it is left to be waited for).
bool running(pid_t pid) {
    siginfo_t info{};
    return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == 0;
}

Finished run_cli_process(const std::vector<std::string>& args, const SpawnOptions& options) {
    return wait_for(spawn_cli(args, options), options);
}

// ---- The store's state ------------------------------------------------------

// FNV-1a, 64 bits.
struct Hash {
    std::uint64_t value = 0xcbf29ce484222325ULL;
    void add(const void* data, std::size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) {
            value = (value ^ bytes[i]) * 0x100000001b3ULL;
        }
    }
    void add(std::uint64_t number) { add(&number, sizeof number); }
};

struct Snapshot {
    std::string integrity;        ///< PRAGMA integrity_check: "ok"
    std::uint64_t checksum = 0;   ///< every row of every table but the clocks
    std::int64_t rhis = 0;        ///< for messages
    std::int64_t import_runs = 0; ///< for messages
    std::int64_t audit_entries = 0;
    std::string audit_problem; ///< empty: the hash chain is intact
};

std::ostream& operator<<(std::ostream& out, const Snapshot& s) {
    return out << "{integrity " << s.integrity << ", checksum " << s.checksum << ", rhis " << s.rhis
               << ", import runs " << s.import_runs << ", audit entries " << s.audit_entries
               << (s.audit_problem.empty() ? "" : ", " + s.audit_problem) << "}";
}

// Recomputes the audit log's hash chain (engine/store/audit.hpp).
std::string audit_chain_problem(const sqlite::Database& db) {
    sqlite::Statement entries(db, "SELECT seq, at, command, profile, inputs, outputs, prev_hash, "
                                  "hash FROM audit_log ORDER BY seq");
    std::string prev(store::audit_first_prev_hash);
    while (entries.step()) {
        const std::string seq = std::to_string(entries.column_int64(0));
        if (entries.column_text(6) != prev) {
            return "audit entry " + seq + ": prev_hash is not the previous entry's hash";
        }
        const std::string hash = store::audit_entry_hash(
            prev, entries.column_text(1), entries.column_text(2), entries.column_text(3),
            entries.column_text(4), entries.column_text(5));
        if (entries.column_text(7) != hash) {
            return "audit entry " + seq + ": its hash is not that of its contents";
        }
        prev = hash;
    }
    return "";
}

// Rows whose content is the clock's are hashed without it: a complete import
// run now and one run earlier are the same state. The tables SpatiaLite
// stamps with the time are left out, and its virtual tables are views of
// others (their shadow tables are hashed).
std::string rows_sql(const std::string& table) {
    if (table == "import_runs") {
        return "SELECT import_run_id, kind, file, file_sha256, spec, finished_at IS NULL, "
               "rows_read, rows_imported, rows_quarantined, unresolved_locations, rows_updated, "
               "rows_unchanged FROM import_runs";
    }
    if (table == "audit_log") {
        return "SELECT seq, command, profile, inputs, outputs FROM audit_log";
    }
    return "SELECT * FROM \"" + table + "\"";
}

/// Opens the store as the next command would (recovering a killed one's
/// write-ahead log) and reads its state.
Snapshot snapshot(const std::string& path) {
    Snapshot s;
    auto db = sqlite::Database::open(path, sqlite::OpenMode::read_write);
    {
        sqlite::Statement check(db, "PRAGMA integrity_check");
        while (check.step()) {
            s.integrity += (s.integrity.empty() ? "" : "; ") + check.column_text(0);
        }
    }
    std::vector<std::string> tables;
    {
        sqlite::Statement list(
            db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE "
                "'CREATE VIRTUAL TABLE%' AND name NOT IN ('geometry_columns_time', "
                "'spatialite_history', 'sql_statements_log', 'analysis_runs') ORDER BY name");
        while (list.step()) {
            tables.push_back(list.column_text(0));
        }
    }
    Hash total;
    for (const std::string& table : tables) {
        sqlite::Statement rows(db, rows_sql(table));
        const int columns = sqlite3_column_count(rows.get());
        std::vector<std::uint64_t> row_hashes; // sorted: the order of rows is not content
        while (rows.step()) {
            Hash row;
            for (int c = 0; c < columns; ++c) {
                const int type = sqlite3_column_type(rows.get(), c);
                row.add(static_cast<std::uint64_t>(type));
                const void* data = type == SQLITE_BLOB ? sqlite3_column_blob(rows.get(), c)
                                                       : sqlite3_column_text(rows.get(), c);
                row.add(data, static_cast<std::size_t>(sqlite3_column_bytes(rows.get(), c)));
            }
            row_hashes.push_back(row.value);
        }
        std::sort(row_hashes.begin(), row_hashes.end());
        total.add(table.data(), table.size());
        total.add(row_hashes.size());
        for (const std::uint64_t h : row_hashes) {
            total.add(h);
        }
    }
    s.checksum = total.value;
    s.rhis = sqlite::query_int64(db, "SELECT count(*) FROM rhis");
    s.import_runs = sqlite::query_int64(db, "SELECT count(*) FROM import_runs");
    s.audit_entries = sqlite::query_int64(db, "SELECT count(*) FROM audit_log");
    s.audit_problem = audit_chain_problem(db);
    db.close();
    return s;
}

bool same_state(const Snapshot& a, const Snapshot& b) {
    return a.checksum == b.checksum;
}

std::uintmax_t size_or_zero(const std::string& path) {
    std::error_code error;
    const auto size = fs::file_size(path, error);
    return error ? 0 : size;
}

/// Whether some process holds the store's write lock, asked without waiting:
/// BEGIN IMMEDIATE is refused exactly then.
bool write_lock_held(const std::string& path) {
    sqlite3* db = nullptr;
    bool held = false;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        const int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
        held = (rc & 0xff) == SQLITE_BUSY;
        if (rc == SQLITE_OK) {
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }
    sqlite3_close(db);
    return held;
}

// ---- The suite --------------------------------------------------------------

class CrashSafety : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = std::make_unique<testing::TempDir>();
        const fs::path world = s_dir->path() / "world";
        synth::write_world(synth::build_world({synth::Scale::small, 23}), world);
        s_state_a_store = s_dir->file("state-a.db");
        store::create_or_upgrade_store(s_state_a_store, 27700);
        {
            auto store = store::open_store(s_state_a_store, store::Access::write);
            const AreaSettings area;
            for (const std::string kind : {"gazetteer", "persons", "episodes"}) {
                import_file(*store, area, {kind, world / (kind + ".csv"), {}});
            }
        } // the last connection closes: the log is checkpointed into the file
        s_rhi = (world / "rhi.jsonl").string();
        s_cpi = (world / "cpi.jsonl").string();
    }
    static void TearDownTestSuite() { s_dir.reset(); }

    void SetUp() override {
        m_db = m_dir.file("store.db");
        restore();
        m_state_a = snapshot(m_db);
        ASSERT_EQ(m_state_a.integrity, "ok");
        ASSERT_EQ(m_state_a.rhis, 0);
        restore();
    }

    /// The store back at state A, with no write-ahead log.
    void restore() const {
        for (const char* suffix : {"-wal", "-shm", "-journal"}) {
            fs::remove(m_db + suffix);
        }
        fs::copy_file(s_state_a_store, m_db, fs::copy_options::overwrite_existing);
    }

    std::vector<std::string> import_args(const std::string& kind, const std::string& file) const {
        return {"-q", "--db", m_db, "import", kind, file};
    }
    SpawnOptions options(const std::string& name = "stderr.txt") const {
        SpawnOptions spawn_options;
        spawn_options.stderr_file = m_dir.file(name);
        return spawn_options;
    }
    Finished run_import(const std::string& kind, const std::string& file) const {
        return run_cli_process(import_args(kind, file), options());
    }

    static inline std::unique_ptr<testing::TempDir> s_dir;
    static inline std::string s_state_a_store;
    static inline std::string s_rhi;
    static inline std::string s_cpi;

    testing::TempDir m_dir;
    std::string m_db;
    Snapshot m_state_a;
};

TEST_F(CrashSafety, KilledImportLeavesTheStoreBeforeOrAfterNeverBetween) {
    // State B, and how long a complete import takes from exec to exit: the
    // shorter of two runs, the first having the colder caches.
    std::chrono::microseconds duration{};
    for (int run = 0; run < 2; ++run) {
        restore();
        const auto started = Clock::now();
        const Finished complete = run_import("rhi", s_rhi);
        const auto took =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
        ASSERT_TRUE(complete.exited(0)) << complete.err;
        duration = run == 0 ? took : std::min(duration, took);
    }
    const Snapshot state_b = snapshot(m_db);
    ASSERT_EQ(state_b.integrity, "ok");
    ASSERT_GT(state_b.rhis, 0);
    ASSERT_FALSE(same_state(m_state_a, state_b));
    {
        auto db = sqlite::Database::open(m_db, sqlite::OpenMode::read_only);
        ASSERT_EQ(sqlite::query_int64(db, "SELECT count(*) FROM pragma_journal_mode "
                                          "WHERE journal_mode = 'wal'"),
                  1); // the journal mode the kills are made in
    }

    // Three ways to choose the moment, in turn, from a fixed seed: a delay
    // over the whole run (start-up, reading the store, the rows, COMMIT); a
    // delay over its middle and end; and the moment the write-ahead log has
    // grown past a size, which lands inside COMMIT (the 128 MiB page cache
    // keeps the import's pages in memory until then, so the log stays empty
    // before it), where a kill leaves a log with frames but no commit record.
    constexpr int kills = 21;
    std::mt19937_64 random(20261201);
    const auto span = static_cast<std::uint64_t>(duration.count());
    int survived = 0;
    int mid_transaction = 0;
    int mid_commit = 0;
    int finished_first = 0;
    int ended_before = 0;
    int ended_after = 0;
    for (int i = 0; i < kills; ++i) {
        restore();
        const SpawnOptions spawn_options = options();
        const pid_t pid = spawn_cli(import_args("rhi", s_rhi), spawn_options);
        ASSERT_GT(pid, 0);
        bool lock_held = false;
        bool log_written = false;
        std::string when;
        if (i % 3 != 2) {
            const std::uint64_t from = i % 3 == 0 ? 2000 : span / 2;
            const std::uint64_t to = span * 9 / 10;
            const auto delay = std::chrono::microseconds(from + random() % (to - from + 1));
            when = "after " + std::to_string(delay.count()) + " µs of " + std::to_string(span);
            std::this_thread::sleep_for(delay);
            // Asked just before the kill: the write lock held means the
            // import's transaction was open.
            lock_held = write_lock_held(m_db);
            log_written = size_or_zero(m_db + "-wal") > 0;
        } else {
            const std::uintmax_t threshold = 1 + random() % (1536 * 1024);
            when = "when the log passed " + std::to_string(threshold) + " bytes";
            const auto deadline = Clock::now() + 3 * duration;
            while (size_or_zero(m_db + "-wal") < threshold && Clock::now() < deadline &&
                   running(pid)) {
                std::this_thread::sleep_for(std::chrono::microseconds(50));
            }
            log_written = size_or_zero(m_db + "-wal") > 0;
        }
        kill(pid, SIGKILL);
        const Finished finished = wait_for(pid, spawn_options);

        const Snapshot after = snapshot(m_db);
        SCOPED_TRACE("kill " + std::to_string(i) + " " + when);
        EXPECT_EQ(after.integrity, "ok");
        EXPECT_EQ(after.audit_problem, "");
        const bool before = same_state(after, m_state_a);
        EXPECT_TRUE(before || same_state(after, state_b))
            << "neither before nor after the import: " << after << "; A " << m_state_a << ", B "
            << state_b;
        if (WIFSIGNALED(finished.status) && WTERMSIG(finished.status) == SIGKILL) {
            ++survived;
            (before ? ended_before : ended_after) += 1;
            // State A after the kill, and the transaction open at it: the
            // write lock held, or the log written (only COMMIT writes it).
            if (before && (lock_held || log_written)) {
                ++mid_transaction;
                mid_commit += log_written ? 1 : 0;
            }
        } else {
            EXPECT_TRUE(finished.exited(0)) << finished.err;
            ++finished_first;
        }
    }
    // The next import after a kill completes.
    const Finished again = run_import("rhi", s_rhi);
    EXPECT_TRUE(again.exited(0)) << again.err;
    EXPECT_EQ(snapshot(m_db).integrity, "ok");

    std::cout << "kills survived: " << survived << " (" << mid_transaction << " mid-transaction, "
              << mid_commit << " of them during COMMIT); " << ended_before
              << " left the store before the import, " << ended_after << " after; "
              << finished_first << " imports finished before their kill; a complete import took "
              << duration.count() / 1000 << " ms\n";
    EXPECT_GE(survived, kills / 3); // not a test of nothing: most kills land in the run
    EXPECT_GE(mid_transaction, 1);
}

TEST_F(CrashSafety, FullDiskGivesAClearErrorAndAnUnchangedStore) {
    // The import's changes (about 2 MB of pages) cannot fit in a file
    // limited to 512 KiB: the write-ahead log hits the limit at COMMIT.
    SpawnOptions limited = options();
    limited.max_file_size = 512 * 1024;
    const Finished full = run_cli_process(import_args("rhi", s_rhi), limited);
    EXPECT_TRUE(full.exited(1)) << full.err;
    EXPECT_EQ(full.err, "waymark: error: store " + m_db +
                            ": the disk is full or the file has reached its size limit (running "
                            "\"COMMIT\": disk I/O error; File too large)\n");
    const Snapshot after = snapshot(m_db);
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_TRUE(same_state(after, m_state_a)) << after << " vs " << m_state_a;
    // With room again, the same import succeeds.
    EXPECT_TRUE(run_import("rhi", s_rhi).exited(0));
}

TEST_F(CrashSafety, FullFileSystemGivesTheDiskIsFull) {
    // A real ENOSPC: a 2 MiB tmpfs holding the 1.4 MB store, mounted in a
    // mount namespace of a helper process, so that nothing outside sees it
    // and it goes when the helper does. Needs root (or CAP_SYS_ADMIN); the
    // RLIMIT_FSIZE case above covers the same path without.
    if (geteuid() != 0) {
        GTEST_SKIP() << "mounting a small tmpfs needs root";
    }
    const fs::path mount_point = m_dir.path() / "small-disk";
    fs::create_directory(mount_point);
    const std::string db = (mount_point / "store.db").string();
    const std::string copied = m_dir.file("copied-out.db");
    const SpawnOptions spawn_options = options();
    const pid_t helper = fork();
    ASSERT_GE(helper, 0);
    if (helper == 0) {
        if (unshare(CLONE_NEWNS) != 0 ||
            mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=2m") != 0) {
            _exit(100);
        }
        std::error_code error;
        fs::copy_file(s_state_a_store, db, error);
        if (error) {
            _exit(100);
        }
        const pid_t pid = spawn_cli({"-q", "--db", db, "import", "rhi", s_rhi}, spawn_options);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        // Out of the namespace's disk before it goes: the file and any log
        // (the next open recovers the log; no -shm, which it rebuilds).
        fs::copy_file(db, copied, error);
        if (fs::exists(db + "-wal")) {
            fs::copy_file(db + "-wal", copied + "-wal", error);
        }
        _exit(error ? 100 : WIFEXITED(status) ? WEXITSTATUS(status) : 101);
    }
    int status = 0;
    while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
    ASSERT_TRUE(WIFEXITED(status));
    if (WEXITSTATUS(status) == 100) {
        GTEST_SKIP() << "no mount namespace or tmpfs here";
    }
    EXPECT_EQ(WEXITSTATUS(status), 1);
    EXPECT_EQ(testing::read_file(spawn_options.stderr_file),
              "waymark: error: store " + db +
                  ": the disk is full (running \"COMMIT\": database or disk is full)\n");
    const Snapshot after = snapshot(copied);
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_TRUE(same_state(after, m_state_a)) << after << " vs " << m_state_a;
}

TEST_F(CrashSafety, ReadOnlyStoreGivesAClearErrorAndNoChange) {
    // Opened read-only by the program: the import is refused before it starts.
    {
        auto store = store::open_store(m_db, store::Access::read);
        EXPECT_EQ(testing::message_of<StoreError>([&] {
                      import_file(*store, AreaSettings{}, {"rhi", s_rhi, {}});
                  }),
                  "cannot import into " + m_db + ": the store was opened read-only");
    }
    EXPECT_TRUE(same_state(snapshot(m_db), m_state_a));

    // A file the user may not write, in a folder they may not write. Root
    // may write anything, so as root the import runs as nobody.
    restore();
    fs::permissions(m_db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::permissions(m_dir.path(), fs::perms::owner_read | fs::perms::owner_exec |
                                      fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);
    SpawnOptions spawn_options = options();
    spawn_options.stderr_file = s_dir->file("read-only-stderr.txt"); // the folder is read-only
    if (geteuid() == 0) {
        spawn_options.user = 65534; // nobody, who must still read the store and the file
        const auto readable = fs::perms::others_read | fs::perms::others_exec;
        fs::permissions(s_dir->path(), readable, fs::perm_options::add);
        fs::permissions(fs::path(s_rhi).parent_path(), readable, fs::perm_options::add);
        fs::permissions(s_rhi, fs::perms::others_read, fs::perm_options::add);
    }
    const Finished refused = run_cli_process(import_args("rhi", s_rhi), spawn_options);
    fs::permissions(m_dir.path(), fs::perms::owner_all, fs::perm_options::add);
    fs::permissions(m_db, fs::perms::owner_write, fs::perm_options::add);
    if (refused.exited(127)) {
        GTEST_SKIP() << "the read-only file case needs " << WAYMARK_CLI_PATH
                     << " to be executable by nobody (uid 65534)";
    }
    EXPECT_TRUE(refused.exited(1)) << refused.err;
    EXPECT_EQ(refused.err, "waymark: error: store " + m_db +
                               " is read-only: Waymark cannot write to it (Permission denied)\n");
    const Snapshot after = snapshot(m_db);
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_TRUE(same_state(after, m_state_a));
}

TEST_F(CrashSafety, LockedStoreWaitsThenGivesAClearErrorAndNoChange) {
    auto holder = sqlite::Database::open(m_db, sqlite::OpenMode::read_write);
    // Held for longer than the busy timeout (10 s): the import gives up.
    holder.exec("BEGIN EXCLUSIVE");
    const auto started = Clock::now();
    const Finished locked = run_import("rhi", s_rhi);
    const auto waited = Clock::now() - started;
    holder.exec("ROLLBACK");
    EXPECT_TRUE(locked.exited(1)) << locked.err;
    EXPECT_EQ(locked.err, "waymark: error: store " + m_db +
                              " is locked by another process (waited 10 s; running \"BEGIN "
                              "IMMEDIATE\": database is locked)\n");
    EXPECT_GE(waited, std::chrono::seconds(10));
    EXPECT_TRUE(same_state(snapshot(m_db), m_state_a));

    // Released sooner: the import waits for it, then succeeds.
    holder.exec("BEGIN EXCLUSIVE");
    const SpawnOptions spawn_options = options();
    const pid_t pid = spawn_cli(import_args("rhi", s_rhi), spawn_options);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    holder.exec("ROLLBACK");
    const Finished waited_for = wait_for(pid, spawn_options);
    holder.close();
    EXPECT_TRUE(waited_for.exited(0)) << waited_for.err;
    const Snapshot after = snapshot(m_db);
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_GT(after.rhis, 0);
    EXPECT_EQ(after.audit_problem, "");
}

TEST_F(CrashSafety, TwoConcurrentWritersAreSerialised) {
    // What the two imports give one after the other, in either order.
    const auto sequential = [this](const std::string& first_kind, const std::string& first,
                                   const std::string& second_kind, const std::string& second) {
        restore();
        EXPECT_TRUE(run_import(first_kind, first).exited(0));
        EXPECT_TRUE(run_import(second_kind, second).exited(0));
        return snapshot(m_db);
    };
    const auto concurrent = [this](const std::string& first_kind, const std::string& first,
                                   const std::string& second_kind, const std::string& second) {
        restore();
        const SpawnOptions one = options("one.txt");
        const SpawnOptions two = options("two.txt");
        const pid_t a = spawn_cli(import_args(first_kind, first), one);
        const pid_t b = spawn_cli(import_args(second_kind, second), two);
        const Finished first_done = wait_for(a, one);
        const Finished second_done = wait_for(b, two);
        EXPECT_TRUE(first_done.exited(0)) << first_done.err;
        EXPECT_TRUE(second_done.exited(0)) << second_done.err;
        return snapshot(m_db);
    };

    const Snapshot rhi_then_cpi = sequential("rhi", s_rhi, "cpi", s_cpi);
    const Snapshot cpi_then_rhi = sequential("cpi", s_cpi, "rhi", s_rhi);
    const Snapshot different = concurrent("rhi", s_rhi, "cpi", s_cpi);
    EXPECT_EQ(different.integrity, "ok");
    EXPECT_EQ(different.audit_problem, "");
    EXPECT_EQ(different.audit_entries, m_state_a.audit_entries + 2);
    EXPECT_TRUE(same_state(different, rhi_then_cpi) || same_state(different, cpi_then_rhi))
        << different << " vs " << rhi_then_cpi << " or " << cpi_then_rhi;

    // The same file twice at once: one imports it, the other finds every
    // record unchanged, as if run one after the other.
    const Snapshot twice = sequential("rhi", s_rhi, "rhi", s_rhi);
    const Snapshot same = concurrent("rhi", s_rhi, "rhi", s_rhi);
    EXPECT_EQ(same.integrity, "ok");
    EXPECT_EQ(same.audit_problem, "");
    EXPECT_TRUE(same_state(same, twice)) << same << " vs " << twice;
}

} // namespace
} // namespace waymark
