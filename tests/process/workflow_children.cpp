// Child modes of the workflow process tests (see workflow_support.hpp for how they report).
#include <unistd.h>

#include <fstream>
#include <stop_token>
#include <thread>

#include "children.hpp"
#include "workflow_support.hpp"

namespace pgqrs::process_tests {

namespace {

using namespace std::chrono_literals;

void write_stats(const std::filesystem::path& dir, const workflow_loop_stats& st) {
  const json j{{"completed", st.runs_completed}, {"failed", st.runs_failed},       {"cancelled", st.runs_cancelled},
               {"suspended", st.runs_suspended}, {"fenced", st.runs_fenced},        {"transient", st.transient_errors}};
  const auto tmp = dir / ("stats-" + std::to_string(::getpid()) + ".tmp");
  std::ofstream(tmp) << j.dump() << std::endl;
  std::filesystem::rename(tmp, dir / ("stats-" + std::to_string(::getpid()) + ".json"));
}

}  // namespace

int wf_victim(const std::string& dsn, const std::string& schema, const std::string& dir, const std::string& workflow,
              int lease_ms) {
  auto s = connect(wfp::config_of(dsn, schema));
  auto def = wfp::make_def(workflow, s, dir, true);
  auto b = pgqrs::workflow().name(def).lease(std::chrono::milliseconds(lease_ms));
  b.consumer(s.consumer(workflow, "victim-" + std::to_string(::getpid())));
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!b.execute(s)) {
    if (std::chrono::steady_clock::now() > deadline) return 4;
    std::this_thread::sleep_for(5ms);
  }
  write_stats(dir, b.stats());
  return 0;
}

int wf_rescuer(const std::string& dsn, const std::string& schema, const std::string& dir, const std::string& workflow,
               int lease_ms, int runs) {
  auto s = connect(wfp::config_of(dsn, schema));
  auto def = wfp::make_def(workflow, s, dir, false);
  auto b = pgqrs::workflow().name(def).lease(std::chrono::milliseconds(lease_ms)).poll_interval(10ms);
  b.concurrency(static_cast<std::size_t>(runs));
  b.consumer(s.consumer(workflow, "rescuer-" + std::to_string(::getpid())));
  std::stop_source stop;
  std::exception_ptr failure;
  std::jthread loop([&] {
    try {
      b.poll(s, stop.get_token());
    } catch (...) {
      failure = std::current_exception();
    }
  });
  const auto finished = [&] {
    const auto st = b.stats();
    return st.runs_completed + st.runs_failed + st.runs_cancelled >= static_cast<std::uint64_t>(runs);
  };
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (!finished() && !failure && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  stop.request_stop();
  loop.join();
  if (failure) std::rethrow_exception(failure);
  write_stats(dir, b.stats());
  return finished() ? 0 : 4;
}

int wf_trigger(const std::string& dsn, const std::string& schema, const std::string& go, const std::string& out) {
  auto s = connect(wfp::config_of(dsn, schema));
  (void)s.queues().count();  // connected for real before the go
  wfp::append_event(std::filesystem::path(go).parent_path(), "armed", 0);
  while (!std::filesystem::exists(go)) std::this_thread::sleep_for(std::chrono::microseconds(200));
  auto m = pgqrs::workflow().name("five_steps").trigger(json{{"x", ::getpid()}}).key("k").execute(s);
  const auto tmp = out + ".tmp";
  std::ofstream(tmp) << m.id << std::endl;
  std::filesystem::rename(tmp, out);
  return 0;
}

}  // namespace pgqrs::process_tests
