#include <thread>

#include "baselines.hpp"
#include "bench.hpp"

namespace pgqrs::bench {

double raw_drain(std::vector<std::unique_ptr<raw_connection>>& conns, std::size_t batch,
                 std::atomic<long>& done, std::int64_t max_messages) {
  return seconds_of([&] {
    std::vector<std::thread> threads;
    for (auto& conn : conns) {
      threads.emplace_back([&, c = conn.get()] {
        std::vector<std::int64_t> ids;
        for (;;) {
          if (max_messages > 0 && done.load() >= max_messages) return;
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
