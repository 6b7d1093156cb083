// steady: producers and consumers run together for a fixed time. Producers enqueue single messages at a
// fixed total rate (paced); consumers use the library's own handler loop (`dequeue().handle_batch().poll()`,
// 10 ms poll interval when idle). Reports the consumed rate and the enqueue -> handler latency.
#include <atomic>
#include <mutex>
#include <thread>

#include "targets.hpp"

namespace pgqrs::bench {
namespace {

using namespace std::chrono_literals;

struct steady_config {
  int producers;
  int consumers;
  std::size_t batch;
  int rate;  // messages per second, all producers together
};

void run_one(const target& t, const steady_config& sc, std::chrono::seconds duration, reporter& rep) {
  auto s = fresh_store(t, "steady", static_cast<std::uint32_t>(sc.producers + 2 * sc.consumers + 2));
  s.queue("steady");
  std::atomic<bool> producing{true};
  std::atomic<long> produced{0};
  std::atomic<long> consumed{0};
  std::mutex stats_mutex;
  latency_stats latency;
  std::stop_source stop;

  std::vector<std::thread> threads;
  for (int i = 0; i < sc.consumers; ++i) {
    threads.emplace_back([&] {
      auto c = s.consumer_ephemeral("steady");
      dequeue()
          .worker(c)
          .batch(sc.batch)
          .poll_interval(10ms)
          .handle_batch([&](const std::vector<queue_message>& msgs) {
            const auto t_now = now();
            std::lock_guard lock(stats_mutex);
            for (const auto& m : msgs) latency.add(t_now - m.enqueued_at);
            consumed += static_cast<long>(msgs.size());
          })
          .poll(s, stop.get_token());
    });
  }
  const auto per_producer = std::chrono::duration<double>(static_cast<double>(sc.producers) / sc.rate);
  for (int i = 0; i < sc.producers; ++i) {
    threads.emplace_back([&, i] {
      auto p = s.producer_ephemeral("steady");
      auto next =
          std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                 per_producer * (static_cast<double>(i) / sc.producers));
      long n = 0;
      while (producing) {
        std::this_thread::sleep_until(next);
        p.enqueue(json{{"n", n++}, {"kind", "steady"}, {"pad", std::string(70, 'x')}});
        ++produced;
        next += std::chrono::duration_cast<std::chrono::nanoseconds>(per_producer);
      }
    });
  }
  const std::string label = "steady " + t.backend + " p=" + std::to_string(sc.producers) +
                            " c=" + std::to_string(sc.consumers) + " batch=" + std::to_string(sc.batch) +
                            " rate=" + std::to_string(sc.rate);
  const auto started = std::chrono::steady_clock::now();
  long consumed_at_warmup = 0;
  std::chrono::steady_clock::time_point warm;
  // The first 20% is warm-up: counted for neither rate nor latency.
  {
    const auto warmup = duration / 5;
    while (std::chrono::steady_clock::now() - started < warmup) {
      rep.progress(label + ": warming up");
      std::this_thread::sleep_for(200ms);
    }
    std::lock_guard lock(stats_mutex);
    latency = latency_stats{};
    consumed_at_warmup = consumed.load();
    warm = std::chrono::steady_clock::now();
  }
  while (std::chrono::steady_clock::now() - started < duration) {
    rep.progress(label + ": produced " + std::to_string(produced.load()) + ", consumed " +
                 std::to_string(consumed.load()));
    std::this_thread::sleep_for(200ms);
  }
  const double window = std::chrono::duration<double>(std::chrono::steady_clock::now() - warm).count();
  const long consumed_in_window = consumed.load() - consumed_at_warmup;
  json lat;
  {
    std::lock_guard lock(stats_mutex);
    lat = latency.to_json();
  }
  producing = false;
  stop.request_stop();
  for (auto& th : threads) th.join();
  auto metrics = lat;
  metrics["consumed_per_sec"] = static_cast<double>(consumed_in_window) / window;
  metrics["offered_per_sec"] = sc.rate;
  metrics["backlog_at_end"] = s.messages().count();
  rep.record({"steady",
              t.backend,
              "pgqrs-cpp",
              {{"producers", sc.producers},
               {"consumers", sc.consumers},
               {"batch", sc.batch},
               {"offered_rate", sc.rate},
               {"seconds", duration.count()},
               {"poll_interval_ms", 10},
               {"payload_bytes", 100},
               {"settings", settings_of(s)}},
              metrics});
  drop_store(s);
}

void run(const options& opts, reporter& rep) {
  const auto duration = pick<std::chrono::seconds>(opts, 30s, 10s, 2s);
  for (const auto& t : targets(opts)) {
    for (const auto& sc :
         {steady_config{1, 1, 1, 500}, steady_config{2, 2, 10, 2000}, steady_config{4, 4, 50, 5000}}) {
      run_one(t, sc, duration, rep);
    }
  }
}

registrar reg({"steady", "producers and consumers together at a fixed offered rate: throughput and latency",
               run});

}  // namespace
}  // namespace pgqrs::bench
