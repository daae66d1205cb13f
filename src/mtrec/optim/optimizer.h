// Optimizer: updates a flat parameter buffer from its gradient, one step at a time.
#pragma once

#include <cstdint>
#include <span>

namespace mtrec {

class ThreadPool;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Applies one update to `params` from `grads` (same size) and ZEROES `grads`
  // for the next step. Elementwise, so the result does not depend on the pool.
  virtual void Step(std::span<float> params, std::span<float> grads, ThreadPool& pool) = 0;
  // Number of steps taken.
  virtual int64_t steps() const = 0;
};

}  // namespace mtrec
