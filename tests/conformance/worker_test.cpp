// Worker registration and the status state machine (spec §4.1–§4.3).
#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class workers : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    make_queue();
  }
  template <typename F>
  std::string transition_error(F&& f) {
    try {
      f();
    } catch (const state_transition_error& e) {
      return e.what();
    }
    return "(no error)";
  }
};

TEST_F(workers, named_registration_creates_a_ready_worker_on_the_queue) {
  auto c = s().consumer("q", "worker-1");
  auto rec = c.worker_record();
  EXPECT_EQ(rec.name, "worker-1");
  EXPECT_EQ(rec.status, worker_status::ready);
  EXPECT_EQ(rec.queue_id, c.queue().id);
  EXPECT_FALSE(rec.shutdown_at);
  EXPECT_EQ(c.name(), "worker-1");
}

TEST_F(workers, registering_an_active_name_again_is_refused) {
  auto c = s().consumer("q", "dup");
  try {
    (void)s().producer("q", "dup");
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(), "Validation failed: Worker dup is already active. Cannot register duplicate.");
  }
}

TEST_F(workers, registering_a_suspended_name_asks_for_resume) {
  auto c = s().consumer("q", "sleepy");
  c.suspend();
  try {
    (void)s().consumer("q", "sleepy");
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_STREQ(e.what(), "Validation failed: Worker sleepy is suspended. Use resume() to reactivate.");
  }
}

TEST_F(workers, a_stopped_name_is_reused_with_the_same_id) {
  auto first = s().consumer("q", "again");
  first.suspend();
  first.shutdown();
  EXPECT_EQ(first.status(), worker_status::stopped);
  EXPECT_TRUE(first.worker_record().shutdown_at);
  auto second = s().consumer("q", "again");
  EXPECT_EQ(second.worker_id(), first.worker_id());
  EXPECT_EQ(second.status(), worker_status::ready);
  EXPECT_FALSE(second.worker_record().shutdown_at);
}

TEST_F(workers, full_lifecycle_ready_polling_interrupted_suspended_ready_stopped) {
  auto c = make_consumer();
  c.poll();
  EXPECT_EQ(c.status(), worker_status::polling);
  c.poll();  // polling -> polling is allowed
  c.interrupt();
  EXPECT_EQ(c.status(), worker_status::interrupted);
  c.suspend();
  EXPECT_EQ(c.status(), worker_status::suspended);
  c.resume();
  EXPECT_EQ(c.status(), worker_status::ready);
  c.poll();
  c.complete_poll();
  EXPECT_EQ(c.status(), worker_status::ready);
  c.suspend();
  c.shutdown();
  EXPECT_EQ(c.status(), worker_status::stopped);
}

TEST_F(workers, illegal_transitions_name_the_states_and_the_rule) {
  auto c = make_consumer();
  EXPECT_EQ(transition_error([&] { c.resume(); }),
            "Invalid state transition from ready to ready: Worker must be in Suspended state to resume");
  EXPECT_EQ(transition_error([&] { c.shutdown(); }),
            "Invalid state transition from ready to stopped: Worker must be in Suspended state to shutdown");
  EXPECT_EQ(transition_error([&] { c.interrupt(); }),
            "Invalid state transition from ready to interrupted: Worker must be in Polling state to be "
            "interrupted");
  EXPECT_EQ(
      transition_error([&] { c.complete_poll(); }),
      "Invalid state transition from ready to ready: Worker must be in Polling state to complete polling");
  c.suspend();
  EXPECT_EQ(transition_error([&] { c.poll(); }),
            "Invalid state transition from suspended to polling: Worker must be Ready to start polling");
  EXPECT_EQ(transition_error([&] { c.suspend(); }),
            "Invalid state transition from suspended to suspended: Worker must be Ready, Polling, or "
            "Interrupted to "
            "suspend");
  c.shutdown();
  EXPECT_EQ(transition_error([&] { c.resume(); }),
            "Invalid state transition from stopped to ready: Worker must be in Suspended state to resume");
}

TEST_F(workers, producers_share_the_state_machine) {
  auto p = make_producer();
  p.suspend();
  EXPECT_EQ(p.status(), worker_status::suspended);
  p.resume();
  p.suspend();
  p.shutdown();
  EXPECT_EQ(p.status(), worker_status::stopped);
}

TEST_F(workers, a_consumer_holding_leases_cannot_shut_down) {
  auto p = make_producer();
  p.enqueue(json(1));
  auto c = make_consumer();
  auto m = c.dequeue();
  ASSERT_TRUE(m);
  c.suspend();
  try {
    c.shutdown();
    FAIL();
  } catch (const worker_has_pending_messages& e) {
    EXPECT_EQ(e.count(), 1u);
    EXPECT_STREQ(e.what(), "Worker has 1 pending messages: Consumer has 1 pending messages");
  }
  ASSERT_TRUE(c.archive(m->id));
  EXPECT_NO_THROW(c.shutdown());
}

TEST_F(workers, heartbeat_updates_liveness) {
  auto c = make_consumer();
  const auto t = now() + 1h;
  c.with_time(t).heartbeat();
  EXPECT_EQ(c.worker_record().heartbeat_at, t);
  EXPECT_TRUE(c.is_healthy(5s));
  EXPECT_FALSE(c.with_time(t + 10s).is_healthy(5s));
}

TEST_F(workers, heartbeat_of_a_deleted_worker_is_worker_not_found) {
  auto c = make_consumer();
  ASSERT_TRUE(s().workers().delete_by_id(c.worker_id()));
  EXPECT_THROW(c.heartbeat(), worker_not_found);
  EXPECT_THROW((void)c.status(), worker_not_found);
  EXPECT_THROW(c.suspend(), worker_not_found);
}

TEST_F(workers, ephemeral_workers_get_generated_names_and_stop_when_dropped) {
  auto p = make_producer();
  auto id = p.enqueue(json(1)).id;
  std::int64_t worker_id = 0;
  {
    auto c = s().consumer_ephemeral("q");
    worker_id = c.worker_id();
    EXPECT_EQ(c.name().rfind("__ephemeral__", 0), 0u) << c.name();
    EXPECT_EQ(c.name().size(), std::string("__ephemeral__").size() + 36);
    ASSERT_TRUE(c.dequeue());
    auto copy = c;  // copies share one registration
    EXPECT_EQ(copy.worker_id(), worker_id);
  }
  auto rec = s().workers().get(worker_id);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, worker_status::stopped);
  auto m = s().messages().get(id);
  EXPECT_FALSE(m->consumer_worker_id) << "lease released when the ephemeral consumer went away";
  EXPECT_TRUE(make_consumer().dequeue()) << "released message is ready again";
}

TEST_F(workers, table_level_control_by_id_follows_the_same_rules) {
  auto c = make_consumer();
  EXPECT_EQ(s().workers().suspend(c.worker_id()).status, worker_status::suspended);
  EXPECT_EQ(s().workers().resume(c.worker_id()).status, worker_status::ready);
  EXPECT_THROW(s().workers().shutdown(c.worker_id()), state_transition_error);
  EXPECT_THROW(s().workers().suspend(123456789), worker_not_found);
}

TEST_F(workers, worker_list_is_newest_first) {
  auto a = s().consumer("q", "a");
  auto b = s().consumer("q", "b");
  auto list = s().workers().list();
  ASSERT_GE(list.size(), 2u);
  EXPECT_EQ(list[0].name, "b");
  EXPECT_EQ(s().workers().get_by_name("a")->id, a.worker_id());
  EXPECT_EQ(s().workers().count(), static_cast<std::int64_t>(list.size()));
}

}  // namespace
}  // namespace pgqrs::testing
