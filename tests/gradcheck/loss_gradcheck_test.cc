// Finite-difference checks of the per-sample losses' derivatives.
#include <gtest/gtest.h>

#include <cmath>

#include "mtrec/loss/bpr.h"
#include "mtrec/loss/mse.h"

namespace mtrec {
namespace {

// Central difference of a float function, evaluated in float.
template <typename F>
double CentralDifference(F f, float x, float h) {
  return (static_cast<double>(f(x + h)) - static_cast<double>(f(x - h))) / (2.0 * h);
}

TEST(LossGradcheck, BprSigmoid) {
  for (float x : {-8.0f, -2.5f, -0.3f, 0.0f, 0.7f, 3.0f, 9.0f}) {
    const auto f = [](float v) { return BprLossAndGrad(BprLoss::kSigmoid, v).value; };
    const double fd = CentralDifference(f, x, 1e-2f);
    EXPECT_NEAR(BprLossAndGrad(BprLoss::kSigmoid, x).grad, fd, 1e-4 + 1e-3 * std::fabs(fd)) << x;
    // 1 - sigmoid(x) is the original's loss.
    EXPECT_NEAR(BprLossAndGrad(BprLoss::kSigmoid, x).value, 1.0 - 1.0 / (1.0 + std::exp(-x)), 1e-6);
  }
}

TEST(LossGradcheck, BprLog) {
  for (float x : {-30.0f, -8.0f, -2.5f, -0.3f, 0.0f, 0.7f, 3.0f, 9.0f, 30.0f}) {
    const auto f = [](float v) { return BprLossAndGrad(BprLoss::kLog, v).value; };
    const double fd = CentralDifference(f, x, 1e-2f);
    EXPECT_NEAR(BprLossAndGrad(BprLoss::kLog, x).grad, fd, 1e-4 + 1e-3 * std::fabs(fd)) << x;
    // -log sigmoid(x), stable at both ends.
    const double exact = std::log1p(std::exp(-static_cast<double>(x)));
    EXPECT_NEAR(BprLossAndGrad(BprLoss::kLog, x).value, exact, 1e-5 * std::max(1.0, exact)) << x;
  }
}

TEST(LossGradcheck, SquaredError) {
  for (float y : {-3.0f, 0.0f, 1.5f, 4.25f}) {
    for (float r : {1.0f, 3.5f, 5.0f}) {
      const auto f = [r](float v) { return SquaredErrorAndGrad(v, r).value; };
      EXPECT_NEAR(SquaredErrorAndGrad(y, r).grad, CentralDifference(f, y, 1e-2f), 1e-3);
      EXPECT_FLOAT_EQ(SquaredErrorAndGrad(y, r).value, (r - y) * (r - y));
    }
  }
}

}  // namespace
}  // namespace mtrec
