// Model::Recommend and Predict allocate nothing per call once warm but the
// answer itself (issue 23: a server's top-k must not allocate per request).
// This binary's operator new counts the calling thread's allocations. Left
// out of ASan builds (its suite is not in scripts/sanitize.sh's pattern, and
// ASan replaces operator new itself).
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <vector>

#include "api/api_test_data.h"
#include "mtrec/model.h"

#if !defined(__SANITIZE_ADDRESS__)
// g++ 12 sees the replaced operator delete's free() inlined after `new` and
// warns of a mismatch; this operator new allocates with malloc, so it matches.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
thread_local int64_t t_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#endif

namespace mtrec {
namespace {

TEST(RecommendAllocation, AWarmCallAllocatesOnlyItsAnswer) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan replaces operator new";
#else
  const Dataset data = api_test::MakeDataset(api_test::MakeColumns(200, 3000, 20000, 5));
  Model model = Model::Create(api_test::SmallOptions(/*threads=*/1), data).value();
  ASSERT_TRUE(model.Recommend(1, 10).ok());  // warm: the candidates and this thread's scratch
  ASSERT_TRUE(model.Predict(1, 2).ok());
  const int64_t before = t_allocations;
  int calls = 0;
  for (UserId user = 1; user < 101; ++user) {
    const Result<std::vector<Recommendation>> top = model.Recommend(user, 10, user % 2 == 0);
    ASSERT_TRUE(top.ok());
    ASSERT_EQ(top->size(), 10u);
    ASSERT_TRUE(model.Predict(user, 3).ok());
    ++calls;
  }
  // One allocation per Recommend (its returned vector), none per Predict.
  EXPECT_EQ(t_allocations - before, calls);
#endif
}

}  // namespace
}  // namespace mtrec
