// python-drain: the Python package measured next to what it wraps and what it replaces, in one run, on
// PostgreSQL, one consumer, batch 1 (the targets: our Python >= 10x the original's Python and >= 0.7x
// our C++ drain):
//   pgqrs-cpp         the C++ library's own loop (dequeue_many + archive_many), same backlog, right before
//                     and right after our Python run
//   pgqrs-cpp-python  our Python package, python/ours_pgqrs_drain.py under --ours-python
//   pgqrs-0.15.3      the original Python package, python/original_pgqrs_drain.py under --original-python
// All three get the same 50,000-message backlog of ~100-byte payloads (the original's dequeue cost grows with
// it) and drain up to a message count or a time limit. Also `import pgqrs` time of both packages
// (python/import_time.py under each interpreter; the target is <= 100 ms).
#include <atomic>
#include <filesystem>

#include "original.hpp"
#include "targets.hpp"

namespace pgqrs::bench {
namespace {

bool usable(const std::optional<std::string>& python) {
  return python && std::filesystem::exists(*python);
}

void import_time(const options& opts, reporter& rep, const std::string& python, const std::string& impl) {
  const int runs = pick(opts, 21, 11, 3);
  const json j = run_python_script(opts, python, "import_time.py", "--runs " + std::to_string(runs));
  if (j.is_null()) {
    rep.note("import time (" + impl + "): import_time.py failed");
    return;
  }
  json m = j;
  m.erase("runs");
  m["import_over_startup_ms"] = j.at("wall_ms").get<double>() - j.at("startup_ms").get<double>();
  rep.record({"python_import", "none", impl, {{"runs", runs}}, m});
}

void run(const options& opts, reporter& rep) {
  if (!opts.pg_dsn) {
    rep.note("python-drain: skipped (PostgreSQL only: give --pg)");
    return;
  }
  if (!usable(opts.ours_python)) {
    rep.note("python-drain: our Python package not measured (no --ours-python; scripts/bench.sh passes the "
             "interpreter of scripts/python_env.sh's venv)");
  }
  if (!usable(opts.original_python)) {
    rep.note("python-drain: original pgqrs not measured (no --original-python)");
  }
  const std::size_t batch = 1;
  const std::int64_t backlog = pick<std::int64_t>(opts, 50'000, 50'000, 1'000);
  const std::int64_t max_ours = pick<std::int64_t>(opts, 20'000, 5'000, 200);
  const std::int64_t max_original = pick<std::int64_t>(opts, 1'000, 300, 20);
  const double max_seconds = pick(opts, 30.0, 15.0, 5.0);
  auto params = [&](std::int64_t messages) {
    return json{{"consumers", 1}, {"batch", batch}, {"backlog", backlog}, {"messages", messages},
                {"payload_bytes", 100}};
  };

  // C++ right before and right after our Python run, from one store with the same backlog (the library's
  // claim cost does not depend on it): with fsync on, every archive waits for a WAL flush, whose latency
  // drifts from one moment to the next; the mean of the two runs bracketing the Python one is what the
  // Python run is compared with.
  const target pg = targets(opts).front();
  auto s = fresh_store(pg, "pydrain", 4);
  auto q = s.queue("drain");
  seed_ready(s, q.id, backlog);
  analyze(s);
  auto p = params(max_ours);
  p["settings"] = settings_of(s);
  std::vector<double> cpp_rates;
  auto cpp_run = [&](const std::string& when) {
    std::atomic<long> done{0};
    rep.progress("python-drain: pgqrs-cpp (" + when + ")");
    const double secs = library_drain(s, "drain", 1, batch, done, max_ours);
    cpp_rates.push_back(static_cast<double>(done.load()) / secs);
    auto pw = p;
    pw["messages"] = done.load();
    pw["run"] = when;
    rep.record({"python_drain", "postgres", "pgqrs-cpp", pw, {{"seconds", secs}, {"msgs_per_sec", cpp_rates.back()}}});
  };
  cpp_run("before");

  std::optional<original_result> ours;
  if (usable(opts.ours_python)) {
    rep.progress("python-drain: our Python package");
    ours = run_python_drain(opts, rep, *opts.ours_python, "ours_pgqrs_drain.py", "our Python package", backlog,
                            batch, max_ours, max_seconds);
    cpp_run("after");
    if (ours) {
      const double cpp_mean = (cpp_rates.front() + cpp_rates.back()) / 2;
      rep.record({"python_drain", "postgres", "pgqrs-cpp-python", params(ours->messages),
                  {{"seconds", ours->seconds}, {"msgs_per_sec", ours->msgs_per_sec},
                   {"cpp_msgs_per_sec_mean", cpp_mean}, {"python_to_cpp", ours->msgs_per_sec / cpp_mean}}});
    }
  }
  drop_store(s);
  if (usable(opts.original_python)) {
    rep.progress("python-drain: original pgqrs");
    if (auto o = run_original_drain(opts, rep, backlog, batch, max_original, max_seconds)) {
      json m = {{"seconds", o->seconds}, {"msgs_per_sec", o->msgs_per_sec}};
      if (ours) m["ours_python_to_original"] = ours->msgs_per_sec / o->msgs_per_sec;
      rep.record({"python_drain", "postgres", "pgqrs-0.15.3", params(o->messages), m});
    }
  }

  if (usable(opts.ours_python)) import_time(opts, rep, *opts.ours_python, "pgqrs-cpp-python");
  if (usable(opts.original_python)) import_time(opts, rep, *opts.original_python, "pgqrs-0.15.3");
}

registrar reg({"python-drain",
               "PostgreSQL drain, 1 consumer, batch 1: our Python package vs our C++ vs the original's Python; "
               "import time of both packages",
               run});

}  // namespace
}  // namespace pgqrs::bench
