#include "core/common/log.hpp"

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace pgqrs {

namespace {

void default_sink(log_level level, std::string_view message) {
  if (level < log_level::warning) return;
  std::string line = "pgqrs: ";
  line += to_string(level);
  line += ": ";
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write per line: lines of threads do not mix
}

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}

/// Shared so a message being logged keeps the sink alive while set_log_sink replaces it.
std::shared_ptr<const log_sink>& current_sink() {
  static std::shared_ptr<const log_sink> sink = std::make_shared<const log_sink>(default_sink);
  return sink;
}

}  // namespace

void set_log_sink(log_sink sink) {
  auto next = std::make_shared<const log_sink>(std::move(sink));
  std::lock_guard lock(sink_mutex());
  current_sink() = std::move(next);
}

std::string_view to_string(log_level level) {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warning:
      return "warning";
    case log_level::error:
      return "error";
  }
  return "unknown";
}

namespace detail {

void log(log_level level, std::string_view message) noexcept {
  std::shared_ptr<const log_sink> sink;
  {
    std::lock_guard lock(sink_mutex());
    sink = current_sink();
  }
  if (!sink || !*sink) return;
  try {
    (*sink)(level, message);
  } catch (...) {
    // A sink must not throw; if it does, the message is lost rather than the caller's work.
  }
}

}  // namespace detail
}  // namespace pgqrs
