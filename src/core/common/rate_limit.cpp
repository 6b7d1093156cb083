#include "core/common/rate_limit.hpp"

#include <algorithm>
#include <cmath>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

std::optional<token_bucket> token_bucket::from_rules(const validation_config& rules) {
  if (!rules.max_enqueue_per_second) return std::nullopt;
  std::optional<token_bucket> bucket;
  bucket.emplace(*rules.max_enqueue_per_second, rules.max_enqueue_burst.value_or(50));
  return bucket;
}

token_bucket::token_bucket(std::uint32_t per_second, std::uint32_t capacity)
    : m_per_second(per_second), m_capacity(capacity), m_tokens(capacity), m_last_refill(clock::now()) {}

token_bucket::token_bucket(const token_bucket& other)
    : m_per_second(other.m_per_second),
      m_capacity(other.m_capacity),
      m_tokens(other.m_tokens),
      m_last_refill(other.m_last_refill) {}

void token_bucket::refill(clock::time_point now) {
  if (m_per_second == 0) return;  // a zero rate never refills
  const double elapsed = std::chrono::duration<double>(now - m_last_refill).count();
  if (elapsed * m_per_second < 1.0) return;
  const double add = std::floor(elapsed * m_per_second);
  m_tokens = static_cast<std::uint32_t>(std::min<double>(m_capacity, m_tokens + add));
  m_last_refill = now;
}

bool token_bucket::try_acquire(std::uint32_t n) {
  return try_acquire(n, clock::now());
}

bool token_bucket::try_acquire(std::uint32_t n, clock::time_point now) {
  std::lock_guard lock(m_mutex);
  refill(now);
  if (n > m_tokens) return false;
  m_tokens -= n;
  return true;
}

void token_bucket::acquire(std::uint32_t n) {
  if (!try_acquire(n)) throw rate_limited(std::chrono::seconds(1));
}

rate_limit_status token_bucket::status() {
  return status(clock::now());
}

rate_limit_status token_bucket::status(clock::time_point now) {
  std::lock_guard lock(m_mutex);
  refill(now);
  return rate_limit_status{m_tokens, m_per_second, m_capacity};
}

}  // namespace pgqrs::detail
