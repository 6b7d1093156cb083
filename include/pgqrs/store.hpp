#pragma once
/// @file store.hpp
/// `pgqrs::store`: a cheap-to-copy, thread-safe handle over one database (its settings and connection pool).

#include <memory>
#include <string_view>

#include "pgqrs/config.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

class store;

namespace detail {
struct store_state;
class handle_factory;
/// The library's access to a store's shared state (not part of the public API).
const std::shared_ptr<store_state>& state_of(const store& s) noexcept;
}  // namespace detail

class producer;
class consumer;
class queue_table;
class message_table;
class worker_table;

class store {
 public:
  /// Settings the store was opened with.
  [[nodiscard]] const pgqrs::config& config() const;
  /// "postgres" or "sqlite".
  [[nodiscard]] std::string_view backend_name() const;
  [[nodiscard]] backend_kind backend() const;
  [[nodiscard]] pgqrs::concurrency_model concurrency_model() const;

  /// Creates a queue. @throws queue_already_exists, validation_error (empty/oversized/invalid name)
  queue_record queue(std::string_view name) const;

  /// Registers (or re-activates a stopped) named producer on `queue`.
  /// @throws queue_not_found, validation_error if the name is active or suspended
  [[nodiscard]] pgqrs::producer producer(std::string_view queue, std::string_view name) const;
  /// Registers a named consumer. @throws queue_not_found, validation_error
  [[nodiscard]] pgqrs::consumer consumer(std::string_view queue, std::string_view name) const;
  /// A producer under a generated `__ephemeral__<uuid>` name; it is marked stopped when its last copy is
  /// destroyed. @throws queue_not_found
  [[nodiscard]] pgqrs::producer producer_ephemeral(std::string_view queue) const;
  /// A consumer under a generated name; when its last copy is destroyed, its leases are released and it is
  /// marked stopped. @throws queue_not_found
  [[nodiscard]] pgqrs::consumer consumer_ephemeral(std::string_view queue) const;

  /// Raw table access (spec §3.7).
  [[nodiscard]] queue_table queues() const;
  [[nodiscard]] message_table messages() const;
  [[nodiscard]] worker_table workers() const;

 private:
  friend class detail::handle_factory;
  friend const std::shared_ptr<detail::store_state>& detail::state_of(const store& s) noexcept;
  explicit store(std::shared_ptr<detail::store_state> state);

  std::shared_ptr<detail::store_state> m_state;
};

/// Opens a store from a DSN with default settings (no environment lookup).
/// Connecting does not install the schema: call `pgqrs::admin(store).install()`.
/// @throws config_error (malformed/unsupported DSN, backend not built), connection_error
[[nodiscard]] store connect(std::string_view dsn);
/// @throws config_error, connection_error
[[nodiscard]] store connect(const config& cfg);
/// Same as connect(cfg) (the original's name).
[[nodiscard]] store connect_with_config(const config& cfg);

}  // namespace pgqrs
