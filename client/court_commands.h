// The judicial confirmation and court commands: `odr confirmation ...` (the parties' joint
// application, its pre-check, the court bundle, and the court's acceptance, refusal, requests for
// materials and ruling) and `odr court ...` (diverting disputes or entrusting filed suits to
// mediation, following them, the referrals of failed mediations and the conclusion of settled
// post-filing suits) (odr.v1.ConfirmationService and CourtService).
#ifndef ODR_CLIENT_COURT_COMMANDS_H_
#define ODR_CLIENT_COURT_COMMANDS_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"

namespace odr::cli {

// Adds `confirmation` and `court` and their verbs to `app`, as AddCaseCommands does `case`.
std::vector<Command> AddCourtCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_COURT_COMMANDS_H_
