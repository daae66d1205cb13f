// Text encodings of the MovieLens title files: the old sets (u.item, ML-1M's
// movies.dat) are ISO-8859-1 (Latin-1), the newer ones UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace mtrec {

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Each byte as the Latin-1 code point it stands for, encoded as UTF-8.
std::string Latin1ToUtf8(std::string_view text);

// `text` itself if it is valid UTF-8, else its Latin-1 reading as UTF-8.
std::string ToUtf8(std::string_view text);

}  // namespace mtrec
