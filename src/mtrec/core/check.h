// MTREC_CHECK: internal invariants that no user input can break. A failure is a
// bug in mtrec, so it aborts with file:line in every build type (faiss's
// FAISS_ASSERT tier). User errors never reach a CHECK: they return a Status.
#pragma once

#include <cstdio>
#include <cstdlib>

#define MTREC_CHECK(cond)                                                                    \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: internal check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)

#ifdef NDEBUG
#define MTREC_DCHECK(cond) \
  do {                     \
  } while (false)
#else
#define MTREC_DCHECK(cond) MTREC_CHECK(cond)
#endif
