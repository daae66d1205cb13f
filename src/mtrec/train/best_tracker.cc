#include "mtrec/train/best_tracker.h"

namespace mtrec {

Result<Metric> ParseMetric(std::string_view text, std::string_view flag) {
  if (text == "mrr") return Metric::kMrr;
  if (text == "mse") return Metric::kMse;
  return Status::InvalidArgument("--" + std::string(flag) + ": expected mrr or mse, got '" +
                                 std::string(text) + "'");
}

const char* MetricName(Metric metric) {
  switch (metric) {
    case Metric::kMrr:
      return "mrr";
    case Metric::kMse:
      return "mse";
    case Metric::kNone:
      break;
  }
  return "none";
}

}  // namespace mtrec
