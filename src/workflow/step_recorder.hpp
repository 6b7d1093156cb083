#pragma once
// Recording a step's attempts on an executing run (spec §7.5–§7.6): the replay of stored checkpoints, the
// success checkpoint, failures (retry scheduled, pause, permanent), durable sleeps and pauses. Everything is
// written behind the run's fence; a wait gives the run back and unwinds with run_stopped.

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "workflow/run_context.hpp"

namespace pgqrs::detail {

/// Step names: 1..255 bytes of UTF-8 without NUL (the original's texts for the first two).
/// @throws validation_error
void check_step_name(std::string_view name);

/// The start of every step: checks the name and returns the stored output if the step succeeded before, or
/// std::nullopt when it must run now. @throws retries_exhausted (failed for good before), run_stopped (its
/// retry is not due yet: the run was given back until then)
std::optional<json> enter_step(run_context& ctx, const std::string& name);

/// Records a successful attempt (one statement behind the fence, recorded even when a cancel is pending).
void record_success(run_context& ctx, const std::string& name, timestamp started, const json& out);

/// Records what an attempt's exception means, then throws: a transient failure schedules a retry per
/// `policy` and waits (run_stopped), or throws retries_exhausted when none is left; a paused_error pauses the
/// run; anything else is recorded as a permanent failure and rethrown.
[[noreturn]] void record_attempt_failure(run_context& ctx, const std::string& name, timestamp started,
                                         const retry_policy& policy, const std::exception_ptr& failure);

/// Durable sleep as step `name`: stores the wake time once and waits (run_stopped) until it has passed.
void durable_sleep(run_context& ctx, std::string_view name, std::chrono::milliseconds duration);

/// Pauses the run at this point (the `n`-th pause of its code, so the point is found again on replay) until
/// `resume_after` has passed or run().resume(): waits (run_stopped) the first time, returns once it is over.
void pause_here(run_context& ctx, std::size_t n, const std::string& message, std::chrono::milliseconds resume_after);

/// Failed executions of step `name` that scheduled a retry (0 for a new step).
std::int32_t retry_count_of(const run_context& ctx, const std::string& name);

/// Writes a checkpoint behind the fence (one statement) and keeps the replay cache current with `value` (the
/// step's output for SUCCESS, its error for ERROR: the JSON the checkpoint's text was made from, so nothing is
/// parsed back); throws what the fence found for anything but a live run.
void save_fenced(run_context& ctx, const wf::checkpoint& c, const json& value);

}  // namespace pgqrs::detail
