#include "progress.hpp"

#include <unistd.h>

#include <iostream>

namespace pgqrs::tools {

progress_line::progress_line(std::chrono::seconds sparse_interval)
    : m_tty(::isatty(STDERR_FILENO) != 0), m_interval(sparse_interval) {}

progress_line::~progress_line() {
  clear();
}

void progress_line::update(const std::string& text) {
  std::lock_guard lock(m_mutex);
  if (m_tty) {
    std::cerr << "\r\033[K" << text << std::flush;
    m_shown = !text.empty();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (text.empty() || (m_last_written && now - *m_last_written < m_interval)) return;
  std::cerr << "  .. " << text << "\n" << std::flush;
  m_last_written = now;
}

void progress_line::clear() {
  std::lock_guard lock(m_mutex);
  if (m_tty && m_shown) std::cerr << "\r\033[K" << std::flush;
  m_shown = false;
  m_last_written.reset();
}

}  // namespace pgqrs::tools
