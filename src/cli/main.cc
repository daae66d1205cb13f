// mtrec: the command-line front end. A table of subcommands; each one lives in
// its own cmd_*.cc and returns an exit code. This is the only place (with the
// commands) that prints or exits.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/printable.h"
#include "mtrec/core/version.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(std::span<const std::string>);
};

constexpr Command kCommands[] = {
    {"train", "train the multitask model on a data set, evaluating every epoch",
     mtrec::cli::RunTrain},
    {"evaluate", "recompute a trained model's test metrics (MRR, MSE, RMSE, MAE, @k, AUC)",
     mtrec::cli::RunEvaluate},
    {"recommend", "top-k items for a user, a list of users, or a new user's ratings",
     mtrec::cli::RunRecommend},
    {"predict", "predicted rating and ranking score of one (user, item) pair",
     mtrec::cli::RunPredict},
    {"sweep", "run a grid of experiments over several seeds; summary table and plot",
     mtrec::cli::RunSweep},
    {"serve", "answer recommendations, similar items and predictions over HTTP (JSON)",
     mtrec::cli::RunServe},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(out,
               "mtrec %s: a multitask recommender (BPR matrix factorisation + MLP rating "
               "regression)\n\nusage: mtrec <command> [flags]\n\ncommands:\n",
               mtrec::kVersion);
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nRun `mtrec <command> --help` (or `mtrec help <command>`) for a command's "
               "flags.\n");
}

// Whether stdout took everything printed to it: a full disk (or /dev/full)
// must not look like a complete answer with exit 0. A pipe or socket whose
// reader went away is not an error (`mtrec train | head`: SIGPIPE is ignored
// and the output dropped, docs/cli.md).
bool OutputWritten(const char* command) {
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) != 0;
  if (!failed) return true;
  struct stat st {};
  if (::fstat(STDOUT_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    return true;
  }
  std::fprintf(stderr, "mtrec %s: writing the output failed (is the disk full?); it is incomplete\n",
               command);
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintUsage(stderr);
    return mtrec::cli::kExitUsage;
  }
  // Not listed: prints the docs' flag tables of `mtrec train` and `mtrec serve` (docs/cli.md).
  if (args == std::vector<std::string>{"help", "--markdown", "train"}) {
    mtrec::cli::PrintTrainFlagTable();
    return mtrec::cli::kExitOk;
  }
  if (args == std::vector<std::string>{"help", "--markdown", "serve"}) {
    mtrec::cli::PrintServeFlagTable();
    return mtrec::cli::kExitOk;
  }
  // `mtrec help <command>` is `mtrec <command> --help`.
  if (args.size() == 2 && args[0] == "help") args = {args[1], "--help"};
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(stdout);
    return mtrec::cli::kExitOk;
  }
  if (args[0] == "--version") {
    std::printf("mtrec %s\n", mtrec::kVersion);
    return mtrec::cli::kExitOk;
  }
  for (const Command& c : kCommands) {
    if (args[0] != c.name) continue;
    // Sizes from input and flags are bounded before allocation (the batch, the
    // tables, the layers); anything that still runs out of memory ends here as
    // one line and a runtime error, not an abort.
    try {
      const int code = c.run(std::span<const std::string>(args).subspan(1));
      return OutputWritten(c.name) ? code : mtrec::cli::kExitRuntimeError;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr,
                   "mtrec %s: out of memory (an allocation failed); use a smaller data set, "
                   "--embedding_dim, --layers or --batch_size, or --remap_ids for sparse ids\n",
                   c.name);
      return mtrec::cli::kExitRuntimeError;
    } catch (const std::length_error&) {
      std::fprintf(stderr, "mtrec %s: out of memory (a size exceeds what can be allocated)\n",
                   c.name);
      return mtrec::cli::kExitRuntimeError;
    }
  }
  std::fprintf(stderr, "mtrec: unknown command '%s' (see mtrec --help)\n",
               mtrec::cli::Printable(args[0]).c_str());
  return mtrec::cli::kExitUsage;
}
