// ParseRatings: every layout of the MovieLens family, user formats, and every
// kind of bad line (with its file:line message).
#include "mtrec/data/ratings_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace mtrec {
namespace {

RatingsParseOptions Options(RatingsFormat format = {}, bool remap = false, int threads = 1) {
  RatingsParseOptions o;
  o.format = std::move(format);
  o.remap_ids = remap;
  o.threads = threads;
  return o;
}

ParsedRatings ParseOk(std::string_view text, const RatingsParseOptions& options,
                      std::string name = "ratings.txt") {
  Result<ParsedRatings> r = ParseRatingsText(text, std::move(name), options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : ParsedRatings();
}

std::string ParseError(std::string_view text, const RatingsParseOptions& options,
                       std::string name = "ratings.txt") {
  Result<ParsedRatings> r = ParseRatingsText(text, std::move(name), options);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(RatingsParser, UDataKeepsRawIdsAndSizesTablesByMaxId) {
  const ParsedRatings p = ParseOk("196\t242\t3\t881250949\n186\t302\t3\t891717742\n",
                                  Options(RatingsFormat::Fixed("", HeaderMode::kAbsent)), "u.data");
  const Interactions& x = p.interactions;
  ASSERT_EQ(x.size(), 2u);
  EXPECT_EQ(x.users[0], 196);
  EXPECT_EQ(x.items[1], 302);
  EXPECT_EQ(x.ratings[0], 3.0f);
  EXPECT_EQ(x.timestamps[1], 891717742);
  EXPECT_EQ(x.num_users, 197);
  EXPECT_EQ(x.num_items, 303);
  EXPECT_TRUE(p.users.is_identity());
  EXPECT_EQ(p.items.Name(242), "242");
}

TEST(RatingsParser, DoubleColonAndCsvWithHeaderAndHalfStars) {
  const ParsedRatings dat =
      ParseOk("1::1193::5::978300760\n1::661::3::978302109\n", Options(), "ratings.dat");
  EXPECT_EQ(dat.separator, "::");
  EXPECT_EQ(dat.interactions.items[0], 1193);
  const ParsedRatings csv =
      ParseOk("userId,movieId,rating,timestamp\n1,296,5.0,1147880044\n1,306,3.5,1147868817\n",
              Options(), "ratings.csv");
  EXPECT_TRUE(csv.had_header);
  ASSERT_EQ(csv.interactions.size(), 2u);
  EXPECT_EQ(csv.interactions.ratings[1], 3.5f);
}

TEST(RatingsParser, AcceptsCrlfBomBlankLinesSpacesAndQuotes) {
  const ParsedRatings p =
      ParseOk("\xEF\xBB\xBFuser,item,rating\r\n\r\n 1 , 2 ,4.25\r\n\"3\",\"4\",\"2\"\r\n\n",
              Options(), "r.csv");
  const Interactions& x = p.interactions;
  ASSERT_EQ(x.size(), 2u);
  EXPECT_EQ(x.users[0], 1);
  EXPECT_EQ(x.items[0], 2);
  EXPECT_EQ(x.ratings[0], 4.25f);
  EXPECT_EQ(x.users[1], 3);
  EXPECT_EQ(x.ratings[1], 2.0f);
  EXPECT_TRUE(x.timestamps.empty() || x.timestamps[0] == 0);
}

TEST(RatingsParser, ColumnsDescribeAnyLayout) {
  RatingsFormat format;
  ASSERT_TRUE(ParseFormatFlag("sep=;+noheader", &format).ok());
  ASSERT_TRUE(ParseColumnsFlag("skip,item,user", &format).ok());
  const ParsedRatings p = ParseOk("x;10;20\ny;11;21\n", Options(format));
  ASSERT_EQ(p.interactions.size(), 2u);
  EXPECT_EQ(p.interactions.users[0], 20);
  EXPECT_EQ(p.interactions.items[1], 11);
  EXPECT_EQ(p.interactions.ratings[0], 1.0f);  // no rating column
}

TEST(RatingsParser, RemapNumbersIdsInOrderOfFirstAppearance) {
  const ParsedRatings p = ParseOk(
      "alice::0114709::8::1\nbob::0000008::7::2\nalice::0000008::10::3\nbob::114709::1::4\n",
      Options({}, /*remap=*/true), "ratings.dat");
  const Interactions& x = p.interactions;
  EXPECT_EQ(x.num_users, 2);
  EXPECT_EQ(x.num_items, 3);  // "114709" is not "0114709"
  EXPECT_EQ(x.users[2], 0);
  EXPECT_EQ(x.items[2], 1);
  EXPECT_EQ(p.users.Name(1), "bob");
  EXPECT_EQ(p.items.Name(0), "0114709");
  EXPECT_EQ(p.items.Find("114709"), 2);
  EXPECT_FALSE(p.items.Find("42").has_value());
}

TEST(RatingsParser, ThreadsAndChunksGiveIdenticalResults) {
  std::string text;
  for (int k = 0; k < 400'000; ++k) {
    text += std::to_string(k % 977) + (k % 5 == 0 ? " , " : ",") + std::to_string(k % 1301) + "," +
            (k % 3 ? "4.5" : "3.25") + "," + std::to_string(1000 + k) + (k % 7 ? "\n" : "\r\n");
    if (k % 1000 == 0) text += "\n";
  }
  for (bool remap : {false, true}) {
    const ParsedRatings one = ParseOk(text, Options({}, remap, 1), "big.csv");
    const ParsedRatings four = ParseOk(text, Options({}, remap, 4), "big.csv");
    ASSERT_EQ(one.interactions.size(), 400'000u);
    EXPECT_EQ(one.interactions.users, four.interactions.users);
    EXPECT_EQ(one.interactions.items, four.interactions.items);
    EXPECT_EQ(one.interactions.ratings, four.interactions.ratings);
    EXPECT_EQ(one.interactions.timestamps, four.interactions.timestamps);
    EXPECT_EQ(one.interactions.timestamps.back(), 1000 + 399'999);
  }
}

TEST(RatingsParser, ErrorLineNumbersCountHeaderBlankLinesAndChunks) {
  // > 16 MiB so the bad line is in a later chunk.
  std::string text = "userId,movieId,rating,timestamp\n\n";
  const int lines = 1'200'000;
  for (int k = 0; k < lines; ++k) text += "1,2,3.5,1147880044\n";
  text += "1,2,x,3\n";
  EXPECT_GT(text.size(), size_t{16} << 20);
  const std::string error = ParseError(text, Options({}, false, 2), "ratings.csv");
  EXPECT_EQ(error, "ratings.csv:" + std::to_string(lines + 3) + ": rating 'x' is not a number");
}

struct BadCase {
  const char* text;
  const char* message;  // the expected message after "bad.csv:"
};

TEST(RatingsParser, EveryBadInputHasAOneLineErrorNamingFileAndLine) {
  const BadCase cases[] = {
      {"1,2,3\n4,5\n",
       "2: expected 3 or 4 fields (user,item,rating[,timestamp]) separated by ',', found 2"},
      {"1,2,3,4,5\n",
       "1: expected 3 or 4 fields (user,item,rating[,timestamp]) separated by ',', found 5 (name "
       "extra columns with --columns)"},
      {"u1,2,3\n",
       "1: user id 'u1' is not an integer in [0, 100000000] (pass --remap_ids to number ids of any "
       "form densely)"},
      {"1,-2,3\n",
       "1: item id '-2' is not an integer in [0, 100000000] (pass --remap_ids to number ids of any "
       "form densely)"},
      {"1,100000001,3\n",
       "1: item id '100000001' is not an integer in [0, 100000000] (pass --remap_ids to number ids "
       "of any form densely)"},
      {"1,2,3\n1,2,nan\n", "2: rating 'nan' is not a finite number"},
      {"1,2,inf\n", "1: rating 'inf' is not a finite number"},
      {"1,2,1e60\n", "1: rating '1e60' is out of range"},
      {"1,2,3.5x\n", "1: rating '3.5x' is not a number"},
      {"1,2,3,12:00\n", "1: timestamp '12:00' is not an integer"},
      // Found by fuzzing: long digit runs overflowed the fast path's accumulator.
      {"1,2,3,99999999999999999999\n", "1: timestamp '99999999999999999999' is not an integer"},
      {"1234567890123456789012,2,3\n",
       "1: user id '1234567890123456789012' is not an integer in [0, 100000000] (pass --remap_ids "
       "to number ids of any form densely)"},
      {"1,2,3\n\"1,2,3\n", "2: a quoted field has no closing quote"},
      {"", " no ratings (the file is empty)"},
      {"\xEF\xBB\xBF", " no ratings (the file is empty)"},
      {"userId,movieId,rating,timestamp\r\n", " no ratings (the file has only a header line)"},
      {"\n \r\n\n", " no ratings (the file has only blank lines)"},
  };
  for (const BadCase& c : cases) {
    const std::string got = ParseError(c.text, Options(), "bad.csv");
    EXPECT_EQ(got, std::string("bad.csv:") + c.message) << "input: " << c.text;
    EXPECT_EQ(got.find('\n'), std::string::npos);
  }
}

TEST(RatingsParser, RejectsALineLongerThanAChunk) {
  const std::string text = "1,2,3\n" + std::string(size_t{17} << 20, '7');
  EXPECT_EQ(ParseError(text, Options(), "bin.csv"),
            "bin.csv:2: line is longer than 16 MiB (is this a text ratings file?)");
}

TEST(RatingsParser, RemapRejectsEmptyIds) {
  EXPECT_EQ(ParseError("a,,3\n", Options({}, true), "e.csv"), "e.csv:1: item id is empty");
}

TEST(RatingsParser, ColumnsWithoutUserOrItemAreRejected) {
  RatingsFormat format;
  format.columns = {RatingsColumn::kUser, RatingsColumn::kRating};
  Result<ParsedRatings> r = ParseRatingsText("1,2\n", "x.csv", Options(format));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace mtrec
