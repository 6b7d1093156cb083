// Payload validation (spec §11.3): structural rules and their messages, serialization, size limits, and the
// batch order (structures, then the rate limiter, then sizes) with its index prefixes. Also what every
// backend must be able to store, which we add: no NaN/Infinity, no NUL characters.

#include <gtest/gtest.h>
#include "catch_as.hpp"

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/validation.hpp"
#include "pgqrs/errors.hpp"

using namespace pgqrs;
using pgqrs::detail::check_payload_size;
using pgqrs::detail::check_payload_structure;
using pgqrs::detail::serialize_payload;
using pgqrs::detail::validate_batch;

namespace {

/// The reason of the validation_error check_payload_structure throws, or nullopt if the payload passes.
std::optional<std::string> structure_error(const json& payload, const validation_config& rules) {
  auto e = catch_as<validation_error>([&] { check_payload_structure(payload, rules); });
  if (!e) return std::nullopt;
  return e->reason();
}

validation_config depth(std::size_t max) {
  validation_config r;
  r.max_object_depth = max;
  return r;
}

validation_config max_string(std::size_t max) {
  validation_config r;
  r.max_string_length = max;
  return r;
}

validation_config required(std::vector<std::string> keys) {
  validation_config r;
  r.required_keys = std::move(keys);
  return r;
}

validation_config max_size(std::size_t bytes) {
  validation_config r;
  r.max_payload_size_bytes = bytes;
  return r;
}

void nothing() {}

}  // namespace

// ================================================================ depth

TEST(PayloadDepth, ObjectWithinTheLimitPasses) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":{"b":"v"}})"), depth(2)), std::nullopt);
}

TEST(PayloadDepth, DeeperObjectFailsWithTheFirstDepthOverTheLimit) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":{"b":{"c":{"d":"v"}}}})"), depth(2)),
            "Object depth 3 exceeds limit 2");
}

TEST(PayloadDepth, ScalarLeafCountsAsALevel) {
  // {"a":{"b":{"c":1}}}: the 1 is at depth 3.
  EXPECT_EQ(structure_error(json::parse(R"({"a":{"b":{"c":1}}})"), depth(2)),
            "Object depth 3 exceeds limit 2");
}

TEST(PayloadDepth, ArrayElementsCountAsALevel) {
  EXPECT_EQ(structure_error(json::parse("[1]"), depth(1)), std::nullopt);
  EXPECT_EQ(structure_error(json::parse("[[1]]"), depth(1)), "Object depth 2 exceeds limit 1");
}

TEST(PayloadDepth, ArraysInsideObjectsCount) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":[[1]]})"), depth(2)), "Object depth 3 exceeds limit 2");
}

TEST(PayloadDepth, ZeroDepthAllowsOnlyAScalarOrEmptyContainer) {
  EXPECT_EQ(structure_error(json("x"), depth(0)), std::nullopt);
  EXPECT_EQ(structure_error(json::object(), depth(0)), std::nullopt);
  EXPECT_EQ(structure_error(json::parse(R"({"a":1})"), depth(0)), "Object depth 1 exceeds limit 0");
}

TEST(PayloadDepth, DefaultLimitIsFive) {
  EXPECT_EQ(structure_error(json::parse(R"({"1":{"2":{"3":{"4":{"5":1}}}}})"), validation_config{}),
            std::nullopt);
  EXPECT_EQ(structure_error(json::parse(R"({"1":{"2":{"3":{"4":{"5":{"6":1}}}}}})"), validation_config{}),
            "Object depth 6 exceeds limit 5");
}

// ================================================================ keys

TEST(PayloadKeys, ForbiddenKeyAtTopLevelIsRejected) {
  EXPECT_EQ(structure_error(json::parse(R"({"__proto__":1})"), validation_config{}),
            "Forbidden key '__proto__' found in payload");
}

TEST(PayloadKeys, ForbiddenKeyNestedInsideArraysAndObjectsIsRejected) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":[{"b":{"constructor":1}}]})"), validation_config{}),
            "Forbidden key 'constructor' found in payload");
}

TEST(PayloadKeys, ForbiddenWordAsAValueIsAllowed) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":"__proto__"})"), validation_config{}), std::nullopt);
}

TEST(PayloadKeys, CustomForbiddenKeysReplaceTheDefaults) {
  validation_config r;
  r.forbidden_keys = {"password"};
  EXPECT_EQ(structure_error(json::parse(R"({"password":"x"})"), r),
            "Forbidden key 'password' found in payload");
  EXPECT_EQ(structure_error(json::parse(R"({"__proto__":1})"), r), std::nullopt);
}

TEST(PayloadKeys, MissingRequiredKeyIsRejected) {
  EXPECT_EQ(structure_error(json::parse(R"({"x":1})"), required({"id"})),
            "Required key 'id' missing from payload");
}

TEST(PayloadKeys, PresentRequiredKeyPasses) {
  EXPECT_EQ(structure_error(json::parse(R"({"id":null})"), required({"id"})), std::nullopt);
}

TEST(PayloadKeys, RequiredKeyMustBeAtTheTopLevel) {
  EXPECT_EQ(structure_error(json::parse(R"({"x":{"id":1}})"), required({"id"})),
            "Required key 'id' missing from payload");
}

TEST(PayloadKeys, TopLevelArraySkipsTheRequiredKeyCheck) {
  EXPECT_EQ(structure_error(json::parse(R"([{"x":1}])"), required({"id"})), std::nullopt);
}

TEST(PayloadKeys, TopLevelScalarSkipsTheRequiredKeyCheck) {
  EXPECT_EQ(structure_error(json(42), required({"id"})), std::nullopt);
}

TEST(PayloadKeys, KeyLongerThanTheStringLimitIsRejected) {
  EXPECT_EQ(structure_error(json::parse(R"({"abcd":1})"), max_string(3)),
            "Key 'abcd' length 4 exceeds limit 3");
}

TEST(PayloadKeys, KeyAtTheStringLimitPasses) {
  EXPECT_EQ(structure_error(json::parse(R"({"abc":1})"), max_string(3)), std::nullopt);
}

TEST(PayloadKeys, KeyWithNulCharacterIsRejected) {
  json payload = json::object();
  payload[std::string("a\0b", 3)] = 1;
  auto reason = structure_error(payload, validation_config{});
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("NUL"), std::string::npos) << *reason;
}

// ================================================================ strings and numbers

TEST(PayloadStrings, StringLongerThanTheLimitIsRejected) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":"abcd"})"), max_string(3)),
            "String length 4 exceeds limit 3");
}

TEST(PayloadStrings, StringAtTheLimitPasses) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":"abc"})"), max_string(3)), std::nullopt);
}

TEST(PayloadStrings, LengthIsCountedInBytes) {
  // "ééé" is three characters but six UTF-8 bytes.
  EXPECT_EQ(structure_error(json("\xC3\xA9\xC3\xA9\xC3\xA9"), max_string(5)),
            "String length 6 exceeds limit 5");
}

TEST(PayloadStrings, StringsInsideArraysAreChecked) {
  EXPECT_EQ(structure_error(json::parse(R"(["ok",["toolong"]])"), max_string(3)),
            "String length 7 exceeds limit 3");
}

TEST(PayloadStrings, NulCharacterInAStringIsRejected) {
  auto reason = structure_error(json{{"a", std::string("x\0y", 3)}}, validation_config{});
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("NUL"), std::string::npos) << *reason;
}

TEST(PayloadNumbers, NanIsRejected) {
  auto reason = structure_error(json{{"a", std::nan("")}}, validation_config{});
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("non-finite"), std::string::npos) << *reason;
}

TEST(PayloadNumbers, InfinityIsRejected) {
  EXPECT_TRUE(structure_error(json(std::numeric_limits<double>::infinity()), validation_config{}));
  EXPECT_TRUE(
      structure_error(json::array({1, -std::numeric_limits<double>::infinity()}), validation_config{}));
}

TEST(PayloadNumbers, FiniteNumbersPass) {
  EXPECT_EQ(structure_error(json::parse(R"({"a":1.5,"b":-3,"c":18446744073709551615,"d":1e300})"),
                            validation_config{}),
            std::nullopt);
}

TEST(PayloadShapes, ScalarsAreValidPayloads) {
  for (const json& p : {json(nullptr), json(true), json(1), json(2.5), json("text")}) {
    EXPECT_EQ(structure_error(p, validation_config{}), std::nullopt) << p.dump();
  }
}

TEST(PayloadShapes, ArraysAreValidPayloads) {
  EXPECT_EQ(structure_error(json::parse(R"([1,"two",{"three":3}])"), validation_config{}), std::nullopt);
  EXPECT_EQ(structure_error(json::array(), validation_config{}), std::nullopt);
}

TEST(PayloadShapes, BinaryValuesAreRejected) {
  EXPECT_TRUE(structure_error(json::binary({1, 2, 3}), validation_config{}));
}

TEST(PayloadShapes, StructureErrorsAreValidationErrorsWithTheStandardPrefix) {
  auto e = catch_as<validation_error>([] { check_payload_structure(json::parse(R"({"__proto__":1})"), {}); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "Validation failed: Forbidden key '__proto__' found in payload");
  EXPECT_EQ(e->code(), error_code::validation);
}

// ================================================================ serialization and size

TEST(SerializePayload, ProducesCompactJson) {
  EXPECT_EQ(serialize_payload(json::parse(R"({ "a" : 1, "b" : [ 1, 2 ] })")), R"({"a":1,"b":[1,2]})");
}

TEST(SerializePayload, KeepsUnicodeAsUtf8) {
  EXPECT_EQ(serialize_payload(json("\xC3\xA9")), "\"\xC3\xA9\"");
}

TEST(SerializePayload, InvalidUtf8IsASerializationError) {
  auto e = catch_as<serialization_error>([] { (void)serialize_payload(json{{"a", "\xFF\xFE"}}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), error_code::serialization);
  EXPECT_TRUE(std::string_view(e->what()).starts_with("Serialization error: ")) << e->what();
}

TEST(PayloadSize, AtTheLimitPasses) {
  EXPECT_NO_THROW(check_payload_size(5, max_size(5)));
}

TEST(PayloadSize, OverTheLimitIsPayloadTooLargeWithBothSizes) {
  auto e = catch_as<payload_too_large>([] { check_payload_size(10, max_size(5)); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->actual_bytes(), 10u);
  EXPECT_EQ(e->max_bytes(), 5u);
  EXPECT_STREQ(e->what(), "Payload size 10 exceeds limit 5");
}

// ================================================================ validate_batch

TEST(ValidateBatch, ReturnsCompactJsonTextsInOrder) {
  std::vector<json> payloads{json::parse(R"({ "a" : 1, "b" : [ 1, 2 ] })"), json("x"), json(3)};
  auto texts = validate_batch(payloads, validation_config{}, nothing);
  EXPECT_EQ(texts, (std::vector<std::string>{R"({"a":1,"b":[1,2]})", R"("x")", "3"}));
}

TEST(ValidateBatch, EmptyBatchReturnsNothingButStillCallsBetween) {
  std::vector<json> payloads;
  int calls = 0;
  auto texts = validate_batch(payloads, validation_config{}, [&] { ++calls; });
  EXPECT_TRUE(texts.empty());
  EXPECT_EQ(calls, 1);
}

TEST(ValidateBatch, BetweenIsCalledExactlyOnceForAValidBatch) {
  std::vector<json> payloads{json{{"a", 1}}, json{{"b", 2}}, json{{"c", 3}}};
  int calls = 0;
  (void)validate_batch(payloads, validation_config{}, [&] { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(ValidateBatch, StructureErrorInABatchIsPrefixedWithItsIndex) {
  std::vector<json> payloads{json{{"a", 1}}, json::parse(R"({"__proto__":1})")};
  auto e = catch_as<validation_error>([&] { (void)validate_batch(payloads, validation_config{}, nothing); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason(), "Payload at index 1: Forbidden key '__proto__' found in payload");
  EXPECT_STREQ(e->what(),
               "Validation failed: Payload at index 1: Forbidden key '__proto__' found in payload");
}

TEST(ValidateBatch, FirstInvalidPayloadIsReported) {
  std::vector<json> payloads{json{{"a", 1}}, json{{"constructor", 1}}, json{{"__proto__", 1}}};
  auto e = catch_as<validation_error>([&] { (void)validate_batch(payloads, validation_config{}, nothing); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason(), "Payload at index 1: Forbidden key 'constructor' found in payload");
}

TEST(ValidateBatch, SinglePayloadStructureErrorHasNoIndexPrefix) {
  std::vector<json> payloads{json::parse(R"({"__proto__":1})")};
  auto e = catch_as<validation_error>([&] { (void)validate_batch(payloads, validation_config{}, nothing); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason(), "Forbidden key '__proto__' found in payload");
}

TEST(ValidateBatch, BetweenIsNotCalledWhenAStructureErrorOccurs) {
  std::vector<json> payloads{json{{"a", 1}}, json{{"__proto__", 1}}};
  int calls = 0;
  EXPECT_THROW((void)validate_batch(payloads, validation_config{}, [&] { ++calls; }), validation_error);
  EXPECT_EQ(calls, 0);
}

TEST(ValidateBatch, StructureIsCheckedForEveryPayloadBeforeAnySize) {
  // The first payload is too large, the second is structurally invalid: the structure error wins.
  std::vector<json> payloads{json{{"a", std::string(100, 'x')}}, json{{"__proto__", 1}}};
  auto rules = max_size(20);
  auto e = catch_as<validation_error>([&] { (void)validate_batch(payloads, rules, nothing); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason(), "Payload at index 1: Forbidden key '__proto__' found in payload");
}

TEST(ValidateBatch, RateLimiterRunsBeforeTheSizeCheck) {
  std::vector<json> payloads{json{{"a", std::string(100, 'x')}}};
  auto rules = max_size(20);
  EXPECT_THROW((void)validate_batch(payloads, rules, [] { throw rate_limited(std::chrono::seconds(1)); }),
               rate_limited);
}

TEST(ValidateBatch, OversizedPayloadInABatchIsAValidationErrorWithIndexAndSizes) {
  // {"a":"0123456789"} is 18 bytes.
  std::vector<json> payloads{json{{"a", 1}}, json{{"a", "0123456789"}}};
  auto e = catch_as<validation_error>([&] { (void)validate_batch(payloads, max_size(10), nothing); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason(), "Payload at index 1 too large: 18 bytes exceeds limit 10");
  EXPECT_EQ(e->code(), error_code::validation);  // not payload_too_large
}

TEST(ValidateBatch, OversizedSinglePayloadIsPayloadTooLarge) {
  std::vector<json> payloads{json{{"a", "0123456789"}}};
  auto e = catch_as<payload_too_large>([&] { (void)validate_batch(payloads, max_size(10), nothing); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->actual_bytes(), 18u);
  EXPECT_EQ(e->max_bytes(), 10u);
}

TEST(ValidateBatch, PayloadExactlyAtTheSizeLimitPasses) {
  std::vector<json> payloads{json{{"a", "0123456789"}}, json{{"b", "0123456789"}}};
  EXPECT_NO_THROW((void)validate_batch(payloads, max_size(18), nothing));
}

TEST(ValidateBatch, InvalidUtf8InABatchIsASerializationError) {
  std::vector<json> payloads{json{{"a", 1}}, json{{"a", "\xFF"}}};
  int calls = 0;
  EXPECT_THROW((void)validate_batch(payloads, validation_config{}, [&] { ++calls; }), serialization_error);
  EXPECT_EQ(calls, 1);  // serialization happens after the rate limiter
}
