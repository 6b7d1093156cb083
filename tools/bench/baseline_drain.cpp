#include <thread>

#include "baselines.hpp"
#include "bench.hpp"

namespace pgqrs::bench {

double raw_drain(raw_queue& q, int consumers, std::size_t batch, std::atomic<long>& done) {
  std::vector<std::unique_ptr<raw_connection>> conns;
  for (int i = 0; i < consumers; ++i) conns.push_back(q.connect());
  return seconds_of([&] {
    std::vector<std::thread> threads;
    for (auto& conn : conns) {
      threads.emplace_back([&, c = conn.get()] {
        std::vector<std::int64_t> ids;
        for (;;) {
          auto got = c->claim(batch);
          if (got.empty()) return;
          ids.clear();
          for (const auto& m : got) ids.push_back(m.id);
          c->ack(ids);
          done += static_cast<long>(ids.size());
        }
      });
    }
    for (auto& th : threads) th.join();
  });
}

}  // namespace pgqrs::bench
