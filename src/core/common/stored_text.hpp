#pragma once
// What every name the library stores must be (queue, worker, workflow and step names, trigger keys): text that
// each backend stores and returns unchanged. PostgreSQL refuses a NUL byte and invalid UTF-8 in text columns
// with a server error; SQLite would store either and hand back something else. Refusing both up front gives
// one validation_error on every backend. Quotes, semicolons and other characters need nothing: every value is
// a bound parameter.

#include <string>
#include <string_view>

#include "core/common/utf8.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

/// @throws validation_error "<what> contains a NUL character" / "<what> is not valid UTF-8"
inline void check_stored_text(std::string_view what, std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    throw validation_error(std::string(what) + " contains a NUL character");
  if (!is_valid_utf8(text)) throw validation_error(std::string(what) + " is not valid UTF-8");
}

}  // namespace pgqrs::detail
