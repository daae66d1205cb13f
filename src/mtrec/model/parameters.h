// ParameterSet: every trainable tensor of a model in one contiguous float32
// buffer, with a named block per tensor.
//
// One flat buffer keeps the dense optimizers a single vectorised loop, makes a
// gradient buffer "another ParameterSet-sized array", and makes save/load a copy.
// Blocks are 2-D, row-major; a bias vector is an (n x 1) block. Block names are
// PyTorch's state_dict names of the original (U, Q, B, mlp_layers.0.weight, ...).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mtrec {

struct ParamBlock {
  std::string name;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t offset = 0;  // index of element (0, 0) in the flat buffer
  int64_t size() const { return rows * cols; }
};

class ParameterLayout {
 public:
  // Appends a block and returns its index. REQUIRES: name not yet present.
  int Add(std::string name, int64_t rows, int64_t cols);
  // The index of the block called `name`, or -1.
  int Find(std::string_view name) const;

  const std::vector<ParamBlock>& blocks() const { return blocks_; }
  const ParamBlock& block(int index) const { return blocks_[index]; }
  int64_t total_size() const { return total_size_; }

 private:
  std::vector<ParamBlock> blocks_;
  int64_t total_size_ = 0;
};

}  // namespace mtrec
