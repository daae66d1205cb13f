// mtrec train --train/--test/--validation: a predefined split trains exactly
// as the same split carved internally (bit for bit), the saved model serves
// evaluate/recommend/predict, and conflicting flags or bad files are one-line
// errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "mtrec/dataset.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::CommandResult;
using testing::MetricsWithoutTimes;
using testing::ReadFile;
using testing::RunMtrec;
using testing::TempDir;
using testing::WriteFile;

// The same data as one file (all.data) and as the original's split of it
// (train.data, test.data), and the training part's own validation split
// (fit.data, valid.data), all with raw ids.
struct SplitFixture {
  TempDir dir;
  SplitFixture() {
    const Interactions all = testing::MakeSyntheticRatings(40, 60, 3000, 7);
    testing::WriteUData(dir / "all.data", all);
    Result<TrainTestSplit> split = SplitInteractions(all, 0.05);
    Result<TrainTestSplit> carved = SplitInteractions(split->train, 0.05, 321);
    testing::WriteUData(dir / "train.data", split->train);
    testing::WriteUData(dir / "test.data", split->test);
    testing::WriteUData(dir / "fit.data", carved->train);
    testing::WriteUData(dir / "valid.data", carved->test);
  }
  CommandResult Train(const std::string& run, std::vector<std::string> args) const {
    std::vector<std::string> all = {"train", "--logdir", dir / run, "--threads", "1", "--seed", "3"};
    all.insert(all.end(), args.begin(), args.end());
    return RunMtrec(all);
  }
  // refit.json without its timings.
  std::string Refit(const std::string& run) const {
    nlohmann::json j = nlohmann::json::parse(ReadFile(dir.path() / run / "refit.json"));
    for (auto it = j.begin(); it != j.end();) {
      it = it.key().find("seconds") != std::string::npos ? j.erase(it) : std::next(it);
    }
    return j.dump();
  }
};

TEST(SplitCli, FilesTrainAsTheSameSplitCarvedInternally) {
  SplitFixture f;
  const std::vector<std::string> recipe = {"--recipe", "mtrec", "--epochs", "3", "--raw_ids"};
  std::vector<std::string> whole = recipe, files = recipe, valid = recipe;
  whole.insert(whole.end(), {"--dataset", f.dir / "all.data"});
  files.insert(files.end(), {"--train", f.dir / "train.data", "--test", f.dir / "test.data",
                             "--save", f.dir / "files.mtrec"});
  valid.insert(valid.end(), {"--train", f.dir / "fit.data", "--validation", f.dir / "valid.data",
                             "--test", f.dir / "test.data"});
  const CommandResult a = f.Train("whole", whole);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const CommandResult b = f.Train("files", files);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const CommandResult c = f.Train("valid", valid);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  // The validation rows carved from the training file, as from the whole set.
  EXPECT_EQ(MetricsWithoutTimes(f.dir.path() / "whole"), MetricsWithoutTimes(f.dir.path() / "files"));
  EXPECT_EQ(f.Refit("whole"), f.Refit("files"));
  // A validation file holding those rows: the same selection (the refit's
  // rows are then the two files in order, not the whole split's order).
  EXPECT_EQ(MetricsWithoutTimes(f.dir.path() / "whole"), MetricsWithoutTimes(f.dir.path() / "valid"));
  EXPECT_NE(c.out.find("validation rows from " + f.dir / "valid.data"), std::string::npos) << c.out;
  const nlohmann::json config = nlohmann::json::parse(
      testing::ReadLines(f.dir.path() / "valid" / "config.json").at(0))["config"]["data"];
  EXPECT_EQ(config["validation_path"], f.dir / "valid.data");
  EXPECT_EQ(config["validation_fraction"], 0.0);  // the recipe's 5 % gave way to the file
  EXPECT_EQ(config["dataset"], "");

  // The saved model finds its split files again.
  const CommandResult eval = RunMtrec({"evaluate", "--model", f.dir / "files.mtrec", "--format",
                                       "json", "--threads", "1"});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const nlohmann::json evaluated = nlohmann::json::parse(eval.out);
  EXPECT_EQ(evaluated["test_interactions"], 150) << eval.out;
  const nlohmann::json refit =
      nlohmann::json::parse(ReadFile(f.dir.path() / "files" / "refit.json"));
  EXPECT_EQ(evaluated["metrics"]["mrr"], refit["mrr"]) << eval.out;  // the same rows and model
  const CommandResult predict =
      RunMtrec({"predict", "--model", f.dir / "files.mtrec", "--user", "1", "--item", "2"});
  EXPECT_EQ(predict.exit_code, 0) << predict.err;
  const CommandResult rec = RunMtrec({"recommend", "--model", f.dir / "files.mtrec", "--user", "1"});
  EXPECT_EQ(rec.exit_code, 0) << rec.err;
  const CommandResult moved = RunMtrec(
      {"evaluate", "--model", f.dir / "files.mtrec", "--dataset", f.dir / "all.data"});
  EXPECT_EQ(moved.exit_code, 2);
  EXPECT_NE(moved.err.find("predefined split"), std::string::npos) << moved.err;
}

TEST(SplitCli, ConflictingFlagsAreUsageErrors) {
  SplitFixture f;
  const std::string train = f.dir / "train.data", test = f.dir / "test.data";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--dataset", train, "--train", train, "--test", test}, "--dataset and --train"},
      {{"--train", train, "--test", test, "--test_fraction", "0.1"}, "--test_fraction and --test"},
      {{"--train", train, "--test", test, "--validation", test, "--validation_fraction", "0.1"},
       "--validation_fraction and --validation"},
      {{"--train", train}, "--train needs --test"},
      {{"--test", test}, "--test needs --train"},
  };
  for (const auto& [args, expected] : cases) {
    const CommandResult r = f.Train("conflict", args);
    EXPECT_EQ(r.exit_code, 2) << expected;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(testing::CountLines(r.err), 1) << r.err;
  }
}

TEST(SplitCli, TestRowsNoTrainingRowHasAreCountedAndRanked) {
  TempDir dir;
  WriteFile(dir / "a.csv", "u1,i1,4\nu1,i2,3\nu2,i1,5\nu2,i3,2\n");
  WriteFile(dir / "b.csv", "u3,i1,4\nu1,i4,5\n");  // u3 and i4: in no training row
  const CommandResult r = RunMtrec({"train", "--train", dir / "a.csv", "--test", dir / "b.csv",
                                    "--logdir", dir / "run", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("data    " + dir / "a.csv" + " + " + dir / "b.csv" + ": 6 interactions"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 test users and 1 test items have no training row"), std::string::npos)
      << r.out;
  const nlohmann::json run =
      nlohmann::json::parse(testing::ReadLines(dir.path() / "run" / "config.json").at(0))["run"];
  EXPECT_EQ(run["untrained_test_users"], 1);
  EXPECT_EQ(run["untrained_test_items"], 1);
  // Both test users are ranked (the original's MRR counts every test user).
  EXPECT_EQ(nlohmann::json::parse(testing::ReadLines(dir.path() / "run" / "metrics.jsonl").at(0))
                ["mrr_users"],
            2);
}

TEST(SplitCli, BadFilesNameTheFlagOrTheLine) {
  SplitFixture f;
  const CommandResult missing =
      f.Train("missing", {"--train", f.dir / "nope.data", "--test", f.dir / "test.data"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("--train: no such file '" + f.dir / "nope.data" + "'"),
            std::string::npos)
      << missing.err;
  WriteFile(f.dir / "bad.data", "1\t2\t3\t4\n1\t2\tx\t4\n");
  const CommandResult bad =
      f.Train("bad", {"--train", f.dir / "train.data", "--test", f.dir / "bad.data"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.data:2"), std::string::npos) << bad.err;
  EXPECT_EQ(testing::CountLines(bad.err), 1) << bad.err;
}

}  // namespace
}  // namespace mtrec
