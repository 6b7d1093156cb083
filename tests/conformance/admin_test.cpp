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

TEST_F(admins, reclaim_defaults_to_the_heartbeat_interval) {
  auto zombie = make_consumer();
  zombie.with_time(now() - 10s).heartbeat();
  p->enqueue(json(1));
  ASSERT_TRUE(zombie.dequeue_delay(24h));
  EXPECT_EQ(admin(s()).reclaim_messages(q.id), 1u);  // heartbeat_interval = 5 s
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
