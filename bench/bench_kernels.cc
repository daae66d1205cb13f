// Micro-benchmarks of mtrec's kernels on ML-100K-shaped synthetic data (944 x
// 1683 tables, the original's model; top-k also at ML-25M's 59,047 items).
// Counters report samples/s and the achieved GFLOP/s of the training step (the
// MLP's multiply-adds dominate), params/s of Adam and items/s of top-k.
//
//   build/mtrec_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <random>

#include "mtrec/backend/cpu/batch_backprop.h"
#include "mtrec/backend/cpu/cpu_backend.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/eval/top_k.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/optim/adam.h"
#include "mtrec/train/trainer.h"

namespace mtrec {
namespace {

constexpr int kUsers = 944, kItems = 1683, kRatings = 95000;

Interactions MakeData(int n, uint32_t seed) {
  std::mt19937 gen(seed);
  Interactions x;
  x.num_users = kUsers;
  x.num_items = kItems;
  for (int k = 0; k < n; ++k) {
    x.users.push_back(1 + static_cast<int>(gen() % (kUsers - 1)));
    x.items.push_back(1 + static_cast<int>(gen() % (kItems - 1)));
    x.ratings.push_back(static_cast<float>(1 + gen() % 5));
  }
  return x;
}

MultiTaskNet MakeNet(bool shared) {
  ModelConfig mc;
  mc.num_users = kUsers;
  mc.num_items = kItems;
  mc.shared_embeddings = shared;
  MultiTaskNet net(mc);
  net.InitRandom(1);
  return net;
}

// Multiply-adds per training sample: MLP forward, weight gradient and input
// gradient, plus the two factorisation dot products and their gradients.
double FlopsPerSample(const MultiTaskNet& net) {
  double macs = 0;
  for (int l = 0; l < net.mlp().num_layers(); ++l) macs += 3.0 * net.mlp().in(l)*net.mlp().out(l);
  macs += 5.0 * net.embedding_dim();
  return 2 * macs;
}

// GFLOP/s of `samples` training samples per iteration.
void SetFlopsCounter(benchmark::State& state, double samples, const MultiTaskNet& net) {
  state.counters["GFLOP/s"] = benchmark::Counter(samples * FlopsPerSample(net) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// A batch of ML-100K-shaped samples with random negatives, and the backprop
// and gradient buffer to run it through.
struct BatchFixture {
  ThreadPool pool;
  MultiTaskNet net;
  Interactions data;
  std::vector<ItemId> negatives;
  BatchBackprop backprop;
  std::vector<float> grads;
  BatchFixture(int batch, int threads, bool shared)
      : pool(threads),
        net(MakeNet(shared)),
        data(MakeData(batch, 2)),
        negatives(batch),
        backprop(net, LossWeights{}, batch, threads),
        grads(net.params().size(), 0.0f) {
    std::mt19937 gen(3);
    for (ItemId& j : negatives) j = static_cast<ItemId>(gen() % kItems);
  }
  Batch batch() const { return Batch{data.users, data.items, data.ratings, negatives}; }
};

// One optimiser step (gradient + dense Adam) on a batch. Args: batch, threads, shared.
void BM_TrainStep(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  BatchFixture f(batch, static_cast<int>(state.range(1)), state.range(2) != 0);
  Adam adam(static_cast<int64_t>(f.net.params().size()), OptimizerConfig{});
  const Batch b = f.batch();
  for (auto _ : state) {
    f.backprop.Run(f.net, b, f.grads, f.pool);
    adam.Step(f.net.params(), f.grads, SparseRows{}, f.pool);
  }
  state.counters["samples/s"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate);
  SetFlopsCounter(state, batch, f.net);
}
BENCHMARK(BM_TrainStep)
    ->ArgNames({"batch", "threads", "shared"})
    ->Args({1024, 1, 1})
    ->Args({1024, 2, 1})
    ->Args({256, 2, 1})
    ->Args({1024, 2, 0})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The gradient alone (no optimiser step), on the same batch. Args: batch, threads.
void BM_Gradient(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  BatchFixture f(batch, static_cast<int>(state.range(1)), /*shared=*/true);
  const Batch b = f.batch();
  for (auto _ : state) f.backprop.Run(f.net, b, f.grads, f.pool);
  SetFlopsCounter(state, batch, f.net);
}
BENCHMARK(BM_Gradient)
    ->ArgNames({"batch", "threads"})
    ->Args({1024, 1})
    ->Args({1024, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Dense Adam over the original's 92,020 parameters. Arg: threads. The step
// zeroes the gradient it consumes, so it is refilled (untimed) before each
// step: fed zeros, the moments decay into subnormals within ~800 steps and the
// benchmark would time the CPU's subnormal assists (3x slower), which training
// never meets.
void BM_DenseAdam(benchmark::State& state) {
  ThreadPool pool(static_cast<int>(state.range(0)));
  MultiTaskNet net = MakeNet(true);
  Adam adam(static_cast<int64_t>(net.params().size()), OptimizerConfig{});
  std::vector<float> grads(net.params().size());
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t k = 0; k < grads.size(); ++k) grads[k] = (k % 2 == 0 ? 1e-3f : -1e-3f);
    state.ResumeTiming();
    adam.Step(net.params(), grads, SparseRows{}, pool);
  }
  state.counters["params/s"] = benchmark::Counter(static_cast<double>(net.params().size()),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_DenseAdam)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// A whole ML-100K-sized epoch (95,000 samples). Args: batch, threads.
void BM_Epoch(benchmark::State& state) {
  const MultiTaskNet net = MakeNet(true);
  CpuBackend backend(net.config(), BackendOptions{static_cast<int>(state.range(1))});
  backend.WriteParams([&](MultiTaskNet& to) { to = net; });
  const Interactions train = MakeData(kRatings, 4);
  TrainConfig tc;
  tc.batch_size = static_cast<int>(state.range(0));
  Trainer trainer(tc, &backend);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.TrainEpoch(train));
  SetFlopsCounter(state, kRatings, net);
}
BENCHMARK(BM_Epoch)
    ->ArgNames({"batch", "threads"})
    ->Args({1024, 1})
    ->Args({1024, 2})
    ->Args({256, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Full-ranking evaluation: MRR over every user with test items + test MSE. Arg: threads.
void BM_Evaluate(benchmark::State& state) {
  const MultiTaskNet net = MakeNet(true);
  CpuBackend backend(net.config(), BackendOptions{static_cast<int>(state.range(0))});
  backend.WriteParams([&](MultiTaskNet& to) { to = net; });
  const Interactions train = MakeData(kRatings, 5);
  const Interactions test = MakeData(5000, 6);
  const Evaluator evaluator(train, test);
  for (auto _ : state) benchmark::DoNotOptimize(evaluator.Evaluate(backend));
}
BENCHMARK(BM_Evaluate)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Top-k selection over one user's full score vector (train items excluded),
// as `recommend` and the ranking metrics at k run it. Args: items, k.
void BM_TopK(benchmark::State& state) {
  const auto num_items = static_cast<size_t>(state.range(0));
  const int k = static_cast<int>(state.range(1));
  std::mt19937 gen(7);
  std::normal_distribution<float> normal;
  std::vector<float> scores(num_items);
  for (float& s : scores) s = normal(gen);
  std::vector<uint8_t> candidate(num_items, 1);
  for (size_t i = 0; i < num_items; i += 17) candidate[i] = 0;  // the user's train items
  for (auto _ : state) benchmark::DoNotOptimize(TopK(scores, candidate, k));
  state.counters["items/s"] = benchmark::Counter(static_cast<double>(num_items),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TopK)
    ->ArgNames({"items", "k"})
    ->Args({1683, 10})   // ML-100K
    ->Args({59047, 10})  // ML-25M
    ->Args({59047, 100})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mtrec

BENCHMARK_MAIN();
