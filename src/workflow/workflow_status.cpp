#include <array>
#include <utility>

#include "pgqrs/workflow.hpp"

namespace pgqrs {

namespace {
constexpr std::array<std::pair<workflow_status, std::string_view>, 7> names{{
    {workflow_status::queued, "QUEUED"},
    {workflow_status::running, "RUNNING"},
    {workflow_status::paused, "PAUSED"},
    {workflow_status::cancelling, "CANCELLING"},
    {workflow_status::cancelled, "CANCELLED"},
    {workflow_status::success, "SUCCESS"},
    {workflow_status::error, "ERROR"},
}};
}  // namespace

std::string_view to_string(workflow_status s) {
  for (const auto& [status, name] : names) {
    if (status == s) return name;
  }
  return "UNKNOWN";
}

std::optional<workflow_status> parse_workflow_status(std::string_view text) {
  for (const auto& [status, name] : names) {
    if (name == text) return status;
  }
  return std::nullopt;
}

bool is_terminal(workflow_status s) {
  return s == workflow_status::success || s == workflow_status::error || s == workflow_status::cancelled;
}

}  // namespace pgqrs
