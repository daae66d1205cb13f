// What differs between compiling the CUDA backend's shared sources with nvcc
// (the "cuda" backend) and with the host compiler against Thrust's CPP system
// (the "cuda-host" backend, which CI runs): the function-space qualifiers, and
// the namespace the shared sources are instantiated in (each build gets its
// own, so the two can link into one binary without an ODR clash).
#pragma once

#if defined(__CUDACC__)
#define MTREC_HD __host__ __device__
#else
#define MTREC_HD
#endif

// The shared sources never use float atomics: every gradient reduction is a
// sort by table row followed by a segmented sum in sample order
// (device_scatter.h), so results do not depend on thread scheduling.
