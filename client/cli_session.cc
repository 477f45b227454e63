#include "client/cli_session.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli_input.h"

namespace odr::cli {
namespace {

// The contents of a PEM file named by `flag`; INVALID_ARGUMENT if unreadable or not PEM.
absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is not a PEM file"));
  }
  return pem;
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

absl::Status ResolveGlobals(GlobalFlags* g) {
  GlobalFlags::Resolved& r = g->resolved;
  if (!ValidProfileName(g->profile)) {
    return absl::InvalidArgumentError("--profile must be 1-64 of A-Z a-z 0-9 . _ -");
  }
  if (g->server_given && g->server.empty()) return absl::InvalidArgumentError("--server is empty");
  if (g->tls_ca_given && g->tls_ca.empty()) return absl::InvalidArgumentError("--tls-ca is empty");

  absl::StatusOr<std::string> path =
      ConfigFilePath(std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"));
  if (path.ok()) {
    absl::StatusOr<Config> config = Config::Load(*path);
    if (!config.ok()) return config.status();
    r.config = std::move(*config);
    if (std::optional<Profile> p = r.config->Get(g->profile)) r.profile = *std::move(p);
  } else {
    r.config_error = path.status();
  }

  client::ClientOptions& o = r.client;
  o.server = g->server_given             ? g->server
             : !r.profile.server.empty() ? r.profile.server
                                         : kDefaultServer;
  o.timeout = absl::Seconds(g->timeout_seconds);
  o.on_behalf_of = ResourceName("principals", g->on_behalf_of);

  // TLS: flags (and their variables) over the profile; --tls alone means the system's roots.
  r.tls_ca_path = g->tls_ca_given ? g->tls_ca : g->tls ? "" : r.profile.tls_ca;
  if (!r.tls_ca_path.empty()) r.tls_ca_path = Absolute(r.tls_ca_path);
  r.tls_explicit = g->tls || r.profile.tls;
  o.tls = r.tls_explicit || !r.tls_ca_path.empty() || !g->tls_cert.empty() ||
          !IsLoopbackTarget(o.server);
  if (!r.tls_ca_path.empty()) {
    absl::StatusOr<std::string> pem = ReadPem(r.tls_ca_path, "--tls-ca");
    if (!pem.ok()) return pem.status();
    o.tls_root_certs_pem = *std::move(pem);
  }
  if (g->tls_cert.empty() != g->tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (!g->tls_cert.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(g->tls_cert, "--tls-cert");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(g->tls_key, "--tls-key");
    if (!key.ok()) return key.status();
    o.tls_cert_chain_pem = *std::move(cert);
    o.tls_private_key_pem = *std::move(key);
  }

  // The token: ODR_TOKEN, else the profile's if it was issued through the same server (a token
  // is not sent to a server it was not meant for).
  const char* env_token = std::getenv("ODR_TOKEN");
  if (env_token != nullptr && env_token[0] != '\0') {
    o.token = env_token;
    r.token_source = "ODR_TOKEN";
  } else if (!r.profile.token.empty()) {
    if (r.profile.server.empty() || r.profile.server == o.server) {
      o.token = r.profile.token;
      r.token_source = "profile";
    } else {
      r.profile_token_for_other_server = true;
    }
  }
  return absl::OkStatus();
}

std::string CommandPath(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent()) names.push_back(a->get_name());
  return absl::StrJoin(names.rbegin(), names.rend(), " ");
}

int UsageError(const CLI::App* app, absl::string_view message) {
  std::cerr << "error: " << message << "\nRun '" << CommandPath(app) << " --help' for usage.\n";
  return kExitUsage;
}

Session::Session(const GlobalFlags& g)
    : globals_(g),
      timeout_(g.resolved.client.timeout),
      mode_(g.output == "json" || (g.output.empty() && !isatty(STDOUT_FILENO)) ? Mode::kJson
            : g.output == "name"                                               ? Mode::kName
                                                                               : Mode::kTable),
      channel_(client::MakeChannel(g.resolved.client)),
      cases_(channel_, g.resolved.client),
      roster_(channel_, g.resolved.client),
      auth_(channel_, g.resolved.client),
      audit_(channel_, g.resolved.client),
      evidence_(channel_, g.resolved.client),
      appointments_(channel_, g.resolved.client),
      deadlines_(channel_, g.resolved.client),
      agreements_(channel_, g.resolved.client),
      confirmations_(channel_, g.resolved.client),
      courts_(channel_, g.resolved.client),
      stats_(channel_, g.resolved.client) {}

int Session::Print(const v1::Case& c) const { return Emit(c, {c.name()}, "", &PrintCaseTable); }

int Session::Print(const v1::ListCasesResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Case& c : r.cases()) names.push_back(c.name());
  return Emit(r, names, r.next_page_token(), &PrintCaseListTable);
}

int Session::Print(const v1::ListCaseEventsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::CaseEvent& e : r.events()) names.push_back(e.name());
  return Emit(r, names, r.next_page_token(), &PrintEventTable);
}

int Session::Print(const v1::ListAccessRecordsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::AccessRecord& a : r.access_records()) names.push_back(a.name());
  return Emit(r, names, r.next_page_token(), &PrintAccessRecordTable);
}

int Session::Print(const v1::RecommendMediatorsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::MediatorRecommendation& m : r.recommendations()) names.push_back(m.mediator());
  return Emit(r, names, "", &PrintRecommendationTable);
}

int Session::Print(const v1::Organization& o) const {
  return Emit(o, {o.name()}, "", &PrintOrganizationTable);
}

int Session::Print(const v1::ListOrganizationsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Organization& o : r.organizations()) names.push_back(o.name());
  return Emit(r, names, r.next_page_token(), &PrintOrganizationListTable);
}

int Session::Print(const v1::Mediator& m) const {
  return Emit(m, {m.name()}, "", &PrintMediatorTable);
}

int Session::Print(const v1::ListMediatorsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Mediator& m : r.mediators()) names.push_back(m.name());
  return Emit(r, names, r.next_page_token(), &PrintMediatorListTable);
}

int Session::Print(const v1::Pool& p) const { return Emit(p, {p.name()}, "", &PrintPoolTable); }

int Session::Print(const v1::ListPoolsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Pool& p : r.pools()) names.push_back(p.name());
  return Emit(r, names, r.next_page_token(), &PrintPoolListTable);
}

int Session::Print(const v1::Evidence& e) const {
  return Emit(e, {e.name()}, "", &PrintEvidenceTable);
}

int Session::Print(const v1::ListEvidenceResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Evidence& e : r.evidence()) names.push_back(e.name());
  return Emit(r, names, r.next_page_token(), &PrintEvidenceListTable);
}

int Session::Print(const v1::MediatorAvailability& a) const {
  return Emit(a, {a.name()}, "", &PrintAvailabilityTable);
}

int Session::Print(const v1::FindSlotsResponse& r) const {
  std::vector<std::string> slots;
  for (const v1::TimeSlot& slot : r.slots()) {
    slots.push_back(
        absl::StrCat(FormatChinaTime(slot.start_time()), " ", FormatChinaTime(slot.end_time())));
  }
  return Emit(r, slots, "", &PrintSlotsTable);
}

int Session::Print(const v1::Appointment& a) const {
  return Emit(a, {a.name()}, "", &PrintAppointmentTable);
}

int Session::Print(const v1::ListAppointmentsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Appointment& a : r.appointments()) names.push_back(a.name());
  return Emit(r, names, r.next_page_token(), &PrintAppointmentListTable);
}

int Session::Print(const v1::Deadline& d) const {
  return Emit(d, {d.name()}, "", &PrintDeadlineTable);
}

int Session::Print(const v1::ListDeadlinesResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Deadline& d : r.deadlines()) names.push_back(d.name());
  return Emit(r, names, "", &PrintDeadlineListTable);
}

int Session::Print(const v1::Agreement& a) const {
  return Emit(a, {a.name()}, "", &PrintAgreementTable);
}

int Session::Print(const v1::ListAgreementsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Agreement& a : r.agreements()) names.push_back(a.name());
  return Emit(r, names, "", &PrintAgreementListTable);
}

int Session::Print(const v1::Offer& o) const { return Emit(o, {o.name()}, "", &PrintOfferTable); }

int Session::Print(const v1::ListOffersResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Offer& o : r.offers()) names.push_back(o.name());
  return Emit(r, names, "", &PrintOfferListTable);
}

int Session::Print(const v1::ProcedureRecord& r) const {
  return Emit(r, {r.name()}, "", &PrintRecordTable);
}

int Session::Print(const v1::ListProcedureRecordsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::ProcedureRecord& x : r.records()) names.push_back(x.name());
  return Emit(r, names, "", &PrintRecordListTable);
}

int Session::Print(const v1::Confirmation& c) const {
  return Emit(c, {c.name()}, "", &PrintConfirmationTable);
}

int Session::Print(const v1::ListConfirmationsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Confirmation& c : r.confirmations()) names.push_back(c.name());
  return Emit(r, names, r.next_page_token(), &PrintConfirmationListTable);
}

int Session::Print(const v1::PrecheckConfirmationResponse& r) const {
  std::vector<std::string> names;
  for (const v1::CompetentCourt& c : r.competent_courts()) names.push_back(c.court());
  return Emit(r, names, "", &PrintPrecheckTable);
}

int Session::Print(const v1::CourtBundle& b) const {
  return Emit(b, {b.confirmation().name()}, "", &PrintCourtBundleSummary);
}

int Session::Print(const v1::ListDivertedCasesResponse& r) const {
  std::vector<std::string> names;
  for (const v1::DivertedCase& c : r.cases()) names.push_back(c.case_());
  return Emit(r, names, r.next_page_token(), &PrintDivertedCaseListTable);
}

int Session::Print(const v1::ListReferralsResponse& r) const {
  std::vector<std::string> names;
  for (const v1::Referral& x : r.referrals()) names.push_back(x.name());
  return Emit(r, names, r.next_page_token(), &PrintReferralListTable);
}

int Session::Print(const v1::Intake& i) const {
  return Emit(i, {i.name()}, "", [](const v1::Intake& x, std::ostream& out) {
    PrintKeyValues({{"Name", x.name()},
                    {"Intake reference", x.intake_reference()},
                    {"Presented", x.presented_date()},
                    {"Dispute type", DisputeTypeShortName(x.dispute_type())},
                    {"Region", x.region_code()},
                    {"Disposition", EnumValueShortName(v1::IntakeDisposition_descriptor(),
                                                       x.disposition(), "INTAKE_DISPOSITION_")}},
                   out);
  });
}

void Session::PrintWatchEvent(const v1::WatchCaseEventsResponse& r, bool with_case) const {
  if (mode_ == Mode::kJson) {
    std::cout << CompactJson(r) << '\n';
  } else if (mode_ == Mode::kName) {
    std::cout << r.event().name() << '\n';
  } else {
    std::cout << FormatWatchEvent(r, with_case) << '\n';
  }
  std::cout.flush();
}

int Session::PrintJsonOr(const google::protobuf::Message& m, absl::string_view text) const {
  if (mode_ == Mode::kJson) {
    PrintJson(m, std::cout);
  } else {
    std::cout << TerminalText(text, /*keep_newlines=*/true);
  }
  return kExitOk;
}

int Session::Fail(const absl::Status& status, std::string generated_request_id, bool login) const {
  const GlobalFlags::Resolved& r = globals_.resolved;
  ErrorContext context;
  context.server = r.client.server;
  context.timeout = timeout_;
  context.generated_request_id = std::move(generated_request_id);
  context.tls = r.client.tls;
  context.login = login;
  const std::string profile = absl::StrCat("profile '", globals_.profile, "'");
  if (r.token_source == "ODR_TOKEN") {
    context.auth_notes.push_back("the token came from ODR_TOKEN (which wins over the profile)");
  } else if (r.token_source == "profile") {
    if (r.profile.token_expire_time) {
      const bool expired = *r.profile.token_expire_time <= absl::Now();
      context.auth_notes.push_back(absl::StrCat(
          "the token of ", profile,
          r.profile.principal.empty() ? "" : absl::StrCat(" (", r.profile.principal, ")"),
          expired ? " expired at " : " expires at ",
          absl::FormatTime("%Y-%m-%d%ET%H:%M:%S%Ez", *r.profile.token_expire_time,
                           absl::LocalTimeZone())));
    }
  } else if (r.profile_token_for_other_server) {
    context.auth_notes.push_back(absl::StrCat(profile, " holds a token for ", r.profile.server,
                                              ", not for ", r.client.server,
                                              ", so none was sent; log in to this server (with "
                                              "another --profile to keep both)"));
  } else if (r.client.tls_cert_chain_pem.empty()) {
    context.auth_notes.push_back(absl::StrCat(
        "no token was sent: ODR_TOKEN is not set and ", profile,
        r.config ? absl::StrCat(" in ", r.config->path()) : std::string(), " holds none"));
  }
  return ReportError(status, context, std::cerr);
}

int Session::FailWithReason(const absl::Status& status, std::string generated_request_id) const {
  const int code = Fail(status, std::move(generated_request_id));
  const std::optional<v1::ErrorDetails> details = client::ErrorDetailsOf(status);
  if (details && !details->reason().empty() &&
      !absl::StrContains(status.message(), details->reason()) &&
      (status.code() == absl::StatusCode::kFailedPrecondition ||
       status.code() == absl::StatusCode::kAborted ||
       status.code() == absl::StatusCode::kAlreadyExists)) {
    std::cerr << "  reason: " << details->reason() << '\n';
  }
  return code;
}

CLI::Option* AddRequestIdFlag(CLI::App* cmd, std::string* value) {
  return cmd->add_option("--request-id", *value, "idempotency key (default: a random one)")
      ->type_name("KEY");
}

absl::StatusOr<std::set<std::string>> LoadJsonFile(const std::string& path,
                                                   google::protobuf::Message* message,
                                                   absl::string_view flag) {
  std::ostringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot read ", path));
    buf << in.rdbuf();
  }
  const std::string text = buf.str();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (auto s = google::protobuf::util::JsonStringToMessage(text, message, options); !s.ok()) {
    const std::string& type = message->GetDescriptor()->name();
    const bool vowel = !type.empty() && absl::StrContains("AEIOU", type[0]);
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", path, " is not ", vowel ? "an " : "a ", type,
                     " in protobuf JSON: ", std::string(s.message())));
  }
  google::protobuf::Struct object;
  if (auto s = google::protobuf::util::JsonStringToMessage(text, &object); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", path, ": ", std::string(s.message())));
  }
  std::set<std::string> keys;
  for (const auto& [key, value] : object.fields()) keys.insert(key);
  return keys;
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view content) {
  const std::string tmp = path + ".part";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot rename ", tmp, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace odr::cli
