// The S3 endpoint goes away in the middle of a Durable run (issue 12): a TCP proxy in front of moto
// (tools/bench/tcp_proxy.hpp) first stops listening (connection refused), later swallows every byte (a black
// hole: only the configured timeout ends a call). Each time a write fails with a clear timeout_error in
// bounded time, nothing acknowledged is lost, the local copy keeps the failed write (it is in doubt, and goes
// out with the next upload), and once the endpoint is back the next writes succeed and the object holds
// everything.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "s3_backend_support.hpp"
#include "tcp_proxy.hpp"

namespace pgqrs::test {
namespace {

using namespace std::chrono_literals;

class s3_outage : public s3_store_test {
 protected:
  void SetUp() override {
    if (s3_endpoint_from_env().empty()) GTEST_SKIP() << "no S3 endpoint (scripts/moto_server.sh)";
    s3_store_test::SetUp();
  }
  /// A Durable store whose S3 traffic goes through `proxy`, with short timeouts so a black hole ends soon.
  store open_through(const tools::tcp_proxy& proxy) {
    const std::string real = std::getenv("AWS_ENDPOINT_URL");
    ::setenv("AWS_ENDPOINT_URL", proxy.endpoint().c_str(), 1);  // the store reads it once, when it opens
    dirs.push_back(fresh_cache_dir("outage"));
    config c = s3_config_for(bucket, key, durability_mode::durable, dirs.back());
    c.s3.connect_timeout = timeout;
    c.s3.request_timeout = timeout;
    auto restore = [&] { ::setenv("AWS_ENDPOINT_URL", real.c_str(), 1); };  // for the other tests too
    try {
      auto s = connect(c);
      restore();
      return s;
    } catch (...) {
      restore();
      throw;
    }
  }

  /// Enqueues one message that must fail because S3 is unreachable; checks the error and how long it took.
  void expect_timeout(const producer& p, int n) {
    const auto started = std::chrono::steady_clock::now();
    try {
      (void)p.enqueue({{"n", n}});
      ADD_FAILURE() << "a write succeeded with S3 unreachable";
    } catch (const timeout_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("object_store:"), std::string::npos) << what;
      EXPECT_NE(what.find("key=" + key), std::string::npos) << what;
      EXPECT_TRUE(free_of_secrets(what)) << what;
    }
    // The PUT and the HEAD that settles it each try a few times, every try bounded by the timeout: a
    // generous bound that still catches a call hanging on its own (the default request timeout is 60 s).
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_LT(took, 12 * timeout);
    std::printf("[ s3 outage ] write %d failed after %.1f s (request timeout %.1f s)\n", n,
                std::chrono::duration<double>(took).count(), std::chrono::duration<double>(timeout).count());
  }

  /// Message ids in the object, as a fresh store (not through the proxy) sees them.
  std::set<std::int64_t> ids_in_object() {
    auto fresh = open(durability_mode::durable, "check");
    std::set<std::int64_t> ids;
    for (const auto& m : fresh.messages().list()) ids.insert(m.id);
    return ids;
  }

  std::chrono::milliseconds timeout = 1500ms;
};

TEST_F(s3_outage, writes_fail_with_a_timeout_while_s3_is_down_and_nothing_acknowledged_is_lost) {
  tools::tcp_proxy proxy(std::getenv("AWS_ENDPOINT_URL"));
  auto s = open_through(proxy);
  admin(s).install();
  s.queue("q");
  const auto p = s.producer_ephemeral("q");  // made while S3 answers: the outage hits the enqueue itself
  std::set<std::int64_t> acknowledged;
  auto write = [&](int n) { acknowledged.insert(p.enqueue({{"n", n}}).id); };
  for (int n = 0; n < 3; ++n) write(n);

  // Nothing listens on the port: every connection attempt is refused at once.
  proxy.stop();
  expect_timeout(p, 100);
  EXPECT_THROW((void)as_s3(s).state(), timeout_error);  // state() needs a HEAD
  proxy.resume();
  // The failed write committed locally and stays there, on top of the revision S3 still has.
  EXPECT_EQ(as_s3(s).state(), sync_state::local_changes);
  write(3);  // its upload carries the in-doubt write too
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);

  // A black hole: connections are accepted, nothing ever answers.
  proxy.black_hole(true);
  expect_timeout(p, 101);
  proxy.black_hole(false);
  EXPECT_EQ(as_s3(s).state(), sync_state::local_changes);
  write(4);
  EXPECT_EQ(as_s3(s).state(), sync_state::in_sync);

  const auto present = ids_in_object();
  for (auto id : acknowledged) EXPECT_TRUE(present.count(id)) << "acknowledged message " << id << " lost";
  // The two failed writes were in doubt, not undone: they went out with the next uploads (docs/s3.md).
  EXPECT_EQ(present.size(), acknowledged.size() + 2);
  EXPECT_EQ(s.messages().count(), static_cast<std::int64_t>(present.size()));
}

}  // namespace
}  // namespace pgqrs::test
