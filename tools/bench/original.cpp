#include "original.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>

namespace pgqrs::bench {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

json run_python_script(const options& opts, const std::string& python, const std::string& script,
                       const std::string& args, std::string* output) {
  const std::string cmd = shell_quote(python) + " " + shell_quote(opts.script_dir + "/" + script) + " " + args;
  std::string out;
  std::string last;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return nullptr;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), p) != nullptr) {
    out += buf.data();
    last = buf.data();
  }
  const int rc = pclose(p);
  if (output != nullptr) *output = out;
  if (rc != 0) return nullptr;
  try {
    return json::parse(last);
  } catch (const std::exception&) {
    return nullptr;
  }
}

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
  return run_python_drain(opts, rep, *opts.original_python, "original_pgqrs_drain.py", "original pgqrs", backlog,
                          batch, max_messages, max_seconds);
}

std::optional<original_result> run_python_drain(const options& opts, reporter& rep, const std::string& python,
                                                const std::string& script, const std::string& who,
                                                std::int64_t backlog, std::size_t batch,
                                                std::int64_t max_messages, double max_seconds) {
  const std::string schema = "pydrain_" + std::to_string(::getpid()) + "_" + std::to_string(rand() % 100000);
  pg_admin_sql(*opts.pg_dsn, "CREATE SCHEMA " + schema);
  std::string out;
  const json j = run_python_script(opts, python, script,
                                   "--dsn " + shell_quote(*opts.pg_dsn) + " --schema " + schema + " --backlog " +
                                       std::to_string(backlog) + " --batch " + std::to_string(batch) +
                                       " --max-messages " + std::to_string(max_messages) + " --max-seconds " +
                                       std::to_string(max_seconds),
                                   &out);
  pg_admin_sql(*opts.pg_dsn, "DROP SCHEMA " + schema + " CASCADE");
  try {
    return original_result{j.at("messages").get<std::int64_t>(), j.at("seconds").get<double>(),
                           j.at("msgs_per_sec").get<double>()};
  } catch (const std::exception&) {
    rep.note(who + ": run failed (batch " + std::to_string(batch) + "): '" + out + "'");
    return std::nullopt;
  }
}

}  // namespace pgqrs::bench
