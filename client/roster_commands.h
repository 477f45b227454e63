// The `odr org ...`, `odr mediator ...` and `odr pool ...` commands: mediation organizations,
// their rosters of mediators, and pools of mediators (odr.v1.RosterService).
#ifndef ODR_CLIENT_ROSTER_COMMANDS_H_
#define ODR_CLIENT_ROSTER_COMMANDS_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"

namespace odr::cli {

// Adds `org`, `mediator` and `pool` and their verbs to `app`, as AddCaseCommands does `case`.
std::vector<Command> AddRosterCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_ROSTER_COMMANDS_H_
