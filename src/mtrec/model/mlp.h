// The regression head: a ReLU MLP with one output, over a block of samples.
//
// Layer l maps widths[l] -> widths[l+1] as y = W x + b with W stored [out][in]
// row-major (PyTorch's nn.Linear layout); every layer but the last is followed
// by ReLU, and the last has one output. The parameters of all layers are one
// contiguous region of the flat parameter buffer: W0, b0, W1, b1, ... (state_dict
// order).
//
// The kernels work on activations whose rows are padded to a multiple of 8
// floats (PadTo8) so that every row is whole SIMD vectors; padded entries are 0.
// They read the weights through MlpPackedWeights, a per-step rearrangement
// (transposed and padded copies) built once and shared read-only by all threads.
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
  // Row strides of the padded activations.
  int padded_in(int layer) const;
  int padded_out(int layer) const;
  // Offsets relative to the start of the MLP region of the parameter buffer.
  int64_t weight_offset(int layer) const { return offsets_[layer]; }
  int64_t bias_offset(int layer) const { return offsets_[layer] + int64_t{in(layer)} * out(layer); }
  int64_t num_params() const { return offsets_.back(); }

  // The layout of gradient partials: per layer dW [out x padded_in] then db [out].
  int64_t partial_weight_offset(int layer) const { return partial_offsets_[layer]; }
  int64_t partial_bias_offset(int layer) const {
    return partial_offsets_[layer] + int64_t{out(layer)} * padded_in(layer);
  }
  int64_t partial_size() const { return partial_offsets_.back(); }

 private:
  std::vector<int> widths_;
  std::vector<int64_t> offsets_;          // size num_layers + 1
  std::vector<int64_t> partial_offsets_;  // size num_layers + 1
};

// The weights rearranged for the kernels. Rebuild with Pack() after every
// parameter update; afterwards it is read-only and may be shared by threads.
class MlpPackedWeights {
 public:
  void Pack(const MlpShape& shape, const float* params);

  // Hidden layer l: W^T [padded_in x padded_out] and W [out x padded_in].
  const float* transposed(int layer) const { return data_.data() + transposed_offset_[layer]; }
  const float* padded(int layer) const { return data_.data() + padded_offset_[layer]; }
  // Bias of layer l, [padded_out] (the last layer's is one value).
  const float* bias(int layer) const { return data_.data() + bias_offset_[layer]; }

 private:
  std::vector<float> data_;
  std::vector<int64_t> transposed_offset_, padded_offset_, bias_offset_;
};

// Per-thread scratch for a block of up to `capacity` samples.
struct MlpWorkspace {
  std::vector<std::vector<float>> acts;   // acts[l]: [n x padded_out(l)], after ReLU for hidden l
  std::vector<std::vector<float>> grads;  // grads[l]: dLoss/d(layer l's output), same shape
  std::vector<float> grad_input;          // [n x padded_in(0)]
  void Reserve(const MlpShape& shape, int capacity);
  // The output of sample s after MlpForward.
  float output(int s) const { return acts.back()[s]; }
};

// Forward over n samples x ([n x padded_in(0)] row-major, padding zero).
void MlpForward(const MlpShape& shape, const MlpPackedWeights& w, const float* x, int n,
                MlpWorkspace& ws);

// Backward given dLoss/dy (n values): WRITES the parameter gradient into
// `partial` (partial layout, see MlpShape) and dLoss/dx into ws.grad_input.
// REQUIRES: MlpForward ran on the same x, n and weights.
//   g_L = dy;  dW_l = g_l^T in_l;  db_l = sum_s g_l;  d in_l = g_l W_l;
//   g_{l-1} = d in_l * [acts_{l-1} > 0]   (ReLU)
// (Skipping the ~50% of (sample, unit) pairs a ReLU switched off was measured:
// compacting them costs as much as the dense GEMMs it saves.)
void MlpBackward(const MlpShape& shape, const MlpPackedWeights& w, const float* x, int n,
                 const float* dy, float* partial, MlpWorkspace& ws);

// Adds a gradient in the partial layout to `param_grads` (the parameter layout).
void MlpAddPartial(const MlpShape& shape, const float* partial, float* param_grads);

}  // namespace mtrec
