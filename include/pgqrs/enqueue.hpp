#pragma once
/// @file enqueue.hpp
/// `pgqrs::enqueue().message(j).to("tasks").execute(store)` — one-shot enqueue (spec §3.2).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pgqrs/producer.hpp"
#include "pgqrs/store.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs {

class enqueue_builder {
 public:
  enqueue_builder& message(json payload);
  enqueue_builder& messages(std::vector<json> payloads);
  /// Enqueue into this queue without a registered producer (no worker row is created).
  enqueue_builder& to(std::string queue);
  /// Enqueue through this producer (its rate limiter and worker id).
  enqueue_builder& worker(const producer& p);
  enqueue_builder& delay(std::chrono::seconds d);
  enqueue_builder& with_delay(std::chrono::milliseconds d);
  /// Use `t` as "now" (enqueued_at; vt = t + delay).
  enqueue_builder& at(timestamp t);

  /// @returns the new message ids in order
  /// @throws validation_error (no messages, no queue), queue_not_found, payload errors, rate_limited
  std::vector<std::int64_t> execute(const store& s) const;

 private:
  std::vector<json> m_payloads;
  std::optional<std::string> m_queue;
  std::optional<producer> m_producer;
  std::chrono::milliseconds m_delay{0};
  std::optional<timestamp> m_at;
};

[[nodiscard]] inline enqueue_builder enqueue() {
  return {};
}

}  // namespace pgqrs
