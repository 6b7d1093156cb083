#include "pg_instance.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace pgqrs::testing {

namespace {
const std::string script = std::string(PGQRS_SOURCE_DIR) + "/scripts/pg_server.sh";
}

std::string run_command(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("command failed (" + std::to_string(status) + "): " + command);
  return out;
}

pg_instance::pg_instance(bool with_pgbouncer, bool durable) {
  std::istringstream lines(run_command("bash " + script + " start" + (with_pgbouncer ? " --pgbouncer" : "") +
                                       (durable ? " --durable" : "")));
  for (std::string line; std::getline(lines, line);) {
    auto take = [&](const std::string& key, std::string& into) {
      const std::string prefix = "export " + key + "=";
      if (line.rfind(prefix, 0) == 0) into = line.substr(prefix.size());
    };
    take("PGTEST_DIR", m_dir);
    take("PGQRS_PG_DSN", m_dsn);
    take("PGQRS_PGBOUNCER_DSN", m_pgbouncer_dsn);
  }
  if (m_dir.empty() || m_dsn.empty() || (with_pgbouncer && m_pgbouncer_dsn.empty())) {
    throw std::runtime_error("scripts/pg_server.sh start printed no DSN");
  }
}

pg_instance::~pg_instance() {
  try {
    run_command("bash " + script + " stop " + m_dir);
  } catch (...) {
    // Leaves a directory in /tmp at worst.
  }
}

void pg_instance::restart(const std::string& mode) const {
  run_command("bash " + script + " restart " + m_dir + " " + mode);
}

void pg_instance::require_password(const std::string& password) const {
  run_command("bash " + script + " password " + m_dir + " '" + password + "'");
}

}  // namespace pgqrs::testing
