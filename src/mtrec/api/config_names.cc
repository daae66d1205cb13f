// The enums' names (mtrec/config_names.h), read from core/config_names.h's tables.
#include "mtrec/config_names.h"

#include <string>

#include "mtrec/core/config_names.h"
#include "mtrec/core/enum_names.h"

namespace mtrec {

const char* OptimizerName(OptimizerKind kind) { return NameOf(kOptimizerNames, kind); }

Result<OptimizerKind> ParseOptimizerKind(std::string_view name) {
  return ParseNamed(kOptimizerNames, name, "optimizer");
}

const char* BprLossName(BprLoss loss) { return NameOf(kBprLossNames, loss); }

Result<BprLoss> ParseBprLoss(std::string_view name) {
  return ParseNamed(kBprLossNames, name, "bpr_loss");
}

const char* DuplicatePolicyName(DuplicatePolicy policy) {
  return NameOf(kDuplicatePolicyNames, policy);
}

Result<DuplicatePolicy> ParseDuplicatePolicy(std::string_view name) {
  return ParseNamed(kDuplicatePolicyNames, name, "duplicates");
}

const char* MetricName(Metric metric) {
  return metric == Metric::kNone ? "none" : NameOf(kMetricNames, metric);
}

Result<Metric> ParseMetric(std::string_view text, std::string_view field) {
  return ParseNamed(kMetricNames, text, field);
}

const char* EarlyStoppingRuleName(const EarlyStoppingConfig& config) {
  if (config.metric == Metric::kNone) return "none";
  if (config.per_head) return "per_head";
  return MetricName(config.metric);
}

Status ParseEarlyStoppingRule(std::string_view text, EarlyStoppingConfig* config) {
  if (text == "none") {  // off: how a flag beside --recipe mtrec turns the recipe's off
    config->metric = Metric::kNone;
    config->per_head = false;
    return Status::Ok();
  }
  if (text == "per_head") {
    config->metric = Metric::kMrr;
    config->per_head = true;
    return Status::Ok();
  }
  const Result<Metric> metric = ParseMetric(text, "early_stopping");
  if (!metric.ok()) {
    return Status::InvalidArgument("early_stopping: expected mrr, mse, per_head or none, got '" +
                                   std::string(text) + "'");
  }
  config->metric = *metric;
  config->per_head = false;
  return Status::Ok();
}

}  // namespace mtrec
