#include "core/ops/claim_floor.hpp"

#include <gtest/gtest.h>

using pgqrs::detail::claim_floors;
using namespace std::chrono_literals;

namespace {

const pgqrs::timestamp t0 = pgqrs::timestamp{} + std::chrono::hours(500000);
const auto s0 = claim_floors::steady::time_point{} + std::chrono::hours(1);

TEST(ClaimFloor, TheFirstClaimOfAQueueScansFromTheStart) {
  claim_floors f;
  EXPECT_FALSE(f.bound(1, s0));
}

TEST(ClaimFloor, AfterAClaimTheFloorTrailsTheHighestReadyTimeByTheMargin) {
  claim_floors f;
  (void)f.bound(1, s0);
  f.observe(1, true, t0);
  EXPECT_EQ(f.bound(1, s0 + 1ms), t0 - claim_floors::margin);
}

TEST(ClaimFloor, ABoundedClaimOnlyRaisesTheFloor) {
  claim_floors f;
  (void)f.bound(1, s0);
  f.observe(1, true, t0);
  f.observe(1, false, t0 - 10s);
  EXPECT_EQ(f.bound(1, s0 + 1ms), t0 - claim_floors::margin);
  f.observe(1, false, t0 + 5s);
  EXPECT_EQ(f.bound(1, s0 + 2ms), t0 + 5s - claim_floors::margin);
}

TEST(ClaimFloor, AFullScanIsDueEverySecondAndMayLowerTheFloor) {
  claim_floors f;
  (void)f.bound(1, s0);
  f.observe(1, true, t0);
  EXPECT_TRUE(f.bound(1, s0 + 999ms));
  EXPECT_FALSE(f.bound(1, s0 + claim_floors::full_scan_every)) << "full scan due";
  EXPECT_TRUE(f.bound(1, s0 + claim_floors::full_scan_every + 1ms)) << "only one caller gets the full scan";
  f.observe(1, true, t0 - 1h);  // it found a straggler far below the floor
  EXPECT_EQ(f.bound(1, s0 + claim_floors::full_scan_every + 2ms), t0 - 1h - claim_floors::margin);
}

TEST(ClaimFloor, EmptyClaimsLeaveTheFloorAlone) {
  claim_floors f;
  (void)f.bound(1, s0);
  f.observe(1, true, t0);
  f.observe(1, true, std::nullopt);
  EXPECT_EQ(f.bound(1, s0 + 1ms), t0 - claim_floors::margin);
}

TEST(ClaimFloor, QueuesHaveIndependentFloors) {
  claim_floors f;
  (void)f.bound(1, s0);
  f.observe(1, true, t0);
  EXPECT_FALSE(f.bound(2, s0 + 1ms));
}

}  // namespace
