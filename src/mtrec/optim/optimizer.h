// Optimizer: updates a flat parameter buffer from its gradient, one step at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mtrec/core/result.h"
#include "mtrec/optim/sparse_rows.h"

namespace mtrec {

class ThreadPool;

enum class OptimizerKind {
  kAdam,      // dense Adam, PyTorch semantics: every parameter moves every step (the original)
  kLazyAdam,  // Adam on the touched rows only (PyTorch SparseAdam / TF LazyAdam)
  kAdagrad,   // Adagrad (PyTorch semantics); rows without gradient do not move
  kSgd,       // plain SGD; rows without gradient do not move
};

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kAdam;
  double learning_rate = 1e-3;
  double weight_decay = 0.0;  // L2 added to the gradient (torch's weight_decay)
  double beta1 = 0.9;         // Adam
  double beta2 = 0.999;       // Adam
  double eps = 1e-8;          // Adam; Adagrad uses 1e-10 as torch does
};

// "adam", "lazy_adam", "adagrad", "sgd"
const char* OptimizerName(OptimizerKind kind);
// The learning rate an optimizer gets when none is given: 1e-3 for Adam (the
// original's), 0.1 for Adagrad, 20 for SGD (the best of a small grid on
// ML-100K; SGD needs a large rate because the batch-mean losses and the
// regression weight scale its gradient down, which Adam's update ignores).
double DefaultLearningRate(OptimizerKind kind);
Result<OptimizerKind> ParseOptimizerKind(std::string_view name);

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

  // The optimizer's state tensors (e.g. Adam's "m" and "v"), each as large as
  // the parameter buffer, writable so that a checkpoint can restore them.
  struct StateTensor {
    std::string name;
    std::span<float> values;
  };
  virtual std::vector<StateTensor> state() = 0;

 protected:
  const OptimizerConfig config_;
  int64_t steps_ = 0;  // Step increments it
};

// The optimizer `config.kind` for a buffer of num_params parameters.
std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerConfig& config, int64_t num_params);

}  // namespace mtrec
