#include "mtrec/backend/backend_registry.h"

#include <algorithm>
#include <string>

#include "mtrec/backend/backend_config.h"  // generated: MTREC_HAVE_CUDA_HOST, MTREC_HAVE_CUDA
#include "mtrec/backend/cpu/cpu_backend.h"
#include "mtrec/backend/cpu/sharded_cpu_backend.h"
#include "mtrec/dist/communicator.h"
#if MTREC_HAVE_CUDA_HOST || MTREC_HAVE_CUDA
#include "mtrec/backend/cuda/cuda_backends.h"
#endif

namespace mtrec {

namespace {

// A backend that cannot run here (no device, an old driver) returns
// Unavailable saying what is missing.
using Factory = Result<std::unique_ptr<Backend>> (*)(const ModelConfig&, const BackendOptions&);

struct Entry {
  const char* name;
  Factory make;
};

Result<std::unique_ptr<Backend>> MakeCpu(const ModelConfig& config, const BackendOptions& options) {
  if (!options.shard_tables) {
    return std::unique_ptr<Backend>(std::make_unique<CpuBackend>(config, options));
  }
  const int ranks = options.comm != nullptr ? options.comm->size() : 1;
  if (std::min(config.num_users, config.num_items) < ranks) {
    return Status::InvalidArgument("shard_tables: " + std::to_string(ranks) +
                                   " ranks need at least as many users and items, the model has " +
                                   std::to_string(config.num_users) + " x " +
                                   std::to_string(config.num_items));
  }
  return std::unique_ptr<Backend>(std::make_unique<ShardedCpuBackend>(config, options));
}

constexpr Entry kBackends[] = {
    {"cpu", &MakeCpu},
#if MTREC_HAVE_CUDA_HOST
    {"cuda-host", &MakeCudaHostBackend},  // the CUDA backend's code on the CPU (CI)
#endif
#if MTREC_HAVE_CUDA
    {"cuda", &MakeCudaBackend},
#endif
};

constexpr const char* kNoCudaBackend =
    "backend 'cuda': this build has no CUDA backend (rebuild with -DMTREC_CUDA=ON)";

}  // namespace

Status BackendUsable(std::string_view name) {
  for (const Entry& e : kBackends) {
    if (name != e.name) continue;
#if MTREC_HAVE_CUDA
    if (name == "cuda") return CudaDeviceStatus();
#endif
    return Status::Ok();
  }
  if (name == "cuda") return Status::Unavailable(kNoCudaBackend);
  return Status::InvalidArgument("backend: unknown backend '" + std::string(name) + "'");
}

std::vector<std::string> BackendNames() {
  std::vector<std::string> names;
  for (const Entry& e : kBackends) names.emplace_back(e.name);
  return names;
}

Result<std::unique_ptr<Backend>> MakeBackend(std::string_view name, const ModelConfig& config,
                                             const BackendOptions& options) {
  MTREC_RETURN_IF_ERROR(config.Validate());
  if (options.threads < 0) {
    return Status::InvalidArgument("threads: expected >= 0 (0: every hardware thread), got " +
                                   std::to_string(options.threads));
  }
  // Only the cpu backend takes part in data-parallel training (the others
  // would train every rank alone).
  if (name != "cpu" &&
      (options.shard_tables || (options.comm != nullptr && options.comm->size() > 1))) {
    return Status::InvalidArgument("backend: the '" + std::string(name) +
                                   "' backend does not train across ranks or shard tables yet; "
                                   "use the cpu backend (no --gpu)");
  }
  for (const Entry& e : kBackends) {
    if (name == e.name) return e.make(config, options);
  }
  if (name == "cuda") return Status::Unavailable(kNoCudaBackend);
  std::string known;
  for (const Entry& e : kBackends) known += (known.empty() ? "" : ", ") + std::string(e.name);
  return Status::InvalidArgument("backend: unknown backend '" + std::string(name) +
                                 "' (this build has: " + known + ")");
}

}  // namespace mtrec
