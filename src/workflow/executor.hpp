#pragma once
// Executes one claimed run: calls the workflow function and records how it ended (spec §7.7 with
// DESIGN's decisions): completion and archive share one commit; a failure fails the run; a wait has
// already given the run back; a lost lease or a database failure gives nothing and records nothing.

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "core/api/lease_keeper.hpp"
#include "core/api/store_state.hpp"
#include "pgqrs/workflow.hpp"
#include "workflow/run_context.hpp"
#include "workflow/workflow_ops.hpp"

namespace pgqrs::detail {

enum class run_outcome {
  completed,
  failed,
  cancelled,
  /// Waiting for a retry, a sleep or a pause; the message was released until then.
  suspended,
  /// Another worker holds the run now: nothing was recorded.
  fenced,
  /// The database failed during the execution; the run was given back (or its lease will expire).
  gave_back,
};

/// The execution state of a claimed run: lease, record, input, checkpoints by name, policy, injected time.
std::shared_ptr<run_context> make_context(const retry_policy& policy, const workflow_record& wf,
                                          wf::claimed_run claimed, const worker_state& ws,
                                          std::optional<timestamp> at);
/// A claimed run that must not execute (cancel pending or done, or finished already) is finalised here:
/// @returns its outcome, or std::nullopt for a RUNNING run (execute it)
std::optional<run_outcome> settle_unrunnable(run_context& ctx);
/// The run's failure as the JSON stored in its `error` column.
json run_error_json(const std::exception_ptr& failure);
/// A worker loop's request to claim its next run together with the completion of the current one (one
/// commit instead of two); `claimed` receives it, if one was ready.
struct next_claim {
  const workflow_record& wf;
  std::chrono::microseconds lease;
  /// The claiming worker: it beats first if its last beat is old (liveness.hpp), while the current run's
  /// lease is still renewed, rather than between the claim and the next run's execution.
  worker_state* worker;
  std::optional<wf::claimed_run> claimed;
};
/// Releases a run claimed with the previous completion but not executed (its loop stopped first): visible
/// at once, its delivery not counted. Best effort: if this fails too, its lease expires.
void give_back_unexecuted(const store_core& core, const wf::claimed_run& claimed, std::int64_t worker_id,
                          std::optional<timestamp> at) noexcept;
/// Completion or failure of the run and the archive of its message: one statement behind the fence (with
/// `next`, the claim of the worker's next run too).
run_outcome finish(run_context& ctx, workflow_status status, const std::optional<std::string>& output,
                   const std::optional<std::string>& failure, next_claim* next = nullptr);
/// Releases the run's message, visible again after `delay`, recording nothing (best effort: if this fails
/// too, the lease expires and the run is delivered again then).
void give_back(run_context& ctx, std::chrono::milliseconds delay) noexcept;
/// After a database failure: logs it and gives the run back for another attempt in a second.
run_outcome give_back(run_context& ctx, const std::exception_ptr& failure);

/// @throws validation_error unless `c` is a consumer of the workflow's queue
void check_worker_of(const workflow_record& wf, const consumer& c);

/// Executes `claimed`; with `next`, a run that ends by completing or failing claims the worker's next run
/// in the same statement (next->claimed stays empty for the other outcomes: the caller claims as usual).
run_outcome execute_run(const workflow_def& def, const workflow_record& wf, wf::claimed_run claimed,
                        worker_state& ws, lease_keeper& keeper, std::optional<timestamp> at,
                        next_claim* next = nullptr);

}  // namespace pgqrs::detail
