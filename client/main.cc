// odr: the mediator's command line for odrd.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "client/case_commands.h"
#include "client/cli_output.h"

namespace {

constexpr char kFooter[] = R"(
Global flags (--server, -o, --timeout, --actor) work before or after the command.
Output: -o table on a terminal, -o json (the protobuf JSON of odrd's response) otherwise;
  -o name prints only resource names (cases/...), one a line, for scripts.
Environment: ODR_SERVER, ODR_OUTPUT, ODR_TIMEOUT and ODR_ACTOR give defaults for the flags.
Exit codes:
  0  success
  1  odrd refused or failed the request, or could not be reached in time
  2  usage error: unknown flag, missing argument, malformed spec or amount (nothing was sent)
  3  not found
  4  not authenticated (reserved: odrd does not authenticate callers yet))";

// The deepest command that the command line selected, for error messages.
const CLI::App* Selected(const CLI::App* app) {
  for (;;) {
    std::vector<CLI::App*> subs = app->get_subcommands();
    if (subs.empty()) return app;
    app = subs.front();
  }
}

// Characters odrd accepts in x-odr-actor; anything else would be recorded as "anonymous".
bool ValidActor(const std::string& actor) {
  if (actor.size() > 64) return false;
  for (char c : actor) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '@' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using odr::cli::kExitOk;
  using odr::cli::kExitUsage;

  CLI::App app{"odr: the mediator's command line for odrd, the online dispute resolution service",
               "odr"};
  app.footer(kFooter);
  app.fallthrough();
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return std::string("error: ") + e.what() + "\nRun '" + odr::cli::CommandPath(Selected(a)) +
           " --help' for usage.\n";
  });

  odr::cli::GlobalFlags globals;
  app.add_option("--server", globals.server, "odrd's address, host:port")
      ->envname("ODR_SERVER")
      ->capture_default_str();
  app.add_option("-o,--output", globals.output,
                 "table, json or name (resource names only, one a line); default: table on a "
                 "terminal, json otherwise")
      ->envname("ODR_OUTPUT")
      ->check(CLI::IsMember({"table", "json", "name"}));
  app.add_option("--timeout", globals.timeout_seconds, "seconds to wait for odrd on each call")
      ->envname("ODR_TIMEOUT")
      ->type_name("SECONDS")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0' || !(v > 0 && v <= 86400)) {
              return "must be a number of seconds above 0 (and at most 86400)";
            }
            return "";
          },
          "", ""))
      ->capture_default_str();
  app.add_option("--actor", globals.actor,
                 "who you are, recorded in case timelines (1-64 of A-Z a-z 0-9 . _ - @ :)")
      ->envname("ODR_ACTOR");

  CLI::App* help = app.add_subcommand("help", "Show this help, with the exit codes");
  std::vector<odr::cli::Command> commands = odr::cli::AddCaseCommands(&app, &globals);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; every parse failure is a usage error.
    return app.exit(e) == static_cast<int>(CLI::ExitCodes::Success) ? kExitOk : kExitUsage;
  }
  if (help->parsed()) {
    // app.help() would describe the selected subcommand (`help` itself); format the top level.
    std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return kExitOk;
  }
  if (globals.server.empty()) return odr::cli::UsageError(&app, "--server is empty");
  if (!ValidActor(globals.actor)) {
    return odr::cli::UsageError(&app, "--actor must be 1-64 of A-Z a-z 0-9 . _ - @ :");
  }
  for (const odr::cli::Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  // `odr` or `odr case` alone. (CLI11's require_subcommand would also reject unknown commands,
  // but with a less helpful message than its own "argument was not expected: frob".)
  return odr::cli::UsageError(Selected(&app), "a command is required; --help lists them");
}
