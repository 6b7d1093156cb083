// open_sqlite: DSN → connection options, the shared writer lock, and a small pool of sqlite_connection.

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/connection_pool.hpp"
#include "core/database.hpp"
#include "core/dsn.hpp"
#include "pgqrs/errors.hpp"
#include "sqlite/sqlite_connection.hpp"

namespace pgqrs::detail {

namespace {

/// More connections than this only add lock contention: SQLite has one writer, and readers are cheap.
constexpr std::uint32_t max_sqlite_connections = 8;

sqlite_open_options open_options(const config& cfg) {
  const parsed_dsn dsn = parse_dsn(cfg.dsn);
  if (dsn.kind != backend_kind::sqlite) {
    throw config_error("dsn",
                       "not an SQLite DSN (expected sqlite:///path.db, sqlite://relative.db, "
                       "sqlite::memory: or sqlite:file:...)");
  }
  sqlite_open_options o;
  o.target = dsn.target;
  o.settings = cfg.sqlite;
  o.description = "'" + dsn.target + "'";
  if (dsn.uri) {
    // The URI's own parameters (mode=ro|rw|rwc|memory, cache=shared, ...) narrow these flags.
    o.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;
    o.memory = dsn.memory;
    return o;
  }
  const auto mode_it = dsn.params.find("mode");
  const std::string mode = mode_it == dsn.params.end() ? "rwc" : mode_it->second;
  if (dsn.memory) {
    o.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (dsn.target != ":memory:") o.flags |= SQLITE_OPEN_MEMORY;  // sqlite://name?mode=memory
    o.memory = true;
  } else if (mode == "rw") {
    o.flags = SQLITE_OPEN_READWRITE;
    o.description += " (mode=rw: the file must already exist)";
  } else if (mode == "ro") {
    o.flags = SQLITE_OPEN_READONLY;
    o.read_only = true;
    o.description += " (mode=ro)";
  } else {
    o.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  }
  return o;
}

}  // namespace

std::unique_ptr<database> open_sqlite(const config& cfg) {
  sqlite_open_options options = open_options(cfg);
  auto write_lock = std::make_shared<sqlite_write_lock>();

  // Open one connection now, so that a bad path or a file that is not a database fails at connect time.
  auto first = std::make_unique<sqlite_connection>(options, write_lock);
  // Each connection to an in-memory database is a database of its own: exactly one connection then.
  const bool memory = options.memory || first->is_memory();
  const std::size_t size =
      memory ? 1 : std::clamp<std::uint32_t>(cfg.max_connections, 1, max_sqlite_connections);

  const auto timeout_seconds =
      std::min<std::uint64_t>(cfg.connection_timeout_seconds, 24ULL * 3600ULL * 365ULL);
  const auto acquire_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(static_cast<std::int64_t>(timeout_seconds)));

  // The factory hands out the eagerly opened connection first (its only call before this function returns),
  // then opens new ones.
  auto stash = std::make_shared<std::unique_ptr<connection>>(std::move(first));
  connection_pool::factory factory = [options = std::move(options), write_lock,
                                      stash]() -> std::unique_ptr<connection> {
    if (*stash) return std::move(*stash);
    return std::make_unique<sqlite_connection>(options, write_lock);
  };
  auto pool = std::make_shared<connection_pool>(std::move(factory), size, acquire_timeout);
  { auto warm = pool->acquire(); }  // puts the eager connection into the pool's idle list

  return std::make_unique<database>(backend_kind::sqlite, "sqlite", "main", std::move(pool));
}

}  // namespace pgqrs::detail
