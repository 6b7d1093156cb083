// open_sqlite: the DSN as libsqlite3 open arguments; everything else is the SQLite family's.

#include <sqlite3.h>

#include <memory>
#include <string>

#include "core/config/dsn.hpp"
#include "core/db/registry.hpp"
#include "pgqrs/errors.hpp"
#include "sqlite/sqlite_engine.hpp"
#include "sqlite_family/family_database.hpp"

namespace pgqrs::detail {

namespace {

/// The DSN as libsqlite3 open arguments, and how errors name it.
struct sqlite_target {
  sqlite::open_target open;
  std::string description;
};

sqlite_target target_of(const config& cfg) {
  const parsed_dsn dsn = parse_dsn(cfg.dsn);
  if (dsn.kind != backend_kind::sqlite) {
    throw config_error("dsn",
                       "not an SQLite DSN (expected sqlite:///path.db, sqlite://relative.db, "
                       "sqlite::memory: or sqlite:file:...)");
  }
  sqlite_target o;
  o.open.path = dsn.target;
  o.description = "SQLite database '" + dsn.target + "'";
  if (dsn.uri) {
    // The URI's own parameters (mode=ro|rw|rwc|memory, cache=shared, ...) narrow these flags.
    o.open.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;
    return o;
  }
  const auto mode_it = dsn.params.find("mode");
  const std::string mode = mode_it == dsn.params.end() ? "rwc" : mode_it->second;
  if (dsn.memory) {
    o.open.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (dsn.target != ":memory:") o.open.flags |= SQLITE_OPEN_MEMORY;  // sqlite://name?mode=memory
  } else if (mode == "rw") {
    o.open.flags = SQLITE_OPEN_READWRITE;
    o.description += " (mode=rw: the file must already exist)";
  } else if (mode == "ro") {
    o.open.flags = SQLITE_OPEN_READONLY;
    o.description += " (mode=ro)";
  } else {
    o.open.flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  }
  return o;
}

}  // namespace

std::unique_ptr<database> open_sqlite(const config& cfg) {
  auto target = target_of(cfg);
  sqlite_family::family_options options{cfg.sqlite, target.description};
  return sqlite_family::open_family_database(
      backend_kind::sqlite, cfg,
      [open = target.open] { return std::make_unique<sqlite::sqlite_engine>(open); }, std::move(options),
      std::make_shared<sqlite_family::write_gate>());
}

}  // namespace pgqrs::detail
