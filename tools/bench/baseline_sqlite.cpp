#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "baselines.hpp"

namespace pgqrs::bench {
namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct db {
  sqlite3* h = nullptr;
  explicit db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &h) != SQLITE_OK)
      throw std::runtime_error("raw sqlite: cannot open " + path);
    sqlite3_busy_timeout(h, 5000);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
  }
  ~db() { sqlite3_close_v2(h); }
  db(const db&) = delete;
  db& operator=(const db&) = delete;
  void exec(const std::string& sql) const {
    char* err = nullptr;
    if (sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("raw sqlite: " + msg);
    }
  }
  sqlite3_stmt* prepare(const std::string& sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("raw sqlite prepare: ") + sqlite3_errmsg(h));
    }
    return s;
  }
  /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, retrying the whole transaction on SQLITE_BUSY.
  template <typename F>
  void write_txn(F&& body) const {
    for (;;) {
      if (sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) continue;
      body();
      if (sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return;
      sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
};

class sqlite_connection final : public raw_connection {
 public:
  explicit sqlite_connection(const std::string& path)
      : m_db(path),
        m_claim(m_db.prepare(
            "UPDATE raw_queue SET vt = ?1, read_ct = read_ct + 1 WHERE id IN (SELECT id FROM raw_queue WHERE "
            "archived_at IS NULL AND vt <= ?2 ORDER BY vt, id LIMIT ?3) RETURNING id, enqueued_at, payload")),
        m_ack(m_db.prepare(
            "UPDATE raw_queue SET archived_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))")),
        m_enqueue(m_db.prepare("INSERT INTO raw_queue (vt, enqueued_at, payload) VALUES (?1, ?1, ?2)")) {}
  ~sqlite_connection() override {
    for (auto* s : {m_claim, m_ack, m_enqueue}) sqlite3_finalize(s);
  }
  std::vector<claimed> claim(std::size_t batch) override {
    std::vector<claimed> out;
    m_db.write_txn([&] {
      out.clear();
      const auto t = now_us();
      sqlite3_bind_int64(m_claim, 1, t + 30'000'000);
      sqlite3_bind_int64(m_claim, 2, t);
      sqlite3_bind_int64(m_claim, 3, static_cast<sqlite3_int64>(batch));
      while (sqlite3_step(m_claim) == SQLITE_ROW) {
        (void)sqlite3_column_text(m_claim, 2);  // read the payload, as a consumer would
        out.push_back({sqlite3_column_int64(m_claim, 0), sqlite3_column_int64(m_claim, 1)});
      }
      sqlite3_reset(m_claim);
    });
    return out;
  }
  void ack(const std::vector<std::int64_t>& ids) override {
    std::string list = "[";
    for (std::size_t k = 0; k < ids.size(); ++k) list += (k ? "," : "") + std::to_string(ids[k]);
    list += "]";
    m_db.write_txn([&] {
      sqlite3_bind_int64(m_ack, 1, now_us());
      sqlite3_bind_text(m_ack, 2, list.c_str(), -1, nullptr);
      sqlite3_step(m_ack);
      sqlite3_reset(m_ack);
    });
  }
  void enqueue(const std::string& json_payload) override {
    m_db.write_txn([&] {
      sqlite3_bind_int64(m_enqueue, 1, now_us());
      sqlite3_bind_text(m_enqueue, 2, json_payload.c_str(), -1, nullptr);
      sqlite3_step(m_enqueue);
      sqlite3_reset(m_enqueue);
    });
  }

 private:
  db m_db;
  sqlite3_stmt* m_claim;
  sqlite3_stmt* m_ack;
  sqlite3_stmt* m_enqueue;
};

class sqlite_queue final : public raw_queue {
 public:
  sqlite_queue(const std::string& dir, std::int64_t seed) {
    std::filesystem::create_directories(dir);
    m_path = dir + "/raw_" + std::to_string(::getpid()) + "_" + std::to_string(rand() % 100000) + ".db";
    db setup(m_path);
    setup.exec(
        "CREATE TABLE raw_queue (id INTEGER PRIMARY KEY, vt INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, "
        "payload TEXT NOT NULL, read_ct INTEGER NOT NULL DEFAULT 0, archived_at INTEGER);"
        "CREATE INDEX raw_claim ON raw_queue (vt, id) WHERE archived_at IS NULL;");
    setup.exec(
        "WITH RECURSIVE gen(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM gen WHERE g < " +
        std::to_string(seed) +
        ") INSERT INTO raw_queue (vt, enqueued_at, payload) SELECT (unixepoch() - 3600) * 1000000 + g, "
        "unixepoch() * 1000000, json_object('n', g, 'kind', 'bench', 'pad', substr(printf('%070d', 0), 1, "
        "70)) "
        "FROM gen");
  }
  ~sqlite_queue() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(m_path + suffix);
  }
  std::unique_ptr<raw_connection> connect() override { return std::make_unique<sqlite_connection>(m_path); }

 private:
  std::string m_path;
};

}  // namespace

std::unique_ptr<raw_queue> raw_sqlite_queue(const std::string& dir, std::int64_t seed) {
  return std::make_unique<sqlite_queue>(dir, seed);
}

}  // namespace pgqrs::bench
