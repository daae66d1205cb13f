#include "cli/experiment_flags.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/data_flags.h"
#include "mtrec/core/config_names.h"
#include "mtrec/loss/bpr.h"
#include "mtrec/optim/optimizer.h"
#include "mtrec/train/early_stopping.h"

namespace mtrec::cli {

void AddExperimentFlags(FlagSet& flags, ExperimentConfig& c) {
  AddDataFlags(flags, c.data);
  flags.AddDouble("test_fraction", &c.test_fraction, "fraction of the data held out for testing");
  flags.AddDouble("validation_fraction", &c.validation_fraction,
                  "fraction of the training rows held out for validation (early stopping, "
                  "--save_best); 0.05 when --early_stopping is given without it");
  flags.AddValue("early_stopping", "mrr|mse|per_head|none",
                 "stop when this validation metric has not improved for --patience epochs, and "
                 "end with the best epoch's weights; per_head (separate embeddings): the ranking "
                 "head's weights of the best mrr epoch and the rating head's of the best mse "
                 "epoch, stopping when neither improves; none: off (e.g. beside --recipe mtrec)",
                 "off",
                 [&c](std::string_view v) { return ParseEarlyStoppingRule(v, &c.early_stopping); });
  flags.AddOptionalBool("refit", &c.early_stopping.refit,
                        "after --early_stopping, train a fresh model on the training rows AND the "
                        "validation rows for the chosen epochs (per_head: each head for its own) "
                        "and save that one");
  flags.AddInt("patience", &c.early_stopping.patience,
               "epochs without improvement before --early_stopping stops the run");
  flags.AddInt("epochs", &c.epochs, "number of training epochs");
  flags.AddIntInRange("threads", &c.threads, 1, ExperimentConfig::kMaxThreads,
                      "worker threads (results are identical for any count)");
  flags.AddInt("batch_size", &c.train.batch_size, "minibatch size (the last batch may be partial)");
  flags.AddValue("optimizer", "NAME",
                 "adam (dense, the original's), lazy_adam (touched rows only, for large data "
                 "sets), adagrad or sgd",
                 "adam", [&c](std::string_view v) -> Status {
                   MTREC_ASSIGN_OR_RETURN(c.train.optimizer.kind, ParseOptimizerKind(v));
                   return Status::Ok();
                 });
  flags.AddDouble("learning_rate", &c.train.optimizer.learning_rate,
                  "learning rate; when not given: 0.001 for adam and lazy_adam, 0.1 for "
                  "adagrad, 20 for sgd");
  flags.AddDouble("l2", &c.train.optimizer.weight_decay,
                  "L2 penalty added to the gradient (torch's weight_decay)");
  flags.AddDouble("rating_l2", &c.train.rating_l2,
                  "L2 penalty on the rating head's embedding rows, per rating sample (0: none, "
                  "the original's)");
  flags.AddInt("embedding_dim", &c.model.embedding_dim, "embedding size");
  flags.AddValue("layers", "W[,W...]",
                 "hidden widths of the regression MLP; its input is 3 x embedding_dim and its "
                 "output 1",
                 "64", [&c](std::string_view v) {
                   return ParseIntListFlag("layers", v, &c.model.hidden_layers);
                 });
  flags.AddSwitch("user_bias", "add the 2022 variant's user bias (inert under BPR: stays 0)",
                  [&c] { c.model.user_bias = true; });
  flags.AddOptionalBool("rating_biases", &c.model.rating_biases,
                        "mtrec's rating head: add a user and an item rating bias to the MLP's "
                        "output, which starts at the training ratings' mean");
  flags.AddValue("bpr_loss", "sigmoid|log",
                 "factorisation loss: the original's 1 - sigmoid(pos - neg), or -log sigmoid",
                 "sigmoid", [&c](std::string_view v) -> Status {
                   MTREC_ASSIGN_OR_RETURN(c.train.bpr_loss,
                                          ParseNamed(kBprLossNames, v, "--bpr_loss"));
                   return Status::Ok();
                 });
  flags.AddInt("negatives", &c.train.negatives,
               "negative candidates drawn per positive; the BPR term uses the one the model "
               "scores highest (1: the original's single uniform draw)");
}

void AddObjectiveFlags(FlagSet& flags, ExperimentConfig& c) {
  flags.AddDouble("factorization_weight", &c.train.factorization_weight,
                  "weight of the factorisation (BPR) loss in the joint loss (0: that head is "
                  "not computed)");
  flags.AddDouble("regression_weight", &c.train.regression_weight,
                  "weight of the regression (MSE) loss in the joint loss (0: the MLP is not "
                  "computed: plain BPR-MF)");
  flags.AddSwitch("shared_embeddings", "share U and Q between both heads (the default)",
                  [&c] { c.model.shared_embeddings = true; });
  flags.AddSwitch("no_shared_embeddings",
                  "separate embeddings for the factorisation and regression heads",
                  [&c] { c.model.shared_embeddings = false; });
}

std::string RunName(const ExperimentConfig& c) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "shared=%s_LF=%g_LR=%g",
                c.model.shared_embeddings ? "True" : "False", c.train.factorization_weight,
                c.train.regression_weight);
  return buf;
}

Status ResolveExperimentDefaults(const FlagSet& flags, ExperimentConfig& c) {
  MTREC_RETURN_IF_ERROR(flags.CheckExclusive("raw_ids", "remap_ids"));
  MTREC_RETURN_IF_ERROR(flags.CheckExclusive("shared_embeddings", "no_shared_embeddings"));
  if (c.early_stopping.metric != Metric::kNone && !flags.was_given("validation_fraction")) {
    c.validation_fraction = kDefaultValidationFraction;
  }
  if (!flags.was_given("learning_rate")) {
    c.train.optimizer.learning_rate = DefaultLearningRate(c.train.optimizer.kind);
  }
  return Status::Ok();
}

std::string AbsolutePath(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

void MakePathsAbsolute(ExperimentConfig& c) {
  std::error_code ec;
  if (std::filesystem::exists(c.data.dataset, ec)) c.data.dataset = AbsolutePath(c.data.dataset);
  c.data.data_dir = AbsolutePath(c.data.data_dir);
  c.init_weights = AbsolutePath(c.init_weights);
}

}  // namespace mtrec::cli
