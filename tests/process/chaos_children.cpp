// Child modes of the chaos tests (chaos_test.cpp): a workflow worker and a queue consumer that run until the
// parent SIGKILLs them or creates the file `stop` in the test's directory. What they execute is logged as
// events (workflow_support.hpp): "exec-s<i> <run id>" when a step body starts, "handled <message id>" when
// a handler starts and "acked <message id>" when its archive returned true.
#include <unistd.h>

#include <filesystem>
#include <random>
#include <stop_token>
#include <thread>

#include "children.hpp"
#include "workflow_support.hpp"

namespace pgqrs::process_tests {

namespace {

using namespace std::chrono_literals;

/// A few milliseconds of "work", so kills land inside steps and handlers as well as between them.
void work_a_little() {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::this_thread::sleep_for(std::chrono::milliseconds(3 + rng() % 10));
}

/// Runs `loop(stop)` on a thread until the parent creates `dir/stop`; rethrows what the loop threw.
template <typename Loop>
int run_until_stopped(const std::filesystem::path& dir, Loop&& loop) {
  std::stop_source stop;
  std::exception_ptr failure;
  std::jthread t([&] {
    try {
      loop(stop.get_token());
    } catch (...) {
      failure = std::current_exception();
    }
  });
  while (!std::filesystem::exists(dir / "stop") && !failure) std::this_thread::sleep_for(10ms);
  stop.request_stop();
  t.join();
  if (failure) std::rethrow_exception(failure);
  return 0;
}

/// The five-step workflow the chaos workers run: s_i computes v ← 3·v + i (wfp::five_steps_result).
workflow_def chaos_def(const std::filesystem::path& dir) {
  return workflow_def("chaos", [dir](workflow_run& run, const json& in) -> json {
    std::int64_t v = in.at("x").get<std::int64_t>();
    for (int i = 1; i <= 5; ++i) {
      const std::string step = "s" + std::to_string(i);
      v = workflow_step(run, step, [&] {
        wfp::append_event(dir, "exec-" + step, run.id());
        work_a_little();
        return v * 3 + i;
      });
    }
    return json{{"v", v}};
  });
}

}  // namespace

int chaos_workflow_worker(const std::string& dsn, const std::string& schema, const std::string& dir, int lease_ms) {
  auto s = connect(wfp::config_of(dsn, schema));
  auto b = pgqrs::workflow().name(chaos_def(dir)).lease(std::chrono::milliseconds(lease_ms)).poll_interval(10ms);
  b.concurrency(2);
  b.consumer(s.consumer("chaos", "chaos-wf-" + std::to_string(::getpid())));
  return run_until_stopped(dir, [&](std::stop_token stop) { b.poll(s, stop); });
}

int chaos_consumer(const std::string& dsn, const std::string& schema, const std::string& dir, int lease_ms) {
  auto s = connect(wfp::config_of(dsn, schema));
  auto c = s.consumer("chaos_jobs", "chaos-c-" + std::to_string(::getpid()));
  const std::filesystem::path d(dir);
  return run_until_stopped(d, [&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      auto m = c.dequeue_delay(std::chrono::milliseconds(lease_ms));
      if (!m) {
        std::this_thread::sleep_for(10ms);
        continue;
      }
      wfp::append_event(d, "handled", m->id);
      work_a_little();
      if (c.archive(m->id)) wfp::append_event(d, "acked", m->id);
    }
  });
}

}  // namespace pgqrs::process_tests
