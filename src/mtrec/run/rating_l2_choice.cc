#include "mtrec/run/rating_l2_choice.h"

#include <limits>
#include <string>

namespace mtrec {

Result<std::vector<RatingL2Trial>> TryRatingL2Grid(const ExperimentConfig& config,
                                                   const ModelOptions& options,
                                                   const ExperimentData& data,
                                                   const TrialModelMaker& make,
                                                   const std::atomic<bool>* stop) {
  std::vector<RatingL2Trial> trials;
  for (const double value : config.early_stopping.rating_l2_grid) {
    ModelOptions alone = options;
    alone.train.rating_l2 = value;
    alone.train.factorization_weight = 0;
    MTREC_ASSIGN_OR_RETURN(Model model, make(alone));
    FitOptions fit;
    fit.epochs = config.epochs;
    fit.validation = &data.validation;
    fit.stop = stop;
    fit.early_stopping.metric = Metric::kMse;
    fit.early_stopping.patience = config.early_stopping.patience;
    RatingL2Trial trial{.rating_l2 = value};
    Result<FitResult> fitted = model.Fit(data.train, fit);
    if (!fitted.ok() && fitted.status().code() != Status::Code::kAborted) return fitted.status();
    if (fitted.ok() && fitted->interrupted) {
      return Status::Cancelled(
          "stopped on request while choosing rating_l2 on validation "
          "(rating_l2_grid): no model was trained yet");
    }
    trial.epochs = static_cast<int>(model.history().size());
    if (fitted.ok() && fitted->best_epoch > 0) {  // else diverged: never chosen
      trial.best_epoch = fitted->best_epoch;
      trial.val_mse = model.history()[trial.best_epoch - 1].validation.mse;
    } else {
      trial.val_mse = std::numeric_limits<double>::infinity();
    }
    trials.push_back(trial);
  }
  return trials;
}

double ChosenRatingL2(const std::vector<RatingL2Trial>& trials) {
  const RatingL2Trial* best = &trials.front();
  for (const RatingL2Trial& t : trials) {
    if (t.val_mse < best->val_mse) best = &t;
  }
  return best->rating_l2;
}

ExperimentConfig WithChosenRatingL2(const ExperimentConfig& config, double rating_l2) {
  ExperimentConfig chosen = config;
  chosen.train.rating_l2 = rating_l2;
  chosen.early_stopping.rating_l2_grid.clear();
  return chosen;
}

}  // namespace mtrec
