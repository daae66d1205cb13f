#include "mtrec/data/item_titles.h"

#include <deque>

#include "mtrec/data/field_splitter.h"
#include "mtrec/data/ratings_format.h"
#include "mtrec/data/text_encoding.h"

namespace mtrec {

std::optional<TitlesFormat> TitlesFormatForFile(std::string_view file_name) {
  const size_t slash = file_name.find_last_of('/');
  const std::string_view base =
      slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  if (base == "u.item") return TitlesFormat::kUItem;
  if (base == "movies.dat") return TitlesFormat::kMoviesDat;
  if (base == "movies.csv") return TitlesFormat::kMoviesCsv;
  return std::nullopt;
}

Result<std::vector<ItemTitle>> ParseItemTitles(std::string_view text, TitlesFormat format,
                                               std::string_view source_name) {
  const char* separator = format == TitlesFormat::kUItem       ? "|"
                          : format == TitlesFormat::kMoviesDat ? "::"
                                                               : ",";
  const FieldSplitter splitter(separator);
  text = StripBom(text);
  std::vector<ItemTitle> titles;
  std::deque<std::string> unescaped;
  size_t line_no = 0;
  size_t pos = 0;
  bool header_pending = format == TitlesFormat::kMoviesCsv;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    std::string_view f[2];
    unescaped.clear();
    const size_t n = splitter.Split(line, f, 2, &unescaped);
    if (n == 0) continue;
    if (header_pending) {
      header_pending = false;
      if (n != FieldSplitter::kUnterminatedQuote && f[0] == "movieId") continue;
    }
    if (n == FieldSplitter::kUnterminatedQuote || n < 2 || f[0].empty()) {
      return Status::Corruption(
          std::string(source_name) + ":" + std::to_string(line_no) +
          ": expected an item id and a title separated by " + SeparatorName(separator) +
          (n == FieldSplitter::kUnterminatedQuote ? ", found a quote that never closes"
                                                  : ", found " + std::to_string(n) + " field(s)"));
    }
    titles.push_back({std::string(f[0]), ToUtf8(f[1])});
  }
  return titles;
}

std::vector<std::string> TitlesByIndex(const std::vector<ItemTitle>& titles, const IdMap& items) {
  std::vector<std::string> by_index(static_cast<size_t>(items.size()));
  for (const ItemTitle& t : titles) {
    if (const std::optional<int32_t> index = items.Find(t.id)) {
      by_index[static_cast<size_t>(*index)] = t.title;
    }
  }
  return by_index;
}

}  // namespace mtrec
