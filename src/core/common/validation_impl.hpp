#pragma once
// Template part of validation.hpp.

#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

template <typename Between>
std::vector<std::string> validate_batch(std::span<const json> payloads, const validation_config& rules,
                                        Between&& between) {
  const bool indexed = payloads.size() > 1;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    try {
      check_payload_structure(payloads[i], rules);
    } catch (const validation_error& e) {
      if (!indexed) throw;
      throw validation_error("Payload at index " + std::to_string(i) + ": " + e.reason());
    }
  }
  between();
  std::vector<std::string> texts;
  texts.reserve(payloads.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    texts.push_back(serialize_payload(payloads[i]));
    if (!indexed) {
      check_payload_size(texts.back().size(), rules);
    } else if (texts.back().size() > rules.max_payload_size_bytes) {
      throw validation_error("Payload at index " + std::to_string(i) +
                             " too large: " + std::to_string(texts.back().size()) + " bytes exceeds limit " +
                             std::to_string(rules.max_payload_size_bytes));
    }
  }
  return texts;
}

}  // namespace pgqrs::detail
