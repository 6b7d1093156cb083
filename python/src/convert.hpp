#pragma once
// Conversions between the C++ library's values and Python objects. Functions taking or returning nb::object
// need the GIL; parse_payload does not (it runs inside the GIL-released part of a call).

#include <nanobind/nanobind.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <cstdint>

#include "pgqrs/types.hpp"

namespace pgqrs::python {

namespace nb = nanobind;

/// JSON text (what the Python layer's json.dumps produced) to a JSON value. @throws nb::value_error
[[nodiscard]] json parse_payload(std::string_view text);
/// Each payload text to a JSON value. @throws nb::value_error
[[nodiscard]] std::vector<json> parse_payloads(const std::vector<std::string>& texts);
/// The ids of messages, in order.
[[nodiscard]] std::vector<std::int64_t> ids_of(const std::vector<queue_message>& messages);
/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
[[nodiscard]] nb::object to_python(const json& value);
/// RFC 3339 text as the original returns it (`2026-04-01T10:00:00.123456+00:00`).
[[nodiscard]] nb::object to_python(timestamp t);
[[nodiscard]] nb::object to_python(const std::optional<timestamp>& t);
/// RFC 3339 / ISO 8601 text to a timestamp. @throws nb::value_error
[[nodiscard]] timestamp parse_time(std::string_view text);

}  // namespace pgqrs::python
