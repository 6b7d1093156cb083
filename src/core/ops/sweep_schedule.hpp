#pragma once
// How often a store looks for poison messages whose lease expired (dead_letter_ops.hpp).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

namespace pgqrs::detail {

/// When a store sweeps a queue for poison messages whose lease expired: at most once per `every` per queue
/// (the first claim on a queue sweeps at once), so a busy claim path pays one extra statement a second.
class sweep_schedule {
 public:
  static constexpr std::chrono::milliseconds every{1000};
  using steady = std::chrono::steady_clock;

  /// Whether a sweep of `queue_id` is due now (and if so, books it). `force` books it regardless.
  bool due(std::int64_t queue_id, bool force, steady::time_point now = steady::now());

 private:
  std::mutex m_mutex;
  std::map<std::int64_t, steady::time_point> m_last;
};

}  // namespace pgqrs::detail
