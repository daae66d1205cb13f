#include "mtrec/data/ratings_format.h"

#include <algorithm>
#include <optional>

#include "mtrec/core/split_list.h"

namespace mtrec {

namespace {

constexpr std::string_view kFormatHelp =
    "expected auto, tsv, csv, dat, space or sep=S, optionally followed by +header or +noheader";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string SeparatorName(std::string_view separator) {
  if (separator.empty()) return "spaces/TABs";
  if (separator == "\t") return "TAB";
  return "'" + std::string(separator) + "'";
}

RatingsFormat RatingsFormat::Fixed(std::string separator, HeaderMode header) {
  RatingsFormat f;
  f.auto_separator = false;
  f.separator = std::move(separator);
  f.header = header;
  return f;
}

std::string RatingsFormat::Describe() const {
  std::string out = auto_separator ? "an auto-detected separator" : SeparatorName(separator);
  if (header == HeaderMode::kPresent) out += " with a header";
  if (header == HeaderMode::kAbsent) out += " without a header";
  out += ", columns ";
  for (size_t k = 0; k < columns.size(); ++k) {
    if (k > 0) out += ',';
    out += NameOf(kRatingsColumnNames, columns[k]);
  }
  return out;
}

Status ParseFormatFlag(std::string_view text, RatingsFormat* format) {
  const auto bad = [&] {
    return Status::InvalidArgument("format: " + std::string(kFormatHelp) + ", got '" +
                                   std::string(text) + "'");
  };
  std::string_view name = text;
  HeaderMode header = HeaderMode::kAuto;
  if (EndsWith(name, "+header")) {
    header = HeaderMode::kPresent;
    name.remove_suffix(7);
  } else if (EndsWith(name, "+noheader")) {
    header = HeaderMode::kAbsent;
    name.remove_suffix(9);
  }
  RatingsFormat f = *format;
  f.header = header;
  f.auto_separator = false;
  if (name == "auto") {
    f.auto_separator = true;
    f.separator.clear();
  } else if (name == "tsv") {
    f.separator = "\t";
  } else if (name == "csv") {
    f.separator = ",";
  } else if (name == "dat") {
    f.separator = "::";
  } else if (name == "space") {
    f.separator.clear();
  } else if (name.substr(0, 4) == "sep=" && name.size() > 4) {
    f.separator = std::string(name.substr(4));
    if (f.separator.find_first_of("\n\r\"") != std::string::npos) return bad();
  } else {
    return bad();
  }
  *format = std::move(f);
  return Status::Ok();
}

Status ParseColumnsFlag(std::string_view text, RatingsFormat* format) {
  std::vector<RatingsColumn> columns;
  for (std::string_view name : SplitList(text)) {
    RatingsColumn column;
    if (std::optional<RatingsColumn> named = ValueNamed(kRatingsColumnNames, name)) {
      column = *named;
    } else if (name == "_") {
      column = RatingsColumn::kSkip;
    } else {
      return Status::InvalidArgument(
          "columns: expected a comma list of user, item, rating, timestamp and skip (e.g. "
          "user,item,rating,timestamp), got '" +
          std::string(name) + "' in '" + std::string(text) + "'");
    }
    if (column != RatingsColumn::kSkip &&
        std::find(columns.begin(), columns.end(), column) != columns.end()) {
      return Status::InvalidArgument("columns: '" + std::string(name) + "' is named twice in '" +
                                     std::string(text) + "'");
    }
    columns.push_back(column);
  }
  for (RatingsColumn required : {RatingsColumn::kUser, RatingsColumn::kItem}) {
    if (std::find(columns.begin(), columns.end(), required) == columns.end()) {
      return Status::InvalidArgument("columns: '" + std::string(text) + "' has no " +
                                     NameOf(kRatingsColumnNames, required) + " column");
    }
  }
  format->columns = std::move(columns);
  return Status::Ok();
}

std::string GuessSeparator(std::string_view file_name, std::string_view first_line) {
  const std::string_view base = BaseName(file_name);
  if (base == "u.data" || EndsWith(base, ".data")) return "";
  if (EndsWith(base, ".dat")) return "::";
  if (EndsWith(base, ".csv")) return ",";
  if (EndsWith(base, ".tsv")) return "\t";
  if (first_line.find("::") != std::string_view::npos) return "::";
  if (first_line.find('\t') != std::string_view::npos) return "\t";
  if (first_line.find(',') != std::string_view::npos) return ",";
  if (first_line.find(';') != std::string_view::npos) return ";";
  return "";
}

}  // namespace mtrec
