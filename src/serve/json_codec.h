// The JSON of the HTTP API (docs/serving.md): reading request bodies and
// query values with an ApiError naming the field on a bad one, and writing
// items, recommendations and errors. Numbers are written as nlohmann::json
// writes them, which is how `mtrec recommend --format json` writes them, so
// the two agree bit for bit.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/metrics.h"
#include "serve/http_types.h"

namespace mtrec::serve {

using Json = nlohmann::ordered_json;

// A request that cannot be answered: the HTTP status and a one-line message.
struct ApiError {
  int status = 400;
  std::string message;
  std::string id;  // the unknown user or item's id, for 404s ("" otherwise)
};

// `value` as an error message shows it: its JSON, cut to 80 bytes, or for an
// array or object nested over 8 levels a description of it (dumping recurses
// once per level: a 1 MiB body of nested arrays overflowed the stack).
std::string Shown(const Json& value);

// {"error": message, "status": status[, "id": id]} with `status`.
HttpReply ErrorReply(const ApiError& error);
// `j` as the body of a 200 reply (invalid UTF-8 from data files replaced).
HttpReply JsonReply(const Json& j, int status = 200);

// The same JSON written straight into `out`, for the replies of the busy
// routes (a list of recommendations) without building a tree: byte for byte
// what `dump` (compact, invalid UTF-8 replaced) writes for the same value.
// A string, quoted and escaped:
void AppendJson(std::string& out, std::string_view text);
// A number as a Json float holds it (a double; NaN and infinities are null).
void AppendJson(std::string& out, double value);

// The request body as a JSON object (400 naming what is wrong otherwise).
std::optional<ApiError> ParseObject(std::string_view body, Json* out);

// A member of a JSON object, checked. Missing: the default (or 400 if required).
// An integer in [1, hi] (k, limit).
std::optional<ApiError> IntMember(const Json& object, const char* name, int default_value, int hi,
                                  int* out);
std::optional<ApiError> BoolMember(const Json& object, const char* name, bool default_value,
                                   bool* out);
// A raw id: a string, or an integer written in decimal (`what` names it in errors).
std::optional<ApiError> IdOf(const Json& value, std::string_view what, std::string* out);
// An array member of at most `max` elements (required).
std::optional<ApiError> ArrayMember(const Json& object, const char* name, size_t max,
                                    const Json** out);

// The same for query parameters (?k=10&exclude_seen=false); a parameter given
// more than once (?k=5&k=7) is a 400 naming it, whatever the values.
std::optional<ApiError> IntQuery(const HttpRequest& request, const char* name, int default_value,
                                 int hi, int* out);
std::optional<ApiError> BoolQuery(const HttpRequest& request, const char* name,
                                  bool default_value, bool* out);
// The value, "" when absent.
std::optional<ApiError> StringQuery(const HttpRequest& request, const char* name,
                                    std::string* out);

}  // namespace mtrec::serve
