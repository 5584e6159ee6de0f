// The SQLite RAII wrappers: ownership, transactions, errors.

#include "base/error.hpp"
#include "engine/store/sqlite.hpp"
#include "tests/support/errors.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace waymark::sqlite {
namespace {

using waymark::testing::message_of;
using waymark::testing::TempDir;

class SqliteTest : public ::testing::Test {
protected:
    TempDir dir;
    std::string path = dir.file("t.db");

    Database open_with_table() {
        auto db = Database::open(path, OpenMode::create);
        db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        return db;
    }
};

TEST_F(SqliteTest, OpenConfiguresForeignKeysWalAndSpatiaLite) {
    auto db = Database::open(path, OpenMode::create);
    EXPECT_EQ(query_int64(db, "PRAGMA foreign_keys"), 1);
    Statement mode(db, "PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.column_text(0), "wal");
    EXPECT_EQ(query_int64(db, "PRAGMA synchronous"), 2); // FULL
    // SpatiaLite is loaded into the connection: its SQL functions exist.
    Statement point(db, "SELECT ST_X(MakePoint(700000.5, 300000, 27700))");
    ASSERT_TRUE(point.step());
    EXPECT_DOUBLE_EQ(point.column_double(0), 700000.5);
}

TEST_F(SqliteTest, OpeningAMissingFileWithoutCreateFailsNamingIt) {
    const std::string message =
        message_of<StoreError>([&] { Database::open(path, OpenMode::read_write); });
    EXPECT_EQ(message, "cannot open store " + path + ": unable to open database file");
}

TEST_F(SqliteTest, MovedDatabaseOwnsTheConnection) {
    auto db = open_with_table();
    Database moved(std::move(db));
    EXPECT_FALSE(db.is_open()); // NOLINT(bugprone-use-after-move): testing the moved-from state
    EXPECT_TRUE(moved.is_open());
    moved.exec("INSERT INTO t (name) VALUES ('a')");
    Database assigned = Database::open(dir.file("other.db"), OpenMode::create);
    assigned = std::move(moved);
    EXPECT_EQ(query_int64(assigned, "SELECT count(*) FROM t"), 1);
    assigned.close();
    EXPECT_FALSE(assigned.is_open());
    assigned.close(); // closing twice is harmless
}

TEST_F(SqliteTest, StatementBindsStepsAndResets) {
    auto db = open_with_table();
    Statement insert(db, "INSERT INTO t (id, name) VALUES (?, ?)");
    for (int i = 1; i <= 3; ++i) {
        insert.bind(1, i).bind(2, "name" + std::to_string(i)).run();
    }
    Statement select(db, "SELECT id, name FROM t WHERE id >= ? ORDER BY id");
    select.bind(1, 2);
    std::vector<std::string> names;
    while (select.step()) {
        names.push_back(select.column_text(1));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"name2", "name3"}));

    Statement moved(std::move(select));
    EXPECT_EQ(select.get(), nullptr); // NOLINT(bugprone-use-after-move)
    moved.reset();
    moved.bind(1, 3);
    ASSERT_TRUE(moved.step());
    EXPECT_EQ(moved.column_int64(0), 3);
}

TEST_F(SqliteTest, OptionalsBindAsNull) {
    auto db = Database::open(path, OpenMode::create);
    db.exec("CREATE TABLE o (a INTEGER, b TEXT)");
    Statement insert(db, "INSERT INTO o VALUES (?, ?)");
    insert.bind(1, std::optional<int>{}).bind_text_or_null(2, "").run();
    insert.bind(1, std::optional<int>{7}).bind_text_or_null(2, "x").run();
    Statement select(db, "SELECT a, b FROM o ORDER BY rowid");
    ASSERT_TRUE(select.step());
    EXPECT_TRUE(select.is_null(0));
    EXPECT_EQ(select.column_optional_text(1), std::nullopt);
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_optional_int64(0), 7);
    EXPECT_EQ(select.column_optional_text(1), "x");
}

TEST_F(SqliteTest, PrepareErrorNamesStatementStoreAndReason) {
    auto db = open_with_table();
    const std::string message = message_of<StoreError>([&] { db.prepare("SELECT * FROM nope"); });
    EXPECT_EQ(message, "preparing \"SELECT * FROM nope\" in " + path + ": no such table: nope");
}

TEST_F(SqliteTest, ConstraintViolationIsAStoreError) {
    auto db = open_with_table();
    Statement insert(db, "INSERT INTO t (id, name) VALUES (?, ?)");
    const std::string message =
        message_of<StoreError>([&] { insert.bind(1, 1).bind_null(2).run(); });
    EXPECT_EQ(message, "running \"INSERT INTO t (id, name) VALUES (?, ?)\" in " + path +
                           ": NOT NULL constraint failed: t.name");
}

TEST_F(SqliteTest, TransactionRollsBackWhenAnExceptionEscapes) {
    auto db = open_with_table();
    EXPECT_THROW(
        {
            Transaction transaction(db);
            db.exec("INSERT INTO t (name) VALUES ('first')");
            EXPECT_TRUE(db.in_transaction());
            db.exec("INSERT INTO t (name) VALUES (NULL)"); // throws: NOT NULL
            transaction.commit();
        },
        StoreError);
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(query_int64(db, "SELECT count(*) FROM t"), 0);
}

TEST_F(SqliteTest, TransactionCommitKeepsAndExplicitRollbackDiscards) {
    auto db = open_with_table();
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t (name) VALUES ('kept')");
        transaction.commit();
    }
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t (name) VALUES ('discarded')");
        transaction.rollback();
    }
    {
        Transaction transaction(db);
        db.exec("INSERT INTO t (name) VALUES ('dropped by destructor')");
    }
    EXPECT_EQ(query_int64(db, "SELECT count(*) FROM t"), 1);
}

TEST_F(SqliteTest, CommittedDataIsVisibleToAnotherConnection) {
    auto writer = open_with_table();
    {
        Transaction transaction(writer);
        writer.exec("INSERT INTO t (name) VALUES ('a')");
        auto reader = Database::open(path, OpenMode::read_only);
        EXPECT_EQ(query_int64(reader, "SELECT count(*) FROM t"), 0); // not yet committed
        transaction.commit();
        EXPECT_EQ(query_int64(reader, "SELECT count(*) FROM t"), 1);
    }
}

TEST_F(SqliteTest, ReadOnlyConnectionRefusesWrites) {
    open_with_table().close();
    auto reader = Database::open(path, OpenMode::read_only);
    const std::string message =
        message_of<StoreError>([&] { reader.exec("INSERT INTO t (name) VALUES ('x')"); });
    EXPECT_EQ(message, "running \"INSERT INTO t (name) VALUES ('x')\" in " + path +
                           ": attempt to write a readonly database");
}

} // namespace
} // namespace waymark::sqlite
