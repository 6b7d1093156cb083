#include "core/common/validation.hpp"

#include <algorithm>
#include <cmath>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

void check_string(const std::string& s, const validation_config& rules) {
  if (s.size() > rules.max_string_length) {
    throw validation_error("String length " + std::to_string(s.size()) + " exceeds limit " +
                           std::to_string(rules.max_string_length));
  }
  if (s.find('\0') != std::string::npos) {
    throw validation_error("String contains a NUL character (\\u0000), which PostgreSQL jsonb cannot store");
  }
}

void check_value(const json& value, std::size_t depth, const validation_config& rules) {
  if (depth > rules.max_object_depth) {
    throw validation_error("Object depth " + std::to_string(depth) + " exceeds limit " +
                           std::to_string(rules.max_object_depth));
  }
  switch (value.type()) {
    case json::value_t::object:
      for (const auto& [key, child] : value.items()) {
        if (contains(rules.forbidden_keys, key)) {
          throw validation_error("Forbidden key '" + key + "' found in payload");
        }
        if (key.size() > rules.max_string_length) {
          throw validation_error("Key '" + key + "' length " + std::to_string(key.size()) +
                                 " exceeds limit " + std::to_string(rules.max_string_length));
        }
        if (key.find('\0') != std::string::npos) {
          throw validation_error(
              "Key contains a NUL character (\\u0000), which PostgreSQL jsonb cannot store");
        }
        check_value(child, depth + 1, rules);
      }
      break;
    case json::value_t::array:
      for (const auto& child : value) check_value(child, depth + 1, rules);
      break;
    case json::value_t::string:
      check_string(value.get_ref<const std::string&>(), rules);
      break;
    case json::value_t::number_float:
      if (!std::isfinite(value.get<double>())) {
        throw validation_error(
            "Payload contains a non-finite number (NaN or infinity), which JSON cannot represent");
      }
      break;
    case json::value_t::binary:
    case json::value_t::discarded:
      throw validation_error("Payload contains a value that is not JSON (binary or discarded)");
    default:
      break;
  }
}

}  // namespace

void check_payload_structure(const json& payload, const validation_config& rules) {
  check_value(payload, 0, rules);
  if (payload.is_object()) {
    for (const auto& key : rules.required_keys) {
      if (!payload.contains(key)) throw validation_error("Required key '" + key + "' missing from payload");
    }
  }
}

std::string serialize_payload(const json& payload) {
  try {
    return payload.dump();
  } catch (const json::exception& e) {
    throw serialization_error(e.what());
  }
}

void check_payload_size(std::size_t serialized_bytes, const validation_config& rules) {
  if (serialized_bytes > rules.max_payload_size_bytes) {
    throw payload_too_large(serialized_bytes, rules.max_payload_size_bytes);
  }
}

}  // namespace pgqrs::detail
