#pragma once
// A bounded pool of connections with an acquire timeout (DESIGN decision 7: no unbounded growth).
// Connections are opened lazily, reused most-recently-returned first (warm caches), and discarded when
// they come back unhealthy or with a transaction still open.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/db/database.hpp"

namespace pgqrs::detail {

class connection_pool : public std::enable_shared_from_this<connection_pool> {
 public:
  using factory = std::function<std::unique_ptr<connection>()>;

  connection_pool(factory open, std::size_t max_size, std::chrono::milliseconds acquire_timeout);

  /// @throws pool_exhausted when no connection frees up in time; whatever `open` throws.
  [[nodiscard]] pooled_connection acquire();
  /// Called by pooled_connection.
  void give_back(std::unique_ptr<connection> conn) noexcept;

  [[nodiscard]] std::size_t max_size() const { return m_max_size; }

 private:
  /// The most recently returned idle connection that is still alive (dead ones are dropped), or nullptr.
  std::unique_ptr<connection> take_live_idle();

  factory m_open;
  std::size_t m_max_size;
  std::chrono::milliseconds m_acquire_timeout;
  std::mutex m_mutex;
  std::condition_variable m_freed;
  std::vector<std::unique_ptr<connection>> m_idle;
  std::size_t m_open_count = 0;  // idle + borrowed + being opened
};

}  // namespace pgqrs::detail
