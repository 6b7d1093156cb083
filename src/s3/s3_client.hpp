#pragma once
/// @file s3_client.hpp
/// A small S3 object client over libcurl: exactly the calls the S3 backend needs to keep one SQLite file as
/// one object and synchronise it by ETag compare-and-swap (GET / HEAD / conditional PUT / DELETE, plus
/// bucket creation for tests and bootstrap).
///
/// Results a caller must branch on (object missing, not modified, precondition failed) are **values**;
/// failures are exceptions:
/// - the network failed (DNS, connect, TLS, timeout, reset)       → pgqrs::connection_error
/// - a write was sent but no answer came back (outcome unknown)    → s3_outcome_unknown (a connection_error)
/// - S3 refused the request (403, NoSuchBucket, 5xx after retries) → s3_error (an internal_error, as the
///   original maps object-store failures), naming the operation, bucket, key and S3's error Code.
///
/// Secrets: the secret access key and the session token never appear in an exception message (messages are
/// built from our own text, S3's Code and Message, and libcurl's error buffer, and are then scrubbed of both
/// values). libcurl's verbose mode, which would print the token header, is never enabled.
///
/// Retries (exponential backoff with jitter, `max_attempts` in all):
/// - GET, HEAD, an unconditional PUT or DELETE and bucket creation are idempotent: retried on transport
///   failures and on HTTP 408, 429, 500, 502, 503, 504.
/// - A conditional PUT or DELETE (If-Match / If-None-Match) is retried **only when S3 cannot have applied
///   it**: the request never left this process (nothing was written to the socket: DNS, connect or TLS
///   failure), or S3 answered 503 SlowDown (throttling rejects a request before it is processed). Any other
///   failure after sending leaves the outcome unknown, because a retry of a create-only PUT that did apply
///   would report a false conflict and a retry of an If-Match PUT could not tell its own write from another
///   writer's. Those failures throw s3_outcome_unknown (no answer) or s3_error with `outcome_unknown()` set
///   (a 5xx answer); the caller must look (HEAD) before deciding what happened.
///
/// Thread safety: an s3_client owns one libcurl easy handle, reused across calls so connections and TLS
/// sessions are kept alive. A libcurl easy handle must not be used by two threads at once, so an s3_client
/// is **not** thread-safe: give each thread its own client (they are cheap; move-only).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pgqrs/errors.hpp"

namespace pgqrs::detail::s3 {

/// Where and how to reach S3. Holds secrets: never log or print it.
struct s3_config {
  /// Scheme and authority only, e.g. "https://s3.us-east-1.amazonaws.com" or "http://127.0.0.1:9000".
  std::string endpoint;
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;  ///< secret
  std::string session_token;      ///< secret; empty when not using temporary credentials
  /// "endpoint/bucket/key" (true, works with every S3 implementation) or "bucket.endpoint/key".
  bool path_style = true;
  /// Send unsigned requests (public buckets only); the credentials are then ignored.
  bool anonymous = false;
  std::chrono::milliseconds connect_timeout{5'000};
  /// Whole-request limit (a 5 MB body must fit in it on a slow link).
  std::chrono::milliseconds request_timeout{60'000};
  int max_attempts = 4;  ///< first try included
  std::chrono::milliseconds initial_backoff{50};
  std::chrono::milliseconds max_backoff{2'000};

  /// The standard AWS variables: AWS_ENDPOINT_URL (default https://s3.<region>.amazonaws.com), AWS_REGION
  /// or else AWS_DEFAULT_REGION (default us-east-1), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  /// AWS_SESSION_TOKEN (optional).
  /// @throws pgqrs::missing_config if AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is unset or empty.
  [[nodiscard]] static s3_config from_env();
};

/// What a GET found.
enum class get_status {
  found,         ///< body and etag are set
  not_modified,  ///< the object still has the If-None-Match ETag (etag set, body empty)
  not_found,     ///< no such key
};

struct get_result {
  get_status status = get_status::not_found;
  std::string body;
  std::string etag;  ///< as S3 sends it, quotes included
};

/// What a HEAD found.
struct object_head {
  std::string etag;
  std::uint64_t size = 0;
};

/// The precondition of a PUT. ETags are opaque strings, passed back exactly as S3 returned them.
class put_condition {
 public:
  enum class kind { none, if_none_match_any, if_match };

  /// Unconditional (last writer wins).
  [[nodiscard]] static put_condition none() { return put_condition(kind::none, {}); }
  /// Create only: `If-None-Match: *`, fails if the key exists.
  [[nodiscard]] static put_condition if_none_match_any() {
    return put_condition(kind::if_none_match_any, {});
  }
  /// Replace only the revision `etag`: `If-Match: <etag>`.
  /// @throws pgqrs::validation_error if `etag` is empty (an empty If-Match would be ignored by some servers).
  [[nodiscard]] static put_condition if_match(std::string etag);

  [[nodiscard]] kind type() const noexcept { return m_kind; }
  [[nodiscard]] const std::string& etag() const noexcept { return m_etag; }

 private:
  put_condition(kind k, std::string etag) : m_kind(k), m_etag(std::move(etag)) {}
  kind m_kind;
  std::string m_etag;
};

/// What a PUT did.
enum class put_status {
  stored,               ///< etag is the new revision
  precondition_failed,  ///< 412, or 409 ConditionalRequestConflict (a concurrent conditional write)
  not_found,            ///< If-Match on a key that does not exist (404 NoSuchKey)
};

struct put_result {
  put_status status = put_status::stored;
  std::string etag;     ///< set when stored
  std::string s3_code;  ///< S3's error Code when the precondition failed (e.g. "PreconditionFailed")
};

/// What a DELETE did.
enum class delete_status {
  deleted,              ///< gone (S3 also answers this for a key that never existed, without If-Match)
  not_found,            ///< with If-Match: there was no such key
  precondition_failed,  ///< with If-Match: the key has another ETag
};

/// S3 answered with an error that is not an expected outcome.
class s3_error : public pgqrs::internal_error {
 public:
  /// `message` must already be free of secrets; s3_client guarantees it.
  s3_error(const std::string& message, long http_status, std::string s3_code, bool outcome_unknown);
  [[nodiscard]] long http_status() const noexcept { return m_http_status; }
  /// S3's error Code (e.g. "AccessDenied", "NoSuchBucket"); empty when the response had no XML body (HEAD).
  [[nodiscard]] const std::string& s3_code() const noexcept { return m_s3_code; }
  /// True for a failed conditional write that S3 may nevertheless have applied (a 5xx answer).
  [[nodiscard]] bool outcome_unknown() const noexcept { return m_outcome_unknown; }

 private:
  long m_http_status;
  std::string m_s3_code;
  bool m_outcome_unknown;
};

/// A conditional write was sent but no answer arrived (timeout, reset): S3 may or may not have applied it.
class s3_outcome_unknown : public pgqrs::connection_error {
 public:
  s3_outcome_unknown(const std::string& detail, const std::string& context)
      : connection_error(detail, context) {}
};

/// Client for one endpoint with one set of credentials. Move-only; not thread-safe (see the file comment).
class s3_client {
 public:
  /// @throws pgqrs::config_error for an endpoint that is not "http(s)://authority", an empty region, missing
  ///         credentials (unless anonymous) or max_attempts < 1.
  explicit s3_client(s3_config config);
  ~s3_client();
  s3_client(s3_client&&) noexcept;
  s3_client& operator=(s3_client&&) noexcept;
  s3_client(const s3_client&) = delete;
  s3_client& operator=(const s3_client&) = delete;

  /// Reads an object. With `if_none_match`, an unchanged object comes back as `not_modified` (no body).
  /// @throws pgqrs::validation_error for an empty bucket or key; pgqrs::connection_error; s3_error (also for
  ///         a missing bucket: only a missing key is an outcome).
  [[nodiscard]] get_result get_object(std::string_view bucket, std::string_view key,
                                      std::optional<std::string_view> if_none_match = std::nullopt);

  /// The object's ETag and size, or nullopt when there is no such key (HEAD responses have no body, so a
  /// missing bucket also reads as nullopt).
  /// @throws pgqrs::validation_error, pgqrs::connection_error, s3_error.
  [[nodiscard]] std::optional<object_head> head_object(std::string_view bucket, std::string_view key);

  /// Stores `body` (any bytes) under `key` if `condition` holds.
  /// @throws pgqrs::validation_error, pgqrs::connection_error, s3_outcome_unknown, s3_error.
  [[nodiscard]] put_result put_object(std::string_view bucket, std::string_view key, std::string_view body,
                                      const put_condition& condition = put_condition::none());

  /// Deletes `key`, only if it still has ETag `if_match` when given.
  /// @throws pgqrs::validation_error (also for an empty if_match), pgqrs::connection_error,
  ///         s3_outcome_unknown, s3_error.
  [[nodiscard]] delete_status delete_object(std::string_view bucket, std::string_view key,
                                            std::optional<std::string_view> if_match = std::nullopt);

  /// Creates `bucket` in the configured region. Returns false if S3 answers BucketAlreadyOwnedByYou
  /// (us-east-1 and moto answer 200 for a bucket you own, so there it is true again).
  /// @throws pgqrs::validation_error, pgqrs::connection_error, s3_error (e.g. BucketAlreadyExists: owned by
  ///         someone else).
  bool create_bucket(std::string_view bucket);

  /// The endpoint requests go to (scheme and authority), for messages.
  [[nodiscard]] const std::string& endpoint() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> m_impl;
};

}  // namespace pgqrs::detail::s3
