// Backend: everything about a model that depends on the device it runs on.
//
// A backend owns one model's parameters and optimizer state in its device's
// memory and implements the three operations whose speed is the device's
// business:
//   * the training step: forward, backward and optimizer update for a batch of
//     (user, positive item, rating, negative item) rows;
//   * scoring for ranking: the factorisation head for blocks of users against
//     every item (MRR, top-k, the ranking metrics);
//   * rating prediction: the regression head for (user, item) pairs.
// What is the same on every device stays on the host, outside the backend: the
// data, the split, the per-epoch stream (shuffle and negatives, trainer.h), the
// metric definitions and the checkpoint format. So a model trained on one
// backend is evaluated, resumed or served on any other.
//
// Backends are made by name through backend_registry.h. Within one backend,
// results are bit-identical for any thread count and across repeated runs;
// between backends they agree within the tolerance the backend states (its
// entry in tests/backend/). The CPU backend (cpu_backend.h) is the reference.
//
// Thread-safety: const methods may run concurrently with each other; a
// non-const method must run alone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mtrec/config.h"
#include "mtrec/eval/block_scorer.h"
#include "mtrec/eval/mrr.h"
#include "mtrec/model/multitask_net.h"
#include "mtrec/status.h"
#include "mtrec/backend/batch.h"

namespace mtrec {

class Communicator;
class ThreadPool;

struct BackendOptions {
  int threads = 0;  // host worker threads; 0: every hardware thread
  // The ranks that share each training step (data parallel, results
  // bit-identical to one process); null: this process alone. Must outlive
  // the backend.
  Communicator* comm = nullptr;
  // With `comm`: every embedding and bias table and its optimizer state split
  // row-wise across the ranks (dist/sharded_cpu_backend.h), results still
  // those of one process. The "cpu" backend only.
  bool shard_tables = false;
};

// An optimizer's state as the checkpoint stores it: host copies.
struct OptimizerState {
  std::string name;  // OptimizerName() of the optimizer that wrote it
  int64_t steps = 0;
  std::vector<std::pair<std::string, std::vector<float>>> tensors;  // e.g. Adam's m and v
};

// An optimizer state's name, steps and tensors' names and sizes: what a
// checkpoint's file says of it before its values are read.
struct OptimizerShape {
  std::string name;
  int64_t steps = 0;
  std::vector<std::pair<std::string, int64_t>> tensors;

  static OptimizerShape Of(const OptimizerState& state);
};

class Backend {
 public:
  virtual ~Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // The name it is registered under ("cpu", ...).
  virtual std::string name() const = 0;

  // OK, or the first device error (out of memory, a failed kernel or copy),
  // naming the operation: "cuda: cudaMalloc of 1.2 GiB for item scores
  // failed: out of memory". Sticky: after an error every call returns at once
  // with NaN results, so a caller checks status() after a step or an
  // evaluation before trusting its numbers. A host backend never fails.
  virtual Status status() const { return Status::Ok(); }

  // The model on the host: its shape, layout and current parameters. A device
  // backend copies its parameters back first; the reference stays valid until
  // the next non-const call. With tables sharded across several ranks
  // (holds_whole_model() false) no rank holds the model: net() is its shape
  // only (MultiTaskNet::ShapeOnly, params() empty), and held() what this rank
  // holds.
  virtual const MultiTaskNet& net() const = 0;
  // Lets `write` set parameters on the host copy (a checkpoint, a PyTorch
  // dump, an API caller's tensors), then makes them the device's. With tables
  // sharded across several ranks, `write` gets a transient whole model (T
  // floats) holding this rank's rows and the MLP, zeros elsewhere, and the
  // rank keeps what it wrote into its rows and the MLP: `write` must set the
  // same values on every rank and read no other rank's rows.
  virtual void WriteParams(const std::function<void(MultiTaskNet&)>& write) = 0;
  // MultiTaskNet::InitRandom(seed) of the whole model, bit for bit; a rank of
  // sharded tables draws the whole stream and keeps its rows.
  virtual void InitRandom(uint64_t seed) {
    WriteParams([seed](MultiTaskNet& net) { net.InitRandom(seed); });
  }

  // The parameters this process holds, in a net of their shape: the whole
  // model (net()), or with tables sharded across several ranks this rank's
  // rows of every table (row r of N ranks on rank r % N as local row r / N:
  // the same blocks and roles, fewer rows) and the whole MLP. Copies of it
  // (early stopping's best epoch, a head's earlier epoch) are written back
  // with WriteHeld.
  virtual const MultiTaskNet& held() const { return net(); }
  // Lets `write` set parameters of held() (a copy of it taken earlier, the
  // MLP's rating offset), then makes them the device's.
  virtual void WriteHeld(const std::function<void(MultiTaskNet&)>& write) { WriteParams(write); }
  // False when no rank holds the whole model (tables sharded across several
  // ranks): net() is then the shape only, and what reads whole tables (top-k
  // scoring, MakeScorer, ScoreAllItems, ComputeGradient) is not available.
  virtual bool holds_whole_model() const { return true; }

  // Host threads for the work around the backend (data stream, metrics).
  virtual ThreadPool& host_pool() const = 0;

  // --- training ---
  // Creates the optimizer with fresh state and sizes the step's buffers.
  // REQUIRES: config.Validate().ok().
  virtual void StartTraining(const TrainConfig& config) = 0;
  // What a gradient inspector sees: the batch's losses and the gradient of the
  // joint loss (host, the net's flat layout), before the update.
  using GradientInspector = std::function<void(const BatchLosses&, std::span<const float>)>;
  // One optimizer step on `batch`. With `inspect` set, it is called with the
  // gradient before the update (a device backend copies it back for it).
  // A non-finite joint loss is returned as it is; the caller decides.
  // REQUIRES: StartTraining was called; 0 < batch.size() <= config.batch_size;
  // every id in range.
  virtual BatchLosses TrainStep(const Batch& batch, const GradientInspector* inspect) = 0;
  // The batch's losses and the gradient of the joint loss, ADDED into `grads`
  // (host, the net's flat layout); parameters and optimizer state unchanged.
  // For gradient checks and tools. REQUIRES: as TrainStep;
  // grads.size() == net().params().size(); holds_whole_model().
  virtual BatchLosses ComputeGradient(const Batch& batch, std::span<float> grads) = 0;
  // Steps taken so far (restored with the optimizer state).
  virtual int64_t steps() const = 0;
  virtual OptimizerState SaveOptimizerState() const = 0;
  // InvalidArgument naming `source` if the state is another optimizer's,
  // Corruption if its tensors are not this optimizer's or not the model's
  // size. REQUIRES: StartTraining was called.
  virtual Status LoadOptimizerState(const OptimizerState& state, const std::string& source) = 0;

  // --- checkpoints, streamed ---
  // A checkpoint is written from the backend's own buffers as the file goes
  // out, nothing copied first (train/checkpoint.h). With sharded tables
  // (tables_sharded()) no rank holds a whole table or its optimizer state:
  // SaveOptimizerState gives the name and steps only (no tensors), and the
  // streaming calls are collectives that gather the rows on rank 0 in pieces.
  using FloatsEmit = std::function<void(std::span<const float>)>;
  // The optimizer state's name, steps and tensors' names and sizes, as one
  // process's SaveOptimizerState() holds them.
  virtual OptimizerShape StateShape() const { return OptimizerShape::Of(SaveOptimizerState()); }
  // Passes to `emit`, in consecutive pieces, the flat parameters and then
  // each optimizer state tensor in StateShape's order: the values one
  // process's net() and SaveOptimizerState() hold. With sharded tables a
  // collective: `emit` on rank 0 (null on the others), pieces of a few MiB.
  virtual void StreamState(const FloatsEmit* emit) const {
    (*emit)(net().params());
    for (const auto& [name, values] : SaveOptimizerState().tensors) (*emit)(values);
  }
  // Passes to `emit`, as StreamState passes the parameters, the whole model's
  // flat parameters of which this rank gives `held`, a copy of its held()
  // (early stopping's best epoch); with sharded tables a collective, as
  // StreamState. REQUIRES: held.size() == held().params().size() on every rank.
  virtual void StreamParams(std::span<const float> held, const FloatsEmit* emit) const {
    (*emit)(held);
  }
  // Reads `out.size()` floats of a checkpoint's tensor `name` from its float
  // `offset` on.
  using TensorRead =
      std::function<Status(const std::string& name, int64_t offset, std::span<float> out)>;
  // A collective: restores the weights (tensors named as the model's blocks)
  // and the optimizer state `shape` (tensors "optimizer.<name>"), each rank
  // reading its own rows only. Errors as LoadOptimizerState's, naming `source`.
  virtual Status LoadState(const TensorRead& read, const OptimizerShape& shape,
                           const std::string& source) {
    (void)read;
    (void)shape;
    return Status::Unavailable(source + ": this backend's tables are not sharded");
  }
  // Reads a checkpoint's flat parameter tensor `name` (the whole model's
  // layout, e.g. "best_params") into `held`, laid out as held(): this rank's
  // rows only with sharded tables. REQUIRES: held.size() == held().params().size().
  virtual Status ReadParams(const TensorRead& read, const std::string& name,
                            std::span<float> held) const {
    return read(name, 0, held);
  }

  // --- scoring ---
  // True when the tables are split row-wise across the ranks of a job
  // (BackendOptions::shard_tables): MeanReciprocalRank, PredictRatings and
  // ScoreCandidates are then collectives of those ranks, each called by every
  // rank with the same arguments (the whole test set, the whole batch), each
  // rank scoring with its own rows and rows fetched from their owners; the
  // results are one process's, bit for bit.
  virtual bool tables_sharded() const { return false; }
  // The factorisation head as a BlockScorer for full ranking; it reads the
  // parameters as they are now and must not outlive a change to them.
  // REQUIRES: holds_whole_model().
  virtual std::unique_ptr<BlockScorer> MakeScorer() const = 0;
  // The original's MRR (eval/mrr.h) over `test`, train items ranked last.
  virtual MrrResult MeanReciprocalRank(const UserItemSets& test,
                                       const UserItemSets& train) const = 0;
  // Factorisation scores of `user` for every item (out.size() == num_items),
  // bit-identical to MakeScorer()'s for the same pairs. REQUIRES: holds_whole_model().
  virtual void ScoreAllItems(UserId user, std::span<float> out) const = 0;
  // Factorisation scores p(users[s], items[s * per_user + c]) into
  // out[s * per_user + c], for c < per_user: the candidates a training step
  // chooses its negatives from. REQUIRES: items.size() == out.size() ==
  // users.size() * per_user; ids in range.
  virtual void ScoreCandidates(std::span<const UserId> users, std::span<const ItemId> items,
                               int per_user, std::span<float> out) const = 0;
  // Regression predictions r(users[k], items[k]) for every k.
  virtual void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                              std::span<float> out) const = 0;

 protected:
  Backend() = default;
};

}  // namespace mtrec
