// Whole-file writes that never leave a half-written file behind: the content
// goes to a temporary file in the same folder, is flushed, and is renamed over
// the target (rename is atomic on POSIX file systems).
#pragma once

#include <filesystem>
#include <string_view>

#include "mtrec/status.h"

namespace mtrec {

// Replaces `path` with `content`. On any failure the target is untouched, the
// temporary file is removed, and the Status names the path and the OS error.
// `sync` also fsyncs the data before the rename (survives a power cut, costs ms).
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                           bool sync = false);

}  // namespace mtrec
