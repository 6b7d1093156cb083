// Raw table access (spec §3.7).
#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class tables_api : public queue_test {};

TEST_F(tables_api, counts_distinguish_live_pending_held_and_archived) {
  auto msgs = p->batch_enqueue(std::vector<json>{json(1), json(2), json(3), json(4)});
  p->enqueue_delayed(json(5), 1h);
  auto c = make_consumer();
  ASSERT_EQ(c.dequeue_many(2).size(), 2u);
  ASSERT_TRUE(c.archive(msgs[0].id));
  auto t = tables(s()).messages();
  EXPECT_EQ(t.count(), 4) << "live messages (archived excluded)";
  EXPECT_EQ(t.count_by_queue(q.id), 5) << "live + archived";
  EXPECT_EQ(t.count_pending_for_queue(q.id), 2) << "ready now (not delayed, not leased)";
  EXPECT_EQ(t.count_pending_for_queue_and_worker(q.id, c.worker_id()), 1);
  EXPECT_EQ(t.count_by_consumer_worker(c.worker_id()), 1);
  EXPECT_EQ(t.count_worker_references(p->worker_id()), 5);
  EXPECT_EQ(t.list_archived_by_queue(q.id).size(), 1u);
  EXPECT_EQ(t.list().size(), 4u);
  EXPECT_EQ(t.filter_by_queue(q.id, 2).size(), 2u);
  EXPECT_EQ(t.list_by_consumer_worker(c.worker_id()).size(), 2u);
}

TEST_F(tables_api, get_by_ids_returns_live_and_archived_in_id_order) {
  auto msgs = p->batch_enqueue(std::vector<json>{json(1), json(2)});
  auto c = make_consumer();
  ASSERT_TRUE(c.dequeue());
  ASSERT_TRUE(c.archive(msgs[0].id));
  auto got = s().messages().get_by_ids({msgs[1].id, msgs[0].id, 12345678});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, msgs[0].id);
  EXPECT_TRUE(got[0].archived_at);
  EXPECT_FALSE(got[1].archived_at);
}

TEST_F(tables_api, update_payload_and_delete_by_ids) {
  auto msgs = p->batch_enqueue(std::vector<json>{json(1), json(2), json(3)});
  auto t = s().messages();
  EXPECT_TRUE(t.update_payload(msgs[0].id, json{{"patched", true}}));
  EXPECT_EQ(t.get(msgs[0].id)->payload, json({{"patched", true}}));
  EXPECT_EQ(t.delete_by_ids({msgs[1].id, 999999, msgs[2].id}), (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(t.delete_by_id(msgs[0].id));
  EXPECT_EQ(t.count(), 0);
}

TEST_F(tables_api, release_by_consumer_and_extend_visibility_batch) {
  auto msgs = p->batch_enqueue(std::vector<json>{json(1), json(2)});
  auto c = make_consumer();
  ASSERT_EQ(c.dequeue_many(2).size(), 2u);
  auto flags = s().messages().extend_visibility_batch({msgs[0].id, msgs[1].id}, c.worker_id(), 1h);
  EXPECT_EQ(flags, (std::vector<bool>{true, true}));
  EXPECT_GT(s().messages().get(msgs[0].id)->vt, now() + 59min);
  EXPECT_EQ(s().messages().release_by_consumer_worker(c.worker_id()), 2u);
  EXPECT_EQ(s().messages().count_pending_for_queue(q.id), 2);
}

TEST_F(tables_api, queue_table_delete_by_name) {
  s().queue("empty");
  EXPECT_TRUE(s().queues().delete_by_name("empty"));
  EXPECT_FALSE(s().queues().delete_by_name("empty"));
}

}  // namespace
}  // namespace pgqrs::testing
