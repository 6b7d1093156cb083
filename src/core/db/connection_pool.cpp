#include "core/db/connection_pool.hpp"

#include <optional>

#include "core/common/fiber.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

connection_pool::connection_pool(factory open, std::size_t max_size,
                                 std::chrono::milliseconds acquire_timeout)
    : m_open(std::move(open)), m_max_size(max_size == 0 ? 1 : max_size), m_acquire_timeout(acquire_timeout) {}

pooled_connection connection_pool::acquire() {
  // Inside a fiber (an inline call of an event loop) an idle connection is taken at once; connecting or
  // waiting for one to be given back would block the loop, so that runs on another thread.
  if (fiber::inside()) {
    if (auto conn = take_live_idle()) return pooled_connection(shared_from_this(), std::move(conn));
    std::optional<pooled_connection> got;
    fiber::offload([&] { got.emplace(acquire()); });
    return std::move(*got);
  }
  std::unique_lock lock(m_mutex);
  const auto deadline = std::chrono::steady_clock::now() + m_acquire_timeout;
  for (;;) {
    while (m_idle.empty() && m_open_count >= m_max_size) {
      if (m_freed.wait_until(lock, deadline) == std::cv_status::timeout && m_idle.empty() &&
          m_open_count >= m_max_size) {
        throw pool_exhausted(m_max_size, m_acquire_timeout);
      }
    }
    if (m_idle.empty()) break;
    lock.unlock();
    if (auto conn = take_live_idle()) return pooled_connection(shared_from_this(), std::move(conn));
    lock.lock();
  }
  ++m_open_count;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  try {
    return pooled_connection(shared_from_this(), m_open());
  } catch (...) {
    lock.lock();
    --m_open_count;
    m_freed.notify_one();
    throw;
  }
}

std::unique_ptr<connection> connection_pool::take_live_idle() {
  std::unique_lock lock(m_mutex);
  while (!m_idle.empty()) {
    auto conn = std::move(m_idle.back());
    m_idle.pop_back();
    // The server may have ended an idle session (restart, pg_terminate_backend, idle timeout): look before
    // handing it out, outside the lock (it reads the socket), and drop it for the next one if it is dead.
    lock.unlock();
    if (conn->check_alive()) return conn;
    conn.reset();
    lock.lock();
    --m_open_count;
  }
  return nullptr;
}

void connection_pool::give_back(std::unique_ptr<connection> conn) noexcept {
  // A connection that comes back inside a transaction was abandoned mid-operation (an exception escaped
  // between begin and commit/rollback); rolling back here keeps its state from leaking to the next user.
  if (conn->in_transaction()) conn->rollback();
  std::lock_guard lock(m_mutex);
  if (conn->healthy() && !conn->in_transaction()) {
    m_idle.push_back(std::move(conn));
  } else {
    conn.reset();
    --m_open_count;
  }
  m_freed.notify_one();
}

}  // namespace pgqrs::detail
