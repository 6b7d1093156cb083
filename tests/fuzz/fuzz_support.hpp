#pragma once
// What every fuzz target shares: the input as text, and the rule that our code may refuse input only with one
// of the library's own errors. Anything else escaping (std::out_of_range, a nlohmann exception, a crash or a
// sanitizer report) is a bug, and abort() makes libFuzzer keep the input as a reproducer.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include <pgqrs/errors.hpp>

namespace pgqrs::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `body`; returns normally if it succeeded or threw a pgqrs::error, aborts on any other exception.
template <typename Body>
void refuse_only_with_pgqrs_errors(Body&& body) {
  try {
    body();
  } catch (const pgqrs::error&) {
    // A typed refusal is what bad input should get.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: foreign exception escaped: %s\n", e.what());
    std::abort();
  }
}

/// Stops the run with a message when an invariant fails (not assert(): fuzz builds may define NDEBUG).
inline void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace pgqrs::fuzz
