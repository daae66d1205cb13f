// Finite-difference check of the MLP's backward pass (parameters and input).
#include <gtest/gtest.h>

#include <random>

#include "mtrec/model/mlp.h"

namespace mtrec {
namespace {

constexpr int kSamples = 3;

class MlpGradcheck : public ::testing::TestWithParam<std::vector<int>> {};

// L = sum_s c_s * y_s, so dL/dy_s = c_s.
double Loss(const MlpShape& shape, const std::vector<float>& params, const std::vector<float>& x,
            const std::vector<float>& c) {
  MlpPackedWeights packed;
  packed.Pack(shape, params.data());
  MlpWorkspace ws;
  ws.Reserve(shape, kSamples);
  MlpForward(shape, packed, x.data(), kSamples, ws);
  double loss = 0;
  for (int s = 0; s < kSamples; ++s) loss += static_cast<double>(c[s]) * ws.output(s);
  return loss;
}

TEST_P(MlpGradcheck, BackwardMatchesCentralDifferences) {
  const int input = 7;  // padded to 8: rows carry one zero
  const MlpShape shape(input, GetParam());
  const int stride = shape.padded_in(0);
  std::mt19937 gen(17);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> params(shape.num_params()), x(kSamples * stride, 0.0f), c(kSamples);
  for (float& v : params) v = dist(gen);
  for (int s = 0; s < kSamples; ++s) {
    for (int i = 0; i < input; ++i) x[s * stride + i] = dist(gen);
  }
  for (float& v : c) v = dist(gen);

  MlpPackedWeights packed;
  packed.Pack(shape, params.data());
  MlpWorkspace ws;
  ws.Reserve(shape, kSamples);
  MlpForward(shape, packed, x.data(), kSamples, ws);
  std::vector<float> partial(shape.partial_size()), grads(params.size(), 0.0f);
  MlpBackward(shape, packed, x.data(), kSamples, c.data(), partial.data(), ws);
  MlpAddPartial(shape, partial.data(), grads.data());

  // The MLP is piecewise linear in any single weight or input, so central
  // differences are exact up to float rounding unless a ReLU kink is crossed.
  const float h = 1e-3f;
  for (size_t k = 0; k < params.size(); ++k) {
    std::vector<float> p = params;
    p[k] = params[k] + h;
    const double up = Loss(shape, p, x, c);
    p[k] = params[k] - h;
    const double down = Loss(shape, p, x, c);
    EXPECT_NEAR(grads[k], (up - down) / (2 * h), 2e-3) << "param " << k;
  }
  for (size_t k = 0; k < x.size(); ++k) {
    if (static_cast<int>(k % stride) >= input) continue;  // padding
    std::vector<float> xp = x;
    xp[k] = x[k] + h;
    const double up = Loss(shape, params, xp, c);
    xp[k] = x[k] - h;
    const double down = Loss(shape, params, xp, c);
    EXPECT_NEAR(ws.grad_input[k], (up - down) / (2 * h), 2e-3) << "input " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, MlpGradcheck,
                         ::testing::Values(std::vector<int>{5}, std::vector<int>{6, 4},
                                           std::vector<int>{3, 5, 2}, std::vector<int>{20, 9}));

}  // namespace
}  // namespace mtrec
