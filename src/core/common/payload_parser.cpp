#include "core/common/payload_parser.hpp"

#include <charconv>
#include <cstdint>

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
  bool string(std::string& out) {
    const char* start = ++m_p;  // after the opening quote
    while (m_p != m_end) {
      const auto c = static_cast<unsigned char>(*m_p);
      if (c == '"') {
        out.assign(start, m_p++);
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++m_p;
    }
    return false;
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
        space();
        if (m_p != m_end && *m_p == '}') return ++m_p, true;
        std::string key;
        for (;;) {
          space();
          if (m_p == m_end || *m_p != '"' || !string(key)) return false;
          space();
          if (m_p == m_end || *m_p++ != ':') return false;
          if (!value(out[key], depth + 1)) return false;
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
        std::string text;
        if (!string(text)) return false;
        out = std::move(text);
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
