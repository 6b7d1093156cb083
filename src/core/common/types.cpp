#include "pgqrs/types.hpp"

#include <array>
#include <charconv>
#include <cstdio>

namespace pgqrs {

timestamp now() {
  return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string format_rfc3339(timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> time{t - day};
  std::array<char, 48> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                        static_cast<int>(time.seconds().count()));
  std::string out(buf.data(), static_cast<std::size_t>(n));
  if (auto us = time.subseconds().count(); us != 0) {
    // chrono's to_rfc3339 prints 3, 6 or 9 digits: the shortest of those that is exact.
    std::snprintf(buf.data(), buf.size(), us % 1000 == 0 ? ".%03lld" : ".%06lld",
                  static_cast<long long>(us % 1000 == 0 ? us / 1000 : us));
    out += buf.data();
  }
  out += "+00:00";
  return out;
}

namespace {
bool read_int(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
  for (std::size_t i = 0; i < digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::from_chars(s.data(), s.data() + digits, out);
  s.remove_prefix(digits);
  return true;
}
bool expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}
}  // namespace

std::optional<timestamp> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_int(s, 4, y) || !expect(s, '-') || !read_int(s, 2, mo) || !expect(s, '-') || !read_int(s, 2, d)) {
    return std::nullopt;
  }
  if (s.empty() || (s.front() != 'T' && s.front() != 't' && s.front() != ' ')) return std::nullopt;
  s.remove_prefix(1);
  if (!read_int(s, 2, h) || !expect(s, ':') || !read_int(s, 2, mi) || !expect(s, ':') ||
      !read_int(s, 2, sec)) {
    return std::nullopt;
  }
  long long micros = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int digits = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      if (digits < 6) micros = micros * 10 + (s.front() - '0');
      ++digits;
      s.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (s == "Z" || s == "z") {
    s.remove_prefix(1);
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int oh = 0, om = 0;
    if (!read_int(s, 2, oh)) return std::nullopt;
    if (!s.empty() && s.front() == ':') s.remove_prefix(1);
    if (!s.empty() && !read_int(s, 2, om)) return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (!s.empty()) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  timestamp t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + microseconds{micros};
  return t - minutes{offset_minutes};
}

std::string_view to_string(worker_status s) {
  switch (s) {
    case worker_status::ready:
      return "ready";
    case worker_status::polling:
      return "polling";
    case worker_status::suspended:
      return "suspended";
    case worker_status::interrupted:
      return "interrupted";
    case worker_status::stopped:
      return "stopped";
  }
  return "unknown";
}

std::optional<worker_status> parse_worker_status(std::string_view text) {
  for (auto s : {worker_status::ready, worker_status::polling, worker_status::suspended,
                 worker_status::interrupted, worker_status::stopped}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string worker_stats::to_string() const {
  auto secs = [](std::chrono::microseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + "s";
  };
  char avg[32];
  std::snprintf(avg, sizeof avg, "%.2f", average_messages_per_worker);
  return "WorkerStats { total: " + std::to_string(total_workers) +
         ", ready: " + std::to_string(ready_workers) + ", polling: " + std::to_string(polling_workers) +
         ", interrupted: " + std::to_string(interrupted_workers) +
         ", suspended: " + std::to_string(suspended_workers) +
         ", stopped: " + std::to_string(stopped_workers) + ", avg_messages: " + avg +
         ", oldest_age: " + secs(oldest_worker_age) +
         ", newest_heartbeat_age: " + secs(newest_heartbeat_age) + " }";
}

}  // namespace pgqrs
