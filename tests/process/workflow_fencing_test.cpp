// Fencing with real processes (issue 9): a worker process is SIGSTOPped inside a step (its lease keeper
// thread stops with it) until its 1 s lease has expired and another worker process has finished the run;
// then it is continued. Its step result is refused (lease_lost), nothing is recorded twice, the run keeps
// the other worker's output, and the stopped worker does not go on to later steps.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "workflow_support.hpp"

namespace pgqrs::process_tests::wfp {
namespace {

class workflow_fencing : public wf_process {};

TEST_P(workflow_fencing, a_worker_stopped_past_its_lease_cannot_record_its_step_and_stops) {
  const auto msg = workflow().name("fence").trigger(json::object()).execute(s());
  const pid_t victim = spawn_victim("fence", 1s);
  const auto ready = wait_for_events("ready", 1);
  ASSERT_EQ(ready.size(), 1u);
  const auto run_id = ready[0].run_id;
  const auto stopped = stop_outside_transactions(victim, msg.id);

  const pid_t rescuer = spawn_rescuer("fence", 2s, 1);
  const json expected{{"s1", 1}, {"s2", "B"}, {"s3", "B-done"}};
  EXPECT_EQ(run().message(msg).result(s(), 60s), expected);
  EXPECT_EQ(reap_within(rescuer), 0);
  const double taken_over = [&] {
    for (const auto& e : read_events(m_dir)) {
      if (e.kind == "enter" && e.pid == rescuer) return static_cast<double>(e.ns - stopped) / 1e9;
    }
    return -1.0;
  }();
  std::printf("[ wf-fence %-9s ] lease 1 s: the other worker took the run over %.3f s after SIGSTOP\n",
              GetParam().c_str(), taken_over);

  // Continue the stopped worker: its step returns "A" now.
  std::ofstream(m_dir / "release").put('1');
  ::kill(victim, SIGCONT);
  EXPECT_EQ(reap_within(victim), 0) << "the fenced worker did not end normally";
  const auto st = stats_of(victim);
  EXPECT_EQ(st.value("fenced", -1), 1) << st.dump();
  EXPECT_EQ(st.value("completed", -1), 0) << st.dump();
  EXPECT_EQ(st.value("failed", -1), 0) << st.dump();

  std::vector<pid_t> refused;
  for (const auto& e : read_events(m_dir)) {
    if (e.kind == "lease_lost") refused.push_back(e.pid);
  }
  EXPECT_EQ(refused, std::vector<pid_t>{victim}) << "the stopped worker's step result was not refused";

  // One checkpoint per step, all the rescuer's; the run's output is the rescuer's.
  const auto steps = list_steps(s(), run_id);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].step_name, "s1");
  EXPECT_EQ(steps[1].step_name, "s2");
  EXPECT_EQ(steps[1].output, json("B"));
  EXPECT_EQ(steps[2].step_name, "s3");
  EXPECT_EQ(steps[2].output, json("B-done"));
  for (const auto& step : steps) EXPECT_EQ(step.status, workflow_status::success) << step.step_name;
  const auto rec = run().message(msg).record(s());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, workflow_status::success);
  EXPECT_EQ(rec->output, expected);

  // s1 ran once (the victim's checkpoint was reused), s2 in both, s3 only in the rescuer.
  EXPECT_EQ(side_effect_pids(run_id, "s1"), std::vector<std::int64_t>{victim});
  auto s2 = side_effect_pids(run_id, "s2");
  std::sort(s2.begin(), s2.end());
  std::vector<std::int64_t> both{victim, rescuer};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(s2, both);
  EXPECT_EQ(side_effect_pids(run_id, "s3"), std::vector<std::int64_t>{rescuer}) << "the fenced worker ran s3";
  EXPECT_EQ(s().messages().count(), 0);
  const auto archived = s().messages().get(msg.id);
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->read_ct, 2);
}

INSTANTIATE_TEST_SUITE_P(backends, workflow_fencing, ::testing::ValuesIn(backends()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pgqrs::process_tests::wfp
