#pragma once
// Payload validation (spec §11.3). Pure functions: no I/O, no rate limiting (see rate_limit.hpp).

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "pgqrs/config.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// Structural checks: depth, forbidden/required keys, key and string lengths, plus what every backend must
/// be able to store (finite numbers, no NUL characters: PostgreSQL jsonb rejects \u0000).
/// @throws validation_error
void check_payload_structure(const json& payload, const validation_config& rules);

/// Compact JSON text of `payload`. @throws serialization_error (e.g. invalid UTF-8 in a string)
std::string serialize_payload(const json& payload);

/// @throws payload_too_large
void check_payload_size(std::size_t serialized_bytes, const validation_config& rules);

/// Validates a batch the way the original does: all structures first (errors prefixed with the index when the
/// batch has several elements), then `between` (the rate limiter), then sizes. Returns the serialized texts.
/// @throws validation_error, payload_too_large, serialization_error, rate_limited
template <typename Between>
std::vector<std::string> validate_batch(std::span<const json> payloads, const validation_config& rules,
                                        Between&& between);

}  // namespace pgqrs::detail

#include "core/common/validation_impl.hpp"
