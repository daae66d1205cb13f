// Recipes: named sets of training flags. `--recipe original` (the default) is
// the original's model and training; `--recipe mtrec` is mtrec's own recipe
// (README: "The mtrec recipe" lists each element and the evidence for it).
// A recipe is nothing but flags: every element is an ordinary flag, and a flag
// given on the command line beside --recipe overrides the recipe's.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "cli/flags.h"
#include "mtrec/status.h"

namespace mtrec::cli {

// Adds --recipe NAME, which stores NAME in *recipe.
void AddRecipeFlag(FlagSet& flags, std::string* recipe);

// The arguments to parse for `recipe`: its flags that the user did not give
// (`parsed` has parsed `args`; a flag is also left out when its opposite, e.g.
// --shared_embeddings for --no_shared_embeddings or --rating_l2 for
// --rating_l2_grid, was given, and --refit and --rating_l2_grid when
// --early_stopping was: the user's selection replaces the recipe's), then `args`.
// REQUIRES: recipe is "", "original" or "mtrec" (what --recipe accepts).
std::vector<std::string> ArgumentsWithRecipe(const std::string& recipe, const FlagSet& parsed,
                                             std::span<const std::string> args);

}  // namespace mtrec::cli
