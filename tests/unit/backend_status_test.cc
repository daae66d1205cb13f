// A device error reported by Backend::status() ends training with that error
// (naming the device operation), not with the NaN losses it leaves behind
// being taken for a divergence.
#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "mtrec/backend/backend.h"
#include "mtrec/train/trainer.h"
#include "support/backend_test_util.h"

namespace mtrec {
namespace {

// The cpu backend, except that its training step fails (as a device's would,
// out of memory) from step `fail_at` on.
class FailingBackend final : public Backend {
 public:
  FailingBackend(std::unique_ptr<Backend> inner, int fail_at)
      : inner_(std::move(inner)), fail_at_(fail_at) {}
  std::string name() const override { return "failing"; }
  Status status() const override { return error_; }
  const MultiTaskNet& net() const override { return inner_->net(); }
  void WriteParams(const std::function<void(MultiTaskNet&)>& write) override {
    inner_->WriteParams(write);
  }
  ThreadPool& host_pool() const override { return inner_->host_pool(); }
  void StartTraining(const TrainConfig& config) override { inner_->StartTraining(config); }
  BatchLosses TrainStep(const Batch& batch, const GradientInspector* inspect) override {
    if (++steps_ >= fail_at_) {
      error_ = Status::Unavailable(
          "cuda: cudaMalloc of 1.2 GiB for the batch's rows failed: out of memory");
      return BatchLosses{kNan, kNan, kNan};
    }
    return inner_->TrainStep(batch, inspect);
  }
  BatchLosses ComputeGradient(const Batch& batch, std::span<float> grads) override {
    return inner_->ComputeGradient(batch, grads);
  }
  int64_t steps() const override { return inner_->steps(); }
  OptimizerState SaveOptimizerState() const override { return inner_->SaveOptimizerState(); }
  Status LoadOptimizerState(const OptimizerState& state, const std::string& source) override {
    return inner_->LoadOptimizerState(state, source);
  }
  std::unique_ptr<BlockScorer> MakeScorer() const override { return inner_->MakeScorer(); }
  MrrResult MeanReciprocalRank(const UserItemSets& test, const UserItemSets& train) const override {
    return inner_->MeanReciprocalRank(test, train);
  }
  void ScoreAllItems(UserId user, std::span<float> out) const override {
    inner_->ScoreAllItems(user, out);
  }
  void ScoreCandidates(std::span<const UserId> users, std::span<const ItemId> items, int per_user,
                       std::span<float> out) const override {
    inner_->ScoreCandidates(users, items, per_user, out);
  }
  void PredictRatings(std::span<const UserId> users, std::span<const ItemId> items,
                      std::span<float> out) const override {
    inner_->PredictRatings(users, items, out);
  }

 private:
  static constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
  const std::unique_ptr<Backend> inner_;
  const int fail_at_;
  int steps_ = 0;
  Status error_;
};

TEST(BackendStatus, ADeviceErrorInAStepEndsTheEpochWithThatError) {
  const testing::SmallData& data = testing::SmallSyntheticData();
  const ModelConfig mc = testing::SmallModelConfig(data.train, /*shared=*/true);
  std::unique_ptr<Backend> cpu = testing::NewBackend("cpu", mc, 1, /*init_seed=*/7);
  ASSERT_NE(cpu, nullptr);
  FailingBackend backend(std::move(cpu), /*fail_at=*/3);
  Trainer trainer(testing::SmallTrainConfig(), &backend);
  const Result<EpochLosses> losses = trainer.TrainEpoch(data.train);
  ASSERT_FALSE(losses.ok());
  EXPECT_EQ(losses.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(losses.status().message(),
            "cuda: cudaMalloc of 1.2 GiB for the batch's rows failed: out of memory");
}

}  // namespace
}  // namespace mtrec
