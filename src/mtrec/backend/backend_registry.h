// The backends this build has, by name. A new backend adds one entry to the
// table in backend_registry.cc (guarded by its build option); every test in
// tests/backend/ then runs on it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mtrec/backend/backend.h"
#include "mtrec/config_names.h"  // BackendNames: the registered names
#include "mtrec/status.h"

namespace mtrec {

// OK when backend `name` can run here, checked before any work (a CLI's
// --gpu): Unavailable saying what is missing (a build without CUDA, no
// device, an old driver), InvalidArgument for an unknown name.
Status BackendUsable(std::string_view name);

// A backend `name` holding a model of shape `config`, its parameters zero.
// InvalidArgument naming `backend` for an unknown name, and for a config that
// fails ModelConfig::Validate. A backend that cannot run here (no device)
// returns Unavailable saying what is missing.
Result<std::unique_ptr<Backend>> MakeBackend(std::string_view name, const ModelConfig& config,
                                             const BackendOptions& options);

}  // namespace mtrec
