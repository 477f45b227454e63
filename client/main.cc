// odr: the mediator's command line for odrd.
#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "client/agreement_commands.h"
#include "client/auth_commands.h"
#include "client/case_commands.h"
#include "client/cli_output.h"
#include "client/cli_session.h"
#include "client/court_commands.h"
#include "client/evidence_commands.h"
#include "client/roster_commands.h"
#include "client/schedule_commands.h"
#include "client/stats_commands.h"

namespace {

constexpr char kFooter[] = R"(
Global flags (--server, -o, --timeout, --profile, --on-behalf-of, --tls...) work before or after
  the command.
Output: -o table on a terminal, -o json (the protobuf JSON of odrd's response) otherwise;
  -o name prints only resource names (cases/...), one a line, for scripts.
Authentication: 'odr auth login --principal principals/ID --api-key-file FILE' keeps a token in
  the profile ($XDG_CONFIG_HOME/odr/config.json, else ~/.config/odr/config.json), together with
  the server and --tls-ca it was given, so later commands need neither. Every call sends the
  token as 'authorization: Bearer ...'. A partner app adds --on-behalf-of principals/CITIZEN.
TLS: plaintext to a loopback server (127.x, ::1, localhost: odrd's development mode), TLS with
  the system's roots otherwise; --tls-ca FILE trusts that CA instead, --tls forces TLS, and
  --tls-cert/--tls-key present a client certificate (mutual TLS, e.g. for court systems).
Environment: ODR_SERVER, ODR_OUTPUT, ODR_TIMEOUT, ODR_PROFILE, ODR_ON_BEHALF_OF, ODR_TLS_CA,
  ODR_CLIENT_CERT and ODR_CLIENT_KEY give defaults for the flags; they and the flags win over the
  profile. ODR_TOKEN, if set, is the token to send (instead of the profile's).
Exit codes:
  0  success
  1  odrd refused or failed the request (e.g. not allowed for your role, or rate-limited), or
     could not be reached in time; or the profile file cannot be read or written
  2  usage error: unknown flag, missing argument, malformed spec or amount (nothing was sent)
  3  not found (also a case you may not see: odrd does not tell whether it exists)
  4  not authenticated: not logged in, the token expired or was refused, or a wrong principal
     or API key on 'odr auth login')";

// The deepest command that the command line selected, for error messages.
const CLI::App* Selected(const CLI::App* app) {
  for (;;) {
    std::vector<CLI::App*> subs = app->get_subcommands();
    if (subs.empty()) return app;
    app = subs.front();
  }
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
  CLI::Option* server =
      app.add_option("--server", globals.server,
                     "odrd's address, host:port (default: the profile's, else 127.0.0.1:50051)")
          ->envname("ODR_SERVER");
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
  app.add_option("--profile", globals.profile,
                 "the profile that keeps the token, server and CA (odr auth login)")
      ->envname("ODR_PROFILE")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--on-behalf-of", globals.on_behalf_of,
                 "partner apps: the citizen you act for, principals/ID")
      ->envname("ODR_ON_BEHALF_OF")
      ->type_name("PRINCIPAL");
  CLI::Option* tls_ca =
      app.add_option("--tls-ca", globals.tls_ca, "TLS, trusting this PEM CA bundle for odrd")
          ->envname("ODR_TLS_CA")
          ->type_name("FILE");
  app.add_flag("--tls", globals.tls, "TLS with the system's roots, even to a loopback address");
  CLI::Option* tls_cert =
      app.add_option("--tls-cert", globals.tls_cert,
                     "PEM client certificate (chain) for mutual TLS; needs --tls-key")
          ->envname("ODR_CLIENT_CERT")
          ->type_name("FILE");
  CLI::Option* tls_key =
      app.add_option("--tls-key", globals.tls_key, "PEM private key of --tls-cert")
          ->envname("ODR_CLIENT_KEY")
          ->type_name("FILE");
  tls_cert->needs(tls_key);
  tls_key->needs(tls_cert);

  CLI::App* help = app.add_subcommand("help", "Show this help, with the exit codes");
  std::vector<odr::cli::Command> commands = odr::cli::AddCaseCommands(&app, &globals);
  for (odr::cli::Command& c : odr::cli::AddRosterCommands(&app, &globals)) {
    commands.push_back(std::move(c));
  }
  for (odr::cli::Command& c : odr::cli::AddAuthCommands(&app, &globals)) {
    commands.push_back(std::move(c));
  }
  for (odr::cli::Command& c : odr::cli::AddEvidenceCommands(&app, &globals)) {
    commands.push_back(std::move(c));
  }
  for (odr::cli::Command& c : odr::cli::AddScheduleCommands(&app, &globals)) {
    commands.push_back(std::move(c));
  }
  for (odr::cli::Command& c : odr::cli::AddAgreementCommands(&app, &globals)) {
    commands.push_back(std::move(c));
  }
  for (odr::cli::Command& c : odr::cli::AddCourtCommands(&app, &globals)) {
    commands.push_back(std::move(c));
  }
  for (odr::cli::Command& c : odr::cli::AddStatsCommands(&app, &globals)) {
    commands.push_back(std::move(c));
  }

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
  const odr::cli::Command* selected = nullptr;
  for (const odr::cli::Command& command : commands) {
    if (command.app->parsed()) selected = &command;
  }
  if (selected == nullptr) {
    // `odr` or `odr case` alone. (CLI11's require_subcommand would also reject unknown commands,
    // but with a less helpful message than its own "argument was not expected: frob".)
    return odr::cli::UsageError(Selected(&app), "a command is required; --help lists them");
  }
  globals.server_given = server->count() > 0;
  globals.tls_ca_given = tls_ca->count() > 0;
  if (absl::Status s = odr::cli::ResolveGlobals(&globals); !s.ok()) {
    if (s.code() == absl::StatusCode::kInvalidArgument) {
      return odr::cli::UsageError(selected->app, s.message());
    }
    std::cerr << "error: " << s.message() << "\n";
    return odr::cli::kExitFailure;
  }
  return selected->run();
}
