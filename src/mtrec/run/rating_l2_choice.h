// The run policy's choice of the rating head's penalty on validation
// (EarlyStoppingConfig::rating_l2_grid): each value's rating head trained
// alone, early-stopped on validation MSE; the lowest MSE wins. The run that
// follows is the run with that rating_l2, so its result is, bit for bit, the
// run a user gets by giving the chosen value (and no grid) by hand.
#pragma once

#include <functional>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/model.h"
#include "mtrec/run/run_observer.h"
#include "mtrec/status.h"
#include "mtrec/train/experiment_data.h"

namespace mtrec {

// Makes a model initialised as the run's first model is (the run's seed),
// with `options`.
using TrialModelMaker = std::function<Result<Model>(const ModelOptions& options)>;

// One trial per value of config.early_stopping.rating_l2_grid, in its order:
// a fresh model (`make`, from `options` with that rating_l2 and
// factorization_weight 0: with separate tables the rating head's trajectory
// is then the full run's, and the ranking head is not computed) fitted on
// data.train for at most config.epochs epochs with early stopping on
// data.validation's MSE and the config's patience. A trial that diverges gets
// an infinite MSE. `stop` (may be null) ends the choice with Cancelled; the
// trials take no part in the run's max_steps.
// REQUIRES: config.Validate() is ok, the grid is not empty, data has validation rows.
Result<std::vector<RatingL2Trial>> TryRatingL2Grid(const ExperimentConfig& config,
                                                   const ModelOptions& options,
                                                   const ExperimentData& data,
                                                   const TrialModelMaker& make,
                                                   const std::atomic<bool>* stop);

// The value of the lowest validation MSE, the first on a tie (the first
// value when every trial diverged).
// REQUIRES: trials is not empty.
double ChosenRatingL2(const std::vector<RatingL2Trial>& trials);

// `config` as the run with the chosen value is configured: rating_l2 set, no grid.
ExperimentConfig WithChosenRatingL2(const ExperimentConfig& config, double rating_l2);

}  // namespace mtrec
