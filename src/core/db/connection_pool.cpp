#include "core/db/connection_pool.hpp"

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

connection_pool::connection_pool(factory open, std::size_t max_size,
                                 std::chrono::milliseconds acquire_timeout)
    : m_open(std::move(open)), m_max_size(max_size == 0 ? 1 : max_size), m_acquire_timeout(acquire_timeout) {}

pooled_connection connection_pool::acquire() {
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
    auto conn = std::move(m_idle.back());
    m_idle.pop_back();
    // The server may have ended an idle session (restart, pg_terminate_backend, idle timeout): look before
    // handing it out, outside the lock (it reads the socket), and drop it for the next one if it is dead.
    lock.unlock();
    const bool alive = conn->check_alive();
    if (alive) return pooled_connection(shared_from_this(), std::move(conn));
    conn.reset();
    lock.lock();
    --m_open_count;
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
