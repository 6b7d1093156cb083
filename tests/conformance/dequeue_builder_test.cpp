// The dequeue builder: fetch, poll, handlers, long-running loops (spec §3.8) and lease keeping.
#include <atomic>
#include <future>
#include <thread>

#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class dequeue_builders : public queue_test {
 protected:
  std::int64_t produce(const json& v = json{{"k", 1}}) { return p->enqueue(v).id; }
  std::int64_t archived_count() {
    return static_cast<std::int64_t>(s().messages().list_archived_by_queue(p->queue().id).size());
  }
};

TEST_F(dequeue_builders, fetch_one_from_a_queue_reuses_one_cached_worker) {
  produce();
  produce();
  auto workers_before = s().workers().count();
  auto a = dequeue().from("q").fetch_one(s());
  auto b = dequeue().from("q").fetch_one(s());
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(a->consumer_worker_id, b->consumer_worker_id);
  EXPECT_EQ(s().workers().count(), workers_before + 1);
  EXPECT_FALSE(dequeue().from("q").fetch_one(s()));
}

TEST_F(dequeue_builders, fetch_all_respects_batch_and_lease) {
  for (int i = 0; i < 4; ++i) produce();
  auto c = make_consumer();
  const auto t = now();
  auto got = dequeue().worker(c).batch(3).with_vt(7s).at(t).fetch_all(s());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].vt, t + 7s);
}

TEST_F(dequeue_builders, at_mode_defaults_to_the_configured_lock_time) {
  produce();
  const auto t = now();
  auto got = dequeue().worker(make_consumer()).at(t).fetch_all(s());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].vt, t + 5s);
}

TEST_F(dequeue_builders, fetching_with_an_interrupted_worker_suspends_it) {
  produce();
  auto c = make_consumer();
  c.poll();
  c.interrupt();
  try {
    (void)dequeue().worker(c).fetch_one(s());
    FAIL();
  } catch (const suspended& e) {
    EXPECT_STREQ(e.what(), "Operation suspended: worker interrupted");
  }
  EXPECT_EQ(c.status(), worker_status::suspended);
  try {
    (void)dequeue().worker(c).fetch_all(s());
    FAIL();
  } catch (const suspended& e) {
    EXPECT_EQ(e.reason(), "worker suspended");
  }
}

TEST_F(dequeue_builders, poll_returns_available_messages_and_leaves_the_worker_ready) {
  produce();
  auto c = make_consumer();
  auto got = dequeue().worker(c).batch(5).poll(s());
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(c.status(), worker_status::ready);
}

TEST_F(dequeue_builders, poll_with_until_returns_empty_when_nothing_arrives) {
  auto c = make_consumer();
  auto got = dequeue().worker(c).poll_interval(20ms).until(150ms).poll(s());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(c.status(), worker_status::ready);
}

TEST_F(dequeue_builders, poll_wakes_up_for_a_message_enqueued_later) {
  auto c = make_consumer();
  auto fut = std::async(std::launch::async,
                        [&] { return dequeue().worker(c).poll_interval(20ms).until(10s).poll(s()); });
  std::this_thread::sleep_for(100ms);
  auto id = produce();
  auto got = fut.get();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, id);
}

TEST_F(dequeue_builders, poll_with_batch_zero_is_a_validation_error) {
  try {
    (void)dequeue().worker(make_consumer()).batch(0).poll(s());
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(), "Validation failed: batch size must be >= 1 for poll");
  }
}

TEST_F(dequeue_builders, poll_by_a_stopped_worker_is_a_state_transition_error) {
  auto c = make_consumer();
  c.suspend();
  c.shutdown();
  EXPECT_THROW((void)dequeue().worker(c).until(50ms).poll(s()), state_transition_error);
}

TEST_F(dequeue_builders, handle_execute_archives_on_success) {
  auto id = produce(json{{"job", "ok"}});
  std::vector<json> seen;
  bool handled =
      dequeue().from("q").handle([&](const queue_message& m) { seen.push_back(m.payload); }).execute(s());
  EXPECT_TRUE(handled);
  EXPECT_EQ(seen, std::vector<json>{json({{"job", "ok"}})});
  auto m = s().messages().get(id);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->archived_at);
  EXPECT_FALSE(dequeue().from("q").handle([](const queue_message&) {}).execute(s()));
}

TEST_F(dequeue_builders, handle_execute_releases_and_rethrows_on_failure) {
  auto id = produce();
  auto c = make_consumer();
  EXPECT_THROW(
      dequeue().worker(c).handle([](const queue_message&) { throw std::runtime_error("boom"); }).execute(s()),
      std::runtime_error);
  auto m = s().messages().get(id);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->archived_at);
  EXPECT_FALSE(m->consumer_worker_id);
  EXPECT_LE(m->vt, now());
  EXPECT_EQ(m->read_ct, 1);
}

TEST_F(dequeue_builders, single_message_handler_requires_batch_one) {
  produce();
  try {
    dequeue().from("q").batch(2).handle([](const queue_message&) {}).execute(s());
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(), "Validation failed: single-message handlers require batch size = 1, got 2");
  }
}

TEST_F(dequeue_builders, handle_batch_archives_the_whole_batch) {
  for (int i = 0; i < 5; ++i) produce();
  std::size_t got = 0;
  EXPECT_TRUE(
      dequeue().from("q").batch(4).handle_batch([&](const auto& msgs) { got = msgs.size(); }).execute(s()));
  EXPECT_EQ(got, 4u);
  EXPECT_EQ(archived_count(), 4);
  EXPECT_EQ(s().messages().count(), 1);
}

TEST_F(dequeue_builders, handler_loop_processes_everything_until_interrupted) {
  for (int i = 0; i < 20; ++i) produce(json{{"i", i}});
  auto c = make_consumer();
  std::atomic<int> handled{0};
  auto loop = std::async(std::launch::async, [&] {
    dequeue().worker(c).poll_interval(20ms).handle([&](const queue_message&) { ++handled; }).poll(s());
  });
  for (int i = 0; i < 500 && handled < 20; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(handled.load(), 20);
  c.interrupt();
  try {
    loop.get();
    FAIL() << "loop returned normally after interrupt";
  } catch (const suspended& e) {
    EXPECT_EQ(e.reason(), "worker interrupted");
  }
  EXPECT_EQ(c.status(), worker_status::suspended);
  EXPECT_EQ(archived_count(), 20);
}

TEST_F(dequeue_builders, handler_loop_stops_cleanly_on_a_stop_token) {
  auto c = make_consumer();
  std::stop_source stop;
  auto loop = std::async(std::launch::async, [&] {
    dequeue().worker(c).poll_interval(20ms).handle([](const queue_message&) {}).poll(s(), stop.get_token());
  });
  std::this_thread::sleep_for(100ms);
  stop.request_stop();
  EXPECT_NO_THROW(loop.get());
  EXPECT_EQ(c.status(), worker_status::ready);
}

TEST_F(dequeue_builders, handler_loop_ends_with_the_handlers_error_after_releasing) {
  auto id = produce();
  auto c = make_consumer();
  EXPECT_THROW(dequeue()
                   .worker(c)
                   .poll_interval(20ms)
                   .handle([](const queue_message&) { throw std::logic_error("bad job"); })
                   .poll(s()),
               std::logic_error);
  EXPECT_FALSE(s().messages().get(id)->consumer_worker_id);
}

TEST_F(dequeue_builders, until_is_rejected_for_handler_loops) {
  EXPECT_THROW(dequeue().from("q").until(1s).handle([](const queue_message&) {}).poll(s()), validation_error);
}

TEST_F(dequeue_builders, a_slow_handler_keeps_its_lease_and_is_not_delivered_twice) {
  auto id = produce();
  auto slow = make_consumer();
  auto other = make_consumer();
  std::atomic<bool> running{false};
  auto fut = std::async(std::launch::async, [&] {
    return dequeue()
        .worker(slow)
        // Renewed every 500 ms: a keeper delayed by up to a second on a loaded machine still holds the lease.
        .with_vt(1500ms)
        .handle([&](const queue_message&) {
          running = true;
          std::this_thread::sleep_for(3750ms);  // 2.5 leases
        })
        .execute(s());
  });
  while (!running) std::this_thread::sleep_for(5ms);
  for (int i = 0; i < 30; ++i) {
    EXPECT_FALSE(other.dequeue()) << "redelivered while the handler was still running";
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(fut.get());
  EXPECT_TRUE(s().messages().get(id)->archived_at);
}

TEST_F(dequeue_builders, idle_poll_loops_heartbeat) {
  reopen([](config& cfg) { cfg.heartbeat_interval = 1s; });
  auto c = make_consumer();
  const auto before = c.worker_record().heartbeat_at;
  std::stop_source stop;
  auto loop = std::async(std::launch::async, [&] {
    dequeue().worker(c).poll_interval(50ms).handle([](const queue_message&) {}).poll(s(), stop.get_token());
  });
  std::this_thread::sleep_for(1600ms);
  const auto during = c.worker_record().heartbeat_at;
  stop.request_stop();
  loop.get();
  EXPECT_GT(during, before + 500ms);
}

TEST_F(dequeue_builders, several_loops_can_share_one_consumer_and_all_stop_cleanly) {
  for (int i = 0; i < 30; ++i) produce(json{{"i", i}});
  auto c = make_consumer();
  std::stop_source stop;
  std::atomic<int> handled{0};
  std::vector<std::future<void>> loops;
  for (int t = 0; t < 3; ++t) {
    loops.push_back(std::async(std::launch::async, [&] {
      dequeue().worker(c).poll_interval(20ms).handle([&](const queue_message&) { ++handled; }).poll(
          s(), stop.get_token());
    }));
  }
  for (int i = 0; i < 500 && handled < 30; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(c.status(), worker_status::polling);
  stop.request_stop();
  for (auto& l : loops) EXPECT_NO_THROW(l.get());
  EXPECT_EQ(handled.load(), 30);
  EXPECT_EQ(c.status(), worker_status::ready);  // the last loop out completed the poll
  EXPECT_EQ(archived_count(), 30);
}

TEST_F(dequeue_builders, interrupting_a_consumer_shared_by_several_loops_ends_all_of_them_suspended) {
  auto c = make_consumer();
  std::vector<std::future<void>> loops;
  for (int t = 0; t < 3; ++t) {
    loops.push_back(std::async(std::launch::async, [&] {
      dequeue().worker(c).poll_interval(20ms).handle([](const queue_message&) {}).poll(s());
    }));
  }
  std::this_thread::sleep_for(200ms);
  c.interrupt();
  for (auto& l : loops) EXPECT_THROW(l.get(), suspended);
  EXPECT_EQ(c.status(), worker_status::suspended);
}

TEST_F(dequeue_builders, the_cached_consumer_of_from_survives_a_purge_of_its_queue) {
  produce();
  ASSERT_TRUE(dequeue().from("q").fetch_one(s()));
  admin(s()).purge_queue("q");  // deletes every worker of the queue, the cached one too
  pgqrs::enqueue().message(json(2)).to("q").execute(s());
  EXPECT_TRUE(dequeue().from("q").fetch_one(s()));
}

TEST_F(dequeue_builders, loop_stats_count_what_the_loops_did) {
  for (int i = 0; i < 3; ++i) produce(json{{"i", i}});
  auto c = make_consumer();
  std::stop_source stop;
  auto loop = std::async(std::launch::async, [&] {
    dequeue().worker(c).poll_interval(20ms).handle([](const queue_message&) {}).poll(s(), stop.get_token());
  });
  for (int i = 0; i < 300 && c.loop_stats().messages_handled < 3; ++i) std::this_thread::sleep_for(10ms);
  stop.request_stop();
  loop.get();
  EXPECT_EQ(c.loop_stats().messages_handled, 3u);
  EXPECT_EQ(c.loop_stats().handler_failures, 0u);
  EXPECT_EQ(c.loop_stats().transient_errors, 0u);
}

}  // namespace
}  // namespace pgqrs::testing
