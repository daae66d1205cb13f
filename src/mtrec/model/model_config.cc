#include "mtrec/model/model_config.h"

#include <string>

namespace mtrec {

namespace {
constexpr int kMaxWidth = 1 << 16;
}

Status ModelConfig::Validate() const {
  if (num_users <= 0 || num_items <= 0) {
    return Status::InvalidArgument("the data set has no users or items");
  }
  if (embedding_dim < 1 || embedding_dim > kMaxWidth) {
    return Status::InvalidArgument("--embedding_dim: expected an integer in [1, 65536], got " +
                                   std::to_string(embedding_dim));
  }
  if (hidden_layers.empty()) {
    return Status::InvalidArgument("--layers: expected at least one hidden width");
  }
  for (int w : hidden_layers) {
    if (w < 1 || w > kMaxWidth) {
      return Status::InvalidArgument("--layers: every width must be in [1, 65536], got " +
                                     std::to_string(w));
    }
  }
  return Status::Ok();
}

}  // namespace mtrec
