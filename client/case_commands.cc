#include "client/case_commands.h"

#include <cctype>
#include <iostream>
#include <iterator>
#include <limits>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/case_client.h"
#include "client/cli_input.h"
#include "client/cli_output.h"

namespace odr::cli {
namespace case_commands_impl {

constexpr char kTypeHelp[] = R"(
TYPE: medical, neighbour, labour, debt-contract, family-inheritance, traffic-accident,
  property-land, consumer-ecommerce, other.
)";

constexpr char kPartySpecHelp[] = R"(
SPEC of a party (--applicant, --respondent): key=value items separated by ';', e.g.
  --applicant 'name=张三;id=110101199003074514;phone=13800138000;address=zhang@example.com'
  --respondent 'kind=legal;name=某某医院;id-type=uscc;id=...;phone=0575-87000000;address=...'
  kind     person (default) | legal | org
  name     the party's name
  id-type  resident-id (default) | passport | permit | foreign-resident | uscc
  id       the number of that document
  phone    mobile, landline or +international
  address  electronic service address: e-mail or postal address
  domicile REGION:BASIS:MATERIAL, the party's declared domicile for the competent court (CPL
           Interpretation Arts. 3-4), BASIS household | habitual-residence (a person) or
           main-office | registered-place (an organization), MATERIAL what shows it, e.g.
           domicile=330681:household:户口簿 (odr never reads a domicile from an ID number)
SPEC of an agent (--agent): the same keys without kind and domicile, plus of=applicant:N or of=respondent:N,
  the party the agent acts for (N counts from 1 in the order given), and special=yes|no
  (default no): whether the power of attorney grants special authority (特别授权, CPL Art. 62).
  Without it the agent may act in the mediation but not sign or refuse the settlement agreement
  or apply for judicial confirmation for the party (odrd answers NO_SPECIAL_AUTHORITY), e.g.
  --agent 'of=applicant:1;name=王律师;id=...;phone=...;address=wang@lawfirm.cn;special=yes'
Write \; for a ';' inside a value and \\ for '\'. odrd checks the values and names each wrong
one, e.g. case.applicants[0].phone.
)";

constexpr char kEtagHelp[] = R"(
--etag: the etag that 'odr case get' shows, e.g. --etag 'W/"3"' (quote it). If the case
  changed since, odrd refuses (exit 1) and nothing changes.
)";

constexpr char kUpdatable[] =
    "dispute_type, applicants, respondents, summary, claims, amount_fen, "
    "region_code";

// Sends a case mutation with an idempotency key (see SendMutation) and prints the case.
template <typename Request>
int SendCaseMutation(const GlobalFlags& g, const std::string& request_id_flag, Request& req,
                     absl::StatusOr<v1::Case> (client::CaseClient::*method)(const Request&) const) {
  return SendMutation(g, request_id_flag, req, &Session::cases, method);
}

CLI::Option* AddEtagFlag(CLI::App* cmd, std::string* value, const std::string& description) {
  return cmd->add_option("--etag", *value, description)->type_name("ETAG");
}

// The fields flags of create and update.
struct CaseFlags {
  std::string type, summary, claims, amount, region, subject_region, file;
  std::string intermediate;
  std::vector<std::string> applicants, respondents, agents;
  CLI::Option* subject_region_opt = nullptr;
  CLI::Option* intermediate_opt = nullptr;
  CLI::Option* type_opt = nullptr;
  CLI::Option* summary_opt = nullptr;
  CLI::Option* claims_opt = nullptr;
  CLI::Option* amount_opt = nullptr;
  CLI::Option* region_opt = nullptr;
  CLI::Option* file_opt = nullptr;

  void Add(CLI::App* cmd) {
    const std::string group = "Case fields";
    type_opt = cmd->add_option("--type", type, "dispute type (TYPE below)")
                   ->type_name("TYPE")
                   ->group(group);
    summary_opt = cmd->add_option("--summary", summary, "what the dispute is about")
                      ->type_name("TEXT")
                      ->group(group);
    claims_opt = cmd->add_option("--claims", claims, "what the applicants ask for")
                     ->type_name("TEXT")
                     ->group(group);
    amount_opt = cmd->add_option("--amount", amount, "in dispute, up to 2 decimals: 20000, 12.50")
                     ->type_name("YUAN")
                     ->group(group);
    region_opt = cmd->add_option("--region", region, "administrative division, e.g. 330681")
                     ->type_name("CODE")
                     ->group(group);
    subject_region_opt =
        cmd->add_option("--subject-matter-region", subject_region,
                        "where the subject matter is, if any: a court there may confirm (CPL "
                        "Art. 205)")
            ->type_name("CODE")
            ->group(group);
    intermediate_opt =
        cmd->add_option("--intermediate-court", intermediate,
                        "yes if the dispute belongs to an intermediate court at first instance: "
                        "only intermediate courts confirm it (CPL Art. 205(二))")
            ->type_name("yes|no")
            ->check(CLI::IsMember({"yes", "no"}))
            ->group(group);
    cmd->add_option("--applicant", applicants, "an applicant (SPEC below); repeatable")
        ->type_name("SPEC")
        ->allow_extra_args(false)
        ->group(group);
    cmd->add_option("--respondent", respondents, "a respondent (SPEC below); repeatable")
        ->type_name("SPEC")
        ->allow_extra_args(false)
        ->group(group);
    cmd->add_option("--agent", agents, "a party's agent (SPEC below); repeatable")
        ->type_name("SPEC")
        ->allow_extra_args(false)
        ->group(group);
    file_opt = cmd->add_option("--file", file, "a Case in protobuf JSON ('-': stdin); see below")
                   ->type_name("FILE")
                   ->group(group);
  }
};

// Update mask paths for the keys of a Case JSON file (either spelling); others are ignored.
std::set<std::string> UpdatablePaths(const std::set<std::string>& keys) {
  static const std::pair<const char*, const char*> kPaths[] = {
      {"disputeType", "dispute_type"},
      {"applicants", "applicants"},
      {"respondents", "respondents"},
      {"summary", "summary"},
      {"claims", "claims"},
      {"amountFen", "amount_fen"},
      {"regionCode", "region_code"},
      {"subjectMatterRegionCode", "subject_matter_region_code"},
      {"intermediateCourtMatter", "intermediate_court_matter"},
  };
  std::set<std::string> paths;
  for (const auto& [json, path] : kPaths) {
    if (keys.count(json) || keys.count(path)) paths.insert(path);
  }
  return paths;
}

// Applies the given field flags to *c and adds their update_mask paths to *mask. With
// `agents_need_mask`, an --agent may only name a party list that is in *mask (update replaces
// whole lists, so the list must be given in the same command).
absl::Status ApplyCaseFlags(const CaseFlags& f, bool agents_need_mask, v1::Case* c,
                            std::set<std::string>* mask) {
  if (f.type_opt->count() > 0) {
    absl::StatusOr<v1::DisputeType> t = ParseDisputeType(f.type);
    if (!t.ok()) return t.status();
    c->set_dispute_type(*t);
    mask->insert("dispute_type");
  }
  if (f.summary_opt->count() > 0) {
    c->set_summary(f.summary);
    mask->insert("summary");
  }
  if (f.claims_opt->count() > 0) {
    c->set_claims(f.claims);
    mask->insert("claims");
  }
  if (f.amount_opt->count() > 0) {
    absl::StatusOr<int64_t> fen = ParseYuanToFen(f.amount);
    if (!fen.ok()) return fen.status();
    c->set_amount_fen(*fen);
    mask->insert("amount_fen");
  }
  if (f.region_opt->count() > 0) {
    c->set_region_code(f.region);
    mask->insert("region_code");
  }
  if (f.subject_region_opt->count() > 0) {
    c->set_subject_matter_region_code(f.subject_region);
    mask->insert("subject_matter_region_code");
  }
  if (f.intermediate_opt->count() > 0) {
    c->set_intermediate_court_matter(f.intermediate == "yes");
    mask->insert("intermediate_court_matter");
  }
  for (auto [flag, specs, list, path] :
       {std::tuple{"--applicant", &f.applicants, c->mutable_applicants(), "applicants"},
        std::tuple{"--respondent", &f.respondents, c->mutable_respondents(), "respondents"}}) {
    if (specs->empty()) continue;
    list->Clear();
    for (size_t i = 0; i < specs->size(); ++i) {
      absl::StatusOr<v1::Party> p = ParsePartySpec((*specs)[i]);
      if (!p.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, " #", i + 1, ": ", p.status().message()));
      }
      *list->Add() = *std::move(p);
    }
    mask->insert(path);
  }
  for (size_t i = 0; i < f.agents.size(); ++i) {
    const std::string where = absl::StrCat("--agent #", i + 1, ": ");
    absl::StatusOr<AgentSpec> a = ParseAgentSpec(f.agents[i]);
    if (!a.ok()) return absl::InvalidArgumentError(absl::StrCat(where, a.status().message()));
    const char* side = a->of_applicant ? "applicant" : "respondent";
    const char* path = a->of_applicant ? "applicants" : "respondents";
    auto* list = a->of_applicant ? c->mutable_applicants() : c->mutable_respondents();
    if (agents_need_mask && mask->count(path) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, "an update replaces the whole list of ",
                                                     path, ", so give the ", side, "s too (with --",
                                                     side, " or --file)"));
    }
    if (a->party_index >= list->size()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "of=", side, ":", a->party_index + 1,
                                                     " but the case has ", list->size(), " ",
                                                     list->size() == 1 ? side : path));
    }
    *(*list)[a->party_index].add_agents() = std::move(a->agent);
  }
  return absl::OkStatus();
}

}  // namespace case_commands_impl

struct NewCaseFlags::Impl {
  case_commands_impl::CaseFlags fields;
  std::string organization, language, court, court_name, intake_ref, diversion_date;
  CLI::Option* court_opt = nullptr;
  CLI::Option* court_name_opt = nullptr;
  CLI::Option* intake_opt = nullptr;
  CLI::Option* date_opt = nullptr;
};

NewCaseFlags::NewCaseFlags() : impl_(std::make_unique<Impl>()) {}
NewCaseFlags::~NewCaseFlags() = default;

void NewCaseFlags::Add(CLI::App* cmd, Diversion diversion) {
  using namespace case_commands_impl;
  diversion_ = diversion;
  Impl* f = impl_.get();
  cmd->add_option("--organization", f->organization,
                  "the mediation organization the case is before: organizations/ID or just ID "
                  "(required unless --file has one)")
      ->type_name("ORG");
  f->fields.Add(cmd);
  cmd->add_option("--language", f->language,
                  "the parties' language, a code such as zh, zh-wuu, zh-yue, en (odrd's default: "
                  "zh); mediators who speak it rank higher")
      ->type_name("CODE")
      ->group("Case fields");
  const std::string court =
      diversion == Diversion::kRequired
          ? "Court diversion (--court, --intake-ref and --diversion-date; required unless --file "
            "has a courtDiversion source)"
          : "Court diversion (--court, --intake-ref and --diversion-date; without them a citizen "
            "application)";
  f->court_opt = cmd->add_option("--court", f->court, "the diverting court: courts/ID or just ID")
                     ->type_name("COURT")
                     ->group(court);
  f->court_name_opt =
      cmd->add_option("--court-name", f->court_name, "optional: the court's name for people")
          ->type_name("NAME")
          ->group(court);
  f->intake_opt = cmd->add_option("--intake-ref", f->intake_ref, "the court's intake reference")
                      ->type_name("REF")
                      ->group(court);
  f->date_opt = cmd->add_option("--diversion-date", f->diversion_date, "date of the diversion")
                    ->type_name("YYYY-MM-DD")
                    ->group(court);
}

absl::StatusOr<v1::Case> NewCaseFlags::Build() const {
  const Impl* f = impl_.get();
  v1::Case c;
  if (f->fields.file_opt->count() > 0) {
    auto keys = LoadJsonFile(f->fields.file, &c);
    if (!keys.ok()) return keys.status();
  }
  std::set<std::string> mask;
  if (absl::Status s = ApplyCaseFlags(f->fields, false, &c, &mask); !s.ok()) return s;
  if (!f->organization.empty()) {
    c.set_organization(ResourceName("organizations", f->organization));
  }
  if (c.organization().empty()) {
    return absl::InvalidArgumentError(
        "--organization is required: the mediation organization the case is before, "
        "organizations/ID");
  }
  const size_t court_flags = f->court_opt->count() + f->intake_opt->count() + f->date_opt->count();
  if ((court_flags > 0 && court_flags < 3) ||
      (f->court_name_opt->count() > 0 && court_flags == 0)) {
    return absl::InvalidArgumentError(
        "a court diversion needs all of --court, --intake-ref and --diversion-date");
  }
  if (court_flags == 3) {
    auto* d = c.mutable_source()->mutable_court_diversion();
    d->set_court(ResourceName("courts", f->court));
    d->set_court_display_name(f->court_name);
    d->set_intake_reference(f->intake_ref);
    d->set_diversion_date(f->diversion_date);
  } else if (diversion_ == Diversion::kRequired) {
    if (!c.source().has_court_diversion()) {
      return absl::InvalidArgumentError(
          "a court diversion needs --court, --intake-ref and --diversion-date (or a --file "
          "whose source is a courtDiversion)");
    }
  } else if (!c.has_source() || c.source().source_case() == v1::CaseSource::SOURCE_NOT_SET) {
    c.mutable_source()->mutable_citizen_application();
  }
  if (!f->language.empty()) c.set_language(f->language);
  c.clear_mediators();  // output only
  c.clear_mediator_assignments();
  return c;
}

std::string NewCaseFlags::Help() {
  return absl::StrCat(case_commands_impl::kTypeHelp, case_commands_impl::kPartySpecHelp);
}

namespace case_commands_impl {

void AddCreate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    NewCaseFlags fields;
    std::string request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("create", "Create a case in state DRAFT");
  f->fields.Add(cmd, NewCaseFlags::Diversion::kOptional);
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(NewCaseFlags::Help(), R"(
--file: start from this Case, e.g. one that 'odr -o json case get' wrote; output-only fields
  in it are ignored and flags given too override its fields.
Who may create: an organization admin before their own organization; a court for its own
  diversions (--court, logged in as that court); a citizen as an applicant.
)",
                           kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::CreateCaseRequest req;
                    absl::StatusOr<v1::Case> c = f->fields.Build();
                    if (!c.ok()) return UsageError(cmd, c.status().message());
                    *req.mutable_case_() = *std::move(c);
                    return SendCaseMutation(*g, f->request_id, req,
                                            &client::CaseClient::CreateCase);
                  }});
}

void AddGet(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("get", "Show a case");
  cmd->add_option("NAME", *name, "the case: cases/ID or just ID")->required();
  out->push_back({cmd, [name, g]() -> int {
                    v1::GetCaseRequest req;
                    req.set_name(CaseName(*name));
                    Session s(*g);
                    auto r = s.cases().GetCase(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string filter, order_by;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("list", "List cases, newest first");
  cmd->add_option("--filter", f->filter, "which cases (FILTER below)")->type_name("FILTER");
  cmd->add_option("--order-by", f->order_by, "sort order (ORDER below)")->type_name("ORDER");
  f->page.Add(cmd, "cases", 50, 500);
  cmd->footer(absl::StrCat(R"(
FILTER: comparisons joined by AND, e.g.
  --filter 'state = SUBMITTED AND dispute_type = MEDICAL'
  --filter 'state != CLOSED AND region_code = "330681"'
  --filter 'create_time >= "2026-01-01T00:00:00Z"'        (also >, <, <=)
ORDER: create_time desc (default), create_time, update_time, update_time desc, case_number,
  case_number desc.
--page-token only works with the same --filter and --order-by as the list that gave it.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [f, g]() -> int {
                    v1::ListCasesRequest req;
                    req.set_filter(f->filter);
                    req.set_order_by(f->order_by);
                    Session s(*g);
                    return ListAndPrint(
                        s, req, f->page, [&](const auto& r) { return s.cases().ListCases(r); },
                        [](v1::ListCasesResponse* r) { return r->mutable_cases(); });
                  }});
}

void AddUpdate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, etag, request_id;
    CaseFlags fields;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      parent->add_subcommand("update", "Change fields of a case that is not withdrawn or closed");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  AddEtagFlag(cmd, &f->etag, "the case's etag; required unless --file has one");
  f->fields.Add(cmd);
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(kTypeHelp, kPartySpecHelp, R"(
Only the fields given change. --applicant and --respondent replace the whole list, and --agent
  can only name a party in a list given in the same command.
--file: take new values from this Case, e.g. one that 'odr -o json case get' wrote and you
  edited: the updatable fields present in it change, its etag is used when --etag is absent,
  and output-only fields and the source are ignored. Flags given too override it.
)",
                           kEtagHelp, kRequestIdHelp, cmd->get_footer()));
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         const std::string name = CaseName(f->name);
         v1::UpdateCaseRequest req;
         v1::Case* c = req.mutable_case_();
         std::set<std::string> mask;
         if (f->fields.file_opt->count() > 0) {
           auto keys = LoadJsonFile(f->fields.file, c);
           if (!keys.ok()) return UsageError(cmd, keys.status().message());
           if (!c->name().empty() && c->name() != name) {
             return UsageError(cmd, absl::StrCat("--file holds ", c->name(), ", not ", name));
           }
           mask = UpdatablePaths(*keys);
         }
         if (auto s = ApplyCaseFlags(f->fields, true, c, &mask); !s.ok()) {
           return UsageError(cmd, s.message());
         }
         if (mask.empty()) {
           return UsageError(cmd, absl::StrCat("nothing to update: give a field flag "
                                               "or a --file with any of ",
                                               kUpdatable));
         }
         if (!f->etag.empty()) c->set_etag(f->etag);
         if (c->etag().empty()) {
           return UsageError(cmd,
                             "--etag is required: 'odr case get NAME' shows it; it "
                             "makes sure nobody changed the case since you read it");
         }
         c->set_name(name);
         c->clear_case_number();
         c->clear_state();
         c->clear_source();
         c->clear_create_time();
         c->clear_update_time();
         c->clear_organization();
         c->clear_mediators();
         c->clear_mediator_assignments();
         for (const std::string& path : mask) req.mutable_update_mask()->add_paths(path);
         return SendCaseMutation(*g, f->request_id, req, &client::CaseClient::UpdateCase);
       }});
}

// submit, accept, withdraw and close: NAME, --etag, --request-id, perhaps --reason, and for close
// --cost-conduct.
enum class ReasonFlag { kNone, kOptional, kRequired };

// What close adds to its footer: what the ending records and what follows, by route.
constexpr char kCloseHelp[] = R"(
The reason and --cost-conduct are recorded as the case's ending (OMR Art. 21; 'odr case get'
  shows it). What follows depends on how the case came: a citizen's application ends, and the
  parties may go to court or arbitration (PML Art. 26); a case a court diverted before filing is
  referred back to that court for filing as litigation (OMR Art. 21(二)); a suit a court
  entrusted after filing returns to it for the trial to resume (OMR Art. 21(三)). Both court
  routes enter the court's queue ('odr court referrals'), with the reason and the cost conduct.
)";

template <typename Request>
void AddTransition(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out,
                   const char* verb, const char* description, ReasonFlag reason_flag,
                   absl::StatusOr<v1::Case> (client::CaseClient::*method)(const Request&) const) {
  struct Flags {
    std::string name, etag, request_id, reason, cost_conduct;
  };
  static constexpr bool kHasCostConduct = requires(Request r) {
    r.set_cost_conduct(std::string());
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(verb, description);
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  AddEtagFlag(cmd, &f->etag, "act only if the case is unchanged since this etag");
  AddRequestIdFlag(cmd, &f->request_id);
  if (reason_flag == ReasonFlag::kRequired) {
    cmd->add_option("--reason", f->reason, "why, 1-1000 characters; kept in the timeline")
        ->type_name("TEXT")
        ->required();
  } else if (reason_flag == ReasonFlag::kOptional) {
    cmd->add_option("--reason", f->reason, "why, up to 1000 characters; kept in the timeline")
        ->type_name("TEXT");
  }
  if constexpr (kHasCostConduct) {
    cmd->add_option("--cost-conduct", f->cost_conduct,
                    "optional, at most 1000 characters: conduct of a party that raised the other "
                    "side's costs (OMR Art. 21)")
        ->type_name("TEXT");
  }
  cmd->footer(absl::StrCat(kHasCostConduct ? kCloseHelp : "", kEtagHelp, kRequestIdHelp,
                           cmd->get_footer()));
  out->push_back({cmd, [f, g, method]() -> int {
                    Request req;
                    req.set_name(CaseName(f->name));
                    req.set_etag(f->etag);
                    if constexpr (requires { req.set_reason(f->reason); }) {
                      req.set_reason(f->reason);
                    }
                    if constexpr (kHasCostConduct) req.set_cost_conduct(f->cost_conduct);
                    return SendCaseMutation(*g, f->request_id, req, method);
                  }});
}

constexpr char kMediatorHelp[] = R"(
MEDIATOR: a mediator of the roster, organizations/ORG/mediators/ID or just ORG/ID ('odr mediator
  list' shows them; principals/ID, the mediator's account, is not accepted).
)";

constexpr char kAssignmentHelp[] = R"(
How a case gets its mediator (OMR Art. 10): the parties choose one jointly (odr case choose), the
  organization assigns one (odr case assign, after odr case recommend), or odrd picks the best
  ranked (odr case auto-assign). The case is then MEDIATOR_PROPOSED until the mediator accepts
  (odr case accept-assignment --no-conflict: MEDIATOR_ASSIGNED) or declines (odr case decline,
  back to ACCEPTED). A party asking for another mediator, or the mediator recusing, uses
  odr case recuse (OMR Art. 14).
)";

void AddAssign(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, mediator, etag, request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "assign", "Propose a mediator of the roster: ACCEPTED -> MEDIATOR_PROPOSED (org admins)");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--mediator", f->mediator, "the mediator (MEDIATOR below)")
      ->type_name("MEDIATOR")
      ->required();
  AddEtagFlag(cmd, &f->etag, "act only if the case is unchanged since this etag");
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(kMediatorHelp, R"(
odrd refuses (exit 1, naming why) a suspended mediator, one at capacity, one already proposed
  for the case, and one with a conflict: a party or agent, or sharing an ID number or phone with
  one, or related to one. The proposed mediator sees the case at once. A complex case may have
  several mediators (OMR Art. 11): assign again while it is MEDIATOR_PROPOSED or _ASSIGNED.
)",
                           kAssignmentHelp, kEtagHelp, kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::AssignCaseMediatorRequest req;
                    req.set_name(CaseName(f->name));
                    absl::StatusOr<std::string> mediator = MediatorName(f->mediator, "--mediator");
                    if (!mediator.ok()) return UsageError(cmd, mediator.status().message());
                    req.set_mediator(*mediator);
                    req.set_etag(f->etag);
                    return SendCaseMutation(*g, f->request_id, req,
                                            &client::CaseClient::AssignCaseMediator);
                  }});
}

void AddRecommend(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, pool;
    int max = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "recommend", "Rank the roster's mediators for a case, with the reasons (org admins)");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--max", f->max, "how many; 0: 10; at most 100")
      ->type_name("N")
      ->check(CLI::Range(0, std::numeric_limits<int32_t>::max()));
  cmd->add_option("--pool", f->pool,
                  "only this pool's mediators: organizations/ORG/pools/ID or ORG/ID")
      ->type_name("POOL");
  cmd->footer(absl::StrCat(R"(
Best first. The score (0-1) weighs specialty, region, language, load versus capacity and recent
  outcomes (docs/api.md); REASONS says why. Suspended and full mediators, and those with a
  conflict with a party, are left out. -o name prints the mediators' names, best first.
)",
                           kAssignmentHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::RecommendMediatorsRequest req;
                    req.set_name(CaseName(f->name));
                    req.set_max_results(f->max);
                    if (!f->pool.empty()) {
                      absl::StatusOr<std::string> pool = PoolName(f->pool, "--pool");
                      if (!pool.ok()) return UsageError(cmd, pool.status().message());
                      req.set_pool(*pool);
                    }
                    Session s(*g);
                    auto r = s.cases().RecommendMediators(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddAutoAssign(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, pool, request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "auto-assign",
      "ACCEPTED -> MEDIATOR_PROPOSED: propose the best-ranked mediator (org admins)");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--pool", f->pool, "only from this pool: organizations/ORG/pools/ID or ORG/ID")
      ->type_name("POOL");
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(R"(
The mediator 'odr case recommend' ranks first; the ranking weighs load, which spreads work
  fairly.
)",
                           kAssignmentHelp, kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::AutoAssignMediatorRequest req;
                    req.set_name(CaseName(f->name));
                    if (!f->pool.empty()) {
                      absl::StatusOr<std::string> pool = PoolName(f->pool, "--pool");
                      if (!pool.ok()) return UsageError(cmd, pool.status().message());
                      req.set_pool(*pool);
                    }
                    return SendCaseMutation(*g, f->request_id, req,
                                            &client::CaseClient::AutoAssignMediator);
                  }});
}

void AddChoose(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, mediator, request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "choose", "Your side's choice of mediator; proposed once both sides chose the same one");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--mediator", f->mediator, "the mediator (MEDIATOR below)")
      ->type_name("MEDIATOR")
      ->required();
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(kMediatorHelp, R"(
For the parties (and their agents): when the applicant side and the respondent side have chosen
  the same mediator, it is proposed (joint choice, OMR Art. 10).
)",
                           kAssignmentHelp, kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::ChooseMediatorRequest req;
                    req.set_name(CaseName(f->name));
                    absl::StatusOr<std::string> mediator = MediatorName(f->mediator, "--mediator");
                    if (!mediator.ok()) return UsageError(cmd, mediator.status().message());
                    req.set_mediator(*mediator);
                    return SendCaseMutation(*g, f->request_id, req,
                                            &client::CaseClient::ChooseMediator);
                  }});
}

void AddAcceptAssignment(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, request_id;
    bool no_conflict = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "accept-assignment",
      "MEDIATOR_PROPOSED -> MEDIATOR_ASSIGNED: the proposed mediator accepts the case");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_flag("--no-conflict", f->no_conflict,
                "required: your declaration that no ground for recusal exists (below)");
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(R"(
--no-conflict declares that you are not a near relative of a party or agent, have no interest in
  the dispute, and have no other relationship with a party that could affect a fair mediation
  (OMR Arts. 12-13). If one exists, decline instead (odr case decline --reason ...).
Accept or decline within 3 working days of the proposal.
)",
                           kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    if (!f->no_conflict) {
                      return UsageError(cmd,
                                        "--no-conflict is required: with it you declare that no "
                                        "ground for recusal exists (OMR Art. 13); if one does, "
                                        "use 'odr case decline'");
                    }
                    v1::AcceptAssignmentRequest req;
                    req.set_name(CaseName(f->name));
                    req.set_no_conflict_declared(true);
                    return SendCaseMutation(*g, f->request_id, req,
                                            &client::CaseClient::AcceptAssignment);
                  }});
}

void AddDecline(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, reason, request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "decline", "The proposed mediator declines, with a reason: the case returns to assignment");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--reason", f->reason, "why, 1-1000 characters; kept in the case")
      ->type_name("TEXT")
      ->required();
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(R"(
The case returns to assignment (OMR Art. 12).
)",
                           kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [f, g]() -> int {
                    v1::DeclineAssignmentRequest req;
                    req.set_name(CaseName(f->name));
                    req.set_reason(f->reason);
                    return SendCaseMutation(*g, f->request_id, req,
                                            &client::CaseClient::DeclineAssignment);
                  }});
}

void AddRecuse(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, mediator, reason, request_id;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "recuse",
      "Replace a mediator: a party asks for another, or the mediator recuses (OMR Art. 14)");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--mediator", f->mediator, "the mediator to replace (MEDIATOR below)")
      ->type_name("MEDIATOR")
      ->required();
  cmd->add_option("--reason", f->reason, "why, 1-1000 characters; kept in the case")
      ->type_name("TEXT")
      ->required();
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(kMediatorHelp, R"(
The mediator is released and may not be proposed again for this case; the case returns to
  assignment.
)",
                           kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::ReplaceMediatorRequest req;
                    req.set_name(CaseName(f->name));
                    absl::StatusOr<std::string> mediator = MediatorName(f->mediator, "--mediator");
                    if (!mediator.ok()) return UsageError(cmd, mediator.status().message());
                    req.set_mediator(*mediator);
                    req.set_reason(f->reason);
                    return SendCaseMutation(*g, f->request_id, req,
                                            &client::CaseClient::ReplaceMediator);
                  }});
}

void AddContactRespondent(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, note;
    bool agreed = false, refused = false, unreachable = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "contact-respondent",
      "Record the mediator's contact with the respondent: MEDIATOR_ASSIGNED -> MEDIATING "
      "(agreed) or CLOSED (refused, unreachable)");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  CLI::Option* agreed =
      cmd->add_flag("--agreed", f->agreed, "the respondent agrees to mediation: MEDIATING");
  CLI::Option* refused = cmd->add_flag("--refused", f->refused,
                                       "the respondent refuses mediation: the case is CLOSED");
  CLI::Option* unreachable = cmd->add_flag(
      "--unreachable", f->unreachable,
      "the respondent cannot be reached: online mediation ends, CLOSED (needs --note)");
  agreed->excludes(refused)->excludes(unreachable);
  refused->excludes(agreed)->excludes(unreachable);
  unreachable->excludes(agreed)->excludes(refused);
  cmd->add_option("--note", f->note,
                  "at most 500 characters, kept in the timeline; with --unreachable, how the "
                  "respondent was sought (required)")
      ->type_name("TEXT");
  cmd->footer(absl::StrCat(R"(
The mediator contacts the respondent within 3 working days of accepting the case (OMR Art. 15;
  'odr deadline list' shows the deadline). If the respondent refuses, mediation ends (PML Art.
  17); if the respondent cannot be reached, online mediation ends and a court-diverted case's
  materials go back to the court (OMR Arts. 15, 25(三)). For the case's mediators and the
  organization's admins.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    if (!f->agreed && !f->refused && !f->unreachable) {
                      return UsageError(cmd, "give --agreed, --refused or --unreachable");
                    }
                    v1::RecordRespondentContactRequest req;
                    req.set_name(CaseName(f->name));
                    req.set_outcome(f->agreed ? v1::RecordRespondentContactRequest::OUTCOME_AGREED
                                    : f->refused
                                        ? v1::RecordRespondentContactRequest::OUTCOME_REFUSED
                                        : v1::RecordRespondentContactRequest::OUTCOME_UNREACHABLE);
                    req.set_note(f->note);
                    Session s(*g);
                    auto r = s.deadlines().RecordRespondentContact(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddEvents(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("events", "Show a case's timeline, oldest first");
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  f->page.Add(cmd, "events", 100, 1000);
  out->push_back({cmd, [f, g]() -> int {
                    v1::ListCaseEventsRequest req;
                    req.set_parent(CaseName(f->name));
                    Session s(*g);
                    return ListAndPrint(
                        s, req, f->page, [&](const auto& r) { return s.cases().ListCaseEvents(r); },
                        [](v1::ListCaseEventsResponse* r) { return r->mutable_events(); });
                  }});
}

constexpr char kRecordHelp[] = R"(
KIND (docs/procedure.md, "The record of voluntariness"; CPL Interpretation Art. 358(四)):
  mediation-consent, diversion-consent, notice-acknowledged, service-address-confirmed,
  recording-consent, separate-session-consent, replacement-refused   --party
  identity-verified (--manner required), false-mediation-warning      --party
  minutes-confirmed                                                  --party --appointment
  conflict-waived                                                    --party --mediator
  recusal-requested (--detail: the grounds)                          --party --mediator
  conflict-disclosed (--detail)                                      --mediator
  recusal-decided (--granted or not)                                 --mediator
  presiding-mediator                                                 --mediator
  undisputed-facts (--detail: the facts, --manner: how confirmed)
  false-mediation-suspected (--detail)
A party records its own consents and confirmations (or its agent does); the case's mediator or
  organization may record them for it, saying how it gave them with --manner. replacement-refused
  closes the case (OMR Art. 14). The confirmation pre-check warns of what is missing.
PARTY: applicants/N or respondents/N. MEDIATOR: principals/ID or ID (the mediator's account).
)";

void AddRecord(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string kind, name, party, mediator, manner, detail, appointment;
    bool granted = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "record", "Record a consent, notice, identity check, minutes, disclosure or recusal");
  cmd->add_option("KIND", f->kind, "what is recorded (KIND below)")->required();
  cmd->add_option("NAME", f->name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--party", f->party, "the party it concerns")->type_name("PARTY");
  cmd->add_option("--mediator", f->mediator, "the mediator it concerns")->type_name("MEDIATOR");
  cmd->add_option("--manner", f->manner, "how it was given or done, at most 200 characters")
      ->type_name("TEXT");
  cmd->add_option("--detail", f->detail, "the facts, disclosure or grounds, at most 2000")
      ->type_name("TEXT");
  cmd->add_option("--appointment", f->appointment,
                  "the session whose minutes were confirmed: an appointment ID of the case")
      ->type_name("ID");
  cmd->add_flag("--granted", f->granted, "recusal-decided: the recusal is granted");
  cmd->footer(kRecordHelp);
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         v1::RecordProcedureRequest req;
         req.set_parent(CaseName(f->name));
         v1::ProcedureRecord* r = req.mutable_record();
         std::string enum_name = "KIND_" + f->kind;
         for (char& ch : enum_name) {
           ch = ch == '-' ? '_' : static_cast<char>(std::toupper(ch));
         }
         v1::ProcedureRecord::Kind kind;
         if (!v1::ProcedureRecord::Kind_Parse(enum_name, &kind) ||
             kind == v1::ProcedureRecord::KIND_UNSPECIFIED) {
           return UsageError(
               cmd, absl::StrCat("KIND: unknown record kind \"", f->kind, "\" (see KIND below)"));
         }
         r->set_kind(kind);
         if (!f->party.empty()) {
           absl::StatusOr<std::string> party = ParsePartyRef(f->party, "--party");
           if (!party.ok()) return UsageError(cmd, party.status().message());
           r->set_party(*party);
         }
         if (!f->mediator.empty()) {
           r->set_mediator(absl::StartsWith(f->mediator, "principals/")
                               ? f->mediator
                               : absl::StrCat("principals/", f->mediator));
         }
         r->set_manner(f->manner);
         r->set_detail(f->detail);
         if (!f->appointment.empty()) {
           r->set_appointment(absl::StrContains(f->appointment, "/")
                                  ? f->appointment
                                  : absl::StrCat(req.parent(), "/appointments/", f->appointment));
         }
         r->set_granted(f->granted);
         return Send(*g, &Session::cases, &client::CaseClient::RecordProcedure, req);
       }});
}

void AddRecords(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand(
      "records", "List a case's procedure records (consents, notices, minutes ...), oldest first");
  cmd->add_option("NAME", *name, "the case: cases/ID or just ID")->required();
  cmd->footer(kRecordHelp);
  out->push_back({cmd, [name, g]() -> int {
                    v1::ListProcedureRecordsRequest req;
                    req.set_parent(CaseName(*name));
                    return Send(*g, &Session::cases, &client::CaseClient::ListProcedureRecords,
                                req);
                  }});
}

}  // namespace case_commands_impl

std::vector<Command> AddCaseCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace case_commands_impl;
  std::vector<Command> out;
  CLI::App* c =
      app->add_subcommand("case", "Mediation cases: create, read, change state, get a mediator");
  AddCreate(c, globals, &out);
  AddGet(c, globals, &out);
  AddList(c, globals, &out);
  AddUpdate(c, globals, &out);
  AddTransition<v1::SubmitCaseRequest>(c, globals, &out, "submit",
                                       "DRAFT -> SUBMITTED: put the case before the organization",
                                       ReasonFlag::kNone, &client::CaseClient::SubmitCase);
  AddTransition<v1::AcceptCaseRequest>(c, globals, &out, "accept",
                                       "SUBMITTED -> ACCEPTED: the organization takes the case",
                                       ReasonFlag::kNone, &client::CaseClient::AcceptCase);
  AddTransition<v1::WithdrawCaseRequest>(
      c, globals, &out, "withdraw",
      "DRAFT, SUBMITTED or ACCEPTED -> WITHDRAWN: the applicant withdraws", ReasonFlag::kOptional,
      &client::CaseClient::WithdrawCase);
  AddTransition<v1::CloseCaseRequest>(
      c, globals, &out, "close",
      "SUBMITTED ... MEDIATING -> CLOSED: the organization or mediator declines or terminates "
      "(OMR Art. 25)",
      ReasonFlag::kRequired, &client::CaseClient::CloseCase);
  AddRecommend(c, globals, &out);
  AddAssign(c, globals, &out);
  AddAutoAssign(c, globals, &out);
  AddChoose(c, globals, &out);
  AddAcceptAssignment(c, globals, &out);
  AddDecline(c, globals, &out);
  AddRecuse(c, globals, &out);
  AddContactRespondent(c, globals, &out);
  AddEvents(c, globals, &out);
  AddRecord(c, globals, &out);
  AddRecords(c, globals, &out);
  return out;
}

}  // namespace odr::cli
