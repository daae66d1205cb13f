// LoadDataset on every form --dataset takes: MovieLens folders, archives in
// each set's layout, plain files of any layout; and broken archives.
#include "mtrec/dataset.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "mtrec/data/ratings_format.h"
#include "support/files.h"
#include "support/temp_dir.h"
#include "support/zip_writer.h"

namespace mtrec {
namespace {

using testing::MakeZip;
using testing::TempDir;
using testing::WriteFile;

Dataset LoadOk(const DataConfig& config) {
  Result<Dataset> d = LoadDataset(config);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return d.ok() ? std::move(d).value() : Dataset();
}

std::string LoadError(const DataConfig& config) {
  Result<Dataset> d = LoadDataset(config);
  EXPECT_FALSE(d.ok());
  return d.ok() ? "" : d.status().message();
}

DataConfig Config(const std::string& dataset, const std::string& data_dir = "") {
  DataConfig c;
  c.dataset = dataset;
  c.data_dir = data_dir.empty() ? "/nonexistent-mtrec-cache" : data_dir;
  c.threads = 2;
  return c;
}

TEST(LoadDataset, Ml100kFolderKeepsRawIdsAndLoadsLatin1Titles) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "ml-100k");
  WriteFile(dir / "ml-100k/u.data", "3\t1\t4\t881250949\n1\t2\t5\t881250950\n");
  WriteFile(dir / "ml-100k/u.item", "1|Toy Story (1995)|x\n2|Cr\xe8me (1995)|x\n");
  // By name from the data dir, and by the folder's path.
  for (const DataConfig& c : {Config("ml-100k", dir.path().string()), Config(dir / "ml-100k")}) {
    const Dataset d = LoadOk(c);
    EXPECT_EQ(d.movielens, "ml-100k");
    EXPECT_EQ(d.interactions.num_users, 4);  // raw ids: max id + 1
    EXPECT_EQ(d.interactions.num_items, 3);
    EXPECT_TRUE(d.users.is_identity());
    ASSERT_EQ(d.item_titles.size(), 3u);
    EXPECT_EQ(d.item_titles[2], "Cr\xc3\xa8me (1995)");
    EXPECT_EQ(d.path, (dir.path() / "ml-100k/u.data").string());
  }
}

TEST(LoadDataset, ReadsEachSetsLayoutStraightFromItsZip) {
  TempDir dir;
  WriteFile(dir / "ml-10m.zip",
            MakeZip({{"ml-10M100K/ratings.dat", "1::122::5::838985046\n1::185::4.5::838983525\n"},
                     {"ml-10M100K/movies.dat", "122::Boomerang (1992)::Comedy|Romance\n"}}));
  const Dataset ten = LoadOk(Config(dir / "ml-10m.zip"));
  EXPECT_EQ(ten.movielens, "ml-10m");
  EXPECT_EQ(ten.path, dir / "ml-10m.zip" + ":ml-10M100K/ratings.dat");
  EXPECT_EQ(ten.interactions.num_items, 186);
  EXPECT_EQ(ten.interactions.ratings[1], 4.5f);
  EXPECT_EQ(ten.item_titles[122], "Boomerang (1992)");

  WriteFile(
      dir / "ml-32m.zip",
      MakeZip({{"ml-32m/ratings.csv", "userId,movieId,rating,timestamp\n1,17,4.0,944249077\n"},
               {"ml-32m/movies.csv", "movieId,title,genres\n17,\"Sense, Sensibility\",Drama\n"},
               {"ml-32m/tags.csv", "userId,movieId,tag,timestamp\n"}}));
  const Dataset csv = LoadOk(Config(dir / "ml-32m.zip"));
  EXPECT_EQ(csv.movielens, "ml-32m");
  EXPECT_EQ(csv.interactions.users[0], 1);
  EXPECT_EQ(csv.item_titles[17], "Sense, Sensibility");
}

TEST(LoadDataset, OtherFilesGetDenseIdsWithAMapBack) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "tweets");
  WriteFile(dir / "tweets/ratings.dat",
            "14::0114709::8::1\n14::0000008::10::2\n99::0114709::6::3\n");
  WriteFile(dir / "tweets/movies.dat", "0114709::Toy Story (1995)::Animation\n");
  const Dataset d = LoadOk(Config(dir / "tweets"));
  EXPECT_EQ(d.movielens, "");
  EXPECT_EQ(d.interactions.num_users, 2);
  EXPECT_EQ(d.interactions.num_items, 2);
  EXPECT_EQ(d.users.Name(d.interactions.users[2]), "99");
  EXPECT_EQ(d.items.Name(1), "0000008");
  EXPECT_EQ(d.item_titles, (std::vector<std::string>{"Toy Story (1995)", ""}));

  DataConfig raw = Config(dir / "tweets/ratings.dat");
  raw.ids = IdPolicy::kRaw;
  EXPECT_EQ(LoadOk(raw).interactions.num_items, 114710);
}

TEST(LoadDataset, FormatAndColumnsFlagsDescribeAUsersFile) {
  TempDir dir;
  WriteFile(dir / "mine.txt", "item|when|who|stars\nbook|5|ann|2.5\npen|6|bob|4\n");
  DataConfig c = Config(dir / "mine.txt");
  ASSERT_TRUE(ParseFormatFlag("sep=|+header", &c.format).ok());
  ASSERT_TRUE(ParseColumnsFlag("item,timestamp,user,rating", &c.format).ok());
  const Dataset d = LoadOk(c);
  ASSERT_EQ(d.interactions.size(), 2u);
  EXPECT_EQ(d.items.Name(d.interactions.items[1]), "pen");
  EXPECT_EQ(d.interactions.timestamps[1], 6);
  EXPECT_EQ(d.interactions.ratings[0], 2.5f);
}

TEST(LoadDataset, DuplicatePolicyApplies) {
  TempDir dir;
  WriteFile(dir / "r.csv", "1,2,3\n1,2,4\n2,2,5\n");
  DataConfig c = Config(dir / "r.csv");
  c.duplicates = DuplicatePolicy::kLast;
  const Dataset d = LoadOk(c);
  EXPECT_EQ(d.duplicates_removed, 1);
  EXPECT_EQ(d.interactions.ratings, (std::vector<float>{4, 5}));
  c.duplicates = DuplicatePolicy::kError;
  EXPECT_EQ(LoadError(c), dir / "r.csv" +
                              ": user 1 rated item 2 more than once (ratings #1 and #2); choose "
                              "--duplicates keep, first or last");
}

TEST(LoadDataset, BrokenArchivesAndMissingData) {
  TempDir dir;
  const std::string zip = MakeZip({{"ml-1m/ratings.dat", std::string(20000, '1') + "::2::3::4\n"}});
  WriteFile(dir / "ml-1m.zip", zip.substr(0, zip.size() / 2));
  EXPECT_NE(LoadError(Config(dir / "ml-1m.zip")).find("ml-1m.zip: not a readable zip archive"),
            std::string::npos);

  // Flip bytes in the compressed data: the structure is fine, the content is not.
  std::string corrupt = zip;
  for (size_t k = 60; k < 80; ++k) corrupt[k] = static_cast<char>(corrupt[k] ^ 0x5a);
  WriteFile(dir / "ml-1m.zip", corrupt);
  const std::string crc = LoadError(Config(dir / "ml-1m.zip"));
  EXPECT_NE(crc.find("ml-1m.zip:ml-1m/ratings.dat: cannot read the zip member"), std::string::npos)
      << crc;

  WriteFile(dir / "ml-1m.zip", MakeZip({{"ml-1m/README", "x"}}));
  EXPECT_EQ(LoadError(Config(dir / "ml-1m.zip")),
            dir / "ml-1m.zip" +
                ": the archive has no ml-1m/ratings.dat (a truncated download or not a MovieLens "
                "archive)");

  std::filesystem::create_directories(dir.path() / "empty");
  EXPECT_EQ(LoadError(Config(dir / "empty")),
            "dataset " + dir / "empty" +
                ": the folder holds no u.data, ratings.dat or ratings.csv (point --dataset at the "
                "ratings file itself, with --format/--columns for its layout)");
  EXPECT_EQ(LoadError(Config("ml-5k")),
            "dataset ml-5k: no such file or folder, and not a data set name (ml-100k, ml-1m, "
            "ml-10m, ml-20m, ml-25m, ml-32m, ml-latest-small, ml-latest)");
}

TEST(LoadDataset, ErrorsInTitleFilesNameTheFile) {
  TempDir dir;
  WriteFile(dir / "ratings.csv", "1,2,3\n");
  WriteFile(dir / "movies.csv", "movieId,title,genres\n2\n");
  EXPECT_EQ(LoadError(Config(dir / "ratings.csv")),
            dir / "movies.csv" +
                ":2: expected an item id and a title separated by ',', found 1 field(s)");
}

}  // namespace
}  // namespace mtrec
