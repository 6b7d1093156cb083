// pgqrs-bench: measures the queue next to baselines measured in the same run; writes JSON lines.
//   pgqrs-bench [--pg DSN] [--sqlite DIR] [--turso DIR] [--quick] [--out DIR] [--scenario NAME ...] [--list]
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "bench.hpp"
#include "table.hpp"

using namespace pgqrs::bench;

namespace {
void usage() {
  std::cout
      << "usage: pgqrs-bench [--pg DSN] [--sqlite DIR] [--turso DIR] [--quick] [--out DIR] [--scenario "
         "NAME]... [--list]\n"
         "  --pg DSN       PostgreSQL to measure (keep fsync on); default $PGQRS_BENCH_PG_DSN\n"
         "  --sqlite DIR   directory for SQLite files; default $PGQRS_BENCH_SQLITE_DIR\n"
         "  --turso DIR    directory for Turso files (drain, workflow); default $PGQRS_BENCH_TURSO_DIR\n"
         "  --original-python PATH  python of a virtualenv with pgqrs==0.15.3 (the original, for "
         "comparison)\n"
         "  --ours-python PATH  python of a virtualenv with our package (scripts/python_env.sh), for the "
         "python "
         "scenarios\n"
         "  --scripts DIR  where the Python drivers (original_pgqrs_*.py, ours_pgqrs_*.py) live (default "
         "tools/bench/python)\n"
         "  --quick        smaller sizes (whole run in a few minutes)\n"
         "  --smoke        tiny sizes: only checks that every scenario runs\n"
         "  --out DIR      results directory (results.jsonl), default bench-results\n"
         "  --batch N      drain: measure only batch size N (repeatable)\n"
         "  --consumers N  drain: measure only N consumers; workflow: only N workers (repeatable)\n";
}
}  // namespace

int main(int argc, char** argv) try {
  options opts;
  if (const char* v = std::getenv("PGQRS_BENCH_PG_DSN")) opts.pg_dsn = v;
  if (const char* v = std::getenv("PGQRS_BENCH_SQLITE_DIR")) opts.sqlite_dir = v;
  if (const char* v = std::getenv("PGQRS_BENCH_TURSO_DIR")) opts.turso_dir = v;
  if (const char* v = std::getenv("PGQRS_BENCH_ORIGINAL_PYTHON")) opts.original_python = v;
  if (const char* v = std::getenv("PGQRS_BENCH_OURS_PYTHON")) opts.ours_python = v;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--pg") {
      opts.pg_dsn = next();
    } else if (a == "--sqlite") {
      opts.sqlite_dir = next();
    } else if (a == "--turso") {
      opts.turso_dir = next();
    } else if (a == "--original-python") {
      opts.original_python = next();
    } else if (a == "--ours-python") {
      opts.ours_python = next();
    } else if (a == "--scripts") {
      opts.script_dir = next();
    } else if (a == "--quick") {
      opts.quick = true;
    } else if (a == "--smoke") {
      opts.smoke = true;
    } else if (a == "--out") {
      opts.out_dir = next();
    } else if (a == "--scenario") {
      opts.scenarios.push_back(next());
    } else if (a == "--batch") {
      opts.batches.push_back(static_cast<std::size_t>(std::stoul(next())));
    } else if (a == "--consumers") {
      opts.consumer_counts.push_back(std::stoi(next()));
    } else if (a == "--list") {
      std::vector<std::vector<std::string>> rows;
      for (const auto& [name, s] : registry()) rows.push_back({name, s.description});
      std::cout << pgqrs::tools::render_table({"scenario", "description"}, rows);
      return 0;
    } else if (a == "--help" || a == "-h") {
      usage();
      return 0;
    } else {
      std::cerr << "unknown argument " << a << "\n";
      usage();
      return 2;
    }
  }
  // The s3 scenario takes its endpoint from the AWS variables, like the library.
  const bool s3 = std::getenv("AWS_ENDPOINT_URL") != nullptr || std::getenv("PGQRS_S3_ENDPOINT") != nullptr;
  if (!opts.pg_dsn && !opts.sqlite_dir && !opts.turso_dir && !s3) {
    std::cerr << "nothing to measure: give --pg DSN, --sqlite DIR and/or --turso DIR (or AWS_ENDPOINT_URL)\n";
    return 2;
  }
  for (const auto& name : opts.scenarios) {
    if (!registry().count(name)) {
      std::cerr << "unknown scenario " << name << " (see --list)\n";
      return 2;
    }
  }
  reporter rep(opts);
  std::vector<std::string> failed;
  for (const auto& [name, s] : registry()) {
    if (!opts.scenarios.empty() &&
        std::find(opts.scenarios.begin(), opts.scenarios.end(), name) == opts.scenarios.end()) {
      continue;
    }
    rep.note("== " + name + ": " + s.description);
    try {
      s.run(opts, rep);
    } catch (const std::exception& e) {
      // One broken scenario must not throw away the others' results.
      rep.note("!! scenario " + name + " failed: " + e.what());
      failed.push_back(name);
    }
  }
  if (!failed.empty()) {
    std::cerr << "pgqrs-bench: " << failed.size() << " scenario(s) failed\n";
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "pgqrs-bench: " << e.what() << "\n";
  return 1;
}
