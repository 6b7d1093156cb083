// How a step's attempts are recorded (spec §7.5–§7.6, DESIGN "Workflows"): a first-attempt step costs one
// commit (its result); a failure costs one commit that records it and, for a retry, gives the run back until
// the retry is due. Shared by workflow_run (steps as functions) and run_execution (steps begun and ended by
// the caller).

#include "workflow/step_recorder.hpp"

#include <chrono>

#include "core/common/stored_text.hpp"
#include "core/common/validation.hpp"

namespace pgqrs::detail {

namespace {

using seconds_d = std::chrono::duration<double>;

double as_seconds(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<seconds_d>(d).count();
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
}  // namespace

void check_step_name(std::string_view name) {
  if (name.empty()) throw validation_error("Step name is required");
  if (name.size() > 255) throw validation_error("Step name exceeds 255 characters");
  check_stored_text("Step name", name);
}

std::int32_t retry_count_of(const run_context& ctx, const std::string& name) {
  auto it = ctx.steps.find(name);
  return it == ctx.steps.end() ? 0 : it->second.retry_count;
}

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

std::optional<json> enter_step(run_context& ctx, const std::string& name) {
  check_step_name(name);
  return replay(ctx, name);
}

void record_success(run_context& ctx, const std::string& name, timestamp started, const json& out) {
  auto text = output_text(out, "step '" + name + "'");
  save_fenced(ctx, {{name, workflow_status::success, std::move(text), std::nullopt, started, ctx.now(),
                     retry_count_of(ctx, name), std::nullopt},
                    std::nullopt,
                    std::nullopt,
                    true},
              out);
}

void durable_sleep(run_context& ctx, std::string_view name, std::chrono::milliseconds duration) {
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

void pause_here(run_context& ctx, std::size_t n, const std::string& message, std::chrono::milliseconds resume_after) {
  const std::string step = "__pause_" + std::to_string(n);
  if (enter_step(ctx, step)) return;  // resumed before, and recorded as over
  auto it = ctx.steps.find(step);
  if (it != ctx.steps.end()) {
    // The pause was recorded and its time has passed (or run().resume() made it due): it is over.
    record_success(ctx, step, it->second.started_at.value_or(ctx.now()), json{{"resumed", true}});
    return;
  }
  record_pause(ctx, step, ctx.now(), paused_error(message, resume_after));
}
}  // namespace pgqrs::detail
