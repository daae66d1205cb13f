// Validation of the configuration (mtrec/config.h): each field's range check
// comes from the schema (mtrec/config_schema.h); the checks that tie fields
// together are here. Every message starts with the field it is about, so that
// callers (the CLI, Python) can name their own spelling of it.
#include "mtrec/config.h"

#include <string>

#include "mtrec/config_schema.h"

namespace mtrec {

namespace {

Status Field(const char* field, const std::string& what) {
  return Status::InvalidArgument(std::string(field) + ": " + what);
}

// The range checks of the fields of `part`, in schema order.
Status CheckPart(const ExperimentConfig& config, ConfigPart part) {
  for (const ConfigField& f : ConfigFields()) {
    if (f.part == part) MTREC_RETURN_IF_ERROR(CheckField(f, config));
  }
  return Status::Ok();
}

}  // namespace

Status ModelConfig::Validate() const {
  if (num_users <= 0 || num_items <= 0) {
    return Status::InvalidArgument("the data set has no users or items");
  }
  if (shared_embeddings && RankingDim() != embedding_dim) {
    return Field("ranking_dim", "needs separate embeddings (shared_embeddings false), or "
                                "the value of embedding_dim");
  }
  if (rating_implicit && shared_embeddings) {
    return Field("rating_implicit", "needs separate embeddings (shared_embeddings false)");
  }
  ExperimentConfig x;
  x.model = *this;
  return CheckPart(x, ConfigPart::kModel);
}

Status TrainConfig::Validate() const {
  if (factorization_weight == 0 && regression_weight == 0) {
    return Field("factorization_weight",
                 "factorization_weight and regression_weight are both 0: at least one must be > 0");
  }
  ExperimentConfig x;
  x.train = *this;
  return CheckPart(x, ConfigPart::kTrain);
}

Status EarlyStoppingConfig::Validate(const ModelConfig& model) const {
  if (!rating_l2_grid.empty() && (!per_head || metric == Metric::kNone)) {
    return Field("rating_l2_grid",
                 "needs early_stopping per_head (it chooses rating_l2 by the rating head's "
                 "validation MSE)");
  }
  if (metric == Metric::kNone) {
    if (!refit) return Status::Ok();
    return Field("refit", "needs early_stopping (it refits for the epochs early stopping chooses)");
  }
  ExperimentConfig x;
  x.early_stopping = *this;
  MTREC_RETURN_IF_ERROR(CheckPart(x, ConfigPart::kEarlyStopping));
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
  MTREC_RETURN_IF_ERROR(CheckPart(*this, ConfigPart::kExperiment));
  if (data.train_path.empty() != data.test_path.empty()) {
    return data.train_path.empty()
               ? Field("test_path", "needs train_path (a predefined split's training file)")
               : Field("train_path", "needs test_path (a predefined split's test file)");
  }
  if (!data.validation_path.empty() && data.train_path.empty()) {
    return Field("validation_path", "needs train_path and test_path (a predefined split)");
  }
  if (!data.validation_path.empty() && validation_fraction > 0) {
    return Field("validation_fraction",
                 "the validation rows are validation_path's: give one of them");
  }
  if (early_stopping.metric != Metric::kNone && validation_fraction == 0 &&
      data.validation_path.empty()) {
    return Field("early_stopping",
                 "needs a validation split: set validation_fraction to a number > 0 (or "
                 "validation_path)");
  }
  MTREC_RETURN_IF_ERROR(early_stopping.Validate(model));
  MTREC_RETURN_IF_ERROR(train.Validate());
  ModelConfig shape = model;
  shape.num_users = shape.num_items = 1;  // the data's sizes are checked once loaded
  return shape.Validate();
}

}  // namespace mtrec
