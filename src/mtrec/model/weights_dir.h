// Loading initial weights dumped by the PyTorch reference (reference/
// train_reference.py --dump_init DIR), so that mtrec starts from exactly the
// original's initial parameters and follows its trajectory up to float rounding.
//
// DIR/manifest.txt has one line per tensor, `name rows cols`, and DIR/<name>.f32
// holds rows*cols little-endian float32 values, row-major (nn.Linear weights
// are [out, in]). The names and shapes must match the model's blocks exactly.
#pragma once

#include <filesystem>

#include "mtrec/status.h"

namespace mtrec {

class MultiTaskNet;

// Overwrites every parameter of `net` from DIR. On error `net` may be partly
// overwritten; the Status names the file and what did not match.
Status LoadWeightsDir(const std::filesystem::path& dir, MultiTaskNet& net);

// Writes `net`'s parameters in the same format (for tests and for exchanging
// an init with the reference).
Status SaveWeightsDir(const MultiTaskNet& net, const std::filesystem::path& dir);

}  // namespace mtrec
