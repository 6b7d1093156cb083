#pragma once
// Test support for the S3 backend tests: stores on a fresh bucket of the moto that scripts/test.sh starts
// (its AWS_* variables are what the backend reads), each with a cache directory of its own.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pgqrs/pgqrs.hpp>
#include <pgqrs/s3.hpp>

#include "s3/cache_files.hpp"
#include "s3/s3_client.hpp"
#include "s3_test_support.hpp"

namespace pgqrs::test {

/// An S3 client with the credentials the store under test uses (AWS_* variables).
inline detail::s3::s3_client env_client() {
  return detail::s3::s3_client(detail::s3::s3_config::from_env());
}

/// A fresh bucket on the test endpoint; fails the test when the scripts did not start moto.
inline std::string fresh_bucket() {
  if (s3_endpoint_from_env().empty() || std::getenv("AWS_ENDPOINT_URL") == nullptr) {
    ADD_FAILURE() << "AWS_ENDPOINT_URL is not set: run the suite with scripts/test.sh (it starts moto)";
    return {};
  }
  std::string bucket = unique_bucket_name();
  env_client().create_bucket(bucket);
  return bucket;
}

/// A cache directory no other store uses (removed by the caller's fixture).
inline std::filesystem::path fresh_cache_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() / "pgqrs-s3-tests" /
             (tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  return dir;
}

/// The config of a store on `s3://bucket/key` in `mode` with its own cache directory.
inline config s3_config_for(const std::string& bucket, const std::string& key, durability_mode mode,
                            const std::filesystem::path& cache_dir) {
  config c = config::from_dsn("s3://" + bucket + "/" + key);
  c.s3.mode = mode;
  c.s3.cache_dir = cache_dir;
  return c;
}

/// Files named cache*.sqlite in `dir`.
inline std::vector<std::string> cache_files_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.starts_with("cache") && n.ends_with(".sqlite")) names.push_back(n);
  }
  return names;
}

/// A fresh bucket per test, stores on one object in it, each with a cache directory of its own (removed
/// after the test).
class s3_store_test : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket = fresh_bucket();
    ASSERT_FALSE(bucket.empty());
  }
  void TearDown() override {
    for (const auto& d : dirs) std::filesystem::remove_all(d);
  }

  store open(durability_mode mode, const std::string& tag = "s") {
    dirs.push_back(fresh_cache_dir(tag));
    return connect(s3_config_for(bucket, key, mode, dirs.back()));
  }
  std::optional<detail::s3::object_head> head() { return env_client().head_object(bucket, key); }
  /// Two Local-mode stores with the installed schema, both in sync with the same remote revision.
  std::pair<store, store> two_local_stores_in_sync() {
    auto a = open(durability_mode::local, "a");
    admin(a).install();
    as_s3(a).sync();
    auto b = open(durability_mode::local, "b");
    as_s3(b).snapshot();
    return {std::move(a), std::move(b)};
  }

  std::string bucket;
  std::string key = "queues/test.sqlite";
  std::vector<std::filesystem::path> dirs;
};

}  // namespace pgqrs::test
