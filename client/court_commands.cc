#include "client/court_commands.h"

#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/case_client.h"
#include "client/case_commands.h"
#include "client/cli_input.h"
#include "client/cli_output.h"

namespace odr::cli {
namespace court_commands_impl {

constexpr char kConfirmationNameHelp[] = R"(
NAME is an application's full name, cases/CASE/confirmations/ID (as 'odr confirmation list'
  prints).
)";

constexpr char kMaterialHelp[] = R"(
--material EVIDENCE:KIND, once per material (0-50): evidence already uploaded to the case and
  visible to all parties ('odr evidence list'), e.g.
  --material cases/CASE/evidence/ID:identity    or, of this case, just   --material ID:identity
  KIND: identity (a party's identity documents), property-right (proof of the right a
  property-transfer term transfers; required with one), other.
)";

constexpr char kCourtSideHelp[] = R"(
For the clerks and judges of the application's court (court principals see only the applications
  made to their own court). --etag: act only if the application is unchanged since that etag
  ('odr confirmation show' prints it).
)";

absl::StatusOr<std::string> ConfirmationName(absl::string_view text) {
  return CaseChildName(text, "confirmations", "odr confirmation list");
}

// Parses the --material values, naming each by its position; bare evidence ids are of
// `case_name`.
absl::StatusOr<std::vector<v1::ConfirmationMaterial>> ParseMaterials(
    const std::vector<std::string>& specs, absl::string_view case_name) {
  std::vector<v1::ConfirmationMaterial> materials;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StatusOr<v1::ConfirmationMaterial> m =
        ParseMaterialSpec(specs[i], case_name, absl::StrCat("--material #", i + 1));
    if (!m.ok()) return m.status();
    materials.push_back(*std::move(m));
  }
  return materials;
}

// The application that precheck and apply send: --court and --material.
struct ApplicationFlags {
  std::string case_name, court;
  std::vector<std::string> materials;

  void Add(CLI::App* cmd, bool court_required) {
    cmd->add_option("CASE", case_name, "the case: cases/ID or just ID")->required();
    CLI::Option* court_opt =
        cmd->add_option("--court", court,
                        court_required
                            ? "the court to apply to: courts/ID or just ID (one of the competent "
                              "courts 'odr confirmation precheck' lists)"
                            : "the court to apply to: courts/ID or just ID; without it odrd "
                              "lists the competent courts")
            ->type_name("COURT");
    if (court_required) court_opt->required();
    cmd->add_option("--material", materials, "a material filed with it (below); repeatable")
        ->type_name("EVIDENCE:KIND")
        ->allow_extra_args(false);
  }

  // The application; INVALID_ARGUMENT naming the flag.
  absl::StatusOr<v1::Confirmation> Build() const {
    v1::Confirmation c;
    c.set_court(ResourceName("courts", court));
    absl::StatusOr<std::vector<v1::ConfirmationMaterial>> m =
        ParseMaterials(materials, CaseName(case_name));
    if (!m.ok()) return m.status();
    for (v1::ConfirmationMaterial& material : *m) *c.add_materials() = std::move(material);
    return c;
  }
};

// --- odr confirmation: the parties ---

void AddPrecheck(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto f = std::make_shared<ApplicationFlags>();
  CLI::App* cmd = parent->add_subcommand(
      "precheck", "Check an application before filing it, and list the competent courts");
  f->Add(cmd, /*court_required=*/false);
  cmd->footer(absl::StrCat(kMaterialHelp, R"(
Checks what a court would refuse or odrd would not file: the 30-day deadline after the agreement
  took effect (PML Art. 33), an effective agreement, the court's competence (CPL Art. 205), terms
  a court does not confirm (personal status, ownership of property: CPL Interpretation Art. 355),
  missing or invalid materials, an application already pending. Writes nothing. Warnings, which
  never block filing, say what the court will ask for (MISSING_MATERIALS) and which records of
  voluntariness are missing (MISSING_PROCEDURE_RECORD ...; `odr case record`).
Exit status 0 when the application would be filed, 1 when odrd lists problems (printed with
  their reasons, e.g. PERSONAL_STATUS_MATTER, MISSING_MATERIALS); -o name prints the competent
  courts.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<v1::Confirmation> application = f->Build();
                    if (!application.ok()) return UsageError(cmd, application.status().message());
                    v1::PrecheckConfirmationRequest req;
                    req.set_parent(CaseName(f->case_name));
                    *req.mutable_confirmation() = *std::move(application);
                    Session s(*g);
                    absl::StatusOr<v1::PrecheckConfirmationResponse> r =
                        s.confirmations().PrecheckConfirmation(req);
                    if (!r.ok()) return s.FailWithReason(r.status());
                    const int code = s.Print(*r);
                    return r->problems().empty() ? code : kExitFailure;
                  }});
}

void AddApply(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    ApplicationFlags application;
    std::string party, request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "apply", "Apply for judicial confirmation of the case's effective agreement, as a party");
  f->application.Add(cmd, /*court_required=*/true);
  cmd->add_option("--party", f->party,
                  "if you are (or act for) several parties: the one consenting, applicants/N or "
                  "respondents/N; default: every one of them")
      ->type_name("PARTY");
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(kMaterialHelp, R"(
The parties apply jointly within 30 days of the agreement taking effect (PML Art. 33, CPL Art.
  205): the application waits (AWAITING_PARTIES) until every party has consented ('odr
  confirmation join'), then goes to the court, which accepts or refuses within 3 days. odrd
  refuses to file it (exit 1) with the first pre-check problem as reason and all of them in the
  message; 'odr confirmation precheck' lists them first.
)",
                           kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<v1::Confirmation> application = f->application.Build();
                    if (!application.ok()) return UsageError(cmd, application.status().message());
                    v1::CreateConfirmationRequest req;
                    req.set_parent(CaseName(f->application.case_name));
                    *req.mutable_confirmation() = *std::move(application);
                    if (!f->party.empty()) {
                      absl::StatusOr<std::string> party = ParsePartyRef(f->party, "--party");
                      if (!party.ok()) return UsageError(cmd, party.status().message());
                      req.set_party(*party);
                    }
                    return SendMutation(*g, f->request_id, req, &Session::confirmations,
                                        &client::ConfirmationClient::CreateConfirmation,
                                        WithReason);
                  }});
}

void AddJoin(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, party;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "join", "Consent to a joint application as a party; filed once every party consented");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--party", f->party,
                  "if you are (or act for) several parties: the one consenting, applicants/N or "
                  "respondents/N; default: every one of them")
      ->type_name("PARTY");
  cmd->footer(kConfirmationNameHelp);
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::JoinConfirmationRequest req;
                    req.set_name(*name);
                    if (!f->party.empty()) {
                      absl::StatusOr<std::string> party = ParsePartyRef(f->party, "--party");
                      if (!party.ok()) return UsageError(cmd, party.status().message());
                      req.set_party(*party);
                    }
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::JoinConfirmation, req, WithReason);
                  }});
}

void AddShow(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand(
      "show", "Show an application: its state, court, materials and the court's decision");
  cmd->add_option("NAME", *name, "cases/CASE/confirmations/ID")->required();
  cmd->footer(kConfirmationNameHelp);
  out->push_back({cmd, [cmd, name, g]() -> int {
                    absl::StatusOr<std::string> n = ConfirmationName(*name);
                    if (!n.ok()) return UsageError(cmd, n.status().message());
                    v1::GetConfirmationRequest req;
                    req.set_name(*n);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::GetConfirmation, req);
                  }});
}

void AddList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string parent, state;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "list", "List a case's applications, or a court's incoming ones (courts/ID)");
  cmd->add_option("PARENT", f->parent,
                  "cases/ID (or just ID) for a case's applications; courts/ID for a court's")
      ->required();
  cmd->add_option("--state", f->state, "only applications in this state (STATE below)")
      ->type_name("STATE");
  f->page.Add(cmd, "applications", 50, 500);
  cmd->footer(R"(
STATE: awaiting-parties, submitted (a court's queue), accepted, materials-requested, refused,
  ruled-valid, ruled-rejected, withdrawn.
A court's applications are for the principals of that court only.
)");
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         v1::ListConfirmationsRequest req;
         req.set_parent(absl::StartsWith(f->parent, "courts/") ? f->parent : CaseName(f->parent));
         if (!f->state.empty()) {
           absl::StatusOr<v1::Confirmation::State> state =
               ParseConfirmationState(f->state, "--state");
           if (!state.ok()) return UsageError(cmd, state.status().message());
           req.set_state(*state);
         }
         Session s(*g);
         return ListAndPrint(
             s, req, f->page, [&](const auto& r) { return s.confirmations().ListConfirmations(r); },
             [](v1::ListConfirmationsResponse* r) { return r->mutable_confirmations(); });
       }});
}

void AddWithdraw(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, reason;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "withdraw", "Withdraw an application before the ruling (CPL Interpretation Art. 357)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--reason", f->reason, "optional, at most 500 characters")->type_name("TEXT");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
Before the court files (accepts) the application it is withdrawn at once. After, this asks the
  court, which grants or refuses the withdrawal by ruling ('odr confirmation rule-withdrawal').
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::WithdrawConfirmationRequest req;
                    req.set_name(*name);
                    req.set_reason(f->reason);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::WithdrawConfirmation, req, WithReason);
                  }});
}

void AddSupply(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name;
    std::vector<std::string> materials;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "supply", "Add the materials the court asked for; the application goes back to the court");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--material", f->materials, "a material (below); repeatable, 1-50")
      ->type_name("EVIDENCE:KIND")
      ->allow_extra_args(false)
      ->required();
  cmd->footer(absl::StrCat(kConfirmationNameHelp, kMaterialHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    absl::StatusOr<std::vector<v1::ConfirmationMaterial>> materials =
                        ParseMaterials(f->materials, CaseOfName(*name));
                    if (!materials.ok()) return UsageError(cmd, materials.status().message());
                    v1::SupplyMaterialsRequest req;
                    req.set_name(*name);
                    for (v1::ConfirmationMaterial& m : *materials) {
                      *req.add_materials() = std::move(m);
                    }
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::SupplyMaterials, req, WithReason);
                  }});
}

void AddBundle(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, file;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "bundle", "What the court receives: agreement, signatures, evidence with proofs, timeline");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("-f,--file", f->file, "also save the whole bundle here, as protobuf JSON")
      ->type_name("PATH");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
Prints a summary (-o json: the whole bundle). The bundle holds the case unmasked, the effective
  agreement with its canonical text, hash and signatures, the agreement-signing public key to
  check them offline, the evidence visible to all parties with SHA-256 hashes and inclusion
  proofs in the evidence log (each with its leaf and signed checkpoint), and the timeline. Never
  the privileged offers. Check a saved bundle offline with the pinned keys:
  odr-verify bundle FILE --log-key KEY --agreement-key AKEY
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::GetCourtBundleRequest req;
                    req.set_name(*name);
                    Session s(*g);
                    absl::StatusOr<v1::CourtBundle> r = s.confirmations().GetCourtBundle(req);
                    if (!r.ok()) return s.Fail(r.status());
                    if (!f->file.empty()) {
                      std::ostringstream json;
                      PrintJson(*r, json);
                      absl::Status st = WriteFileAtomically(f->file, json.str());
                      if (!st.ok()) return s.Fail(st);
                      std::cerr << "Saved the court bundle of " << *name << " to " << f->file
                                << "\n";
                    }
                    return s.Print(*r);
                  }});
}

// --- odr confirmation: the court ---

void AddAccept(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "accept", "SUBMITTED -> ACCEPTED: the court files the application; rule within 30 days");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, kCourtSideHelp));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::AcceptConfirmationRequest req;
                    req.set_name(*name);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::AcceptConfirmation, req, WithReason);
                  }});
}

void AddRefuse(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, ground, note, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "refuse", "SUBMITTED -> REFUSED: the court does not accept the application");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--ground", f->ground, "why (GROUND below)")->type_name("GROUND")->required();
  cmd->add_option("--note", f->note, "the court's reasons, 1-2000 characters")
      ->type_name("TEXT")
      ->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
GROUND (CPL Interpretation Art. 355): no-jurisdiction, personal-status (marriage, parentage,
  adoption), special-procedure, property-ownership, other.
)",
                           kCourtSideHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    absl::StatusOr<v1::RefusalGround> ground =
                        ParseRefusalGround(f->ground, "--ground");
                    if (!ground.ok()) return UsageError(cmd, ground.status().message());
                    v1::RefuseConfirmationRequest req;
                    req.set_name(*name);
                    req.set_ground(*ground);
                    req.set_note(f->note);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::RefuseConfirmation, req, WithReason);
                  }});
}

void AddRequestMaterials(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, note, etag;
    int due_days = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "request-materials",
      "Ask the applicants for more materials by a deadline: MATERIALS_REQUESTED");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--note", f->note, "what is missing, 1-2000 characters")
      ->type_name("TEXT")
      ->required();
  cmd->add_option("--due-days", f->due_days,
                  "days the parties have, 1-60 (CPL Interpretation Arts. 354, 356)")
      ->type_name("DAYS")
      ->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
The applicants add them with 'odr confirmation supply'; the application then returns to you.
  Missed, the application may be treated as withdrawn ('rule-withdrawal --deemed', Art. 357).
)",
                           kCourtSideHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::RequestMaterialsRequest req;
                    req.set_name(*name);
                    req.set_note(f->note);
                    req.set_due_days(f->due_days);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::RequestMaterials, req, WithReason);
                  }});
}

void AddRule(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, ruling_number, note, etag;
    std::vector<std::string> grounds;
    bool valid = false, rejected = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "rule", "Rule on an accepted application: the agreement is valid, or rejected");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  CLI::Option* valid = cmd->add_flag(
      "--valid", f->valid, "the agreement is valid and enforceable: the case is CONFIRMED");
  CLI::Option* rejected = cmd->add_flag("--rejected", f->rejected,
                                        "the application is rejected (with --ground and --note)");
  valid->excludes(rejected);
  rejected->excludes(valid);
  cmd->add_option("--ruling-number", f->ruling_number,
                  "the court's ruling number, 1-64 characters, e.g. (2026)浙0681民特123号")
      ->type_name("NUMBER")
      ->required();
  cmd->add_option("--ground", f->grounds, "with --rejected: why (GROUND below); repeatable")
      ->type_name("GROUND")
      ->allow_extra_args(false);
  cmd->add_option("--note", f->note,
                  "the court's reasons, 1-2000 characters; required with --rejected")
      ->type_name("TEXT");
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
GROUND (CPL Interpretation Art. 358): violates-mandatory-law, harms-others-interests,
  public-order, not-voluntary, unclear, other.
A valid ruling makes the agreement enforceable and closes the case as CONFIRMED (CPL Art. 206).
  A rejection leaves the agreement as it was and the case SETTLED: the parties may mediate again,
  each consenting ('odr confirmation mediate-again'), or sue (CPL Art. 206; PML Art. 33).
)",
                           kCourtSideHelp, cmd->get_footer()));
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         absl::StatusOr<std::string> name = ConfirmationName(f->name);
         if (!name.ok()) return UsageError(cmd, name.status().message());
         if (!f->valid && !f->rejected) return UsageError(cmd, "give --valid or --rejected");
         v1::RuleConfirmationRequest req;
         req.set_name(*name);
         req.set_ruling_number(f->ruling_number);
         req.set_note(f->note);
         req.set_etag(f->etag);
         if (f->valid) {
           if (!f->grounds.empty()) {
             return UsageError(cmd, "--ground goes with --rejected only: a valid ruling has none");
           }
           req.set_outcome(v1::RuleConfirmationRequest::OUTCOME_VALID);
         } else {
           if (f->grounds.empty()) {
             return UsageError(cmd, "--rejected needs at least one --ground (GROUND in --help)");
           }
           if (f->note.empty()) {
             return UsageError(cmd, "--rejected needs --note: the court's reasons");
           }
           req.set_outcome(v1::RuleConfirmationRequest::OUTCOME_REJECTED);
           for (size_t i = 0; i < f->grounds.size(); ++i) {
             absl::StatusOr<v1::RejectionGround> ground =
                 ParseRejectionGround(f->grounds[i], absl::StrCat("--ground #", i + 1));
             if (!ground.ok()) return UsageError(cmd, ground.status().message());
             req.add_grounds(*ground);
           }
         }
         return Send(*g, &Session::confirmations, &client::ConfirmationClient::RuleConfirmation,
                     req, WithReason);
       }});
}

// --- after filing and after the ruling (CPL Interpretation Arts. 356, 357, 372; CPL Art. 187) ---

void AddCallParties(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, at, place, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "call-parties",
      "Call both parties to appear together to verify the case (CPL Interpretation Art. 356)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--at", f->at, "when, e.g. 2031-03-04T09:00 (China time) or RFC 3339")
      ->type_name("TIME")
      ->required();
  cmd->add_option("--place", f->place, "where, 1-200 characters")->type_name("TEXT")->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, kCourtSideHelp));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    absl::StatusOr<absl::Time> at = ParseTimeFlag(f->at, "--at");
                    if (!at.ok()) return UsageError(cmd, at.status().message());
                    v1::CallPartiesRequest req;
                    req.set_name(*name);
                    *req.mutable_appearance_time() = ToTimestamp(*at);
                    req.set_place(f->place);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::CallParties, req, WithReason);
                  }});
}

void AddExtendRuling(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, approval, etag;
    int days = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "extend-ruling", "Extend the ruling period with the president's approval (CPL Art. 187)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--days", f->days, "days added, 1-365")->type_name("DAYS")->required();
  cmd->add_option("--approval", f->approval,
                  "the president's approval, e.g. its form number, 1-200 characters")
      ->type_name("TEXT")
      ->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, kCourtSideHelp));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::ExtendRulingPeriodRequest req;
                    req.set_name(*name);
                    req.set_days(f->days);
                    req.set_approval(f->approval);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::ExtendRulingPeriod, req, WithReason);
                  }});
}

void AddExtendPartyTime(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, period, party, until, reason, obstacle_end, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "extend-party-time",
      "Give a party late for a good reason more time for materials or an objection (CPL Art. 86)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--period", f->period, "which period: materials or objection")
      ->type_name("PERIOD")
      ->check(CLI::IsMember({"materials", "objection"}))
      ->required();
  cmd->add_option("--party", f->party, "the party who applied, e.g. applicants/0")
      ->type_name("PARTY")
      ->required();
  cmd->add_option("--until", f->until, "the new last day, YYYY-MM-DD (China time)")
      ->type_name("DATE")
      ->required();
  cmd->add_option("--obstacle-end", f->obstacle_end,
                  "the day the obstacle ended, YYYY-MM-DD; the party applies within 10 days of it")
      ->type_name("DATE")
      ->required();
  cmd->add_option("--reason", f->reason, "the party's good reason, 1-1000 characters")
      ->type_name("TEXT")
      ->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, kCourtSideHelp));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::ExtendPartyTimeRequest req;
                    req.set_name(*name);
                    req.set_period(f->period == "materials"
                                       ? v1::PartyTimeExtension::PERIOD_MATERIALS
                                       : v1::PartyTimeExtension::PERIOD_OBJECTION);
                    req.set_party(f->party);
                    req.set_until_date(f->until);
                    req.set_obstacle_end_date(f->obstacle_end);
                    req.set_reason(f->reason);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::ExtendPartyTime, req, WithReason);
                  }});
}

void AddRuleWithdrawal(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, ruling_number, note, etag;
    bool granted = false, refused = false, deemed = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "rule-withdrawal", "Rule on a withdrawal after filing (CPL Interpretation Art. 357)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  CLI::Option* granted =
      cmd->add_flag("--granted", f->granted, "grant the parties' request: WITHDRAWN");
  CLI::Option* refused =
      cmd->add_flag("--refused", f->refused, "refuse the request: the review goes on");
  CLI::Option* deemed = cmd->add_flag(
      "--deemed", f->deemed,
      "treat it as withdrawn: the parties missed the materials' deadline or the appearance");
  granted->excludes(refused)->excludes(deemed);
  refused->excludes(granted)->excludes(deemed);
  deemed->excludes(granted)->excludes(refused);
  cmd->add_option("--ruling-number", f->ruling_number,
                  "the ruling's number, 1-64 characters; required with --granted and --deemed")
      ->type_name("NUMBER");
  cmd->add_option("--note", f->note, "the court's reasons, at most 2000 characters")
      ->type_name("TEXT");
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, kCourtSideHelp));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::RuleWithdrawalRequest req;
                    if (f->granted) {
                      req.set_outcome(v1::RuleWithdrawalRequest::OUTCOME_GRANTED);
                    } else if (f->refused) {
                      req.set_outcome(v1::RuleWithdrawalRequest::OUTCOME_REFUSED);
                    } else if (f->deemed) {
                      req.set_outcome(v1::RuleWithdrawalRequest::OUTCOME_DEEMED_WITHDRAWN);
                    } else {
                      return UsageError(cmd, "give --granted, --refused or --deemed");
                    }
                    req.set_name(*name);
                    req.set_ruling_number(f->ruling_number);
                    req.set_note(f->note);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::RuleWithdrawal, req, WithReason);
                  }});
}

void AddServeRuling(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, at, etag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "served", "Record when the parties received the ruling: their 15 days to object start");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--at", f->at, "when they received it, e.g. 2031-03-04T09:00")
      ->type_name("TIME")
      ->required();
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, kCourtSideHelp));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    absl::StatusOr<absl::Time> at = ParseTimeFlag(f->at, "--at");
                    if (!at.ok()) return UsageError(cmd, at.status().message());
                    v1::RecordRulingServiceRequest req;
                    req.set_name(*name);
                    *req.mutable_service_time() = ToTimestamp(*at);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::RecordRulingService, req, WithReason);
                  }});
}

void AddObject(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, party, interested_person, known, reason;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "object", "Object to the court's ruling (CPL Interpretation Art. 372)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  CLI::Option* party = cmd->add_option("--party", f->party,
                                       "a party: applicants/I or respondents/I you are or act for")
                           ->type_name("PARTY");
  CLI::Option* person = cmd->add_option("--interested-person", f->interested_person,
                                        "the court records an interested person's objection: who")
                            ->type_name("TEXT");
  party->excludes(person);
  person->excludes(party);
  cmd->add_option("--harm-known-date", f->known,
                  "with --interested-person: the day they knew of the harm, YYYY-MM-DD")
      ->type_name("DATE");
  cmd->add_option("--reason", f->reason, "why the ruling is wrong, 1-2000 characters")
      ->type_name("TEXT")
      ->required();
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
A party objects within 15 days of receiving the ruling; an interested person within 6 months of
  knowing of the harm, and only against a ruling that confirmed the agreement. The court decides
  ('odr confirmation decide-objection').
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::FileObjectionRequest req;
                    req.set_name(*name);
                    if (!f->party.empty()) {
                      absl::StatusOr<std::string> p = ParsePartyRef(f->party, "--party");
                      if (!p.ok()) return UsageError(cmd, p.status().message());
                      req.set_party(*p);
                    } else if (!f->interested_person.empty()) {
                      req.set_interested_person(f->interested_person);
                      absl::StatusOr<std::string> d = ParseDateFlag(f->known, "--harm-known-date");
                      if (!d.ok()) return UsageError(cmd, d.status().message());
                      req.set_harm_known_date(*d);
                    } else {
                      return UsageError(cmd, "give --party or --interested-person");
                    }
                    req.set_reason(f->reason);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::FileObjection, req, WithReason);
                  }});
}

void AddDecideObjection(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, objection, ruling_number, note, etag;
    bool upheld = false, dismissed = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "decide-objection", "Uphold or dismiss an objection to the ruling (Interp Art. 372)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--objection", f->objection, "the objection's id")->type_name("ID")->required();
  CLI::Option* upheld = cmd->add_flag("--upheld", f->upheld, "the objection stands");
  CLI::Option* dismissed = cmd->add_flag("--dismissed", f->dismissed, "dismiss it");
  upheld->excludes(dismissed);
  dismissed->excludes(upheld);
  cmd->add_option("--ruling-number", f->ruling_number, "the ruling's number, 1-64 characters")
      ->type_name("NUMBER")
      ->required();
  cmd->add_option("--note", f->note, "the court's reasons, at most 2000 characters")
      ->type_name("TEXT");
  cmd->add_option("--etag", f->etag, "act only if unchanged since this etag")->type_name("ETAG");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
Upheld against a valid ruling, the confirmation is revoked and the case returns to SETTLED;
  against a rejection, the court rules again (ACCEPTED, 30 days).
)",
                           kCourtSideHelp));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    if (!f->upheld && !f->dismissed) {
                      return UsageError(cmd, "give --upheld or --dismissed");
                    }
                    v1::DecideObjectionRequest req;
                    req.set_name(*name);
                    req.set_objection(f->objection);
                    req.set_upheld(f->upheld);
                    req.set_ruling_number(f->ruling_number);
                    req.set_note(f->note);
                    req.set_etag(f->etag);
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::DecideObjection, req, WithReason);
                  }});
}

void AddMediateAgain(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, party;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "mediate-again",
      "After a rejected or revoked confirmation, consent to mediate again (CPL Art. 206)");
  cmd->add_option("NAME", f->name, "cases/CASE/confirmations/ID")->required();
  cmd->add_option("--party", f->party, "consent for this party only (default: all yours)")
      ->type_name("PARTY");
  cmd->footer(absl::StrCat(kConfirmationNameHelp, R"(
When every party has consented the case returns to MEDIATING with a new mediation period; the
  agreement binds until a new one takes effect. A party may instead sue: the organization then
  closes the case ('odr case close').
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = ConfirmationName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::ConsentToMediateAgainRequest req;
                    req.set_name(*name);
                    if (!f->party.empty()) {
                      absl::StatusOr<std::string> p = ParsePartyRef(f->party, "--party");
                      if (!p.ok()) return UsageError(cmd, p.status().message());
                      req.set_party(*p);
                    }
                    return Send(*g, &Session::confirmations,
                                &client::ConfirmationClient::ConsentToMediateAgain, req,
                                WithReason);
                  }});
}

// --- odr court ---

void AddDivert(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto fields = std::make_shared<NewCaseFlags>();
  CLI::App* cmd = parent->add_subcommand(
      "divert",
      "Divert a dispute to mediation before filing, or entrust a filed suit to mediation: create "
      "and submit the case in one call");
  fields->Add(cmd, NewCaseFlags::Diversion::kRequired);
  cmd->footer(absl::StrCat(NewCaseFlags::Help(), R"(
The flags are those of 'odr case create'; --file reads a Case in protobuf JSON ('-': stdin),
  and flags given too override its fields. --court is your own court (courts/ID).
The route follows source.courtDiversion.procedure (set it in the --file; default PRE_FILING):
  PRE_FILING diverts a dispute before filing (30-day mediation period; a settlement may be
  judicially confirmed, a failure is referred back to you for filing as litigation);
  POST_FILING_ORDINARY or POST_FILING_SIMPLE entrusts a filed suit (15 or 7 days; a settlement
  is concluded by you with 'odr court conclude', a failure returns to you for the trial to
  resume). docs/procedure.md.
Idempotent on the court and intake reference: diverting the same --intake-ref again returns the
  case the first call created. For court principals (clerks, judges, court systems).
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, fields, g]() -> int {
                    absl::StatusOr<v1::Case> c = fields->Build();
                    if (!c.ok()) return UsageError(cmd, c.status().message());
                    v1::DivertCaseRequest req;
                    *req.mutable_case_() = *std::move(c);
                    return Send(*g, &Session::courts, &client::CourtClient::DivertCase, req,
                                WithReason);
                  }});
}

void AddCourtCases(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string court, outcome;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "cases", "Every case the court diverted or entrusted, with where it stands and how it ended");
  cmd->add_option("COURT", f->court, "the court: courts/ID or just ID")->required();
  cmd->add_option("--outcome", f->outcome, "only this outcome (OUTCOME below)")
      ->type_name("OUTCOME");
  f->page.Add(cmd, "cases", 50, 500);
  cmd->footer(R"(
OUTCOME: pending (before the organization or being mediated), settled (an effective agreement),
  confirmed (settled and judicially confirmed), referred (pre-filing mediation failed or expired:
  referred back for filing as litigation), trial-resumed (post-filing mediation failed or
  expired: returned for the trial to resume), mediation-statement or suit-withdrawn (a settled
  post-filing suit you concluded with 'odr court conclude'), ended (withdrawn by the applicant).
ROUTE: PRE_FILING (diverted before filing) or POST_FILING (entrusted after filing).
)");
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::ListDivertedCasesRequest req;
                    req.set_parent(ResourceName("courts", f->court));
                    if (!f->outcome.empty()) {
                      absl::StatusOr<v1::DiversionOutcome> outcome =
                          ParseDiversionOutcome(f->outcome, "--outcome");
                      if (!outcome.ok()) return UsageError(cmd, outcome.status().message());
                      req.set_outcome(*outcome);
                    }
                    Session s(*g);
                    return ListAndPrint(
                        s, req, f->page,
                        [&](const auto& r) { return s.courts().ListDivertedCases(r); },
                        [](v1::ListDivertedCasesResponse* r) { return r->mutable_cases(); });
                  }});
}

void AddReferrals(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string court;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "referrals",
      "The court's queue of failed mediations: to file as litigation, or to resume the trial");
  cmd->add_option("COURT", f->court, "the court: courts/ID or just ID")->required();
  f->page.Add(cmd, "referrals", 50, 500);
  cmd->footer(R"(
KIND: REFERRED_FOR_FILING (pre-filing mediation failed or expired: file the case as litigation,
  OMR Art. 21(二)) or TRIAL_RESUMED (post-filing mediation failed or expired: resume the trial,
  OMR Art. 21(三)). REASON is why mediation failed, then [cost conduct: ...] when whoever closed
  the case recorded conduct of a party that raised the other side's costs (OMR Art. 21).
)");
  out->push_back({cmd, [f, g]() -> int {
                    v1::ListReferralsRequest req;
                    req.set_parent(ResourceName("courts", f->court));
                    Session s(*g);
                    return ListAndPrint(
                        s, req, f->page, [&](const auto& r) { return s.courts().ListReferrals(r); },
                        [](v1::ListReferralsResponse* r) { return r->mutable_referrals(); });
                  }});
}

void AddConclude(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, conclusion, document, note, etag, request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "conclude",
      "SETTLED -> CONCLUDED: record how you concluded a settled post-filing suit (OMR Art. 20)");
  cmd->add_option("CASE", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--conclusion", f->conclusion,
                  "statement (you made a mediation statement, 调解书) or withdrawn (the plaintiff "
                  "withdrew the suit, 撤诉)")
      ->type_name("statement|withdrawn")
      ->required();
  cmd->add_option("--document", f->document,
                  "the mediation statement's or the withdrawal ruling's number, 1-64 characters, "
                  "e.g. (2026)浙0681民初123号")
      ->type_name("NUMBER")
      ->required();
  cmd->add_option("--note", f->note, "optional, at most 1000 characters: the court's note")
      ->type_name("TEXT");
  cmd->add_option("--etag", f->etag, "act only if the case is unchanged since this etag")
      ->type_name("ETAG");
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(R"(
Only for a case your court entrusted after filing (source.courtDiversion.procedure
  POST_FILING_ORDINARY or POST_FILING_SIMPLE) whose agreement took effect (SETTLED): the court
  already has the suit, so the settlement ends in its mediation statement or the plaintiff's
  withdrawal (OMR Art. 20; 特邀 Arts. 20-21), never in judicial confirmation. A pre-filing
  diversion is refused (exit 1, reason NOT_POST_FILING). The case becomes CONCLUDED (terminal) and
  its ending records the conclusion, the document, the note, you and the time ('odr case get'
  shows it); instalments of the agreement stay due and tracked. For the principals of the
  entrusting court.
)",
                           kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<v1::CaseEnding::Kind> conclusion =
                        ParseConclusion(f->conclusion, "--conclusion");
                    if (!conclusion.ok()) return UsageError(cmd, conclusion.status().message());
                    v1::ConcludeCaseRequest req;
                    req.set_name(CaseName(f->name));
                    req.set_conclusion(*conclusion);
                    req.set_court_document(f->document);
                    req.set_note(f->note);
                    req.set_etag(f->etag);
                    return SendMutation(*g, f->request_id, req, &Session::courts,
                                        &client::CourtClient::ConcludeCase, WithReason);
                  }});
}

void AddIntake(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string court, reference, date, type, region, disposition;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "intake", "Record a dispute presented at the intake window and not diverted (statistics)");
  cmd->add_option("COURT", f->court, "your court: courts/ID or just ID")->required();
  cmd->add_option("--intake-ref", f->reference, "the court's intake reference")->required();
  cmd->add_option("--date", f->date, "the day it was presented, YYYY-MM-DD")->required();
  cmd->add_option("--type", f->type, "dispute type (medical, labour ...)")->required();
  cmd->add_option("--region", f->region, "region code, 6 digits")->required();
  cmd->add_option("--disposition", f->disposition, "filed | mediation-declined | advice-only")
      ->required();
  cmd->footer(R"(
Diverted disputes are recorded by 'odr court divert'; this records the others, so that the
  guidance rate (diverted / presented) of 'odr stats' is right. Idempotent on the intake
  reference. No personal data is recorded.
)");
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         v1::RecordIntakeRequest req;
         req.set_parent(ResourceName("courts", f->court));
         v1::Intake* in = req.mutable_intake();
         in->set_intake_reference(f->reference);
         in->set_presented_date(f->date);
         absl::StatusOr<v1::DisputeType> t = ParseDisputeType(f->type, "--type");
         if (!t.ok()) return UsageError(cmd, t.status().message());
         in->set_dispute_type(*t);
         in->set_region_code(f->region);
         if (f->disposition == "filed") {
           in->set_disposition(v1::INTAKE_DISPOSITION_FILED);
         } else if (f->disposition == "mediation-declined") {
           in->set_disposition(v1::INTAKE_DISPOSITION_MEDIATION_DECLINED);
         } else if (f->disposition == "advice-only") {
           in->set_disposition(v1::INTAKE_DISPOSITION_ADVICE_ONLY);
         } else {
           return UsageError(cmd, "--disposition: filed, mediation-declined or advice-only");
         }
         return Send(*g, &Session::courts, &client::CourtClient::RecordIntake, req, WithReason);
       }});
}

}  // namespace court_commands_impl

std::vector<Command> AddCourtCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace court_commands_impl;
  std::vector<Command> out;
  CLI::App* confirmation = app->add_subcommand(
      "confirmation", "Judicial confirmation of an agreement: the parties apply, the court rules");
  AddPrecheck(confirmation, globals, &out);
  AddApply(confirmation, globals, &out);
  AddJoin(confirmation, globals, &out);
  AddShow(confirmation, globals, &out);
  AddList(confirmation, globals, &out);
  AddWithdraw(confirmation, globals, &out);
  AddSupply(confirmation, globals, &out);
  AddBundle(confirmation, globals, &out);
  AddAccept(confirmation, globals, &out);
  AddRefuse(confirmation, globals, &out);
  AddRequestMaterials(confirmation, globals, &out);
  AddRule(confirmation, globals, &out);
  AddCallParties(confirmation, globals, &out);
  AddExtendRuling(confirmation, globals, &out);
  AddExtendPartyTime(confirmation, globals, &out);
  AddRuleWithdrawal(confirmation, globals, &out);
  AddServeRuling(confirmation, globals, &out);
  AddObject(confirmation, globals, &out);
  AddDecideObjection(confirmation, globals, &out);
  AddMediateAgain(confirmation, globals, &out);
  CLI::App* court = app->add_subcommand(
      "court",
      "Court intake: divert disputes or entrust suits to mediation, follow them, take referrals, "
      "conclude settled suits");
  AddDivert(court, globals, &out);
  AddCourtCases(court, globals, &out);
  AddReferrals(court, globals, &out);
  AddConclude(court, globals, &out);
  AddIntake(court, globals, &out);
  return out;
}

}  // namespace odr::cli
