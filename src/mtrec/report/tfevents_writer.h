// TensorBoard event files without TensorFlow.
//
// A file is a sequence of TFRecords, each
//   uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
// (little-endian; see io/crc32c.h), whose data is a serialized tensorflow.Event:
//   Event { double wall_time = 1; int64 step = 2;
//           oneof { string file_version = 3; Summary summary = 5; } }
//   Summary { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
// The first record is Event{wall_time, file_version: "brain.Event:2"}; then one
// Event per scalar, as PyTorch's SummaryWriter.add_scalar writes them.
//
// Writing: the file is append-only. Each epoch's records go to the kernel in a
// single write() on an O_APPEND descriptor (no user-space buffering), so a
// running TensorBoard sees every finished epoch; a crash can at worst leave a
// partial last record, which TensorBoard's reader ignores. (The temp-file-and-
// rename rule for mtrec's other files does not fit a log that is tailed.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/io/file_entry.h"
#include "mtrec/status.h"
#include "mtrec/run/run_observer.h"

namespace mtrec {

// The serialized Event messages (exposed for tests).
std::string EncodeFileVersionEvent(double wall_time);
std::string EncodeScalarEvent(double wall_time, int64_t step, std::string_view tag, float value);
// One TFRecord around `data`.
std::string FrameTfRecord(std::string_view data);

// The original's five scalars per epoch (step = 0-based epoch), in its order.
struct EpochScalar {
  const char* tag;
  double (*value)(const EpochStats&);
};
const std::vector<EpochScalar>& OriginalScalars();

class TfEventsWriter {
 public:
  // Creates dir/events.out.tfevents.<unix secs>.<host>.<pid>.<n> (a fresh name:
  // never an existing file; O_EXCL|O_NOFOLLOW relative to the folder open as
  // `dir_fd`) and writes the file_version record.
  static Result<TfEventsWriter> Create(int dir_fd, const std::filesystem::path& dir);
  TfEventsWriter(TfEventsWriter&& other) noexcept;
  TfEventsWriter& operator=(TfEventsWriter&&) = delete;
  TfEventsWriter(const TfEventsWriter&) = delete;
  ~TfEventsWriter();

  // Appends one Event per (tag, value) at `step` in one write.
  Status WriteScalars(int64_t step, const std::vector<std::pair<std::string, float>>& scalars);

 private:
  TfEventsWriter(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  Status Append(std::string_view bytes);

  int fd_ = -1;
  std::filesystem::path path_;
};

// The observer that gives a run its event file (created on OnStart in the run
// folder; the five scalars on every OnEpoch).
class TensorBoardObserver final : public TrainingObserver {
 public:
  explicit TensorBoardObserver(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // The folder `dir` already open as `folder` (a claim's: report/output_claim.h).
  TensorBoardObserver(std::filesystem::path dir, const UniqueFd& folder)
      : dir_(std::move(dir)), folder_(folder.Duplicate()) {}

  Status OnStart(const ExperimentConfig& config, const RunInfo& info) override;
  Status OnEpoch(const EpochStats& stats) override;

  // The event file; empty before OnStart.

 private:
  const std::filesystem::path dir_;
  UniqueFd folder_;  // opened on OnStart if not given
  std::optional<TfEventsWriter> writer_;
};

}  // namespace mtrec
