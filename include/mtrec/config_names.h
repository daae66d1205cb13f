// How flags, config.json, checkpoints, Python and messages spell the values of
// the configuration's enums (mtrec/config.h): one parse and one name function
// per enum, so that every front end reads and writes the same words. Part of
// the public API.
//
// A parse error is InvalidArgument starting with the field it is about
// ("optimizer: expected adam, lazy_adam, adagrad, sgd or rowwise_adagrad, got 'adamw'"), which
// front ends spell as their own flag or keyword.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/dataset.h"
#include "mtrec/status.h"

namespace mtrec {

// "adam", "lazy_adam", "adagrad", "sgd", "rowwise_adagrad".
const char* OptimizerName(OptimizerKind kind);
Result<OptimizerKind> ParseOptimizerKind(std::string_view name);

// "sigmoid", "log".
const char* BprLossName(BprLoss loss);
Result<BprLoss> ParseBprLoss(std::string_view name);

// "mrr", "mse", "none".
const char* MetricName(Metric metric);
// "mrr" or "mse" (not "none"); an error names `field`.
Result<Metric> ParseMetric(std::string_view text, std::string_view field);

// Early stopping's rule as `--early_stopping` spells it: "none" (off), "mrr",
// "mse" or "per_head" (metric mrr, each head by its own metric).
const char* EarlyStoppingRuleName(const EarlyStoppingConfig& config);
// Sets config's metric and per_head from a rule name; else InvalidArgument
// naming early_stopping, config unchanged.
Status ParseEarlyStoppingRule(std::string_view text, EarlyStoppingConfig* config);

// The data set's options (mtrec/dataset.h) as --format, --columns and
// --duplicates spell them.
// Parses a --format value into `format` (its columns are kept). Errors name the flag.
Status ParseFormatFlag(std::string_view text, RatingsFormat* format);
// Parses a --columns value into `format->columns`. Errors name the flag.
Status ParseColumnsFlag(std::string_view text, RatingsFormat* format);
// "keep", "first", "last", "error"; an error names duplicates.
const char* DuplicatePolicyName(DuplicatePolicy policy);
Result<DuplicatePolicy> ParseDuplicatePolicy(std::string_view name);

// The compute backends of this build ("cpu" first; "cuda" in a CUDA build):
// the values of ModelOptions::backend.
std::vector<std::string> BackendNames();

}  // namespace mtrec
