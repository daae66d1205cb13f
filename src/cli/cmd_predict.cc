// mtrec predict: both heads of a trained model for one (user, item) pair.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "cli/model_command.h"
#include "cli/printable.h"

namespace mtrec::cli {

namespace {

constexpr const char* kPredictUsage =
    "usage: mtrec predict --model PATH --user ID --item ID [--format table|json]\n\n"
    "Prints the regression head's predicted rating and the factorisation head's ranking\n"
    "score of one (user, item) pair. Needs only the checkpoint, not the data set.\n";

}  // namespace

int RunPredict(std::span<const std::string> args) {
  ModelFlags f;
  std::string user, item;
  FlagSet flags;
  AddModelFlags(flags, f, /*reads_data=*/false);
  flags.AddString("user", &user, "ID", "the user (a raw id of the data set)");
  flags.AddString("item", &item, "ID", "the item (a raw id of the data set)");
  if (auto exit = ParseCommandLine("predict", kPredictUsage, flags, args)) return *exit;
  if (Status s = ValidateModelFlags(f); !s.ok()) return CommandFailure("predict", s);
  if (user.empty() || item.empty()) {
    return CommandFailure("predict", Status::InvalidArgument("--user and --item are required"));
  }
  f.threads = 1;
  Result<Model> model = LoadModel(f);
  if (!model.ok()) return CommandFailure("predict", model.status());
  Result<UserId> u = model->FindUser(user);
  if (!u.ok()) return CommandFailure("predict", u.status());
  Result<ItemId> i = model->FindItem(item);
  if (!i.ok()) return CommandFailure("predict", i.status());
  Result<Recommendation> predicted = model->Predict(*u, *i);
  if (!predicted.ok()) return CommandFailure("predict", predicted.status());
  const Recommendation& p = *predicted;
  if (f.json) {
    nlohmann::ordered_json j;
    j["user"] = user;
    j["item"] = item;
    j["predicted_rating"] = p.rating;
    j["score"] = p.score;
    PrintJson(j);
  } else {
    std::printf("user %s, item %s: predicted rating %.4f, ranking score %.4f\n",
                Printable(user).c_str(), Printable(item).c_str(), p.rating, p.score);
  }
  return kExitOk;
}

}  // namespace mtrec::cli
