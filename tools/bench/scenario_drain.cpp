// drain: N consumers (threads, own connections) empty a fixed backlog, dequeue then archive per batch.
#include <atomic>
#include <thread>

#include "targets.hpp"

namespace pgqrs::bench {
namespace {

/// Drains the queue with `consumers` threads; returns elapsed seconds. Every thread stops when a claim
/// comes back empty (the backlog is pre-filled, nothing is produced meanwhile).
double drain(const store& s, const std::string& queue, int consumers, std::size_t batch,
             std::atomic<long>& done) {
  std::vector<consumer> handles;
  for (int i = 0; i < consumers; ++i) handles.push_back(s.consumer_ephemeral(queue));
  return seconds_of([&] {
    std::vector<std::thread> threads;
    for (int i = 0; i < consumers; ++i) {
      threads.emplace_back([&, i] {
        const auto& c = handles[static_cast<std::size_t>(i)];
        std::vector<std::int64_t> ids;
        for (;;) {
          auto msgs = c.dequeue_many(batch);
          if (msgs.empty()) return;
          ids.clear();
          for (const auto& m : msgs) ids.push_back(m.id);
          (void)c.archive_many(ids);
          done += static_cast<long>(ids.size());
        }
      });
    }
    for (auto& th : threads) th.join();
  });
}

void run(const options& opts, reporter& rep) {
  const std::int64_t backlog = opts.quick ? 10'000 : 50'000;
  std::vector<int> consumer_counts = {1, 2, 4};
  std::vector<std::size_t> batches = {1, 10, 50, 100};
  for (const auto& t : targets(opts)) {
    for (auto batch : batches) {
      for (int consumers : consumer_counts) {
        auto s = fresh_store(t, "drain", static_cast<std::uint32_t>(consumers + 2));
        auto q = s.queue("drain");
        const std::int64_t n =
            batch == 1 ? std::min<std::int64_t>(backlog, opts.quick ? 3'000 : 10'000) : backlog;
        seed_ready(s, q.id, n);
        analyze(s);
        std::atomic<long> done{0};
        std::atomic<bool> running{true};
        std::thread progress([&] {
          while (running) {
            rep.progress("drain " + t.backend + " consumers=" + std::to_string(consumers) +
                         " batch=" + std::to_string(batch) + ": " + std::to_string(done.load()) + "/" +
                         std::to_string(n));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
          }
        });
        const double secs = drain(s, "drain", consumers, batch, done);
        running = false;
        progress.join();
        rep.record(
            {"drain",
             t.backend,
             "pgqrs-cpp",
             {{"consumers", consumers}, {"batch", batch}, {"messages", n}, {"settings", settings_of(s)}},
             {{"seconds", secs},
              {"msgs_per_sec", static_cast<double>(done.load()) / secs},
              {"drained", done.load()}}});
        drop_store(s);
      }
    }
  }
}

registrar reg({"drain", "consumers x batch size draining a fixed backlog (dequeue, then archive per batch)",
               run});

}  // namespace
}  // namespace pgqrs::bench
