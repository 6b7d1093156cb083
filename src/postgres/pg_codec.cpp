#include "postgres/pg_codec.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <variant>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail::pg {

namespace {

constexpr std::int64_t micros_per_day = 86'400'000'000;

struct civil_date {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm, 64-bit so the whole
/// range of timestamp works, beyond std::chrono::year's ±32767).
civil_date civil_from_days(std::int64_t z) {
  z += 719'468;
  const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const auto doe = static_cast<unsigned>(z - era * 146'097);                     // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;  // [0, 399]
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                       // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;               // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                  // [1, 12]
  return {m <= 2 ? y + 1 : y, m, d};
}

void append_int(std::string& out, std::int64_t v) {
  std::array<char, 24> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  (void)ec;
  out.append(buf.data(), end);
}

[[noreturn]] void bad_length(unsigned int type_oid, std::size_t length) {
  throw internal_error("binary value of type oid " + std::to_string(type_oid) + " has unexpected length " +
                       std::to_string(length));
}

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

// ---------------------------------------------------------------- parameters

void encode_timestamp(timestamp t, std::string& out) {
  out.clear();
  if (t == timestamp::max()) {
    out = "infinity";
    return;
  }
  if (t == timestamp::min()) {
    out = "-infinity";
    return;
  }
  const std::int64_t us = t.time_since_epoch().count();
  // Floor division without overflow near the ends of the int64 range.
  std::int64_t days = us / micros_per_day;
  std::int64_t time_of_day = us % micros_per_day;
  if (time_of_day < 0) {
    time_of_day += micros_per_day;
    --days;
  }
  const civil_date date = civil_from_days(days);
  const auto seconds_of_day = static_cast<unsigned>(time_of_day / 1'000'000);
  const auto fraction = static_cast<unsigned>(time_of_day % 1'000'000);
  // PostgreSQL has no year 0: year 0 is 1 BC, year -1 is 2 BC, ...
  const bool bc = date.year <= 0;
  const long long shown_year = static_cast<long long>(bc ? 1 - date.year : date.year);
  std::array<char, 64> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02u %02u:%02u:%02u.%06u+00%s", shown_year,
                              date.month, date.day, seconds_of_day / 3600, seconds_of_day / 60 % 60,
                              seconds_of_day % 60, fraction, bc ? " BC" : "");
  out.assign(buf.data(), static_cast<std::size_t>(n));
}

std::string encode_timestamp(timestamp t) {
  std::string out;
  encode_timestamp(t, out);
  return out;
}

void encode_double(double v, std::string& out) {
  out.clear();
  if (std::isnan(v)) {
    out = "NaN";
    return;
  }
  if (std::isinf(v)) {
    out = v > 0 ? "Infinity" : "-Infinity";
    return;
  }
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);  // shortest round-trip form
  (void)ec;
  out.assign(buf.data(), end);
}

void encode_id_list(const id_list& ids, std::string& out) {
  out.clear();
  out.reserve(2 + ids.values.size() * 8);
  out.push_back('{');
  for (std::size_t i = 0; i < ids.values.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_int(out, ids.values[i]);
  }
  out.push_back('}');
}

std::string encode_id_list(const id_list& ids) {
  std::string out;
  encode_id_list(ids, out);
  return out;
}

void encode_text_list(const text_list& texts, std::string& out) {
  out.clear();
  std::size_t size = 2;
  for (const auto& t : texts.values) size += t.size() + 3;
  out.reserve(size);
  out.push_back('{');
  for (std::size_t i = 0; i < texts.values.size(); ++i) {
    if (i != 0) out.push_back(',');
    out.push_back('"');
    for (char c : texts.values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
}

std::string encode_text_list(const text_list& texts) {
  std::string out;
  encode_text_list(texts, out);
  return out;
}

bool encode_param(const sql_param& param, std::string& out) {
  return std::visit(
      [&out](const auto& v) -> bool {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out.clear();
          return false;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out.clear();
          append_int(out, v);
          return true;
        } else if constexpr (std::is_same_v<T, double>) {
          encode_double(v, out);
          return true;
        } else if constexpr (std::is_same_v<T, bool>) {
          out = v ? "true" : "false";
          return true;
        } else if constexpr (std::is_same_v<T, std::string>) {
          out = v;
          return true;
        } else if constexpr (std::is_same_v<T, timestamp>) {
          encode_timestamp(v, out);
          return true;
        } else if constexpr (std::is_same_v<T, id_list>) {
          encode_id_list(v, out);
          return true;
        } else {
          static_assert(std::is_same_v<T, text_list>);
          encode_text_list(v, out);
          return true;
        }
      },
      param);
}

// ---------------------------------------------------------------- results

std::int64_t read_be_int(const char* data, std::size_t length) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < length; ++i) v = (v << 8) | static_cast<unsigned char>(data[i]);
  switch (length) {
    case 2:
      return static_cast<std::int16_t>(static_cast<std::uint16_t>(v));
    case 4:
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    case 8:
      return static_cast<std::int64_t>(v);
    default:
      throw internal_error("big-endian integer of " + std::to_string(length) + " bytes");
  }
}

timestamp decode_timestamp(std::int64_t pg_micros) {
  if (pg_micros == std::numeric_limits<std::int64_t>::max()) return timestamp::max();
  if (pg_micros == std::numeric_limits<std::int64_t>::min()) return timestamp::min();
  // PostgreSQL's own range (4713 BC .. 294276 AD) cannot overflow, but the bytes come from the network: a
  // broken server or pooler must get an error, not undefined behaviour (found by tests/fuzz/row_decode_fuzz).
  std::int64_t unix_micros = 0;
  if (__builtin_add_overflow(pg_micros, postgres_epoch_offset_us, &unix_micros))
    throw internal_error("timestamp outside PostgreSQL's range: " + std::to_string(pg_micros) + " µs");
  return timestamp{std::chrono::microseconds{unix_micros}};
}

sql_value decode_binary(unsigned int type_oid, const char* data, std::size_t length) {
  switch (type_oid) {
    case oid::int2:
      if (length != 2) bad_length(type_oid, length);
      return read_be_int(data, 2);
    case oid::int4:
      if (length != 4) bad_length(type_oid, length);
      return read_be_int(data, 4);
    case oid::int8:
      if (length != 8) bad_length(type_oid, length);
      return read_be_int(data, 8);
    case oid::oid:
      if (length != 4) bad_length(type_oid, length);
      return static_cast<std::int64_t>(static_cast<std::uint32_t>(read_be_int(data, 4)));
    case oid::float4:
      if (length != 4) bad_length(type_oid, length);
      return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(read_be_int(data, 4))));
    case oid::float8:
      if (length != 8) bad_length(type_oid, length);
      return std::bit_cast<double>(static_cast<std::uint64_t>(read_be_int(data, 8)));
    case oid::boolean:
      if (length != 1) bad_length(type_oid, length);
      return std::int64_t{data[0] != 0 ? 1 : 0};
    case oid::timestamp:
    case oid::timestamptz:
      if (length != 8) bad_length(type_oid, length);
      return decode_timestamp(read_be_int(data, 8));
    case oid::jsonb:
      if (length < 1 || data[0] != 1) {
        throw internal_error("unsupported jsonb binary format version");
      }
      return std::string(data + 1, length - 1);
    case oid::numeric:
      throw internal_error("numeric columns are not supported; cast in SQL");
    default:
      // text, varchar, bpchar, name, json, and any other type whose binary form is its text (enums).
      return std::string(data, length);
  }
}

sql_value decode_cell(unsigned int type_oid, const char* data, std::size_t length, bool is_null) {
  if (is_null) return std::monostate{};
  return decode_binary(type_oid, data, length);
}

// ---------------------------------------------------------------- statements

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

void statement_name(std::uint64_t hash, char (&out)[statement_name_length + 1]) {
  static constexpr char digits[] = "0123456789abcdef";
  constexpr std::string_view prefix = "pgqrs_";
  std::copy(prefix.begin(), prefix.end(), out);
  for (std::size_t i = 0; i < 16; ++i) {
    out[prefix.size() + i] = digits[(hash >> (60 - 4 * i)) & 0xf];
  }
  out[statement_name_length] = '\0';
}

std::string statement_name(std::string_view sql) {
  char buf[statement_name_length + 1];
  statement_name(fnv1a64(sql), buf);
  return std::string(buf, statement_name_length);
}

std::size_t max_placeholder(std::string_view sql, std::vector<bool>* used) {
  std::size_t highest = 0;
  if (used != nullptr) used->clear();
  const std::size_t n = sql.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = sql[i];
    const bool after_identifier = i > 0 && is_identifier_char(sql[i - 1]);
    if (c == '\'') {
      // E'...' strings take backslash escapes; '' is an escaped quote in every kind.
      const bool escapes =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !is_identifier_char(sql[i - 2]));
      ++i;
      while (i < n) {
        if (escapes && sql[i] == '\\') {
          i += 2;
        } else if (sql[i] == '\'') {
          if (i + 1 < n && sql[i + 1] == '\'') {
            i += 2;
          } else {
            break;
          }
        } else {
          ++i;
        }
      }
      ++i;
    } else if (c == '"') {
      const std::size_t close = sql.find('"', i + 1);
      i = close == std::string_view::npos ? n : close + 1;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const std::size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? n : eol + 1;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 1;  // PostgreSQL block comments nest
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
    } else if (c == '$' && !after_identifier) {
      if (i + 1 < n && is_digit(sql[i + 1])) {
        std::size_t number = 0;
        ++i;
        while (i < n && is_digit(sql[i])) {
          number = std::min<std::size_t>(number * 10 + static_cast<std::size_t>(sql[i] - '0'), 1'000'000);
          ++i;
        }
        highest = std::max(highest, number);
        if (used != nullptr && number > 0) {
          if (used->size() < number) used->resize(number, false);
          (*used)[number - 1] = true;
        }
        continue;
      }
      // Dollar quote: $$ or $tag$ where tag is an identifier not starting with a digit.
      std::size_t j = i + 1;
      while (j < n && sql[j] != '$' && is_identifier_char(sql[j])) ++j;
      if (j < n && sql[j] == '$') {
        const std::string_view tag = sql.substr(i, j - i + 1);
        const std::size_t close = sql.find(tag, j + 1);
        i = close == std::string_view::npos ? n : close + tag.size();
      } else {
        ++i;
      }
    } else {
      ++i;
    }
  }
  return highest;
}

}  // namespace pgqrs::detail::pg
