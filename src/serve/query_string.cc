#include "serve/query_string.h"

namespace mtrec::serve {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] == '+') {
      out += ' ';
    } else if (text[k] == '%' && k + 2 < text.size() && HexDigit(text[k + 1]) >= 0 &&
               HexDigit(text[k + 2]) >= 0) {
      out += static_cast<char>(HexDigit(text[k + 1]) * 16 + HexDigit(text[k + 2]));
      k += 2;
    } else {
      out += text[k];
    }
  }
  return out;
}

}  // namespace

std::multimap<std::string, std::string> ParseQuery(std::string_view target) {
  std::multimap<std::string, std::string> out;
  const size_t start = target.find('?');
  if (start == std::string_view::npos) return out;
  std::string_view rest = target.substr(start + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest.remove_prefix(amp == std::string_view::npos ? rest.size() : amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    out.emplace(Decode(pair.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1)));
  }
  return out;
}

}  // namespace mtrec::serve
