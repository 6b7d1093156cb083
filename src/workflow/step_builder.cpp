// pgqrs::step(): the original's step API on a run from outside any worker (spec §7.5 acquire_step and
// fail_with_json), with its texts and its retry arithmetic, but with the policy applied as configured.


#include "core/api/store_state.hpp"
#include "pgqrs/workflow_execution.hpp"
#include "workflow/run_context.hpp"
#include "workflow/step_recorder.hpp"
#include "workflow/workflow_ops.hpp"

namespace pgqrs {

namespace {

/// The error's `retry_after`: whole seconds, fractional seconds, or the original's {"secs", "nanos"}.
std::optional<std::chrono::microseconds> retry_after_of(const json& error) {
  auto it = error.find("retry_after");
  if (it == error.end() || it->is_null()) return std::nullopt;
  double secs = 0;
  if (it->is_number()) {
    secs = it->get<double>();
  } else if (it->is_object() && it->contains("secs")) {
    secs = it->at("secs").get<double>() + it->value("nanos", 0.0) / 1e9;
  } else {
    throw validation_error("retry_after must be seconds or {\"secs\", \"nanos\"}");
  }
  if (!(secs >= 0)) throw validation_error("Invalid retry_after");
  return std::chrono::microseconds(static_cast<std::int64_t>(secs * 1e6));
}

}  // namespace

step_builder step() {
  return {};
}

step_builder& step_builder::run_id(std::int64_t id) {
  m_run_id = id;
  return *this;
}

step_builder& step_builder::name(std::string step_name) {
  m_name = std::move(step_name);
  return *this;
}

step_builder& step_builder::at(timestamp t) {
  m_at = t;
  return *this;
}

step_builder& step_builder::retry(retry_policy p) {
  m_policy = p;
  return *this;
}

std::int64_t step_builder::run_or_throw() const {
  if (!m_run_id) throw validation_error("Run is required");
  return *m_run_id;
}

const std::string& step_builder::name_or_throw() const {
  if (!m_name) throw validation_error("Step name is required");
  detail::check_step_name(*m_name);
  return *m_name;
}

timestamp step_builder::now_or_at() const {
  return m_at.value_or(pgqrs::now());
}

step_acquisition step_builder::acquire(const store& s) const {
  const auto& core = detail::core_of(s);
  const auto run_id = run_or_throw();
  const auto& name = name_or_throw();
  const auto t = now_or_at();
  auto run = detail::wf::find_run(core, run_id);
  if (!run) throw not_found("Run", std::to_string(run_id));
  if (run->status == workflow_status::cancelling) {
    (void)detail::wf::finish_run(core, run_id, workflow_status::cancelled, std::nullopt, std::nullopt, t);
    throw workflow_cancelled(run_id);
  }
  if (run->status == workflow_status::cancelled) throw workflow_cancelled(run_id);

  auto row = detail::wf::acquire_step(core, run_id, name, t);
  if (row.status == workflow_status::success) return {false, row.output.value_or(json(nullptr)), row};
  if (row.status == workflow_status::error) {
    if (!row.retry_at) {
      const auto err = row.error.value_or(detail::step_error_json(false, "UNKNOWN", "Unknown error"));
      throw retries_exhausted(err.dump(), static_cast<std::uint32_t>(row.retry_count));
    }
    if (t < *row.retry_at) throw step_not_ready(*row.retry_at, static_cast<std::uint32_t>(row.retry_count));
    row = detail::wf::clear_step_retry(core, row.id, t);
  }
  return {true, json(nullptr), row};
}

step_record step_builder::complete(const store& s, const json& output) const {
  const auto& core = detail::core_of(s);
  const auto run_id = run_or_throw();
  const auto& name = name_or_throw();
  const auto t = now_or_at();
  const auto current = detail::wf::find_step(core, run_id, name);
  auto text = detail::output_text(output, "step '" + name + "'");
  return detail::wf::record_step(core, run_id,
                                 {name, workflow_status::success, std::move(text), std::nullopt,
                                  current && current->started_at ? *current->started_at : t, t,
                                  current ? current->retry_count : 0, std::nullopt},
                                 t);
}

step_record step_builder::fail(const store& s, const json& error) const {
  const auto& core = detail::core_of(s);
  const auto run_id = run_or_throw();
  const auto& name = name_or_throw();
  const auto t = now_or_at();
  // As the original: an error without is_transient is a permanent failure whose message is its JSON text.
  json err = error.is_object() && error.contains("is_transient")
                 ? error
                 : detail::step_error_json(false, "NON_RETRYABLE", error.dump());
  const auto current = detail::wf::find_step(core, run_id, name);
  const auto count = current ? current->retry_count : 0;
  detail::wf::step_write w{name, workflow_status::error, std::nullopt, std::nullopt,
                           current && current->started_at ? *current->started_at : t, std::nullopt, count,
                           std::nullopt};
  const bool transient = err.value("is_transient", false);
  if (transient && m_policy.should_retry(static_cast<std::uint32_t>(count))) {
    const auto delay = retry_after_of(err).value_or(
        std::chrono::microseconds(m_policy.delay(static_cast<std::uint32_t>(count))));
    w.retry_at = t + delay;
    w.retry_count = count + 1;
  }
  w.error = err.dump();
  return detail::wf::record_step(core, run_id, w, t);
}

}  // namespace pgqrs
