#include "cli/model_command.h"

#include <cstdio>

#include "cli/commands.h"
#include "mtrec/backend/backend_registry.h"
#include "mtrec/config.h"  // ExperimentConfig::kMaxThreads

namespace mtrec::cli {

void AddModelFlags(FlagSet& flags, ModelFlags& f, bool reads_data) {
  flags.AddString("model", &f.model, "PATH",
                  "the checkpoint written by mtrec train --save (required)");
  if (reads_data) {
    flags.AddString("dataset", &f.dataset, "NAME|PATH",
                    "where the training data is now, if it moved (default: the path recorded in "
                    "the checkpoint; it must be the same data)");
    flags.AddString("data_dir", &f.data_dir, "DIR", "where data set names are looked up");
    flags.AddIntInRange("threads", &f.threads, 1, ExperimentConfig::kMaxThreads, "worker threads");
  }
  flags.AddOptionalBool("gpu", &f.gpu,
                        "score on the GPU (the CUDA backend; needs a build with -DMTREC_CUDA=ON)");
  flags.AddValue("format", "table|json", "output format", "table", [&f](std::string_view v) {
    if (v != "table" && v != "json") {
      return Status::InvalidArgument("--format: expected table or json, got '" + std::string(v) +
                                     "'");
    }
    f.json = v == "json";
    return Status::Ok();
  });
}

Status ValidateModelFlags(const ModelFlags& f) {
  if (f.model.empty()) return Status::InvalidArgument("--model PATH is required");
  if (f.gpu) return BackendUsable(f.backend()).WithContext("--gpu");
  return Status::Ok();
}

Result<Model> LoadModel(const ModelFlags& f) {
  LoadOptions options;
  options.threads = f.threads;
  options.backend = f.backend();
  options.dataset = f.dataset;
  options.data_dir = f.data_dir;
  return Model::Load(f.model, options);
}

std::string DescribeWeights(const WeightsState& w) {
  std::string text = "epoch " + std::to_string(w.epoch);
  if (w.refitted) {
    text = w.rating_epoch > 0
               ? "ranking head after " + std::to_string(w.epoch) + " epochs, rating head after " +
                     std::to_string(w.rating_epoch) +
                     ": refitted, each head trained for its own epoch count"
               : "epoch " + std::to_string(w.epoch) +
                     ": refitted, a fresh model trained for the chosen epochs";
  } else if (w.best_restored && w.per_head && w.rating_epoch > 0) {
    text = "ranking head of epoch " + std::to_string(w.epoch) + ", rating head of epoch " +
           std::to_string(w.rating_epoch) + ": each head's best of " +
           std::to_string(w.epochs_trained) + ", restored by early stopping";
  } else if (w.best_restored) {
    text += ": the best of " + std::to_string(w.epochs_trained) + ", restored by early stopping";
  } else if (w.extra_batches > 0) {
    text += " + " + std::to_string(w.extra_batches) + " batches of epoch " +
            std::to_string(w.epoch + 1) + " (saved mid-epoch: no metrics.jsonl line matches)";
  }
  return text;
}

void PrintJson(const nlohmann::ordered_json& j, int indent) {
  std::printf("%s\n",
              j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
}

std::optional<int> ParseCommandLine(const char* command, const char* usage, const FlagSet& flags,
                                    std::span<const std::string> args) {
  bool help = false;
  if (Status s = flags.Parse(args, &help); !s.ok()) return CommandFailure(command, s);
  if (help) {
    std::printf("%s\nflags:\n%s", usage, flags.Help().c_str());
    return kExitOk;
  }
  return std::nullopt;
}

}  // namespace mtrec::cli
