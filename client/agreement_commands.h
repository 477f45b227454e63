// The settlement agreement commands: `odr agreement ...` (drafting, revising, signing, rendering
// and payments of a case's agreement) and `odr offer ...` (privileged offers made during
// mediation) (odr.v1.AgreementService).
#ifndef ODR_CLIENT_AGREEMENT_COMMANDS_H_
#define ODR_CLIENT_AGREEMENT_COMMANDS_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"

namespace odr::cli {

// Adds `agreement` and `offer` and their verbs to `app`, as AddCaseCommands does `case`.
std::vector<Command> AddAgreementCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_AGREEMENT_COMMANDS_H_
