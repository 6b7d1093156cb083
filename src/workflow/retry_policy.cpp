#include <algorithm>
#include <random>

#include "pgqrs/workflow.hpp"

namespace pgqrs {

retry_policy retry_policy::fixed(std::chrono::seconds delay, std::uint32_t max_attempts) {
  return {backoff::fixed, delay, delay, max_attempts};
}

retry_policy retry_policy::exponential(std::chrono::seconds base, std::chrono::seconds max,
                                       std::uint32_t max_attempts) {
  return {backoff::exponential, base, max, max_attempts};
}

retry_policy retry_policy::exponential_with_jitter(std::chrono::seconds base, std::chrono::seconds max,
                                                   std::uint32_t max_attempts) {
  return {backoff::exponential_with_jitter, base, max, max_attempts};
}

retry_policy retry_policy::none() {
  return {backoff::fixed, std::chrono::seconds(0), std::chrono::seconds(0), 0};
}

std::chrono::seconds retry_policy::delay(std::uint32_t attempt) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return delay(attempt, rng());
}

std::chrono::seconds retry_policy::delay(std::uint32_t attempt, std::uint64_t random) const {
  if (m_backoff == backoff::fixed) return m_base;
  // min(base * 2^attempt, max), saturating (the original's policy.rs).
  const std::uint64_t base = static_cast<std::uint64_t>(std::max<std::int64_t>(m_base.count(), 0));
  const std::uint64_t cap_max = static_cast<std::uint64_t>(std::max<std::int64_t>(m_max.count(), 0));
  std::uint64_t capped = cap_max;
  if (attempt < 63 && base <= (cap_max >> attempt)) capped = std::min(base << attempt, cap_max);
  if (m_backoff == backoff::exponential) return std::chrono::seconds(static_cast<std::int64_t>(capped));
  const auto spread = static_cast<std::int64_t>(capped / 4);
  std::int64_t jittered = static_cast<std::int64_t>(capped);
  if (spread > 0) {
    jittered += static_cast<std::int64_t>(random % static_cast<std::uint64_t>(2 * spread + 1)) - spread;
  }
  return std::chrono::seconds(std::max<std::int64_t>(jittered, 1));
}

}  // namespace pgqrs
