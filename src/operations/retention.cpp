// apply_retention (include/pgqrs/operations.hpp): bounded batches over the named queries of
// sql/*/queries/operations.sql, each batch its own statement or short transaction.

#include <string>

#include "core/api/store_state.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/ops/row_mapping.hpp"
#include "pgqrs/errors.hpp"
#include "pgqrs/operations.hpp"

namespace pgqrs {

namespace {

using detail::store_core;

/// Batches beyond this would hold locks on that many rows at once, which is what batches are there to avoid.
constexpr std::size_t max_batch = 100000;

void check_age(const std::optional<std::chrono::seconds>& age, const char* what) {
  if (age && age->count() < 0) throw validation_error(std::string(what) + " cannot be negative");
}

std::uint64_t delete_archived(const store_core& core, timestamp before, std::int64_t batch) {
  std::uint64_t total = 0;
  // Per queue: the archive's index is (queue_id, archived_at), so each batch is an index range scan.
  for (const auto& q : detail::list_queues(core)) {
    for (;;) {
      const auto n = core.run("retention_archive_delete", {q.id, before, batch}).affected();
      total += static_cast<std::uint64_t>(n);
      if (n < batch) break;
    }
  }
  return total;
}

struct run_batch {
  std::int64_t picked = 0;
  std::int64_t runs = 0;
  std::int64_t steps = 0;
};

void delete_runs(const store_core& core, timestamp before, std::int64_t batch, retention_report& out) {
  for (;;) {
    // Pick, then delete steps and runs, in one transaction: the picked runs stay locked (PostgreSQL) or the
    // database is (SQLite family) until both deletes commit. Counted after the commit (a lost connection
    // runs the body again).
    const auto done = core.transact(detail::tx_mode::write, [&](detail::connection& conn) {
      auto ids = detail::to_ids(core.run(conn, "retention_runs_pick", {before, batch}));
      run_batch b{static_cast<std::int64_t>(ids.size())};
      if (ids.empty()) return b;
      b.steps = core.run(conn, "retention_steps_delete", {detail::id_list{ids}}).affected();
      b.runs = core.run(conn, "retention_runs_delete", {detail::id_list{std::move(ids)}}).affected();
      return b;
    });
    out.workflow_runs_deleted += static_cast<std::uint64_t>(done.runs);
    out.workflow_steps_deleted += static_cast<std::uint64_t>(done.steps);
    if (done.picked < batch) break;
  }
}

std::uint64_t delete_workers(const store_core& core, timestamp idle_before, std::int64_t batch) {
  std::uint64_t total = 0;
  // Windows in id order, so workers that are still referenced are passed over once, not read again by
  // every batch.
  for (std::int64_t after = 0;;) {
    auto window = core.run("retention_workers_window", {idle_before, after, batch});
    const auto seen = window.i64(0, 0);
    if (seen == 0) break;
    const auto last = window.i64(0, 1);
    total += static_cast<std::uint64_t>(core.run("retention_workers_delete", {idle_before, after, last}).affected());
    if (seen < batch) break;
    after = last;
  }
  return total;
}

}  // namespace

retention_report apply_retention(const store& s, const retention_policy& policy) {
  if (policy.batch_size == 0 || policy.batch_size > max_batch) {
    throw validation_error("retention batch size must be between 1 and " + std::to_string(max_batch) + " (got " +
                           std::to_string(policy.batch_size) + ")");
  }
  check_age(policy.archived_messages_older_than, "archived message age");
  check_age(policy.finished_runs_older_than, "finished run age");
  check_age(policy.stopped_workers_older_than, "stopped worker age");
  const auto& core = detail::core_of(s);
  const auto batch = static_cast<std::int64_t>(policy.batch_size);
  const auto t = now();
  retention_report out;
  if (policy.archived_messages_older_than) {
    out.archived_messages_deleted = delete_archived(core, t - *policy.archived_messages_older_than, batch);
  }
  if (policy.finished_runs_older_than) delete_runs(core, t - *policy.finished_runs_older_than, batch, out);
  if (policy.stopped_workers_older_than) {
    out.workers_deleted = delete_workers(core, t - *policy.stopped_workers_older_than, batch);
  }
  return out;
}

}  // namespace pgqrs
