// Optimizer: updates a flat parameter buffer from its gradient, one step at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/config_names.h"  // OptimizerName
#include "mtrec/optim/sparse_rows.h"
#include "mtrec/status.h"

namespace mtrec {

class ThreadPool;

class Optimizer {
 public:
  explicit Optimizer(const OptimizerConfig& config) : config_(config) {}
  virtual ~Optimizer() = default;

  // Applies one update to `params` from `grads` (same size) and ZEROES the
  // gradient entries it consumed. A sparse optimizer reads only the rows in
  // `touched` and the dense tail, and REQUIRES the rest of `grads` to be zero.
  // Each parameter's update is independent, so the result does not depend on
  // the pool.
  virtual void Step(std::span<float> params, std::span<float> grads, const SparseRows& touched,
                    ThreadPool& pool) = 0;

  // Whether Step reads `touched` (dense Adam ignores it, so the caller can skip
  // collecting it).
  bool sparse() const { return config_.kind != OptimizerKind::kAdam; }

  // The optimizer's name as --optimizer spells it.
  std::string name() const { return OptimizerName(config_.kind); }

  // Number of steps taken; restored from a checkpoint with set_steps().
  int64_t steps() const { return steps_; }
  void set_steps(int64_t steps) { steps_ = steps; }

  // The optimizer's state tensors (e.g. Adam's "m" and "v", each as large as
  // the parameter buffer; row-wise Adagrad's are smaller), writable so that a
  // checkpoint can restore them.
  struct StateTensor {
    std::string name;
    std::span<float> values;
  };
  virtual std::vector<StateTensor> state() = 0;

 protected:
  const OptimizerConfig config_;
  int64_t steps_ = 0;  // Step increments it
};

// The optimizer `config.kind` for a buffer of num_params parameters whose
// row-indexed tables are `tables` (RowwiseAdagrad's layout; the others ignore it).
std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& config, int64_t num_params,
                                         std::vector<RowBlock> tables = {});

}  // namespace mtrec
