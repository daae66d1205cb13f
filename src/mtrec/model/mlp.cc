#include "mtrec/model/mlp.h"

#include <algorithm>

#include "mtrec/core/gemm.h"
#include "mtrec/core/vector_kernels.h"

namespace mtrec {

MlpShape::MlpShape(int input, const std::vector<int>& hidden) {
  widths_.push_back(input);
  widths_.insert(widths_.end(), hidden.begin(), hidden.end());
  widths_.push_back(1);
  offsets_.push_back(0);
  partial_offsets_.push_back(0);
  for (int l = 0; l < num_layers(); ++l) {
    offsets_.push_back(offsets_.back() + int64_t{in(l)} * out(l) + out(l));
    partial_offsets_.push_back(partial_offsets_.back() + int64_t{out(l)} * padded_in(l) + out(l));
  }
}

int MlpShape::padded_in(int layer) const { return PadTo8(in(layer)); }
// The last layer's single output is stored one per sample, unpadded.
int MlpShape::padded_out(int layer) const {
  return layer + 1 == num_layers() ? 1 : PadTo8(out(layer));
}

void MlpPackedWeights::Pack(const MlpShape& shape, const float* params) {
  const int layers = shape.num_layers();
  transposed_offset_.resize(layers);
  padded_offset_.resize(layers);
  bias_offset_.resize(layers);
  bool changed = false;
  auto set = [&changed](int64_t& slot, int64_t value) {
    changed |= slot != value;
    slot = value;
  };
  int64_t size = 0;
  for (int l = 0; l < layers; ++l) {
    set(transposed_offset_[l], size);
    size += int64_t{shape.padded_in(l)} * PadTo8(shape.out(l));
    set(padded_offset_[l], size);
    size += int64_t{shape.out(l)} * shape.padded_in(l);
    set(bias_offset_[l], size);
    size += PadTo8(shape.out(l));
  }
  // Every entry but the padding is rewritten below, so the buffer is cleared
  // (its padding zeroed) only when the layout changes, not at every step.
  if (changed || static_cast<int64_t>(data_.size()) != size) data_.assign(size, 0.0f);
  for (int l = 0; l < layers; ++l) {
    const int ni = shape.in(l), no = shape.out(l), pi = shape.padded_in(l), po = PadTo8(no);
    const float* w = params + shape.weight_offset(l);
    float* wt = data_.data() + transposed_offset_[l];
    float* wp = data_.data() + padded_offset_[l];
    for (int o = 0; o < no; ++o) {
      for (int i = 0; i < ni; ++i) {
        wt[int64_t{i} * po + o] = w[int64_t{o} * ni + i];
        wp[int64_t{o} * pi + i] = w[int64_t{o} * ni + i];
      }
    }
    std::copy(params + shape.bias_offset(l), params + shape.bias_offset(l) + no,
              data_.data() + bias_offset_[l]);
  }
}

void MlpWorkspace::Reserve(const MlpShape& shape, int capacity) {
  acts.resize(shape.num_layers());
  grads.resize(shape.num_layers());
  for (int l = 0; l < shape.num_layers(); ++l) {
    acts[l].assign(static_cast<size_t>(capacity) * shape.padded_out(l), 0.0f);
    grads[l].assign(static_cast<size_t>(capacity) * shape.padded_out(l), 0.0f);
  }
  grad_input.assign(static_cast<size_t>(capacity) * shape.padded_in(0), 0.0f);
}

void MlpForward(const MlpShape& shape, const MlpPackedWeights& w, const float* x, int n,
                MlpWorkspace& ws) {
  const int last = shape.num_layers() - 1;
  const float* in = x;
  for (int l = 0; l < last; ++l) {
    // H = relu(in W^T + b), as a GEMM against the transposed weights.
    const int pi = shape.padded_in(l), po = shape.padded_out(l);
    float* h = ws.acts[l].data();
    SmallGemm(n, po, shape.in(l), in, pi, 1, w.transposed(l), po, h, po, /*accumulate=*/false);
    const float* b = w.bias(l);
    for (int s = 0; s < n; ++s) {
      float* hs = h + int64_t{s} * po;
#pragma omp simd
      for (int o = 0; o < po; ++o) hs[o] = std::max(hs[o] + b[o], 0.0f);
    }
    in = h;
  }
  // The single output: y_s = w . in_s + b.
  const int pi = shape.padded_in(last);
  const float* wl = w.padded(last);
  const float bl = *w.bias(last);
  float* y = ws.acts[last].data();
  for (int s = 0; s < n; ++s) y[s] = Dot(wl, in + int64_t{s} * pi, pi) + bl;
}

void MlpBackward(const MlpShape& shape, const MlpPackedWeights& w, const float* x, int n,
                 const float* dy, float* partial, MlpWorkspace& ws) {
  const int last = shape.num_layers() - 1;
  // Last layer (one output): dW = sum_s dy_s in_s, db = sum_s dy_s, d in_s = dy_s w.
  {
    const int pi = shape.padded_in(last);
    const float* in = last == 0 ? x : ws.acts[last - 1].data();
    float* dw = partial + shape.partial_weight_offset(last);
    std::fill(dw, dw + pi, 0.0f);
    float db = 0;
    for (int s = 0; s < n; ++s) {
      Axpy(dy[s], in + int64_t{s} * pi, dw, pi);
      db += dy[s];
    }
    partial[shape.partial_bias_offset(last)] = db;
    float* d_in = last == 0 ? ws.grad_input.data() : ws.grads[last - 1].data();
    const float* wl = w.padded(last);
    for (int s = 0; s < n; ++s) {
      float* ds = d_in + int64_t{s} * pi;
#pragma omp simd
      for (int i = 0; i < pi; ++i) ds[i] = dy[s] * wl[i];
    }
  }
  for (int l = last - 1; l >= 0; --l) {
    const int pi = shape.padded_in(l), po = shape.padded_out(l), no = shape.out(l);
    // ReLU: the gradient passes where the layer's output was positive.
    const float* act = ws.acts[l].data();
    float* g = ws.grads[l].data();
#pragma omp simd
    for (int64_t k = 0; k < int64_t{n} * po; ++k) g[k] = act[k] > 0.0f ? g[k] : 0.0f;
    const float* in = l == 0 ? x : ws.acts[l - 1].data();
    // dW [out x padded_in] = G^T in (G read transposed), db = column sums of G.
    SmallGemm(no, pi, n, g, 1, po, in, pi, partial + shape.partial_weight_offset(l), pi,
              /*accumulate=*/false);
    float* db = partial + shape.partial_bias_offset(l);
    std::fill(db, db + no, 0.0f);
    for (int s = 0; s < n; ++s) AddTo(g + int64_t{s} * po, db, no);
    // d in [n x padded_in] = G W.
    float* d_in = l == 0 ? ws.grad_input.data() : ws.grads[l - 1].data();
    SmallGemm(n, pi, no, g, po, 1, w.padded(l), pi, d_in, pi, /*accumulate=*/false);
  }
}

void MlpAddPartial(const MlpShape& shape, const float* partial, float* param_grads) {
  for (int l = 0; l < shape.num_layers(); ++l) {
    const int ni = shape.in(l), pi = shape.padded_in(l), no = shape.out(l);
    const float* dw = partial + shape.partial_weight_offset(l);
    float* gw = param_grads + shape.weight_offset(l);
    for (int o = 0; o < no; ++o) AddTo(dw + int64_t{o} * pi, gw + int64_t{o} * ni, ni);
    AddTo(partial + shape.partial_bias_offset(l), param_grads + shape.bias_offset(l), no);
  }
}

}  // namespace mtrec
