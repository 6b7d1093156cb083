#pragma once
/// @file log.hpp
/// Where the library's diagnostics go. The library logs little: things a running worker survives but an
/// operator should see (a lost database connection and its recovery, a failed heartbeat). Messages never
/// contain passwords or payloads.

#include <functional>
#include <string_view>

namespace pgqrs {

enum class log_level { debug, info, warning, error };

/// Receives every message at or above the sink's level. Called from any thread (worker loops, lease
/// keepers); must not throw.
using log_sink = std::function<void(log_level level, std::string_view message)>;

/// Replaces the sink (default: warnings and errors to stderr, one line each, prefixed "pgqrs: ").
/// An empty function silences the library. Thread-safe.
void set_log_sink(log_sink sink);

[[nodiscard]] std::string_view to_string(log_level level);

}  // namespace pgqrs
