// A model loaded from a checkpoint looks raw ids up through IdMaps built once
// from the checkpoint's id lists (an identity map when the ids are the rows).
#include "mtrec/infer/trained_model.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/golden_file.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::TempDir;

TEST(TrainedModel, LooksStringIdsUpThroughTheCheckpointsLists) {
  auto model = LoadTrainedModel(testing::TestDataPath("checkpoints/v1_separate_string_ids.mtrec"), BackendOptions{1});
  ASSERT_TRUE(model.ok()) << model.status().message();
  const TrainingCheckpoint& c = model->checkpoint;
  for (int32_t row = 0; row < std::ssize(c.user_ids); ++row) {
    EXPECT_EQ(*LookupRow(model->users, c.user_ids[row], "user"), row);
    EXPECT_EQ(model->users.Name(row), c.user_ids[row]);
  }
  for (int32_t row = 0; row < std::ssize(c.item_ids); ++row) {
    EXPECT_EQ(*LookupRow(model->items, c.item_ids[row], "item"), row);
    EXPECT_EQ(model->items.Name(row), c.item_ids[row]);
  }
  const Result<int32_t> missing = LookupRow(model->users, "u9", "user");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "user 'u9' is not in the model (6 rows)");
  EXPECT_FALSE(LookupRow(model->users, "0", "user").ok());  // a row number is no id here
}

// Without id lists the raw ids are the row numbers; a list that repeats an id
// cannot map rows one to one and is refused.
TEST(TrainedModel, RawIdsAreRowNumbersAndARepeatedIdIsRefused) {
  auto model = LoadTrainedModel(testing::TestDataPath("checkpoints/v1_separate_string_ids.mtrec"), BackendOptions{1});
  ASSERT_TRUE(model.ok()) << model.status().message();
  TrainingCheckpoint c = model->checkpoint;
  c.user_ids.clear();
  c.item_ids.clear();
  TempDir tmp;
  ASSERT_TRUE(SaveCheckpoint(tmp / "raw.mtrec", c).ok());
  auto raw = LoadTrainedModel(tmp / "raw.mtrec", BackendOptions{1});
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  EXPECT_TRUE(raw->users.is_identity());
  EXPECT_EQ(*LookupRow(raw->items, "7", "item"), 7);
  EXPECT_EQ(raw->items.Name(7), "7");
  for (const char* bad : {"8", "-1", "x", ""}) {
    const Result<int32_t> r = LookupRow(raw->items, bad, "item");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "item '" + std::string(bad) + "' is not in the model (8 rows)");
  }

  c.user_ids = {"a", "b", "c", "a", "d", "e"};
  ASSERT_TRUE(SaveCheckpoint(tmp / "repeat.mtrec", c).ok());
  auto repeat = LoadTrainedModel(tmp / "repeat.mtrec", BackendOptions{1});
  ASSERT_FALSE(repeat.ok());
  EXPECT_EQ(repeat.status().code(), Status::Code::kCorruption);
  EXPECT_NE(repeat.status().message().find("the checkpoint's user ids repeat an id"),
            std::string::npos)
      << repeat.status().message();
}

}  // namespace
}  // namespace mtrec
