// pgqrs queue / message / admin commands after a known sequence of enqueues, leases and archives.
#include "cli_fixture.hpp"

namespace pgqrs::testing {
namespace {

using nlohmann::json;

class cli_queue : public cli_test {
 protected:
  /// Enqueues {"n": n} through the CLI and returns the new message's id.
  std::int64_t enqueue(int n, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"message", "enqueue", "jobs", json{{"n", n}}.dump()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto m = pgqrs_json(args);
    EXPECT_EQ(m["payload"], (json{{"n", n}}));
    EXPECT_EQ(m["read_ct"], 0);
    return m["id"].get<std::int64_t>();
  }
};

TEST_F(cli_queue, counts_after_enqueue_lease_and_archive_are_exact) {
  const auto created = pgqrs_json({"queue", "create", "jobs"});
  EXPECT_EQ(created["queue_name"], "jobs");
  std::vector<std::int64_t> ids;
  for (int n = 1; n <= 5; ++n) ids.push_back(enqueue(n));
  const auto delayed = enqueue(6, {"--delay", "1h"});

  // Through the library: lease 3 (the oldest ones), archive the first of them.
  auto c = s().consumer("jobs", unique_name("c"));
  const auto leased = c.dequeue_many(3);
  ASSERT_EQ(leased.size(), 3U);
  ASSERT_TRUE(c.archive(ids[0]).has_value());

  const auto metrics = pgqrs_json({"queue", "metrics", "jobs"});
  EXPECT_EQ(metrics["name"], "jobs");
  EXPECT_EQ(metrics["total_messages"], 6);  // live and archived
  EXPECT_EQ(metrics["pending_messages"], 3);  // 4, 5 and the delayed one
  EXPECT_EQ(metrics["locked_messages"], 2);
  EXPECT_EQ(metrics["archived_messages"], 1);
  EXPECT_EQ(metrics["delayed_messages"], 1);
  EXPECT_EQ(metrics["dead_lettered_messages"], 0);

  const auto all = pgqrs_json({"queue", "metrics"});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0], metrics);

  const auto live = pgqrs_json({"queue", "messages", "jobs"});
  ASSERT_EQ(live.size(), 5U);
  EXPECT_EQ(live[0]["id"], delayed);  // newest first
  const auto archived = pgqrs_json({"queue", "messages", "jobs", "--archived"});
  ASSERT_EQ(archived.size(), 1U);
  EXPECT_EQ(archived[0]["id"], ids[0]);
  EXPECT_FALSE(archived[0]["archived_at"].is_null());
  EXPECT_EQ(pgqrs_json({"queue", "messages", "jobs", "--limit", "2"}).size(), 2U);

  const auto second = pgqrs_json({"message", "get", std::to_string(ids[1])});
  EXPECT_EQ(second["read_ct"], 1);
  EXPECT_EQ(second["consumer_worker_id"], c.worker_id());

  const auto stats = pgqrs_json({"admin", "stats"});
  EXPECT_EQ(stats["total_queues"], 1);
  EXPECT_EQ(stats["total_workers"], 1);
  EXPECT_EQ(stats["active_workers"], 1);
  EXPECT_EQ(stats["total_messages"], 5);
  EXPECT_EQ(stats["pending_messages"], 3);
  EXPECT_EQ(stats["locked_messages"], 2);
  EXPECT_EQ(stats["archived_messages"], 1);

  const auto queues = pgqrs_json({"queue", "list"});
  ASSERT_EQ(queues.size(), 1U);
  EXPECT_EQ(queues[0]["id"], created["id"]);
  EXPECT_EQ(pgqrs_json({"queue", "get", "jobs"}), created);
}

TEST_F(cli_queue, a_delayed_message_becomes_ready_after_its_delay) {
  s().queue("jobs");
  const auto id = enqueue(1, {"--delay", "2m"});
  const auto m = pgqrs_json({"message", "get", std::to_string(id)});
  const auto vt = parse_rfc3339(m["vt"].get<std::string>());
  const auto enqueued = parse_rfc3339(m["enqueued_at"].get<std::string>());
  ASSERT_TRUE(vt && enqueued);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(*vt - *enqueued).count(), 120);
}

TEST_F(cli_queue, tables_are_aligned_with_a_header_and_a_rule) {
  s().queue("jobs");
  s().queue("a-queue-with-a-long-name");
  enqueue(1);
  enqueue(22222);
  const auto table = pgqrs_table({"queue", "metrics"});
  EXPECT_EQ(expect_aligned_table(table).size(), 9U);
  const auto lines = table_cells(table);
  ASSERT_EQ(lines.size(), 4U) << table;
  EXPECT_EQ(lines[0], (std::vector<std::string>{"name", "total_messages", "pending_messages", "locked_messages",
                                                "delayed_messages", "archived_messages", "dead_lettered_messages",
                                                "oldest_pending_message", "newest_message"}));
  // By name; empty timestamps print as N/A.
  EXPECT_EQ(lines[2], (std::vector<std::string>{"a-queue-with-a-long-name", "0", "0", "0", "0", "0", "0", "N/A", "N/A"}));
  ASSERT_EQ(lines[3].size(), 9U);
  EXPECT_EQ(std::vector<std::string>(lines[3].begin(), lines[3].begin() + 7),
            (std::vector<std::string>{"jobs", "2", "2", "0", "0", "0", "0"}));
  EXPECT_TRUE(parse_rfc3339(lines[3][7]).has_value()) << lines[3][7];
  // The name column is as wide as the longest name: "jobs" is padded to it.
  EXPECT_EQ(table.find("\njobs" + std::string(22, ' ') + "2 "), table.find("\njobs")) << table;

  expect_aligned_table(pgqrs_table({"queue", "messages", "jobs"}));
  // One record: field/value lines.
  const auto record = pgqrs_table({"queue", "get", "jobs"});
  expect_aligned_table(record);
  const auto fields = table_cells(record);
  ASSERT_EQ(fields.size(), 5U) << record;
  EXPECT_EQ(fields[0], (std::vector<std::string>{"field", "value"}));
  EXPECT_EQ(fields[3], (std::vector<std::string>{"queue_name", "jobs"}));
}

TEST_F(cli_queue, purge_then_delete_removes_the_queue) {
  s().queue("jobs");
  enqueue(1);
  enqueue(2);
  const auto purged = pgqrs_json({"queue", "purge", "jobs"});
  EXPECT_EQ(purged["purged_messages"], 2);
  EXPECT_EQ(pgqrs_json({"queue", "delete", "jobs"})["deleted_queue"], "jobs");
  const auto r = pgqrs({"queue", "get", "jobs"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.err, "pgqrs: Queue 'jobs' not found\n");
  EXPECT_TRUE(r.out.empty());
}

TEST_F(cli_queue, dlq_moves_poison_messages_and_replay_brings_one_back) {
  s().queue("jobs");
  const auto first = enqueue(1);
  enqueue(2);
  enqueue(3);
  auto c = s().consumer("jobs", unique_name("c"));
  ASSERT_EQ(c.dequeue_many(2).size(), 2U);
  // With max_read_ct 1 (a setting flag), the two messages leased once are poison.
  const auto moved = pgqrs_json({"--max-read-ct", "1", "admin", "dlq"});
  EXPECT_EQ(moved["dead_lettered_messages"], 2);
  EXPECT_EQ(moved["ids"].size(), 2U);
  EXPECT_EQ(pgqrs_json({"queue", "metrics", "jobs"})["archived_messages"], 2);
  EXPECT_EQ(pgqrs_json({"queue", "metrics", "jobs"})["dead_lettered_messages"], 2);
  EXPECT_EQ(pgqrs_json({"admin", "stats"})["dead_lettered_messages"], 2);

  const auto replayed = pgqrs_json({"queue", "replay-dlq", std::to_string(first)});
  EXPECT_EQ(replayed["read_ct"], 0);
  EXPECT_TRUE(replayed["archived_at"].is_null());
  const auto metrics = pgqrs_json({"queue", "metrics", "jobs"});
  EXPECT_EQ(metrics["archived_messages"], 1);
  EXPECT_EQ(metrics["pending_messages"], 2);

  // A live message cannot be replayed; an unknown one is not found.
  EXPECT_EQ(pgqrs({"queue", "replay-dlq", std::to_string(first)}).exit_code, 1);
  EXPECT_EQ(pgqrs({"queue", "replay-dlq", "987654321"}).exit_code, 4);
}

TEST_F(cli_queue, retention_deletes_only_what_is_older_than_given) {
  s().queue("jobs");
  for (int n = 1; n <= 3; ++n) enqueue(n);
  auto c = s().consumer("jobs", unique_name("c"));
  for (const auto& m : c.dequeue_many(3)) ASSERT_TRUE(c.archive(m.id).has_value());
  // Nothing is older than an hour yet.
  const auto none = pgqrs_json({"admin", "retention", "--archived-older-than", "1h", "--workers-older-than", "1h"});
  EXPECT_EQ(none["archived_messages_deleted"], 0);
  EXPECT_EQ(none["workers_deleted"], 0);
  // Everything archived before now, in batches of 2.
  const auto all = pgqrs_json({"admin", "retention", "--archived-older-than", "0s", "--batch-size", "2"});
  EXPECT_EQ(all["archived_messages_deleted"], 3);
  EXPECT_EQ(all["workflow_runs_deleted"], 0);
  EXPECT_EQ(pgqrs_json({"queue", "metrics", "jobs"})["archived_messages"], 0);
  // Without an age it is an argument error and deletes nothing.
  EXPECT_EQ(pgqrs({"admin", "retention"}).exit_code, 2);
}

TEST_F(cli_queue, metrics_prints_every_queue_or_the_prometheus_exposition) {
  s().queue("jobs");
  enqueue(1);
  enqueue(2, {"--delay", "1h"});
  const auto listed = pgqrs_json({"metrics"});
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0]["delayed_messages"], 1);
  const auto text = pgqrs({"--format", "prometheus", "metrics"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("# TYPE pgqrs_queue_delayed_messages gauge"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pgqrs_queue_delayed_messages{queue=\"jobs\"} 1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("pgqrs_queue_ready_messages{queue=\"jobs\"} 1"), std::string::npos) << text.out;
  // Prometheus text is for `metrics` only: refused before any other command runs.
  const auto refused = pgqrs({"--format", "prometheus", "queue", "create", "other"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_FALSE(s().queues().exists("other"));
}

TEST_F(cli_queue, install_and_verify_succeed_on_an_installed_store) {
  EXPECT_EQ(pgqrs_json({"admin", "install"})["installed"], true);
  EXPECT_EQ(pgqrs_json({"admin", "verify"})["verified"], true);
}

TEST_F(cli_queue, unknown_queue_and_message_exit_with_4) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"queue", "get", "nope"}, {"queue", "metrics", "nope"}, {"queue", "messages", "nope"},
        {"queue", "purge", "nope"}, {"queue", "delete", "nope"}, {"message", "enqueue", "nope", "{}"},
        {"message", "get", "987654321"}}) {
    const auto r = pgqrs(args);
    EXPECT_EQ(r.exit_code, 4) << ::testing::PrintToString(args) << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST_F(cli_queue, invalid_json_payload_is_an_argument_error) {
  s().queue("jobs");
  const auto r = pgqrs({"message", "enqueue", "jobs", "{not json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "pgqrs: payload is not valid JSON (at byte 3)\n");
}

}  // namespace
}  // namespace pgqrs::testing
