#pragma once
// Executes one claimed run: calls the workflow function and records how it ended (spec §7.7 with
// DESIGN's decisions): completion and archive share one commit; a failure fails the run; a wait has
// already given the run back; a lost lease or a database failure gives nothing and records nothing.

#include <optional>

#include "core/api/lease_keeper.hpp"
#include "core/api/store_state.hpp"
#include "pgqrs/workflow.hpp"
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

run_outcome execute_run(const workflow_def& def, const workflow_record& wf, wf::claimed_run claimed,
                        worker_state& ws, lease_keeper& keeper, std::optional<timestamp> at);

}  // namespace pgqrs::detail
