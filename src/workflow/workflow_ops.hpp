#pragma once
// Workflow operations over the named SQL of sql/*/queries/workflows.sql, shared by all backends. Functions
// taking a `connection&` run inside the caller's transaction (the fenced writes of an executing run); the
// others run on a pooled connection.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ops/store_core.hpp"
#include "pgqrs/workflow.hpp"

namespace pgqrs::detail::wf {

// ---- definitions
std::optional<workflow_record> find_workflow(const store_core& core, const std::string& name);
std::optional<workflow_record> find_workflow_by_queue(const store_core& core, std::int64_t queue_id);
std::vector<workflow_record> list_workflows(const store_core& core);
/// @throws not_found("Workflow", name)
workflow_record require_workflow(const store_core& core, const std::string& name);
/// Creates the queue of the same name if missing, then the definition. @returns the record and whether
/// this call created it
std::pair<workflow_record, bool> create_workflow(const store_core& core, const std::string& name, timestamp now);

// ---- runs and steps, read
std::optional<run_record> find_run(const store_core& core, std::int64_t run_id);
std::optional<run_record> find_run_by_message(const store_core& core, std::int64_t message_id);
std::vector<run_record> list_runs(const store_core& core, const run_filter& filter,
                                  std::optional<std::int64_t> workflow_id);
std::vector<step_record> list_steps(const store_core& core, std::int64_t run_id);

// ---- runs, from outside the worker
/// Enqueues `payload` on the workflow's queue; with a key, also creates the keyed run in the same
/// transaction, or returns the message of the run that already has the key.
queue_message trigger_run(const store_core& core, const workflow_record& wf, const queue_record& queue,
                          const json& payload, const std::optional<std::string>& key,
                          const std::string& payload_text, timestamp now, std::chrono::milliseconds delay,
                          std::optional<std::int64_t> producer_id);
/// The run of a message, created QUEUED if missing (spec §7.4). @throws not_found
run_record materialise_run(const store_core& core, std::int64_t message_id, timestamp now);
/// QUEUED/PAUSED → RUNNING, RUNNING unchanged (spec §7.4 start_run).
/// @throws validation_error ("Run <id> is in terminal <STATUS> state") for any other state
run_record start_run(const store_core& core, const run_record& run, timestamp now);
/// QUEUED/RUNNING/PAUSED → CANCELLING (idempotent for CANCELLING); wakes a waiting run.
/// @throws validation_error for a finished run
run_record cancel_run(const store_core& core, const run_record& run, timestamp now);
/// Makes a waiting run's message visible now and its pending retries due. @returns whether it was waiting
bool wake_run(const store_core& core, std::int64_t message_id, timestamp now);

// ---- execution (worker side)
struct claimed_run {
  queue_message message;
  run_record run;
  std::vector<step_record> steps;
};
/// In one transaction: lease one ready message of the workflow's queue, create or start its run, read its
/// steps (so an execution costs no reads per step).
std::optional<claimed_run> claim_run(const store_core& core, const workflow_record& wf, std::int64_t worker_id,
                                     std::chrono::microseconds lease, std::optional<timestamp> at);

/// The lease a worker executes a run under: the message, its owner and the claim's read_ct.
struct lease_token {
  std::int64_t message_id = 0;
  std::int64_t worker_id = 0;
  std::int32_t read_ct = 0;
};
/// First statement of every fenced write: the run's status, or std::nullopt if the lease is no longer
/// `lease`'s (PostgreSQL also locks the message row until commit).
std::optional<workflow_status> fence(const store_core& core, connection& conn, const lease_token& lease);

struct step_write {
  std::string name;
  workflow_status status = workflow_status::success;
  std::optional<std::string> output;  // JSON text
  std::optional<std::string> error;   // JSON text
  timestamp started_at{};
  std::optional<timestamp> completed_at;
  std::int32_t retry_count = 0;
  std::optional<timestamp> retry_at;
};
step_record save_step(const store_core& core, connection& conn, std::int64_t run_id, const step_write& w,
                      timestamp now);
/// A checkpoint of an executing run, written by one statement behind the fence (step_checkpoint): the step
/// row, and for a wait the message released until `release_at` (with the run paused for a pause).
struct checkpoint {
  step_write step;
  std::optional<timestamp> release_at = std::nullopt;
  std::optional<std::string> pause_error = std::nullopt;  // JSON text of the run's error while paused
  /// Record the step even if a cancel is pending (a finished step is; a wait is not).
  bool write_when_cancelling = false;
};
/// @returns the run's status as the fence saw it (the step was written if it was QUEUED/RUNNING/PAUSED, or
/// CANCELLING with write_when_cancelling), or std::nullopt if the lease is lost (nothing was written)
std::optional<workflow_status> write_checkpoint(const store_core& core, const lease_token& lease,
                                                std::int64_t run_id, const checkpoint& c, timestamp now);
/// Finishes the run (SUCCESS or ERROR; a pending cancel makes it CANCELLED; a finished run is left alone) and
/// archives its message, in one statement behind the fence. @returns the run's status before, or
/// std::nullopt if the lease is lost
std::optional<workflow_status> complete_run(const store_core& core, const lease_token& lease, std::int64_t run_id,
                                            workflow_status status, const std::optional<std::string>& output,
                                            const std::optional<std::string>& error, timestamp now);
/// complete_run, and in the same transaction claim_run of the worker's next run of `wf`, so a worker that
/// goes straight on spends one commit per run fewer. The claim happens even when the lease was lost.
struct completion {
  std::optional<workflow_status> before;  // as complete_run returns it
  std::optional<claimed_run> next;        // the next run, if one was ready
};
completion complete_and_claim(const store_core& core, const lease_token& lease, std::int64_t run_id,
                              workflow_status status, const std::optional<std::string>& output,
                              const std::optional<std::string>& error, const workflow_record& wf,
                              std::chrono::microseconds next_lease, std::optional<timestamp> at);
/// SUCCESS / ERROR / CANCELLED (a pending cancel turns either outcome into CANCELLED). std::nullopt if the
/// run had already finished.
std::optional<run_record> finish_run(const store_core& core, connection& conn, std::int64_t run_id,
                                     workflow_status status, const std::optional<std::string>& output,
                                     const std::optional<std::string>& error, timestamp now);
/// Gives the message back until `visible_at` without counting the delivery. @returns false if not owned
bool release_run(const store_core& core, connection& conn, const lease_token& lease, timestamp visible_at);
void archive_run_message(const store_core& core, connection& conn, const lease_token& lease, timestamp now);

// ---- steps and runs from outside a worker (step_builder, run_builder): no fence
std::optional<step_record> find_step(const store_core& core, std::int64_t run_id, const std::string& name);
/// Creates the step RUNNING, refreshes a RUNNING one's start, returns SUCCESS/ERROR rows as they are.
step_record acquire_step(const store_core& core, std::int64_t run_id, const std::string& name, timestamp now);
/// ERROR with a due retry → RUNNING (retry_count kept).
step_record clear_step_retry(const store_core& core, std::int64_t step_id, timestamp now);
/// Upserts the step with its final values (save_step on a pooled connection).
step_record record_step(const store_core& core, std::int64_t run_id, const step_write& w, timestamp now);
/// QUEUED/RUNNING/PAUSED → PAUSED with `error_text`; std::nullopt for a finished or cancelling run.
std::optional<run_record> pause_run(const store_core& core, std::int64_t run_id, const std::string& error_text,
                                    timestamp now);
std::optional<run_record> pause_run(const store_core& core, connection& conn, std::int64_t run_id,
                                    const std::string& error_text, timestamp now);
/// finish_run on a pooled connection.
std::optional<run_record> finish_run(const store_core& core, std::int64_t run_id, workflow_status status,
                                     const std::optional<std::string>& output,
                                     const std::optional<std::string>& error, timestamp now);

}  // namespace pgqrs::detail::wf
