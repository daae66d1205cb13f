// DownloadProgress: shows a data set download on stderr. On a terminal, one
// line redrawn in place (`\r`) with bytes, rate and ETA; otherwise (logs, CI)
// one line when a download starts, retries or finishes.
#pragma once

#include <cstdio>

#include "mtrec/data/archive_download.h"

namespace mtrec::cli {

class DownloadProgress {
 public:
  // `out` is not owned. `interactive`: draw the in-place line (a TTY).
  DownloadProgress(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}

  // For stderr: interactive iff stderr is a terminal.
  static DownloadProgress ForStderr();

  void OnEvent(const DownloadEvent& event);

 private:
  void EndLine();

  std::FILE* const out_;
  const bool interactive_;
  bool line_open_ = false;  // an in-place line is drawn and needs a newline
};

}  // namespace mtrec::cli
