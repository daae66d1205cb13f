// ConsoleReport: the run's header and one table row per epoch on a stream.
#pragma once

#include <cstdio>

#include "mtrec/run/run_observer.h"

namespace mtrec::cli {

class ConsoleReport final : public TrainingObserver {
 public:
  // Does not own `out`.
  explicit ConsoleReport(std::FILE* out) : out_(out) {}

  Status OnStart(const ExperimentConfig& config, const RunInfo& info) override;
  Status OnEpoch(const EpochStats& stats) override;
  Status OnEnd(const RunSummary& summary) override;

 private:
  std::FILE* const out_;
  bool validation_ = false;  // the table has validation columns
};

}  // namespace mtrec::cli
