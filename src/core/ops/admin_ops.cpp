#include "core/ops/admin_ops.hpp"

#include "core/ops/dead_letter_ops.hpp"
#include "core/ops/lookup_ops.hpp"
#include "core/ops/message_ops.hpp"
#include "core/ops/row_mapping.hpp"
#include "core/ops/worker_ops.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

std::uint64_t reclaim_zombies(const store_core& core, std::int64_t queue_id, timestamp cutoff, timestamp now) {
  auto zombies = to_workers(core.run("worker_list_zombies", {queue_id, cutoff}));
  std::uint64_t released = 0;
  for (const auto& z : zombies) {
    // Stop the worker only if it is still stale, and release its messages in the same transaction: a
    // heartbeat that arrived since the list was read wins, and a live worker keeps its work.
    released += core.transact(tx_mode::write, [&](connection& conn) -> std::uint64_t {
      if (core.run(conn, "worker_reclaim", {z.id, cutoff, now}).empty()) return 0;
      auto rows = core.run(conn, "message_release_by_consumer", {z.id, now});
      (void)dead_letter_released(core, conn, rows, now);
      return rows.size();
    });
  }
  return released;
}

std::vector<worker_record> list_workers(const store_core& core) {
  return to_workers(core.run("worker_list", {}));
}

std::uint64_t delete_unreferenced_worker(const store_core& core, std::int64_t worker_id) {
  (void)require_worker(core, worker_id);
  auto refs = count_worker_references(core, worker_id);
  if (refs > 0) {
    throw validation_error("Worker has " + std::to_string(refs) + " references (associated messages/archives)");
  }
  return static_cast<std::uint64_t>(core.run("worker_delete", {worker_id}).affected());
}

std::uint64_t purge_stopped_workers(const store_core& core, timestamp idle_before) {
  return core.run("worker_purge_stopped", {idle_before}).size();
}

std::vector<queue_message> worker_messages(const store_core& core, std::int64_t worker_id) {
  auto w = require_worker(core, worker_id);
  if (!w.queue_id) throw validation_error("Cannot get messages for admin worker");
  return list_consumer_messages(core, worker_id);
}

namespace {
/// Columns first..first+5 of the worker statistics queries: total, ready, polling, interrupted, suspended,
/// stopped.
worker_status_counts read_counts(const row_set& rows, std::size_t row, std::size_t first) {
  auto count = [&](std::size_t col) { return static_cast<std::uint32_t>(rows.i64(row, first + col)); };
  return {count(0), count(1), count(2), count(3), count(4), count(5)};
}
}  // namespace

worker_stats queue_worker_stats(const store_core& core, const queue_record& queue, timestamp now) {
  auto rows = core.run("worker_stats", {queue.id, now});
  worker_stats out;
  static_cast<worker_status_counts&>(out) = read_counts(rows, 0, 0);
  if (out.total_workers > 0) {
    out.average_messages_per_worker = static_cast<double>(rows.i64(0, 6)) / out.total_workers;
    out.oldest_worker_age = now - rows.ts(0, 7);
    out.newest_heartbeat_age = now - rows.ts(0, 8);
  }
  return out;
}

std::vector<worker_health_stats> worker_health(const store_core& core, timestamp stale_before, bool group_by_queue) {
  auto rows = core.run(group_by_queue ? "worker_health_by_queue" : "worker_health_global", {stale_before});
  std::vector<worker_health_stats> out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    worker_health_stats h;
    static_cast<worker_status_counts&>(h) = read_counts(rows, r, 1);
    h.queue_name = rows.text(r, 0);
    h.stale_workers = static_cast<std::uint32_t>(rows.i64(r, 7));
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<queue_metrics> queue_message_metrics(const store_core& core, std::optional<std::int64_t> queue_id,
                                                 timestamp now) {
  auto rows = core.run("queue_metrics", {optional_param(queue_id), now});
  std::vector<queue_metrics> out;
  out.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    queue_metrics m;
    m.name = rows.text(r, 0);
    m.total_messages = rows.i64(r, 1);
    m.pending_messages = rows.i64(r, 2);
    m.locked_messages = rows.i64(r, 3);
    m.archived_messages = rows.i64(r, 4);
    m.oldest_pending_message = rows.opt_ts(r, 5);
    m.newest_message = rows.opt_ts(r, 6);
    m.delayed_messages = rows.i64(r, 7);
    m.dead_lettered_messages = rows.i64(r, 8);
    out.push_back(std::move(m));
  }
  return out;
}

pgqrs::system_stats database_stats(const store_core& core, timestamp now) {
  auto rows = core.run("system_stats", {now});
  pgqrs::system_stats s;
  s.total_queues = rows.i64(0, 0);
  s.total_workers = rows.i64(0, 1);
  s.active_workers = rows.i64(0, 2);
  s.total_messages = rows.i64(0, 3);
  s.pending_messages = rows.i64(0, 4);
  s.locked_messages = rows.i64(0, 5);
  s.archived_messages = rows.i64(0, 6);
  s.schema_version = std::to_string(rows.i64(0, 7));
  s.dead_lettered_messages = rows.i64(0, 8);
  return s;
}

std::int64_t count_held_messages(const store_core& core, std::int64_t queue_id, std::int64_t worker_id,
                                 timestamp now) {
  return core.run("message_count_held", {queue_id, worker_id, now}).i64(0, 0);
}

}  // namespace pgqrs::detail
