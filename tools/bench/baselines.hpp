#pragma once
// Raw-SQL ceilings measured in the same run as the library: the best hand-written lease + ack loop on each
// engine, with the same connection count, batch size, payload size and durability settings.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

namespace pgqrs::bench {

/// PostgreSQL: one table, partial index (vt, id) WHERE archived_at IS NULL; claim = one
/// `UPDATE … WHERE id IN (SELECT … ORDER BY vt, id LIMIT n FOR UPDATE SKIP LOCKED) RETURNING`, ack = one
/// `UPDATE … SET archived_at` (two commits per batch), named prepared statements, one connection per
/// consumer. Creates and drops its own schema. @returns seconds to drain `messages`
double raw_libpq_drain(const std::string& dsn, std::int64_t messages, int consumers, std::size_t batch,
                       std::atomic<long>& done);

/// SQLite (WAL, synchronous FULL like the library's default): the same loop with BEGIN IMMEDIATE claims, one
/// connection per consumer thread on one file in `dir`. @returns seconds to drain `messages`
double raw_sqlite_drain(const std::string& dir, std::int64_t messages, int consumers, std::size_t batch,
                        std::atomic<long>& done);

}  // namespace pgqrs::bench
