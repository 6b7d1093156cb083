// Concurrent consumers (threads with their own connections) drain a backlog: every message is delivered and
// archived exactly once (SKIP LOCKED on PostgreSQL, serialised BEGIN IMMEDIATE claims on SQLite).
#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

class concurrency : public store_test {};

TEST_F(concurrency, four_consumers_drain_a_backlog_exactly_once) {
  const int total = is_postgres_family() ? 20000 : 4000;
  reopen([](config& c) {
    c.validation.max_enqueue_per_second.reset();
    c.max_connections = 8;
  });
  make_queue();
  auto p = make_producer();
  for (int start = 0; start < total; start += 1000) {
    std::vector<json> chunk;
    for (int i = start; i < std::min(total, start + 1000); ++i) chunk.push_back(json{{"n", i}});
    p.batch_enqueue(chunk);
  }

  const std::size_t batch_sizes[] = {1, 3, 10, 25};
  std::vector<std::vector<std::int64_t>> delivered(4), archived(4);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto c = make_consumer();
        for (;;) {
          auto msgs = c.dequeue_many(batch_sizes[t]);
          if (msgs.empty()) {
            if (s().messages().count() == 0) return;
            continue;
          }
          std::vector<std::int64_t> ids;
          for (const auto& m : msgs) {
            ids.push_back(m.id);
            delivered[t].push_back(m.id);
          }
          auto ok = c.archive_many(ids);
          for (std::size_t i = 0; i < ids.size(); ++i) {
            if (ok[i]) archived[t].push_back(ids[i]);
          }
        }
      } catch (const std::exception& e) {
        ++errors;
        ADD_FAILURE() << "consumer " << t << ": " << e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(errors.load(), 0);

  std::vector<std::int64_t> all_delivered, all_archived;
  for (int t = 0; t < 4; ++t) {
    all_delivered.insert(all_delivered.end(), delivered[t].begin(), delivered[t].end());
    all_archived.insert(all_archived.end(), archived[t].begin(), archived[t].end());
    EXPECT_FALSE(delivered[t].empty()) << "consumer " << t << " got nothing";
  }
  std::set<std::int64_t> unique_delivered(all_delivered.begin(), all_delivered.end());
  std::set<std::int64_t> unique_archived(all_archived.begin(), all_archived.end());
  EXPECT_EQ(all_delivered.size(), static_cast<std::size_t>(total)) << "some message was delivered twice";
  EXPECT_EQ(unique_delivered.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(all_archived.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(unique_archived.size(), static_cast<std::size_t>(total));
  EXPECT_EQ(s().messages().count(), 0);
  EXPECT_EQ(s().messages().count_by_queue(p.queue().id), total);
}

TEST_F(concurrency, concurrent_producers_and_consumers_lose_nothing) {
  reopen([](config& c) { c.validation.max_enqueue_per_second.reset(); });
  make_queue();
  const int per_producer = 500;
  std::atomic<int> produced{0};
  std::atomic<bool> producing{true};
  std::mutex mu;
  std::set<std::int64_t> seen;
  int duplicates = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      auto p = make_producer();
      for (int i = 0; i < per_producer; ++i) {
        p.enqueue(json{{"i", i}});
        ++produced;
      }
    });
  }
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      auto c = make_consumer();
      for (;;) {
        auto msgs = c.dequeue_many(5);
        if (msgs.empty()) {
          if (!producing && s().messages().count() == 0) return;
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
          continue;
        }
        std::vector<std::int64_t> ids;
        for (const auto& m : msgs) ids.push_back(m.id);
        (void)c.archive_many(ids);  // ownership checks are not what this test counts
        std::lock_guard lock(mu);
        for (auto id : ids) duplicates += seen.insert(id).second ? 0 : 1;
      }
    });
  }
  threads[0].join();
  threads[1].join();
  producing = false;
  threads[2].join();
  threads[3].join();
  EXPECT_EQ(produced.load(), 2 * per_producer);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(2 * per_producer));
  EXPECT_EQ(duplicates, 0);
}

}  // namespace
}  // namespace pgqrs::testing
