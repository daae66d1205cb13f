// The configuration of a model, its training and a whole experiment, with
// every default mtrec has (the CLI's flags show and use these). Part of the
// public API.
//
// Validate() messages name the configuration field and what was expected
// ("learning_rate: expected a finite number > 0, got 0"); front ends turn field
// names into their flag or keyword. Each field's range, doc, config.json key,
// flag and Python keyword are declared once, in the configuration schema
// (mtrec/config_schema.h); a new field is a member here and an entry there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mtrec/dataset.h"
#include "mtrec/status.h"

namespace mtrec {

// The seed of initialisation and training stream when none is given.
inline constexpr uint32_t kDefaultSeed = 42;
// The validation fraction early stopping uses when none is given.
inline constexpr double kDefaultValidationFraction = 0.05;

struct ModelConfig {
  int32_t num_users = 0;  // table rows; ids are < these (phantom row 0 included)
  int32_t num_items = 0;
  int embedding_dim = 32;
  // Width of the ranking head's tables (U_fact, Q_fact) with separate
  // embeddings; 0: embedding_dim. The rating head's tables and the MLP keep
  // embedding_dim. With shared embeddings it must be 0 or embedding_dim.
  int ranking_dim = 0;
  // Hidden widths of the regression MLP. Its input is [u, q, u*q] (3 x embedding_dim)
  // and its output one rating, so the default {64} is the original's
  // Linear(96, 64), ReLU, Linear(64, 1).
  std::vector<int> hidden_layers = {64};
  bool shared_embeddings = true;  // one U/Q pair for both heads, or separate pairs
  bool user_bias = false;         // the 2022 variant's user bias A (inert: see model.h)
  // mtrec's rating head: r(u, i) = MLP(x) + C[u] + D[i], a user and an item
  // rating bias (blocks "rating_user_bias", "rating_item_bias"); training then
  // starts the MLP's output bias at the training ratings' mean. Off: the original's.
  bool rating_biases = false;
  // mtrec's rating head: r(u, i) = MLP(x) (+ C[u] + D[i]) + U_r[u] . Q_r[i], a
  // dot product of the rating head's own rows (the shared rows when shared)
  // beside the MLP, NeuMF's fusion of a biased MF and an MLP (no new
  // parameters: x already holds the product U_r[u] * Q_r[i] that it sums).
  // Off: the original's.
  bool rating_dot = false;
  // mtrec's rating head, SVD++'s implicit term: the head reads the user as
  // U_r[u] + |N(u)|^-1/2 sum_{j in N(u)} Y[j] in place of U_r[u] (in the MLP's
  // input and the rating dot), N(u) the user's items in the rows the model is
  // fitted on, Y a new item table (block "rating_implicit_item", zero at
  // start). Needs separate embeddings and the dense Adam optimizer. Off: the
  // original's.
  bool rating_implicit = false;

  // The ranking head's width: ranking_dim, or embedding_dim when it is 0.
  int RankingDim() const { return ranking_dim > 0 ? ranking_dim : embedding_dim; }

  // Checks the shape (positive sizes, at least one hidden layer, widths that
  // fit in memory). Messages name the field.
  Status Validate() const;
};

enum class BprLoss {
  kSigmoid,  // the original's 1 - sigmoid(x) (Spotlight's bpr_loss); bounded in (0, 1)
  kLog,      // the classic BPR of Rendle et al.: -log sigmoid(x) = softplus(-x)
};

enum class OptimizerKind {
  kAdam,      // dense Adam, PyTorch semantics: every parameter moves every step (the original)
  kLazyAdam,  // Adam on the touched rows only (PyTorch SparseAdam / TF LazyAdam)
  kAdagrad,   // Adagrad (PyTorch semantics); rows without gradient do not move
  kSgd,       // plain SGD; rows without gradient do not move
  // Row-wise Adagrad on the touched rows (FBGEMM/TorchRec's optimizer for large
  // embedding tables: one accumulator per row); the MLP keeps Adam (lr 1e-3)
  kRowwiseAdagrad,
};

// The learning rate an optimizer gets when none is given: 1e-3 for Adam (the
// original's), 0.1 for Adagrad and row-wise Adagrad, 20 for SGD (the best of a small grid on
// ML-100K; SGD needs a large rate because the batch-mean losses and the
// regression weight scale its gradient down, which Adam's update ignores).
constexpr double DefaultLearningRate(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdam:
    case OptimizerKind::kLazyAdam:
      return 1e-3;
    case OptimizerKind::kAdagrad:
    case OptimizerKind::kRowwiseAdagrad:
      return 0.1;
    case OptimizerKind::kSgd:
      return 20.0;
  }
  return 1e-3;
}

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kAdam;
  double learning_rate = DefaultLearningRate(OptimizerKind::kAdam);  // set it with the kind
  double weight_decay = 0.0;  // L2 added to the gradient (torch's weight_decay)
  double beta1 = 0.9;         // Adam
  double beta2 = 0.999;       // Adam
  double eps = 1e-8;          // Adam and row-wise Adagrad; Adagrad uses 1e-10 as torch does
};

struct TrainConfig {
  // joint loss = factorization_weight * BPR + regression_weight * MSE
  double factorization_weight = 0.995;
  double regression_weight = 0.005;
  BprLoss bpr_loss = BprLoss::kSigmoid;
  // Negative candidates drawn per positive; the BPR term uses the one the model
  // scores highest (the hardest; the first on a tie). 1: the original's single
  // uniform draw, the stream unchanged. mtrec's own for more than 1.
  static constexpr int kMaxNegatives = 1000;
  int negatives = 1;
  // Each negative candidate that is one of its user's training items is drawn
  // again (from the same stream, until it is not; a user who has every item
  // keeps the draw). Off: the original's draws, positives not rejected.
  bool unseen_negatives = false;
  // L2 penalty on the rating head's embedding rows, per rating sample:
  // regression_weight * rating_l2 * (|U_r[u]|^2 + |Q_r[i]|^2) joins the
  // joint loss (its gradient only; reported losses are the data terms, as
  // with weight_decay). 0: the original's (none). mtrec's own.
  double rating_l2 = 0;
  int batch_size = 1024;  // the original's (the homework starter used 256)
  // The original's Adam by default: lr 1e-3, betas 0.9/0.999, eps 1e-8,
  // weight_decay = --l2.
  OptimizerConfig optimizer;
  // Seeds the initialisation and the training stream (per-epoch shuffle and
  // negatives, numpy's RandomState(seed) draw for draw).
  uint32_t seed = kDefaultSeed;

  // Messages name the field.
  Status Validate() const;
};

enum class Metric {
  kNone,
  kMrr,  // mean reciprocal rank: higher is better
  kMse,  // mean squared rating error: lower is better
};

struct EarlyStoppingConfig {
  Metric metric = Metric::kNone;  // measured on the validation split; kNone: off
  int patience = 10;              // epochs without improvement before stopping
  // Each head by its own metric (metric is then kMrr): the ranking head's
  // parameters from the epoch of best validation MRR, the rating head's from
  // the epoch of best validation MSE; stops when neither has improved for
  // `patience` epochs. Needs separate embeddings (shared tables serve both).
  bool per_head = false;
  // After the run: a fresh model (the same configuration and seed) trained on
  // the whole training split, the validation rows included, for the chosen
  // epochs (per head: each head for its own), and that model is the run's
  // result. The run policy's (`mtrec train --refit`); Model::Fit refuses it.
  bool refit = false;
  // The run policy's choice of TrainConfig::rating_l2 on validation (per_head
  // only; empty: off, rating_l2 as given): before the run, the rating head
  // alone is trained once per value (factorization_weight 0; with separate
  // tables the ranking head's trajectory does not depend on the penalty),
  // each with early stopping on validation MSE and this patience, and the
  // value of the lowest validation MSE (the first on a tie) replaces
  // rating_l2; the run is then the run with that rating_l2 (and no grid).
  // Resuming keeps the checkpoint's choice. The run policy's (`mtrec train`); Model::Fit
  // ignores it.
  std::vector<double> rating_l2_grid;

  // Checks patience, and per_head against the metric and `model`'s tables (the
  // validation split is the caller's to check). Off (kNone) is always valid,
  // unless refit is set (it needs a metric).
  Status Validate(const ModelConfig& model) const;
};

struct ExperimentConfig {
  DataConfig data;
  double test_fraction = 0.05;
  // Fraction of the TRAINING rows held out for validation (0: none), carved with
  // the same split procedure and seed kValidationSplitSeed; early stopping
  // without one uses kDefaultValidationFraction.
  double validation_fraction = 0;
  int epochs = 1;
  ModelConfig model;  // num_users/num_items are filled in from the data
  TrainConfig train;
  static constexpr int kMaxThreads = 1024;
  int threads = 0;  // 0: every hardware thread; else 1..kMaxThreads
  // Data parallel: every embedding and bias table and its optimizer state
  // split row-wise across the ranks (row r on rank r % ranks), the MLP
  // replicated; results unchanged (docs/distributed.md).
  bool shard_tables = false;
  std::string
      init_weights;  // optional: a PyTorch dump to start from (src/mtrec/model/weights_dir.h)
  // Stops when the validation metric has not improved for `patience` epochs, and
  // in any case ends the run with the weights of the best validation epoch.
  EarlyStoppingConfig early_stopping;

  // Checks every field; messages name the field ("train.learning_rate" is
  // named "learning_rate"). Data-dependent checks happen when the data is there.
  Status Validate() const;
};

}  // namespace mtrec
