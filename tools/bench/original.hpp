#pragma once
// Python drivers run as child processes: the original pgqrs (PyPI pgqrs==0.15.3) through its Python API by
// python/original_pgqrs_*.py in a separate virtualenv (never the one our package lives in), and our Python
// package by python/ours_pgqrs_*.py with the interpreter of scripts/python_env.sh's venv.

#include <cstdint>
#include <optional>
#include <string>

#include "bench.hpp"

namespace pgqrs::bench {

/// Runs a statement (or a script) on a connection of its own; the bench's setup and teardown.
/// @throws std::runtime_error with the server's message
void pg_admin_sql(const std::string& dsn, const std::string& sql);

/// `s` quoted for /bin/sh.
std::string shell_quote(const std::string& s);

/// Runs `script` (a file in opts.script_dir) with the interpreter `python` and `args` (already quoted); the
/// last line it printed, parsed as JSON, or null if it failed or printed no JSON (`output` gets all it printed).
json run_python_script(const options& opts, const std::string& python, const std::string& script,
                       const std::string& args, std::string* output = nullptr);

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

/// The same drain by `script` (original_pgqrs_drain.py or ours_pgqrs_drain.py) under `python`, in a schema of
/// its own; `who` names it in notes. std::nullopt (with a note) when it fails.
std::optional<original_result> run_python_drain(const options& opts, reporter& rep, const std::string& python,
                                                const std::string& script, const std::string& who,
                                                std::int64_t backlog, std::size_t batch,
                                                std::int64_t max_messages, double max_seconds);

}  // namespace pgqrs::bench
