#pragma once
// A progress line for long-running tools. On a terminal it is one line rewritten in place (carriage return,
// erase to the end of the line) and erased when done; into a file or a pipe (CI logs) it writes a line only
// every few seconds, so a log holds a handful of lines per phase instead of one every few hundred ms.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace pgqrs::tools {

class progress_line {
 public:
  /// Writes to standard error; a terminal when stderr is one.
  explicit progress_line(std::chrono::seconds sparse_interval = std::chrono::seconds(5));
  /// Erases the line.
  ~progress_line();
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  /// Shows `text` (thread-safe). Not on a terminal: written only if the last line is `sparse_interval` old.
  void update(const std::string& text);
  /// Erases the line (before other output). Not on a terminal the next update is written at once.
  void clear();
  [[nodiscard]] bool on_terminal() const noexcept { return m_tty; }

 private:
  std::mutex m_mutex;
  bool m_tty;
  bool m_shown = false;
  std::chrono::seconds m_interval;
  std::optional<std::chrono::steady_clock::time_point> m_last_written;
};

}  // namespace pgqrs::tools
