// `mtrec evaluate`, `recommend` (one user, a batch, fold-in) and `predict` on a
// model trained on generated data with two taste groups.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/files.h"
#include "support/run_command.h"
#include "support/synthetic.h"
#include "support/temp_dir.h"

namespace mtrec {
namespace {

using Json = nlohmann::json;
using testing::RunMtrec;
using testing::TempDir;

class ModelCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    testing::WriteGroupedRatings(tmp_->path(), 60, 40, 15, 11);
    const auto run = RunMtrec({"train", "--dataset", *tmp_ / "u.data", "--epochs", "15", "--logdir",
                               *tmp_ / "run", "--save", *tmp_ / "m.ckpt", "--batch_size", "100",
                               "--learning_rate", "0.01"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  static void TearDownTestSuite() { delete tmp_; }

  // The items user `u` rated in u.data.
  static std::set<std::string> Rated(const std::string& u) {
    std::set<std::string> items;
    std::istringstream in(testing::ReadFile(tmp_->path() / "u.data"));
    for (std::string user, item, rating, ts; in >> user >> item >> rating >> ts;) {
      if (user == u) items.insert(item);
    }
    return items;
  }
  static TempDir* tmp_;
};
TempDir* ModelCommands::tmp_ = nullptr;

TEST_F(ModelCommands, EvaluateReproducesTheTrainingMetricsAndMore) {
  const auto r = RunMtrec({"evaluate", "--model", *tmp_ / "m.ckpt", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  const Json last = Json::parse(testing::ReadLines(tmp_->path() / "run" / "metrics.jsonl").back());
  const Json& m = j["metrics"];
  EXPECT_EQ(m["mrr"].get<double>(), last["mrr"].get<double>());
  EXPECT_EQ(m["mse"].get<double>(), last["mse"].get<double>());
  EXPECT_DOUBLE_EQ(m["rmse"].get<double>(), std::sqrt(last["mse"].get<double>()));
  for (const char* key : {"mae", "precision@10", "recall@10", "ndcg@10", "hit_rate@10", "auc"}) {
    ASSERT_TRUE(m.contains(key)) << key;
    EXPECT_GE(m[key].get<double>(), 0.0) << key;
    EXPECT_LE(m[key].get<double>(), key == std::string("mae") ? 5.0 : 1.0) << key;
  }
  EXPECT_GT(m["auc"].get<double>(), 0.5);            // better than chance on this data
  EXPECT_EQ(j["test_interactions"].get<int>(), 45);  // 5% of 900

  const auto some = RunMtrec({"evaluate", "--model", *tmp_ / "m.ckpt", "--format", "json",
                              "--metrics", "ndcg,auc", "--k", "3"});
  ASSERT_EQ(some.exit_code, 0) << some.err;
  const Json s = Json::parse(some.out)["metrics"];
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(s.contains("ndcg@3") && s.contains("auc"));

  const auto table = RunMtrec({"evaluate", "--model", *tmp_ / "m.ckpt"});
  EXPECT_NE(table.out.find("precision@10"), std::string::npos) << table.out;
}

TEST_F(ModelCommands, EvaluateRefusesOtherDataAndBadInput) {
  TempDir other;
  testing::WriteGroupedRatings(other.path(), 60, 40, 15, 12);
  auto r = RunMtrec({"evaluate", "--model", *tmp_ / "m.ckpt", "--dataset", other / "u.data"});
  EXPECT_EQ(r.exit_code, 1);  // the data's problem, not the command line's
  EXPECT_NE(r.err.find("is not the data set the model was trained on"), std::string::npos) << r.err;
  r = RunMtrec({"evaluate", "--model", *tmp_ / "missing.ckpt"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.ckpt: cannot open"), std::string::npos) << r.err;
  r = RunMtrec({"evaluate", "--model", *tmp_ / "m.ckpt", "--metrics", "mrr,f1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown metric 'f1'"), std::string::npos) << r.err;
  // The data moved: --dataset points at the copy.
  std::filesystem::copy_file(tmp_->path() / "u.data", other.path() / "moved.data");
  r = RunMtrec({"evaluate", "--model", *tmp_ / "m.ckpt", "--dataset", other / "moved.data"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ModelCommands, RecommendExcludesRatedItemsAndShowsTitles) {
  const auto r = RunMtrec(
      {"recommend", "--model", *tmp_ / "m.ckpt", "--user", "7", "--k", "5", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["user"], "7");
  ASSERT_EQ(j["items"].size(), 5u);
  const std::set<std::string> rated = Rated("7");
  double previous = 1e30;
  for (const Json& item : j["items"]) {
    const std::string id = item["item"];
    EXPECT_EQ(rated.count(id), 0u) << id;
    EXPECT_NE(id, "0");  // the phantom row is never recommended
    EXPECT_EQ(item["title"], "Movie " + id + " caf\xc3\xa9 (1990)");  // Latin-1 -> UTF-8
    EXPECT_LE(item["score"].get<double>(), previous);
    previous = item["score"].get<double>();
  }
  const auto table = RunMtrec({"recommend", "--model", *tmp_ / "m.ckpt", "--user", "7"});
  EXPECT_NE(table.out.find("top 10 of 25 candidate items"), std::string::npos) << table.out;
  const auto seen =
      RunMtrec({"recommend", "--model", *tmp_ / "m.ckpt", "--user", "7", "--include_seen"});
  EXPECT_NE(seen.out.find("top 10 of 40 candidate items"), std::string::npos) << seen.out;
}

TEST_F(ModelCommands, RecommendForABatchOfUsers) {
  std::ofstream(tmp_->path() / "users.txt") << "3\n\n58\n";
  const auto r = RunMtrec({"recommend", "--model", *tmp_ / "m.ckpt", "--users", *tmp_ / "users.txt",
                           "--k", "2", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<Json> got;
  for (std::string line; std::getline(lines, line);) got.push_back(Json::parse(line));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["user"], "3");
  EXPECT_EQ(got[1]["user"], "58");
  EXPECT_EQ(got[1]["items"].size(), 2u);
  const auto bad = RunMtrec({"recommend", "--model", *tmp_ / "m.ckpt", "--user", "999"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("user '999' is not in the model"), std::string::npos) << bad.err;
}

TEST_F(ModelCommands, PredictAgreesWithRecommend) {
  const auto rec = RunMtrec(
      {"recommend", "--model", *tmp_ / "m.ckpt", "--user", "12", "--k", "1", "--format", "json"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  const Json top = Json::parse(rec.out)["items"][0];
  const auto p = RunMtrec({"predict", "--model", *tmp_ / "m.ckpt", "--user", "12", "--item",
                           top["item"].get<std::string>(), "--format", "json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const Json j = Json::parse(p.out);
  EXPECT_EQ(j["predicted_rating"].get<float>(), top["predicted_rating"].get<float>());
  EXPECT_EQ(j["score"].get<float>(), top["score"].get<float>());
  const auto table =
      RunMtrec({"predict", "--model", *tmp_ / "m.ckpt", "--user", "12", "--item", "3"});
  EXPECT_NE(table.out.find("user 12, item 3: predicted rating"), std::string::npos) << table.out;
}

TEST_F(ModelCommands, FoldInLearnsANewUsersTaste) {
  // A new user who loves five first-group items and hates two of the second.
  const auto r = RunMtrec({"recommend", "--model", *tmp_ / "m.ckpt", "--ratings",
                           "1:5,2:5,3:5,4:5,5:5,25:1,30:1", "--k", "40", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["user"], "new");
  ASSERT_EQ(j["items"].size(), 33u);  // 40 items less the 7 rated
  double first = 0, second = 0;
  int n_first = 0, n_second = 0;
  for (const Json& item : j["items"]) {
    const int id = std::stoi(item["item"].get<std::string>());
    EXPECT_FALSE((id >= 1 && id <= 5) || id == 25 || id == 30) << id;
    (id <= 20 ? first : second) += item["predicted_rating"].get<double>();
    ++(id <= 20 ? n_first : n_second);
  }
  EXPECT_GT(first / n_first, second / n_second + 1.0);  // the taste carried over
  const auto table = RunMtrec({"recommend", "--model", *tmp_ / "m.ckpt", "--ratings", "1:5,2:4"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("fold-in: 2 ratings, loss"), std::string::npos) << table.out;
  const auto bad = RunMtrec({"recommend", "--model", *tmp_ / "m.ckpt", "--ratings", "1:5,77:3"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("item '77' is not in the model"), std::string::npos) << bad.err;
}

// String ids (checkpoints carry the id lists) are looked up by raw id. Ids that
// are not UTF-8 cannot go into the checkpoint's JSON: training still runs (its
// config.json shows them replaced), and --save is refused with one clear line
// before the first epoch instead of after the last.
TEST(ModelCommandsStringIds, LookUpRawIdsAndRefuseNonUtf8CleanlyOnSave) {
  TempDir tmp;
  auto write = [&](const std::string& first_user) {
    std::string csv = "user,item,rating\n";
    for (int u = 0; u < 12; ++u) {
      for (int i = 0; i < 8; ++i) {
        const std::string user = u == 0 ? first_user : "u" + std::to_string(u);
        csv += user + ",item" + std::to_string((u + i) % 10) + "," +
               std::to_string(1 + (u + i) % 5) + "\n";
      }
    }
    testing::WriteFile(tmp / "ratings.csv", csv);
  };
  write("caf\xc3\xa9");  // UTF-8
  auto train = RunMtrec({"train", "--dataset", tmp / "ratings.csv", "--epochs", "1", "--logdir",
                         tmp / "run", "--save", tmp / "m.ckpt"});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const auto p = RunMtrec({"predict", "--model", tmp / "m.ckpt", "--user", "caf\xc3\xa9", "--item",
                           "item3", "--format", "json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const Json j = Json::parse(p.out);
  EXPECT_EQ(j["user"].get<std::string>(), "caf\xc3\xa9");
  EXPECT_EQ(j["item"].get<std::string>(), "item3");
  const auto unknown =
      RunMtrec({"predict", "--model", tmp / "m.ckpt", "--user", "u99", "--item", "item3"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("user 'u99' is not in the model"), std::string::npos) << unknown.err;

  write("caf\xe9");  // Latin-1
  train = RunMtrec({"train", "--dataset", tmp / "ratings.csv", "--epochs", "1", "--logdir",
                    tmp / "run2", "--save", tmp / "m2.ckpt"});
  EXPECT_EQ(train.exit_code, 1) << train.err;  // the data's problem: a runtime error
  EXPECT_NE(train.err.find("not UTF-8"), std::string::npos) << train.err;
  EXPECT_NE(train.err.find("checked before training"), std::string::npos) << train.err;
  EXPECT_FALSE(std::filesystem::exists(tmp / "m2.ckpt"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "run2"));  // refused before any epoch
  train = RunMtrec(
      {"train", "--dataset", tmp / "ratings.csv", "--epochs", "1", "--logdir", tmp / "run3"});
  EXPECT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(testing::ReadFile(tmp.path() / "run3" / "config.json").find("\"dataset\""),
            std::string::npos);
}

// Raw ids number the table rows, so row 0 exists though no rating has user or
// item 0 (MovieLens's phantom row): every front end refuses it through the
// model's one id check instead of answering from untrained weights.
TEST_F(ModelCommands, ThePhantomRowZeroIsNoId) {
  ASSERT_EQ(Rated("0").size(), 0u);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"predict", "--user", "0", "--item", "1"},
        std::vector<std::string>{"predict", "--user", "1", "--item", "0"},
        std::vector<std::string>{"recommend", "--user", "0"},
        std::vector<std::string>{"recommend", "--ratings", "0:5"}}) {
    std::vector<std::string> full = args;
    full.insert(full.begin() + 1, {"--model", *tmp_ / "m.ckpt"});
    const auto r = RunMtrec(full);
    EXPECT_EQ(r.exit_code, 1) << args[0] << " " << args[1] << " " << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find("is not in the model's data (row 0 of its raw-id table"),
              std::string::npos)
        << r.err;
  }
  const auto ok = RunMtrec({"predict", "--model", *tmp_ / "m.ckpt", "--user", "1", "--item", "1"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

}  // namespace
}  // namespace mtrec
