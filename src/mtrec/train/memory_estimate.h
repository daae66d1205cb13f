// A bound on what a training run will allocate, checked before the model is
// built: a raw id of 99,999,999 or --layers 65536,65536 is refused with one line
// that says how much memory the run would need, instead of an allocation
// failure part-way (or the kernel killing the process).
#pragma once

#include <cstdint>
#include <string>

#include "mtrec/config.h"
#include "mtrec/status.h"

namespace mtrec {

// Bytes of the run's large allocations: parameters, gradients, optimizer state,
// early stopping's copy of the best parameters, the evaluator's copy of the item
// factors and the batch buffers (`batch_rows` rows, already clamped to the
// training rows). With the tables sharded across `shards` ranks, one rank's:
// its 1/shards of the tables and their copies, the whole MLP. An estimate,
// within a small factor of the peak (the data set aside).
int64_t EstimateTrainingBytes(const ModelConfig& model, const TrainConfig& train,
                              int64_t batch_rows, bool early_stopping, int shards = 1);

// The memory this process may use: the smaller of the physical memory and the
// address-space and data limits (ulimit -v / -d); -1 if unknown.
int64_t AvailableMemoryBytes();

// Unavailable (exit 1) when the estimate exceeds AvailableMemoryBytes(): names
// the table sizes, the widths and both amounts, and what to change.
Status CheckTrainingFitsInMemory(const ModelConfig& model, const TrainConfig& train,
                                 int64_t batch_rows, bool early_stopping, int shards = 1);

// "1.5 GiB", "380 MiB": a byte count for messages.
std::string FormatBytes(int64_t bytes);

}  // namespace mtrec
