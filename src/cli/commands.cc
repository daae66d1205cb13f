#include "cli/commands.h"

#include <cstdio>
#include <string>
#include <string_view>

namespace mtrec::cli {

namespace {

// The library names configuration fields; these are spelled differently as flags.
struct FieldFlag {
  std::string_view field;
  std::string_view flag;
};
constexpr FieldFlag kRenamedFields[] = {{"hidden_layers", "layers"}, {"weight_decay", "l2"}};

// Fields whose flag has the same name (the first word of a library message).
constexpr std::string_view kFieldFlags[] = {"test_fraction",
                                            "validation_fraction",
                                            "epochs",
                                            "threads",
                                            "patience",
                                            "early_stopping",
                                            "refit",
                                            "factorization_weight",
                                            "regression_weight",
                                            "batch_size",
                                            "learning_rate",
                                            "embedding_dim",
                                            "optimizer",
                                            "bpr_loss",
                                            "format",
                                            "columns",
                                            "duplicates",
                                            "dataset",
                                            "data_dir",
                                            "save_best",
                                            "resume",
                                            "ratings",
                                            "seed",
                                            "init_weights"};

}  // namespace

std::string FlagMessage(std::string_view message) {
  const size_t end = message.find_first_of(": ");
  if (end == std::string_view::npos) return std::string(message);
  const std::string_view word = message.substr(0, end);
  for (const FieldFlag& r : kRenamedFields) {
    if (word == r.field) return "--" + std::string(r.flag) + std::string(message.substr(end));
  }
  for (std::string_view f : kFieldFlags) {
    if (word == f) return "--" + std::string(message);
  }
  return std::string(message);
}

int CommandFailure(const char* command, const Status& s) {
  std::fprintf(stderr, "mtrec %s: %s\n", command, FlagMessage(s.message()).c_str());
  return s.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitRuntimeError;
}

}  // namespace mtrec::cli
