#pragma once
// The state of one execution of a run by a worker: its lease (the fencing token), the run, the checkpoints
// read at claim time, and how workflow code's steps are recorded. Used by one thread.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/ops/store_core.hpp"
#include "pgqrs/workflow.hpp"
#include "workflow/workflow_ops.hpp"

namespace pgqrs::detail {

/// Thrown through workflow code once its execution has ended on the engine's side: the run was given back
/// to wait (retry, sleep, pause) or had finished. Deliberately not a std::exception, so user code's
/// `catch (const std::exception&)` around a step does not swallow it.
struct run_stopped {
  enum class reason { waiting, finished_elsewhere } why;
};

struct run_context {
  core_ptr core;
  wf::lease_token lease;
  run_record run;
  std::string workflow_name;
  /// What the workflow function receives: the trigger payload's `input` member (or the whole payload).
  json input;
  /// Checkpoints by step name, read when the run was claimed and kept current by this execution.
  std::map<std::string, step_record, std::less<>> steps;
  retry_policy policy;
  std::optional<timestamp> at;
  /// Set when the engine itself ended this execution (its write failed, was refused by the fence, or found
  /// the run cancelled): exceptions unwinding workflow code are then not the run's failure.
  bool engine_stopped = false;
  /// workflow_run::pause calls so far in this execution: the n-th pause is step "__pause_<n>".
  std::size_t pauses = 0;

  [[nodiscard]] timestamp now() const { return at.value_or(pgqrs::now()); }
};

/// The library's access to the private parts of workflow_run and transaction.
class run_access {
 public:
  static workflow_run make_run(std::shared_ptr<run_context> ctx) { return workflow_run(std::move(ctx)); }
  static pgqrs::transaction make_transaction(connection& conn, std::string_view dialect) {
    return pgqrs::transaction(&conn, dialect);
  }
  static connection& conn(pgqrs::transaction& tx) { return *static_cast<connection*>(tx.m_conn); }
};

/// What the fence found when a write was attempted (see fenced_write).
enum class fence_result { written, lease_lost, cancelled, finished_elsewhere };

/// Runs `write(conn)` in one transaction after the fence (workflows.sql): if the lease is gone nothing is
/// written; if a cancel is pending the run is finalised CANCELLED and its message archived (after `write`
/// when `write_when_cancelling`); a run finished by someone else has its message archived.
/// Marks the context engine_stopped for anything but `written`, and on database failures (rethrown).
fence_result fenced_write(run_context& ctx, bool write_when_cancelling, const std::function<void(connection&)>& write);

/// Writes a checkpoint with one statement (wf::write_checkpoint) and, when the fence found a pending cancel or
/// a finished run, finalises it like fenced_write. Marks engine_stopped as fenced_write does.
fence_result write_checkpoint(run_context& ctx, const wf::checkpoint& c);

/// Throws what a fence_result other than `written` means for workflow code (lease_lost, workflow_cancelled,
/// run_stopped).
void throw_unless_written(const run_context& ctx, fence_result r);

/// Step error JSON as the original stores it: {"is_transient", "code", "message"} (+ "retry_after").
json step_error_json(bool transient, const std::string& code, const std::string& message);

/// Compact JSON text of a step or run output. @throws serialization_error
std::string output_text(const json& output, std::string_view what);

}  // namespace pgqrs::detail
