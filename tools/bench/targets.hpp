#pragma once
// Databases under test: a fresh PostgreSQL schema or SQLite file per measurement, and fast bulk seeding
// (set-based SQL: seeding is setup, not what is measured).

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <pgqrs/pgqrs.hpp>

#include "bench.hpp"

namespace pgqrs::bench {

struct target {
  std::string backend;     // "postgres" | "sqlite" | "turso"
  config cfg;              // base settings (DSN; schema/file chosen per fresh_store)
  std::string sqlite_dir;  // SQLite family: where the files go
};

/// The configured backends (PostgreSQL if a DSN was given, SQLite / Turso if a directory was given). Turso
/// only for the scenarios that measure it (`with_turso`): drain and workflow.
std::vector<target> targets(const options& opts, bool with_turso = false);

/// A new, installed, empty store (own schema or file) with rate limiting off.
store fresh_store(const target& t, const std::string& tag, std::uint32_t pool_size = 16);
/// Removes what fresh_store created.
void drop_store(const store& s);

/// SQL producing rows g = 1..n on an SQLite-family store: prepend `with`, select FROM `from`.
struct counting_sql {
  std::string with;
  std::string from;
};
counting_sql counting_rows(const store& s, std::int64_t n);

/// Inserts `n` ready messages (~payload_bytes of JSON each) into `queue_id`, enqueued `age` ago (one
/// microsecond apart, so they are claimed in insertion order).
void seed_ready(const store& s, std::int64_t queue_id, std::int64_t n, int payload_bytes = 100,
                std::chrono::seconds age = std::chrono::hours(1));
/// Dead tuples and last autovacuum of pgqrs_messages (PostgreSQL), to show what a measurement ran against.
json table_health(const store& s);
/// Inserts `n` archived messages into the archive of `queue_id`.
void seed_archived(const store& s, std::int64_t queue_id, std::int64_t n, int payload_bytes = 100);
/// Refreshes planner statistics (PostgreSQL ANALYZE, SQLite ANALYZE).
void analyze(const store& s);
/// Runs raw SQL (setup only).
void exec_sql(const store& s, const std::string& sql);
/// Table name as raw SQL must write it for this store.
std::string table(const store& s, const std::string& name);
/// `consumers` threads (ephemeral consumers of `queue`) dequeue `batch` messages at a time and archive them
/// (archive_many) until the queue is empty or, with one consumer, `max_messages` are done (0: no limit);
/// returns the seconds taken and counts into `done`.
double library_drain(const store& s, const std::string& queue, int consumers, std::size_t batch,
                     std::atomic<long>& done, std::int64_t max_messages = 0);
/// The same with consumers the caller keeps across several calls (one thread each): stops claiming once
/// `done` reaches `max_messages` (0: no limit).
double library_drain(const std::vector<consumer>& handles, std::size_t batch, std::atomic<long>& done,
                     std::int64_t max_messages);
/// `consumers` ephemeral consumers of `queue`.
std::vector<consumer> drain_consumers(const store& s, const std::string& queue, int consumers);
/// Settings that matter for the numbers (fsync, synchronous_commit, WAL mode...).
json settings_of(const store& s);

}  // namespace pgqrs::bench
