#pragma once
// Child modes of the process test binary (main.cpp dispatches argv[1] to one of these; each returns the
// child's exit code).

#include <string>

namespace pgqrs::process_tests {

/// --drain DSN QUEUE OUT: consumes until the queue stays empty, writing archived ids to OUT.
int drain(const std::string& dsn, const std::string& queue, const std::string& out_path);
/// --open-install DSN GO: waits for the file GO to exist, then connects, installs and enqueues one message.
int open_and_install(const std::string& dsn, const std::string& go_file);
/// --hold-lease DSN SCHEMA LEASE_MS HEARTBEAT_S OUT: runs a handler loop whose handler writes the message id
/// to OUT and never returns (until the process is killed).
int hold_lease(const std::string& dsn, const std::string& schema, int lease_ms, int heartbeat_s,
               const std::string& out_path);

}  // namespace pgqrs::process_tests
