// The `odr auth ...` commands (login, whoami, logout: the token in the profile) and
// `odr audit list` (the access log, for platform admins).
#ifndef ODR_CLIENT_AUTH_COMMANDS_H_
#define ODR_CLIENT_AUTH_COMMANDS_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"

namespace odr::cli {

// Adds `auth` and `audit` and their verbs to `app`, as AddCaseCommands does `case`.
std::vector<Command> AddAuthCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_AUTH_COMMANDS_H_
