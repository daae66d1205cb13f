#include "cli/console_report.h"

#include <string>

namespace mtrec::cli {

Status ConsoleReport::OnStart(const ExperimentConfig& config, const RunInfo& info) {
  std::string layers;
  for (int w : config.model.hidden_layers) layers += (layers.empty() ? "" : ",") + std::to_string(w);
  std::fprintf(out_, "data    %s: %lld interactions, %d users x %d items (%s)\n",
               info.dataset_path.c_str(), static_cast<long long>(info.interactions),
               info.num_users, info.num_items,
               info.ids_remapped ? "ids numbered densely, map kept" : "ids as in the file, row 0 kept");
  std::fprintf(out_, "split   %lld train / %lld test (test_fraction %g, seed 123), %lld test users\n",
               static_cast<long long>(info.train_size), static_cast<long long>(info.test_size),
               config.test_fraction, static_cast<long long>(info.test_users));
  std::fprintf(out_,
               "model   %s embeddings, dim %d, MLP %d->%s->1, %lld parameters%s\n",
               config.model.shared_embeddings ? "shared" : "separate", config.model.embedding_dim,
               3 * config.model.embedding_dim, layers.c_str(),
               static_cast<long long>(info.parameters), config.model.user_bias ? ", user bias" : "");
  std::fprintf(out_,
               "train   %d epochs, batch %d, Adam lr %g l2 %g, loss %g*BPR(%s) + %g*MSE, seed %u, "
               "%d threads%s%s\n",
               config.epochs, config.train.batch_size, config.train.adam.learning_rate,
               config.train.adam.weight_decay, config.train.factorization_weight,
               config.train.bpr_loss == BprLoss::kLog ? "log" : "sigmoid",
               config.train.regression_weight, config.train.seed, info.threads,
               config.init_weights.empty() ? "" : ", init from ", config.init_weights.c_str());
  std::fprintf(out_, "%5s %13s %10s %10s %9s %9s %8s %7s\n", "epoch", "factorization",
               "train_mse", "joint", "test_mrr", "test_mse", "train_s", "eval_s");
  std::fflush(out_);
  return Status::Ok();
}

Status ConsoleReport::OnEpoch(const EpochStats& s) {
  std::fprintf(out_, "%5d %13.6f %10.6f %10.6f %9.6f %9.6f %8.3f %7.3f\n", s.epoch,
               s.losses.factorization, s.losses.regression, s.losses.joint, s.eval.mrr, s.eval.mse,
               s.train_seconds, s.eval_seconds);
  std::fflush(out_);
  return Status::Ok();
}

}  // namespace mtrec::cli
