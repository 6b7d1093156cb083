#pragma once
// The library side of pgqrs/log.hpp.

#include <string_view>

#include "pgqrs/log.hpp"

namespace pgqrs::detail {

/// Sends one line to the current sink; never throws.
void log(log_level level, std::string_view message) noexcept;

}  // namespace pgqrs::detail
