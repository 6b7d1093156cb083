// The SQLite driver behind the connection seam: binding and decoding, error translation, transactions,
// open modes, and concurrency between threads and between processes.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/db/database.hpp"
#include "core/db/registry.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"

namespace fs = std::filesystem;
using namespace pgqrs;
using namespace pgqrs::detail;

namespace {

/// A query built by hand (not in a catalog: its statements are prepared per call).
sql_query make_query(std::string name, std::vector<std::string> statements) {
  return sql_query{std::move(name), std::move(statements)};
}

row_set run(connection& c, const sql_query& q, std::vector<sql_param> params = {}) {
  return c.execute(q, params);
}

class SqliteDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    m_dir = fs::temp_directory_path() / ("pgqrs-sqlite-" + std::to_string(::getpid()) + "-" + info->name() +
                                         "-" + std::to_string(counter++));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

  [[nodiscard]] fs::path path(const std::string& file = "test.db") const { return m_dir / file; }

  /// A file database; synchronous=NORMAL keeps the write-heavy tests fast (no fsync per commit in WAL).
  [[nodiscard]] config file_config(const std::string& file = "test.db") const {
    config cfg;
    cfg.dsn = "sqlite://" + path(file).string();
    cfg.sqlite.synchronous = sqlite_synchronous::normal;
    return cfg;
  }

  fs::path m_dir;
};

const sql_query create_items = make_query(
    "create_items",
    {"CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER CHECK (n >= 0))"});
const sql_query insert_item = make_query("insert_item", {"INSERT INTO items (name, n) VALUES (?1, ?2)"});
const sql_query count_items = make_query("count_items", {"SELECT count(*) FROM items"});

}  // namespace

// ---------------------------------------------------------------- binding and decoding

TEST_F(SqliteDriver, EveryParameterTypeRoundTripsThroughSelect) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  const auto q =
      make_query("select_all", {"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, typeof(?1), typeof(?4), typeof(?6)"});
  const std::string with_nul("a\0b", 3);
  auto rows = run(*c, q,
                  {null_param(), std::int64_t{std::numeric_limits<std::int64_t>::min()}, 2.5, true, false,
                   std::string("héllo 'x' \"y\""), with_nul});
  ASSERT_EQ(rows.size(), 1U);
  ASSERT_EQ(rows.columns(), 10U);
  EXPECT_TRUE(rows.is_null(0, 0));
  EXPECT_EQ(rows.i64(0, 1), std::numeric_limits<std::int64_t>::min());
  EXPECT_DOUBLE_EQ(rows.f64(0, 2), 2.5);
  EXPECT_TRUE(rows.boolean(0, 3));
  EXPECT_EQ(rows.i64(0, 3), 1);
  EXPECT_FALSE(rows.boolean(0, 4));
  EXPECT_EQ(rows.text(0, 5), "héllo 'x' \"y\"");
  EXPECT_EQ(rows.text(0, 6), with_nul);
  EXPECT_EQ(rows.text(0, 7), "null");
  EXPECT_EQ(rows.text(0, 8), "integer");
  EXPECT_EQ(rows.text(0, 9), "text");
}

TEST_F(SqliteDriver, AStatementMayUseASubsetOfTheParameters) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  auto rows =
      run(*c, make_query("subset", {"SELECT ?2"}), {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}});
  EXPECT_EQ(rows.i64(0, 0), 2);
}

TEST_F(SqliteDriver, AMissingParameterIsALibraryBugNotANull) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  EXPECT_THROW(run(*c, make_query("missing", {"SELECT ?1, ?2"}), {std::int64_t{1}}), internal_error);
}

TEST_F(SqliteDriver, IdListBindsAsAJsonArrayReadableWithJsonEach) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  const auto count = make_query("count_ids", {"SELECT count(*) FROM json_each(?1)"});
  const auto values = make_query("ids", {"SELECT value FROM json_each(?1) ORDER BY key"});
  const id_list ids{{1, -2, std::numeric_limits<std::int64_t>::max()}};
  EXPECT_EQ(run(*c, count, {ids}).i64(0, 0), 3);
  auto rows = run(*c, values, {ids});
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows.i64(0, 0), 1);
  EXPECT_EQ(rows.i64(1, 0), -2);
  EXPECT_EQ(rows.i64(2, 0), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(run(*c, count, {id_list{}}).i64(0, 0), 0);
}

TEST_F(SqliteDriver, TextListWithQuotesBackslashesAndUnicodeRoundTripsThroughJsonEach) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  const auto values = make_query("texts", {"SELECT value, type FROM json_each(?1) ORDER BY key"});
  const std::vector<std::string> texts{"plain",
                                       "quote \" and 'single'",
                                       "back\\slash",
                                       "tab\tnewline\n",
                                       "unicode: żółw 🐢 日本",
                                       "{\"json\": [1, 2]}",
                                       ""};
  auto rows = run(*c, values, {text_list{texts}});
  ASSERT_EQ(rows.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(rows.text(i, 0), texts[i]) << i;
    EXPECT_EQ(rows.text(i, 1), "text") << i;
  }
}

TEST_F(SqliteDriver, TextListWithInvalidUtf8IsASerializationError) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  EXPECT_THROW(run(*c, make_query("texts", {"SELECT count(*) FROM json_each(?1)"}),
                   {text_list{{std::string("\xff\xfe")}}}),
               serialization_error);
}

TEST_F(SqliteDriver, TimestampsBindAsIntegerMicrosecondsSinceTheEpoch) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  const timestamp t{std::chrono::microseconds{1'700'000'000'123'456}};
  auto rows = run(*c, make_query("ts", {"SELECT ?1, typeof(?1)"}), {t});
  EXPECT_EQ(rows.i64(0, 0), 1'700'000'000'123'456);
  EXPECT_EQ(rows.text(0, 1), "integer");
  EXPECT_EQ(rows.ts(0, 0), t);
}

TEST_F(SqliteDriver, NullsGoInAndComeBackAsNull) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, create_items);
  run(*c, insert_item, {null_param(), optional_param(std::optional<std::int64_t>{})});
  auto rows = run(*c, make_query("read", {"SELECT name, n FROM items"}));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_TRUE(rows.is_null(0, 0));
  EXPECT_EQ(rows.opt_text(0, 0), std::nullopt);
  EXPECT_EQ(rows.opt_i64(0, 1), std::nullopt);
}

TEST_F(SqliteDriver, FloatsAndBlobsDecodeToDoubleAndBytes) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  auto rows = run(*c, make_query("mixed", {"SELECT 0.25, x'00ff41', zeroblob(0)"}));
  EXPECT_DOUBLE_EQ(rows.f64(0, 0), 0.25);
  EXPECT_EQ(rows.text(0, 1), std::string("\x00\xff"
                                         "A",
                                         3));
  EXPECT_EQ(rows.text(0, 2), "");
}

TEST_F(SqliteDriver, AffectedCountsRowsChangedByWritesAndZeroForReads) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, create_items);
  for (int i = 0; i < 3; ++i) run(*c, insert_item, {std::string("n") + std::to_string(i), std::int64_t{i}});
  auto updated =
      run(*c, make_query("bump", {"UPDATE items SET n = n + 1 WHERE n >= ?1"}), {std::int64_t{1}});
  EXPECT_EQ(updated.affected(), 2);
  EXPECT_EQ(run(*c, count_items).affected(), 0);
  auto returned = run(*c, make_query("del", {"DELETE FROM items RETURNING id"}));
  EXPECT_EQ(returned.size(), 3U);
  EXPECT_EQ(returned.affected(), 3);
}

TEST_F(SqliteDriver, HandBuiltQueriesAreNotCachedAndRunTheirOwnSql) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  EXPECT_EQ(run(*c, make_query("a", {"SELECT 1"})).i64(0, 0), 1);
  EXPECT_EQ(run(*c, make_query("b", {"SELECT 2"})).i64(0, 0), 2);
  EXPECT_EQ(run(*c, make_query("c", {"SELECT 3"})).i64(0, 0), 3);
}

TEST_F(SqliteDriver, TwoStatementsInOneStatementTextAreRejected) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  EXPECT_THROW(run(*c, make_query("two", {"SELECT 1; SELECT 2"})), internal_error);
  EXPECT_EQ(run(*c, make_query("trailing", {"SELECT 1; -- just a comment\n"})).i64(0, 0), 1);
}

TEST_F(SqliteDriver, PragmaSettersAndVacuumRunOutsideTheImplicitWriteTransaction) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, make_query("set_version", {"PRAGMA user_version = 7"}));
  EXPECT_EQ(run(*c, make_query("get_version", {"PRAGMA user_version"})).i64(0, 0), 7);
  run(*c, create_items);
  run(*c, make_query("vacuum", {"VACUUM"}));
  EXPECT_FALSE(c->in_transaction());
  run(*c, insert_item, {std::string("after vacuum"), std::int64_t{1}});
}

// ---------------------------------------------------------------- errors and atomicity

TEST_F(SqliteDriver, AMultiStatementQueryIsAtomic) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, create_items);
  const auto two = make_query("two_inserts",
                              {"INSERT INTO items (name, n) VALUES (?1, 1) RETURNING id",
                               "INSERT INTO items (name, n) VALUES (?2, 2)"});
  try {
    run(*c, two, {std::string("first"), std::string("first")});
    FAIL() << "expected a unique violation";
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_EQ(e.query(), "two_inserts");
  }
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 0);

  auto rows = run(*c, two, {std::string("a"), std::string("b")});
  ASSERT_EQ(rows.size(), 1U);  // the first statement's RETURNING
  EXPECT_EQ(rows.i64(0, 0), 1);
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 2);
}

TEST_F(SqliteDriver, AUniqueViolationThrowsQueryErrorWithSqlstate23505AndNoParameterValues) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, create_items);
  run(*c, insert_item, {std::string("secret-value"), std::int64_t{1}});
  try {
    run(*c, insert_item, {std::string("secret-value"), std::int64_t{2}});
    FAIL() << "expected a unique violation";
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), sqlstate::unique_violation);
    EXPECT_EQ(e.query(), "insert_item");
    const std::string what = e.what();
    EXPECT_NE(what.find("UNIQUE constraint failed: items.name"), std::string::npos) << what;
    EXPECT_NE(what.find("sqlite code 2067"), std::string::npos) << what;
    EXPECT_EQ(what.find("secret-value"), std::string::npos) << what;
  }
  // A duplicate primary key is a unique violation too.
  try {
    run(*c, make_query("dup_pk", {"INSERT INTO items (id, name) VALUES (1, 'other')"}));
    FAIL() << "expected a primary key violation";
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
  }
  EXPECT_FALSE(c->in_transaction());
  EXPECT_TRUE(c->healthy());
}

TEST_F(SqliteDriver, AForeignKeyViolationGives23503BecauseForeignKeysAreOn) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, create_items);
  run(*c, make_query(
              "create_child",
              {"CREATE TABLE child (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id))"}));
  try {
    run(*c, make_query("insert_child", {"INSERT INTO child (item_id) VALUES (?1)"}), {std::int64_t{42}});
    FAIL() << "expected a foreign key violation";
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), sqlstate::foreign_key_violation);
  }
}

TEST_F(SqliteDriver, CheckAndNotNullViolationsMapToTheirSqlstates) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, create_items);
  try {
    run(*c, insert_item, {std::string("x"), std::int64_t{-1}});
    FAIL();
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), "23514");
  }
  run(*c, make_query("create_nn", {"CREATE TABLE nn (v TEXT NOT NULL)"}));
  try {
    run(*c, make_query("insert_nn", {"INSERT INTO nn VALUES (?1)"}), {null_param()});
    FAIL();
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), "23502");
  }
}

TEST_F(SqliteDriver, ASyntaxErrorIsQueryErrorWithHY000) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  try {
    run(*c, make_query("broken", {"SELEC 1"}));
    FAIL();
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), "HY000");
    EXPECT_EQ(e.query(), "broken");
  }
  EXPECT_TRUE(c->healthy());
}

TEST_F(SqliteDriver, ExecuteScriptRunsManyStatementsAndReportsFailuresAsMigrationErrors) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  c->execute_script("CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n");
  EXPECT_EQ(run(*c, make_query("count_a", {"SELECT sum(x) FROM a"})).i64(0, 0), 3);
  try {
    c->execute_script("BEGIN; INSERT INTO a VALUES (10); INSERT INTO nope VALUES (1); COMMIT;");
    FAIL();
  } catch (const query_error& e) {
    EXPECT_EQ(e.query(), "migration");
    EXPECT_NE(std::string(e.what()).find("no such table: nope"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(run(*c, make_query("count_a", {"SELECT sum(x) FROM a"})).i64(0, 0), 3);
}

// ---------------------------------------------------------------- transactions

TEST_F(SqliteDriver, WriteTransactionsCommitOrRollBack) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  run(*c, create_items);
  c->begin(tx_mode::write);
  EXPECT_TRUE(c->in_transaction());
  run(*c, insert_item, {std::string("rolled back"), std::int64_t{1}});
  c->rollback();
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 0);

  {
    transaction tx(*c, tx_mode::write);
    run(*c, insert_item, {std::string("kept"), std::int64_t{1}});
    tx.commit();
  }
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 1);

  c->begin(tx_mode::read);
  EXPECT_THROW(c->begin(tx_mode::write), query_error);
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 1);
  c->commit();
  EXPECT_FALSE(c->in_transaction());
  EXPECT_THROW(c->commit(), query_error);
}

TEST_F(SqliteDriver, AConnectionReturnedMidTransactionIsRolledBackByThePool) {
  auto cfg = file_config();
  cfg.max_connections = 1;
  auto db = open_sqlite(cfg);
  {
    auto c = db->acquire();
    run(*c, create_items);
    c->begin(tx_mode::write);
    run(*c, insert_item, {std::string("abandoned"), std::int64_t{1}});
  }
  auto c = db->acquire();
  EXPECT_FALSE(c->in_transaction());
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 0);
  run(*c, insert_item, {std::string("the write lock was released"), std::int64_t{1}});
}

TEST_F(SqliteDriver, WritingThroughASecondConnectionWhileHoldingTheWriteLockFailsInsteadOfDeadlocking) {
  auto db = open_sqlite(file_config());
  auto a = db->acquire();
  auto b = db->acquire();
  run(*a, create_items);
  a->begin(tx_mode::write);
  EXPECT_THROW(run(*b, insert_item, {std::string("x"), std::int64_t{1}}), internal_error);
  EXPECT_EQ(run(*b, count_items).i64(0, 0), 0);  // reads never take the lock
  a->rollback();
  run(*b, insert_item, {std::string("x"), std::int64_t{1}});
}

// ---------------------------------------------------------------- opening

TEST_F(SqliteDriver, ModeRwOnAMissingFileThrowsConnectionErrorNamingThePath) {
  config cfg = file_config("missing.db");
  cfg.dsn += "?mode=rw";
  try {
    (void)open_sqlite(cfg);
    FAIL() << "expected connection_error";
  } catch (const connection_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(path("missing.db").string()), std::string::npos) << what;
    EXPECT_NE(what.find("mode=rw"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(path("missing.db")));
}

TEST_F(SqliteDriver, TheDefaultModeCreatesTheFile) {
  auto db = open_sqlite(file_config("created.db"));
  EXPECT_TRUE(fs::exists(path("created.db")));
}

TEST_F(SqliteDriver, AMissingDirectoryThrowsConnectionErrorAtOpen) {
  EXPECT_THROW((void)open_sqlite(file_config("no/such/dir/x.db")), connection_error);
}

TEST_F(SqliteDriver, ModeRoReadsButRejectsWrites) {
  {
    auto db = open_sqlite(file_config());
    auto c = db->acquire();
    run(*c, create_items);
    run(*c, insert_item, {std::string("x"), std::int64_t{1}});
  }
  config cfg = file_config();
  cfg.dsn += "?mode=ro";
  auto db = open_sqlite(cfg);
  auto c = db->acquire();
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 1);
  EXPECT_THROW(run(*c, insert_item, {std::string("y"), std::int64_t{1}}), query_error);
  EXPECT_FALSE(c->in_transaction());
}

TEST_F(SqliteDriver, AFileUriOpensWithUriParameters) {
  config cfg;
  cfg.dsn = "sqlite:file:" + path("uri.db").string() + "?mode=rwc";
  auto db = open_sqlite(cfg);
  auto c = db->acquire();
  EXPECT_EQ(run(*c, make_query("jm", {"PRAGMA journal_mode"})).text(0, 0), "wal");
  EXPECT_TRUE(fs::exists(path("uri.db")));
}

TEST_F(SqliteDriver, AnInMemoryDatabaseKeepsItsDataAcrossAcquireAndReleaseOnItsSingleConnection) {
  config cfg;
  cfg.dsn = "sqlite::memory:";
  cfg.connection_timeout = std::chrono::seconds(0);
  auto db = open_sqlite(cfg);
  {
    auto c = db->acquire();
    run(*c, create_items);
    run(*c, insert_item, {std::string("kept"), std::int64_t{1}});
  }
  auto c = db->acquire();
  EXPECT_EQ(run(*c, count_items).i64(0, 0), 1);
  EXPECT_THROW((void)db->acquire(), pool_exhausted);  // exactly one connection
}

TEST_F(SqliteDriver, AFileThatIsNotADatabaseFailsAtOpenWithAClearMessage) {
  {
    std::ofstream out(path("garbage.db"), std::ios::binary);
    for (int i = 0; i < 512; ++i) out << "this is not an sqlite file ";
  }
  try {
    (void)open_sqlite(file_config("garbage.db"));
    FAIL() << "expected connection_error";
  } catch (const connection_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("not a database"), std::string::npos) << what;
    EXPECT_NE(what.find("garbage.db"), std::string::npos) << what;
  }
}

TEST_F(SqliteDriver, WalIsOnByDefaultAndOffWhenDisabled) {
  const auto journal_mode = make_query("jm", {"PRAGMA journal_mode"});
  {
    auto db = open_sqlite(file_config("wal.db"));
    auto c = db->acquire();
    EXPECT_EQ(run(*c, journal_mode).text(0, 0), "wal");
    EXPECT_EQ(run(*c, make_query("fk", {"PRAGMA foreign_keys"})).i64(0, 0), 1);
    EXPECT_EQ(run(*c, make_query("sync", {"PRAGMA synchronous"})).i64(0, 0), 1);  // NORMAL
  }
  config cfg = file_config("delete.db");
  cfg.sqlite.use_wal = false;
  cfg.sqlite.synchronous = sqlite_synchronous::full;
  auto db = open_sqlite(cfg);
  auto c = db->acquire();
  EXPECT_EQ(run(*c, journal_mode).text(0, 0), "delete");
  EXPECT_EQ(run(*c, make_query("sync", {"PRAGMA synchronous"})).i64(0, 0), 2);  // FULL
}

TEST_F(SqliteDriver, AForeignDsnIsAConfigError) {
  config cfg;
  cfg.dsn = "postgresql://localhost/db";
  EXPECT_THROW((void)open_sqlite(cfg), config_error);
}

// ---------------------------------------------------------------- concurrency

TEST_F(SqliteDriver, ABusyTimeoutGivesUpWithSqlstate55P03AfterTheConfiguredTime) {
  // Two database objects on one file behave like two processes: they do not share the writer mutex.
  config cfg = file_config();
  cfg.sqlite.busy_timeout = std::chrono::milliseconds(200);
  auto holder_db = open_sqlite(cfg);
  auto waiter_db = open_sqlite(cfg);
  auto holder = holder_db->acquire();
  run(*holder, create_items);
  holder->begin(tx_mode::write);
  auto waiter = waiter_db->acquire();
  const auto start = std::chrono::steady_clock::now();
  try {
    run(*waiter, insert_item, {std::string("x"), std::int64_t{1}});
    FAIL() << "expected SQLITE_BUSY";
  } catch (const query_error& e) {
    EXPECT_EQ(e.sqlstate(), "55P03") << e.what();
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::milliseconds(2000));
  EXPECT_FALSE(waiter->in_transaction());
  holder->rollback();
  run(*waiter, insert_item, {std::string("x"), std::int64_t{1}});  // the waiter's writer lock was released
}

TEST_F(SqliteDriver, TwoThreadsEachCommitting500WriteTransactionsAllSucceed) {
  auto db = open_sqlite(file_config());
  run(*db->acquire(), create_items);
  constexpr int per_thread = 500;
  std::atomic<int> failures{0};
  auto work = [&](int thread) {
    try {
      for (int i = 0; i < per_thread; ++i) {
        auto c = db->acquire();
        c->begin(tx_mode::write);
        run(*c,
            count_items);  // read then write in one transaction: no lock upgrade thanks to BEGIN IMMEDIATE
        run(*c, insert_item, {"t" + std::to_string(thread) + "-" + std::to_string(i), std::int64_t{i}});
        c->commit();
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
      ++failures;
    }
  };
  std::thread t1(work, 1);
  std::thread t2(work, 2);
  t1.join();
  t2.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(run(*db->acquire(), count_items).i64(0, 0), 2 * per_thread);
}

TEST_F(SqliteDriver, TwoProcessesEachDoing300AutocommitInsertsAllSucceed) {
  const config cfg = file_config();
  run(*open_sqlite(cfg)->acquire(), create_items);
  constexpr int per_process = 300;

  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  auto insert_all = [&](const std::string& who) {
    auto db = open_sqlite(cfg);
    auto c = db->acquire();
    for (int i = 0; i < per_process; ++i) {
      run(*c, insert_item, {who + "-" + std::to_string(i), std::int64_t{i}});
      // A read between writes: each write must still start its own IMMEDIATE transaction.
      (void)run(*c, count_items);
    }
  };

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int status = 0;
    try {
      ::close(go[1]);
      char byte = 0;
      if (::read(go[0], &byte, 1) != 1) std::_Exit(3);
      insert_all("child");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child failed: %s\n", e.what());
      status = 1;
    }
    std::_Exit(status);
  }
  ::close(go[0]);
  std::string parent_error;
  {
    // Release the child, then both processes write at the same time.
    const char byte = 1;
    EXPECT_EQ(::write(go[1], &byte, 1), 1);
    ::close(go[1]);
    try {
      insert_all("parent");
    } catch (const std::exception& e) {
      parent_error = e.what();
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(parent_error, "");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(run(*open_sqlite(cfg)->acquire(), count_items).i64(0, 0), 2 * per_process);
}

TEST_F(SqliteDriver, AClaimAndArchiveLoopRunsTensOfThousandsOfStatementsPerSecond) {
  auto db = open_sqlite(file_config());
  auto c = db->acquire();
  c->execute_script(
      "CREATE TABLE q (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, vt INTEGER NOT NULL, read_ct INTEGER "
      "NOT NULL "
      "DEFAULT 0);"
      "CREATE TABLE archive (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, archived_at INTEGER NOT NULL);");
  constexpr int messages = 5000;
  c->execute_script(
      "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 5000) "
      "INSERT INTO q (payload, vt) SELECT '{\"n\":' || i || '}', 0 FROM s;");
  const auto claim = make_query(
      "claim",
      {"UPDATE q SET vt = ?1, read_ct = read_ct + 1 WHERE id = (SELECT id FROM q WHERE vt <= ?2 ORDER BY id "
       "LIMIT 1) RETURNING id, payload"});
  const auto archive = make_query(
      "archive",
      {"INSERT INTO archive (id, payload, archived_at) SELECT id, payload, ?2 FROM q WHERE id = ?1",
       "DELETE FROM q WHERE id = ?1"});
  const auto start = std::chrono::steady_clock::now();
  int statements = 0;
  for (int i = 0; i < messages; ++i) {
    const timestamp now{std::chrono::microseconds{1'000'000 + i}};
    std::vector<sql_param> claim_params{timestamp{now + std::chrono::seconds(30)}, now};
    auto rows = c->execute(claim, claim_params);
    ASSERT_EQ(rows.size(), 1U);
    std::vector<sql_param> archive_params{rows.i64(0, 0), now};
    c->execute(archive, archive_params);
    statements += 3;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = statements / seconds;
  std::printf("claim+archive: %d statements in %.3f s = %.0f statements/s\n", statements, seconds, rate);
  EXPECT_EQ(run(*c, make_query("left", {"SELECT count(*) FROM q"})).i64(0, 0), 0);
  EXPECT_EQ(run(*c, make_query("archived", {"SELECT count(*) FROM archive"})).i64(0, 0), messages);
  // Generous floor so a loaded machine or a debug build does not flake; a release build does far more.
  EXPECT_GT(rate, 3000.0);
}
