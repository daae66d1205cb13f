// The query of a request target (`/v1/items?search=star+wars&limit=20`):
// every name=value pair, percent-decoded ('+' a space), in order. The HTTP
// library's own parse drops a pair repeated exactly (`?k=5&k=5`), which the
// API refuses as it refuses any parameter given twice (json_codec.h).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace mtrec::serve {

// The pairs of `target`'s query (after its first '?'; none without one). A
// pair without '=' has the value ""; empty pairs (`a=1&&b=2`) are skipped; a
// '%' not followed by two hex digits stands for itself.
std::multimap<std::string, std::string> ParseQuery(std::string_view target);

}  // namespace mtrec::serve
