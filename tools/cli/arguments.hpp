#pragma once
// Parsing of command arguments that CLI11 keeps as text: durations, JSON payloads, run statuses, ids. Bad values
// are usage errors (exit code 2), reported before anything touches the database.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "pgqrs/types.hpp"
#include "pgqrs/workflow.hpp"

namespace pgqrs::cli {

/// A wrong argument or option value (exit code 2).
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "250ms", "30s", "5m", "2h", "1d", or a plain number of seconds. `what` names the option in errors.
/// @throws usage_error
[[nodiscard]] std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what);
/// A duration in whole seconds (for the library's calls that take seconds). @throws usage_error
[[nodiscard]] std::chrono::seconds parse_seconds(const std::string& text, const std::string& what);
/// A JSON document given on the command line. @throws usage_error naming the parse error's position
[[nodiscard]] json parse_json_argument(const std::string& text, const std::string& what);
/// A run status, in any case ("running", "SUCCESS"). @throws usage_error listing the statuses
[[nodiscard]] workflow_status parse_status_argument(const std::string& text);

}  // namespace pgqrs::cli
