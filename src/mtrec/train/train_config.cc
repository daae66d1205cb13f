#include "mtrec/train/train_config.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace mtrec {

namespace {
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}
}  // namespace

Status TrainConfig::Validate() const {
  if (!std::isfinite(factorization_weight) || factorization_weight < 0) {
    return Status::InvalidArgument("--factorization_weight: expected a finite number >= 0, got " +
                                   Num(factorization_weight));
  }
  if (!std::isfinite(regression_weight) || regression_weight < 0) {
    return Status::InvalidArgument("--regression_weight: expected a finite number >= 0, got " +
                                   Num(regression_weight));
  }
  if (factorization_weight == 0 && regression_weight == 0) {
    return Status::InvalidArgument(
        "--factorization_weight/--regression_weight: at least one weight must be > 0");
  }
  if (batch_size < 1) {
    return Status::InvalidArgument("--batch_size: expected an integer >= 1, got " +
                                   std::to_string(batch_size));
  }
  if (!std::isfinite(optimizer.learning_rate) || optimizer.learning_rate <= 0) {
    return Status::InvalidArgument("--learning_rate: expected a finite number > 0, got " +
                                   Num(optimizer.learning_rate));
  }
  if (!std::isfinite(optimizer.weight_decay) || optimizer.weight_decay < 0) {
    return Status::InvalidArgument("--l2: expected a finite number >= 0, got " +
                                   Num(optimizer.weight_decay));
  }
  return Status::Ok();
}

}  // namespace mtrec
