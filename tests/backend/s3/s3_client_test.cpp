// The S3 object client against a real S3 implementation (moto_server): round trips, ETags, conditional
// writes and reads, a race between creators, missing objects and buckets, unsigned requests, and secrets.
// Needs PGQRS_S3_ENDPOINT or AWS_ENDPOINT_URL (scripts/moto_server.sh, started by scripts/test.sh); without
// it every test here fails rather than skips. Each test uses its own bucket.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "../../unit/catch_as.hpp"
#include "pgqrs/errors.hpp"
#include "s3/s3_client.hpp"
#include "s3_test_support.hpp"

using namespace pgqrs::detail::s3;
using namespace pgqrs::test;

namespace {

/// Every byte value, NULs in runs, and a trailing NUL: catches strlen-style truncation anywhere.
std::string binary_body(std::size_t size) {
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>((i * 7919 + i / 251) % 256);
  if (size > 4) body[1] = body[2] = body[3] = '\0';
  if (size > 0) body.back() = '\0';
  return body;
}

class S3Client : public ::testing::Test {
 protected:
  void SetUp() override {
    m_endpoint = s3_endpoint_from_env();
    ASSERT_FALSE(m_endpoint.empty()) << "no S3 endpoint: set PGQRS_S3_ENDPOINT or AWS_ENDPOINT_URL (eval "
                                        "\"$(scripts/moto_server.sh start)\")";
    m_bucket = unique_bucket_name();
    m_client.emplace(test_config(m_endpoint));
    ASSERT_TRUE(m_client->create_bucket(m_bucket));
  }

  s3_client& client() { return *m_client; }

  std::string m_endpoint;
  std::string m_bucket;
  const std::string m_key = "queues/main.sqlite";
  std::optional<s3_client> m_client;
};

// ---------------------------------------------------------------- round trips and ETags

TEST_F(S3Client, put_then_get_round_trips_a_binary_body_with_nul_bytes) {
  const std::string body = binary_body(70'000);
  const put_result put = client().put_object(m_bucket, m_key, body);
  ASSERT_EQ(put.status, put_status::stored);
  const get_result got = client().get_object(m_bucket, m_key);
  ASSERT_EQ(got.status, get_status::found);
  EXPECT_EQ(got.body.size(), body.size());
  EXPECT_TRUE(got.body == body);
  EXPECT_EQ(got.etag, put.etag);
}

TEST_F(S3Client, a_five_megabyte_body_round_trips_and_head_reports_its_size) {
  const std::string body = binary_body(5 * 1024 * 1024);
  const put_result put = client().put_object(m_bucket, m_key, body, put_condition::if_none_match_any());
  ASSERT_EQ(put.status, put_status::stored);
  const auto head = client().head_object(m_bucket, m_key);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->size, body.size());
  EXPECT_EQ(head->etag, put.etag);
  const get_result got = client().get_object(m_bucket, m_key);
  ASSERT_EQ(got.status, get_status::found);
  EXPECT_TRUE(got.body == body) << "sizes " << got.body.size() << " vs " << body.size();
}

TEST_F(S3Client, an_empty_body_round_trips) {
  ASSERT_EQ(client().put_object(m_bucket, m_key, "").status, put_status::stored);
  const get_result got = client().get_object(m_bucket, m_key);
  ASSERT_EQ(got.status, get_status::found);
  EXPECT_EQ(got.body, "");
  EXPECT_EQ(client().head_object(m_bucket, m_key)->size, 0U);
}

TEST_F(S3Client, put_returns_a_quoted_etag_that_changes_when_the_content_changes) {
  const put_result first = client().put_object(m_bucket, m_key, "revision 1");
  const put_result second = client().put_object(m_bucket, m_key, "revision 2");
  ASSERT_EQ(first.status, put_status::stored);
  ASSERT_EQ(second.status, put_status::stored);
  ASSERT_GE(first.etag.size(), 3U);
  EXPECT_EQ(first.etag.front(), '"');
  EXPECT_EQ(first.etag.back(), '"');
  EXPECT_NE(first.etag, second.etag);
  EXPECT_EQ(client().head_object(m_bucket, m_key)->etag, second.etag);
}

TEST_F(S3Client, keys_with_spaces_unicode_and_reserved_characters_round_trip_as_distinct_objects) {
  const std::vector<std::string> keys = {
      "dir/sub dir/file name.sqlite", "plus+equals=amp&q?hash#.db", "\xC3\xBC\x6E\x69/\xE1\x88\xB4.sqlite",
      "tilde~percent%25star*",        "a//double//slash",           "dots/./and/../kept"};
  for (const auto& key : keys)
    ASSERT_EQ(client().put_object(m_bucket, key, "body of " + key).status, put_status::stored) << key;
  for (const auto& key : keys) {
    const get_result got = client().get_object(m_bucket, key);
    ASSERT_EQ(got.status, get_status::found) << key;
    EXPECT_EQ(got.body, "body of " + key);
  }
}

// ---------------------------------------------------------------- conditional writes

TEST_F(S3Client, create_only_put_succeeds_once_then_reports_precondition_failed) {
  const put_result first = client().put_object(m_bucket, m_key, "first", put_condition::if_none_match_any());
  ASSERT_EQ(first.status, put_status::stored);
  const put_result second =
      client().put_object(m_bucket, m_key, "second", put_condition::if_none_match_any());
  EXPECT_EQ(second.status, put_status::precondition_failed);
  EXPECT_EQ(second.s3_code, "PreconditionFailed");
  EXPECT_EQ(client().get_object(m_bucket, m_key).body, "first");
}

TEST_F(S3Client, if_match_with_the_current_etag_replaces_the_object_and_returns_the_new_etag) {
  const put_result v1 = client().put_object(m_bucket, m_key, "v1", put_condition::if_none_match_any());
  const put_result v2 = client().put_object(m_bucket, m_key, "v2", put_condition::if_match(v1.etag));
  ASSERT_EQ(v2.status, put_status::stored);
  EXPECT_NE(v2.etag, v1.etag);
  const get_result got = client().get_object(m_bucket, m_key);
  EXPECT_EQ(got.body, "v2");
  EXPECT_EQ(got.etag, v2.etag);
}

TEST_F(S3Client, if_match_with_a_stale_etag_reports_precondition_failed_and_keeps_the_object) {
  const put_result v1 = client().put_object(m_bucket, m_key, "v1");
  const put_result v2 = client().put_object(m_bucket, m_key, "v2", put_condition::if_match(v1.etag));
  ASSERT_EQ(v2.status, put_status::stored);
  const put_result stale =
      client().put_object(m_bucket, m_key, "stale writer", put_condition::if_match(v1.etag));
  EXPECT_EQ(stale.status, put_status::precondition_failed);
  EXPECT_EQ(client().get_object(m_bucket, m_key).body, "v2");
}

TEST_F(S3Client, if_match_on_a_missing_key_reports_not_found) {
  const put_result put =
      client().put_object(m_bucket, m_key, "v1", put_condition::if_match("\"0123456789abcdef\""));
  EXPECT_EQ(put.status, put_status::not_found);
  EXPECT_EQ(client().head_object(m_bucket, m_key), std::nullopt);
}

TEST_F(S3Client, sixteen_threads_racing_a_create_only_put_have_exactly_one_winner) {
  constexpr int threads = 16;
  std::vector<put_result> results(threads);
  std::vector<std::string> errors(threads);
  std::latch start(threads);
  std::vector<std::thread> racers;
  for (int i = 0; i < threads; ++i) {
    racers.emplace_back([&, i] {
      try {
        s3_client own(test_config(m_endpoint));  // a client per thread: they are not thread-safe
        start.arrive_and_wait();
        results[i] = own.put_object(m_bucket, m_key, "writer " + std::to_string(i),
                                    put_condition::if_none_match_any());
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : racers) t.join();
  for (const auto& e : errors) ASSERT_EQ(e, "");
  const auto winners = std::count_if(results.begin(), results.end(),
                                     [](const put_result& r) { return r.status == put_status::stored; });
  ASSERT_EQ(winners, 1);
  const auto winner = std::find_if(results.begin(), results.end(),
                                   [](const put_result& r) { return r.status == put_status::stored; });
  const get_result got = client().get_object(m_bucket, m_key);
  EXPECT_EQ(got.body, "writer " + std::to_string(winner - results.begin()));
  EXPECT_EQ(got.etag, winner->etag);
}

// ---------------------------------------------------------------- conditional and missing reads

TEST_F(S3Client, get_with_the_current_etag_as_if_none_match_reports_not_modified) {
  const put_result put = client().put_object(m_bucket, m_key, "unchanged");
  const get_result got = client().get_object(m_bucket, m_key, put.etag);
  EXPECT_EQ(got.status, get_status::not_modified);
  EXPECT_EQ(got.body, "");
  EXPECT_EQ(got.etag, put.etag);
}

TEST_F(S3Client, get_with_a_stale_etag_as_if_none_match_returns_the_new_revision) {
  const put_result v1 = client().put_object(m_bucket, m_key, "v1");
  const put_result v2 = client().put_object(m_bucket, m_key, "v2");
  const get_result got = client().get_object(m_bucket, m_key, v1.etag);
  ASSERT_EQ(got.status, get_status::found);
  EXPECT_EQ(got.body, "v2");
  EXPECT_EQ(got.etag, v2.etag);
}

TEST_F(S3Client, a_missing_key_reads_as_not_found_and_head_as_nullopt) {
  EXPECT_EQ(client().get_object(m_bucket, "no/such/key").status, get_status::not_found);
  EXPECT_EQ(client().head_object(m_bucket, "no/such/key"), std::nullopt);
}

TEST_F(S3Client, a_missing_bucket_is_an_error_naming_the_bucket_and_the_s3_code) {
  const std::string missing = m_bucket + "-missing";
  const auto e = catch_as<s3_error>([&] { (void)client().get_object(missing, m_key); });
  ASSERT_TRUE(e) << "expected s3_error";
  EXPECT_EQ(e->http_status(), 404);
  EXPECT_EQ(e->s3_code(), "NoSuchBucket");
  EXPECT_EQ(e->code(), pgqrs::error_code::internal);
  const std::string what = e->what();
  EXPECT_NE(what.find("S3 GET s3://" + missing + "/" + m_key), std::string::npos) << what;
  EXPECT_NE(what.find("NoSuchBucket"), std::string::npos) << what;
}

// ---------------------------------------------------------------- delete and buckets

TEST_F(S3Client, delete_removes_the_object_and_deleting_a_missing_key_also_succeeds) {
  (void)client().put_object(m_bucket, m_key, "doomed");
  EXPECT_EQ(client().delete_object(m_bucket, m_key), delete_status::deleted);
  EXPECT_EQ(client().get_object(m_bucket, m_key).status, get_status::not_found);
  EXPECT_EQ(client().delete_object(m_bucket, m_key), delete_status::deleted);  // S3: idempotent
}

TEST_F(S3Client, delete_with_if_match_deletes_only_the_named_revision) {
  const put_result v1 = client().put_object(m_bucket, m_key, "v1");
  const put_result v2 = client().put_object(m_bucket, m_key, "v2");
  EXPECT_EQ(client().delete_object(m_bucket, m_key, v1.etag), delete_status::precondition_failed);
  EXPECT_EQ(client().get_object(m_bucket, m_key).body, "v2");
  EXPECT_EQ(client().delete_object(m_bucket, m_key, v2.etag), delete_status::deleted);
  EXPECT_EQ(client().delete_object(m_bucket, m_key, v2.etag), delete_status::not_found);
}

TEST_F(S3Client, create_bucket_again_for_a_bucket_this_account_owns_does_not_fail) {
  // us-east-1 (and moto) answer 200 again; other regions answer BucketAlreadyOwnedByYou (false).
  EXPECT_NO_THROW((void)client().create_bucket(m_bucket));
}

// ---------------------------------------------------------------- credentials and secrets

TEST_F(S3Client, an_unsigned_read_is_refused_with_an_error_naming_bucket_key_and_status) {
  (void)client().put_object(m_bucket, m_key, "private");
  s3_config anonymous = test_config(m_endpoint);
  anonymous.anonymous = true;
  s3_client unsigned_client(anonymous);
  const auto e = catch_as<s3_error>([&] { (void)unsigned_client.get_object(m_bucket, m_key); });
  ASSERT_TRUE(e) << "expected s3_error";
  // moto answers 403 with an empty body (AWS would send AccessDenied); it also accepts an unsigned PUT.
  EXPECT_EQ(e->http_status(), 403);
  const std::string what = e->what();
  EXPECT_NE(what.find("S3 GET s3://" + m_bucket + "/" + m_key + " failed: HTTP 403"), std::string::npos)
      << what;
}

TEST_F(S3Client, moto_accepts_a_wrong_secret_so_signature_checks_need_a_stricter_server) {
  // Documents the test server, not the client: a wrong secret is only caught by a server that verifies
  // SigV4 (AWS, versitygw). The signer itself is checked against AWS's vectors in sigv4_test.
  s3_config wrong = test_config(m_endpoint);
  wrong.secret_access_key = "not-the-secret";
  s3_client wrong_client(wrong);
  EXPECT_EQ(wrong_client.put_object(m_bucket, m_key, "accepted").status, put_status::stored);
}

TEST_F(S3Client, errors_from_s3_never_contain_the_secret_key_or_session_token) {
  s3_client with_token(test_config(m_endpoint, true));
  std::vector<std::string> messages;
  try {
    (void)with_token.get_object(m_bucket + "-missing", m_key);
  } catch (const pgqrs::error& e) {
    messages.emplace_back(e.what());
  }
  try {
    (void)with_token.put_object(m_bucket + "-missing", m_key, "x", put_condition::if_none_match_any());
  } catch (const pgqrs::error& e) {
    messages.emplace_back(e.what());
  }
  ASSERT_EQ(messages.size(), 2U);
  for (const auto& m : messages) EXPECT_TRUE(free_of_secrets(m)) << m;
}

}  // namespace
