#include "s3/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail::s3 {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

/// SigV4 header value: trimmed, runs of spaces collapsed to one (the suite's get-header-value-trim).
std::string canonical_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::string hex_encode(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0x0f]);
  }
  return out;
}

namespace {
std::string digest_hex(std::string_view data, const EVP_MD* md, const char* name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, md, nullptr) != 1) {
    throw internal_error(std::string("OpenSSL ") + name + " failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}
}  // namespace

std::string sha256_hex(std::string_view data) {
  return digest_hex(data, EVP_sha256(), "SHA-256");
}

std::string md5_hex(std::string_view data) {
  return digest_hex(data, EVP_md5(), "MD5");
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(), mac,
           &length) == nullptr) {
    throw internal_error("OpenSSL HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0x0f]);
    }
  }
  return out;
}

std::string canonical_uri(std::string_view raw_path) {
  if (raw_path.empty()) return "/";
  return uri_encode(raw_path, true);
}

std::string canonical_query_string(const std::vector<query_param>& query) {
  // Sorting happens on the *encoded* names (AWS sorts by code point of the encoded form).
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& p : query) encoded.emplace_back(uri_encode(p.name, false), uri_encode(p.value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string credential_scope(std::string_view amz_date, std::string_view region, std::string_view service) {
  std::string scope(amz_date.substr(0, 8));
  scope.append("/").append(region).append("/").append(service).append("/aws4_request");
  return scope;
}

std::string signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                        std::string_view service) {
  std::string key = "AWS4";
  key.append(secret_access_key);
  std::string k_date = hmac_sha256(key, date);
  // Overwrite the copy of the secret before it is freed: it is the one buffer here that holds it in clear.
  std::fill(key.begin(), key.end(), '\0');
  return hmac_sha256(hmac_sha256(hmac_sha256(k_date, region), service), "aws4_request");
}

signature_parts sign(const request_to_sign& request, const signing_scope& scope) {
  // Lowercased names, sorted; repeated headers keep their order and are joined with ','.
  std::map<std::string, std::string> headers;
  for (const auto& h : request.headers) {
    auto [it, inserted] = headers.try_emplace(to_lower(h.name), canonical_header_value(h.value));
    if (!inserted) it->second.append(",").append(canonical_header_value(h.value));
  }
  signature_parts parts;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers.append(name).append(":").append(value).append("\n");
    if (!parts.signed_headers.empty()) parts.signed_headers.push_back(';');
    parts.signed_headers += name;
  }
  parts.canonical_request = request.method + "\n" + canonical_uri(request.path) + "\n" +
                            canonical_query_string(request.query) + "\n" + canonical_headers + "\n" +
                            parts.signed_headers + "\n" + request.payload_sha256;

  const std::string scope_text = credential_scope(scope.amz_date, scope.region, scope.service);
  parts.string_to_sign = std::string(algorithm) + "\n" + scope.amz_date + "\n" + scope_text + "\n" +
                         sha256_hex(parts.canonical_request);
  const std::string key =
      signing_key(scope.secret_access_key, scope.amz_date.substr(0, 8), scope.region, scope.service);
  parts.signature = hex_encode(hmac_sha256(key, parts.string_to_sign));
  parts.authorization = std::string(algorithm) + " Credential=" + scope.access_key_id + "/" + scope_text +
                        ", SignedHeaders=" + parts.signed_headers + ", Signature=" + parts.signature;
  return parts;
}

std::string format_amz_date(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[17];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(buffer, n);
}

std::vector<http_header> sign_s3_request(request_to_sign request, const signing_scope& scope,
                                         std::string_view session_token) {
  request.headers.push_back({"x-amz-content-sha256", request.payload_sha256});
  request.headers.push_back({"x-amz-date", scope.amz_date});
  if (!session_token.empty()) request.headers.push_back({"x-amz-security-token", std::string(session_token)});
  const signature_parts parts = sign(request, scope);
  request.headers.push_back({"Authorization", parts.authorization});
  return std::move(request.headers);
}

}  // namespace pgqrs::detail::s3
