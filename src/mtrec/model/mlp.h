// The regression head: a ReLU MLP with one output, over a block of samples.
//
// Layer l maps widths[l] -> widths[l+1] as y = W x + b with W stored [out][in]
// row-major (PyTorch's nn.Linear layout); every layer but the last is followed
// by ReLU. The parameters of all layers are one contiguous region of the flat
// parameter buffer: W0, b0, W1, b1, ... (state_dict order).
#pragma once

#include <cstdint>
#include <vector>

namespace mtrec {

class MlpShape {
 public:
  MlpShape() = default;
  // widths = [input, hidden..., 1]
  MlpShape(int input, const std::vector<int>& hidden);

  int num_layers() const { return static_cast<int>(widths_.size()) - 1; }
  int in(int layer) const { return widths_[layer]; }
  int out(int layer) const { return widths_[layer + 1]; }
  int input() const { return widths_.front(); }
  // Offsets relative to the start of the MLP region.
  int64_t weight_offset(int layer) const { return offsets_[layer]; }
  int64_t bias_offset(int layer) const { return offsets_[layer] + int64_t{in(layer)} * out(layer); }
  int64_t num_params() const { return offsets_.back(); }
  // Widest layer output (sizes per-sample scratch).
  int max_width() const;

 private:
  std::vector<int> widths_;
  std::vector<int64_t> offsets_;  // size num_layers + 1
};

// Per-thread scratch for a block of up to `capacity` samples.
struct MlpWorkspace {
  std::vector<std::vector<float>> acts;   // acts[l]: [n x out(l)], ReLU applied for hidden l
  std::vector<std::vector<float>> grads;  // grads[l]: dLoss/d(pre-activation of layer l)
  std::vector<float> grad_input;          // [n x input]
  void Reserve(const MlpShape& shape, int capacity);
};

// Forward over n samples x ([n x input] row-major). Output y[s] = acts.back()[s].
void MlpForward(const MlpShape& shape, const float* params, const float* x, int n,
                MlpWorkspace& ws);

// Backward given dLoss/dy (n values): ADDS dLoss/dparams into param_grads (same
// layout as params; the caller zeroes it) and WRITES dLoss/dx into
// ws.grad_input. REQUIRES: MlpForward ran on the same x, n and params.
//   g_L = dy;  dW_l += g_l^T in_l;  db_l += sum_s g_l;  d in_l = g_l W_l;
//   g_{l-1} = d in_l * [acts_{l-1} > 0]   (ReLU)
void MlpBackward(const MlpShape& shape, const float* params, const float* x, int n,
                 const float* dy, float* param_grads, MlpWorkspace& ws);

}  // namespace mtrec
