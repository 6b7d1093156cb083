// Raw-SQL ceiling for a 3-step durable workflow run, on the library's own tables (same schema, indexes and
// durability), written by hand through libpq / sqlite3:
//   1. one transaction: claim one message (SKIP LOCKED on PostgreSQL) + upsert its run RUNNING + read its steps
//   2. per step: one INSERT of the step's result in its own transaction
//   3. one transaction: complete the run + move the message to the archive
// What it leaves out compared to the library: fencing (the lease check before each step write), lease
// renewal, heartbeats, worker registration, retries, cancellation checks. One connection per thread.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "baselines.hpp"
#include "bench.hpp"

namespace pgqrs::bench {
namespace {

// ---------------------------------------------------------------- PostgreSQL

class pg_conn {
 public:
  explicit pg_conn(const std::string& dsn) : m_conn(PQconnectdb(dsn.c_str())) {
    if (PQstatus(m_conn) != CONNECTION_OK) throw std::runtime_error(std::string("raw libpq: ") + PQerrorMessage(m_conn));
    PQsetNoticeProcessor(
        m_conn, [](void*, const char*) {}, nullptr);
  }
  ~pg_conn() { PQfinish(m_conn); }
  pg_conn(const pg_conn&) = delete;
  pg_conn& operator=(const pg_conn&) = delete;

  void prepare(const char* name, const std::string& sql) {
    PGresult* r = PQprepare(m_conn, name, sql.c_str(), 0, nullptr);
    check(r, "prepare " + std::string(name));
    PQclear(r);
  }
  void exec(const char* sql) {
    PGresult* r = PQexec(m_conn, sql);
    check(r, sql);
    PQclear(r);
  }
  /// Runs a prepared statement; the caller PQclear()s the result.
  PGresult* run(const char* name, std::initializer_list<const char*> params) {
    std::vector<const char*> p(params);
    PGresult* r = PQexecPrepared(m_conn, name, static_cast<int>(p.size()), p.data(), nullptr, nullptr, 0);
    check(r, name);
    return r;
  }

 private:
  void check(PGresult* r, const std::string& what) {
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      std::string err = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("raw libpq " + what + ": " + err);
    }
  }
  PGconn* m_conn;
};

void pg_worker(const raw_workflow_target& t, std::atomic<long>& done) {
  pg_conn c(t.pg_dsn);
  const std::string s = "\"" + t.schema + "\".";
  c.prepare("claim",
            "UPDATE " + s + "pgqrs_messages m SET vt = now() + interval '30 seconds', read_ct = m.read_ct + 1, "
            "dequeued_at = COALESCE(m.dequeued_at, now()) FROM (SELECT id FROM " + s +
            "pgqrs_messages WHERE queue_id = $1::bigint AND vt <= now() ORDER BY vt, id LIMIT 1 FOR UPDATE SKIP "
            "LOCKED) c WHERE m.id = c.id RETURNING m.id, m.payload");
  c.prepare("run_upsert",
            "INSERT INTO " + s + "pgqrs_workflow_runs AS r (workflow_id, message_id, status, input, created_at, "
            "updated_at, started_at) VALUES ($1::bigint, $2::bigint, 'RUNNING', $3::jsonb, now(), now(), now()) "
            "ON CONFLICT (message_id) DO UPDATE SET status = 'RUNNING', updated_at = now() RETURNING id");
  c.prepare("steps", "SELECT step_name, status::text, output FROM " + s +
                         "pgqrs_workflow_steps WHERE run_id = $1::bigint ORDER BY id");
  c.prepare("step_insert",
            "INSERT INTO " + s + "pgqrs_workflow_steps (run_id, step_name, status, output, created_at, updated_at, "
            "started_at, completed_at) VALUES ($1::bigint, $2::text, 'SUCCESS', $3::jsonb, now(), now(), now(), "
            "now())");
  c.prepare("run_finish", "UPDATE " + s + "pgqrs_workflow_runs SET status = 'SUCCESS', output = $2::jsonb, "
                          "completed_at = now(), updated_at = now() WHERE id = $1::bigint");
  c.prepare("archive",
            "WITH moved AS (DELETE FROM " + s + "pgqrs_messages WHERE id = $1::bigint RETURNING id, queue_id, "
            "payload, vt, enqueued_at, read_ct, dequeued_at, producer_worker_id, consumer_worker_id) INSERT INTO " +
                s + "pgqrs_archive (id, queue_id, payload, vt, enqueued_at, read_ct, dequeued_at, "
                "producer_worker_id, consumer_worker_id, archived_at) SELECT *, now() FROM moved");
  const std::string queue = std::to_string(t.queue_id);
  const std::string wf = std::to_string(t.workflow_id);
  for (;;) {
    c.exec("BEGIN");
    PGresult* m = c.run("claim", {queue.c_str()});
    if (PQntuples(m) == 0) {
      PQclear(m);
      c.exec("COMMIT");
      return;
    }
    const std::string msg_id = PQgetvalue(m, 0, 0);
    const std::string payload = PQgetvalue(m, 0, 1);
    PQclear(m);
    PGresult* r = c.run("run_upsert", {wf.c_str(), msg_id.c_str(), payload.c_str()});
    const std::string run_id = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQclear(c.run("steps", {run_id.c_str()}));
    c.exec("COMMIT");

    // The same three steps as the library's workflow: x + 1, * 10, to string.
    const int x = json::parse(payload).at("input").at("x").get<int>();
    const std::string a = std::to_string(x + 1);
    PQclear(c.run("step_insert", {run_id.c_str(), "a", a.c_str()}));
    const std::string b = std::to_string((x + 1) * 10);
    PQclear(c.run("step_insert", {run_id.c_str(), "b", b.c_str()}));
    const std::string cv = json(b).dump();
    PQclear(c.run("step_insert", {run_id.c_str(), "c", cv.c_str()}));

    const std::string out = json{{"result", b}}.dump();
    c.exec("BEGIN");
    PQclear(c.run("run_finish", {run_id.c_str(), out.c_str()}));
    PQclear(c.run("archive", {msg_id.c_str()}));
    c.exec("COMMIT");
    ++done;
  }
}

// ---------------------------------------------------------------- SQLite

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class lite_conn {
 public:
  explicit lite_conn(const std::string& path) {
    if (sqlite3_open(path.c_str(), &m_db) != SQLITE_OK) throw std::runtime_error("raw sqlite: cannot open " + path);
    sqlite3_busy_timeout(m_db, 5000);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
  }
  ~lite_conn() {
    for (auto* st : m_stmts) sqlite3_finalize(st);
    sqlite3_close_v2(m_db);
  }
  lite_conn(const lite_conn&) = delete;
  lite_conn& operator=(const lite_conn&) = delete;
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("raw sqlite: " + msg);
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("raw sqlite prepare: ") + sqlite3_errmsg(m_db));
    }
    m_stmts.push_back(st);
    return st;
  }
  void step_done(sqlite3_stmt* st) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error(std::string("raw sqlite: ") + sqlite3_errmsg(m_db));
  }

 private:
  sqlite3* m_db = nullptr;
  std::vector<sqlite3_stmt*> m_stmts;
};

void bind_text(sqlite3_stmt* st, int i, const std::string& v) {
  sqlite3_bind_text(st, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

void lite_worker(const raw_workflow_target& t, std::mutex& write_mutex, std::atomic<long>& done) {
  lite_conn c(t.sqlite_path);
  auto* claim = c.prepare(
      "UPDATE pgqrs_messages SET vt = ?1, read_ct = read_ct + 1, dequeued_at = COALESCE(dequeued_at, ?2) WHERE id = "
      "(SELECT id FROM pgqrs_messages WHERE queue_id = ?3 AND archived_at IS NULL AND vt <= ?2 ORDER BY vt, id LIMIT 1) "
      "RETURNING id, "
      "payload");
  auto* upsert = c.prepare(
      "INSERT INTO pgqrs_workflow_runs (workflow_id, message_id, status, input, created_at, updated_at, started_at) "
      "VALUES (?1, ?2, 'RUNNING', ?3, ?4, ?4, ?4) ON CONFLICT (message_id) DO UPDATE SET status = 'RUNNING', "
      "updated_at = ?4 RETURNING id");
  auto* steps = c.prepare("SELECT step_name, status, output FROM pgqrs_workflow_steps WHERE run_id = ?1 ORDER BY id");
  auto* step_insert = c.prepare(
      "INSERT INTO pgqrs_workflow_steps (run_id, step_name, status, output, created_at, updated_at, started_at, "
      "completed_at) VALUES (?1, ?2, 'SUCCESS', ?3, ?4, ?4, ?4, ?4)");
  auto* finish = c.prepare(
      "UPDATE pgqrs_workflow_runs SET status = 'SUCCESS', output = ?2, completed_at = ?3, updated_at = ?3 WHERE id = "
      "?1");
  // Archived in place, as the library does on the SQLite family (sql/sqlite/migrations/0005_archive_in_place.sql).
  auto* archive = c.prepare("UPDATE pgqrs_messages SET archived_at = ?2 WHERE id = ?1");
  // Writers of this process queue on one mutex (as the library does) instead of spinning on SQLITE_BUSY.
  auto write_txn = [&](auto&& body) {
    std::lock_guard lock(write_mutex);
    c.exec("BEGIN IMMEDIATE");
    try {
      body();
    } catch (...) {
      c.exec("ROLLBACK");
      throw;
    }
    c.exec("COMMIT");
  };
  for (;;) {
    std::int64_t msg_id = 0;
    std::int64_t run_id = 0;
    std::string payload;
    write_txn([&] {
      const auto t0 = now_us();
      sqlite3_bind_int64(claim, 1, t0 + 30'000'000);
      sqlite3_bind_int64(claim, 2, t0);
      sqlite3_bind_int64(claim, 3, t.queue_id);
      if (sqlite3_step(claim) == SQLITE_ROW) {
        msg_id = sqlite3_column_int64(claim, 0);
        payload = reinterpret_cast<const char*>(sqlite3_column_text(claim, 1));
      }
      sqlite3_reset(claim);
      if (msg_id == 0) return;
      sqlite3_bind_int64(upsert, 1, t.workflow_id);
      sqlite3_bind_int64(upsert, 2, msg_id);
      bind_text(upsert, 3, payload);
      sqlite3_bind_int64(upsert, 4, t0);
      if (sqlite3_step(upsert) == SQLITE_ROW) run_id = sqlite3_column_int64(upsert, 0);
      sqlite3_reset(upsert);
      sqlite3_bind_int64(steps, 1, run_id);
      while (sqlite3_step(steps) == SQLITE_ROW) (void)sqlite3_column_text(steps, 2);
      sqlite3_reset(steps);
    });
    if (msg_id == 0) return;
    const int x = json::parse(payload).at("input").at("x").get<int>();
    const std::string b = std::to_string((x + 1) * 10);
    for (const auto& [name, value] :
         {std::pair<const char*, std::string>{"a", std::to_string(x + 1)}, {"b", b}, {"c", json(b).dump()}}) {
      write_txn([&] {
        sqlite3_bind_int64(step_insert, 1, run_id);
        sqlite3_bind_text(step_insert, 2, name, -1, SQLITE_STATIC);
        bind_text(step_insert, 3, value);
        sqlite3_bind_int64(step_insert, 4, now_us());
        c.step_done(step_insert);
      });
    }
    const std::string out = json{{"result", b}}.dump();
    write_txn([&] {
      const auto t1 = now_us();
      sqlite3_bind_int64(finish, 1, run_id);
      bind_text(finish, 2, out);
      sqlite3_bind_int64(finish, 3, t1);
      c.step_done(finish);
      sqlite3_bind_int64(archive, 1, msg_id);
      sqlite3_bind_int64(archive, 2, t1);
      c.step_done(archive);
    });
    ++done;
  }
}

}  // namespace

double raw_workflow_drain(const raw_workflow_target& t, int workers, std::atomic<long>& done) {
  std::mutex write_mutex;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const double secs = seconds_of([&] {
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) {
      threads.emplace_back([&] {
        try {
          if (t.backend == "postgres") {
            pg_worker(t, done);
          } else {
            lite_worker(t, write_mutex, done);
          }
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
      });
    }
    for (auto& th : threads) th.join();
  });
  if (failure) std::rethrow_exception(failure);
  return secs;
}

}  // namespace pgqrs::bench
