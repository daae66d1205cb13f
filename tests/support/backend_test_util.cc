#include "support/backend_test_util.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

#include "mtrec/data/split.h"
#include "support/synthetic.h"

namespace mtrec::testing {

std::string TestNameSafe(std::string s) {
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

Status BackendAvailability(const std::string& name) {
  ModelConfig mc;
  mc.num_users = 2;
  mc.num_items = 2;
  mc.embedding_dim = 2;
  mc.hidden_layers = {2};
  Result<std::unique_ptr<Backend>> made = MakeBackend(name, mc, BackendOptions{1});
  if (!made.ok() && made.status().code() == Status::Code::kUnavailable) return made.status();
  return Status::Ok();
}

std::unique_ptr<Backend> NewBackend(const std::string& name, const ModelConfig& mc, int threads,
                                    uint64_t init_seed) {
  Result<std::unique_ptr<Backend>> made = MakeBackend(name, mc, BackendOptions{threads});
  if (!made.ok()) {
    ADD_FAILURE() << "MakeBackend(" << name << "): " << made.status().message();
    return nullptr;
  }
  std::unique_ptr<Backend> backend = std::move(made).value();
  EXPECT_EQ(backend->name(), name);
  if (init_seed != 0) backend->WriteParams([&](MultiTaskNet& net) { net.InitRandom(init_seed); });
  if (mc.rating_implicit) {
    // N(u): user u has min(u % 4, items) items from 3u on, every other one
    // (user 0 none); users 0..num_users - 2 only (the last one: none at all).
    Interactions sets;
    sets.num_users = mc.num_users - 1;
    sets.num_items = mc.num_items;
    for (UserId u = 0; u + 1 < mc.num_users; ++u) {
      for (int k = 0; k < std::min(u % 4, mc.num_items); ++k) {
        sets.users.push_back(u);
        sets.items.push_back(static_cast<ItemId>((3 * u + 2 * k) % mc.num_items));
        sets.ratings.push_back(1.0f);
      }
    }
    auto built = std::make_shared<const UserItemSets>(UserItemSets::Build(sets));
    backend->WriteParams([&](MultiTaskNet& net) { net.SetImplicitItems(built); });
  }
  return backend;
}

std::unique_ptr<Backend> NewBackendFrom(const std::string& name, const MultiTaskNet& net,
                                        int threads) {
  Result<std::unique_ptr<Backend>> made = MakeBackend(name, net.config(), BackendOptions{threads});
  if (!made.ok()) {
    ADD_FAILURE() << "MakeBackend(" << name << "): " << made.status().message();
    return nullptr;
  }
  std::unique_ptr<Backend> backend = std::move(made).value();
  backend->WriteParams([&](MultiTaskNet& to) {
    std::copy(net.params().begin(), net.params().end(), to.params().begin());
    to.SetImplicitItems(net.implicit_items());
  });
  return backend;
}

std::vector<float> ParamsOf(const Backend& backend) {
  const std::span<const float> p = backend.net().params();
  return {p.begin(), p.end()};
}

void FillUniform(Backend& backend, float scale, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  backend.WriteParams([&](MultiTaskNet& net) {
    for (float& v : net.params()) v = dist(gen);
  });
}

const SmallData& SmallSyntheticData() {
  static const SmallData* const data = [] {
    const Interactions all = MakeSyntheticRatings(60, 80, 3000, 11);
    TrainTestSplit split = RandomTrainTestSplit(all, 0.1);
    return new SmallData{std::move(split.train), std::move(split.test)};
  }();
  return *data;
}

ModelConfig SmallModelConfig(const Interactions& data, bool shared, std::vector<int> hidden,
                             bool user_bias) {
  ModelConfig mc;
  mc.num_users = data.num_users;
  mc.num_items = data.num_items;
  mc.embedding_dim = 8;
  mc.hidden_layers = std::move(hidden);
  mc.shared_embeddings = shared;
  mc.user_bias = user_bias;
  return mc;
}

TrainConfig SmallTrainConfig(OptimizerKind kind) {
  TrainConfig tc;
  tc.batch_size = 300;
  tc.seed = 7;
  tc.factorization_weight = 0.5;
  tc.regression_weight = 0.5;
  tc.optimizer.kind = kind;
  return tc;
}

OwnedBatch RandomBatch(const ModelConfig& mc, int size, uint32_t seed) {
  std::mt19937 gen(seed);
  OwnedBatch b;
  for (int s = 0; s < size; ++s) {
    b.users.push_back(static_cast<UserId>(gen() % static_cast<uint32_t>(mc.num_users)));
    b.items.push_back(static_cast<ItemId>(gen() % static_cast<uint32_t>(mc.num_items)));
    b.negatives.push_back(static_cast<ItemId>(gen() % static_cast<uint32_t>(mc.num_items)));
    b.ratings.push_back(static_cast<float>(1 + gen() % 5));
  }
  return b;
}

namespace {

const double* RowOf(const MultiTaskNet& net, std::span<const double> params, int block,
                    int64_t row) {
  const ParamBlock& b = net.layout().block(block);
  return params.data() + b.offset + row * b.cols;
}

}  // namespace

double ReferenceScore(const MultiTaskNet& net, std::span<const double> params, UserId u, ItemId i) {
  const MultiTaskNet::Roles& roles = net.roles();
  const double* user = RowOf(net, params, roles.u_fact, u);
  const double* item = RowOf(net, params, roles.q_fact, i);
  double score = *RowOf(net, params, roles.item_bias, i);
  for (int k = 0; k < net.ranking_dim(); ++k) score += user[k] * item[k];
  if (roles.user_bias >= 0) score += *RowOf(net, params, roles.user_bias, u);
  return score;
}

double ReferencePrediction(const MultiTaskNet& net, std::span<const double> params, UserId u,
                           ItemId i) {
  const MultiTaskNet::Roles& roles = net.roles();
  const int d = net.embedding_dim();
  const double* row = RowOf(net, params, roles.u_reg, u);
  const double* item = RowOf(net, params, roles.q_reg, i);
  // With rating_implicit the head reads U_r[u] + |N(u)|^-1/2 sum_{j in N(u)} Y[j].
  std::vector<double> user(row, row + d);
  const UserItemSets* sets = net.implicit_items().get();
  if (roles.implicit_item >= 0 && sets != nullptr && u < sets->num_users() &&
      !sets->Of(u).empty()) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(sets->Of(u).size()));
    for (const ItemId j : sets->Of(u)) {
      const double* y = RowOf(net, params, roles.implicit_item, j);
      for (int k = 0; k < d; ++k) user[k] += scale * y[k];
    }
  }
  std::vector<double> in(3 * static_cast<size_t>(d));
  for (int k = 0; k < d; ++k) {
    in[k] = user[k];
    in[d + k] = item[k];
    in[2 * d + k] = user[k] * item[k];
  }
  const MlpShape& mlp = net.mlp();
  for (int l = 0; l < mlp.num_layers(); ++l) {
    // nn.Linear: W [out x in] row-major, then the bias; ReLU after all but the last.
    const double* w = params.data() + roles.mlp_offset + mlp.weight_offset(l);
    const double* bias = params.data() + roles.mlp_offset + mlp.bias_offset(l);
    std::vector<double> out(mlp.out(l));
    for (int o = 0; o < mlp.out(l); ++o) {
      double v = bias[o];
      for (int k = 0; k < mlp.in(l); ++k) v += w[static_cast<int64_t>(o) * mlp.in(l) + k] * in[k];
      out[o] = l + 1 < mlp.num_layers() ? std::max(v, 0.0) : v;
    }
    in = std::move(out);
  }
  double terms = 0;  // MultiTaskNet::RatingTerms: the biases, then the dot
  if (roles.rating_user_bias >= 0) {
    terms = *RowOf(net, params, roles.rating_user_bias, u) +
            *RowOf(net, params, roles.rating_item_bias, i);
  }
  if (net.config().rating_dot) {
    for (int k = 0; k < d; ++k) terms += user[k] * item[k];
  }
  return in.at(0) + terms;
}

double ReferenceJoint(const MultiTaskNet& net, std::span<const double> params, const Batch& batch,
                      const TrainConfig& config) {
  double bpr_sum = 0, se_sum = 0;
  for (size_t s = 0; s < batch.size(); ++s) {
    const UserId u = batch.users[s];
    const double x = ReferenceScore(net, params, u, batch.items[s]) -
                     ReferenceScore(net, params, u, batch.negatives[s]);
    bpr_sum += config.bpr_loss == BprLoss::kSigmoid ? 1.0 - 1.0 / (1.0 + std::exp(-x))
                                                    : std::log1p(std::exp(-x));
    const double err = batch.ratings[s] - ReferencePrediction(net, params, u, batch.items[s]);
    se_sum += err * err;
  }
  const double n = static_cast<double>(batch.size());
  return config.factorization_weight * bpr_sum / n + config.regression_weight * se_sum / n;
}

std::vector<double> ParamsAsDouble(const MultiTaskNet& net) {
  return {net.params().begin(), net.params().end()};
}

}  // namespace mtrec::testing
