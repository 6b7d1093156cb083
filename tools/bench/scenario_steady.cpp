// steady: producers and consumers run together for a fixed time. Producers enqueue single messages at a fixed
// total rate (paced); consumers poll every 10 ms when idle. Reports the consumed rate and enqueue -> consumer
// latency for the library (its own handler loop, `dequeue().handle_batch().poll()`) and, measured right
// before under the same load, for the raw-SQL loop of the same engine.
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "baselines.hpp"
#include "targets.hpp"

namespace pgqrs::bench {
namespace {

using namespace std::chrono_literals;
constexpr auto idle_poll = 10ms;

struct steady_config {
  int producers;
  int consumers;
  std::size_t batch;
  int rate;  // messages per second, all producers together
};

struct steady_result {
  double consumed_per_sec = 0;
  json latency;
};

/// Collects latencies after the warm-up.
class latency_sink {
 public:
  void add(std::chrono::microseconds d) {
    std::lock_guard lock(m_mutex);
    if (m_recording) m_stats.add(d);
    ++m_count;
  }
  long start_recording() {
    std::lock_guard lock(m_mutex);
    m_recording = true;
    return m_count;
  }
  std::pair<long, json> result() {
    std::lock_guard lock(m_mutex);
    return {m_count, m_stats.to_json()};
  }

 private:
  std::mutex m_mutex;
  latency_stats m_stats;
  bool m_recording = false;
  long m_count = 0;
};

/// Runs paced producers (`produce(i)`) and consumers (`consume(i, stop, sink)`) for `duration`; the first 20%
/// is warm-up, counted for neither rate nor latency.
steady_result run_harness(const steady_config& sc, std::chrono::seconds duration, reporter& rep,
                          const std::string& label, const std::function<void(int)>& produce,
                          const std::function<void(int, std::stop_token, latency_sink&)>& consume) {
  latency_sink sink;
  std::stop_source stop;
  std::vector<std::thread> threads;
  for (int i = 0; i < sc.consumers; ++i) threads.emplace_back([&, i] { consume(i, stop.get_token(), sink); });
  const auto period = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(static_cast<double>(sc.producers) / sc.rate));
  for (int i = 0; i < sc.producers; ++i) {
    threads.emplace_back([&, i] {
      auto next = std::chrono::steady_clock::now() + period * i / sc.producers;
      while (!stop.stop_requested()) {
        std::this_thread::sleep_until(next);
        produce(i);
        next += period;
      }
    });
  }
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < duration / 5) {
    rep.progress(label + ": warming up");
    std::this_thread::sleep_for(200ms);
  }
  const long warm_count = sink.start_recording();
  const auto warm = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < duration) {
    rep.progress(label + ": consumed " + std::to_string(sink.result().first));
    std::this_thread::sleep_for(200ms);
  }
  auto [count, latency] = sink.result();
  const double window = std::chrono::duration<double>(std::chrono::steady_clock::now() - warm).count();
  stop.request_stop();
  for (auto& th : threads) th.join();
  return {static_cast<double>(count - warm_count) / window, latency};
}

steady_result run_library(const target& t, const steady_config& sc, std::chrono::seconds duration,
                          reporter& rep, const std::string& label, json& settings) {
  auto s = fresh_store(t, "steady", static_cast<std::uint32_t>(sc.producers + 2 * sc.consumers + 2));
  s.queue("steady");
  settings = settings_of(s);
  std::vector<producer> producers;
  for (int i = 0; i < sc.producers; ++i) producers.push_back(s.producer_ephemeral("steady"));
  std::vector<long> counters(static_cast<std::size_t>(sc.producers), 0);
  auto result = run_harness(
      sc, duration, rep, label,
      [&](int i) {
        auto& n = counters[static_cast<std::size_t>(i)];
        producers[static_cast<std::size_t>(i)].enqueue(
            json{{"n", n++}, {"kind", "steady"}, {"pad", std::string(70, 'x')}});
      },
      [&](int, std::stop_token stop, latency_sink& sink) {
        auto c = s.consumer_ephemeral("steady");
        dequeue()
            .worker(c)
            .batch(sc.batch)
            .poll_interval(idle_poll)
            .handle_batch([&](const std::vector<queue_message>& msgs) {
              const auto t_now = now();
              for (const auto& m : msgs) sink.add(t_now - m.enqueued_at);
            })
            .poll(s, std::move(stop));
      });
  producers.clear();
  drop_store(s);
  return result;
}

steady_result run_raw(const target& t, const options& opts, const steady_config& sc,
                      std::chrono::seconds duration, reporter& rep, const std::string& label) {
  auto q = t.backend == "postgres" ? raw_libpq_queue(*opts.pg_dsn, 0) : raw_sqlite_queue(t.sqlite_dir, 0);
  std::vector<std::unique_ptr<raw_connection>> producers;
  for (int i = 0; i < sc.producers; ++i) producers.push_back(q->connect());
  std::vector<long> counters(static_cast<std::size_t>(sc.producers), 0);
  const std::string pad(70, 'x');
  return run_harness(
      sc, duration, rep, label + " (raw)",
      [&](int i) {
        auto& n = counters[static_cast<std::size_t>(i)];
        producers[static_cast<std::size_t>(i)]->enqueue(
            json{{"n", n++}, {"kind", "steady"}, {"pad", pad}}.dump());
      },
      [&](int, std::stop_token stop, latency_sink& sink) {
        auto c = q->connect();
        std::vector<std::int64_t> ids;
        while (!stop.stop_requested()) {
          auto got = c->claim(sc.batch);
          if (got.empty()) {
            std::this_thread::sleep_for(idle_poll);
            continue;
          }
          const auto t_now = now().time_since_epoch().count();
          ids.clear();
          for (const auto& m : got) {
            sink.add(std::chrono::microseconds(t_now - m.enqueued_at_us));
            ids.push_back(m.id);
          }
          c->ack(ids);
        }
      });
}

void run(const options& opts, reporter& rep) {
  const auto duration = pick<std::chrono::seconds>(opts, 30s, 10s, 2s);
  for (const auto& t : targets(opts)) {
    for (const auto& sc :
         {steady_config{1, 1, 1, 500}, steady_config{2, 2, 10, 2000}, steady_config{4, 4, 50, 5000}}) {
      const std::string label = "steady " + t.backend + " p=" + std::to_string(sc.producers) +
                                " c=" + std::to_string(sc.consumers) + " batch=" + std::to_string(sc.batch) +
                                " rate=" + std::to_string(sc.rate);
      json params = {{"producers", sc.producers},   {"consumers", sc.consumers},
                     {"batch", sc.batch},           {"offered_rate", sc.rate},
                     {"seconds", duration.count()}, {"poll_interval_ms", idle_poll.count()},
                     {"payload_bytes", 100}};
      auto raw = run_raw(t, opts, sc, duration, rep, label);
      auto raw_metrics = raw.latency;
      raw_metrics["consumed_per_sec"] = raw.consumed_per_sec;
      rep.record(
          {"steady", t.backend, t.backend == "postgres" ? "raw-libpq" : "raw-sqlite", params, raw_metrics});

      json settings;
      auto ours = run_library(t, sc, duration, rep, label, settings);
      auto metrics = ours.latency;
      metrics["consumed_per_sec"] = ours.consumed_per_sec;
      metrics["throughput_ratio_to_raw"] =
          raw.consumed_per_sec > 0 ? ours.consumed_per_sec / raw.consumed_per_sec : 0;
      const double raw_p50 = raw.latency.value("p50_ms", 0.0);
      metrics["p50_ratio_to_raw"] = raw_p50 > 0 ? ours.latency.value("p50_ms", 0.0) / raw_p50 : 0.0;
      params["settings"] = settings;
      rep.record({"steady", t.backend, "pgqrs-cpp", params, metrics});
    }
  }
}

registrar reg({"steady", "producers and consumers together at a fixed offered rate: throughput and latency",
               run});

}  // namespace
}  // namespace pgqrs::bench
