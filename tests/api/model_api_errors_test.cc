// The public API's error convention: every bad configuration field and every
// bad argument comes back as a Status (never an abort) whose message names the
// field or argument. Public headers only.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "api/api_test_data.h"
#include "mtrec/config.h"
#include "mtrec/dataset.h"
#include "mtrec/model.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using api_test::Columns;
using api_test::Early;
using api_test::MakeColumns;
using api_test::MakeDataset;
using api_test::SmallOptions;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

// `s` failed with `code` and a message naming `field`.
::testing::AssertionResult FailsNaming(const Status& s, Status::Code code,
                                       const std::string& field) {
  if (s.ok()) return ::testing::AssertionFailure() << "OK, expected an error naming " << field;
  if (s.code() != code) {
    return ::testing::AssertionFailure() << "code " << static_cast<int>(s.code()) << ", expected "
                                         << static_cast<int>(code) << ": " << s.message();
  }
  if (s.message().find(field) == std::string::npos) {
    return ::testing::AssertionFailure() << "'" << s.message() << "' does not name " << field;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Invalid(const Status& s, const std::string& field) {
  return FailsNaming(s, Status::Code::kInvalidArgument, field);
}

class ApiErrors : public ::testing::Test {
 protected:
  ApiErrors() : data_(MakeDataset(MakeColumns(30, 40, 600, 3))) {
    Result<TrainTestSplit> split = SplitInteractions(data_.interactions, 0.1);
    EXPECT_TRUE(split.ok()) << split.status().message();
    split_ = std::move(split).value();
  }

  Model NewModel() {
    Result<Model> m = Model::Create(SmallOptions(), data_);
    EXPECT_TRUE(m.ok()) << m.status().message();
    return std::move(m).value();
  }

  Dataset data_;
  TrainTestSplit split_;
};

TEST_F(ApiErrors, EveryInvalidConfigurationFieldIsAStatusNamingIt) {
  struct Case {
    std::string field;
    std::function<void(ModelOptions&)> set;
  };
  const std::vector<Case> cases = {
      {"learning_rate", [](ModelOptions& o) { o.train.optimizer.learning_rate = 0; }},
      {"learning_rate", [](ModelOptions& o) { o.train.optimizer.learning_rate = -1e-3; }},
      {"learning_rate", [](ModelOptions& o) { o.train.optimizer.learning_rate = kNaN; }},
      {"learning_rate", [](ModelOptions& o) { o.train.optimizer.learning_rate = INFINITY; }},
      {"weight_decay", [](ModelOptions& o) { o.train.optimizer.weight_decay = -0.1; }},
      {"weight_decay", [](ModelOptions& o) { o.train.optimizer.weight_decay = kNaN; }},
      {"batch_size", [](ModelOptions& o) { o.train.batch_size = 0; }},
      {"batch_size", [](ModelOptions& o) { o.train.batch_size = -4; }},
      {"embedding_dim", [](ModelOptions& o) { o.model.embedding_dim = 0; }},
      {"embedding_dim", [](ModelOptions& o) { o.model.embedding_dim = -8; }},
      {"hidden_layers", [](ModelOptions& o) { o.model.hidden_layers = {}; }},
      {"hidden_layers",
       [](ModelOptions& o) {
         o.model.hidden_layers = {16, 0};
       }},
      {"hidden_layers", [](ModelOptions& o) { o.model.hidden_layers = {-3}; }},
      {"factorization_weight",
       [](ModelOptions& o) { o.train.factorization_weight = o.train.regression_weight = 0; }},
      {"regression_weight",  // both 0: the message names both weights
       [](ModelOptions& o) { o.train.factorization_weight = o.train.regression_weight = 0; }},
      {"factorization_weight", [](ModelOptions& o) { o.train.factorization_weight = -1; }},
      {"regression_weight", [](ModelOptions& o) { o.train.regression_weight = -0.5; }},
      {"regression_weight", [](ModelOptions& o) { o.train.regression_weight = kNaN; }},
      {"threads", [](ModelOptions& o) { o.threads = -1; }},
      {"threads", [](ModelOptions& o) { o.threads = 1 << 20; }},
      {"backend", [](ModelOptions& o) { o.backend = "no-such-backend"; }},
      {"beta1", [](ModelOptions& o) { o.train.optimizer.beta1 = 1.0; }},
      {"beta1", [](ModelOptions& o) { o.train.optimizer.beta1 = 1.5; }},
      {"beta1", [](ModelOptions& o) { o.train.optimizer.beta1 = -0.1; }},
      {"beta2", [](ModelOptions& o) { o.train.optimizer.beta2 = 1.0; }},
      {"eps", [](ModelOptions& o) { o.train.optimizer.eps = 0; }},
      {"eps", [](ModelOptions& o) { o.train.optimizer.eps = -1e-8; }},
      {"eps", [](ModelOptions& o) { o.train.optimizer.eps = kNaN; }},
      {"num_users", [](ModelOptions& o) { o.model.num_users = 5; }},
  };
  ASSERT_TRUE(Model::Create(SmallOptions(), data_).ok());  // the base is valid
  for (const Case& c : cases) {
    ModelOptions o = SmallOptions();
    c.set(o);
    const Result<Model> m = Model::Create(o, data_);
    EXPECT_TRUE(Invalid(m.status(), c.field)) << "case naming " << c.field;
  }
}

TEST_F(ApiErrors, CreateRefusesTablesTooLargeForMemoryBeforeAllocating) {
  // Raw ids are table rows: one id of two billion asks for ~2^31 user rows.
  const std::vector<int64_t> users = {2'000'000'000, 1}, items = {1, 2};
  const std::vector<float> ratings = {4, 5};
  Result<Dataset> huge = DatasetFromArrays(users, items, ratings, {}, IdPolicy::kRaw);
  ASSERT_TRUE(huge.ok()) << huge.status().message();
  ASSERT_EQ(huge->interactions.num_users, 2'000'000'001);
  ModelOptions wide = SmallOptions();
  wide.model.embedding_dim = 4096;  // ~10^14 bytes: more than any machine running this
  const Result<Model> m = Model::Create(wide, *huge);
  EXPECT_TRUE(FailsNaming(m.status(), Status::Code::kUnavailable, "2000000001 user rows"));
}

TEST_F(ApiErrors, ValidateNamesTheFieldWithoutAModel) {
  TrainConfig t;
  EXPECT_TRUE(t.Validate().ok());
  t.optimizer.learning_rate = kNaN;
  EXPECT_TRUE(Invalid(t.Validate(), "learning_rate"));
  ModelConfig m;
  m.num_users = m.num_items = 3;
  EXPECT_TRUE(m.Validate().ok());
  m.embedding_dim = 0;
  EXPECT_TRUE(Invalid(m.Validate(), "embedding_dim"));
}

TEST_F(ApiErrors, FitRefusesBadArgumentsAndTrainsNothing) {
  Model model = NewModel();
  const std::vector<NamedTensor> before = model.Parameters();
  const Interactions& train = split_.train;

  FitOptions fit;
  fit.epochs = -1;
  EXPECT_TRUE(Invalid(model.Fit(train, fit).status(), "epochs"));
  fit.epochs = 1;
  fit.max_steps = -1;
  EXPECT_TRUE(Invalid(model.Fit(train, fit).status(), "max_steps"));
  fit.max_steps = 0;

  Interactions outside = train;
  outside.users[3] = model.num_users();
  EXPECT_TRUE(Invalid(model.Fit(outside, fit).status(), "train: row 3"));
  outside = train;
  outside.items[0] = -1;
  EXPECT_TRUE(Invalid(model.Fit(outside, fit).status(), "train: row 0"));

  Interactions nan_rating = train;
  nan_rating.ratings[4] = kNaNf;
  EXPECT_TRUE(Invalid(model.Fit(nan_rating, fit).status(), "train: the rating of row 4"));
  FitOptions nan_test = fit;
  nan_test.test = &nan_rating;
  EXPECT_TRUE(Invalid(model.Fit(train, nan_test).status(), "test: the rating of row 4"));

  Interactions ragged = train;
  ragged.ratings.pop_back();
  EXPECT_TRUE(Invalid(model.Fit(ragged, fit).status(), "train"));
  ragged = train;
  ragged.items.push_back(0);
  EXPECT_TRUE(Invalid(model.Fit(ragged, fit).status(), "train"));

  Interactions empty;
  empty.num_users = model.num_users();
  empty.num_items = model.num_items();
  EXPECT_TRUE(Invalid(model.Fit(empty, fit).status(), "train"));

  // Test and validation rows of another data set (other table sizes).
  const Dataset other = MakeDataset(MakeColumns(50, 20, 300, 4));
  ASSERT_NE(other.interactions.num_users, model.num_users());
  fit.test = &other.interactions;
  EXPECT_TRUE(Invalid(model.Fit(train, fit).status(), "test"));
  fit.test = nullptr;
  fit.validation = &other.interactions;
  EXPECT_TRUE(Invalid(model.Fit(train, fit).status(), "validation"));
  fit.validation = nullptr;

  // Early stopping: a validation split, patience >= 1, per_head on separate tables.
  FitOptions early = fit;
  early.early_stopping.metric = Metric::kMse;
  early.test = &split_.test;
  EXPECT_TRUE(Invalid(model.Fit(train, early).status(), "early_stopping: needs validation"));
  early.validation = &split_.test;
  early.early_stopping.patience = 0;
  EXPECT_TRUE(Invalid(model.Fit(train, early).status(), "patience"));
  early.early_stopping = Early(Metric::kMrr, 3, /*per_head=*/true);
  EXPECT_TRUE(Invalid(model.Fit(train, early).status(), "early_stopping: per_head needs separate"));
  early.early_stopping = Early(Metric::kMrr, 3, /*per_head=*/false, /*refit=*/true);
  EXPECT_TRUE(Invalid(model.Fit(train, early).status(), "early_stopping: refit is mtrec train's"));
  early.early_stopping = Early(Metric::kNone, 3, /*per_head=*/false, /*refit=*/true);
  EXPECT_TRUE(Invalid(model.Fit(train, early).status(), "refit: needs early_stopping"));
  FitOptions heads = fit;  // this model's tables are shared
  heads.rating_epochs = 2;
  EXPECT_TRUE(Invalid(model.Fit(train, heads).status(), "rating_epochs: needs separate"));
  heads.rating_epochs = -1;
  EXPECT_TRUE(Invalid(model.Fit(train, heads).status(), "rating_epochs: expected >= 0"));
  // Nothing to rank the test items against.
  EXPECT_TRUE(Invalid(model.Evaluate(split_.test, {nullptr}).status(), "train: no interactions"));

  EXPECT_TRUE(model.history().empty());
  EXPECT_TRUE(api_test::SameParameters(model.Parameters(), before));
  ASSERT_TRUE(model.Fit(train, fit).ok());  // the same model and data are fine
  EXPECT_EQ(model.history().size(), 1u);
}

TEST_F(ApiErrors, QueriesRefuseRowsOutsideTheTablesAndBadK) {
  Model model = NewModel();
  const int32_t nu = model.num_users(), ni = model.num_items();
  EXPECT_TRUE(Invalid(model.Evaluate(split_.test, split_.train, 0).status(), "k"));
  const Dataset other = MakeDataset(MakeColumns(50, 20, 300, 4));
  EXPECT_TRUE(Invalid(model.Evaluate(other.interactions, split_.train).status(), "test"));
  EXPECT_TRUE(Invalid(model.Evaluate(split_.test, other.interactions).status(), "train"));
  EXPECT_TRUE(model.Evaluate(split_.test, split_.train, 1).ok());

  EXPECT_TRUE(Invalid(model.Score(-1, 0).status(), "user"));
  EXPECT_TRUE(Invalid(model.Score(nu, 0).status(), "user"));
  EXPECT_TRUE(Invalid(model.Score(0, ni).status(), "item"));
  EXPECT_TRUE(Invalid(model.Score(0, -1).status(), "item"));
  EXPECT_TRUE(model.Score(nu - 1, ni - 1).ok());
  EXPECT_TRUE(Invalid(model.Predict(nu, 0).status(), "user"));
  EXPECT_TRUE(Invalid(model.Predict(0, ni).status(), "item"));
  EXPECT_TRUE(model.Predict(nu - 1, ni - 1).ok());
  EXPECT_TRUE(Invalid(model.Recommend(nu, 5).status(), "user"));
  EXPECT_TRUE(Invalid(model.Recommend(-1, 5).status(), "user"));
  EXPECT_TRUE(Invalid(model.Recommend(0, 0).status(), "k"));
  EXPECT_TRUE(model.Recommend(nu - 1, 5).ok());
}

// A model made from in-memory data records no data set: loaded, it needs its
// known interactions before Recommend.
TEST_F(ApiErrors, ALoadedInMemoryModelRecommendsOnlyAfterSetKnownInteractions) {
  testing::TempDir tmp;
  Model model = NewModel();
  ASSERT_TRUE(model.Save(tmp / "m.mtrec").ok());
  Result<Model> loaded = Model::Load(tmp / "m.mtrec", 1);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(Invalid(loaded->Recommend(0, 5).status(), "SetKnownInteractions"));
  // Interactions of another data set, or rows outside the tables, are refused
  // (they would index past the tables) and leave the model as it was.
  const Dataset other = MakeDataset(MakeColumns(50, 20, 300, 4));
  EXPECT_TRUE(Invalid(loaded->SetKnownInteractions(other.interactions), "data"));
  Interactions outside = split_.train;
  outside.items[2] = loaded->num_items();
  EXPECT_TRUE(Invalid(loaded->SetKnownInteractions(outside), "data: row 2"));
  EXPECT_TRUE(Invalid(loaded->Recommend(0, 5).status(), "SetKnownInteractions"));
  ASSERT_TRUE(loaded->SetKnownInteractions(split_.train).ok());
  EXPECT_TRUE(loaded->Recommend(0, 5).ok());
}

// A path a running `mtrec train --save` has reserved (it holds PATH.lock) is
// not saved to: the run would replace the file when it ends (found by the
// adversarial pass: Python's save slipped in between).
TEST_F(ApiErrors, SaveRefusesAPathARunningTrainReserved) {
  testing::TempDir tmp;
  const std::filesystem::path path = tmp / "m.mtrec";
  Model model = NewModel();
  const int lock = ::open((path.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(lock, 0);
  ASSERT_EQ(::flock(lock, LOCK_EX | LOCK_NB), 0);  // as the train's reservation does
  const Status refused = model.Save(path);
  EXPECT_EQ(refused.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(refused.message().find("reserved by a running mtrec"), std::string::npos)
      << refused.message();
  EXPECT_FALSE(std::filesystem::exists(path));
  ::close(lock);  // the run ended (its lock file is left stale: no holder)
  EXPECT_TRUE(model.Save(path).ok());
}

TEST_F(ApiErrors, RecommendForRatingsRefusesBadItemsRatingsAndSettings) {
  Model model = NewModel();
  const std::vector<RatedItem> good = {{1, 5.0f}, {2, 1.0f}};
  FoldInConfig quick;
  quick.steps = 5;
  ASSERT_TRUE(model.RecommendForRatings(good, 3, quick).ok());

  const std::vector<RatedItem> outside = {{1, 5.0f}, {model.num_items(), 4.0f}};
  EXPECT_TRUE(Invalid(model.RecommendForRatings(outside, 3, quick).status(), "item"));
  const std::vector<RatedItem> negative = {{-1, 4.0f}};
  EXPECT_TRUE(Invalid(model.RecommendForRatings(negative, 3, quick).status(), "item"));
  const std::vector<RatedItem> nan = {{1, 5.0f}, {2, kNaNf}};
  EXPECT_TRUE(Invalid(model.RecommendForRatings(nan, 3, quick).status(), "ratings"));
  EXPECT_TRUE(Invalid(model.RecommendForRatings(good, 0, quick).status(), "k"));

  FoldInConfig c = quick;
  c.steps = 0;
  EXPECT_TRUE(Invalid(model.RecommendForRatings(good, 3, c).status(), "steps"));
  c = quick;
  c.learning_rate = 0;
  EXPECT_TRUE(Invalid(model.RecommendForRatings(good, 3, c).status(), "learning_rate"));
  c.learning_rate = kNaN;
  EXPECT_TRUE(Invalid(model.RecommendForRatings(good, 3, c).status(), "learning_rate"));
  c = quick;
  c.l2 = -0.01;
  EXPECT_TRUE(Invalid(model.RecommendForRatings(good, 3, c).status(), "l2"));
}

TEST_F(ApiErrors, SetParametersRefusesOtherNamesAndShapesAndKeepsTheWeights) {
  Model model = NewModel();
  const std::vector<NamedTensor> params = model.Parameters();
  ASSERT_GE(params.size(), 2u);

  std::vector<NamedTensor> renamed = params;
  renamed[1].name = "not_a_tensor";
  EXPECT_TRUE(Invalid(model.SetParameters(renamed), "not_a_tensor"));

  std::vector<NamedTensor> reshaped = params;
  reshaped[0].rows += 1;
  reshaped[0].values.resize(static_cast<size_t>(reshaped[0].rows * reshaped[0].cols), 0.5f);
  EXPECT_TRUE(Invalid(model.SetParameters(reshaped), "parameters"));

  std::vector<NamedTensor> short_values = params;
  short_values[0].values.pop_back();
  EXPECT_TRUE(Invalid(model.SetParameters(short_values), "parameters"));

  std::vector<NamedTensor> fewer = params;
  fewer.pop_back();
  EXPECT_TRUE(Invalid(model.SetParameters(fewer), "parameters"));

  EXPECT_TRUE(api_test::SameParameters(model.Parameters(), params));
}

TEST(ApiDataErrors, DatasetFromArraysNamesTheColumnAndEntry) {
  const std::vector<int64_t> users = {1, 2, 3}, items = {7, 8, 9};
  const std::vector<float> ratings = {1, 2, 3};
  ASSERT_TRUE(DatasetFromArrays(users, items, ratings).ok());
  ASSERT_TRUE(DatasetFromArrays(users, items, {}).ok());  // implicit feedback

  const std::vector<int64_t> two = {7, 8};
  const std::vector<float> two_ratings = {1, 2};
  EXPECT_TRUE(Invalid(DatasetFromArrays(users, two, ratings).status(), "items"));
  EXPECT_TRUE(Invalid(DatasetFromArrays(users, items, two_ratings).status(), "ratings"));
  EXPECT_TRUE(Invalid(DatasetFromArrays(users, items, ratings, two).status(), "timestamps"));
  EXPECT_TRUE(Invalid(DatasetFromArrays(std::span<const int64_t>{}, {}, {}).status(), "users"));

  const std::vector<int64_t> negative = {1, -2, 3};
  EXPECT_TRUE(Invalid(DatasetFromArrays(negative, items, ratings, {}, IdPolicy::kRaw).status(),
                      "users[1]"));
  EXPECT_TRUE(Invalid(DatasetFromArrays(users, negative, ratings, {}, IdPolicy::kRaw).status(),
                      "items[1]"));
  EXPECT_TRUE(DatasetFromArrays(negative, items, ratings, {}, IdPolicy::kRemap).ok());

  const std::vector<float> nan = {1, 2, kNaNf};
  EXPECT_TRUE(Invalid(DatasetFromArrays(users, items, nan).status(), "ratings[2]"));
  const std::vector<float> inf = {INFINITY, 2, 3};
  EXPECT_TRUE(Invalid(DatasetFromArrays(users, items, inf).status(), "ratings[0]"));
}

TEST(ApiDataErrors, DatasetFromStringsNamesTheColumnAndEntry) {
  const std::vector<std::string> users = {"a", "b"}, items = {"x", "y"}, one = {"x"};
  const std::vector<float> ratings = {4, 5}, nan = {4, kNaNf};
  ASSERT_TRUE(DatasetFromStrings(users, items, ratings).ok());
  EXPECT_TRUE(Invalid(DatasetFromStrings(users, one, ratings).status(), "items"));
  EXPECT_TRUE(Invalid(DatasetFromStrings(users, items, nan).status(), "ratings[1]"));
  EXPECT_TRUE(Invalid(DatasetFromStrings({}, {}, {}).status(), "users"));
}

TEST(ApiDataErrors, SplitInteractionsNamesTestFraction) {
  const Dataset d = MakeDataset(MakeColumns(10, 10, 100, 2));
  ASSERT_TRUE(SplitInteractions(d.interactions, 0.2).ok());
  for (double f : {0.0, 1.0, kNaN, -0.5, 1.5}) {
    EXPECT_TRUE(Invalid(SplitInteractions(d.interactions, f).status(), "test_fraction")) << f;
  }
  // Columns of unequal lengths (a hand-made Interactions).
  for (int column = 0; column < 3; ++column) {
    Interactions ragged = d.interactions;
    if (column == 0) ragged.items.pop_back();
    if (column == 1) ragged.ratings.pop_back();
    if (column == 2) ragged.timestamps.pop_back();
    EXPECT_TRUE(Invalid(SplitInteractions(ragged, 0.2).status(), "columns")) << column;
  }
  Interactions no_timestamps = d.interactions;
  no_timestamps.timestamps.clear();
  EXPECT_TRUE(SplitInteractions(no_timestamps, 0.2).ok());
  // Too few rows: one interaction cannot be split into two non-empty parts.
  const Dataset one = MakeDataset(Columns{{"u"}, {"i"}, {3.0f}, {}});
  EXPECT_TRUE(Invalid(SplitInteractions(one.interactions, 0.5).status(), "test_fraction"));
}

TEST(ApiDataErrors, LoadNamesAMissingOrCorruptFile) {
  testing::TempDir tmp;
  const std::string missing = tmp / "missing.mtrec";
  EXPECT_TRUE(FailsNaming(Model::Load(missing).status(), Status::Code::kNotFound, missing));

  const std::string garbage = tmp / "garbage.mtrec";
  std::ofstream(garbage) << "this is not a checkpoint\n";
  EXPECT_TRUE(FailsNaming(Model::Load(garbage).status(), Status::Code::kCorruption, garbage));

  // A real checkpoint cut in half.
  const Dataset d = MakeDataset(MakeColumns(10, 10, 100, 2));
  Result<Model> model = Model::Create(SmallOptions(), d);
  ASSERT_TRUE(model.ok());
  const std::string whole = tmp / "whole.mtrec", half = tmp / "half.mtrec";
  ASSERT_TRUE(model->Save(whole).ok());
  ASSERT_TRUE(Model::Load(whole).ok());
  std::filesystem::copy_file(whole, half);
  std::filesystem::resize_file(half, std::filesystem::file_size(whole) / 2);
  EXPECT_TRUE(FailsNaming(Model::Load(half).status(), Status::Code::kCorruption, half));
}

}  // namespace
}  // namespace mtrec
