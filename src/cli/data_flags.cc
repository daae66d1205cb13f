#include "cli/data_flags.h"

#include <string>

#include "mtrec/data/duplicates.h"
#include "mtrec/data/movielens_catalog.h"

namespace mtrec::cli {

void AddDataFlags(FlagSet& flags, DataConfig& c) {
  flags.AddString("dataset", &c.dataset, "NAME|PATH",
                  "a MovieLens set (" + MovieLensSetNames() +
                      "; downloaded and verified on first use), or a ratings file, a folder "
                      "holding one, or a MovieLens zip");
  flags.AddString("data_dir", &c.data_dir, "DIR",
                  "where data set names are cached (default: $MTREC_DATA_DIR, else "
                  "~/.cache/mtrec)");
  flags.AddValue("format", "FORMAT",
                 "layout of a ratings file: auto, tsv, csv, dat (::), space or sep=S, "
                 "optionally +header or +noheader (auto: by file name and first line)",
                 "auto", [&c](std::string_view v) { return ParseFormatFlag(v, &c.format); });
  flags.AddValue("columns", "LIST",
                 "the fields of a ratings line in order: user, item, rating, timestamp or skip "
                 "(no rating column: every rating is 1)",
                 "user,item,rating,timestamp",
                 [&c](std::string_view v) { return ParseColumnsFlag(v, &c.format); });
  flags.AddSwitch("remap_ids",
                  "number user and item ids of any form densely, keeping a map back (the "
                  "default for files that are not MovieLens data)",
                  [&c] { c.ids = IdPolicy::kRemap; });
  flags.AddSwitch("raw_ids",
                  "use integer ids as table rows, table size = max id + 1 (the original's "
                  "behaviour; the default for MovieLens data)",
                  [&c] { c.ids = IdPolicy::kRaw; });
  flags.AddValue("duplicates", "POLICY",
                 "a (user, item) pair rated more than once: keep (every rating, as the "
                 "original), first, last, or error",
                 "keep", [&c](std::string_view v) -> Status {
                   MTREC_ASSIGN_OR_RETURN(c.duplicates,
                                          ParseNamed(kDuplicatePolicyNames, v, "--duplicates"));
                   return Status::Ok();
                 });
  flags.AddValue(
      "download_timeout", "SECONDS", "give up a download that receives nothing for this long", "60",
      [&c](std::string_view v) {
        double seconds = 0;
        MTREC_RETURN_IF_ERROR(ParseDoubleFlag("download_timeout", v, &seconds));
        if (!(seconds >= 1 && seconds <= 3600)) {
          return Status::InvalidArgument(
              "--download_timeout: expected seconds in [1, 3600], got '" + std::string(v) + "'");
        }
        c.download_timeout_seconds = seconds;
        return Status::Ok();
      });
}

}  // namespace mtrec::cli
