#pragma once
// Template part of busy_wait.hpp.

#include "sqlite_family/engine.hpp"

namespace pgqrs::detail::sqlite_family {

template <typename Attempt>
auto retry_while_busy(std::chrono::milliseconds timeout, std::uint64_t& rng_state, Attempt&& attempt)
    -> decltype(attempt()) {
  busy_wait wait(timeout, rng_state);
  for (;;) {
    try {
      return attempt();
    } catch (const engine_error& e) {
      if (e.kind() != fault::busy || !wait.sleep()) throw;
    }
  }
}

}  // namespace pgqrs::detail::sqlite_family
