// What to do with a (user, item) pair rated more than once.
//   keep   every rating stays a separate interaction (the default, as the
//          original: Spotlight's Interactions keep duplicates; its CSR for MRR
//          counts the pair once)
//   first  keep the pair's first rating in file order, drop the rest
//   last   keep the pair's last rating in file order (e.g. a re-rating)
//   error  refuse the file, naming the first repeated pair
#pragma once

#include <cstdint>
#include <string_view>

#include "mtrec/core/config_names.h"
#include "mtrec/data/user_item_sets.h"
#include "mtrec/dataset.h"
#include "mtrec/id_map.h"
#include "mtrec/status.h"

namespace mtrec {

// Applies `policy` to x in place (row order is kept) and returns the number of
// rows removed. Under kError a repeated pair is a Corruption naming `source`,
// the pair (in the user's own ids) and the two rating numbers.
Result<int64_t> ApplyDuplicatePolicy(DuplicatePolicy policy, Interactions& x, const IdMap& users,
                                     const IdMap& items, std::string_view source);

}  // namespace mtrec
