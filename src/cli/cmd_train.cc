// mtrec train: the original's main.py, with every one of its flags and defaults,
// plus the knobs the original hard-coded, checkpoints, resuming and early stopping.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "cli/console_report.h"
#include "cli/download_progress.h"
#include "cli/experiment_flags.h"
#include "cli/flags.h"
#include "cli/interrupt.h"
#include "cli/progress_line.h"
#include "cli/recipe.h"
#include "mtrec/backend/backend_registry.h"
#include "mtrec/dataset.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/dist/world_communicator.h"
#include "mtrec/report/output_claim.h"
#include "mtrec/report/run_directory.h"
#include "mtrec/report/tfevents_writer.h"
#include "mtrec/train/checkpoint.h"
#include "mtrec/run/experiment.h"

namespace mtrec::cli {

namespace {

// Flags that may accompany --resume: they do not change the run's results.
const std::set<std::string> kResumeFlags = {
    "resume",    "epochs",    "threads", "logdir",   "overwrite", "save",        "save_every",
    "save_best", "max_steps", "dataset", "data_dir", "gpu",       "shard_tables"};

struct TrainFlags {
  ExperimentConfig config;
  RunOptions options;
  std::string logdir;
  std::string resume;
  std::string save_best;
  bool overwrite = false;
  bool gpu = false;
  std::string recipe;
};

FlagSet MakeFlags(TrainFlags& f) {
  ExperimentConfig& c = f.config;
  FlagSet flags;
  AddRecipeFlag(flags, &f.recipe);
  AddExperimentFlags(flags, c);
  AddObjectiveFlags(flags, c);
  flags.AddString("logdir", &f.logdir, "DIR",
                  "run folder for config.json, metrics.jsonl and the TensorBoard event file "
                  "(default: runs/shared=<bool>_LF=<wF>_LR=<wR>, with _2, _3, ... appended if "
                  "taken; with --resume: the checkpoint's run folder)");
  flags.AddSwitch("overwrite",
                  "allow --logdir to name a folder that holds a finished run (its files are "
                  "removed first) and --save a file that exists (it is replaced)",
                  [&f] { f.overwrite = true; });
  flags.AddOptionalBool(
      "gpu", &f.gpu,
      "train and evaluate on the GPU (the CUDA backend; needs a build with "
      "-DMTREC_CUDA=ON, a CUDA 13 driver (>= 580) and compute capability >= 8.0)");
  flags.AddString("save", &f.options.save_path, "PATH",
                  "write a checkpoint (model, optimizer, training state) to PATH at the end, "
                  "and when stopped by Ctrl-C (default with --resume: the resumed file); PATH "
                  "is checked before any work and must not exist unless --overwrite");
  flags.AddInt(
      "save_every", &f.options.save_every,
      "also write the --save checkpoint every N epochs (0: only at the end; needs --save)");
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
      "--max_steps.\n\n"
      "Under mpirun or srun, the processes train together (data parallel), with the\n"
      "result of one process; rank 0 writes every output (README: Data-parallel\n"
      "training).\n\nflags:\n%s",
      flags.Help().c_str());
}

}  // namespace

void PrintTrainFlagTable() {
  TrainFlags f;
  std::printf("%s", MakeFlags(f).Markdown().c_str());
}

namespace {

// Under mpirun/srun: "rank R of N: " before an error, so that the failing rank
// is named ("" in a plain run).
std::string g_rank_prefix;

int FailTrain(const Status& s) { return CommandFailure("train", s, g_rank_prefix); }

// A note on stderr when raw ids leave most table rows unused (ml-latest-small:
// 193,610 item rows for 9,724 items): memory and time grow with the rows, and
// most sampled negatives are ids that never occur.
class SparseIdsNote final : public TrainingObserver {
 public:
  Status OnStart(const ExperimentConfig& /*config*/, const RunInfo& info) override {
    constexpr int kSparseFactor = 4;
    for (const auto& [what, rows, used] :
         {std::tuple{"item", info.num_items, info.items_occurring},
          std::tuple{"user", info.num_users, info.users_occurring}}) {
      if (info.ids_remapped || used <= 0 || rows <= kSparseFactor * int64_t{used} + 1000) {
        continue;
      }
      std::fprintf(stderr,
                   "mtrec train: note: raw %s ids: %d table rows for %d %ss that occur (%.0fx "
                   "the memory and time, and most sampled negatives never occur); --remap_ids "
                   "numbers the ids densely\n",
                   what, rows, used, what, static_cast<double>(rows) / used);
    }
    return Status::Ok();
  }
  Status OnEpoch(const EpochStats& /*stats*/) override { return Status::Ok(); }
};

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
  c.shard_tables = f.config.shard_tables;  // nor does this
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
  return Status::Ok();
}

// The run folder asked for: the default one (with a free _N suffix), --logdir,
// or with --resume the run's own folder (which must still hold the run).
struct LogdirChoice {
  std::string dir;
  RunFolderMode mode;
  std::string flag;
  bool default_folder = false;  // runs/NAME: named by mtrec, so no link in it is followed
};

LogdirChoice ChooseLogdir(const TrainFlags& f, const TrainingCheckpoint* resumed,
                          const std::string& run_id) {
  // A checkpoint saved through the library (Model::Save) names no run folder.
  if (resumed != nullptr && !(f.logdir.empty() && resumed->logdir.empty()) &&
      (f.logdir.empty() || RunIdOf(AbsolutePath(f.logdir)) == run_id)) {
    return {f.logdir.empty() ? resumed->logdir : f.logdir, RunFolderMode::kContinue,
            f.logdir.empty() ? "--resume: the run folder" : "--logdir"};
  }
  if (f.logdir.empty()) {
    return {"runs/" + RunName(f.config), RunFolderMode::kNewWithSuffix, "--logdir", true};
  }
  return {f.logdir, f.overwrite ? RunFolderMode::kReplace : RunFolderMode::kNew, "--logdir"};
}

Result<RunFolderClaim> ClaimLogdir(const LogdirChoice& choice, const std::string& run_id) {
  if (!choice.default_folder) return ClaimRunFolder(choice.dir, choice.mode, run_id, choice.flag);
  MTREC_ASSIGN_OR_RETURN(const UniqueFd here, OpenFolder(""));
  const std::filesystem::path dir(choice.dir);
  std::error_code ec;
  const std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec) return Status::IOError("the working folder: " + ec.message());
  return ClaimRunFolderIn(here.get(), cwd, {dir.parent_path().string(), dir.filename().string()},
                          choice.mode, run_id, choice.flag);
}

// The checkpoints may be neither the run folder nor one of its files.
Status CheckCheckpointsOutside(const TrainFlags& f, const std::filesystem::path& run_dir) {
  if (f.options.save_path.empty()) return Status::Ok();
  MTREC_RETURN_IF_ERROR(CheckNotARunFile(f.options.save_path, run_dir, "--save"));
  if (f.options.save_best == Metric::kNone) return Status::Ok();
  return CheckNotARunFile(BestCheckpointPath(f.options.save_path), run_dir,
                          "--save_best: the file");
}

// Checks and reserves the checkpoint files the run will write (--save and
// --save_best's <stem>.best<ext>), before any data is read.
Status ClaimCheckpoints(const TrainFlags& f, std::vector<FileLock>* locks) {
  if (f.options.save_path.empty()) return Status::Ok();
  std::vector<std::string> paths = {f.options.save_path};
  if (f.options.save_best != Metric::kNone) paths.push_back(BestCheckpointPath(paths[0]));
  for (const std::string& path : paths) {
    CheckpointTarget target;
    target.path = path;
    target.flag = path == f.options.save_path ? "--save" : "--save_best: the file";
    // A resumed run's <stem>.best<ext> beside the checkpoint it resumes is its
    // own earlier best; any other existing file needs --overwrite.
    target.may_replace =
        f.overwrite || (!f.resume.empty() && path != f.options.save_path &&
                        AbsolutePath(path) == AbsolutePath(BestCheckpointPath(f.resume)));
    target.resumed_from = f.resume;
    const DataConfig& data = f.config.data;
    target.inputs = {data.dataset, f.config.init_weights};
    std::error_code ec;
    if (!data.train_path.empty()) {  // a predefined split: its files
      target.inputs = {data.train_path, data.test_path, f.config.init_weights};
      if (!data.validation_path.empty()) target.inputs.push_back(data.validation_path);
    } else if (!std::filesystem::exists(f.config.data.dataset, ec)) {
      // A data set name (--dataset ml-100k): its folder and zip in the cache.
      const std::filesystem::path cache = f.config.data.data_dir.empty()
                                              ? DefaultDataDir()
                                              : std::filesystem::path(f.config.data.data_dir);
      target.inputs.push_back(cache / f.config.data.dataset);
      target.inputs.push_back(cache / (f.config.data.dataset + ".zip"));
    }
    MTREC_ASSIGN_OR_RETURN(FileLock lock, ClaimCheckpointTarget(target));
    locks->push_back(std::move(lock));
  }
  return Status::Ok();
}

// The job's ranks, rank 0 the one that writes: it alone claims and writes the
// run folder and the checkpoints and prints the table; the others compute.
struct Ranks {
  Communicator* comm;
  bool writes;
};

// A rank other than 0: the same run, with no outputs (no run folder, no
// checkpoint, no table), stopping with the others; it sends its rows of
// sharded tables to rank 0 for each checkpoint.
int TrainWithoutOutputs(TrainFlags& f) {
  f.options.writes = false;
  f.options.stop = &InstallInterruptHandler(/*second_quits=*/false);
  Result<RunSummary> summary = RunExperiment(f.config, f.options, {});
  if (!summary.ok()) return FailTrain(summary.status());
  return StoppedOnRequest(*summary) ? kExitInterrupted : kExitOk;
}

// Under mpirun: every rank must be given the same checkpoint flags (rank 0
// writes them), so that a --save given to another rank only is not silently
// dropped. Every rank reaches the same answer.
Status CheckCheckpointFlagsAgree(Communicator& comm, const TrainFlags& f) {
  if (comm.size() < 2) return Status::Ok();
  const auto code = [](const TrainFlags& t) {
    return (t.options.save_path.empty() ? 0u : 1u) |
           (static_cast<uint64_t>(t.options.save_best) << 1) |
           (static_cast<uint64_t>(t.options.save_every) << 8);
  };
  const std::vector<uint64_t> codes = comm.AllGather(code(f));
  for (int r = 1; r < comm.size(); ++r) {
    if (codes[r] != codes[0]) {
      return Status::InvalidArgument("--save: rank " + std::to_string(r) +
                                     "'s --save, --save_every and --save_best differ from rank "
                                     "0's; give every rank the same (rank 0 writes the "
                                     "checkpoint)");
    }
  }
  return Status::Ok();
}

// Under mpirun: what the training steps exchanged, per step (stderr).
void PrintExchange(const Communicator& comm, const RunSummary& summary) {
  const int64_t taken = summary.steps - summary.info.resumed_at_step + summary.refit_steps;
  if (comm.size() < 2 || taken <= 0) return;
  const auto steps = static_cast<double>(taken);
  std::fprintf(stderr,
               "mtrec train: %d ranks; rank 0 sent %.1f KiB and received %.1f KiB per step "
               "(%lld steps, %lld collectives in all)\n",
               comm.size(), static_cast<double>(comm.bytes_sent()) / 1024.0 / steps,
               static_cast<double>(comm.bytes_received()) / 1024.0 / steps,
               static_cast<long long>(taken), static_cast<long long>(comm.collectives()));
}

int Train(std::span<const std::string> user_args, const Ranks& ranks) {
  TrainFlags f;
  f.config.threads = HardwareThreads();
  FlagSet flags = MakeFlags(f);
  bool help = false;
  if (Status s = flags.Parse(user_args, &help); !s.ok()) return FailTrain(s);
  // The grid chooses --rating_l2 (a recipe's grid gives way to a user's --rating_l2).
  if (Status s = flags.CheckExclusive("rating_l2", "rating_l2_grid"); !s.ok()) return FailTrain(s);
  const bool user_patience = flags.was_given("patience") && !flags.was_given("resume");
  // A recipe's flags go first, so that the user's override them; a resumed
  // run keeps its checkpoint's configuration (--recipe is refused with it).
  const std::vector<std::string> args =
      flags.was_given("resume") ? std::vector<std::string>(user_args.begin(), user_args.end())
                                : ArgumentsWithRecipe(f.recipe, flags, user_args);
  if (!help && args.size() != user_args.size()) {
    f = TrainFlags{};  // the flag table refers to f's members, which stay put
    f.config.threads = HardwareThreads();
    if (Status s = flags.Parse(args, &help); !s.ok()) return FailTrain(s);
  }
  if (help) {
    PrintHelp(flags);
    return kExitOk;
  }
  if (f.gpu) {  // checked before any work: a build or machine without CUDA is exit 1
    if (Status s = BackendUsable("cuda"); !s.ok()) return FailTrain(s.WithContext("--gpu"));
    f.options.backend = "cuda";
  }
  if (Status s = ResolveExperimentDefaults(flags, f.config, user_patience); !s.ok()) return FailTrain(s);
  if (!f.save_best.empty()) {
    Result<Metric> metric = ParseMetric(f.save_best, "save_best");
    if (!metric.ok()) return FailTrain(metric.status());
    f.options.save_best = *metric;
    if (f.options.save_path.empty() && f.resume.empty()) {
      return FailTrain(Status::InvalidArgument("--save_best needs --save PATH"));
    }
  }
  if (f.options.save_every < 0) {
    return FailTrain(Status::InvalidArgument("--save_every: expected an integer >= 0"));
  }
  if (f.options.save_every > 0 && f.options.save_path.empty() && f.resume.empty()) {
    return FailTrain(Status::InvalidArgument("--save_every needs --save PATH"));
  }
  // Everything recorded (config.json, checkpoints) is absolute, so that a model
  // or a run folder works the same from any working folder.
  f.resume = AbsolutePath(f.resume);
  std::optional<TrainingCheckpoint> checkpoint;
  if (!f.resume.empty()) {
    // With sharded tables each rank reads its own rows later, not the whole file now.
    Result<TrainingCheckpoint> loaded =
        LoadCheckpoint(f.resume, {.defer_tensors = f.config.shard_tables});
    if (!loaded.ok()) return FailTrain(loaded.status().WithContext("--resume"));
    checkpoint = std::move(loaded).value();
    if (Status s = ApplyResume(flags, *checkpoint, f); !s.ok()) return FailTrain(s);
    f.options.resume = &*checkpoint;
  }
  MakePathsAbsolute(f.config);
  f.options.save_path = AbsolutePath(f.options.save_path);
  if (Status s = f.config.Validate(); !s.ok()) return FailTrain(s);

  f.options.comm = ranks.comm;
  if (Status s = CheckCheckpointFlagsAgree(*ranks.comm, f); !s.ok()) return FailTrain(s);
  if (!ranks.writes) return TrainWithoutOutputs(f);

  // Claim every output before any work: the checkpoint files, then the run folder.
  std::vector<FileLock> checkpoint_locks;
  if (Status s = ClaimCheckpoints(f, &checkpoint_locks); !s.ok()) return FailTrain(s);
  const std::string run_id =
      checkpoint && !checkpoint->run_id.empty() ? checkpoint->run_id : NewRunId();
  const LogdirChoice choice = ChooseLogdir(f, checkpoint ? &*checkpoint : nullptr, run_id);
  if (Status s = CheckCheckpointsOutside(f, choice.dir); !s.ok()) return FailTrain(s);
  Result<RunFolderClaim> claim = ClaimLogdir(choice, run_id);
  if (!claim.ok()) return FailTrain(claim.status());
  if (Status s = CheckCheckpointsOutside(f, claim->dir); !s.ok()) {  // with its _N suffix
    ReleaseUnusedRunFolder(*claim);
    return FailTrain(s);
  }
  const std::filesystem::path logdir = claim->dir;
  f.options.logdir = logdir.string();
  f.options.run_id = run_id;
  f.options.stop = &InstallInterruptHandler(/*second_quits=*/ranks.comm->size() == 1);

  DownloadProgress download_progress = DownloadProgress::ForStderr();
  f.config.data.on_download = [&download_progress](const DownloadEvent& e) {
    download_progress.OnEvent(e);
  };
  RunDirectory run_dir(logdir, claim->folder);
  TensorBoardObserver tensorboard(logdir, claim->folder);
  ProgressLine progress(stderr);
  ConsoleReport console(stdout);
  SparseIdsNote sparse_ids_note;
  const std::vector<TrainingObserver*> observers = {&sparse_ids_note, &progress, &console, &run_dir,
                                                    &tensorboard};
  Result<RunSummary> summary = RunExperiment(f.config, f.options, observers);
  if (!summary.ok()) {
    ReleaseUnusedRunFolder(*claim);
    return FailTrain(summary.status());
  }
  std::printf("run folder: %s\n", logdir.string().c_str());
  if (!summary->checkpoint_path.empty()) {
    std::printf("checkpoint: %s\n", summary->checkpoint_path.c_str());
  }
  if (!summary->best_checkpoint_path.empty()) {
    std::printf("best checkpoint: %s\n", summary->best_checkpoint_path.c_str());
  }
  PrintExchange(*ranks.comm, *summary);
  return StoppedOnRequest(*summary) ? kExitInterrupted : kExitOk;
}

}  // namespace

int RunTrain(std::span<const std::string> args) {
  WorldCommunicator world;
  Communicator& comm = world.get();
  if (world.distributed()) {
    g_rank_prefix = "rank " + std::to_string(comm.rank()) + " of " + std::to_string(comm.size());
  }
  const int code = Train(args, Ranks{&comm, comm.rank() == 0});
  // A failed rank ends the whole job now: the others may be waiting for it.
  if (code != kExitOk && code != kExitInterrupted) world.Abort(code);
  return code;
}

}  // namespace mtrec::cli
