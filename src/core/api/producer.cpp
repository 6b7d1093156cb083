#include "pgqrs/producer.hpp"

#include "core/ops/message_ops.hpp"
#include "core/api/store_state.hpp"

namespace pgqrs {

producer producer::with_time(timestamp t) const {
  return copy_with_time<producer>(t);
}

queue_message producer::enqueue(const json& payload) const {
  return enqueue_at(payload, current_time(), std::chrono::milliseconds{0});
}

queue_message producer::enqueue_delayed(const json& payload, std::chrono::milliseconds delay) const {
  return enqueue_at(payload, current_time(), delay);
}

queue_message producer::enqueue_at(const json& payload, timestamp now,
                                   std::chrono::milliseconds delay) const {
  return batch_enqueue_at(std::span<const json>(&payload, 1), now, delay).front();
}

std::vector<queue_message> producer::batch_enqueue(std::span<const json> payloads) const {
  return batch_enqueue_at(payloads, current_time(), std::chrono::milliseconds{0});
}

std::vector<queue_message> producer::batch_enqueue_delayed(std::span<const json> payloads,
                                                           std::chrono::milliseconds delay) const {
  return batch_enqueue_at(payloads, current_time(), delay);
}

std::vector<queue_message> producer::batch_enqueue_at(std::span<const json> payloads, timestamp now,
                                                      std::chrono::milliseconds delay) const {
  auto* bucket = m_state->bucket ? &*m_state->bucket : nullptr;
  return detail::enqueue_validated(*m_state->core, queue(), payloads, bucket, now, delay, worker_id());
}

std::optional<queue_message> producer::get_message_by_id(std::int64_t id) const {
  return detail::get_message(*m_state->core, id);
}

std::optional<queue_message> producer::replay_dlq(std::int64_t archived_id) const {
  return detail::replay_message(*m_state->core, archived_id, current_time());
}

const pgqrs::validation_config& producer::validation_config() const {
  return m_state->core->cfg.validation;
}

std::optional<pgqrs::rate_limit_status> producer::rate_limit_status() const {
  if (!m_state->bucket) return std::nullopt;
  return m_state->bucket->status();
}

}  // namespace pgqrs
