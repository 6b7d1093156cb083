#include "core/ops/lookup_ops.hpp"

#include "core/ops/row_mapping.hpp"

namespace pgqrs::detail {

std::vector<queue_message> list_live_messages(const store_core& core) {
  return to_messages(core.run("message_list", {}));
}

std::int64_t count_live_messages(const store_core& core) {
  return core.run("message_count", {}).i64(0, 0);
}

std::vector<queue_message> list_queue_messages(const store_core& core, std::int64_t queue_id, std::size_t limit) {
  return to_messages(core.run("message_list_by_queue", {queue_id, static_cast<std::int64_t>(limit)}));
}

std::vector<queue_message> list_consumer_messages(const store_core& core, std::int64_t worker_id) {
  return to_messages(core.run("message_list_by_consumer", {worker_id}));
}

std::int64_t count_consumer_messages(const store_core& core, std::int64_t worker_id) {
  return core.run("message_count_by_consumer", {worker_id}).i64(0, 0);
}

std::int64_t count_worker_references(const store_core& core, std::int64_t worker_id) {
  return core.run("message_count_worker_references", {worker_id}).i64(0, 0);
}

std::int64_t count_claimable(const store_core& core, std::int64_t queue_id, timestamp now) {
  return core.run("message_count_claimable", {queue_id, now, std::int64_t{core.cfg.max_read_ct}}).i64(0, 0);
}

std::vector<queue_message> list_archived(const store_core& core, std::int64_t queue_id) {
  return to_messages(core.run("message_list_archived_by_queue", {queue_id}));
}

std::int64_t count_queue_messages(const store_core& core, std::int64_t queue_id) {
  return core.run("message_count_by_queue", {queue_id}).i64(0, 0);
}

bool replace_payload(const store_core& core, std::int64_t id, const std::string& payload_text) {
  return !core.run("message_update_payload", {id, payload_text}).empty();
}

std::optional<worker_record> find_worker_by_name(const store_core& core, std::string_view name) {
  auto rows = core.run("worker_get_by_name", {std::string(name)});
  if (rows.empty()) return std::nullopt;
  return to_worker(rows, 0);
}

std::vector<worker_record> list_queue_workers(const store_core& core, std::int64_t queue_id) {
  return to_workers(core.run("worker_list_by_queue", {queue_id}));
}

std::int64_t count_workers(const store_core& core) {
  return core.run("worker_count", {}).i64(0, 0);
}

std::vector<worker_record> list_zombies(const store_core& core, std::int64_t queue_id, timestamp stale_before) {
  return to_workers(core.run("worker_list_zombies", {queue_id, stale_before}));
}

bool delete_worker_row(const store_core& core, std::int64_t id) {
  return core.run("worker_delete", {id}).affected() > 0;
}

}  // namespace pgqrs::detail
