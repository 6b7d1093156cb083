#pragma once
// The one place that maps a DSN's backend to the driver that opens it. A backend that is not built (its CMake
// option is OFF) is still listed, so the error can say which option enables it.

#include <memory>
#include <string_view>

#include "core/db/database.hpp"
#include "pgqrs/config.hpp"

namespace pgqrs::detail {

/// Opens `cfg.dsn` with the driver of its backend. @throws config_error (backend not built), connection_error
[[nodiscard]] std::unique_ptr<database> open_database(const config& cfg);

/// "postgres", "sqlite", "turso", "s3".
[[nodiscard]] std::string_view backend_name(backend_kind kind);

/// Whether this build has the driver of `kind`.
[[nodiscard]] bool backend_available(backend_kind kind);

// Driver entry points, each defined in its backend's folder and only when that backend is built.
std::unique_ptr<database> open_postgres(const config& cfg);
std::unique_ptr<database> open_sqlite(const config& cfg);
std::unique_ptr<database> open_turso(const config& cfg);
std::unique_ptr<database> open_s3(const config& cfg);

}  // namespace pgqrs::detail
