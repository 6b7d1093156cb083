// workflow: durable 3-step workflow runs (steps a = x + 1, b = a * 10, c = to_string(b)) executed from a
// backlog triggered beforehand, by 1, 2 and 4 workers. Three implementations side by side in one run:
//   pgqrs-cpp     the library's poll loop, `workflow().name(def).concurrency(n).poll(store)` (n threads of
//   one
//                 builder, one consumer)
//   raw-libpq /   hand-written SQL on the same tables (baseline_workflow.cpp): claim + upsert run + read
//   raw-sqlite    steps in one transaction, one INSERT per step, complete + archive in one transaction
//   pgqrs-0.15.3  the original Python package's own loop (dequeue().handle_workflow() with the @workflow /
//                 @step decorators), PostgreSQL only, n consumers in one asyncio process
// On PostgreSQL every measurement also counts commits: pg_stat_database.xact_commit (every transaction,
// read-only ones included) and the transaction-id counter (transactions that wrote), taken on an otherwise
// idle server before the workers connect and after their connections closed. Constant per-measurement costs
// (connecting, registering a worker, the final empty poll) are included; idle polling is measured separately
// (`workflow_idle`: the same loops on an empty queue for a few seconds).
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "baselines.hpp"
#include "original.hpp"
#include "targets.hpp"

namespace pgqrs::bench {
namespace {

using namespace std::chrono_literals;
constexpr const char* wf_name = "wf3";

workflow_def three_steps() {
  return workflow_def(wf_name, [](workflow_run& run, const json& in) -> json {
    const int x = in.at("x").get<int>();
    auto a = workflow_step(run, "a", [&] { return x + 1; });
    auto b = workflow_step(run, "b", [&] { return a * 10; });
    auto c = workflow_step(run, "c", [&] { return std::to_string(b); });
    return json{{"result", c}};
  });
}

// ---------------------------------------------------------------- commit counters (PostgreSQL)

struct pg_counts {
  std::int64_t xact_commit = 0;
  std::int64_t next_xid = 0;
  std::int64_t reads = 0;  // reads by this counter before this one (each is one committed transaction)
};

/// Reads xact_commit of the current database and the next transaction id over one connection of its own.
/// Each read is one read-only transaction, flushed to the statistics at once (pg_stat_force_next_flush), so
/// the counter's own reads are known exactly and subtracted.
class commit_counter {
 public:
  /// `max_waits`: how many 150 ms waits settle() may take (a busy shared server never settles).
  commit_counter(const std::string& dsn, int max_waits)
      : m_conn(PQconnectdb(dsn.c_str())), m_max_waits(max_waits) {
    if (PQstatus(m_conn) != CONNECTION_OK)
      throw std::runtime_error(std::string("counter: ") + PQerrorMessage(m_conn));
  }
  ~commit_counter() { PQfinish(m_conn); }
  commit_counter(const commit_counter&) = delete;
  commit_counter& operator=(const commit_counter&) = delete;

  pg_counts read() {
    PGresult* r =
        PQexec(m_conn,
               "SELECT pg_stat_force_next_flush(), (SELECT xact_commit FROM pg_stat_database WHERE datname = "
               "current_database()), pg_snapshot_xmax(pg_current_snapshot())::text::bigint");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string err = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("counter: " + err);
    }
    pg_counts c{std::stoll(PQgetvalue(r, 0, 1)), std::stoll(PQgetvalue(r, 0, 2)), m_reads++};
    PQclear(r);
    return c;
  }
  /// Waits until other sessions' statistics stopped arriving (closed backends flush as they exit).
  pg_counts settle() {
    auto last = read();
    for (int i = 0; i < m_max_waits; ++i) {
      std::this_thread::sleep_for(150ms);
      auto now = read();
      if (now.xact_commit - last.xact_commit == now.reads - last.reads) return now;
      last = now;
    }
    return last;
  }

 private:
  PGconn* m_conn;
  int m_max_waits;
  std::int64_t m_reads = 0;
};

struct commit_delta {
  std::int64_t commits = 0;      // xact_commit, the counter's own reads subtracted
  std::int64_t write_xacts = 0;  // transaction ids assigned (transactions that wrote)
  double machine_cpu_seconds = 0;  // busy CPU time of the whole machine (server, workers, anything else)
};

/// Busy CPU seconds of the whole machine since boot (/proc/stat: every state but idle and iowait), or 0
/// where there is no /proc. With a local server it shows what a run costs in CPU, which throughput alone
/// hides when the measurement is bound by latency rather than by the cores.
double machine_busy_seconds() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  std::int64_t busy = 0;
  stat >> cpu;
  for (int field = 0; field < 8 && stat; ++field) {
    std::int64_t v = 0;
    stat >> v;
    if (field != 3 && field != 4) busy += v;  // idle, iowait
  }
  return static_cast<double>(busy) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

commit_delta delta(const pg_counts& before, const pg_counts& after) {
  return {after.xact_commit - before.xact_commit - (after.reads - before.reads),
          after.next_xid - before.next_xid};
}

json commit_metrics(const commit_delta& d, std::int64_t runs) {
  json m = {{"commits", d.commits}, {"write_xacts", d.write_xacts}};
  if (runs > 0) {
    m["commits_per_run"] = static_cast<double>(d.commits) / static_cast<double>(runs);
    m["write_xacts_per_run"] = static_cast<double>(d.write_xacts) / static_cast<double>(runs);
    m["machine_cpu_ms_per_run"] = d.machine_cpu_seconds * 1000 / static_cast<double>(runs);
  }
  return m;
}

// ---------------------------------------------------------------- setup

/// Triggers `n` runs the way trigger() does without a key (one message `{"input": {"x": g}}` each), in one
/// set-based statement: setup, not measured.
void seed_runs(const store& s, std::int64_t queue_id, std::int64_t n) {
  const auto q = std::to_string(queue_id);
  if (s.backend() == backend_kind::postgres) {
    exec_sql(
        s, "INSERT INTO " + table(s, "pgqrs_messages") + " (queue_id, payload, vt, enqueued_at) SELECT " + q +
               ", jsonb_build_object('input', jsonb_build_object('x', g)), now() - interval '1 hour' + g * "
               "interval '1 microsecond', now() - interval '1 hour' FROM generate_series(1, " +
               std::to_string(n) + ") g");
    // Autovacuum would add its own transactions to the commit counts at random moments.
    for (const char* t : {"pgqrs_messages", "pgqrs_archive", "pgqrs_workflow_runs", "pgqrs_workflow_steps"}) {
      exec_sql(s, "ALTER TABLE " + table(s, t) + " SET (autovacuum_enabled = off)");
    }
  } else {
    const auto rows = counting_rows(s, n);
    exec_sql(s, rows.with + "INSERT INTO pgqrs_messages (queue_id, payload, vt, enqueued_at) SELECT " + q +
                    ", json_object('input', json_object('x', g)), (unixepoch() - 3600) * 1000000 + g, "
                    "(unixepoch() - 3600) * 1000000 FROM " +
                    rows.from);
  }
  // Statistics for the seeded backlog only. The run and step tables are empty here and grow to thousands of
  // rows while they are measured: analysed now, they would tell the planner they stay empty, and every cached
  // plan (ours and the raw loop's) would scan them sequentially. A fresh table that was never analysed is what
  // a new installation has (autovacuum analyses it once it has grown).
  analyze(s);
}

struct prepared {
  config cfg;
  std::int64_t queue_id;
  std::int64_t workflow_id;
};

/// A fresh store with the workflow created and `n` runs triggered; the setup store is closed on return so
/// its connections are gone before anything is counted.
prepared prepare(const target& t, std::int64_t n, std::uint32_t pool) {
  auto s = fresh_store(t, "wf", pool);
  auto rec = workflow().name(std::string(wf_name)).create(s);
  seed_runs(s, rec.queue_id, n);
  return {s.config(), rec.queue_id, rec.id};
}

void drop(const config& cfg) {
  drop_store(connect(cfg));
}

// ---------------------------------------------------------------- pgqrs-cpp

/// Runs the library's poll loop with `workers` threads until `n` runs completed; seconds until then.
double library_runs(const config& cfg, int workers, std::int64_t n, reporter& rep, const std::string& label) {
  auto s = connect(cfg);
  auto def = three_steps();
  auto builder = workflow().name(def).concurrency(static_cast<std::size_t>(workers));
  std::stop_source stop;
  std::exception_ptr failure;
  const auto start = std::chrono::steady_clock::now();
  std::jthread loop([&] {
    try {
      builder.poll(s, stop.get_token());
    } catch (...) {
      failure = std::current_exception();
    }
  });
  auto last_progress = start;
  while (static_cast<std::int64_t>(builder.stats().runs_completed) < n && !failure) {
    std::this_thread::sleep_for(1ms);
    if (std::chrono::steady_clock::now() - last_progress > 200ms) {
      rep.progress(label + ": " + std::to_string(builder.stats().runs_completed) + "/" + std::to_string(n));
      last_progress = std::chrono::steady_clock::now();
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop.request_stop();
  loop.join();
  if (failure) std::rethrow_exception(failure);
  const auto st = builder.stats();
  if (st.runs_failed + st.runs_fenced + st.transient_errors > 0) {
    rep.note("workflow " + label + ": failed " + std::to_string(st.runs_failed) + ", fenced " +
             std::to_string(st.runs_fenced) + ", transient errors " + std::to_string(st.transient_errors));
  }
  return secs;
}

// ---------------------------------------------------------------- the original (Python, PostgreSQL)

/// Runs the workflow script of a Python package (the original's, or ours running the very same file); its
/// last output line as JSON (null on failure).
json run_python_workflow(const options& opts, const std::string& python, const std::string& script,
                         const std::string& args) {
  return run_python_script(opts, python, script, "--dsn " + shell_quote(*opts.pg_dsn) + " " + args);
}

json run_original(const options& opts, const std::string& args) {
  return run_python_workflow(opts, *opts.original_python, "original_pgqrs_workflow.py", args);
}

bool have_python(const options& opts, const std::optional<std::string>& python) {
  return opts.pg_dsn && python && std::filesystem::exists(*python);
}

bool have_original(const options& opts) {
  return have_python(opts, opts.original_python);
}

// ---------------------------------------------------------------- the scenario

json run_params(int workers, std::int64_t n, const std::string& mode) {
  json p = {{"workers", workers}, {"runs", n}, {"steps", 3}};
  if (!mode.empty()) p["synchronous_commit"] = mode;
  return p;
}

void run(const options& opts, reporter& rep) {
  const std::int64_t n = pick<std::int64_t>(opts, 2'000, 1'000, 30);
  // The original runs ~10-100x slower: a smaller backlog keeps the run short (its whole backlog is drained).
  const std::int64_t n_original = pick<std::int64_t>(opts, 1'000, 300, 20);
  const double idle_seconds = pick(opts, 3.0, 2.0, 0.3);
  const auto worker_counts = opts.consumer_counts.empty() ? std::vector<int>{1, 2, 4} : opts.consumer_counts;
  if (!have_original(opts) && opts.pg_dsn) {
    rep.note("original pgqrs: skipped (no --original-python; scripts/bench.sh creates that virtualenv)");
  }
  for (const auto& t : targets(opts, true)) {
    const bool pg = t.backend == "postgres";
    // No raw loop on Turso: it would need the file the library's store holds (one process, one opener).
    const bool has_raw = t.backend != "turso";
    std::optional<commit_counter> counter;
    if (pg) counter.emplace(*opts.pg_dsn, pick(opts, 40, 40, 2));
    auto measure = [&](const std::function<void()>& f) {
      commit_delta d;
      pg_counts before;
      if (counter) before = counter->settle();
      const double cpu_before = machine_busy_seconds();
      f();
      const double cpu = machine_busy_seconds() - cpu_before;
      if (counter) d = delta(before, counter->settle());
      d.machine_cpu_seconds = cpu;
      return d;
    };
    // PostgreSQL twice: as configured (fsync and synchronous_commit on: every commit waits for its WAL
    // flush, so runs/s mostly measure the disk), then with synchronous_commit off for new sessions (commits
    // do not wait; what is left is CPU and round trips, where the library's own cost shows).
    const std::vector<std::string> commit_modes =
        pg ? std::vector<std::string>{"on", "off"} : std::vector<std::string>{""};
    for (const auto& mode : commit_modes) {
      if (mode == "off") {
        pg_admin_sql(*opts.pg_dsn,
                     "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', "
                     "current_database()); END $$");
      }
      struct reset_mode {
        const options& o;
        bool active;
        ~reset_mode() {
          if (active) {
            try {
              pg_admin_sql(*o.pg_dsn,
                           "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET synchronous_commit', "
                           "current_database()); END $$");
            } catch (...) {
            }
          }
        }
      } reset{opts, mode == "off"};
      std::map<int, double> raw_rate;
      std::map<int, double> ours_rate;
      std::map<int, double> original_rate;
      for (int workers : worker_counts) {
        const std::string label = "workflow " + t.backend +
                                  (mode.empty() ? "" : " synchronous_commit=" + mode) +
                                  " workers=" + std::to_string(workers);
        const auto pool = static_cast<std::uint32_t>(workers + 4);

        // Raw SQL, right before the library, on tables of the same shape.
        if (has_raw) {
          auto p = prepare(t, n, pool);
          raw_workflow_target rt{t.backend,    opts.pg_dsn.value_or(""), p.cfg.schema, "", p.queue_id,
                                 p.workflow_id};
          if (!pg) rt.sqlite_path = p.cfg.dsn.substr(std::string("sqlite://").size());
          std::atomic<long> done{0};
          double secs = 0;
          rep.progress(label + " (raw)");
          const auto d = measure([&] { secs = raw_workflow_drain(rt, workers, done); });
          raw_rate[workers] = static_cast<double>(done.load()) / secs;
          json m = {{"seconds", secs}, {"runs_per_sec", raw_rate[workers]}, {"completed", done.load()}};
          if (pg) m.update(commit_metrics(d, done.load()));
          rep.record(
              {"workflow", t.backend, pg ? "raw-libpq" : "raw-sqlite", run_params(workers, n, mode), m});
          drop(p.cfg);
        }

        // The library.
        {
          auto p = prepare(t, n, pool);
          double secs = 0;
          const auto d = measure([&] { secs = library_runs(p.cfg, workers, n, rep, label); });
          ours_rate[workers] = static_cast<double>(n) / secs;
          json m = {{"seconds", secs}, {"runs_per_sec", ours_rate[workers]}};
          if (has_raw) m["ratio_to_raw"] = ours_rate[workers] / raw_rate[workers];
          if (pg) m.update(commit_metrics(d, n));
          auto params = run_params(workers, n, mode);
          params["workers_are"] = "threads of one builder: workflow().name(def).concurrency(n).poll(store)";
          params["settings"] = settings_of(connect(p.cfg));
          rep.record({"workflow", t.backend, "pgqrs-cpp", params, m});
          drop(p.cfg);
        }

        // The original, PostgreSQL only: 1 worker always, more in the full run.
        if (pg && have_original(opts) && (workers == 1 || (!opts.quick && !opts.smoke))) {
          const std::string schema =
              "origwf_" + std::to_string(::getpid()) + "_" + std::to_string(workers) + mode;
          pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
          rep.progress(label + " (original pgqrs)");
          const auto base = "--schema " + schema + " --runs " + std::to_string(n_original) + " --workers " +
                            std::to_string(workers);
          json setup = run_original(opts, base + " --phase setup");
          json out;
          commit_delta d;
          if (!setup.is_null()) d = measure([&] { out = run_original(opts, base + " --phase run"); });
          if (out.is_null()) {
            rep.note("original pgqrs workflow run failed (workers " + std::to_string(workers) + ")");
          } else {
            const double rate = out.at("runs_per_sec").get<double>();
            // The script's completion check (a few autocommit SELECTs on its own connection) is not the
            // original's.
            d.commits -= out.at("monitor_queries").get<std::int64_t>();
            json m = {{"seconds", out.at("seconds")},
                      {"runs_per_sec", rate},
                      {"ours_to_original", ours_rate[workers] / rate}};
            m.update(commit_metrics(d, out.at("runs").get<std::int64_t>()));
            auto params = run_params(workers, n_original, mode);
            params["workers_are"] =
                "consumers, each in dequeue().handle_workflow(wf).poll(store), one asyncio process";
            rep.record({"workflow", "postgres", "pgqrs-0.15.3", params, m});
            original_rate[workers] = rate;
          }
          pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }

        // Our Python package, the same script and decorated workflow as the original's, 1 worker (the issue's
        // target: >= 0.7x our C++ loop and >= 4x the original's Python).
        if (pg && have_python(opts, opts.ours_python) && workers == 1) {
          const std::string schema =
              "pywf_" + std::to_string(::getpid()) + "_" + std::to_string(workers) + mode;
          pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
          rep.progress(label + " (our Python package)");
          const auto base =
              "--schema " + schema + " --runs " + std::to_string(n) + " --workers " + std::to_string(workers);
          auto ours_py = [&](const std::string& phase) {
            return run_python_workflow(opts, *opts.ours_python, "ours_pgqrs_workflow.py",
                                       base + " --phase " + phase);
          };
          json out;
          commit_delta d;
          if (!ours_py("setup").is_null()) d = measure([&] { out = ours_py("run"); });
          if (out.is_null()) {
            rep.note("our Python package's workflow run failed (workers " + std::to_string(workers) + ")");
          } else {
            const double rate = out.at("runs_per_sec").get<double>();
            d.commits -= out.at("monitor_queries").get<std::int64_t>();
            json m = {{"seconds", out.at("seconds")},
                      {"runs_per_sec", rate},
                      {"ratio_to_cpp", rate / ours_rate[workers]}};
            if (original_rate.count(workers)) m["ours_python_to_original"] = rate / original_rate[workers];
            m.update(commit_metrics(d, out.at("runs").get<std::int64_t>()));
            auto params = run_params(workers, n, mode);
            params["workers_are"] =
                "consumers, each in dequeue().handle_workflow(wf).poll(store), one asyncio process";
            rep.record({"workflow", "postgres", "pgqrs-cpp-python", params, m});
          }
          pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
      }

    }  // commit modes

    // Idle polling: the same loops, one worker, on an empty queue.
    if (pg) {
      auto p = prepare(t, 0, 5);
      const auto d = measure([&] {
        auto s = connect(p.cfg);
        auto def = three_steps();
        auto builder = workflow().name(def);
        std::stop_source stop;
        std::jthread loop([&] { builder.poll(s, stop.get_token()); });
        std::this_thread::sleep_for(std::chrono::duration<double>(idle_seconds));
        stop.request_stop();
      });
      rep.record(
          {"workflow_idle",
           "postgres",
           "pgqrs-cpp",
           {{"workers", 1}, {"seconds", idle_seconds}, {"poll_interval_ms", p.cfg.poll_interval.count()}},
           {{"commits", d.commits},
            {"write_xacts", d.write_xacts},
            {"commits_per_sec", static_cast<double>(d.commits) / idle_seconds}}});
      drop(p.cfg);
      if (have_original(opts)) {
        const std::string schema = "origwf_" + std::to_string(::getpid()) + "_idle";
        pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
        const auto base = "--schema " + schema + " --workers 1";
        json out;
        commit_delta od;
        if (!run_original(opts, base + " --runs 0 --phase setup").is_null()) {
          od = measure([&] {
            out = run_original(opts, base + " --phase idle --seconds " + std::to_string(idle_seconds));
          });
        }
        if (!out.is_null()) {
          rep.record({"workflow_idle",
                      "postgres",
                      "pgqrs-0.15.3",
                      {{"workers", 1}, {"seconds", idle_seconds}, {"poll_interval_ms", 250}},
                      {{"commits", od.commits},
                       {"write_xacts", od.write_xacts},
                       {"commits_per_sec", static_cast<double>(od.commits) / idle_seconds}}});
        }
        pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
  }
}

registrar reg(
    {"workflow",
     "3-step durable workflow runs from a triggered backlog, 1/2/4 workers: runs/s and commits per run, "
     "pgqrs-cpp vs raw SQL vs original pgqrs",
     run});

}  // namespace
}  // namespace pgqrs::bench
