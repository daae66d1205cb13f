// A checkpoint is the same on every backend: a model trained and saved on one
// backend evaluates on the CPU backend (and a CPU-trained one on it) to the
// same MRR and MSE within the cross-backend tolerances of
// backend_scoring_test.cc, and training resumed from it on the other backend
// continues the run within the parity tolerance. Saving streams the backend's
// buffers and writes what saving copies of them writes.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mtrec/api/model_hooks.h"
#include "mtrec/backend/backend.h"
#include "mtrec/dataset.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/model.h"
#include "mtrec/train/checkpoint.h"
#include "support/backend_test_util.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

// One more epoch (9 steps) from the same state: per-step float differences of
// ~1e-6 relative compound over the steps.
constexpr double kResumedLossRelTol = 1e-4;

// The small synthetic data as a Dataset (raw ids: rows are the ids).
Dataset MakeData() {
  const testing::SmallData& d = testing::SmallSyntheticData();
  std::vector<int64_t> users, items;
  std::vector<float> ratings;
  for (const Interactions* part : {&d.train, &d.test}) {
    for (size_t k = 0; k < part->size(); ++k) {
      users.push_back(part->users[k]);
      items.push_back(part->items[k]);
      ratings.push_back(part->ratings[k]);
    }
  }
  Result<Dataset> data = DatasetFromArrays(users, items, ratings, {}, IdPolicy::kRaw);
  EXPECT_TRUE(data.ok()) << data.status().message();
  return std::move(data).value();
}

ModelOptions Options(const std::string& backend) {
  ModelOptions o;
  o.model.embedding_dim = 8;
  o.model.hidden_layers = {16};
  o.train = testing::SmallTrainConfig(OptimizerKind::kAdam);
  o.threads = 2;
  o.backend = backend;
  return o;
}

class BackendCheckpoint : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(GetParam()); }
  testing::TempDir tmp_;
};

// Trains 2 epochs on `from`, saves, and evaluates the checkpoint on `from`
// and on `to`.
void ExpectSameEvaluation(const std::string& from, const std::string& to, const std::string& path,
                          bool exact) {
  SCOPED_TRACE(from + " -> " + to);
  const testing::SmallData& d = testing::SmallSyntheticData();
  Result<Model> model = Model::Create(Options(from), MakeData());
  ASSERT_TRUE(model.ok()) << model.status().message();
  FitOptions fit;
  fit.epochs = 2;
  ASSERT_TRUE(model->Fit(d.train, fit).ok());
  ASSERT_TRUE(model->Save(path).ok());

  LoadOptions on_from, on_to;
  on_from.threads = on_to.threads = 2;
  on_from.backend = from;
  on_to.backend = to;
  Result<Model> a = Model::Load(path, on_from);
  Result<Model> b = Model::Load(path, on_to);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  const Backend& backend_a = ModelHooks::BackendOf(*a);
  const Backend& backend_b = ModelHooks::BackendOf(*b);
  EXPECT_EQ(backend_a.name(), from);
  EXPECT_EQ(backend_b.name(), to);
  const Evaluator evaluator(d.train, d.test);
  std::vector<float> pa, pb;
  const EvalResult ea = evaluator.Evaluate(backend_a, &pa);
  const EvalResult eb = evaluator.Evaluate(backend_b, &pb);
  EXPECT_GT(ea.mrr, 0);
  ASSERT_EQ(pa.size(), pb.size());
  float scale = 0;
  for (float v : pa) scale = std::max(scale, std::fabs(v));
  const double delta = exact ? 0.0 : testing::kCrossBackendRelTol * scale;
  EXPECT_NEAR(eb.mrr, ea.mrr, exact ? 0.0 : testing::kCrossBackendMrrTol);
  EXPECT_NEAR(eb.mse, ea.mse, 2 * std::sqrt(ea.mse) * delta + delta * delta);
  EXPECT_EQ(eb.mrr_users, ea.mrr_users);
}

TEST_P(BackendCheckpoint, EvaluatesTheSameOnTheCpuBackendAndBack) {
  const bool exact = GetParam() == "cpu";
  ExpectSameEvaluation(GetParam(), "cpu", (tmp_.path() / "from_backend.mtrec").string(), exact);
  ExpectSameEvaluation("cpu", GetParam(), (tmp_.path() / "from_cpu.mtrec").string(), exact);
}

// A run saved on one backend and resumed on the other (weights, optimizer
// state, stream) goes on as the run continued on the first.
TEST_P(BackendCheckpoint, ResumesOnTheOtherBackend) {
  const testing::SmallData& d = testing::SmallSyntheticData();
  const Dataset data = MakeData();
  for (const auto& [from, to] :
       {std::pair{GetParam(), std::string("cpu")}, std::pair{std::string("cpu"), GetParam()}}) {
    SCOPED_TRACE(from + " -> " + to);
    Result<Model> model = Model::Create(Options(from), data);
    ASSERT_TRUE(model.ok()) << model.status().message();
    FitOptions fit;
    fit.epochs = 1;
    ASSERT_TRUE(model->Fit(d.train, fit).ok());
    const std::string path = (tmp_.path() / (from + ".mtrec")).string();
    ASSERT_TRUE(model->Save(path).ok());
    Result<TrainingCheckpoint> c = LoadCheckpoint(path);
    ASSERT_TRUE(c.ok()) << c.status().message();
    ModelOptions options = Options(to);  // the checkpoint's shape, as Model::Load takes it
    options.model = c->config.model;
    options.train = c->config.train;
    Result<Model> resumed = ModelHooks::FromCheckpoint(*c, path, options, nullptr);
    ASSERT_TRUE(resumed.ok()) << resumed.status().message();
    ASSERT_TRUE(model->Fit(d.train, fit).ok());
    ASSERT_TRUE(resumed->Fit(d.train, fit).ok());
    ASSERT_EQ(model->history().size(), 2u);
    ASSERT_EQ(resumed->history().size(), 2u);
    const EpochLosses& want = model->history()[1].losses;
    const EpochLosses& got = resumed->history()[1].losses;
    const double tol = GetParam() == "cpu" ? 0.0 : kResumedLossRelTol;
    EXPECT_NEAR(got.joint, want.joint, tol * std::fabs(want.joint));
    EXPECT_NEAR(got.factorization, want.factorization, tol * std::fabs(want.factorization));
    EXPECT_NEAR(got.regression, want.regression, tol * std::fabs(want.regression));
  }
}

// A model's checkpoint is streamed from the backend's own buffers
// (Backend::StreamState), nothing copied first: the values are those the
// backend holds, and the file is byte for byte the one written from whole
// copies of them (the loaded checkpoint saved again).
TEST_P(BackendCheckpoint, StreamedSaveIsTheSaveOfCopies) {
  const testing::SmallData& d = testing::SmallSyntheticData();
  Result<Model> model = Model::Create(Options(GetParam()), MakeData());
  ASSERT_TRUE(model.ok()) << model.status().message();
  FitOptions fit;
  fit.epochs = 1;
  fit.max_steps = 5;  // part-way into the epoch: the cursor and sums too
  ASSERT_TRUE(model->Fit(d.train, fit).ok());
  const std::filesystem::path streamed = tmp_.path() / "streamed.mtrec";
  const std::filesystem::path copied = tmp_.path() / "copied.mtrec";
  ASSERT_TRUE(model->Save(streamed).ok());
  Result<TrainingCheckpoint> c = LoadCheckpoint(streamed);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const Backend& backend = ModelHooks::BackendOf(*model);
  EXPECT_EQ(c->params, testing::ParamsOf(backend));
  EXPECT_TRUE(c->optimizer_state == backend.SaveOptimizerState().tensors);
  EXPECT_FALSE(c->optimizer_state.empty());
  ASSERT_TRUE(SaveCheckpoint(copied, *c).ok());
  EXPECT_TRUE(testing::ReadFile(streamed) == testing::ReadFile(copied));
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendCheckpoint, ::testing::ValuesIn(BackendNames()),
                         testing::BackendParamName());

}  // namespace
}  // namespace mtrec
