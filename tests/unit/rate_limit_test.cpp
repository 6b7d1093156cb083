// The producer's token bucket (spec §11.4): enabled by a rate, capacity = burst or 50, starts full,
// all-or-nothing acquisition, refill of floor(elapsed * rate) once a whole token's worth of time has passed,
// capped at capacity. Refill is tested through the explicit-time overloads, so nothing sleeps.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "core/common/rate_limit.hpp"
#include "pgqrs/errors.hpp"

using namespace pgqrs;
using pgqrs::detail::token_bucket;
using namespace std::chrono_literals;
using clock_type = token_bucket::clock;

namespace {

/// A bucket plus a time point `t0` no earlier than its creation; the bucket's internal refill timestamp lies
/// in [t0 - creation time, t0], so offsets from t0 are exact up to the (microsecond) cost of the constructor.
struct timed_bucket {
  std::optional<token_bucket> bucket;
  clock_type::time_point t0;

  timed_bucket(std::uint32_t per_second, std::uint32_t capacity) {
    bucket.emplace(per_second, capacity);
    t0 = clock_type::now();
  }
  token_bucket& operator*() { return *bucket; }
  token_bucket* operator->() { return &*bucket; }
};

validation_config rules(std::optional<std::uint32_t> rate, std::optional<std::uint32_t> burst) {
  validation_config r;
  r.max_enqueue_per_second = rate;
  r.max_enqueue_burst = burst;
  return r;
}

}  // namespace

// ================================================================ construction

TEST(TokenBucket, NoRateMeansNoBucket) {
  EXPECT_FALSE(token_bucket::from_rules(rules(std::nullopt, 10)).has_value());
}

TEST(TokenBucket, RateWithoutBurstHasCapacityFifty) {
  auto b = token_bucket::from_rules(rules(100, std::nullopt));
  ASSERT_TRUE(b.has_value());
  const auto s = b->status();
  EXPECT_EQ(s.burst_capacity, 50u);
  EXPECT_EQ(s.max_per_second, 100u);
}

TEST(TokenBucket, FromRulesUsesRateAndBurst) {
  auto b = token_bucket::from_rules(rules(7, 3));
  ASSERT_TRUE(b.has_value());
  const auto s = b->status();
  EXPECT_EQ(s.max_per_second, 7u);
  EXPECT_EQ(s.burst_capacity, 3u);
}

TEST(TokenBucket, DefaultRulesGiveAThousandPerSecondWithBurstFifty) {
  auto b = token_bucket::from_rules(validation_config{});
  ASSERT_TRUE(b.has_value());
  const auto s = b->status();
  EXPECT_EQ(s.max_per_second, 1000u);
  EXPECT_EQ(s.burst_capacity, 50u);
}

TEST(TokenBucket, StartsFull) {
  timed_bucket b(10, 5);
  const auto s = b->status(b.t0);
  EXPECT_EQ(s.available_tokens, 5u);
  EXPECT_TRUE(s.is_full());
}

TEST(TokenBucket, StatusReportsRateAndCapacity) {
  token_bucket b(12, 34);
  const auto s = b.status();
  EXPECT_EQ(s.max_per_second, 12u);
  EXPECT_EQ(s.burst_capacity, 34u);
  EXPECT_EQ(s.available_tokens, 34u);
}

// ================================================================ acquisition

TEST(TokenBucket, TryAcquireTakesTokens) {
  token_bucket b(0, 5);
  EXPECT_TRUE(b.try_acquire(2));
  EXPECT_EQ(b.status().available_tokens, 3u);
  EXPECT_TRUE(b.try_acquire(3));
  EXPECT_EQ(b.status().available_tokens, 0u);
}

TEST(TokenBucket, AcquisitionIsAllOrNothing) {
  token_bucket b(0, 2);
  EXPECT_FALSE(b.try_acquire(3));
  EXPECT_EQ(b.status().available_tokens, 2u);
  EXPECT_TRUE(b.try_acquire(2));
}

TEST(TokenBucket, BatchLargerThanCapacityAlwaysFails) {
  timed_bucket b(1000, 5);
  EXPECT_FALSE(b->try_acquire(6, b.t0 + 1h));
  EXPECT_EQ(b->status(b.t0 + 1h).available_tokens, 5u);
}

TEST(TokenBucket, AcquiringZeroTokensAlwaysSucceeds) {
  token_bucket b(0, 1);
  EXPECT_TRUE(b.try_acquire(1));
  EXPECT_TRUE(b.try_acquire(0));
}

TEST(TokenBucket, AcquireThrowsRateLimitedWithRetryAfterOneSecond) {
  token_bucket b(0, 1);
  EXPECT_NO_THROW(b.acquire(1));
  try {
    b.acquire(1);
    FAIL() << "acquire on an empty bucket did not throw";
  } catch (const rate_limited& e) {
    EXPECT_EQ(e.retry_after(), std::chrono::milliseconds(1000));
    EXPECT_EQ(e.code(), error_code::rate_limited);
  }
}

TEST(TokenBucket, FailedAcquireTakesNothing) {
  token_bucket b(0, 2);
  EXPECT_THROW(b.acquire(3), rate_limited);
  EXPECT_EQ(b.status().available_tokens, 2u);
}

// ================================================================ refill

TEST(TokenBucket, RefillsFloorOfElapsedTimesRate) {
  timed_bucket b(10, 5);
  ASSERT_TRUE(b->try_acquire(5, b.t0));
  // 250 ms at 10/s is 2.5 tokens: 2 are added.
  EXPECT_EQ(b->status(b.t0 + 250ms).available_tokens, 2u);
}

TEST(TokenBucket, NoRefillBeforeOneTokensWorthOfTime) {
  timed_bucket b(10, 5);
  ASSERT_TRUE(b->try_acquire(5, b.t0));
  EXPECT_EQ(b->status(b.t0 + 50ms).available_tokens, 0u);
  EXPECT_FALSE(b->try_acquire(1, b.t0 + 50ms));
}

TEST(TokenBucket, TooEarlyRefillDoesNotResetTheClock) {
  timed_bucket b(10, 5);
  ASSERT_TRUE(b->try_acquire(5, b.t0));
  EXPECT_EQ(b->status(b.t0 + 60ms).available_tokens, 0u);
  // 150 ms after the last real refill (the creation), not 90 ms after the early check.
  EXPECT_EQ(b->status(b.t0 + 150ms).available_tokens, 1u);
}

TEST(TokenBucket, RefillResetsTheClockAndDropsTheFraction) {
  timed_bucket b(10, 5);
  ASSERT_TRUE(b->try_acquire(5, b.t0));
  EXPECT_EQ(b->status(b.t0 + 250ms).available_tokens, 2u);  // 2.5 -> 2, clock reset to t0 + 250 ms
  EXPECT_EQ(b->status(b.t0 + 320ms).available_tokens, 2u);  // 70 ms later: nothing
  EXPECT_EQ(b->status(b.t0 + 360ms).available_tokens, 3u);  // 110 ms later: one more
}

TEST(TokenBucket, RefillIsCappedAtCapacity) {
  timed_bucket b(10, 5);
  ASSERT_TRUE(b->try_acquire(4, b.t0));
  EXPECT_EQ(b->status(b.t0 + 1h).available_tokens, 5u);
}

TEST(TokenBucket, RefilledTokensCanBeAcquired) {
  timed_bucket b(2, 4);
  ASSERT_TRUE(b->try_acquire(4, b.t0));
  EXPECT_FALSE(b->try_acquire(1, b.t0 + 100ms));
  EXPECT_TRUE(b->try_acquire(2, b.t0 + 1s + 100ms));  // 2.2 tokens' worth -> 2
  EXPECT_FALSE(b->try_acquire(1, b.t0 + 1s + 200ms));
}

TEST(TokenBucket, ZeroRateNeverRefills) {
  timed_bucket b(0, 3);
  ASSERT_TRUE(b->try_acquire(3, b.t0));
  EXPECT_EQ(b->status(b.t0 + 24h).available_tokens, 0u);
  EXPECT_FALSE(b->try_acquire(1, b.t0 + 24h * 365));
}

TEST(TokenBucket, TimeBeforeTheLastRefillAddsNothing) {
  timed_bucket b(10, 5);
  ASSERT_TRUE(b->try_acquire(5, b.t0));
  EXPECT_EQ(b->status(b.t0 - 1h).available_tokens, 0u);
}

TEST(TokenBucket, CopyHasItsOwnTokens) {
  token_bucket a(0, 3);
  ASSERT_TRUE(a.try_acquire(1));
  token_bucket b(a);
  EXPECT_EQ(b.status().available_tokens, 2u);
  ASSERT_TRUE(b.try_acquire(2));
  EXPECT_EQ(a.status().available_tokens, 2u);
  EXPECT_EQ(b.status().available_tokens, 0u);
}

// ================================================================ concurrency

TEST(TokenBucket, ConcurrentAcquisitionsNeverOverspend) {
  token_bucket b(0, 5000);
  std::atomic<int> successes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (b.try_acquire(1)) successes.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(successes.load(), 5000);
  EXPECT_EQ(b.status().available_tokens, 0u);
}
