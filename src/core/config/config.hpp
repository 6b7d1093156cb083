#pragma once

#include "pgqrs/config.hpp"

namespace pgqrs::detail {

/// Rejects settings no store can run with (zero pool size, zero read limit, invalid schema...).
/// @throws config_error naming the field.
void check_config(const config& cfg);

}  // namespace pgqrs::detail
