// --early_stopping stops when the validation metric has not improved for
// --patience epochs and leaves the model with the best epoch's weights.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::RunMtrec;
using testing::TempDir;

TEST(EarlyStopping, StopsAfterPatienceAndKeepsTheBestWeights) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  const int patience = 3, epochs = 60;
  std::vector<std::string> args = {
      "train",       "--dataset",  tmp / "u.data",           "--logdir",
      tmp / "run",   "--epochs",   std::to_string(epochs),   "--early_stopping",
      "mse",         "--patience", std::to_string(patience), "--save",
      tmp / "m.ckpt"};
  const std::vector<std::string> overfit = testing::FastOverfittingFlags();
  args.insert(args.end(), overfit.begin(), overfit.end());
  const auto run = RunMtrec(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = testing::ReadLines(tmp.path() / "run" / "metrics.jsonl");
  ASSERT_LT(lines.size(), static_cast<size_t>(epochs)) << "expected an early stop";
  size_t best = 0;
  double best_mse = 1e300;
  for (size_t e = 0; e < lines.size(); ++e) {
    const auto j = nlohmann::json::parse(lines[e]);
    ASSERT_TRUE(j.contains("val_mse")) << lines[e];
    if (j["val_mse"].get<double>() < best_mse) {
      best_mse = j["val_mse"].get<double>();
      best = e + 1;
    }
  }
  EXPECT_EQ(lines.size(), best + patience);
  EXPECT_NE(run.out.find("early stopping: no improvement"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("best    epoch " + std::to_string(best) + " "), std::string::npos)
      << run.out;

  auto ckpt = LoadCheckpoint(tmp / "m.ckpt");
  ASSERT_TRUE(ckpt.ok()) << ckpt.status().message();
  EXPECT_EQ(ckpt->state, CheckpointState::kEarlyStopped);
  EXPECT_EQ(ckpt->early_stopping_best.epoch, static_cast<int>(best));
  EXPECT_EQ(ckpt->params, ckpt->best_params);         // the model holds the best epoch's weights
  EXPECT_EQ(ckpt->config.validation_fraction, 0.05);  // the default with --early_stopping

  // The run is over: it cannot be resumed.
  const auto again = RunMtrec({"train", "--resume", tmp / "m.ckpt", "--epochs", "100"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("is over"), std::string::npos) << again.err;
}

TEST(SaveBest, KeepsTheBestValidationEpochBesideTheCheckpoint) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  const auto run =
      RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "run", "--epochs", "8",
                "--learning_rate", "0.03", "--batch_size", "100", "--validation_fraction", "0.1",
                "--save_best", "mrr", "--save", tmp / "m.ckpt"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = testing::ReadLines(tmp.path() / "run" / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 8u);
  int best = 0;
  double best_mrr = -1;
  for (size_t e = 0; e < lines.size(); ++e) {
    const double v = nlohmann::json::parse(lines[e])["val_mrr"].get<double>();
    if (v > best_mrr) best_mrr = v, best = static_cast<int>(e) + 1;
  }
  auto kept = LoadCheckpoint(tmp / "m.best.ckpt");
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_EQ(kept->epochs_done, best);
  EXPECT_EQ(kept->history.back().validation.mrr, best_mrr);
  auto last = LoadCheckpoint(tmp / "m.ckpt");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->epochs_done, 8);
  EXPECT_NE(run.out.find("best checkpoint: " + tmp / "m.best.ckpt"), std::string::npos) << run.out;
}

TEST(EarlyStopping, NeedsAValidationSplit) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 10, 10, 4, 1);
  const auto run = RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "run",
                             "--early_stopping", "mrr", "--validation_fraction", "0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--early_stopping: needs a validation split"), std::string::npos)
      << run.err;
  const auto bad = RunMtrec({"train", "--dataset", tmp / "u.data", "--early_stopping", "auc"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--early_stopping: expected mrr, mse, per_head or none, got 'auc'"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace mtrec
