#include "pgqrs/tables.hpp"

#include "core/ops/admin_ops.hpp"
#include "core/ops/lookup_ops.hpp"
#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/ops/row_mapping.hpp"
#include "core/api/store_state.hpp"
#include "core/common/validation.hpp"
#include "core/ops/worker_ops.hpp"

namespace pgqrs {

// ---- queues ----

std::optional<queue_record> queue_table::get(std::int64_t id) const {
  return detail::find_queue_by_id(*m_core, id);
}

std::optional<queue_record> queue_table::get_by_name(std::string_view name) const {
  return detail::find_queue(*m_core, name);
}

std::vector<queue_record> queue_table::list() const {
  return detail::list_queues(*m_core);
}

std::int64_t queue_table::count() const {
  return detail::count_queues(*m_core);
}

bool queue_table::exists(std::string_view name) const {
  return get_by_name(name).has_value();
}

bool queue_table::delete_by_id(std::int64_t id) const {
  return detail::delete_queue_row(*m_core, id);
}

bool queue_table::delete_by_name(std::string_view name) const {
  auto q = get_by_name(name);
  return q && delete_by_id(q->id);
}

// ---- messages ----

std::optional<queue_message> message_table::get(std::int64_t id) const {
  return detail::get_message(*m_core, id);
}

std::vector<queue_message> message_table::get_by_ids(const std::vector<std::int64_t>& ids) const {
  return detail::get_messages(*m_core, ids);
}

std::vector<queue_message> message_table::list() const {
  return detail::list_live_messages(*m_core);
}

std::int64_t message_table::count() const {
  return detail::count_live_messages(*m_core);
}

std::vector<queue_message> message_table::filter_by_queue(std::int64_t queue_id, std::size_t limit) const {
  return detail::list_queue_messages(*m_core, queue_id, limit);
}

std::vector<queue_message> message_table::list_by_consumer_worker(std::int64_t worker_id) const {
  return detail::list_consumer_messages(*m_core, worker_id);
}

std::int64_t message_table::count_by_consumer_worker(std::int64_t worker_id) const {
  return detail::count_consumer_messages(*m_core, worker_id);
}

std::int64_t message_table::count_worker_references(std::int64_t worker_id) const {
  return detail::count_worker_references(*m_core, worker_id);
}

std::int64_t message_table::count_pending_for_queue(std::int64_t queue_id) const {
  return detail::count_claimable(*m_core, queue_id, now());
}

std::int64_t message_table::count_pending_for_queue_and_worker(std::int64_t queue_id,
                                                               std::int64_t worker_id) const {
  return detail::count_held_messages(*m_core, queue_id, worker_id, now());
}

std::vector<queue_message> message_table::list_archived_by_queue(std::int64_t queue_id) const {
  return detail::list_archived(*m_core, queue_id);
}

std::int64_t message_table::count_by_queue(std::int64_t queue_id) const {
  return detail::count_queue_messages(*m_core, queue_id);
}

bool message_table::update_payload(std::int64_t id, const json& payload) const {
  return detail::replace_payload(*m_core, id, detail::serialize_payload(payload));
}

bool message_table::delete_by_id(std::int64_t id) const {
  return delete_by_ids({id}).front();
}

std::vector<bool> message_table::delete_by_ids(const std::vector<std::int64_t>& ids) const {
  if (ids.empty()) return {};
  auto deleted = m_core->transact(detail::tx_mode::write, [&](detail::connection& conn) {
    auto live = detail::to_ids(m_core->run(conn, "message_delete_live", {detail::id_list{ids}}));
    auto archived = detail::to_ids(m_core->run(conn, "message_delete_archived", {detail::id_list{ids}}));
    live.insert(live.end(), archived.begin(), archived.end());
    return live;
  });
  return detail::flags_for(ids, deleted);
}

std::uint64_t message_table::release_by_consumer_worker(std::int64_t worker_id) const {
  return detail::release_by_consumer(*m_core, worker_id, now());
}

std::vector<bool> message_table::extend_visibility_batch(const std::vector<std::int64_t>& ids,
                                                         std::int64_t worker_id,
                                                         std::chrono::milliseconds additional) const {
  return detail::flags_for(ids, detail::extend_messages(*m_core, ids, worker_id, additional));
}

// ---- workers ----

std::optional<worker_record> worker_table::get(std::int64_t id) const {
  return detail::find_worker(*m_core, id);
}

std::optional<worker_record> worker_table::get_by_name(std::string_view name) const {
  return detail::find_worker_by_name(*m_core, name);
}

std::vector<worker_record> worker_table::list() const {
  return detail::list_workers(*m_core);
}

std::vector<worker_record> worker_table::list_by_queue(std::int64_t queue_id) const {
  return detail::list_queue_workers(*m_core, queue_id);
}

std::int64_t worker_table::count() const {
  return detail::count_workers(*m_core);
}

std::vector<worker_record> worker_table::list_zombies_for_queue(std::int64_t queue_id,
                                                                std::chrono::seconds older_than) const {
  return detail::list_zombies(*m_core, queue_id, now() - older_than);
}

std::int64_t worker_table::count_zombies_for_queue(std::int64_t queue_id,
                                                   std::chrono::seconds older_than) const {
  return static_cast<std::int64_t>(list_zombies_for_queue(queue_id, older_than).size());
}

worker_record worker_table::suspend(std::int64_t id) const {
  return detail::worker_suspend(*m_core, id, now());
}
worker_record worker_table::resume(std::int64_t id) const {
  return detail::worker_resume(*m_core, id, now());
}
worker_record worker_table::interrupt(std::int64_t id) const {
  return detail::worker_interrupt(*m_core, id, now());
}
worker_record worker_table::shutdown(std::int64_t id) const {
  return detail::worker_shutdown(*m_core, id, now());
}
void worker_table::heartbeat(std::int64_t id) const {
  detail::worker_heartbeat(*m_core, id, now());
}

bool worker_table::delete_by_id(std::int64_t id) const {
  return detail::delete_worker_row(*m_core, id);
}

tables_builder::tables_builder(const store& s) : m_core(detail::state_of(s)->core) {}

}  // namespace pgqrs
