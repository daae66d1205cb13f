// The run folder's JSON: keys in a fixed order, numbers that read back to the
// same double, and NaN (a diverged metric) written as null, never as `nan`.
#include "mtrec/report/run_directory.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "mtrec/train/config_json.h"

namespace mtrec {
namespace {

TEST(RunDirectory, EpochLinesRoundTripNumbersAndWriteNanAsNull) {
  EpochStats s;
  s.epoch = 7;
  s.losses.factorization = 1.0 / 3.0;
  s.losses.regression = 0.1;
  s.losses.joint = 2.5e-17;
  s.eval.mrr = std::nan("");
  s.eval.mse = HUGE_VAL;
  s.eval.mrr_users = 842;
  s.train_seconds = 0.25;
  s.eval_seconds = 0.125;
  const std::string line = EpochJson(s);
  EXPECT_EQ(line.rfind("{\"epoch\":7,\"factorization_loss\":", 0), 0u) << line;
  const std::string third = "\"factorization_loss\":";
  const size_t at = line.find(third) + third.size();
  EXPECT_EQ(std::stod(line.substr(at)), 1.0 / 3.0) << line;
  EXPECT_NE(line.find("\"regression_loss\":0.1,"), std::string::npos) << line;
  EXPECT_NE(line.find("\"mrr\":null"), std::string::npos) << line;
  EXPECT_NE(line.find("\"mse\":null"), std::string::npos) << line;
  EXPECT_EQ(line.find("nan"), std::string::npos) << line;
  EXPECT_LT(line.find("\"mrr_users\""), line.find("\"train_seconds\"")) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  s.has_validation = true;
  s.validation.mrr = 0.5;
  const std::string with_val = EpochJson(s);
  EXPECT_LT(with_val.find("\"val_mrr\":0.5"), with_val.find("\"train_seconds\"")) << with_val;
}

// config.json: the configuration in the codec's form (readable back with it,
// the table sizes from the data) and the run's facts beside it.
TEST(RunDirectory, ConfigJsonHoldsTheCodecsConfigurationAndTheRunsFacts) {
  ExperimentConfig config;
  config.epochs = 4;
  config.train.seed = 5;
  config.threads = 3;
  RunInfo info;
  info.dataset_path = "/data/u.data";
  info.num_users = 944;
  info.num_items = 1683;
  info.interactions = 100000;
  info.train_size = 95000;
  info.test_size = 5000;
  info.test_users = 842;
  info.parameters = 92020;
  info.threads = 2;
  const std::string text = ConfigJson(config, info);
  EXPECT_EQ(text.back(), '\n');
  const auto j = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(j.begin().key(), "mtrec_version");
  ExperimentConfig read;
  const Status s = ExperimentConfigFromJson(j.at("config"), &read);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(read.epochs, 4);
  EXPECT_EQ(read.train.seed, 5u);
  EXPECT_EQ(read.model.num_users, 944);
  EXPECT_EQ(read.model.num_items, 1683);
  const auto& run = j.at("run");
  EXPECT_EQ(run.at("threads"), 2);
  EXPECT_EQ(run.at("parameters"), 92020);
  EXPECT_EQ(run.at("data_path"), "/data/u.data");
  EXPECT_EQ(run.at("interactions"), 100000);
  EXPECT_EQ(run.at("train_size"), 95000);
  EXPECT_EQ(run.at("test_size"), 5000);
  EXPECT_EQ(run.at("test_users"), 842);
}

}  // namespace
}  // namespace mtrec
