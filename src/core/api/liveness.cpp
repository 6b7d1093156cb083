#include "core/api/liveness.hpp"

#include "core/ops/worker_ops.hpp"

namespace pgqrs::detail {

namespace {
std::int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

std::chrono::seconds stale_after(const config& cfg) {
  return cfg.heartbeat_interval * missed_beats_before_stale;
}

void beat(worker_state& ws) {
  const auto started = steady_now_ns();
  worker_heartbeat(*ws.core, ws.record.id, now());
  // The time the beat was sent, not when it returned: a slow answer must not make the next beat late.
  ws.last_beat.store(started, std::memory_order_relaxed);
}

void beat_if_older_than(worker_state& ws, std::chrono::steady_clock::duration max_age) {
  const auto last = ws.last_beat.load(std::memory_order_relaxed);
  if (last != 0 && steady_now_ns() - last < std::chrono::duration_cast<std::chrono::nanoseconds>(max_age).count())
    return;
  beat(ws);
}

void beat_before_claim(worker_state& ws) {
  beat_if_older_than(ws, ws.core->cfg.heartbeat_interval / 2);
}

}  // namespace pgqrs::detail
