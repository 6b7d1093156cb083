#include "arguments.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace pgqrs::cli {

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what) {
  using namespace std::chrono;
  static const std::array<std::pair<std::string_view, milliseconds>, 6> units{
      {{"ms", milliseconds(1)}, {"s", seconds(1)}, {"m", minutes(1)}, {"h", hours(1)}, {"d", days(1)}, {"", seconds(1)}}};
  std::int64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (ec == std::errc() && number >= 0 && end != text.data()) {
    for (const auto& [name, scale] : units) {
      if (unit == name) return number * scale;
    }
  }
  throw usage_error(what + ": '" + text + "' is not a duration (e.g. 30s, 5m, 2h, 1d, 250ms)");
}

std::chrono::seconds parse_seconds(const std::string& text, const std::string& what) {
  return std::chrono::duration_cast<std::chrono::seconds>(parse_duration(text, what));
}

json parse_json_argument(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw usage_error(what + " is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
}

workflow_status parse_status_argument(const std::string& text) {
  std::string upper = text;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (auto status = parse_workflow_status(upper)) return *status;
  throw usage_error("--status: '" + text +
                    "' is not a run status (QUEUED, RUNNING, PAUSED, CANCELLING, CANCELLED, SUCCESS, ERROR)");
}

}  // namespace pgqrs::cli
