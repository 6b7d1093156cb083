#include "pgqrs/enqueue.hpp"

#include "core/ops/message_ops.hpp"
#include "core/ops/queue_ops.hpp"
#include "core/api/store_state.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs {

enqueue_builder& enqueue_builder::message(json payload) {
  m_payloads.push_back(std::move(payload));
  return *this;
}

enqueue_builder& enqueue_builder::messages(std::vector<json> payloads) {
  for (auto& p : payloads) m_payloads.push_back(std::move(p));
  return *this;
}

enqueue_builder& enqueue_builder::to(std::string queue) {
  m_queue = std::move(queue);
  return *this;
}

enqueue_builder& enqueue_builder::worker(const producer& p) {
  m_producer = p;
  return *this;
}

enqueue_builder& enqueue_builder::delay(std::chrono::seconds d) {
  return with_delay(d);
}

enqueue_builder& enqueue_builder::with_delay(std::chrono::milliseconds d) {
  m_delay = d;
  return *this;
}

enqueue_builder& enqueue_builder::at(timestamp t) {
  m_at = t;
  return *this;
}

std::vector<std::int64_t> enqueue_builder::execute(const store& s) const {
  if (m_payloads.empty()) {
    throw validation_error("No messages to enqueue. Use .message() or .messages() before .execute().");
  }
  std::vector<queue_message> inserted;
  if (m_producer) {
    const producer p = m_at ? m_producer->with_time(*m_at) : *m_producer;
    inserted = p.batch_enqueue_at(m_payloads, p.current_time(), m_delay);
  } else if (m_queue) {
    const auto& core = detail::core_of(s);
    auto queue = detail::require_queue(core, *m_queue);
    // No worker row for a one-shot enqueue (the original registered one per call, forever). Like the
    // original, each call gets a fresh token bucket: a single call cannot exceed the burst capacity.
    auto bucket = detail::token_bucket::from_rules(core.cfg.validation);
    inserted = detail::enqueue_validated(core, queue, m_payloads, bucket ? &*bucket : nullptr,
                                         m_at.value_or(now()), m_delay, std::nullopt);
  } else {
    throw validation_error("Queue name is required. Use .to(\"queue-name\") or .worker(&producer)");
  }
  std::vector<std::int64_t> ids;
  ids.reserve(inserted.size());
  for (const auto& m : inserted) ids.push_back(m.id);
  return ids;
}

}  // namespace pgqrs
