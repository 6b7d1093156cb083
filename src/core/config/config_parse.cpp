#include "core/config/config_parse.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "pgqrs/types.hpp"

namespace pgqrs::detail {

bool parse_bool(const std::string& field, std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw config_error(field, "'" + text + "' is not a boolean (true/false)");
}

validation_config parse_validation_json(const std::string& field, const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw config_error(field, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw config_error(field, "must be a JSON object");
  static const char* known[] = {"max_payload_size_bytes", "max_string_length", "max_object_depth",
                                "forbidden_keys",         "required_keys",     "max_enqueue_per_second",
                                "max_enqueue_burst"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      throw config_error(field, "unknown key '" + key + "'");
    }
  }
  validation_config v;
  auto read_optional_u32 = [&](const char* key, std::optional<std::uint32_t>& out) {
    if (!j.contains(key)) return;
    if (j[key].is_null()) {
      out.reset();
    } else if (j[key].is_number_unsigned() && j[key].get<std::uint64_t>() <= UINT32_MAX) {
      out = static_cast<std::uint32_t>(j[key].get<std::uint64_t>());
    } else {
      throw config_error(field, std::string(key) + " must be an integer from 0 to 4294967295, or null");
    }
  };
  auto read_size = [&](const char* key, std::size_t& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_number_unsigned())
      throw config_error(field, std::string(key) + " must be a non-negative integer");
    out = j[key].get<std::size_t>();
  };
  auto read_list = [&](const char* key, std::vector<std::string>& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_array()) throw config_error(field, std::string(key) + " must be a list of strings");
    out.clear();
    for (const auto& item : j[key]) {
      if (!item.is_string()) throw config_error(field, std::string(key) + " must be a list of strings");
      out.push_back(item.get<std::string>());
    }
  };
  read_size("max_payload_size_bytes", v.max_payload_size_bytes);
  read_size("max_string_length", v.max_string_length);
  read_size("max_object_depth", v.max_object_depth);
  read_list("forbidden_keys", v.forbidden_keys);
  read_list("required_keys", v.required_keys);
  read_optional_u32("max_enqueue_per_second", v.max_enqueue_per_second);
  read_optional_u32("max_enqueue_burst", v.max_enqueue_burst);
  return v;
}

std::string validation_json(const validation_config& v) {
  json j = {{"max_payload_size_bytes", v.max_payload_size_bytes},
            {"max_string_length", v.max_string_length},
            {"max_object_depth", v.max_object_depth},
            {"forbidden_keys", v.forbidden_keys},
            {"required_keys", v.required_keys},
            {"max_enqueue_per_second", v.max_enqueue_per_second ? json(*v.max_enqueue_per_second) : json(nullptr)},
            {"max_enqueue_burst", v.max_enqueue_burst ? json(*v.max_enqueue_burst) : json(nullptr)}};
  return j.dump();
}

}  // namespace pgqrs::detail
