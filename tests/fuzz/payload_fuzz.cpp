// The dequeue path's payload parser (a fast path for plain JSON, json::parse for the rest) must agree with
// json::parse on every input: the same value, or an error (parse_error; out_of_range for 1e400) where
// json::parse has one. Values that parse then go through the enqueue validators, which may refuse them only with the library's errors, and whatever they
// accept must serialise to text that parses back to the same value (what a consumer will be handed).
#include <pgqrs/config.hpp>

#include "core/common/payload_parser.hpp"
#include "core/common/validation.hpp"
#include "fuzz_support.hpp"

namespace {

void check_enqueue_validation(const pgqrs::json& value) {
  pgqrs::fuzz::refuse_only_with_pgqrs_errors([&] {
    const pgqrs::validation_config rules;
    pgqrs::detail::check_payload_structure(value, rules);
    const std::string text = pgqrs::detail::serialize_payload(value);
    pgqrs::detail::check_payload_size(text.size(), rules);
    pgqrs::fuzz::require(pgqrs::detail::parse_payload(text) == value, "accepted payload round-trips");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = pgqrs::fuzz::as_text(data, size);
  pgqrs::json reference;
  bool reference_ok = true;
  try {
    reference = pgqrs::json::parse(text);
  } catch (const pgqrs::json::exception&) {  // parse_error, or out_of_range for a number like 1e400
    reference_ok = false;
  }
  pgqrs::json ours;
  bool ours_ok = true;
  try {
    ours = pgqrs::detail::parse_payload(text);
  } catch (const pgqrs::json::exception&) {  // parse_error, or out_of_range for a number like 1e400
    ours_ok = false;
  }
  pgqrs::fuzz::require(ours_ok == reference_ok, "parse_payload fails exactly where json::parse does");
  if (!ours_ok) return 0;
  // NaN cannot come out of JSON text, so == is a real comparison here.
  pgqrs::fuzz::require(ours == reference, "parse_payload gives json::parse's value");
  check_enqueue_validation(ours);
  return 0;
}
