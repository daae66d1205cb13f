// mtrec train: the original's main.py, with every one of its flags and defaults,
// plus the knobs the original hard-coded, checkpoints, resuming and early stopping.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/console_report.h"
#include "cli/download_progress.h"
#include "cli/experiment_flags.h"
#include "cli/flags.h"
#include "cli/interrupt.h"
#include "cli/progress_line.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/report/run_directory.h"
#include "mtrec/report/tfevents_writer.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/train/experiment.h"

namespace mtrec::cli {

namespace {

constexpr uint32_t kDefaultSeed = 42;

// Flags that may accompany --resume: they do not change the run's results.
const std::set<std::string> kResumeFlags = {"resume",    "epochs",  "threads",    "logdir",
                                            "overwrite", "save",    "save_every", "save_best",
                                            "max_steps", "dataset", "data_dir",   "gpu"};

bool HoldsRun(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / "config.json", ec) ||
         std::filesystem::exists(dir / "metrics.jsonl", ec);
}

struct TrainFlags {
  ExperimentConfig config;
  RunOptions options;
  std::string logdir;
  std::string resume;
  std::string save_best;
  bool overwrite = false;
  bool gpu = false;
};

FlagSet MakeFlags(TrainFlags& f) {
  ExperimentConfig& c = f.config;
  FlagSet flags;
  AddExperimentFlags(flags, c);
  AddObjectiveFlags(flags, c);
  flags.AddString("logdir", &f.logdir, "DIR",
                  "run folder for config.json, metrics.jsonl and the TensorBoard event file "
                  "(default: runs/shared=<bool>_LF=<wF>_LR=<wR>, with _2, _3, ... appended if "
                  "taken; with --resume: the checkpoint's run folder)");
  flags.AddSwitch("overwrite", "allow --logdir to name a folder that already holds a run",
                  [&f] { f.overwrite = true; });
  flags.AddOptionalBool("gpu", &f.gpu,
                        "train on a GPU (no GPU backend exists yet: --gpu is refused)");
  flags.AddUint32("seed", &c.train.seed,
                  "seeds the initialisation and the training stream (shuffle, negatives)");
  flags.AddString("init_weights", &c.init_weights, "DIR",
                  "start from parameters dumped by reference/train_reference.py --dump_init");
  flags.AddString("save", &f.options.save_path, "PATH",
                  "write a checkpoint (model, optimizer, training state) to PATH at the end, "
                  "and when stopped by Ctrl-C (default with --resume: the resumed file)");
  flags.AddInt("save_every", &f.options.save_every,
               "also write the --save checkpoint every N epochs (0: only at the end)");
  flags.AddString(
      "save_best", &f.save_best, "mrr|mse",
      "also keep the checkpoint of the best epoch by this metric (on the validation "
      "split if there is one, else on the test split) in <stem>.best<ext> beside --save");
  flags.AddString("resume", &f.resume, "PATH",
                  "continue the run saved in checkpoint PATH with its configuration and data; "
                  "only --epochs, --threads, --logdir, --overwrite, --save, --save_every, "
                  "--save_best, --max_steps, --dataset and --data_dir may be given with it");
  flags.AddValue("max_steps", "INT",
                 "stop after this many optimiser steps in all, as Ctrl-C would (0: no limit)", "0",
                 [&f](std::string_view v) {
                   int steps = 0;
                   MTREC_RETURN_IF_ERROR(ParseIntFlag("max_steps", v, &steps));
                   if (steps < 0) return Status::InvalidArgument("--max_steps: expected >= 0");
                   f.options.max_steps = steps;
                   return Status::Ok();
                 });
  return flags;
}

void PrintHelp(const FlagSet& flags) {
  std::printf(
      "usage: mtrec train [flags]\n\n"
      "Trains the multitask model (BPR matrix factorisation + MLP rating regression) and\n"
      "evaluates test MRR and MSE after every epoch. Prints one table row per epoch (and a\n"
      "live progress line on a terminal) and writes config.json, metrics.jsonl and a\n"
      "TensorBoard event file to the run folder. Ctrl-C stops after the current step (and\n"
      "saves the checkpoint if --save is given); a second Ctrl-C quits at once.\n"
      "Exit codes: 0 done, 1 runtime error, 2 usage error, 130 stopped by Ctrl-C or\n"
      "--max_steps.\n\nflags:\n%s",
      flags.Help().c_str());
}

int Fail(const Status& s) { return CommandFailure("train", s); }

// Takes the run's configuration from the checkpoint, applying the few flags allowed.
Status ApplyResume(const FlagSet& flags, const TrainingCheckpoint& ckpt, TrainFlags& f) {
  for (const std::string& name : flags.given()) {
    if (kResumeFlags.count(name) == 0) {
      return Status::InvalidArgument("--" + name +
                                     " cannot be combined with --resume: the run keeps the "
                                     "checkpoint's configuration (see --help)");
    }
  }
  const auto given = [&](const char* name) {
    return std::find(flags.given().begin(), flags.given().end(), name) != flags.given().end();
  };
  ExperimentConfig c = ckpt.config;
  if (given("epochs")) c.epochs = f.config.epochs;
  c.threads = f.config.threads;  // never changes results: this machine's count or --threads
  if (given("dataset")) c.data.dataset = f.config.data.dataset;
  if (given("data_dir")) c.data.data_dir = f.config.data.data_dir;
  if (c.epochs <= ckpt.epochs_done) {
    return Status::InvalidArgument("--resume: the checkpoint already has " +
                                   std::to_string(ckpt.epochs_done) +
                                   " epochs; pass --epochs N with N > " +
                                   std::to_string(ckpt.epochs_done) + " to train further");
  }
  f.config = c;
  if (f.options.save_path.empty()) f.options.save_path = f.resume;
  if (f.logdir.empty()) {
    f.logdir = ckpt.logdir;
    f.overwrite = true;  // continuing the run in its own folder
  }
  return Status::Ok();
}

std::filesystem::path DefaultLogdir(const ExperimentConfig& c) {
  const std::string base = "runs/" + RunName(c);
  std::filesystem::path logdir = base;
  for (int k = 2; HoldsRun(logdir); ++k) logdir = base + "_" + std::to_string(k);
  return logdir;
}

}  // namespace

int RunTrain(std::span<const std::string> args) {
  TrainFlags f;
  f.config.train.seed = kDefaultSeed;
  f.config.threads = HardwareThreads();
  FlagSet flags = MakeFlags(f);
  bool help = false;
  if (Status s = flags.Parse(args, &help); !s.ok()) return Fail(s);
  if (help) {
    PrintHelp(flags);
    return kExitOk;
  }
  if (f.gpu) {
    std::fprintf(stderr,
                 "mtrec train: --gpu: mtrec has no GPU backend yet, it trains on the CPU; "
                 "run without --gpu\n");
    return kExitUsage;
  }
  ResolveExperimentDefaults(flags, f.config);
  if (!f.save_best.empty()) {
    Result<Metric> metric = ParseMetric(f.save_best, "save_best");
    if (!metric.ok()) return Fail(metric.status());
    f.options.save_best = *metric;
    if (f.options.save_path.empty() && f.resume.empty()) {
      return Fail(Status::InvalidArgument("--save_best needs --save PATH"));
    }
  }
  if (f.options.save_every < 0) {
    return Fail(Status::InvalidArgument("--save_every: expected an integer >= 0"));
  }
  std::optional<TrainingCheckpoint> checkpoint;
  if (!f.resume.empty()) {
    Result<TrainingCheckpoint> loaded = LoadCheckpoint(f.resume);
    if (!loaded.ok()) return Fail(Status::IOError("--resume " + loaded.status().message()));
    checkpoint = std::move(loaded).value();
    if (Status s = ApplyResume(flags, *checkpoint, f); !s.ok()) return Fail(s);
    f.options.resume = &*checkpoint;
  }
  if (Status s = f.config.Validate(); !s.ok()) return Fail(s);

  std::filesystem::path logdir = f.logdir;
  if (logdir.empty()) {
    logdir = DefaultLogdir(f.config);
  } else if (HoldsRun(logdir) && !f.overwrite) {
    std::fprintf(stderr,
                 "mtrec train: --logdir %s already holds a run; pass --overwrite to replace it "
                 "or choose another folder\n",
                 logdir.string().c_str());
    return kExitUsage;
  }
  f.options.logdir = logdir.string();
  f.options.stop = &InstallInterruptHandler();

  DownloadProgress download_progress = DownloadProgress::ForStderr();
  f.config.data.on_download = [&download_progress](const DownloadEvent& e) {
    download_progress.OnEvent(e);
  };
  RunDirectory run_dir(logdir);
  TensorBoardObserver tensorboard(logdir);
  ProgressLine progress(stderr);
  ConsoleReport console(stdout);
  const std::vector<TrainingObserver*> observers = {&progress, &console, &run_dir, &tensorboard};
  Result<RunSummary> summary = RunExperiment(f.config, f.options, observers);
  if (!summary.ok()) return Fail(summary.status());
  std::printf("run folder: %s\n", logdir.string().c_str());
  if (!summary->checkpoint_path.empty()) {
    std::printf("checkpoint: %s\n", summary->checkpoint_path.c_str());
  }
  if (!summary->best_checkpoint_path.empty()) {
    std::printf("best checkpoint: %s\n", summary->best_checkpoint_path.c_str());
  }
  return summary->stop_reason == StopReason::kInterrupted ? kExitInterrupted : kExitOk;
}

}  // namespace mtrec::cli
