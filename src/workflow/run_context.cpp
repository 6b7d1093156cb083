// The fence around every write of an executing run, and the step error JSON the original stores.

#include "workflow/run_context.hpp"

namespace pgqrs::detail {

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

}  // namespace pgqrs::detail
