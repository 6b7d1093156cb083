#include <libpq-fe.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "baselines.hpp"
#include "bench.hpp"

namespace pgqrs::bench {
namespace {

struct pg {
  PGconn* conn;
  explicit pg(const std::string& dsn) : conn(PQconnectdb(dsn.c_str())) {
    if (PQstatus(conn) != CONNECTION_OK)
      throw std::runtime_error(std::string("raw libpq: ") + PQerrorMessage(conn));
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);  // "drop cascades to ..." is not news
  }
  ~pg() { PQfinish(conn); }
  pg(const pg&) = delete;
  pg& operator=(const pg&) = delete;
  void exec(const std::string& sql) const {
    PGresult* r = PQexec(conn, sql.c_str());
    const auto st = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error("raw libpq: " + err);
  }
  void prepare(const char* name, const std::string& sql) const {
    PGresult* r = PQprepare(conn, name, sql.c_str(), 0, nullptr);
    std::string err = PQresultErrorMessage(r);
    const auto st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK) throw std::runtime_error("raw libpq prepare: " + err);
  }
};

}  // namespace

double raw_libpq_drain(const std::string& dsn, std::int64_t messages, int consumers, std::size_t batch,
                       std::atomic<long>& done) {
  const std::string schema = "raw_" + std::to_string(::getpid()) + "_" + std::to_string(rand() % 100000);
  const std::string t = schema + ".raw_queue";
  {
    pg setup(dsn);
    setup.exec("CREATE SCHEMA " + schema);
    setup.exec("CREATE TABLE " + t +
               " (id BIGSERIAL PRIMARY KEY, vt TIMESTAMPTZ NOT NULL, payload JSONB NOT NULL, "
               "read_ct INT NOT NULL DEFAULT 0, archived_at TIMESTAMPTZ)");
    setup.exec("CREATE INDEX ON " + t + " (vt, id) WHERE archived_at IS NULL");
    setup.exec(
        "INSERT INTO " + t +
        " (vt, payload) SELECT now() - interval '1 hour' + g * interval '1 microsecond', "
        "jsonb_build_object('n', g, 'kind', 'bench', 'pad', repeat('x', 70)) FROM generate_series(1, " +
        std::to_string(messages) + ") g");
    setup.exec("ANALYZE " + t);
  }
  std::vector<std::unique_ptr<pg>> conns;
  for (int i = 0; i < consumers; ++i) {
    conns.push_back(std::make_unique<pg>(dsn));
    conns.back()->prepare("claim",
                          "UPDATE " + t +
                              " SET vt = now() + interval '30 seconds', read_ct = read_ct + 1 WHERE id IN "
                              "(SELECT id FROM " +
                              t +
                              " WHERE archived_at IS NULL AND vt <= now() ORDER BY vt, id LIMIT $1 FOR "
                              "UPDATE SKIP LOCKED) RETURNING id, payload");
    conns.back()->prepare("ack", "UPDATE " + t + " SET archived_at = now() WHERE id = ANY($1::bigint[])");
  }
  const std::string limit = std::to_string(batch);
  const double secs = seconds_of([&] {
    std::vector<std::thread> threads;
    for (int i = 0; i < consumers; ++i) {
      threads.emplace_back([&, i] {
        PGconn* c = conns[static_cast<std::size_t>(i)]->conn;
        std::string ids;
        for (;;) {
          const char* claim_params[] = {limit.c_str()};
          PGresult* r = PQexecPrepared(c, "claim", 1, claim_params, nullptr, nullptr, 0);
          const int rows = PQntuples(r);
          ids = "{";
          for (int k = 0; k < rows; ++k) {
            if (k) ids += ',';
            ids += PQgetvalue(r, k, 0);
          }
          ids += "}";
          PQclear(r);
          if (rows == 0) return;
          const char* ack_params[] = {ids.c_str()};
          PQclear(PQexecPrepared(c, "ack", 1, ack_params, nullptr, nullptr, 0));
          done += rows;
        }
      });
    }
    for (auto& th : threads) th.join();
  });
  conns.clear();
  pg(dsn).exec("DROP SCHEMA " + schema + " CASCADE");
  return secs;
}

}  // namespace pgqrs::bench
