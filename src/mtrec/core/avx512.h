// AVX-512 intrinsics where the build targets them (-march=native on such a
// CPU): MTREC_AVX512 is defined, and <immintrin.h> included, only then; code
// using them keeps a portable path for the other CPUs.
#pragma once

#if defined(__AVX512F__) && defined(__FMA__)
#define MTREC_AVX512 1
// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm512_undefined
// (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif
