// What `mtrec evaluate`, `recommend` and `predict` share: the flags that name a
// trained model and its data, loading both, and the output format.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/flags.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/model.h"

namespace mtrec::cli {

struct ModelFlags {
  std::string model;    // --model PATH (required)
  std::string dataset;  // overrides the checkpoint's data location
  std::string data_dir;
  bool json = false;  // --format json
  int threads = HardwareThreads();
  bool gpu = false;  // --gpu: the model runs on the "cuda" backend
  const char* backend() const { return gpu ? "cuda" : "cpu"; }
};

// --model and --format; with reads_data also --dataset, --data_dir and
// --threads (a command that needs only the checkpoint offers none of them).
void AddModelFlags(FlagSet& flags, ModelFlags& f, bool reads_data = true);

// Checks that --model was given (--threads is range-checked as it is parsed),
// and with --gpu that this build and machine can run the CUDA backend
// (Unavailable saying what is missing: exit 1).
Status ValidateModelFlags(const ModelFlags& f);

// The model named by --model, on --gpu's backend with --threads, its data
// looked for at --dataset/--data_dir when it is needed.
Result<Model> LoadModel(const ModelFlags& f);

// "epoch 13", "epoch 13: the best of 15, restored by early stopping", "epoch 13
// + 40 batches of epoch 14 (saved mid-epoch: no metrics.jsonl line matches)".
std::string DescribeWeights(const WeightsState& weights);

// Prints `j` on one line (indent < 0) or indented, with any bytes that are not
// UTF-8 (a raw id or a path from the data) replaced rather than thrown on.
void PrintJson(const nlohmann::ordered_json& j, int indent = -1);

// Parses `args` into `flags`; on --help prints `usage` and the flag table.
// Returns the exit code to return now, or nullopt to go on.
std::optional<int> ParseCommandLine(const char* command, const char* usage, const FlagSet& flags,
                                    std::span<const std::string> args);

}  // namespace mtrec::cli
