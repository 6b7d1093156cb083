// How much of our SQLite SQL (sql/sqlite, embedded in the library) Turso runs. Differential: every
// migration and every statement of every named query runs on Turso and on libsqlite3 over the same seeded
// database, with the same parameters, and must give the same rows. Statements Turso cannot run are listed in
// k_known_failures with Turso's exact error, so that a Turso upgrade that fixes (or breaks) one is noticed.
// The findings are written up in docs/turso-compat.md.

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/db/sql_catalog.hpp"
#include "turso_test_support.hpp"

namespace {

namespace engine = pgqrs::detail::turso;
using pgqrs::detail::sql_catalog;

/// A bound parameter: integer, text, or NULL.
using param = std::variant<std::monostate, std::int64_t, std::string>;

/// Statements Turso 0.8.3 cannot run: "<query name>#<statement number, 1-based>" -> Turso's exact message.
/// Empty when everything works; an entry here that starts to pass fails the test (so remove it).
const std::map<std::string, std::string> k_known_failures = {};

/// The names of all sqlite queries, in file order (the catalog has lookup by name only).
std::vector<std::string> sqlite_query_names() {
  std::vector<std::string> names;
  constexpr std::string_view marker = "-- name:";
  for (const auto& file : pgqrs::detail::embedded_sql_files()) {
    if (!std::string_view(file.path).starts_with("sqlite/queries/")) continue;
    std::string_view text = file.text;
    for (std::size_t pos = text.find(marker); pos != std::string_view::npos;
         pos = text.find(marker, pos + 1)) {
      std::size_t end = text.find('\n', pos);
      std::string_view name = text.substr(pos + marker.size(), end - pos - marker.size());
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\r')) name.remove_suffix(1);
      names.emplace_back(name);
    }
  }
  return names;
}

/// Rows shared by both engines. Times are plain integers (the library passes its own clock).
constexpr const char* k_seed = R"sql(
INSERT INTO pgqrs_queues (id, queue_name, created_at) VALUES (1, 'q1', 100), (2, 'q2', 200);
INSERT INTO pgqrs_workers (id, name, queue_id, started_at, heartbeat_at, shutdown_at, status) VALUES
  (1, 'w1', 1, 100, 100, NULL, 'ready'),
  (2, 'w2', 1, 100, 100, 150, 'stopped'),
  (3, 'w3', NULL, 100, 100, NULL, 'polling');
INSERT INTO pgqrs_messages (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id,
                            consumer_worker_id) VALUES
  (1, 1, '{"n":1}', 500, 10, 1, 20, 1, 1),
  (2, 1, '{"n":2}', 500, 11, 1, 20, 1, 1),
  (3, 1, '{"n":3}', 1, 12, 0, NULL, 1, NULL),
  (4, 1, '{"n":4}', 2, 13, 0, NULL, NULL, NULL),
  (5, 2, '{"n":5}', 1, 14, 3, 30, NULL, 3);
INSERT INTO pgqrs_messages (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id,
                            consumer_worker_id, archived_at) VALUES
  (10, 1, '{"n":10}', 5, 1, 1, 2, 1, 1, 600),
  (11, 2, '{"n":11}', 5, 1, 1, 2, NULL, 3, 601);
INSERT INTO pgqrs_workflows (id, name, queue_id, created_at) VALUES (1, 'wf', 1, 100);
INSERT INTO pgqrs_workflow_runs (id, workflow_id, message_id, status, input, created_at, updated_at) VALUES
  (1, 1, 1, 'RUNNING', '{}', 100, 100);
INSERT INTO pgqrs_workflow_steps (id, run_id, step_name, status, created_at, updated_at, retry_at) VALUES
  (1, 1, 's1', 'SUCCESS', 100, 100, NULL), (2, 1, 's2', 'ERROR', 100, 100, 900);
INSERT INTO pgqrs_schema_version (version, description, applied_at) VALUES (1, 'queue_tables', 1), (2, 'workflow_tables', 1);
)sql";

/// Parameters that make a query do real work on the seed rows (?1.. in order). Queries not listed get the
/// default: a JSON id list for a `json_each(?N)` slot, else the integer 1.
const std::map<std::string, std::vector<param>>& k_params() {
  static const std::map<std::string, std::vector<param>> params = {
      {"message_insert",
       {std::int64_t{1}, std::string(R"({"a":1})"), std::int64_t{7}, std::int64_t{7}, std::int64_t{1}}},
      {"message_claim",
       {std::int64_t{1}, std::int64_t{1000}, std::int64_t{10}, std::int64_t{2000}, std::int64_t{100},
        std::int64_t{1}, std::monostate{}}},
      {"message_archive", {std::string("[1,2,3]"), std::int64_t{1}, std::int64_t{800}}},
      {"message_archive_ids", {std::string("[1,2,3]"), std::int64_t{1}, std::int64_t{800}}},
      {"message_extend", {std::string("[1,2]"), std::int64_t{1}, std::int64_t{60}}},
      {"message_renew_lease", {std::string("[1,2]"), std::int64_t{1}, std::int64_t{700}}},
      {"message_release", {std::string("[1,2]"), std::int64_t{1}, std::int64_t{900}}},
      {"message_release_by_consumer", {std::int64_t{1}, std::int64_t{900}}},
      {"message_get_many", {std::string("[1,3,10,99]")}},
      {"message_list_by_queue", {std::int64_t{1}, std::int64_t{3}}},
      {"message_count_claimable", {std::int64_t{1}, std::int64_t{100}, std::int64_t{5}}},
      {"message_count_held", {std::int64_t{1}, std::int64_t{1}, std::int64_t{100}}},
      {"message_update_payload", {std::int64_t{3}, std::string(R"({"b":2})")}},
      {"message_list_poison", {std::int64_t{3}}},
      {"message_dead_letter_ids", {std::string("[1,2,3]"), std::int64_t{3}, std::int64_t{800}, std::int64_t{1}}},
      {"message_replay", {std::int64_t{10}, std::int64_t{700}}},
      {"queue_insert", {std::string("q3"), std::int64_t{300}}},
      {"queue_get_by_name", {std::string("q1")}},
      {"schema_version_insert", {std::int64_t{3}, std::string("test"), std::int64_t{5}}},
      {"table_exists", {std::string("main"), std::string("pgqrs_queues")}},
      {"worker_insert", {std::string("w9"), std::int64_t{1}, std::int64_t{300}}},
      {"worker_reactivate", {std::int64_t{2}, std::int64_t{2}, std::int64_t{900}}},
      {"worker_get_by_name", {std::string("w1")}},
      {"worker_transition",
       {std::int64_t{1}, std::string("stopped"), std::int64_t{500}, std::string(R"(["ready","polling"])")}},
      {"worker_heartbeat", {std::int64_t{1}, std::int64_t{999}}},
      {"worker_list_zombies", {std::int64_t{1}, std::int64_t{1000}}},
      {"worker_purge_stopped", {std::int64_t{1000}}},
      {"worker_stats", {std::int64_t{1}, std::int64_t{100}}},
      {"worker_health_by_queue", {std::int64_t{1000}}},
      {"worker_health_global", {std::int64_t{1000}}},
  };
  return params;
}

param param_for(const std::string& query, const std::string& sql, std::size_t index) {
  auto it = k_params().find(query);
  if (it != k_params().end() && index <= it->second.size()) return it->second[index - 1];
  if (sql.find("json_each(?" + std::to_string(index) + ")") != std::string::npos)
    return std::string("[1,2,10]");
  return std::int64_t{1};
}

/// One result row, each value rendered with its storage class ("i:1", "t:abc", "b:00FF", "r:1.5", "n").
using row = std::vector<std::string>;

std::string hex(const unsigned char* p, std::size_t n) {
  std::ostringstream out;
  for (std::size_t i = 0; i < n; ++i)
    out << std::hex << std::uppercase << std::setw(2) << std::setfill('0') << int(p[i]);
  return out.str();
}

std::string real_text(double v) {
  std::ostringstream out;
  out << std::setprecision(17) << v;
  return out.str();
}

/// Outcome of one statement on one engine: its rows, or the error message.
struct outcome {
  std::vector<row> rows;
  std::optional<std::string> error;
  std::int64_t changes = 0;
};

// ---------------------------------------------------------------- the two engines

class turso_side {
 public:
  explicit turso_side(const std::string& path) : m_db(path), m_conn(m_db.connect()) {
    m_conn.execute("PRAGMA foreign_keys = ON");
  }
  engine::connection& conn() { return m_conn; }

  /// Prepare only: nullopt, or Turso's message.
  std::optional<std::string> prepare(const std::string& sql) {
    try {
      (void)m_conn.prepare(sql);
      return std::nullopt;
    } catch (const engine::engine_error& e) {
      return e.engine_message();
    }
  }

  outcome run(const std::string& query, const std::string& sql) {
    outcome out;
    try {
      auto stmt = m_conn.prepare(sql);
      for (std::size_t i = 1; i <= stmt.parameter_count(); ++i) {
        const param p = param_for(query, sql, i);
        if (std::holds_alternative<std::int64_t>(p))
          stmt.bind(i, std::get<std::int64_t>(p));
        else if (std::holds_alternative<std::string>(p))
          stmt.bind_text(i, std::get<std::string>(p));
        else
          stmt.bind_null(i);
      }
      while (stmt.step() == engine::step_result::row) {
        row r;
        for (std::size_t c = 0; c < stmt.column_count(); ++c) {
          switch (stmt.column_type(c)) {
            case engine::value_type::integer:
              r.push_back("i:" + std::to_string(stmt.column_int64(c)));
              break;
            case engine::value_type::real:
              r.push_back("r:" + real_text(stmt.column_double(c)));
              break;
            case engine::value_type::text:
              r.push_back("t:" + std::string(stmt.column_text(c)));
              break;
            case engine::value_type::blob: {
              auto b = stmt.column_blob(c);
              r.push_back("b:" + hex(reinterpret_cast<const unsigned char*>(b.data()), b.size()));
              break;
            }
            case engine::value_type::null:
              r.push_back("n");
              break;
          }
        }
        out.rows.push_back(std::move(r));
      }
      out.changes = stmt.changes();
    } catch (const engine::engine_error& e) {
      out.error = e.engine_message();
    }
    return out;
  }

 private:
  engine::database m_db;
  engine::connection m_conn;
};

class sqlite_side {
 public:
  explicit sqlite_side(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &m_db), SQLITE_OK);
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA foreign_keys = ON");
  }
  ~sqlite_side() { sqlite3_close(m_db); }
  sqlite_side(const sqlite_side&) = delete;
  sqlite_side& operator=(const sqlite_side&) = delete;

  std::optional<std::string> exec(const std::string& sql) {
    char* err = nullptr;
    std::optional<std::string> out;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) out = err ? err : "error";
    sqlite3_free(err);
    return out;
  }

  outcome run(const std::string& query, const std::string& sql) {
    outcome out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      out.error = sqlite3_errmsg(m_db);
      return out;
    }
    for (int i = 1; i <= sqlite3_bind_parameter_count(stmt); ++i) {
      const param p = param_for(query, sql, static_cast<std::size_t>(i));
      if (std::holds_alternative<std::int64_t>(p))
        sqlite3_bind_int64(stmt, i, std::get<std::int64_t>(p));
      else if (std::holds_alternative<std::string>(p))
        sqlite3_bind_text(stmt, i, std::get<std::string>(p).c_str(), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null(stmt, i);
    }
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      row r;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            r.push_back("i:" + std::to_string(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            r.push_back("r:" + real_text(sqlite3_column_double(stmt, c)));
            break;
          case SQLITE_TEXT:
            r.push_back("t:" + std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                                           static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
            break;
          case SQLITE_BLOB:
            r.push_back("b:" + hex(static_cast<const unsigned char*>(sqlite3_column_blob(stmt, c)),
                                   static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
            break;
          default:
            r.push_back("n");
            break;
        }
      }
      out.rows.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) out.error = sqlite3_errmsg(m_db);
    out.changes = sqlite3_changes(m_db);
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* m_db = nullptr;
};

std::string show(const std::vector<row>& rows) {
  std::string out;
  for (const auto& r : rows) {
    out += "  (";
    for (std::size_t i = 0; i < r.size(); ++i) out += (i ? ", " : "") + r[i];
    out += ")\n";
  }
  return out.empty() ? "  (no rows)\n" : out;
}

/// Row order is only part of the contract for a SELECT with a top-level ORDER BY; RETURNING order and
/// unordered SELECTs are compared as multisets.
bool order_matters(const std::string& sql) {
  const bool is_select = sql.rfind("SELECT", 0) == 0;
  const std::size_t order = sql.rfind("ORDER BY");
  return is_select && order != std::string::npos && sql.find(')', order) == std::string::npos;
}

class turso_compat : public pgqrs::test::turso::temp_dir_test {
 protected:
  /// Applies every migration the way install() does (one BEGIN IMMEDIATE transaction per migration).
  static void migrate_turso(engine::connection& conn, const sql_catalog& catalog) {
    conn.execute_script(catalog.query("schema_version_create").statements.front());
    for (const auto& m : catalog.migrations()) {
      SCOPED_TRACE("migration " + std::to_string(m.version) + "_" + m.description);
      conn.execute("BEGIN IMMEDIATE");
      EXPECT_NO_THROW(conn.execute_script(m.script));
      conn.execute("COMMIT");
    }
  }

  sql_catalog m_catalog{"sqlite", "main"};
};

// ---------------------------------------------------------------- tests

TEST_F(turso_compat, every_sqlite_migration_applies_and_gives_the_same_schema) {
  turso_side turso(path("turso.db"));
  try {
    migrate_turso(turso.conn(), m_catalog);
  } catch (const engine::engine_error& e) {
    FAIL() << e.what();
  }
  sqlite_side lite(path("sqlite.db"));
  lite.exec(m_catalog.query("schema_version_create").statements.front());
  for (const auto& m : m_catalog.migrations()) ASSERT_EQ(lite.exec(m.script), std::nullopt);
  // Same tables, indexes (including the partial one) and columns, apart from Turso's own bookkeeping: for
  // every AUTOINCREMENT table it adds a table "__turso_internal_seq___turso_internal_autoincrement_<table>"
  // to sqlite_master (it still keeps and honours sqlite_sequence, so ids interoperate with libsqlite3).
  const std::string schema_sql =
      "SELECT type, name, tbl_name, sql IS NULL FROM sqlite_master"
      " WHERE substr(name, 1, 17) <> '__turso_internal_' ORDER BY name";
  EXPECT_EQ(show(turso.run("schema", schema_sql).rows), show(lite.run("schema", schema_sql).rows));
  const std::string internal_sql =
      "SELECT substr(name, 53) FROM sqlite_master WHERE substr(name, 1, 17) = '__turso_internal_' ORDER BY "
      "name";
  EXPECT_EQ(show(turso.run("internal", internal_sql).rows),
            "  (t:pgqrs_messages)\n  (t:pgqrs_queues)\n  (t:pgqrs_workers)\n  (t:pgqrs_workflow_runs)\n"
            "  (t:pgqrs_workflow_steps)\n  (t:pgqrs_workflows)\n");
  // sqlite_master.sql is Turso's re-rendering of the statement (one line, its own spacing), not our text:
  // nothing may compare schema SQL text across engines.
  const std::string queues_sql = "SELECT sql FROM sqlite_master WHERE name = 'pgqrs_queues'";
  EXPECT_EQ(
      show(turso.run("sql", queues_sql).rows),
      "  (t:CREATE TABLE pgqrs_queues (id INTEGER PRIMARY KEY AUTOINCREMENT, queue_name TEXT NOT NULL UNIQUE,"
      " created_at INTEGER NOT NULL))\n");
  for (const char* table :
       {"pgqrs_queues", "pgqrs_workers", "pgqrs_messages", "pgqrs_archive", "pgqrs_workflows",
        "pgqrs_workflow_runs", "pgqrs_workflow_steps", "pgqrs_schema_version"}) {
    const std::string columns =
        std::string("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('") + table +
        "') ORDER BY cid";
    auto t = turso.run("columns", columns);
    EXPECT_EQ(t.error, std::nullopt) << table;
    EXPECT_EQ(show(t.rows), show(lite.run("columns", columns).rows)) << table;
  }
}

TEST_F(turso_compat, every_sqlite_query_prepares) {
  turso_side turso(path());
  migrate_turso(turso.conn(), m_catalog);
  const auto names = sqlite_query_names();
  ASSERT_GT(names.size(), 50U);
  std::size_t statements = 0;
  for (const auto& name : names) {
    const auto& q = m_catalog.query(name);
    for (std::size_t i = 0; i < q.statements.size(); ++i, ++statements) {
      const std::string key = name + "#" + std::to_string(i + 1);
      const auto error = turso.prepare(q.statements[i]);
      auto known = k_known_failures.find(key);
      if (known == k_known_failures.end()) {
        EXPECT_EQ(error, std::nullopt) << key << "\n" << q.statements[i];
      } else {
        EXPECT_EQ(error, known->second) << key << " (listed in k_known_failures)";
      }
    }
  }
  std::cout << "[turso_compat] " << names.size() << " queries, " << statements << " statements prepared\n";
}

TEST_F(turso_compat, every_sqlite_query_gives_the_same_rows_as_libsqlite3) {
  turso_side turso(path("turso.db"));
  migrate_turso(turso.conn(), m_catalog);
  turso.conn().execute_script(k_seed);
  sqlite_side lite(path("sqlite.db"));
  lite.exec(m_catalog.query("schema_version_create").statements.front());
  for (const auto& m : m_catalog.migrations()) ASSERT_EQ(lite.exec(m.script), std::nullopt);
  ASSERT_EQ(lite.exec(k_seed), std::nullopt);

  std::size_t compared = 0;
  std::size_t with_rows = 0;
  std::size_t errors_compared = 0;
  for (const auto& name : sqlite_query_names()) {
    const auto& q = m_catalog.query(name);
    // Like the driver: the statements of one query run in one write transaction. Rolled back afterwards so
    // every query sees the same seed rows.
    turso.conn().execute("BEGIN IMMEDIATE");
    ASSERT_EQ(lite.exec("BEGIN IMMEDIATE"), std::nullopt);
    for (std::size_t i = 0; i < q.statements.size(); ++i) {
      const std::string key = name + "#" + std::to_string(i + 1);
      SCOPED_TRACE(key + "\n" + q.statements[i]);
      outcome t = turso.run(name, q.statements[i]);
      outcome s = lite.run(name, q.statements[i]);
      auto known = k_known_failures.find(key);
      if (known != k_known_failures.end()) {
        EXPECT_EQ(t.error, known->second) << "listed in k_known_failures";
        continue;
      }
      // A statement the seed makes fail (e.g. a foreign key) must fail the same way on both.
      EXPECT_EQ(t.error, s.error);
      if (s.error) ++errors_compared;
      if (t.error || s.error) continue;
      if (!order_matters(q.statements[i])) {
        std::sort(t.rows.begin(), t.rows.end());
        std::sort(s.rows.begin(), s.rows.end());
      }
      EXPECT_EQ(show(t.rows), show(s.rows));
      const std::string& sql = q.statements[i];
      if (sql.rfind("INSERT", 0) == 0 || sql.rfind("UPDATE", 0) == 0 || sql.rfind("DELETE", 0) == 0) {
        EXPECT_EQ(t.changes, s.changes) << "rows changed";  // sqlite3_changes() keeps its value over SELECTs
      }
      ++compared;
      if (!s.rows.empty()) ++with_rows;
    }
    turso.conn().execute("ROLLBACK");
    ASSERT_EQ(lite.exec("ROLLBACK"), std::nullopt);
  }
  std::cout << "[turso_compat] " << compared << " statements compared with libsqlite3, " << with_rows
            << " of them returning rows; " << errors_compared << " failing the same way on both\n";
  EXPECT_GT(with_rows, 40U);  // the seed must make the comparison mean something
}

}  // namespace
