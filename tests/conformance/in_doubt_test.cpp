// A connection lost while a COMMIT is in flight (issue 8): the caller gets in_doubt_error (not retryable,
// never retried by the library), not a plain connection_error that a retry would turn into a duplicate.
// The loss is injected with the driver's fault hook: PostgreSQL really cuts the socket after sending COMMIT.
#include <thread>

#include "../support/faults.hpp"
#include "core/common/retry.hpp"
#include "fixture.hpp"

namespace pgqrs::testing {
namespace {

class in_doubt : public queue_test {
 protected:
  void TearDown() override {
    clear_faults();
    queue_test::TearDown();
  }
};

TEST_F(in_doubt, a_commit_lost_in_flight_is_in_doubt_and_is_not_retried) {
  lose_next_commits(1);
  try {
    (void)s().producer("q", "registered-in-doubt");  // registration is one transaction with a COMMIT
    FAIL() << "expected in_doubt_error";
  } catch (const in_doubt_error& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(e.code(), error_code::in_doubt);
    EXPECT_NE(std::string(e.what()).find("Commit outcome unknown"), std::string::npos) << e.what();
  }
  // Not retried: a retry would have registered the worker again or failed with "already active". Whether the
  // COMMIT took effect is exactly what is unknown (through PgBouncer the abandoned transaction may also be
  // rolled back), so the row is there at most once.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int rows = 0;
  for (const auto& w : s().workers().list()) rows += w.name == "registered-in-doubt" ? 1 : 0;
  EXPECT_LE(rows, 1);
  // The store goes on working on a fresh connection.
  EXPECT_NO_THROW((void)p->enqueue(json{{"after", "in doubt"}}));
}

TEST_F(in_doubt, in_doubt_is_not_retryable_but_loops_wait_it_out) {
  EXPECT_TRUE(detail::is_transient(in_doubt_error("lost", "test")));
  EXPECT_FALSE(in_doubt_error("lost", "test").retryable());
  EXPECT_TRUE(connection_error("lost", "test").retryable());
}

}  // namespace
}  // namespace pgqrs::testing
