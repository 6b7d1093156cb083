#include "sqlite_family/write_gate.hpp"

#include "pgqrs/errors.hpp"

namespace pgqrs::detail::sqlite_family {

void write_gate::before_write() {
  const auto self = std::this_thread::get_id();
  if (m_owner.load(std::memory_order_relaxed) == self) {
    throw internal_error(
        "this thread already holds the SQLite write lock through another connection; writing through a second "
        "connection would deadlock");
  }
  m_mutex.lock();
  m_owner.store(self, std::memory_order_relaxed);
}

void write_gate::end_write() noexcept {
  m_owner.store(std::thread::id{}, std::memory_order_relaxed);
  m_mutex.unlock();
}

}  // namespace pgqrs::detail::sqlite_family
