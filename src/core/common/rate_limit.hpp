#pragma once
// Token bucket per producer (spec §11.4): starts full, refills floor(elapsed * rate) tokens once at least one
// token's worth of time has passed, all-or-nothing acquisition. Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "pgqrs/config.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  /// std::nullopt when `rules` disable rate limiting.
  static std::optional<token_bucket> from_rules(const validation_config& rules);
  token_bucket(std::uint32_t per_second, std::uint32_t capacity);
  token_bucket(const token_bucket& other);
  token_bucket& operator=(const token_bucket&) = delete;

  /// Takes `n` tokens or none. @throws rate_limited (retry after 1 s, as the original)
  void acquire(std::uint32_t n);
  [[nodiscard]] bool try_acquire(std::uint32_t n);
  /// As try_acquire(n), refilling as of `now` (lets tests control time).
  [[nodiscard]] bool try_acquire(std::uint32_t n, clock::time_point now);
  [[nodiscard]] rate_limit_status status();
  /// As status(), refilling as of `now` (lets tests control time).
  [[nodiscard]] rate_limit_status status(clock::time_point now);

 private:
  void refill(clock::time_point now);

  std::mutex m_mutex;
  std::uint32_t m_per_second;
  std::uint32_t m_capacity;
  std::uint32_t m_tokens;
  clock::time_point m_last_refill;
};

}  // namespace pgqrs::detail
