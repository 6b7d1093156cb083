#pragma once
// Durable workflows with real processes (issue 9): the workflows the child processes run, the event log they
// write, and the parent's fixture (one database per test on SQLite, PostgreSQL or PgBouncer).
//
// Children and parent talk through files in the test's directory, never through sleeps:
//  - `events`: lines "<kind> <run id> <pid> <steady ns>" appended (O_APPEND, one write per line) by every
//    child: `enter` (the workflow function starts: a claim), `ready` (a victim reached its kill point and
//    blocks there), `txbody` (a transactional step's body ran), `lease_lost` (a step's result was refused);
//  - `stats-<pid>.json`: a child's workflow_loop_stats when it ends normally;
//  - `release`: lets a stalled (fenced) victim's step return.
// steady_clock is CLOCK_MONOTONIC, shared by all processes of the machine, so times compare across them.
// Side effects of steps are rows of the user table `side_effects (run_id, step, pid)`, inserted by the step
// body with its own autocommit statement before the step's checkpoint is written.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <pgqrs/pgqrs.hpp>

namespace pgqrs::process_tests::wfp {

using namespace std::chrono_literals;

/// The store configuration of every process of a test: the test's schema on PostgreSQL, no enqueue limit.
config config_of(const std::string& dsn, const std::string& schema);

std::int64_t steady_ns();
void append_event(const std::filesystem::path& dir, const std::string& kind, std::int64_t run_id);

struct event {
  std::string kind;
  std::int64_t run_id = 0;
  pid_t pid = 0;
  std::int64_t ns = 0;
};
std::vector<event> read_events(const std::filesystem::path& dir);

/// The workflows of these tests, by name: "five_steps", "pay", "fence", "nap". A victim stops at the kill
/// point its run's input names (and blocks there until killed, or for "fence" until `release` exists); any
/// other role runs straight through.
workflow_def make_def(const std::string& name, const store& s, const std::filesystem::path& dir, bool victim);

/// s1..s5 of "five_steps": v ← 3·v + i, starting from the input's x.
std::int64_t five_steps_result(std::int64_t x);

/// Parent side: a test's database, directory and children (killed in TearDown if still running).
class wf_process : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  store& s() { return *m_store; }
  std::string table(const std::string& name) const;

  pid_t spawn(const std::vector<std::string>& args);
  /// Starts a child executing exactly one run of `workflow` as a victim (stops at kill points).
  pid_t spawn_victim(const std::string& workflow, std::chrono::milliseconds lease);
  /// Starts a child that polls (`runs` loops) until it has finished `runs` runs.
  pid_t spawn_rescuer(const std::string& workflow, std::chrono::milliseconds lease, int runs);
  /// Waits for the child to end and forgets it; its exit code (128 + signal if killed).
  int reap(pid_t pid);
  /// Waits up to `timeout` for the child to end (then kills it and fails); its exit code.
  int reap_within(pid_t pid, std::chrono::seconds timeout = std::chrono::seconds(60));
  /// SIGKILLs (and reaps) every child still running.
  void kill_all_children();
  /// SIGKILLs the child and reaps it; @returns the steady time of the kill.
  std::int64_t kill_child(pid_t pid);
  /// SIGSTOPs the child at a moment it holds no lock another worker needs: on SQLite no write transaction
  /// (its lease keeper may be inside one), on PostgreSQL no lock on the run's message; else continues it and
  /// tries again. @returns the steady time of the (last) stop
  std::int64_t stop_outside_transactions(pid_t pid, std::int64_t message_id);

  /// Waits (up to `timeout`) until `n` events of `kind` were written; returns all events of that kind.
  std::vector<event> wait_for_events(const std::string& kind, std::size_t n,
                                     std::chrono::seconds timeout = std::chrono::seconds(60));
  /// Side-effect rows of a run's step, and the pids that wrote them.
  std::vector<std::int64_t> side_effect_pids(std::int64_t run_id, const std::string& step);
  json stats_of(pid_t pid) const;

  std::filesystem::path m_dir;
  std::string m_dsn;
  std::string m_schema;
  std::optional<store> m_store;
  std::vector<pid_t> m_children;
  static inline int m_counter = 0;
};

/// Backends of these tests: sqlite always, postgres and pgbouncer when the build has PostgreSQL.
std::vector<std::string> backends();

/// Median of (a copy of) `v`.
double median(std::vector<double> v);

}  // namespace pgqrs::process_tests::wfp
