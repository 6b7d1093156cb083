#pragma once
// Values crossing the driver seam: statement parameters going in, decoded cells coming out.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// A list of ids. PostgreSQL binds it as `bigint[]`, the SQLite family as a JSON array text read with
/// `json_each`, so SQL files of both dialects receive one parameter for "many ids".
struct id_list {
  std::vector<std::int64_t> values;
};

/// A list of texts (e.g. JSON payloads or status names): `text[]` on PostgreSQL, JSON array elsewhere.
struct text_list {
  std::vector<std::string> values;
};

/// A bound statement parameter. `std::string` is text (JSON payloads are text cast by the SQL).
using sql_param =
    std::variant<std::monostate, std::int64_t, double, bool, std::string, timestamp, id_list, text_list>;

/// Helpers that keep call sites short and make NULLs explicit.
inline sql_param null_param() {
  return std::monostate{};
}
template <typename T>
sql_param optional_param(const std::optional<T>& v) {
  if (v) return sql_param{*v};
  return std::monostate{};
}

/// A decoded result cell. Drivers decode timestamps either to `timestamp` (PostgreSQL) or leave the integer
/// microseconds (SQLite family); row_set accessors accept both.
using sql_value = std::variant<std::monostate, std::int64_t, double, std::string, timestamp>;

}  // namespace pgqrs::detail
