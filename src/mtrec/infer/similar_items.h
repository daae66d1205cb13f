// Item-to-item similarity in the ranking head's item embedding (Q_f, the
// factorisation head's item table; Q when the tables are shared): the cosine
// of two items' rows. The item bias is not part of it (it says how popular an
// item is, not what it is like).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtrec/metrics.h"
#include "mtrec/model/multitask_net.h"

namespace mtrec {

// The k candidates (candidate[j] != 0) whose rows are closest to `item`'s by
// cosine, best first, ties to the lower row (as Recommend breaks them); never
// `item` itself. A zero row has similarity 0 with every item. One pass over
// the table, sequential: the same answer on any number of threads.
// REQUIRES: 0 <= item < num_items, candidate.size() == num_items, k >= 1.
std::vector<SimilarItem> SimilarItems(const MultiTaskNet& net, ItemId item,
                                      std::span<const uint8_t> candidate, int k);

}  // namespace mtrec
