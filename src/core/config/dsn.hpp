#pragma once
// Strict DSN parsing (DESIGN decision 6): the scheme selects the backend; anything else is a config_error
// that names the rejected scheme. Errors never include the password.

#include <map>
#include <string>
#include <string_view>

#include "pgqrs/config.hpp"

namespace pgqrs::detail {

struct parsed_dsn {
  backend_kind kind = backend_kind::sqlite;

  // postgres: the DSN exactly as given (libpq parses the URI and its parameters).
  // sqlite/turso: filesystem path (percent-decoded), ":memory:" or a "file:" URI.
  std::string target;
  /// sqlite: in-memory database (`sqlite::memory:` or `mode=memory`).
  bool memory = false;
  /// sqlite: `target` is a `file:` URI to open with SQLITE_OPEN_URI.
  bool uri = false;
  /// sqlite query parameters, e.g. mode=rwc|rw|ro.
  std::map<std::string, std::string> params;

  // s3
  std::string bucket;
  std::string key;
};

/// @throws config_error{field "dsn"} for an empty, malformed or unsupported DSN.
parsed_dsn parse_dsn(std::string_view dsn);

}  // namespace pgqrs::detail
