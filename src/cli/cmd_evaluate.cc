// mtrec evaluate: a trained model's test metrics, recomputed from its checkpoint.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/model_command.h"
#include "cli/printable.h"
#include "mtrec/core/split_list.h"

namespace mtrec::cli {

namespace {

constexpr const char* kEvaluateUsage =
    "usage: mtrec evaluate --model PATH [--k 10] [--metrics LIST] [--format table|json]\n\n"
    "Recomputes a trained model's metrics on the test split recorded in its checkpoint\n"
    "(the same data set, split and validation hold-out as in training):\n"
    "  mrr, mse      the original's test MRR and MSE (as in metrics.jsonl)\n"
    "  rmse, mae     root mean squared and mean absolute rating error\n"
    "  precision, recall, ndcg, hit_rate   at --k, on the full ranking of every item\n"
    "                except the user's training items, macro-averaged over test users\n"
    "  auc           P(a test item outscores a non-test candidate), ties 1/2\n"
    "The user's training items are those of the whole training split: the validation\n"
    "rows' items too, when some were held out.\n";

const std::vector<std::string> kMetricNames = {"mrr",    "mse",  "rmse",     "mae", "precision",
                                               "recall", "ndcg", "hit_rate", "auc"};

Status ParseMetricList(std::string_view text, std::vector<std::string>* out) {
  out->clear();
  for (std::string_view piece : SplitList(text)) {
    const std::string name(piece);
    if (std::find(kMetricNames.begin(), kMetricNames.end(), name) == kMetricNames.end()) {
      return Status::InvalidArgument("--metrics: unknown metric '" + name +
                                     "' (known: mrr,mse,rmse,mae,precision,recall,ndcg,hit_rate,"
                                     "auc)");
    }
    out->push_back(name);
  }
  return Status::Ok();
}

}  // namespace

int RunEvaluate(std::span<const std::string> args) {
  ModelFlags f;
  int k = kDefaultTopK;
  std::vector<std::string> metrics = kMetricNames;
  FlagSet flags;
  AddModelFlags(flags, f);
  flags.AddInt("k", &k, "cut-off of precision, recall, ndcg and hit_rate");
  flags.AddValue("metrics", "LIST",
                 "comma-separated metrics to report (mrr,mse,rmse,mae,precision,recall,ndcg,"
                 "hit_rate,auc)",
                 "all", [&metrics](std::string_view v) { return ParseMetricList(v, &metrics); });
  if (auto exit = ParseCommandLine("evaluate", kEvaluateUsage, flags, args)) return *exit;
  if (Status s = ValidateModelFlags(f); !s.ok()) return CommandFailure("evaluate", s);
  if (k < 1) return CommandFailure("evaluate", Status::InvalidArgument("--k: expected >= 1"));

  Result<Model> model = LoadModel(f);
  if (!model.ok()) return CommandFailure("evaluate", model.status());
  Result<const TrainingData*> data = model->training_data();
  if (!data.ok()) return CommandFailure("evaluate", data.status());
  const TrainingData& d = **data;
  Result<ModelEvaluation> evaluated = model->Evaluate(d.test, {&d.train, &d.validation}, k);
  if (!evaluated.ok()) return CommandFailure("evaluate", evaluated.status());
  const ModelEvaluation& e = *evaluated;

  const std::string at = "@" + std::to_string(k);
  const auto value = [&](const std::string& name) {
    if (name == "mrr") return e.base.mrr;
    if (name == "mse") return e.base.mse;
    if (name == "rmse") return e.rmse;
    if (name == "mae") return e.mae;
    if (name == "precision") return e.ranking.precision;
    if (name == "recall") return e.ranking.recall;
    if (name == "ndcg") return e.ranking.ndcg;
    if (name == "hit_rate") return e.ranking.hit_rate;
    return e.ranking.auc;
  };
  const auto label = [&](const std::string& name) {
    const bool at_k =
        name == "precision" || name == "recall" || name == "ndcg" || name == "hit_rate";
    return at_k ? name + at : name;
  };
  if (f.json) {
    nlohmann::ordered_json j;
    const WeightsState w = model->weights_state();
    j["model"] = f.model;
    j["epoch"] = w.epoch;
    if (w.extra_batches > 0) j["extra_batches"] = w.extra_batches;
    if (w.best_restored && !w.refitted) j["best_restored"] = true;
    if (w.refitted) j["refitted"] = true;
    if (w.best_restored && w.per_head) j["rating_epoch"] = w.rating_epoch;
    j["data"] = d.dataset.path;
    j["test_interactions"] = e.base.test_size;
    j["test_users"] = e.base.mrr_users;
    j["k"] = k;
    for (const std::string& m : metrics) j["metrics"][label(m)] = value(m);
    PrintJson(j, /*indent=*/2);
  } else {
    std::printf("model  %s (%s)\ndata   %s: %lld test interactions, %lld test users\n\n",
                Printable(f.model).c_str(), DescribeWeights(model->weights_state()).c_str(),
                Printable(d.dataset.path).c_str(), static_cast<long long>(e.base.test_size),
                static_cast<long long>(e.base.mrr_users));
    std::printf("%-14s %10s\n", "metric", "value");
    for (const std::string& m : metrics) std::printf("%-14s %10.6f\n", label(m).c_str(), value(m));
  }
  return kExitOk;
}

}  // namespace mtrec::cli
