// Value types (timestamps, worker status, message and rate-limit helpers) and the error hierarchy: what()
// texts (spec §11.1), codes, accessors and subclass relationships.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "pgqrs/errors.hpp"
#include "pgqrs/types.hpp"

using namespace pgqrs;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

/// 2026-04-01T10:00:00 UTC.
timestamp april_first_ten() {
  return timestamp{sys_days{year{2026} / April / 1} + 10h};
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.starts_with(prefix);
}

}  // namespace

// ================================================================ format_rfc3339

TEST(FormatRfc3339, WholeSecondsHaveNoFraction) {
  EXPECT_EQ(format_rfc3339(april_first_ten()), "2026-04-01T10:00:00+00:00");
}

TEST(FormatRfc3339, WholeMillisecondsUseThreeDigits) {
  EXPECT_EQ(format_rfc3339(april_first_ten() + 123ms), "2026-04-01T10:00:00.123+00:00");
}

TEST(FormatRfc3339, OtherMicrosecondsUseSixDigits) {
  EXPECT_EQ(format_rfc3339(april_first_ten() + 123456us), "2026-04-01T10:00:00.123456+00:00");
}

TEST(FormatRfc3339, LeadingZerosOfTheFractionAreKept) {
  EXPECT_EQ(format_rfc3339(april_first_ten() + 5us), "2026-04-01T10:00:00.000005+00:00");
  EXPECT_EQ(format_rfc3339(april_first_ten() + 7ms), "2026-04-01T10:00:00.007+00:00");
}

TEST(FormatRfc3339, AllFieldsAreZeroPadded) {
  timestamp t{sys_days{year{2026} / January / 2} + 3h + 4min + 5s};
  EXPECT_EQ(format_rfc3339(t), "2026-01-02T03:04:05+00:00");
}

TEST(FormatRfc3339, TheEpochIsFormatted) {
  EXPECT_EQ(format_rfc3339(timestamp{}), "1970-01-01T00:00:00+00:00");
}

TEST(FormatRfc3339, TimesBefore1970AreFormatted) {
  timestamp t{sys_days{year{1969} / December / 31} + 23h + 59min + 59s + 500ms};
  EXPECT_EQ(format_rfc3339(t), "1969-12-31T23:59:59.500+00:00");
  EXPECT_EQ(format_rfc3339(timestamp{sys_days{year{1900} / March / 1}}), "1900-03-01T00:00:00+00:00");
}

// ================================================================ parse_rfc3339

TEST(ParseRfc3339, AcceptsZuluOffset) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00Z"), april_first_ten());
}

TEST(ParseRfc3339, AcceptsZeroNumericOffset) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00+00:00"), april_first_ten());
}

TEST(ParseRfc3339, NegativeOffsetIsConvertedToUtc) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T04:30:00-05:30"), april_first_ten());
}

TEST(ParseRfc3339, PositiveOffsetIsConvertedToUtc) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T12:00:00+02:00"), april_first_ten());
}

TEST(ParseRfc3339, OffsetCanCrossADateBoundary) {
  EXPECT_EQ(parse_rfc3339("2026-03-31T23:00:00-11:00"), april_first_ten());
}

TEST(ParseRfc3339, AcceptsSpaceSeparator) {
  EXPECT_EQ(parse_rfc3339("2026-04-01 10:00:00+00:00"), april_first_ten());
}

TEST(ParseRfc3339, AcceptsLowercaseSeparatorAndZulu) {
  EXPECT_EQ(parse_rfc3339("2026-04-01t10:00:00z"), april_first_ten());
}

TEST(ParseRfc3339, AcceptsOneFractionDigit) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00.1Z"), april_first_ten() + 100ms);
}

TEST(ParseRfc3339, AcceptsSixFractionDigits) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00.123456Z"), april_first_ten() + 123456us);
}

TEST(ParseRfc3339, NineFractionDigitsAreTruncatedToMicroseconds) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00.123456789Z"), april_first_ten() + 123456us);
}

TEST(ParseRfc3339, RejectsGarbage) {
  EXPECT_EQ(parse_rfc3339("not a timestamp"), std::nullopt);
  EXPECT_EQ(parse_rfc3339(""), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-04-01"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026/04/01T10:00:00Z"), std::nullopt);
}

TEST(ParseRfc3339, RejectsAnImpossibleDate) {
  EXPECT_EQ(parse_rfc3339("2026-02-30T10:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-13-01T10:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-04-31T10:00:00Z"), std::nullopt);
}

TEST(ParseRfc3339, AcceptsFebruary29InALeapYear) {
  EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST(ParseRfc3339, RejectsAnImpossibleTime) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T24:00:00Z"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:60:00Z"), std::nullopt);
}

TEST(ParseRfc3339, RejectsAMissingOffset) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00.5"), std::nullopt);
}

TEST(ParseRfc3339, RejectsAnEmptyFraction) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00.Z"), std::nullopt);
}

TEST(ParseRfc3339, RejectsTrailingCharacters) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00Zjunk"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00+00:00 "), std::nullopt);
}

TEST(ParseRfc3339, RejectsAnOutOfRangeOffset) {
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00+24:00"), std::nullopt);
  EXPECT_EQ(parse_rfc3339("2026-04-01T10:00:00+05:60"), std::nullopt);
}

TEST(ParseRfc3339, RoundTripsFormattedTimestamps) {
  for (timestamp t : {april_first_ten(), april_first_ten() + 123ms, april_first_ten() + 123456us,
                      timestamp{sys_days{year{1969} / July / 20} + 20h + 17min + 1us}, pgqrs::now()}) {
    const std::string text = format_rfc3339(t);
    EXPECT_EQ(parse_rfc3339(text), t) << text;
  }
}

TEST(Now, IsTruncatedToMicrosecondsAndCloseToTheSystemClock) {
  const auto before = floor<microseconds>(system_clock::now());
  const timestamp t = pgqrs::now();
  const auto after = system_clock::now();
  EXPECT_GE(t, before);
  EXPECT_LE(t, after);
}

// ================================================================ worker_status

TEST(WorkerStatus, DisplaysLowercaseNames) {
  EXPECT_EQ(to_string(worker_status::ready), "ready");
  EXPECT_EQ(to_string(worker_status::polling), "polling");
  EXPECT_EQ(to_string(worker_status::suspended), "suspended");
  EXPECT_EQ(to_string(worker_status::interrupted), "interrupted");
  EXPECT_EQ(to_string(worker_status::stopped), "stopped");
}

TEST(WorkerStatus, ParsesEveryDisplayedName) {
  for (auto s : {worker_status::ready, worker_status::polling, worker_status::suspended,
                 worker_status::interrupted, worker_status::stopped}) {
    EXPECT_EQ(parse_worker_status(to_string(s)), s) << to_string(s);
  }
}

TEST(WorkerStatus, RejectsUnknownNames) {
  EXPECT_EQ(parse_worker_status("busy"), std::nullopt);
  EXPECT_EQ(parse_worker_status(""), std::nullopt);
  EXPECT_EQ(parse_worker_status("ready "), std::nullopt);
}

// ================================================================ queue_message / rate_limit_status

TEST(QueueMessage, ProcessingDurationIsEmptyUntilLeased) {
  queue_message m;
  m.enqueued_at = april_first_ten();
  EXPECT_EQ(m.processing_duration(), std::nullopt);
}

TEST(QueueMessage, ProcessingDurationIsTimeFromEnqueueToFirstLease) {
  queue_message m;
  m.enqueued_at = april_first_ten();
  m.dequeued_at = april_first_ten() + 2s + 500us;
  ASSERT_TRUE(m.processing_duration().has_value());
  EXPECT_EQ(*m.processing_duration(), 2s + 500us);
}

TEST(RateLimitStatus, UtilizationIsTheShareOfTokensUsed) {
  EXPECT_DOUBLE_EQ((rate_limit_status{25, 10, 50}.utilization_percentage()), 50.0);
  EXPECT_DOUBLE_EQ((rate_limit_status{50, 10, 50}.utilization_percentage()), 0.0);
  EXPECT_DOUBLE_EQ((rate_limit_status{0, 10, 50}.utilization_percentage()), 100.0);
}

TEST(RateLimitStatus, UtilizationOfAZeroCapacityBucketIsZero) {
  EXPECT_DOUBLE_EQ((rate_limit_status{0, 10, 0}.utilization_percentage()), 0.0);
}

TEST(RateLimitStatus, NearEmptyMeansAtMostTenPercentLeft) {
  EXPECT_TRUE((rate_limit_status{5, 10, 50}.is_near_empty()));
  EXPECT_TRUE((rate_limit_status{0, 10, 50}.is_near_empty()));
  EXPECT_FALSE((rate_limit_status{6, 10, 50}.is_near_empty()));
  EXPECT_FALSE((rate_limit_status{0, 10, 0}.is_near_empty()));
}

TEST(RateLimitStatus, FullMeansEveryTokenAvailable) {
  EXPECT_TRUE((rate_limit_status{50, 10, 50}.is_full()));
  EXPECT_FALSE((rate_limit_status{49, 10, 50}.is_full()));
}

// ================================================================ errors: texts and codes

TEST(Errors, ConfigErrorTextNamesFieldAndDetail) {
  config_error e("dsn", "bad scheme");
  EXPECT_STREQ(e.what(), "Invalid configuration value for dsn: bad scheme");
  EXPECT_EQ(e.field(), "dsn");
  EXPECT_EQ(e.detail(), "bad scheme");
  EXPECT_EQ(e.code(), error_code::config);
}

TEST(Errors, MissingConfigTextNamesTheField) {
  missing_config e("PGQRS_DSN");
  EXPECT_STREQ(e.what(), "Missing required configuration: PGQRS_DSN");
  EXPECT_EQ(e.field(), "PGQRS_DSN");
  EXPECT_EQ(e.code(), error_code::missing_config);
}

TEST(Errors, QueueNotFoundText) {
  queue_not_found e("q");
  EXPECT_STREQ(e.what(), "Queue 'q' not found");
  EXPECT_EQ(e.queue_name(), "q");
  EXPECT_EQ(e.code(), error_code::queue_not_found);
}

TEST(Errors, QueueAlreadyExistsText) {
  queue_already_exists e("q");
  EXPECT_STREQ(e.what(), "Queue 'q' already exists");
  EXPECT_EQ(e.queue_name(), "q");
  EXPECT_EQ(e.code(), error_code::queue_already_exists);
}

TEST(Errors, WorkerNotFoundText) {
  worker_not_found e(42);
  EXPECT_STREQ(e.what(), "Worker with id '42' not found");
  EXPECT_EQ(e.worker_id(), 42);
  EXPECT_EQ(e.code(), error_code::worker_not_found);
}

TEST(Errors, NotFoundTextNamesEntityAndId) {
  not_found e("Message", "7");
  EXPECT_STREQ(e.what(), "Message with id '7' not found");
  EXPECT_EQ(e.entity(), "Message");
  EXPECT_EQ(e.id(), "7");
  EXPECT_EQ(e.code(), error_code::not_found);
}

TEST(Errors, ValidationErrorText) {
  validation_error e("Forbidden key 'x' found in payload");
  EXPECT_STREQ(e.what(), "Validation failed: Forbidden key 'x' found in payload");
  EXPECT_EQ(e.reason(), "Forbidden key 'x' found in payload");
  EXPECT_EQ(e.code(), error_code::validation);
}

TEST(Errors, PayloadTooLargeText) {
  payload_too_large e(10, 5);
  EXPECT_STREQ(e.what(), "Payload size 10 exceeds limit 5");
  EXPECT_EQ(e.actual_bytes(), 10u);
  EXPECT_EQ(e.max_bytes(), 5u);
  EXPECT_EQ(e.code(), error_code::payload_too_large);
}

TEST(Errors, SchemaValidationErrorText) {
  schema_validation_error e("table pgqrs_queues is missing");
  EXPECT_STREQ(e.what(), "Schema validation failed: table pgqrs_queues is missing");
  EXPECT_EQ(e.code(), error_code::schema_validation);
}

TEST(Errors, StateTransitionErrorText) {
  state_transition_error e("ready", "stopped", "must be suspended first");
  EXPECT_STREQ(e.what(), "Invalid state transition from ready to stopped: must be suspended first");
  EXPECT_EQ(e.from(), "ready");
  EXPECT_EQ(e.to(), "stopped");
  EXPECT_EQ(e.reason(), "must be suspended first");
  EXPECT_EQ(e.code(), error_code::state_transition);
}

TEST(Errors, WorkerHasPendingMessagesText) {
  worker_has_pending_messages e(3);
  EXPECT_TRUE(starts_with(e.what(), "Worker has 3 pending messages: ")) << e.what();
  EXPECT_EQ(e.count(), 3u);
  EXPECT_EQ(e.code(), error_code::worker_has_pending_messages);
}

TEST(Errors, SuspendedText) {
  suspended e("worker interrupted");
  EXPECT_STREQ(e.what(), "Operation suspended: worker interrupted");
  EXPECT_EQ(e.reason(), "worker interrupted");
  EXPECT_EQ(e.code(), error_code::suspended);
}

TEST(Errors, RateLimitedCarriesRetryAfter) {
  rate_limited e(1000ms);
  EXPECT_TRUE(starts_with(e.what(), "Rate limit exceeded, retry after ")) << e.what();
  EXPECT_EQ(e.retry_after(), 1000ms);
  EXPECT_EQ(e.code(), error_code::rate_limited);
}

// Regression (fixed): spec §11.1 gives "Rate limit exceeded, retry after {retry_after:?}" with retry_after
// always 1 s, i.e. "Rate limit exceeded, retry after 1s" (Rust Debug of Duration). errors.cpp prints the
// milliseconds count: actual "Rate limit exceeded, retry after 1000ms".
TEST(Errors, RateLimitedTextMatchesTheOriginalForOneSecond) {
  rate_limited e(1000ms);
  EXPECT_STREQ(e.what(), "Rate limit exceeded, retry after 1s");
}

TEST(Errors, TimeoutErrorText) {
  timeout_error e("dequeue");
  EXPECT_STREQ(e.what(), "Operation timeout: dequeue");
  EXPECT_EQ(e.operation(), "dequeue");
  EXPECT_EQ(e.code(), error_code::timeout);
}

TEST(Errors, ConflictErrorText) {
  conflict_error e("etag changed");
  EXPECT_STREQ(e.what(), "Conflict: etag changed");
  EXPECT_EQ(e.code(), error_code::conflict);
}

TEST(Errors, SerializationErrorText) {
  serialization_error e("invalid UTF-8");
  EXPECT_STREQ(e.what(), "Serialization error: invalid UTF-8");
  EXPECT_EQ(e.code(), error_code::serialization);
}

TEST(Errors, InternalErrorText) {
  internal_error e("oops");
  EXPECT_STREQ(e.what(), "Internal error: oops");
  EXPECT_EQ(e.code(), error_code::internal);
}

TEST(Errors, ConnectionErrorTextHasSourceAndContext) {
  connection_error e("no route to host", "Failed to connect to postgres");
  EXPECT_STREQ(e.what(),
               "Database connection failed: no route to host. Context: Failed to connect to postgres");
  EXPECT_EQ(e.code(), error_code::connection);
  EXPECT_EQ(e.sqlstate(), "08006");
}

TEST(Errors, QueryErrorTextNamesTheQueryAndSqlstate) {
  query_error e("insert_message", "23505", "duplicate key");
  const std::string what = e.what();
  EXPECT_TRUE(starts_with(what, "Database query failed: insert_message. Context: ")) << what;
  EXPECT_NE(what.find("23505"), std::string::npos) << what;
  EXPECT_NE(what.find(". Source: duplicate key"), std::string::npos) << what;
  EXPECT_EQ(e.query(), "insert_message");
  EXPECT_EQ(e.sqlstate(), "23505");
  EXPECT_EQ(e.code(), error_code::query);
}

TEST(Errors, PoolExhaustedText) {
  pool_exhausted e(4, 1500ms);
  const std::string what = e.what();
  EXPECT_TRUE(starts_with(what, "Database connection pool exhausted")) << what;
  EXPECT_NE(what.find('4'), std::string::npos) << what;
  EXPECT_EQ(e.code(), error_code::pool_exhausted);
}

// ================================================================ errors: hierarchy

TEST(ErrorHierarchy, PayloadTooLargeIsAValidationError) {
  static_assert(std::is_base_of_v<validation_error, payload_too_large>);
  EXPECT_THROW(throw payload_too_large(10, 5), validation_error);
}

TEST(ErrorHierarchy, SchemaValidationErrorIsAValidationError) {
  static_assert(std::is_base_of_v<validation_error, schema_validation_error>);
  EXPECT_THROW(throw schema_validation_error("x"), validation_error);
}

TEST(ErrorHierarchy, WorkerHasPendingMessagesIsAStateTransitionError) {
  static_assert(std::is_base_of_v<state_transition_error, worker_has_pending_messages>);
  EXPECT_THROW(throw worker_has_pending_messages(1), state_transition_error);
}

TEST(ErrorHierarchy, MissingConfigIsAConfigError) {
  static_assert(std::is_base_of_v<config_error, missing_config>);
  EXPECT_THROW(throw missing_config("x"), config_error);
}

TEST(ErrorHierarchy, DatabaseFailuresAreDatabaseErrors) {
  static_assert(std::is_base_of_v<database_error, connection_error>);
  static_assert(std::is_base_of_v<database_error, query_error>);
  static_assert(std::is_base_of_v<database_error, pool_exhausted>);
  EXPECT_THROW(throw connection_error("a", "b"), database_error);
  EXPECT_THROW(throw query_error("q", "", "d"), database_error);
  EXPECT_THROW(throw pool_exhausted(1, 1ms), database_error);
}

TEST(ErrorHierarchy, EveryErrorIsAPgqrsErrorAndARuntimeError) {
  static_assert(std::is_base_of_v<std::runtime_error, pgqrs::error>);
  static_assert(std::is_base_of_v<pgqrs::error, config_error>);
  static_assert(std::is_base_of_v<pgqrs::error, missing_config>);
  static_assert(std::is_base_of_v<pgqrs::error, database_error>);
  static_assert(std::is_base_of_v<pgqrs::error, connection_error>);
  static_assert(std::is_base_of_v<pgqrs::error, query_error>);
  static_assert(std::is_base_of_v<pgqrs::error, pool_exhausted>);
  static_assert(std::is_base_of_v<pgqrs::error, queue_not_found>);
  static_assert(std::is_base_of_v<pgqrs::error, queue_already_exists>);
  static_assert(std::is_base_of_v<pgqrs::error, worker_not_found>);
  static_assert(std::is_base_of_v<pgqrs::error, not_found>);
  static_assert(std::is_base_of_v<pgqrs::error, validation_error>);
  static_assert(std::is_base_of_v<pgqrs::error, payload_too_large>);
  static_assert(std::is_base_of_v<pgqrs::error, schema_validation_error>);
  static_assert(std::is_base_of_v<pgqrs::error, state_transition_error>);
  static_assert(std::is_base_of_v<pgqrs::error, worker_has_pending_messages>);
  static_assert(std::is_base_of_v<pgqrs::error, rate_limited>);
  static_assert(std::is_base_of_v<pgqrs::error, timeout_error>);
  static_assert(std::is_base_of_v<pgqrs::error, conflict_error>);
  static_assert(std::is_base_of_v<pgqrs::error, suspended>);
  static_assert(std::is_base_of_v<pgqrs::error, serialization_error>);
  static_assert(std::is_base_of_v<pgqrs::error, internal_error>);
  EXPECT_THROW(throw queue_not_found("q"), pgqrs::error);
  EXPECT_THROW(throw rate_limited(1s), pgqrs::error);
  EXPECT_THROW(throw suspended("worker stopped"), std::runtime_error);
}

TEST(ErrorHierarchy, UnrelatedClassesAreNotConfusedWithEachOther) {
  static_assert(!std::is_base_of_v<validation_error, state_transition_error>);
  static_assert(!std::is_base_of_v<database_error, config_error>);
  static_assert(!std::is_base_of_v<validation_error, rate_limited>);
  static_assert(!std::is_base_of_v<queue_not_found, not_found>);
  EXPECT_THROW(
      {
        try {
          throw rate_limited(1s);
        } catch (const validation_error&) {
          FAIL() << "rate_limited caught as validation_error";
        }
      },
      rate_limited);
}

TEST(ErrorHierarchy, CodeSurvivesCatchingByTheBaseClass) {
  try {
    throw worker_has_pending_messages(2);
  } catch (const pgqrs::error& e) {
    EXPECT_EQ(e.code(), error_code::worker_has_pending_messages);
  }
  try {
    throw payload_too_large(2, 1);
  } catch (const pgqrs::error& e) {
    EXPECT_EQ(e.code(), error_code::payload_too_large);
  }
}
