// The one JSON codec of ExperimentConfig (train/config_json.h): every field
// survives a round trip, and a bad value is refused naming its key.
#include "mtrec/train/config_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace mtrec {
namespace {

using Json = nlohmann::ordered_json;

// Every field of ExperimentConfig set away from its default.
ExperimentConfig EveryFieldChanged() {
  ExperimentConfig x;
  x.data.dataset = "/data/ratings.csv";
  x.data.data_dir = "/cache";
  x.data.format.auto_separator = false;
  x.data.format.separator = ";";
  x.data.format.header = HeaderMode::kPresent;
  x.data.format.columns = {RatingsColumn::kItem, RatingsColumn::kSkip, RatingsColumn::kUser,
                           RatingsColumn::kRating};
  x.data.ids = IdPolicy::kRemap;
  x.data.duplicates = DuplicatePolicy::kLast;
  x.data.download_timeout_seconds = 5;  // run settings, not in the codec
  x.data.threads = 3;
  x.data.on_download = [](const DownloadEvent&) {};
  x.test_fraction = 0.1;
  x.validation_fraction = 1.0 / 3.0;
  x.epochs = 7;
  x.model.num_users = 11;
  x.model.num_items = 13;
  x.model.embedding_dim = 8;
  x.model.hidden_layers = {5, 3};
  x.model.shared_embeddings = false;
  x.model.user_bias = true;
  x.train.factorization_weight = 0.7;
  x.train.regression_weight = 0.3;
  x.train.bpr_loss = BprLoss::kLog;
  x.train.batch_size = 17;
  x.train.optimizer.kind = OptimizerKind::kAdagrad;
  x.train.optimizer.learning_rate = 0.02;
  x.train.optimizer.weight_decay = 1e-4;
  x.train.optimizer.beta1 = 0.8;
  x.train.optimizer.beta2 = 0.99;
  x.train.optimizer.eps = 1e-6;
  x.train.seed = 4'000'000'000u;  // above INT32_MAX
  x.threads = 5;                  // a run setting, not in the codec
  x.init_weights = "/weights";
  x.early_stopping.metric = Metric::kMse;
  x.early_stopping.patience = 3;
  return x;
}

TEST(ConfigJson, EveryFieldSurvivesARoundTripThroughText) {
  const ExperimentConfig x = EveryFieldChanged();
  const std::string text = ExperimentConfigToJson(x).dump();
  ExperimentConfig y;
  y.threads = 2;
  y.data.threads = 1;
  y.data.download_timeout_seconds = 60;
  const Status s = ExperimentConfigFromJson(Json::parse(text), &y);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(y.data.dataset, x.data.dataset);
  EXPECT_EQ(y.data.data_dir, x.data.data_dir);
  EXPECT_EQ(y.data.format.auto_separator, x.data.format.auto_separator);
  EXPECT_EQ(y.data.format.separator, x.data.format.separator);
  EXPECT_EQ(y.data.format.header, x.data.format.header);
  EXPECT_EQ(y.data.format.columns, x.data.format.columns);
  EXPECT_EQ(y.data.ids, x.data.ids);
  EXPECT_EQ(y.data.duplicates, x.data.duplicates);
  EXPECT_EQ(y.test_fraction, x.test_fraction);
  EXPECT_EQ(y.validation_fraction, x.validation_fraction);  // 1/3 bit for bit
  EXPECT_EQ(y.epochs, x.epochs);
  EXPECT_EQ(y.model.num_users, x.model.num_users);
  EXPECT_EQ(y.model.num_items, x.model.num_items);
  EXPECT_EQ(y.model.embedding_dim, x.model.embedding_dim);
  EXPECT_EQ(y.model.hidden_layers, x.model.hidden_layers);
  EXPECT_EQ(y.model.shared_embeddings, x.model.shared_embeddings);
  EXPECT_EQ(y.model.user_bias, x.model.user_bias);
  EXPECT_EQ(y.train.factorization_weight, x.train.factorization_weight);
  EXPECT_EQ(y.train.regression_weight, x.train.regression_weight);
  EXPECT_EQ(y.train.bpr_loss, x.train.bpr_loss);
  EXPECT_EQ(y.train.batch_size, x.train.batch_size);
  EXPECT_EQ(y.train.optimizer.kind, x.train.optimizer.kind);
  EXPECT_EQ(y.train.optimizer.learning_rate, x.train.optimizer.learning_rate);
  EXPECT_EQ(y.train.optimizer.weight_decay, x.train.optimizer.weight_decay);
  EXPECT_EQ(y.train.optimizer.beta1, x.train.optimizer.beta1);
  EXPECT_EQ(y.train.optimizer.beta2, x.train.optimizer.beta2);
  EXPECT_EQ(y.train.optimizer.eps, x.train.optimizer.eps);
  EXPECT_EQ(y.train.seed, x.train.seed);
  EXPECT_EQ(y.init_weights, x.init_weights);
  EXPECT_EQ(y.early_stopping.metric, x.early_stopping.metric);
  EXPECT_EQ(y.early_stopping.patience, x.early_stopping.patience);
  // How a run is executed stays out of the codec: the reader's values are kept.
  EXPECT_EQ(y.threads, 2);
  EXPECT_EQ(y.data.threads, 1);
  EXPECT_EQ(y.data.download_timeout_seconds, 60);
  EXPECT_FALSE(y.data.on_download);
  EXPECT_EQ(text.find("threads"), std::string::npos) << text;
  EXPECT_EQ(text.find("timeout"), std::string::npos) << text;
  // Reading and writing again gives the same text.
  EXPECT_EQ(ExperimentConfigToJson(y).dump(), text);
}

// A field added later (kAdded) is written only when set, and read back.
TEST(ConfigJson, AListOfNumbersRoundTrips) {
  ExperimentConfig x;
  x.early_stopping.rating_l2_grid = {10, 0.1};
  const Json j = ExperimentConfigToJson(x);
  EXPECT_EQ(j["early_stopping"]["rating_l2_grid"], Json::array({10.0, 0.1}));
  EXPECT_FALSE(
      ExperimentConfigToJson(ExperimentConfig{})["early_stopping"].contains("rating_l2_grid"));
  ExperimentConfig y;
  ASSERT_TRUE(ExperimentConfigFromJson(Json::parse(j.dump()), &y).ok());
  EXPECT_EQ(y.early_stopping.rating_l2_grid, x.early_stopping.rating_l2_grid);  // 0.1 exactly
}

TEST(ConfigJson, TheDefaultsRoundTripToo) {
  ExperimentConfig y = EveryFieldChanged();
  ASSERT_TRUE(ExperimentConfigFromJson(ExperimentConfigToJson(ExperimentConfig{}), &y).ok());
  EXPECT_EQ(ExperimentConfigToJson(y), ExperimentConfigToJson(ExperimentConfig{}));
  EXPECT_EQ(y.early_stopping.metric, Metric::kNone);
  EXPECT_EQ(y.data.ids, IdPolicy::kAuto);
  EXPECT_EQ(y.data.format.header, HeaderMode::kAuto);
}

// Each malformed or unknown value is refused with a message that names its key,
// and leaves the destination as it was.
TEST(ConfigJson, ABadValueIsRefusedNamingItsKey) {
  const Json good = ExperimentConfigToJson(EveryFieldChanged());
  const std::vector<std::pair<std::string, Json>> cases = {
      {"/train/bpr_loss", "hinge"},
      {"/train/optimizer", "adamw"},
      {"/train/seed", -1},
      {"/train/learning_rate", "fast"},
      {"/train/epochs", 2.5},
      {"/model/embedding_dim", "8"},
      {"/model/num_users", 3'000'000'000},
      {"/model/hidden_layers", Json::array({64, "x"})},
      {"/model/shared_embeddings", 1},
      {"/model", 3},
      {"/data/ids", "dense"},
      {"/data/duplicates", "mean"},
      {"/data/split_seed", 124},
      {"/data/format/header", "sometimes"},
      {"/data/format/columns", Json::array({"user", "user", "item"})},
      {"/data/format/columns", Json::array({"item", "rating"})},
      {"/early_stopping/metric", "auc"},
      {"/early_stopping/rating_l2_grid", Json::array({10, "30"})},
      {"/early_stopping/rating_l2_grid", 10},
  };
  for (const auto& [pointer, bad] : cases) {
    Json j = good;
    j[Json::json_pointer(pointer)] = bad;
    ExperimentConfig y;
    const Status s = ExperimentConfigFromJson(j, &y);
    std::string key = pointer.substr(1);
    std::replace(key.begin(), key.end(), '/', '.');
    ASSERT_FALSE(s.ok()) << pointer;
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << pointer;
    EXPECT_EQ(s.message().rfind(key + ": ", 0), 0u) << pointer << ": " << s.message();
    EXPECT_EQ(ExperimentConfigToJson(y), ExperimentConfigToJson(ExperimentConfig{})) << pointer;
  }
  Json j = good;
  j["train"].erase("l2");
  ExperimentConfig y;
  EXPECT_EQ(ExperimentConfigFromJson(j, &y).message(), "train.l2: missing");
  j = good;
  j["train"]["bpr_loss"] = "hinge";
  EXPECT_EQ(ExperimentConfigFromJson(j, &y).message(),
            "train.bpr_loss: expected sigmoid or log, got 'hinge'");
  j["train"]["bpr_loss"] = "log";
  j["train"]["optimizer"] = "adamw";
  EXPECT_EQ(ExperimentConfigFromJson(j, &y).message(),
            "train.optimizer: expected adam, lazy_adam, adagrad, sgd or rowwise_adagrad, got 'adamw'");
  EXPECT_FALSE(ExperimentConfigFromJson(Json::array(), &y).ok());
}

}  // namespace
}  // namespace mtrec
