#include "mtrec/model/mlp.h"

#include <algorithm>
#include <cstring>

#include "mtrec/model/kernels.h"

namespace mtrec {

MlpShape::MlpShape(int input, const std::vector<int>& hidden) {
  widths_.push_back(input);
  widths_.insert(widths_.end(), hidden.begin(), hidden.end());
  widths_.push_back(1);
  offsets_.push_back(0);
  for (int l = 0; l < num_layers(); ++l) {
    offsets_.push_back(offsets_.back() + int64_t{in(l)} * out(l) + out(l));
  }
}

int MlpShape::max_width() const { return *std::max_element(widths_.begin(), widths_.end()); }

void MlpWorkspace::Reserve(const MlpShape& shape, int capacity) {
  acts.resize(shape.num_layers());
  grads.resize(shape.num_layers());
  for (int l = 0; l < shape.num_layers(); ++l) {
    acts[l].resize(static_cast<size_t>(capacity) * shape.out(l));
    grads[l].resize(static_cast<size_t>(capacity) * shape.out(l));
  }
  grad_input.resize(static_cast<size_t>(capacity) * shape.input());
}

void MlpForward(const MlpShape& shape, const float* params, const float* x, int n,
                MlpWorkspace& ws) {
  const float* in = x;
  for (int l = 0; l < shape.num_layers(); ++l) {
    const int ni = shape.in(l), no = shape.out(l);
    const float* w = params + shape.weight_offset(l);
    const float* b = params + shape.bias_offset(l);
    float* out = ws.acts[l].data();
    const bool relu = l + 1 < shape.num_layers();
    for (int s = 0; s < n; ++s) {
      const float* xs = in + static_cast<int64_t>(s) * ni;
      float* ys = out + static_cast<int64_t>(s) * no;
      for (int o = 0; o < no; ++o) {
        const float v = Dot(w + static_cast<int64_t>(o) * ni, xs, ni) + b[o];
        ys[o] = relu ? std::max(v, 0.0f) : v;
      }
    }
    in = out;
  }
}

void MlpBackward(const MlpShape& shape, const float* params, const float* x, int n,
                 const float* dy, float* param_grads, MlpWorkspace& ws) {
  const int last = shape.num_layers() - 1;
  std::copy(dy, dy + n, ws.grads[last].data());
  for (int l = last; l >= 0; --l) {
    const int ni = shape.in(l), no = shape.out(l);
    const float* w = params + shape.weight_offset(l);
    float* dw = param_grads + shape.weight_offset(l);
    float* db = param_grads + shape.bias_offset(l);
    const float* in = l == 0 ? x : ws.acts[l - 1].data();
    const float* g = ws.grads[l].data();
    float* d_in = l == 0 ? ws.grad_input.data() : ws.grads[l - 1].data();
    std::memset(d_in, 0, sizeof(float) * static_cast<size_t>(n) * ni);
    for (int s = 0; s < n; ++s) {
      const float* in_s = in + static_cast<int64_t>(s) * ni;
      float* d_in_s = d_in + static_cast<int64_t>(s) * ni;
      for (int o = 0; o < no; ++o) {
        const float gso = g[static_cast<int64_t>(s) * no + o];
        if (gso == 0.0f) continue;  // ReLU zeroes about half of them
        Axpy(gso, in_s, dw + static_cast<int64_t>(o) * ni, ni);
        Axpy(gso, w + static_cast<int64_t>(o) * ni, d_in_s, ni);
        db[o] += gso;
      }
    }
    if (l > 0) {
      // ReLU: the gradient passes where the layer's output was positive.
      const float* act = ws.acts[l - 1].data();
      const int64_t count = static_cast<int64_t>(n) * ni;
      for (int64_t k = 0; k < count; ++k) {
        if (act[k] <= 0.0f) d_in[k] = 0.0f;
      }
    }
  }
}

}  // namespace mtrec
