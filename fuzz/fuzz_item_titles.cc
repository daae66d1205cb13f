// libFuzzer target: ParseItemTitles (u.item, movies.dat, movies.csv) on
// arbitrary bytes; the first byte picks the format. Titles that come back must
// be valid UTF-8 (Latin-1 is converted), and ids non-empty.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mtrec/data/item_titles.h"
#include "mtrec/data/text_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto format = static_cast<mtrec::TitlesFormat>(data[0] % 3);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto titles = mtrec::ParseItemTitles(text, format, "fuzz");
  if (!titles.ok()) return 0;
  for (const mtrec::ItemTitle& t : *titles) {
    if (t.id.empty() || !mtrec::IsValidUtf8(t.title)) std::abort();
  }
  mtrec::IdMap items;
  for (const mtrec::ItemTitle& t : *titles) items.Intern(t.id);
  if (mtrec::TitlesByIndex(*titles, items).size() != static_cast<size_t>(items.size()))
    std::abort();
  return 0;
}
