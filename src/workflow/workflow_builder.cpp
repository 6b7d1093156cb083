// pgqrs::workflow(): definitions, triggers and the worker loops that execute runs.

#include <atomic>
#include <mutex>
#include <thread>

#include "core/api/handle_factory.hpp"
#include "core/common/stored_text.hpp"
#include "core/api/lease_keeper.hpp"
#include "core/api/liveness.hpp"
#include "core/api/poll_loop.hpp"
#include "core/api/store_state.hpp"
#include "core/common/validation.hpp"
#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "pgqrs/workflow.hpp"
#include "workflow/executor.hpp"
#include "workflow/workflow_ops.hpp"

namespace pgqrs {

struct workflow_builder::counters {
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> cancelled{0};
  std::atomic<std::uint64_t> suspended{0};
  std::atomic<std::uint64_t> fenced{0};
  std::atomic<std::uint64_t> transient{0};

  void count(detail::run_outcome o) {
    switch (o) {
      case detail::run_outcome::completed: ++completed; break;
      case detail::run_outcome::failed: ++failed; break;
      case detail::run_outcome::cancelled: ++cancelled; break;
      case detail::run_outcome::suspended: ++suspended; break;
      case detail::run_outcome::fenced: ++fenced; break;
      case detail::run_outcome::gave_back: ++transient; break;
    }
  }
};

namespace {

using steady = std::chrono::steady_clock;

}  // namespace

workflow_builder::workflow_builder() : m_counters(std::make_shared<counters>()) {}

workflow_builder workflow() {
  return workflow_builder{};
}

workflow_builder& workflow_builder::name(const workflow_def& def) {
  m_name = def.name();
  m_def = std::make_shared<const workflow_def>(def);
  return *this;
}

workflow_builder& workflow_builder::name(std::string workflow_name) {
  m_name = std::move(workflow_name);
  m_def.reset();
  return *this;
}

workflow_builder& workflow_builder::fail_if_exists(bool fail) {
  m_fail_if_exists = fail;
  return *this;
}

workflow_builder& workflow_builder::consumer(const pgqrs::consumer& c) {
  m_consumer = c;
  return *this;
}

workflow_builder& workflow_builder::concurrency(std::size_t n) {
  if (n == 0) throw validation_error("concurrency must be >= 1");
  m_concurrency = n;
  return *this;
}

workflow_builder& workflow_builder::lease(std::chrono::milliseconds l) {
  if (l.count() <= 0) throw validation_error("lease must be positive");
  m_lease = l;
  return *this;
}

workflow_builder& workflow_builder::poll_interval(std::chrono::milliseconds interval) {
  m_poll_interval = interval;
  return *this;
}

workflow_builder& workflow_builder::at(timestamp t) {
  m_at = t;
  return *this;
}

workflow_record workflow_builder::create(const store& s) const {
  if (!m_name) throw validation_error("Workflow name is required");
  auto [record, created] = detail::wf::create_workflow(detail::core_of(s), *m_name, now());
  if (!created && m_fail_if_exists) throw workflow_already_exists(*m_name);
  return record;
}

trigger_builder workflow_builder::trigger(json input) const {
  if (!m_name) throw validation_error("Workflow name is required");
  return trigger_builder(*m_name, std::move(input));
}

workflow_loop_stats workflow_builder::stats() const {
  if (!m_counters) return {};
  return {m_counters->completed.load(), m_counters->failed.load(), m_counters->cancelled.load(),
          m_counters->suspended.load(), m_counters->fenced.load(), m_counters->transient.load()};
}

workflow_builder::runner workflow_builder::resolve_runner(const store& s) const {
  if (!m_def) throw validation_error("a workflow definition with its function is required to run workflows");
  const auto& core = detail::core_of(s);
  auto wf = detail::wf::require_workflow(core, *m_name);
  auto c = m_consumer ? *m_consumer
                      : detail::handle_factory::make_consumer(detail::cached_consumer(*detail::state_of(s), wf.name));
  detail::check_worker_of(wf, c);
  return {std::move(wf), std::move(c)};
}

bool workflow_builder::execute(const store& s) const {
  const auto& core = detail::core_of(s);
  auto [wf, c] = resolve_runner(s);
  auto ws = detail::state_of(c);
  detail::stop_if_not_running(core, ws->record.id, false);
  detail::beat_before_claim(*ws);
  auto claimed = detail::wf::claim_run(core, wf, ws->record.id, m_lease, m_at);
  if (!claimed) return false;
  detail::lease_keeper keeper(ws, m_lease, !m_at);
  auto outcome = detail::execute_run(*m_def, wf, std::move(*claimed), *ws, keeper, m_at);
  if (m_counters) m_counters->count(outcome);
  return true;
}

void workflow_builder::poll(const store& s) const {
  run_loops(s, {});
}

void workflow_builder::poll(const store& s, std::stop_token stop) const {
  run_loops(s, std::move(stop));
}

void workflow_builder::run_loops(const store& s, std::stop_token outer_stop) const {
  const auto& core = detail::core_of(s);
  // Named members, not a structured binding: the loop lambdas below capture them (Clang before 16 cannot
  // capture structured bindings, and the fuzz and sanitizer builds use Clang).
  const runner resolved = resolve_runner(s);
  const workflow_record& wf = resolved.wf;
  const auto ws_ptr = detail::state_of(resolved.worker);
  auto& ws = *ws_ptr;
  detail::stop_if_not_running(core, ws.record.id, false);
  detail::poll_membership membership(core, ws);
  const auto tick = m_poll_interval.value_or(core.cfg.poll_interval);

  // The loops stop together: when the caller asks, or when one of them meets a reason to end (interrupt,
  // suspend, a non-transient database error), which the caller then receives.
  std::stop_source stop_all;
  std::stop_callback forward(outer_stop, [&] { stop_all.request_stop(); });
  std::mutex failure_mutex;
  std::exception_ptr failure;

  auto loop = [&, this] {
    const auto stop = stop_all.get_token();
    try {
      detail::lease_keeper keeper(ws_ptr, m_lease, !m_at);
      detail::backoff pause;
      auto last_status_check = steady::now();
      // The next run, claimed by the statement that completed the previous one (one commit per run fewer).
      // A run claimed so but not executed (the loop stops first) is given back at once.
      detail::next_claim next{wf, m_lease, &ws, std::nullopt};
      struct give_back_on_exit {
        const detail::store_core& core;
        detail::next_claim& next;
        std::int64_t worker_id;
        std::optional<timestamp> at;
        ~give_back_on_exit() {
          if (next.claimed) detail::give_back_unexecuted(core, *next.claimed, worker_id, at);
        }
      } unexecuted{core, next, ws.record.id, m_at};
      while (!stop.stop_requested()) {
        std::optional<detail::wf::claimed_run> claimed = std::move(next.claimed);
        next.claimed.reset();
        try {
          // A run claimed with the last completion is under a lease nobody renews until it executes: no
          // write (a heartbeat waiting for a busy database) between that claim and its execution.
          if (!claimed) {
            detail::beat_before_claim(ws);
            claimed = detail::wf::claim_run(core, wf, ws.record.id, m_lease, m_at);
          }
          if (!claimed || steady::now() - last_status_check >= tick) {
            detail::stop_if_not_running(core, ws.record.id, true);
            last_status_check = steady::now();
          }
          detail::note_recovered(ws, pause);
        } catch (const error& e) {
          next.claimed = std::move(claimed);  // a run claimed with the last completion goes back on exit
          if (!detail::is_transient(e)) throw;
          if (m_counters) ++m_counters->transient;
          // The run claimed in a failed transaction was not claimed; try again after a pause.
          detail::sleep_for(detail::note_transient(ws, pause, e), stop);
          continue;
        }
        if (!claimed) {
          detail::sleep_for(tick, stop);
          continue;
        }
        auto outcome = detail::execute_run(*m_def, wf, std::move(*claimed), ws, keeper, m_at, &next);
        if (m_counters) m_counters->count(outcome);
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      stop_all.request_stop();
    }
  };

  if (m_concurrency == 1) {
    loop();
  } else {
    std::vector<std::jthread> threads;
    threads.reserve(m_concurrency);
    for (std::size_t i = 0; i < m_concurrency; ++i) threads.emplace_back(loop);
    threads.clear();  // joins
  }
  if (failure) std::rethrow_exception(failure);
  try {
    membership.finish();
  } catch (const error& e) {
    if (!detail::is_transient(e)) throw;
  }
}

// ---------------------------------------------------------------- trigger

trigger_builder& trigger_builder::key(std::string k) {
  if (k.empty()) throw validation_error("trigger key must not be empty");
  if (k.size() > 255) throw validation_error("trigger key exceeds 255 characters");
  detail::check_stored_text("trigger key", k);
  m_key = std::move(k);
  return *this;
}

trigger_builder& trigger_builder::producer(const pgqrs::producer& p) {
  m_producer = p;
  return *this;
}

trigger_builder& trigger_builder::delay(std::chrono::milliseconds d) {
  if (d.count() < 0) throw validation_error("delay cannot be negative");
  m_delay = d;
  return *this;
}

queue_message trigger_builder::execute(const store& s) const {
  const auto& core = detail::core_of(s);
  auto wf = detail::wf::require_workflow(core, m_workflow);
  auto queue = detail::find_queue_by_id(core, wf.queue_id);
  if (!queue) throw queue_not_found(m_workflow);
  json payload{{"input", m_input}};
  std::shared_ptr<detail::worker_state> producer_state;
  if (m_producer) {
    producer_state = detail::state_of(*m_producer);
    if (!producer_state->queue || producer_state->queue->id != queue->id) {
      throw validation_error("producer of another queue cannot trigger workflow '" + m_workflow + "'");
    }
  }
  std::vector<json> one{payload};
  auto texts = detail::validate_batch(one, core.cfg.validation, [&] {
    if (producer_state && producer_state->bucket) producer_state->bucket->acquire(1);
  });
  std::optional<std::int64_t> producer_id;
  if (producer_state) producer_id = producer_state->record.id;
  return detail::wf::trigger_run(core, wf, *queue, payload, m_key, texts.front(), now(), m_delay, producer_id);
}

}  // namespace pgqrs
