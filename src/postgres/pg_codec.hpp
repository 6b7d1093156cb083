#pragma once
// PostgreSQL wire encoding used by pg_connection, as pure functions (unit-testable without a server):
// parameters go out in TEXT format (the SQL casts them: $1::bigint, $2::timestamptz, $3::bigint[] ...),
// results come back in BINARY format and are decoded by column type OID.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/sql_value.hpp"
#include "pgqrs/types.hpp"

namespace pgqrs::detail::pg {

/// Type OIDs the decoder knows (pg_type.oid; stable across PostgreSQL versions).
namespace oid {
inline constexpr unsigned int boolean = 16;
inline constexpr unsigned int name = 19;
inline constexpr unsigned int int8 = 20;
inline constexpr unsigned int int2 = 21;
inline constexpr unsigned int int4 = 23;
inline constexpr unsigned int text = 25;
inline constexpr unsigned int oid = 26;
inline constexpr unsigned int json = 114;
inline constexpr unsigned int float4 = 700;
inline constexpr unsigned int float8 = 701;
inline constexpr unsigned int bpchar = 1042;
inline constexpr unsigned int varchar = 1043;
inline constexpr unsigned int timestamp = 1114;
inline constexpr unsigned int timestamptz = 1184;
inline constexpr unsigned int numeric = 1700;
inline constexpr unsigned int jsonb = 3802;
}  // namespace oid

/// Microseconds between the Unix epoch and the PostgreSQL epoch (2000-01-01 00:00:00 UTC).
inline constexpr std::int64_t postgres_epoch_offset_us = 946'684'800'000'000;

// ---------------------------------------------------------------- parameters (text format)

/// Writes the text form of `param` into `out` (replacing its contents).
/// @returns false for NULL (std::monostate); `out` is then empty and the caller passes a null pointer.
bool encode_param(const sql_param& param, std::string& out);

/// "YYYY-MM-DD HH:MM:SS.ffffff+00" (always UTC, so the session TimeZone does not matter); years before 1
/// get PostgreSQL's " BC" suffix; timestamp::max()/min() become "infinity"/"-infinity".
void encode_timestamp(timestamp t, std::string& out);
[[nodiscard]] std::string encode_timestamp(timestamp t);
/// Shortest text that reads back as the same double; "NaN", "Infinity", "-Infinity" for the specials.
void encode_double(double v, std::string& out);
/// Array literal for bigint[]: "{1,2,3}", "{}" when empty.
void encode_id_list(const id_list& ids, std::string& out);
[[nodiscard]] std::string encode_id_list(const id_list& ids);
/// Array literal for text[]: every element double-quoted with `"` and `\` backslash-escaped: {"a","b\"c"}.
void encode_text_list(const text_list& texts, std::string& out);
[[nodiscard]] std::string encode_text_list(const text_list& texts);

// ---------------------------------------------------------------- results (binary format)

/// Decodes one non-NULL binary cell of a column of type `type_oid`.
/// int2/int4/int8/oid → int64; float4/float8 → double; bool → int64 0/1; text-like and json → string;
/// jsonb → string without its version byte; timestamp/timestamptz → timestamp; any other type (e.g. an enum,
/// whose binary form is its label) → the raw bytes as a string.
/// @throws internal_error for numeric (cast in SQL) or a malformed cell length.
[[nodiscard]] sql_value decode_binary(unsigned int type_oid, const char* data, std::size_t length);
/// decode_binary, or NULL (std::monostate) when `is_null`.
[[nodiscard]] sql_value decode_cell(unsigned int type_oid, const char* data, std::size_t length,
                                    bool is_null);
/// Binary timestamp/timestamptz (int64 µs since 2000-01-01); ±infinity map to timestamp::max()/min().
/// @throws internal_error for a value no PostgreSQL sends (beyond the int64 µs range once shifted to 1970)
[[nodiscard]] timestamp decode_timestamp(std::int64_t pg_micros);
/// Big-endian signed integer of 2, 4 or 8 bytes.
[[nodiscard]] std::int64_t read_be_int(const char* data, std::size_t length);

// ---------------------------------------------------------------- statements

/// 64-bit FNV-1a.
[[nodiscard]] std::uint64_t fnv1a64(std::string_view text);
/// Length of a prepared statement name: "pgqrs_" + 16 hex digits.
inline constexpr std::size_t statement_name_length = 22;
/// "pgqrs_" + 16 lowercase hex digits of fnv1a64(sql): equal names always mean identical SQL, even across
/// processes and schemas sharing a backend through a transaction-mode pooler.
[[nodiscard]] std::string statement_name(std::string_view sql);
/// Writes the name for `hash` into `out` (statement_name_length chars + NUL).
void statement_name(std::uint64_t hash, char (&out)[statement_name_length + 1]);

/// Highest `$n` placeholder in `sql` (0 if none), ignoring string literals, quoted identifiers,
/// dollar-quoted bodies and comments: the number of parameters the statement takes.
/// If `used` is given it is resized to that number and `used[n - 1]` tells whether `$n` appears (a statement
/// of a multi-statement query may skip some of the query's parameters).
[[nodiscard]] std::size_t max_placeholder(std::string_view sql, std::vector<bool>* used = nullptr);

}  // namespace pgqrs::detail::pg
