#include "mtrec/optim/optimizer.h"

#include <optional>
#include <string>

#include "mtrec/core/enum_names.h"
#include "mtrec/optim/adagrad.h"
#include "mtrec/optim/adam.h"
#include "mtrec/optim/sgd.h"

namespace mtrec {

namespace {
constexpr EnumName<OptimizerKind> kOptimizerNames[] = {{OptimizerKind::kAdam, "adam"},
                                                       {OptimizerKind::kLazyAdam, "lazy_adam"},
                                                       {OptimizerKind::kAdagrad, "adagrad"},
                                                       {OptimizerKind::kSgd, "sgd"}};
}  // namespace

const char* OptimizerName(OptimizerKind kind) { return NameOf(kOptimizerNames, kind); }

Result<OptimizerKind> ParseOptimizerKind(std::string_view name) {
  if (std::optional<OptimizerKind> kind = ValueNamed(kOptimizerNames, name)) return *kind;
  return Status::InvalidArgument("optimizer: expected " + NameChoices(kOptimizerNames) + ", got '" +
                                 std::string(name) + "'");
}

std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& config, int64_t num_params) {
  switch (config.kind) {
    case OptimizerKind::kAdam:
    case OptimizerKind::kLazyAdam:
      return std::make_unique<Adam>(num_params, config);
    case OptimizerKind::kAdagrad:
      return std::make_unique<Adagrad>(num_params, config);
    case OptimizerKind::kSgd:
      return std::make_unique<Sgd>(config);
  }
  return nullptr;
}

}  // namespace mtrec
