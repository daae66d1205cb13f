#include "cli/progress_line.h"

#include <unistd.h>

#include <string>

namespace mtrec::cli {

namespace {

std::string Duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

std::string Rate(double per_second) {
  char buf[32];
  if (per_second >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.1fM", per_second / 1e6);
  } else if (per_second >= 1e3) {
    std::snprintf(buf, sizeof(buf), "%.0fk", per_second / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", per_second);
  }
  return buf;
}

}  // namespace

ProgressLine::ProgressLine(std::FILE* out) : out_(out), enabled_(::isatty(::fileno(out)) == 1) {}

void ProgressLine::Clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

Status ProgressLine::OnStart(const ExperimentConfig&, const RunInfo&) {
  epoch_start_ = Clock::now();
  first_batch_ = 0;
  return Status::Ok();
}

void ProgressLine::OnStep(const StepProgress& p) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (p.epoch != epoch_) {
    epoch_ = p.epoch;
    first_batch_ = 0;
  }
  if (first_batch_ == 0) {
    first_batch_ = p.batch;
    epoch_start_ = now;
  }
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && p.batch != p.batches) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const int64_t done = p.batch - first_batch_ + 1;
  const double per_batch = elapsed / static_cast<double>(done);
  const double samples_per_batch =
      static_cast<double>(p.epoch_samples) / static_cast<double>(p.batches);
  const double epoch_left = per_batch * static_cast<double>(p.batches - p.batch);
  const double epoch_time =
      epochs_timed_ > 0 ? seconds_per_epoch_ : per_batch * static_cast<double>(p.batches);
  const double run_left = epoch_left + epoch_time * (p.epochs - p.epoch);
  std::fprintf(
      out_, "\repoch %d/%d %3d%% %lld/%lld  %s samples/s  loss %.4f  ETA %s epoch, %s run\033[K",
      p.epoch, p.epochs, static_cast<int>(100 * p.batch / p.batches),
      static_cast<long long>(p.batch), static_cast<long long>(p.batches),
      Rate(elapsed > 0 ? samples_per_batch * static_cast<double>(done) / elapsed : 0).c_str(),
      p.sums.joint / static_cast<double>(p.sums.batches), Duration(epoch_left).c_str(),
      Duration(run_left).c_str());
  std::fflush(out_);
  drawn_ = true;
}

Status ProgressLine::OnEpoch(const EpochStats& stats) {
  Clear();
  // A running mean of whole epochs (train + evaluation) for the run's ETA.
  const double seconds = stats.train_seconds + stats.eval_seconds;
  seconds_per_epoch_ = (seconds_per_epoch_ * epochs_timed_ + seconds) / (epochs_timed_ + 1);
  ++epochs_timed_;
  first_batch_ = 0;
  return Status::Ok();
}

Status ProgressLine::OnEnd(const RunSummary&) {
  Clear();
  return Status::Ok();
}

}  // namespace mtrec::cli
