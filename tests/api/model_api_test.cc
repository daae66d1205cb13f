// The public API's behaviour: Fit continues one stream across calls, stops
// when asked and resumes to the uninterrupted result, matches the CLI bit for
// bit, survives Save/Load, and does not depend on the thread count. Public
// headers only (plus the CLI binary for the comparison with `mtrec train`).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/api_test_data.h"
#include "mtrec/dataset.h"
#include "mtrec/model.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using api_test::Early;
using api_test::ExpectSameHistory;
using api_test::MakeColumns;
using api_test::MakeDataset;
using api_test::SameBits;
using api_test::SameParameters;
using api_test::SmallOptions;

class ModelApi : public ::testing::Test {
 protected:
  ModelApi() : columns_(MakeColumns(50, 70, 2500, 11)), data_(MakeDataset(columns_)) {
    Result<TrainTestSplit> split = SplitInteractions(data_.interactions, 0.05);
    EXPECT_TRUE(split.ok()) << split.status().message();
    split_ = std::move(split).value();
  }

  Model NewModel(const ModelOptions& options = SmallOptions()) {
    Result<Model> m = Model::Create(options, data_);
    EXPECT_TRUE(m.ok()) << m.status().message();
    return std::move(m).value();
  }

  FitOptions Epochs(int epochs) const {
    FitOptions fit;
    fit.epochs = epochs;
    fit.test = &split_.test;
    return fit;
  }

  // Trains `model` for `epochs` epochs, evaluating on the test split.
  // The data set as a CSV file the CLI reads back to the same rows and ids.
  std::string WriteCsv(const std::string& csv) const {
    std::ofstream out(csv);
    out << "user,item,rating,timestamp\n";
    for (size_t k = 0; k < columns_.users.size(); ++k) {
      char rating[32];
      std::snprintf(rating, sizeof(rating), "%.9g", static_cast<double>(columns_.ratings[k]));
      out << columns_.users[k] << ',' << columns_.items[k] << ',' << rating << ','
          << columns_.timestamps[k] << '\n';
    }
    return csv;
  }

  void Train(Model& model, int epochs) {
    Result<FitResult> r = model.Fit(split_.train, Epochs(epochs));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->epochs, epochs);
    EXPECT_FALSE(r->interrupted);
  }

  int64_t BatchesPerEpoch() const {
    const int64_t b = SmallOptions().train.batch_size;
    return (static_cast<int64_t>(split_.train.size()) + b - 1) / b;
  }

  api_test::Columns columns_;
  Dataset data_;
  TrainTestSplit split_;
};

TEST_F(ModelApi, TwoFitsOfNEpochsEqualOneFitOf2N) {
  Model twice = NewModel(), once = NewModel();
  Train(twice, 2);
  Train(twice, 2);
  Train(once, 4);
  EXPECT_TRUE(SameParameters(twice.Parameters(), once.Parameters()));
  ExpectSameHistory(twice.history(), once.history());
  ASSERT_EQ(once.history().size(), 4u);
  EXPECT_EQ(twice.history().back().epoch, 4);
  // The model learns something: later epochs have a lower loss than the first.
  EXPECT_LT(once.history().back().losses.joint, once.history().front().losses.joint);
  // The second call trained further, so parameters are not just equal by accident.
  Model two = NewModel();
  Train(two, 2);
  EXPECT_FALSE(SameParameters(two.Parameters(), once.Parameters()));
}

TEST_F(ModelApi, OnEpochReturningFalseStopsAfterThatEpoch) {
  Model model = NewModel();
  FitOptions fit = Epochs(5);
  std::vector<int> seen;
  fit.on_epoch = [&](const EpochStats& s) {
    seen.push_back(s.epoch);
    EXPECT_GT(s.eval.test_size, 0);
    return s.epoch < 2;
  };
  Result<FitResult> r = model.Fit(split_.train, fit);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->epochs, 2);
  EXPECT_TRUE(r->stopped_by_callback);
  EXPECT_FALSE(r->interrupted);
  EXPECT_EQ(model.history().size(), 2u);
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

// A model that overfits within a few epochs (early stopping then stops it).
ModelOptions Overfitting(bool separate_heads) {
  ModelOptions options = SmallOptions();
  options.model.shared_embeddings = !separate_heads;
  options.model.rating_biases = separate_heads;
  options.train.optimizer.learning_rate = 0.03;
  return options;
}

class EarlyStoppingApi : public ModelApi {
 protected:
  EarlyStoppingApi() : carved_(SplitInteractions(split_.train, 0.1).value()) {}

  // Up to 40 epochs on the carved training rows, validated on the rest.
  Result<FitResult> FitWith(Model& model, const EarlyStoppingConfig& early) {
    FitOptions fit = Epochs(40);
    fit.validation = &carved_.test;
    fit.early_stopping = early;
    return model.Fit(carved_.train, fit);
  }

  // `got`'s ranking-head tensors are `ranking`'s and the others `rating`'s,
  // which differ tensor for tensor (so that the check can fail).
  static void ExpectHeadsFrom(const std::vector<NamedTensor>& got,
                              const std::vector<NamedTensor>& ranking,
                              const std::vector<NamedTensor>& rating) {
    const std::set<std::string> ranking_head = {"U_fact", "Q_fact", "B"};
    ASSERT_EQ(got.size(), ranking.size());
    for (size_t t = 0; t < got.size(); ++t) {
      const std::vector<NamedTensor>& from = ranking_head.count(got[t].name) ? ranking : rating;
      EXPECT_EQ(got[t].values, from[t].values) << got[t].name;
      EXPECT_NE(ranking[t].values, rating[t].values) << got[t].name;
    }
  }

  // The parameters of a model of `options` after `epochs` plain epochs.
  std::vector<NamedTensor> TrainedFor(const ModelOptions& options, int epochs) {
    Model m = NewModel(options);
    EXPECT_TRUE(m.Fit(carved_.train, Epochs(epochs)).ok());
    return m.Parameters();
  }

  TrainTestSplit carved_;
};

// Early stopping per head ends with the ranking head's tensors of its best
// validation-MRR epoch and the rating head's of its best validation-MSE epoch:
// exactly those of runs of that many epochs (the same stream).
TEST_F(EarlyStoppingApi, PerHeadEndsWithEachHeadsBestEpochsWeights) {
  const ModelOptions options = Overfitting(/*separate_heads=*/true);
  Model model = NewModel(options);
  Result<FitResult> r = FitWith(model, Early(Metric::kMrr, 2, /*per_head=*/true));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->stopped_early);
  ASSERT_LT(r->epochs, 40);
  const std::vector<EpochStats>& h = model.history();
  int best_mrr = 1, best_mse = 1;
  for (int e = 2; e <= static_cast<int>(h.size()); ++e) {
    if (h[e - 1].validation.mrr > h[best_mrr - 1].validation.mrr) best_mrr = e;
    if (h[e - 1].validation.mse < h[best_mse - 1].validation.mse) best_mse = e;
  }
  EXPECT_EQ(r->best_epoch, best_mrr);
  EXPECT_EQ(r->best_rating_epoch, best_mse);
  ASSERT_NE(best_mrr, best_mse);  // the heads' weights come from two epochs
  // Neither head stopped improving before the patience ran out for both.
  EXPECT_EQ(static_cast<int>(h.size()), std::max(best_mrr, best_mse) + 2);

  ExpectHeadsFrom(model.Parameters(), TrainedFor(options, best_mrr), TrainedFor(options, best_mse));
}

// rating_epochs: each head's tensors after its own number of epochs, exactly
// those of plain fits of those lengths (the earlier head first, then the other).
TEST_F(EarlyStoppingApi, RatingEpochsGiveEachHeadItsOwnEpochs) {
  const ModelOptions options = Overfitting(/*separate_heads=*/true);
  for (const auto& [ranking_epochs, rating_epochs] : {std::pair{2, 5}, std::pair{4, 1}}) {
    SCOPED_TRACE(ranking_epochs);
    Model model = NewModel(options);
    FitOptions fit = Epochs(ranking_epochs);
    fit.rating_epochs = rating_epochs;
    Result<FitResult> r = model.Fit(carved_.train, fit);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->epochs, std::max(ranking_epochs, rating_epochs));
    ExpectHeadsFrom(model.Parameters(), TrainedFor(options, ranking_epochs),
                    TrainedFor(options, rating_epochs));
  }
  // The ranking head needs an epoch count, and early stopping chooses its own.
  Model model = NewModel(options);
  FitOptions bad = Epochs(0);
  bad.rating_epochs = 2;
  EXPECT_NE(
      model.Fit(carved_.train, bad).status().message().find("rating_epochs: needs epochs >= 1"),
      std::string::npos);
  bad = Epochs(2);
  bad.rating_epochs = 3;
  bad.validation = &carved_.test;
  bad.early_stopping = Early(Metric::kMrr, 2, /*per_head=*/true);
  EXPECT_NE(model.Fit(carved_.train, bad)
                .status()
                .message()
                .find("rating_epochs: not with early_stopping"),
            std::string::npos);
  EXPECT_TRUE(model.history().empty());
}

TEST_F(EarlyStoppingApi, OneMetricEndsWithItsBestEpochsWeights) {
  const ModelOptions options = Overfitting(/*separate_heads=*/false);
  Model model = NewModel(options);
  Result<FitResult> r = FitWith(model, Early(Metric::kMse, 1, /*per_head=*/false));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->stopped_early);
  EXPECT_EQ(r->best_rating_epoch, 0);
  EXPECT_EQ(r->epochs, r->best_epoch + 1);
  EXPECT_TRUE(SameParameters(model.Parameters(), TrainedFor(options, r->best_epoch)));
}

// weights_state() of a model early stopping or rating_epochs left in memory:
// the epochs its weights are, as a checkpoint of it records them.
TEST_F(EarlyStoppingApi, WeightsStateSaysWhichEpochsAnInMemoryModelHolds) {
  Model per_head = NewModel(Overfitting(/*separate_heads=*/true));
  Result<FitResult> r = FitWith(per_head, Early(Metric::kMrr, 2, /*per_head=*/true));
  ASSERT_TRUE(r.ok()) << r.status().message();
  WeightsState w = per_head.weights_state();
  EXPECT_TRUE(w.best_restored);
  EXPECT_TRUE(w.per_head);
  EXPECT_FALSE(w.refitted);
  EXPECT_EQ(w.epoch, r->best_epoch);
  EXPECT_EQ(w.rating_epoch, r->best_rating_epoch);
  EXPECT_EQ(w.epochs_trained, static_cast<int>(per_head.history().size()));
  EXPECT_GT(w.epochs_trained, w.epoch);
  EXPECT_EQ(w.extra_batches, 0);

  Model one = NewModel(Overfitting(/*separate_heads=*/false));
  r = FitWith(one, Early(Metric::kMse, 1, /*per_head=*/false));
  ASSERT_TRUE(r.ok()) << r.status().message();
  w = one.weights_state();
  EXPECT_TRUE(w.best_restored);
  EXPECT_FALSE(w.per_head);
  EXPECT_EQ(w.epoch, r->best_epoch);
  EXPECT_EQ(w.epochs_trained, r->epochs);

  Model refit = NewModel(Overfitting(/*separate_heads=*/true));
  FitOptions fit = Epochs(2);
  fit.rating_epochs = 3;
  ASSERT_TRUE(refit.Fit(carved_.train, fit).ok());
  w = refit.weights_state();
  EXPECT_TRUE(w.refitted);
  EXPECT_TRUE(w.per_head);
  EXPECT_EQ(w.epoch, 2);
  EXPECT_EQ(w.rating_epoch, 3);
  EXPECT_EQ(w.epochs_trained, 3);
}

// With validation rows carved out of the training split, the test ranking puts
// the user's validation items last too (they are training-split rows the user
// has, not candidates), and Recommend offers neither set's items to the user.
TEST_F(EarlyStoppingApi, TheTestRankingAndRecommendationsKnowTheValidationRows) {
  Model model = NewModel();
  FitOptions fit = Epochs(2);
  fit.test = &split_.test;
  fit.validation = &carved_.test;
  ASSERT_TRUE(model.Fit(carved_.train, fit).ok());
  const double logged = model.history().back().eval.mrr;
  const Result<ModelEvaluation> both = model.Evaluate(split_.test, {&carved_.train, &carved_.test});
  const Result<ModelEvaluation> whole = model.Evaluate(split_.test, split_.train);
  const Result<ModelEvaluation> fitted_only = model.Evaluate(split_.test, carved_.train);
  ASSERT_TRUE(both.ok() && whole.ok() && fitted_only.ok());
  EXPECT_EQ(logged, both->base.mrr);
  EXPECT_EQ(whole->base.mrr, both->base.mrr);  // the union is the training split
  // The validation items no longer compete (and a test pair repeated in the
  // validation rows, which this synthetic data has, is ranked last, as a test
  // pair repeated in the training rows is by the original's definition).
  EXPECT_NE(both->base.mrr, fitted_only->base.mrr);
  EXPECT_EQ(both->base.mse, fitted_only->base.mse);

  const Interactions& val = carved_.test;
  const UserId user = val.users[0];
  const Result<std::vector<Recommendation>> all = model.Recommend(user, model.num_items());
  ASSERT_TRUE(all.ok()) << all.status().message();
  for (const Recommendation& r : *all) {
    for (size_t k = 0; k < val.size(); ++k) {
      EXPECT_FALSE(val.users[k] == user && val.items[k] == r.item) << "item " << r.item;
    }
  }
}

TEST_F(ModelApi, MaxStepsStopsMidEpochAndALaterFitReachesTheUninterruptedResult) {
  Model straight = NewModel();
  Train(straight, 3);

  const int64_t per_epoch = BatchesPerEpoch();
  ASSERT_GT(per_epoch, 4);
  Model stopped = NewModel();
  FitOptions fit = Epochs(3);
  fit.max_steps = per_epoch + per_epoch / 2;  // half-way through epoch 2
  int64_t steps = 0;
  fit.on_step = [&](const StepProgress& p) {
    ++steps;
    EXPECT_EQ(p.batches, per_epoch);
    EXPECT_LE(p.batch, per_epoch);
  };
  Result<FitResult> r = stopped.Fit(split_.train, fit);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->interrupted);
  EXPECT_EQ(r->epochs, 1);
  EXPECT_EQ(steps, fit.max_steps);
  EXPECT_EQ(stopped.history().size(), 1u);

  // The rest of epoch 2, then epoch 3.
  Result<FitResult> rest = stopped.Fit(split_.train, Epochs(2));
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(rest->epochs, 2);
  EXPECT_FALSE(rest->interrupted);
  EXPECT_TRUE(SameParameters(stopped.Parameters(), straight.Parameters()));
  ExpectSameHistory(stopped.history(), straight.history());
}

TEST_F(ModelApi, StopFlagStopsAfterTheStepInProgressAndFitContinues) {
  Model straight = NewModel();
  Train(straight, 2);

  Model stopped = NewModel();
  std::atomic<bool> stop{false};
  FitOptions fit = Epochs(2);
  fit.stop = &stop;
  int64_t steps = 0;
  fit.on_step = [&](const StepProgress& p) {
    ++steps;
    if (p.batch == 3) stop = true;
  };
  Result<FitResult> r = stopped.Fit(split_.train, fit);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->interrupted);
  EXPECT_EQ(r->epochs, 0);
  EXPECT_EQ(steps, 3);
  EXPECT_TRUE(stopped.history().empty());

  ASSERT_TRUE(stopped.Fit(split_.train, Epochs(2)).ok());
  EXPECT_TRUE(SameParameters(stopped.Parameters(), straight.Parameters()));
  ExpectSameHistory(stopped.history(), straight.history());
}

// `mtrec train` on the same ratings written to a CSV file: the CLI numbers the
// string ids in order of first appearance (as DatasetFromStrings does), splits
// with SplitInteractions(data, 0.05) and the default seed, and trains with
// Fit; every epoch's losses and metrics must be the very same numbers.
// One front door: a loaded checkpoint recommends as `mtrec recommend --model`
// does with no further calls (the data set recorded in it read on first need),
// and its recorded split is the CLI's.
TEST_F(ModelApi, ALoadedCheckpointAnswersAsTheCliDoes) {
  testing::TempDir tmp;
  const std::string csv = WriteCsv(tmp / "ratings.csv");
  const auto cli = testing::RunMtrec({"train", "--dataset", csv, "--epochs", "2", "--seed", "4",
                                      "--threads", "2", "--embedding_dim", "8", "--layers", "16",
                                      "--validation_fraction", "0.1", "--logdir", tmp / "run",
                                      "--save", tmp / "m.mtrec"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  Result<Model> model = Model::Load(tmp / "m.mtrec", 2);
  ASSERT_TRUE(model.ok()) << model.status().message();
  for (const UserId row : {0, 7, 23}) {
    const std::string user = model->users().Name(row);
    const auto listed = testing::RunMtrec({"recommend", "--model", tmp / "m.mtrec", "--user", user,
                                           "--k", "7", "--format", "json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const nlohmann::json j = nlohmann::json::parse(listed.out);
    const Result<std::vector<Recommendation>> top = model->Recommend(*model->FindUser(user), 7);
    ASSERT_TRUE(top.ok()) << top.status().message();
    ASSERT_EQ(j["items"].size(), top->size());
    for (size_t k = 0; k < top->size(); ++k) {
      EXPECT_EQ(j["items"][k]["item"].get<std::string>(), model->items().Name((*top)[k].item));
      EXPECT_EQ(j["items"][k]["score"].get<float>(), (*top)[k].score);
    }
  }
  Result<const TrainingData*> data = model->training_data();
  ASSERT_TRUE(data.ok()) << data.status().message();
  EXPECT_EQ((*data)->dataset.interactions.size(), columns_.users.size());
  EXPECT_GT((*data)->validation.size(), 0u);
  EXPECT_EQ((*data)->train.size() + (*data)->validation.size() + (*data)->test.size(),
            columns_.users.size());
  const WeightsState w = model->weights_state();
  EXPECT_EQ(w.epoch, 2);
  EXPECT_FALSE(w.best_restored);

  // Moved away, the data is NotFound until its new place is given.
  std::filesystem::rename(csv, tmp / "moved.csv");
  Result<Model> lost = Model::Load(tmp / "m.mtrec", 1);
  ASSERT_TRUE(lost.ok());
  const Status s = lost->Recommend(0, 3).status();
  EXPECT_EQ(s.code(), Status::Code::kNotFound) << s.message();
  LoadOptions moved;
  moved.threads = 1;
  moved.dataset = tmp / "moved.csv";
  Result<Model> found = Model::Load(tmp / "m.mtrec", moved);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->Recommend(7, 3).ok());
}

// ranking_dim gives the ranking tables their own width: a CLI checkpoint
// holds them at it and evaluates, loaded, to the run's own last figures; a
// model fitted through the API recommends, predicts and finds similar items
// bit for bit as before its Save and Load; shared tables refuse another width.
TEST_F(ModelApi, TheRankingTablesOwnWidthSurvivesACheckpoint) {
  testing::TempDir tmp;
  const std::string csv = WriteCsv(tmp / "ratings.csv");
  const auto cli = testing::RunMtrec({"train", "--dataset", csv, "--epochs", "2", "--seed", "4",
                                      "--threads", "2", "--embedding_dim", "8", "--ranking_dim",
                                      "12", "--no_shared_embeddings", "--logdir", tmp / "run",
                                      "--save", tmp / "cli.mtrec"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("dim 8 (ranking 12)"), std::string::npos) << cli.out;
  EXPECT_NE(testing::ReadFile(tmp / "run/config.json").find("\"ranking_dim\":12"),
            std::string::npos);
  Result<Model> from_cli = Model::Load(tmp / "cli.mtrec", 2);
  ASSERT_TRUE(from_cli.ok()) << from_cli.status().message();
  EXPECT_EQ(from_cli->options().model.ranking_dim, 12);
  for (const NamedTensor& t : from_cli->Parameters()) {
    if (t.name == "U_fact" || t.name == "Q_fact") {
      EXPECT_EQ(t.cols, 12) << t.name;
    } else if (t.name == "U_reg" || t.name == "Q_reg") {
      EXPECT_EQ(t.cols, 8) << t.name;
    }
  }
  Result<const TrainingData*> data = from_cli->training_data();
  ASSERT_TRUE(data.ok()) << data.status().message();
  const Result<ModelEvaluation> e = from_cli->Evaluate((*data)->test, (*data)->train);
  ASSERT_TRUE(e.ok()) << e.status().message();
  const std::string metrics = testing::ReadFile(tmp / "run/metrics.jsonl");
  const nlohmann::json last = nlohmann::json::parse(metrics.substr(metrics.rfind('{')));
  EXPECT_EQ(e->base.mrr, last["mrr"].get<double>());
  EXPECT_EQ(e->base.mse, last["mse"].get<double>());

  ModelOptions o = SmallOptions();
  o.model.shared_embeddings = false;
  o.model.ranking_dim = 5;
  Model model = NewModel(o);
  Train(model, 2);
  ASSERT_TRUE(model.SetKnownInteractions(data_.interactions).ok());
  ASSERT_TRUE(model.Save(tmp / "api.mtrec").ok());
  Result<Model> loaded = Model::Load(tmp / "api.mtrec", 1);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->SetKnownInteractions(data_.interactions).ok());
  EXPECT_TRUE(SameParameters(model.Parameters(), loaded->Parameters()));
  const Result<ModelEvaluation> before = model.Evaluate(split_.test, split_.train);
  const Result<ModelEvaluation> after = loaded->Evaluate(split_.test, split_.train);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_GT(before->base.mrr, 0);
  EXPECT_EQ(before->base.mrr, after->base.mrr);
  EXPECT_EQ(before->base.mse, after->base.mse);
  for (UserId user : {1, 7, 20}) {
    const std::vector<Recommendation> want = model.Recommend(user, 10).value();
    const std::vector<Recommendation> got = loaded->Recommend(user, 10).value();
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
      EXPECT_EQ(got[k].item, want[k].item);
      EXPECT_TRUE(SameBits(got[k].score, want[k].score));
      EXPECT_TRUE(SameBits(got[k].rating, want[k].rating));
    }
  }
  const std::vector<SimilarItem> similar = model.SimilarItems(3, 5).value();
  const std::vector<SimilarItem> similar_after = loaded->SimilarItems(3, 5).value();
  ASSERT_EQ(similar.size(), similar_after.size());
  for (size_t k = 0; k < similar.size(); ++k) EXPECT_EQ(similar[k].item, similar_after[k].item);
  // The approximate index reads the ranking tables at their width too.
  ASSERT_TRUE(loaded->BuildIndex().ok());
  EXPECT_EQ(loaded->index_info()->dimensions, 5 + 2);
  EXPECT_TRUE(loaded->Recommend(7, 5).ok());

  const auto shared =
      testing::RunMtrec({"train", "--dataset", csv, "--embedding_dim", "8", "--ranking_dim", "12"});
  EXPECT_EQ(shared.exit_code, 2);
  EXPECT_NE(shared.err.find("--ranking_dim: needs separate embeddings"), std::string::npos)
      << shared.err;
  ModelOptions same = SmallOptions();
  same.model.ranking_dim = same.model.embedding_dim;  // the one width shared tables have
  EXPECT_TRUE(Model::Create(same, data_).ok());
  same.model.ranking_dim = same.model.embedding_dim + 1;
  const Result<Model> refused = Model::Create(same, data_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().rfind("ranking_dim: ", 0), 0u)
      << refused.status().message();
}

// rating_implicit's N(u) is the fitted rows: a loaded checkpoint reads them
// from its recorded data set and rates the test rows as the run did; a model
// of in-memory data cannot be loaded with it; shared tables are refused.
TEST_F(ModelApi, TheImplicitTermReadsTheFittedRowsAgainOnLoad) {
  testing::TempDir tmp;
  const std::string csv = WriteCsv(tmp / "ratings.csv");
  const auto cli = testing::RunMtrec({"train",
                                      "--dataset",
                                      csv,
                                      "--epochs",
                                      "2",
                                      "--seed",
                                      "4",
                                      "--threads",
                                      "2",
                                      "--embedding_dim",
                                      "8",
                                      "--layers",
                                      "16",
                                      "--validation_fraction",
                                      "0.1",
                                      "--no_shared_embeddings",
                                      "--rating_implicit",
                                      "--logdir",
                                      tmp / "run",
                                      "--save",
                                      tmp / "m.mtrec"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  Result<Model> model = Model::Load(tmp / "m.mtrec", 2);
  ASSERT_TRUE(model.ok()) << model.status().message();
  Result<const TrainingData*> data = model->training_data();
  ASSERT_TRUE(data.ok()) << data.status().message();
  const Result<ModelEvaluation> e =
      model->Evaluate((*data)->test, {&(*data)->train, &(*data)->validation});
  ASSERT_TRUE(e.ok()) << e.status().message();
  const std::string metrics = testing::ReadFile(tmp / "run/metrics.jsonl");
  const nlohmann::json last = nlohmann::json::parse(metrics.substr(metrics.rfind('{')));
  EXPECT_EQ(e->base.mse, last["mse"].get<double>());
  std::vector<std::string> names;
  for (const NamedTensor& t : model->Parameters()) names.push_back(t.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "rating_implicit_item"), names.end());

  ModelOptions o = SmallOptions();
  o.model.shared_embeddings = false;
  o.model.rating_implicit = true;
  Model in_memory = NewModel(o);
  Train(in_memory, 1);
  ASSERT_TRUE(in_memory.Save(tmp / "mem.mtrec").ok());
  const Result<Model> refused = Model::Load(tmp / "mem.mtrec", 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("rating_implicit"), std::string::npos)
      << refused.status().message();

  // The refusals, through the API: a sparse optimizer, and sharded tables.
  ModelOptions lazy = o;
  lazy.train.optimizer.kind = OptimizerKind::kLazyAdam;
  const Result<Model> no_lazy = Model::Create(lazy, data_);
  ASSERT_FALSE(no_lazy.ok());
  EXPECT_EQ(no_lazy.status().message(),
            "rating_implicit: needs the adam optimizer (its item table's gradient is dense)");
  ModelOptions sharded = o;
  sharded.shard_tables = true;
  const Result<Model> no_shards = Model::Create(sharded, data_);
  ASSERT_FALSE(no_shards.ok());
  EXPECT_EQ(no_shards.status().message(), "shard_tables: not with rating_implicit");

  const auto shared = testing::RunMtrec({"train", "--dataset", csv, "--rating_implicit"});
  EXPECT_EQ(shared.exit_code, 2);
  EXPECT_NE(shared.err.find("--rating_implicit: needs separate embeddings"), std::string::npos)
      << shared.err;
}

TEST_F(ModelApi, MatchesTheCliOnTheSameDataBitForBit) {
  testing::TempDir tmp;
  const std::string csv = WriteCsv(tmp / "ratings.csv");
  const auto cli =
      testing::RunMtrec({"train", "--dataset", csv, "--epochs", "3", "--seed", "9", "--threads",
                         "2", "--embedding_dim", "8", "--layers", "16", "--batch_size", "128",
                         "--logdir", tmp / "run", "--save", tmp / "cli.mtrec"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;

  Model model = NewModel(SmallOptions(/*threads=*/2, /*seed=*/9));
  Train(model, 3);
  const std::vector<std::string> lines = testing::ReadLines(tmp.path() / "run" / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_EQ(model.history().size(), 3u);
  for (size_t e = 0; e < lines.size(); ++e) {
    SCOPED_TRACE(lines[e]);
    const nlohmann::json j = nlohmann::json::parse(lines[e]);
    const EpochStats& s = model.history()[e];
    EXPECT_EQ(j["epoch"].get<int>(), s.epoch);
    EXPECT_EQ(j["factorization_loss"].get<double>(), s.losses.factorization);
    EXPECT_EQ(j["regression_loss"].get<double>(), s.losses.regression);
    EXPECT_EQ(j["joint_loss"].get<double>(), s.losses.joint);
    EXPECT_EQ(j["mrr"].get<double>(), s.eval.mrr);
    EXPECT_EQ(j["mse"].get<double>(), s.eval.mse);
    EXPECT_EQ(j["mrr_users"].get<int64_t>(), s.eval.mrr_users);
  }

  // The CLI's checkpoint is the API's: the same weights, ids and history, and
  // training continues from it as from the API's model.
  Result<Model> saved = Model::Load(tmp / "cli.mtrec", 2);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_TRUE(SameParameters(saved->Parameters(), model.Parameters()));
  ExpectSameHistory(saved->history(), model.history());
  EXPECT_EQ(saved->users().Name(0), model.users().Name(0));
  Train(model, 1);
  Train(*saved, 1);
  EXPECT_TRUE(SameParameters(saved->Parameters(), model.Parameters()));
}

TEST_F(ModelApi, ACheckpointOfTheApiResumesInTheCliIntoANewRunFolder) {
  // Model::Save names no run folder; `mtrec train --resume` continues it in a
  // new default folder, to the result the API reaches by training on.
  testing::TempDir tmp;
  WriteCsv(tmp / "ratings.csv");
  Model model = NewModel(SmallOptions(/*threads=*/2, /*seed=*/9));
  Train(model, 2);
  ASSERT_TRUE(model.Save(tmp / "api.mtrec").ok());
  const auto cli = testing::RunCommand("cd " + testing::ShellQuote(tmp.path().string()) + " && " +
                                       testing::ShellQuote(testing::MtrecBinary()) +
                                       " train --resume api.mtrec --dataset ratings.csv "
                                       "--epochs 3 --threads 2 2>&1");
  ASSERT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  int folders = 0;
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path() / "runs")) {
    ++folders;
    EXPECT_EQ(testing::ReadLines(entry.path() / "metrics.jsonl").size(), 3u);
  }
  EXPECT_EQ(folders, 1);
  Train(model, 1);
  Result<Model> resumed = Model::Load(tmp / "api.mtrec", 2);
  ASSERT_TRUE(resumed.ok()) << resumed.status().message();
  EXPECT_TRUE(SameParameters(resumed->Parameters(), model.Parameters()));
}

TEST_F(ModelApi, DatasetFromArraysKeepsRawRowsOrNumbersIdsDensely) {
  const std::vector<int64_t> users = {30, 10, 30}, items = {5, 2, 7};
  const std::vector<float> ratings = {4, 3, 5};
  Result<Dataset> raw = DatasetFromArrays(users, items, ratings, {}, IdPolicy::kRaw);
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  EXPECT_EQ(raw->interactions.num_users, 31);  // max id + 1, as MovieLens
  EXPECT_EQ(raw->interactions.num_items, 8);
  EXPECT_EQ(raw->interactions.users, (std::vector<UserId>{30, 10, 30}));
  EXPECT_TRUE(raw->users.is_identity());

  Result<Dataset> dense = DatasetFromArrays(users, items, ratings);
  ASSERT_TRUE(dense.ok()) << dense.status().message();
  EXPECT_EQ(dense->interactions.num_users, 2);
  EXPECT_EQ(dense->interactions.users, (std::vector<UserId>{0, 1, 0}));
  EXPECT_EQ(dense->interactions.items, (std::vector<ItemId>{0, 1, 2}));
  EXPECT_EQ(dense->users.Name(0), "30");
  EXPECT_EQ(dense->items.Find("7"), 2);
  EXPECT_EQ(dense->interactions.ratings, ratings);

  Result<Dataset> implicit = DatasetFromArrays(users, items, {});
  ASSERT_TRUE(implicit.ok());
  EXPECT_EQ(implicit->interactions.ratings, (std::vector<float>{1, 1, 1}));
}

TEST_F(ModelApi, SaveAndLoadRoundTripAndContinueTrainingIdentically) {
  testing::TempDir tmp;
  Model model = NewModel();
  Train(model, 2);
  ASSERT_TRUE(model.Save(tmp / "m.mtrec").ok());
  Result<Model> loaded = Model::Load(tmp / "m.mtrec", 1);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();

  EXPECT_TRUE(SameParameters(loaded->Parameters(), model.Parameters()));
  ExpectSameHistory(loaded->history(), model.history());
  EXPECT_EQ(loaded->num_users(), model.num_users());
  EXPECT_EQ(loaded->num_items(), model.num_items());
  EXPECT_EQ(loaded->options().model.embedding_dim, 8);
  EXPECT_EQ(loaded->options().model.hidden_layers, (std::vector<int>{16}));
  for (int32_t u = 0; u < model.num_users(); ++u) {
    ASSERT_EQ(loaded->users().Name(u), model.users().Name(u));
  }
  for (int32_t i = 0; i < model.num_items(); ++i) {
    ASSERT_EQ(loaded->items().Name(i), model.items().Name(i));
  }

  // Both continue for one more epoch: the same stream, optimizer state and result.
  Train(model, 1);
  Train(*loaded, 1);
  EXPECT_TRUE(SameParameters(loaded->Parameters(), model.Parameters()));
  ExpectSameHistory(loaded->history(), model.history());
  EXPECT_EQ(loaded->history().size(), 3u);
}

TEST_F(ModelApi, ACheckpointSavedMidEpochContinuesToTheUninterruptedResult) {
  testing::TempDir tmp;
  Model straight = NewModel();
  Train(straight, 2);

  Model stopped = NewModel();
  FitOptions fit = Epochs(2);
  fit.max_steps = BatchesPerEpoch() + 2;
  Result<FitResult> r = stopped.Fit(split_.train, fit);
  ASSERT_TRUE(r.ok() && r->interrupted);
  ASSERT_TRUE(stopped.Save(tmp / "mid.mtrec").ok());
  Result<Model> loaded = Model::Load(tmp / "mid.mtrec", 2);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->Fit(split_.train, Epochs(1)).ok());
  EXPECT_TRUE(SameParameters(loaded->Parameters(), straight.Parameters()));
  ExpectSameHistory(loaded->history(), straight.history());
}

TEST_F(ModelApi, ParametersAndSetParametersRoundTrip) {
  Model trained = NewModel();
  Train(trained, 1);
  Model other = NewModel(SmallOptions(2, /*seed=*/77));
  const std::vector<NamedTensor> params = trained.Parameters();
  ASSERT_FALSE(SameParameters(other.Parameters(), params));  // a different start
  for (const NamedTensor& t : params) {
    EXPECT_FALSE(t.name.empty());
    EXPECT_EQ(static_cast<int64_t>(t.values.size()), t.rows * t.cols) << t.name;
  }
  ASSERT_TRUE(other.SetParameters(params).ok());
  EXPECT_TRUE(SameParameters(other.Parameters(), params));
  for (UserId u = 0; u < trained.num_users(); u += 5) {
    for (ItemId i = 0; i < trained.num_items(); i += 3) {
      const Result<Recommendation> a = trained.Predict(u, i), b = other.Predict(u, i);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_TRUE(SameBits(a->score, b->score) && SameBits(a->rating, b->rating)) << u << " " << i;
      EXPECT_TRUE(SameBits(*trained.Score(u, i), a->score));
    }
  }
}

TEST_F(ModelApi, StringIdsRoundTripThroughUsersAndItems) {
  Model model = NewModel();
  const Interactions& x = data_.interactions;
  ASSERT_EQ(x.size(), columns_.users.size());
  std::set<std::string> distinct(columns_.users.begin(), columns_.users.end());
  EXPECT_EQ(static_cast<size_t>(model.num_users()), distinct.size());
  for (size_t k = 0; k < x.size(); ++k) {
    ASSERT_EQ(model.users().Name(x.users[k]), columns_.users[k]);
    ASSERT_EQ(model.items().Name(x.items[k]), columns_.items[k]);
    ASSERT_EQ(model.users().Find(columns_.users[k]), x.users[k]);
    ASSERT_EQ(model.items().Find(columns_.items[k]), x.items[k]);
  }
  EXPECT_EQ(model.users().Name(0), columns_.users[0]);  // first appearance is row 0
  EXPECT_FALSE(model.users().Find("nobody").has_value());
  EXPECT_FALSE(model.items().Find("u1").has_value());  // a user id is no item id
}

// The one meaning of "seen" (model.h): after Fit, the model knows every row
// it was given (training and test), offers their items, and excludes each
// user's own items among them.
TEST_F(ModelApi, RecommendOffersTheKnownItemsTheUserHasNotSeen) {
  Model model = NewModel();
  Train(model, 1);
  const Interactions& train = split_.train;
  const Interactions& test = split_.test;
  // A user with a test item they did not also rate in training: it is seen too.
  UserId user = -1;
  std::set<ItemId> seen;
  for (size_t k = 0; k < test.size() && user < 0; ++k) {
    std::set<ItemId> mine;
    for (size_t j = 0; j < train.size(); ++j) {
      if (train.users[j] == test.users[k]) mine.insert(train.items[j]);
    }
    if (!mine.empty() && !mine.count(test.items[k])) {
      user = test.users[k];
      seen = mine;
      for (size_t j = 0; j < test.size(); ++j) {
        if (test.users[j] == user) seen.insert(test.items[j]);
      }
    }
  }
  ASSERT_GE(user, 0);
  std::set<ItemId> known(train.items.begin(), train.items.end());
  known.insert(test.items.begin(), test.items.end());
  std::set<ItemId> expected = known;
  for (ItemId i : seen) expected.erase(i);
  ASSERT_LT(expected.size(), known.size());

  const Result<std::vector<Recommendation>> all = model.Recommend(user, model.num_items());
  ASSERT_TRUE(all.ok()) << all.status().message();
  std::set<ItemId> offered;
  for (size_t k = 0; k < all->size(); ++k) {
    offered.insert((*all)[k].item);
    EXPECT_TRUE(SameBits((*all)[k].score, *model.Score(user, (*all)[k].item)));
    if (k > 0) {
      EXPECT_GE((*all)[k - 1].score, (*all)[k].score);
    }
  }
  EXPECT_EQ(offered, expected);

  const Result<std::vector<Recommendation>> top = model.Recommend(user, 5);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 5u);
  for (size_t k = 0; k < 5; ++k) EXPECT_EQ((*top)[k].item, (*all)[k].item);

  const Result<std::vector<Recommendation>> with_seen = model.Recommend(user, model.num_items(),
                                                                        /*include_seen=*/true);
  ASSERT_TRUE(with_seen.ok());
  EXPECT_EQ(with_seen->size(), known.size());

  // A loaded model told the same rows recommends the same list (the data set
  // is the union of the training and test rows).
  testing::TempDir tmp;
  ASSERT_TRUE(model.Save(tmp / "m.mtrec").ok());
  Result<Model> loaded = Model::Load(tmp / "m.mtrec", 1);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->SetKnownInteractions(data_.interactions).ok());
  const Result<std::vector<Recommendation>> again = loaded->Recommend(user, model.num_items());
  ASSERT_TRUE(again.ok()) << again.status().message();
  ASSERT_EQ(again->size(), all->size());
  for (size_t k = 0; k < all->size(); ++k) {
    EXPECT_EQ((*again)[k].item, (*all)[k].item);
    EXPECT_TRUE(SameBits((*again)[k].score, (*all)[k].score));
    EXPECT_TRUE(SameBits((*again)[k].rating, (*all)[k].rating));
  }
}

TEST_F(ModelApi, ResultsDoNotDependOnTheThreadCount) {
  Model one = NewModel(SmallOptions(/*threads=*/1));
  Model two = NewModel(SmallOptions(/*threads=*/2));
  Train(one, 2);
  Train(two, 2);
  EXPECT_TRUE(SameParameters(one.Parameters(), two.Parameters()));
  ExpectSameHistory(one.history(), two.history());
  const Result<ModelEvaluation> a = one.Evaluate(split_.test, split_.train);
  const Result<ModelEvaluation> b = two.Evaluate(split_.test, split_.train);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->base.mrr, b->base.mrr);
  EXPECT_EQ(a->rmse, b->rmse);
  EXPECT_EQ(a->ranking.ndcg, b->ranking.ndcg);
  EXPECT_EQ(a->ranking.auc, b->ranking.auc);
  EXPECT_EQ(a->base.mrr, one.history().back().eval.mrr);  // Evaluate agrees with Fit's
}

// model.h: const methods may run concurrently. Four callers evaluate, predict,
// recommend and fold in at once on one model and get the serial answers.
TEST(ModelApiThreads, ConstMethodsMayRunConcurrently) {
  const Dataset data = MakeDataset(MakeColumns(300, 400, 20000, 13));
  const TrainTestSplit split = SplitInteractions(data.interactions, 0.1).value();
  Result<Model> created = Model::Create(SmallOptions(/*threads=*/2), data);
  ASSERT_TRUE(created.ok()) << created.status().message();
  Model& model = *created;
  FitOptions fit;
  ASSERT_TRUE(model.Fit(split.train, fit).ok());

  const std::vector<RatedItem> rated = {{1, 5.0f}, {2, 4.0f}, {3, 1.0f}};
  FoldInConfig fold;
  fold.steps = 20;
  const ModelEvaluation e = model.Evaluate(split.test, split.train).value();
  const std::vector<Recommendation> top = model.Recommend(3, 10).value();
  const std::vector<Recommendation> folded = model.RecommendForRatings(rated, 5, fold).value();
  const Recommendation pair = model.Predict(3, 4).value();

  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int round = 0; round < 10; ++round) {
        const Result<ModelEvaluation> e2 = model.Evaluate(split.test, split.train);
        if (!e2.ok() || e2->base.mrr != e.base.mrr || e2->ranking.ndcg != e.ranking.ndcg) ++wrong;
        const Result<std::vector<Recommendation>> top2 = model.Recommend(3, 10);
        if (!top2.ok() || top2->size() != top.size() || (*top2)[0].item != top[0].item) ++wrong;
        const Result<std::vector<Recommendation>> f2 = model.RecommendForRatings(rated, 5, fold);
        if (!f2.ok() || f2->size() != folded.size() || (*f2)[0].item != folded[0].item) ++wrong;
        const Result<Recommendation> p2 = model.Predict(3, 4);
        if (!p2.ok() || !SameBits(p2->rating, pair.rating)) ++wrong;
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// On the CPU backend Recommend, Predict and SimilarItems run at once on the
// callers' threads (more callers than the machine's threads, so some wait for
// scratch): every answer is the serial one, bit for bit.
TEST(ModelApiThreads, RecommendCallsAtOnceGiveTheSerialAnswers) {
  const Dataset data = MakeDataset(MakeColumns(150, 900, 12000, 17));
  Model model = Model::Create(SmallOptions(/*threads=*/1), data).value();
  struct Ask {
    UserId user;
    int k;
    bool include_seen;
  };
  std::vector<Ask> asks;
  for (int a = 0; a < 60; ++a) asks.push_back({(a * 37) % model.num_users(), 1 + (a * 13) % 50, a % 3 == 0});
  std::vector<std::vector<Recommendation>> serial;
  std::vector<Recommendation> pairs;
  std::vector<std::vector<SimilarItem>> similar;
  for (const Ask& a : asks) {
    serial.push_back(model.Recommend(a.user, a.k, a.include_seen).value());
    pairs.push_back(model.Predict(a.user, a.k).value());
    similar.push_back(model.SimilarItems(data.interactions.items[a.k], a.k).value());
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 6; ++t) {
    callers.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t n = 0; n < asks.size(); ++n) {
          const size_t a = (n + 11 * t) % asks.size();  // each caller its own order
          const Result<std::vector<Recommendation>> top =
              model.Recommend(asks[a].user, asks[a].k, asks[a].include_seen);
          bool same = top.ok() && top->size() == serial[a].size();
          for (size_t r = 0; same && r < top->size(); ++r) {
            same = (*top)[r].item == serial[a][r].item &&
                   SameBits((*top)[r].score, serial[a][r].score) &&
                   SameBits((*top)[r].rating, serial[a][r].rating);
          }
          const Result<Recommendation> pair = model.Predict(asks[a].user, asks[a].k);
          same = same && pair.ok() && SameBits(pair->rating, pairs[a].rating) &&
                 SameBits(pair->score, pairs[a].score);
          const Result<std::vector<SimilarItem>> near =
              model.SimilarItems(data.interactions.items[asks[a].k], asks[a].k);
          same = same && near.ok() && near->size() == similar[a].size();
          for (size_t r = 0; same && r < near->size(); ++r) {
            same = (*near)[r].item == similar[a][r].item &&
                   SameBits((*near)[r].similarity, similar[a][r].similarity);
          }
          if (!same) ++wrong;
        }
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// Every optimizer, loss and embedding layout: two Fits equal one, and a saved
// and loaded model (its optimizer state included) continues identically.
class ModelApiVariants : public ::testing::TestWithParam<int> {};

TEST_P(ModelApiVariants, FitContinuesAcrossCallsAndSaveLoad) {
  const Dataset data = MakeDataset(MakeColumns(50, 70, 2500, 11));
  const TrainTestSplit split = SplitInteractions(data.interactions, 0.05).value();
  ModelOptions o = SmallOptions();
  switch (GetParam()) {
    case 1:
      o.model.shared_embeddings = false;
      break;
    case 2:
      o.model.user_bias = true;
      break;
    case 3:
      o.train.optimizer.kind = OptimizerKind::kLazyAdam;
      break;
    case 4:
      o.train.optimizer.kind = OptimizerKind::kAdagrad;
      o.train.optimizer.learning_rate = DefaultLearningRate(OptimizerKind::kAdagrad);
      break;
    case 5:
      o.train.optimizer.kind = OptimizerKind::kSgd;
      o.train.optimizer.learning_rate = DefaultLearningRate(OptimizerKind::kSgd);
      break;
    case 6:
      o.train.bpr_loss = BprLoss::kLog;
      o.train.optimizer.weight_decay = 1e-4;
      break;
    default:
      break;
  }
  Result<Model> a = Model::Create(o, data), b = Model::Create(o, data);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().message();
  FitOptions fit;
  fit.test = &split.test;
  fit.epochs = 2;
  ASSERT_TRUE(a->Fit(split.train, fit).ok());
  testing::TempDir tmp;
  ASSERT_TRUE(a->Save(tmp / "m.mtrec").ok());
  Result<Model> c = Model::Load(tmp / "m.mtrec", 1);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->options().train.optimizer.kind, o.train.optimizer.kind);
  EXPECT_EQ(c->options().train.bpr_loss, o.train.bpr_loss);
  EXPECT_EQ(c->options().model.shared_embeddings, o.model.shared_embeddings);
  EXPECT_EQ(c->options().model.user_bias, o.model.user_bias);
  fit.epochs = 1;
  ASSERT_TRUE(a->Fit(split.train, fit).ok());
  ASSERT_TRUE(c->Fit(split.train, fit).ok());
  fit.epochs = 3;
  ASSERT_TRUE(b->Fit(split.train, fit).ok());
  EXPECT_TRUE(SameParameters(a->Parameters(), b->Parameters()));
  EXPECT_TRUE(SameParameters(c->Parameters(), b->Parameters()));
  ExpectSameHistory(a->history(), b->history());
  ExpectSameHistory(c->history(), b->history());
}

INSTANTIATE_TEST_SUITE_P(Variants, ModelApiVariants, ::testing::Range(0, 7));

}  // namespace
}  // namespace mtrec
