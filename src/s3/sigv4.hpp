#pragma once
/// @file sigv4.hpp
/// AWS Signature Version 4 (header-based authentication) as S3 needs it, written over OpenSSL.
///
/// Everything here is a pure function of its arguments (no clock, no network, no globals), so the signer
/// is checked against AWS's published vectors byte for byte. We sign ourselves instead of using
/// CURLOPT_AWS_SIGV4 because libcurl 7.88 neither adds `x-amz-content-sha256` nor canonicalises query
/// strings, and because a signer we own can be tested without a server.
///
/// S3 rules (they differ from the generic SigV4 rules for other services):
/// - the canonical URI is the path URI-encoded **once**, each segment separately with '/' kept, and it is
///   **not** normalised ("a/../b", "//" are distinct object keys);
/// - the payload hash is always sent as `x-amz-content-sha256` and signed.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace pgqrs::detail::s3 {

/// One HTTP header (name as given; the signer lowercases it).
struct http_header {
  std::string name;
  std::string value;
};

/// One query parameter, **not** encoded (the signer encodes it).
struct query_param {
  std::string name;
  std::string value;
};

/// The parts of a request that SigV4 signs.
struct request_to_sign {
  std::string method;                ///< "GET", "PUT", ...
  std::string path;                  ///< raw (decoded) path, starting with '/', e.g. "/bucket/my key"
  std::vector<query_param> query;    ///< raw parameters, any order
  std::vector<http_header> headers;  ///< every header to sign; must include `host`
  std::string payload_sha256;        ///< lowercase hex SHA-256 of the body
};

/// Where and when a request is signed. Holds the secret: never log or print it.
struct signing_scope {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;    ///< e.g. "us-east-1"
  std::string service;   ///< "s3" (the AWS test suite uses "service")
  std::string amz_date;  ///< ISO 8601 basic UTC, "YYYYMMDDTHHMMSSZ"
};

/// Every intermediate result, so tests can compare each step with the published vectors.
struct signature_parts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  ///< "host;x-amz-date"
  std::string signature;       ///< lowercase hex
  std::string authorization;   ///< the `Authorization` header value
};

/// Lowercase hex of `bytes`.
[[nodiscard]] std::string hex_encode(std::string_view bytes);

/// Lowercase hex SHA-256 of `data`.
/// @throws pgqrs::internal_error if OpenSSL fails.
[[nodiscard]] std::string sha256_hex(std::string_view data);
/// Lowercase hex MD5 of `data`: the ETag (quoted) S3 gives an object stored by one unencrypted PUT.
[[nodiscard]] std::string md5_hex(std::string_view data);

/// Raw (binary) HMAC-SHA256 of `data` under `key`.
/// @throws pgqrs::internal_error if OpenSSL fails.
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);

/// RFC 3986 percent-encoding as SigV4 defines it: unreserved characters (A-Z a-z 0-9 - _ . ~) kept, every
/// other byte as %XX with uppercase hex; '/' kept only when `keep_slash`.
[[nodiscard]] std::string uri_encode(std::string_view text, bool keep_slash);

/// The S3 canonical URI of a raw path: encoded once per segment, '/' kept, no dot-segment normalisation.
/// An empty path is "/".
[[nodiscard]] std::string canonical_uri(std::string_view raw_path);

/// The canonical query string: names and values encoded, sorted by name then value, joined with '&'; a
/// parameter without value is "name=".
[[nodiscard]] std::string canonical_query_string(const std::vector<query_param>& query);

/// "YYYYMMDD/region/service/aws4_request" for the date part of `amz_date`.
[[nodiscard]] std::string credential_scope(std::string_view amz_date, std::string_view region,
                                           std::string_view service);

/// The derived signing key (binary): HMAC chain "AWS4"+secret → date → region → service → "aws4_request".
[[nodiscard]] std::string signing_key(std::string_view secret_access_key, std::string_view date,
                                      std::string_view region, std::string_view service);

/// Signs `request`: canonical request, string to sign, signature and `Authorization` header value
/// ("AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…").
/// @throws pgqrs::internal_error if OpenSSL fails.
[[nodiscard]] signature_parts sign(const request_to_sign& request, const signing_scope& scope);

/// `time` as "YYYYMMDDTHHMMSSZ" (UTC, seconds precision).
[[nodiscard]] std::string format_amz_date(std::chrono::system_clock::time_point time);

/// Adds what an S3 request needs to be authenticated and signs it: `x-amz-date` (from `scope.amz_date`),
/// `x-amz-content-sha256` (from `request.payload_sha256`), `x-amz-security-token` when `session_token` is
/// not empty (signed, as S3 requires), then `Authorization`. Returns the headers to send, in the order
/// they are signed, request headers first.
/// @throws pgqrs::internal_error if OpenSSL fails.
[[nodiscard]] std::vector<http_header> sign_s3_request(request_to_sign request, const signing_scope& scope,
                                                       std::string_view session_token);

}  // namespace pgqrs::detail::s3
