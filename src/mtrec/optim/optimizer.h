// Optimizer: updates a flat parameter buffer from its gradient, one step at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mtrec {

class ThreadPool;

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Applies one update to `params` from `grads` (same size) and ZEROES `grads`
  // for the next step. Elementwise, so the result does not depend on the pool.
  virtual void Step(std::span<float> params, std::span<float> grads, ThreadPool& pool) = 0;

  // The optimizer's name as --optimizer spells it.
  virtual std::string name() const = 0;

  // Number of steps taken; restored from a checkpoint with set_steps().
  virtual int64_t steps() const = 0;
  virtual void set_steps(int64_t steps) = 0;

  // The optimizer's state tensors (e.g. Adam's "m" and "v"), each as large as
  // the parameter buffer, writable so that a checkpoint can restore them.
  struct StateTensor {
    std::string name;
    std::span<float> values;
  };
  virtual std::vector<StateTensor> state() = 0;
};

}  // namespace mtrec
