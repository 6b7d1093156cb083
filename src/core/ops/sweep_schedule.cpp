#include "core/ops/sweep_schedule.hpp"

namespace pgqrs::detail {

bool sweep_schedule::due(std::int64_t queue_id, bool force, steady::time_point now) {
  std::lock_guard lock(m_mutex);
  auto [it, first] = m_last.try_emplace(queue_id, now);
  if (first) return true;
  if (!force && now - it->second < every) return false;
  it->second = now;
  return true;
}

}  // namespace pgqrs::detail
