#include "core/common/payload_parser.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace pgqrs::detail {

namespace {

/// The fast path: plain ASCII strings without escapes, integers up to 18 digits, literals, arrays and objects
/// up to depth 32. Anything else makes document() return false.
class payload_parser {
 public:
  explicit payload_parser(std::string_view text) : m_p(text.data()), m_end(text.data() + text.size()) {}
  bool document(json& out) {
    if (!value(out, 0)) return false;
    space();
    return m_p == m_end;
  }

 private:
  void space() {
    while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t')) ++m_p;
  }
  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
      return false;
    m_p += word.size();
    return true;
  }
  /// The text between the quotes of a plain string (the parser stands on the opening quote).
  bool string(std::string_view& out) {
    const char* start = ++m_p;
    while (m_end - m_p >= 8 && plain_string_word(m_p)) m_p += 8;
    while (m_p != m_end && plain_string_byte(static_cast<unsigned char>(*m_p))) ++m_p;
    if (m_p == m_end || *m_p != '"') return false;  // the end, an escape, a control or non-ASCII byte
    out = std::string_view(start, static_cast<std::size_t>(m_p++ - start));
    return true;
  }
  static bool plain_string_byte(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }
  /// plain_string_byte for 8 bytes at once (strings are most of a payload's bytes; a byte at a time cost 12
  /// instructions a byte). The classic bit tricks: a byte is zero in (w ^ c) where w has c, and below 0x20
  /// where w - 0x20 borrows.
  static bool plain_string_word(const char* p) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    const auto zero_byte = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t special = (w & highs) | ((w - 0x20 * ones) & ~w & highs) |
                                  zero_byte(w ^ ('"' * ones)) | zero_byte(w ^ ('\\' * ones));
    return special == 0;
  }
  bool number(json& out) {
    const char* start = m_p;
    if (m_p != m_end && *m_p == '-') ++m_p;
    const char* digits = m_p;
    while (m_p != m_end && *m_p >= '0' && *m_p <= '9') ++m_p;
    const auto n = m_p - digits;
    if (n == 0 || n > 18 || (n > 1 && *digits == '0')) return false;
    if (m_p != m_end && (*m_p == '.' || *m_p == 'e' || *m_p == 'E')) return false;
    std::int64_t v = 0;
    std::from_chars(start, m_p, v);
    // json::parse keeps non-negative integers unsigned.
    if (*start == '-') {
      out = v;
    } else {
      out = static_cast<std::uint64_t>(v);
    }
    return true;
  }
  bool value(json& out, int depth) {
    space();
    if (m_p == m_end) return false;
    switch (*m_p) {
      case '{': {
        if (depth > 32) return false;
        ++m_p;
        out = json::object();
        auto& members = *out.get_ptr<json::object_t*>();
        space();
        if (m_p != m_end && *m_p == '}') return ++m_p, true;
        std::string_view key;
        for (;;) {
          space();
          if (m_p == m_end || *m_p != '"' || !string(key)) return false;
          space();
          if (m_p == m_end || *m_p++ != ':') return false;
          // A repeated key keeps its last value, as json::parse does: value() overwrites.
          if (!value(members.try_emplace(std::string(key)).first->second, depth + 1)) return false;
          space();
          if (m_p == m_end) return false;
          if (*m_p == '}') return ++m_p, true;
          if (*m_p++ != ',') return false;
        }
      }
      case '[': {
        if (depth > 32) return false;
        ++m_p;
        out = json::array();
        space();
        if (m_p != m_end && *m_p == ']') return ++m_p, true;
        for (;;) {
          if (!value(out.emplace_back(), depth + 1)) return false;
          space();
          if (m_p == m_end) return false;
          if (*m_p == ']') return ++m_p, true;
          if (*m_p++ != ',') return false;
        }
      }
      case '"': {
        std::string_view text;
        if (!string(text)) return false;
        out = text;
        return true;
      }
      case 't':
        out = true;
        return literal("true");
      case 'f':
        out = false;
        return literal("false");
      case 'n':
        out = nullptr;
        return literal("null");
      default:
        return number(out);
    }
  }
  const char* m_p;
  const char* m_end;
};

}  // namespace

json parse_payload(std::string_view text) {
  json out;
  if (payload_parser(text).document(out)) return out;
  return json::parse(text);
}

}  // namespace pgqrs::detail
