#include "sqlite_family/busy_wait.hpp"

#include <algorithm>
#include <thread>

namespace pgqrs::detail::sqlite_family {

namespace {
std::uint64_t next_random(std::uint64_t& state) noexcept {
  // xorshift64: jitter only, quality does not matter.
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}
}  // namespace

bool busy_wait::sleep() {
  if (m_timeout.count() <= 0 || std::chrono::steady_clock::now() - m_started >= m_timeout) return false;
  constexpr std::int64_t first_us = 50;
  constexpr std::int64_t cap_us = 2000;
  const std::int64_t base = m_attempts >= 6 ? cap_us : std::min(cap_us, first_us << m_attempts);
  ++m_attempts;
  const auto jitter = static_cast<std::int64_t>(next_random(m_rng) % static_cast<std::uint64_t>(base / 4 + 1));
  std::this_thread::sleep_for(std::chrono::microseconds(base + jitter));
  return true;
}

}  // namespace pgqrs::detail::sqlite_family
