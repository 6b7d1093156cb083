#include "core/common/fiber.hpp"

#include <poll.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <exception>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace pgqrs::detail {

namespace {

// Our calls go through libpq, the JSON library and error paths that build strings: a few tens of KB. The
// mapping is reserved, not committed: untouched pages cost nothing.
constexpr std::size_t stack_size = 512 * 1024;
constexpr std::size_t max_cached_stacks = 8;

/// Stacks of finished fibers, kept for the next ones: mmap and munmap per call would cost more than the
/// call saves (munmap flushes the TLBs of the other cores).
struct stack_cache {
  std::vector<void*> free;
  ~stack_cache() {
    for (void* s : free) munmap(s, stack_size);
  }
};
thread_local stack_cache t_stacks;

void* take_stack() {
  if (!t_stacks.free.empty()) {
    void* s = t_stacks.free.back();
    t_stacks.free.pop_back();
    return s;
  }
  void* s = mmap(nullptr, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (s == MAP_FAILED) throw std::bad_alloc();
  // The lowest page stays inaccessible: an overflow faults instead of writing over another mapping.
  mprotect(s, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), PROT_NONE);
  return s;
}

void give_stack(void* s) {
  if (t_stacks.free.size() < max_cached_stacks) {
    t_stacks.free.push_back(s);
  } else {
    munmap(s, stack_size);
  }
}

void poll_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  // EINTR: a signal arrived; anything else (a closed socket): the caller's next read reports it.
  while (poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

}  // namespace

struct fiber::impl {
  std::function<void()> body;
  void* stack = nullptr;
  ucontext_t caller{};
  ucontext_t self{};
  bool started = false;
  bool finished = false;
  bool blocking = false;
  wait_kind wait = wait_kind::none;
  int fd = -1;
  const std::function<void()>* task = nullptr;
  std::exception_ptr task_error;
  /// Held while the task runs: a second run_offloaded() (the event loop gave up waiting for the first, then
  /// asked again) waits for the first and finds nothing left to run.
  std::mutex task_mutex;

  static void trampoline(unsigned int hi, unsigned int lo) {
    auto* f = reinterpret_cast<impl*>((static_cast<std::uintptr_t>(hi) << 32) | lo);
    try {
      f->body();
    } catch (...) {
      std::terminate();  // the contract: bodies catch what they throw
    }
    f->finished = true;
    f->wait = wait_kind::none;
    swapcontext(&f->self, &f->caller);  // never resumed again
  }

  /// Inside the body: back to resume()'s caller until resumed.
  void suspend(wait_kind w) {
    wait = w;
    swapcontext(&self, &caller);
    wait = wait_kind::none;
  }

  /// The wait the body asked for, done here and now (blocking mode, or a fiber finished by its destructor).
  void wait_in_place() {
    if (wait == wait_kind::readable) poll_readable(fd);
    if (wait == wait_kind::offload) run_task();
  }

  void run_task() {
    std::lock_guard lock(task_mutex);
    if (task == nullptr) return;  // ran already
    try {
      (*task)();
    } catch (...) {
      task_error = std::current_exception();
    }
    task = nullptr;
  }
};

namespace {
thread_local fiber::impl* t_current = nullptr;
}  // namespace

fiber::fiber(std::function<void()> body) : m(std::make_unique<impl>()) {
  m->body = std::move(body);
  m->stack = take_stack();
  getcontext(&m->self);
  m->self.uc_stack.ss_sp = m->stack;
  m->self.uc_stack.ss_size = stack_size;
  m->self.uc_link = nullptr;
  const auto p = reinterpret_cast<std::uintptr_t>(m.get());
  makecontext(&m->self, reinterpret_cast<void (*)()>(&impl::trampoline), 2,
              static_cast<unsigned int>(p >> 32), static_cast<unsigned int>(p & 0xffffffffU));
}

fiber::~fiber() {
  if (m->started && !m->finished) {
    finish_blocking();
  }
  give_stack(m->stack);
}

void fiber::resume() {
  if (m->finished) return;
  m->started = true;
  impl* outer = t_current;
  t_current = m.get();
  swapcontext(&m->caller, &m->self);
  t_current = outer;
}

void fiber::finish_blocking() {
  m->blocking = true;
  if (!m->started) {
    resume();
    return;
  }
  while (!m->finished) {
    m->wait_in_place();
    resume();
  }
}

bool fiber::done() const {
  return m->finished;
}

fiber::wait_kind fiber::waiting_for() const {
  return m->wait;
}

int fiber::wait_fd() const {
  return m->fd;
}

void fiber::run_offloaded() {
  if (m->wait == wait_kind::offload) m->run_task();
}

void fiber::wait_readable(int fd) {
  impl* f = t_current;
  if (f == nullptr || f->blocking) {
    poll_readable(fd);
    return;
  }
  f->fd = fd;
  f->suspend(wait_kind::readable);
}

void fiber::offload(const std::function<void()>& task) {
  impl* f = t_current;
  if (f == nullptr || f->blocking) {
    task();
    return;
  }
  f->task = &task;
  f->task_error = nullptr;
  f->suspend(wait_kind::offload);
  f->run_task();  // resumed without the task having run: run it here (a no-op once it ran)
  if (auto e = std::exchange(f->task_error, nullptr)) std::rethrow_exception(e);
}

bool fiber::inside() {
  return t_current != nullptr && !t_current->blocking;
}

}  // namespace pgqrs::detail
