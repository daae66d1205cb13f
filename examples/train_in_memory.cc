// train_in_memory: the mtrec library end to end, on data made in memory.
//
//   build/train_in_memory DIR
//
// Generates ratings, builds a data set, splits it, trains a model for 3 epochs,
// evaluates it, recommends for one user, saves the model to DIR/model.mtrec
// (the only file it writes), loads it back and checks that the loaded model
// answers exactly as the trained one. Exits 1 with one line on any failure.
// Uses the public headers only (include/mtrec/).
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mtrec/dataset.h"
#include "mtrec/model.h"
#include "mtrec/status.h"

namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "train_in_memory: %s\n", message.c_str());
  std::exit(1);
}

// The value of a Result, or exit with its error.
template <typename T>
T Check(mtrec::Result<T> result, const char* what) {
  if (!result.ok()) Fail(std::string(what) + ": " + result.status().message());
  return std::move(result).value();
}

void Check(const mtrec::Status& status, const char* what) {
  if (!status.ok()) Fail(std::string(what) + ": " + status.message());
}

bool SameBits(float a, float b) { return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) Fail("usage: train_in_memory DIR (where the model is saved)");
  const std::filesystem::path checkpoint = std::filesystem::path(argv[1]) / "model.mtrec";

  // 1. Interactions with structure: users and items come in two taste groups
  //    (even and odd numbers). A user mostly rates items of their own group,
  //    4 or 5, and sometimes one of the other group, 1 or 2.
  const int kUsers = 300, kItems = 200, kPerUser = 20;
  std::mt19937 rng(7);
  std::vector<std::string> users, items;
  std::vector<float> ratings;
  for (int u = 0; u < kUsers; ++u) {
    for (int k = 0; k < kPerUser; ++k) {
      const bool liked = rng() % 5 != 0;  // 80% of the ratings
      const int i = 2 * static_cast<int>(rng() % (kItems / 2)) + (liked ? u % 2 : 1 - u % 2);
      users.push_back("u" + std::to_string(u));
      items.push_back("i" + std::to_string(i));
      ratings.push_back(static_cast<float>((liked ? 4 : 1) + rng() % 2));
    }
  }

  // 2. A data set (string ids numbered densely; users()/items() translate back)
  //    and the original's 95/5 random train/test split.
  const mtrec::Dataset data =
      Check(mtrec::DatasetFromStrings(users, items, ratings), "DatasetFromStrings");
  const mtrec::TrainTestSplit split =
      Check(mtrec::SplitInteractions(data.interactions, 0.05), "SplitInteractions");

  // 3. A small model, trained for 3 epochs and evaluated on the test part after each.
  mtrec::ModelOptions options;
  options.model.embedding_dim = 16;
  options.model.hidden_layers = {32};
  options.train.batch_size = 64;
  options.train.optimizer.learning_rate = 0.01;
  options.threads = 2;  // results do not depend on it
  mtrec::Model model = Check(mtrec::Model::Create(options, data), "Model::Create");

  mtrec::FitOptions fit;
  fit.epochs = 3;
  fit.test = &split.test;
  fit.on_epoch = [](const mtrec::EpochStats& s) {
    std::printf("epoch %d: loss %.4f (bpr %.4f, mse %.4f)  test MRR %.4f  MSE %.4f\n", s.epoch,
                s.losses.joint, s.losses.factorization, s.losses.regression, s.eval.mrr,
                s.eval.mse);
    return true;  // false would stop training here
  };
  Check(model.Fit(split.train, fit), "Fit");

  const mtrec::ModelEvaluation e =
      Check(model.Evaluate(split.test, split.train, /*k=*/10), "Evaluate");
  std::printf(
      "MRR %.4f  MSE %.4f  RMSE %.4f  MAE %.4f  precision@10 %.4f  recall@10 %.4f  "
      "NDCG@10 %.4f  AUC %.4f\n",
      e.base.mrr, e.base.mse, e.rmse, e.mae, e.ranking.precision, e.ranking.recall, e.ranking.ndcg,
      e.ranking.auc);

  // 4. Top 5 for user "u17": raw id -> row, and rows -> raw ids for output.
  const std::optional<int32_t> user = model.users().Find("u17");
  if (!user) Fail("u17 is not in the data");
  const auto top = Check(model.Recommend(*user, 5), "Recommend");
  std::printf("top 5 for u17:");
  for (const mtrec::Recommendation& r : top) {
    std::printf(" %s (%.2f)", model.items().Name(r.item).c_str(), r.rating);
  }
  std::printf("\n");

  // 5. Save, load back, and check that the loaded model answers bit for bit as
  //    the trained one. A model made from in-memory data records no data set
  //    to read back, so the loaded one is told the interactions the trained
  //    one knows (Fit's training and test rows: the whole data set) before
  //    Recommend (which items to offer and which each user has seen).
  Check(model.Save(checkpoint), "Save");
  mtrec::Model loaded = Check(mtrec::Model::Load(checkpoint, /*threads=*/2), "Model::Load");
  Check(loaded.SetKnownInteractions(data.interactions), "SetKnownInteractions");
  if (loaded.users().Find("u17") != user) Fail("the loaded model numbers users differently");
  int64_t pairs = 0;
  for (int32_t u = 0; u < model.num_users(); u += 7) {
    for (int32_t i = 0; i < model.num_items(); i += 3, ++pairs) {
      const float a = Check(model.Score(u, i), "Score");
      const float b = Check(loaded.Score(u, i), "Score (loaded)");
      const mtrec::Recommendation p = Check(model.Predict(u, i), "Predict");
      const mtrec::Recommendation q = Check(loaded.Predict(u, i), "Predict (loaded)");
      if (!SameBits(a, b) || !SameBits(p.score, q.score) || !SameBits(p.rating, q.rating)) {
        Fail("the loaded model scores user " + model.users().Name(u) + ", item " +
             model.items().Name(i) + " differently");
      }
    }
    const auto mine = Check(model.Recommend(u, 5), "Recommend");
    const auto theirs = Check(loaded.Recommend(u, 5), "Recommend (loaded)");
    for (size_t k = 0; k < mine.size() || k < theirs.size(); ++k) {
      if (mine.size() != theirs.size() || mine[k].item != theirs[k].item ||
          !SameBits(mine[k].score, theirs[k].score)) {
        Fail("the loaded model recommends differently for user " + model.users().Name(u));
      }
    }
  }
  std::printf("saved %s; the loaded model scores %lld pairs and recommends exactly as trained\n",
              checkpoint.string().c_str(), static_cast<long long>(pairs));
  return 0;
}
