// The CUDA backend's element-wise kernels: __host__ __device__ functors that
// Thrust runs over an index range, on the GPU (nvcc, THRUST_DEVICE_SYSTEM_CUDA)
// or sequentially on the host (THRUST_DEVICE_SYSTEM_CPP, the cuda-host backend).
// Each writes only its own element (no atomics), and each sum runs in a fixed
// order, so results are the same run after run.
//
// The math is BatchBackprop's (backend/cpu/batch_backprop.h) and the
// optimizers' (optim/*.h); pointers are device pointers into the flat
// parameter buffer (the net's layout) or the backend's scratch.
#pragma once

#ifndef MTREC_CUDA_NS
#error "define MTREC_CUDA_NS (the namespace of this build of the CUDA backend) first"
#endif

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "mtrec/backend/cuda/portability.h"

namespace mtrec::MTREC_CUDA_NS {

// Where each table starts in the flat parameter buffer, and the row widths.
struct TableOffsets {
  int64_t u_fact = 0, q_fact = 0, u_reg = 0, q_reg = 0, item_bias = 0;
  int64_t user_bias = -1;                                // -1: the model has no user bias
  int64_t rating_user_bias = -1, rating_item_bias = -1;  // -1: no rating biases
  bool rating_dot = false;                               // the rating head adds U_r[u] . Q_r[i]
  int64_t implicit_item = -1;                            // Y; -1: no implicit term
  int d = 0;   // the rating tables' (U_r, Q_r, Y): embedding_dim
  int rd = 0;  // the ranking tables' (U_f, Q_f): ranking_dim (d when shared)
};

// --- factorisation head -----------------------------------------------------

// p(u, i) = U_f[u] . Q_f[i] + B[i] (+ A[u]): the one definition every scoring
// path (ScoreBlock, ScoreOne, ScoreAllItems, MRR) calls, so they agree bit for bit.
MTREC_HD inline float FactorizationScore(const float* p, const TableOffsets& t, int64_t u,
                                         int64_t i) {
  const float* uf = p + t.u_fact + u * t.rd;
  const float* qf = p + t.q_fact + i * t.rd;
  float dot = 0;
  for (int k = 0; k < t.rd; ++k) dot += uf[k] * qf[k];
  const float user_bias = t.user_bias >= 0 ? p[t.user_bias + u] : 0.0f;
  return dot + p[t.item_bias + i] + user_bias;
}

// out[e] = p(users[e / per_user], items[e]): the candidates of a step's negatives.
struct CandidateScores {
  const float* p;
  TableOffsets t;
  const int32_t* users;
  const int32_t* items;
  int per_user;
  float* out;
  MTREC_HD void operator()(int64_t e) const {
    out[e] = FactorizationScore(p, t, users[e / per_user], items[e]);
  }
};

// out[r * width + c] = p(users[r], item_begin + c), or the original's MRR pred
// of it (-score; NaN ranks last) when as_pred.
struct ScoreBlockKernel {
  const float* p;
  TableOffsets t;
  const int32_t* users;
  int64_t item_begin;
  int64_t width;
  bool as_pred;
  float* out;
  MTREC_HD void operator()(int64_t e) const {
    const float s = FactorizationScore(p, t, users[e / width], item_begin + e % width);
    out[e] = !as_pred ? s : (s != s ? INFINITY : -s);
  }
};

// pred[rows[e] * ld + items[e]] = FLT_MAX: a train item ranks last.
struct MaskTrainItems {
  const int32_t* rows;
  const int32_t* items;
  int64_t ld;
  float* pred;
  MTREC_HD void operator()(int64_t e) const { pred[rows[e] * ld + items[e]] = FLT_MAX; }
};

// rr[e] = 1 / rank of test pair e in its user's row of preds, ties at their
// average rank (scipy's rankdata): below + (equal + 1) / 2 (eval/mrr.h).
struct ReciprocalRank {
  const float* pred;
  const int32_t* rows;
  const int32_t* items;
  int64_t num_items;
  double* rr;
  MTREC_HD void operator()(int64_t e) const {
    const float* row = pred + rows[e] * num_items;
    const float v = row[items[e]];
    int64_t below = 0, equal = 0;
    for (int64_t c = 0; c < num_items; ++c) {
      below += row[c] < v;
      equal += row[c] == v;
    }
    rr[e] = 1.0 / (static_cast<double>(below) + (static_cast<double>(equal) + 1.0) / 2.0);
  }
};

// --- regression head (MLP) ---------------------------------------------------

// rating_implicit: z[s] = |N(u)|^-1/2 sum_{j in N(u)} Y[j] for u = users[s],
// element (s, k) of [n x d]; N(u) a CSR (offsets [num_users + 1], items),
// summed in its order, then scaled (MultiTaskNet::ImplicitSum's arithmetic).
// A user beyond the CSR has an empty N(u).
struct ImplicitSumKernel {
  const float* p;
  TableOffsets t;
  const int64_t* offsets;
  const int32_t* sets;
  int32_t num_users;
  const int32_t* users;
  float* z;
  MTREC_HD void operator()(int64_t e) const {
    const int d = t.d;
    const int64_t s = e / d;
    const int k = static_cast<int>(e % d);
    const int32_t u = users[s];
    float acc = 0;
    if (u < num_users && offsets[u + 1] > offsets[u]) {
      for (int64_t a = offsets[u]; a < offsets[u + 1]; ++a) {
        acc = acc + p[t.implicit_item + int64_t{sets[a]} * d + k];
      }
      acc = acc * (1.0f / sqrtf(static_cast<float>(offsets[u + 1] - offsets[u])));
    }
    z[e] = acc;
  }
};

// x[s] = [U_r[u], Q_r[i], U_r[u] * Q_r[i], 0 padding] over rows of `stride` floats;
// with `z` (rating_implicit: ImplicitSumKernel's [n x d]) U_r[u] + z[s] in U_r[u]'s place.
struct RegressionInputKernel {
  const float* p;
  TableOffsets t;
  const int32_t* users;
  const int32_t* items;
  int stride;
  float* x;
  const float* z;  // null without the implicit term
  MTREC_HD void operator()(int64_t e) const {
    const int64_t s = e / stride;
    const int c = static_cast<int>(e % stride);
    const int d = t.d;
    const float* u = p + t.u_reg + int64_t{users[s]} * d;
    const float* q = p + t.q_reg + int64_t{items[s]} * d;
    float v = 0;
    if (c < d) {
      v = z != nullptr ? u[c] + z[s * d + c] : u[c];
    } else if (c < 2 * d) {
      v = q[c - d];
    } else if (c < 3 * d) {
      const int k = c - 2 * d;
      v = (z != nullptr ? u[k] + z[s * d + k] : u[k]) * q[k];
    }
    x[e] = v;
  }
};

// The per-step weight copies the GEMMs read: W^T [pin x pout] (forward) and W
// [out x pin] (backward), zero-padded; W is nn.Linear's [out x in].
struct PackTransposed {
  const float* w;
  int in, out, pout;
  float* wt;
  MTREC_HD void operator()(int64_t e) const {
    const int r = static_cast<int>(e / pout), c = static_cast<int>(e % pout);
    wt[e] = r < in && c < out ? w[int64_t{c} * in + r] : 0.0f;
  }
};
struct PackPadded {
  const float* w;
  int in, pin;
  float* wp;
  MTREC_HD void operator()(int64_t e) const {
    const int64_t o = e / pin;
    const int c = static_cast<int>(e % pin);
    wp[e] = c < in ? w[o * in + c] : 0.0f;
  }
};

// act[s, c] = (relu)(act[s, c] + b[c]) for c < out; 0 in the padding.
struct AddBiasActivate {
  const float* b;
  int out, pout;
  bool relu;
  float* act;
  MTREC_HD void operator()(int64_t e) const {
    const int c = static_cast<int>(e % pout);
    float v = c < out ? act[e] + b[c] : 0.0f;
    if (relu && v < 0) v = 0;
    act[e] = v;
  }
};

// g[e] = 0 where the ReLU was off (its output is 0).
struct ReluBackward {
  const float* act;
  float* g;
  MTREC_HD void operator()(int64_t e) const {
    if (!(act[e] > 0)) g[e] = 0;
  }
};

// grads[w + o * in + c] += dw[o * pin + c]: a padded weight gradient into the layout.
struct AddWeightGrad {
  const float* dw;
  int in, pin;
  float* grads_w;
  MTREC_HD void operator()(int64_t e) const {
    const int64_t o = e / in;
    const int c = static_cast<int>(e % in);
    grads_w[e] += dw[o * pin + c];
  }
};

// db[o] += sum over the n samples of g[s, o], in sample order.
struct AddBiasGrad {
  const float* g;
  int64_t n;
  int pout;
  float* grads_b;
  MTREC_HD void operator()(int64_t o) const {
    float sum = 0;
    for (int64_t s = 0; s < n; ++s) sum += g[s * pout + o];
    grads_b[o] += sum;
  }
};

// --- losses and per-sample gradients ----------------------------------------

// For sample s with prediction r = y[s * y_stride] (+ C[u] + D[i] with rating biases)
// (+ U_r[u] . Q_r[i] with the rating dot; with the implicit term the user
// vector is x's first d floats, U_r[u] + z_u):
//   dJ/dy = wR / n * 2 (r - rating),  dJ/dpos = wF / n * bpr'(pos - neg)
// and the per-sample loss values (bpr/loss.h, loss/mse.h).
struct SampleLosses {
  const float* p;
  TableOffsets t;
  const int32_t* users;
  const int32_t* items;
  const int32_t* negatives;
  const float* ratings;
  const float* y;
  int y_stride;
  float w_fact, w_reg;  // the loss weights over the batch size
  bool log_bpr;
  float* bpr_values;
  float* squared_errors;
  float* dy;  // [n x y_stride], column 0 set, the rest 0
  float* grad_pos;
  float* grad_rating;   // dJ/dr per sample
  const float* inputs;  // [n x inputs_stride] regression inputs (read with the implicit term)
  int inputs_stride;
  MTREC_HD void operator()(int64_t s) const {
    float r = y[s * y_stride];
    if (t.rating_user_bias >= 0) {
      r = r + (p[t.rating_user_bias + users[s]] + p[t.rating_item_bias + items[s]]);
    }
    if (t.rating_dot) {
      const float* ur =
          t.implicit_item >= 0 ? inputs + s * inputs_stride : p + t.u_reg + int64_t{users[s]} * t.d;
      const float* qr = p + t.q_reg + int64_t{items[s]} * t.d;
      float dot = 0;
      for (int k = 0; k < t.d; ++k) dot += ur[k] * qr[k];
      r = r + dot;
    }
    const float diff = r - ratings[s];
    squared_errors[s] = diff * diff;
    grad_rating[s] = w_reg * 2.0f * diff;
    for (int c = 0; c < y_stride; ++c) dy[s * y_stride + c] = c == 0 ? grad_rating[s] : 0.0f;
    const int rd = t.rd;
    const float* u = p + t.u_fact + int64_t{users[s]} * rd;
    const float* qi = p + t.q_fact + int64_t{items[s]} * rd;
    const float* qj = p + t.q_fact + int64_t{negatives[s]} * rd;
    float pos = 0, neg = 0;
    for (int k = 0; k < rd; ++k) {
      pos += u[k] * qi[k];
      neg += u[k] * qj[k];
    }
    const float x = (pos + p[t.item_bias + items[s]]) - (neg + p[t.item_bias + negatives[s]]);
    const float sig = 1.0f / (1.0f + expf(-x));
    float value, grad;
    if (!log_bpr) {
      value = 1.0f - sig;
      grad = -sig * (1.0f - sig);
    } else {  // softplus(-x), stable for large |x|
      value = fmaxf(-x, 0.0f) + log1pf(expf(-fabsf(x)));
      grad = sig - 1.0f;
    }
    bpr_values[s] = value;
    grad_pos[s] = w_fact * grad;
  }
};

// Per-sample embedding row gradients, element (s, k) of [n x max(d, rd)]
// (the ranking rows' for k < rd, the rating rows' for k < d):
//   dU_f[u] = dpos Q_f[i] - dpos Q_f[j];  dQ_f[i] = dpos U_f[u];  dQ_f[j] = -dpos U_f[u]
//   dU_r[u] = dx_u + dx_uq * Q_r[i];     dQ_r[i] = dx_q + dx_uq * U_r[u]
// where dx = dJ/dx of the regression input x = [U_r[u], Q_r[i], U_r[u] * Q_r[i]]
// (with the rating dot, the sum of x's product part, dx_uq gains dJ/dr).
// With shared tables the regression rows are added to the factorisation rows.
struct RowGradients {
  const float* p;
  TableOffsets t;
  const int32_t* users;
  const int32_t* items;
  const int32_t* negatives;
  const float* grad_pos;
  const float* grad_rating;  // dJ/dr per sample (read with the rating dot)
  const float* x;   // [n x x_stride]
  const float* dx;  // [n x x_stride]
  int x_stride;
  bool shared;
  float penalty;                   // 2 wR rating_l2 / n: the rating L2 penalty's factor
  float *g_user, *g_pos, *g_neg;   // [n x rd]
  float *g_user_reg, *g_item_reg;  // [n x d], separate tables only
  MTREC_HD void operator()(int64_t e) const {
    const int d = t.d, rd = t.rd, width = d > rd ? d : rd;
    const int64_t s = e / width;
    const int k = static_cast<int>(e % width);
    const float dpos = grad_pos[s], dneg = -dpos;
    float gu = 0, gqi = 0;
    if (k < rd) {
      const float u = p[t.u_fact + int64_t{users[s]} * rd + k];
      const float qi = p[t.q_fact + int64_t{items[s]} * rd + k];
      const float qj = p[t.q_fact + int64_t{negatives[s]} * rd + k];
      gu = dpos * qi + dneg * qj;
      gqi = dpos * u;
      g_neg[s * rd + k] = dneg * u;
    }
    if (k >= d) {  // a ranking column beyond the rating tables' width
      g_user[s * rd + k] = gu;
      g_pos[s * rd + k] = gqi;
      return;
    }
    const float* xs = x + s * x_stride;
    const float* dxs = dx + s * x_stride;
    float dx_uq = dxs[2 * d + k];
    if (t.rating_dot) dx_uq += grad_rating[s];
    float du = dxs[k] + dx_uq * xs[d + k];
    float dq = dxs[d + k] + dx_uq * xs[k];
    if (penalty != 0) {  // the rating L2 penalty: 2 wR rating_l2 / n
      du += penalty * xs[k];
      dq += penalty * xs[d + k];
    }
    if (shared) {  // rd == d
      gu += du;
      gqi += dq;
    } else {
      g_user_reg[s * d + k] = du;
      g_item_reg[s * d + k] = dq;
    }
    if (k < rd) {
      g_user[s * rd + k] = gu;
      g_pos[s * rd + k] = gqi;
    }
  }
};

// rating_implicit: Y's gradient, element (r, k) of the batch's touched Y rows
// rows[r]: the entries e in [first[r], first[r + 1]) are the samples s =
// samples[e] (ascending) whose user u has the row in N(u); the row gets
// sum_e |N(u)|^-1/2 dU_r row of s (U_r[u] + z_u is what the head reads), added
// into grads.
struct ImplicitGradients {
  TableOffsets t;
  const int64_t* offsets;  // N(u)'s CSR offsets
  const int32_t* users;
  const int32_t* rows;
  const int64_t* first;
  const int32_t* samples;
  const float* g_user_reg;  // [n x d]
  float* grads;
  MTREC_HD void operator()(int64_t e) const {
    const int d = t.d;
    const int64_t r = e / d;
    const int k = static_cast<int>(e % d);
    float acc = 0;
    for (int64_t a = first[r]; a < first[r + 1]; ++a) {
      const int32_t s = samples[a];
      const int32_t u = users[s];
      const float scale = 1.0f / sqrtf(static_cast<float>(offsets[u + 1] - offsets[u]));
      acc = acc + scale * g_user_reg[int64_t{s} * d + k];
    }
    float* g = grads + t.implicit_item + int64_t{rows[r]} * d + k;
    *g = *g + acc;
  }
};

// --- optimizers (optim/*.h): one parameter k; each zeroes the gradient it read -

struct AdamUpdate {  // torch.optim.Adam, scalars computed in double on the host
  float *p, *g, *m, *v;
  float beta1, beta2, one_minus_beta1, one_minus_beta2, step_size, bc2_sqrt, eps, weight_decay;
  MTREC_HD void operator()(int64_t k) const {
    const float gk = g[k] + weight_decay * p[k];
    m[k] = m[k] * beta1 + one_minus_beta1 * gk;
    v[k] = v[k] * beta2 + one_minus_beta2 * gk * gk;
    const float denom = sqrtf(v[k]) / bc2_sqrt + eps;
    p[k] -= step_size * (m[k] / denom);
    g[k] = 0.0f;
  }
};

struct AdagradUpdate {  // torch.optim.Adagrad (eps 1e-10)
  float *p, *g, *sum;
  float lr, weight_decay;
  MTREC_HD void operator()(int64_t k) const {
    const float gk = g[k] + weight_decay * p[k];
    sum[k] += gk * gk;
    p[k] -= lr * (gk / (sqrtf(sum[k]) + 1e-10f));
    g[k] = 0.0f;
  }
};

struct SgdUpdate {
  float *p, *g;
  float lr, weight_decay;
  MTREC_HD void operator()(int64_t k) const {
    p[k] -= lr * (g[k] + weight_decay * p[k]);
    g[k] = 0.0f;
  }
};

// Row-wise Adagrad (optim/rowwise_adagrad.h) on row rows[seg] of one table,
// fused with the scatter: `grad(seg, k)` sums the row's contributions (read
// twice, the same sum both times), so no gradient is written anywhere.
//   g' = g + wd p;  acc += mean_k g'^2;  p -= lr / (sqrt(acc) + eps) * g'
template <typename Grad>
struct RowwiseAdagradRows {
  Grad grad;
  const int32_t* rows;
  float* p;    // the table's row 0
  float* sum;  // the table's row 0's accumulator
  int cols;
  float lr, eps, weight_decay;
  MTREC_HD void operator()(int64_t seg) const {
    const int64_t row = rows[seg];
    float* pr = p + row * cols;
    float squares = 0.0f;
    for (int k = 0; k < cols; ++k) {
      const float gk = grad(seg, k) + weight_decay * pr[k];
      squares += gk * gk;
    }
    const float acc = sum[row] + squares * (1.0f / static_cast<float>(cols));
    sum[row] = acc;
    const float step = lr / (sqrtf(acc) + eps);
    for (int k = 0; k < cols; ++k) pr[k] -= step * (grad(seg, k) + weight_decay * pr[k]);
  }
};

// Runs `update` on every element of the listed rows of one table.
template <typename Update>
struct OnTableRows {
  Update update;
  const int32_t* rows;
  int64_t offset;
  int cols;
  MTREC_HD void operator()(int64_t e) const {
    update(offset + int64_t{rows[e / cols]} * cols + e % cols);
  }
};

// Runs `update` on element base + e.
template <typename Update>
struct Shifted {
  Update update;
  int64_t base;
  MTREC_HD void operator()(int64_t e) const { update(base + e); }
};

}  // namespace mtrec::MTREC_CUDA_NS
