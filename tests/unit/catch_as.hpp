#pragma once
// Test helper: runs `f` and returns the exception of type E it threw, if any.

#include <optional>

template <typename E, typename F>
std::optional<E> catch_as(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  }
  return std::nullopt;
}
