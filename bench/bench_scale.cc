// Scale benchmarks on generated MovieLens-shaped data (no data files needed).
//
//   build/mtrec_bench_scale scaling   # ML-1M-sized, 1 thread vs 2: the median ratio of 7
//                                     # alternating epoch pairs, and of interleaved steps
//   build/mtrec_bench_scale ml25m [threads] [backends]
//                                     # ML-25M-sized: one lazy_adam epoch, full-ranking MRR
//                                     # over all users, peak memory; backends: a comma list
//                                     # (e.g. cpu,cuda: each trains the same epoch; default cpu)
//   build/mtrec_bench_scale bpr [threads] [pairs]
//                                     # ML-25M-sized: one lazy_adam epoch of the original
//                                     # model and one of BPR-only (regression_weight 0),
//                                     # alternating, and their ratio
//   build/mtrec_bench_scale sparse [threads] [pairs]
//                                     # ML-25M-sized, BPR-only: alternating epochs with
//                                     # rowwise_adagrad and lazy_adam, their ratio, a triad
//                                     # bandwidth probe and each epoch's bytes against it
//   build/mtrec_bench_scale sparse THREADS EPOCHS OPTIMIZER
//                                     # the same set: EPOCHS epochs with OPTIMIZER alone
//                                     # (for a profiler: perf record -g)
//   build/mtrec_bench_scale libmf FILE
//                                     # writes the sparse mode's training rows as LIBMF's
//                                     # "user item 1" lines (its BPR, mf-train -f 10, on
//                                     # the same rows: docs/performance.md)
//   build/mtrec_bench_scale peak [threads]
//                                     # measured float32 FMA throughput (register-only
//                                     # chains): the compute bound of the dense path
//   build/mtrec_bench_scale custom RATINGS USERS ITEMS OPTIMIZER THREADS
//                                     # any size: one epoch and one evaluation
//
// The generated data has MovieLens's shape: user activity and item popularity
// both heavy-tailed (Zipf-like), ratings in half stars with ML-25M's histogram.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "bench_util.h"
#include "fma_probe.h"
#include "stream_probe.h"
#include "mtrec/backend/cpu/batch_backprop.h"
#include "mtrec/backend/backend_registry.h"
#include "mtrec/backend/cpu/cpu_backend.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/data/split.h"
#include "mtrec/infer/evaluator.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/optim/adam.h"
#include "mtrec/train/trainer.h"

namespace mtrec {
namespace {

using bench::Median;
using bench::Now;
using bench::PeakRssMiB;

// Zipf-like weights 1 / (rank + 1)^exponent, shuffled over ids 1..n.
std::vector<double> PowerLawWeights(int n, double exponent, std::mt19937_64& gen) {
  std::vector<double> w(n);
  for (int k = 0; k < n; ++k) w[k] = 1.0 / std::pow(k + 1.0, exponent);
  std::shuffle(w.begin(), w.end(), gen);
  return w;
}

Interactions Generate(int64_t ratings, int users, int items, uint64_t seed) {
  std::mt19937_64 gen(seed);
  const std::vector<double> user_w = PowerLawWeights(users, 0.9, gen);
  const std::vector<double> item_w = PowerLawWeights(items, 1.0, gen);
  std::discrete_distribution<int> user_dist(user_w.begin(), user_w.end());
  std::discrete_distribution<int> item_dist(item_w.begin(), item_w.end());
  // ML-25M's rating histogram, 0.5 to 5.0 stars.
  const double star_w[] = {1.6, 3.1, 1.6, 6.6, 5.0, 19.6, 12.6, 26.6, 8.5, 14.5};
  std::discrete_distribution<int> star_dist(std::begin(star_w), std::end(star_w));
  Interactions x;
  x.users.resize(ratings);
  x.items.resize(ratings);
  x.ratings.resize(ratings);
  for (int64_t k = 0; k < ratings; ++k) {
    x.users[k] = 1 + user_dist(gen);
    x.items[k] = 1 + item_dist(gen);
    x.ratings[k] = 0.5f * static_cast<float>(1 + star_dist(gen));
  }
  x.num_users = users + 1;
  x.num_items = items + 1;
  return x;
}

struct EpochTiming {
  double train_seconds;
  double eval_seconds;
  EvalResult eval;
};

// The original's model for `all`'s tables, initialised with seed 1.
std::unique_ptr<CpuBackend> FreshModel(const Interactions& all, int threads) {
  ModelConfig mc;
  mc.num_users = all.num_users;
  mc.num_items = all.num_items;
  auto backend = std::make_unique<CpuBackend>(mc, BackendOptions{threads});
  backend->WriteParams([](MultiTaskNet& net) { net.InitRandom(1); });
  return backend;
}

EpochTiming TrainOneEpoch(const TrainTestSplit& split, const Interactions& all, int threads,
                          OptimizerKind optimizer, bool evaluate) {
  const std::unique_ptr<CpuBackend> model = FreshModel(all, threads);
  CpuBackend& backend = *model;
  TrainConfig tc;
  tc.factorization_weight = 0.99;
  tc.regression_weight = 0.01;
  tc.optimizer.kind = optimizer;
  tc.seed = 1;
  Trainer trainer(tc, &backend);
  EpochTiming t{};
  double start = Now();
  if (!trainer.TrainEpoch(split.train).ok()) std::abort();
  t.train_seconds = Now() - start;
  if (evaluate) {
    const Evaluator evaluator(split.train, split.test);
    start = Now();
    t.eval = evaluator.Evaluate(backend);
    t.eval_seconds = Now() - start;
  }
  return t;
}

// The training step alone (gradient + dense Adam) of one model, advanced by a
// 1-thread and a 2-thread pool taking turns every few steps, so that both see
// the same machine state and the same working set: the ratio of their total
// times is immune to the drift that epoch-sized alternation still catches.
double InterleavedStepRatio(const Interactions& train, int num_users, int num_items) {
  constexpr int kBatch = 1024, kSteps = 640, kTurn = 8;
  ModelConfig mc;
  mc.num_users = num_users;
  mc.num_items = num_items;
  MultiTaskNet net(mc);
  net.InitRandom(1);
  Adam adam(static_cast<int64_t>(net.params().size()), OptimizerConfig{});
  std::vector<float> grads(net.params().size(), 0.0f);
  const LossWeights weights{0.99, 0.01, BprLoss::kSigmoid};
  struct Runner {
    ThreadPool pool;
    BatchBackprop backprop;
    double seconds = 0;
  };
  Runner one{ThreadPool(1), BatchBackprop(net, weights, kBatch, 1)};
  Runner two{ThreadPool(2), BatchBackprop(net, weights, kBatch, 2)};
  std::mt19937_64 gen(11);
  std::uniform_int_distribution<int64_t> row(0, static_cast<int64_t>(train.size()) - 1);
  std::uniform_int_distribution<ItemId> item(0, num_items - 1);
  std::vector<UserId> users(kBatch);
  std::vector<ItemId> items(kBatch), negatives(kBatch);
  std::vector<float> ratings(kBatch);
  for (int step = 0; step < 2 * kSteps; ++step) {
    for (int s = 0; s < kBatch; ++s) {
      const int64_t r = row(gen);
      users[s] = train.users[r];
      items[s] = train.items[r];
      ratings[s] = train.ratings[r];
      negatives[s] = item(gen);
    }
    Runner& runner = (step / kTurn) % 2 == 0 ? one : two;
    const double start = Now();
    runner.backprop.Run(net, Batch{users, items, ratings, negatives}, grads, runner.pool);
    adam.Step(net.params(), grads, SparseRows{}, runner.pool);
    runner.seconds += Now() - start;
  }
  std::printf(
      "training step (gradient + dense Adam), %d steps each in turns of %d: "
      "1 thread %.0f us, 2 threads %.0f us per step\n",
      kSteps, kTurn, one.seconds / kSteps * 1e6, two.seconds / kSteps * 1e6);
  return one.seconds / two.seconds;
}

int Scaling() {
  std::printf(
      "# thread scaling, ML-1M-sized generated data (1,000,000 ratings, 6,040 users, "
      "3,706 items), the original's settings (shared, batch 1024, dense Adam)\n");
  const Interactions all = Generate(1'000'000, 6040, 3706, 7);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  // The machine's speed drifts by tens of percent over seconds, so 1 and 2
  // threads alternate epoch by epoch and each adjacent pair gives one ratio.
  constexpr int kPairs = 7;
  std::vector<double> one, two, ratios;
  for (int pair = 0; pair < kPairs; ++pair) {
    one.push_back(TrainOneEpoch(split, all, 1, OptimizerKind::kAdam, false).train_seconds);
    two.push_back(TrainOneEpoch(split, all, 2, OptimizerKind::kAdam, false).train_seconds);
    ratios.push_back(one.back() / two.back());
  }
  std::printf("| threads | epoch seconds (median of %d) |\n|---|---|\n| 1 | %.3f |\n| 2 | %.3f |\n",
              kPairs, Median(one), Median(two));
  std::sort(ratios.begin(), ratios.end());
  std::printf(
      "speed-up 1 -> 2 threads, whole epochs: %.2fx (median of %d alternating pairs; "
      "range %.2f-%.2fx)\n",
      Median(ratios), kPairs, ratios.front(), ratios.back());
  const double step_ratio = InterleavedStepRatio(split.train, all.num_users, all.num_items);
  std::printf("speed-up 1 -> 2 threads, interleaved training steps: %.2fx\n", step_ratio);
  return 0;
}

// One lazy_adam epoch and its evaluation on the registered backend `name`,
// from the same initial model as FreshModel's.
Result<EpochTiming> BackendEpoch(const TrainTestSplit& split, const Interactions& all,
                                 int threads, const std::string& name) {
  ModelConfig mc;
  mc.num_users = all.num_users;
  mc.num_items = all.num_items;
  MTREC_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend,
                         MakeBackend(name, mc, BackendOptions{threads}));
  backend->WriteParams([](MultiTaskNet& net) { net.InitRandom(1); });
  TrainConfig tc;
  tc.factorization_weight = 0.99;
  tc.regression_weight = 0.01;
  tc.optimizer.kind = OptimizerKind::kLazyAdam;
  tc.seed = 1;
  Trainer trainer(tc, backend.get());
  EpochTiming t{};
  double start = Now();
  MTREC_RETURN_IF_ERROR(trainer.TrainEpoch(split.train).status());
  t.train_seconds = Now() - start;
  const Evaluator evaluator(split.train, split.test);
  start = Now();
  t.eval = evaluator.Evaluate(*backend);
  t.eval_seconds = Now() - start;
  MTREC_RETURN_IF_ERROR(backend->status());
  return t;
}

// The ML-25M-sized epoch on each of `backends` (comma-separated), one line each.
int Ml25mBackends(int threads, const std::string& backends) {
  std::printf("# ML-25M-sized generated data, lazy_adam, batch 1024, %d host threads\n", threads);
  double start = Now();
  const Interactions all = Generate(25'000'000, 162541, 59047, 25);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  std::printf("generated and split in %.1f s\n", Now() - start);
  int rc = 0;
  for (size_t at = 0; at <= backends.size();) {
    const size_t comma = std::min(backends.find(',', at), backends.size());
    const std::string name = backends.substr(at, comma - at);
    at = comma + 1;
    const Result<EpochTiming> t = BackendEpoch(split, all, threads, name);
    if (!t.ok()) {
      std::printf("backend %s: error: %s\n", name.c_str(), t.status().message().c_str());
      rc = 1;
      continue;
    }
    std::printf("backend %s: epoch %.2f s, eval %.2f s, MRR %.6f over %lld users, MSE %.6f\n",
                name.c_str(), t->train_seconds, t->eval_seconds, t->eval.mrr,
                static_cast<long long>(t->eval.mrr_users), t->eval.mse);
  }
  return rc;
}

int Ml25m(int threads) {
  std::printf(
      "# ML-25M-sized generated data (25,000,000 ratings, 162,541 users, 59,047 items), "
      "lazy_adam, batch 1024, %d threads\n",
      threads);
  double start = Now();
  const Interactions all = Generate(25'000'000, 162541, 59047, 25);
  std::printf("generated in %.1f s\n", Now() - start);
  start = Now();
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  std::printf("split in %.1f s: %zu train, %zu test\n", Now() - start, split.train.size(),
              split.test.size());
  const EpochTiming t = TrainOneEpoch(split, all, threads, OptimizerKind::kLazyAdam, true);
  std::printf("| measure | value | target |\n|---|---|---|\n");
  std::printf("| one lazy_adam epoch | %.1f s | < 30 s |\n", t.train_seconds);
  std::printf("| full-ranking MRR over %lld users + test MSE | %.1f s | < 20 s |\n",
              static_cast<long long>(t.eval.mrr_users), t.eval_seconds);
  std::printf("| peak resident memory | %.0f MiB | < 3072 MiB |\n", PeakRssMiB());
  std::printf("(MRR %.4f, MSE %.3f after one epoch)\n", t.eval.mrr, t.eval.mse);
  return 0;
}

// Seconds of CPU time the whole process has used (all its threads).
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct EpochCost {
  double wall;  // seconds
  double cpu;   // CPU seconds of all threads: what a machine shared with other work still shows
};

// One epoch from the same initial model, with the loss weights and optimizer
// given and every other setting at TrainConfig's defaults (the optimizer's
// default learning rate).
EpochCost OneEpoch(const TrainTestSplit& split, const Interactions& all, int threads,
                   double factorization_weight, double regression_weight,
                   OptimizerKind optimizer = OptimizerKind::kLazyAdam) {
  const std::unique_ptr<CpuBackend> model = FreshModel(all, threads);
  CpuBackend& backend = *model;
  TrainConfig tc;
  tc.factorization_weight = factorization_weight;
  tc.regression_weight = regression_weight;
  tc.optimizer.kind = optimizer;
  tc.optimizer.learning_rate = DefaultLearningRate(optimizer);
  tc.seed = 1;
  Trainer trainer(tc, &backend);
  const double start = Now(), cpu_start = ProcessCpuSeconds();
  if (!trainer.TrainEpoch(split.train).ok()) std::abort();
  return {Now() - start, ProcessCpuSeconds() - cpu_start};
}

// The ML-25M-sized set of Ml25m; `pairs` alternating epochs of the original
// model (weights 0.995/0.005) and of BPR-only (1/0), both lazy_adam.
int Bpr(int threads, int pairs) {
  if (threads <= 0 || pairs <= 0) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  std::printf(
      "# ML-25M-sized generated data (25,000,000 ratings, 162,541 users, 59,047 items), "
      "lazy_adam, batch 1024, dim 32, shared embeddings, %d threads\n",
      threads);
  const Interactions all = Generate(25'000'000, 162541, 59047, 25);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  std::vector<double> original, bpr, ratios, original_cpu, bpr_cpu;
  for (int pair = 0; pair < pairs; ++pair) {
    const EpochCost o = OneEpoch(split, all, threads, 0.995, 0.005);
    const EpochCost b = OneEpoch(split, all, threads, 1.0, 0.0);
    original.push_back(o.wall);
    bpr.push_back(b.wall);
    original_cpu.push_back(o.cpu);
    bpr_cpu.push_back(b.cpu);
    ratios.push_back(o.wall / b.wall);
    std::printf(
        "pair %d: original %.2f s (%.2f CPU s), BPR-only %.2f s (%.2f CPU s), ratio %.2fx\n",
        pair + 1, o.wall, o.cpu, b.wall, b.cpu, ratios.back());
  }
  std::printf("| epoch (median of %d) | seconds | CPU seconds | target |\n|---|---|---|---|\n",
              pairs);
  std::printf("| original model, lazy_adam (0.995/0.005) | %.2f | %.2f | |\n", Median(original),
              Median(original_cpu));
  std::printf("| BPR-only, lazy_adam (1/0) | %.2f | %.2f | <= 3 s |\n", Median(bpr),
              Median(bpr_cpu));
  std::printf("ratio original / BPR-only: %.2fx (median of %d pairs; target >= 4x)\n",
              Median(ratios), pairs);
  return 0;
}

// The distinct rows an epoch's steps touch, summed over the steps: users, and
// items (positives and negatives), for batches of 1024 of a random order with
// uniform negatives, as the training stream draws them (not the same draws).
struct TouchedRows {
  double users = 0, items = 0, steps = 0;
};
TouchedRows CountTouchedRows(const Interactions& train, int32_t num_users, int32_t num_items) {
  std::mt19937_64 gen(7);
  std::vector<int64_t> order(train.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = static_cast<int64_t>(k);
  std::shuffle(order.begin(), order.end(), gen);
  std::uniform_int_distribution<int32_t> negative(0, num_items - 1);
  std::vector<uint8_t> user_seen(num_users, 0), item_seen(num_items, 0);
  std::vector<int32_t> users, items;
  TouchedRows out;
  for (size_t first = 0; first < order.size(); first += 1024) {
    const size_t last = std::min(order.size(), first + 1024);
    users.clear();
    items.clear();
    for (size_t k = first; k < last; ++k) {
      const int32_t u = train.users[order[k]], i = train.items[order[k]], j = negative(gen);
      for (auto [row, seen, list] : {std::tuple{u, &user_seen, &users},
                                     std::tuple{i, &item_seen, &items},
                                     std::tuple{j, &item_seen, &items}}) {
        if ((*seen)[row] == 0) list->push_back(row);
        (*seen)[row] = 1;
      }
    }
    for (int32_t u : users) user_seen[u] = 0;
    for (int32_t i : items) item_seen[i] = 0;
    out.users += static_cast<double>(users.size());
    out.items += static_cast<double>(items.size());
    out.steps += 1;
  }
  return out;
}

// Bytes an epoch's sparse updates move at the least (BPR-only, shared tables,
// dim 32): each touched row's cache lines read once and written once per step
// (a row's parameters are read by the forward pass and written by the update:
// counted once), and the training records (12 B: read and written by the
// shuffle, read by the batch). lazy_adam: the row, m and v (3 x 2 lines of
// U or Q, 3 x 1 line of B); rowwise_adagrad: the row and its accumulator's
// line (2 + 1 lines; B and its accumulator 1 + 1).
double EpochBytes(const TouchedRows& rows, int64_t samples, bool rowwise) {
  const double line = 64, rw = 2;  // read + write
  const double per_user = (rowwise ? 2 + 1 : 3 * 2) * line * rw;
  const double per_item = per_user + (rowwise ? 1 + 1 : 3 * 1) * line * rw;  // Q row + B
  return rows.users * per_user + rows.items * per_item + 3.0 * 12.0 * static_cast<double>(samples);
}

// The ML-25M-sized set of Ml25m, BPR-only: `pairs` alternating epochs with
// rowwise_adagrad and with lazy_adam, then the triad bandwidth on the same
// threads and each optimizer's bytes per epoch as a time bound.
int Sparse(int threads, int pairs) {
  if (threads <= 0 || pairs <= 0) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  std::printf(
      "# ML-25M-sized generated data (25,000,000 ratings, 162,541 users, 59,047 items), "
      "BPR-only (1/0), batch 1024, dim 32, shared embeddings, %d threads\n",
      threads);
  const Interactions all = Generate(25'000'000, 162541, 59047, 25);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  std::vector<double> rowwise, lazy, ratios, rowwise_cpu, lazy_cpu, cpu_ratios;
  for (int pair = 0; pair < pairs; ++pair) {
    const EpochCost r =
        OneEpoch(split, all, threads, 1.0, 0.0, OptimizerKind::kRowwiseAdagrad);
    const EpochCost l = OneEpoch(split, all, threads, 1.0, 0.0, OptimizerKind::kLazyAdam);
    rowwise.push_back(r.wall);
    lazy.push_back(l.wall);
    ratios.push_back(r.wall / l.wall);
    rowwise_cpu.push_back(r.cpu);
    lazy_cpu.push_back(l.cpu);
    cpu_ratios.push_back(r.cpu / l.cpu);
    std::printf("pair %d: rowwise_adagrad %.2f s (%.2f CPU s), lazy_adam %.2f s (%.2f CPU s), "
                "ratio %.2f\n",
                pair + 1, r.wall, r.cpu, l.wall, l.cpu, ratios.back());
  }
  ThreadPool pool(threads);
  const bench::Bandwidth bw = bench::TriadBandwidth(pool);
  const TouchedRows rows = CountTouchedRows(split.train, all.num_users, all.num_items);
  const auto samples = static_cast<int64_t>(split.train.size());
  std::printf("triad bandwidth, %d threads, 3 x %.0f MiB arrays: %.1f GB/s\n", threads,
              bw.array_mib, bw.gb_per_s);
  std::printf("touched rows per step (mean of %.0f): %.0f users, %.0f items\n", rows.steps,
              rows.users / rows.steps, rows.items / rows.steps);
  std::printf("| BPR-only epoch (median of %d) | seconds | CPU seconds | GB moved | "
              "bound at %.1f GB/s | bound / epoch |\n|---|---|---|---|---|---|\n",
              pairs, bw.gb_per_s);
  for (const bool rw : {true, false}) {
    const double seconds = Median(rw ? rowwise : lazy);
    const double gb = EpochBytes(rows, samples, rw) / 1e9;
    std::printf("| %s | %.2f | %.2f | %.1f | %.2f s | %.0f%% |\n",
                rw ? "rowwise_adagrad" : "lazy_adam", seconds, Median(rw ? rowwise_cpu : lazy_cpu),
                gb, gb / bw.gb_per_s, 100.0 * gb / bw.gb_per_s / seconds);
  }
  // CPU seconds count the work of both threads whatever else the machine runs.
  std::printf("ratio rowwise_adagrad / lazy_adam: %.2f wall, %.2f CPU (medians of %d pairs; "
              "target <= 0.60)\n",
              Median(ratios), Median(cpu_ratios), pairs);
  return 0;
}

// The set of Sparse, `epochs` BPR-only epochs with `optimizer` alone.
int SparseOnly(int threads, int epochs, const char* optimizer) {
  const Result<OptimizerKind> kind = ParseOptimizerKind(optimizer);
  if (!kind.ok() || threads <= 0 || epochs <= 0) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  const Interactions all = Generate(25'000'000, 162541, 59047, 25);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const EpochCost c = OneEpoch(split, all, threads, 1.0, 0.0, *kind);
    std::printf("%s, BPR-only, %d threads: epoch %.2f s (%.2f CPU s)\n", optimizer, threads, c.wall,
                c.cpu);
  }
  return 0;
}

// The training rows of Sparse's set as LIBMF lines, "user item 1".
int WriteLibmf(const char* path) {
  const Interactions all = Generate(25'000'000, 162541, 59047, 25);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  std::FILE* out = std::fopen(path, "w");
  if (out == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", path);
    return 1;
  }
  for (size_t k = 0; k < split.train.size(); ++k)
    std::fprintf(out, "%d %d 1\n", split.train.users[k], split.train.items[k]);
  const bool ok = std::fclose(out) == 0;
  std::printf("%zu rows written to %s\n", split.train.size(), path);
  return ok ? 0 : 1;
}

// Any size: ratings users items optimizer threads.
int Custom(char** argv) {
  const int64_t ratings = std::atoll(argv[0]);
  const int users = std::atoi(argv[1]), items = std::atoi(argv[2]);
  auto kind = ParseOptimizerKind(argv[3]);
  const int threads = std::atoi(argv[4]);
  if (!kind.ok() || ratings <= 0 || users <= 0 || items <= 0 || threads <= 0) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  const Interactions all = Generate(ratings, users, items, 3);
  const TrainTestSplit split = RandomTrainTestSplit(all, 0.05);
  const EpochTiming t = TrainOneEpoch(split, all, threads, *kind, true);
  std::printf(
      "%lld ratings, %d users, %d items, %s, %d threads: epoch %.2f s (%.3f us/sample), "
      "eval %.2f s (%.2f ns/score), peak %.0f MiB\n",
      static_cast<long long>(ratings), users, items, argv[3], threads, t.train_seconds,
      t.train_seconds / static_cast<double>(split.train.size()) * 1e6, t.eval_seconds,
      t.eval_seconds / (static_cast<double>(t.eval.mrr_users) * (items + 1)) * 1e9, PeakRssMiB());
  return 0;
}

}  // namespace
// The measured FMA peak on 1 and on `threads` threads.
int Peak(int threads) {
  for (int t : {1, threads}) {
    ThreadPool pool(t);
    const bench::FmaPeak peak = bench::MeasureFmaPeak(pool);
    std::printf("fma peak, %d thread%s, %d-float vectors: %.1f GFLOP/s\n", t, t == 1 ? "" : "s",
                peak.vector_floats, peak.gflops);
    if (t == threads) break;
  }
  return 0;
}

}  // namespace mtrec

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "peak") return mtrec::Peak(argc > 2 ? std::atoi(argv[2]) : 2);
  if (mode == "scaling") return mtrec::Scaling();
  if (mode == "ml25m" && argc > 3) return mtrec::Ml25mBackends(std::atoi(argv[2]), argv[3]);
  if (mode == "ml25m") return mtrec::Ml25m(argc > 2 ? std::atoi(argv[2]) : 2);
  if (mode == "bpr") {
    return mtrec::Bpr(argc > 2 ? std::atoi(argv[2]) : 2, argc > 3 ? std::atoi(argv[3]) : 1);
  }
  if (mode == "sparse" && argc == 5) {
    return mtrec::SparseOnly(std::atoi(argv[2]), std::atoi(argv[3]), argv[4]);
  }
  if (mode == "sparse") {
    return mtrec::Sparse(argc > 2 ? std::atoi(argv[2]) : 2, argc > 3 ? std::atoi(argv[3]) : 1);
  }
  if (mode == "libmf" && argc == 3) return mtrec::WriteLibmf(argv[2]);
  if (mode == "custom" && argc == 7) return mtrec::Custom(argv + 2);
  std::fprintf(stderr,
               "usage: mtrec_bench_scale scaling | ml25m [threads] [backends] | bpr [threads] [pairs] | "
               "sparse [threads] [pairs] | sparse THREADS EPOCHS OPTIMIZER | libmf FILE | custom RATINGS USERS ITEMS OPTIMIZER THREADS\n");
  return 2;
}
