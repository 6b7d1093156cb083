#include "bench.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>

namespace pgqrs::bench {

namespace {

/// The p-th percentile of sorted values, interpolated between neighbours; 0 for none.
double percentile_of_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

}  // namespace

double latency_stats::percentile(double p) const {
  if (!m_sorted) {
    std::sort(m_samples.begin(), m_samples.end());
    m_sorted = true;
  }
  return percentile_of_sorted(m_samples, p);
}

double latency_stats::mean() const {
  if (m_samples.empty()) return 0.0;
  return std::accumulate(m_samples.begin(), m_samples.end(), 0.0) / static_cast<double>(m_samples.size());
}

json latency_stats::to_json() const {
  return {{"samples", count()},       {"mean_ms", mean()},        {"p50_ms", percentile(50)},
          {"p95_ms", percentile(95)}, {"p99_ms", percentile(99)}, {"max_ms", percentile(100)}};
}

reporter::reporter(const options& opts) {
  std::filesystem::create_directories(opts.out_dir);
  m_path = (std::filesystem::path(opts.out_dir) / "results.jsonl").string();
  std::ofstream(m_path, std::ios::trunc);
}

void reporter::record(result r) {
  json line = {{"scenario", r.scenario},
               {"backend", r.backend},
               {"implementation", r.implementation},
               {"params", r.params},
               {"metrics", r.metrics}};
  std::ofstream(m_path, std::ios::app) << line.dump() << "\n";
  progress("");
  std::cout << r.scenario << " " << r.backend << " " << r.implementation << " " << r.params.dump() << " -> "
            << r.metrics.dump() << std::endl;
  m_results.push_back(std::move(r));
}

void reporter::progress(const std::string& line) const {
  if (line.empty()) {
    m_progress.clear();
  } else {
    m_progress.update(line);
  }
}

void reporter::note(const std::string& line) const {
  progress("");
  std::cout << line << std::endl;
}

std::map<std::string, scenario>& registry() {
  static std::map<std::string, scenario> r;
  return r;
}

registrar::registrar(scenario s) {
  auto name = s.name;
  registry().emplace(std::move(name), std::move(s));
}

double seconds_of(const std::function<void()>& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return percentile_of_sorted(values, 50);
}

}  // namespace pgqrs::bench
