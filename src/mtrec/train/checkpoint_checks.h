// Checks on a checkpoint's content beyond its framing (train/checkpoint.h):
// that a hand-edited or foreign file cannot start a run from an impossible
// state, and that a run's checkpoint can be written before the run trains.
#pragma once

#include <string>

#include "mtrec/status.h"
#include "mtrec/train/checkpoint.h"

namespace mtrec {

// The training progress is consistent: 0 <= epochs_done <= config.epochs, one
// history entry per epoch done, numbered 1.., batches_done and optimizer steps
// >= 0 and the loss sums of batches_done batches, a known state, trackers
// within the epochs done. (batches_done against the data's batches per epoch
// is checked when the epoch resumes: train/trainer.h.) Corruption naming
// `where` and the field otherwise.
Status CheckCheckpointProgress(const TrainingCheckpoint& checkpoint, const std::string& where);

// Every text a checkpoint stores (ids, paths) is UTF-8, as its JSON header
// requires. Otherwise an error naming `flag` (e.g. "--save") and the first bad
// text: Corruption for an id (re-encode the data), InvalidArgument for a path,
// naming the flag that gave it (--dataset, --data_dir, --logdir,
// --init_weights). Run before training, so a run is never trained to be lost.
Status CheckCheckpointText(const TrainingCheckpoint& checkpoint, const std::string& flag);

}  // namespace mtrec
