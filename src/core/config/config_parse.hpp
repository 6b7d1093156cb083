#pragma once
// Reading setting values from text, shared by the field table (config_fields.cpp) and its sources.

#include <charconv>
#include <string>

#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

/// A whole-string decimal number that fits T. @throws config_error(field)
template <typename T>
T parse_number(const std::string& field, const std::string& text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) {
    throw config_error(field, "'" + text + "' is not a valid number");
  }
  return value;
}

/// true/false, 1/0, yes/no, on/off in any case. @throws config_error(field)
bool parse_bool(const std::string& field, std::string text);

/// A validation_config as a JSON object with only the known keys. @throws config_error(field)
validation_config parse_validation_json(const std::string& field, const std::string& text);
/// The inverse of parse_validation_json.
std::string validation_json(const validation_config& v);

}  // namespace pgqrs::detail
