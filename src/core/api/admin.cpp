#include "pgqrs/admin.hpp"

#include "core/api/liveness.hpp"
#include "core/ops/admin_ops.hpp"
#include "core/ops/dead_letter_ops.hpp"
#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/ops/row_mapping.hpp"
#include "core/ops/schema.hpp"
#include "core/api/store_state.hpp"
#include "core/ops/worker_ops.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs {

void admin_builder::install() const {
  detail::install_schema(detail::core_of(m_store), now());
}

void admin_builder::verify() const {
  detail::verify_schema(detail::core_of(m_store));
}

queue_record admin_builder::create_queue(std::string_view name) const {
  return detail::create_queue(detail::core_of(m_store), name, now());
}

queue_record admin_builder::get_queue(std::string_view name) const {
  return detail::require_queue(detail::core_of(m_store), name);
}

void admin_builder::delete_queue(const queue_record& queue) const {
  detail::delete_queue_checked(detail::core_of(m_store), queue);
}

void admin_builder::delete_queue_by_name(std::string_view name) const {
  delete_queue(detail::require_queue(detail::core_of(m_store), name));
}

std::uint64_t admin_builder::purge_queue(std::string_view name) const {
  return detail::purge_queue(detail::core_of(m_store), name);
}

std::vector<std::int64_t> admin_builder::dlq() const {
  return detail::dead_letter_all(detail::core_of(m_store), now());
}

std::uint64_t admin_builder::reclaim_messages(std::int64_t queue_id,
                                              std::optional<std::chrono::seconds> older_than) const {
  const auto& core = detail::core_of(m_store);
  const auto t = now();
  return detail::reclaim_zombies(core, queue_id, t - older_than.value_or(detail::stale_after(core.cfg)), t);
}

std::uint64_t admin_builder::release_worker_messages(std::int64_t worker_id) const {
  return detail::release_by_consumer(detail::core_of(m_store), worker_id, now());
}

std::vector<worker_record> admin_builder::list_workers() const {
  return detail::list_workers(detail::core_of(m_store));
}

std::uint64_t admin_builder::delete_worker(std::int64_t worker_id) const {
  return detail::delete_unreferenced_worker(detail::core_of(m_store), worker_id);
}

std::uint64_t admin_builder::purge_old_workers(std::chrono::seconds older_than) const {
  return detail::purge_stopped_workers(detail::core_of(m_store), now() - older_than);
}

std::vector<queue_message> admin_builder::get_worker_messages(std::int64_t worker_id) const {
  return detail::worker_messages(detail::core_of(m_store), worker_id);
}

pgqrs::worker_stats admin_builder::worker_stats(std::string_view queue_name) const {
  const auto& core = detail::core_of(m_store);
  return detail::queue_worker_stats(core, detail::require_queue(core, queue_name), now());
}

std::vector<pgqrs::worker_health_stats> admin_builder::worker_health_stats(
    std::chrono::seconds heartbeat_timeout, bool group_by_queue) const {
  return detail::worker_health(detail::core_of(m_store), now() - heartbeat_timeout, group_by_queue);
}

pgqrs::queue_metrics admin_builder::queue_metrics(std::string_view queue_name) const {
  const auto& core = detail::core_of(m_store);
  auto rows = detail::queue_message_metrics(core, detail::require_queue(core, queue_name).id, now());
  // One row: the queue was found a moment ago. Purged in between, it would be missing: report that.
  if (rows.empty()) throw queue_not_found(std::string(queue_name));
  return std::move(rows.front());
}

std::vector<pgqrs::queue_metrics> admin_builder::all_queues_metrics() const {
  return detail::queue_message_metrics(detail::core_of(m_store), std::nullopt, now());
}

pgqrs::system_stats admin_builder::system_stats() const {
  return detail::database_stats(detail::core_of(m_store), now());
}

}  // namespace pgqrs
