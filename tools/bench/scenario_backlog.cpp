// backlog: claim latency (one message per claim) with 1k .. 1M ready messages, with and without 1M archived
// rows. The claim walks an index in (vt, id) order and stops after LIMIT rows, so latency must not grow with
// the backlog (target: at 1M within 1.2x of 1k).
#include "targets.hpp"

namespace pgqrs::bench {
namespace {

latency_stats measure_claims(const store& s, const std::string& queue, int samples) {
  auto c = s.consumer(queue, "backlog-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  for (int i = 0; i < 50; ++i) (void)c.dequeue_many(1);  // warm caches and prepared statements
  latency_stats stats;
  for (int i = 0; i < samples; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto msgs = c.dequeue_many(1);
    stats.add(std::chrono::steady_clock::now() - start);
    if (msgs.empty()) break;
  }
  return stats;
}

void run(const options& opts, reporter& rep) {
  std::vector<std::int64_t> sizes = {1'000, 10'000, 100'000, 1'000'000};
  if (opts.quick) sizes = {1'000, 10'000, 100'000};
  const int samples = opts.quick ? 500 : 2000;
  for (const auto& t : targets(opts)) {
    for (bool with_archive : {false, true}) {
      double base_p50 = 0;
      for (auto n : sizes) {
        auto s = fresh_store(t, "backlog");
        auto q = s.queue("backlog");
        rep.progress("backlog " + t.backend + ": seeding " + std::to_string(n) +
                     (with_archive ? " ready + archive" : " ready"));
        seed_ready(s, q.id, n);
        const std::int64_t archived = with_archive ? sizes.back() : 0;
        if (archived > 0) seed_archived(s, q.id, archived);
        analyze(s);
        rep.progress("backlog " + t.backend + ": " + std::to_string(samples) + " claims at " +
                     std::to_string(n));
        auto stats = measure_claims(s, "backlog", samples);
        if (n == sizes.front()) base_p50 = stats.percentile(50);
        auto metrics = stats.to_json();
        metrics["p50_ratio_to_smallest"] = base_p50 > 0 ? stats.percentile(50) / base_p50 : 0.0;
        rep.record({"backlog",
                    t.backend,
                    "pgqrs-cpp",
                    {{"ready", n}, {"archived", archived}, {"settings", settings_of(s)}},
                    metrics});
        drop_store(s);
      }
    }
  }
}

registrar reg({"backlog", "claim latency versus backlog size, with and without a large archive", run});

}  // namespace
}  // namespace pgqrs::bench
