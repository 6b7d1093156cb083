// open_postgres: the PostgreSQL backend's database (a pool of pg_connection) behind the seam.

#include <atomic>
#include <chrono>
#include <memory>

#include "core/db/connection_pool.hpp"
#include "core/db/database.hpp"
#include "core/db/registry.hpp"
#include "core/config/dsn.hpp"
#include "core/config/identifiers.hpp"
#include "pgqrs/config.hpp"
#include "pgqrs/errors.hpp"
#include "postgres/pg_connection.hpp"

namespace pgqrs::detail {

std::unique_ptr<database> open_postgres(const config& cfg) {
  const parsed_dsn dsn = parse_dsn(cfg.dsn);
  if (dsn.kind != backend_kind::postgres) throw config_error("dsn", "not a PostgreSQL DSN");
  validate_schema_name(cfg.schema);
  check_postgres_dsn(dsn.target);

  pg_connection::options opts;
  opts.dsn = dsn.target;
  opts.connect_timeout_seconds = static_cast<std::uint64_t>(cfg.connection_timeout.count());
  opts.prepared_statements = cfg.prepared_statements;
  // One flag for every connection of this database: when one connection learns that named statements
  // cannot work (a transaction-mode pooler), none of them uses them any more.
  opts.unnamed_only =
      std::make_shared<std::atomic<bool>>(cfg.prepared_statements == prepared_statements::never);

  auto pool = std::make_shared<connection_pool>(
      [opts]() -> std::unique_ptr<connection> { return std::make_unique<pg_connection>(opts); },
      cfg.max_connections,
      std::chrono::duration_cast<std::chrono::milliseconds>(cfg.connection_timeout));
  capabilities caps;
  caps.array_parameters = true;
  caps.claim_floors = true;
  caps.schemas = true;
  caps.multi_host = true;
  caps.data_modifying_ctes = true;
  auto db = std::make_unique<database>(backend_kind::postgres, "postgres", caps, quote_identifier(cfg.schema),
                                       pool);
  // Connect once now, so a bad DSN or an unreachable server fails here with connection_error.
  { auto conn = db->acquire(); }
  return db;
}

}  // namespace pgqrs::detail
