// The model explorer at GET / (docs/serving.md): one static
// HTML page with its CSS and script inline, built into the binary; it calls
// only the server's own /v1 routes (no framework, font or CDN is fetched).
#pragma once

#include <string_view>

namespace mtrec::serve {

std::string_view ExplorerPage();

}  // namespace mtrec::serve
