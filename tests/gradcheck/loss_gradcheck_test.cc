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

// Far in the tails, where float exp(-x) overflows (x < -88.7) or the loss is
// below float's resolution next to 1: value and derivative stay finite and
// right (a naive log1p(exp(-x)) gives inf at x = -100). The derivative is
// sigmoid(x) - 1 in float, so it is right to float's absolute resolution
// near 1 (2^-24), not relatively.
TEST(LossGradcheck, BprLogIsStableInTheTails) {
  const LossAndGrad low = BprLossAndGrad(BprLoss::kLog, -100.0f);
  EXPECT_FLOAT_EQ(low.value, 100.0f);
  EXPECT_FLOAT_EQ(low.grad, -1.0f);
  const LossAndGrad high = BprLossAndGrad(BprLoss::kLog, 100.0f);
  EXPECT_GE(high.value, 0.0f);
  EXPECT_LT(high.value, 1e-30f);  // exp(-100) = 3.7e-44
  EXPECT_LE(high.grad, 0.0f);
  EXPECT_GT(high.grad, -6e-8f);
  for (float x : {-30.0f, 30.0f}) {
    const double exact = -1.0 / (1.0 + std::exp(static_cast<double>(x)));
    EXPECT_NEAR(BprLossAndGrad(BprLoss::kLog, x).grad, exact, 6e-8) << x;
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
