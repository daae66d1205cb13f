// TrainingCheckpoint: everything a trained model or an unfinished run needs, in
// one file. The container is io/tensor_file.h (safetensors layout, CRC-32C over
// every byte); this header defines what goes into it.
//
// Format "mtrec.checkpoint", version 1 (kCheckpointFormatVersion):
//   __metadata__.format          "mtrec.checkpoint"
//   __metadata__.format_version  "1"
//   __metadata__.mtrec           a JSON document (as a string):
//     mtrec_version, logdir (the run folder), state ("running" | "interrupted" |
//     "completed" | "early_stopped" | "refitted": the weights of --refit's
//     model, its history the refit's epochs, early_stopping_best the choice),
//     config: train/config_json.h's form of the ExperimentConfig (data, model,
//       train, early_stopping), its data object also holding the run's path,
//       interactions and fingerprint (CRC-32C of the users/items/ratings columns),
//     ids {users: [...], items: [...]}  (raw id strings of rows 0..n-1; empty:
//       the raw ids are the row numbers),
//     optimizer {name, steps}, progress {epochs_done, batches_done, sums
//       {factorization, regression, joint}}, history [per-epoch metrics],
//     early_stopping_best / save_best {epoch, value, epochs_since_best}
//   __metadata__.rng             the training stream (std::mt19937's text state)
//                                at the start of epoch epochs_done + 1
//   tensors: one F32 tensor per model block, named as the block (U, Q, B,
//     mlp_layers.0.weight, ... with their 2-D shapes); "optimizer.<name>" [n]
//     per optimizer state tensor (Adam: m, v; Adagrad: sum); "best_params" [n]
//     with early stopping.
// A reader refuses another format, a newer version, a bad checksum, truncation,
// tensors that do not match the recorded model shape, and tensors holding NaN
// or infinity (checked while they are copied, in the same pass).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/core/enum_names.h"
#include "mtrec/id_map.h"
#include "mtrec/io/atomic_file.h"
#include "mtrec/metrics.h"
#include "mtrec/status.h"
#include "mtrec/train/best_tracker.h"

namespace mtrec {

class Backend;
class MultiTaskNet;
class TensorFileReader;
class Trainer;

inline constexpr int kCheckpointFormatVersion = 1;

// What the run that wrote a checkpoint was doing, with the one table of the
// names the file spells them with.
enum class CheckpointState { kRunning, kInterrupted, kCompleted, kEarlyStopped, kRefitted };
inline constexpr EnumName<CheckpointState> kCheckpointStateNames[] = {
    {CheckpointState::kRunning, "running"},
    {CheckpointState::kInterrupted, "interrupted"},
    {CheckpointState::kCompleted, "completed"},
    {CheckpointState::kEarlyStopped, "early_stopped"},
    {CheckpointState::kRefitted, "refitted"}};

struct TrainingCheckpoint {
  CheckpointState state = CheckpointState::kRunning;
  std::string logdir;       // the run folder of the run that wrote it
  std::string run_id;       // that run's id, as in its folder's marker ("": an older checkpoint)
  ExperimentConfig config;  // config.model holds the table sizes
  std::string data_path;    // the ratings file trained on
  int64_t interactions = 0;
  uint32_t fingerprint = 0;
  std::vector<std::string> user_ids;  // empty: raw ids are row numbers
  std::vector<std::string> item_ids;
  std::vector<float> params;  // the net's flat buffer
  std::string optimizer;      // Optimizer::name()
  int64_t optimizer_steps = 0;
  std::vector<std::pair<std::string, std::vector<float>>> optimizer_state;
  std::string rng_state;  // the stream at the start of epoch epochs_done + 1
  int epochs_done = 0;
  int64_t batches_done = 0;  // steps already taken in epoch epochs_done + 1
  EpochLosses sums;          // their loss sums
  std::vector<EpochStats> history;
  TrackerState early_stopping_best;
  TrackerState rating_best;  // per-head early stopping: the rating head's (MSE)
  TrackerState save_best;
  std::vector<float> best_params;  // with early stopping: the best epoch's weights

  // Saving a model's live state (CaptureTrainingState sets it): params and
  // optimizer_state stay empty and SaveCheckpoint streams them from the
  // backend's own buffers instead (Backend::StreamState), nothing copied
  // first; with sharded tables (Backend::tables_sharded) from the ranks'
  // shards, a collective of the ranks.
  const Backend* streamed = nullptr;
  // Saving: best_params read from here instead, when not empty (no copy).
  // With `streamed`, it is laid out as the backend's held() (with sharded
  // tables each rank's rows) and streamed like the parameters
  // (Backend::StreamParams).
  std::span<const float> best_params_view;
  // Loaded with CheckpointLoadOptions::defer_tensors: params, optimizer_state and
  // best_params are empty, read from the checked file when the model is
  // restored (a backend with sharded tables reads its own rows only).
  std::shared_ptr<const TensorFileReader> tensors;
};

struct CheckpointLoadOptions {
  // Check every byte (a pass of bounded memory) but keep no tensor.
  bool defer_tensors = false;
};

// Writes the checkpoint through io/atomic_file.h: a new file, or one replacing
// a regular file if options.replace (never a link, a folder, a FIFO or a
// device; with options.keep_if_refused the content is then kept beside it).
// With checkpoint.streamed, the values go from the backend's buffers into
// the file (its memory: a fixed buffer); of sharded tables, every rank of
// that backend calls it together: rank 0 with the path writes the file, byte
// for byte the one process's, receiving the rows from their owners in bounded
// pieces; the others, with an empty path, send their rows and write nothing.
// Rank 0 takes part to the end even when its write fails.
Status SaveCheckpoint(const std::filesystem::path& path, const TrainingCheckpoint& checkpoint,
                      const AtomicWriteOptions& options = {});
Result<TrainingCheckpoint> LoadCheckpoint(const std::filesystem::path& path,
                                          const CheckpointLoadOptions& options = {});
// Reads a checkpoint's deferred tensors (`checkpoint.tensors`) into its
// params, optimizer_state and best_params (and drops the reader). Nothing
// when they are not deferred.
Status ReadDeferredTensors(TrainingCheckpoint& checkpoint);

// Records the live state in `checkpoint`: the backend whose parameters and
// optimizer state SaveCheckpoint streams (`streamed`; it must outlive the
// save and not change before it), the optimizer's name and steps, the
// stream and the cursor.
void CaptureTrainingState(const Backend& backend, const Trainer& trainer,
                          TrainingCheckpoint* checkpoint);
// Restores `backend` (weights, optimizer) and `trainer` (stream, cursor) from
// `checkpoint`; a shape, optimizer or stream mismatch is
// InvalidArgument/Corruption naming `source`.
Status RestoreTrainingState(const TrainingCheckpoint& checkpoint, const std::string& source,
                            Backend* backend, Trainer* trainer);
// The map of one of the checkpoint's id lists: row k is ids[k], or with an
// empty list the raw ids are the rows [0, rows). A repeated id is Corruption
// naming `source`.
Result<IdMap> CheckpointIdMap(const std::vector<std::string>& ids, int32_t rows,
                              const std::string& source, const char* what);
// The id lists a checkpoint stores for `users` and `items`: both empty when
// both are identity maps (the raw ids are the rows), else every row's id.
void CheckpointIdLists(const IdMap& users, const IdMap& items, TrainingCheckpoint* checkpoint);

// The checkpoint's best_params (early stopping's best epoch's weights), laid
// out as `backend`'s held parameters (Backend::held: with tables sharded
// across ranks, read by rows, this rank's only), from the loaded copy or the
// deferred file; empty when it has none. A failed read names the file.
Result<std::vector<float>> BestParamsFor(const TrainingCheckpoint& checkpoint,
                                         const Backend& backend);

// Restores the weights only (for evaluation and inference).
Status RestoreWeights(const TrainingCheckpoint& checkpoint, const std::string& source,
                      MultiTaskNet* net);

}  // namespace mtrec
