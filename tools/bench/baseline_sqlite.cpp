#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "baselines.hpp"
#include "bench.hpp"

namespace pgqrs::bench {
namespace {

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
};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Steps a write statement inside BEGIN IMMEDIATE ... COMMIT, retrying the whole transaction on SQLITE_BUSY.
template <typename F>
void write_txn(const db& d, F&& body) {
  for (;;) {
    if (sqlite3_exec(d.h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) continue;
    body();
    if (sqlite3_exec(d.h, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return;
    sqlite3_exec(d.h, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace

double raw_sqlite_drain(const std::string& dir, std::int64_t messages, int consumers, std::size_t batch,
                        std::atomic<long>& done) {
  std::filesystem::create_directories(dir);
  const std::string path =
      dir + "/raw_" + std::to_string(::getpid()) + "_" + std::to_string(rand() % 100000) + ".db";
  {
    db setup(path);
    setup.exec(
        "CREATE TABLE raw_queue (id INTEGER PRIMARY KEY, vt INTEGER NOT NULL, payload TEXT NOT NULL, "
        "read_ct INTEGER NOT NULL DEFAULT 0, archived_at INTEGER);"
        "CREATE INDEX raw_claim ON raw_queue (vt, id) WHERE archived_at IS NULL;");
    setup.exec("WITH RECURSIVE gen(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM gen WHERE g < " +
               std::to_string(messages) +
               ") INSERT INTO raw_queue (vt, payload) SELECT (unixepoch() - 3600) * 1000000 + g, "
               "json_object('n', g, "
               "'kind', 'bench', 'pad', substr(printf('%070d', 0), 1, 70)) FROM gen");
  }
  std::vector<std::unique_ptr<db>> conns;
  for (int i = 0; i < consumers; ++i) conns.push_back(std::make_unique<db>(path));
  const double secs = seconds_of([&] {
    std::vector<std::thread> threads;
    for (int i = 0; i < consumers; ++i) {
      threads.emplace_back([&, i] {
        const db& d = *conns[static_cast<std::size_t>(i)];
        sqlite3_stmt* claim = d.prepare(
            "UPDATE raw_queue SET vt = ?1, read_ct = read_ct + 1 WHERE id IN (SELECT id FROM raw_queue WHERE "
            "archived_at IS NULL AND vt <= ?2 ORDER BY vt, id LIMIT ?3) RETURNING id, payload");
        sqlite3_stmt* ack =
            d.prepare("UPDATE raw_queue SET archived_at = ?1 WHERE id IN (SELECT value FROM json_each(?2))");
        std::string ids;
        for (;;) {
          int rows = 0;
          write_txn(d, [&] {
            rows = 0;
            ids = "[";
            const auto t = now_us();
            sqlite3_bind_int64(claim, 1, t + 30'000'000);
            sqlite3_bind_int64(claim, 2, t);
            sqlite3_bind_int64(claim, 3, static_cast<sqlite3_int64>(batch));
            while (sqlite3_step(claim) == SQLITE_ROW) {
              if (rows++) ids += ',';
              ids += std::to_string(sqlite3_column_int64(claim, 0));
              (void)sqlite3_column_text(claim, 1);  // read the payload, as a consumer would
            }
            sqlite3_reset(claim);
            ids += "]";
          });
          if (rows == 0) break;
          write_txn(d, [&] {
            sqlite3_bind_int64(ack, 1, now_us());
            sqlite3_bind_text(ack, 2, ids.c_str(), -1, nullptr);
            sqlite3_step(ack);
            sqlite3_reset(ack);
          });
          done += rows;
        }
        sqlite3_finalize(claim);
        sqlite3_finalize(ack);
      });
    }
    for (auto& th : threads) th.join();
  });
  conns.clear();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return secs;
}

}  // namespace pgqrs::bench
