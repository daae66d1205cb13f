#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "mtrec/io/atomic_file.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/model/weights_dir.h"
#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

TEST(AtomicFile, ReplacesWholeFilesAndLeavesNothingOnFailure) {
  const testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  const std::string path = dir + "/f.txt";
  ASSERT_TRUE(WriteFileAtomically(path, "one").ok());
  AtomicWriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE(WriteFileAtomically(path, "two", sync).ok());
  EXPECT_EQ(testing::ReadFile(path), "two");
  const Status missing = WriteFileAtomically(dir + "/no/such/dir/f.txt", "x");
  EXPECT_EQ(missing.code(), Status::Code::kNotFound);
  EXPECT_NE(missing.message().find("no/such/dir"), std::string::npos) << missing.message();
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) entries += e.exists();
  EXPECT_EQ(entries, 1) << "no temporary file left behind";
}

ModelConfig SmallModel(bool shared) {
  ModelConfig mc;
  mc.num_users = 4;
  mc.num_items = 6;
  mc.embedding_dim = 3;
  mc.hidden_layers = {5};
  mc.shared_embeddings = shared;
  return mc;
}

TEST(WeightsDir, SaveLoadRoundTripAndShapeMismatch) {
  const testing::TempDir tmp;
  const std::string dir = tmp.path().string();
  MultiTaskNet a(SmallModel(true));
  a.InitRandom(1);
  ASSERT_TRUE(SaveWeightsDir(a, dir).ok());
  MultiTaskNet b(SmallModel(true));
  ASSERT_TRUE(LoadWeightsDir(dir, b).ok());
  EXPECT_TRUE(std::equal(a.params().begin(), a.params().end(), b.params().begin()));

  MultiTaskNet separate(SmallModel(false));
  const Status wrong_model = LoadWeightsDir(dir, separate);
  EXPECT_FALSE(wrong_model.ok());
  EXPECT_NE(wrong_model.message().find("manifest.txt:1"), std::string::npos)
      << wrong_model.message();

  ModelConfig wider = SmallModel(true);
  wider.embedding_dim = 4;
  MultiTaskNet c(wider);
  const Status wrong_shape = LoadWeightsDir(dir, c);
  EXPECT_NE(wrong_shape.message().find("the model expects"), std::string::npos)
      << wrong_shape.message();

  std::ofstream(dir + "/Q.f32", std::ios::trunc) << "short";
  const Status truncated = LoadWeightsDir(dir, b);
  EXPECT_EQ(truncated.code(), Status::Code::kCorruption);
  EXPECT_NE(truncated.message().find("Q.f32"), std::string::npos) << truncated.message();
}

}  // namespace
}  // namespace mtrec
