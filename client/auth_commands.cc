#include "client/auth_commands.h"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli_input.h"
#include "client/cli_output.h"

namespace odr::cli {
namespace auth_commands_impl {

constexpr char kProfileHelp[] = R"(
The token is kept in a profile of $XDG_CONFIG_HOME/odr/config.json (else
  ~/.config/odr/config.json; readable by you only), with the server (and --tls-ca) it was issued
  through, so that later commands need no flags. --profile NAME (or ODR_PROFILE) picks another
  profile, e.g. one per account or server. ODR_TOKEN, if set, is sent instead of the profile's
  token. odr never prints tokens or API keys.
)";

std::string LocalTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%S%Ez", t, absl::LocalTimeZone());
}

// A failure on this side (the profile file): `error: ...`, exit 1.
int LocalError(absl::string_view message) {
  std::cerr << "error: " << message << "\n";
  return kExitFailure;
}

// Reads an API key that a terminal user types, without echoing it.
std::string PromptForKey(const std::string& principal) {
  std::cerr << "API key for " << principal << ": " << std::flush;
  termios old{};
  const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string key;
  std::getline(std::cin, key);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return key;
}

// The API key from --api-key-file or stdin, without surrounding whitespace. INVALID_ARGUMENT if
// unreadable, empty, or not one word (never quoting the content).
absl::StatusOr<std::string> ReadApiKey(const std::string& file, bool from_stdin,
                                       const std::string& principal) {
  std::string text;
  if (from_stdin) {
    if (isatty(STDIN_FILENO)) {
      text = PromptForKey(principal);
    } else {
      std::ostringstream buf;
      buf << std::cin.rdbuf();
      text = buf.str();
    }
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("--api-key-file: cannot read ", file));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const char* source = from_stdin ? "stdin" : "--api-key-file";
  std::string key(absl::StripAsciiWhitespace(text));
  if (key.empty())
    return absl::InvalidArgumentError(absl::StrCat(source, ": the API key is empty"));
  for (char c : key) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": expected the API key alone, on one line"));
    }
  }
  return key;
}

void AddLogin(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string principal, key_file;
    bool key_stdin = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "login", "Exchange a principal's API key for a token, and keep the token in the profile");
  cmd->add_option("--principal", f->principal, "who you are: principals/ID or just ID")
      ->type_name("PRINCIPAL")
      ->required();
  CLI::Option* file = cmd->add_option("--api-key-file", f->key_file,
                                      "read the API key from this file (as odrd admin wrote it)")
                          ->type_name("FILE");
  CLI::Option* in = cmd->add_flag("--api-key-stdin", f->key_stdin,
                                  "read the API key from stdin (prompting on a terminal)");
  file->excludes(in);
  cmd->footer(absl::StrCat(R"(
API keys come from 'odrd admin create-principal' or 'odrd admin issue-key'; ./tools/run
  writes development keys to var/dev-keys/ (e.g. dev-admin.key). Keep them out of command lines.
A wrong principal or key exits with 4. Tokens expire (odrd's --token-ttl, 1 hour by default):
  log in again then.
)",
                           kProfileHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    if (f->key_file.empty() && !f->key_stdin) {
                      return UsageError(cmd,
                                        "give the API key with --api-key-file FILE or "
                                        "--api-key-stdin");
                    }
                    const GlobalFlags::Resolved& r = g->resolved;
                    if (!r.config) return LocalError(r.config_error.message());
                    const std::string principal = ResourceName("principals", f->principal);
                    absl::StatusOr<std::string> key =
                        ReadApiKey(f->key_file, f->key_stdin, principal);
                    if (!key.ok()) return UsageError(cmd, key.status().message());

                    Session s(*g);
                    v1::CreateTokenRequest req;
                    req.set_principal(principal);
                    req.set_api_key(*key);
                    absl::StatusOr<v1::CreateTokenResponse> resp = s.auth().CreateToken(req);
                    if (!resp.ok()) return s.Fail(resp.status(), "", /*login=*/true);

                    Profile p = r.profile;
                    p.server = r.client.server;
                    p.tls_ca = r.tls_ca_path;
                    p.tls = r.tls_explicit;
                    p.principal =
                        resp->principal().name().empty() ? principal : resp->principal().name();
                    p.token = resp->access_token();
                    p.token_expire_time.reset();
                    if (resp->has_expire_time()) {
                      p.token_expire_time = absl::FromUnixSeconds(resp->expire_time().seconds()) +
                                            absl::Nanoseconds(resp->expire_time().nanos());
                    }
                    Config config = *r.config;
                    config.Set(g->profile, p);
                    if (absl::Status saved = config.Save(); !saved.ok()) {
                      return LocalError(
                          absl::StrCat("logged in, but cannot keep the token: ", saved.message()));
                    }
                    if (r.token_source == "ODR_TOKEN") {
                      std::cerr << "note: ODR_TOKEN is set, and is sent instead of the token "
                                   "just saved; unset it to use the profile\n";
                    }
                    v1::CreateTokenResponse shown = *std::move(resp);
                    shown.clear_access_token();  // a secret: never printed
                    std::vector<std::pair<std::string, std::string>> extra = {
                        {"Server", p.server},
                        {"Token expires",
                         p.token_expire_time ? LocalTime(*p.token_expire_time) : std::string("-")},
                        {"Profile", absl::StrCat(g->profile, " (", config.path(), ")")},
                    };
                    return s.Emit(shown, {shown.principal().name()}, "",
                                  [extra](const v1::CreateTokenResponse& t, std::ostream& o) {
                                    o << "Logged in.\n";
                                    PrintPrincipalTable(t.principal(), o, extra);
                                  });
                  }});
}

void AddWhoami(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  CLI::App* cmd = parent->add_subcommand(
      "whoami", "Show who odrd takes you for: name, role, organization or court, partner app");
  cmd->footer(absl::StrCat(R"(
With --on-behalf-of (partner apps), the citizen acted for, with the partner under "Acting
  through".
)",
                           kProfileHelp, cmd->get_footer()));
  out->push_back(
      {cmd, [g]() -> int {
         Session s(*g);
         absl::StatusOr<v1::Principal> p = s.auth().GetCaller(v1::GetCallerRequest());
         if (!p.ok()) return s.Fail(p.status());
         const GlobalFlags::Resolved& r = g->resolved;
         std::vector<std::pair<std::string, std::string>> extra = {{"Server", r.client.server}};
         if (r.token_source == "ODR_TOKEN") {
           extra.push_back({"Token", "from ODR_TOKEN"});
         } else if (r.token_source == "profile") {
           if (r.profile.token_expire_time) {
             extra.push_back({"Token expires", LocalTime(*r.profile.token_expire_time)});
           }
           extra.push_back({"Profile", g->profile});
         } else if (!r.client.tls_cert_chain_pem.empty()) {
           extra.push_back({"Credential", "client certificate (--tls-cert)"});
         }
         return s.Emit(*p, {p->name()}, "", [extra](const v1::Principal& who, std::ostream& o) {
           PrintPrincipalTable(who, o, extra);
         });
       }});
}

void AddLogout(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  CLI::App* cmd =
      parent->add_subcommand("logout", "Remove the token from the profile (odrd is not called)");
  cmd->footer(absl::StrCat(kProfileHelp, cmd->get_footer()));
  out->push_back({cmd, [g]() -> int {
                    const GlobalFlags::Resolved& r = g->resolved;
                    if (!r.config) return LocalError(r.config_error.message());
                    std::optional<Profile> p = r.config->Get(g->profile);
                    if (!p || p->token.empty()) {
                      std::cerr << "profile '" << g->profile << "' holds no token\n";
                    } else {
                      p->token.clear();
                      p->token_expire_time.reset();
                      Config config = *r.config;
                      config.Set(g->profile, *p);
                      if (absl::Status saved = config.Save(); !saved.ok()) {
                        return LocalError(saved.message());
                      }
                      std::cerr << "Logged out: removed the token from profile '" << g->profile
                                << "' (" << config.path() << ")\n";
                    }
                    if (r.token_source == "ODR_TOKEN") {
                      std::cerr << "note: ODR_TOKEN is still set, and is still sent\n";
                    }
                    return kExitOk;
                  }});
}

void AddAuditList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string principal, resource;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "list", "List accesses to personal data, newest first (platform admins only)");
  cmd->add_option("--principal", f->principal, "only this principal's: principals/ID or just ID")
      ->type_name("PRINCIPAL");
  cmd->add_option("--resource", f->resource, "only accesses to this resource, e.g. cases/ID")
      ->type_name("NAME");
  f->page.Add(cmd, "records", 100, 1000);
  cmd->footer(absl::StrCat(R"(
Each record: who (PRINCIPAL; VIA is the partner app that acted for them), which call (METHOD),
  what (RESOURCE), and whether it read or changed it (ACTION).
--page-token only works with the same --principal and --resource as the list that gave it.
)",
                           cmd->get_footer()));
  out->push_back(
      {cmd, [f, g]() -> int {
         v1::ListAccessRecordsRequest req;
         req.set_principal(ResourceName("principals", f->principal));
         req.set_resource(f->resource);
         Session s(*g);
         return ListAndPrint(
             s, req, f->page, [&](const auto& r) { return s.audit().ListAccessRecords(r); },
             [](v1::ListAccessRecordsResponse* r) { return r->mutable_access_records(); });
       }});
}

}  // namespace auth_commands_impl

std::vector<Command> AddAuthCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace auth_commands_impl;
  std::vector<Command> out;
  CLI::App* auth = app->add_subcommand("auth", "Log in and out, and show who you are");
  AddLogin(auth, globals, &out);
  AddWhoami(auth, globals, &out);
  AddLogout(auth, globals, &out);
  CLI::App* audit =
      app->add_subcommand("audit", "The access log of personal data (platform admins)");
  AddAuditList(audit, globals, &out);
  return out;
}

}  // namespace odr::cli
