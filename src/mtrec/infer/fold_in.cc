#include "mtrec/infer/fold_in.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "mtrec/core/numpy_rng.h"
#include "mtrec/loss/bpr.h"
#include "mtrec/model/mlp.h"
#include "mtrec/optim/optimizer.h"

namespace mtrec {

namespace {

// `net` with one more (zero) user row in every user table.
std::unique_ptr<MultiTaskNet> WithNewUser(const MultiTaskNet& net) {
  ModelConfig config = net.config();
  config.num_users += 1;
  auto out = std::make_unique<MultiTaskNet>(config);
  for (const ParamBlock& b : net.layout().blocks()) {
    const ParamBlock& to = out->layout().block(out->layout().Find(b.name));
    std::copy_n(net.params().begin() + b.offset, b.size(), out->params().begin() + to.offset);
  }
  return out;
}

}  // namespace

Result<FoldInResult> FoldInUser(const MultiTaskNet& base, std::span<const RatedItem> ratings,
                                const TrainConfig& train, const FoldInConfig& config) {
  if (ratings.empty()) return Status::InvalidArgument("ratings: at least one rating is needed");
  FoldInResult result;
  result.net = WithNewUser(base);
  MultiTaskNet& net = *result.net;
  result.user = base.config().num_users;
  const int d = net.embedding_dim();
  const int n = static_cast<int>(ratings.size());
  const auto& roles = net.roles();
  const bool shared = roles.u_fact == roles.u_reg;
  float* u_fact =
      net.params().data() + net.layout().block(roles.u_fact).offset + int64_t{result.user} * d;
  float* u_reg =
      net.params().data() + net.layout().block(roles.u_reg).offset + int64_t{result.user} * d;
  const MlpShape& mlp = net.mlp();
  MlpPackedWeights packed;  // the MLP is frozen: packed once
  packed.Pack(mlp, net.params().data() + roles.mlp_offset);
  const int stride = mlp.padded_in(0);

  MlpWorkspace ws;
  ws.Reserve(mlp, n);
  std::vector<float> z(static_cast<size_t>(n) * stride, 0.0f), dy(n), mlp_grads(mlp.partial_size());
  std::vector<float> grad_fact(d), grad_reg(d), m(2 * d, 0.0f), v(2 * d, 0.0f);
  NumpyLegacyRng rng(config.seed);
  const double wf = train.factorization_weight / n, wr = train.regression_weight / n;
  const OptimizerConfig adam;  // torch's Adam defaults, as training uses
  const double beta1 = adam.beta1, beta2 = adam.beta2, eps = adam.eps;

  for (int step = 1; step <= config.steps; ++step) {
    std::fill(grad_fact.begin(), grad_fact.end(), 0.0f);
    std::fill(grad_reg.begin(), grad_reg.end(), 0.0f);
    double loss = 0;
    // Factorisation head.
    for (const RatedItem& s : ratings) {
      const auto j =
          static_cast<ItemId>(rng.RandInt(static_cast<uint32_t>(net.config().num_items)));
      const float* qi = net.Row(roles.q_fact, s.item);
      const float* qj = net.Row(roles.q_fact, j);
      float x = *net.Row(roles.item_bias, s.item) - *net.Row(roles.item_bias, j);
      for (int c = 0; c < d; ++c) x += u_fact[c] * (qi[c] - qj[c]);
      const LossAndGrad l = BprLossAndGrad(train.bpr_loss, x);
      loss += train.factorization_weight * l.value / n;
      for (int c = 0; c < d; ++c) grad_fact[c] += static_cast<float>(wf * l.grad) * (qi[c] - qj[c]);
    }
    // Regression head.
    for (int s = 0; s < n; ++s) {
      net.RegressionInput(result.user, ratings[s].item,
                          z.data() + static_cast<int64_t>(s) * stride);
    }
    MlpForward(mlp, packed, z.data(), n, ws);
    for (int s = 0; s < n; ++s) {
      const float diff = ws.output(s) - ratings[s].rating;
      loss += train.regression_weight * diff * diff / n;
      dy[s] = static_cast<float>(wr * 2.0 * diff);
    }
    MlpBackward(mlp, packed, z.data(), n, dy.data(), mlp_grads.data(), ws);
    for (int s = 0; s < n; ++s) {
      const float* q = net.Row(roles.q_reg, ratings[s].item);
      const float* gz = ws.grad_input.data() + static_cast<int64_t>(s) * stride;
      for (int c = 0; c < d; ++c) grad_reg[c] += gz[c] + gz[2 * d + c] * q[c];
    }
    // L2 on the fitted row(s).
    for (int c = 0; c < d; ++c) {
      loss += config.l2 * u_fact[c] * u_fact[c];
      grad_fact[c] += static_cast<float>(2 * config.l2) * u_fact[c];
      if (!shared) {
        loss += config.l2 * u_reg[c] * u_reg[c];
        grad_reg[c] += static_cast<float>(2 * config.l2) * u_reg[c];
      }
    }
    if (step == 1) result.first_loss = loss;
    result.last_loss = loss;
    // Adam on [u_fact, u_reg] (one vector when shared: the gradients add up).
    if (shared) {
      for (int c = 0; c < d; ++c) grad_fact[c] += grad_reg[c];
    }
    const double bc1 = 1.0 - std::pow(beta1, step), bc2 = 1.0 - std::pow(beta2, step);
    const int blocks = shared ? 1 : 2;
    for (int b = 0; b < blocks; ++b) {
      float* u = b == 0 ? u_fact : u_reg;
      const std::vector<float>& g = b == 0 ? grad_fact : grad_reg;
      for (int c = 0; c < d; ++c) {
        float& mc = m[b * d + c];
        float& vc = v[b * d + c];
        mc = static_cast<float>(beta1 * mc + (1 - beta1) * g[c]);
        vc = static_cast<float>(beta2 * vc + (1 - beta2) * g[c] * g[c]);
        u[c] -= static_cast<float>(config.learning_rate * (mc / bc1) / (std::sqrt(vc / bc2) + eps));
      }
    }
  }
  return result;
}

}  // namespace mtrec
