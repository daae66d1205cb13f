// The checkpoint file: round trip, and refusal of truncated, corrupt, foreign,
// newer and differently shaped files with a clear message.
#include "mtrec/train/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "mtrec/io/tensor_file.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/train/config_json.h"
#include "support/files.h"
#include "support/golden_file.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::TempDir;

// Both ways of loading: whole, and with the tensors deferred (checked in one
// streaming pass, read afterwards), which must agree on every file.
constexpr CheckpointLoadOptions kLoadModes[] = {{.defer_tensors = false}, {.defer_tensors = true}};

Result<TrainingCheckpoint> Load(const std::filesystem::path& path,
                                const CheckpointLoadOptions& mode) {
  MTREC_ASSIGN_OR_RETURN(TrainingCheckpoint c, LoadCheckpoint(path, mode));
  if (mode.defer_tensors) {
    EXPECT_TRUE(c.params.empty());
    MTREC_RETURN_IF_ERROR(ReadDeferredTensors(c));
  }
  return c;
}

TrainingCheckpoint MakeCheckpoint(int dim) {
  TrainingCheckpoint c;
  c.config.model.num_users = 5;
  c.config.model.num_items = 7;
  c.config.model.embedding_dim = dim;
  c.config.model.hidden_layers = {6};
  c.config.epochs = 4;
  c.config.train.seed = 9;
  c.data_path = "/data/u.data";
  c.interactions = 30;
  c.fingerprint = 0xdeadbeef;
  c.item_ids = {"i0", "i1", "i2", "i3", "i4", "i5", "i6"};
  MultiTaskNet net(c.config.model);
  net.InitRandom(3);
  c.params.assign(net.params().begin(), net.params().end());
  c.optimizer = "adam";
  c.optimizer_steps = 12;
  c.optimizer_state = {{"m", std::vector<float>(c.params.size(), 0.25f)},
                       {"v", std::vector<float>(c.params.size(), 0.5f)}};
  c.rng_state = "1 2 3";
  c.epochs_done = 2;
  c.batches_done = 1;
  c.sums = {0.1, 1.0 / 3.0, 0.7, 1};
  EpochStats s;
  s.epoch = 1;
  s.losses = {0.5, 2.0, 0.51, 3};
  s.eval = {0.123456789012345678, 1.1, 5, 9};
  s.has_validation = true;
  s.validation = {0.2, 0.3, 4, 6};
  c.history = {s, s};
  c.history[1].epoch = 2;
  return c;
}

TEST(Checkpoint, RoundTripsEveryField) {
  TempDir tmp;
  TrainingCheckpoint c = MakeCheckpoint(4);
  c.best_params.assign(c.params.size(), 0.75f);
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", c).ok());
  // Written as it streams, byte for byte what the whole file's encoder gives.
  const std::string bytes = testing::ReadFile(tmp / "m.ckpt");
  auto decoded = DecodeTensorFile(bytes, "m.ckpt");
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_TRUE(EncodeTensorFile(*decoded) == bytes);
  for (const CheckpointLoadOptions& mode : kLoadModes) {
    SCOPED_TRACE(mode.defer_tensors ? "deferred" : "whole");
    auto loaded = Load(tmp / "m.ckpt", mode);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(loaded->params, c.params);
    EXPECT_EQ(loaded->best_params, c.best_params);
    EXPECT_EQ(loaded->optimizer_state, c.optimizer_state);
    EXPECT_EQ(loaded->optimizer_steps, 12);
    EXPECT_EQ(loaded->item_ids, c.item_ids);
    EXPECT_TRUE(loaded->user_ids.empty());
    EXPECT_EQ(loaded->config.model.embedding_dim, 4);
    EXPECT_EQ(loaded->config.train.seed, 9u);
    EXPECT_EQ(loaded->fingerprint, 0xdeadbeefu);
    EXPECT_EQ(loaded->rng_state, "1 2 3");
    EXPECT_EQ(loaded->sums.regression, 1.0 / 3.0);  // doubles survive bit for bit
    ASSERT_EQ(loaded->history.size(), 2u);
    EXPECT_EQ(loaded->history[0].eval.mrr, c.history[0].eval.mrr);
    EXPECT_TRUE(loaded->history[1].has_validation);
    EXPECT_EQ(loaded->history[1].epoch, 2);
  }
}

// A file written by mtrec before the configuration had one codec (format
// version 1, the 2344a59 binary: a 6-user, 8-item model with string ids,
// separate embeddings, validation and early stopping, every configuration
// field away from its default) loads with every value, and saving it again
// writes the same `config` object.
TEST(Checkpoint, ReadsAVersion1FileWrittenBeforeTheSharedCodec) {
  const std::string v1 = testing::TestDataPath("checkpoints/v1_separate_string_ids.mtrec");
  auto loaded = LoadCheckpoint(v1);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const ExperimentConfig& x = loaded->config;
  EXPECT_EQ(x.data.dataset, "/tmp/fx/ratings.csv");
  EXPECT_EQ(x.data.data_dir, "");
  EXPECT_FALSE(x.data.format.auto_separator);
  EXPECT_EQ(x.data.format.separator, ";");
  EXPECT_EQ(x.data.format.header, HeaderMode::kPresent);
  EXPECT_EQ(x.data.format.columns,
            (std::vector<RatingsColumn>{RatingsColumn::kUser, RatingsColumn::kItem,
                                        RatingsColumn::kRating}));
  EXPECT_EQ(x.data.ids, IdPolicy::kRemap);
  EXPECT_EQ(x.data.duplicates, DuplicatePolicy::kLast);
  EXPECT_EQ(x.test_fraction, 0.2);
  EXPECT_EQ(x.validation_fraction, 0.25);
  EXPECT_EQ(x.model.num_users, 6);
  EXPECT_EQ(x.model.num_items, 8);
  EXPECT_EQ(x.model.embedding_dim, 2);
  EXPECT_EQ(x.model.hidden_layers, (std::vector<int>{3, 2}));
  EXPECT_FALSE(x.model.shared_embeddings);
  EXPECT_TRUE(x.model.user_bias);
  EXPECT_FALSE(x.model.rating_dot);  // later options, absent from the file: off
  EXPECT_FALSE(x.train.unseen_negatives);
  EXPECT_EQ(x.epochs, 2);
  EXPECT_EQ(x.train.factorization_weight, 0.9);
  EXPECT_EQ(x.train.regression_weight, 0.1);
  EXPECT_EQ(x.train.bpr_loss, BprLoss::kLog);
  EXPECT_EQ(x.train.batch_size, 4);
  EXPECT_EQ(x.train.optimizer.kind, OptimizerKind::kLazyAdam);
  EXPECT_EQ(x.train.optimizer.learning_rate, 0.01);
  EXPECT_EQ(x.train.optimizer.weight_decay, 0.001);
  EXPECT_EQ(x.train.seed, 7u);
  EXPECT_EQ(x.early_stopping.metric, Metric::kMse);
  EXPECT_EQ(x.early_stopping.patience, 3);
  EXPECT_EQ(loaded->data_path, "ratings.csv");
  EXPECT_EQ(loaded->interactions, 30);
  EXPECT_EQ(loaded->fingerprint, 4149847067u);
  EXPECT_EQ(loaded->user_ids, (std::vector<std::string>{"u1", "u2", "u3", "u4", "u5", "u6"}));
  EXPECT_EQ(loaded->item_ids.size(), 8u);
  EXPECT_EQ(loaded->state, CheckpointState::kCompleted);
  EXPECT_EQ(loaded->history.size(), 2u);
  EXPECT_EQ(loaded->optimizer, "lazy_adam");

  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "again.mtrec", *loaded).ok());
  auto again = LoadCheckpoint(tmp / "again.mtrec");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->params, loaded->params);
  EXPECT_EQ(again->best_params, loaded->best_params);
  EXPECT_EQ(ExperimentConfigToJson(again->config), ExperimentConfigToJson(loaded->config));
  // The same `config` object, key for key (nlohmann::json compares objects
  // whatever their key order).
  const auto config_of = [](const std::filesystem::path& path) {
    auto file = ReadTensorFile(path);
    EXPECT_TRUE(file.ok());
    return nlohmann::json::parse(file->metadata.at("mtrec")).at("config");
  };
  EXPECT_EQ(config_of(tmp / "again.mtrec"), config_of(v1));
}

TEST(Checkpoint, RefusesAnUnknownConfigurationValueNamingItsKey) {
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", MakeCheckpoint(4)).ok());
  auto file = ReadTensorFile(tmp / "m.ckpt");
  ASSERT_TRUE(file.ok());
  auto doc = nlohmann::json::parse(file->metadata["mtrec"]);
  doc["config"]["train"]["bpr_loss"] = "hinge";
  file->metadata["mtrec"] = doc.dump();
  ASSERT_TRUE(WriteTensorFile(tmp / "bad.ckpt", *file).ok());
  auto loaded = LoadCheckpoint(tmp / "bad.ckpt");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Status::Code::kCorruption);
  EXPECT_NE(loaded.status().message().find(
                "bad.ckpt: bad configuration: config.train.bpr_loss: expected sigmoid or log, got "
                "'hinge'"),
            std::string::npos)
      << loaded.status().message();
}

TEST(Checkpoint, RefusesATruncatedFile) {
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", MakeCheckpoint(4)).ok());
  const std::string bytes = testing::ReadFile(tmp / "m.ckpt");
  for (size_t keep : {size_t{0}, size_t{5}, size_t{100}, bytes.size() - 1}) {
    testing::WriteFile(tmp / "t.ckpt", bytes.substr(0, keep));
    for (const CheckpointLoadOptions& mode : kLoadModes) {
      auto loaded = Load(tmp / "t.ckpt", mode);
      ASSERT_FALSE(loaded.ok()) << keep;
      EXPECT_EQ(loaded.status().code(), Status::Code::kCorruption);
      EXPECT_NE(loaded.status().message().find("truncated"), std::string::npos)
          << keep << ": " << loaded.status().message();
    }
  }
}

TEST(Checkpoint, RefusesAFlippedBit) {
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", MakeCheckpoint(4)).ok());
  const std::string bytes = testing::ReadFile(tmp / "m.ckpt");
  // One byte in the weights, one at the very end (optimizer state).
  for (size_t at : {bytes.size() / 2 + 200, bytes.size() - 1}) {
    std::string bad = bytes;
    bad[at] ^= 0x10;
    testing::WriteFile(tmp / "c.ckpt", bad);
    for (const CheckpointLoadOptions& mode : kLoadModes) {
      auto loaded = Load(tmp / "c.ckpt", mode);
      ASSERT_FALSE(loaded.ok());
      EXPECT_NE(loaded.status().message().find("checksum mismatch"), std::string::npos)
          << loaded.status().message();
      EXPECT_NE(loaded.status().message().find("c.ckpt"), std::string::npos);
    }
  }
}

TEST(Checkpoint, RefusesANonCheckpoint) {
  TempDir tmp;
  testing::WriteFile(tmp / "x", "user item rating\n1 2 3\n4 5 6\n7 8 9\n");
  ASSERT_EQ(::mkfifo((tmp / "fifo").c_str(), 0600), 0);
  for (const CheckpointLoadOptions& mode : kLoadModes) {
    auto loaded = LoadCheckpoint(tmp / "x", mode);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.status().message().find("not an mtrec"), std::string::npos)
        << loaded.status().message();
    EXPECT_EQ(LoadCheckpoint(tmp / "missing", mode).status().code(), Status::Code::kNotFound);
    // Refused at once: a FIFO with no writer would block a plain open.
    auto fifo = LoadCheckpoint(tmp / "fifo", mode);
    EXPECT_NE(fifo.status().message().find("not a regular file"), std::string::npos)
        << fifo.status().message();
  }
}

TEST(Checkpoint, RefusesANewerFormatVersion) {
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", MakeCheckpoint(4)).ok());
  auto file = ReadTensorFile(tmp / "m.ckpt");
  ASSERT_TRUE(file.ok());
  file->metadata["format_version"] = "2";
  ASSERT_TRUE(WriteTensorFile(tmp / "v2.ckpt", *file).ok());
  auto loaded = LoadCheckpoint(tmp / "v2.ckpt");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("format version 2 is not supported"), std::string::npos)
      << loaded.status().message();
}

TEST(Checkpoint, RefusesTensorsOfAnotherShapeThanRecorded) {
  // A validly checksummed file whose weights come from a dim-8 model while its
  // configuration says dim 4.
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "d4.ckpt", MakeCheckpoint(4)).ok());
  ASSERT_TRUE(SaveCheckpoint(tmp / "d8.ckpt", MakeCheckpoint(8)).ok());
  auto d4 = ReadTensorFile(tmp / "d4.ckpt");
  auto d8 = ReadTensorFile(tmp / "d8.ckpt");
  ASSERT_TRUE(d4.ok() && d8.ok());
  TensorFile mixed = *d8;
  mixed.metadata = d4->metadata;
  ASSERT_TRUE(WriteTensorFile(tmp / "mixed.ckpt", mixed).ok());
  auto loaded = LoadCheckpoint(tmp / "mixed.ckpt");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("tensor 'U' is 5x8 F32, the recorded model shape "
                                           "needs 5x4 F32"),
            std::string::npos)
      << loaded.status().message();
}

// A diverging run's metrics may be infinite or NaN, which JSON cannot hold:
// they are saved as "inf"/"-inf"/"nan" and read back as they were (before,
// such a checkpoint was written but could not be loaded).
TEST(Checkpoint, RoundTripsNonFiniteMetrics) {
  TempDir tmp;
  TrainingCheckpoint c = MakeCheckpoint(4);
  const double inf = std::numeric_limits<double>::infinity();
  c.history[0].eval.mse = inf;
  c.history[1].validation.mse = std::numeric_limits<double>::quiet_NaN();
  c.history[1].losses.regression = -inf;
  c.save_best = {1, inf, 1};
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", c).ok());
  auto loaded = LoadCheckpoint(tmp / "m.ckpt");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->history[0].eval.mse, inf);
  EXPECT_TRUE(std::isnan(loaded->history[1].validation.mse));
  EXPECT_EQ(loaded->history[1].losses.regression, -inf);
  EXPECT_EQ(loaded->save_best.value, inf);
  EXPECT_EQ(loaded->history[0].eval.mrr, c.history[0].eval.mrr);
}

// A hand-edited file with a recomputed checksum: a NaN or infinite weight
// (it would rank NaN) or optimizer value is refused, naming the file and tensor.
TEST(Checkpoint, RefusesNonFiniteValuesNamingTheTensor) {
  TempDir tmp;
  TrainingCheckpoint with_best = MakeCheckpoint(4);
  with_best.best_params = with_best.params;
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", with_best).ok());
  ASSERT_TRUE(LoadCheckpoint(tmp / "m.ckpt").ok());
  const float kBad[] = {std::numeric_limits<float>::quiet_NaN(),
                        std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity()};
  for (const char* tensor : {"Q", "mlp_layers.0.weight", "optimizer.v", "best_params"}) {
    for (const float bad : kBad) {
      auto file = ReadTensorFile(tmp / "m.ckpt");
      ASSERT_TRUE(file.ok());
      Tensor* t = nullptr;
      for (Tensor& candidate : file->tensors) {
        if (candidate.name == tensor) t = &candidate;
      }
      ASSERT_NE(t, nullptr) << tensor;
      std::memcpy(t->bytes.data() + t->bytes.size() - sizeof(float), &bad, sizeof(float));
      const std::filesystem::path edited = tmp / "edited.ckpt";
      std::filesystem::remove(edited);
      ASSERT_TRUE(WriteTensorFile(edited, *file).ok());
      for (const CheckpointLoadOptions& mode : kLoadModes) {
        auto loaded = Load(edited, mode);
        ASSERT_FALSE(loaded.ok()) << tensor << " " << bad;
        EXPECT_EQ(loaded.status().code(), Status::Code::kCorruption);
        EXPECT_EQ(loaded.status().message(),
                  edited.string() + ": tensor '" + tensor +
                      "' holds a value that is not finite (NaN or infinity)");
      }
    }
  }
}

TEST(Checkpoint, RefusesToLoadIntoAModelOfAnotherShape) {
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", MakeCheckpoint(4)).ok());
  auto loaded = LoadCheckpoint(tmp / "m.ckpt");
  ASSERT_TRUE(loaded.ok());
  ModelConfig other = loaded->config.model;
  other.embedding_dim = 8;
  MultiTaskNet net(other);
  const Status s = RestoreWeights(*loaded, "m.ckpt", &net);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("different model shape"), std::string::npos) << s.message();
  // The ranking tables' own width is named where it differs.
  other = loaded->config.model;
  other.shared_embeddings = false;
  other.ranking_dim = 8;
  MultiTaskNet wider(other);
  const Status w = RestoreWeights(*loaded, "m.ckpt", &wider);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.message().find("items, dim 4, shared) than expected (5 x 7, dim 4, ranking 8, "
                             "separate)"),
            std::string::npos)
      << w.message();
  MultiTaskNet same(loaded->config.model);
  ASSERT_TRUE(RestoreWeights(*loaded, "m.ckpt", &same).ok());
  EXPECT_EQ(std::vector<float>(same.params().begin(), same.params().end()), loaded->params);
}

TEST(Checkpoint, IsReadableAsSafetensors) {
  // The layout promise: u64 header length, JSON header, F32 blocks by name.
  TempDir tmp;
  const TrainingCheckpoint c = MakeCheckpoint(4);
  ASSERT_TRUE(SaveCheckpoint(tmp / "m.ckpt", c).ok());
  const std::string bytes = testing::ReadFile(tmp / "m.ckpt");
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  const std::string header = bytes.substr(8, n);
  EXPECT_NE(header.find("\"U\":{\"data_offsets\":[0,80],\"dtype\":\"F32\",\"shape\":[5,4]}"),
            std::string::npos)
      << header.substr(0, 200);
  float u00 = 0;
  std::memcpy(&u00, bytes.data() + 8 + n, 4);
  EXPECT_EQ(u00, c.params[0]);
}

}  // namespace
}  // namespace mtrec
