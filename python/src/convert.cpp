#include "convert.hpp"

#include <cstdint>

namespace pgqrs::python {

json parse_payload(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // Only reachable for text json.dumps accepts and nlohmann does not (a lone UTF-16 surrogate escape).
    throw nb::value_error((std::string("payload is not valid JSON: ") + e.what()).c_str());
  }
}

std::vector<json> parse_payloads(const std::vector<std::string>& texts) {
  std::vector<json> out;
  out.reserve(texts.size());
  for (const auto& t : texts) out.push_back(parse_payload(t));
  return out;
}

std::vector<std::int64_t> ids_of(const std::vector<queue_message>& messages) {
  std::vector<std::int64_t> ids;
  ids.reserve(messages.size());
  for (const auto& m : messages) ids.push_back(m.id);
  return ids;
}

nb::object to_python(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return nb::none();
    case json::value_t::boolean:
      return nb::bool_(value.get<bool>());
    case json::value_t::number_integer:
      return nb::int_(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return nb::int_(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return nb::float_(value.get<double>());
    case json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      return nb::str(s.data(), s.size());
    }
    case json::value_t::array: {
      nb::list list;
      for (const auto& item : value) list.append(to_python(item));
      return list;
    }
    case json::value_t::object: {
      nb::dict dict;
      for (const auto& [key, item] : value.items()) dict[nb::str(key.data(), key.size())] = to_python(item);
      return dict;
    }
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  return nb::none();
}

nb::object to_python(timestamp t) {
  return nb::str(format_rfc3339(t).c_str());
}

nb::object to_python(const std::optional<timestamp>& t) {
  return t ? to_python(*t) : nb::none();
}

timestamp parse_time(std::string_view text) {
  auto t = parse_rfc3339(text);
  if (!t) throw nb::value_error(("invalid RFC 3339 timestamp: '" + std::string(text) + "'").c_str());
  return *t;
}

}  // namespace pgqrs::python
