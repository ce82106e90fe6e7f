// Copyright the PreloadSDK authors.
//
// base/internal/escape.h — text from a file or the environment made safe to
// print on a terminal.
//
// A fingerprint value, a library name or a path comes from whoever wrote the
// file: printed raw, an ESC sequence in it could clear the screen, move the
// cursor or rewrite earlier lines, a CR could hide what precedes it, and a
// newline could fake a line of the loader's own. Every such value is passed
// through EscapeText before it is put in a message, a trace line or the
// `preload` tool's text output. JSON output needs no such step: its own
// escaping keeps the value exact.
#ifndef PRELOAD_BASE_INTERNAL_ESCAPE_H_
#define PRELOAD_BASE_INTERNAL_ESCAPE_H_

#include <string>
#include <string_view>

namespace preload::internal {

// `text` with every byte that could act on a terminal written as an escape:
// \n, \r, \t, and \xNN for the other C0 controls, DEL, the C1 controls
// (U+0080..U+009F, as UTF-8 or as bare bytes) and any byte that is not part
// of valid UTF-8. Printable ASCII and valid UTF-8 are kept as they are; so is
// a backslash, which cannot act on a terminal.
std::string EscapeText(std::string_view text);

// The same, but a newline is kept: for a message of several lines whose
// values were escaped when it was made, or may not have been.
std::string EscapeKeepingLines(std::string_view text);

}  // namespace preload::internal

#endif  // PRELOAD_BASE_INTERNAL_ESCAPE_H_
