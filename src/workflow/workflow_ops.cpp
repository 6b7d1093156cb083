#include "workflow/workflow_ops.hpp"

#include <array>

#include "core/common/payload_parser.hpp"
#include "core/common/validation.hpp"
#include "core/ops/dead_letter_ops.hpp"
#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/ops/row_mapping.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail::wf {

namespace {

json json_cell(const row_set& rows, std::size_t r, std::size_t c, const char* what) {
  try {
    return parse_payload(rows.text(r, c));
  } catch (const json::exception& e) {
    throw serialization_error(std::string("stored ") + what + " is not JSON: " + e.what());
  }
}

std::optional<json> opt_json_cell(const row_set& rows, std::size_t r, std::size_t c, const char* what) {
  if (rows.is_null(r, c)) return std::nullopt;
  return json_cell(rows, r, c, what);
}

workflow_status status_cell(const row_set& rows, std::size_t r, std::size_t c) {
  const auto& text = rows.text(r, c);
  auto s = parse_workflow_status(text);
  if (!s) throw internal_error("unknown workflow status '" + text + "'");
  return *s;
}

workflow_record to_workflow(const row_set& rows, std::size_t r) {
  return workflow_record{rows.i64(r, 0), rows.text(r, 1), rows.i64(r, 2), rows.ts(r, 3)};
}

/// The run whose 14 columns start at column c0 of row r.
run_record run_columns(const row_set& rows, std::size_t r, std::size_t c0) {
  run_record run;
  run.id = rows.i64(r, c0 + 0);
  run.workflow_id = rows.i64(r, c0 + 1);
  run.message_id = rows.i64(r, c0 + 2);
  run.status = status_cell(rows, r, c0 + 3);
  run.input = opt_json_cell(rows, r, c0 + 4, "run input").value_or(json());
  run.output = opt_json_cell(rows, r, c0 + 5, "run output");
  run.error = opt_json_cell(rows, r, c0 + 6, "run error");
  run.created_at = rows.ts(r, c0 + 7);
  run.updated_at = rows.ts(r, c0 + 8);
  run.started_at = rows.opt_ts(r, c0 + 9);
  run.paused_at = rows.opt_ts(r, c0 + 10);
  run.completed_at = rows.opt_ts(r, c0 + 11);
  run.worker_id = rows.opt_i64(r, c0 + 12);
  run.key = rows.opt_text(r, c0 + 13);
  return run;
}

/// The step whose 12 columns start at column c0 of row r.
step_record step_columns(const row_set& rows, std::size_t r, std::size_t c0) {
  step_record s;
  s.id = rows.i64(r, c0 + 0);
  s.run_id = rows.i64(r, c0 + 1);
  s.step_name = rows.text(r, c0 + 2);
  s.status = status_cell(rows, r, c0 + 3);
  s.output = opt_json_cell(rows, r, c0 + 4, "step output");
  s.error = opt_json_cell(rows, r, c0 + 5, "step error");
  s.created_at = rows.ts(r, c0 + 6);
  s.updated_at = rows.ts(r, c0 + 7);
  s.started_at = rows.opt_ts(r, c0 + 8);
  s.completed_at = rows.opt_ts(r, c0 + 9);
  s.retry_count = static_cast<std::int32_t>(rows.i64(r, c0 + 10));
  s.retry_at = rows.opt_ts(r, c0 + 11);
  return s;
}

run_record to_run(const row_set& rows, std::size_t r) {
  return run_columns(rows, r, 0);
}

step_record to_step(const row_set& rows, std::size_t r) {
  return step_columns(rows, r, 0);
}

template <typename T, typename F>
std::optional<T> first_row(const row_set& rows, F f) {
  if (rows.empty()) return std::nullopt;
  return f(rows, 0);
}

std::string status_text(workflow_status s) {
  return std::string(to_string(s));
}

/// Thrown inside a keyed trigger's transaction to roll back the message it inserted when the key is taken.
struct key_taken {};

}  // namespace

std::optional<workflow_record> find_workflow(const store_core& core, const std::string& name) {
  return first_row<workflow_record>(core.run("workflow_get_by_name", {name}), to_workflow);
}

std::optional<workflow_record> find_workflow_by_queue(const store_core& core, std::int64_t queue_id) {
  return first_row<workflow_record>(core.run("workflow_get_by_queue", {queue_id}), to_workflow);
}

std::vector<workflow_record> list_workflows(const store_core& core) {
  return map_rows<workflow_record>(core.run("workflow_list", {}), to_workflow);
}

workflow_record require_workflow(const store_core& core, const std::string& name) {
  auto wf = find_workflow(core, name);
  if (!wf) throw not_found("Workflow", name);
  return *wf;
}

std::pair<workflow_record, bool> create_workflow(const store_core& core, const std::string& name, timestamp now) {
  check_queue_name(name);
  auto queue = find_queue(core, name);
  if (!queue) {
    try {
      queue = create_queue(core, name, now);
    } catch (const queue_already_exists&) {
      queue = require_queue(core, name);  // created concurrently: reuse it
    }
  }
  if (auto made = first_row<workflow_record>(core.run("workflow_insert", {name, queue->id, now}), to_workflow)) {
    return {*made, true};
  }
  return {require_workflow(core, name), false};
}

std::optional<run_record> find_run(const store_core& core, std::int64_t run_id) {
  return first_row<run_record>(core.run("run_get", {run_id}), to_run);
}

std::optional<run_record> find_run_by_message(const store_core& core, std::int64_t message_id) {
  return first_row<run_record>(core.run("run_get_by_message", {message_id}), to_run);
}

std::vector<run_record> list_runs(const store_core& core, const run_filter& filter,
                                  std::optional<std::int64_t> workflow_id) {
  std::optional<std::string> status;
  if (filter.status) status = status_text(*filter.status);
  return map_rows<run_record>(
      core.run("run_list", {optional_param(workflow_id), optional_param(status), optional_param(filter.created_after),
                            optional_param(filter.created_before), static_cast<std::int64_t>(filter.limit)}),
      to_run);
}

std::vector<step_record> list_steps(const store_core& core, std::int64_t run_id) {
  return map_rows<step_record>(core.run("step_list", {run_id}), to_step);
}

queue_message trigger_run(const store_core& core, const workflow_record& wf, const queue_record& queue,
                          const json& payload, const std::optional<std::string>& key,
                          const std::string& payload_text, timestamp now, std::chrono::milliseconds delay,
                          std::optional<std::int64_t> producer_id) {
  const auto existing = [&]() -> std::optional<queue_message> {
    auto rows = core.run("run_get_by_key", {wf.id, *key});
    if (rows.empty()) return std::nullopt;
    return get_message(core, to_run(rows, 0).message_id);
  };
  if (key) {
    if (auto m = existing()) return *m;
  }
  if (!key) {
    std::vector<json> one{payload};
    return insert_messages(core, queue, one, {payload_text}, now + delay, now, producer_id).front();
  }
  try {
    return core.transact(tx_mode::write, [&](connection& conn) {
      auto rows = core.run(conn, "message_insert", {queue.id, payload_text, now + delay, now,
                                                    optional_param(producer_id)});
      if (rows.empty()) throw worker_not_found(producer_id.value_or(0));
      auto msg = to_message(rows, 0, payload);
      // A concurrent trigger with the same key waits here (unique index) until the first commits.
      if (core.run(conn, "run_insert", {wf.id, msg.id, payload_text, now, *key}).empty()) throw key_taken{};
      return msg;
    });
  } catch (const key_taken&) {
    if (auto m = existing()) return *m;
    throw internal_error("trigger key '" + *key + "' is taken but its run is gone");
  } catch (const query_error& e) {
    if (e.sqlstate() == sqlstate::foreign_key_violation) throw queue_not_found(queue.queue_name);
    throw;
  }
}

run_record materialise_run(const store_core& core, std::int64_t message_id, timestamp now) {
  if (auto run = find_run_by_message(core, message_id)) return *run;
  auto msg = get_message(core, message_id);
  if (!msg) throw not_found("Message", std::to_string(message_id));
  auto wf = find_workflow_by_queue(core, msg->queue_id);
  if (!wf) throw not_found("Workflow for queue", std::to_string(msg->queue_id));
  auto rows = core.run("run_insert", {wf->id, message_id, serialize_payload(msg->payload), now, null_param()});
  if (!rows.empty()) return to_run(rows, 0);
  // Created concurrently (a worker picked the message up meanwhile).
  if (auto run = find_run_by_message(core, message_id)) return *run;
  throw internal_error("run of message " + std::to_string(message_id) + " could not be created");
}

namespace {
[[noreturn]] void throw_terminal(const run_record& run) {
  throw validation_error("Run " + std::to_string(run.id) + " is in terminal " + status_text(run.status) + " state");
}
}  // namespace

run_record start_run(const store_core& core, const run_record& run, timestamp now) {
  auto rows = core.run("run_mark_started", {run.id, now});
  if (!rows.empty()) return to_run(rows, 0);
  auto current = find_run(core, run.id);
  if (!current) throw not_found("Run", std::to_string(run.id));
  throw_terminal(*current);
}

run_record cancel_run(const store_core& core, const run_record& run, timestamp now) {
  auto rows = core.run("run_cancel", {run.id, now});
  if (rows.empty()) {
    auto current = find_run(core, run.id);
    if (!current) throw not_found("Run", std::to_string(run.id));
    if (current->status == workflow_status::cancelling) return *current;
    throw_terminal(*current);
  }
  // A run waiting for a retry, a sleep or a pause: deliver it now so it is finalised promptly.
  wake_run(core, run.message_id, now);
  return to_run(rows, 0);
}

bool wake_run(const store_core& core, std::int64_t message_id, timestamp now) {
  return !core.run("run_wake", {message_id, now}).empty();
}

std::optional<step_record> find_step(const store_core& core, std::int64_t run_id, const std::string& name) {
  return first_row<step_record>(core.run("step_get", {run_id, name}), to_step);
}

step_record acquire_step(const store_core& core, std::int64_t run_id, const std::string& name, timestamp now) {
  return to_step(core.run("step_acquire", {run_id, name, now}), 0);
}

step_record clear_step_retry(const store_core& core, std::int64_t step_id, timestamp now) {
  auto rows = core.run("step_clear_retry", {step_id, now});
  if (rows.empty()) throw not_found("Step", std::to_string(step_id));
  return to_step(rows, 0);
}

step_record record_step(const store_core& core, std::int64_t run_id, const step_write& w, timestamp now) {
  return core.transact(tx_mode::write, [&](connection& conn) { return save_step(core, conn, run_id, w, now); });
}

std::optional<run_record> pause_run(const store_core& core, std::int64_t run_id, const std::string& error_text,
                                    timestamp now) {
  return first_row<run_record>(core.run("run_pause", {run_id, error_text, now}), to_run);
}

std::optional<run_record> pause_run(const store_core& core, connection& conn, std::int64_t run_id,
                                    const std::string& error_text, timestamp now) {
  return first_row<run_record>(core.run(conn, "run_pause", {run_id, error_text, now}), to_run);
}

std::optional<run_record> finish_run(const store_core& core, std::int64_t run_id, workflow_status status,
                                     const std::optional<std::string>& output,
                                     const std::optional<std::string>& error, timestamp now) {
  return first_row<run_record>(
      core.run("run_finish", {run_id, status_text(status), optional_param(output), optional_param(error), now}),
      to_run);
}

namespace {

/// The run claimed by run_claim or run_complete_claim: rows in run_claim's columns, one per step of the run
/// (step columns NULL when it has none).
claimed_run claimed_from_rows(const row_set& rows) {
  claimed_run c;
  c.message = to_message(rows, 0);
  c.run = run_columns(rows, 0, 11);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (!rows.is_null(r, 25)) c.steps.push_back(step_columns(rows, r, 25));
  }
  return c;
}

/// claim_run's statements inside the caller's transaction (dialects without data-modifying CTEs).
std::optional<claimed_run> claim_on(const store_core& core, connection& conn, const workflow_record& wf,
                                    std::int64_t worker_id, std::chrono::microseconds lease,
                                    std::optional<timestamp> at) {
  auto msgs = claim_messages(core, conn, wf.queue_id, worker_id, 1, lease, at);
  if (msgs.empty()) return std::nullopt;
  claimed_run c;
  c.message = std::move(msgs.front());
  const auto t = at.value_or(now());
  auto rows = core.run(conn, "run_start", {wf.id, c.message.id, t, worker_id});
  if (rows.empty()) throw internal_error("run of message " + std::to_string(c.message.id) + " was not created");
  c.run = to_run(rows, 0);
  c.steps = map_rows<step_record>(core.run(conn, "step_list", {c.run.id}), to_step);
  return c;
}

}  // namespace

std::optional<claimed_run> claim_run(const store_core& core, const workflow_record& wf, std::int64_t worker_id,
                                     std::chrono::microseconds lease, std::optional<timestamp> at) {
  if (core.db->caps().data_modifying_ctes) {
    // One statement: claim, create or start the run, read its steps (one round trip instead of five).
    const auto window = open_claim_window(core, wf.queue_id, at);
    const auto t = at.value_or(now());
    auto rows = core.run("run_claim", {wf.queue_id, t, t + lease, std::int64_t{core.cfg.max_read_ct}, worker_id,
                                       optional_param(window.floor), wf.id});
    close_claim_window(core, wf.queue_id, window, rows.empty() ? std::nullopt : std::optional(rows.ts(0, 10)));
    sweep_expired_poison(core, wf.queue_id, at, rows.empty());
    if (rows.empty()) return std::nullopt;
    return claimed_from_rows(rows);
  }
  auto claimed = core.transact(tx_mode::write, [&](connection& conn) {
    return claim_on(core, conn, wf, worker_id, lease, at);
  });
  sweep_expired_poison(core, wf.queue_id, at, !claimed);
  return claimed;
}

std::optional<workflow_status> fence(const store_core& core, connection& conn, const lease_token& lease) {
  auto rows = core.run(conn, "run_fence", {lease.message_id, lease.worker_id, std::int64_t{lease.read_ct}});
  if (rows.empty()) return std::nullopt;
  return status_cell(rows, 0, 0);
}

step_record save_step(const store_core& core, connection& conn, std::int64_t run_id, const step_write& w,
                      timestamp now) {
  auto rows = core.run(conn, "step_save",
                       {run_id, w.name, status_text(w.status), optional_param(w.output), optional_param(w.error),
                        w.started_at, now, optional_param(w.completed_at), std::int64_t{w.retry_count},
                        optional_param(w.retry_at)});
  return to_step(rows, 0);
}

std::optional<workflow_status> write_checkpoint(const store_core& core, const lease_token& lease,
                                                std::int64_t run_id, const checkpoint& c, timestamp now) {
  const auto& w = c.step;
  // Most checkpoints neither wait nor pause: their statement leaves out the release and the pause, whose
  // tables and indexes PostgreSQL would otherwise open and lock on every call. The two extra parameters
  // come last, so one array serves both (no allocation per step).
  const bool waits = c.release_at || c.pause_error;
  const std::array<sql_param, 16> params{run_id,
                                         w.name,
                                         status_text(w.status),
                                         optional_param(w.output),
                                         optional_param(w.error),
                                         w.started_at,
                                         now,
                                         optional_param(w.completed_at),
                                         std::int64_t{w.retry_count},
                                         optional_param(w.retry_at),
                                         lease.message_id,
                                         lease.worker_id,
                                         std::int64_t{lease.read_ct},
                                         c.write_when_cancelling,
                                         optional_param(c.release_at),
                                         optional_param(c.pause_error)};
  auto rows = waits ? core.run("step_checkpoint_wait", std::span<const sql_param>(params))
                     : core.run("step_checkpoint", std::span<const sql_param>(params).first(14));
  if (rows.empty()) return std::nullopt;
  return status_cell(rows, 0, 0);
}

std::optional<workflow_status> complete_run(const store_core& core, const lease_token& lease, std::int64_t run_id,
                                            workflow_status status, const std::optional<std::string>& output,
                                            const std::optional<std::string>& error, timestamp now) {
  auto rows = core.run("run_complete", {run_id, status_text(status), optional_param(output), optional_param(error),
                                        now, lease.message_id, lease.worker_id, std::int64_t{lease.read_ct}});
  if (rows.empty()) return std::nullopt;
  return status_cell(rows, 0, 0);
}

completion complete_and_claim(const store_core& core, const lease_token& lease, std::int64_t run_id,
                              workflow_status status, const std::optional<std::string>& output,
                              const std::optional<std::string>& error, const workflow_record& wf,
                              std::chrono::microseconds next_lease, std::optional<timestamp> at) {
  const auto t = at.value_or(now());
  completion done;
  if (core.db->caps().data_modifying_ctes) {
    const auto window = open_claim_window(core, wf.queue_id, at);
    auto rows = core.run("run_complete_claim",
                         {run_id, status_text(status), optional_param(output), optional_param(error), t,
                          lease.message_id, lease.worker_id, std::int64_t{lease.read_ct}, wf.queue_id, t + next_lease,
                          std::int64_t{core.cfg.max_read_ct}, optional_param(window.floor), wf.id});
    constexpr std::size_t status_before = 37;  // after run_claim's 37 columns
    const bool claimed = !rows.is_null(0, 0);
    close_claim_window(core, wf.queue_id, window, claimed ? std::optional(rows.ts(0, 10)) : std::nullopt);
    if (!rows.is_null(0, status_before)) done.before = status_cell(rows, 0, status_before);
    if (claimed) done.next = claimed_from_rows(rows);
  } else {
    done = core.transact(tx_mode::write, [&](connection& conn) {
      completion c;
      auto rows = core.run(conn, "run_complete", {run_id, status_text(status), optional_param(output),
                                                  optional_param(error), t, lease.message_id, lease.worker_id,
                                                  std::int64_t{lease.read_ct}});
      if (!rows.empty()) c.before = status_cell(rows, 0, 0);
      c.next = claim_on(core, conn, wf, lease.worker_id, next_lease, at);
      return c;
    });
  }
  sweep_expired_poison(core, wf.queue_id, at, !done.next);
  return done;
}

std::optional<run_record> finish_run(const store_core& core, connection& conn, std::int64_t run_id,
                                     workflow_status status, const std::optional<std::string>& output,
                                     const std::optional<std::string>& error, timestamp now) {
  return first_row<run_record>(
      core.run(conn, "run_finish", {run_id, status_text(status), optional_param(output), optional_param(error), now}),
      to_run);
}

bool release_run(const store_core& core, connection& conn, const lease_token& lease, timestamp visible_at) {
  return !core.run(conn, "run_release", {lease.message_id, lease.worker_id, std::int64_t{lease.read_ct}, visible_at})
              .empty();
}

void archive_run_message(const store_core& core, connection& conn, const lease_token& lease, timestamp now) {
  (void)core.run(conn, "message_archive_ids", {id_list{{lease.message_id}}, lease.worker_id, now});
}

}  // namespace pgqrs::detail::wf
