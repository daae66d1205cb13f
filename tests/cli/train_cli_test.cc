// End-to-end tests of `mtrec train`: bad input gives one clear line and the
// right exit code; a real run writes its table, config.json and metrics.jsonl.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "mtrec/backend/backend_registry.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/model/weights_dir.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::MtrecBinary;
using testing::ReadFile;
using testing::RunCommand;

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_ + "/u.data";
    testing::WriteUData(data_, testing::MakeSyntheticRatings(40, 60, 2000, 3));
  }

  testing::CommandResult Train(const std::string& flags) {
    return RunCommand(testing::ShellQuote(MtrecBinary()) + " train --dataset " + data_ +
                      " --logdir " + dir_ + "/run " + flags);
  }

  // One line on stderr, mentioning `needle`.
  static void ExpectOneLineError(const testing::CommandResult& r, int code,
                                 const std::string& needle) {
    SCOPED_TRACE(needle);
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }

  testing::TempDir tmp_;
  std::string dir_ = tmp_.path().string();
  std::string data_;
};

TEST_F(TrainCli, BadFlagsAreUsageErrorsNamingTheFlag) {
  ExpectOneLineError(Train("--epochs 0"), 2, "--epochs");
  ExpectOneLineError(Train("--epochs abc"), 2, "--epochs: expected an integer");
  ExpectOneLineError(Train("--test_fraction 1.5"), 2, "--test_fraction");
  ExpectOneLineError(Train("--test_fraction 0"), 2, "--test_fraction");
  ExpectOneLineError(Train("--factorization_weight -1"), 2, "--factorization_weight");
  ExpectOneLineError(Train("--factorization_weight 0 --regression_weight 0"), 2,
                     "at least one must be > 0");
  ExpectOneLineError(Train("--layers 64,,32"), 2, "--layers");
  ExpectOneLineError(Train("--layers 0"), 2, "--layers");
  ExpectOneLineError(Train("--embedding_dim -4"), 2, "--embedding_dim");
  ExpectOneLineError(Train("--batch_size 0"), 2, "--batch_size");
  ExpectOneLineError(Train("--learning_rate nan"), 2, "--learning_rate");
  ExpectOneLineError(Train("--bpr_loss hinge"), 2, "--bpr_loss");
  ExpectOneLineError(Train("--seed -1"), 2, "--seed");
  ExpectOneLineError(Train("--threads 0"), 2, "--threads");
  ExpectOneLineError(Train("--no_such_flag 3"), 2, "unknown flag --no_such_flag");
  ExpectOneLineError(Train("--e 3"), 2, "ambiguous flag --e");
  ExpectOneLineError(Train("--epochs"), 2, "--epochs: expected a value");
  ExpectOneLineError(Train("stray"), 2, "unexpected argument 'stray'");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/run"));
}

TEST_F(TrainCli, MissingOrMalformedDataIsARuntimeError) {
  auto r =
      RunCommand(testing::ShellQuote(MtrecBinary()) + " train --dataset " + dir_ + "/nope.data");
  ExpectOneLineError(r, 1, "nope.data");
  // A named set absent from the cache and from the (local, empty) mirror.
  // (stderr also has the download's progress line before the error.)
  r = RunCommand("MTREC_MOVIELENS_URL=file://" + dir_ + "/mirror " +
                 testing::ShellQuote(MtrecBinary()) + " train --dataset ml-100k --data_dir " +
                 dir_ + "/cache");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("mtrec train: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ml-100k.zip"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/cache/ml-100k.zip"));
  testing::WriteFile(dir_ + "/bad.data", "1\t2\t3\t4\n1\t2\tx\t4\n");
  r = RunCommand(testing::ShellQuote(MtrecBinary()) + " train --dataset " + dir_ + "/bad.data");
  ExpectOneLineError(r, 1, "bad.data:2");
}

TEST_F(TrainCli, HelpDocumentsEveryFlag) {
  const auto r = RunCommand(testing::ShellQuote(MtrecBinary()) + " train --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--dataset",
                           "--data_dir",
                           "--test_fraction",
                           "--epochs",
                           "--factorization_weight",
                           "--regression_weight",
                           "--shared_embeddings",
                           "--no_shared_embeddings",
                           "--logdir",
                           "--gpu",
                           "--seed",
                           "--threads",
                           "--batch_size",
                           "--learning_rate",
                           "--embedding_dim",
                           "--layers",
                           "--l2",
                           "--user_bias",
                           "--bpr_loss",
                           "--init_weights"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(RunCommand(testing::ShellQuote(MtrecBinary()) + " --help").exit_code, 0);
  EXPECT_EQ(RunCommand(testing::ShellQuote(MtrecBinary()) + " frobnicate").exit_code, 2);
}

// Without a usable CUDA backend (a build without -DMTREC_CUDA=ON, or no GPU or
// driver), --gpu is a one-line runtime error saying what is missing, before
// any work, for train and for the commands that load a model.
TEST_F(TrainCli, GpuWithoutAUsableCudaBackendIsAOneLineRuntimeError) {
  const Status usable = BackendUsable("cuda");
  if (usable.ok()) GTEST_SKIP() << "this build and machine can run the CUDA backend";
  EXPECT_EQ(usable.code(), Status::Code::kUnavailable) << usable.message();
  const std::string why = usable.message();
  for (const char* flag : {"--gpu", "--gpu True"}) {
    const auto r = Train(flag);
    ExpectOneLineError(r, 1, "--gpu: " + why);
  }
  for (const char* command : {"evaluate", "recommend --user 1", "predict --user 1 --item 2"}) {
    const auto r = RunCommand(testing::ShellQuote(MtrecBinary()) + " " + command + " --model " +
                              dir_ + "/no.mtrec --gpu");
    ExpectOneLineError(r, 1, "--gpu: " + why);
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/run"));
  const std::vector<std::string> names = BackendNames();
  if (std::find(names.begin(), names.end(), "cuda") == names.end()) {
    EXPECT_NE(why.find("rebuild with -DMTREC_CUDA=ON"), std::string::npos) << why;
  } else {
    EXPECT_EQ(why.rfind("cuda: ", 0), 0u) << why;  // what the machine lacks
  }
}

TEST_F(TrainCli, GpuFalseIsAccepted) {
  const auto r = Train("--epochs 1 --gpu false --overwrite");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// --init_weights starts from a weights dump (the PyTorch reference's format):
// the run's first-epoch numbers then do not depend on --seed's initialisation,
// and a dump of another shape is refused naming the file.
TEST_F(TrainCli, InitWeightsStartsFromADumpAndRefusesAnotherShape) {
  const Interactions data = testing::MakeSyntheticRatings(40, 60, 2000, 3);
  ModelConfig mc;
  mc.num_users = data.num_users;
  mc.num_items = data.num_items;
  MultiTaskNet net(mc);
  net.InitRandom(99);
  ASSERT_TRUE(SaveWeightsDir(net, dir_ + "/init").ok());
  auto first_epoch = [&](const std::string& flags) {
    const auto r = Train("--epochs 1 --overwrite " + flags);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return testing::MetricsWithoutTimes(dir_ + "/run");
  };
  const auto a = first_epoch("--seed 1 --init_weights " + dir_ + "/init");
  const auto b = first_epoch("--seed 1");
  EXPECT_NE(a, b) << "the dump, not the seed's init, was used";
  EXPECT_EQ(a, first_epoch("--seed 1 --init_weights " + dir_ + "/init"));

  ExpectOneLineError(
      Train("--epochs 1 --overwrite --embedding_dim 8 --init_weights " + dir_ + "/init"), 2,
      "manifest.txt:1");
}

TEST_F(TrainCli, RunWritesTableConfigAndMetrics) {
  const auto r =
      Train("--epochs 3 --seed 5 --threads 2 --epoch 3");  // a prefix, as argparse allows
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("test_mrr"), std::string::npos);
  const std::string metrics = ReadFile(dir_ + "/run/metrics.jsonl");
  const std::vector<std::string> without_times = testing::MetricsWithoutTimes(dir_ + "/run");
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 3);
  for (const char* key :
       {"\"epoch\":3", "\"factorization_loss\"", "\"regression_loss\"", "\"joint_loss\"", "\"mrr\"",
        "\"mse\"", "\"train_seconds\"", "\"eval_seconds\""}) {
    EXPECT_NE(metrics.find(key), std::string::npos) << key;
  }
  const std::string config = ReadFile(dir_ + "/run/config.json");
  for (const char* key : {"\"seed\":5", "\"threads\":2", "\"train_size\"", "\"test_users\"",
                          "\"shared_embeddings\":true"}) {
    EXPECT_NE(config.find(key), std::string::npos) << key;
  }
  // The same run again refuses to overwrite, unless asked to.
  ExpectOneLineError(Train("--epochs 1"), 2, "already holds a run");
  const auto again = Train("--epochs 3 --seed 5 --threads 1 --overwrite");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // Bit-identical metrics for any thread count (timings aside).
  EXPECT_EQ(testing::MetricsWithoutTimes(dir_ + "/run"), without_times);
}

}  // namespace
}  // namespace mtrec
