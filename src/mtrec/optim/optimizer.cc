#include "mtrec/optim/optimizer.h"

#include <optional>
#include <string>
#include <utility>

#include "mtrec/optim/adagrad.h"
#include "mtrec/optim/adam.h"
#include "mtrec/optim/rowwise_adagrad.h"
#include "mtrec/optim/sgd.h"

namespace mtrec {

std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& config, int64_t num_params,
                                         std::vector<RowBlock> tables) {
  switch (config.kind) {
    case OptimizerKind::kAdam:
    case OptimizerKind::kLazyAdam:
      return std::make_unique<Adam>(num_params, config);
    case OptimizerKind::kAdagrad:
      return std::make_unique<Adagrad>(num_params, config);
    case OptimizerKind::kSgd:
      return std::make_unique<Sgd>(config);
    case OptimizerKind::kRowwiseAdagrad:
      return std::make_unique<RowwiseAdagrad>(num_params, config, std::move(tables));
  }
  return nullptr;
}

}  // namespace mtrec
