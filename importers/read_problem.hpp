#pragma once

// Why a reader handed back a record (a CSV record or a JSON line) that cannot
// be used: a code for the caller to act on, beside the message for people, so
// that nothing downstream has to match on message text.

namespace waymark::importers {

enum class ReadProblem {
    none,
    malformed, ///< CSV: a quoting error (an unterminated quote, text after a closing one…)
    encoding,  ///< bytes that are not valid in the file's encoding
    too_long,  ///< longer than the reader's limit; not held in memory
};

} // namespace waymark::importers
