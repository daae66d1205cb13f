// The configuration schema (mtrec/config_schema.h): one entry per field, whose
// range gives validation its messages, and whose names front ends translate.
#include "mtrec/config_schema.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <string>

#include "mtrec/config_names.h"

namespace mtrec {
namespace {

TEST(ConfigSchema, EveryNameIsDeclaredOnce) {
  std::set<std::string> names, flags, keys, keywords;
  for (const ConfigField& f : ConfigFields()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_NE(std::string(f.doc), "") << f.name;
    EXPECT_EQ(f.flag == nullptr, f.flag_form == FlagForm::kNoFlag) << f.name;
    EXPECT_EQ(f.json == nullptr, f.json_form == JsonForm::kNotWritten) << f.name;
    if (f.flag != nullptr) {
      EXPECT_TRUE(flags.insert(f.flag).second) << f.flag;
    }
    if (f.json != nullptr) {
      EXPECT_TRUE(keys.insert(f.json).second) << f.json;
    }
    if (f.python != nullptr) {
      EXPECT_TRUE(keywords.insert(f.python).second) << f.python;
    }
    EXPECT_EQ(FindConfigField(f.name), &f);
  }
  EXPECT_EQ(FindConfigField("no_such_field"), nullptr);
}

TEST(ConfigSchema, DefaultsAreValidAndRangesGiveTheMessages) {
  const ExperimentConfig defaults;
  for (const ConfigField& f : ConfigFields()) EXPECT_TRUE(CheckField(f, defaults).ok()) << f.name;

  TrainConfig train;
  train.negatives = 0;
  EXPECT_EQ(train.Validate().message(), "negatives: expected an integer in [1, 1000], got 0");
  train = TrainConfig{};
  train.optimizer.learning_rate = 0;
  EXPECT_EQ(train.Validate().message(), "learning_rate: expected a finite number > 0, got 0");
  train = TrainConfig{};
  train.optimizer.beta2 = 1;
  EXPECT_EQ(train.Validate().message(), "beta2: expected a number in [0, 1), got 1");
  train = TrainConfig{};
  train.rating_l2 = std::numeric_limits<double>::infinity();
  EXPECT_EQ(train.Validate().message(), "rating_l2: expected a finite number >= 0, got inf");
  ExperimentConfig split;
  split.test_fraction = 1;
  EXPECT_EQ(split.Validate().message(), "test_fraction: expected a number in (0, 1), got 1");
  ExperimentConfig x;
  x.threads = -1;
  EXPECT_EQ(x.Validate().message(),
            "threads: expected 0 (every hardware thread) or an integer in [1, 1024], got -1");
  x.threads = 0;
  EXPECT_TRUE(x.Validate().ok());
  x.early_stopping.patience = 0;  // checked only when early stopping is on
  EXPECT_TRUE(x.Validate().ok());
  x.early_stopping.metric = Metric::kMrr;
  x.validation_fraction = 0.1;
  EXPECT_EQ(x.Validate().message(), "patience: expected an integer >= 1, got 0");
  x.early_stopping.patience = 3;
  x.early_stopping.rating_l2_grid = {10, 30};  // a grid needs per-head selection
  EXPECT_EQ(x.Validate().message(),
            "rating_l2_grid: needs early_stopping per_head (it chooses rating_l2 by the rating "
            "head's validation MSE)");
  x.early_stopping.per_head = true;
  x.model.shared_embeddings = false;
  EXPECT_TRUE(x.Validate().ok());
  x.early_stopping.rating_l2_grid = {10, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_EQ(x.Validate().message(),
            "rating_l2_grid: expected every value to be a finite number >= 0, got nan");
  ModelConfig model;
  model.num_users = model.num_items = 1;
  model.hidden_layers = {64, 0};
  EXPECT_EQ(model.Validate().message(),
            "hidden_layers: expected every value to be an integer in [1, 65536], got 0");
}

TEST(ConfigSchema, FieldTextIsWhatFlagsSpell) {
  ExperimentConfig x;
  x.model.hidden_layers = {128, 64};
  x.train.optimizer.kind = OptimizerKind::kLazyAdam;
  x.early_stopping.metric = Metric::kMrr;
  x.early_stopping.per_head = true;
  EXPECT_EQ(FieldText(*FindConfigField("hidden_layers"), x), "128,64");
  x.early_stopping.rating_l2_grid = {10, 0.5};
  EXPECT_EQ(FieldText(*FindConfigField("rating_l2_grid"), x), "10,0.5");
  EXPECT_EQ(FieldText(*FindConfigField("optimizer"), x), "lazy_adam");
  EXPECT_EQ(FieldText(*FindConfigField("early_stopping"), x), "per_head");
  EXPECT_EQ(FieldText(*FindConfigField("learning_rate"), x), "0.001");
  EXPECT_EQ(FieldText(*FindConfigField("shared_embeddings"), x), "true");
}

TEST(ConfigNames, EveryEnumParsesItsOwnName) {
  for (BprLoss loss : {BprLoss::kSigmoid, BprLoss::kLog}) {
    EXPECT_EQ(*ParseBprLoss(BprLossName(loss)), loss);
  }
  EXPECT_EQ(ParseBprLoss("hinge").status().message(),
            "bpr_loss: expected sigmoid or log, got 'hinge'");
  for (const char* rule : {"none", "mrr", "mse", "per_head"}) {
    EarlyStoppingConfig c;
    ASSERT_TRUE(ParseEarlyStoppingRule(rule, &c).ok()) << rule;
    EXPECT_EQ(EarlyStoppingRuleName(c), std::string(rule));
  }
  EarlyStoppingConfig c;
  EXPECT_EQ(ParseEarlyStoppingRule("auc", &c).message(),
            "early_stopping: expected mrr, mse, per_head or none, got 'auc'");
  for (DuplicatePolicy p : {DuplicatePolicy::kKeep, DuplicatePolicy::kFirst, DuplicatePolicy::kLast,
                            DuplicatePolicy::kError}) {
    EXPECT_EQ(*ParseDuplicatePolicy(DuplicatePolicyName(p)), p);
  }
  EXPECT_EQ(BackendNames().front(), "cpu");
}

// The Python binding is a front end over the public API: it includes only
// headers of include/mtrec/.
TEST(ConfigNames, PythonIncludesOnlyPublicHeaders) {
  const std::filesystem::path root = std::filesystem::path(MTREC_TESTDATA_DIR) / ".." / "..";
  const std::regex include("#include \"(mtrec/[^\"]+)\"");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root / "python" / "src")) {
    std::ifstream in(entry.path());
    ++files;
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_search(line, m, include)) {
        EXPECT_TRUE(std::filesystem::exists(root / "include" / m[1].str()))
            << entry.path().filename() << ": " << line;
      }
    }
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace mtrec
