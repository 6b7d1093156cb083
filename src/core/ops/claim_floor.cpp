#include "core/ops/claim_floor.hpp"

namespace pgqrs::detail {

std::optional<timestamp> claim_floors::bound(std::int64_t queue_id, steady::time_point now) {
  std::lock_guard lock(m_mutex);
  auto& q = m_queues[queue_id];
  if (!q.floor || now - q.last_full_scan >= full_scan_every) {
    q.last_full_scan = now;  // hand the full scan to this caller only; concurrent claims keep the floor
    return std::nullopt;
  }
  return q.floor;
}

void claim_floors::observe(std::int64_t queue_id, bool was_full_scan,
                           std::optional<timestamp> highest_ready) {
  if (!highest_ready) return;  // nothing claimed: nothing learned
  std::lock_guard lock(m_mutex);
  auto& q = m_queues[queue_id];
  const auto candidate = *highest_ready - std::chrono::duration_cast<std::chrono::microseconds>(margin);
  // A full scan saw the true head of the queue, so it may move the floor down; a bounded scan only up.
  if (was_full_scan || !q.floor || candidate > *q.floor) q.floor = candidate;
}

}  // namespace pgqrs::detail
