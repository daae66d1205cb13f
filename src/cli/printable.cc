#include "cli/printable.h"

#include <cstdio>

#include "mtrec/data/text_encoding.h"

namespace mtrec::cli {

namespace {

// The length of the UTF-8 sequence that `lead` starts (0: not a lead byte).
size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

void AppendEscaped(std::string_view bytes, std::string* out) {
  for (const char c : bytes) {
    char hex[5];
    std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
    out->append(hex);
  }
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t k = 0; k < text.size();) {
    const auto byte = static_cast<unsigned char>(text[k]);
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(text[k++]);
      continue;
    }
    const size_t length = SequenceLength(byte);
    const std::string_view sequence = text.substr(k, length == 0 ? 1 : length);
    const bool c1 =
        byte == 0xc2 && sequence.size() == 2 && static_cast<unsigned char>(sequence[1]) < 0xa0;
    if (length > 0 && sequence.size() == length && !c1 && IsValidUtf8(sequence)) {
      out.append(sequence);
      k += length;
    } else {
      AppendEscaped(text.substr(k, c1 ? 2 : 1), &out);
      k += c1 ? 2 : 1;
    }
  }
  return out;
}

}  // namespace mtrec::cli
