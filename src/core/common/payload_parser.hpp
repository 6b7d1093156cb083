#pragma once
// Parsing stored payloads on the dequeue path. nlohmann's lexer costs about 40 instructions a byte, which was
// the largest single cost of an SQLite dequeue at batch 100 (callgrind: 13.7k of 64k instructions a message).
// Most payloads are plain (ASCII strings without escapes, integers, nesting), so those take a fast path;
// anything else (escapes, non-ASCII, fractions, exponents, deep nesting, malformed text) goes to json::parse,
// so results and errors are exactly json::parse's (tests/unit/payload_parser_test.cpp compares them).

#include <string_view>

#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// The JSON value of `text`, equal to json::parse(text). @throws json::parse_error as json::parse does
[[nodiscard]] json parse_payload(std::string_view text);

}  // namespace pgqrs::detail
