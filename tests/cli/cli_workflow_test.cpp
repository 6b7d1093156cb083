// pgqrs workflow commands: runs triggered through the CLI and executed by a library worker.
#include "cli_fixture.hpp"

namespace pgqrs::testing {
namespace {

using nlohmann::json;

class cli_workflow : public cli_test {
 protected:
  void SetUp() override {
    cli_test::SetUp();
    if (IsSkipped()) return;
    (void)workflow().name(doubler).create(s());
  }
  workflow_def doubler{"doubler", [](workflow_run& run, const json& in) -> json {
                         const int x = workflow_step(run, "read", [&] { return in.at("x").get<int>(); });
                         const int y = workflow_step(run, "double", [&] { return 2 * x; });
                         return json{{"y", y}};
                       }};
};

TEST_F(cli_workflow, a_triggered_run_is_listed_executed_and_inspected) {
  const auto workflows = pgqrs_json({"workflow", "list"});
  ASSERT_EQ(workflows.size(), 1U);
  EXPECT_EQ(workflows[0]["name"], "doubler");

  const auto triggered = pgqrs_json({"workflow", "trigger", "doubler", R"({"x": 21})"});
  EXPECT_EQ(triggered["status"], "QUEUED");
  const auto run_id = std::to_string(triggered["id"].get<std::int64_t>());
  EXPECT_EQ(pgqrs_json({"workflow", "runs", "--status", "queued"}).size(), 1U);

  ASSERT_TRUE(workflow().name(doubler).execute(s()));
  const auto done = pgqrs_json({"workflow", "run", run_id});
  EXPECT_EQ(done["status"], "SUCCESS");
  EXPECT_EQ(done["output"], (json{{"y", 42}}));
  EXPECT_FALSE(done["completed_at"].is_null());

  const auto steps = pgqrs_json({"workflow", "steps", run_id});
  ASSERT_EQ(steps.size(), 2U);
  EXPECT_EQ(steps[0]["step_name"], "read");
  EXPECT_EQ(steps[0]["output"], 21);
  EXPECT_EQ(steps[1]["step_name"], "double");
  EXPECT_EQ(steps[1]["status"], "SUCCESS");
  expect_aligned_table(pgqrs_table({"workflow", "steps", run_id}));

  EXPECT_EQ(pgqrs_json({"workflow", "runs", "--status", "SUCCESS"}).size(), 1U);
  EXPECT_EQ(pgqrs_json({"workflow", "runs", "--status", "queued"}).size(), 0U);
  // A finished run cannot be cancelled.
  const auto refused = pgqrs({"workflow", "cancel", run_id});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, "pgqrs: Validation failed: Run " + run_id + " is in terminal SUCCESS state\n");
}

TEST_F(cli_workflow, cancel_and_keyed_triggers) {
  const auto first = pgqrs_json({"workflow", "trigger", "doubler", R"({"x": 1})", "--key", "order-1"});
  const auto again = pgqrs_json({"workflow", "trigger", "doubler", R"({"x": 1})", "--key", "order-1"});
  EXPECT_EQ(again["id"], first["id"]);
  EXPECT_EQ(first["key"], "order-1");
  const auto later = pgqrs_json({"workflow", "trigger", "doubler", R"({"x": 2})", "--delay", "1h"});
  EXPECT_EQ(pgqrs_json({"workflow", "runs", "--workflow", "doubler"}).size(), 2U);

  const auto cancelled = pgqrs_json({"workflow", "cancel", std::to_string(later["id"].get<std::int64_t>())});
  EXPECT_EQ(cancelled["status"], "CANCELLING");
  EXPECT_EQ(pgqrs_json({"workflow", "runs", "--status", "cancelling"}).size(), 1U);
  expect_aligned_table(pgqrs_table({"workflow", "runs"}));
}

TEST_F(cli_workflow, unknown_runs_and_workflows_exit_with_4_and_bad_filters_with_2) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"workflow", "run", "987654321"}, {"workflow", "steps", "987654321"},
        {"workflow", "cancel", "987654321"}, {"workflow", "trigger", "nope", "{}"},
        {"workflow", "runs", "--workflow", "nope"}}) {
    const auto r = pgqrs(args);
    EXPECT_EQ(r.exit_code, 4) << ::testing::PrintToString(args) << ": " << r.err;
  }
  const auto bad = pgqrs({"workflow", "runs", "--status", "done"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "pgqrs: --status: 'done' is not a run status (QUEUED, RUNNING, PAUSED, CANCELLING, CANCELLED, SUCCESS, "
            "ERROR)\n");
  EXPECT_EQ(pgqrs({"workflow", "trigger", "doubler", "[1,"}).exit_code, 2);
}

}  // namespace
}  // namespace pgqrs::testing
