// Recovery and worker administration (spec §4.4, §5.1).
#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class admins : public queue_test {};

TEST_F(admins, reclaim_releases_the_messages_of_silent_workers_and_stops_them) {
  p->batch_enqueue(std::vector<json>{json(1), json(2)});
  const auto long_ago = now() - 1h;
  auto zombie = make_consumer();
  zombie.with_time(long_ago).heartbeat();  // last sign of life an hour ago
  ASSERT_EQ(zombie.dequeue_many_with_delay(2, 24h).size(), 2u);
  auto alive = make_consumer();
  EXPECT_EQ(s().workers().count_zombies_for_queue(q.id, 60s), 1);
  EXPECT_EQ(admin(s()).reclaim_messages(q.id, 60s), 2u);
  EXPECT_EQ(s().workers().get(zombie.worker_id())->status, worker_status::stopped);
  EXPECT_EQ(alive.status(), worker_status::ready);
  EXPECT_EQ(alive.dequeue_many(5).size(), 2u) << "reclaimed messages are ready again";
}

TEST_F(admins, reclaim_defaults_to_three_missed_heartbeats) {
  auto late = make_consumer();
  p->enqueue(json(1));
  ASSERT_TRUE(late.dequeue_delay(24h));
  late.with_time(now() - 10s).heartbeat();  // two intervals (heartbeat_interval = 5 s): late, not dead
  EXPECT_EQ(admin(s()).reclaim_messages(q.id), 0u);
  EXPECT_EQ(late.status(), worker_status::ready);
  late.with_time(now() - 16s).heartbeat();  // more than three intervals
  EXPECT_EQ(admin(s()).reclaim_messages(q.id), 1u);
  EXPECT_EQ(late.status(), worker_status::stopped);
}

TEST_F(admins, release_worker_messages_releases_regardless_of_health) {
  p->batch_enqueue(std::vector<json>{json(1), json(2), json(3)});
  auto c = make_consumer();
  ASSERT_EQ(c.dequeue_many(3).size(), 3u);
  EXPECT_EQ(admin(s()).release_worker_messages(c.worker_id()), 3u);
  EXPECT_EQ(c.status(), worker_status::ready);
  EXPECT_EQ(s().messages().count_pending_for_queue(q.id), 3);
}

TEST_F(admins, delete_worker_refuses_while_messages_refer_to_it) {
  auto c = make_consumer();
  p->enqueue(json(1));
  ASSERT_TRUE(c.dequeue());
  try {
    admin(s()).delete_worker(c.worker_id());
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(), "Validation failed: Worker has 1 references (associated messages/archives)");
  }
  auto idle = make_consumer();
  EXPECT_EQ(admin(s()).delete_worker(idle.worker_id()), 1u);
  EXPECT_THROW(admin(s()).delete_worker(idle.worker_id()), worker_not_found);
}

TEST_F(admins, purge_old_workers_removes_only_stopped_unreferenced_ones) {
  auto old_stopped = make_consumer().with_time(now() - 2h);
  old_stopped.suspend();
  old_stopped.shutdown();
  auto active = make_consumer().with_time(now() - 2h);
  active.heartbeat();
  EXPECT_EQ(admin(s()).purge_old_workers(1h), 1u);
  EXPECT_FALSE(s().workers().get(old_stopped.worker_id()));
  EXPECT_TRUE(s().workers().get(active.worker_id()));
  EXPECT_TRUE(s().workers().get(p->worker_id()));
}

TEST_F(admins, get_worker_messages_lists_live_and_archived_messages_of_the_worker) {
  auto c = make_consumer();
  auto ids = p->batch_enqueue(std::vector<json>{json(1), json(2)});
  ASSERT_EQ(c.dequeue_many(2).size(), 2u);
  ASSERT_TRUE(c.archive(ids[0].id));
  auto msgs = admin(s()).get_worker_messages(c.worker_id());
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_TRUE(msgs[0].archived_at);
  EXPECT_FALSE(msgs[1].archived_at);
  EXPECT_THROW((void)admin(s()).get_worker_messages(987654), worker_not_found);
}

TEST_F(admins, list_workers_includes_producers_and_consumers) {
  auto c = make_consumer();
  auto all = admin(s()).list_workers();
  EXPECT_EQ(all.size(), 2u);
}

}  // namespace
}  // namespace pgqrs::testing

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(admins, worker_stats_counts_statuses_held_leases_and_ages) {
  auto busy = make_consumer();
  auto idle = make_consumer();
  idle.suspend();
  auto gone = make_consumer();
  gone.suspend();
  gone.shutdown();
  p->batch_enqueue(std::vector<json>{json(1), json(2), json(3)});
  ASSERT_EQ(busy.dequeue_many(3).size(), 3u);
  auto st = admin(s()).worker_stats("q");
  EXPECT_EQ(st.total_workers, 4u);  // the fixture's producer, busy, idle, gone
  EXPECT_EQ(st.ready_workers, 2u);
  EXPECT_EQ(st.suspended_workers, 1u);
  EXPECT_EQ(st.stopped_workers, 1u);
  EXPECT_EQ(st.polling_workers, 0u);
  EXPECT_DOUBLE_EQ(st.average_messages_per_worker, 3.0 / 4.0);
  EXPECT_GE(st.oldest_worker_age, st.newest_heartbeat_age);
  EXPECT_LT(st.oldest_worker_age, 60s);
  EXPECT_EQ(
      st.to_string().rfind("WorkerStats { total: 4, ready: 2, polling: 0, interrupted: 0, suspended: 1, "
                           "stopped: 1, avg_messages: 0.75",
                           0),
      0u)
      << st.to_string();
  EXPECT_THROW((void)admin(s()).worker_stats("nope"), queue_not_found);
  s().queue("empty");
  EXPECT_EQ(admin(s()).worker_stats("empty").total_workers, 0u);
}

TEST_F(admins, worker_health_reports_stale_workers_globally_and_per_queue) {
  s().queue("other");
  auto stale = make_consumer();
  stale.with_time(now() - 1h).heartbeat();
  auto elsewhere = s().consumer("other", unique_name("c"));
  auto global = admin(s()).worker_health_stats(60s, false);
  ASSERT_EQ(global.size(), 1u);
  EXPECT_EQ(global[0].queue_name, "Global");
  EXPECT_EQ(global[0].total_workers, 3u);
  EXPECT_EQ(global[0].stale_workers, 1u);
  auto grouped = admin(s()).worker_health_stats(60s, true);
  ASSERT_EQ(grouped.size(), 2u);
  EXPECT_EQ(grouped[0].queue_name, "other");
  EXPECT_EQ(grouped[0].total_workers, 1u);
  EXPECT_EQ(grouped[0].stale_workers, 0u);
  EXPECT_EQ(grouped[1].queue_name, "q");
  EXPECT_EQ(grouped[1].total_workers, 2u);
  EXPECT_EQ(grouped[1].stale_workers, 1u);
}

TEST_F(admins, queue_metrics_count_pending_locked_and_archived_messages) {
  p->batch_enqueue(std::vector<json>{json(1), json(2), json(3), json(4)});
  auto c = make_consumer();
  auto leased = c.dequeue_many(2);
  ASSERT_EQ(leased.size(), 2u);
  ASSERT_TRUE(c.archive(leased[0].id));
  auto m = admin(s()).queue_metrics("q");
  EXPECT_EQ(m.name, "q");
  EXPECT_EQ(m.total_messages, 4);
  EXPECT_EQ(m.pending_messages, 2);
  EXPECT_EQ(m.locked_messages, 1);
  EXPECT_EQ(m.archived_messages, 1);
  ASSERT_TRUE(m.oldest_pending_message && m.newest_message);
  EXPECT_LE(*m.oldest_pending_message, *m.newest_message);
  EXPECT_THROW((void)admin(s()).queue_metrics("nope"), queue_not_found);
}

TEST_F(admins, all_queues_metrics_list_every_queue_by_name_empty_ones_too) {
  s().queue("a_empty");
  p->enqueue(json(1));
  auto all = admin(s()).all_queues_metrics();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a_empty");
  EXPECT_EQ(all[0].total_messages, 0);
  EXPECT_FALSE(all[0].oldest_pending_message);
  EXPECT_FALSE(all[0].newest_message);
  EXPECT_EQ(all[1].name, "q");
  EXPECT_EQ(all[1].pending_messages, 1);
}

TEST_F(admins, system_stats_count_queues_workers_and_messages) {
  p->batch_enqueue(std::vector<json>{json(1), json(2), json(3)});
  auto c = make_consumer();
  auto leased = c.dequeue_many(2);
  ASSERT_EQ(leased.size(), 2u);
  ASSERT_TRUE(c.archive(leased[0].id));
  auto st = admin(s()).system_stats();
  EXPECT_EQ(st.total_queues, 1);
  EXPECT_EQ(st.total_workers, 2);  // the fixture's producer and c
  EXPECT_EQ(st.active_workers, 2);
  EXPECT_EQ(st.total_messages, 2);
  EXPECT_EQ(st.pending_messages, 1);
  EXPECT_EQ(st.locked_messages, 1);
  EXPECT_EQ(st.archived_messages, 1);
  EXPECT_NE(st.schema_version, "0");
}

}  // namespace
}  // namespace pgqrs::testing
