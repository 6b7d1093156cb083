// A second process for turso_engine_test's cross-process cases: opens a database file the test process
// already holds and reports what happened on stdout as one line ("ok ..." or "error <STATUS> <message>").
//
//   turso_probe turso-read  <path> [features|-] [busy_ms]   open, connect, count sqlite_master rows
//   turso_probe turso-write <path> [features|-] [busy_ms]   BEGIN IMMEDIATE; INSERT INTO probe ...; COMMIT
//   turso_probe sqlite-read <path>                           the same read through libsqlite3
// features: Turso experimental features ("-" for none); busy_ms: the connection's busy timeout (2000).
//
// Exit status: 0 on success, 1 on a reported failure, 2 on bad usage.

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "turso/turso_engine.hpp"

namespace turso = pgqrs::detail::turso;

namespace {

int turso_run(const std::string& path, const std::string& features, int busy_ms, bool write) {
  try {
    turso::database db(turso::open_options{path, false, features, {}});
    auto conn = db.connect();
    conn.set_busy_timeout(std::chrono::milliseconds(busy_ms));
    if (write) {
      conn.execute("BEGIN IMMEDIATE");
      conn.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, who TEXT)");
      conn.execute("INSERT INTO probe (who) VALUES ('child')");
      conn.execute("COMMIT");
      std::printf("ok wrote\n");
    } else {
      auto stmt = conn.prepare("SELECT count(*) FROM sqlite_master");
      if (stmt.step() != turso::step_result::row) throw std::runtime_error("no row");
      std::printf("ok %lld\n", static_cast<long long>(stmt.column_int64(0)));
    }
    return 0;
  } catch (const turso::engine_error& e) {
    std::printf("error %s %s\n", turso::status_name(e.engine_status()).c_str(), e.engine_message().c_str());
    return 1;
  }
}

int sqlite_read(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  int result = 1;
  if (rc == SQLITE_ROW) {
    std::printf("ok %d\n", sqlite3_column_int(stmt, 0));
    result = 0;
  } else {
    std::printf("error %s %s\n", sqlite3_errstr(rc), db != nullptr ? sqlite3_errmsg(db) : "");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s turso-read|turso-write|sqlite-read <path> [features]\n", argv[0]);
    return 2;
  }
  const std::string_view mode = argv[1];
  const std::string path = argv[2];
  const std::string features = argc > 3 && std::string_view(argv[3]) != "-" ? argv[3] : "";
  const int busy_ms = argc > 4 ? std::atoi(argv[4]) : 2000;
  if (mode == "turso-read") return turso_run(path, features, busy_ms, false);
  if (mode == "turso-write") return turso_run(path, features, busy_ms, true);
  if (mode == "sqlite-read") return sqlite_read(path);
  std::fprintf(stderr, "unknown mode %s\n", argv[1]);
  return 2;
}
