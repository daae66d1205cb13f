// RatingsFormat: how a ratings file is laid out (separator, header, columns),
// as given by --format/--columns or guessed from the file.
//
// --format  auto | tsv | csv | dat | space | sep=S   [+header | +noheader]
//   tsv: one TAB; csv: ',' (RFC 4180 quotes allowed); dat: '::' (ML-1M/10M);
//   space: any run of spaces/TABs (ML-100K's u.data); sep=S: the literal S.
//   auto picks by file name (u.data, *.dat, *.csv, *.tsv), else by the first
//   line; the header is auto-detected (a first line whose rating, and user id
//   when ids are raw, are not numbers) unless +header/+noheader says.
// --columns a comma list naming each field in file order: user, item, rating,
//   timestamp, or skip (also `_`). user and item are required; without a rating
//   column every rating is 1; a trailing timestamp may be missing on a line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mtrec/config_names.h"  // ParseFormatFlag, ParseColumnsFlag
#include "mtrec/core/config_names.h"
#include "mtrec/dataset.h"
#include "mtrec/status.h"

namespace mtrec {

// ParseFormatFlag, ParseColumnsFlag: mtrec/config_names.h.

// The separator for a file named `file_name` whose first non-blank line is
// `first_line`: by extension, else "::", TAB, ',' or ';' if the line holds one,
// else whitespace.
std::string GuessSeparator(std::string_view file_name, std::string_view first_line);

// Human-readable separator: "TAB", "','", "'::'", "spaces/TABs".
std::string SeparatorName(std::string_view separator);

}  // namespace mtrec
