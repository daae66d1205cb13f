// Validation of the configuration (mtrec/config.h). Every message starts with
// the field it is about, so that callers (the CLI, Python) can name their own
// spelling of it.
#include "mtrec/config.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace mtrec {

namespace {

constexpr int kMaxWidth = 1 << 16;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

Status Field(const char* field, const std::string& what) {
  return Status::InvalidArgument(std::string(field) + ": " + what);
}

}  // namespace

Status ModelConfig::Validate() const {
  if (num_users <= 0 || num_items <= 0) {
    return Status::InvalidArgument("the data set has no users or items");
  }
  if (embedding_dim < 1 || embedding_dim > kMaxWidth) {
    return Field("embedding_dim",
                 "expected an integer in [1, 65536], got " + std::to_string(embedding_dim));
  }
  if (hidden_layers.empty()) return Field("hidden_layers", "expected at least one hidden width");
  for (int w : hidden_layers) {
    if (w < 1 || w > kMaxWidth) {
      return Field("hidden_layers", "every width must be in [1, 65536], got " + std::to_string(w));
    }
  }
  return Status::Ok();
}

Status TrainConfig::Validate() const {
  if (!std::isfinite(factorization_weight) || factorization_weight < 0) {
    return Field("factorization_weight",
                 "expected a finite number >= 0, got " + Num(factorization_weight));
  }
  if (!std::isfinite(regression_weight) || regression_weight < 0) {
    return Field("regression_weight",
                 "expected a finite number >= 0, got " + Num(regression_weight));
  }
  if (factorization_weight == 0 && regression_weight == 0) {
    return Field("factorization_weight",
                 "factorization_weight and regression_weight are both 0: at least one must be > 0");
  }
  if (!std::isfinite(rating_l2) || rating_l2 < 0) {
    return Field("rating_l2", "expected a finite number >= 0, got " + Num(rating_l2));
  }
  if (negatives < 1 || negatives > kMaxNegatives) {
    return Field("negatives", "expected an integer in [1, " + std::to_string(kMaxNegatives) +
                                  "], got " + std::to_string(negatives));
  }
  if (batch_size < 1) {
    return Field("batch_size", "expected an integer >= 1, got " + std::to_string(batch_size));
  }
  if (!std::isfinite(optimizer.learning_rate) || optimizer.learning_rate <= 0) {
    return Field("learning_rate",
                 "expected a finite number > 0, got " + Num(optimizer.learning_rate));
  }
  if (!std::isfinite(optimizer.weight_decay) || optimizer.weight_decay < 0) {
    return Field("weight_decay",
                 "expected a finite number >= 0, got " + Num(optimizer.weight_decay));
  }
  if (!(optimizer.beta1 >= 0 && optimizer.beta1 < 1)) {
    return Field("beta1", "expected a number in [0, 1), got " + Num(optimizer.beta1));
  }
  if (!(optimizer.beta2 >= 0 && optimizer.beta2 < 1)) {
    return Field("beta2", "expected a number in [0, 1), got " + Num(optimizer.beta2));
  }
  if (!std::isfinite(optimizer.eps) || optimizer.eps <= 0) {
    return Field("eps", "expected a finite number > 0, got " + Num(optimizer.eps));
  }
  return Status::Ok();
}

Status EarlyStoppingConfig::Validate(const ModelConfig& model) const {
  if (metric == Metric::kNone) {
    if (!refit) return Status::Ok();
    return Field("refit", "needs early_stopping (it refits for the epochs early stopping chooses)");
  }
  if (patience < 1) {
    return Field("patience", "expected an integer >= 1, got " + std::to_string(patience));
  }
  if (per_head && metric != Metric::kMrr) {
    return Field("early_stopping",
                 "per_head selection needs metric mrr (the ranking head's; the rating head's "
                 "is mse)");
  }
  if (per_head && model.shared_embeddings) {
    return Field("early_stopping",
                 "per_head needs separate embeddings (shared tables serve both heads)");
  }
  return Status::Ok();
}

Status ExperimentConfig::Validate() const {
  if (!(test_fraction > 0.0 && test_fraction < 1.0)) {
    return Field("test_fraction", "expected a number in (0, 1), got " + Num(test_fraction));
  }
  if (!(validation_fraction >= 0.0 && validation_fraction < 1.0)) {
    return Field("validation_fraction",
                 "expected a number in [0, 1), got " + Num(validation_fraction));
  }
  if (epochs < 1) return Field("epochs", "expected an integer >= 1, got " + std::to_string(epochs));
  if (threads < 0 || threads > kMaxThreads) {
    return Field("threads", "expected an integer in [1, " + std::to_string(kMaxThreads) +
                                "], got " + std::to_string(threads));
  }
  if (early_stopping.metric != Metric::kNone && validation_fraction == 0) {
    return Field("early_stopping",
                 "needs a validation split: set validation_fraction to a number > 0");
  }
  MTREC_RETURN_IF_ERROR(early_stopping.Validate(model));
  MTREC_RETURN_IF_ERROR(train.Validate());
  ModelConfig shape = model;
  shape.num_users = shape.num_items = 1;  // the data's sizes are checked once loaded
  return shape.Validate();
}

}  // namespace mtrec
