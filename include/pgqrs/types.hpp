#pragma once
/// @file types.hpp
/// Value types shared by the whole API: JSON payloads, timestamps, records read from the database.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace pgqrs {

/// JSON is the payload type at the API boundary.
using json = nlohmann::json;

/// A UTC point in time with microsecond precision (the precision PostgreSQL stores).
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// The current wall-clock time, truncated to microseconds.
[[nodiscard]] timestamp now();

/// RFC 3339 with a `+00:00` offset and fractional seconds only when non-zero
/// (e.g. `2026-04-01T10:00:00.123456+00:00`), the format the original Python package returns.
[[nodiscard]] std::string format_rfc3339(timestamp t);

/// Parses RFC 3339 / ISO 8601 (`T` or space separator, optional fraction, `Z` or `±HH:MM` offset).
/// @returns std::nullopt when the text is not a valid timestamp.
[[nodiscard]] std::optional<timestamp> parse_rfc3339(std::string_view text);

/// Worker lifecycle states (§4.2). Displayed lowercase.
enum class worker_status { ready, polling, suspended, interrupted, stopped };

[[nodiscard]] std::string_view to_string(worker_status s);
[[nodiscard]] std::optional<worker_status> parse_worker_status(std::string_view text);

/// Which kind of concurrency a backend supports.
enum class concurrency_model {
  multi_process,  ///< many processes and hosts (PostgreSQL)
  single_node     ///< many threads and processes on one machine sharing a file (SQLite family)
};

/// A row of `pgqrs_queues`.
struct queue_record {
  std::int64_t id = 0;
  std::string queue_name;
  timestamp created_at{};
};

/// A message, live or archived.
struct queue_message {
  std::int64_t id = 0;
  std::int64_t queue_id = 0;
  json payload;
  /// Visible-at time: ready when `vt <= now`; for a leased message it is the lease expiry.
  timestamp vt{};
  timestamp enqueued_at{};
  /// Number of times the message has been leased.
  std::int32_t read_ct = 0;
  /// First lease time (kept across redeliveries).
  std::optional<timestamp> dequeued_at;
  std::optional<std::int64_t> producer_worker_id;
  /// Current (or last) lease owner.
  std::optional<std::int64_t> consumer_worker_id;
  /// Set once the message is archived (acknowledged or dead-lettered).
  std::optional<timestamp> archived_at;

  /// Time from enqueue to first lease, if leased.
  [[nodiscard]] std::optional<std::chrono::microseconds> processing_duration() const {
    if (!dequeued_at) return std::nullopt;
    return *dequeued_at - enqueued_at;
  }
};

/// A row of `pgqrs_workers`.
struct worker_record {
  std::int64_t id = 0;
  std::string name;
  /// NULL for admin workers.
  std::optional<std::int64_t> queue_id;
  timestamp started_at{};
  timestamp heartbeat_at{};
  std::optional<timestamp> shutdown_at;
  worker_status status = worker_status::ready;
};

/// Workers per status (spec §4.5).
struct worker_status_counts {
  std::uint32_t total_workers = 0;
  std::uint32_t ready_workers = 0;
  std::uint32_t polling_workers = 0;
  std::uint32_t interrupted_workers = 0;
  std::uint32_t suspended_workers = 0;
  std::uint32_t stopped_workers = 0;
};

/// Workers of one queue (spec §4.5).
struct worker_stats : worker_status_counts {
  /// Unexpired leases held by the queue's workers, per worker (0 without workers).
  double average_messages_per_worker = 0.0;
  /// now - earliest started_at (zero without workers).
  std::chrono::microseconds oldest_worker_age{0};
  /// now - latest heartbeat_at (zero without workers).
  std::chrono::microseconds newest_heartbeat_age{0};

  /// "WorkerStats { total: 3, ready: 1, ... }" as the original displays it.
  [[nodiscard]] std::string to_string() const;
};

/// Worker health, for all workers ("Global") or per queue ("Admin" for workers without one) (spec §4.5).
struct worker_health_stats : worker_status_counts {
  std::string queue_name;
  /// Ready or polling, with a heartbeat older than the timeout.
  std::uint32_t stale_workers = 0;
};

/// Message counts of one queue (spec §5.3). Leases expire here (DESIGN decision 2), so a message whose lease
/// ended counts as pending, not locked.
struct queue_metrics {
  std::string name;
  /// Live and archived.
  std::int64_t total_messages = 0;
  /// Live and not under an unexpired lease: ready, delayed or poison.
  std::int64_t pending_messages = 0;
  /// Live and under an unexpired lease.
  std::int64_t locked_messages = 0;
  /// Acknowledged and dead-lettered.
  std::int64_t archived_messages = 0;
  /// Earliest enqueue time of a pending message.
  std::optional<timestamp> oldest_pending_message;
  /// Latest enqueue time of any message, live or archived.
  std::optional<timestamp> newest_message;
  /// Pending messages visible only later: enqueued with a delay, released with a visibility time, or a
  /// workflow run waiting (retry, sleep, pause). Not leased, vt in the future.
  std::int64_t delayed_messages = 0;
  /// Archived messages that were dead-lettered (poison: read_ct reached max_read_ct), a part of
  /// archived_messages.
  std::int64_t dead_lettered_messages = 0;
};

/// Whole-database counts (spec §5.3).
struct system_stats {
  std::int64_t total_queues = 0;
  std::int64_t total_workers = 0;
  /// Ready or polling (the original counts ready only, leaving out every worker inside a poll loop).
  std::int64_t active_workers = 0;
  /// Live messages (the sum of the three below minus archived).
  std::int64_t total_messages = 0;
  std::int64_t pending_messages = 0;
  std::int64_t locked_messages = 0;
  /// Acknowledged and dead-lettered.
  std::int64_t archived_messages = 0;
  /// The highest applied migration version (the original reports a fixed "0.5.0").
  std::string schema_version;
  /// Archived messages that were dead-lettered, a part of archived_messages.
  std::int64_t dead_lettered_messages = 0;
};

/// What a consumer's handler poll loops did (consumer::loop_stats).
struct loop_stats {
  /// Messages whose handler succeeded and that were then archived (or attempted to).
  std::uint64_t messages_handled = 0;
  /// Handler calls that threw (their messages were released).
  std::uint64_t handler_failures = 0;
  /// Failures the loops waited out: lost connections, a restarting server, a busy database.
  std::uint64_t transient_errors = 0;
};

/// Token-bucket state of a producer's rate limiter (§11.4).
struct rate_limit_status {
  std::uint32_t available_tokens = 0;
  std::uint32_t max_per_second = 0;
  std::uint32_t burst_capacity = 0;

  [[nodiscard]] double utilization_percentage() const {
    if (burst_capacity == 0) return 0.0;
    return 100.0 * (1.0 - static_cast<double>(available_tokens) / burst_capacity);
  }
  [[nodiscard]] bool is_near_empty() const {
    return burst_capacity > 0 && available_tokens * 10 <= burst_capacity;
  }
  [[nodiscard]] bool is_full() const { return available_tokens >= burst_capacity; }
};

}  // namespace pgqrs
