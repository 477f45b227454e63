// The `odr evidence ...` commands: resumable uploads with a progress bar, downloads checked
// against the record's SHA-256, proofs of the evidence log, and offline verification
// (odr.v1.EvidenceService; client/verify.h).
#ifndef ODR_CLIENT_EVIDENCE_COMMANDS_H_
#define ODR_CLIENT_EVIDENCE_COMMANDS_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"

namespace odr::cli {

// Adds `evidence` and its verbs to `app`, as AddCaseCommands does `case`.
std::vector<Command> AddEvidenceCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_EVIDENCE_COMMANDS_H_
