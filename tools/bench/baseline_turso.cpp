// The raw Turso ceiling: the SQLite loop of baseline_sqlite.cpp (same table, statements and BEGIN IMMEDIATE
// transactions) on Turso's C ABI through our thin RAII layer (src/turso/turso_engine.hpp), with no pgqrs
// policy in between. Turso has no recursive CTEs, so the seed uses generate_series.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "baselines.hpp"
#include "turso/turso_engine.hpp"

namespace pgqrs::bench {
namespace {

namespace turso = pgqrs::detail::turso;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class turso_connection final : public raw_connection {
 public:
  explicit turso_connection(const turso::database& db)
      : m_conn(db.connect()),
        m_begin(m_conn.prepare("BEGIN IMMEDIATE")),
        m_commit(m_conn.prepare("COMMIT")),
        m_claim(m_conn.prepare(
            "UPDATE raw_queue SET vt = ?1, read_ct = read_ct + 1 WHERE id IN (SELECT id FROM raw_queue WHERE "
            "archived_at IS NULL AND vt <= ?2 ORDER BY vt, id LIMIT ?3) RETURNING id, enqueued_at, payload")),
        m_ack(m_conn.prepare(
            "UPDATE raw_queue SET archived_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))")),
        m_enqueue(m_conn.prepare("INSERT INTO raw_queue (vt, enqueued_at, payload) VALUES (?1, ?1, ?2)")) {}

  std::vector<claimed> claim(std::size_t batch) override {
    std::vector<claimed> out;
    write_txn([&] {
      const auto t = now_us();
      m_claim.bind(1, t + 30'000'000);
      m_claim.bind(2, t);
      m_claim.bind(3, static_cast<std::int64_t>(batch));
      while (m_claim.step() == turso::step_result::row) {
        (void)m_claim.column_text(2);  // read the payload, as a consumer would
        out.push_back({m_claim.column_int64(0), m_claim.column_int64(1)});
      }
      m_claim.reset();
    });
    return out;
  }
  void ack(const std::vector<std::int64_t>& ids) override {
    std::string list = "[";
    for (std::size_t k = 0; k < ids.size(); ++k) list += (k ? "," : "") + std::to_string(ids[k]);
    list += "]";
    write_txn([&] {
      m_ack.bind(1, now_us());
      m_ack.bind_text(2, list);
      m_ack.execute();
      m_ack.reset();
    });
  }
  void enqueue(const std::string& json_payload) override {
    write_txn([&] {
      m_enqueue.bind(1, now_us());
      m_enqueue.bind_text(2, json_payload);
      m_enqueue.execute();
      m_enqueue.reset();
    });
  }

 private:
  /// BEGIN IMMEDIATE ... COMMIT; a busy BEGIN (another consumer writes) sleeps briefly and tries again.
  template <typename F>
  void write_txn(F&& body) {
    for (;;) {
      try {
        m_begin.execute();
        m_begin.reset();
        break;
      } catch (const turso::engine_error& e) {
        m_begin.reset();
        if (!e.busy()) throw;
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    body();
    m_commit.execute();
    m_commit.reset();
  }

  turso::connection m_conn;
  turso::statement m_begin;
  turso::statement m_commit;
  turso::statement m_claim;
  turso::statement m_ack;
  turso::statement m_enqueue;
};

class turso_queue final : public raw_queue {
 public:
  turso_queue(const std::string& dir, std::int64_t seed)
      : m_path(path_in(dir)), m_db(turso::open_options{m_path, false, {}, {}}) {
    auto setup = m_db.connect();
    setup.execute_script(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
        "CREATE TABLE raw_queue (id INTEGER PRIMARY KEY, vt INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, "
        "payload TEXT NOT NULL, read_ct INTEGER NOT NULL DEFAULT 0, archived_at INTEGER);"
        "CREATE INDEX raw_claim ON raw_queue (vt, id) WHERE archived_at IS NULL;");
    setup.execute_script(
        "INSERT INTO raw_queue (vt, enqueued_at, payload) SELECT (unixepoch() - 3600) * 1000000 + value, "
        "unixepoch() * 1000000, json_object('n', value, 'kind', 'bench', 'pad', substr(printf('%070d', 0), "
        "1, "
        "70)) FROM generate_series(1, " +
        std::to_string(seed) + ")");
  }
  ~turso_queue() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(m_path + suffix);
  }
  std::unique_ptr<raw_connection> connect() override { return std::make_unique<turso_connection>(m_db); }

 private:
  static std::string path_in(const std::string& dir) {
    std::filesystem::create_directories(dir);
    return dir + "/raw_turso_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand() % 100000) +
           ".db";
  }
  std::string m_path;
  turso::database m_db;
};

}  // namespace

std::unique_ptr<raw_queue> raw_turso_queue(const std::string& dir, std::int64_t seed) {
  return std::make_unique<turso_queue>(dir, seed);
}

}  // namespace pgqrs::bench
