// --recipe mtrec expands to its flags (the user's own flags override them), and
// --early_stopping per_head keeps each head's parameters from its own best
// validation epoch.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::RunMtrec;
using testing::TempDir;

nlohmann::json ConfigOf(const std::filesystem::path& run) {
  const auto lines = testing::ReadLines(run / "config.json");
  return nlohmann::json::parse(lines.at(0))["config"];
}

TEST(Recipe, MtrecSetsItsFlagsAndTheUsersOverrideThem) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 30, 20, 10, 3);
  const auto run = RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "a",
                             "--recipe", "mtrec", "--epochs", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json a = ConfigOf(tmp.path() / "a");
  EXPECT_EQ(a["model"]["shared_embeddings"], false);
  EXPECT_EQ(a["model"]["rating_biases"], true);
  EXPECT_EQ(a["train"]["negatives"], 5);
  EXPECT_EQ(a["train"]["rating_l2"], 30.0);
  EXPECT_EQ(a["train"]["epochs"], 2);  // given: overrides the recipe's 200
  EXPECT_EQ(a["early_stopping"]["metric"], "mrr");
  EXPECT_EQ(a["early_stopping"]["per_head"], true);
  EXPECT_EQ(a["data"]["validation_fraction"], 0.05);

  const auto over =
      RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "b", "--shared_embeddings",
                "--recipe", "mtrec", "--negatives", "2", "--rating_biases", "false",
                "--early_stopping", "mse", "--epochs", "1"});
  ASSERT_EQ(over.exit_code, 0) << over.err;
  const nlohmann::json b = ConfigOf(tmp.path() / "b");
  EXPECT_EQ(b["model"]["shared_embeddings"], true);
  EXPECT_EQ(b["train"]["negatives"], 2);
  EXPECT_EQ(b["early_stopping"]["metric"], "mse");
  EXPECT_FALSE(b["early_stopping"].contains("per_head"));
  EXPECT_FALSE(b["model"].contains("rating_biases"));  // turned off
  EXPECT_EQ(b["train"]["rating_l2"], 30.0);            // not overridden

  // The original's run records none of the recipe's fields.
  const auto plain = RunMtrec(
      {"train", "--dataset", tmp / "u.data", "--logdir", tmp / "c", "--recipe", "original"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const nlohmann::json c = ConfigOf(tmp.path() / "c");
  EXPECT_FALSE(c["model"].contains("rating_biases"));
  EXPECT_FALSE(c["train"].contains("negatives"));

  const auto bad = RunMtrec({"train", "--dataset", tmp / "u.data", "--recipe", "best"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--recipe: expected original or mtrec, got 'best'"), std::string::npos)
      << bad.err;
}

TEST(EarlyStopping, PerHeadKeepsEachHeadsBestEpoch) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  const int patience = 3, epochs = 60;
  std::vector<std::string> args = {"train",     "--dataset", tmp / "u.data", "--logdir",
                                   tmp / "run", "--save",    tmp / "m.ckpt"};
  // A large step and a heavy regression weight: the heads peak at different epochs.
  for (const char* a :
       {"--no_shared_embeddings", "--early_stopping", "per_head", "--learning_rate", "0.03",
        "--batch_size", "100", "--factorization_weight", "0.5", "--regression_weight", "0.5"}) {
    args.emplace_back(a);
  }
  args.insert(args.end(),
              {"--epochs", std::to_string(epochs), "--patience", std::to_string(patience)});
  const auto run = RunMtrec(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = testing::ReadLines(tmp.path() / "run" / "metrics.jsonl");
  size_t best_mrr_epoch = 0, best_mse_epoch = 0;
  double best_mrr = -1, best_mse = 1e300, test_mrr = 0, test_mse = 0;
  for (size_t e = 0; e < lines.size(); ++e) {
    const auto j = nlohmann::json::parse(lines[e]);
    if (j["val_mrr"].get<double>() > best_mrr) {
      best_mrr = j["val_mrr"].get<double>();
      best_mrr_epoch = e + 1;
      test_mrr = j["mrr"].get<double>();
    }
    if (j["val_mse"].get<double>() < best_mse) {
      best_mse = j["val_mse"].get<double>();
      best_mse_epoch = e + 1;
      test_mse = j["mse"].get<double>();
    }
  }
  ASSERT_NE(best_mrr_epoch, best_mse_epoch) << "the fixture should favour different epochs";
  // Stops once neither head has improved for `patience` epochs.
  if (lines.size() < static_cast<size_t>(epochs)) {
    EXPECT_EQ(lines.size(), std::max(best_mrr_epoch, best_mse_epoch) + patience);
  }
  EXPECT_NE(run.out.find("best    ranking head: epoch " + std::to_string(best_mrr_epoch) + " "),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("rating head: epoch " + std::to_string(best_mse_epoch) + " "),
            std::string::npos)
      << run.out;
  // The saved model is the combination: its test MRR is the ranking head's
  // best epoch's and its test MSE the rating head's.
  const auto eval =
      RunMtrec({"evaluate", "--model", tmp / "m.ckpt", "--format", "json", "--metrics", "mrr,mse"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const auto j = nlohmann::json::parse(eval.out);
  EXPECT_NEAR(j["metrics"]["mrr"].get<double>(), test_mrr, 1e-12) << eval.out;
  EXPECT_NEAR(j["metrics"]["mse"].get<double>(), test_mse, 1e-9) << eval.out;
}

TEST(EarlyStopping, PerHeadNeedsSeparateEmbeddings) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 10, 10, 4, 1);
  const auto run = RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "run",
                             "--early_stopping", "per_head"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--early_stopping: per_head needs separate embeddings"), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace mtrec
