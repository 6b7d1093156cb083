#include "core/db/registry.hpp"

#include <array>
#include <string>

#include "core/config/dsn.hpp"
#include "pgqrs/errors.hpp"

namespace pgqrs::detail {

namespace {

using open_function = std::unique_ptr<database> (*)(const config&);

struct driver_entry {
  backend_kind kind;
  std::string_view name;
  /// How errors call it ("Turso backend is not enabled ...").
  std::string_view display;
  /// The CMake option that builds it (named in the error when it is not built).
  std::string_view option;
  /// nullptr when the backend is not built.
  open_function open;
};

// Adding a backend: one line here, its driver in its own folder, and its CMake option.
constexpr std::array drivers{
#ifdef PGQRS_HAVE_POSTGRES
    driver_entry{backend_kind::postgres, "postgres", "Postgres", "PGQRS_WITH_POSTGRES", &open_postgres},
#else
    driver_entry{backend_kind::postgres, "postgres", "Postgres", "PGQRS_WITH_POSTGRES", nullptr},
#endif
#ifdef PGQRS_HAVE_SQLITE
    driver_entry{backend_kind::sqlite, "sqlite", "Sqlite", "PGQRS_WITH_SQLITE", &open_sqlite},
#else
    driver_entry{backend_kind::sqlite, "sqlite", "Sqlite", "PGQRS_WITH_SQLITE", nullptr},
#endif
#ifdef PGQRS_HAVE_TURSO
    driver_entry{backend_kind::turso, "turso", "Turso", "PGQRS_WITH_TURSO", &open_turso},
#else
    driver_entry{backend_kind::turso, "turso", "Turso", "PGQRS_WITH_TURSO", nullptr},
#endif
#ifdef PGQRS_HAVE_S3
    driver_entry{backend_kind::s3, "s3", "S3", "PGQRS_WITH_S3", &open_s3},
#else
    driver_entry{backend_kind::s3, "s3", "S3", "PGQRS_WITH_S3", nullptr},
#endif
};

const driver_entry& entry(backend_kind kind) {
  for (const auto& d : drivers) {
    if (d.kind == kind) return d;
  }
  throw internal_error("no registry entry for a backend kind");
}

}  // namespace

std::unique_ptr<database> open_database(const config& cfg) {
  const auto& d = entry(parse_dsn(cfg.dsn).kind);
  if (d.open == nullptr) {
    throw config_error("dsn", std::string(d.display) + " backend is not enabled in this build of pgqrs (build with -D" +
                                  std::string(d.option) + "=ON)");
  }
  return d.open(cfg);
}

std::string_view backend_name(backend_kind kind) {
  return entry(kind).name;
}

bool backend_available(backend_kind kind) {
  return entry(kind).open != nullptr;
}

}  // namespace pgqrs::detail
