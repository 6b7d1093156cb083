// drain: N consumers (threads, own connections) empty a fixed backlog of ~100-byte messages, dequeue then
// archive per batch. For every (backend, batch, consumers) the raw-SQL ceiling and the library drain their
// backlogs in interleaved slices (below), so the ratio compares measurements taken under the same machine
// conditions. The original pgqrs is
// measured for 1 consumer at batch 1 and 50 (PostgreSQL only: its published wheel has no other backend).
#include <atomic>
#include <thread>

#include "baselines.hpp"
#include "original.hpp"
#include "targets.hpp"

namespace pgqrs::bench {
namespace {

/// Runs `f` while a thread reports `done`/`total` on the progress line.
double with_progress(reporter& rep, const std::string& label, std::int64_t total, std::atomic<long>& done,
                     const std::function<double()>& f) {
  std::atomic<bool> running{true};
  std::thread progress([&] {
    while (running) {
      rep.progress(label + ": " + std::to_string(done.load()) + "/" + std::to_string(total));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  const double secs = f();
  running = false;
  progress.join();
  return secs;
}

/// The raw-SQL ceiling on the target's engine.
std::unique_ptr<raw_queue> raw_queue_of(const target& t, const options& opts, std::int64_t n) {
  if (t.backend == "postgres") return raw_libpq_queue(*opts.pg_dsn, n);
  if (t.backend == "turso") return raw_turso_queue(t.sqlite_dir, n);
  return raw_sqlite_queue(t.sqlite_dir, n);
}

std::string raw_name(const std::string& backend) {
  return backend == "postgres" ? "raw-libpq" : "raw-" + backend;
}

json drain_params(int consumers, std::size_t batch, std::int64_t n) {
  return {{"consumers", consumers}, {"batch", batch}, {"messages", n}, {"payload_bytes", 100}};
}

void run(const options& opts, reporter& rep) {
  const std::int64_t backlog = pick<std::int64_t>(opts, 50'000, 10'000, 500);
  const std::int64_t slices = pick<std::int64_t>(opts, 10, 10, 2);
  for (const auto& t : targets(opts, true)) {
    const auto batches = opts.batches.empty() ? std::vector<std::size_t>{1, 10, 50, 100} : opts.batches;
    const auto consumer_counts = opts.consumer_counts.empty() ? std::vector<int>{1, 2, 4} : opts.consumer_counts;
    for (std::size_t batch : batches) {
      for (int consumers : consumer_counts) {
        // Batch 1 is ~50x slower per message: a smaller backlog keeps the run short without changing the
        // rate.
        const std::int64_t n = batch == 1 ? backlog / 5 : backlog;
        const std::string label = "drain " + t.backend + " consumers=" + std::to_string(consumers) +
                                  " batch=" + std::to_string(batch);
        // Interleaved slices: the raw loop and the library each drain a tenth of their backlog in turn, so
        // both meet the same machine conditions. One whole drain of 10k messages lasts about 0.1 s, and a
        // raw drain followed by a library drain gave ratios from 0.6 to 1.4 for the same code on a shared
        // 2-core machine.
        auto raw = raw_queue_of(t, opts, n);
        std::vector<std::unique_ptr<raw_connection>> raw_conns;
        for (int i = 0; i < consumers; ++i) raw_conns.push_back(raw->connect());
        auto s = fresh_store(t, "drain", static_cast<std::uint32_t>(consumers + 2));
        seed_ready(s, s.queue("drain").id, n);
        analyze(s);
        const auto consumer_handles = drain_consumers(s, "drain", consumers);
        // At least 8 batches per consumer in a slice: each slice starts and joins its threads, whose ragged
        // finish would otherwise weigh on many consumers with big batches.
        const std::int64_t slice =
            std::max<std::int64_t>(n / slices, static_cast<std::int64_t>(batch) * consumers * 8);
        std::atomic<long> raw_done{0}, done{0};
        double raw_secs = 0, secs = 0;
        std::vector<double> slice_ratios;
        std::atomic<long> progress{0};
        with_progress(rep, label, 2 * n, progress, [&] {
          for (bool moving = true; moving;) {
            const long raw_before = raw_done.load(), before = done.load();
            const double rs = raw_drain(raw_conns, batch, raw_done, raw_before + slice);
            const double ls = library_drain(consumer_handles, batch, done, before + slice);
            progress = raw_done.load() + done.load();
            moving = raw_done.load() > raw_before || done.load() > before;
            raw_secs += rs;
            secs += ls;
            if (raw_done.load() > raw_before && done.load() > before) {
              slice_ratios.push_back((static_cast<double>(done.load() - before) / ls) /
                                     (static_cast<double>(raw_done.load() - raw_before) / rs));
            }
          }
          return raw_secs + secs;
        });
        const double raw_rate = static_cast<double>(raw_done.load()) / raw_secs;
        const double rate = static_cast<double>(done.load()) / secs;
        auto params = drain_params(consumers, batch, n);
        params["slices"] = slices;
        rep.record({"drain",
                    t.backend,
                    raw_name(t.backend),
                    params,
                    {{"seconds", raw_secs}, {"msgs_per_sec", raw_rate}, {"drained", raw_done.load()}}});
        params["settings"] = settings_of(s);
        rep.record({"drain",
                    t.backend,
                    "pgqrs-cpp",
                    params,
                    {{"seconds", secs},
                     {"msgs_per_sec", rate},
                     {"drained", done.load()},
                     {"ratio_to_raw", rate / raw_rate},
                     {"ratio_to_raw_median_slice", median(slice_ratios)}}});
        drop_store(s);

        if (t.backend == "postgres" && consumers == 1 && (batch == 1 || batch == 50)) {
          rep.progress("drain postgres original pgqrs batch=" + std::to_string(batch));
          const std::int64_t max_messages = batch == 1 ? pick<std::int64_t>(opts, 1'000, 300, 20)
                                                       : pick<std::int64_t>(opts, 20'000, 5'000, 200);
          // The 50,000-message backlog even with --quick: the original's dequeue cost grows with it.
          const std::int64_t original_backlog = pick<std::int64_t>(opts, 50'000, 50'000, 1'000);
          if (auto o = run_original_drain(opts, rep, original_backlog, batch, max_messages,
                                          pick(opts, 30.0, 15.0, 5.0))) {
            rep.record({"drain",
                        "postgres",
                        "pgqrs-0.15.3",
                        {{"consumers", 1},
                         {"batch", batch},
                         {"messages", o->messages},
                         {"backlog", original_backlog},
                         {"payload_bytes", 100}},
                        {{"seconds", o->seconds},
                         {"msgs_per_sec", o->msgs_per_sec},
                         {"ours_to_original", rate / o->msgs_per_sec}}});
          }
        }
      }
    }
  }
}

registrar reg({"drain", "consumers x batch draining a fixed backlog: pgqrs-cpp vs raw SQL vs original pgqrs",
               run});

}  // namespace
}  // namespace pgqrs::bench
