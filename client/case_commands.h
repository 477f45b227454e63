// The `odr case ...` commands: flags, requests built from them, and output.
#ifndef ODR_CLIENT_CASE_COMMANDS_H_
#define ODR_CLIENT_CASE_COMMANDS_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "client/cli_session.h"

namespace odr::cli {

// Adds `case` and its verbs to `app`. The returned commands read `globals` (which must outlive
// them) only when run, that is after parsing and ResolveGlobals(). Not thread-safe; meant for
// main().
std::vector<Command> AddCaseCommands(CLI::App* app, const GlobalFlags* globals);

}  // namespace odr::cli

#endif  // ODR_CLIENT_CASE_COMMANDS_H_
