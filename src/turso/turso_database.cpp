// open_turso: the DSN as Turso open options; everything else is the SQLite family's (the same SQL,
// migrations, routing and write gate as the SQLite backend).

#include <filesystem>
#include <memory>
#include <string>

#include "core/config/dsn.hpp"
#include "core/db/registry.hpp"
#include "pgqrs/errors.hpp"
#include "sqlite_family/family_database.hpp"
#include "turso/turso_family_engine.hpp"

namespace pgqrs::detail {

namespace {

constexpr std::string_view k_expected =
    "expected turso:///absolute/path.db, turso://relative/path.db or turso::memory:";

turso::open_options options_of(const parsed_dsn& dsn) {
  if (dsn.uri) {
    throw config_error("dsn", "Turso DSNs take a path, not a file: URI (" + std::string(k_expected) + ")");
  }
  turso::open_options o;
  o.path = dsn.memory ? ":memory:" : dsn.target;
  const auto mode_it = dsn.params.find("mode");
  const std::string mode = mode_it == dsn.params.end() ? "rwc" : mode_it->second;
  o.read_only = mode == "ro";
  return o;
}

std::string description_of(const parsed_dsn& dsn) {
  std::string d = "Turso database '" + (dsn.memory ? std::string(":memory:") : dsn.target) + "'";
  if (const auto mode = dsn.params.find("mode"); mode != dsn.params.end() && mode->second != "rwc") {
    d += " (mode=" + mode->second + ")";
  }
  return d;
}

/// Opens the engine, with the reasons a user can act on spelled out.
std::shared_ptr<const turso::shared_database> open_engine(const turso::open_options& options,
                                                          const parsed_dsn& dsn,
                                                          const std::string& description) {
  const std::string mode = dsn.params.contains("mode") ? dsn.params.at("mode") : "rwc";
  if (!dsn.memory && mode != "rwc" && !std::filesystem::exists(options.path)) {
    throw connection_error("the file does not exist (mode=" + mode + " never creates it)",
                           "opening " + description);
  }
  try {
    return std::make_shared<const turso::shared_database>(options);
  } catch (const turso::engine_error& e) {
    std::string detail = e.engine_message();
    const bool locked = detail.find("locked by another process") != std::string::npos;
    if (locked) {
      // Turso 0.8.3 keeps an exclusive lock on the file for as long as a process has it open: a second
      // process cannot open it at all (docs/turso.md). Retrying helps only once that process has let go.
      detail +=
          ": a Turso database file can be open in only one process at a time; use one process per file, or "
          "sqlite:// for several processes on one file";
    } else if (e.engine_status() == turso::status::notadb) {
      detail += ": the file exists but is not an SQLite-format database";
    }
    throw connection_error(detail, "opening " + description, std::string(), locked);
  }
}

}  // namespace

std::unique_ptr<database> open_turso(const config& cfg) {
  const parsed_dsn dsn = parse_dsn(cfg.dsn);
  if (dsn.kind != backend_kind::turso) {
    throw config_error("dsn", "not a Turso DSN (" + std::string(k_expected) + ")");
  }
  const turso::open_options options = options_of(dsn);
  const std::string description = description_of(dsn);
  auto db = open_engine(options, dsn, description);
  sqlite_family::family_options family{cfg.sqlite, description};
  return sqlite_family::open_family_database(
      backend_kind::turso, cfg, [db] { return std::make_unique<turso::turso_family_engine>(db); },
      std::move(family), std::make_shared<sqlite_family::write_gate>());
}

}  // namespace pgqrs::detail
