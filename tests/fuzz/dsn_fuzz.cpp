// The DSN parser (src/core/config/dsn.cpp) on arbitrary text: it either parses or throws a config_error, and
// what it accepts is self-consistent (a PostgreSQL DSN is passed to libpq exactly as given; an S3 DSN names a
// bucket and a key; a file path never contains a NUL, which would cut the path libsqlite3 opens).
#include <algorithm>

#include <pgqrs/config.hpp>

#include "core/config/dsn.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view dsn = pgqrs::fuzz::as_text(data, size);
  pgqrs::fuzz::refuse_only_with_pgqrs_errors([&] {
    const pgqrs::detail::parsed_dsn parsed = pgqrs::detail::parse_dsn(dsn);
    switch (parsed.kind) {
      case pgqrs::backend_kind::postgres:
        pgqrs::fuzz::require(parsed.target == dsn, "postgres DSN passed on unchanged");
        break;
      case pgqrs::backend_kind::s3:
        pgqrs::fuzz::require(!parsed.bucket.empty() && !parsed.key.empty(), "s3 DSN has bucket and key");
        break;
      case pgqrs::backend_kind::sqlite:
      case pgqrs::backend_kind::turso:
        pgqrs::fuzz::require(parsed.memory || !parsed.target.empty(), "file DSN names a file");
        pgqrs::fuzz::require(std::find(parsed.target.begin(), parsed.target.end(), '\0') == parsed.target.end(),
                             "no NUL in a file path");
        break;
    }
    // The config built from it takes the same path (and the same refusals).
    (void)pgqrs::config::from_dsn(dsn);
  });
  return 0;
}
