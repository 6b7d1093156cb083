// Operations (docs/operations.md, issue 13): dead-lettering at the read limit (release, reclaim, lease
// expiry), the metrics of every message state, retention in batches, the Prometheus exposition. Ages are
// made with injected time (`with_time`) or by backdating rows with raw SQL, never by sleeping.
#include <set>
#include <sstream>

#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

using namespace std::chrono_literals;

class operations : public store_test {
 protected:
  /// Opens the store with this read limit, then makes queue "q" and a producer on it (all on the store under
  /// test: a handle of an earlier store could see a stale copy on S3).
  void start(std::int32_t max_read_ct = 5) {
    reopen([&](config& c) {
      c.max_read_ct = max_read_ct;
      c.validation.max_enqueue_per_second.reset();
    });
    q = make_queue();
    p.emplace(make_producer());
  }
  /// Archived messages that were dead-lettered (dead_lettered_at set).
  std::int64_t dead_lettered() { return admin(s()).system_stats().dead_lettered_messages; }
  /// Moves `column` of every row of `table_name` matching `where` two hours into the past.
  void backdate(const std::string& table_name, const std::string& column, const std::string& where) {
    const std::string shift = is_postgres_family() ? " - $1::bigint * interval '1 microsecond'" : " - ?1";
    const std::vector<detail::sql_param> params{std::int64_t{2LL * 3600 * 1000000}};
    (void)query_rows(s(), "UPDATE " + table(s(), table_name) + " SET " + column + " = " + column + shift +
                              " WHERE " + where, params);
  }
  consumer stopped_consumer(timestamp at) {
    auto c = make_consumer().with_time(at);
    c.suspend();
    c.shutdown();
    return c;
  }
  queue_record q;
  std::optional<producer> p;
};

// ------------------------------------------------------------------ dead-lettering

TEST_F(operations, a_release_at_the_read_limit_moves_the_message_to_the_dlq) {
  start(2);
  auto id = p->enqueue(json(1)).id;
  auto c = make_consumer();
  ASSERT_TRUE(c.dequeue());
  ASSERT_EQ(c.release_messages({id}), 1u);
  EXPECT_EQ(s().messages().count(), 1) << "below the limit a release leaves the message live";
  ASSERT_TRUE(c.dequeue());
  EXPECT_EQ(c.release_messages({id}), 1u) << "the release itself succeeded";
  EXPECT_EQ(s().messages().count(), 0);
  auto m = s().messages().get(id);
  ASSERT_TRUE(m && m->archived_at);
  EXPECT_EQ(m->read_ct, 2);
  EXPECT_EQ(dead_lettered(), 1);
  EXPECT_TRUE(admin(s()).dlq().empty()) << "nothing left for the admin";
}

TEST_F(operations, release_with_visibility_at_the_read_limit_dead_letters_at_once) {
  start(1);
  auto id = p->enqueue(json(1)).id;
  auto c = make_consumer();
  ASSERT_TRUE(c.dequeue());
  EXPECT_TRUE(c.release_with_visibility(id, now() + 1h));
  EXPECT_EQ(s().messages().count(), 0);
  EXPECT_EQ(dead_lettered(), 1);
}

TEST_F(operations, reclaiming_a_dead_worker_dead_letters_its_poison_messages_and_releases_the_rest) {
  start(2);
  auto first = p->enqueue(json(1)).id;
  auto second = p->enqueue(json(2)).id;
  auto other = make_consumer();
  ASSERT_TRUE(other.dequeue());  // `first` delivered once already
  ASSERT_EQ(other.release_messages({first}), 1u);
  auto zombie = make_consumer();
  zombie.with_time(now() - 1h).heartbeat();
  ASSERT_EQ(zombie.dequeue_many_with_delay(2, 24h).size(), 2u);  // first: 2nd delivery, second: 1st
  EXPECT_EQ(admin(s()).reclaim_messages(q.id, 60s), 2u);
  EXPECT_TRUE(s().messages().get(first)->archived_at);
  EXPECT_FALSE(s().messages().get(second)->archived_at);
  EXPECT_EQ(dead_lettered(), 1);
  EXPECT_EQ(s().messages().count_pending_for_queue(q.id), 1);
}

TEST_F(operations, release_worker_messages_dead_letters_poison_messages) {
  start(1);
  p->batch_enqueue(std::vector<json>{json(1), json(2)});
  auto c = make_consumer();
  ASSERT_EQ(c.dequeue_many(2).size(), 2u);
  EXPECT_EQ(admin(s()).release_worker_messages(c.worker_id()), 2u);
  EXPECT_EQ(s().messages().count(), 0);
  EXPECT_EQ(dead_lettered(), 2);
}

TEST_F(operations, an_expired_lease_at_the_read_limit_is_dead_lettered_by_the_next_claim) {
  start(2);
  auto poison = p->enqueue(json(1)).id;
  auto c = make_consumer();
  const auto t0 = now();
  ASSERT_EQ(c.dequeue_at(1, 1s, t0).size(), 1u);
  ASSERT_EQ(c.dequeue_at(1, 1s, t0 + 2s).size(), 1u);  // the first lease expired: delivered again
  auto ready = p->enqueue(json(2)).id;
  // At t0 + 4 s the second lease has expired too: the claim skips the poison message and sweeps it.
  auto got = c.dequeue_at(5, 1s, t0 + 4s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, ready);
  auto m = s().messages().get(poison);
  ASSERT_TRUE(m && m->archived_at);
  EXPECT_EQ(dead_lettered(), 1);
}

TEST_F(operations, a_leased_poison_message_stays_with_its_owner_until_the_lease_expires) {
  start(1);
  auto id = p->enqueue(json(1)).id;
  auto owner = make_consumer();
  ASSERT_TRUE(owner.dequeue_delay(1h));
  EXPECT_TRUE(make_consumer().dequeue_at(5, 1s, now()).empty());  // a short claim sweeps: not this one
  EXPECT_EQ(dead_lettered(), 0);
  ASSERT_TRUE(owner.archive(id));
  auto m = admin(s()).queue_metrics("q");
  EXPECT_EQ(m.archived_messages, 1);
  EXPECT_EQ(m.dead_lettered_messages, 0) << "acknowledged, not dead-lettered";
}

TEST_F(operations, dlq_marks_leased_poison_as_dead_lettered_and_replay_clears_the_mark) {
  start(1);
  auto id = p->enqueue(json(1)).id;
  auto c = make_consumer();
  ASSERT_TRUE(c.dequeue());
  EXPECT_EQ(admin(s()).dlq(), std::vector<std::int64_t>{id});
  EXPECT_EQ(admin(s()).system_stats().dead_lettered_messages, 1);
  auto replayed = p->replay_dlq(id);
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->read_ct, 0);
  EXPECT_EQ(admin(s()).system_stats().dead_lettered_messages, 0);
  ASSERT_TRUE(c.dequeue());
  ASSERT_TRUE(c.archive(id));
  EXPECT_EQ(dead_lettered(), 0) << "archived again by its consumer: acknowledged";
}

// ------------------------------------------------------------------ metrics

/// Six messages in every state: a archived, b released until later (delayed), c dead-lettered at its second
/// release, d and e leased, f enqueued with a delay.
class metrics : public operations {
 protected:
  void SetUp() override {
    operations::SetUp();
    start(2);
    s().queue("a_empty");
    auto ids = p->batch_enqueue(std::vector<json>{json("a"), json("b"), json("c"), json("d"), json("e")});
    (void)p->enqueue_delayed(json("f"), 1h);
    auto c = make_consumer();
    ASSERT_EQ(c.dequeue_many(4).size(), 4u);
    ASSERT_TRUE(c.archive(ids[0].id));
    ASSERT_TRUE(c.release_with_visibility(ids[1].id, now() + 1h));
    ASSERT_EQ(c.release_messages({ids[2].id}), 1u);
    auto again = c.dequeue_many(2);  // e (ready since enqueue), then c (ready since its release)
    ASSERT_EQ(again.size(), 2u);
    ASSERT_EQ(again[1].id, ids[2].id);
    ASSERT_EQ(c.release_messages({ids[2].id}), 1u);  // second delivery: dead-lettered
  }
};

TEST_F(metrics, queue_metrics_count_every_state_exactly) {
  auto m = admin(s()).queue_metrics("q");
  EXPECT_EQ(m.total_messages, 6);
  EXPECT_EQ(m.pending_messages, 2);  // b and f: delayed
  EXPECT_EQ(m.delayed_messages, 2);
  EXPECT_EQ(m.locked_messages, 2);  // d and e
  EXPECT_EQ(m.archived_messages, 2);  // a and c
  EXPECT_EQ(m.dead_lettered_messages, 1);  // c
  auto empty = admin(s()).queue_metrics("a_empty");
  EXPECT_EQ(empty.delayed_messages, 0);
  EXPECT_EQ(empty.dead_lettered_messages, 0);
}

TEST_F(metrics, system_stats_count_dead_lettered_messages) {
  auto st = admin(s()).system_stats();
  EXPECT_EQ(st.total_messages, 4);
  EXPECT_EQ(st.pending_messages, 2);
  EXPECT_EQ(st.locked_messages, 2);
  EXPECT_EQ(st.archived_messages, 2);
  EXPECT_EQ(st.dead_lettered_messages, 1);
  EXPECT_EQ(st.schema_version, "5");
}

/// Every sample line of the exposition, by "name{labels}".
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

TEST_F(metrics, the_exposition_has_the_same_numbers) {
  auto got = samples(metrics_exposition(s()));
  EXPECT_EQ(got["pgqrs_queue_pending_messages{queue=\"q\"}"], "2");
  EXPECT_EQ(got["pgqrs_queue_ready_messages{queue=\"q\"}"], "0");
  EXPECT_EQ(got["pgqrs_queue_leased_messages{queue=\"q\"}"], "2");
  EXPECT_EQ(got["pgqrs_queue_delayed_messages{queue=\"q\"}"], "2");
  EXPECT_EQ(got["pgqrs_queue_archived_messages{queue=\"q\"}"], "2");
  EXPECT_EQ(got["pgqrs_queue_dead_lettered_messages{queue=\"q\"}"], "1");
  EXPECT_EQ(got["pgqrs_queue_dead_lettered_messages{queue=\"a_empty\"}"], "0");
  EXPECT_EQ(got["pgqrs_queue_oldest_pending_message_age_seconds{queue=\"a_empty\"}"], "0.000000");
  EXPECT_GT(std::stod(got["pgqrs_queue_oldest_pending_message_age_seconds{queue=\"q\"}"]), 0.0);
  EXPECT_EQ(got["pgqrs_workers{status=\"ready\"}"], "2");  // the producer and the consumer
  EXPECT_EQ(got["pgqrs_workers{status=\"stopped\"}"], "0");
  EXPECT_EQ(got["pgqrs_workflow_runs{status=\"SUCCESS\"}"], "0");
}

TEST_F(operations, the_exposition_escapes_labels_and_describes_every_family) {
  start();
  const std::string odd = "a\"b\\c\nd";
  s().queue(odd);
  (void)stopped_consumer(now());
  const auto text = metrics_exposition(s());
  auto got = samples(text);
  EXPECT_EQ(got["pgqrs_queue_pending_messages{queue=\"a\\\"b\\\\c\\nd\"}"], "0");
  EXPECT_EQ(got["pgqrs_workers{status=\"stopped\"}"], "1");
  // Each family: one # HELP and one # TYPE gauge line before its samples, and samples only of known families.
  std::set<std::string> described;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0) {
      const auto name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(described.insert(name).second) << "described twice: " << name;
      ASSERT_TRUE(std::getline(in, line));
      EXPECT_EQ(line, "# TYPE " + name + " gauge");
    } else {
      const auto name = line.substr(0, line.find('{'));
      EXPECT_TRUE(name.starts_with("pgqrs_")) << line;
      EXPECT_TRUE(described.contains(name)) << "sample before its # HELP: " << line;
    }
  }
  EXPECT_EQ(described.size(), 9u);
  // Every queue, worker status and run status appears.
  EXPECT_EQ(got.count("pgqrs_queue_leased_messages{queue=\"q\"}"), 1u);
  for (auto st : {"ready", "polling", "suspended", "interrupted", "stopped"}) {
    EXPECT_EQ(got.count(std::string("pgqrs_workers{status=\"") + st + "\"}"), 1u) << st;
  }
  for (auto st : {"QUEUED", "RUNNING", "PAUSED", "CANCELLING", "CANCELLED", "SUCCESS", "ERROR"}) {
    EXPECT_EQ(got[std::string("pgqrs_workflow_runs{status=\"") + st + "\"}"], "0") << st;
  }
}

workflow_def two_steps() {
  return workflow_def("two_steps", [](workflow_run& run, const json& in) -> json {
    auto a = workflow_step(run, "a", [&] { return in.at("x").get<int>() + 1; });
    auto b = workflow_step(run, "b", [&] { return a * 2; });
    return json{{"result", b}};
  });
}

TEST_F(operations, run_counts_by_status_list_every_status) {
  start();
  auto def = two_steps();
  workflow().name(def).create(s());
  auto m1 = workflow().name(def).trigger(json{{"x", 1}}).execute(s());
  auto m2 = workflow().name(def).trigger(json{{"x", 2}}).execute(s());
  (void)run().message(m1).execute(s());
  (void)run().message(m2).execute(s());
  ASSERT_TRUE(workflow().name(def).execute(s()));  // m1's run, the oldest
  const std::vector<std::pair<workflow_status, std::int64_t>> expected{
      {workflow_status::queued, 1},    {workflow_status::running, 0}, {workflow_status::paused, 0},
      {workflow_status::cancelling, 0}, {workflow_status::cancelled, 0}, {workflow_status::success, 1},
      {workflow_status::error, 0}};
  EXPECT_EQ(run_counts_by_status(s()), expected);
}

// ------------------------------------------------------------------ retention

TEST_F(operations, retention_deletes_old_archived_messages_in_batches_and_nothing_younger_or_live) {
  start();
  auto ids = p->batch_enqueue(std::vector<json>{json(1), json(2), json(3), json(4), json(5), json(6)});
  auto c = make_consumer();
  ASSERT_EQ(c.dequeue_many(5).size(), 5u);
  auto old = c.with_time(now() - 2h);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(old.archive(ids[i].id));
  ASSERT_TRUE(c.archive(ids[3].id));  // archived now
  retention_policy policy;
  policy.archived_messages_older_than = 1h;
  policy.batch_size = 2;
  auto report = apply_retention(s(), policy);
  EXPECT_EQ(report.archived_messages_deleted, 3u);
  EXPECT_EQ(report.workflow_runs_deleted, 0u);
  EXPECT_EQ(report.workers_deleted, 0u);
  auto m = admin(s()).queue_metrics("q");
  EXPECT_EQ(m.archived_messages, 1);
  EXPECT_EQ(m.total_messages, 3);  // the young archived one, one leased, one ready
  EXPECT_FALSE(s().messages().get(ids[0].id));
  EXPECT_TRUE(s().messages().get(ids[3].id));
  EXPECT_EQ(apply_retention(s(), policy).archived_messages_deleted, 0u) << "nothing left to delete";
}

TEST_F(operations, retention_deletes_finished_runs_with_their_steps_but_not_unfinished_or_live_ones) {
  start();
  auto def = two_steps();
  workflow().name(def).create(s());
  std::vector<queue_message> msgs;
  for (int x = 0; x < 4; ++x) msgs.push_back(workflow().name(def).trigger(json{{"x", x}}).execute(s()));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(workflow().name(def).execute(s()));  // runs 0..2 succeed, 2 steps each
  // Run 3 stays QUEUED, but its message was archived (by hand) long ago: neither goes.
  (void)run().message(msgs[3]).execute(s());
  auto c = s().consumer("two_steps", unique_name("c"));
  ASSERT_TRUE(c.dequeue());
  ASSERT_TRUE(c.with_time(now() - 2h).archive(msgs[3].id));
  // Run 2 is finished but its message is live again (replayed): it stays.
  ASSERT_TRUE(make_producer("two_steps").replay_dlq(msgs[2].id));
  backdate("pgqrs_workflow_runs", "completed_at", "completed_at IS NOT NULL");
  // The SQLite family archives in place (sql/sqlite/migrations/0005_archive_in_place.sql).
  backdate(is_postgres_family() ? "pgqrs_archive" : "pgqrs_messages", "archived_at",
           "archived_at IS NOT NULL AND dead_lettered_at IS NULL");

  retention_policy policy;
  policy.archived_messages_older_than = 1h;
  policy.finished_runs_older_than = 1h;
  policy.batch_size = 1;
  auto report = apply_retention(s(), policy);
  EXPECT_EQ(report.archived_messages_deleted, 2u);  // runs 0 and 1's messages
  EXPECT_EQ(report.workflow_runs_deleted, 2u);
  EXPECT_EQ(report.workflow_steps_deleted, 4u);
  EXPECT_FALSE(run().message(msgs[0]).record(s()));
  EXPECT_TRUE(run().message(msgs[2]).record(s()));
  EXPECT_EQ(run().message(msgs[3]).record(s())->status, workflow_status::queued);
  EXPECT_TRUE(s().messages().get(msgs[3].id)) << "the archived message of an unfinished run stays";
  EXPECT_EQ(query_int(s(), "SELECT count(*) FROM " + table(s(), "pgqrs_workflow_steps")), 2);
}

TEST_F(operations, retention_deletes_only_stopped_unreferenced_long_idle_workers) {
  start();
  const auto long_ago = now() - 2h;
  // Referenced by an archived message: kept until that message goes. Registered first, so with batches of
  // one the walk has to get past it.
  auto referenced = make_consumer();
  p->enqueue(json(1));
  auto m = referenced.dequeue();
  ASSERT_TRUE(m);
  ASSERT_TRUE(referenced.with_time(long_ago).archive(m->id));
  auto ref_stopped = referenced.with_time(long_ago);
  ref_stopped.suspend();
  ref_stopped.shutdown();
  auto idle = stopped_consumer(long_ago);
  auto recent = stopped_consumer(now());
  auto alive = make_consumer().with_time(long_ago);
  alive.heartbeat();

  retention_policy policy;
  policy.stopped_workers_older_than = 1h;
  policy.batch_size = 1;
  EXPECT_EQ(apply_retention(s(), policy).workers_deleted, 1u);
  EXPECT_FALSE(s().workers().get(idle.worker_id()));
  EXPECT_TRUE(s().workers().get(referenced.worker_id()));
  EXPECT_TRUE(s().workers().get(recent.worker_id()));
  EXPECT_TRUE(s().workers().get(alive.worker_id()));
  // With the archived message gone, nothing refers to it any more.
  policy.archived_messages_older_than = 1h;
  auto report = apply_retention(s(), policy);
  EXPECT_EQ(report.archived_messages_deleted, 1u);
  EXPECT_EQ(report.workers_deleted, 1u);
  EXPECT_FALSE(s().workers().get(referenced.worker_id()));
  EXPECT_TRUE(s().workers().get(p->worker_id())) << "the producer is not stopped";
}

TEST_F(operations, retention_refuses_a_zero_batch_and_negative_ages_and_without_ages_deletes_nothing) {
  start();
  retention_policy zero;
  zero.batch_size = 0;
  EXPECT_THROW((void)apply_retention(s(), zero), validation_error);
  retention_policy negative;
  negative.finished_runs_older_than = -1s;
  EXPECT_THROW((void)apply_retention(s(), negative), validation_error);
  auto c = make_consumer();
  p->enqueue(json(1));
  ASSERT_TRUE(c.with_time(now() - 2h).archive(c.dequeue()->id));
  auto report = apply_retention(s(), retention_policy{});
  EXPECT_EQ(report.archived_messages_deleted + report.workflow_runs_deleted + report.workers_deleted, 0u);
  EXPECT_EQ(admin(s()).queue_metrics("q").archived_messages, 1);
}

}  // namespace
}  // namespace pgqrs::testing
