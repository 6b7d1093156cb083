#pragma once
// InlineCall: a library call run on the event loop's own thread, in a fiber (src/core/common/fiber.hpp),
// for the calls of the worker loop on PostgreSQL (python/pgqrs/_util.py, _inline). The call runs until it
// would wait; the loop then waits for `fd` to be readable (loop.add_reader) or runs `run_offloaded()` on
// one of its threads, and calls `resume()`. `result()` returns the outcome or raises the call's error, as
// the plain binding of the same call would. Saves the two thread switches per call of the thread hop.

#include <nanobind/nanobind.h>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "bindings.hpp"
#include "core/common/fiber.hpp"
#include "pgqrs/config.hpp"

namespace pgqrs::python {

/// Whether a backend's calls may run as InlineCalls: every wait of PostgreSQL's is for a socket; the SQLite
/// family waits on files and locks, so its calls stay on threads.
inline bool runs_inline(backend_kind k) {
  return k == backend_kind::postgres;
}

class inline_call {
 public:
  inline_call() = default;
  inline_call(inline_call&&) noexcept = default;
  inline_call& operator=(inline_call&&) noexcept = default;
  /// A call dropped before it finished (its coroutine was destroyed) is run to its end first, blocking.
  ~inline_call();

  /// -1: finished (result() is ready); -2: waits for run_offloaded(); else the socket to wait for.
  [[nodiscard]] int fd() const;
  void resume();
  void run_offloaded();
  /// Runs the call to its end here, with blocking waits (an event loop that is shutting down).
  void finish();
  nb::object result();

  /// Starts `fn()` (which must not touch Python objects) in a fiber and runs it until its first wait.
  template <typename F>
  static inline_call start(F fn) {
    using R = std::invoke_result_t<F&>;
    struct outcome {
      std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> value;
      std::exception_ptr error;
    };
    auto out = std::make_shared<outcome>();
    inline_call call;
    call.m_take = [out]() -> nb::object {
      if (out->error) std::rethrow_exception(out->error);
      if constexpr (std::is_void_v<R>) {
        return nb::none();
      } else {
        return nb::cast(std::move(*out->value), nb::rv_policy::move);
      }
    };
    call.m_fiber = std::make_unique<detail::fiber>([out, fn = std::move(fn)]() mutable {
      try {
        if constexpr (std::is_void_v<R>) {
          fn();
          out->value = true;
        } else {
          out->value.emplace(fn());
        }
      } catch (...) {
        out->error = std::current_exception();
      }
    });
    call.resume();
    return call;
  }

 private:
  std::unique_ptr<detail::fiber> m_fiber;
  std::function<nb::object()> m_take;
};

}  // namespace pgqrs::python
