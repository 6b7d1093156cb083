// The S3 client's rules that a healthy server never exercises, against a scripted local HTTP server: what is
// sent (headers, encoding), which failures are retried and which are not, how outcomes and errors are
// reported, that secrets never reach a message; plus configuration from the environment. No moto needed.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <string>

#include "../../unit/catch_as.hpp"
#include "fake_http_server.hpp"
#include "pgqrs/errors.hpp"
#include "s3/s3_client.hpp"
#include "s3/sigv4.hpp"
#include "s3_test_support.hpp"

using namespace pgqrs::detail::s3;
using namespace pgqrs::test;
using std::chrono::milliseconds;

namespace {

constexpr const char* bucket = "fault-bucket";
constexpr const char* key = "state/db.sqlite";

fake_response ok_with_etag(const std::string& etag = "\"etag-1\"") {
  return {200, {{"ETag", etag}}, "", {}, false};
}

fake_response s3_failure(int status, const std::string& code,
                         const std::string& message = "scripted failure") {
  return {status, {{"Content-Type", "application/xml"}}, s3_error_xml(code, message), {}, false};
}

/// Answers the first `failures` requests with `failure`, then `success`.
fake_http_server::handler fail_then(int failures, fake_response failure, fake_response success) {
  auto seen = std::make_shared<std::atomic<int>>(0);
  return [=](const fake_request&) { return (*seen)++ < failures ? failure : success; };
}

/// A loopback port with nothing listening (bound, then closed).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// Sets (or unsets, with nullopt) an environment variable for one scope.
class scoped_env {
 public:
  scoped_env(const char* name, std::optional<std::string> value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~scoped_env() {
    if (m_old) {
      ::setenv(m_name, m_old->c_str(), 1);
    } else {
      ::unsetenv(m_name);
    }
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

}  // namespace

// ---------------------------------------------------------------- what goes on the wire

TEST(S3ClientWire, a_put_sends_octet_stream_the_payload_hash_a_signature_and_the_encoded_key) {
  fake_http_server server([](const fake_request&) { return ok_with_etag(); });
  s3_client client(test_config(server.endpoint(), true));
  const std::string body("bytes\0with nul", 14);
  ASSERT_EQ(
      client.put_object(bucket, "dir/my file+1.sqlite", body, put_condition::if_match("\"etag-0\"")).etag,
      "\"etag-1\"");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1U);
  const fake_request& r = requests[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/fault-bucket/dir/my%20file%2B1.sqlite");
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.headers.at("content-type"), "application/octet-stream");
  EXPECT_EQ(r.headers.at("x-amz-content-sha256"), sha256_hex(body));
  EXPECT_EQ(r.headers.at("if-match"), "\"etag-0\"");
  EXPECT_EQ(r.headers.at("x-amz-security-token"), test_token);
  EXPECT_EQ(r.headers.count("expect"), 0U);
  EXPECT_EQ(r.headers.at("x-amz-date").size(), 16U);
  const std::string& authorization = r.headers.at("authorization");
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDPGQRSTEST/", 0), 0U) << authorization;
  EXPECT_NE(authorization.find("SignedHeaders=content-type;host;if-match;x-amz-content-sha256;x-amz-date;"
                               "x-amz-security-token,"),
            std::string::npos)
      << authorization;
  for (const auto& [name, value] : r.headers) EXPECT_EQ(value.find(test_secret), std::string::npos) << name;
}

TEST(S3ClientWire, a_create_only_put_sends_if_none_match_star_and_no_if_match) {
  fake_http_server server([](const fake_request&) { return ok_with_etag(); });
  s3_client client(test_config(server.endpoint()));
  (void)client.put_object(bucket, key, "x", put_condition::if_none_match_any());
  const fake_request r = server.requests().at(0);
  EXPECT_EQ(r.headers.at("if-none-match"), "*");
  EXPECT_EQ(r.headers.count("if-match"), 0U);
}

TEST(S3ClientWire, an_empty_etag_is_refused_before_anything_is_sent) {
  fake_http_server server([](const fake_request&) { return ok_with_etag(); });
  s3_client client(test_config(server.endpoint()));
  EXPECT_THROW((void)put_condition::if_match(""), pgqrs::validation_error);
  EXPECT_THROW((void)client.delete_object(bucket, key, std::string_view()), pgqrs::validation_error);
  EXPECT_THROW((void)client.get_object(bucket, ""), pgqrs::validation_error);
  EXPECT_THROW((void)client.get_object("", key), pgqrs::validation_error);
  EXPECT_TRUE(server.requests().empty());
}

TEST(S3ClientWire, a_409_conditional_request_conflict_is_reported_as_a_failed_precondition) {
  fake_http_server server([](const fake_request&) { return s3_failure(409, "ConditionalRequestConflict"); });
  s3_client client(test_config(server.endpoint()));
  const put_result put = client.put_object(bucket, key, "x", put_condition::if_match("\"e\""));
  EXPECT_EQ(put.status, put_status::precondition_failed);
  EXPECT_EQ(put.s3_code, "ConditionalRequestConflict");
  EXPECT_EQ(server.requests().size(), 1U);
}

// ---------------------------------------------------------------- retries

TEST(S3ClientRetry, a_get_is_retried_after_503_and_500_and_then_succeeds) {
  std::atomic<int> calls{0};
  fake_http_server server([&](const fake_request&) {
    const int call = ++calls;
    if (call == 1) return s3_failure(503, "SlowDown");
    if (call == 2) return s3_failure(500, "InternalError");
    return fake_response{200, {{"ETag", "\"e\""}}, "payload", {}, false};
  });
  s3_client client(test_config(server.endpoint()));
  const get_result got = client.get_object(bucket, key);
  EXPECT_EQ(got.status, get_status::found);
  EXPECT_EQ(got.body, "payload");
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(S3ClientRetry, a_get_gives_up_after_max_attempts_with_the_last_s3_code) {
  fake_http_server server([](const fake_request&) { return s3_failure(500, "InternalError", "try again"); });
  s3_config config = test_config(server.endpoint());
  config.max_attempts = 3;
  s3_client client(config);
  const auto e = catch_as<s3_error>([&] { (void)client.get_object(bucket, key); });
  ASSERT_TRUE(e) << "expected s3_error";
  EXPECT_EQ(e->http_status(), 500);
  EXPECT_EQ(e->s3_code(), "InternalError");
  EXPECT_FALSE(e->outcome_unknown());
  EXPECT_NE(std::string(e->what()).find(
                "S3 GET s3://fault-bucket/state/db.sqlite failed: HTTP 500 InternalError: try again"),
            std::string::npos)
      << e->what();
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(S3ClientRetry, a_conditional_put_answered_500_is_not_retried_and_its_outcome_is_unknown) {
  fake_http_server server([](const fake_request&) { return s3_failure(500, "InternalError"); });
  s3_client client(test_config(server.endpoint()));
  const auto e = catch_as<s3_error>(
      [&] { (void)client.put_object(bucket, key, "x", put_condition::if_none_match_any()); });
  ASSERT_TRUE(e) << "expected s3_error";
  EXPECT_TRUE(e->outcome_unknown());
  EXPECT_NE(std::string(e->what()).find("may or may not have applied"), std::string::npos) << e->what();
  EXPECT_EQ(server.requests().size(), 1U);
}

TEST(S3ClientRetry, a_conditional_put_throttled_with_503_slow_down_is_retried) {
  fake_http_server server(fail_then(2, s3_failure(503, "SlowDown"), ok_with_etag("\"new\"")));
  s3_client client(test_config(server.endpoint()));
  const put_result put = client.put_object(bucket, key, "x", put_condition::if_match("\"old\""));
  EXPECT_EQ(put.status, put_status::stored);
  EXPECT_EQ(put.etag, "\"new\"");
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(S3ClientRetry, a_conditional_put_still_throttled_after_every_attempt_was_known_not_to_apply) {
  fake_http_server server([](const fake_request&) { return s3_failure(503, "SlowDown"); });
  s3_config config = test_config(server.endpoint());
  config.max_attempts = 2;
  s3_client client(config);
  const auto e = catch_as<s3_error>(
      [&] { (void)client.put_object(bucket, key, "x", put_condition::if_match("\"e\"")); });
  ASSERT_TRUE(e) << "expected s3_error";
  EXPECT_EQ(e->s3_code(), "SlowDown");
  EXPECT_FALSE(e->outcome_unknown());
  EXPECT_EQ(server.requests().size(), 2U);
}

TEST(S3ClientRetry, a_conditional_put_whose_connection_drops_after_sending_is_not_retried) {
  fake_response drop;
  drop.drop_connection = true;
  fake_http_server server(fail_then(1, drop, ok_with_etag()));
  s3_client client(test_config(server.endpoint()));
  const auto e = catch_as<s3_outcome_unknown>(
      [&] { (void)client.put_object(bucket, key, "x", put_condition::if_none_match_any()); });
  ASSERT_TRUE(e) << "expected s3_outcome_unknown";
  EXPECT_EQ(e->code(), pgqrs::error_code::connection);
  EXPECT_NE(std::string(e->what()).find("S3 PUT s3://fault-bucket/state/db.sqlite"), std::string::npos)
      << e->what();
  EXPECT_EQ(server.requests().size(), 1U);
}

TEST(S3ClientRetry, an_unconditional_put_whose_connection_drops_is_retried) {
  fake_response drop;
  drop.drop_connection = true;
  fake_http_server server(fail_then(1, drop, ok_with_etag()));
  s3_client client(test_config(server.endpoint()));
  EXPECT_EQ(client.put_object(bucket, key, "x").status, put_status::stored);
  EXPECT_EQ(server.requests().size(), 2U);
}

TEST(S3ClientRetry, a_get_that_times_out_is_retried_then_reported_as_a_connection_error) {
  fake_response slow = ok_with_etag();
  slow.delay = milliseconds(1'000);
  fake_http_server server([&](const fake_request&) { return slow; });
  s3_config config = test_config(server.endpoint());
  config.request_timeout = milliseconds(150);
  config.max_attempts = 2;
  s3_client client(config);
  try {
    (void)client.get_object(bucket, key);
    FAIL() << "expected connection_error";
  } catch (const s3_outcome_unknown&) {
    FAIL() << "a GET has no outcome to be unsure of";
  } catch (const pgqrs::connection_error& e) {
    EXPECT_NE(std::string(e.what()).find("after 2 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server.requests().size(), 2U);
}

TEST(S3ClientRetry, a_conditional_put_to_an_unreachable_endpoint_is_retried_because_nothing_was_sent) {
  s3_config config = test_config("http://127.0.0.1:" + std::to_string(closed_port()), true);
  config.max_attempts = 3;
  s3_client client(config);
  try {
    (void)client.put_object(bucket, key, "x", put_condition::if_none_match_any());
    FAIL() << "expected connection_error";
  } catch (const s3_outcome_unknown& e) {
    FAIL() << "nothing was sent, so the outcome is known: " << e.what();
  } catch (const pgqrs::connection_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("after 3 attempts"), std::string::npos) << what;
    EXPECT_TRUE(free_of_secrets(what)) << what;
  }
}

// ---------------------------------------------------------------- errors and secrets

TEST(S3ClientErrors, a_server_that_echoes_the_secrets_in_its_error_message_gets_them_redacted) {
  fake_http_server server([](const fake_request& r) {
    // What a careless server (or proxy) might do: quote the request, token header included, back.
    const std::string echoed = "token " + r.headers.at("x-amz-security-token") + " secret " + test_secret;
    return s3_failure(403, "SignatureDoesNotMatch", echoed);
  });
  s3_client client(test_config(server.endpoint(), true));
  const auto e = catch_as<s3_error>(
      [&] { (void)client.put_object(bucket, key, "x", put_condition::if_none_match_any()); });
  ASSERT_TRUE(e) << "expected s3_error";
  const std::string what = e->what();
  EXPECT_TRUE(free_of_secrets(what)) << what;
  EXPECT_NE(what.find("[redacted]"), std::string::npos) << what;
  EXPECT_NE(what.find("S3 PUT s3://fault-bucket/state/db.sqlite failed: HTTP 403 SignatureDoesNotMatch"),
            std::string::npos)
      << what;
  EXPECT_EQ(e->s3_code(), "SignatureDoesNotMatch");
  EXPECT_FALSE(e->outcome_unknown());
  EXPECT_EQ(server.requests().size(), 1U);  // a 403 is never retried
}

TEST(S3ClientErrors, a_head_error_says_that_head_responses_carry_no_error_document) {
  fake_http_server server([](const fake_request&) { return fake_response{403, {}, "", {}, false}; });
  s3_client client(test_config(server.endpoint()));
  const auto e = catch_as<s3_error>([&] { (void)client.head_object(bucket, key); });
  ASSERT_TRUE(e) << "expected s3_error";
  EXPECT_EQ(e->http_status(), 403);
  EXPECT_EQ(e->s3_code(), "");
  EXPECT_NE(std::string(e->what()).find("HEAD responses carry no error document"), std::string::npos)
      << e->what();
}

// ---------------------------------------------------------------- configuration

TEST(S3ClientConfig, from_env_reads_the_standard_aws_variables) {
  scoped_env endpoint("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
  scoped_env region("AWS_REGION", "eu-west-3");
  scoped_env default_region("AWS_DEFAULT_REGION", "ap-south-1");
  scoped_env access("AWS_ACCESS_KEY_ID", "AKIDENV");
  scoped_env secret("AWS_SECRET_ACCESS_KEY", test_secret);
  scoped_env token("AWS_SESSION_TOKEN", test_token);
  const s3_config config = s3_config::from_env();
  EXPECT_EQ(config.endpoint, "http://127.0.0.1:9");
  EXPECT_EQ(config.region, "eu-west-3");
  EXPECT_EQ(config.access_key_id, "AKIDENV");
  EXPECT_EQ(config.secret_access_key, test_secret);
  EXPECT_EQ(config.session_token, test_token);
  EXPECT_TRUE(config.path_style);
}

TEST(S3ClientConfig, from_env_falls_back_to_aws_default_region_and_the_regional_aws_endpoint) {
  scoped_env endpoint("AWS_ENDPOINT_URL", std::nullopt);
  scoped_env region("AWS_REGION", std::nullopt);
  scoped_env default_region("AWS_DEFAULT_REGION", "ap-south-1");
  scoped_env access("AWS_ACCESS_KEY_ID", "AKIDENV");
  scoped_env secret("AWS_SECRET_ACCESS_KEY", test_secret);
  scoped_env token("AWS_SESSION_TOKEN", std::nullopt);
  const s3_config config = s3_config::from_env();
  EXPECT_EQ(config.region, "ap-south-1");
  EXPECT_EQ(config.endpoint, "https://s3.ap-south-1.amazonaws.com");
  EXPECT_EQ(config.session_token, "");
}

TEST(S3ClientConfig, from_env_defaults_the_region_to_us_east_1) {
  scoped_env region("AWS_REGION", std::nullopt);
  scoped_env default_region("AWS_DEFAULT_REGION", std::nullopt);
  scoped_env access("AWS_ACCESS_KEY_ID", "AKIDENV");
  scoped_env secret("AWS_SECRET_ACCESS_KEY", test_secret);
  EXPECT_EQ(s3_config::from_env().region, "us-east-1");
}

TEST(S3ClientConfig, from_env_without_credentials_names_the_missing_variable) {
  scoped_env access("AWS_ACCESS_KEY_ID", "AKIDENV");
  scoped_env secret("AWS_SECRET_ACCESS_KEY", std::nullopt);
  const auto e = catch_as<pgqrs::missing_config>([&] { (void)s3_config::from_env(); });
  ASSERT_TRUE(e) << "expected pgqrs::missing_config";
  EXPECT_EQ(e->field(), "AWS_SECRET_ACCESS_KEY");
}

TEST(S3ClientConfig, a_client_without_credentials_is_refused_unless_anonymous) {
  s3_config config = test_config("http://127.0.0.1:9");
  config.secret_access_key.clear();
  EXPECT_THROW(s3_client{config}, pgqrs::config_error);
  config.anonymous = true;
  EXPECT_NO_THROW(s3_client{config});
}

TEST(S3ClientConfig, endpoints_other_than_scheme_and_authority_are_refused_without_echoing_user_info) {
  for (const char* endpoint : {"127.0.0.1:9000", "ftp://host", "http://", "http://host/base/path",
                               "http://host?x=1", "http://host name"}) {
    EXPECT_THROW(s3_client{test_config(endpoint)}, pgqrs::config_error) << endpoint;
  }
  const auto e = catch_as<pgqrs::config_error>(
      [&] { s3_client client(test_config("http://user:" + test_secret + "@host")); });
  ASSERT_TRUE(e) << "expected pgqrs::config_error";
  EXPECT_EQ(e->field(), "s3.endpoint");
  EXPECT_TRUE(free_of_secrets(e->what())) << e->what();
  EXPECT_NO_THROW(s3_client{test_config("https://s3.us-east-1.amazonaws.com/")});
}
