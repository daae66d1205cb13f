#include "mtrec/optim/adam.h"

#include <gtest/gtest.h>

#include <cmath>

#include "mtrec/core/thread_pool.h"

namespace mtrec {
namespace {

// torch.optim.Adam's update, written out in double.
TEST(DenseAdam, MatchesTheFormulaIncludingWeightDecay) {
  AdamConfig config;
  config.learning_rate = 0.01;
  config.weight_decay = 0.1;
  const int n = 37;  // odd, so every thread chunk and the SIMD tail are exercised
  DenseAdam adam(n, config);
  ThreadPool pool(3);
  std::vector<float> p(n), g(n);
  std::vector<double> pd(n), m(n, 0), v(n, 0);
  for (int k = 0; k < n; ++k) pd[k] = p[k] = 0.1f * static_cast<float>(k - 18);
  for (int t = 1; t <= 4; ++t) {
    for (int k = 0; k < n; ++k) g[k] = static_cast<float>(std::sin(k * t)) * (k % 5 == 0 ? 0.0f : 1.0f);
    std::vector<float> g_copy = g;
    adam.Step(p, g, pool);
    for (int k = 0; k < n; ++k) {
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
}

// Dense semantics: a parameter whose gradient becomes 0 keeps moving while its
// first moment decays (the original's behaviour for rows absent from a batch).
TEST(DenseAdam, ZeroGradientStillMovesOnceMomentsAreSet) {
  DenseAdam adam(1, AdamConfig{});
  ThreadPool pool(1);
  std::vector<float> p = {1.0f}, g = {1.0f};
  adam.Step(p, g, pool);
  const float after_first = p[0];
  g[0] = 0.0f;
  adam.Step(p, g, pool);
  EXPECT_LT(p[0], after_first);
}

}  // namespace
}  // namespace mtrec
