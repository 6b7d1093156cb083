// The turso:// backend as users meet it: DSN forms and their errors, read-only files, and writers that
// contend for Turso's one write lock from several stores and threads of one process (they share the engine's
// lock but not our write gate, so the family's busy waits are what keeps them correct: no lost or duplicate
// write, no "database is locked" escaping). The full queue and workflow behaviour is the conformance suite's
// (PGQRS_TEST_BACKEND=turso).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pgqrs/pgqrs.hpp>

#include "../../unit/catch_as.hpp"
#include "turso/turso_family_engine.hpp"

namespace {

namespace fs = std::filesystem;

struct temp_dir {
  fs::path path = fs::temp_directory_path() /
                  ("pgqrs-turso-backend-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
  temp_dir() { fs::create_directories(path); }
  ~temp_dir() { fs::remove_all(path); }
  static std::atomic<int>& counter() {
    static std::atomic<int> n{0};
    return n;
  }
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(turso_backend, relative_absolute_and_memory_dsns_open_and_say_turso) {
  temp_dir d;
  auto mem = pgqrs::connect("turso::memory:");
  EXPECT_EQ(mem.backend(), pgqrs::backend_kind::turso);
  pgqrs::admin(mem).install();
  mem.queue("q");
  EXPECT_EQ(mem.queues().list().size(), 1U);

  auto file = pgqrs::connect("turso://" + (d.path / "a.db").string());
  pgqrs::admin(file).install();
  EXPECT_TRUE(fs::exists(d.path / "a.db"));
}

TEST(turso_backend, mode_rw_on_a_missing_file_is_a_connection_error_naming_it) {
  temp_dir d;
  const std::string path = (d.path / "missing.db").string();
  auto e = catch_as<pgqrs::connection_error>([&] { (void)pgqrs::connect("turso://" + path + "?mode=rw"); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "missing.db")) << e->what();
  EXPECT_TRUE(contains(e->what(), "does not exist")) << e->what();
  EXPECT_FALSE(fs::exists(path)) << "mode=rw must not create the file";
}

TEST(turso_backend, a_file_uri_is_a_config_error) {
  auto e = catch_as<pgqrs::config_error>([] { (void)pgqrs::connect("turso:file:/tmp/x.db?mode=ro"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field(), "dsn");
  EXPECT_TRUE(contains(e->what(), "not a file: URI")) << e->what();
}

TEST(turso_backend, a_file_that_is_not_a_database_is_refused_at_connect) {
  temp_dir d;
  const fs::path path = d.path / "text.db";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    for (int i = 0; i < 200; ++i) std::fputs("this is not a database file\n", f);
    std::fclose(f);
  }
  auto e = catch_as<pgqrs::connection_error>([&] { (void)pgqrs::connect("turso://" + path.string()); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(contains(e->what(), "text.db")) << e->what();
  EXPECT_FALSE(e->retryable()) << e->what();
}

TEST(turso_backend, a_read_only_store_reads_and_refuses_writes_with_a_database_error) {
  temp_dir d;
  const std::string path = (d.path / "ro.db").string();
  {
    auto s = pgqrs::connect("turso://" + path);
    pgqrs::admin(s).install();
    s.queue("q");
    (void)s.producer("q", "p").enqueue(pgqrs::json{{"a", 1}});
  }
  auto ro = pgqrs::connect("turso://" + path + "?mode=ro");
  EXPECT_EQ(ro.messages().count(), 1);
  std::string failure;
  try {
    ro.queue("other");
  } catch (const pgqrs::error& e) {
    failure = e.what();
  }
  EXPECT_FALSE(failure.empty()) << "a write through a read-only store must fail";
  EXPECT_EQ(ro.queues().list().size(), 1U);
}

TEST(turso_backend, two_stores_and_eight_threads_writing_at_once_lose_and_duplicate_nothing) {
  temp_dir d;
  const std::string dsn = "turso://" + (d.path / "contended.db").string();
  auto cfg = pgqrs::config::from_dsn(dsn);
  cfg.validation.max_enqueue_per_second.reset();
  auto a = pgqrs::connect(cfg);
  pgqrs::admin(a).install();
  a.queue("q");
  auto b = pgqrs::connect(cfg);  // a second store: its own pool and write gate, the same Turso lock

  constexpr int threads = 8;
  constexpr int per_thread = 150;
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      try {
        auto& s = t % 2 == 0 ? a : b;
        auto p = s.producer("q", "p" + std::to_string(t));
        for (int i = 0; i < per_thread; ++i) (void)p.enqueue(pgqrs::json{{"t", t}, {"i", i}});
      } catch (const std::exception& e) {
        ++errors;
        ADD_FAILURE() << "thread " << t << ": " << e.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  ASSERT_EQ(errors.load(), 0);

  const auto all = b.messages().list();
  ASSERT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
  std::set<std::pair<int, int>> seen;
  for (const auto& m : all) seen.emplace(m.payload.at("t").get<int>(), m.payload.at("i").get<int>());
  EXPECT_EQ(seen.size(), all.size()) << "a write was executed twice";
}

TEST(turso_backend, statements_are_judged_read_only_from_their_text) {
  const std::pair<const char*, bool> cases[] = {
      {"SELECT 1", true},
      {"  -- comment\n /* block */ select * from t", true},
      {"(SELECT 1) UNION ALL SELECT 2", true},
      {"VALUES (1)", true},
      {"WITH x AS (SELECT 1) SELECT * FROM x", true},
      {"WITH x AS (SELECT 1) DELETE FROM t WHERE id IN x", false},
      {"with x as (select 1) insert into t select * from x", false},
      {"INSERT INTO t VALUES (1) RETURNING id", false},
      {"UPDATE t SET a = 1", false},
      {"PRAGMA journal_mode=WAL", false},
      {"CREATE TABLE t (a)", false},
      {"", false},
      // Words inside names do not count as DML.
      {"WITH updated_rows AS (SELECT 1 AS inserted) SELECT * FROM updated_rows", true},
  };
  for (const auto& [sql, reads] : cases) EXPECT_EQ(pgqrs::detail::turso::reads_only(sql), reads) << sql;
}

}  // namespace
