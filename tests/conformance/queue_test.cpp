// Queues (spec §3.1).
#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

class queues : public store_test {};

TEST_F(queues, create_returns_the_new_queue) {
  auto q = s().queue("orders");
  EXPECT_GT(q.id, 0);
  EXPECT_EQ(q.queue_name, "orders");
  EXPECT_LE(q.created_at, now() + std::chrono::seconds(1));
}

TEST_F(queues, creating_a_duplicate_is_queue_already_exists) {
  s().queue("orders");
  try {
    s().queue("orders");
    FAIL();
  } catch (const queue_already_exists& e) {
    EXPECT_STREQ(e.what(), "Queue 'orders' already exists");
    EXPECT_EQ(e.queue_name(), "orders");
  }
}

TEST_F(queues, admin_get_queue_of_an_unknown_name_is_queue_not_found) {
  try {
    (void)admin(s()).get_queue("nope");
    FAIL();
  } catch (const queue_not_found& e) {
    EXPECT_STREQ(e.what(), "Queue 'nope' not found");
  }
}

TEST_F(queues, producers_and_consumers_of_an_unknown_queue_are_queue_not_found) {
  EXPECT_THROW((void)s().producer("nope", "p"), queue_not_found);
  EXPECT_THROW((void)s().consumer("nope", "c"), queue_not_found);
  EXPECT_THROW((void)s().producer_ephemeral("nope"), queue_not_found);
  EXPECT_THROW(enqueue().message(json{{"a", 1}}).to("nope").execute(s()), queue_not_found);
  EXPECT_THROW((void)dequeue().from("nope").fetch_one(s()), queue_not_found);
}

TEST_F(queues, hostile_and_unicode_names_are_stored_verbatim) {
  const std::string hostile = "x'); DROP TABLE pgqrs_queues; --";
  const std::string unicode = "队列-émoji-🚀";
  s().queue(hostile);
  s().queue(unicode);
  EXPECT_TRUE(s().queues().exists(hostile));
  EXPECT_EQ(s().queues().get_by_name(unicode)->queue_name, unicode);
  EXPECT_EQ(s().queues().count(), 2);
}

TEST_F(queues, empty_oversized_or_malformed_names_are_validation_errors) {
  EXPECT_THROW(s().queue(""), validation_error);
  EXPECT_THROW(s().queue(std::string(256, 'q')), validation_error);
  EXPECT_THROW(s().queue(std::string("a\0b", 3)), validation_error);
  EXPECT_THROW(s().queue("\xff\xfe"), validation_error);
  EXPECT_EQ(s().queues().count(), 0);
}

TEST_F(queues, list_is_newest_first_and_count_matches) {
  s().queue("a");
  s().queue("b");
  s().queue("c");
  auto list = s().queues().list();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].queue_name, "c");
  EXPECT_EQ(list[2].queue_name, "a");
  EXPECT_EQ(s().queues().count(), 3);
  EXPECT_EQ(s().queues().get(list[1].id)->queue_name, "b");
  EXPECT_FALSE(s().queues().get(999999).has_value());
}

TEST_F(queues, delete_refuses_while_workers_are_assigned) {
  auto q = make_queue();
  auto c = make_consumer();
  try {
    admin(s()).delete_queue(q);
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(
        e.what(),
        "Validation failed: Cannot delete queue 'q': 1 worker(s) are still assigned to this queue. Delete "
        "workers first.");
  }
  EXPECT_TRUE(s().queues().exists("q"));
}

TEST_F(queues, delete_refuses_while_messages_exist_even_archived_ones) {
  auto q = make_queue();
  enqueue().message(json{{"a", 1}}).to("q").execute(s());
  try {
    admin(s()).delete_queue_by_name("q");
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("1 references exist in messages table. Purge data first."),
              std::string::npos)
        << e.what();
  }
}

TEST_F(queues, purge_removes_messages_archive_and_workers_then_delete_succeeds) {
  auto q = make_queue();
  auto p = make_producer();
  auto c = make_consumer();
  p.batch_enqueue(std::vector<json>{json(1), json(2), json(3)});
  auto m = c.dequeue();
  ASSERT_TRUE(m);
  ASSERT_TRUE(c.archive(m->id));
  EXPECT_EQ(admin(s()).purge_queue("q"), 3u);
  EXPECT_EQ(s().messages().count_by_queue(q.id), 0);
  EXPECT_TRUE(s().workers().list_by_queue(q.id).empty());
  admin(s()).delete_queue(q);
  EXPECT_FALSE(s().queues().exists("q"));
}

TEST_F(queues, delete_of_an_unknown_queue_is_queue_not_found) {
  EXPECT_THROW(admin(s()).delete_queue_by_name("ghost"), queue_not_found);
  EXPECT_THROW(admin(s()).purge_queue("ghost"), queue_not_found);
}

TEST_F(queues, handles_whose_worker_rows_were_purged_fail_with_worker_not_found) {
  auto q = make_queue();
  auto p = make_producer();
  auto c = make_consumer();
  p.enqueue(json(1));
  admin(s()).purge_queue("q");
  EXPECT_THROW(p.enqueue(json(2)), worker_not_found);
  EXPECT_THROW(p.batch_enqueue(std::vector<json>{json(3), json(4)}), worker_not_found);
  pgqrs::enqueue().message(json(5)).to("q").execute(s());  // the handle-free path still works
  EXPECT_THROW((void)c.dequeue(), worker_not_found);
  EXPECT_EQ(s().messages().count_by_queue(q.id), 1);
  EXPECT_NO_THROW(admin(s()).verify());  // no message refers to a deleted worker
}

}  // namespace
}  // namespace pgqrs::testing
