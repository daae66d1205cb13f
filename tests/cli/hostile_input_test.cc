// Issue 22, items 10 and 13 (the checkpoint and flag parts): a checkpoint with
// a valid CRC but impossible numbers or shape is refused in one line naming
// the field, never narrowed into a wrapped number or resumed into an empty
// epoch; a list flag's message fits the flag.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "mtrec/io/crc32c.h"
#include "mtrec/io/tensor_file.h"
#include "mtrec/train/checkpoint.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using Json = nlohmann::json;
using testing::RunMtrec;
using testing::TempDir;

class CheckpointRanges : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteGroupedRatings(tmp_.path(), 40, 30, 12, 5);
    const auto r = RunMtrec({"train", "--dataset", tmp_ / "u.data", "--threads", "1", "--epochs",
                             "1", "--logdir", tmp_ / "run", "--save", tmp_ / "m.mtrec"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // A copy of the checkpoint with its 'mtrec' metadata edited (the CRC is recomputed).
  std::string Edited(const std::string& name, const std::function<void(Json&)>& edit) {
    auto file = ReadTensorFile(tmp_ / "m.mtrec");
    EXPECT_TRUE(file.ok());
    Json doc = Json::parse(file->metadata["mtrec"]);
    edit(doc);
    file->metadata["mtrec"] = doc.dump();
    EXPECT_TRUE(WriteTensorFile(tmp_ / name, *file).ok());
    return tmp_ / name;
  }
  TempDir tmp_;
};

TEST_F(CheckpointRanges, AnIntegerOutOfItsRangeIsRefusedNotWrapped) {
  const std::string path =
      Edited("big.mtrec", [](Json& d) { d["progress"]["epochs_done"] = 1000000000000LL; });
  auto loaded = LoadCheckpoint(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Status::Code::kCorruption);
  EXPECT_NE(loaded.status().message().find("epochs_done: 1000000000000 is not an integer in"),
            std::string::npos)
      << loaded.status().message();
  const auto r = RunMtrec({"train", "--resume", path, "--epochs", "3"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.find("-727379968"), std::string::npos) << r.err;
  for (const char* bad : {"1.5", "\"3\"", "-1e3"}) {
    const std::string p =
        Edited("f.mtrec", [&](Json& d) { d["progress"]["batches_done"] = Json::parse(bad); });
    EXPECT_EQ(LoadCheckpoint(p).status().code(), Status::Code::kCorruption) << bad;
  }
}

TEST_F(CheckpointRanges, BatchesDoneBeyondTheDataAreRefusedAtResume) {
  const std::string path = Edited("far.mtrec", [](Json& d) {
    d["progress"]["batches_done"] = 1000000000;
    d["progress"]["sums"]["batches"] = 1000000000;
  });
  const std::string metrics = testing::ReadFile(tmp_.path() / "run" / "metrics.jsonl");
  const auto r = RunMtrec({"train", "--resume", path, "--epochs", "3"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("1000000000 batches done"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not describe this data"), std::string::npos) << r.err;
  EXPECT_EQ(testing::ReadFile(tmp_.path() / "run" / "metrics.jsonl"), metrics);  // no empty epoch
  // The loss sums must count the batches done.
  const std::string odd = Edited("odd.mtrec", [](Json& d) { d["progress"]["batches_done"] = 2; });
  auto loaded = LoadCheckpoint(odd);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("the loss sums count 0 batches for batches_done 2"),
            std::string::npos)
      << loaded.status().message();
}

TEST_F(CheckpointRanges, MetadataThatIsNotAnObjectIsOneLine) {
  const std::string path = Edited("array.mtrec", [](Json& d) { d = Json::array({1, 2}); });
  auto loaded = LoadCheckpoint(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("the 'mtrec' metadata is not a JSON object"),
            std::string::npos)
      << loaded.status().message();
  EXPECT_EQ(loaded.status().message().find("json.exception"), std::string::npos);
}

// A tensor removed from the header (its data still there) is named as such.
TEST(TensorFileMessages, ATensorMissingFromTheHeaderIsNamed) {
  TensorFile file;
  const std::vector<float> values = {1, 2, 3, 4};
  file.tensors.push_back(Tensor::F32("a", {2, 2}, values));
  file.tensors.push_back(Tensor::F32("b", {2, 2}, values));
  std::string bytes = EncodeTensorFile(file);
  uint64_t n = 0;
  for (int k = 7; k >= 0; --k) n = (n << 8) | static_cast<unsigned char>(bytes[k]);
  Json header = Json::parse(bytes.substr(8, n));
  for (const char* gone : {"a", "b"}) {
    Json edited = header;
    edited.erase(gone);
    std::string text = edited.dump();
    ASSERT_LE(text.size(), n);
    text.resize(n, ' ');
    std::string changed = bytes.substr(0, 8) + text + bytes.substr(8 + n);
    const size_t digits = changed.find("\"crc32c\":\"") + 10;  // a valid CRC: only the
    changed.replace(digits, 8, "00000000");                    // header is crafted
    char hex[9];
    std::snprintf(hex, sizeof(hex), "%08x", Crc32c(changed));
    changed.replace(digits, 8, hex);
    auto decoded = DecodeTensorFile(changed, "m.mtrec");
    ASSERT_FALSE(decoded.ok());
    EXPECT_NE(decoded.status().message().find("a tensor is missing from the header"),
              std::string::npos)
        << decoded.status().message();
  }
}

TEST(ListFlagMessages, SeedsAreNotDescribedAsLayers) {
  const auto r = RunMtrec({"sweep", "--seeds", "1,x"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--seeds: expected comma-separated integers, got '1,x'"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("128,64"), std::string::npos) << r.err;
}

// Item 13: a run that fails in its first epoch (here it diverges) leaves no
// folder that would then "hold a run"; the same --logdir works at once.
TEST_F(CheckpointRanges, ARunThatFailsInItsFirstEpochLeavesNoRunFolder) {
  const std::vector<std::string> train = {"train", "--dataset", tmp_ / "u.data",  "--threads",
                                          "1",     "--logdir",  tmp_ / "diverged"};
  std::vector<std::string> diverging = train;
  diverging.insert(diverging.end(), {"--learning_rate", "1e39", "--batch_size", "8"});
  const auto r = RunMtrec(diverging);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // a runtime failure, not a usage error (2)
  EXPECT_NE(r.err.find("diverged"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.path() / "diverged"));
  EXPECT_EQ(RunMtrec(train).exit_code, 0);
}

}  // namespace
}  // namespace mtrec
