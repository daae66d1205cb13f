// HTTP(S)/file downloads with libcurl: streamed to a file, resumable,
// with progress, a stall timeout and errors that say what went wrong.
//
// Thread-safety: the functions may be called from any thread; callbacks run on
// the calling thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "mtrec/dataset.h"
#include "mtrec/status.h"

namespace mtrec {

struct HttpOptions {
  double connect_timeout_seconds = 30;
  // Fail when no byte arrives for this long (a stalled server).
  double stall_timeout_seconds = 60;
  // Called as data arrives, at most every ~100 ms.
  std::function<void(const TransferProgress&)> on_progress;
};

// Downloads `url` into `path`. If `path` already holds bytes (an interrupted
// earlier download) and the URL is http(s), asks for the rest with a Range
// request and appends; a server that sends the whole file instead, or answers
// 416, gets the file rewritten from the start. Redirects are followed.
//
// On failure the Status names the URL (or the file, for a write error such as
// a full disk) and *retryable tells whether the transfer broke off midway
// (worth resuming) rather than failing for good (HTTP error, timeout, disk).
// The partial file is left for the caller to resume or remove.
Status DownloadToFile(const std::string& url, const std::filesystem::path& path,
                      const HttpOptions& options, bool* retryable);

// GETs a small text (at most `max_bytes`, e.g. a .md5 file) into memory.
Result<std::string> FetchText(const std::string& url, const HttpOptions& options,
                              size_t max_bytes = 1 << 16);

}  // namespace mtrec
