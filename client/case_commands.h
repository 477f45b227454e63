// The `odr case ...` commands: flags, requests built from them, and output.
#ifndef ODR_CLIENT_CASE_COMMANDS_H_
#define ODR_CLIENT_CASE_COMMANDS_H_

#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/string_view.h"

namespace odr::cli {

// Flags that every command accepts (they are defined on the top-level app and fall through).
struct GlobalFlags {
  // odrd's address, host:port.
  std::string server = "127.0.0.1:50051";
  // "table", "json", or empty: table when stdout is a terminal, json otherwise.
  std::string output;
  // Deadline of each call to odrd, in seconds.
  double timeout_seconds = 10;
  // Sent as x-odr-actor; empty: not sent.
  std::string actor;
};

// A leaf command and what to do when the command line selects it. `run` returns the exit code.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

// Adds `case` and its verbs to `app`. The returned commands read `globals` (which must outlive
// them) only when run, that is after parsing. Not thread-safe; meant for main().
std::vector<Command> AddCaseCommands(CLI::App* app, const GlobalFlags* globals);

// "odr case create" for the app of that command.
std::string CommandPath(const CLI::App* app);

// Prints `error: <message>` and a pointer to the command's --help on stderr; returns 2.
int UsageError(const CLI::App* app, absl::string_view message);

}  // namespace odr::cli

#endif  // ODR_CLIENT_CASE_COMMANDS_H_
