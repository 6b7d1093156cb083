// Durable workflows (spec §7, issue 9) on every backend: definitions, triggers, steps that run once, retries,
// pause, sleep, cancel, results, inspection, transactional steps. Time is injected (`.at(t)`) where a test
// is about schedules, so nothing here waits for real retry delays.
#include <atomic>
#include <thread>

#include "../fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

/// A workflow test: a definition's function is built per test; `calls` counts step executions by name.
class workflows : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    reopen([](config& c) { c.validation.max_enqueue_per_second.reset(); });
  }

  /// Executes ready runs of `def` until none is left (at `at` if given). @returns how many were executed
  int drain(const workflow_def& def, std::optional<timestamp> at = std::nullopt) {
    auto b = workflow().name(def);
    if (at) b.at(*at);
    int n = 0;
    while (b.execute(s())) ++n;
    return n;
  }

  int count(const std::string& step) { return calls[step].load(); }

  std::map<std::string, std::atomic<int>> calls;
};

workflow_def three_steps(std::map<std::string, std::atomic<int>>& calls) {
  return workflow_def("three_steps", [&calls](workflow_run& run, const json& in) -> json {
    auto a = workflow_step(run, "a", [&] {
      ++calls["a"];
      return in.at("x").get<int>() + 1;
    });
    auto b = workflow_step(run, "b", [&] {
      ++calls["b"];
      return a * 10;
    });
    auto c = workflow_step(run, "c", [&] {
      ++calls["c"];
      return std::to_string(b);
    });
    return json{{"result", c}};
  });
}

TEST_F(workflows, create_is_idempotent_and_creates_the_queue) {
  auto def = three_steps(calls);
  auto first = workflow().name(def).create(s());
  auto again = workflow().name(def).create(s());
  EXPECT_EQ(first.id, again.id);
  EXPECT_EQ(first.name, "three_steps");
  auto q = s().queues().get_by_name("three_steps");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->id, first.queue_id);
  EXPECT_EQ(list_workflows(s()).size(), 1u);
}

TEST_F(workflows, create_can_refuse_an_existing_definition_like_the_original) {
  workflow().name("wf").create(s());
  try {
    (void)workflow().name("wf").fail_if_exists().create(s());
    FAIL() << "expected workflow_already_exists";
  } catch (const workflow_already_exists& e) {
    EXPECT_STREQ(e.what(), "Workflow 'wf' already exists");
  }
}

TEST_F(workflows, create_reuses_an_existing_queue_of_the_same_name) {
  auto q = s().queue("reused");
  EXPECT_EQ(workflow().name("reused").create(s()).queue_id, q.id);
}

TEST_F(workflows, a_run_executes_its_steps_once_and_stores_the_output) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 4}}).execute(s());
  EXPECT_EQ(msg.payload, (json{{"input", {{"x", 4}}}}));
  EXPECT_EQ(drain(def), 1);
  EXPECT_EQ(run().message(msg).get(s()), (json{{"result", "50"}}));
  EXPECT_EQ(count("a"), 1);
  EXPECT_EQ(count("b"), 1);
  EXPECT_EQ(count("c"), 1);
  auto rec = run().message(msg).record(s());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, workflow_status::success);
  EXPECT_TRUE(rec->completed_at.has_value());
  auto steps = list_steps(s(), rec->id);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].step_name, "a");
  EXPECT_EQ(steps[0].output, json(5));
  EXPECT_EQ(steps[2].status, workflow_status::success);
  // The message is archived with the completion: nothing left to deliver.
  EXPECT_EQ(s().messages().count(), 0);
  EXPECT_FALSE(workflow().name(def).execute(s()));
}

TEST_F(workflows, typed_definitions_convert_input_and_output) {
  workflow_def def("typed", [](workflow_run& run, const std::vector<int>& in) -> int {
    return workflow_step(run, "sum", [&] {
      int total = 0;
      for (int v : in) total += v;
      return total;
    });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(std::vector<int>{1, 2, 3}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).get<int>(s()), 6);
}

TEST_F(workflows, a_stored_step_result_is_returned_instead_of_running_the_step_again) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  // A step "b" recorded earlier (e.g. by an execution that crashed after it) with a tampered value.
  auto rec = run().message(msg).execute(s());
  exec_sql(s(), "INSERT INTO " + table(s(), "pgqrs_workflow_steps") +
                    " (run_id, step_name, status, output, created_at, updated_at, retry_count) VALUES (" +
                    std::to_string(rec.id) + ", 'b', 'SUCCESS', '777', " +
                    (is_postgres_family() ? "now(), now()" : "0, 0") + ", 0)");
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).get(s()), (json{{"result", "777"}}));
  EXPECT_EQ(count("a"), 1);
  EXPECT_EQ(count("b"), 0);
  EXPECT_EQ(count("c"), 1);
}

TEST_F(workflows, a_failing_step_fails_the_run_with_its_error) {
  workflow_def def("fails", [](workflow_run& run, const json&) -> json {
    workflow_step(run, "boom", []() -> int { throw std::runtime_error("disk full"); });
    return nullptr;
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  auto rec = run().message(msg).record(s());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, workflow_status::error);
  EXPECT_NE(rec->error->dump().find("disk full"), std::string::npos);
  try {
    (void)run().message(msg).get(s());
    FAIL() << "expected execution_failed";
  } catch (const execution_failed& e) {
    EXPECT_NE(std::string(e.what()).find("disk full"), std::string::npos);
    EXPECT_EQ(e.run_id(), rec->id);
  }
  auto steps = list_steps(s(), rec->id);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].status, workflow_status::error);
  EXPECT_EQ(steps[0].error->at("is_transient"), false);
  EXPECT_EQ(s().messages().count(), 0);
}

TEST_F(workflows, transient_failures_are_retried_on_the_default_schedule_then_exhaust) {
  std::atomic<int> attempts{0};
  workflow_def def("flaky", [&](workflow_run& run, const json&) -> json {
    return workflow_step(run, "call", [&]() -> int {
      ++attempts;
      throw transient_step_error("TIMEOUT", "upstream timed out");
    });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  const auto t0 = now();
  ASSERT_TRUE(workflow().name(def).at(t0).execute(s()));
  EXPECT_EQ(attempts, 1);
  auto rec = *run().message(msg).record(s());
  EXPECT_EQ(rec.status, workflow_status::running);
  auto step = list_steps(s(), rec.id).at(0);
  EXPECT_EQ(step.retry_count, 1);
  ASSERT_TRUE(step.retry_at);
  EXPECT_EQ(*step.retry_at - t0, std::chrono::microseconds(1s));  // attempt 0: 1 s, no jitter (cap/4 = 0)
  // Not visible before the retry is due; visible at it.
  EXPECT_FALSE(workflow().name(def).at(t0 + 900ms).execute(s()));
  ASSERT_TRUE(workflow().name(def).at(t0 + 1s).execute(s()));
  EXPECT_EQ(attempts, 2);
  step = list_steps(s(), rec.id).at(0);
  EXPECT_EQ(*step.retry_at - (t0 + 1s), std::chrono::microseconds(2s));  // attempt 1: 2 s
  ASSERT_TRUE(workflow().name(def).at(t0 + 3s).execute(s()));
  step = list_steps(s(), rec.id).at(0);
  const auto third = *step.retry_at - (t0 + 3s);
  EXPECT_GE(third, std::chrono::microseconds(3s));  // attempt 2: 4 s ± 1 s
  EXPECT_LE(third, std::chrono::microseconds(5s));
  ASSERT_TRUE(workflow().name(def).at(t0 + 10s).execute(s()));
  EXPECT_EQ(attempts, 4);  // the 4th failure exhausts the 3 retries
  rec = *run().message(msg).record(s());
  EXPECT_EQ(rec.status, workflow_status::error);
  EXPECT_NE(rec.error->dump().find("Step failed after 3 attempts"), std::string::npos);
  // Waiting never counted as a failed delivery: the message was archived, not dead-lettered on the way.
  EXPECT_EQ(s().messages().count(), 0);
}

TEST_F(workflows, retry_after_and_a_per_step_policy_override_the_workflow_policy) {
  std::atomic<int> attempts{0};
  workflow_def def("custom", [&](workflow_run& run, const json&) -> json {
    return workflow_step(
        run, "call",
        [&]() -> int {
          if (++attempts == 1) throw transient_step_error("RATE", "slow down", 7s);
          if (attempts == 2) throw transient_step_error("RATE", "again");
          return 42;
        },
        retry_policy::fixed(20s, 5));
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  const auto t0 = now();
  ASSERT_TRUE(workflow().name(def).at(t0).execute(s()));
  auto rec = *run().message(msg).record(s());
  EXPECT_EQ(*list_steps(s(), rec.id).at(0).retry_at - t0, std::chrono::microseconds(7s));
  ASSERT_TRUE(workflow().name(def).at(t0 + 7s).execute(s()));
  EXPECT_EQ(*list_steps(s(), rec.id).at(0).retry_at - (t0 + 7s), std::chrono::microseconds(20s));
  ASSERT_TRUE(workflow().name(def).at(t0 + 27s).execute(s()));
  EXPECT_EQ(run().message(msg).get<int>(s()), 42);
}

TEST_F(workflows, a_policy_without_retries_fails_on_the_first_transient_error) {
  workflow_def def("no_retry", [](workflow_run& run, const json&) -> json {
    return workflow_step(run, "call", []() -> int { throw transient_step_error("X", "nope"); });
  });
  def.retry(retry_policy::none());
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).record(s())->status, workflow_status::error);
}

TEST_F(workflows, retry_policy_arithmetic_matches_the_original) {
  auto p = retry_policy();
  EXPECT_EQ(p.max_attempts(), 3u);
  EXPECT_EQ(p.delay(0, 12345), 1s);
  EXPECT_EQ(p.delay(1, 12345), 2s);
  EXPECT_EQ(p.delay(2, 0), 3s);  // 4 s − 1 s
  EXPECT_EQ(p.delay(2, 2), 5s);  // 4 s + 1 s
  EXPECT_EQ(p.delay(10, 0), 45s);  // capped at 60 s, − 15 s
  EXPECT_EQ(retry_policy::exponential(1s, 10s).delay(5), 10s);
  EXPECT_EQ(retry_policy::fixed(3s).delay(7), 3s);
  EXPECT_TRUE(p.should_retry(2));
  EXPECT_FALSE(p.should_retry(3));
}

TEST_F(workflows, a_durable_sleep_releases_the_run_until_its_wake_time) {
  std::atomic<int> after{0};
  workflow_def def("sleeper", [&](workflow_run& run, const json&) -> json {
    run.sleep("nap", 30s);
    return workflow_step(run, "after", [&] { return ++after; });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  const auto t0 = now();
  ASSERT_TRUE(workflow().name(def).at(t0).execute(s()));
  EXPECT_EQ(after, 0);
  EXPECT_EQ(run().message(msg).record(s())->status, workflow_status::running);
  EXPECT_FALSE(workflow().name(def).at(t0 + 29s).execute(s()));
  // Another store (a restarted process) wakes it at the stored time, not 30 s after its own start.
  auto other = open_another();
  ASSERT_TRUE(workflow().name(def).at(t0 + 30s).execute(other));
  EXPECT_EQ(after, 1);
  EXPECT_EQ(run().message(msg).get(other), json(1));
  // The sleep did not count as a delivery toward max_read_ct.
  auto archived = s().messages().get(msg.id);
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->read_ct, 1);
}

TEST_F(workflows, a_paused_step_pauses_the_run_and_runs_again_after_resume_after) {
  std::atomic<int> checks{0};
  workflow_def def("approval", [&](workflow_run& run, const json&) -> json {
    return workflow_step(run, "wait_for_approval", [&]() -> std::string {
      if (++checks == 1) throw paused_error("waiting for approval", 60s);
      return "approved";
    });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  const auto t0 = now();
  ASSERT_TRUE(workflow().name(def).at(t0).execute(s()));
  auto rec = *run().message(msg).record(s());
  EXPECT_EQ(rec.status, workflow_status::paused);
  EXPECT_NE(rec.error->dump().find("waiting for approval"), std::string::npos);
  EXPECT_FALSE(workflow().name(def).at(t0 + 59s).execute(s()));
  ASSERT_TRUE(workflow().name(def).at(t0 + 60s).execute(s()));
  EXPECT_EQ(run().message(msg).get(s()), json("approved"));
}

TEST_F(workflows, resume_ends_a_pause_early) {
  std::atomic<int> checks{0};
  workflow_def def("approval2", [&](workflow_run& run, const json&) -> json {
    return workflow_step(run, "check", [&]() -> int {
      if (++checks == 1) throw paused_error("later", 1h);
      return checks.load();
    });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_FALSE(workflow().name(def).execute(s()));
  EXPECT_TRUE(run().message(msg).resume(s()));
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).get<int>(s()), 2);
}

TEST_F(workflows, cancel_before_pickup_finalises_without_running_user_code) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  auto rec = run().message(msg).cancel(s());
  EXPECT_EQ(rec.status, workflow_status::cancelling);
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(count("a"), 0);
  EXPECT_EQ(run().message(msg).record(s())->status, workflow_status::cancelled);
  EXPECT_THROW((void)run().message(msg).get(s()), workflow_cancelled);
  EXPECT_EQ(s().messages().count(), 0);
}

TEST_F(workflows, cancel_while_running_stops_at_the_next_step_boundary) {
  workflow_def def("cancel_mid", [&](workflow_run& run, const json&) -> json {
    workflow_step(run, "first", [&] {
      (void)pgqrs::run().message_id(run.message_id()).cancel(s());  // another actor cancels meanwhile
      return 1;
    });
    workflow_step(run, "second", [&] {
      ++calls["second"];
      return 2;
    });
    return nullptr;
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  auto rec = *run().message(msg).record(s());
  EXPECT_EQ(rec.status, workflow_status::cancelled);
  EXPECT_EQ(count("second"), 0);
  auto steps = list_steps(s(), rec.id);
  ASSERT_EQ(steps.size(), 1u);  // the in-flight step finished and was recorded
  EXPECT_EQ(steps[0].status, workflow_status::success);
}

TEST_F(workflows, cancel_of_a_waiting_run_takes_effect_without_waiting) {
  workflow_def def("sleepy", [](workflow_run& run, const json&) -> json {
    run.sleep("long", 1h);
    return nullptr;
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  (void)run().message(msg).cancel(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).record(s())->status, workflow_status::cancelled);
}

TEST_F(workflows, cancel_of_a_finished_run_is_refused) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  try {
    (void)run().message(msg).cancel(s());
    FAIL() << "expected validation_error";
  } catch (const validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("is in terminal SUCCESS state"), std::string::npos);
  }
}

TEST_F(workflows, a_keyed_trigger_returns_the_existing_run_message) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto first = workflow().name(def).trigger(json{{"x", 1}}).key("order-42").execute(s());
  auto second = workflow().name(def).trigger(json{{"x", 2}}).key("order-42").execute(s());
  EXPECT_EQ(first.id, second.id);
  EXPECT_EQ(s().messages().count(), 1);
  ASSERT_TRUE(workflow().name(def).execute(s()));
  // Also once the run has finished (its message is archived).
  auto third = workflow().name(def).trigger(json{{"x", 3}}).key("order-42").execute(s());
  EXPECT_EQ(third.id, first.id);
  EXPECT_FALSE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(first).record(s())->key, "order-42");
}

TEST_F(workflows, keyed_triggers_racing_in_eight_threads_start_one_run) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  std::vector<std::int64_t> ids(8);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        auto other = open_another();
        ids[static_cast<std::size_t>(i)] =
            workflow().name("three_steps").trigger(json{{"x", i}}).key("same").execute(other).id;
      });
    }
  }
  for (auto id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(s().messages().count(), 1);
  EXPECT_EQ(list_runs(s()).size(), 1u);
}

TEST_F(workflows, trigger_of_an_unknown_workflow_is_not_found) {
  EXPECT_THROW((void)workflow().name("nope").trigger(json{}).execute(s()), not_found);
}

TEST_F(workflows, the_queue_of_a_workflow_cannot_be_deleted) {
  workflow().name("wf").create(s());
  EXPECT_THROW(admin(s()).delete_queue(*s().queues().get_by_name("wf")), validation_error);
}

TEST_F(workflows, a_non_serialisable_step_output_fails_the_run_with_a_serialization_error) {
  workflow_def def("bad_output", [](workflow_run& run, const json&) -> json {
    return workflow_step(run, "bad", [] { return std::string("\xff\xfe"); });  // not UTF-8
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  auto rec = *run().message(msg).record(s());
  EXPECT_EQ(rec.status, workflow_status::error);
  EXPECT_NE(rec.error->dump().find("cannot be stored as JSON"), std::string::npos);
}

TEST_F(workflows, start_of_a_terminal_run_by_a_late_worker_changes_nothing) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  auto rec = run().message(msg).execute(s());
  // Someone finished the run directly while its message was still queued.
  exec_sql(s(), "UPDATE " + table(s(), "pgqrs_workflow_runs") + " SET status = 'ERROR' WHERE id = " +
                    std::to_string(rec.id));
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(count("a"), 0);
  EXPECT_EQ(run().message(msg).record(s())->status, workflow_status::error);
  EXPECT_EQ(s().messages().count(), 0);
}

TEST_F(workflows, start_moves_a_queued_run_to_running_and_refuses_a_finished_one) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  auto started = run().message(msg).start(s());
  EXPECT_EQ(started.status, workflow_status::running);
  ASSERT_TRUE(started.started_at);
  EXPECT_EQ(run().message(msg).start(s()).started_at, started.started_at);  // RUNNING: unchanged
  ASSERT_TRUE(workflow().name(def).execute(s()));                         // a worker resumes it
  try {
    (void)run().message(msg).start(s());
    FAIL() << "expected validation_error";
  } catch (const validation_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Validation failed: Run " + std::to_string(started.id) + " is in terminal SUCCESS state");
  }
}

TEST_F(workflows, run_of_an_unknown_message_is_not_found) {
  EXPECT_THROW((void)run().message_id(424242).execute(s()), not_found);
  EXPECT_FALSE(run().message_id(424242).record(s()).has_value());
  EXPECT_THROW((void)run().record(s()), validation_error);
}

TEST_F(workflows, a_dead_lettered_run_fails_and_a_replay_runs_it_again) {
  reopen([](config& c) {
    c.validation.max_enqueue_per_second.reset();
    c.max_read_ct = 2;
  });
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 3}}).execute(s());
  (void)run().message(msg).execute(s());
  // Workers that keep dying on the message: it is delivered max_read_ct times and never finished.
  auto dying = s().consumer("three_steps", unique_name("dying"));
  const auto t0 = now();
  ASSERT_EQ(dying.dequeue_at(1, 1s, t0).size(), 1u);
  ASSERT_EQ(dying.dequeue_at(1, 1s, t0 + 2s).size(), 1u);
  EXPECT_EQ(admin(s()).dlq(), std::vector<std::int64_t>{msg.id});
  auto rec = *run().message(msg).record(s());
  EXPECT_EQ(rec.status, workflow_status::error);
  EXPECT_EQ(rec.error->at("code"), "DEAD_LETTERED");
  EXPECT_THROW((void)run().message(msg).get(s()), execution_failed);
  // Replayed from the DLQ, the run is queued again and finishes.
  ASSERT_TRUE(make_producer("three_steps").replay_dlq(msg.id));
  EXPECT_EQ(run().message(msg).record(s())->status, workflow_status::queued);
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).get(s()), (json{{"result", "40"}}));
}

TEST_F(workflows, result_waits_for_the_run_and_times_out_with_a_typed_error) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"x", 2}}).execute(s());
  EXPECT_THROW((void)run().message(msg).result(s(), 50ms), timeout_error);
  std::jthread worker([&] {
    std::this_thread::sleep_for(100ms);
    (void)workflow().name(def).execute(open_another());
  });
  EXPECT_EQ(run().message(msg).result(s(), 10s), (json{{"result", "30"}}));
}

TEST_F(workflows, list_runs_filters_by_workflow_status_and_time_newest_first) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  workflow().name("other").create(s());
  const auto before = now();
  auto m1 = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  auto m2 = workflow().name(def).trigger(json{{"x", 2}}).execute(s());
  (void)workflow().name("other").trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));  // runs m1
  (void)run().message(m2).execute(s());             // m2 materialised, QUEUED
  auto all = list_runs(s(), {.workflow = "three_steps"});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].message_id, m2.id);  // newest first
  auto done = list_runs(s(), {.workflow = "three_steps", .status = workflow_status::success});
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].message_id, m1.id);
  EXPECT_EQ(list_runs(s(), {.created_before = before}).size(), 0u);
  EXPECT_EQ(list_runs(s(), {.limit = 1}).size(), 1u);
  EXPECT_THROW((void)list_runs(s(), {.workflow = "missing"}), not_found);
  auto got = get_run(s(), done[0].id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->output, (json{{"result", "20"}}));
  EXPECT_FALSE(get_run(s(), 999999).has_value());
}

TEST_F(workflows, a_transactional_step_commits_the_users_sql_with_its_checkpoint) {
  exec_sql(s(), "CREATE TABLE " + table(s(), "ledger") + " (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL)");
  const auto ledger = table(s(), "ledger");
  std::atomic<int> executions{0};
  workflow_def def("pay", [&](workflow_run& run, const json& in) -> json {
    return run.transaction_step("debit", [&](transaction& tx) -> std::int64_t {
      ++executions;
      const bool pg = tx.dialect() == "postgres";
      tx.execute("INSERT INTO " + ledger + " (id, amount) VALUES (" + std::string(pg ? "$1, $2" : "?1, ?2") + ")",
                 {std::int64_t{1}, in.at("amount").get<std::int64_t>()});
      return tx.execute("SELECT amount FROM " + ledger + " WHERE id = " + (pg ? "$1" : "?1"), {std::int64_t{1}})
          .int64(0, 0);
    });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{{"amount", 25}}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).get<std::int64_t>(s()), 25);
  EXPECT_EQ(query_int(s(), "SELECT count(*) FROM " + ledger), 1);
  EXPECT_EQ(executions, 1);
}

TEST_F(workflows, user_sql_in_a_transactional_step_runs_with_the_servers_default_plan_mode) {
  if (!is_postgres_family()) GTEST_SKIP() << "plan_cache_mode is a PostgreSQL setting";
  // Direct connections force generic plans for the library's own statements; user SQL gets the default back.
  workflow_def def("plans", [](workflow_run& run, const json&) -> json {
    return run.transaction_step("show", [](transaction& tx) { return tx.execute("SHOW plan_cache_mode").text(0, 0); });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(msg).get(s()), json("auto"));
}

TEST_F(workflows, a_failed_transactional_step_leaves_neither_its_sql_nor_a_checkpoint) {
  exec_sql(s(), "CREATE TABLE " + table(s(), "ledger2") + " (id INTEGER PRIMARY KEY)");
  const auto ledger = table(s(), "ledger2");
  workflow_def def("pay_fail", [&](workflow_run& run, const json&) -> json {
    return run.transaction_step("debit", [&](transaction& tx) -> int {
      tx.execute("INSERT INTO " + ledger + " (id) VALUES (7)");
      throw std::runtime_error("card declined");
    });
  });
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(query_int(s(), "SELECT count(*) FROM " + ledger), 0);
  auto rec = *run().message(msg).record(s());
  EXPECT_EQ(rec.status, workflow_status::error);
  auto steps = list_steps(s(), rec.id);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].status, workflow_status::error);
  EXPECT_NE(steps[0].error->dump().find("card declined"), std::string::npos);
}

TEST_F(workflows, a_worker_that_lost_its_lease_cannot_record_a_step) {
  std::atomic<int> second_runs{0};
  std::atomic<bool> stall{true};
  const workflow_def* the_def = nullptr;
  workflow_def def("fenced", [&](workflow_run& run, const json&) -> json {
    workflow_step(run, "slow", [&] {
      // The first execution stalls past its lease; meanwhile another worker takes the run over.
      if (stall.exchange(false)) {
        auto other = open_another();
        auto w2 = other.consumer("fenced", unique_name("w2"));
        std::this_thread::sleep_for(1200ms);
        EXPECT_TRUE(workflow().name(*the_def).consumer(w2).execute(other));
      } else {
        ++second_runs;
      }
      return 1;
    });
    return "done";
  });
  the_def = &def;
  workflow().name(def).create(s());
  auto msg = workflow().name(def).trigger(json{}).execute(s());
  // A 1 s lease and a fake clock, so the lease is not renewed in the background.
  auto w1 = s().consumer("fenced", unique_name("w1"));
  ASSERT_TRUE(workflow().name(def).consumer(w1).lease(1s).at(now()).execute(s()));
  EXPECT_EQ(second_runs, 1);
  EXPECT_EQ(run().message(msg).get(s()), json("done"));
  auto rec = *run().message(msg).record(s());
  auto steps = list_steps(s(), rec.id);
  ASSERT_EQ(steps.size(), 1u);
}

TEST_F(workflows, a_poll_loop_runs_runs_concurrently_and_stops_on_request) {
  auto def = three_steps(calls);
  workflow().name(def).create(s());
  std::vector<queue_message> msgs;
  for (int i = 0; i < 20; ++i) msgs.push_back(workflow().name(def).trigger(json{{"x", i}}).execute(s()));
  auto builder = workflow().name(def).concurrency(4).poll_interval(20ms);
  std::stop_source stop;
  std::jthread loop([&] { builder.poll(s(), stop.get_token()); });
  for (const auto& m : msgs) (void)run().message(m).result(s(), 20s);
  stop.request_stop();
  loop.join();
  EXPECT_EQ(builder.stats().runs_completed, 20u);
  EXPECT_EQ(count("a"), 20);
  EXPECT_EQ(count("c"), 20);
}

TEST_F(workflows, a_failing_run_does_not_end_the_poll_loop) {
  std::atomic<int> done{0};
  workflow_def def("mixed", [&](workflow_run& run, const json& in) -> json {
    return workflow_step(run, "s", [&]() -> int {
      if (in.at("fail").get<bool>()) throw std::runtime_error("bad input");
      return ++done;
    });
  });
  workflow().name(def).create(s());
  auto bad = workflow().name(def).trigger(json{{"fail", true}}).execute(s());
  auto good = workflow().name(def).trigger(json{{"fail", false}}).execute(s());
  auto builder = workflow().name(def).poll_interval(20ms);
  std::stop_source stop;
  std::jthread loop([&] { builder.poll(s(), stop.get_token()); });
  EXPECT_EQ(run().message(good).result<int>(s(), 20s), 1);
  EXPECT_THROW((void)run().message(bad).result(s(), 20s), execution_failed);
  stop.request_stop();
  loop.join();
  EXPECT_EQ(builder.stats().runs_failed, 1u);
}

TEST_F(workflows, a_run_claimed_with_the_last_completion_is_given_back_undelivered_when_the_loop_stops) {
  // The loop claims its next run in the statement that completes the current one. Stopping right after a
  // completion leaves that run claimed but not executed: it goes back visible at once, its delivery not
  // counted, and the next worker executes it normally.
  std::stop_source stop;
  std::atomic<int> executed{0};
  workflow_def def("stops_after_one", [&](workflow_run& run, const json& in) -> json {
    ++executed;
    stop.request_stop();
    return workflow_step(run, "s", [&] { return in.at("x").get<int>() * 2; });
  });
  workflow().name(def).create(s());
  auto first = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  auto second = workflow().name(def).trigger(json{{"x", 2}}).execute(s());
  auto builder = workflow().name(def).poll_interval(20ms);
  builder.poll(s(), stop.get_token());
  EXPECT_EQ(executed.load(), 1);
  EXPECT_EQ(run().message(first).get(s()), json(2));
  auto left = s().messages().get(second.id);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->read_ct, 0);
  EXPECT_FALSE(left->consumer_worker_id.has_value());
  EXPECT_LE(left->vt, now());
  EXPECT_TRUE(workflow().name(def).execute(s()));
  EXPECT_EQ(run().message(second).get(s()), json(4));
  EXPECT_EQ(executed.load(), 2);
}

}  // namespace
}  // namespace pgqrs::testing
