#include "original.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>

namespace pgqrs::bench {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

}  // namespace

void pg_admin_sql(const std::string& dsn, const std::string& sql) {
  PGconn* c = PQconnectdb(dsn.c_str());
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string err = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("bench setup: " + err);
}

std::optional<original_result> run_original_drain(const options& opts, reporter& rep, std::int64_t backlog,
                                                  std::size_t batch, std::int64_t max_messages,
                                                  double max_seconds) {
  if (!opts.pg_dsn) return std::nullopt;
  if (!opts.original_python || !std::filesystem::exists(*opts.original_python)) {
    rep.note("original pgqrs: skipped (no --original-python; scripts/bench.sh creates that virtualenv)");
    return std::nullopt;
  }
  const std::string schema = "orig_" + std::to_string(::getpid()) + "_" + std::to_string(rand() % 100000);
  pg_admin_sql(*opts.pg_dsn, "CREATE SCHEMA " + schema);
  const std::string cmd = shell_quote(*opts.original_python) + " " +
                          shell_quote(opts.script_dir + "/original_pgqrs_drain.py") + " --dsn " +
                          shell_quote(*opts.pg_dsn) + " --schema " + schema + " --backlog " +
                          std::to_string(backlog) + " --batch " + std::to_string(batch) + " --max-messages " +
                          std::to_string(max_messages) + " --max-seconds " + std::to_string(max_seconds);
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p != nullptr) {
    std::array<char, 4096> buf{};
    while (fgets(buf.data(), buf.size(), p) != nullptr) out += buf.data();
    const int rc = pclose(p);
    if (rc != 0) out.clear();
  }
  pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA " + schema + " CASCADE");
  try {
    auto j = json::parse(out);
    return original_result{j.at("messages").get<std::int64_t>(), j.at("seconds").get<double>(),
                           j.at("msgs_per_sec").get<double>()};
  } catch (const std::exception&) {
    rep.note("original pgqrs: run failed (batch " + std::to_string(batch) + "): '" + out + "'");
    return std::nullopt;
  }
}

}  // namespace pgqrs::bench
