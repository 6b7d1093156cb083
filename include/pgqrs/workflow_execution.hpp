#pragma once
/// @file workflow_execution.hpp
/// Workflows driven step by step by the caller, for code that cannot hand its workflow to
/// `workflow_builder::poll` as one blocking function (an asynchronous runtime such as the Python package),
/// and the original's low-level step API (spec §7.5, §10.11).
///
/// - `run_execution`: one run claimed by a worker and executed exactly as `poll()` executes it (claim and start
///   in one statement, checkpoints fenced by the message's lease, one statement per checkpoint, waits give the
///   run back), except that the caller begins and ends each step:
///   ```cpp
///   while (auto ex = pgqrs::run_execution::claim(store, "archive_files", consumer)) {
///     auto s = ex->begin_step("list");
///     json files = s.done ? s.output : list_files();
///     if (!s.done) ex->complete_step("list", files);
///     if (ex->state() == pgqrs::execution_state::running) ex->complete(files);
///   }
///   ```
/// - `step()`: the original's step acquisition and recording on a run by id, from outside any worker (no
///   lease, no fence): what its `Run.acquire_step`, `StepGuard.success/fail/fail_transient` do.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pgqrs/workflow.hpp"

namespace pgqrs {

namespace detail {
struct execution_impl;
}

/// Where a run_execution stands. Anything but `running` means workflow code must stop: nothing more is
/// recorded for it.
enum class execution_state {
  running,
  /// A retry, a sleep or a pause was recorded; the run was given back until then.
  waiting,
  /// The run's outcome is recorded (by this execution, or by someone else before it).
  finished,
  /// A cancel was observed: the run is CANCELLED and its message archived.
  cancelled,
  /// Another worker holds the run now (this lease expired): the last write was refused.
  lease_lost,
};

[[nodiscard]] std::string_view to_string(execution_state s);

/// What begin_step found.
struct step_start {
  /// The step succeeded before: `output` is its stored result and the step must not run again.
  bool done = false;
  json output;
};

/// How an attempt of a step failed (run_execution::fail_step).
struct step_failure {
  enum class kind { permanent, transient, pause };
  kind what = kind::permanent;
  /// The step error's code for a transient failure (the original's default: "TRANSIENT_ERROR").
  std::string code;
  std::string message;
  /// transient: retry after this instead of the policy's delay; pause: resume after this.
  std::optional<std::chrono::milliseconds> delay;

  [[nodiscard]] static step_failure permanent(std::string message);
  [[nodiscard]] static step_failure transient(std::string code, std::string message,
                                              std::optional<std::chrono::milliseconds> retry_after = std::nullopt);
  [[nodiscard]] static step_failure pause(std::string message, std::chrono::milliseconds resume_after);
};

/// How run_execution::claim leases and executes a run.
struct execution_options {
  /// Lease on the run's message while it executes (renewed in the background).
  std::chrono::milliseconds lease{std::chrono::seconds(30)};
  /// "Now" for the execution (tests of retries and sleeps); disables lease renewal.
  std::optional<timestamp> at = std::nullopt;
  /// Retry policy of the steps that do not name their own.
  retry_policy policy = {};
};

/// One run executed under its message's lease by a caller that begins and ends each step itself. Use from
/// one thread at a time; the lease is renewed in the background until the execution ends or is destroyed
/// (destroying a running execution gives the run back at once).
class run_execution {
 public:
  /// Claims the next ready run of workflow `workflow` for consumer `c` (a worker of the workflow's queue):
  /// leases its message, creates or starts the run and reads its checkpoints (one statement on PostgreSQL).
  /// A run found cancelled or finished is settled (CANCELLED, message archived) and the next one is tried.
  /// @returns std::nullopt when no run is ready
  /// @throws not_found (no such workflow), validation_error (consumer of another queue), suspended (the
  ///         worker is interrupted, suspended or stopped), database errors
  [[nodiscard]] static std::optional<run_execution> claim(const store& s, std::string_view workflow,
                                                          const consumer& c, const execution_options& options = {});

  run_execution(run_execution&&) noexcept;
  run_execution& operator=(run_execution&&) noexcept;
  ~run_execution();

  /// The run as claimed (RUNNING).
  [[nodiscard]] const run_record& record() const;
  [[nodiscard]] const queue_message& message() const;
  /// The trigger input (the `input` member of the trigger payload, or the whole payload).
  [[nodiscard]] const json& input() const;
  /// The injected time or the wall clock.
  [[nodiscard]] timestamp current_time() const;
  [[nodiscard]] execution_state state() const;
  /// The stored checkpoints by step name, as read at claim time and kept current by this execution.
  [[nodiscard]] std::map<std::string, step_record, std::less<>> steps() const;

  /// Starts step `name`: its stored output if it succeeded before (done), else the caller runs it now and
  /// then calls complete_step or fail_step. Writes nothing, except when the step's retry is not due yet: the
  /// run is then given back until it is (state() waiting, done false). Returns done false without doing
  /// anything when state() is not running.
  /// @throws retries_exhausted (the step failed for good before), validation_error (bad name), database errors
  step_start begin_step(std::string_view name);
  /// begin_step when it needs no database write (the step is new, done, failed for good, or its retry is
  /// due), std::nullopt otherwise (call begin_step): lets an event loop start steps without a thread hop.
  [[nodiscard]] std::optional<step_start> try_begin_step(std::string_view name);
  /// Records the step's result (one statement behind the fence). If the write is refused (lease lost), or a
  /// cancel was pending, or the run was finished elsewhere, state() says so afterwards.
  /// @throws serialization_error, database errors
  void complete_step(std::string_view name, const json& output);
  /// Records a failed attempt of step `name`. A transient failure schedules a retry per `policy` (else the
  /// execution's) and gives the run back until then (state() waiting); a pause pauses the run (waiting); a
  /// permanent failure is recorded and the caller then fails the run (or lets it end).
  /// @throws retries_exhausted when a transient failure used up the last retry (recorded as final)
  void fail_step(std::string_view name, const step_failure& failure,
                 const std::optional<retry_policy>& policy = std::nullopt);
  /// A transactional step: `body(tx)`'s SQL and the step's checkpoint commit in one transaction. The
  /// stored output when it succeeded before. A throwing body rolls back and is recorded like fail_step
  /// (transient_step_error and retryable database errors retry), then rethrown unless the run now waits.
  /// @returns the output, or std::nullopt when the execution stopped (see state())
  std::optional<json> transaction_step(std::string_view name, const std::function<json(transaction&)>& body,
                                       const std::optional<retry_policy>& policy = std::nullopt);
  /// Durable sleep as step `name`. @returns true when its wake time has passed (go on), false when the run
  /// was given back until then (state() waiting)
  bool sleep(std::string_view name, std::chrono::milliseconds duration);
  /// Pauses the run here (as workflow_run::pause). @returns true when the pause is over (go on), false when
  /// the run was given back until `resume_after` has passed or run().resume() (state() waiting)
  bool pause(std::string_view message, std::chrono::milliseconds resume_after);
  /// Pauses the run without marking a point in its code (PAUSED, error `{"message", "resume_after"}`) and
  /// gives it back until `resume_after` has passed or run().resume(); the next execution starts from the top
  /// (steps replay). For a pause requested by an exception that ended the workflow code. No-op unless running.
  void suspend(std::string_view message, std::chrono::milliseconds resume_after);
  /// Completes the run with `output` and archives its message in one statement; a pending cancel makes it
  /// CANCELLED instead. No-op unless state() is running. @throws serialization_error, database errors
  void complete(const json& output);
  /// Fails the run (ERROR, `error` stored) and archives its message. No-op unless state() is running.
  void fail(const json& error);
  /// complete(), and in the same statement the claim of the worker's next ready run, as claim() would make
  /// it (one commit per run fewer for a loop that goes straight on). @returns the next run's execution, or
  /// std::nullopt when none is ready or this one was not running. @throws as complete() and claim()
  [[nodiscard]] std::optional<run_execution> complete_and_claim_next(const json& output);
  /// fail(), and the claim of the next run as complete_and_claim_next.
  [[nodiscard]] std::optional<run_execution> fail_and_claim_next(const json& error);
  /// Gives the run back without recording anything (its message visible again after `delay`): for code
  /// interrupted before it could finish (shutdown, a crash-like exception). No-op unless running.
  void give_back(std::chrono::milliseconds delay = {});

 private:
  explicit run_execution(std::unique_ptr<detail::execution_impl> impl);
  std::unique_ptr<detail::execution_impl> m_impl;
};

/// What a step acquisition decided (the original's StepResult).
struct step_acquisition {
  /// false: the step succeeded before and `output` is its stored result (the original's Skipped).
  bool execute = true;
  json output;
  /// The step as stored after the acquisition.
  step_record step;
};

/// The original's step API on a run, from outside any worker: no lease, no fence (spec §7.5). Two actors
/// acquiring the same due step may both execute it; inside a worker use run_execution instead.
class step_builder {
 public:
  step_builder& run_id(std::int64_t id);
  step_builder& name(std::string step_name);
  /// Use `t` as "now" (the original's `with_time` / `current_time`).
  step_builder& at(timestamp t);
  /// Retry policy for transient failures (default: the original's, 3 retries, jittered exponential 1..60 s).
  step_builder& retry(retry_policy p);

  /// Re-reads the run (a pending cancel is finalised: CANCELLED), then creates the step RUNNING or finds it:
  /// SUCCESS → execute false with its output; ERROR with a due retry → cleared to RUNNING, execute.
  /// @throws workflow_cancelled, step_not_ready (retry not due), retries_exhausted (failed for good),
  ///         not_found (run), validation_error (no run or name)
  step_acquisition acquire(const store& s) const;
  /// Records the step's result (SUCCESS).
  step_record complete(const store& s, const json& output) const;
  /// Records a failure from its error JSON, as the original's `fail_with_json`: without an `is_transient`
  /// key the error is wrapped as `{"is_transient": false, "code": "NON_RETRYABLE", "message": <JSON text>}`;
  /// transient errors schedule `retry_at` (the error's `retry_after`, seconds or {"secs", "nanos"}, else the
  /// policy's delay) until the policy's attempts are used up.
  step_record fail(const store& s, const json& error) const;

 private:
  std::int64_t run_or_throw() const;
  const std::string& name_or_throw() const;
  timestamp now_or_at() const;
  std::optional<std::int64_t> m_run_id;
  std::optional<std::string> m_name;
  std::optional<timestamp> m_at;
  retry_policy m_policy;
};

[[nodiscard]] step_builder step();

}  // namespace pgqrs
