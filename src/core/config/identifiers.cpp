#include "core/config/identifiers.hpp"

#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs {

void validate_schema_name(std::string_view schema) {
  if (schema.empty()) throw config_error("schema", "schema name cannot be empty");
  if (schema.size() > 63) {
    throw config_error("schema", "schema name exceeds maximum length of 63 bytes (got " +
                                     std::to_string(schema.size()) + ")");
  }
  auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!is_alpha(schema.front()) && schema.front() != '_') {
    throw config_error("schema", "schema name must start with a letter or underscore");
  }
  for (char c : schema) {
    if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '$') {
      const auto byte = static_cast<unsigned char>(c);
      std::string shown(1, c);
      if (byte < 0x20 || byte >= 0x7f) {
        static constexpr char hex[] = "0123456789abcdef";
        shown = std::string("\\x") + hex[byte >> 4] + hex[byte & 0xf];
      }
      throw config_error("schema", "schema name contains invalid character '" + shown + "'");
    }
  }
}

namespace detail {

std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace detail
}  // namespace pgqrs
