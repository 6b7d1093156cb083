#pragma once
// Test support shared by the S3 client tests: credentials that are easy to search for in messages, and one
// bucket name per test so tests run in parallel against one moto.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

#include "s3/s3_client.hpp"

namespace pgqrs::test {

// Distinctive values: a message that contains either one leaked it.
inline const std::string test_secret = "SECRETkey-9f3c2b7e-never-in-messages";
inline const std::string test_token = "TOKENvalue-4d1a8e6c-never-in-messages";

/// The endpoint the test scripts export; empty when none is set.
inline std::string s3_endpoint_from_env() {
  for (const char* name : {"PGQRS_S3_ENDPOINT", "AWS_ENDPOINT_URL"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

/// A config for `endpoint` with the test credentials and fast retries.
inline detail::s3::s3_config test_config(const std::string& endpoint, bool with_token = false) {
  detail::s3::s3_config config;
  config.endpoint = endpoint;
  config.region = "us-east-1";
  config.access_key_id = "AKIDPGQRSTEST";
  config.secret_access_key = test_secret;
  if (with_token) config.session_token = test_token;
  config.initial_backoff = std::chrono::milliseconds(1);
  config.max_backoff = std::chrono::milliseconds(5);
  return config;
}

/// A valid bucket name unique to this process and call, readable after the current test's name.
inline std::string unique_bucket_name() {
  static std::atomic<int> counter{0};
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string slug;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      slug.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
  }
  const std::string suffix = "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  slug = slug.substr(0, 63 - suffix.size() - 2);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return "t-" + slug + suffix;
}

/// True if `text` contains neither test secret.
inline bool free_of_secrets(const std::string& text) {
  return text.find(test_secret) == std::string::npos && text.find(test_token) == std::string::npos;
}

}  // namespace pgqrs::test
