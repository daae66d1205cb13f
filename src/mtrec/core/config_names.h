// How flags, checkpoints, config.json and messages spell the values of the
// configuration's enums (mtrec/config.h, mtrec/dataset.h): one name table per
// enum, read through core/enum_names.h (NameOf, ValueNamed, ParseNamed). The
// public parse and name functions of mtrec/config_names.h read these tables.
#pragma once

#include "mtrec/config.h"
#include "mtrec/core/enum_names.h"
#include "mtrec/dataset.h"

namespace mtrec {

inline constexpr EnumName<OptimizerKind> kOptimizerNames[] = {
    {OptimizerKind::kAdam, "adam"},
    {OptimizerKind::kLazyAdam, "lazy_adam"},
    {OptimizerKind::kAdagrad, "adagrad"},
    {OptimizerKind::kSgd, "sgd"},
    {OptimizerKind::kRowwiseAdagrad, "rowwise_adagrad"}};

inline constexpr EnumName<BprLoss> kBprLossNames[] = {{BprLoss::kSigmoid, "sigmoid"},
                                                      {BprLoss::kLog, "log"}};

// Early stopping's metric; kNone is "none" (MetricName), which ParseMetric refuses.
inline constexpr EnumName<Metric> kMetricNames[] = {{Metric::kMrr, "mrr"}, {Metric::kMse, "mse"}};

inline constexpr EnumName<IdPolicy> kIdPolicyNames[] = {
    {IdPolicy::kAuto, "auto"}, {IdPolicy::kRaw, "raw"}, {IdPolicy::kRemap, "remap"}};

inline constexpr EnumName<DuplicatePolicy> kDuplicatePolicyNames[] = {
    {DuplicatePolicy::kKeep, "keep"},
    {DuplicatePolicy::kFirst, "first"},
    {DuplicatePolicy::kLast, "last"},
    {DuplicatePolicy::kError, "error"}};

// --columns also takes `_` for skip.
inline constexpr EnumName<RatingsColumn> kRatingsColumnNames[] = {
    {RatingsColumn::kUser, "user"},
    {RatingsColumn::kItem, "item"},
    {RatingsColumn::kRating, "rating"},
    {RatingsColumn::kTimestamp, "timestamp"},
    {RatingsColumn::kSkip, "skip"}};

// As checkpoints and config.json spell them (--format says +header/+noheader).
inline constexpr EnumName<HeaderMode> kHeaderModeNames[] = {{HeaderMode::kAuto, "auto"},
                                                            {HeaderMode::kPresent, "present"},
                                                            {HeaderMode::kAbsent, "absent"}};

}  // namespace mtrec
