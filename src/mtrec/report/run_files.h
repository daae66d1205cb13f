// Every name a run folder may hold, in one place: the writers of these files
// (report/run_directory, report/tfevents_writer, mtrec sweep) take their names
// from here, and report/output_claim uses the same list to tell a folder that
// holds a run, to remove a replaced run's files (--overwrite), and to keep a
// --save away from them.
//
//   .mtrec-run                     the marker: the run's id (report/output_claim.h)
//   config.json, metrics.jsonl     a training run's (report/run_directory.h)
//   refit.json                     with --refit
//   events.out.tfevents.*          TensorBoard event files (report/tfevents_writer.h)
//   summary.md, summary.csv,       a sweep's folder (mtrec sweep); common words,
//   curves.svg, model.mtrec        so a run's only in a folder a run has marked
//   <any of them>.tmp.<random>     a write in progress (io/atomic_file.h)
#pragma once

#include <string_view>

namespace mtrec {

inline constexpr std::string_view kRunMarkerName = ".mtrec-run";
inline constexpr std::string_view kConfigFileName = "config.json";
inline constexpr std::string_view kMetricsFileName = "metrics.jsonl";
inline constexpr std::string_view kRefitFileName = "refit.json";
inline constexpr std::string_view kEventFilePrefix = "events.out.tfevents.";
inline constexpr std::string_view kSweepMarkdownName = "summary.md";
inline constexpr std::string_view kSweepCsvName = "summary.csv";
inline constexpr std::string_view kSweepCurvesName = "curves.svg";
inline constexpr std::string_view kSweepModelName = "model.mtrec";

// The files a training run writes in its folder, by exact name.
inline constexpr std::string_view kTrainRunFiles[] = {kConfigFileName, kMetricsFileName,
                                                      kRefitFileName};
// The files a sweep writes in its folder and its runs' folders.
inline constexpr std::string_view kSweepFiles[] = {kSweepMarkdownName, kSweepCsvName,
                                                   kSweepCurvesName, kSweepModelName};

// Whether `name` is one of a run's files (not the marker, not a temporary
// file): a training run's and event files always, a sweep's only if `marked`
// (the folder's marker names a run).
bool IsRunFileName(std::string_view name, bool marked);

// Whether `name` is a temporary file of one of the above (io/atomic_file.h).
bool IsRunTempFileName(std::string_view name, bool marked);

// Whether `name` is a name mtrec may write in a run folder: the marker, a run
// file of a marked folder or such a file's temporary file.
inline bool IsRunFolderName(std::string_view name) {
  return name == kRunMarkerName || IsRunFileName(name, true) || IsRunTempFileName(name, true);
}

}  // namespace mtrec
