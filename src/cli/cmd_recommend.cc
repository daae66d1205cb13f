// mtrec recommend: top-k items for a known user, a batch of users, or a new
// user folded in from a few ratings.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/model_command.h"
#include "cli/printable.h"
#include "mtrec/core/split_list.h"

namespace mtrec::cli {

namespace {

constexpr const char* kRecommendUsage =
    "usage: mtrec recommend --model PATH (--user ID | --users FILE | --ratings ITEM:R,...)\n"
    "                       [--k 10] [--include_seen] [--format table|json]\n\n"
    "Prints the top-k items by the model's ranking score, with the predicted rating and the\n"
    "title (from u.item beside the ratings file, when present). Items the user rated\n"
    "anywhere in the data set are left out unless --include_seen; so are ids that occur\n"
    "nowhere in it. --users FILE reads one user id per line (an unknown id is reported\n"
    "with its line and skipped; the exit code is then 1). --ratings recommends for a new\n"
    "user: an embedding is fitted to those ratings (each within the data set's rating\n"
    "range) against the frozen model (fold-in).\n"
    "JSON output is one object per user per line.\n";

struct RecommendFlags {
  std::string user, users_file, ratings;
  int k = kDefaultTopK;
  bool include_seen = false;
  FoldInConfig fold_in;
};

// ITEM:RATING[,ITEM:RATING...] as table rows; the ratings' range is the
// model's to check (RecommendForRatings).
Status ParseRatings(std::string_view text, const Model& model, std::vector<RatedItem>* out) {
  for (std::string_view pair : SplitList(text)) {
    const size_t colon = pair.find(':');
    double rating = 0;
    if (colon == std::string_view::npos ||
        !ParseDoubleFlag("ratings", pair.substr(colon + 1), &rating).ok()) {
      return Status::InvalidArgument("--ratings: expected ITEM:RATING[,ITEM:RATING...], got '" +
                                     std::string(pair) + "'");
    }
    const Result<ItemId> item = model.FindItem(pair.substr(0, colon));
    if (!item.ok()) return item.status().WithContext("--ratings");
    out->push_back({*item, static_cast<float>(rating)});
  }
  return Status::Ok();
}

void Print(bool json, const std::string& user, const std::vector<Recommendation>& recs,
           const Model& model, const std::vector<std::string>& titles, int64_t candidates) {
  const IdMap& ids = model.items();
  if (json) {
    nlohmann::ordered_json j;
    j["user"] = user;
    j["items"] = nlohmann::json::array();
    for (size_t r = 0; r < recs.size(); ++r) {
      nlohmann::ordered_json item;
      item["rank"] = r + 1;
      item["item"] = ids.Name(recs[r].item);
      item["score"] = recs[r].score;
      item["predicted_rating"] = recs[r].rating;
      item["title"] = titles[recs[r].item];
      j["items"].push_back(item);
    }
    PrintJson(j);
    return;
  }
  std::printf("user %s: top %zu of %lld candidate items\n", Printable(user).c_str(), recs.size(),
              static_cast<long long>(candidates));
  std::printf("%4s %8s %9s %7s  %s\n", "rank", "item", "score", "rating", "title");
  for (size_t r = 0; r < recs.size(); ++r) {
    std::printf("%4zu %8s %9.4f %7.2f  %s\n", r + 1, Printable(ids.Name(recs[r].item)).c_str(),
                recs[r].score, recs[r].rating, Printable(titles[recs[r].item]).c_str());
  }
}

struct ListedUser {
  std::string id;
  int64_t line = 0;
};

// One id per line; spaces, tabs and CR around it are ignored, blank lines skipped.
Result<std::vector<ListedUser>> ReadUsers(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument("--users " + path +
                                   " is a folder; expected a file with one user id per line");
  }
  // A FIFO or device would block or never end.
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    return Status::InvalidArgument("--users " + path +
                                   " is not a regular file (a pipe or a device); expected a file "
                                   "with one user id per line");
  }
  std::ifstream in(path);
  if (!in) return Status::NotFound("--users " + path + ": cannot open for reading");
  std::vector<ListedUser> users;
  int64_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    const size_t end = line.find_last_not_of(" \t\r");
    users.push_back({line.substr(begin, end - begin + 1), number});
  }
  if (in.bad()) return Status::IOError("--users " + path + ": read failed");
  if (users.empty()) {
    return Status::Corruption("--users " + path + " holds no user ids (one per line expected)");
  }
  return users;
}

}  // namespace

int RunRecommend(std::span<const std::string> args) {
  ModelFlags f;
  RecommendFlags r;
  FlagSet flags;
  AddModelFlags(flags, f);
  flags.AddString("user", &r.user, "ID", "the user to recommend for (a raw id of the data set)");
  flags.AddString("users", &r.users_file, "FILE", "recommend for every user id listed in FILE");
  flags.AddString("ratings", &r.ratings, "ITEM:R,...",
                  "recommend for a new user with these ratings (fold-in)");
  flags.AddInt("k", &r.k, "number of items per user");
  flags.AddSwitch("include_seen", "keep the items the user already rated",
                  [&r] { r.include_seen = true; });
  flags.AddInt("fold_in_steps", &r.fold_in.steps, "Adam steps of the fold-in");
  flags.AddDouble("fold_in_learning_rate", &r.fold_in.learning_rate,
                  "Adam step size of the fold-in");
  flags.AddDouble("fold_in_l2", &r.fold_in.l2, "L2 penalty on the folded-in embedding");
  flags.AddUint32("seed", &r.fold_in.seed, "seeds the fold-in's negative items");
  if (auto exit = ParseCommandLine("recommend", kRecommendUsage, flags, args)) return *exit;
  if (Status s = ValidateModelFlags(f); !s.ok()) return CommandFailure("recommend", s);
  if ((!r.user.empty()) + (!r.users_file.empty()) + (!r.ratings.empty()) != 1) {
    return CommandFailure(
        "recommend", Status::InvalidArgument("give exactly one of --user, --users and --ratings"));
  }
  if (r.k < 1) return CommandFailure("recommend", Status::InvalidArgument("--k: expected >= 1"));
  if (r.fold_in.steps < 1 || !(r.fold_in.learning_rate > 0) || !(r.fold_in.l2 >= 0)) {
    return CommandFailure(
        "recommend", Status::InvalidArgument("--fold_in_steps and --fold_in_learning_rate must be "
                                             "> 0, --fold_in_l2 >= 0"));
  }

  Result<Model> model = LoadModel(f);
  if (!model.ok()) return CommandFailure("recommend", model.status());
  Result<const TrainingData*> data = model->training_data();
  if (!data.ok()) return CommandFailure("recommend", data.status());
  // The data layer's titles (u.item, movies.dat or movies.csv), by item index.
  std::vector<std::string> titles = (*data)->dataset.item_titles;
  titles.resize(model->num_items());

  if (!r.ratings.empty()) {
    std::vector<RatedItem> rated;
    if (Status s = ParseRatings(r.ratings, *model, &rated); !s.ok()) {
      return CommandFailure("recommend", s);
    }
    FoldInStats stats;
    Result<std::vector<Recommendation>> recs =
        model->RecommendForRatings(rated, r.k, r.fold_in, &stats);
    if (!recs.ok()) return CommandFailure("recommend", recs.status());
    if (!f.json) {
      std::printf("fold-in: %zu ratings, loss %.4f -> %.4f in %d steps\n", rated.size(),
                  stats.first_loss, stats.last_loss, r.fold_in.steps);
    }
    Print(f.json, "new", *recs, *model, titles, stats.candidates);
    return kExitOk;
  }

  // One user's list, or an error naming the user.
  const auto recommend = [&](const std::string& user, UserId row) -> Status {
    int64_t candidates = 0;
    MTREC_ASSIGN_OR_RETURN(const std::vector<Recommendation> recs,
                           model->Recommend(row, r.k, r.include_seen, &candidates));
    Print(f.json, user, recs, *model, titles, candidates);
    return Status::Ok();
  };
  if (r.users_file.empty()) {
    Result<UserId> row = model->FindUser(r.user);
    if (!row.ok()) return CommandFailure("recommend", row.status());
    if (Status s = recommend(r.user, *row); !s.ok()) return CommandFailure("recommend", s);
    return kExitOk;
  }
  Result<std::vector<ListedUser>> listed = ReadUsers(r.users_file);
  if (!listed.ok()) return CommandFailure("recommend", listed.status());
  // An unknown id is reported (one line, with its line number) and skipped; the
  // rest of the list is still served, and the exit code says that one failed.
  int failed = 0, printed = 0;
  for (const ListedUser& user : *listed) {
    Result<UserId> row = model->FindUser(user.id);
    if (!row.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "mtrec recommend: --users %s line %lld: %s\n",
                   Printable(r.users_file).c_str(), static_cast<long long>(user.line),
                   Printable(row.status().message()).c_str());
      ++failed;
      continue;
    }
    if (printed++ > 0 && !f.json) std::printf("\n");
    if (Status s = recommend(user.id, *row); !s.ok()) return CommandFailure("recommend", s);
  }
  return failed > 0 ? kExitRuntimeError : kExitOk;
}

}  // namespace mtrec::cli
