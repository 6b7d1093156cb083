#pragma once
/// @file tables.hpp
/// Raw table access for inspection and tooling (spec §3.7). These calls do not check ownership or state
/// rules; prefer producer/consumer/admin for normal work.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "pgqrs/store.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

namespace detail {
struct store_core;
}

class queue_table {
 public:
  [[nodiscard]] std::optional<queue_record> get(std::int64_t id) const;
  [[nodiscard]] std::optional<queue_record> get_by_name(std::string_view name) const;
  /// Newest first.
  [[nodiscard]] std::vector<queue_record> list() const;
  [[nodiscard]] std::int64_t count() const;
  [[nodiscard]] bool exists(std::string_view name) const;
  /// Unchecked delete; fails with a database error while rows reference the queue.
  bool delete_by_id(std::int64_t id) const;
  bool delete_by_name(std::string_view name) const;

 private:
  friend class pgqrs::store;
  friend class tables_builder;
  explicit queue_table(std::shared_ptr<const detail::store_core> core) : m_core(std::move(core)) {}
  std::shared_ptr<const detail::store_core> m_core;
};

class message_table {
 public:
  /// Live or archived.
  [[nodiscard]] std::optional<queue_message> get(std::int64_t id) const;
  [[nodiscard]] std::vector<queue_message> get_by_ids(const std::vector<std::int64_t>& ids) const;
  /// Live (un-archived) messages, newest first.
  [[nodiscard]] std::vector<queue_message> list() const;
  /// Live (un-archived) messages.
  [[nodiscard]] std::int64_t count() const;
  /// Live messages of a queue, newest first, at most `limit`.
  [[nodiscard]] std::vector<queue_message> filter_by_queue(std::int64_t queue_id,
                                                           std::size_t limit = 1000) const;
  /// Live and archived messages whose current or last owner is the worker.
  [[nodiscard]] std::vector<queue_message> list_by_consumer_worker(std::int64_t worker_id) const;
  /// Live messages owned by the worker.
  [[nodiscard]] std::int64_t count_by_consumer_worker(std::int64_t worker_id) const;
  /// Live and archived messages produced or consumed by the worker.
  [[nodiscard]] std::int64_t count_worker_references(std::int64_t worker_id) const;
  /// Messages a consumer could lease right now.
  [[nodiscard]] std::int64_t count_pending_for_queue(std::int64_t queue_id) const;
  /// Unexpired leases the worker holds in the queue.
  [[nodiscard]] std::int64_t count_pending_for_queue_and_worker(std::int64_t queue_id,
                                                                std::int64_t worker_id) const;
  /// Archived messages of a queue, most recently archived first.
  [[nodiscard]] std::vector<queue_message> list_archived_by_queue(std::int64_t queue_id) const;
  /// Live and archived messages of a queue.
  [[nodiscard]] std::int64_t count_by_queue(std::int64_t queue_id) const;
  /// Replaces a live message's payload (not validated). @returns false if not live
  bool update_payload(std::int64_t id, const json& payload) const;
  bool delete_by_id(std::int64_t id) const;
  /// @returns per input id whether it was deleted (live or archived)
  std::vector<bool> delete_by_ids(const std::vector<std::int64_t>& ids) const;
  /// Makes every message owned by the worker ready now. @returns how many
  std::uint64_t release_by_consumer_worker(std::int64_t worker_id) const;
  /// Adds `additional` to vt of the worker's messages. @returns per input id whether it changed
  std::vector<bool> extend_visibility_batch(const std::vector<std::int64_t>& ids, std::int64_t worker_id,
                                            std::chrono::milliseconds additional) const;

 private:
  friend class pgqrs::store;
  friend class tables_builder;
  explicit message_table(std::shared_ptr<const detail::store_core> core) : m_core(std::move(core)) {}
  std::shared_ptr<const detail::store_core> m_core;
};

class worker_table {
 public:
  [[nodiscard]] std::optional<worker_record> get(std::int64_t id) const;
  [[nodiscard]] std::optional<worker_record> get_by_name(std::string_view name) const;
  /// Newest first.
  [[nodiscard]] std::vector<worker_record> list() const;
  [[nodiscard]] std::vector<worker_record> list_by_queue(std::int64_t queue_id) const;
  [[nodiscard]] std::int64_t count() const;
  /// Workers of the queue not stopped whose heartbeat is older than `older_than`, stalest first.
  [[nodiscard]] std::vector<worker_record> list_zombies_for_queue(std::int64_t queue_id,
                                                                  std::chrono::seconds older_than) const;
  [[nodiscard]] std::int64_t count_zombies_for_queue(std::int64_t queue_id,
                                                     std::chrono::seconds older_than) const;
  // State machine by id (same rules and errors as the worker handles).
  worker_record suspend(std::int64_t id) const;
  worker_record resume(std::int64_t id) const;
  worker_record interrupt(std::int64_t id) const;
  worker_record shutdown(std::int64_t id) const;
  void heartbeat(std::int64_t id) const;
  /// Unchecked delete. @returns whether a row was deleted
  bool delete_by_id(std::int64_t id) const;

 private:
  friend class pgqrs::store;
  friend class tables_builder;
  explicit worker_table(std::shared_ptr<const detail::store_core> core) : m_core(std::move(core)) {}
  std::shared_ptr<const detail::store_core> m_core;
};

class tables_builder {
 public:
  explicit tables_builder(const store& s);
  [[nodiscard]] queue_table queues() const { return queue_table(m_core); }
  [[nodiscard]] message_table messages() const { return message_table(m_core); }
  [[nodiscard]] worker_table workers() const { return worker_table(m_core); }

 private:
  std::shared_ptr<const detail::store_core> m_core;
};

/// `pgqrs::tables(store).messages().count()`.
[[nodiscard]] inline tables_builder tables(const store& s) {
  return tables_builder(s);
}

}  // namespace pgqrs
