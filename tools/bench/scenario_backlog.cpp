// backlog: claim latency (one message per claim) with 1k .. 1M ready messages, in three conditions:
//   fresh     – nothing else in the tables;
//   archived  – plus 1M archived messages;
//   churn     – plus 1M archived messages, after >= 1M messages went through lease + archive in the same
//   queue,
//               with no manual VACUUM (dead index entries left by that churn are what slows claims down).
// The claim walks the index in (vt, id) order and stops after LIMIT rows, so latency should not grow with the
// backlog (target: at 1M within 1.2x of 1k, in every condition).
#include <thread>

#include "targets.hpp"

namespace pgqrs::bench {
namespace {

/// Pushes `n` messages through lease + archive (4 consumers, batch 100), enqueued before everything else.
void churn(const store& s, const queue_record& q, std::int64_t n) {
  seed_ready(s, q.id, n, 100, std::chrono::hours(2));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto c = s.consumer_ephemeral(q.queue_name);
      std::vector<std::int64_t> ids;
      for (;;) {
        auto msgs = c.dequeue_many(100);
        if (msgs.empty()) return;
        ids.clear();
        for (const auto& m : msgs) ids.push_back(m.id);
        (void)c.archive_many(ids);
      }
    });
  }
  for (auto& t : threads) t.join();
}

void run(const options& opts, reporter& rep) {
  const auto sizes = pick<std::vector<std::int64_t>>(opts, {1'000, 10'000, 100'000, 1'000'000},
                                                     {1'000, 10'000, 100'000}, {100, 1'000});
  const std::int64_t big = pick<std::int64_t>(opts, 1'000'000, 200'000, 2'000);
  const int samples = pick(opts, 1500, 400, 50);
  const int round =
      50;  // claims per size per round: sizes alternate, so machine noise hits all of them alike
  for (const auto& t : targets(opts)) {
    for (std::string condition : {"fresh", "archived", "churn"}) {
      struct prepared {
        std::int64_t ready;
        std::optional<store> s;
        std::optional<consumer> c;
        latency_stats stats;
        json before;
      };
      std::vector<prepared> all;
      for (auto n : sizes) {
        prepared p{n, fresh_store(t, "backlog", 4), std::nullopt, {}, {}};
        auto q = p.s->queue("backlog");
        const std::string label = "backlog " + t.backend + " " + condition + " " + std::to_string(n);
        if (condition != "fresh") {
          rep.progress(label + ": seeding " + std::to_string(big) + " archived");
          seed_archived(*p.s, q.id, big);
        }
        if (condition == "churn") {
          rep.progress(label + ": churning " + std::to_string(big) + " messages through lease + archive");
          churn(*p.s, q, big);
        }
        rep.progress(label + ": seeding");
        seed_ready(*p.s, q.id, n);
        analyze(*p.s);  // planner statistics only; no VACUUM
        p.before = table_health(*p.s);
        p.c.emplace(p.s->consumer_ephemeral("backlog"));
        for (int i = 0; i < 20; ++i) (void)p.c->dequeue_many(1);  // warm caches and prepared statements
        all.push_back(std::move(p));
      }
      for (int done = 0; done < samples; done += round) {
        rep.progress("backlog " + t.backend + " " + condition + ": " + std::to_string(done) + "/" +
                     std::to_string(samples) + " claims per size");
        for (auto& p : all) {
          const int limit = std::min<int>(round, static_cast<int>(p.ready / 2) - done);
          for (int i = 0; i < limit; ++i) {
            auto start = std::chrono::steady_clock::now();
            (void)p.c->dequeue_many(1);
            p.stats.add(std::chrono::steady_clock::now() - start);
          }
        }
      }
      const double base_p50 = all.front().stats.percentile(50);
      for (auto& p : all) {
        auto metrics = p.stats.to_json();
        metrics["p50_ratio_to_smallest"] = base_p50 > 0 ? p.stats.percentile(50) / base_p50 : 0.0;
        rep.record({"backlog",
                    t.backend,
                    "pgqrs-cpp",
                    {{"ready", p.ready},
                     {"condition", condition},
                     {"archived", condition == "fresh" ? 0 : big},
                     {"churned", condition == "churn" ? big : 0},
                     {"table_before", p.before},
                     {"table_after", table_health(*p.s)},
                     {"settings", settings_of(*p.s)}},
                    metrics});
        p.c.reset();
        drop_store(*p.s);
      }
    }
  }
}

registrar reg({"backlog",
               "claim latency vs backlog: fresh, with 1M archived, and after 1M churned (no VACUUM)", run});

}  // namespace
}  // namespace pgqrs::bench
