// Every backend's optimizer step against the optimizer's formula (optim/*.h),
// computed here in double from what the backend exposes: the parameters and
// the optimizer state before the step, and the gradient the inspector saw.
// Sparse optimizers (lazy_adam, adagrad, sgd, rowwise_adagrad) must leave every row the batch
// does not read exactly as it was, parameters and state. And the optimizer
// state round-trips: a backend restored from another's parameters and state
// continues bit-identically; another optimizer's state is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <tuple>

#include "mtrec/backend/backend.h"
#include "mtrec/model/multitask_net.h"
#include "support/backend_test_util.h"

namespace mtrec {
namespace {

struct OptCase {
  const char* name;
  OptimizerKind kind;
  double learning_rate;
  double weight_decay;
};
std::string CaseName(const OptCase& c) { return c.name; }
void PrintTo(const OptCase& c, std::ostream* os) { *os << c.name; }

constexpr double kAdagradEps = 1e-10;  // torch.optim.Adagrad's default

ModelConfig StepModel(bool shared) {
  ModelConfig mc;
  mc.num_users = 10;
  mc.num_items = 12;
  mc.embedding_dim = 4;
  mc.hidden_layers = {5};
  mc.shared_embeddings = shared;
  return mc;
}

TrainConfig StepTrainConfig(const OptCase& c) {
  TrainConfig tc;
  tc.factorization_weight = 0.6;
  tc.regression_weight = 0.4;
  tc.batch_size = 8;
  tc.optimizer.kind = c.kind;
  tc.optimizer.learning_rate = c.learning_rate;
  tc.optimizer.weight_decay = c.weight_decay;
  return tc;
}

// Three batches over a few rows each: rows read by one step and not by the
// next (where dense and lazy Adam differ), and rows no step reads.
std::vector<testing::OwnedBatch> StepBatches() {
  std::vector<testing::OwnedBatch> b(3);
  b[0].users = {1, 2, 1, 3};
  b[0].items = {1, 2, 3, 1};
  b[0].negatives = {4, 5, 0, 2};
  b[0].ratings = {5, 1, 4, 3};
  b[1].users = {4, 5, 4};
  b[1].items = {6, 7, 8};
  b[1].negatives = {9, 1, 6};
  b[1].ratings = {2, 4, 1};
  b[2].users = {1, 6};
  b[2].items = {10, 2};
  b[2].negatives = {11, 3};
  b[2].ratings = {3, 5};
  return b;
}

// Which parameters a sparse optimizer updates for `batch`, from the model's
// definition: the rows the batch reads in the tables that carry a gradient
// (U_f[u], Q_f[i], Q_f[j], B[i], B[j], U_r[u], Q_r[i]: the MLP never reads a
// negative) and the whole MLP; never the user bias A, whose gradient is 0
// (sparse_rows.h, batch_rows.h).
std::vector<bool> SparseUpdateMask(const MultiTaskNet& net, const Batch& batch) {
  std::vector<bool> mask(net.params().size(), false);
  const MultiTaskNet::Roles& roles = net.roles();
  auto mark = [&](int block, int64_t row) {
    const ParamBlock& b = net.layout().block(block);
    for (int64_t c = 0; c < b.cols; ++c) mask[b.offset + row * b.cols + c] = true;
  };
  for (size_t s = 0; s < batch.size(); ++s) {
    mark(roles.u_fact, batch.users[s]);
    mark(roles.u_reg, batch.users[s]);
    for (ItemId i : {batch.items[s], batch.negatives[s]}) {
      mark(roles.q_fact, i);
      mark(roles.item_bias, i);
    }
    mark(roles.q_reg, batch.items[s]);
  }
  for (size_t k = roles.mlp_offset; k < mask.size(); ++k) mask[k] = true;
  return mask;
}

// One parameter's step by the formula, in double. `g` includes weight decay.
struct Moved {
  double p, s0, s1;  // parameter; m or sum; v
};
Moved Formula(const OptimizerConfig& oc, int64_t t, double p, double g, double s0, double s1) {
  switch (oc.kind) {
    case OptimizerKind::kAdam:
    case OptimizerKind::kLazyAdam: {  // torch.optim.Adam
      const double m = oc.beta1 * s0 + (1 - oc.beta1) * g;
      const double v = oc.beta2 * s1 + (1 - oc.beta2) * g * g;
      const double m_hat = m / (1 - std::pow(oc.beta1, static_cast<double>(t)));
      const double v_hat = v / (1 - std::pow(oc.beta2, static_cast<double>(t)));
      return {p - oc.learning_rate * m_hat / (std::sqrt(v_hat) + oc.eps), m, v};
    }
    case OptimizerKind::kAdagrad: {  // torch.optim.Adagrad
      const double sum = s0 + g * g;
      return {p - oc.learning_rate * g / (std::sqrt(sum) + kAdagradEps), sum, 0};
    }
    case OptimizerKind::kSgd:
      return {p - oc.learning_rate * g, 0, 0};
    case OptimizerKind::kRowwiseAdagrad:  // per row, not per parameter: BackendRowwiseAdagrad
      break;
  }
  return {};
}

std::vector<std::string> StateNames(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kAdam:
    case OptimizerKind::kLazyAdam:
      return {"m", "v"};
    case OptimizerKind::kAdagrad:
      return {"sum"};
    case OptimizerKind::kSgd:
      return {};
    case OptimizerKind::kRowwiseAdagrad:
      return {"row_sum", "m", "v"};
  }
  return {};
}

class BackendOptimizerStep : public ::testing::TestWithParam<std::tuple<std::string, OptCase>> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(std::get<0>(GetParam())); }
};

TEST_P(BackendOptimizerStep, ParameterChangeIsTheOptimizersFormula) {
  const auto& [backend_name, c] = GetParam();
  const TrainConfig tc = StepTrainConfig(c);
  const OptimizerConfig& oc = tc.optimizer;
  const bool sparse = c.kind != OptimizerKind::kAdam;
  for (bool shared : {true, false}) {
    SCOPED_TRACE(shared ? "shared" : "separate");
    const ModelConfig mc = StepModel(shared);
    const std::unique_ptr<Backend> backend = testing::NewBackend(backend_name, mc, 2);
    ASSERT_NE(backend, nullptr);
    testing::FillUniform(*backend, 0.5f, 21);
    backend->StartTraining(tc);
    EXPECT_EQ(backend->steps(), 0);
    int64_t still = 0, still_with_state = 0, moved_without_gradient = 0;
    const std::vector<testing::OwnedBatch> batches = StepBatches();
    for (size_t step = 0; step < batches.size(); ++step) {
      SCOPED_TRACE("step " + std::to_string(step + 1));
      const Batch batch = batches[step].view();
      const std::vector<float> p = testing::ParamsOf(*backend);
      const OptimizerState before = backend->SaveOptimizerState();
      ASSERT_EQ(before.name, OptimizerName(c.kind));
      ASSERT_EQ(before.steps, static_cast<int64_t>(step));
      std::vector<std::string> names;
      for (const auto& [name, values] : before.tensors) {
        names.push_back(name);
        ASSERT_EQ(values.size(), p.size()) << name;
      }
      ASSERT_EQ(names, StateNames(c.kind));
      std::vector<float> g;
      const Backend::GradientInspector inspect = [&](const BatchLosses&,
                                                     std::span<const float> grads) {
        g.assign(grads.begin(), grads.end());
      };
      backend->TrainStep(batch, &inspect);
      ASSERT_EQ(g.size(), p.size()) << "the inspector was not called";
      const int64_t t = backend->steps();
      ASSERT_EQ(t, static_cast<int64_t>(step + 1));
      const std::vector<float> after = testing::ParamsOf(*backend);
      const OptimizerState state = backend->SaveOptimizerState();
      ASSERT_EQ(state.tensors.size(), before.tensors.size());
      const std::vector<bool> read = SparseUpdateMask(backend->net(), batch);

      auto s_of = [&](const OptimizerState& st, size_t tensor, size_t k) {
        return tensor < st.tensors.size() ? static_cast<double>(st.tensors[tensor].second[k]) : 0.0;
      };
      for (size_t k = 0; k < p.size(); ++k) {
        const bool updated = !sparse || read[k];
        if (!updated) {
          ++still;
          if (s_of(before, 0, k) != 0) ++still_with_state;
          ASSERT_EQ(after[k], p[k]) << "param " << k << ": a row the batch does not read moved";
          for (size_t s = 0; s < state.tensors.size(); ++s)
            ASSERT_EQ(state.tensors[s].second[k], before.tensors[s].second[k])
                << state.tensors[s].first << "[" << k << "] of an unread row changed";
          continue;
        }
        if (g[k] == 0 && after[k] != p[k]) ++moved_without_gradient;
        const double pk = p[k];
        const double gk = g[k] + oc.weight_decay * pk;
        const double s0 = s_of(before, 0, k), s1 = s_of(before, 1, k);
        const Moved want = Formula(oc, t, pk, gk, s0, s1);
        // Float rounding: of the update (relative), of the parameter, of the
        // learning-rate-sized step for cancelled moments, and of g + wd p
        // (propagated through the formula).
        const double dg = 4 * FLT_EPSILON * (std::fabs(g[k]) + std::fabs(oc.weight_decay * pk));
        const Moved hi = Formula(oc, t, pk, gk + dg, s0, s1);
        const Moved lo = Formula(oc, t, pk, gk - dg, s0, s1);
        const double tol_p = 1e-5 * std::fabs(want.p - pk) + 2 * FLT_EPSILON * std::fabs(pk) +
                             1e-6 * oc.learning_rate + std::fabs(hi.p - lo.p) / 2;
        ASSERT_NEAR(after[k], want.p, tol_p) << "param " << k << " g " << g[k];
        for (size_t s = 0; s < state.tensors.size(); ++s) {
          const double want_s = s == 0 ? want.s0 : want.s1;
          const double spread = s == 0 ? std::fabs(hi.s0 - lo.s0) : std::fabs(hi.s1 - lo.s1);
          const double tol_s =
              1e-6 * (std::fabs(want_s) + std::fabs(s_of(before, s, k))) + spread / 2 + 1e-30;
          ASSERT_NEAR(state.tensors[s].second[k], want_s, tol_s)
              << state.tensors[s].first << "[" << k << "]";
        }
      }
    }
    // The checks above were not vacuous.
    if (sparse) {
      EXPECT_GT(still, 0) << "every parameter was updated";
      if (c.kind == OptimizerKind::kLazyAdam) {
        EXPECT_GT(still_with_state, 0) << "no unread row had moments (lazy == dense here)";
      }
    } else {
      EXPECT_GT(moved_without_gradient, 0) << "dense Adam moves rows without gradient";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllBackends, BackendOptimizerStep,
    ::testing::Combine(::testing::ValuesIn(BackendNames()),
                       ::testing::Values(OptCase{"adam", OptimizerKind::kAdam, 0.01, 0},
                                         OptCase{"adam_l2", OptimizerKind::kAdam, 0.01, 0.1},
                                         OptCase{"lazy_adam", OptimizerKind::kLazyAdam, 0.01, 0},
                                         OptCase{"lazy_adam_l2", OptimizerKind::kLazyAdam, 0.01,
                                                 0.1},
                                         OptCase{"adagrad", OptimizerKind::kAdagrad, 0.1, 0},
                                         OptCase{"adagrad_l2", OptimizerKind::kAdagrad, 0.1, 0.1},
                                         OptCase{"sgd", OptimizerKind::kSgd, 0.5, 0},
                                         OptCase{"sgd_l2", OptimizerKind::kSgd, 0.5, 0.1})),
    testing::BackendCaseParamName<OptCase>());

// Row-wise Adagrad (optim/rowwise_adagrad.h), in double: for each row the
// batch reads, g' = g + wd p, acc += mean(g'^2), p -= lr g' / (sqrt(acc) + eps);
// the MLP by Adam at lr 1e-3; state "row_sum" (one per table row, tables in
// layout order), "m" and "v" (the MLP's). Rows the batch does not read, and
// their sums, stay as they were.
class BackendRowwiseAdagrad : public ::testing::TestWithParam<std::tuple<std::string, double>> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(std::get<0>(GetParam())); }
};

TEST_P(BackendRowwiseAdagrad, RowAndMlpChangesAreTheFormula) {
  const auto& [backend_name, weight_decay] = GetParam();
  const TrainConfig tc = StepTrainConfig({"", OptimizerKind::kRowwiseAdagrad, 0.1, weight_decay});
  const OptimizerConfig& oc = tc.optimizer;
  OptimizerConfig mlp = oc;
  mlp.kind = OptimizerKind::kAdam;
  mlp.learning_rate = 1e-3;
  for (bool shared : {true, false}) {
    SCOPED_TRACE(shared ? "shared" : "separate");
    const std::unique_ptr<Backend> backend =
        testing::NewBackend(backend_name, StepModel(shared), 2);
    ASSERT_NE(backend, nullptr);
    testing::FillUniform(*backend, 0.5f, 21);
    backend->StartTraining(tc);
    const MultiTaskNet& net = backend->net();
    const int64_t dense = net.roles().mlp_offset;
    int64_t rows_moved = 0, rows_still = 0;
    for (const testing::OwnedBatch& owned : StepBatches()) {
      const Batch batch = owned.view();
      const std::vector<float> p = testing::ParamsOf(*backend);
      const OptimizerState before = backend->SaveOptimizerState();
      ASSERT_EQ(before.tensors.size(), 3u);
      EXPECT_EQ(before.tensors[0].first, "row_sum");
      ASSERT_EQ(before.tensors[1].second.size(), p.size() - dense);
      std::vector<float> g;
      const Backend::GradientInspector inspect = [&](const BatchLosses&,
                                                     std::span<const float> grads) {
        g.assign(grads.begin(), grads.end());
      };
      backend->TrainStep(batch, &inspect);
      ASSERT_EQ(g.size(), p.size());
      const std::vector<float> after = testing::ParamsOf(*backend);
      const OptimizerState state = backend->SaveOptimizerState();
      const std::vector<bool> read = SparseUpdateMask(backend->net(), batch);
      int64_t sum_index = 0;
      for (const ParamBlock& b : backend->net().layout().blocks()) {
        if (b.offset >= dense) continue;
        for (int64_t r = 0; r < b.rows; ++r, ++sum_index) {
          const int64_t at = b.offset + r * b.cols;
          const double acc0 = before.tensors[0].second[sum_index];
          const float acc1 = state.tensors[0].second[sum_index];
          if (!read[at]) {
            ++rows_still;
            EXPECT_EQ(acc1, acc0) << b.name << " row " << r;
            for (int64_t c = 0; c < b.cols; ++c) ASSERT_EQ(after[at + c], p[at + c]);
            continue;
          }
          ++rows_moved;
          double squares = 0;
          for (int64_t c = 0; c < b.cols; ++c) {
            const double gc = g[at + c] + weight_decay * p[at + c];
            squares += gc * gc;
          }
          const double acc = acc0 + squares / static_cast<double>(b.cols);
          EXPECT_NEAR(acc1, acc, 1e-5 * acc + 1e-30) << b.name << " row " << r;
          const double step = oc.learning_rate / (std::sqrt(acc) + oc.eps);
          for (int64_t c = 0; c < b.cols; ++c) {
            const double gc = g[at + c] + weight_decay * p[at + c];
            const double want = p[at + c] - step * gc;
            EXPECT_NEAR(after[at + c], want, 1e-4 * std::fabs(step * gc) + 2e-7 * std::fabs(want))
                << b.name << " row " << r << " col " << c;
          }
        }
      }
      for (size_t k = dense; k < p.size(); ++k) {
        const double gk = g[k] + weight_decay * p[k];
        const size_t s = k - dense;
        const Moved want = Formula(mlp, backend->steps(), p[k], gk, before.tensors[1].second[s],
                                   before.tensors[2].second[s]);
        ASSERT_NEAR(after[k], want.p, 1e-5 * std::fabs(want.p - p[k]) + 2e-7 * std::fabs(p[k]) +
                                          1e-9)
            << "mlp " << s;
        const double m0 = before.tensors[1].second[s];
        ASSERT_NEAR(state.tensors[1].second[s], want.s0,
                    2e-6 * (std::fabs(want.s0) + std::fabs(m0) + std::fabs(gk)) + 1e-12);
      }
    }
    EXPECT_GT(rows_moved, 0);
    EXPECT_GT(rows_still, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendRowwiseAdagrad,
                         ::testing::Combine(::testing::ValuesIn(BackendNames()),
                                            ::testing::Values(0.0, 0.1)),
                         [](const auto& p) {
                           return testing::TestNameSafe(
                               std::get<0>(p.param) +
                               (std::get<1>(p.param) == 0 ? "_plain" : "_l2"));
                         });

class BackendOptimizerState : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { MTREC_SKIP_IF_BACKEND_UNAVAILABLE(GetParam()); }
};

constexpr OptimizerKind kAllKinds[] = {OptimizerKind::kAdam, OptimizerKind::kLazyAdam,
                                       OptimizerKind::kAdagrad, OptimizerKind::kSgd,
                                       OptimizerKind::kRowwiseAdagrad};

TEST_P(BackendOptimizerState, RestoredBackendContinuesBitIdentically) {
  const ModelConfig mc = StepModel(false);
  const std::vector<testing::OwnedBatch> batches = StepBatches();
  for (OptimizerKind kind : kAllKinds) {
    SCOPED_TRACE(OptimizerName(kind));
    TrainConfig tc = StepTrainConfig({"", kind, 0.05, 0.01});
    const std::unique_ptr<Backend> a = testing::NewBackend(GetParam(), mc, 2, /*init_seed=*/3);
    ASSERT_NE(a, nullptr);
    a->StartTraining(tc);
    a->TrainStep(batches[0].view(), nullptr);
    a->TrainStep(batches[1].view(), nullptr);
    const OptimizerState saved = a->SaveOptimizerState();
    EXPECT_EQ(saved.steps, 2);
    const std::unique_ptr<Backend> b = testing::NewBackendFrom(GetParam(), a->net(), 1);
    const std::unique_ptr<Backend> fresh = testing::NewBackendFrom(GetParam(), a->net(), 1);
    ASSERT_NE(b, nullptr);
    ASSERT_NE(fresh, nullptr);
    b->StartTraining(tc);
    fresh->StartTraining(tc);
    const Status loaded = b->LoadOptimizerState(saved, "a's state");
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    EXPECT_EQ(b->steps(), 2);
    EXPECT_TRUE(testing::SameOptimizerState(b->SaveOptimizerState(), saved));
    for (Backend* y : {a.get(), b.get(), fresh.get()}) {
      y->TrainStep(batches[2].view(), nullptr);
      y->TrainStep(batches[0].view(), nullptr);
    }
    EXPECT_EQ(testing::ParamsOf(*b), testing::ParamsOf(*a));
    EXPECT_TRUE(testing::SameOptimizerState(b->SaveOptimizerState(), a->SaveOptimizerState()));
    if (kind != OptimizerKind::kSgd) {  // SGD has no state: a fresh one continues the same
      EXPECT_NE(testing::ParamsOf(*fresh), testing::ParamsOf(*a))
          << "the state made no difference: the round trip proves nothing";
    }
  }
}

// A step whose gradient an inspector reads and one without give bit-identical
// parameters and state (the CPU backend hands a sparse optimizer the rows'
// gradients in compact buffers unless an inspector is to see the flat one),
// for every optimizer, both table layouts, with and without rating biases and
// with the regression head off; the batches repeat rows, so the order of each
// row's sum is exercised.
TEST_P(BackendOptimizerState, InspectingTheGradientChangesNoStep) {
  const Backend::GradientInspector inspect = [](const BatchLosses&, std::span<const float>) {};
  for (int layout = 0; layout < 4; ++layout) {
    const bool shared = layout % 2 == 0;
    ModelConfig mc = StepModel(shared);
    mc.rating_biases = layout >= 2;
    std::vector<testing::OwnedBatch> batches;
    for (uint32_t seed = 1; seed <= 4; ++seed)
      batches.push_back(testing::RandomBatch(mc, 24, seed));
    for (double regression : {0.4, 0.0}) {
      for (OptimizerKind kind : kAllKinds) {
        SCOPED_TRACE(std::string(OptimizerName(kind)) + (shared ? " shared" : " separate") +
                     (mc.rating_biases ? " rating biases" : "") + " regression " +
                     std::to_string(regression));
        TrainConfig tc = StepTrainConfig({"", kind, 0.05, 0.01});
        tc.regression_weight = regression;
        tc.batch_size = 24;
        const std::unique_ptr<Backend> a = testing::NewBackend(GetParam(), mc, 2, 3);
        const std::unique_ptr<Backend> b = testing::NewBackend(GetParam(), mc, 2, 3);
        ASSERT_NE(a, nullptr);
        ASSERT_NE(b, nullptr);
        a->StartTraining(tc);
        b->StartTraining(tc);
        for (int step = 0; step < 6; ++step) {
          const Batch batch = batches[step % batches.size()].view();
          a->TrainStep(batch, nullptr);
          b->TrainStep(batch, &inspect);
        }
        EXPECT_EQ(testing::ParamsOf(*a), testing::ParamsOf(*b));
        EXPECT_TRUE(testing::SameOptimizerState(a->SaveOptimizerState(), b->SaveOptimizerState()));
      }
    }
  }
}

TEST_P(BackendOptimizerState, RefusesAnotherOptimizersStateNamingTheSource) {
  const ModelConfig mc = StepModel(true);
  const std::vector<testing::OwnedBatch> batches = StepBatches();
  for (OptimizerKind from : kAllKinds) {
    const std::unique_ptr<Backend> a = testing::NewBackend(GetParam(), mc, 1, 3);
    ASSERT_NE(a, nullptr);
    a->StartTraining(StepTrainConfig({"", from, 0.05, 0}));
    a->TrainStep(batches[0].view(), nullptr);
    const OptimizerState saved = a->SaveOptimizerState();
    for (OptimizerKind to : kAllKinds) {
      if (to == from) continue;
      SCOPED_TRACE(std::string(OptimizerName(from)) + " -> " + OptimizerName(to));
      const std::unique_ptr<Backend> b = testing::NewBackend(GetParam(), mc, 1, 3);
      ASSERT_NE(b, nullptr);
      b->StartTraining(StepTrainConfig({"", to, 0.05, 0}));
      const Status st = b->LoadOptimizerState(saved, "runs/x/checkpoint");
      ASSERT_FALSE(st.ok());
      EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.message();
      EXPECT_NE(st.message().find("runs/x/checkpoint"), std::string::npos) << st.message();
      EXPECT_NE(st.message().find(std::string("'") + OptimizerName(from) + "'"), std::string::npos)
          << st.message();
      EXPECT_EQ(b->steps(), 0) << "a refused state was partly loaded";
    }
  }
}

// The same optimizer's state for a model of another size is refused too.
TEST_P(BackendOptimizerState, RefusesAnotherModelsStateNamingTheSource) {
  const std::vector<testing::OwnedBatch> batches = StepBatches();
  for (OptimizerKind kind :
       {OptimizerKind::kAdam, OptimizerKind::kAdagrad, OptimizerKind::kRowwiseAdagrad}) {
    SCOPED_TRACE(OptimizerName(kind));
    const TrainConfig tc = StepTrainConfig({"", kind, 0.05, 0});
    const std::unique_ptr<Backend> a = testing::NewBackend(GetParam(), StepModel(true), 1, 3);
    const std::unique_ptr<Backend> b = testing::NewBackend(GetParam(), StepModel(false), 1, 3);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    a->StartTraining(tc);
    a->TrainStep(batches[0].view(), nullptr);
    b->StartTraining(tc);
    const Status st = b->LoadOptimizerState(a->SaveOptimizerState(), "shared.ckpt");
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.message().find("shared.ckpt"), std::string::npos) << st.message();
    EXPECT_EQ(b->steps(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendOptimizerState, ::testing::ValuesIn(BackendNames()),
                         testing::BackendParamName());

}  // namespace
}  // namespace mtrec
