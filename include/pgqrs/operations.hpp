#pragma once
/// @file operations.hpp
/// Running a pgqrs database (docs/operations.md): retention of history, workflow run counts, and the
/// Prometheus text exposition of the metrics. Dead-lettering itself is automatic (a message that reaches
/// max_read_ct moves to the archive with dead_lettered_at set when it is released or its lease expires);
/// `admin(store).dlq()` and `producer::replay_dlq` remain for the rest.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pgqrs/store.hpp"
#include "pgqrs/workflow.hpp"

namespace pgqrs {

/// What apply_retention() deletes. Each age is optional: a kind of row without one is kept.
struct retention_policy {
  /// Archived messages (acknowledged or dead-lettered) archived longer ago than this, except those whose
  /// workflow run is not finished.
  std::optional<std::chrono::seconds> archived_messages_older_than;
  /// Workflow runs finished (SUCCESS, ERROR, CANCELLED) longer ago than this, with their steps, except those
  /// whose message is still live.
  std::optional<std::chrono::seconds> finished_runs_older_than;
  /// Stopped workers without a heartbeat for longer than this that no message (live or archived) and no
  /// workflow run refers to: the ephemeral workers of `dequeue().from()`, reapers and dropped handles.
  std::optional<std::chrono::seconds> stopped_workers_older_than;
  /// Rows deleted per statement or transaction, so retention never holds many row locks for long.
  std::size_t batch_size = 1000;
};

/// What apply_retention() deleted.
struct retention_report {
  std::uint64_t archived_messages_deleted = 0;
  std::uint64_t workflow_runs_deleted = 0;
  std::uint64_t workflow_steps_deleted = 0;
  std::uint64_t workers_deleted = 0;
};

/// Deletes what `policy` names, in batches of `policy.batch_size`, until nothing more qualifies: archived
/// messages first, then finished runs (their steps with them), then workers (which the deleted rows may have
/// referred to). Safe to run while queues and workers are busy, from several processes at once.
/// @throws validation_error for a batch size of 0 or a negative age
retention_report apply_retention(const store& s, const retention_policy& policy);

/// Workflow runs per status, every status present (0 when none), in the order of workflow_status.
[[nodiscard]] std::vector<std::pair<workflow_status, std::int64_t>> run_counts_by_status(const store& s);

/// The Prometheus text exposition (format 0.0.4) of the database's metrics, for an application's /metrics
/// endpoint: per queue (label `queue`) pending, ready, leased, delayed, archived and dead-lettered messages
/// and the age of the oldest pending message; workers per status; workflow runs per status. All gauges,
/// named `pgqrs_…`, each with # HELP and # TYPE.
[[nodiscard]] std::string metrics_exposition(const store& s);

}  // namespace pgqrs
