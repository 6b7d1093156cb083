#pragma once
// Raw-SQL ceilings measured in the same run as the library: the best hand-written lease + ack loop on each
// engine, with the same connection count, batch size, payload size and durability settings.
//
// PostgreSQL: one table with a partial index (vt, id) WHERE archived_at IS NULL; claim = one
//   `UPDATE … WHERE id IN (SELECT … ORDER BY vt, id LIMIT n FOR UPDATE SKIP LOCKED) RETURNING`; ack = one
//   `UPDATE … SET archived_at` (two commits per batch); named prepared statements; one connection per thread.
// SQLite (WAL, synchronous FULL like the library's default): the same statements inside BEGIN IMMEDIATE.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pgqrs::bench {

/// One connection to a raw queue table.
class raw_connection {
 public:
  virtual ~raw_connection() = default;
  struct claimed {
    std::int64_t id;
    std::int64_t enqueued_at_us;  // Unix epoch microseconds
  };
  /// Leases up to `batch` ready messages (30 s lease) and reads their payloads.
  virtual std::vector<claimed> claim(std::size_t batch) = 0;
  virtual void ack(const std::vector<std::int64_t>& ids) = 0;
  virtual void enqueue(const std::string& json_payload) = 0;
};

/// A raw queue table created for one measurement and dropped with this object.
class raw_queue {
 public:
  virtual ~raw_queue() = default;
  virtual std::unique_ptr<raw_connection> connect() = 0;
};

/// Creates the table (own schema / own file) holding `seed` ready ~100-byte messages.
std::unique_ptr<raw_queue> raw_libpq_queue(const std::string& dsn, std::int64_t seed);
std::unique_ptr<raw_queue> raw_sqlite_queue(const std::string& dir, std::int64_t seed);
/// The SQLite loop on Turso's C ABI (baseline_turso.cpp; only in builds with the Turso backend).
std::unique_ptr<raw_queue> raw_turso_queue(const std::string& dir, std::int64_t seed);

/// Drains a raw queue with one thread per connection (kept by the caller across calls), claiming `batch` at
/// a time; returns seconds and counts into `done`; stops claiming once `done` reaches `max_messages` (0:
/// drains to the end), as library_drain.
double raw_drain(std::vector<std::unique_ptr<raw_connection>>& conns, std::size_t batch,
                 std::atomic<long>& done, std::int64_t max_messages);

/// Where the raw 3-step workflow loop runs: the tables of a store installed by the library
/// (baseline_workflow.cpp).
struct raw_workflow_target {
  std::string backend;  // "postgres" | "sqlite"
  std::string pg_dsn;   // PostgreSQL: connection string and schema
  std::string schema;
  std::string sqlite_path;  // SQLite: database file
  std::int64_t queue_id = 0;
  std::int64_t workflow_id = 0;
};

/// Executes every ready run of the workflow with `workers` threads (own connections) by hand-written SQL:
/// claim + upsert run + read steps (one transaction), one INSERT per step (3 transactions), complete run +
/// archive message (one transaction). Returns seconds; counts finished runs into `done`.
double raw_workflow_drain(const raw_workflow_target& t, int workers, std::atomic<long>& done);

}  // namespace pgqrs::bench
