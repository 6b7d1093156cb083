// pgqrs::run(): a run seen from outside its workflow (status, result, cancel, resume), and inspection.

#include <thread>

#include "core/api/store_state.hpp"
#include "pgqrs/workflow.hpp"
#include "workflow/run_context.hpp"
#include "workflow/workflow_ops.hpp"

namespace pgqrs {

run_builder run() {
  return {};
}

run_builder& run_builder::message(const queue_message& m) {
  m_message_id = m.id;
  return *this;
}

run_builder& run_builder::message_id(std::int64_t id) {
  m_message_id = id;
  return *this;
}

std::int64_t run_builder::message_or_throw() const {
  if (!m_message_id) throw validation_error("a trigger message is required: run().message(m)");
  return *m_message_id;
}

run_record run_builder::execute(const store& s) const {
  return detail::wf::materialise_run(detail::core_of(s), message_or_throw(), now());
}

std::optional<run_record> run_builder::record(const store& s) const {
  return detail::wf::find_run_by_message(detail::core_of(s), message_or_throw());
}

std::optional<json> run_builder::get_json(const store& s) const {
  auto run = record(s);
  if (!run) return std::nullopt;
  switch (run->status) {
    case workflow_status::success:
      return run->output.value_or(json(nullptr));
    case workflow_status::error:
      throw execution_failed(run->id, run->error.value_or(json(nullptr)).dump());
    case workflow_status::cancelled:
      throw workflow_cancelled(run->id);
    default:
      return std::nullopt;
  }
}

json run_builder::result_json(const store& s, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto wait = std::chrono::milliseconds(10);
  for (;;) {
    if (auto out = get_json(s)) return *out;
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      throw timeout_error("waiting for the result of the run of message " + std::to_string(message_or_throw()));
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(wait, left));
    wait = std::min(wait * 2, std::chrono::milliseconds(500));
  }
}

run_record run_builder::start(const store& s) const {
  const auto& core = detail::core_of(s);
  return detail::wf::start_run(core, detail::wf::materialise_run(core, message_or_throw(), now()), now());
}

run_record run_builder::cancel(const store& s) const {
  const auto& core = detail::core_of(s);
  // Any actor may cancel, even before a worker has seen the message: the run is created for it then.
  auto run = detail::wf::materialise_run(core, message_or_throw(), now());
  return detail::wf::cancel_run(core, run, now());
}

namespace {
/// The run as it is now when a write from outside left it alone (finished, or cancelling for a pause).
run_record unchanged(const detail::store_core& core, const run_record& run, std::optional<run_record> written) {
  if (written) return *written;
  auto current = detail::wf::find_run(core, run.id);
  if (!current) throw not_found("Run", std::to_string(run.id));
  return *current;
}
}  // namespace

run_record run_builder::complete(const store& s, const json& output) const {
  const auto& core = detail::core_of(s);
  auto run = detail::wf::materialise_run(core, message_or_throw(), now());
  auto text = detail::output_text(output, "run " + std::to_string(run.id));
  return unchanged(core, run, detail::wf::finish_run(core, run.id, workflow_status::success, text, std::nullopt, now()));
}

run_record run_builder::fail(const store& s, const json& error) const {
  const auto& core = detail::core_of(s);
  auto run = detail::wf::materialise_run(core, message_or_throw(), now());
  return unchanged(core, run,
                   detail::wf::finish_run(core, run.id, workflow_status::error, std::nullopt, error.dump(), now()));
}

run_record run_builder::pause(const store& s, std::string_view message, std::chrono::milliseconds resume_after) const {
  const auto& core = detail::core_of(s);
  auto run = detail::wf::materialise_run(core, message_or_throw(), now());
  const json err{{"message", message}, {"resume_after", std::chrono::duration<double>(resume_after).count()}};
  return unchanged(core, run, detail::wf::pause_run(core, run.id, err.dump(), now()));
}

bool run_builder::resume(const store& s) const {
  return detail::wf::wake_run(detail::core_of(s), message_or_throw(), now());
}

std::vector<workflow_record> list_workflows(const store& s) {
  return detail::wf::list_workflows(detail::core_of(s));
}

std::optional<workflow_record> get_workflow(const store& s, std::string_view name) {
  return detail::wf::find_workflow(detail::core_of(s), std::string(name));
}

std::vector<run_record> list_runs(const store& s, const run_filter& filter) {
  const auto& core = detail::core_of(s);
  std::optional<std::int64_t> workflow_id;
  if (filter.workflow) workflow_id = detail::wf::require_workflow(core, *filter.workflow).id;
  if (filter.limit == 0) throw validation_error("limit must be >= 1");
  return detail::wf::list_runs(core, filter, workflow_id);
}

std::optional<run_record> get_run(const store& s, std::int64_t run_id) {
  return detail::wf::find_run(detail::core_of(s), run_id);
}

std::vector<step_record> list_steps(const store& s, std::int64_t run_id) {
  return detail::wf::list_steps(detail::core_of(s), run_id);
}

}  // namespace pgqrs
