#pragma once
// A database of the SQLite family behind the seam: a small pool of family_connection over one engine, one
// write gate for all of them, and the family's capabilities. Each backend (SQLite, Turso, S3) turns its DSN
// into an engine factory and calls this.

#include <functional>
#include <memory>

#include "core/db/database.hpp"
#include "pgqrs/config.hpp"
#include "sqlite_family/engine.hpp"
#include "sqlite_family/family_connection.hpp"
#include "sqlite_family/write_gate.hpp"

namespace pgqrs::detail::sqlite_family {

using engine_factory = std::function<std::unique_ptr<engine_connection>()>;

/// Opens one connection now (so a bad path or a file that is not a database fails at connect time), then
/// builds the pool: min(max_connections, 8) connections, exactly one for an in-memory database (each
/// connection would be a database of its own).
/// @throws connection_error
[[nodiscard]] std::unique_ptr<database> open_family_database(backend_kind kind, const config& cfg,
                                                             engine_factory open_engine, family_options options,
                                                             std::shared_ptr<write_gate> gate);

}  // namespace pgqrs::detail::sqlite_family
