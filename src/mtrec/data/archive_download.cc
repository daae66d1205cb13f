#include "mtrec/data/archive_download.h"

#include <cctype>
#include <system_error>

#include "mtrec/io/file_digest.h"
#include "mtrec/io/file_entry.h"

namespace mtrec {

namespace fs = std::filesystem;

namespace {

struct Expected {
  DigestAlgorithm algorithm;
  std::string hex;
};

void Emit(const DownloadOptions& options, DownloadEvent event) {
  if (options.on_event) options.on_event(event);
}

Result<Expected> ExpectedDigest(const MovieLensSet& set, const std::string& url,
                                const HttpOptions& http) {
  if (!set.sha256.empty()) return Expected{DigestAlgorithm::kSha256, std::string(set.sha256)};
  const std::string md5_url = url + ".md5";
  Result<std::string> text = FetchText(md5_url, http);
  if (!text.ok()) {
    return text.status().WithContext("cannot verify " + std::string(set.archive) +
                                     " without its published checksum");
  }
  MTREC_ASSIGN_OR_RETURN(std::string md5, ParseMd5File(*text, md5_url));
  return Expected{DigestAlgorithm::kMd5, std::move(md5)};
}

// Downloads into `part`, resuming after a transfer that broke off (up to
// max_attempts tries). Leaves `part` for the caller to verify or remove.
Status Transfer(const std::string& url, const fs::path& part, const DownloadOptions& options,
                const HttpOptions& http, const fs::path& destination) {
  Status status;
  for (int attempt = 1; attempt <= std::max(1, options.max_attempts); ++attempt) {
    std::error_code ec;
    const auto existing = fs::exists(part, ec) ? static_cast<int64_t>(fs::file_size(part, ec)) : 0;
    DownloadEvent started{DownloadEvent::Kind::kStarted, url, destination, {}, ""};
    started.progress.bytes_done = ec ? 0 : existing;
    Emit(options, started);
    bool retryable = false;
    status = DownloadToFile(url, part, http, &retryable);
    if (status.ok() || !retryable || attempt == options.max_attempts) break;
    Emit(options, {DownloadEvent::Kind::kRetrying, url, destination, {}, status.message()});
  }
  return status;
}

}  // namespace

Result<std::string> ParseMd5File(std::string_view text, std::string_view source_name) {
  size_t run = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) {
      ++run;
      continue;
    }
    if (run == 32) {
      std::string hex(text.substr(i - 32, 32));
      for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return hex;
    }
    run = 0;
  }
  return Status::Corruption(std::string(source_name) + ": no MD5 checksum (32 hex digits) in it");
}

namespace {

// An archive already in the cache, checked against the pinned SHA-256 (one
// pass over the zip; the size first), so that a file planted or damaged there
// is not read as the data set. Without a pinned hash the MD5 is GroupLens's,
// on the network: the cached archive is then trusted as it was verified when
// downloaded.
Result<fs::path> VerifiedCacheHit(const MovieLensSet& set, const fs::path& archive) {
  if (set.sha256.empty()) return archive;
  const auto refused = [&](const std::string& why) {
    return Status::Corruption(archive.string() + ": " + why + ": not the " + std::string(set.name) +
                              " archive mtrec downloaded (damaged or replaced); remove it to "
                              "download it again");
  };
  std::error_code ec;
  const auto bytes = static_cast<int64_t>(fs::file_size(archive, ec));
  if (!ec && set.archive_bytes >= 0 && bytes != set.archive_bytes) {
    return refused(std::to_string(bytes) + " bytes, expected " + std::to_string(set.archive_bytes));
  }
  MTREC_ASSIGN_OR_RETURN(const std::string got, FileDigestHex(archive, DigestAlgorithm::kSha256));
  if (got != set.sha256) {
    return refused("sha256 " + got + ", expected " + std::string(set.sha256));
  }
  return archive;
}

}  // namespace

Result<fs::path> EnsureMovieLensArchive(const MovieLensSet& set, const fs::path& data_dir,
                                        const DownloadOptions& options) {
  const fs::path destination = data_dir / set.archive;
  std::error_code ec;
  if (fs::is_regular_file(destination, ec)) return VerifiedCacheHit(set, destination);
  // The archive and its .part are only ever created new or resumed as regular
  // files: a link, a FIFO or a folder there is refused, never written through.
  const fs::path part = destination.string() + ".part";
  for (const fs::path& p : {destination, part}) {
    MTREC_ASSIGN_OR_RETURN(const FileKind kind, KindOf(p));
    if (kind != FileKind::kAbsent && kind != FileKind::kRegular) {
      return Status::InvalidArgument(p.string() + " is " + DescribeKind(kind) +
                                     ", not a download of mtrec's; remove it or choose another "
                                     "--data_dir");
    }
  }

  const bool dir_existed = fs::is_directory(data_dir, ec);
  if (!dir_existed && (!fs::create_directories(data_dir, ec) || ec)) {
    return Status::IOError("cannot create the data directory " + data_dir.string() + ": " +
                           ec.message() + " (choose another with --data_dir or $MTREC_DATA_DIR)");
  }
  const auto clean_up = [&](Status status) {
    std::error_code ignored;
    fs::remove(part, ignored);
    if (!dir_existed) fs::remove(data_dir, ignored);  // only if still empty
    return status;
  };

  const std::string base = options.base_url.empty() ? MovieLensBaseUrl() : options.base_url;
  const std::string url = base + "/" + std::string(set.archive);
  HttpOptions http;
  http.stall_timeout_seconds = options.stall_timeout_seconds;
  if (options.on_event) {
    http.on_progress = [&](const TransferProgress& p) {
      Emit(options, {DownloadEvent::Kind::kProgress, url, destination, p, ""});
    };
  }
  Result<Expected> expected = ExpectedDigest(set, url, http);
  if (!expected.ok()) return clean_up(expected.status());

  // A .part left by an interrupted run is resumed; if the result does not
  // verify, one more round from the start.
  const bool resumed = fs::exists(part, ec) && fs::file_size(part, ec) > 0 && !ec;
  const int rounds = resumed ? 2 : 1;
  for (int round = 0;; ++round) {
    if (round == 1) {
      fs::remove(part, ec);
      Emit(options, {DownloadEvent::Kind::kRetrying,
                     url,
                     destination,
                     {},
                     "the resumed download did not verify; downloading it again from the start"});
    }
    if (Status s = Transfer(url, part, options, http, destination); !s.ok()) return clean_up(s);
    const std::string algorithm(DigestName(expected->algorithm));
    Emit(options, {DownloadEvent::Kind::kVerifying, url, destination, {}, algorithm});
    Result<std::string> got = FileDigestHex(part, expected->algorithm);
    if (!got.ok()) return clean_up(got.status());
    if (*got == expected->hex) {
      fs::rename(part, destination, ec);
      if (ec) {
        return clean_up(Status::IOError("cannot move " + part.string() + " to " +
                                        destination.string() + ": " + ec.message()));
      }
      Emit(options, {DownloadEvent::Kind::kDone, url, destination, {}, algorithm + " verified"});
      return destination;
    }
    if (round + 1 == rounds) {
      return clean_up(
          Status::Corruption("checksum mismatch for " + url + ": " + algorithm + " " + *got +
                             ", expected " + expected->hex +
                             " (a corrupt download, or the server sent another file); nothing was "
                             "kept"));
    }
  }
}

}  // namespace mtrec
