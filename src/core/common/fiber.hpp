#pragma once
// A stackful coroutine that runs a library call on the caller's thread and suspends where the call would
// block, so an event loop (the Python package's asyncio loop) can wait for the database socket itself
// instead of handing every call to another thread. On a 2-core VM that hand-off (wake a thread, pass the
// GIL, wake the loop) costs about 200 us of CPU per call; a suspended call costs a readiness wait.
//
// The call's code is unchanged: drivers ask `fiber::wait_readable(fd)` where they would block on a socket,
// and the pool asks `fiber::offload(task)` for what cannot be waited for on a socket (connecting, waiting
// for a free connection). Outside a fiber both do the plain blocking thing, so code runs the same either
// way. A fiber never moves between threads: it is resumed on the thread that started it (compilers cache
// thread-local addresses within a function), and an offloaded task is a whole call run on another thread.

#include <functional>
#include <memory>

namespace pgqrs::detail {

class fiber {
 public:
  /// What a suspended fiber waits for before it may be resumed.
  enum class wait_kind {
    /// Finished: nothing to wait for.
    none,
    /// The socket `wait_fd()` is readable.
    readable,
    /// `run_offloaded()` was called (on any thread).
    offload,
  };

  /// `body` must not throw (wrap it): an exception cannot leave the fiber's stack.
  explicit fiber(std::function<void()> body);
  fiber(const fiber&) = delete;
  fiber& operator=(const fiber&) = delete;
  /// A fiber destroyed before it finished is first run to the end with blocking waits.
  ~fiber();

  /// Runs the body until it suspends or finishes (on the thread that created the fiber).
  void resume();
  /// From now on the body waits in place (blocking) instead of suspending: resume() returns finished.
  void finish_blocking();
  [[nodiscard]] bool done() const;
  [[nodiscard]] wait_kind waiting_for() const;
  [[nodiscard]] int wait_fd() const;
  /// Runs the task an `offload` wait is for (blocking; any thread). Called again meanwhile, it waits for the
  /// first call and returns without running the task twice. resume() only after one has returned.
  void run_offloaded();

  /// Inside a fiber's body: suspends until `fd` is readable. Elsewhere: poll()s for it.
  static void wait_readable(int fd);
  /// Inside a fiber's body: suspends until `task` has run on the event loop's side (another thread).
  /// Elsewhere: runs it. Exceptions of `task` propagate from here either way.
  static void offload(const std::function<void()>& task);
  /// Whether the calling code runs inside a fiber's body (which may suspend).
  [[nodiscard]] static bool inside();

  struct impl;  // opaque (fiber.cpp)

 private:
  std::unique_ptr<impl> m;
};

}  // namespace pgqrs::detail
