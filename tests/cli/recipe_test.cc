// --recipe mtrec expands to its flags (the user's own flags override them), and
// --early_stopping per_head keeps each head's parameters from its own best
// validation epoch.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mtrec/train/checkpoint.h"
#include "support/checkpoint_compare.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::RunMtrec;
using testing::TempDir;

// A run folder's config.json record (its "config" and "run" parts).
nlohmann::json RunRecordOf(const std::filesystem::path& run) {
  return nlohmann::json::parse(testing::ReadLines(run / "config.json").at(0));
}

nlohmann::json ConfigOf(const std::filesystem::path& run) { return RunRecordOf(run)["config"]; }

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
  // One of the recipe's grid, 1,10,30 (RatingL2Grid below checks which).
  const double l2 = a["train"]["rating_l2"].get<double>();
  EXPECT_TRUE(l2 == 1.0 || l2 == 10.0 || l2 == 30.0) << a;
  EXPECT_EQ(a["train"]["epochs"], 2);  // given: overrides the recipe's 200
  EXPECT_EQ(a["early_stopping"]["metric"], "mrr");
  EXPECT_EQ(a["early_stopping"]["per_head"], true);
  EXPECT_EQ(a["early_stopping"]["refit"], true);
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
  EXPECT_FALSE(b["early_stopping"].contains("refit"));  // went with the recipe's selection
  EXPECT_FALSE(b["model"].contains("rating_biases"));   // turned off
  EXPECT_EQ(b["train"]["rating_l2"], 30.0);             // the grid went with the recipe's selection
  EXPECT_FALSE(b["early_stopping"].contains("rating_l2_grid"));

  // The original's run records none of the recipe's fields.
  const auto plain = RunMtrec(
      {"train", "--dataset", tmp / "u.data", "--logdir", tmp / "c", "--recipe", "original"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const nlohmann::json c = ConfigOf(tmp.path() / "c");
  EXPECT_FALSE(c["model"].contains("rating_biases"));
  EXPECT_FALSE(c["train"].contains("negatives"));

  // --early_stopping none turns the recipe's off: every epoch runs, none is
  // restored (the recipe's --patience goes with it; a user's would be refused).
  const auto off = RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "d",
                             "--recipe", "mtrec", "--early_stopping", "none", "--epochs", "4"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  const nlohmann::json d = ConfigOf(tmp.path() / "d");
  EXPECT_FALSE(d.contains("early_stopping") && d["early_stopping"]["metric"] != "none") << d;
  EXPECT_EQ(d["data"]["validation_fraction"], 0.05);  // the recipe's, still
  EXPECT_EQ(testing::ReadLines(tmp.path() / "d" / "metrics.jsonl").size(), 4u);
  EXPECT_EQ(off.out.find("restored"), std::string::npos) << off.out;

  const auto bad = RunMtrec({"train", "--dataset", tmp / "u.data", "--recipe", "best"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--recipe: expected original or mtrec, got 'best'"), std::string::npos)
      << bad.err;
}

// --rating_l2_grid: the run is, bit for bit, the run with the chosen
// --rating_l2 given by hand (checkpoint, per-epoch figures); each value's
// trial is the rating head alone, whose validation MSE is the full run's.
TEST(RatingL2Grid, TheRunIsTheRunWithTheChosenValue) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  std::vector<std::string> flags = testing::FastOverfittingFlags();
  flags.insert(flags.begin(), {"train", "--dataset", tmp / "u.data", "--threads", "2"});
  flags.insert(flags.end(), {"--no_shared_embeddings", "--early_stopping", "per_head", "--refit"});
  flags.insert(flags.end(), {"--epochs", "40", "--patience", "3"});
  std::vector<std::string> grid = flags;
  grid.insert(grid.end(),
              {"--rating_l2_grid", "3,0.01", "--logdir", tmp / "g", "--save", tmp / "g.ckpt"});
  const auto chosen_run = RunMtrec(grid);
  ASSERT_EQ(chosen_run.exit_code, 0) << chosen_run.err;
  const auto config_json = RunRecordOf(tmp.path() / "g");
  const nlohmann::json& trials = config_json["run"]["rating_l2_trials"];
  ASSERT_EQ(trials.size(), 2u) << config_json;
  EXPECT_EQ(trials[0]["rating_l2"], 3.0);
  EXPECT_EQ(trials[1]["rating_l2"], 0.01);
  // The fixture favours the second value, so the run is not the first trial's.
  ASSERT_LT(trials[1]["val_mse"].get<double>(), trials[0]["val_mse"].get<double>()) << trials;
  const nlohmann::json& config = config_json["config"];
  EXPECT_EQ(config["train"]["rating_l2"], 0.01);
  EXPECT_FALSE(config["early_stopping"].contains("rating_l2_grid")) << config;
  EXPECT_NE(chosen_run.out.find("rating_l2 0.01 chosen on validation"), std::string::npos)
      << chosen_run.out;

  std::vector<std::string> by_hand = flags;
  by_hand.insert(by_hand.end(),
                 {"--rating_l2", "0.01", "--logdir", tmp / "h", "--save", tmp / "h.ckpt"});
  const auto hand_run = RunMtrec(by_hand);
  ASSERT_EQ(hand_run.exit_code, 0) << hand_run.err;
  testing::ExpectSameWeights(tmp / "g.ckpt", tmp / "h.ckpt");
  const auto g = testing::ReadLines(tmp.path() / "g" / "metrics.jsonl");
  const auto h = testing::ReadLines(tmp.path() / "h" / "metrics.jsonl");
  ASSERT_EQ(g.size(), h.size());
  for (size_t e = 0; e < g.size(); ++e) {
    nlohmann::json a = nlohmann::json::parse(g[e]), b = nlohmann::json::parse(h[e]);
    for (nlohmann::json* j : {&a, &b}) j->erase("train_seconds"), j->erase("eval_seconds");
    EXPECT_EQ(a, b) << "epoch " << e + 1;
  }
  EXPECT_EQ(testing::ReadLines(tmp.path() / "g" / "refit.json"),
            testing::ReadLines(tmp.path() / "h" / "refit.json"));
  // The chosen trial's best validation MSE is the full run's at that epoch:
  // the rating head alone follows the rating head of the run with both.
  const int best = trials[1]["best_epoch"].get<int>();
  ASSERT_GE(best, 1);
  ASSERT_LE(best, static_cast<int>(h.size()));
  EXPECT_EQ(trials[1]["val_mse"].get<double>(),
            nlohmann::json::parse(h[best - 1])["val_mse"].get<double>());
}

TEST(RatingL2Grid, RecipeChoosesAndUsersOverride) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 30, 20, 10, 3);
  const auto run = RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "a",
                             "--recipe", "mtrec", "--epochs", "3"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto a = RunRecordOf(tmp.path() / "a");
  const nlohmann::json& trials = a["run"]["rating_l2_trials"];
  // The recipe's grid, 1,10,30, in its order; the lowest validation MSE wins
  // (the first on a tie).
  ASSERT_EQ(trials.size(), 3u) << a;
  size_t lowest = 0;
  for (size_t t = 0; t < trials.size(); ++t) {
    EXPECT_EQ(trials[t]["rating_l2"].get<double>(), (std::vector<double>{1, 10, 30})[t]) << a;
    if (trials[t]["val_mse"] < trials[lowest]["val_mse"]) lowest = t;
  }
  EXPECT_EQ(a["config"]["train"]["rating_l2"], trials[lowest]["rating_l2"]) << a;

  // A user's --rating_l2 replaces the recipe's choice.
  const auto own = RunMtrec({"train", "--dataset", tmp / "u.data", "--logdir", tmp / "b",
                             "--recipe", "mtrec", "--epochs", "1", "--rating_l2", "5"});
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const auto b = RunRecordOf(tmp.path() / "b");
  EXPECT_FALSE(b["run"].contains("rating_l2_trials")) << b;
  EXPECT_EQ(b["config"]["train"]["rating_l2"], 5.0);

  // Bad grids: each refused with its message (exit 2, a usage error).
  const std::vector<std::string> per_head = {"--no_shared_embeddings", "--early_stopping",
                                             "per_head"};
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--rating_l2", "1", "--rating_l2_grid", "1,2"},
       "--rating_l2 and --rating_l2_grid contradict each other"},
      {{"--rating_l2_grid", "1,x"},
       "--rating_l2_grid: expected comma-separated numbers, got '1,x'"},
      {{"--rating_l2_grid", "-1"},
       "--rating_l2_grid: expected every value to be a finite number >= 0"},
  };
  for (const auto& [flags, message] : bad) {
    std::vector<std::string> args = {"train", "--dataset", tmp / "u.data"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), per_head.begin(), per_head.end());
    const auto refused = RunMtrec(args);
    EXPECT_EQ(refused.exit_code, 2) << message;
    EXPECT_NE(refused.err.find(message), std::string::npos) << refused.err;
  }
  const auto alone = RunMtrec({"train", "--dataset", tmp / "u.data", "--rating_l2_grid", "1,2"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("--rating_l2_grid: needs early_stopping per_head"), std::string::npos)
      << alone.err;
}

TEST(EarlyStopping, PerHeadKeepsEachHeadsBestEpoch) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  const int patience = 3, epochs = 60;
  std::vector<std::string> args = {"train",     "--dataset", tmp / "u.data", "--logdir",
                                   tmp / "run", "--save",    tmp / "m.ckpt"};
  // Under these flags the heads peak at different epochs.
  const std::vector<std::string> overfit = testing::FastOverfittingFlags();
  args.insert(args.end(), overfit.begin(), overfit.end());
  args.insert(args.end(), {"--no_shared_embeddings", "--early_stopping", "per_head"});
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
  EXPECT_EQ(j["epoch"], best_mrr_epoch) << eval.out;
  EXPECT_EQ(j["rating_epoch"], best_mse_epoch) << eval.out;
  EXPECT_NEAR(j["metrics"]["mrr"].get<double>(), test_mrr, 1e-12) << eval.out;
  EXPECT_NEAR(j["metrics"]["mse"].get<double>(), test_mse, 1e-9) << eval.out;
}

// Runs `args` (a refitting run that saves tmp/m.ckpt); returns its result and
// `mtrec evaluate`'s JSON of the checkpoint (null when either failed).
std::pair<testing::CommandResult, nlohmann::json> TrainRefitted(
    const TempDir& tmp, const std::vector<std::string>& args) {
  const auto run = RunMtrec(args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto eval =
      RunMtrec({"evaluate", "--model", tmp / "m.ckpt", "--format", "json", "--metrics", "mrr,mse"});
  EXPECT_EQ(eval.exit_code, 0) << eval.err;
  if (run.exit_code != 0 || eval.exit_code != 0) return {run, nlohmann::json()};
  nlohmann::json j = nlohmann::json::parse(eval.out);
  EXPECT_EQ(j["refitted"], true) << eval.out;
  return {run, j};
}

// --refit: the saved model is a fresh one trained on the whole training split
// (training + validation rows) for the chosen epochs, per head: its test MRR
// is that of a plain run on the whole split after the ranking head's epochs,
// its test MSE that run's after the rating head's.
TEST(Refit, IsThePlainRunOfTheWholeSplitAtEachHeadsEpoch) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  std::vector<std::string> flags = testing::FastOverfittingFlags();
  flags.insert(flags.end(), {"--no_shared_embeddings", "--dataset", tmp / "u.data"});
  std::vector<std::string> args = {
      "train",    "--logdir", tmp / "run", "--save", tmp / "m.ckpt", "--early_stopping",
      "per_head", "--refit",  "--epochs",  "60",     "--patience",   "3"};
  args.insert(args.end(), flags.begin(), flags.end());
  const auto [run, j] = TrainRefitted(tmp, args);
  ASSERT_FALSE(j.is_null());
  const int ranking = j["epoch"].get<int>(), rating = j["rating_epoch"].get<int>();
  ASSERT_NE(ranking, rating) << "the fixture should favour different epochs";

  std::vector<std::string> plain = {"train", "--logdir", tmp / "plain", "--epochs",
                                    std::to_string(std::max(ranking, rating))};
  plain.insert(plain.end(), flags.begin(), flags.end());
  const auto whole = RunMtrec(plain);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto lines = testing::ReadLines(tmp.path() / "plain" / "metrics.jsonl");
  ASSERT_EQ(lines.size(), static_cast<size_t>(std::max(ranking, rating)));
  const double mrr = nlohmann::json::parse(lines[ranking - 1])["mrr"].get<double>();
  const double mse = nlohmann::json::parse(lines[rating - 1])["mse"].get<double>();
  EXPECT_EQ(j["metrics"]["mrr"].get<double>(), mrr) << j;
  EXPECT_NEAR(j["metrics"]["mse"].get<double>(), mse, 1e-12) << j;
  // The chosen (not refitted) model's figures differ: the check can fail.
  const auto chosen = nlohmann::json::parse(
      testing::ReadLines(tmp.path() / "run" / "metrics.jsonl").at(ranking - 1));
  EXPECT_NE(chosen["mrr"].get<double>(), mrr);
  EXPECT_NE(run.out.find("refit   a fresh model on the "), std::string::npos) << run.out;

  // The run is over, and --refit needs early stopping.
  const auto again = RunMtrec({"train", "--resume", tmp / "m.ckpt", "--epochs", "100"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("was refitted"), std::string::npos) << again.err;
  const auto alone = RunMtrec({"train", "--dataset", tmp / "u.data", "--refit"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("--refit: needs early_stopping"), std::string::npos) << alone.err;
}

// A single-metric refit is the plain run at the chosen epoch; --save_best's
// file stays the selection's and the refitted checkpoint loads; refit.json
// records the refit.
TEST(Refit, OneMetricWithSaveBestAndItsRecord) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  std::vector<std::string> flags = testing::FastOverfittingFlags();
  flags.insert(flags.end(), {"--dataset", tmp / "u.data"});
  std::vector<std::string> args = {
      "train",   "--logdir",    tmp / "run", "--save",   tmp / "m.ckpt", "--early_stopping", "mrr",
      "--refit", "--save_best", "mse",       "--epochs", "40",           "--patience",       "3"};
  args.insert(args.end(), flags.begin(), flags.end());
  const auto [run, j] = TrainRefitted(tmp, args);
  ASSERT_FALSE(j.is_null());
  const int epochs = j["epoch"].get<int>();
  EXPECT_EQ(RunMtrec({"evaluate", "--model", tmp / "m.best.ckpt"}).exit_code, 0);

  const auto record =
      nlohmann::json::parse(testing::ReadLines(tmp.path() / "run" / "refit.json").at(0));
  EXPECT_EQ(record["epochs"], epochs);
  EXPECT_EQ(record["ranking_epochs"], epochs);
  EXPECT_EQ(record["rating_epochs"], 0);
  EXPECT_EQ(record["mrr"], j["metrics"]["mrr"]);

  std::vector<std::string> plain = {"train", "--logdir", tmp / "plain", "--epochs",
                                    std::to_string(epochs)};
  plain.insert(plain.end(), flags.begin(), flags.end());
  ASSERT_EQ(RunMtrec(plain).exit_code, 0);
  const auto last =
      nlohmann::json::parse(testing::ReadLines(tmp.path() / "plain" / "metrics.jsonl").back());
  EXPECT_EQ(j["metrics"]["mrr"].get<double>(), last["mrr"].get<double>());
  EXPECT_NEAR(j["metrics"]["mse"].get<double>(), last["mse"].get<double>(), 1e-12);
}

// --max_steps counts the refit's steps too: a refit it stops leaves the
// chosen model in the checkpoint (not resumable) and the run exits 130.
TEST(Refit, MaxStepsStopsTheRefitAndKeepsTheChosenModel) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  const auto args = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> a = {"train",
                                  "--dataset",
                                  tmp / "u.data",
                                  "--logdir",
                                  tmp / name,
                                  "--save",
                                  tmp / (name + ".ckpt"),
                                  "--early_stopping",
                                  "mrr",
                                  "--epochs",
                                  "6",
                                  "--patience",
                                  "100"};
    const std::vector<std::string> overfit = testing::FastOverfittingFlags();
    a.insert(a.end(), overfit.begin(), overfit.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const auto chosen_run = RunMtrec(args("chosen", {}));
  ASSERT_EQ(chosen_run.exit_code, 0) << chosen_run.err;
  const auto chosen = LoadCheckpoint(tmp / "chosen.ckpt");
  ASSERT_TRUE(chosen.ok()) << chosen.status().message();
  const auto full = RunMtrec(args("full", {"--refit"}));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const auto record =
      nlohmann::json::parse(testing::ReadLines(tmp.path() / "full" / "refit.json").at(0));
  const int64_t refit_steps = record["steps"].get<int64_t>();
  ASSERT_GT(refit_steps, 1);

  const int64_t budget = chosen->optimizer_steps + refit_steps - 1;
  const auto cut = RunMtrec(args("cut", {"--refit", "--max_steps", std::to_string(budget)}));
  EXPECT_EQ(cut.exit_code, 130) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("refit   stopped"), std::string::npos) << cut.out;
  const auto kept = LoadCheckpoint(tmp / "cut.ckpt");
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_EQ(kept->state, chosen->state);
  EXPECT_EQ(kept->params, chosen->params);  // the chosen model, as a run without --refit saves it
  EXPECT_EQ(testing::ReadLines(tmp.path() / "cut" / "refit.json").at(0), "{\"interrupted\":true}");
  const auto again = RunMtrec({"train", "--resume", tmp / "cut.ckpt", "--epochs", "10"});
  EXPECT_EQ(again.exit_code, 2) << again.err;  // the run is over
}

// An interrupted per-head run resumes with both heads' trackers and best
// weights, and ends as the uninterrupted run does.
TEST(EarlyStopping, PerHeadResumesWithBothHeadsBest) {
  TempDir tmp;
  testing::WriteGroupedRatings(tmp.path(), 60, 40, 15, 11);
  std::vector<std::string> flags = testing::FastOverfittingFlags();
  flags.insert(flags.end(), {"--no_shared_embeddings", "--early_stopping", "per_head", "--patience",
                             "3", "--epochs", "30", "--dataset", tmp / "u.data"});
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "train");
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  };
  const auto whole = RunMtrec(with({"--logdir", tmp / "a", "--save", tmp / "a.ckpt"}));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  auto a = LoadCheckpoint(tmp / "a.ckpt");
  ASSERT_TRUE(a.ok()) << a.status().message();
  // Interrupted mid-epoch after the rating head's best epoch, so that the
  // resumed run must know that best to end with it.
  const int64_t steps_per_epoch = a->optimizer_steps / a->epochs_done;
  ASSERT_GT(a->rating_best.epoch, 0);
  ASSERT_LT(a->rating_best.epoch + 1, a->epochs_done);
  const int64_t cut = steps_per_epoch * (a->rating_best.epoch + 1) + 1;
  const auto part = RunMtrec(
      with({"--logdir", tmp / "b", "--save", tmp / "b.ckpt", "--max_steps", std::to_string(cut)}));
  ASSERT_EQ(part.exit_code, 130) << part.err;
  const auto rest = RunMtrec({"train", "--resume", tmp / "b.ckpt", "--epochs", "30"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  testing::ExpectSameWeights(tmp / "a.ckpt", tmp / "b.ckpt");
  auto b = LoadCheckpoint(tmp / "b.ckpt");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(a->rating_best.epoch, b->rating_best.epoch);
  EXPECT_EQ(a->early_stopping_best.epoch, b->early_stopping_best.epoch);
  EXPECT_EQ(a->state, b->state);
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
