#include "mtrec/optim/optimizer.h"

#include <optional>
#include <string>

#include "mtrec/optim/adagrad.h"
#include "mtrec/optim/adam.h"
#include "mtrec/optim/sgd.h"

namespace mtrec {

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
