// The fiber behind the Python package's inline calls (src/core/common/fiber.hpp): a body suspends where it
// would wait (a readable socket, a task for another thread), resumes where it left off, keeps its
// exceptions to itself, and does the plain blocking thing outside a fiber or once told to finish.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/common/fiber.hpp"

using pgqrs::detail::fiber;

namespace {

struct pipe_pair {
  int fds[2]{-1, -1};
  pipe_pair() { EXPECT_EQ(pipe(fds), 0); }
  ~pipe_pair() {
    close(fds[0]);
    close(fds[1]);
  }
  void put(char c) const { ASSERT_EQ(write(fds[1], &c, 1), 1); }
  [[nodiscard]] char take() const {
    char c = 0;
    EXPECT_EQ(read(fds[0], &c, 1), 1);
    return c;
  }
};

}  // namespace

TEST(Fiber, SuspendsOnEachReadableWaitAndResumesWhereItLeftOff) {
  pipe_pair p;
  std::string seen;
  fiber f([&] {
    for (int i = 0; i < 3; ++i) {
      fiber::wait_readable(p.fds[0]);
      seen += p.take();
    }
  });
  f.resume();
  for (char c : std::string("abc")) {
    ASSERT_FALSE(f.done());
    EXPECT_EQ(f.waiting_for(), fiber::wait_kind::readable);
    EXPECT_EQ(f.wait_fd(), p.fds[0]);
    p.put(c);
    f.resume();
  }
  EXPECT_TRUE(f.done());
  EXPECT_EQ(f.waiting_for(), fiber::wait_kind::none);
  EXPECT_EQ(seen, "abc");
}

TEST(Fiber, AnOffloadedTaskRunsOnAnotherThreadAndItsExceptionReachesTheBody) {
  std::thread::id body_thread;
  std::thread::id task_thread;
  std::string caught;
  fiber f([&] {
    body_thread = std::this_thread::get_id();
    fiber::offload([&] { task_thread = std::this_thread::get_id(); });
    try {
      fiber::offload([] { throw std::runtime_error("task failed"); });
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
  });
  f.resume();
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(f.waiting_for(), fiber::wait_kind::offload);
    std::thread([&] { f.run_offloaded(); }).join();
    f.resume();
  }
  EXPECT_TRUE(f.done());
  EXPECT_EQ(body_thread, std::this_thread::get_id());
  EXPECT_NE(task_thread, body_thread);
  EXPECT_EQ(caught, "task failed");
}

TEST(Fiber, OutsideAFiberTheWaitsBlockAndTheTaskRunsInPlace) {
  EXPECT_FALSE(fiber::inside());
  pipe_pair p;
  p.put('x');
  fiber::wait_readable(p.fds[0]);  // readable already: returns
  EXPECT_EQ(p.take(), 'x');
  bool ran = false;
  fiber::offload([&] { ran = true; });
  EXPECT_TRUE(ran);
  EXPECT_THROW(fiber::offload([] { throw std::logic_error("x"); }), std::logic_error);
}

TEST(Fiber, InsideIsTrueOnlyInTheBodyOfARunningFiber) {
  bool in_body = false;
  fiber f([&] { in_body = fiber::inside(); });
  f.resume();
  EXPECT_TRUE(in_body);
  EXPECT_FALSE(fiber::inside());
}

TEST(Fiber, DestroyedWhileSuspendedItRunsToItsEndWithBlockingWaits) {
  pipe_pair p;
  bool finished = false;
  std::vector<bool> inside_after;
  {
    fiber f([&] {
      fiber::wait_readable(p.fds[0]);
      (void)p.take();
      inside_after.push_back(fiber::inside());  // blocking from here on
      fiber::wait_readable(p.fds[0]);
      (void)p.take();
      finished = true;
    });
    f.resume();
    ASSERT_EQ(f.waiting_for(), fiber::wait_kind::readable);
    p.put('1');
    p.put('2');
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(inside_after, std::vector<bool>{false});
}

TEST(Fiber, ExceptionsThrownAndCaughtInsideTheBodyUnwindItsOwnStack) {
  pipe_pair p;
  int caught = 0;
  fiber f([&] {
    for (int i = 0; i < 100; ++i) {
      try {
        fiber::wait_readable(p.fds[0]);
        (void)p.take();
        throw std::runtime_error(std::string(200, 'e'));
      } catch (const std::runtime_error&) {
        ++caught;
      }
    }
  });
  f.resume();
  while (!f.done()) {
    p.put('.');
    f.resume();
  }
  EXPECT_EQ(caught, 100);
}

TEST(Fiber, ManyFibersInterleaveOnOneThread) {
  constexpr int n = 50;
  std::vector<pipe_pair> pipes(n);
  std::vector<int> steps(n, 0);
  std::vector<std::unique_ptr<fiber>> fibers;
  for (int i = 0; i < n; ++i) {
    fibers.push_back(std::make_unique<fiber>([&, i] {
      for (int k = 0; k < 3; ++k) {
        fiber::wait_readable(pipes[i].fds[0]);
        (void)pipes[i].take();
        ++steps[i];
      }
    }));
    fibers.back()->resume();
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = n - 1; i >= 0; --i) {
      pipes[i].put('.');
      fibers[i]->resume();
    }
  }
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(fibers[i]->done());
    EXPECT_EQ(steps[i], 3);
  }
}

TEST(Fiber, AnOffloadedTaskAskedForTwiceRunsOnce) {
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  fiber f([&] {
    fiber::offload([&] {
      ++runs;
      while (!release) std::this_thread::yield();
    });
  });
  f.resume();
  ASSERT_EQ(f.waiting_for(), fiber::wait_kind::offload);
  std::thread first([&] { f.run_offloaded(); });
  while (runs == 0) std::this_thread::yield();
  std::thread second([&] { f.run_offloaded(); });  // waits for the first, then finds nothing to run
  release = true;
  first.join();
  second.join();
  f.resume();
  EXPECT_TRUE(f.done());
  EXPECT_EQ(runs, 1);
}
