#include "serve/json_codec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>

namespace mtrec::serve {

namespace {

ApiError BadRequest(std::string message) { return {400, std::move(message), ""}; }

std::optional<ApiError> ParseInt(std::string_view what, std::string_view text, int hi, int* out) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > hi) {
    return BadRequest(std::string(what) + ": expected an integer in [1, " + std::to_string(hi) +
                      "], got '" + std::string(text) + "'");
  }
  *out = value;
  return std::nullopt;
}

std::optional<ApiError> ParseBool(std::string_view what, std::string_view text, bool* out) {
  if (text == "true" || text == "1") {
    *out = true;
  } else if (text == "false" || text == "0") {
    *out = false;
  } else {
    return BadRequest(std::string(what) + ": expected true or false, got '" + std::string(text) +
                      "'");
  }
  return std::nullopt;
}

// Whether `value` nests more than `levels` arrays/objects deep (looks no deeper).
bool DeeperThan(const Json& value, int levels) {
  if (!value.is_structured()) return false;
  if (levels == 0) return true;
  for (const Json& element : value) {
    if (DeeperThan(element, levels - 1)) return true;
  }
  return false;
}

// The one value of query parameter `name` (nullptr when absent).
std::optional<ApiError> QueryValue(const HttpRequest& request, const char* name,
                                   const std::string** out) {
  const auto [first, last] = request.query.equal_range(name);
  *out = first == last ? nullptr : &first->second;
  if (first != last && std::next(first) != last) {
    return BadRequest(std::string(name) + ": given " +
                      std::to_string(std::distance(first, last)) +
                      " times in the query; expected at most once");
  }
  return std::nullopt;
}

}  // namespace

std::string Shown(const Json& value) {
  constexpr int kLevels = 8;
  constexpr size_t kChars = 80;
  if (DeeperThan(value, kLevels)) {
    return std::string(value.is_array() ? "an array " : "an object ") + "nested over " +
           std::to_string(kLevels) + " levels deep";
  }
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kChars) {
    // Cut at a character's start (the dump is UTF-8: the replacement above).
    size_t cut = kChars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    text += "...";
  }
  return text;
}

HttpReply JsonReply(const Json& j, int status) {
  return {status, "application/json", j.dump(-1, ' ', false, Json::error_handler_t::replace), ""};
}

void AppendJson(std::string& out, std::string_view text) {
  // Printable ASCII other than '"' and '\\' is written as it is; anything
  // else (escapes, UTF-8, bytes to replace) as the serializer writes it.
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
  });
  if (!plain) {
    out += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += text;
  out += '"';
}

void AppendJson(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char text[64];  // the serializer's number buffer
  const char* end = nlohmann::detail::to_chars(text, text + sizeof(text), value);
  out.append(text, static_cast<size_t>(end - text));
}

HttpReply ErrorReply(const ApiError& error) {
  Json j;
  j["error"] = error.message;
  j["status"] = error.status;
  if (!error.id.empty()) j["id"] = error.id;
  return JsonReply(j, error.status);
}

std::optional<ApiError> ParseObject(std::string_view body, Json* out) {
  // No exceptions: a parse error is a discarded value.
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return BadRequest("the request body is not valid JSON");
  if (!j.is_object()) return BadRequest("the request body must be a JSON object");
  *out = std::move(j);
  return std::nullopt;
}

std::optional<ApiError> IntMember(const Json& object, const char* name, int default_value, int hi,
                                  int* out) {
  const auto it = object.find(name);
  if (it == object.end()) {
    *out = default_value;
    return std::nullopt;
  }
  if (!it->is_number_integer() || *it < 1 || *it > hi) {
    return BadRequest(std::string(name) + ": expected an integer in [1, " + std::to_string(hi) +
                      "], got " + Shown(*it));
  }
  *out = it->get<int>();
  return std::nullopt;
}

std::optional<ApiError> BoolMember(const Json& object, const char* name, bool default_value,
                                   bool* out) {
  const auto it = object.find(name);
  if (it == object.end()) {
    *out = default_value;
    return std::nullopt;
  }
  if (!it->is_boolean()) {
    return BadRequest(std::string(name) + ": expected true or false, got " + Shown(*it));
  }
  *out = it->get<bool>();
  return std::nullopt;
}

std::optional<ApiError> IdOf(const Json& value, std::string_view what, std::string* out) {
  if (value.is_string()) {
    *out = value.get<std::string>();
  } else if (value.is_number_integer()) {
    *out = value.dump();
  } else {
    return BadRequest(std::string(what) + ": expected an id (a string or an integer), got " +
                      Shown(value));
  }
  return std::nullopt;
}

std::optional<ApiError> ArrayMember(const Json& object, const char* name, size_t max,
                                    const Json** out) {
  const auto it = object.find(name);
  if (it == object.end()) return BadRequest(std::string(name) + ": required");
  if (!it->is_array()) return BadRequest(std::string(name) + ": expected an array");
  if (it->empty() || it->size() > max) {
    return BadRequest(std::string(name) + ": expected 1 to " + std::to_string(max) +
                      " elements, got " + std::to_string(it->size()));
  }
  *out = &*it;
  return std::nullopt;
}

std::optional<ApiError> IntQuery(const HttpRequest& request, const char* name, int default_value,
                                 int hi, int* out) {
  const std::string* value = nullptr;
  if (auto error = QueryValue(request, name, &value)) return error;
  if (value == nullptr) {
    *out = default_value;
    return std::nullopt;
  }
  return ParseInt(name, *value, hi, out);
}

std::optional<ApiError> BoolQuery(const HttpRequest& request, const char* name,
                                  bool default_value, bool* out) {
  const std::string* value = nullptr;
  if (auto error = QueryValue(request, name, &value)) return error;
  if (value == nullptr) {
    *out = default_value;
    return std::nullopt;
  }
  return ParseBool(name, *value, out);
}

std::optional<ApiError> StringQuery(const HttpRequest& request, const char* name,
                                    std::string* out) {
  const std::string* value = nullptr;
  if (auto error = QueryValue(request, name, &value)) return error;
  *out = value == nullptr ? std::string() : *value;
  return std::nullopt;
}

}  // namespace mtrec::serve
