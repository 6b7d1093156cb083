// workflow_run: how workflow code's steps, sleeps and transactional steps are checkpointed (spec §7.5–§7.6,
// DESIGN "Workflows"). A first-attempt step costs one commit (its result); a failure costs one commit that
// records it and, for a retry, gives the run back until the retry is due.

#include <chrono>

#include "core/common/validation.hpp"
#include "pgqrs/workflow.hpp"
#include "workflow/run_context.hpp"

namespace pgqrs {

using detail::fence_result;
using detail::run_context;
using detail::run_stopped;

namespace {

using seconds_d = std::chrono::duration<double>;

double as_seconds(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<seconds_d>(d).count();
}

void check_step_name(std::string_view name) {
  if (name.empty()) throw validation_error("Step name is required");
  if (name.size() > 255) throw validation_error("Step name exceeds 255 characters");
}

std::int32_t retry_count_of(const run_context& ctx, const std::string& name) {
  auto it = ctx.steps.find(name);
  return it == ctx.steps.end() ? 0 : it->second.retry_count;
}

/// Writes a checkpoint behind the fence (one statement) and keeps the replay cache current with `value` (the
/// step's output for SUCCESS, its error for ERROR: the JSON the checkpoint's text was made from, so nothing is
/// parsed back); throws what the fence found for anything but a live run.
void save_fenced(run_context& ctx, const detail::wf::checkpoint& c, const json& value) {
  const auto r = detail::write_checkpoint(ctx, c);
  if (r == fence_result::written || (r == fence_result::cancelled && c.write_when_cancelling)) {
    auto& cached = ctx.steps[c.step.name];
    cached.run_id = ctx.run.id;
    cached.step_name = c.step.name;
    cached.status = c.step.status;
    const bool succeeded = c.step.status == workflow_status::success;
    cached.output = succeeded ? std::optional<json>(value) : std::nullopt;
    cached.error = succeeded ? std::nullopt : std::optional<json>(value);
    cached.retry_count = c.step.retry_count;
    cached.retry_at = c.step.retry_at;
  }
  detail::throw_unless_written(ctx, r);
}

/// Gives the run back until `t` (a wait) and unwinds workflow code.
[[noreturn]] void wait_until(run_context& ctx, timestamp t) {
  detail::throw_unless_written(ctx, detail::fenced_write(ctx, false, [&](detail::connection& conn) {
    detail::wf::release_run(*ctx.core, conn, ctx.lease, t);
  }));
  throw run_stopped{run_stopped::reason::waiting};
}

/// A transient failure: schedule a retry (and wait for it) while the policy allows, else fail for good.
[[noreturn]] void record_transient(run_context& ctx, const std::string& name, timestamp started,
                                   const std::string& code, const std::string& message,
                                   std::optional<std::chrono::milliseconds> retry_after,
                                   const retry_policy& policy) {
  const auto count = retry_count_of(ctx, name);
  auto err = detail::step_error_json(true, code, message);
  err["retry_after"] = retry_after ? json(as_seconds(*retry_after)) : json(nullptr);
  detail::wf::step_write w{name, workflow_status::error, std::nullopt, err.dump(), started, std::nullopt, count,
                           std::nullopt};
  if (!policy.should_retry(static_cast<std::uint32_t>(count))) {
    save_fenced(ctx, {w}, err);
    throw retries_exhausted(*w.error, static_cast<std::uint32_t>(count));
  }
  const auto delay = retry_after ? std::chrono::duration_cast<std::chrono::microseconds>(*retry_after)
                                 : std::chrono::microseconds(policy.delay(static_cast<std::uint32_t>(count)));
  const auto retry_at = ctx.now() + delay;
  w.retry_count = count + 1;
  w.retry_at = retry_at;
  save_fenced(ctx, {w, retry_at}, err);
  throw run_stopped{run_stopped::reason::waiting};
}

/// A pause requested by a step: the run is PAUSED until `resume_after` has passed (or run().resume()), then
/// the step runs again. Pauses do not use up retries.
[[noreturn]] void record_pause(run_context& ctx, const std::string& name, timestamp started, const paused_error& e) {
  const auto secs = as_seconds(e.resume_after());
  auto err = detail::step_error_json(true, "PAUSED", e.message());
  err["resume_after"] = secs;
  err["retry_after"] = secs;
  const auto resume_at = ctx.now() + std::chrono::duration_cast<std::chrono::microseconds>(e.resume_after());
  detail::wf::step_write w{name, workflow_status::error, std::nullopt, err.dump(), started, std::nullopt,
                           retry_count_of(ctx, name), resume_at};
  const json run_error{{"message", e.message()}, {"resume_after", secs}};
  save_fenced(ctx, {w, resume_at, run_error.dump()}, err);
  throw run_stopped{run_stopped::reason::waiting};
}

/// A permanent failure: the step is recorded ERROR with no retry; the caller rethrows the original error.
void record_failure(run_context& ctx, const std::string& name, timestamp started, const std::string& message) {
  const auto err = detail::step_error_json(false, "NON_RETRYABLE", message);
  save_fenced(ctx, {{name, workflow_status::error, std::nullopt, err.dump(), started, std::nullopt,
                     retry_count_of(ctx, name), std::nullopt}},
              err);
}

/// Records what an attempt's exception means, then throws (a wait, retries_exhausted, or the exception).
[[noreturn]] void record_attempt_failure(run_context& ctx, const std::string& name, timestamp started,
                                         const retry_policy& policy, const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const transient_step_error& e) {
    record_transient(ctx, name, started, e.step_code(), e.message(), e.retry_after(), policy);
  } catch (const paused_error& e) {
    record_pause(ctx, name, started, e);
  } catch (const error& e) {
    // The step's own database call failed in a way that may pass (lost connection, serialization failure,
    // busy lock): retried like a transient failure.
    if (e.retryable()) record_transient(ctx, name, started, "DATABASE", e.what(), std::nullopt, policy);
    record_failure(ctx, name, started, e.what());
    throw;
  } catch (const std::exception& e) {
    record_failure(ctx, name, started, e.what());
    throw;
  } catch (const run_stopped&) {
    throw;
  } catch (...) {
    record_failure(ctx, name, started, "unknown exception");
    throw;
  }
}

/// The stored checkpoint decides: the output to return (SUCCESS), a failure to raise, a wait, or run it.
std::optional<json> replay(run_context& ctx, const std::string& name) {
  auto it = ctx.steps.find(name);
  if (it == ctx.steps.end()) return std::nullopt;
  const auto& step = it->second;
  if (step.status == workflow_status::success) return step.output.value_or(json(nullptr));
  if (step.status == workflow_status::error) {
    if (!step.retry_at) {
      const auto err = step.error.value_or(detail::step_error_json(false, "UNKNOWN", "Unknown error"));
      throw retries_exhausted(err.dump(), static_cast<std::uint32_t>(step.retry_count));
    }
    // Woken before the retry is due (e.g. resumed while another step's retry was pending): wait again.
    if (ctx.now() < *step.retry_at) wait_until(ctx, *step.retry_at);
  }
  return std::nullopt;
}

/// The start of every step: a valid name, and its stored result if it has one (see replay).
std::optional<json> enter_step(run_context& ctx, const std::string& name) {
  check_step_name(name);
  return replay(ctx, name);
}

/// One attempt of step `name`: `attempt(started)` runs the body and writes the success checkpoint.
json run_attempt(run_context& ctx, const std::string& name, const std::optional<retry_policy>& policy,
                 const std::function<json(timestamp)>& attempt) {
  const auto started = ctx.now();
  try {
    return attempt(started);
  } catch (...) {
    if (ctx.engine_stopped) throw;  // the engine ended this execution: not the step's failure
    record_attempt_failure(ctx, name, started, policy.value_or(ctx.policy), std::current_exception());
  }
}

/// Thrown inside a transactional step's transaction to roll it back when the user's code failed.
struct user_code_failed {};

}  // namespace

std::int64_t workflow_run::id() const {
  return m_ctx->run.id;
}

std::int64_t workflow_run::message_id() const {
  return m_ctx->run.message_id;
}

const std::string& workflow_run::workflow_name() const {
  return m_ctx->workflow_name;
}

const json& workflow_run::input() const {
  return m_ctx->input;
}

timestamp workflow_run::current_time() const {
  return m_ctx->now();
}

json workflow_run::run_step(std::string_view name, const std::function<json()>& body,
                            const std::optional<retry_policy>& policy) {
  auto& ctx = *m_ctx;
  const std::string step(name);
  if (auto stored = enter_step(ctx, step)) return *stored;
  return run_attempt(ctx, step, policy, [&](timestamp started) {
    json out = body();
    auto text = detail::output_text(out, "step '" + step + "'");
    const auto done = ctx.now();
    save_fenced(ctx, {{step, workflow_status::success, std::move(text), std::nullopt, started, done,
                       retry_count_of(ctx, step), std::nullopt},
                      std::nullopt,
                      std::nullopt,
                      true},
                out);
    return out;
  });
}

json workflow_run::run_transaction_step(std::string_view name, const std::function<json(transaction&)>& body,
                                        const std::optional<retry_policy>& policy) {
  auto& ctx = *m_ctx;
  const std::string step(name);
  if (auto stored = enter_step(ctx, step)) return *stored;
  return run_attempt(ctx, step, policy, [&](timestamp started) {
    json out;
    std::exception_ptr user_failure;
    step_record saved;
    fence_result r = fence_result::written;
    try {
      // The user's statements and the checkpoint commit together; a pending cancel stops before them.
      r = detail::fenced_write(ctx, false, [&](detail::connection& conn) {
        conn.prepare_for_user_sql();
        auto tx = detail::run_access::make_transaction(conn, ctx.core->db->dialect());
        std::string text;
        try {
          out = body(tx);
          text = detail::output_text(out, "step '" + step + "'");
        } catch (...) {
          user_failure = std::current_exception();
          throw user_code_failed{};
        }
        saved = detail::wf::save_step(*ctx.core, conn, ctx.run.id,
                                      {step, workflow_status::success, std::move(text), std::nullopt, started,
                                       ctx.now(), retry_count_of(ctx, step), std::nullopt},
                                      ctx.now());
      });
    } catch (const user_code_failed&) {
      std::rethrow_exception(user_failure);  // rolled back; recorded as the step's failure by run_attempt
    }
    if (r == fence_result::written) ctx.steps[step] = saved;
    detail::throw_unless_written(ctx, r);
    return out;
  });
}

void workflow_run::sleep(std::string_view name, std::chrono::milliseconds duration) {
  auto& ctx = *m_ctx;
  const std::string step(name);
  if (auto stored = enter_step(ctx, step)) {
    const auto wake = stored->is_object() && stored->contains("wake_at")
                          ? parse_rfc3339(stored->at("wake_at").get<std::string>())
                          : std::nullopt;
    if (!wake) throw serialization_error("step '" + step + "' is not a sleep (no wake_at in its output)");
    if (ctx.now() < *wake) wait_until(ctx, *wake);
    return;
  }
  const auto started = ctx.now();
  const auto wake = started + std::chrono::duration_cast<std::chrono::microseconds>(duration);
  const json out{{"wake_at", format_rfc3339(wake)}};
  const bool asleep = wake > started;
  // The wake time is stored with the release, so a crash or a restart does not move it.
  std::optional<timestamp> release;
  if (asleep) release = wake;
  save_fenced(ctx, {{step, workflow_status::success, out.dump(), std::nullopt, started, wake, 0, std::nullopt}, release},
              out);
  if (asleep) throw run_stopped{run_stopped::reason::waiting};
}

namespace detail {

json step_error_json(bool transient, const std::string& code, const std::string& message) {
  return json{{"is_transient", transient}, {"code", code}, {"message", message}};
}

std::string output_text(const json& output, std::string_view what) {
  try {
    return output.dump();
  } catch (const json::exception& e) {
    throw serialization_error("output of " + std::string(what) + " cannot be stored as JSON: " + e.what());
  }
}

fence_result fenced_write(run_context& ctx, bool write_when_cancelling,
                          const std::function<void(connection&)>& write) {
  fence_result result = fence_result::written;
  try {
    ctx.core->transact(tx_mode::write, [&](connection& conn) {
      const auto status = wf::fence(*ctx.core, conn, ctx.lease);
      const auto t = ctx.now();
      if (!status) {
        result = fence_result::lease_lost;
        return;
      }
      switch (*status) {
        case workflow_status::cancelling:
          if (write_when_cancelling) write(conn);
          (void)wf::finish_run(*ctx.core, conn, ctx.run.id, workflow_status::cancelled, std::nullopt, std::nullopt, t);
          wf::archive_run_message(*ctx.core, conn, ctx.lease, t);
          result = fence_result::cancelled;
          return;
        case workflow_status::cancelled:
          wf::archive_run_message(*ctx.core, conn, ctx.lease, t);
          result = fence_result::cancelled;
          return;
        case workflow_status::success:
        case workflow_status::error:
          wf::archive_run_message(*ctx.core, conn, ctx.lease, t);
          result = fence_result::finished_elsewhere;
          return;
        default:
          write(conn);
          result = fence_result::written;
      }
    });
  } catch (const error&) {
    ctx.engine_stopped = true;  // the database failed us: give the run back, do not fail it
    throw;
  }
  if (result != fence_result::written) ctx.engine_stopped = true;
  return result;
}

fence_result write_checkpoint(run_context& ctx, const wf::checkpoint& c) {
  std::optional<workflow_status> seen;
  try {
    seen = wf::write_checkpoint(*ctx.core, ctx.lease, ctx.run.id, c, ctx.now());
  } catch (const error&) {
    ctx.engine_stopped = true;  // the database failed us: give the run back, do not fail it
    throw;
  }
  if (!seen) {
    ctx.engine_stopped = true;
    return fence_result::lease_lost;
  }
  switch (*seen) {
    case workflow_status::queued:
    case workflow_status::running:
    case workflow_status::paused:
      return fence_result::written;
    default:
      // A cancel is pending, or the run was finished by someone else: finalise in a transaction of its own
      // (rare, so the common checkpoint stays one statement).
      return fenced_write(ctx, false, [](connection&) {});
  }
}

void throw_unless_written(const run_context& ctx, fence_result r) {
  switch (r) {
    case fence_result::written:
      return;
    case fence_result::lease_lost:
      throw lease_lost(ctx.run.id);
    case fence_result::cancelled:
      throw workflow_cancelled(ctx.run.id);
    case fence_result::finished_elsewhere:
      throw run_stopped{run_stopped::reason::finished_elsewhere};
  }
}

}  // namespace detail

}  // namespace pgqrs
