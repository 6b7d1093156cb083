#include "records.hpp"

#include <optional>

namespace pgqrs::cli {

namespace {
ordered_json time_json(const std::optional<timestamp>& t) {
  return t ? ordered_json(format_rfc3339(*t)) : ordered_json();
}
template <typename T>
ordered_json optional_json(const std::optional<T>& v) {
  return v ? ordered_json(*v) : ordered_json();
}
// Payloads and step outputs are nlohmann::json; output keeps their own key order as parsed.
ordered_json payload_json(const json& j) {
  return ordered_json::parse(j.dump());
}
ordered_json optional_payload(const std::optional<json>& j) {
  return j ? payload_json(*j) : ordered_json();
}
double seconds_of(std::chrono::microseconds d) {
  return std::chrono::duration<double>(d).count();
}
void add_status_counts(ordered_json& j, const worker_status_counts& c) {
  j["total_workers"] = c.total_workers;
  j["ready_workers"] = c.ready_workers;
  j["polling_workers"] = c.polling_workers;
  j["interrupted_workers"] = c.interrupted_workers;
  j["suspended_workers"] = c.suspended_workers;
  j["stopped_workers"] = c.stopped_workers;
}
}  // namespace

ordered_json record_json(const queue_record& r) {
  return {{"id", r.id}, {"queue_name", r.queue_name}, {"created_at", format_rfc3339(r.created_at)}};
}

ordered_json record_json(const queue_message& m) {
  return {{"id", m.id},
          {"queue_id", m.queue_id},
          {"read_ct", m.read_ct},
          {"enqueued_at", format_rfc3339(m.enqueued_at)},
          {"vt", format_rfc3339(m.vt)},
          {"dequeued_at", time_json(m.dequeued_at)},
          {"producer_worker_id", optional_json(m.producer_worker_id)},
          {"consumer_worker_id", optional_json(m.consumer_worker_id)},
          {"archived_at", time_json(m.archived_at)},
          {"payload", payload_json(m.payload)}};
}

ordered_json record_json(const worker_record& w) {
  return {{"id", w.id},
          {"name", w.name},
          {"queue_id", optional_json(w.queue_id)},
          {"status", std::string(to_string(w.status))},
          {"started_at", format_rfc3339(w.started_at)},
          {"heartbeat_at", format_rfc3339(w.heartbeat_at)},
          {"shutdown_at", time_json(w.shutdown_at)}};
}

ordered_json record_json(const queue_metrics& m) {
  return {{"name", m.name},
          {"total_messages", m.total_messages},
          {"pending_messages", m.pending_messages},
          {"locked_messages", m.locked_messages},
          {"delayed_messages", m.delayed_messages},
          {"archived_messages", m.archived_messages},
          {"dead_lettered_messages", m.dead_lettered_messages},
          {"oldest_pending_message", time_json(m.oldest_pending_message)},
          {"newest_message", time_json(m.newest_message)}};
}

ordered_json record_json(const system_stats& s) {
  return {{"total_queues", s.total_queues},
          {"total_workers", s.total_workers},
          {"active_workers", s.active_workers},
          {"total_messages", s.total_messages},
          {"pending_messages", s.pending_messages},
          {"locked_messages", s.locked_messages},
          {"archived_messages", s.archived_messages},
          {"dead_lettered_messages", s.dead_lettered_messages},
          {"schema_version", s.schema_version}};
}

ordered_json record_json(const worker_stats& s) {
  ordered_json j;
  add_status_counts(j, s);
  j["average_messages_per_worker"] = s.average_messages_per_worker;
  j["oldest_worker_age_seconds"] = seconds_of(s.oldest_worker_age);
  j["newest_heartbeat_age_seconds"] = seconds_of(s.newest_heartbeat_age);
  return j;
}

ordered_json record_json(const worker_health_stats& s) {
  ordered_json j{{"queue_name", s.queue_name}};
  add_status_counts(j, s);
  j["stale_workers"] = s.stale_workers;
  return j;
}

ordered_json record_json(const workflow_record& w) {
  return {{"id", w.id}, {"name", w.name}, {"queue_id", w.queue_id}, {"created_at", format_rfc3339(w.created_at)}};
}

ordered_json record_json(const run_record& r) {
  return {{"id", r.id},
          {"workflow_id", r.workflow_id},
          {"message_id", r.message_id},
          {"status", std::string(to_string(r.status))},
          {"key", optional_json(r.key)},
          {"worker_id", optional_json(r.worker_id)},
          {"created_at", format_rfc3339(r.created_at)},
          {"started_at", time_json(r.started_at)},
          {"completed_at", time_json(r.completed_at)},
          {"input", payload_json(r.input)},
          {"output", optional_payload(r.output)},
          {"error", optional_payload(r.error)}};
}

ordered_json record_json(const step_record& s) {
  return {{"id", s.id},
          {"run_id", s.run_id},
          {"step_name", s.step_name},
          {"status", std::string(to_string(s.status))},
          {"retry_count", s.retry_count},
          {"retry_at", time_json(s.retry_at)},
          {"started_at", time_json(s.started_at)},
          {"completed_at", time_json(s.completed_at)},
          {"output", optional_payload(s.output)},
          {"error", optional_payload(s.error)}};
}

}  // namespace pgqrs::cli
