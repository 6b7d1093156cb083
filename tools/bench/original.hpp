#pragma once
// The original pgqrs (PyPI pgqrs==0.15.3), driven through its Python API by python/original_pgqrs_drain.py in
// a separate virtualenv (never the one our package lives in).

#include <cstdint>
#include <optional>
#include <string>

#include "bench.hpp"

namespace pgqrs::bench {

/// Runs a statement (or a script) on a connection of its own; the bench's setup and teardown.
/// @throws std::runtime_error with the server's message
void pg_admin_sql(const std::string& dsn, const std::string& sql);

struct original_result {
  std::int64_t messages = 0;
  double seconds = 0;
  double msgs_per_sec = 0;
};

/// Seeds `backlog` messages into a fresh schema with the original's own API, then drains with one consumer at
/// `batch` until `max_messages` or `max_seconds`. std::nullopt (with a note) when the interpreter is missing.
std::optional<original_result> run_original_drain(const options& opts, reporter& rep, std::int64_t backlog,
                                                  std::size_t batch, std::int64_t max_messages,
                                                  double max_seconds);

}  // namespace pgqrs::bench
