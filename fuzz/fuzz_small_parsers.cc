// libFuzzer target: the small text parsers — .md5 files, --format, --columns,
// --duplicates values, UTF-8 checking and Latin-1 conversion.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mtrec/data/archive_download.h"
#include "mtrec/data/duplicates.h"
#include "mtrec/data/ratings_format.h"
#include "mtrec/data/text_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto md5 = mtrec::ParseMd5File(text, "fuzz"); md5.ok() && md5->size() != 32) std::abort();
  mtrec::RatingsFormat format;
  (void)mtrec::ParseFormatFlag(text, &format);
  (void)mtrec::ParseColumnsFlag(text, &format);
  (void)format.Describe();
  (void)mtrec::ParseNamed(mtrec::kDuplicatePolicyNames, text, "--duplicates");
  if (!mtrec::IsValidUtf8(mtrec::Latin1ToUtf8(text))) std::abort();
  if (!mtrec::IsValidUtf8(mtrec::ToUtf8(text))) std::abort();
  return 0;
}
