#include "pgqrs/admin.hpp"

#include "core/api/liveness.hpp"
#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/ops/row_mapping.hpp"
#include "core/ops/schema.hpp"
#include "core/api/store_state.hpp"
#include "core/ops/worker_ops.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs {

namespace {
const detail::store_core& core_of(const store& s) {
  return *detail::state_of(s)->core;
}
}  // namespace

void admin_builder::install() const {
  detail::install_schema(core_of(m_store), now());
}

void admin_builder::verify() const {
  detail::verify_schema(core_of(m_store));
}

queue_record admin_builder::create_queue(std::string_view name) const {
  return detail::create_queue(core_of(m_store), name, now());
}

queue_record admin_builder::get_queue(std::string_view name) const {
  return detail::require_queue(core_of(m_store), name);
}

void admin_builder::delete_queue(const queue_record& queue) const {
  detail::delete_queue_checked(core_of(m_store), queue);
}

void admin_builder::delete_queue_by_name(std::string_view name) const {
  delete_queue(detail::require_queue(core_of(m_store), name));
}

std::uint64_t admin_builder::purge_queue(std::string_view name) const {
  return detail::purge_queue(core_of(m_store), name);
}

std::vector<std::int64_t> admin_builder::dlq() const {
  return detail::dead_letter(core_of(m_store), now());
}

std::uint64_t admin_builder::reclaim_messages(std::int64_t queue_id,
                                              std::optional<std::chrono::seconds> older_than) const {
  const auto& core = core_of(m_store);
  const auto t = now();
  const auto cutoff = t - older_than.value_or(detail::stale_after(core.cfg));
  auto zombies = detail::to_workers(core.run("worker_list_zombies", {queue_id, cutoff}));
  std::uint64_t released = 0;
  for (const auto& z : zombies) {
    // Stop the worker only if it is still stale, and release its messages in the same transaction: a
    // heartbeat that arrived since the list was read wins, and a live worker keeps its work.
    released += core.transact(detail::tx_mode::write, [&](detail::connection& conn) -> std::uint64_t {
      if (core.run(conn, "worker_reclaim", {z.id, cutoff, t}).empty()) return 0;
      return core.run(conn, "message_release_by_consumer", {z.id, t}).size();
    });
  }
  return released;
}

std::uint64_t admin_builder::release_worker_messages(std::int64_t worker_id) const {
  return detail::release_by_consumer(core_of(m_store), worker_id, now());
}

std::vector<worker_record> admin_builder::list_workers() const {
  return detail::to_workers(core_of(m_store).run("worker_list", {}));
}

std::uint64_t admin_builder::delete_worker(std::int64_t worker_id) const {
  const auto& core = core_of(m_store);
  (void)detail::require_worker(core, worker_id);
  auto refs = core.run("message_count_worker_references", {worker_id}).i64(0, 0);
  if (refs > 0) {
    throw validation_error("Worker has " + std::to_string(refs) +
                           " references (associated messages/archives)");
  }
  return static_cast<std::uint64_t>(core.run("worker_delete", {worker_id}).affected());
}

std::uint64_t admin_builder::purge_old_workers(std::chrono::seconds older_than) const {
  return core_of(m_store).run("worker_purge_stopped", {now() - older_than}).size();
}

std::vector<queue_message> admin_builder::get_worker_messages(std::int64_t worker_id) const {
  const auto& core = core_of(m_store);
  auto w = detail::require_worker(core, worker_id);
  if (!w.queue_id) throw validation_error("Cannot get messages for admin worker");
  return detail::to_messages(core.run("message_list_by_consumer", {worker_id}));
}

namespace {
/// Columns first..first+5 of the worker statistics queries: total, ready, polling, interrupted, suspended,
/// stopped.
worker_status_counts read_counts(const detail::row_set& rows, std::size_t row, std::size_t first) {
  auto count = [&](std::size_t col) { return static_cast<std::uint32_t>(rows.i64(row, first + col)); };
  return {count(0), count(1), count(2), count(3), count(4), count(5)};
}
}  // namespace

pgqrs::worker_stats admin_builder::worker_stats(std::string_view queue_name) const {
  const auto& core = core_of(m_store);
  const auto queue = detail::require_queue(core, queue_name);
  const auto t = now();
  auto rows = core.run("worker_stats", {queue.id, t});
  pgqrs::worker_stats out;
  static_cast<worker_status_counts&>(out) = read_counts(rows, 0, 0);
  if (out.total_workers > 0) {
    out.average_messages_per_worker = static_cast<double>(rows.i64(0, 6)) / out.total_workers;
    out.oldest_worker_age = t - rows.ts(0, 7);
    out.newest_heartbeat_age = t - rows.ts(0, 8);
  }
  return out;
}

std::vector<pgqrs::worker_health_stats> admin_builder::worker_health_stats(
    std::chrono::seconds heartbeat_timeout, bool group_by_queue) const {
  auto rows = core_of(m_store).run(group_by_queue ? "worker_health_by_queue" : "worker_health_global",
                                   {now() - heartbeat_timeout});
  std::vector<pgqrs::worker_health_stats> out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    pgqrs::worker_health_stats h;
    static_cast<worker_status_counts&>(h) = read_counts(rows, r, 1);
    h.queue_name = rows.text(r, 0);
    h.stale_workers = static_cast<std::uint32_t>(rows.i64(r, 7));
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace pgqrs
