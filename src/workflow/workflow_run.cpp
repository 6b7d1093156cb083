// workflow_run: workflow code's steps as functions (run_step, run_transaction_step), sleeps and pauses; the
// recording itself is step_recorder's.

#include <chrono>

#include "pgqrs/workflow.hpp"
#include "workflow/run_context.hpp"
#include "workflow/step_recorder.hpp"

namespace pgqrs {

using detail::fence_result;
using detail::run_context;
using detail::run_stopped;

namespace {

/// One attempt of step `name`: `attempt(started)` runs the body and writes the success checkpoint.
json run_attempt(run_context& ctx, const std::string& name, const std::optional<retry_policy>& policy,
                 const std::function<json(timestamp)>& attempt) {
  const auto started = ctx.now();
  try {
    return attempt(started);
  } catch (...) {
    if (ctx.engine_stopped) throw;  // the engine ended this execution: not the step's failure
    detail::record_attempt_failure(ctx, name, started, policy.value_or(ctx.policy), std::current_exception());
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
  if (auto stored = detail::enter_step(ctx, step)) return *stored;
  return run_attempt(ctx, step, policy, [&](timestamp started) {
    json out = body();
    detail::record_success(ctx, step, started, out);
    return out;
  });
}

json workflow_run::run_transaction_step(std::string_view name, const std::function<json(transaction&)>& body,
                                        const std::optional<retry_policy>& policy) {
  auto& ctx = *m_ctx;
  const std::string step(name);
  if (auto stored = detail::enter_step(ctx, step)) return *stored;
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
                                       ctx.now(), detail::retry_count_of(ctx, step), std::nullopt},
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
  detail::durable_sleep(*m_ctx, name, duration);
}

void workflow_run::pause(std::string_view message, std::chrono::milliseconds resume_after) {
  detail::pause_here(*m_ctx, ++m_ctx->pauses, std::string(message), resume_after);
}

}  // namespace pgqrs
