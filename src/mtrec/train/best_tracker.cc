#include "mtrec/train/best_tracker.h"

#include <string>

#include "mtrec/core/enum_names.h"

namespace mtrec {

namespace {
constexpr EnumName<Metric> kMetricNames[] = {{Metric::kMrr, "mrr"}, {Metric::kMse, "mse"}};
}  // namespace

Result<Metric> ParseMetric(std::string_view text, std::string_view field) {
  return ParseNamed(kMetricNames, text, field);
}

const char* MetricName(Metric metric) {
  return metric == Metric::kNone ? "none" : NameOf(kMetricNames, metric);
}

}  // namespace mtrec
