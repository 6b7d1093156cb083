// Liveness against a reaper (issue 7, defects 1 and 2): admin reclaim_messages, run by another store as an
// operator's cron job would, must only take work from workers that stopped beating, never from a live one:
// not from a handler that starts after a long idle spell, not from an idle poll loop between two beats, not
// from a handler that runs for longer than the stale threshold. Heartbeat interval 1 s here, so the default
// stale threshold is 3 s.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class liveness : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    reopen([](config& c) {
      c.heartbeat_interval = 1s;
      c.validation.max_enqueue_per_second.reset();
    });
    q = make_queue();
    m_reaper.emplace(open_another());
  }
  void TearDown() override {
    m_reaper.reset();
    store_test::TearDown();
  }

  /// Reclaims (default or given threshold) from another store every 50 ms until `done`; sums what it took.
  std::thread reap_until(std::atomic<bool>& done, std::atomic<std::uint64_t>& taken,
                         std::optional<std::chrono::seconds> older_than = std::nullopt) {
    return std::thread([this, &done, &taken, older_than] {
      while (!done) {
        try {
          taken += admin(*m_reaper).reclaim_messages(q.id, older_than);
        } catch (const std::exception& e) {
          ADD_FAILURE() << "reaper: " << e.what();
          return;
        }
        std::this_thread::sleep_for(50ms);
      }
    });
  }

  queue_record q;
  std::optional<store> m_reaper;
};

TEST_F(liveness, a_handler_started_after_a_long_idle_is_not_reclaimed_by_the_default_threshold) {
  auto c = make_consumer();
  auto p = make_producer();
  p.enqueue(json{{"job", 1}});
  std::this_thread::sleep_for(3500ms);  // idle past the stale threshold (3 beats of 1 s)
  std::uint64_t taken = 99;
  const bool handled = dequeue().worker(c).handle([&](const queue_message&) {
                         taken = admin(*m_reaper).reclaim_messages(q.id);
                       }).execute(s());
  ASSERT_TRUE(handled);
  EXPECT_EQ(taken, 0u);
  EXPECT_EQ(c.status(), worker_status::ready);
  EXPECT_EQ(s().messages().count(), 0);  // the handler's archive went through
  EXPECT_EQ(s().messages().list_archived_by_queue(q.id).size(), 1u);
}

TEST_F(liveness, a_handler_started_after_a_long_idle_is_not_reclaimed_by_an_explicit_threshold) {
  auto c = make_consumer();
  auto p = make_producer();
  p.enqueue(json{{"job", 1}});
  std::this_thread::sleep_for(2200ms);  // idle past the explicit threshold below
  std::uint64_t taken = 99;
  ASSERT_TRUE(dequeue().worker(c).handle([&](const queue_message&) {
                taken = admin(*m_reaper).reclaim_messages(q.id, 2s);
              }).execute(s()));
  EXPECT_EQ(taken, 0u);
  EXPECT_EQ(s().messages().list_archived_by_queue(q.id).size(), 1u);
}

TEST_F(liveness, a_plain_dequeue_after_a_long_idle_beats_before_it_claims) {
  auto c = make_consumer();
  auto p = make_producer();
  p.enqueue(json{{"job", 1}});
  std::this_thread::sleep_for(3500ms);
  auto m = c.dequeue();
  ASSERT_TRUE(m);
  EXPECT_EQ(admin(*m_reaper).reclaim_messages(q.id), 0u);
  EXPECT_TRUE(c.archive(m->id));
}

TEST_F(liveness, a_reaper_in_a_loop_never_stops_an_idle_poll_loop) {
  auto c = make_consumer();
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> taken{0};
  std::stop_source stop;
  std::thread loop([&] {
    try {
      dequeue().worker(c).poll_interval(200ms).handle([](const queue_message&) {}).poll(s(), stop.get_token());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "poll loop ended: " << e.what();
    }
  });
  auto reaper = reap_until(done, taken);
  std::this_thread::sleep_for(4500ms);  // more than the stale threshold, several beats
  EXPECT_EQ(c.status(), worker_status::polling);
  done = true;
  reaper.join();
  stop.request_stop();
  loop.join();
  EXPECT_EQ(taken.load(), 0u);
  EXPECT_EQ(c.status(), worker_status::ready);
}

TEST_F(liveness, a_handler_running_longer_than_the_stale_threshold_keeps_its_message) {
  auto c = make_consumer();
  auto p = make_producer();
  p.enqueue(json{{"job", "slow"}});
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> taken{0};
  std::atomic<int> calls{0};
  auto reaper = reap_until(done, taken);
  ASSERT_TRUE(dequeue().worker(c).with_vt(2s).handle([&](const queue_message&) {
                ++calls;
                std::this_thread::sleep_for(4s);  // > 3 s stale threshold, > 2 s lease
              }).execute(s()));
  done = true;
  reaper.join();
  EXPECT_EQ(taken.load(), 0u);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(c.status(), worker_status::ready);
  EXPECT_EQ(s().messages().list_archived_by_queue(q.id).size(), 1u);
}

TEST_F(liveness, a_busy_poll_loop_under_a_reaper_handles_every_message_exactly_once) {
  auto c = make_consumer();
  auto p = make_producer();
  std::vector<json> jobs;
  for (int i = 0; i < 40; ++i) jobs.push_back(json{{"n", i}});
  p.batch_enqueue(jobs);
  std::mutex m;
  std::multiset<std::int64_t> seen;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> taken{0};
  std::stop_source stop;
  std::thread loop([&] {
    try {
      dequeue().worker(c).poll_interval(50ms).handle([&](const queue_message& msg) {
        std::this_thread::sleep_for(100ms);  // 40 messages: 4 s of work, past the stale threshold
        std::lock_guard lock(m);
        seen.insert(msg.id);
      }).poll(s(), stop.get_token());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "poll loop ended: " << e.what();
    }
  });
  auto reaper = reap_until(done, taken);
  for (int i = 0; i < 200 && s().messages().count() > 0; ++i) std::this_thread::sleep_for(50ms);
  done = true;
  reaper.join();
  stop.request_stop();
  loop.join();
  EXPECT_EQ(taken.load(), 0u);
  EXPECT_EQ(seen.size(), 40u);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 40u);  // no message twice
  EXPECT_EQ(s().messages().list_archived_by_queue(q.id).size(), 40u);
}

TEST_F(liveness, a_worker_that_stopped_beating_is_still_reclaimed) {
  auto dead = make_consumer();
  auto p = make_producer();
  p.enqueue(json(1));
  ASSERT_TRUE(dead.dequeue_delay(24h));
  std::this_thread::sleep_for(3500ms);  // nothing beats for it: its process "died" after the claim
  EXPECT_EQ(admin(*m_reaper).reclaim_messages(q.id), 1u);
  EXPECT_EQ(dead.status(), worker_status::stopped);
  EXPECT_EQ(s().messages().count_pending_for_queue(q.id), 1);
}

}  // namespace
}  // namespace pgqrs::testing
