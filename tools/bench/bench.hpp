#pragma once
// pgqrs-bench building blocks: options, result records (JSON lines), timing statistics, progress display,
// and the scenario registry. A scenario is a function that measures something and reports results; new
// capabilities (workflows, other backends, Python) add scenarios without touching the runner.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "progress.hpp"

namespace pgqrs::bench {

using json = nlohmann::json;

struct options {
  std::optional<std::string> pg_dsn;      // PostgreSQL under test (fsync on for meaningful numbers)
  std::optional<std::string> sqlite_dir;  // directory for SQLite files
  std::optional<std::string> turso_dir;   // directory for Turso files (drain and workflow scenarios)
  bool quick = false;                     // the --quick sizes (whole run under 5 minutes)
  bool smoke = false;                     // tiny sizes: checks that every scenario runs (test suite)
  std::string out_dir = "bench-results";
  std::vector<std::string> scenarios;          // empty: all
  std::optional<std::string> original_python;  // interpreter of a virtualenv with pgqrs==0.15.3
  std::optional<std::string> ours_python;      // interpreter of a virtualenv with our package (python_env.sh)
  std::string script_dir = "tools/bench/python";
  std::vector<std::size_t> batches;  // drain: only these batch sizes (empty: 1, 10, 50, 100)
  std::vector<int> consumer_counts;  // drain: only these consumer counts, workflow: worker counts (empty: 1, 2, 4)
};

/// One measured result, written as one JSON line.
struct result {
  std::string scenario;
  std::string backend;  // postgres | sqlite | turso
  std::string
      implementation;  // pgqrs-cpp | pgqrs-cpp-python | raw-libpq | raw-sqlite | raw-turso | pgqrs-0.15.3
  json params = json::object();
  json metrics = json::object();
};

/// Latency samples → percentiles (milliseconds).
class latency_stats {
 public:
  void add(std::chrono::nanoseconds d) {
    m_samples.push_back(std::chrono::duration<double, std::milli>(d).count());
    m_sorted = false;  // percentile() sorts lazily; new samples invalidate that
  }
  [[nodiscard]] double percentile(double p) const;
  [[nodiscard]] double mean() const;
  [[nodiscard]] std::size_t count() const { return m_samples.size(); }
  [[nodiscard]] json to_json() const;

 private:
  mutable std::vector<double> m_samples;
  mutable bool m_sorted = false;
};

class reporter {
 public:
  explicit reporter(const options& opts);
  void record(result r);
  /// One-line status: rewritten in place on a terminal, a line every few seconds into a log (tools/common).
  void progress(const std::string& line) const;
  void note(const std::string& line) const;
  [[nodiscard]] const std::vector<result>& results() const { return m_results; }
  [[nodiscard]] const json& environment() const { return m_environment; }
  void set_environment(const std::string& key, json value) { m_environment[key] = std::move(value); }

 private:
  std::string m_path;
  std::vector<result> m_results;
  json m_environment = json::object();
  // Mutable: showing progress does not change what the reporter recorded.
  mutable tools::progress_line m_progress;
};

struct scenario {
  std::string name;
  std::string description;
  std::function<void(const options&, reporter&)> run;
};

/// Scenarios register themselves from their own translation units.
std::map<std::string, scenario>& registry();
struct registrar {
  explicit registrar(scenario s);
};

/// The size to use for a run mode: full, --quick, or --smoke.
template <typename T>
T pick(const options& opts, T full, T quick, T smoke) {
  return opts.smoke ? smoke : (opts.quick ? quick : full);
}

/// Wall-clock seconds of `f`.
double seconds_of(const std::function<void()>& f);

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
double median(std::vector<double> values);

}  // namespace pgqrs::bench
