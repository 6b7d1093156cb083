// Durable sleep across a restart and idempotent start across processes (issue 9).
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "workflow_support.hpp"

namespace pgqrs::process_tests::wfp {
namespace {

class workflow_restart : public wf_process {};

// Process A starts a run, which sleeps 3 s (the wake time is stored), and exits. Process B, started 1 s
// later, finishes the run: the step after the sleep runs at the stored wake time, not before it, and not
// 3 s after B started.
TEST_P(workflow_restart, a_durable_sleep_outlives_the_process_that_started_it) {
  const auto msg = workflow().name("nap").trigger(json{{"nap_ms", 3000}}).execute(s());
  const pid_t a = spawn_victim("nap", 2s);
  EXPECT_EQ(reap_within(a), 0);
  EXPECT_EQ(stats_of(a).value("suspended", -1), 1) << stats_of(a).dump();
  const auto rec = run().message(msg).record(s());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->status, workflow_status::running);
  auto steps = list_steps(s(), rec->id);
  ASSERT_EQ(steps.size(), 2u);
  ASSERT_EQ(steps[1].step_name, "nap");
  ASSERT_TRUE(steps[1].output && steps[1].output->contains("wake_at")) << steps[1].output.value_or(json()).dump();
  const auto wake = parse_rfc3339(steps[1].output->at("wake_at").get<std::string>());
  ASSERT_TRUE(wake);
  ASSERT_TRUE(steps[1].started_at);
  EXPECT_EQ(*wake - *steps[1].started_at, std::chrono::microseconds(3s));

  std::this_thread::sleep_for(1s);  // the restart: B comes up a while after A went away
  const auto b_started = now();
  const pid_t b = spawn_rescuer("nap", 2s, 1);
  const auto out = run().message(msg).result(s(), 60s);
  EXPECT_EQ(reap_within(b), 0);
  const timestamp after{std::chrono::microseconds(out.at("after_us").get<std::int64_t>())};
  const double late = std::chrono::duration<double>(after - *wake).count();
  std::printf("[ wf-sleep %-9s ] 3 s sleep, B started %.3f s before the wake time; step after it ran %.3f s "
              "after the wake time\n",
              GetParam().c_str(), std::chrono::duration<double>(*wake - b_started).count(), late);
  EXPECT_GE(after, *wake) << "the step after the sleep ran before the stored wake time";
  EXPECT_LE(late, 1.0) << "the run woke late (as if the sleep started again in B)";
  EXPECT_EQ(side_effect_pids(rec->id, "before"), std::vector<std::int64_t>{a});
  EXPECT_EQ(side_effect_pids(rec->id, "after"), std::vector<std::int64_t>{b});
  EXPECT_EQ(list_steps(s(), rec->id).size(), 3u);
  const auto archived = s().messages().get(msg.id);
  ASSERT_TRUE(archived);
  EXPECT_EQ(archived->read_ct, 1) << "the sleep counted as a delivery";
}

// Eight processes trigger the same workflow with the same key at the same moment: one message, one run,
// and every process got that message's id.
TEST_P(workflow_restart, keyed_triggers_from_eight_processes_at_once_start_one_run) {
  workflow().name("five_steps").create(s());
  const auto go = (m_dir / "go").string();
  std::vector<pid_t> children;
  std::vector<std::string> outs;
  for (int i = 0; i < 8; ++i) {
    outs.push_back((m_dir / ("id" + std::to_string(i))).string());
    children.push_back(spawn({"--wf-trigger", m_dsn, m_schema, go, outs.back()}));
  }
  (void)wait_for_events("armed", 8);  // all connected, waiting for the go file
  std::ofstream(go).put('1');
  for (pid_t pid : children) EXPECT_EQ(reap_within(pid), 0);
  std::vector<std::int64_t> ids;
  for (const auto& path : outs) {
    std::ifstream in(path);
    std::int64_t id = 0;
    if (in >> id) ids.push_back(id);
  }
  ASSERT_EQ(ids.size(), 8u);
  for (auto id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(s().messages().count(), 1);
  const auto runs = list_runs(s());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].message_id, ids[0]);
  EXPECT_EQ(runs[0].key, "k");
  EXPECT_EQ(runs[0].status, workflow_status::queued);
}

INSTANTIATE_TEST_SUITE_P(backends, workflow_restart, ::testing::ValuesIn(backends()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace pgqrs::process_tests::wfp
