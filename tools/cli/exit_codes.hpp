#pragma once
// Exit codes of the `pgqrs` command (as the original CLI documented them) and the one place that maps a
// failure to its code and its one-line message on stderr.

#include <exception>
#include <string>

namespace pgqrs::cli {

enum class exit_code : int {
  ok = 0,
  general = 1,
  /// Bad DSN, configuration file or setting, bad arguments.
  config = 2,
  /// Server unreachable, authentication refused, connection lost.
  connection = 3,
  /// Unknown queue, worker, workflow, run or message.
  not_found = 4,
};

/// The code for the exception in flight (call inside a catch block).
[[nodiscard]] exit_code exit_code_of(const std::exception& e);

/// "pgqrs: <what>" on one line: newlines folded, and the DSN (should a message ever carry it) redacted.
[[nodiscard]] std::string error_line(const std::exception& e, const std::string& dsn);

}  // namespace pgqrs::cli
