#pragma once
// Installing and checking the schema (spec §2.1, §5.2).

#include "core/ops/store_core.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail {

/// Applies every migration not yet recorded in pgqrs_schema_version, in one transaction, serialised against
/// concurrent installers. Idempotent. @throws database errors
void install_schema(const store_core& core, timestamp now);

/// @throws schema_validation_error naming the missing table, outdated version or dangling references.
void verify_schema(const store_core& core);

/// Highest migration version this library ships.
int latest_schema_version(const store_core& core);

}  // namespace pgqrs::detail
