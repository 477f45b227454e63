// What every odr command shares: the global flags, the settings resolved from them, the
// environment and the profile, and a Session that connects to odrd and prints results and errors.
// Not thread-safe; meant for main() and the commands it runs.
#ifndef ODR_CLIENT_CLI_SESSION_H_
#define ODR_CLIENT_CLI_SESSION_H_

#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "client/case_client.h"
#include "client/cli_config.h"
#include "client/cli_output.h"

namespace odr::cli {

// odrd's address when neither --server, ODR_SERVER nor the profile gives one.
inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

// Flags that every command accepts (they are defined on the top-level app and fall through),
// and what ResolveGlobals() makes of them.
struct GlobalFlags {
  // As parsed (from the flag or its environment variable). `*_given`: the flag or the variable
  // was set (main() fills these in after parsing).
  std::string server;
  bool server_given = false;
  // "table", "json", "name", or empty: table when stdout is a terminal, json otherwise.
  std::string output;
  // Deadline of each call to odrd, in seconds.
  double timeout_seconds = 10;
  std::string profile = "default";
  // principals/{citizen} (or a bare id), for partner apps; empty: not sent.
  std::string on_behalf_of;
  bool tls = false;
  std::string tls_ca;
  bool tls_ca_given = false;
  std::string tls_cert;
  std::string tls_key;

  // Filled in by ResolveGlobals().
  struct Resolved {
    // The config file, if it could be located and read; else why not.
    std::optional<Config> config;
    absl::Status config_error;
    // The selected profile's settings as stored (empty if it has none).
    Profile profile;
    // Where the token came from: "ODR_TOKEN", "profile", or empty (none sent).
    std::string token_source;
    // The profile holds a token, but for another server, so it is not sent.
    bool profile_token_for_other_server = false;
    // The CA bundle in use, absolute; empty for the system's roots or plaintext.
    std::string tls_ca_path;
    // TLS was asked for explicitly (--tls, or the profile), beyond a CA or a client certificate.
    bool tls_explicit = false;
    client::ClientOptions client;
  } resolved;
};

// Works out the connection settings: flags and environment variables win over the profile, the
// profile over the defaults. The token is ODR_TOKEN if set, else the profile's (only when the
// profile was logged in to the same server). TLS: --tls-ca or the profile's CA, --tls, a client
// certificate, or a server that is not loopback; plaintext otherwise. Reads the config file and
// the PEM files. INVALID_ARGUMENT for bad flags (a usage error); FAILED_PRECONDITION for a config
// file that cannot be read.
absl::Status ResolveGlobals(GlobalFlags* g);

// A leaf command and what to do when the command line selects it. `run` returns the exit code.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};

// "odr case create" for the app of that command.
std::string CommandPath(const CLI::App* app);

// Prints `error: <message>` and a pointer to the command's --help on stderr; returns 2.
int UsageError(const CLI::App* app, absl::string_view message);

// The connection and output settings of one run.
class Session {
 public:
  // `g` must have been resolved, and must outlive the session.
  explicit Session(const GlobalFlags& g);

  const client::CaseClient& cases() const { return cases_; }
  const client::RosterClient& roster() const { return roster_; }
  const client::AuthClient& auth() const { return auth_; }
  const client::AuditClient& audit() const { return audit_; }
  const client::EvidenceClient& evidence() const { return evidence_; }
  const client::AppointmentClient& appointments() const { return appointments_; }
  const client::DeadlineClient& deadlines() const { return deadlines_; }
  const client::AgreementClient& agreements() const { return agreements_; }
  const client::ConfirmationClient& confirmations() const { return confirmations_; }
  const client::CourtClient& courts() const { return courts_; }
  const client::StatsClient& stats() const { return stats_; }
  const GlobalFlags& globals() const { return globals_; }

  // Prints a message as -o asks.
  int Print(const v1::Case& c) const;
  int Print(const v1::ListCasesResponse& r) const;
  int Print(const v1::ListCaseEventsResponse& r) const;
  int Print(const v1::ListAccessRecordsResponse& r) const;
  int Print(const v1::RecommendMediatorsResponse& r) const;
  int Print(const v1::Organization& o) const;
  int Print(const v1::ListOrganizationsResponse& r) const;
  int Print(const v1::Mediator& m) const;
  int Print(const v1::ListMediatorsResponse& r) const;
  int Print(const v1::Pool& p) const;
  int Print(const v1::ListPoolsResponse& r) const;
  int Print(const v1::Evidence& e) const;
  int Print(const v1::ListEvidenceResponse& r) const;
  int Print(const v1::MediatorAvailability& a) const;
  // -o name: "START END" (RFC 3339, China time) one slot a line.
  int Print(const v1::FindSlotsResponse& r) const;
  int Print(const v1::Appointment& a) const;
  int Print(const v1::ListAppointmentsResponse& r) const;
  int Print(const v1::Deadline& d) const;
  int Print(const v1::ListDeadlinesResponse& r) const;
  int Print(const v1::Agreement& a) const;
  int Print(const v1::ListAgreementsResponse& r) const;
  int Print(const v1::Offer& o) const;
  int Print(const v1::ListOffersResponse& r) const;
  int Print(const v1::ProcedureRecord& r) const;
  int Print(const v1::ListProcedureRecordsResponse& r) const;
  int Print(const v1::Confirmation& c) const;
  int Print(const v1::ListConfirmationsResponse& r) const;
  // -o name: the competent courts' names.
  int Print(const v1::PrecheckConfirmationResponse& r) const;
  // -o name: the confirmation's name.
  int Print(const v1::CourtBundle& b) const;
  int Print(const v1::ListDivertedCasesResponse& r) const;
  int Print(const v1::ListReferralsResponse& r) const;
  // -o name: the intake's name.
  int Print(const v1::Intake& i) const;
  // One event of a watch, at once (flushed): -o json one line of JSON, -o name the event's name,
  // else FormatWatchEvent(r, with_case).
  void PrintWatchEvent(const v1::WatchCaseEventsResponse& r, bool with_case) const;
  // -o json (or not a terminal): the message as JSON; otherwise `text` (through TerminalText,
  // line breaks kept).
  int PrintJsonOr(const google::protobuf::Message& m, absl::string_view text) const;

  // -o name: `names` one a line on stdout (for scripts), and on stderr a hint if a page follows,
  // so that a truncated list never passes silently. -o json: protobuf JSON. Else `table`.
  template <typename M>
  int Emit(const M& message, const std::vector<std::string>& names,
           const std::string& next_page_token,
           const std::type_identity_t<std::function<void(const M&, std::ostream&)>>& table) const {
    if (mode_ == Mode::kName) {
      for (const std::string& n : names) std::cout << n << "\n";
      if (!next_page_token.empty()) {
        std::cerr << "More: repeat the command with --page-token " << next_page_token
                  << " (or with --all)\n";
      }
    } else if (mode_ == Mode::kJson) {
      PrintJson(message, std::cout);
    } else {
      table(message, std::cout);
    }
    return kExitOk;
  }

  // Reports a failed call; `generated_request_id` is the request_id odr made up, if any. With
  // `login`, UNAUTHENTICATED means that odrd refused the API key.
  int Fail(const absl::Status& status, std::string generated_request_id = "",
           bool login = false) const;
  // As Fail, then odrd's reason code (e.g. CONTENT_CHANGED, SLOT_CONFLICT) on a line of its own
  // for FAILED_PRECONDITION, ABORTED and ALREADY_EXISTS when odrd's message does not say it.
  int FailWithReason(const absl::Status& status, std::string generated_request_id = "") const;

 private:
  enum class Mode { kTable, kJson, kName };

  const GlobalFlags& globals_;
  const absl::Duration timeout_;
  const Mode mode_;
  const std::shared_ptr<grpc::Channel> channel_;
  const client::CaseClient cases_;
  const client::RosterClient roster_;
  const client::AuthClient auth_;
  const client::AuditClient audit_;
  const client::EvidenceClient evidence_;
  const client::AppointmentClient appointments_;
  const client::DeadlineClient deadlines_;
  const client::AgreementClient agreements_;
  const client::ConfirmationClient confirmations_;
  const client::CourtClient courts_;
  const client::StatsClient stats_;
};

// How Send and SendMutation report a failed call: `s.Fail(status, generated_request_id)` when
// empty, else this (e.g. with lines of its own after Session::FailWithReason).
using FailFn = std::function<int(const Session& s, const absl::Status& status,
                                 const std::string& generated_request_id)>;

// Session::FailWithReason as a FailFn: Send(..., req, WithReason).
inline int WithReason(const Session& s, const absl::Status& status,
                      const std::string& generated_request_id) {
  return s.FailWithReason(status, generated_request_id);
}

// Sends `req` through one of the session's clients and a method of it, e.g.
//   Send(g, &Session::agreements, &client::AgreementClient::GetAgreement, req);
// and prints the answer as -o asks (Session::Print), or reports the failure through `fail`.
// Returns the exit code.
template <typename Client, typename Method, typename Req>
int Send(const GlobalFlags& g, const Client& (Session::*get_client)() const, Method method,
         const Req& req, const FailFn& fail = nullptr) {
  Session s(g);
  auto r = ((s.*get_client)().*method)(req);
  if (r.ok()) return s.Print(*r);
  return fail ? fail(s, r.status(), "") : s.Fail(r.status());
}

// What --request-id means, for the footer of commands that take it.
inline constexpr char kRequestIdHelp[] = R"(
--request-id: an idempotency key, 1-64 of A-Z a-z 0-9 _ -. Repeating a call with the same key
  returns the first answer instead of acting twice. Without it odr makes up a random key, so
  that its own retries are safe; when the outcome is unknown (odrd unreachable or too slow) it
  prints that key so that you can repeat the command with it.
)";

// Adds --request-id (see kRequestIdHelp) to `cmd`, stored in *value.
CLI::Option* AddRequestIdFlag(CLI::App* cmd, std::string* value);

// Send for a mutation with an idempotency key: sets req's request_id to `request_id_flag`, or to
// a new random key that a failure report prints when the outcome is unknown, so that the command
// can be repeated safely with --request-id.
template <typename Client, typename Method, typename Req>
int SendMutation(const GlobalFlags& g, const std::string& request_id_flag, Req req,
                 const Client& (Session::*get_client)() const, Method method,
                 const FailFn& fail = nullptr) {
  std::string generated;
  if (request_id_flag.empty()) generated = client::NewRequestId();
  req.set_request_id(request_id_flag.empty() ? generated : request_id_flag);
  Session s(g);
  auto r = ((s.*get_client)().*method)(req);
  if (r.ok()) return s.Print(*r);
  return fail ? fail(s, r.status(), generated) : s.Fail(r.status(), generated);
}

// Reads a message in protobuf JSON from `path` ('-': stdin) into *message; unknown fields are
// errors. Returns the top-level keys the file has (as written: jsonName or field_name), so that
// a command can tell which fields were given. INVALID_ARGUMENT naming `flag` if the file cannot
// be read or is not such a message.
absl::StatusOr<std::set<std::string>> LoadJsonFile(const std::string& path,
                                                   google::protobuf::Message* message,
                                                   absl::string_view flag = "--file");

// Writes `content` to `path` through `path`.part and a rename, so that `path` is never half
// written. INTERNAL naming the file on failure.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view content);

// --page-size, --page-token and --all of a list command.
struct PageFlags {
  int page_size = 0;
  std::string page_token;
  bool all = false;

  void Add(CLI::App* cmd, const std::string& what, int default_size, int max_size) {
    cmd->add_option("--page-size", page_size,
                    absl::StrCat(what, " per page; 0: ", default_size, "; at most ", max_size))
        ->type_name("N")
        ->check(CLI::Range(0, std::numeric_limits<int32_t>::max()));
    cmd->add_option("--page-token", page_token, "the next page of an earlier list")
        ->type_name("TOKEN");
    cmd->add_flag("--all", all, "fetch every page and print one list");
  }
};

// Fetches one page, or with --all every page, through `call` (the request -> StatusOr of the
// response) and prints them as one response; `items` gives a response's repeated field.
template <typename Request, typename Call, typename Items>
inline int ListAndPrint(const Session& s, Request req, const PageFlags& page, Call call,
                        Items items) {
  req.set_page_size(page.page_size);
  req.set_page_token(page.page_token);
  using Response = std::remove_cvref_t<decltype(*call(req))>;
  Response all;
  while (true) {
    absl::StatusOr<Response> r = call(req);
    if (!r.ok()) return s.Fail(r.status());
    for (auto& item : *items(&*r)) *items(&all)->Add() = std::move(item);
    all.set_next_page_token(r->next_page_token());
    if (!page.all || r->next_page_token().empty() || r->next_page_token() == req.page_token()) {
      break;
    }
    req.set_page_token(r->next_page_token());
  }
  if (page.all) all.clear_next_page_token();
  return s.Print(all);
}

}  // namespace odr::cli

#endif  // ODR_CLIENT_CLI_SESSION_H_
