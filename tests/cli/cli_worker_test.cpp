// pgqrs worker commands and admin reclaim, on workers and leases set up through the library.
#include "cli_fixture.hpp"

namespace pgqrs::testing {
namespace {

using nlohmann::json;

class cli_worker : public cli_test {
 protected:
  void SetUp() override {
    cli_test::SetUp();
    if (IsSkipped()) return;
    s().queue("jobs");
    for (int n = 0; n < 4; ++n) (void)enqueue().message({{"n", n}}).to("jobs").execute(s());
  }
  std::string id_of(const worker& w) { return std::to_string(w.worker_id()); }
};

TEST_F(cli_worker, list_get_messages_and_stats_show_the_leases) {
  auto p = s().producer("jobs", "producer-1");
  auto c = s().consumer("jobs", "consumer-1");
  ASSERT_EQ(c.dequeue_many(2).size(), 2U);

  const auto all = pgqrs_json({"worker", "list"});
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0]["name"], "consumer-1");  // newest first
  EXPECT_EQ(pgqrs_json({"worker", "list", "--queue", "jobs"}).size(), 2U);

  const auto got = pgqrs_json({"worker", "get", id_of(c)});
  EXPECT_EQ(got["name"], "consumer-1");
  EXPECT_EQ(got["status"], "ready");
  EXPECT_TRUE(got["shutdown_at"].is_null());
  EXPECT_EQ(pgqrs_json({"worker", "messages", id_of(c)}).size(), 2U);

  const auto stats = pgqrs_json({"worker", "stats", "jobs"});
  EXPECT_EQ(stats["total_workers"], 2);
  EXPECT_EQ(stats["ready_workers"], 2);
  EXPECT_EQ(stats["stopped_workers"], 0);
  EXPECT_DOUBLE_EQ(stats["average_messages_per_worker"].get<double>(), 1.0);

  const auto health = pgqrs_json({"worker", "health"});
  ASSERT_EQ(health.size(), 1U);
  EXPECT_EQ(health[0]["queue_name"], "Global");
  EXPECT_EQ(health[0]["total_workers"], 2);
  EXPECT_EQ(health[0]["stale_workers"], 0);
  const auto by_queue = pgqrs_json({"worker", "health", "--by-queue"});
  ASSERT_EQ(by_queue.size(), 1U);
  EXPECT_EQ(by_queue[0]["queue_name"], "jobs");
  // With a zero timeout every ready worker is stale.
  EXPECT_EQ(pgqrs_json({"worker", "health", "--timeout", "0s"})[0]["stale_workers"], 2);

  expect_aligned_table(pgqrs_table({"worker", "list"}));
  expect_aligned_table(pgqrs_table({"worker", "health", "--by-queue"}));
}

TEST_F(cli_worker, release_messages_makes_the_leases_ready) {
  auto c = s().consumer("jobs", "consumer-1");
  ASSERT_EQ(c.dequeue_many(3).size(), 3U);
  const auto released = pgqrs_json({"worker", "release-messages", id_of(c)});
  EXPECT_EQ(released["released_messages"], 3);
  const auto metrics = pgqrs_json({"queue", "metrics", "jobs"});
  EXPECT_EQ(metrics["pending_messages"], 4);
  EXPECT_EQ(metrics["locked_messages"], 0);
}

TEST_F(cli_worker, suspend_resume_shutdown_follow_the_state_machine) {
  auto c = s().consumer("jobs", "consumer-1");
  const auto id = id_of(c);
  EXPECT_EQ(pgqrs_json({"worker", "suspend", id})["status"], "suspended");
  EXPECT_EQ(pgqrs_json({"worker", "resume", id})["status"], "ready");
  // shutdown needs suspended first: a state-transition error is a general failure.
  const auto refused = pgqrs({"worker", "shutdown", id});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "pgqrs: Invalid state transition from ready to stopped: Worker must be in Suspended state to shutdown\n");
  EXPECT_EQ(pgqrs_json({"worker", "suspend", id})["status"], "suspended");
  const auto stopped = pgqrs_json({"worker", "shutdown", id});
  EXPECT_EQ(stopped["status"], "stopped");
  EXPECT_FALSE(stopped["shutdown_at"].is_null());
  EXPECT_EQ(pgqrs_json({"worker", "stats", "jobs"})["stopped_workers"], 1);
}

TEST_F(cli_worker, heartbeat_purge_and_delete) {
  auto idle = s().producer("jobs", "idle");
  auto busy = s().consumer("jobs", "busy");
  ASSERT_TRUE(busy.dequeue().has_value());
  const auto before = pgqrs_json({"worker", "get", id_of(idle)})["heartbeat_at"];
  const auto beat = pgqrs_json({"worker", "heartbeat", id_of(idle)});
  EXPECT_GE(parse_rfc3339(beat["heartbeat_at"].get<std::string>()), parse_rfc3339(before.get<std::string>()));

  // A worker that messages refer to cannot be deleted.
  const auto referenced = pgqrs({"worker", "delete", id_of(busy)});
  EXPECT_EQ(referenced.exit_code, 1) << referenced.err;
  EXPECT_NE(referenced.err.find("references"), std::string::npos) << referenced.err;

  // purge deletes stopped, unreferenced workers only: the idle producer once stopped.
  EXPECT_EQ(pgqrs_json({"worker", "purge"})["purged_workers"], 0);
  pgqrs_json({"worker", "suspend", id_of(idle)});
  pgqrs_json({"worker", "shutdown", id_of(idle)});
  EXPECT_EQ(pgqrs_json({"worker", "purge", "--older-than", "1h"})["purged_workers"], 0);
  EXPECT_EQ(pgqrs_json({"worker", "purge"})["purged_workers"], 1);
  EXPECT_EQ(pgqrs({"worker", "get", id_of(idle)}).exit_code, 4);

  auto spare = s().producer("jobs", "spare");
  EXPECT_EQ(pgqrs_json({"worker", "delete", id_of(spare)})["deleted_workers"], 1);
}

TEST_F(cli_worker, reclaim_releases_the_messages_of_stale_workers) {
  auto c = s().consumer("jobs", "consumer-1");
  ASSERT_EQ(c.dequeue_many(2).size(), 2U);
  // Heartbeats are fresh: nothing is stale under the default threshold.
  EXPECT_EQ(pgqrs_json({"admin", "reclaim"})["released_messages"], 0);
  const auto reclaimed = pgqrs_json({"admin", "reclaim", "--queue", "jobs", "--older-than", "0s"});
  EXPECT_EQ(reclaimed["queues"], 1);
  EXPECT_EQ(reclaimed["released_messages"], 2);
  EXPECT_EQ(pgqrs_json({"worker", "get", id_of(c)})["status"], "stopped");
  EXPECT_EQ(pgqrs_json({"queue", "metrics", "jobs"})["locked_messages"], 0);
}

TEST_F(cli_worker, unknown_worker_exits_with_4_and_a_bad_id_with_2) {
  for (const char* command : {"get", "messages", "release-messages", "suspend", "resume", "shutdown", "delete",
                              "heartbeat"}) {
    const auto r = pgqrs({"worker", command, "987654321"});
    EXPECT_EQ(r.exit_code, 4) << command << ": " << r.err;
    EXPECT_EQ(r.err, "pgqrs: Worker with id '987654321' not found\n") << command;
  }
  EXPECT_EQ(pgqrs({"worker", "stats", "nope"}).exit_code, 4);
  EXPECT_EQ(pgqrs({"worker", "get", "abc"}).exit_code, 2);
  EXPECT_EQ(pgqrs({"worker", "purge", "--older-than", "soon"}).exit_code, 2);
}

}  // namespace
}  // namespace pgqrs::testing
