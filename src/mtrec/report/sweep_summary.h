// The summary of a sweep (`mtrec sweep`): several configurations, each trained
// with several seeds. Per configuration and over its seeds, the mean and the
// sample standard deviation (n - 1; 0 for one seed) of
//   final MRR / final MSE   test metrics after the last epoch
//   best MRR / best MSE     the best epoch's (max MRR, min MSE)
// written as a Markdown table and as CSV.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mtrec/run/run_observer.h"

namespace mtrec {

struct SweepRun {
  std::string config;  // the configuration's name, e.g. shared=True_LF=0.99_LR=0.01
  uint32_t seed = 0;
  std::vector<EpochStats> epochs;
};

struct MeanSd {
  double mean = 0;
  double sd = 0;
};

struct ConfigSummary {
  std::string config;
  int seeds = 0;
  int epochs = 0;  // of the longest run
  MeanSd final_mrr, best_mrr, final_mse, best_mse;
};

// One entry per configuration, in order of first appearance. Runs without
// epochs are ignored.
std::vector<ConfigSummary> SummarizeSweep(const std::vector<SweepRun>& runs);

std::string SweepMarkdown(const std::vector<ConfigSummary>& summary);
std::string SweepCsv(const std::vector<ConfigSummary>& summary);

}  // namespace mtrec
