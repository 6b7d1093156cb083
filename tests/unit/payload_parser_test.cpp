// The dequeue path's payload parser must give exactly what json::parse gives, value and type, for every
// text: the fast path for plain payloads, json::parse for the rest (and its errors).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/common/payload_parser.hpp"

namespace pgqrs::detail {
namespace {

const std::vector<std::string> texts = {
    R"({})", R"([])", R"({"a":1})", R"({"b":[1,2,{"c":null}],"a":"x"})", R"([true,false,null])",
    R"(  { "k" : "v" , "n" : -12 }  )", R"("plain")", R"(0)", R"(-0)", R"(42)", R"(-42)",
    R"(123456789012345678)", R"(1234567890123456789)", R"(18446744073709551615)", R"(-9223372036854775808)",
    R"(1.5)", R"(1e3)", R"(-2.5E-3)", R"("esc\"aped")", R"("tab\tnewline\n")", R"("\u00e9")", "\"caf\xc3\xa9\"",
    R"({"dup":1,"dup":2})", std::string(36, '[') + "1" + std::string(36, ']'),
    std::string(30, '[') + "1" + std::string(30, ']'),
    R"({"n":{"o":{"p":{"q":{"r":{}}}}}})", "\t[1,\n2]\r\n",
};

const std::vector<std::string> malformed = {
    "", " ", "{", "[1,]", "{\"a\"}", "{\"a\":}", "01", "-", "tru", "nul", "\"unterminated", "[1 2]", "{} x",
    "{'a':1}", "\"ctrl\x01\"", "[1,2]]",
};

TEST(PayloadParser, GivesExactlyWhatJsonParseGives) {
  for (const auto& t : texts) {
    const json expected = json::parse(t);
    const json got = parse_payload(t);
    EXPECT_EQ(got, expected) << t;
    EXPECT_EQ(got.dump(), expected.dump()) << t;
    EXPECT_EQ(got.type(), expected.type()) << t;  // unsigned vs signed integers too
  }
}

TEST(PayloadParser, MalformedTextFailsLikeJsonParse) {
  auto full = [](const std::string& t) { return json::parse(t).dump(); };
  auto fast = [](const std::string& t) { return parse_payload(t).dump(); };
  for (const auto& t : malformed) {
    EXPECT_THROW(full(t), json::parse_error) << t;
    EXPECT_THROW(fast(t), json::parse_error) << t;
  }
}

// Strings are scanned 8 bytes at a time: a quote, backslash escape, control byte or non-ASCII byte at any
// offset of a long string (inside a word, at its edges, in the tail after the last whole word) must still
// be seen.
TEST(PayloadParser, SpecialBytesAnywhereInALongStringAreSeen) {
  const std::vector<std::string> specials = {"\\\"", "\\n", "\\u0041", "\xc3\xa9", "\x7f", "~"};
  for (const auto& special : specials) {
    for (std::size_t at = 0; at <= 24; ++at) {
      const std::string t = "{\"k\":\"" + std::string(at, 'a') + special + std::string(24 - at, 'b') + "\"}";
      EXPECT_EQ(parse_payload(t).dump(), json::parse(t).dump()) << t;
    }
  }
  for (std::size_t at = 0; at <= 24; ++at) {
    std::string ctrl = "\"" + std::string(at, 'a') + "\x01" + std::string(24 - at, 'b') + "\"";
    EXPECT_THROW((void)parse_payload(ctrl), json::parse_error) << at;
    std::string cut = "\"" + std::string(at, 'a');  // unterminated at every length
    EXPECT_THROW((void)parse_payload(cut), json::parse_error) << at;
  }
}

TEST(PayloadParser, NumbersKeepJsonParsesSignedness) {
  EXPECT_TRUE(parse_payload("7").is_number_unsigned());
  EXPECT_TRUE(parse_payload("-7").is_number_integer());
  EXPECT_FALSE(parse_payload("-7").is_number_unsigned());
  EXPECT_TRUE(parse_payload("7.0").is_number_float());
}

}  // namespace
}  // namespace pgqrs::detail
