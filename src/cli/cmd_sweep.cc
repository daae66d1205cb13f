// mtrec sweep: a grid of configurations x seeds, each run in its own folder,
// then a summary table (Markdown, CSV) and a plot of the test curves (SVG).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/experiment_flags.h"
#include "cli/flags.h"
#include "cli/interrupt.h"
#include "cli/progress_line.h"
#include "mtrec/core/split_list.h"
#include "mtrec/core/thread_pool.h"
#include "mtrec/io/atomic_file.h"
#include "mtrec/report/output_claim.h"
#include "mtrec/report/run_directory.h"
#include "mtrec/report/run_files.h"
#include "mtrec/report/svg_plot.h"
#include "mtrec/report/sweep_summary.h"
#include "mtrec/report/tfevents_writer.h"

namespace mtrec::cli {

namespace {

constexpr const char* kDefaultGrid =
    "shared/0.99/0.01;shared/0.5/0.5;separate/0.5/0.5;separate/0.99/0.01";

struct GridPoint {
  bool shared = true;
  double factorization_weight = 0;
  double regression_weight = 0;
  std::string name;  // shared=True_LF=0.99_LR=0.01, as the original's run folders
};

Status ParseGrid(std::string_view text, std::vector<GridPoint>* out) {
  out->clear();
  for (std::string_view item : SplitList(text, ';')) {
    const size_t a = item.find('/'), b = a == std::string_view::npos ? a : item.find('/', a + 1);
    GridPoint p;
    const std::string_view sharing = item.substr(0, a);
    const Status bad = Status::InvalidArgument(
        "--grid: expected shared|separate/WF/WR[;...] such as shared/0.99/0.01, got '" +
        std::string(item) + "'");
    if (b == std::string_view::npos || (sharing != "shared" && sharing != "separate")) return bad;
    p.shared = sharing == "shared";
    if (!ParseDoubleFlag("grid", item.substr(a + 1, b - a - 1), &p.factorization_weight).ok() ||
        !ParseDoubleFlag("grid", item.substr(b + 1), &p.regression_weight).ok()) {
      return bad;
    }
    ExperimentConfig named;
    named.model.shared_embeddings = p.shared;
    named.train.factorization_weight = p.factorization_weight;
    named.train.regression_weight = p.regression_weight;
    p.name = RunName(named);
    for (const GridPoint& q : *out) {
      if (q.name == p.name) {
        return Status::InvalidArgument("--grid: '" + std::string(item) +
                                       "' is repeated (both would train " + p.name +
                                       "); list each configuration once");
      }
    }
    out->push_back(p);
  }
  return Status::Ok();
}

Status ParseSeeds(std::string_view text, std::vector<uint32_t>* out) {
  std::vector<int> values;
  MTREC_RETURN_IF_ERROR(ParseIntListFlag("seeds", text, &values));
  out->clear();
  for (int v : values) {
    if (v < 0) return Status::InvalidArgument("--seeds: expected non-negative integers");
    if (std::find(out->begin(), out->end(), static_cast<uint32_t>(v)) != out->end()) {
      return Status::InvalidArgument("--seeds: seed " + std::to_string(v) +
                                     " is repeated; list each seed once (a repeat would train "
                                     "the same run again)");
    }
    out->push_back(static_cast<uint32_t>(v));
  }
  return Status::Ok();
}

int FailSweep(const Status& s) { return CommandFailure("sweep", s); }

// The summary files, written in the sweep folder the claim opened.
Status WriteSummary(const RunFolderClaim& out, const std::vector<SweepRun>& runs) {
  const std::vector<ConfigSummary> summary = SummarizeSweep(runs);
  const auto write = [&out](std::string_view name, const std::string& content) {
    return WriteFileAtomicallyAt(out.folder.get(), out.dir, std::string(name), content,
                                 {.keep_if_refused = true});
  };
  MTREC_RETURN_IF_ERROR(write(kSweepMarkdownName, SweepMarkdown(summary)));
  MTREC_RETURN_IF_ERROR(write(kSweepCsvName, SweepCsv(summary)));
  return write(kSweepCurvesName, SweepCurvesSvg(runs));
}

// A run's folder inside the sweep folder: <configuration>/seed=<S>.
std::vector<std::string> RunSubfolder(const GridPoint& point, uint32_t seed) {
  return {point.name, "seed=" + std::to_string(seed)};
}

}  // namespace

int RunSweep(std::span<const std::string> args) {
  ExperimentConfig base;
  base.epochs = 200;
  base.threads = HardwareThreads();
  std::vector<GridPoint> grid;
  std::vector<uint32_t> seeds = {1, 2, 3};
  std::string out_dir = "sweep";
  bool overwrite = false;
  bool save_models = false;
  (void)ParseGrid(kDefaultGrid, &grid);
  FlagSet flags;
  AddExperimentFlags(flags, base);
  flags.AddValue("grid", "SPEC",
                 "configurations, ';'-separated shared|separate/WF/WR (factorisation and "
                 "regression weights)",
                 kDefaultGrid, [&grid](std::string_view v) { return ParseGrid(v, &grid); });
  flags.AddValue("seeds", "S[,S...]", "seeds to train every configuration with", "1,2,3",
                 [&seeds](std::string_view v) { return ParseSeeds(v, &seeds); });
  flags.AddString("out", &out_dir, "DIR",
                  "sweep folder: DIR/<configuration>/seed=<S>/ per run, DIR/summary.md, "
                  "DIR/summary.csv, DIR/curves.svg");
  flags.AddSwitch("overwrite",
                  "allow --out to name a folder that holds a finished sweep (its summary and "
                  "the runs of this grid are replaced)",
                  [&overwrite] { overwrite = true; });
  flags.AddSwitch("save", "also write each run's checkpoint to its folder as model.mtrec",
                  [&save_models] { save_models = true; });
  bool help = false;
  if (Status s = flags.Parse(args, &help); !s.ok()) return FailSweep(s);
  if (help) {
    std::printf(
        "usage: mtrec sweep [flags]\n\n"
        "Trains every configuration of --grid with every seed of --seeds (by default the\n"
        "original's four experiments, 200 epochs, seeds 1,2,3), each run in its own folder\n"
        "(config.json, metrics.jsonl, a TensorBoard event file, with --save model.mtrec).\n"
        "Then writes summary.md and\n"
        "summary.csv (final and best test MRR and MSE: mean and standard deviation over\n"
        "seeds) and curves.svg (test MRR and MSE per epoch, one colour per configuration),\n"
        "and prints the Markdown table. Ctrl-C stops after the current step and summarises\n"
        "the finished runs (exit code 130).\n\nflags:\n%s",
        flags.Help().c_str());
    return kExitOk;
  }
  if (Status s = ResolveExperimentDefaults(flags, base); !s.ok()) return FailSweep(s);
  if (base.early_stopping.refit) {  // its summary reports each run's epochs, not a refit
    return FailSweep(Status::InvalidArgument(
        "--refit: not in a sweep (its tables report the runs' epochs); use mtrec train --refit"));
  }
  MakePathsAbsolute(base);
  if (Status s = base.Validate(); !s.ok()) return FailSweep(s);
  if (seeds.empty() || grid.empty()) return FailSweep(Status::InvalidArgument("--grid/--seeds: empty"));
  // The sweep folder is claimed as a whole (two sweeps never share one), and
  // each run folder in it again as the run starts.
  const RunFolderMode mode = overwrite ? RunFolderMode::kReplace : RunFolderMode::kNew;
  Result<RunFolderClaim> out_claim = ClaimRunFolder(out_dir, mode, NewRunId(), "--out");
  if (!out_claim.ok()) return FailSweep(out_claim.status());
  const std::filesystem::path out = out_claim->dir;
  // The sweep folder's summaries and every run's folder are checked before the
  // first run: a link, a file or a FIFO where one will go is refused now, not
  // after hours of training.
  if (Status s = CheckRunFolderIn(out_claim->folder.get(), out, {}, "--out"); !s.ok()) {
    ReleaseUnusedRunFolder(*out_claim);
    return FailSweep(s);
  }
  for (const GridPoint& point : grid) {
    for (uint32_t seed : seeds) {
      if (Status s =
              CheckRunFolderIn(out_claim->folder.get(), out, RunSubfolder(point, seed), "--out");
          !s.ok()) {
        ReleaseUnusedRunFolder(*out_claim);
        return FailSweep(s);
      }
    }
  }

  RunOptions options;
  options.stop = &InstallInterruptHandler();
  std::vector<SweepRun> runs;
  const size_t total = grid.size() * seeds.size();
  for (const GridPoint& point : grid) {
    for (uint32_t seed : seeds) {
      ExperimentConfig config = base;
      config.model.shared_embeddings = point.shared;
      config.train.factorization_weight = point.factorization_weight;
      config.train.regression_weight = point.regression_weight;
      config.train.seed = seed;
      if (Status s = config.Validate(); !s.ok()) return FailSweep(s);
      options.run_id = NewRunId();
      Result<RunFolderClaim> claim = ClaimRunFolderIn(
          out_claim->folder.get(), out, RunSubfolder(point, seed), mode, options.run_id, "--out");
      if (!claim.ok()) return FailSweep(claim.status());
      const std::filesystem::path dir = claim->dir;
      options.save_path = save_models ? (dir / kSweepModelName).string() : "";
      options.logdir = dir.string();
      RunDirectory run_dir(dir, claim->folder);
      TensorBoardObserver tensorboard(dir, claim->folder);
      ProgressLine progress(stderr);
      Result<RunSummary> summary =
          RunExperiment(config, options, {&progress, &run_dir, &tensorboard});
      if (!summary.ok()) {
        ReleaseUnusedRunFolder(*claim);
        if (runs.empty()) {  // nothing done: leave no empty folders behind
          ::unlinkat(out_claim->folder.get(), point.name.c_str(), AT_REMOVEDIR);  // if empty
          ReleaseUnusedRunFolder(*out_claim);
        }
        return FailSweep(summary.status().WithContext(dir.string()));
      }
      if (StoppedOnRequest(*summary)) {
        if (Status s = WriteSummary(*out_claim, runs); !s.ok()) return FailSweep(s);
        std::fprintf(stderr, "mtrec sweep: stopped; summarised the %zu finished runs in %s\n",
                     runs.size(), out_dir.c_str());
        return kExitInterrupted;
      }
      runs.push_back({point.name, seed, summary->epochs});
      double train_s = 0;
      for (const EpochStats& e : summary->epochs) train_s += e.train_seconds + e.eval_seconds;
      const EpochStats& last = summary->epochs.back();
      std::printf("[%zu/%zu] %s seed %u: %zu epochs, test mrr %.4f mse %.4f (%.1f s)\n",
                  runs.size(), total, point.name.c_str(), seed, summary->epochs.size(),
                  last.eval.mrr, last.eval.mse, train_s);
      std::fflush(stdout);
    }
  }
  if (Status s = WriteSummary(*out_claim, runs); !s.ok()) return FailSweep(s);
  std::printf("\n%s\nwritten: %s, %s, %s\n", SweepMarkdown(SummarizeSweep(runs)).c_str(),
              (out / kSweepMarkdownName).c_str(), (out / kSweepCsvName).c_str(),
              (out / kSweepCurvesName).c_str());
  return kExitOk;
}

}  // namespace mtrec::cli
