#include "mtrec/optim/optimizer.h"

#include <string>

#include "mtrec/optim/adagrad.h"
#include "mtrec/optim/adam.h"
#include "mtrec/optim/sgd.h"

namespace mtrec {

const char* OptimizerName(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdam:
      return "adam";
    case OptimizerKind::kLazyAdam:
      return "lazy_adam";
    case OptimizerKind::kAdagrad:
      return "adagrad";
    case OptimizerKind::kSgd:
      return "sgd";
  }
  return "?";
}

double DefaultLearningRate(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdam:
    case OptimizerKind::kLazyAdam:
      return 1e-3;
    case OptimizerKind::kAdagrad:
      return 0.1;
    case OptimizerKind::kSgd:
      return 20.0;
  }
  return 1e-3;
}

Result<OptimizerKind> ParseOptimizerKind(std::string_view name) {
  for (OptimizerKind kind : {OptimizerKind::kAdam, OptimizerKind::kLazyAdam,
                             OptimizerKind::kAdagrad, OptimizerKind::kSgd}) {
    if (name == OptimizerName(kind)) return kind;
  }
  return Status::InvalidArgument("--optimizer: expected adam, lazy_adam, adagrad or sgd, got '" +
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
