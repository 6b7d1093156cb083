#include "targets.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/api/store_state.hpp"

namespace pgqrs::bench {

std::vector<target> targets(const options& opts, bool with_turso) {
  std::vector<target> out;
  if (opts.pg_dsn) out.push_back({"postgres", config::from_dsn(*opts.pg_dsn), ""});
  if (opts.sqlite_dir) out.push_back({"sqlite", config::from_dsn("sqlite::memory:"), *opts.sqlite_dir});
  if (with_turso && opts.turso_dir)
    out.push_back({"turso", config::from_dsn("turso::memory:"), *opts.turso_dir});
  return out;
}

store fresh_store(const target& t, const std::string& tag, std::uint32_t pool_size) {
  static std::atomic<int> counter{0};
  const std::string name =
      "bench_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  config cfg = t.cfg;
  cfg.max_connections = pool_size;
  cfg.validation.max_enqueue_per_second.reset();
  cfg.default_max_batch_size = 1000;
  if (t.backend == "postgres") {
    cfg.schema = name;
  } else {
    std::filesystem::create_directories(t.sqlite_dir);
    auto path = std::filesystem::path(t.sqlite_dir) / (name + ".db");
    cfg.dsn = t.backend + "://" + path.string();
  }
  auto s = connect(cfg);
  admin(s).install();
  return s;
}

double library_drain(const std::vector<consumer>& handles, std::size_t batch, std::atomic<long>& done,
                     std::int64_t max_messages) {
  return seconds_of([&] {
    std::vector<std::thread> threads;
    for (const auto& handle : handles) {
      threads.emplace_back([&, c = &handle] {
        std::vector<std::int64_t> ids;
        for (;;) {
          if (max_messages > 0 && done.load() >= max_messages) return;
          auto msgs = c->dequeue_many(batch);
          if (msgs.empty()) return;
          ids.clear();
          for (const auto& m : msgs) ids.push_back(m.id);
          (void)c->archive_many(ids);
          done += static_cast<long>(ids.size());
        }
      });
    }
    for (auto& th : threads) th.join();
  });
}

double library_drain(const store& s, const std::string& queue, int consumers, std::size_t batch,
                     std::atomic<long>& done, std::int64_t max_messages) {
  return library_drain(drain_consumers(s, queue, consumers), batch, done, max_messages);
}

std::vector<consumer> drain_consumers(const store& s, const std::string& queue, int consumers) {
  std::vector<consumer> handles;
  for (int i = 0; i < consumers; ++i) handles.push_back(s.consumer_ephemeral(queue));
  return handles;
}

void exec_sql(const store& s, const std::string& sql) {
  detail::state_of(s)->core->db->acquire()->execute_script(sql);
}

std::string table(const store& s, const std::string& name) {
  if (s.backend() == backend_kind::postgres) return "\"" + s.config().schema + "\"." + name;
  return name;
}

void drop_store(const store& s) {
  if (s.backend() == backend_kind::postgres) {
    exec_sql(s, "DROP SCHEMA IF EXISTS \"" + s.config().schema + "\" CASCADE");
  } else {
    auto path = s.config().dsn.substr(std::string("sqlite://").size());
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
}

namespace {
std::string payload_sql(bool postgres, int payload_bytes) {
  const int pad = std::max(1, payload_bytes - 30);
  if (postgres)
    return "jsonb_build_object('n', g, 'kind', 'bench', 'pad', repeat('x', " + std::to_string(pad) + "))";
  return "json_object('n', g, 'kind', 'bench', 'pad', substr(printf('%0" + std::to_string(pad) +
         "d', 0), 1, " + std::to_string(pad) + "))";
}
}  // namespace

counting_sql counting_rows(const store& s, std::int64_t n) {
  const std::string count = std::to_string(n);
  if (s.backend() == backend_kind::turso) {
    // Turso has no recursive CTEs (0.8.3) but ships generate_series, which libsqlite3 lacks.
    return {"", "(SELECT value AS g FROM generate_series(1, " + count + ")) AS gen"};
  }
  return {"WITH RECURSIVE gen(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM gen WHERE g < " + count + ") ",
          "gen"};
}

void seed_ready(const store& s, std::int64_t queue_id, std::int64_t n, int payload_bytes,
                std::chrono::seconds age) {
  const bool pg = s.backend() == backend_kind::postgres;
  const auto q = std::to_string(queue_id);
  const auto secs = std::to_string(age.count());
  if (pg) {
    exec_sql(s, "INSERT INTO " + table(s, "pgqrs_messages") +
                    " (queue_id, payload, vt, enqueued_at) SELECT " + q + ", " +
                    payload_sql(true, payload_bytes) + ", now() - interval '" + secs +
                    " seconds' + g * interval '1 microsecond', now() - interval '" + secs +
                    " seconds' + g * interval '1 microsecond' FROM generate_series(1, " + std::to_string(n) +
                    ") g");
  } else {
    // Integer microseconds, `age` in the past.
    const auto rows = counting_rows(s, n);
    exec_sql(s, rows.with + "INSERT INTO pgqrs_messages (queue_id, payload, vt, enqueued_at) SELECT " + q +
                    ", " + payload_sql(false, payload_bytes) + ", (unixepoch() - " + secs +
                    ") * 1000000 + g, (unixepoch() - " + secs + ") * 1000000 + g FROM " + rows.from);
  }
}

void seed_archived(const store& s, std::int64_t queue_id, std::int64_t n, int payload_bytes) {
  const bool pg = s.backend() == backend_kind::postgres;
  const auto q = std::to_string(queue_id);
  // Archive ids far above live ids so they never collide with the sequence.
  if (pg) {
    exec_sql(
        s, "INSERT INTO " + table(s, "pgqrs_archive") +
               " (id, queue_id, payload, vt, enqueued_at, read_ct, archived_at) SELECT 1000000000000 + g, " +
               q + ", " + payload_sql(true, payload_bytes) +
               ", now() - interval '2 hours', now() - interval '2 hours', 1, now() - interval '1 hour' FROM "
               "generate_series(1, " +
               std::to_string(n) + ") g");
  } else {
    const auto rows = counting_rows(s, n);
    exec_sql(
        s, rows.with +
               // The SQLite family archives in place (sql/sqlite/migrations/0005_archive_in_place.sql).
               "INSERT INTO pgqrs_messages (id, queue_id, payload, vt, enqueued_at, read_ct, archived_at) "
               "SELECT 1000000000000 + g, " +
               q + ", " + payload_sql(false, payload_bytes) +
               ", (unixepoch() - 7200) * 1000000, (unixepoch() - 7200) * 1000000, 1, (unixepoch() - 3600) * "
               "1000000 FROM " +
               rows.from);
  }
}

void analyze(const store& s) {
  if (s.backend() == backend_kind::postgres) {
    exec_sql(s, "ANALYZE " + table(s, "pgqrs_messages") + "; ANALYZE " + table(s, "pgqrs_archive"));
  } else {
    exec_sql(s, "ANALYZE");
  }
}

json table_health(const store& s) {
  if (s.backend() != backend_kind::postgres) return json::object();
  auto conn = detail::state_of(s)->core->db->acquire();
  const detail::sql_param schema = s.config().schema;
  auto rows = conn->execute_adhoc(
      "SELECT n_live_tup, n_dead_tup, autovacuum_count, COALESCE(last_autovacuum::text, 'never') FROM "
      "pg_stat_user_tables WHERE schemaname = $1 AND relname = 'pgqrs_messages'",
      std::span(&schema, 1));
  if (rows.empty()) return json::object();
  return {{"live_tuples", rows.i64(0, 0)},
          {"dead_tuples", rows.i64(0, 1)},
          {"autovacuum_count", rows.i64(0, 2)},
          {"last_autovacuum", rows.text(0, 3)}};
}

json settings_of(const store& s) {
  json out = {{"backend", std::string(s.backend_name())}};
  auto conn = detail::state_of(s)->core->db->acquire();
  auto one = [&](const std::string& sql) {
    auto rows = conn->execute_adhoc(sql, {});
    const auto& v = rows.at(0, 0);
    if (auto* text = std::get_if<std::string>(&v)) return json(*text);
    if (auto* i = std::get_if<std::int64_t>(&v)) return json(*i);
    return json(nullptr);
  };
  if (s.backend() == backend_kind::postgres) {
    for (const char* name :
         {"server_version", "fsync", "synchronous_commit", "full_page_writes", "shared_buffers"}) {
      out[name] = one(std::string("SELECT current_setting('") + name + "')");
    }
  } else {
    out["journal_mode"] = one("PRAGMA journal_mode");
    out["synchronous"] = one("PRAGMA synchronous");
    out["sqlite_version"] = one("SELECT sqlite_version()");
  }
  out["cores"] = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  return out;
}

}  // namespace pgqrs::bench
