// Decoding PostgreSQL binary result cells (src/postgres/pg_codec.cpp) from arbitrary bytes, as a broken or
// hostile server or pooler could send them: every type OID we map and some we do not, any length. Decoding
// either yields a value or throws the library's internal_error; it never reads past the cell or crashes
// (the address sanitizer checks the reads). The placeholder scanner, which reads SQL text, gets the same input.
#include <array>

#include "fuzz_support.hpp"
#include "postgres/pg_codec.hpp"

namespace {

// bool, bytea, int8, int2, int4, text, oid, json, float4, float8, varchar, timestamp, timestamptz, numeric,
// jsonb, and 0 for "a type we do not know" (an enum's OID is assigned at CREATE TYPE).
constexpr std::array<unsigned int, 16> type_oids{16, 17, 20, 21, 23, 25, 26, 114, 700, 701, 1043, 1114, 1184,
                                                 1700, 3802, 0};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned int oid = type_oids[data[0] % type_oids.size()];
  // A copy of exactly the cell's bytes, so the sanitizer sees any read past its end.
  const std::string cell(reinterpret_cast<const char*>(data + 1), size - 1);
  pgqrs::fuzz::refuse_only_with_pgqrs_errors([&] {
    (void)pgqrs::detail::pg::decode_cell(oid, cell.data(), cell.size(), false);
  });
  std::vector<bool> used;
  const std::size_t highest = pgqrs::detail::pg::max_placeholder(cell, &used);
  pgqrs::fuzz::require(used.size() == highest, "one flag per placeholder");
  return 0;
}
