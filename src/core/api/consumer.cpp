#include "pgqrs/consumer.hpp"

#include "core/api/liveness.hpp"
#include "core/ops/admin_ops.hpp"
#include "core/ops/message_ops.hpp"
#include "core/api/store_state.hpp"
#include "core/ops/worker_ops.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs {

consumer consumer::with_time(timestamp t) const {
  return copy_with_time<consumer>(t);
}

std::optional<queue_message> consumer::dequeue() const {
  return dequeue_delay(default_lease);
}

std::vector<queue_message> consumer::dequeue_many(std::size_t n) const {
  return dequeue_many_with_delay(n, default_lease);
}

std::optional<queue_message> consumer::dequeue_delay(std::chrono::milliseconds lease) const {
  auto msgs = dequeue_many_with_delay(1, lease);
  if (msgs.empty()) return std::nullopt;
  return std::move(msgs.front());
}

std::vector<queue_message> consumer::dequeue_many_with_delay(std::size_t n,
                                                             std::chrono::milliseconds lease) const {
  detail::check_dequeue_args(*m_state->core, n, lease);
  detail::beat_before_claim(*m_state);
  return detail::claim_messages(*m_state->core, queue().id, worker_id(), n, lease, m_time);
}

std::vector<queue_message> consumer::dequeue_at(std::size_t n, std::chrono::milliseconds lease,
                                                timestamp now) const {
  detail::check_dequeue_args(*m_state->core, n, lease);
  detail::beat_before_claim(*m_state);
  return detail::claim_messages(*m_state->core, queue().id, worker_id(), n, lease, now);
}

std::optional<queue_message> consumer::archive(std::int64_t id) const {
  auto rows = detail::archive_messages(*m_state->core, {id}, worker_id(), current_time());
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<bool> consumer::archive_many(const std::vector<std::int64_t>& ids) const {
  return detail::flags_for(ids,
                           detail::archive_message_ids(*m_state->core, ids, worker_id(), current_time()));
}

bool consumer::delete_message(std::int64_t id) const {
  return delete_many({id}).front();
}

std::vector<bool> consumer::delete_many(const std::vector<std::int64_t>& ids) const {
  return detail::flags_for(ids, detail::delete_owned_messages(*m_state->core, ids, worker_id()));
}

bool consumer::extend_vt(std::int64_t id, std::chrono::milliseconds additional) const {
  return extend_vt_many({id}, additional).front();
}

std::vector<bool> consumer::extend_vt_many(const std::vector<std::int64_t>& ids,
                                           std::chrono::milliseconds additional) const {
  return detail::flags_for(ids, detail::extend_messages(*m_state->core, ids, worker_id(), additional));
}

std::uint64_t consumer::release_messages(const std::vector<std::int64_t>& ids) const {
  return detail::release_messages(*m_state->core, ids, worker_id(), current_time(), current_time()).size();
}

bool consumer::release_with_visibility(std::int64_t id, timestamp visible_at) const {
  return !detail::release_messages(*m_state->core, {id}, worker_id(), visible_at, current_time()).empty();
}

void consumer::poll() const {
  detail::worker_start_polling(*m_state->core, worker_id(), current_time());
}

void consumer::complete_poll() const {
  detail::worker_complete_poll(*m_state->core, worker_id(), current_time());
}

void consumer::interrupt() const {
  detail::worker_interrupt(*m_state->core, worker_id(), current_time());
}

pgqrs::loop_stats consumer::loop_stats() const {
  return {m_state->messages_handled.load(std::memory_order_relaxed),
          m_state->handler_failures.load(std::memory_order_relaxed),
          m_state->transient_errors.load(std::memory_order_relaxed)};
}

void consumer::shutdown() const {
  const auto t = current_time();
  auto held = detail::count_held_messages(*m_state->core, queue().id, worker_id(), t);
  if (held > 0) throw worker_has_pending_messages(static_cast<std::uint64_t>(held));
  detail::worker_shutdown(*m_state->core, worker_id(), t);
}

}  // namespace pgqrs
