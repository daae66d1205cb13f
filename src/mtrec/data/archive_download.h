// Fetching a MovieLens archive into the cache: download to <archive>.part,
// verify, rename. The cache therefore only ever holds verified archives (and,
// after a run that was killed mid-download, a .part that the next run resumes).
//
// Verification: the SHA-256 pinned in the catalog, else the MD5 in GroupLens's
// <archive>.md5 beside the archive. An archive found in the cache is checked
// again against a pinned SHA-256 on every use (Corruption if it differs: it
// was damaged or replaced); one without a pinned hash is trusted as it was
// verified when downloaded (its MD5 is on the network). A resumed download that fails verification
// is discarded and fetched once more from the start; a transfer that breaks off
// is resumed up to max_attempts times. On any failure the .part is removed.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "mtrec/data/movielens_catalog.h"
#include "mtrec/io/http_client.h"
#include "mtrec/status.h"

namespace mtrec {

struct DownloadOptions {
  std::string base_url;  // empty: MovieLensBaseUrl()
  double stall_timeout_seconds = 60;
  int max_attempts = 3;
  // Optional; called on the loading thread.
  std::function<void(const DownloadEvent&)> on_event;
};

// The path of <data_dir>/<set.archive>, downloading and verifying it first if
// it is not there. Errors name the URL or file and leave nothing in data_dir.
Result<std::filesystem::path> EnsureMovieLensArchive(const MovieLensSet& set,
                                                     const std::filesystem::path& data_dir,
                                                     const DownloadOptions& options);

// The first run of 32 hex digits in a .md5 file ("<md5>  name", "MD5 (name) = <md5>").
Result<std::string> ParseMd5File(std::string_view text, std::string_view source_name);

}  // namespace mtrec
