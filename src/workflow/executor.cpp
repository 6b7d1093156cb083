#include "workflow/executor.hpp"

#include "core/api/liveness.hpp"
#include "core/common/log.hpp"
#include "workflow/run_context.hpp"

namespace pgqrs::detail {

namespace {

/// The workflow function's argument: the trigger payload's `input` member, or the whole payload (§7.7).
json input_of(const json& payload) {
  if (payload.is_object() && payload.contains("input")) return payload.at("input");
  return payload;
}

}  // namespace

json run_error_json(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const retries_exhausted& e) {
    return step_error_json(false, "RETRIES_EXHAUSTED", e.what());
  } catch (const serialization_error& e) {
    return step_error_json(false, "SERIALIZATION", e.what());
  } catch (const std::exception& e) {
    return step_error_json(false, "NON_RETRYABLE", e.what());
  } catch (...) {
    return step_error_json(false, "NON_RETRYABLE", "unknown exception");
  }
}

run_outcome outcome_of(fence_result r) {
  switch (r) {
    case fence_result::written:
      return run_outcome::completed;
    case fence_result::lease_lost:
      return run_outcome::fenced;
    case fence_result::cancelled:
      return run_outcome::cancelled;
    case fence_result::finished_elsewhere:
      return run_outcome::completed;
  }
  return run_outcome::completed;
}

/// Completion or failure of the run and the archive of its message: one statement behind the fence.
run_outcome finish(run_context& ctx, workflow_status status, const std::optional<std::string>& output,
                   const std::optional<std::string>& failure, next_claim* next) {
  std::optional<workflow_status> before;
  try {
    if (next) {
      try {
        beat_before_claim(*next->worker);
      } catch (const pgqrs::error&) {
        // Best effort: the lease keeper beats too, and a deleted worker claims nothing.
      }
      auto done = wf::complete_and_claim(*ctx.core, ctx.lease, ctx.run.id, status, output, failure, next->wf,
                                         next->lease, ctx.at);
      before = done.before;
      next->claimed = std::move(done.next);
    } else {
      before = wf::complete_run(*ctx.core, ctx.lease, ctx.run.id, status, output, failure, ctx.now());
    }
  } catch (const pgqrs::error&) {
    ctx.engine_stopped = true;
    throw;
  }
  if (!before) return run_outcome::fenced;
  switch (*before) {
    case workflow_status::cancelling:
    case workflow_status::cancelled:
      return run_outcome::cancelled;
    case workflow_status::success:
    case workflow_status::error:
      return run_outcome::completed;  // finished by someone else; its message is archived now
    default:
      return status == workflow_status::success ? run_outcome::completed : run_outcome::failed;
  }
}

void give_back(run_context& ctx, std::chrono::milliseconds delay) noexcept {
  try {
    ctx.core->transact(tx_mode::write, [&](connection& conn) {
      wf::release_run(*ctx.core, conn, ctx.lease, ctx.now() + std::chrono::duration_cast<std::chrono::microseconds>(delay));
    });
  } catch (const std::exception&) {
    // The lease expires and the run is delivered again then.
  }
}

void give_back_unexecuted(const store_core& core, const wf::claimed_run& claimed, std::int64_t worker_id,
                          std::optional<timestamp> at) noexcept {
  const wf::lease_token lease{claimed.message.id, worker_id, claimed.message.read_ct};
  try {
    core.transact(tx_mode::write,
                  [&](connection& conn) { (void)wf::release_run(core, conn, lease, at.value_or(now())); });
  } catch (const std::exception&) {
    // Its lease expires and it is delivered again then.
  }
}

run_outcome give_back(run_context& ctx, const std::exception_ptr& failure) {
  std::string why = "unknown error";
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
  }
  give_back(ctx, std::chrono::seconds(1));
  log(log_level::warning, "workflow run " + std::to_string(ctx.run.id) + ": database failure, run given back: " + why);
  return run_outcome::gave_back;
}

std::shared_ptr<run_context> make_context(const retry_policy& policy, const workflow_record& wf,
                                          wf::claimed_run claimed, const worker_state& ws,
                                          std::optional<timestamp> at) {
  auto ctx = std::make_shared<run_context>();
  ctx->core = ws.core;
  ctx->lease = {claimed.message.id, ws.record.id, claimed.message.read_ct};
  ctx->run = std::move(claimed.run);
  ctx->workflow_name = wf.name;
  ctx->input = input_of(claimed.message.payload);
  for (auto& s : claimed.steps) {
    auto name = s.step_name;
    ctx->steps.emplace(std::move(name), std::move(s));
  }
  ctx->policy = policy;
  ctx->at = at;
  return ctx;
}

std::optional<run_outcome> settle_unrunnable(run_context& ctx) {
  try {
    switch (ctx.run.status) {
      case workflow_status::running:
        return std::nullopt;
      case workflow_status::cancelling:
      case workflow_status::cancelled:
        // Cancelled before any worker ran it, or while it waited: finalised without running user code.
        return outcome_of(fenced_write(ctx, false, [](connection&) {}));
      default:
        // Finished already (by a direct call, or a crash between two of someone else's writes).
        (void)fenced_write(ctx, false, [](connection&) {});
        return run_outcome::completed;
    }
  } catch (const error&) {
    return give_back(ctx, std::current_exception());
  }
}

void check_worker_of(const workflow_record& wf, const consumer& c) {
  if (c.queue().id != wf.queue_id) {
    throw validation_error("consumer of queue '" + c.queue().queue_name + "' cannot run workflow '" + wf.name + "'");
  }
}

run_outcome execute_run(const workflow_def& def, const workflow_record& wf, wf::claimed_run claimed,
                        worker_state& ws, lease_keeper& keeper, std::optional<timestamp> at, next_claim* next) {
  auto ctx = make_context(def.policy(), wf, std::move(claimed), ws, at);
  if (auto settled = settle_unrunnable(*ctx)) return *settled;

  keeper.track({ctx->lease.message_id});
  struct untrack_on_exit {
    lease_keeper& k;
    ~untrack_on_exit() { k.untrack(); }
  } untrack{keeper};

  auto run = run_access::make_run(ctx);
  std::exception_ptr failure;
  std::string output;
  try {
    output = output_text(def.fn()(run, ctx->input), "workflow '" + wf.name + "'");
  } catch (const run_stopped& s) {
    return s.why == run_stopped::reason::waiting ? run_outcome::suspended : run_outcome::completed;
  } catch (...) {
    failure = std::current_exception();
  }
  try {
    if (failure && ctx->engine_stopped) {
      try {
        std::rethrow_exception(failure);
      } catch (const lease_lost&) {
        return run_outcome::fenced;
      } catch (const workflow_cancelled&) {
        return run_outcome::cancelled;
      } catch (...) {
        return give_back(*ctx, failure);
      }
    }
    if (failure) return finish(*ctx, workflow_status::error, std::nullopt, run_error_json(failure).dump(), next);
    return finish(*ctx, workflow_status::success, output, std::nullopt, next);
  } catch (const error&) {
    return give_back(*ctx, std::current_exception());
  }
}

}  // namespace pgqrs::detail
