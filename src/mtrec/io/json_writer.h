// JsonObject: builds one JSON object, keys in insertion order. Numbers are
// written in the shortest form that reads back to the same double; NaN and
// infinities (not representable in JSON) are written as null.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mtrec {

class JsonObject {
 public:
  JsonObject& Add(std::string_view key, double value);
  JsonObject& Add(std::string_view key, int64_t value);
  JsonObject& Add(std::string_view key, int value) { return Add(key, static_cast<int64_t>(value)); }
  JsonObject& Add(std::string_view key, bool value);
  JsonObject& Add(std::string_view key, std::string_view value);
  JsonObject& Add(std::string_view key, const char* value) {
    return Add(key, std::string_view(value));
  }
  JsonObject& Add(std::string_view key, const std::vector<int>& values);
  JsonObject& Add(std::string_view key, const JsonObject& nested);

  // The object's text on one line, e.g. {"epoch":1,"mrr":0.05}.
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string body_;
};

// `s` as a quoted JSON string with escapes.
std::string JsonQuote(std::string_view s);
// `v` as a JSON number (shortest round-trip form) or null.
std::string JsonNumber(double v);

}  // namespace mtrec
