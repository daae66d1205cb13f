// LoadSplitDataset: a predefined split's files read in one id space, and its
// errors (a missing file, a bad line naming file:line, a part without the other).
#include <gtest/gtest.h>

#include <string>

#include "mtrec/dataset.h"
#include "support/files.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using testing::TempDir;
using testing::WriteFile;

DataConfig SplitConfig(const TempDir& dir, bool validation) {
  DataConfig c;
  c.train_path = dir / "train.csv";
  c.test_path = dir / "test.csv";
  if (validation) c.validation_path = dir / "valid.csv";
  c.threads = 1;
  return c;
}

TEST(SplitFiles, DenseIdsShareOneSpaceTrainFirst) {
  TempDir dir;
  WriteFile(dir / "train.csv", "u1,i1,4,1\nu2,i2,3,2\nu1,i3,5,3\n");
  WriteFile(dir / "valid.csv", "u3,i1,2,4\n");  // u3: validation only
  WriteFile(dir / "test.csv", "u2,i4,1,5\nu1,i2,4,6\n");  // i4: test only
  Result<SplitDataset> split = LoadSplitDataset(SplitConfig(dir, true));
  ASSERT_TRUE(split.ok()) << split.status().message();
  const Dataset& d = split->dataset;
  // The training file's rows as if it were read alone; then the new ids.
  EXPECT_EQ(split->train.users, (std::vector<UserId>{0, 1, 0}));
  EXPECT_EQ(split->train.items, (std::vector<ItemId>{0, 1, 2}));
  EXPECT_EQ(split->validation.users, (std::vector<UserId>{2}));
  EXPECT_EQ(split->test.users, (std::vector<UserId>{1, 0}));
  EXPECT_EQ(split->test.items, (std::vector<ItemId>{3, 1}));
  EXPECT_EQ(d.users.Name(2), "u3");
  EXPECT_EQ(d.items.Name(3), "i4");
  for (const Interactions* part : {&split->train, &split->validation, &split->test}) {
    EXPECT_EQ(part->num_users, 3);
    EXPECT_EQ(part->num_items, 4);
  }
  // The whole: train, validation, test rows in that order.
  EXPECT_EQ(d.interactions.size(), 6u);
  EXPECT_EQ(d.interactions.users, (std::vector<UserId>{0, 1, 0, 2, 1, 0}));
  EXPECT_EQ(d.interactions.ratings, (std::vector<float>{4, 3, 5, 2, 1, 4}));
  EXPECT_EQ(d.interactions.timestamps, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(d.is_split());
  EXPECT_EQ(d.split_files.validation, dir / "valid.csv");
}

TEST(SplitFiles, RawIdsSizeTheTablesByTheLargestIdOfAnyFile) {
  TempDir dir;
  WriteFile(dir / "train.csv", "1,10,4\n2,20,3\n");
  WriteFile(dir / "test.csv", "7,5,1\n");
  DataConfig c = SplitConfig(dir, false);
  c.ids = IdPolicy::kRaw;
  Result<SplitDataset> split = LoadSplitDataset(c);
  ASSERT_TRUE(split.ok()) << split.status().message();
  EXPECT_EQ(split->dataset.interactions.num_users, 8);
  EXPECT_EQ(split->dataset.interactions.num_items, 21);
  EXPECT_EQ(split->train.num_users, 8);
  EXPECT_EQ(split->test.users, (std::vector<UserId>{7}));
  EXPECT_TRUE(split->validation.users.empty());
}

TEST(SplitFiles, ErrorsNameTheFileAndLine) {
  TempDir dir;
  WriteFile(dir / "train.csv", "u1,i1,4\n");
  DataConfig c = SplitConfig(dir, false);
  Result<SplitDataset> missing = LoadSplitDataset(c);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(), "test_path: no such file '" + (dir / "test.csv") + "'");

  WriteFile(dir / "test.csv", "u1,i2,3\nu2,i3,four\n");
  Result<SplitDataset> bad = LoadSplitDataset(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("test.csv:2"), std::string::npos)
      << bad.status().message();

  c.test_path.clear();
  Result<SplitDataset> alone = LoadSplitDataset(c);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(alone.status().message().starts_with("train_path: ")) << alone.status().message();
}

}  // namespace
}  // namespace mtrec
