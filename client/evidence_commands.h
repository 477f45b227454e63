// The `odr evidence ...` commands: resumable uploads with a progress bar, downloads checked
// against the record's SHA-256, proofs of the evidence log, and offline verification
// (odr.v1.EvidenceService; client/verify.h).
#ifndef ODR_CLIENT_EVIDENCE_COMMANDS_H_
#define ODR_CLIENT_EVIDENCE_COMMANDS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/string_view.h"
#include "client/cli_session.h"

namespace odr::cli {

// The name `odr evidence download` writes evidence under when no -f is given: `file_name` (the
// name the uploader chose) made safe to create in the current directory. odrd refuses unsafe names
// at upload (domain::CheckEvidenceFileName), but records made before that rule may hold them, so
// this transforms instead of refusing:
//   - only what follows the last '/' or '\\' is kept;
//   - every control or bidirectional formatting character (domain::IsControlOrBidiCodePoint) and
//     every byte that is not UTF-8 becomes '_';
//   - a name that starts with '.' or '-' gets a '_' in front (".bashrc" -> "_.bashrc",
//     "-rf" -> "_-rf");
//   - a name longer than 200 bytes is cut at a character boundary, keeping an extension of up to
//     16 bytes (file systems take 255 bytes, and odr adds ".part" while downloading);
//   - an empty or blank result becomes `fallback` (the evidence id) made safe the same way, or
//     "evidence".
std::string SafeDownloadName(absl::string_view file_name, absl::string_view fallback);

// Adds `evidence` and its verbs to `app`, as AddCaseCommands does `case`.
std::vector<Command> AddEvidenceCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_EVIDENCE_COMMANDS_H_
