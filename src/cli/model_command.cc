#include "cli/model_command.h"

#include <cstdio>

#include "cli/commands.h"
#include "mtrec/train/experiment.h"

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
  return Status::Ok();
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
