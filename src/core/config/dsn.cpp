#include "core/config/dsn.hpp"

#include <algorithm>
#include <cctype>

#include "pgqrs/errors.hpp"

namespace pgqrs {

namespace {

constexpr std::string_view expected_schemes =
    "expected postgresql://, postgres://, sqlite://, sqlite::memory:, turso:// or s3://";

[[noreturn]] void bad_dsn(const std::string& why) {
  throw config_error("dsn", why);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) bad_dsn("truncated percent-escape in path");
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) bad_dsn("invalid percent-escape in path");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void reject_control_characters(std::string_view dsn) {
  if (std::any_of(dsn.begin(), dsn.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    bad_dsn("DSN contains control characters");
  }
}

/// Path-style DSN of the SQLite family: "<scheme>://path[?k=v&...]", "<scheme>::memory:",
/// "<scheme>:file:...".
detail::parsed_dsn parse_file_dsn(backend_kind kind, std::string_view scheme, std::string_view rest) {
  detail::parsed_dsn out;
  out.kind = kind;
  if (rest == ":memory:") {
    out.target = ":memory:";
    out.memory = true;
    return out;
  }
  if (rest.starts_with("file:")) {
    out.target = std::string(rest);
    out.uri = true;
    out.memory = rest.find("mode=memory") != std::string_view::npos;
    return out;
  }
  if (!rest.starts_with("//")) {
    bad_dsn("malformed " + std::string(scheme) + " DSN: expected " + std::string(scheme) +
            ":///absolute/path.db, " + std::string(scheme) + "://relative/path.db or " + std::string(scheme) +
            "::memory:");
  }
  rest.remove_prefix(2);
  std::string_view path = rest;
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    path = rest.substr(0, q);
    query = rest.substr(q + 1);
  }
  if (path.empty()) bad_dsn(std::string(scheme) + " DSN is missing the database file path");
  if (path.back() == '/') {
    bad_dsn(std::string(scheme) + " DSN path ends with '/': it names a directory, not a database file (expected " +
            std::string(scheme) + ":///absolute/path.db)");
  }
  out.target = percent_decode(path);
  if (std::any_of(out.target.begin(), out.target.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    bad_dsn("database path contains control characters (after percent-decoding)");
  }
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) bad_dsn("DSN parameter '" + std::string(pair) + "' has no value");
    std::string key(pair.substr(0, eq));
    std::string value(pair.substr(eq + 1));
    if (key != "mode")
      bad_dsn("unknown " + std::string(scheme) + " DSN parameter '" + key + "' (supported: mode)");
    if (value != "rwc" && value != "rw" && value != "ro" && value != "memory") {
      bad_dsn("invalid mode '" + value + "' (expected rwc, rw, ro or memory)");
    }
    if (value == "memory") out.memory = true;
    out.params[key] = value;
  }
  return out;
}

/// Whether the part of a PostgreSQL URI after "//" names a host, a database or connection parameters.
bool names_a_server(std::string_view rest) {
  const std::size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view host = rest.substr(0, authority_end);
  if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    host = host.substr(0, colon);  // ":5432" alone is no host
  }
  std::string_view after = rest.substr(authority_end);
  std::string_view path = after;
  std::string_view query;
  if (auto q = after.find('?'); q != std::string_view::npos) {
    path = after.substr(0, q);
    query = after.substr(q + 1);
  }
  while (path.starts_with('/')) path.remove_prefix(1);
  return !host.empty() || !path.empty() || !query.empty();
}

detail::parsed_dsn parse_s3_dsn(std::string_view rest) {
  if (!rest.starts_with("//")) bad_dsn("Invalid S3 DSN format: expected s3://bucket/key");
  rest.remove_prefix(2);
  auto slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  if (bucket.empty()) bad_dsn("S3 DSN missing bucket: expected s3://bucket/key");
  std::string_view key = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  while (key.starts_with('/')) key.remove_prefix(1);
  if (key.empty()) bad_dsn("S3 DSN missing object key: expected s3://bucket/key");
  detail::parsed_dsn out;
  out.kind = backend_kind::s3;
  out.bucket = std::string(bucket);
  out.key = std::string(key);
  out.target = out.key;
  return out;
}

}  // namespace

namespace detail {

parsed_dsn parse_dsn(std::string_view dsn) {
  if (std::all_of(dsn.begin(), dsn.end(), [](unsigned char c) { return std::isspace(c); })) {
    bad_dsn("DSN is empty");
  }
  reject_control_characters(dsn);
  auto colon = dsn.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    bad_dsn("DSN has no scheme (" + std::string(expected_schemes) + ")");
  }
  std::string scheme(dsn.substr(0, colon));
  std::string_view rest = dsn.substr(colon + 1);
  if (scheme == "postgresql" || scheme == "postgres") {
    if (!rest.starts_with("//")) {
      bad_dsn("malformed PostgreSQL DSN: expected " + scheme + "://[user[:password]@]host[:port]/dbname");
    }
    if (!names_a_server(rest.substr(2))) {
      // libpq would fall back to its defaults (a local socket, the OS user's database) and fail later with
      // a confusing connection error, or reach a server nobody meant.
      bad_dsn("PostgreSQL DSN names no host and no database: expected " + scheme +
              "://[user[:password]@]host[:port]/dbname");
    }
    parsed_dsn out;
    out.kind = backend_kind::postgres;
    out.target = std::string(dsn);
    return out;
  }
  if (scheme == "sqlite") return parse_file_dsn(backend_kind::sqlite, scheme, rest);
  if (scheme == "turso") return parse_file_dsn(backend_kind::turso, scheme, rest);
  if (scheme == "s3") return parse_s3_dsn(rest);
  // Only the scheme is echoed: the rest may hold credentials.
  bad_dsn("unsupported DSN scheme '" + scheme + "' (" + std::string(expected_schemes) + ")");
}

}  // namespace detail

std::string redact_dsn(std::string_view dsn) {
  std::string out(dsn);
  // user:password@ in the authority part of a URI.
  if (auto scheme_end = out.find("://"); scheme_end != std::string::npos) {
    std::size_t authority = scheme_end + 3;
    std::size_t authority_end = out.find_first_of("/?", authority);
    if (authority_end == std::string::npos) authority_end = out.size();
    std::size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority) {
      std::size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... as a query parameter.
  for (std::size_t pos = out.find("password="); pos != std::string::npos;
       pos = out.find("password=", pos + 1)) {
    std::size_t value = pos + 9;
    std::size_t end = out.find('&', value);
    if (end == std::string::npos) end = out.size();
    out.replace(value, end - value, "***");
  }
  return out;
}

}  // namespace pgqrs
