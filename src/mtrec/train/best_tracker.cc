#include "mtrec/train/best_tracker.h"

#include <optional>

#include "mtrec/core/enum_names.h"

namespace mtrec {

namespace {
constexpr EnumName<Metric> kMetricNames[] = {{Metric::kMrr, "mrr"}, {Metric::kMse, "mse"}};
}  // namespace

Result<Metric> ParseMetric(std::string_view text, std::string_view field) {
  if (std::optional<Metric> metric = ValueNamed(kMetricNames, text)) return *metric;
  return Status::InvalidArgument(std::string(field) + ": expected " + NameChoices(kMetricNames) +
                                 ", got '" + std::string(text) + "'");
}

const char* MetricName(Metric metric) {
  return metric == Metric::kNone ? "none" : NameOf(kMetricNames, metric);
}

}  // namespace mtrec
