// The small pieces of the data layer: --format/--columns, field splitting,
// titles and their encodings, id maps, the duplicate policy.
#include <gtest/gtest.h>

#include "mtrec/data/duplicates.h"
#include "mtrec/data/field_splitter.h"
#include "mtrec/data/item_titles.h"
#include "mtrec/data/ratings_format.h"
#include "mtrec/data/text_encoding.h"
#include "mtrec/id_map.h"

namespace mtrec {
namespace {

TEST(RatingsFormatFlags, ParseEveryFormAndRejectTheRest) {
  RatingsFormat f;
  ASSERT_TRUE(ParseFormatFlag("tsv+header", &f).ok());
  EXPECT_EQ(f.separator, "\t");
  EXPECT_EQ(f.header, HeaderMode::kPresent);
  EXPECT_FALSE(f.auto_separator);
  ASSERT_TRUE(ParseFormatFlag("sep=|", &f).ok());
  EXPECT_EQ(f.separator, "|");
  EXPECT_EQ(f.header, HeaderMode::kAuto);
  ASSERT_TRUE(ParseFormatFlag("auto", &f).ok());
  EXPECT_TRUE(f.auto_separator);
  const Status bad = ParseFormatFlag("xml", &f);
  EXPECT_EQ(bad.message(),
            "format: expected auto, tsv, csv, dat, space or sep=S, optionally followed by "
            "+header or +noheader, got 'xml'");
  EXPECT_FALSE(ParseColumnsFlag("user,rating", &f).ok());
  EXPECT_EQ(ParseColumnsFlag("user,item,user", &f).message(),
            "columns: 'user' is named twice in 'user,item,user'");
  EXPECT_FALSE(ParseColumnsFlag("user,item,stars", &f).ok());
  ASSERT_TRUE(ParseColumnsFlag("_,user,skip,item", &f).ok());
  EXPECT_EQ(f.columns.size(), 4u);
}

TEST(RatingsFormatFlags, GuessSeparatorByNameThenContent) {
  EXPECT_EQ(GuessSeparator("x/u.data", "1\t2\t3"), "");
  EXPECT_EQ(GuessSeparator("ratings.dat", "1,2"), "::");
  EXPECT_EQ(GuessSeparator("r.csv", "1\t2"), ",");
  EXPECT_EQ(GuessSeparator("r.txt", "1::2::3"), "::");
  EXPECT_EQ(GuessSeparator("r.txt", "1\t2\t3"), "\t");
  EXPECT_EQ(GuessSeparator("r.txt", "1;2;3"), ";");
  EXPECT_EQ(GuessSeparator("r.txt", "1 2 3"), "");
}

TEST(FieldSplitter, QuotesEscapesAndMultiCharacterSeparators) {
  std::deque<std::string> storage;
  std::string_view f[4];
  const FieldSplitter csv(",");
  ASSERT_EQ(csv.Split("11,\"American President, The (1995)\",Comedy\r", f, 4, &storage), 3u);
  EXPECT_EQ(f[1], "American President, The (1995)");
  ASSERT_EQ(csv.Split("1,\"say \"\"hi\"\"\",x", f, 4, &storage), 3u);
  EXPECT_EQ(f[1], "say \"hi\"");
  EXPECT_EQ(csv.Split("1,\"open", f, 4, &storage), FieldSplitter::kUnterminatedQuote);
  EXPECT_EQ(csv.Split("   ", f, 4, &storage), 0u);
  const FieldSplitter dat("::");
  ASSERT_EQ(dat.Split("1::a:b::c", f, 4, &storage), 3u);
  EXPECT_EQ(f[1], "a:b");
  const FieldSplitter space("");
  ASSERT_EQ(space.Split("  1 \t 2  ", f, 4, &storage), 2u);
  EXPECT_EQ(f[1], "2");
  EXPECT_EQ(space.Split("1 2 3 4 5 6", f, 4, &storage), 6u);  // counts past the stored ones
}

TEST(TextEncoding, Latin1BecomesUtf8AndUtf8StaysAsIs) {
  EXPECT_EQ(Latin1ToUtf8("Cr\xe8me"), "Cr\xc3\xa8me");
  EXPECT_EQ(ToUtf8("Cr\xe8me"), "Cr\xc3\xa8me");
  EXPECT_EQ(ToUtf8("Cr\xc3\xa8me"), "Cr\xc3\xa8me");
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x8e\xac"));
}

TEST(ItemTitles, EveryMovieLensTitleFile) {
  auto uitem = ParseItemTitles(
      "1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n"
      "2|Cit\xe9 des enfants perdus, La (1995)|01-Jan-1995\n",
      TitlesFormat::kUItem, "u.item");
  ASSERT_TRUE(uitem.ok()) << uitem.status().message();
  ASSERT_EQ(uitem->size(), 2u);
  EXPECT_EQ((*uitem)[1].title, "Cit\xc3\xa9 des enfants perdus, La (1995)");
  auto csv = ParseItemTitles(
      "\xEF\xBB\xBFmovieId,title,genres\r\n11,\"American President, The (1995)\",Comedy\r\n"
      "12,Dracula: Dead and Loving It (1995),Comedy|Horror\r\n",
      TitlesFormat::kMoviesCsv, "movies.csv");
  ASSERT_TRUE(csv.ok()) << csv.status().message();
  ASSERT_EQ(csv->size(), 2u);
  EXPECT_EQ((*csv)[0].id, "11");
  EXPECT_EQ((*csv)[0].title, "American President, The (1995)");
  auto dat = ParseItemTitles("0000008::Edison Kinetoscopic Record of a Sneeze (1894)::Short\n",
                             TitlesFormat::kMoviesDat, "movies.dat");
  ASSERT_TRUE(dat.ok());
  EXPECT_EQ((*dat)[0].id, "0000008");
  auto bad = ParseItemTitles("1::Toy Story\n2\n", TitlesFormat::kMoviesDat, "movies.dat");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "movies.dat:2: expected an item id and a title separated by '::', found 1 field(s)");
  EXPECT_EQ(TitlesFormatForFile("a/b/movies.csv"), TitlesFormat::kMoviesCsv);
  EXPECT_FALSE(TitlesFormatForFile("links.csv").has_value());
}

TEST(ItemTitles, ArrangedByIndexUnderEitherIdMap) {
  const std::vector<ItemTitle> titles = {{"2", "Two"}, {"7", "Seven"}, {"0000008", "Sneeze"}};
  const std::vector<std::string> raw = TitlesByIndex(titles, IdMap::Identity(4));
  ASSERT_EQ(raw.size(), 4u);
  EXPECT_EQ(raw[2], "Two");
  EXPECT_EQ(raw[3], "");
  IdMap dense;
  dense.Intern("0000008");
  dense.Intern("7");
  const std::vector<std::string> mapped = TitlesByIndex(titles, dense);
  EXPECT_EQ(mapped, (std::vector<std::string>{"Sneeze", "Seven"}));
}

TEST(IdMap, IdentityAndDenseMaps) {
  const IdMap identity = IdMap::Identity(10);
  EXPECT_EQ(identity.Find("9"), 9);
  EXPECT_FALSE(identity.Find("10").has_value());
  EXPECT_FALSE(identity.Find("x").has_value());
  IdMap dense;
  for (int k = 0; k < 100'000; ++k) {
    ASSERT_EQ(dense.Intern("user-" + std::to_string(k)), 2 * k);
    ASSERT_EQ(dense.Intern(std::to_string(k * 3)), 2 * k + 1) << k;
    ASSERT_EQ(dense.Intern("user-" + std::to_string(k / 2)), k / 2 * 2);
  }
  EXPECT_EQ(dense.size(), 200'000);
  EXPECT_EQ(dense.Name(1), "0");
  EXPECT_EQ(dense.Find("user-99999"), 199'998);
  EXPECT_EQ(dense.Find("299997"), 199'999);
  EXPECT_FALSE(dense.Find("03").has_value());  // "03" is not "3"
  EXPECT_EQ(dense.Intern("03"), 200'000);
}

Interactions Pairs() {
  Interactions x;
  x.users = {1, 2, 1, 1, 2};
  x.items = {5, 5, 6, 5, 5};
  x.ratings = {1, 2, 3, 4, 5};
  x.timestamps = {10, 20, 30, 40, 50};
  x.num_users = 3;
  x.num_items = 7;
  return x;
}

TEST(Duplicates, KeepFirstLastAndError) {
  const IdMap users = IdMap::Identity(3), items = IdMap::Identity(7);
  Interactions keep = Pairs();
  EXPECT_EQ(*ApplyDuplicatePolicy(DuplicatePolicy::kKeep, keep, users, items, "r"), 0);
  EXPECT_EQ(keep.size(), 5u);
  Interactions first = Pairs();
  EXPECT_EQ(*ApplyDuplicatePolicy(DuplicatePolicy::kFirst, first, users, items, "r"), 2);
  EXPECT_EQ(first.ratings, (std::vector<float>{1, 2, 3}));
  Interactions last = Pairs();
  EXPECT_EQ(*ApplyDuplicatePolicy(DuplicatePolicy::kLast, last, users, items, "r"), 2);
  EXPECT_EQ(last.ratings, (std::vector<float>{3, 4, 5}));
  EXPECT_EQ(last.timestamps, (std::vector<int64_t>{30, 40, 50}));
  Interactions error = Pairs();
  auto r = ApplyDuplicatePolicy(DuplicatePolicy::kError, error, users, items, "r.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "r.csv: user 1 rated item 5 more than once (ratings #1 and #4); choose --duplicates "
            "keep, first or last");
  EXPECT_EQ(ParseNamed(kDuplicatePolicyNames, "mean", "--duplicates").status().message(),
            "--duplicates: expected keep, first, last or error, got 'mean'");
  EXPECT_EQ(*ParseNamed(kDuplicatePolicyNames, "last", "--duplicates"), DuplicatePolicy::kLast);
}

}  // namespace
}  // namespace mtrec
