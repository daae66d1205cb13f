#include "mtrec/model/parameters.h"

#include "mtrec/core/check.h"

namespace mtrec {

int ParameterLayout::Add(std::string name, int64_t rows, int64_t cols) {
  MTREC_CHECK(Find(name) < 0);
  MTREC_CHECK(rows >= 0 && cols >= 0);
  blocks_.push_back(ParamBlock{std::move(name), rows, cols, total_size_});
  total_size_ += rows * cols;
  return static_cast<int>(blocks_.size()) - 1;
}

int ParameterLayout::Find(std::string_view name) const {
  for (size_t k = 0; k < blocks_.size(); ++k) {
    if (blocks_[k].name == name) return static_cast<int>(k);
  }
  return -1;
}

}  // namespace mtrec
