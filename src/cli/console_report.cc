#include "cli/console_report.h"

#include <string>

#include "mtrec/core/config_names.h"
#include "mtrec/loss/bpr.h"
#include "mtrec/optim/optimizer.h"
#include "mtrec/train/best_tracker.h"

namespace mtrec::cli {

Status ConsoleReport::OnStart(const ExperimentConfig& config, const RunInfo& info) {
  std::string layers;
  for (int w : config.model.hidden_layers)
    layers += (layers.empty() ? "" : ",") + std::to_string(w);
  const Dataset::SplitFiles& files = info.split_files;
  const std::string data = files.train.empty() ? info.dataset_path
                           : files.validation.empty()
                               ? files.train + " + " + files.test
                               : files.train + " + " + files.validation + " + " + files.test;
  std::fprintf(
      out_, "data    %s: %lld interactions, %d users x %d items (%s)\n", data.c_str(),
      static_cast<long long>(info.interactions), info.num_users, info.num_items,
      info.ids_remapped ? "ids numbered densely, map kept" : "ids as in the file, row 0 kept");
  if (files.train.empty()) {
    std::fprintf(out_,
                 "split   %lld train / %lld test (test_fraction %g, seed 123), %lld test users\n",
                 static_cast<long long>(info.train_size + info.validation_size),
                 static_cast<long long>(info.test_size), config.test_fraction,
                 static_cast<long long>(info.test_users));
  } else {
    std::fprintf(out_, "split   %lld train / %lld test (test rows: %s), %lld test users\n",
                 static_cast<long long>(info.train_size + info.validation_size),
                 static_cast<long long>(info.test_size), files.test.c_str(),
                 static_cast<long long>(info.test_users));
    if (info.untrained_test_users > 0 || info.untrained_test_items > 0) {
      std::fprintf(out_,
                   "        %lld test users and %lld test items have no training row (never "
                   "trained; ranked as the original's split ranks them)\n",
                   static_cast<long long>(info.untrained_test_users),
                   static_cast<long long>(info.untrained_test_items));
    }
  }
  validation_ = info.validation_size > 0;
  if (validation_ && !files.validation.empty()) {
    std::fprintf(out_, "        %lld validation rows from %s\n",
                 static_cast<long long>(info.validation_size), files.validation.c_str());
  } else if (validation_) {
    std::fprintf(out_, "        %lld of the train rows held out for validation (fraction %g)\n",
                 static_cast<long long>(info.validation_size), config.validation_fraction);
  }
  if (validation_) {
    if (config.early_stopping.metric != Metric::kNone) {
      // per_head: the ranking head is chosen by its metric, the rating head by MSE.
      const std::string monitored = config.early_stopping.per_head
                                        ? std::string(MetricName(config.early_stopping.metric)) +
                                              " (ranking head) and mse (rating head)"
                                        : MetricName(config.early_stopping.metric);
      std::fprintf(out_, "        early stopping: validation %s, patience %d\n", monitored.c_str(),
                   config.early_stopping.patience);
    }
    if (!info.rating_l2_trials.empty()) {
      std::string tried;
      for (const RatingL2Trial& t : info.rating_l2_trials) {
        char buf[128];
        std::snprintf(buf, sizeof(buf), "%s%g: mse %.6f (epoch %d of %d)",
                      tried.empty() ? "" : ", ", t.rating_l2, t.val_mse, t.best_epoch, t.epochs);
        tried += buf;
      }
      std::fprintf(out_,
                   "        rating_l2 %g chosen on validation, each rating head trained alone: "
                   "%s\n",
                   config.train.rating_l2, tried.c_str());
    }
  }
  const std::string ranking_dim =
      config.model.RankingDim() != config.model.embedding_dim
          ? " (ranking " + std::to_string(config.model.RankingDim()) + ")"
          : "";
  std::fprintf(out_, "model   %s embeddings, dim %d%s, MLP %d->%s->1, %lld parameters%s\n",
               config.model.shared_embeddings ? "shared" : "separate", config.model.embedding_dim,
               ranking_dim.c_str(), 3 * config.model.embedding_dim, layers.c_str(),
               static_cast<long long>(info.parameters),
               config.model.user_bias ? ", user bias" : "");
  std::fprintf(out_,
               "train   %d epochs, batch %d, %s lr %g l2 %g, loss %g*BPR(%s) + %g*MSE, seed %u, "
               "%d threads x %d rank%s%s%s%s\n",
               config.epochs, config.train.batch_size, OptimizerName(config.train.optimizer.kind),
               config.train.optimizer.learning_rate, config.train.optimizer.weight_decay,
               config.train.factorization_weight, NameOf(kBprLossNames, config.train.bpr_loss),
               config.train.regression_weight, config.train.seed, info.threads, info.ranks,
               info.ranks == 1 ? "" : "s",
               info.ranks == 1 ? "" : " (the thread count is rank 0's; each rank has its own)",
               config.init_weights.empty() ? "" : ", init from ", config.init_weights.c_str());
  if (!info.history.empty()) {
    std::fprintf(out_, "resume  at epoch %d (step %lld) from a checkpoint\n",
                 info.history.back().epoch + 1, static_cast<long long>(info.resumed_at_step));
  }
  std::fprintf(out_, "%5s %13s %10s %10s %9s %9s", "epoch", "factorization", "train_mse", "joint",
               "test_mrr", "test_mse");
  if (validation_) std::fprintf(out_, " %9s %9s", "val_mrr", "val_mse");
  std::fprintf(out_, " %8s %7s\n", "train_s", "eval_s");
  std::fflush(out_);
  return Status::Ok();
}

Status ConsoleReport::OnEpoch(const EpochStats& s) {
  std::fprintf(out_, "%5d %13.6f %10.6f %10.6f %9.6f %9.6f", s.epoch, s.losses.factorization,
               s.losses.regression, s.losses.joint, s.eval.mrr, s.eval.mse);
  if (validation_) std::fprintf(out_, " %9.6f %9.6f", s.validation.mrr, s.validation.mse);
  std::fprintf(out_, " %8.3f %7.3f\n", s.train_seconds, s.eval_seconds);
  std::fflush(out_);
  return Status::Ok();
}

Status ConsoleReport::OnEnd(const RunSummary& summary) {
  if (summary.stop_reason == StopReason::kInterrupted) {
    std::fprintf(out_, "stopped at step %lld on request\n", static_cast<long long>(summary.steps));
  } else if (summary.stop_reason == StopReason::kEarlyStopped) {
    std::fprintf(out_, "early stopping: no improvement for the patience window\n");
  }
  if (summary.best_epoch > 0 && summary.best_rating_epoch > 0) {
    const EpochStats& rank = summary.epochs[summary.best_epoch - 1];
    const EpochStats& rate = summary.epochs[summary.best_rating_epoch - 1];
    std::fprintf(out_,
                 "best    ranking head: epoch %d (validation mrr %.6f); rating head: epoch %d "
                 "(validation mse %.6f); the model has their weights: test mrr %.6f, mse %.6f\n",
                 rank.epoch, rank.validation.mrr, rate.epoch, rate.validation.mse, rank.eval.mrr,
                 rate.eval.mse);
  } else if (summary.best_epoch > 0) {
    const EpochStats& best = summary.epochs[summary.best_epoch - 1];
    std::fprintf(out_,
                 "best    epoch %d (validation mrr %.6f, mse %.6f); the model has its weights: "
                 "test mrr %.6f, mse %.6f\n",
                 best.epoch, best.validation.mrr, best.validation.mse, best.eval.mrr,
                 best.eval.mse);
  }
  if (summary.refit_interrupted) {
    std::fprintf(out_,
                 "refit   stopped on request (or by --max_steps): the model%s is the one chosen "
                 "on validation; a new run refits\n",
                 summary.checkpoint_path.empty() ? "" : " in the checkpoint");
  } else if (summary.refit_epochs > 0) {
    std::string epochs = std::to_string(summary.best_epoch) + " epochs";
    if (summary.best_rating_epoch > 0) {
      epochs = "ranking head " + epochs + ", rating head " +
               std::to_string(summary.best_rating_epoch) + " epochs";
    }
    std::fprintf(out_,
                 "refit   a fresh model on the %lld training and validation rows (%s); the "
                 "model is that one: test mrr %.6f, mse %.6f\n",
                 static_cast<long long>(summary.refit_rows), epochs.c_str(), summary.refit_eval.mrr,
                 summary.refit_eval.mse);
  }
  std::fflush(out_);
  return Status::Ok();
}

}  // namespace mtrec::cli
