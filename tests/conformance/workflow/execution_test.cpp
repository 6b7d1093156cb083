// Workflows driven step by step (run_execution), the original's step API from outside a worker (step()),
// run results written from outside (run().complete/fail/pause) and workflow_run::pause, on every backend.
// Time is injected where a test is about schedules.
#include "../fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class execution : public store_test {
 protected:
  void SetUp() override {
    store_test::SetUp();
    reopen([](config& c) { c.validation.max_enqueue_per_second.reset(); });
    workflow().name("wf").create(s());
    worker.emplace(s().consumer("wf", unique_name("w")));
  }

  queue_message trigger(json input = {{"x", 1}}) { return workflow().name("wf").trigger(std::move(input)).execute(s()); }

  std::optional<run_execution> claim(execution_options o = {}) { return run_execution::claim(s(), "wf", *worker, o); }
  /// A claim as if the time were `t` (injected time: the lease and any wait are in that clock).
  std::optional<run_execution> claim_at(timestamp t) {
    execution_options o;
    o.at = t;
    return claim(o);
  }

  run_record run_of(const queue_message& m) { return *run().message(m).record(s()); }

  std::optional<consumer> worker;
};

TEST_F(execution, claim_returns_nothing_when_no_run_is_ready) {
  EXPECT_FALSE(claim());
}

TEST_F(execution, steps_begun_and_ended_by_the_caller_are_checkpointed_and_complete_archives) {
  auto m = trigger();
  auto ex = claim();
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->input(), (json{{"x", 1}}));
  EXPECT_EQ(ex->record().status, workflow_status::running);
  auto a = ex->begin_step("a");
  EXPECT_FALSE(a.done);
  ex->complete_step("a", json{{"n", 2}});
  EXPECT_EQ(ex->state(), execution_state::running);
  ex->complete(json("out"));
  EXPECT_EQ(ex->state(), execution_state::finished);
  auto r = run_of(m);
  EXPECT_EQ(r.status, workflow_status::success);
  EXPECT_EQ(r.output, json("out"));
  auto steps = list_steps(s(), r.id);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].output, (json{{"n", 2}}));
  EXPECT_TRUE(s().messages().get(m.id)->archived_at) << "archived with the completion";
  EXPECT_FALSE(claim());
}

TEST_F(execution, a_dropped_execution_gives_the_run_back_and_the_next_one_replays_its_steps) {
  auto m = trigger();
  {
    auto ex = claim();
    ASSERT_TRUE(ex);
    (void)ex->begin_step("a");
    ex->complete_step("a", 7);
    (void)ex->begin_step("b");  // the caller dies here
  }
  auto ex = claim();
  ASSERT_TRUE(ex) << "given back at once, not at lease expiry";
  auto a = ex->begin_step("a");
  EXPECT_TRUE(a.done);
  EXPECT_EQ(a.output, json(7));
  EXPECT_FALSE(ex->begin_step("b").done);
  ex->complete_step("b", 8);
  ex->complete(nullptr);
  EXPECT_EQ(run_of(m).status, workflow_status::success);
}

TEST_F(execution, a_transient_failure_waits_for_its_retry_without_holding_the_run) {
  auto m = trigger();
  const auto t0 = now();
  execution_options o;
  o.at = t0;
  o.policy = retry_policy::fixed(10s);
  auto ex = claim(o);
  ASSERT_TRUE(ex);
  (void)ex->begin_step("a");
  ex->fail_step("a", step_failure::transient("BUSY", "try later"));
  EXPECT_EQ(ex->state(), execution_state::waiting);
  ex->complete(1);  // ignored: the execution stopped
  auto step = list_steps(s(), run_of(m).id).at(0);
  EXPECT_EQ(step.status, workflow_status::error);
  EXPECT_EQ(step.retry_count, 1);
  ASSERT_TRUE(step.retry_at);
  EXPECT_EQ(*step.retry_at, t0 + 10s);
  EXPECT_EQ(step.error->at("code"), "BUSY");
  EXPECT_EQ(run_of(m).status, workflow_status::running);

  o.at = t0 + 5s;
  EXPECT_FALSE(claim(o)) << "released until the retry is due";
  o.at = t0 + 11s;
  auto again = claim(o);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->begin_step("a").done);
  again->complete_step("a", "ok");
  again->complete("done");
  EXPECT_EQ(run_of(m).output, json("done"));
}

TEST_F(execution, the_last_transient_failure_exhausts_the_retries) {
  auto m = trigger();
  execution_options o;
  o.policy = retry_policy::none();
  auto ex = claim(o);
  (void)ex->begin_step("a");
  EXPECT_THROW(ex->fail_step("a", step_failure::transient("X", "no more")), retries_exhausted);
  EXPECT_EQ(ex->state(), execution_state::running) << "the caller fails the run";
  ex->fail(json{{"message", "no more"}});
  EXPECT_EQ(run_of(m).status, workflow_status::error);
}

TEST_F(execution, a_permanent_failure_is_recorded_and_replayed_as_exhausted) {
  auto m = trigger();
  {
    auto ex = claim();
    (void)ex->begin_step("a");
    ex->fail_step("a", step_failure::permanent("File not found"));
    EXPECT_EQ(ex->state(), execution_state::running);
    ex->give_back();
    EXPECT_EQ(ex->state(), execution_state::waiting);
  }
  auto ex = claim();
  ASSERT_TRUE(ex);
  try {
    (void)ex->begin_step("a");
    FAIL() << "expected retries_exhausted";
  } catch (const retries_exhausted& e) {
    EXPECT_NE(std::string(e.what()).find("File not found"), std::string::npos) << e.what();
  }
  ex->fail(json("File not found"));
  EXPECT_EQ(run_of(m).status, workflow_status::error);
}

TEST_F(execution, pause_gives_the_run_back_until_resumed_then_goes_on) {
  auto m = trigger();
  {
    auto ex = claim();
    EXPECT_FALSE(ex->pause("approve me", 1h));
    EXPECT_EQ(ex->state(), execution_state::waiting);
  }
  auto r = run_of(m);
  EXPECT_EQ(r.status, workflow_status::paused);
  EXPECT_EQ(r.error->at("message"), "approve me");
  EXPECT_FALSE(claim());
  EXPECT_TRUE(run().message(m).resume(s()));
  auto ex = claim();
  ASSERT_TRUE(ex);
  EXPECT_TRUE(ex->pause("approve me", 1h)) << "the pause is over";
  ex->complete("approved");
  EXPECT_EQ(run_of(m).status, workflow_status::success);
}

TEST_F(execution, suspend_pauses_the_run_and_the_next_execution_starts_over) {
  auto m = trigger();
  {
    auto ex = claim();
    (void)ex->begin_step("a");
    ex->complete_step("a", 1);
    ex->suspend("waiting for approval", 1h);
    EXPECT_EQ(ex->state(), execution_state::waiting);
  }
  EXPECT_EQ(run_of(m).status, workflow_status::paused);
  EXPECT_EQ(run_of(m).error->at("message"), "waiting for approval");
  EXPECT_FALSE(claim());
  EXPECT_TRUE(run().message(m).resume(s()));
  auto ex = claim();
  ASSERT_TRUE(ex);
  EXPECT_TRUE(ex->begin_step("a").done);
  ex->complete(2);
  EXPECT_EQ(run_of(m).status, workflow_status::success);
}

TEST_F(execution, sleep_returns_false_until_the_wake_time) {
  auto m = trigger();
  const auto t0 = now();
  auto first = claim_at(t0);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->sleep("nap", 30s));
  auto ex = claim_at(t0 + 31s);
  ASSERT_TRUE(ex);
  EXPECT_TRUE(ex->sleep("nap", 30s));
  ex->complete(1);
  EXPECT_EQ(run_of(m).status, workflow_status::success);
}

TEST_F(execution, a_cancel_during_the_execution_stops_it_at_the_next_checkpoint) {
  auto m = trigger();
  auto ex = claim();
  (void)ex->begin_step("a");
  (void)run().message(m).cancel(s());
  ex->complete_step("a", 1);
  EXPECT_EQ(ex->state(), execution_state::cancelled);
  EXPECT_EQ(run_of(m).status, workflow_status::cancelled);
  EXPECT_TRUE(s().messages().get(m.id)->archived_at);
}

TEST_F(execution, a_worker_whose_lease_expired_cannot_record_over_the_new_owner) {
  auto m = trigger();
  const auto t0 = now();
  execution_options o;
  o.at = t0;
  o.lease = 1s;
  auto first = claim(o);
  ASSERT_TRUE(first);
  (void)first->begin_step("a");
  auto other = s().consumer("wf", unique_name("w2"));
  o.at = t0 + 5s;
  auto second = run_execution::claim(s(), "wf", other, o);
  ASSERT_TRUE(second) << "the lease expired";
  first->complete_step("a", "stale");
  EXPECT_EQ(first->state(), execution_state::lease_lost);
  first->complete("stale");
  (void)second->begin_step("a");
  second->complete_step("a", "fresh");
  second->complete("fresh");
  EXPECT_EQ(run_of(m).output, json("fresh"));
  EXPECT_EQ(list_steps(s(), run_of(m).id).at(0).output, json("fresh"));
}

TEST_F(execution, failing_a_run_after_the_database_refused_a_checkpoint_gives_it_back_instead) {
  // What the Python decorators do when a checkpoint raises: fail the run with that exception. The failure is
  // the database's, not the workflow's: the run is given back (as a C++ workflow's is) and runs again.
  auto m = trigger();
  const auto t0 = now();
  auto ex = claim_at(t0);
  ASSERT_TRUE(ex);
  (void)ex->begin_step("a");
  exec_sql(s(), "ALTER TABLE " + table(s(), "pgqrs_workflow_steps") + " RENAME TO pgqrs_workflow_steps_away");
  EXPECT_THROW(ex->complete_step("a", 1), pgqrs::error);
  exec_sql(s(), "ALTER TABLE " + table(s(), "pgqrs_workflow_steps_away") + " RENAME TO pgqrs_workflow_steps");
  ex->fail(json("the checkpoint failed"));
  EXPECT_EQ(ex->state(), execution_state::waiting);
  EXPECT_EQ(run_of(m).status, workflow_status::running);
  auto again = claim_at(t0 + 5s);
  ASSERT_TRUE(again) << "the run was given back";
  EXPECT_FALSE(again->begin_step("a").done) << "the refused checkpoint was not recorded";
  again->complete_step("a", 1);
  again->complete(2);
  EXPECT_EQ(run_of(m).status, workflow_status::success);
  EXPECT_EQ(run_of(m).output, json(2));
}

TEST_F(execution, claim_refuses_a_consumer_of_another_queue_and_an_unknown_workflow) {
  s().queue("other");
  auto c = s().consumer("other", unique_name("c"));
  EXPECT_THROW((void)run_execution::claim(s(), "wf", c), validation_error);
  EXPECT_THROW((void)run_execution::claim(s(), "nope", *worker), not_found);
}

TEST_F(execution, claim_stops_a_suspended_worker) {
  worker->suspend();
  EXPECT_THROW((void)claim(), suspended);
}

// ---------------------------------------------------------------- step(): the original's step API

class steps : public execution {
 protected:
  void SetUp() override {
    execution::SetUp();
    msg = trigger();
    run_id = run().message(msg).start(s()).id;
  }
  step_builder st(const std::string& name, std::optional<timestamp> at = std::nullopt) {
    auto b = step();
    b.run_id(run_id).name(name);
    if (at) b.at(*at);
    return b;
  }
  queue_message msg;
  std::int64_t run_id = 0;
};

TEST_F(steps, acquire_executes_once_and_then_returns_the_stored_output) {
  auto a = st("a").acquire(s());
  EXPECT_TRUE(a.execute);
  EXPECT_EQ(a.step.status, workflow_status::running);
  (void)st("a").complete(s(), json{{"v", 1}});
  auto again = st("a").acquire(s());
  EXPECT_FALSE(again.execute);
  EXPECT_EQ(again.output, (json{{"v", 1}}));
}

TEST_F(steps, transient_failures_follow_the_default_policy_then_exhaust) {
  const auto t0 = now();
  // The original's default: retries after 1 s, 2 s, 4 s (±1 s), then the 4th failure is final.
  auto t = t0;
  const std::chrono::seconds expected[] = {1s, 2s, 4s};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(st("a", t).acquire(s()).execute);
    auto rec = st("a", t).fail(s(), json{{"is_transient", true}, {"code", "BUSY"}, {"message", "later"}});
    ASSERT_TRUE(rec.retry_at) << i;
    const auto delay = std::chrono::duration_cast<std::chrono::seconds>(*rec.retry_at - t);
    EXPECT_GE(delay, expected[i] - 1s) << i;
    EXPECT_LE(delay, expected[i] + 1s) << i;
    EXPECT_EQ(rec.retry_count, i + 1);
    try {
      (void)st("a", t).acquire(s());
      FAIL() << "expected step_not_ready";
    } catch (const step_not_ready& e) {
      EXPECT_NE(std::string(e.what()).find("Step not ready for execution (retry scheduled for"), std::string::npos);
    }
    t = *rec.retry_at;
  }
  ASSERT_TRUE(st("a", t).acquire(s()).execute);
  auto last = st("a", t).fail(s(), json{{"is_transient", true}, {"code", "BUSY"}, {"message", "later"}});
  EXPECT_FALSE(last.retry_at);
  try {
    (void)st("a", t).acquire(s());
    FAIL() << "expected retries_exhausted";
  } catch (const retries_exhausted& e) {
    EXPECT_NE(std::string(e.what()).find("Step failed after 3 attempts"), std::string::npos) << e.what();
  }
}

TEST_F(steps, retry_after_overrides_the_policy_delay_in_either_form) {
  const auto t0 = now();
  auto rec = st("a", t0).fail(s(), json{{"is_transient", true}, {"code", "X"}, {"message", "m"}, {"retry_after", 30}});
  EXPECT_EQ(*rec.retry_at, t0 + 30s);
  auto rec2 = st("b", t0).fail(
      s(), json{{"is_transient", true}, {"code", "X"}, {"message", "m"}, {"retry_after", {{"secs", 7}, {"nanos", 0}}}});
  EXPECT_EQ(*rec2.retry_at, t0 + 7s);
}

TEST_F(steps, an_error_without_is_transient_is_permanent_with_its_json_text_as_message) {
  (void)st("a").acquire(s());
  auto rec = st("a").fail(s(), json("boom"));
  EXPECT_EQ(rec.error->at("message"), "\"boom\"");
  EXPECT_EQ(rec.error->at("is_transient"), false);
  EXPECT_FALSE(rec.retry_at);
  EXPECT_THROW((void)st("a").acquire(s()), retries_exhausted);
}

TEST_F(steps, a_configured_policy_applies) {
  const auto t0 = now();
  auto b = st("a", t0);
  b.retry(retry_policy::fixed(5s, 1));
  auto rec = b.fail(s(), json{{"is_transient", true}, {"code", "X"}, {"message", "m"}});
  EXPECT_EQ(*rec.retry_at, t0 + 5s);
  auto last = b.fail(s(), json{{"is_transient", true}, {"code", "X"}, {"message", "m"}});
  EXPECT_FALSE(last.retry_at) << "one retry allowed";
}

TEST_F(steps, acquire_on_a_cancelling_run_finalises_it) {
  (void)run().message(msg).cancel(s());
  EXPECT_THROW((void)st("a").acquire(s()), workflow_cancelled);
  EXPECT_EQ(run_of(msg).status, workflow_status::cancelled);
  EXPECT_THROW((void)st("a").acquire(s()), workflow_cancelled);
}

TEST_F(steps, missing_run_or_name_is_refused_with_the_original_texts) {
  try {
    (void)step().name("a").acquire(s());
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("Run is required"), std::string::npos);
  }
  try {
    (void)step().run_id(run_id).acquire(s());
    FAIL();
  } catch (const validation_error& e) {
    EXPECT_NE(std::string(e.what()).find("Step name is required"), std::string::npos);
  }
  EXPECT_THROW((void)step().run_id(987654).name("a").acquire(s()), not_found);
}

// ---------------------------------------------------------------- run results written from outside

TEST_F(execution, complete_fail_and_pause_from_outside_never_overwrite_a_finished_run) {
  auto m = trigger();
  EXPECT_EQ(run().message(m).pause(s(), "wait", 10s).status, workflow_status::paused);
  EXPECT_EQ(run_of(m).error->at("resume_after"), 10.0);
  EXPECT_EQ(run().message(m).complete(s(), 42).status, workflow_status::success);
  auto after = run().message(m).fail(s(), json("late"));
  EXPECT_EQ(after.status, workflow_status::success) << "a late failure is a no-op";
  EXPECT_EQ(after.output, json(42));
  EXPECT_EQ(run().message(m).pause(s(), "late", 1s).status, workflow_status::success);
}

TEST_F(execution, a_pending_cancel_wins_over_a_completion_from_outside) {
  auto m = trigger();
  (void)run().message(m).cancel(s());
  EXPECT_EQ(run().message(m).pause(s(), "x", 1s).status, workflow_status::cancelling);
  EXPECT_EQ(run().message(m).complete(s(), 1).status, workflow_status::cancelled);
}

// ---------------------------------------------------------------- workflow_run::pause

TEST_F(execution, workflow_run_pause_holds_the_run_until_resumed_and_continues_from_there) {
  int before = 0;
  int after = 0;
  workflow_def def("wf", [&](workflow_run& run, const json&) -> json {
    workflow_step(run, "before", [&] { ++before; });
    run.pause("needs approval", 1h);
    workflow_step(run, "after", [&] { ++after; });
    return "approved";
  });
  auto m = trigger();
  auto b = workflow().name(def).consumer(*worker);
  EXPECT_TRUE(b.execute(s()));
  EXPECT_EQ(run_of(m).status, workflow_status::paused);
  EXPECT_FALSE(b.execute(s())) << "paused: not delivered";
  EXPECT_TRUE(run().message(m).resume(s()));
  EXPECT_TRUE(b.execute(s()));
  auto r = run_of(m);
  EXPECT_EQ(r.status, workflow_status::success);
  EXPECT_EQ(r.output, json("approved"));
  EXPECT_EQ(before, 1);
  EXPECT_EQ(after, 1);
  auto steps = list_steps(s(), r.id);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[1].step_name, "__pause_1");
  EXPECT_EQ(steps[1].status, workflow_status::success);
}

}  // namespace
}  // namespace pgqrs::testing
