#include "cli/recipe.h"

#include <string_view>

namespace mtrec::cli {

namespace {

struct RecipeFlag {
  const char* name;
  const char* value;     // nullptr: a switch
  const char* opposite;  // a flag that contradicts it, or nullptr
  // A recipe flag this one goes with: a user's own value for that one drops
  // this one too (a user's --early_stopping replaces the recipe's selection,
  // its refit included), or nullptr.
  const char* goes_with = nullptr;
};

// mtrec's recipe, chosen on ML-100K's validation split (README: "The mtrec
// recipe"): separate tables so that each head keeps its own best epoch, the
// rating head with biases and an L2 penalty on its rows, the ranking head
// trained on the hardest of 5 sampled negatives; then a refit on the training
// and validation rows for the chosen epochs (better held-out MRR on every seed
// when judged on the training split's own rows). (Embeddings of 64 did better
// on validation but cost 2.6x the original's epoch, over the 2x budget.)
constexpr RecipeFlag kMtrecRecipe[] = {
    {"no_shared_embeddings", nullptr, "shared_embeddings"},
    {"rating_biases", "true", nullptr},
    {"rating_l2", "30", nullptr},
    // --rating_l2 chosen on validation among 1, 10 and 30 (30 is best on
    // ML-100K, 1 on ml-latest-small and MovieTweetings-100K: docs/quality.md),
    // replacing the 30 above; a user's --rating_l2, or --early_stopping, drops it.
    {"rating_l2_grid", "1,10,30", "rating_l2", "early_stopping"},
    {"negatives", "5", nullptr},
    {"factorization_weight", "0.5", nullptr},
    {"regression_weight", "0.5", nullptr},
    {"validation_fraction", "0.05", "validation"},  // a --validation file replaces it
    {"early_stopping", "per_head", nullptr},
    {"refit", "true", nullptr, "early_stopping"},
    {"patience", "30", nullptr},
    {"epochs", "200", nullptr},
};

// The recipe as flags: "--no_shared_embeddings --rating_biases --rating_l2 30 ..."
// (a "true" value is the bare flag).
std::string RecipeText(std::span<const RecipeFlag> recipe) {
  std::string out;
  for (const RecipeFlag& f : recipe) {
    out += (out.empty() ? "--" : " --") + std::string(f.name);
    if (f.value != nullptr && std::string_view(f.value) != "true")
      out += " " + std::string(f.value);
  }
  return out;
}

}  // namespace

void AddRecipeFlag(FlagSet& flags, std::string* recipe) {
  flags.AddValue("recipe", "original|mtrec",
                 "original: the original's model and training; mtrec: mtrec's own recipe (" +
                     RecipeText(kMtrecRecipe) +
                     "); flags given beside it override the recipe's (--early_stopping also its "
                     "--refit and --rating_l2_grid, --rating_l2 its --rating_l2_grid)",
                 "original", [recipe](std::string_view v) -> Status {
                   if (v != "original" && v != "mtrec") {
                     return Status::InvalidArgument("--recipe: expected original or mtrec, got '" +
                                                    std::string(v) + "'");
                   }
                   *recipe = std::string(v);
                   return Status::Ok();
                 });
}

std::vector<std::string> ArgumentsWithRecipe(const std::string& recipe, const FlagSet& parsed,
                                             std::span<const std::string> args) {
  std::vector<std::string> out;
  if (recipe == "mtrec") {
    for (const RecipeFlag& f : kMtrecRecipe) {
      if (parsed.was_given(f.name) || (f.opposite != nullptr && parsed.was_given(f.opposite)) ||
          (f.goes_with != nullptr && parsed.was_given(f.goes_with))) {
        continue;
      }
      out.push_back(std::string("--") + f.name);
      if (f.value != nullptr) out.emplace_back(f.value);
    }
  }
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace mtrec::cli
