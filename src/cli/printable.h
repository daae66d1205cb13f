// Text from the data or the command line (ids, titles, file lines, paths, and
// the messages that quote them) made safe for a terminal: a control character
// in an id must not move the cursor, clear the screen or hide the rest of a
// line. JSON output needs none of this (its encoder escapes per JSON's rules).
#pragma once

#include <string>
#include <string_view>

namespace mtrec::cli {

// `text` with every byte of a control character (C0 such as ESC, CR, NUL and
// TAB; DEL; C1 U+0080..U+009F) and every byte that is not part of well-formed
// UTF-8 written as \xNN; all other text (printable UTF-8) unchanged.
std::string Printable(std::string_view text);

}  // namespace mtrec::cli
