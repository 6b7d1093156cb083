// open_s3: the S3 store (s3_store.hpp) under an SQLite-family database. The SQL, migrations, routing and
// error mapping are the SQLite backend's; the S3 parts are the engine that follows the local copy from file
// to file (revision_engine.hpp) and the write gate that synchronises it (s3_gate.hpp).

#include <memory>
#include <string>

#include "core/config/dsn.hpp"
#include "core/db/registry.hpp"
#include "pgqrs/errors.hpp"
#include "s3/cache_files.hpp"
#include "s3/revision_engine.hpp"
#include "s3/s3_gate.hpp"
#include "s3/s3_store.hpp"
#include "sqlite_family/family_database.hpp"

namespace pgqrs::detail {

namespace {

s3::s3_store_options store_options(const config& cfg) {
  const parsed_dsn dsn = parse_dsn(cfg.dsn);
  if (dsn.kind != backend_kind::s3) throw config_error("dsn", "not an S3 DSN (expected s3://bucket/key)");
  s3::s3_store_options o;
  o.bucket = dsn.bucket;
  o.key = dsn.key;
  o.mode = cfg.s3.mode;
  if (cfg.s3.cache_dir) {
    if (cfg.s3.cache_dir->empty()) throw config_error("s3.cache_dir", "cache dir cannot be empty");
    o.cache_dir = *cfg.s3.cache_dir;
  } else {
    // The original refuses to open without a cache directory; a private one per store is as good.
    o.cache_dir = s3::default_cache_dir(o.bucket, o.key);
    o.own_cache_dir = true;
  }
  o.client = s3::s3_config::from_env();
  o.client.connect_timeout = cfg.s3.connect_timeout;
  o.client.request_timeout = cfg.s3.request_timeout;
  return o;
}

}  // namespace

std::unique_ptr<database> open_s3(const config& cfg) {
  auto store = std::make_shared<s3::s3_store>(store_options(cfg));
  sqlite_family::family_options options{cfg.sqlite, store->description()};
  // The sync unit is the whole file: no WAL (its -wal file would hold commits the upload does not see).
  options.settings.use_wal = false;
  // In Durable mode the local copy is only a cache of what S3 acknowledged (a new store starts from the
  // remote revision), so commits need not wait for the disk; in Local mode the file is the data.
  if (cfg.s3.mode == durability_mode::durable) options.settings.synchronous = sqlite_synchronous::off;
  auto db = sqlite_family::open_family_database(
      backend_kind::s3, cfg,
      [store, busy = cfg.sqlite.busy_timeout] { return std::make_unique<s3::revision_engine>(store, busy); },
      std::move(options), std::make_shared<s3::s3_gate>(store));
  db->set_backend_state(std::static_pointer_cast<object_sync>(store));
  return db;
}

}  // namespace pgqrs::detail
