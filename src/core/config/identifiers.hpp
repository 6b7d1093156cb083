#pragma once
// SQL identifiers built from user input (schema names) are validated, then quoted: never interpolated raw.

#include <string>
#include <string_view>

namespace pgqrs::detail {

/// `"name"` with embedded double quotes doubled. Callers validate first (validate_schema_name).
std::string quote_identifier(std::string_view name);

}  // namespace pgqrs::detail
