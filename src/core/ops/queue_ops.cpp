#include "core/ops/queue_ops.hpp"

#include "core/ops/row_mapping.hpp"
#include "core/common/stored_text.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

void check_queue_name(std::string_view name) {
  if (name.empty()) throw validation_error("queue name cannot be empty");
  if (name.size() > 255) {
    throw validation_error("queue name exceeds maximum length of 255 bytes (got " +
                           std::to_string(name.size()) + ")");
  }
  check_stored_text("queue name", name);
}

queue_record create_queue(const store_core& core, std::string_view name, timestamp now) {
  check_queue_name(name);
  if (find_queue(core, name)) throw queue_already_exists(std::string(name));
  try {
    auto rows = core.run("queue_insert", {std::string(name), now});
    return to_queue(rows, 0);
  } catch (const query_error& e) {
    // Lost a race with a concurrent creator of the same name.
    if (e.sqlstate() == sqlstate::unique_violation) throw queue_already_exists(std::string(name));
    throw;
  }
}

std::optional<queue_record> find_queue(const store_core& core, std::string_view name) {
  auto rows = core.run("queue_get_by_name", {std::string(name)});
  if (rows.empty()) return std::nullopt;
  return to_queue(rows, 0);
}

queue_record require_queue(const store_core& core, std::string_view name) {
  auto q = find_queue(core, name);
  if (!q) throw queue_not_found(std::string(name));
  return *q;
}

std::optional<queue_record> find_queue_by_id(const store_core& core, std::int64_t id) {
  auto rows = core.run("queue_get", {id});
  if (rows.empty()) return std::nullopt;
  return to_queue(rows, 0);
}

std::vector<queue_record> list_queues(const store_core& core) {
  return to_queues(core.run("queue_list", {}));
}

std::int64_t count_queues(const store_core& core) {
  return core.run("queue_count", {}).i64(0, 0);
}

void delete_queue_checked(const store_core& core, const queue_record& queue) {
  core.transact(tx_mode::write, [&](connection& conn) {
    // Locking the queue row makes a concurrent enqueue wait, then fail its foreign-key check.
    if (core.run(conn, "queue_lock", {queue.id}).empty()) throw queue_not_found(queue.queue_name);
    auto refs = core.run(conn, "queue_references", {queue.id});
    const auto prefix = "Cannot delete queue '" + queue.queue_name + "': ";
    if (auto workers = refs.i64(0, 0); workers > 0) {
      throw validation_error(prefix + std::to_string(workers) +
                             " worker(s) are still assigned to this queue. Delete workers first.");
    }
    if (auto messages = refs.i64(0, 1); messages > 0) {
      throw validation_error(prefix + std::to_string(messages) +
                             " references exist in messages table. Purge data first.");
    }
    if (auto workflows = refs.i64(0, 2); workflows > 0) {
      throw validation_error(prefix + std::to_string(workflows) +
                             " workflow(s) use this queue. Delete them first.");
    }
    core.run(conn, "queue_delete", {queue.id});
  });
}

bool delete_queue_row(const store_core& core, std::int64_t id) {
  return core.run("queue_delete", {id}).affected() > 0;
}

std::uint64_t purge_queue(const store_core& core, std::string_view name) {
  auto queue = require_queue(core, name);
  return core.transact(tx_mode::write, [&](connection& conn) {
    auto live = core.run(conn, "queue_purge_messages", {queue.id}).affected();
    auto archived = core.run(conn, "queue_purge_archive", {queue.id}).affected();
    core.run(conn, "queue_purge_workers", {queue.id});
    return static_cast<std::uint64_t>(live + archived);
  });
}

}  // namespace pgqrs::detail
