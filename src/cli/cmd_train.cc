// mtrec train: the original's main.py, with every one of its flags and defaults,
// plus the knobs the original hard-coded.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console_report.h"
#include "cli/data_flags.h"
#include "cli/download_progress.h"
#include "cli/flags.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/report/run_directory.h"
#include "mtrec/train/experiment.h"

namespace mtrec::cli {

namespace {

constexpr uint32_t kDefaultSeed = 42;

std::string FormatWeight(double w) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", w);
  return buf;
}

bool HoldsRun(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "config.json", ec) ||
         std::filesystem::exists(dir / "metrics.jsonl", ec);
}

struct TrainFlags {
  ExperimentConfig config;
  std::string logdir;
  bool overwrite = false;
  bool gpu = false;
};

FlagSet MakeFlags(TrainFlags& f) {
  ExperimentConfig& c = f.config;
  FlagSet flags;
  AddDataFlags(flags, c.data);
  flags.AddDouble("test_fraction", &c.test_fraction, "fraction of the data held out for testing");
  flags.AddInt("epochs", &c.epochs, "number of training epochs");
  flags.AddDouble("factorization_weight", &c.train.factorization_weight,
                  "weight of the factorisation (BPR) loss in the joint loss");
  flags.AddDouble("regression_weight", &c.train.regression_weight,
                  "weight of the regression (MSE) loss in the joint loss");
  flags.AddSwitch("shared_embeddings", "share U and Q between both heads (the default)",
                  [&c] { c.model.shared_embeddings = true; });
  flags.AddSwitch("no_shared_embeddings", "separate embeddings for the factorisation and "
                  "regression heads", [&c] { c.model.shared_embeddings = false; });
  flags.AddString("logdir", &f.logdir, "DIR",
                  "run folder for config.json and metrics.jsonl (default: "
                  "runs/shared=<bool>_LF=<wF>_LR=<wR>, with _2, _3, ... appended if taken)");
  flags.AddSwitch("overwrite", "allow --logdir to name a folder that already holds a run",
                  [&f] { f.overwrite = true; });
  flags.AddOptionalBool("gpu", &f.gpu, "train on a GPU (needs a CUDA build; this build has none)");
  flags.AddUint32("seed", &c.train.seed,
                  "seeds the initialisation and the training stream (shuffle, negatives)");
  flags.AddInt("threads", &c.threads, "worker threads (results are identical for any count)");
  flags.AddInt("batch_size", &c.train.batch_size, "minibatch size (the last batch may be partial)");
  flags.AddDouble("learning_rate", &c.train.adam.learning_rate, "Adam's learning rate");
  flags.AddDouble("l2", &c.train.adam.weight_decay, "L2 penalty (Adam weight_decay)");
  flags.AddInt("embedding_dim", &c.model.embedding_dim, "embedding size");
  flags.AddValue("layers", "W[,W...]",
                 "hidden widths of the regression MLP; its input is 3 x embedding_dim and its "
                 "output 1",
                 "64", [&c](std::string_view v) {
                   return ParseIntListFlag("layers", v, &c.model.hidden_layers);
                 });
  flags.AddSwitch("user_bias", "add the 2022 variant's user bias (inert under BPR: stays 0)",
                  [&c] { c.model.user_bias = true; });
  flags.AddValue("bpr_loss", "sigmoid|log",
                 "factorisation loss: the original's 1 - sigmoid(pos - neg), or -log sigmoid",
                 "sigmoid", [&c](std::string_view v) {
                   if (v == "sigmoid") {
                     c.train.bpr_loss = BprLoss::kSigmoid;
                   } else if (v == "log") {
                     c.train.bpr_loss = BprLoss::kLog;
                   } else {
                     return Status::InvalidArgument("--bpr_loss: expected sigmoid or log, got '" +
                                                    std::string(v) + "'");
                   }
                   return Status::Ok();
                 });
  flags.AddString("init_weights", &c.init_weights, "DIR",
                  "start from parameters dumped by reference/train_reference.py --dump_init");
  return flags;
}

void PrintHelp(const FlagSet& flags) {
  std::printf(
      "usage: mtrec train [flags]\n\n"
      "Trains the multitask model (BPR matrix factorisation + MLP rating regression) and\n"
      "evaluates test MRR and MSE after every epoch. Prints one table row per epoch and\n"
      "writes config.json and metrics.jsonl to the run folder.\n\nflags:\n%s",
      flags.Help().c_str());
}

}  // namespace

int RunTrain(std::span<const std::string> args) {
  TrainFlags f;
  f.config.train.seed = kDefaultSeed;
  f.config.threads = HardwareThreads();
  FlagSet flags = MakeFlags(f);
  bool help = false;
  if (Status s = flags.Parse(args, &help); !s.ok()) {
    std::fprintf(stderr, "mtrec train: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (help) {
    PrintHelp(flags);
    return kExitOk;
  }
  if (f.gpu) {
    std::fprintf(stderr,
                 "mtrec train: --gpu: this build has no GPU backend (rebuild with "
                 "-DMTREC_ENABLE_CUDA=ON on a machine with CUDA); run without --gpu\n");
    return kExitUsage;
  }
  if (Status s = f.config.Validate(); !s.ok()) {
    std::fprintf(stderr, "mtrec train: %s\n", s.message().c_str());
    return kExitUsage;
  }

  std::filesystem::path logdir = f.logdir;
  if (logdir.empty()) {
    const std::string base = "runs/shared=" + std::string(f.config.model.shared_embeddings ? "True" : "False") +
                             "_LF=" + FormatWeight(f.config.train.factorization_weight) +
                             "_LR=" + FormatWeight(f.config.train.regression_weight);
    logdir = base;
    for (int k = 2; HoldsRun(logdir); ++k) logdir = base + "_" + std::to_string(k);
  } else if (HoldsRun(logdir) && !f.overwrite) {
    std::fprintf(stderr,
                 "mtrec train: --logdir %s already holds a run; pass --overwrite to replace it "
                 "or choose another folder\n",
                 logdir.string().c_str());
    return kExitUsage;
  }

  DownloadProgress progress = DownloadProgress::ForStderr();
  f.config.data.on_download = [&progress](const DownloadEvent& e) { progress.OnEvent(e); };
  RunDirectory run_dir(logdir);
  ConsoleReport console(stdout);
  const std::vector<TrainingObserver*> observers = {&console, &run_dir};
  Result<RunSummary> summary = RunExperiment(f.config, observers);
  if (!summary.ok()) {
    std::fprintf(stderr, "mtrec train: %s\n", summary.status().message().c_str());
    return summary.status().code() == Status::Code::kInvalidArgument ? kExitUsage
                                                                     : kExitRuntimeError;
  }
  std::printf("run folder: %s\n", logdir.string().c_str());
  return kExitOk;
}

}  // namespace mtrec::cli
