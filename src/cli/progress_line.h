// ProgressLine: a live one-line display of the epoch in progress on a terminal:
//   epoch 3/200  61% 58/93  412k samples/s  loss 0.4312  ETA 0:00 epoch, 1:52 run
// redrawn in place ("\r") at most 10 times a second, and erased when the epoch's
// table row is due. It draws only when its stream is a terminal; elsewhere (a
// pipe, a log file, CI) it stays silent and the per-epoch table is the output.
#pragma once

#include <chrono>
#include <cstdio>

#include "mtrec/run/run_observer.h"

namespace mtrec::cli {

class ProgressLine final : public TrainingObserver {
 public:
  // Does not own `out`; draws only if `out` is a terminal.
  explicit ProgressLine(std::FILE* out);

  Status OnStart(const ExperimentConfig& config, const RunInfo& info) override;
  Status OnEpoch(const EpochStats& stats) override;
  void OnStep(const StepProgress& progress) override;
  Status OnEnd(const RunSummary& summary) override;

 private:
  using Clock = std::chrono::steady_clock;
  void Clear();

  std::FILE* const out_;
  const bool enabled_;
  bool drawn_ = false;
  Clock::time_point epoch_start_;
  Clock::time_point last_draw_;
  int64_t first_batch_ = 0;       // the epoch's first batch seen (a resumed epoch starts later)
  int epoch_ = 0;                 // the epoch first_batch_ belongs to (a refit's have no OnEpoch)
  double seconds_per_epoch_ = 0;  // measured, train + eval
  int epochs_timed_ = 0;
};

}  // namespace mtrec::cli
