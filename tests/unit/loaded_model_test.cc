// A model loaded from a checkpoint looks raw ids up through IdMaps built once
// from the checkpoint's id lists (an identity map when the ids are the rows).
#include "mtrec/model.h"
#include "mtrec/train/checkpoint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/golden_file.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::TempDir;

TEST(LoadedModel, LooksStringIdsUpThroughTheCheckpointsLists) {
  const std::filesystem::path path = testing::TestDataPath("checkpoints/v1_separate_string_ids.mtrec");
  auto model = Model::Load(path, 1);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto checkpoint = LoadCheckpoint(path);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().message();
  const TrainingCheckpoint& c = *checkpoint;
  for (int32_t row = 0; row < std::ssize(c.user_ids); ++row) {
    EXPECT_EQ(*model->FindUser(c.user_ids[row]), row);
    EXPECT_EQ(model->users().Name(row), c.user_ids[row]);
  }
  for (int32_t row = 0; row < std::ssize(c.item_ids); ++row) {
    EXPECT_EQ(*model->FindItem(c.item_ids[row]), row);
    EXPECT_EQ(model->items().Name(row), c.item_ids[row]);
  }
  const Result<UserId> missing = model->FindUser("u9");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "user 'u9' is not in the model (6 rows)");
  EXPECT_FALSE(model->FindUser("0").ok());  // a row number is no id here
}

// Without id lists the raw ids are the row numbers; a list that repeats an id
// cannot map rows one to one and is refused.
TEST(LoadedModel, RawIdsAreRowNumbersAndARepeatedIdIsRefused) {
  auto loaded = LoadCheckpoint(testing::TestDataPath("checkpoints/v1_separate_string_ids.mtrec"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  TrainingCheckpoint c = *loaded;
  c.user_ids.clear();
  c.item_ids.clear();
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "raw.mtrec", c).ok());
  auto raw = Model::Load(tmp / "raw.mtrec", 1);
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  EXPECT_TRUE(raw->users().is_identity());
  EXPECT_EQ(*raw->FindItem("7"), 7);
  EXPECT_EQ(raw->items().Name(7), "7");
  for (const char* bad : {"8", "-1", "x", ""}) {
    const Result<ItemId> r = raw->FindItem(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "item '" + std::string(bad) + "' is not in the model (8 rows)");
  }

  c.user_ids = {"a", "b", "c", "a", "d", "e"};
  ASSERT_TRUE(SaveCheckpoint(tmp / "repeat.mtrec", c).ok());
  auto repeat = Model::Load(tmp / "repeat.mtrec", 1);
  ASSERT_FALSE(repeat.ok());
  EXPECT_EQ(repeat.status().code(), Status::Code::kCorruption);
  EXPECT_NE(repeat.status().message().find("the checkpoint's user ids repeat an id"),
            std::string::npos)
      << repeat.status().message();
}

}  // namespace
}  // namespace mtrec
