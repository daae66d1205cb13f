#include "cli/download_progress.h"

#include <unistd.h>

#include <string>

namespace mtrec::cli {

namespace {

std::string Megabytes(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

std::string Duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

DownloadProgress DownloadProgress::ForStderr() {
  return DownloadProgress(stderr, ::isatty(STDERR_FILENO) == 1);
}

void DownloadProgress::EndLine() {
  if (line_open_) std::fputc('\n', out_);
  line_open_ = false;
}

void DownloadProgress::OnEvent(const DownloadEvent& event) {
  const std::string name = event.destination.filename().string();
  switch (event.kind) {
    case DownloadEvent::Kind::kStarted:
      EndLine();
      std::fprintf(out_, "mtrec: downloading %s%s\n", event.url.c_str(),
                   event.progress.bytes_done > 0
                       ? (" (resuming after " + Megabytes(event.progress.bytes_done) + ")").c_str()
                       : "");
      break;
    case DownloadEvent::Kind::kProgress: {
      if (!interactive_) break;
      const TransferProgress& p = event.progress;
      std::string line = "  " + name + "  " + Megabytes(p.bytes_done);
      if (p.bytes_total > 0) {
        char pct[16];
        std::snprintf(
            pct, sizeof(pct), " (%.0f%%)",
            100.0 * static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total));
        line += " / " + Megabytes(p.bytes_total) + pct;
      }
      line += "  " + Megabytes(static_cast<int64_t>(p.bytes_per_second)) + "/s";
      if (p.eta_seconds >= 0) line += "  ETA " + Duration(p.eta_seconds);
      std::fprintf(out_, "\r%-79s", line.c_str());
      std::fflush(out_);
      line_open_ = true;
      break;
    }
    case DownloadEvent::Kind::kRetrying:
      EndLine();
      std::fprintf(out_, "mtrec: %s; retrying\n", event.detail.c_str());
      break;
    case DownloadEvent::Kind::kVerifying:
      EndLine();
      break;
    case DownloadEvent::Kind::kDone:
      EndLine();
      std::fprintf(out_, "mtrec: %s, saved as %s\n", event.detail.c_str(),
                   event.destination.string().c_str());
      break;
  }
}

}  // namespace mtrec::cli
