#include "exit_codes.hpp"

#include "arguments.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::cli {

exit_code exit_code_of(const std::exception& e) {
  if (dynamic_cast<const usage_error*>(&e) != nullptr) return exit_code::config;
  const auto* err = dynamic_cast<const pgqrs::error*>(&e);
  if (err == nullptr) return exit_code::general;
  switch (err->code()) {
    case error_code::config:
    case error_code::missing_config:
      return exit_code::config;
    case error_code::connection:
    case error_code::in_doubt:
    case error_code::pool_exhausted:
      return exit_code::connection;
    case error_code::queue_not_found:
    case error_code::worker_not_found:
    case error_code::not_found:
      return exit_code::not_found;
    default:
      return exit_code::general;
  }
}

std::string error_line(const std::exception& e, const std::string& dsn) {
  std::string text = e.what();
  for (auto& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  // The library never puts a DSN with its password into a message; this keeps it so if one ever did.
  if (!dsn.empty()) {
    const std::string safe = redact_dsn(dsn);
    for (auto pos = text.find(dsn); pos != std::string::npos; pos = text.find(dsn, pos + safe.size())) {
      text.replace(pos, dsn.size(), safe);
    }
  }
  return "pgqrs: " + text;
}

}  // namespace pgqrs::cli
