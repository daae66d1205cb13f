#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "mtrec/core/thread_pool.h"
#include "mtrec/optim/adagrad.h"
#include "mtrec/optim/adam.h"
#include "mtrec/optim/rowwise_adagrad.h"
#include "mtrec/optim/sgd.h"

namespace mtrec {
namespace {

constexpr int kRows = 6, kCols = 5, kDense = 7;  // two tables' worth of rows + a dense tail
constexpr int kSize = kRows * kCols + kDense;

// A sparse step's bookkeeping: the listed rows of one table, dense from kRows*kCols.
SparseRows Touch(std::vector<int32_t> rows) {
  SparseRows t;
  t.tables.push_back(SparseRows::Table{0, kCols, std::move(rows)});
  t.dense_begin = kRows * kCols;
  return t;
}

std::vector<float> Gradient(int step, const SparseRows& touched) {
  std::vector<float> g(kSize, 0.0f);
  for (int32_t r : touched.tables[0].rows) {
    for (int c = 0; c < kCols; ++c)
      g[r * kCols + c] = std::sin(static_cast<float>(1 + step + r * kCols + c));
  }
  for (int k = kRows * kCols; k < kSize; ++k) g[k] = std::cos(static_cast<float>(step * k));
  return g;
}

// torch.optim.Adam's update, written out in double.
TEST(Adam, DenseMatchesTheFormulaIncludingWeightDecay) {
  OptimizerConfig config;
  config.learning_rate = 0.01;
  config.weight_decay = 0.1;
  Adam adam(kSize, config);
  ThreadPool pool(3);
  std::vector<float> p(kSize);
  std::vector<double> pd(kSize), m(kSize, 0), v(kSize, 0);
  for (int k = 0; k < kSize; ++k) pd[k] = p[k] = 0.1f * static_cast<float>(k - 18);
  const SparseRows some = Touch({1, 4});  // ignored by dense Adam: every parameter moves
  for (int t = 1; t <= 4; ++t) {
    std::vector<float> g = Gradient(t, some);
    const std::vector<float> g_copy = g;
    adam.Step(p, g, some, pool);
    for (int k = 0; k < kSize; ++k) {
      EXPECT_EQ(g[k], 0.0f) << "the step zeroes the gradient";
      const double gk = g_copy[k] + config.weight_decay * pd[k];
      m[k] = 0.9 * m[k] + 0.1 * gk;
      v[k] = 0.999 * v[k] + 0.001 * gk * gk;
      const double mhat = m[k] / (1 - std::pow(0.9, t));
      const double vhat = v[k] / (1 - std::pow(0.999, t));
      pd[k] -= config.learning_rate * mhat / (std::sqrt(vhat) + config.eps);
      EXPECT_NEAR(p[k], pd[k], 1e-5) << "step " << t << " param " << k;
    }
  }
  EXPECT_EQ(adam.steps(), 4);
  EXPECT_EQ(adam.state().size(), 2u);
  EXPECT_FALSE(adam.sparse());
}

// Dense semantics: a parameter whose gradient becomes 0 keeps moving while its
// first moment decays (the original's behaviour for rows absent from a batch).
TEST(Adam, DenseZeroGradientStillMovesOnceMomentsAreSet) {
  Adam adam(1, OptimizerConfig{});
  ThreadPool pool(1);
  std::vector<float> p = {1.0f}, g = {1.0f};
  adam.Step(p, g, SparseRows{}, pool);
  const float after_first = p[0];
  g[0] = 0.0f;
  adam.Step(p, g, SparseRows{}, pool);
  EXPECT_LT(p[0], after_first);
}

TEST(Adam, LazyUpdatesOnlyTouchedRowsAndEqualsDenseWhenAllAreTouched) {
  OptimizerConfig lazy_config;
  lazy_config.kind = OptimizerKind::kLazyAdam;
  ThreadPool pool(2);
  // Every row touched at every step: lazy == dense, bit for bit.
  Adam dense(kSize, OptimizerConfig{}), lazy(kSize, lazy_config);
  std::vector<float> pd(kSize, 0.5f), pl(kSize, 0.5f);
  const SparseRows all = Touch({5, 0, 1, 2, 3, 4});
  for (int t = 1; t <= 3; ++t) {
    std::vector<float> gd = Gradient(t, all), gl = gd;
    dense.Step(pd, gd, all, pool);
    lazy.Step(pl, gl, all, pool);
  }
  EXPECT_EQ(pd, pl);
  // Untouched rows keep their values (and, unlike dense Adam, do not drift).
  const SparseRows some = Touch({2});
  std::vector<float> g = Gradient(4, some);
  const std::vector<float> before = pl;
  lazy.Step(pl, g, some, pool);
  for (int r = 0; r < kRows; ++r) {
    for (int c = 0; c < kCols; ++c) {
      const int k = r * kCols + c;
      if (r == 2)
        EXPECT_NE(pl[k], before[k]);
      else
        EXPECT_EQ(pl[k], before[k]);
    }
  }
  for (int k = kRows * kCols; k < kSize; ++k) EXPECT_NE(pl[k], before[k]) << "dense tail moves";
  EXPECT_TRUE(lazy.sparse());
  EXPECT_EQ(lazy.name(), "lazy_adam");
}

TEST(Adagrad, MatchesTorchFormula) {
  OptimizerConfig config;
  config.kind = OptimizerKind::kAdagrad;
  config.learning_rate = 0.1;
  Adagrad adagrad(kSize, config);
  ThreadPool pool(2);
  std::vector<float> p(kSize, 1.0f);
  std::vector<double> pd(kSize, 1.0), sum(kSize, 0.0);
  for (int t = 1; t <= 3; ++t) {
    const SparseRows touched = Touch({static_cast<int32_t>(t % kRows), 3});
    std::vector<float> g = Gradient(t, touched);
    const std::vector<float> g_copy = g;
    adagrad.Step(p, g, touched, pool);
    for (int k = 0; k < kSize; ++k) {
      sum[k] += double{g_copy[k]} * g_copy[k];
      if (g_copy[k] != 0) pd[k] -= 0.1 * g_copy[k] / (std::sqrt(sum[k]) + 1e-10);
      EXPECT_NEAR(p[k], pd[k], 1e-6) << t << " " << k;
      EXPECT_EQ(g[k], 0.0f);
    }
  }
}

TEST(Sgd, MatchesFormulaWithWeightDecayOnUpdatedRows) {
  OptimizerConfig config;
  config.kind = OptimizerKind::kSgd;
  config.learning_rate = 0.5;
  config.weight_decay = 0.1;
  Sgd sgd(config);
  ThreadPool pool(1);
  std::vector<float> p(kSize, 2.0f);
  const SparseRows touched = Touch({0});
  std::vector<float> g = Gradient(1, touched);
  const std::vector<float> g_copy = g;
  sgd.Step(p, g, touched, pool);
  EXPECT_FLOAT_EQ(p[0], 2.0f - 0.5f * (g_copy[0] + 0.1f * 2.0f));
  EXPECT_FLOAT_EQ(p[kCols], 2.0f) << "an untouched row does not move";
  EXPECT_FLOAT_EQ(p[kSize - 1], 2.0f - 0.5f * (g_copy[kSize - 1] + 0.1f * 2.0f));
}

// One accumulator per row: acc += mean_c g^2, p -= lr g / (sqrt(acc) + eps),
// in double over two steps; untouched rows keep value and accumulator; the
// dense tail is Adam at lr 1e-3 (its first step moves each parameter by ~lr).
TEST(RowwiseAdagrad, RowsFollowTheFormulaAndTheTailIsAdam) {
  OptimizerConfig config;
  config.kind = OptimizerKind::kRowwiseAdagrad;
  config.learning_rate = 0.1;
  RowwiseAdagrad opt(kSize, config, {RowBlock{0, kRows, kCols}});
  ThreadPool pool(2);
  std::vector<float> p(kSize, 0.5f);
  std::vector<double> pd(kSize, 0.5), acc(kRows, 0);
  for (int step = 1; step <= 2; ++step) {
    const SparseRows touched = Touch({4, 1});
    std::vector<float> g = Gradient(step, touched);
    for (int32_t r : touched.tables[0].rows) {
      double squares = 0;
      for (int c = 0; c < kCols; ++c) squares += double{g[r * kCols + c]} * g[r * kCols + c];
      acc[r] += squares / kCols;
      for (int c = 0; c < kCols; ++c)
        pd[r * kCols + c] -= 0.1 * g[r * kCols + c] / (std::sqrt(acc[r]) + 1e-8);
    }
    const std::vector<float> before = p;
    opt.Step(p, g, touched, pool);
    for (int k = 0; k < kRows * kCols; ++k) EXPECT_NEAR(p[k], pd[k], 1e-6) << k;
    for (int k = kRows * kCols; k < kSize; ++k) {
      EXPECT_NE(p[k], before[k]);
      if (step == 1) {
        EXPECT_NEAR(std::fabs(p[k] - before[k]), 1e-3, 1e-6) << k;
      }
    }
    for (float v : g) EXPECT_EQ(v, 0.0f) << "the gradient it read is zeroed";
  }
  const std::vector<Optimizer::StateTensor> state = opt.state();
  ASSERT_EQ(state.size(), 3u);
  EXPECT_EQ(state[0].name, "row_sum");
  ASSERT_EQ(state[0].values.size(), static_cast<size_t>(kRows));
  for (int r = 0; r < kRows; ++r) EXPECT_NEAR(state[0].values[r], acc[r], 1e-6 * acc[r]) << r;
  EXPECT_EQ(state[0].values[0], 0.0f) << "an untouched row's accumulator";
  EXPECT_EQ(state[1].values.size(), static_cast<size_t>(kDense));
  EXPECT_EQ(opt.steps(), 2);
}

TEST(Optimizer, NamesParseAndFactoryBuildsEach) {
  for (const char* name : {"adam", "lazy_adam", "adagrad", "sgd", "rowwise_adagrad"}) {
    auto kind = ParseOptimizerKind(name);
    ASSERT_TRUE(kind.ok()) << name;
    OptimizerConfig config;
    config.kind = *kind;
    EXPECT_EQ(MakeOptimizer(config, 10)->name(), name);
  }
  const auto bad = ParseOptimizerKind("rmsprop");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("optimizer: "), std::string::npos);
}

}  // namespace
}  // namespace mtrec
