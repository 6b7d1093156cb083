#pragma once
// A PostgreSQL server (and optionally PgBouncer in front of it) of a test's own, started with
// scripts/pg_server.sh: for tests that restart or stop the server, which must not disturb the shared one.

#include <string>

namespace pgqrs::testing {

class pg_instance {
 public:
  /// Starts the servers; `durable` keeps fsync and synchronous_commit on (needed where the test crashes the
  /// server and counts on acknowledged commits). @throws std::runtime_error when they do not come up
  explicit pg_instance(bool with_pgbouncer, bool durable = false);
  pg_instance(const pg_instance&) = delete;
  pg_instance& operator=(const pg_instance&) = delete;
  /// Stops both and removes their directory.
  ~pg_instance();

  [[nodiscard]] const std::string& dsn() const { return m_dsn; }
  /// Empty without PgBouncer.
  [[nodiscard]] const std::string& pgbouncer_dsn() const { return m_pgbouncer_dsn; }
  /// `pg_ctl restart -m <mode>` ("fast" or "immediate"); returns once the server accepts connections.
  void restart(const std::string& mode) const;
  /// From now on TCP connections (dsn()) must give `password` (scram-sha-256); returns once the server uses it.
  void require_password(const std::string& password) const;

 private:
  std::string m_dir;
  std::string m_dsn;
  std::string m_pgbouncer_dsn;
};

/// Runs a shell command, returns its standard output. @throws std::runtime_error on a non-zero exit
std::string run_command(const std::string& command);

}  // namespace pgqrs::testing
