// run_execution: a claimed run whose steps the caller begins and ends (the Python package's worker loop).
// The same engine as workflow_builder::poll: the claim, the fence, the checkpoints and the outcomes are the
// executor's and step_recorder's; this file only turns their unwinding (run_stopped, lease_lost,
// workflow_cancelled) into execution_state, because a caller that is not C++ code cannot be unwound.

#include "pgqrs/workflow_execution.hpp"

#include "core/api/lease_keeper.hpp"
#include "core/api/liveness.hpp"
#include "core/api/poll_loop.hpp"
#include "core/api/store_state.hpp"
#include "core/common/log.hpp"
#include "workflow/executor.hpp"
#include "workflow/step_recorder.hpp"

namespace pgqrs {

namespace detail {

struct execution_impl {
  std::shared_ptr<worker_state> worker;
  workflow_record wf;
  execution_options options;
  std::shared_ptr<run_context> ctx;
  queue_message message;
  std::unique_ptr<lease_keeper> keeper;
  execution_state state = execution_state::running;
  /// When each begun step started (its checkpoint's started_at).
  std::map<std::string, timestamp, std::less<>> started;

  ~execution_impl() {
    // Dropped while running (the caller's code died): give the run back now rather than at lease expiry.
    if (state == execution_state::running && ctx) give_back(*ctx, std::chrono::milliseconds(0));
  }

  void stop(execution_state s) {
    state = s;
    if (keeper) keeper->untrack();
  }

  /// Runs `f` while the execution is running and records how the engine ended it, if it did.
  template <typename F>
  void guarded(F&& f) {
    if (state != execution_state::running) return;
    try {
      f();
    } catch (const run_stopped& s) {
      stop(s.why == run_stopped::reason::waiting ? execution_state::waiting : execution_state::finished);
    } catch (const lease_lost&) {
      stop(execution_state::lease_lost);
    } catch (const workflow_cancelled&) {
      stop(execution_state::cancelled);
    }
  }

  timestamp started_of(std::string_view name) const {
    auto it = started.find(name);
    return it == started.end() ? ctx->now() : it->second;
  }
};

}  // namespace detail

namespace detail {
namespace {

/// The execution of `claimed`, or nullptr when it was settled instead (found cancelled or finished).
std::unique_ptr<execution_impl> start_execution(const std::shared_ptr<worker_state>& ws, const workflow_record& wf,
                                                const execution_options& options, wf::claimed_run claimed) {
  auto impl = std::make_unique<execution_impl>();
  impl->worker = ws;
  impl->wf = wf;
  impl->options = options;
  impl->message = claimed.message;
  impl->ctx = make_context(options.policy, wf, std::move(claimed), *ws, options.at);
  if (settle_unrunnable(*impl->ctx)) {
    impl->state = execution_state::finished;  // settled: nothing to execute
    return nullptr;
  }
  impl->keeper = std::make_unique<lease_keeper>(ws, options.lease, !options.at);
  impl->keeper->track({impl->message.id});
  return impl;
}

/// The next run to execute: `claimed` if given (already claimed with the previous run's completion) and
/// runnable, else claims until a runnable run is found or none is ready (nullptr).
std::unique_ptr<execution_impl> next_execution(const std::shared_ptr<worker_state>& ws, const workflow_record& wf,
                                               const execution_options& options,
                                               std::optional<wf::claimed_run> claimed) {
  const auto& core = *ws->core;
  for (;;) {
    if (claimed && !may_take_work(core, ws->record.id)) {
      // Interrupted or suspended meanwhile: the run claimed with the last completion goes back undelivered,
      // and the caller's next claim() stops as it would have without it ("worker interrupted").
      give_back_unexecuted(core, *claimed, ws->record.id, options.at);
      return nullptr;
    }
    if (!claimed) {
      stop_if_not_running(core, ws->record.id, true);
      beat_before_claim(*ws);
      claimed = wf::claim_run(core, wf, ws->record.id, options.lease, options.at);
      if (!claimed) return nullptr;
    }
    if (auto impl = start_execution(ws, wf, options, std::move(*claimed))) return impl;
    claimed.reset();  // settled: try the next run
  }
}

}  // namespace
}  // namespace detail

namespace {

/// The caller's permanent step failure, as an exception record_attempt_failure records and rethrows.
struct caller_failure : std::exception {
  explicit caller_failure(std::string m) : message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
  std::string message;
};

execution_state state_after(detail::run_outcome o) {
  switch (o) {
    case detail::run_outcome::cancelled:
      return execution_state::cancelled;
    case detail::run_outcome::fenced:
      return execution_state::lease_lost;
    case detail::run_outcome::suspended:
    case detail::run_outcome::gave_back:
      return execution_state::waiting;
    case detail::run_outcome::completed:
    case detail::run_outcome::failed:
      break;
  }
  return execution_state::finished;
}

/// The caller fails the run after one of the engine's own writes failed (a lost connection, a refused
/// statement: ctx.engine_stopped with the execution still running): that failure is the database's, not the
/// workflow's, so the run is given back for another attempt instead, as execute_run does for C++ workflows.
/// @returns whether it was given back
bool gave_back_after_engine_failure(detail::execution_impl& x) {
  if (!x.ctx->engine_stopped) return false;
  detail::give_back(*x.ctx, std::chrono::seconds(1));
  detail::log(log_level::warning, "workflow run " + std::to_string(x.ctx->run.id) +
                                      ": a database failure ended its execution; the run was given back, not failed");
  x.stop(execution_state::waiting);
  return true;
}

/// Finishes the running execution `x` and claims the worker's next run in the same statement.
/// @returns the next run's execution, or nullptr when none is ready
std::unique_ptr<detail::execution_impl> finish_and_claim_next(detail::execution_impl& x, workflow_status status,
                                                              const std::optional<std::string>& output,
                                                              const std::optional<std::string>& error) {
  detail::next_claim next{x.wf, x.options.lease, x.worker.get(), std::nullopt};
  x.stop(state_after(detail::finish(*x.ctx, status, output, error, &next)));
  if (!next.claimed) return nullptr;
  return detail::next_execution(x.worker, x.wf, x.options, std::move(next.claimed));
}

}  // namespace

std::string_view to_string(execution_state s) {
  switch (s) {
    case execution_state::running:
      return "running";
    case execution_state::waiting:
      return "waiting";
    case execution_state::finished:
      return "finished";
    case execution_state::cancelled:
      return "cancelled";
    case execution_state::lease_lost:
      return "lease_lost";
  }
  return "unknown";
}

step_failure step_failure::permanent(std::string message) {
  return {kind::permanent, "NON_RETRYABLE", std::move(message), std::nullopt};
}

step_failure step_failure::transient(std::string code, std::string message,
                                     std::optional<std::chrono::milliseconds> retry_after) {
  return {kind::transient, std::move(code), std::move(message), retry_after};
}

step_failure step_failure::pause(std::string message, std::chrono::milliseconds resume_after) {
  return {kind::pause, "PAUSED", std::move(message), resume_after};
}

run_execution::run_execution(std::unique_ptr<detail::execution_impl> impl) : m_impl(std::move(impl)) {}
run_execution::run_execution(run_execution&&) noexcept = default;
run_execution& run_execution::operator=(run_execution&&) noexcept = default;
run_execution::~run_execution() = default;


std::optional<run_execution> run_execution::claim(const store& s, std::string_view workflow, const consumer& c,
                                                  const execution_options& options) {
  const auto wf = detail::wf::require_workflow(detail::core_of(s), std::string(workflow));
  detail::check_worker_of(wf, c);
  auto impl = detail::next_execution(detail::state_of(c), wf, options, std::nullopt);
  if (!impl) return std::nullopt;
  return run_execution(std::move(impl));
}

const run_record& run_execution::record() const {
  return m_impl->ctx->run;
}

const queue_message& run_execution::message() const {
  return m_impl->message;
}

const json& run_execution::input() const {
  return m_impl->ctx->input;
}

timestamp run_execution::current_time() const {
  return m_impl->ctx->now();
}

execution_state run_execution::state() const {
  return m_impl->state;
}

std::map<std::string, step_record, std::less<>> run_execution::steps() const {
  return m_impl->ctx->steps;
}

step_start run_execution::begin_step(std::string_view name) {
  auto& x = *m_impl;
  step_start result;
  const std::string step(name);
  x.guarded([&] {
    if (auto stored = detail::enter_step(*x.ctx, step)) {
      result = {true, std::move(*stored)};
      return;
    }
    x.started.insert_or_assign(step, x.ctx->now());
  });
  return result;
}

std::optional<step_start> run_execution::try_begin_step(std::string_view name) {
  auto& x = *m_impl;
  if (x.state == execution_state::running) {
    auto it = x.ctx->steps.find(name);
    const bool waits = it != x.ctx->steps.end() && it->second.status == workflow_status::error &&
                       it->second.retry_at && x.ctx->now() < *it->second.retry_at;
    if (waits) return std::nullopt;  // begin_step gives the run back: a write
  }
  return begin_step(name);
}

void run_execution::complete_step(std::string_view name, const json& output) {
  auto& x = *m_impl;
  x.guarded([&] { detail::record_success(*x.ctx, std::string(name), x.started_of(name), output); });
}

void run_execution::fail_step(std::string_view name, const step_failure& failure,
                              const std::optional<retry_policy>& policy) {
  auto& x = *m_impl;
  std::exception_ptr as_error;
  switch (failure.what) {
    case step_failure::kind::transient:
      as_error = std::make_exception_ptr(transient_step_error(failure.code, failure.message, failure.delay));
      break;
    case step_failure::kind::pause:
      as_error = std::make_exception_ptr(
          paused_error(failure.message, failure.delay.value_or(std::chrono::milliseconds(0))));
      break;
    case step_failure::kind::permanent:
      as_error = std::make_exception_ptr(caller_failure(failure.message));
      break;
  }
  x.guarded([&] {
    try {
      detail::record_attempt_failure(*x.ctx, std::string(name), x.started_of(name), policy.value_or(x.ctx->policy),
                                     as_error);
    } catch (const caller_failure&) {
      // The permanent failure itself, rethrown after it was recorded: the caller knows it already.
    }
  });
}

std::optional<json> run_execution::transaction_step(std::string_view name,
                                                    const std::function<json(transaction&)>& body,
                                                    const std::optional<retry_policy>& policy) {
  auto& x = *m_impl;
  std::optional<json> out;
  x.guarded([&] {
    auto run = detail::run_access::make_run(x.ctx);
    out = run.run_transaction_step(name, body, policy);
  });
  return out;
}

bool run_execution::sleep(std::string_view name, std::chrono::milliseconds duration) {
  auto& x = *m_impl;
  x.guarded([&] { detail::durable_sleep(*x.ctx, name, duration); });
  return x.state == execution_state::running;
}

bool run_execution::pause(std::string_view message, std::chrono::milliseconds resume_after) {
  auto& x = *m_impl;
  x.guarded([&] { detail::pause_here(*x.ctx, ++x.ctx->pauses, std::string(message), resume_after); });
  return x.state == execution_state::running;
}

void run_execution::suspend(std::string_view message, std::chrono::milliseconds resume_after) {
  auto& x = *m_impl;
  auto& ctx = *x.ctx;
  const json err{{"message", message}, {"resume_after", std::chrono::duration<double>(resume_after).count()}};
  const auto until = ctx.now() + std::chrono::duration_cast<std::chrono::microseconds>(resume_after);
  x.guarded([&] {
    detail::throw_unless_written(ctx, detail::fenced_write(ctx, false, [&](detail::connection& conn) {
      (void)detail::wf::pause_run(*ctx.core, conn, ctx.run.id, err.dump(), ctx.now());
      detail::wf::release_run(*ctx.core, conn, ctx.lease, until);
    }));
    throw detail::run_stopped{detail::run_stopped::reason::waiting};
  });
}

void run_execution::complete(const json& output) {
  auto& x = *m_impl;
  if (x.state != execution_state::running) return;
  auto text = detail::output_text(output, "workflow '" + x.ctx->workflow_name + "'");
  x.stop(state_after(detail::finish(*x.ctx, workflow_status::success, text, std::nullopt)));
}

void run_execution::fail(const json& error) {
  auto& x = *m_impl;
  if (x.state != execution_state::running) return;
  if (gave_back_after_engine_failure(x)) return;
  x.stop(state_after(detail::finish(*x.ctx, workflow_status::error, std::nullopt, error.dump())));
}

std::optional<run_execution> run_execution::complete_and_claim_next(const json& output) {
  auto& x = *m_impl;
  if (x.state != execution_state::running) return std::nullopt;
  auto text = detail::output_text(output, "workflow '" + x.ctx->workflow_name + "'");
  auto next = finish_and_claim_next(x, workflow_status::success, text, std::nullopt);
  if (!next) return std::nullopt;
  return run_execution(std::move(next));
}

std::optional<run_execution> run_execution::fail_and_claim_next(const json& error) {
  auto& x = *m_impl;
  if (x.state != execution_state::running) return std::nullopt;
  if (gave_back_after_engine_failure(x)) return std::nullopt;
  auto next = finish_and_claim_next(x, workflow_status::error, std::nullopt, error.dump());
  if (!next) return std::nullopt;
  return run_execution(std::move(next));
}

void run_execution::give_back(std::chrono::milliseconds delay) {
  auto& x = *m_impl;
  if (x.state != execution_state::running) return;
  detail::give_back(*x.ctx, delay);
  x.stop(execution_state::waiting);
}

}  // namespace pgqrs
