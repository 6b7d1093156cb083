#include "s3/s3_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "s3/sigv4.hpp"

namespace pgqrs::detail::s3 {

// ---------------------------------------------------------------- value types and errors

put_condition put_condition::if_match(std::string etag) {
  if (etag.empty()) throw validation_error("S3 If-Match needs a non-empty ETag");
  return put_condition(kind::if_match, std::move(etag));
}

s3_error::s3_error(const std::string& message, long http_status, std::string s3_code, bool outcome_unknown)
    : internal_error(message),
      m_http_status(http_status),
      m_s3_code(std::move(s3_code)),
      m_outcome_unknown(outcome_unknown) {}

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

std::string required_env(const char* name) {
  std::string value = env_or(name, {});
  if (value.empty()) throw missing_config(name);
  return value;
}

}  // namespace

s3_config s3_config::from_env() {
  s3_config config;
  config.region = env_or("AWS_REGION", env_or("AWS_DEFAULT_REGION", "us-east-1"));
  config.endpoint = env_or("AWS_ENDPOINT_URL", "https://s3." + config.region + ".amazonaws.com");
  config.access_key_id = required_env("AWS_ACCESS_KEY_ID");
  config.secret_access_key = required_env("AWS_SECRET_ACCESS_KEY");
  config.session_token = env_or("AWS_SESSION_TOKEN", {});
  return config;
}

// ---------------------------------------------------------------- transport helpers

namespace {

/// libcurl's global state must be initialised once before any handle exists, and (before 7.84) not
/// concurrently with other threads using libcurl. It is never cleaned up: other code in the process may
/// use libcurl too, and cleanup at exit buys nothing.
void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw internal_error("curl_global_init failed");
  });
}

struct curl_handle_deleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using curl_handle = std::unique_ptr<CURL, curl_handle_deleter>;

struct curl_slist_deleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using curl_header_list = std::unique_ptr<curl_slist, curl_slist_deleter>;

struct parsed_endpoint {
  std::string scheme;     // "http" or "https"
  std::string authority;  // "host[:port]", exactly as given
};

parsed_endpoint parse_endpoint(std::string_view endpoint) {
  auto bad = [&](const std::string& why) {
    // An endpoint with user info may hold a password: then it is not quoted back.
    const bool may_hold_secret = endpoint.find('@') != std::string_view::npos;
    return config_error(
        "s3.endpoint",
        (may_hold_secret ? std::string("the endpoint") : "'" + std::string(endpoint) + "'") + " " + why);
  };
  parsed_endpoint out;
  std::string_view rest;
  for (std::string_view scheme : {"http", "https"}) {
    const std::string prefix = std::string(scheme) + "://";
    if (endpoint.substr(0, prefix.size()) == prefix) {
      out.scheme = scheme;
      rest = endpoint.substr(prefix.size());
    }
  }
  if (out.scheme.empty()) throw bad("must start with http:// or https://");
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) throw bad("has no host");
  // No path (requests would silently go elsewhere), no user info (it could carry credentials into messages).
  for (char c : rest) {
    if (c == '/' || c == '?' || c == '#' || c == '@' || std::isspace(static_cast<unsigned char>(c)) != 0) {
      throw bad("must be scheme://host[:port] only (no path, query, user info or spaces)");
    }
  }
  out.authority = rest;
  return out;
}

void validate_bucket(std::string_view bucket) {
  if (bucket.empty()) throw validation_error("S3 bucket name must not be empty");
  if (bucket.size() > 255 || bucket.find('/') != std::string_view::npos) {
    throw validation_error("S3 bucket name '" + std::string(bucket) + "' is not valid");
  }
}

void validate_object(std::string_view bucket, std::string_view key) {
  validate_bucket(bucket);
  if (key.empty()) throw validation_error("S3 object key must not be empty");
  if (key.size() > 1024) throw validation_error("S3 object key is longer than 1024 bytes");
}

/// The text of the first <name>…</name> in an S3 error document, entities decoded; empty if absent.
std::string xml_element(std::string_view xml, std::string_view name) {
  const std::string open = "<" + std::string(name) + ">";
  const std::string close = "</" + std::string(name) + ">";
  const auto begin = xml.find(open);
  if (begin == std::string_view::npos) return {};
  const auto start = begin + open.size();
  const auto end = xml.find(close, start);
  if (end == std::string_view::npos) return {};
  std::string text(xml.substr(start, end - start));
  static const std::pair<std::string_view, std::string_view> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities) {
    for (auto pos = text.find(entity); pos != std::string::npos;
         pos = text.find(entity, pos + plain.size())) {
      text.replace(pos, entity.size(), plain);
    }
  }
  return text;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) text.remove_suffix(1);
  return text;
}

/// How a request may be retried (see the retry rule in s3_client.hpp).
enum class retry_class {
  idempotent,   ///< any transport failure or retryable status
  not_applied,  ///< only when S3 cannot have applied it
};

struct request {
  std::string method;
  std::string_view bucket;
  std::string_view key;  // empty for bucket operations
  std::vector<http_header> headers;
  std::string_view body;
  bool upload = false;  // send `body` (PUT)
  retry_class retry = retry_class::idempotent;
};

struct response {
  long status = 0;
  std::string body;
  std::string etag;
  std::uint64_t content_length = 0;
  std::string request_id;
  std::string s3_code;
  std::string s3_message;
  bool head = false;  // HEAD: Content-Length describes the object, no body follows
};

/// The outcome of one attempt: either a response or a transport failure.
struct attempt {
  CURLcode code = CURLE_OK;
  bool request_sent = false;  // some request bytes reached the socket
  std::string curl_message;
  response resp;
};

struct upload_cursor {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<response*>(user)->body.append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* resp = static_cast<response*>(user);
  const std::string_view line(data, size * count);
  if (line.substr(0, 5) == "HTTP/") {
    // A new status line (after "100 Continue" or a redirect): forget headers of the previous one.
    const bool head = resp->head;
    *resp = response{};
    resp->head = head;
    return line.size();
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  const std::string name = lowercase(trim(line.substr(0, colon)));
  const std::string_view value = trim(line.substr(colon + 1));
  if (name == "etag") {
    resp->etag = value;
  } else if (name == "x-amz-request-id" || name == "x-amzn-requestid") {  // the second is moto's
    resp->request_id = value;
  } else if (name == "content-length") {
    resp->content_length = std::strtoull(std::string(value).c_str(), nullptr, 10);
    // Large GETs: one allocation instead of a doubling sequence (bounded: the header is the server's word).
    if (!resp->head) {
      resp->body.reserve(
          static_cast<std::size_t>(std::min<std::uint64_t>(resp->content_length, 64ULL << 20)));
    }
  }
  return line.size();
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* cursor = static_cast<upload_cursor*>(user);
  const std::size_t n = std::min(size * count, cursor->data.size() - cursor->offset);
  std::copy_n(cursor->data.data() + cursor->offset, n, buffer);
  cursor->offset += n;
  return n;
}

int on_seek(void* user, curl_off_t offset, int origin) {
  auto* cursor = static_cast<upload_cursor*>(user);
  // libcurl rewinds the body when it must resend it (e.g. on a reused connection that turned out dead).
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > cursor->data.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  cursor->offset = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

bool retryable_status(long status, const std::string& s3_code, retry_class retry) {
  if (retry == retry_class::not_applied) return status == 503 && s3_code == "SlowDown";
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

template <typename T>
void set(CURL* handle, CURLoption option, T value) {
  // Options set here are all supported by 7.88; a failure means a programming error, surfaced at once.
  if (curl_easy_setopt(handle, option, value) != CURLE_OK) {
    throw internal_error("curl_easy_setopt(" + std::to_string(static_cast<int>(option)) + ") failed");
  }
}

}  // namespace

// ---------------------------------------------------------------- the client

struct s3_client::impl {
  s3_config m_config;
  parsed_endpoint m_endpoint;
  curl_handle m_handle;
  char m_error_buffer[CURL_ERROR_SIZE] = {};
  std::minstd_rand m_jitter{std::random_device{}()};

  explicit impl(s3_config config)
      : m_config(std::move(config)), m_endpoint(parse_endpoint(m_config.endpoint)) {
    if (m_config.region.empty()) throw config_error("s3.region", "must not be empty");
    if (!m_config.anonymous && (m_config.access_key_id.empty() || m_config.secret_access_key.empty())) {
      throw config_error("s3.credentials",
                         "an access key id and a secret access key are required (AWS_ACCESS_KEY_ID, "
                         "AWS_SECRET_ACCESS_KEY) unless anonymous access is configured");
    }
    if (m_config.max_attempts < 1) throw config_error("s3.max_attempts", "must be at least 1");
    ensure_curl_initialised();
    m_handle.reset(curl_easy_init());
    if (!m_handle) throw internal_error("curl_easy_init failed");
  }

  /// `text` with every occurrence of a secret replaced: the last line of defence for anything a server or
  /// libcurl might echo back into a message.
  [[nodiscard]] std::string redact(std::string text) const {
    for (const std::string* secret : {&m_config.secret_access_key, &m_config.session_token}) {
      if (secret->empty()) continue;
      for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos)) {
        text.replace(pos, secret->size(), "[redacted]");
      }
    }
    return text;
  }

  [[nodiscard]] std::string describe(const request& r) const {
    std::string what = "S3 " + r.method + " s3://" + std::string(r.bucket);
    if (!r.key.empty()) what.append("/").append(r.key);
    return what;
  }

  [[nodiscard]] std::string host_for(std::string_view bucket) const {
    return m_config.path_style ? m_endpoint.authority : std::string(bucket) + "." + m_endpoint.authority;
  }

  [[nodiscard]] std::string raw_path_for(const request& r) const {
    std::string path = m_config.path_style ? "/" + std::string(r.bucket) : std::string();
    if (!r.key.empty()) path.append("/").append(r.key);
    return path.empty() ? "/" : path;
  }

  /// Runs `r` with retries and returns the final response (which may be an error status).
  response perform(const request& r) {
    // Hashed once: a 5 MB body costs ~10 ms to hash and every attempt signs the same payload.
    const std::string payload_sha256 = sha256_hex(r.body);
    for (int number = 1;; ++number) {
      attempt a = attempt_once(r, payload_sha256);
      const bool last = number >= m_config.max_attempts;
      if (a.code != CURLE_OK) {
        const bool may_retry = r.retry == retry_class::idempotent || !a.request_sent;
        if (may_retry && !last) {
          back_off(number);
          continue;
        }
        throw_transport_failure(r, a, number, may_retry);
      }
      if (!last && retryable_status(a.resp.status, a.resp.s3_code, r.retry)) {
        back_off(number);
        continue;
      }
      return std::move(a.resp);
    }
  }

  void back_off(int attempt_number) {
    const auto doubling = std::min(attempt_number - 1, 20);
    const auto ceiling = std::min(m_config.max_backoff.count(),
                                  m_config.initial_backoff.count() * (std::int64_t{1} << doubling));
    // "Equal jitter": at least half the delay, so retries back off, and the rest random, so a crowd of
    // clients that failed together does not retry together.
    std::uniform_int_distribution<std::int64_t> pick(ceiling / 2, std::max<std::int64_t>(ceiling, 0));
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(m_jitter)));
  }

  /// `retriable`: the request could be retried (nothing sent, or idempotent), so its outcome is not in doubt.
  [[noreturn]] void throw_transport_failure(const request& r, const attempt& a, int attempts,
                                            bool retriable) const {
    const std::string detail =
        redact(a.curl_message + " (curl error " + std::to_string(static_cast<int>(a.code)) + ")");
    std::string context = describe(r) + " at " + m_config.endpoint + " after " + std::to_string(attempts) +
                          (attempts == 1 ? " attempt" : " attempts");
    if (!retriable) {
      context += "; the request was sent, so S3 may or may not have applied it";
      throw s3_outcome_unknown(detail, redact(context));
    }
    throw connection_error(detail, redact(context));
  }

  [[noreturn]] void fail(const request& r, const response& resp) const {
    // A 5xx to a conditional write may come after S3 applied it, except throttling (rejected up front).
    const bool outcome_unknown = r.retry == retry_class::not_applied && resp.status >= 500 &&
                                 !retryable_status(resp.status, resp.s3_code, retry_class::not_applied);
    std::string message = describe(r) + " failed: HTTP " + std::to_string(resp.status);
    if (!resp.s3_code.empty()) message += " " + resp.s3_code;
    if (!resp.s3_message.empty()) message += ": " + resp.s3_message;
    if (resp.s3_code.empty()) {
      message += r.method == "HEAD" ? " (HEAD responses carry no error document)" : " (no S3 error document)";
    }
    if (!resp.request_id.empty()) message += " (request id " + resp.request_id + ")";
    if (outcome_unknown) message += "; S3 may or may not have applied the write";
    throw s3_error(redact(message), resp.status, resp.s3_code, outcome_unknown);
  }

  attempt attempt_once(const request& r, const std::string& payload_sha256) {
    CURL* h = m_handle.get();
    // Reset drops the previous request's options but keeps live connections, TLS sessions and DNS cache.
    curl_easy_reset(h);
    m_error_buffer[0] = '\0';

    const std::string host = host_for(r.bucket);
    const std::string raw_path = raw_path_for(r);
    const std::string url = m_endpoint.scheme + "://" + host + canonical_uri(raw_path);

    request_to_sign to_sign{r.method,
                            raw_path,
                            {},
                            {{"Host", host}, {"Content-Type", "application/octet-stream"}},
                            payload_sha256};
    for (const auto& extra : r.headers) to_sign.headers.push_back(extra);
    std::vector<http_header> headers;
    if (m_config.anonymous) {
      to_sign.headers.push_back({"x-amz-content-sha256", payload_sha256});
      headers = std::move(to_sign.headers);
    } else {
      const signing_scope scope{m_config.access_key_id, m_config.secret_access_key, m_config.region, "s3",
                                format_amz_date(std::chrono::system_clock::now())};
      headers = sign_s3_request(std::move(to_sign), scope, m_config.session_token);
    }
    curl_header_list list;
    auto append = [&](const std::string& line) {
      curl_slist* grown = curl_slist_append(list.get(), line.c_str());
      if (grown == nullptr) throw internal_error("curl_slist_append failed");
      (void)list.release();
      list.reset(grown);
    };
    for (const auto& header : headers) append(header.name + ": " + header.value);
    // No "Expect: 100-continue": it costs a round trip per PUT and some S3 implementations mishandle it.
    append("Expect:");

    attempt a;
    a.resp.head = r.method == "HEAD";
    upload_cursor cursor{r.body, 0};
    set(h, CURLOPT_URL, url.c_str());
    set(h, CURLOPT_HTTPHEADER, list.get());
    set(h, CURLOPT_ERRORBUFFER, m_error_buffer);
    set(h, CURLOPT_NOSIGNAL, 1L);    // timeouts without SIGALRM: safe in threaded programs
    set(h, CURLOPT_PATH_AS_IS, 1L);  // keys may contain "/../" or "//": send them as signed
    set(h, CURLOPT_PROTOCOLS_STR, "http,https");
    set(h, CURLOPT_TCP_KEEPALIVE, 1L);
    set(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_config.connect_timeout.count()));
    set(h, CURLOPT_TIMEOUT_MS, static_cast<long>(m_config.request_timeout.count()));
    set(h, CURLOPT_WRITEFUNCTION, &on_body);
    set(h, CURLOPT_WRITEDATA, &a.resp);
    set(h, CURLOPT_HEADERFUNCTION, &on_header);
    set(h, CURLOPT_HEADERDATA, &a.resp);
    if (r.method == "HEAD") {
      set(h, CURLOPT_NOBODY, 1L);
    } else if (r.upload) {
      set(h, CURLOPT_UPLOAD, 1L);  // PUT with a known length, read from memory
      set(h, CURLOPT_READFUNCTION, &on_read);
      set(h, CURLOPT_READDATA, &cursor);
      set(h, CURLOPT_SEEKFUNCTION, &on_seek);
      set(h, CURLOPT_SEEKDATA, &cursor);
      set(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    } else if (r.method != "GET") {
      set(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }

    a.code = curl_easy_perform(h);
    long request_size = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
    a.request_sent = request_size > 0;
    if (a.code != CURLE_OK) {
      a.curl_message = m_error_buffer[0] != '\0' ? m_error_buffer : curl_easy_strerror(a.code);
      return a;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.resp.status);
    if (a.resp.status >= 300) {
      a.resp.s3_code = xml_element(a.resp.body, "Code");
      a.resp.s3_message = xml_element(a.resp.body, "Message");
    }
    return a;
  }
};

s3_client::s3_client(s3_config config) : m_impl(std::make_unique<impl>(std::move(config))) {}
s3_client::~s3_client() = default;
s3_client::s3_client(s3_client&&) noexcept = default;
s3_client& s3_client::operator=(s3_client&&) noexcept = default;

const std::string& s3_client::endpoint() const noexcept {
  return m_impl->m_config.endpoint;
}

get_result s3_client::get_object(std::string_view bucket, std::string_view key,
                                 std::optional<std::string_view> if_none_match) {
  validate_object(bucket, key);
  request r{"GET", bucket, key, {}, {}, false, retry_class::idempotent};
  if (if_none_match && !if_none_match->empty())
    r.headers.push_back({"If-None-Match", std::string(*if_none_match)});
  response resp = m_impl->perform(r);
  switch (resp.status) {
    case 200:
      return {get_status::found, std::move(resp.body), std::move(resp.etag)};
    case 304:
      if (resp.etag.empty() && if_none_match) resp.etag = *if_none_match;
      return {get_status::not_modified, {}, std::move(resp.etag)};
    case 404:
      if (resp.s3_code != "NoSuchBucket") return {get_status::not_found, {}, {}};
      break;
    default:
      break;
  }
  m_impl->fail(r, resp);
}

std::optional<object_head> s3_client::head_object(std::string_view bucket, std::string_view key) {
  validate_object(bucket, key);
  const request r{"HEAD", bucket, key, {}, {}, false, retry_class::idempotent};
  response resp = m_impl->perform(r);
  if (resp.status == 200) return object_head{std::move(resp.etag), resp.content_length};
  if (resp.status == 404) return std::nullopt;
  m_impl->fail(r, resp);
}

put_result s3_client::put_object(std::string_view bucket, std::string_view key, std::string_view body,
                                 const put_condition& condition) {
  validate_object(bucket, key);
  request r{"PUT", bucket, key, {}, body, true, retry_class::not_applied};
  switch (condition.type()) {
    case put_condition::kind::none:
      r.retry = retry_class::idempotent;  // the same bytes again: last writer wins either way
      break;
    case put_condition::kind::if_none_match_any:
      r.headers.push_back({"If-None-Match", "*"});
      break;
    case put_condition::kind::if_match:
      // put_condition::if_match refuses an empty ETag; check again because an empty If-Match header is
      // ignored by some servers, which would turn a compare-and-swap into a blind overwrite.
      if (condition.etag().empty()) throw validation_error("S3 If-Match needs a non-empty ETag");
      r.headers.push_back({"If-Match", condition.etag()});
      break;
  }
  response resp = m_impl->perform(r);
  if (resp.status == 200) return {put_status::stored, std::move(resp.etag), {}};
  if (resp.status == 412 || (resp.status == 409 && resp.s3_code == "ConditionalRequestConflict")) {
    return {put_status::precondition_failed, {}, resp.s3_code.empty() ? "PreconditionFailed" : resp.s3_code};
  }
  if (resp.status == 404 && resp.s3_code == "NoSuchKey") return {put_status::not_found, {}, resp.s3_code};
  m_impl->fail(r, resp);
}

delete_status s3_client::delete_object(std::string_view bucket, std::string_view key,
                                       std::optional<std::string_view> if_match) {
  validate_object(bucket, key);
  request r{"DELETE", bucket, key, {}, {}, false, retry_class::idempotent};
  if (if_match) {
    if (if_match->empty()) throw validation_error("S3 If-Match needs a non-empty ETag");
    r.headers.push_back({"If-Match", std::string(*if_match)});
    r.retry = retry_class::not_applied;
  }
  response resp = m_impl->perform(r);
  if (resp.status == 204 || resp.status == 200) return delete_status::deleted;
  if (resp.status == 412) return delete_status::precondition_failed;
  if (resp.status == 404 && resp.s3_code != "NoSuchBucket") return delete_status::not_found;
  m_impl->fail(r, resp);
}

bool s3_client::create_bucket(std::string_view bucket) {
  validate_bucket(bucket);
  // us-east-1 is the default location and AWS rejects it as an explicit LocationConstraint.
  const std::string& region = m_impl->m_config.region;
  const std::string body =
      region == "us-east-1" ? std::string()
                            : "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                              "<LocationConstraint>" +
                                  region + "</LocationConstraint></CreateBucketConfiguration>";
  // A repeated create of an applied one answers BucketAlreadyOwnedByYou, i.e. `false`: safe to retry.
  const request r{"PUT", bucket, {}, {}, body, true, retry_class::idempotent};
  const response resp = m_impl->perform(r);
  if (resp.status == 200) return true;
  if (resp.status == 409 && resp.s3_code == "BucketAlreadyOwnedByYou") return false;
  m_impl->fail(r, resp);
}

}  // namespace pgqrs::detail::s3
