// libFuzzer target: ParseRatings on arbitrary bytes, in every layout. The
// first byte picks the separator, header mode, id mode and columns; the rest
// is the file. Besides "no crash, no UB", a parse that succeeds must be
// consistent: equal column lengths, every id inside its table, finite ratings.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mtrec/data/ratings_parser.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kSeparators[] = {"", "\t", ",", "::", ";", "|"};
  const uint8_t mode = data[0];
  mtrec::RatingsParseOptions options;
  options.threads = 1;
  options.format.auto_separator = (mode & 7) >= 6;
  options.format.separator = kSeparators[(mode & 7) % 6];
  options.format.header = static_cast<mtrec::HeaderMode>((mode >> 3) % 3);
  options.remap_ids = (mode >> 5) & 1;
  using C = mtrec::RatingsColumn;
  if ((mode >> 6) == 1) options.format.columns = {C::kItem, C::kSkip, C::kUser};
  if ((mode >> 6) == 2) options.format.columns = {C::kUser, C::kItem, C::kTimestamp, C::kRating};
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  mtrec::Result<mtrec::ParsedRatings> parsed = mtrec::ParseRatingsText(text, "fuzz", options);
  if (!parsed.ok()) {
    Require(!parsed.status().message().empty());
    return 0;
  }
  const mtrec::Interactions& x = parsed->interactions;
  Require(x.size() > 0 && x.items.size() == x.size() && x.ratings.size() == x.size());
  Require(x.timestamps.empty() || x.timestamps.size() == x.size());
  for (size_t k = 0; k < x.size(); ++k) {
    Require(x.users[k] >= 0 && x.users[k] < x.num_users);
    Require(x.items[k] >= 0 && x.items[k] < x.num_items);
    Require(std::isfinite(x.ratings[k]));
  }
  Require(parsed->users.size() == x.num_users && parsed->items.size() == x.num_items);
  if (options.remap_ids) {
    for (int32_t u = 0; u < x.num_users; ++u)
      Require(parsed->users.Find(parsed->users.Name(u)) == u);
  }
  return 0;
}
