#include <libpq-fe.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>

#include "baselines.hpp"

namespace pgqrs::bench {
namespace {

struct pg {
  PGconn* conn;
  explicit pg(const std::string& dsn) : conn(PQconnectdb(dsn.c_str())) {
    if (PQstatus(conn) != CONNECTION_OK) {
      throw std::runtime_error(std::string("raw libpq: ") + PQerrorMessage(conn));
    }
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

std::int64_t to_i64(const char* text) {
  std::int64_t v = 0;
  std::from_chars(text, text + std::strlen(text), v);
  return v;
}

class libpq_connection final : public raw_connection {
 public:
  libpq_connection(const std::string& dsn, const std::string& table) : m_pg(dsn) {
    m_pg.prepare(
        "claim",
        "UPDATE " + table +
            " SET vt = now() + interval '30 seconds', read_ct = read_ct + 1 WHERE id IN (SELECT id FROM " +
            table +
            " WHERE archived_at IS NULL AND vt <= now() ORDER BY vt, id LIMIT $1 FOR UPDATE SKIP "
            "LOCKED) RETURNING id, (extract(epoch FROM enqueued_at) * 1000000)::int8, payload");
    m_pg.prepare("ack", "UPDATE " + table + " SET archived_at = now() WHERE id = ANY($1::bigint[])");
    m_pg.prepare("enqueue",
                 "INSERT INTO " + table + " (vt, enqueued_at, payload) VALUES (now(), now(), $1::jsonb)");
  }
  std::vector<claimed> claim(std::size_t batch) override {
    const std::string limit = std::to_string(batch);
    const char* params[] = {limit.c_str()};
    PGresult* r = PQexecPrepared(m_pg.conn, "claim", 1, params, nullptr, nullptr, 0);
    std::vector<claimed> out;
    for (int k = 0; k < PQntuples(r); ++k)
      out.push_back({to_i64(PQgetvalue(r, k, 0)), to_i64(PQgetvalue(r, k, 1))});
    PQclear(r);
    return out;
  }
  void ack(const std::vector<std::int64_t>& ids) override {
    std::string list = "{";
    for (std::size_t k = 0; k < ids.size(); ++k) list += (k ? "," : "") + std::to_string(ids[k]);
    list += "}";
    const char* params[] = {list.c_str()};
    PQclear(PQexecPrepared(m_pg.conn, "ack", 1, params, nullptr, nullptr, 0));
  }
  void enqueue(const std::string& json_payload) override {
    const char* params[] = {json_payload.c_str()};
    PQclear(PQexecPrepared(m_pg.conn, "enqueue", 1, params, nullptr, nullptr, 0));
  }

 private:
  pg m_pg;
};

class libpq_queue final : public raw_queue {
 public:
  libpq_queue(std::string dsn, std::int64_t seed)
      : m_dsn(std::move(dsn)),
        m_schema("raw_" + std::to_string(::getpid()) + "_" + std::to_string(rand() % 100000)),
        m_table(m_schema + ".raw_queue") {
    pg setup(m_dsn);
    setup.exec("CREATE SCHEMA " + m_schema);
    setup.exec("CREATE TABLE " + m_table +
               " (id BIGSERIAL PRIMARY KEY, vt TIMESTAMPTZ NOT NULL, enqueued_at TIMESTAMPTZ NOT NULL, "
               "payload JSONB NOT NULL, read_ct INT NOT NULL DEFAULT 0, archived_at TIMESTAMPTZ)");
    setup.exec("CREATE INDEX ON " + m_table + " (vt, id) WHERE archived_at IS NULL");
    setup.exec(
        "INSERT INTO " + m_table +
        " (vt, enqueued_at, payload) SELECT now() - interval '1 hour' + g * interval '1 microsecond', now(), "
        "jsonb_build_object('n', g, 'kind', 'bench', 'pad', repeat('x', 70)) FROM generate_series(1, " +
        std::to_string(seed) + ") g");
    setup.exec("ANALYZE " + m_table);
  }
  ~libpq_queue() override {
    try {
      pg(m_dsn).exec("DROP SCHEMA " + m_schema + " CASCADE");
    } catch (...) {
    }
  }
  std::unique_ptr<raw_connection> connect() override {
    return std::make_unique<libpq_connection>(m_dsn, m_table);
  }

 private:
  std::string m_dsn;
  std::string m_schema;
  std::string m_table;
};

}  // namespace

std::unique_ptr<raw_queue> raw_libpq_queue(const std::string& dsn, std::int64_t seed) {
  return std::make_unique<libpq_queue>(dsn, seed);
}

}  // namespace pgqrs::bench
