#include "client/roster_commands.h"

#include <limits>
#include <memory>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/case_client.h"
#include "client/cli_input.h"
#include "client/cli_output.h"

namespace odr::cli {
namespace roster_commands_impl {

constexpr char kTypeHelp[] = R"(
TYPE: medical, neighbour, labour, debt-contract, family-inheritance, traffic-accident,
  property-land, consumer-ecommerce, other.
)";

constexpr char kLanguageHelp[] = R"(
LANG: a language or dialect code from docs/api.md, e.g. zh (Mandarin), zh-wuu (Wu, e.g. the
  Zhuji dialect), zh-yue (Cantonese), en. odrd refuses unknown codes, naming the field.
)";

constexpr char kMediatorNameHelp[] = R"(
A mediator's NAME is organizations/ORG/mediators/ID, or just ORG/ID.
)";

constexpr char kRepeatHelp[] = R"(
Flags marked repeatable take one value each time, or several separated by commas:
  --specialty medical --specialty labour, or --specialty medical,labour.
)";

// Adds a repeatable list flag: `--flag a --flag b` or `--flag a,b`.
CLI::Option* AddListFlag(CLI::App* cmd, const std::string& name, std::vector<std::string>* values,
                         const std::string& description, const std::string& type_name) {
  return cmd->add_option(name, *values, description)
      ->type_name(type_name)
      ->allow_extra_args(false)
      ->delimiter(',');
}

// --- odr org ---

void AddOrgCreate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string id, display_name, kind, region, court;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      parent->add_subcommand("create", "Create a mediation organization (platform admins)");
  cmd->add_option("ID", f->id, "the id of organizations/ID: 1-64 of a-z, 0-9, '-'")->required();
  cmd->add_option("--name", f->display_name, "the organization's name, 1-100 characters")
      ->type_name("NAME")
      ->required();
  cmd->add_option("--kind", f->kind, "what kind of organization (KIND below)")
      ->type_name("KIND")
      ->required();
  cmd->add_option("--region", f->region, "administrative division, 6 digits, e.g. 330681")
      ->type_name("CODE")
      ->required();
  cmd->add_option("--court", f->court, "the court it is affiliated with: courts/ID or just ID")
      ->type_name("COURT");
  cmd->footer(absl::StrCat(R"(
KIND: people (people's mediation committee, 人民调解委员会), industry (industry or professional
  mediation: medical, labour, traffic ...), court-invited (特邀调解), lawyer, administrative,
  commercial, other.
The organization's admins are accounts with role org_admin in it ('odrd admin
  create-principal --role org_admin --organization organizations/ID').
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::CreateOrganizationRequest req;
                    req.set_organization_id(f->id);
                    v1::Organization* o = req.mutable_organization();
                    absl::StatusOr<v1::OrganizationKind> kind = ParseOrganizationKind(f->kind);
                    if (!kind.ok()) return UsageError(cmd, kind.status().message());
                    o->set_kind(*kind);
                    o->set_display_name(f->display_name);
                    o->set_region_code(f->region);
                    o->set_affiliated_court(ResourceName("courts", f->court));
                    Session s(*g);
                    auto r = s.roster().CreateOrganization(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddOrgGet(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("get", "Show an organization");
  cmd->add_option("NAME", *name, "the organization: organizations/ID or just ID")->required();
  out->push_back({cmd, [name, g]() -> int {
                    v1::GetOrganizationRequest req;
                    req.set_name(ResourceName("organizations", *name));
                    Session s(*g);
                    auto r = s.roster().GetOrganization(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddOrgList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string region_prefix;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("list", "List mediation organizations");
  cmd->add_option("--region-prefix", f->region_prefix,
                  "only those whose region code starts with this: 2, 4 or 6 digits, e.g. 3306")
      ->type_name("PREFIX");
  f->page.Add(cmd, "organizations", 100, 1000);
  out->push_back(
      {cmd, [f, g]() -> int {
         v1::ListOrganizationsRequest req;
         req.set_region_prefix(f->region_prefix);
         Session s(*g);
         return ListAndPrint(
             s, req, f->page,
             [&s](const v1::ListOrganizationsRequest& r) {
               return s.roster().ListOrganizations(r);
             },
             [](v1::ListOrganizationsResponse* r) { return r->mutable_organizations(); });
       }});
}

// --- odr mediator ---

// The mediator's fields as flags, shared by create and update.
struct MediatorFlags {
  std::string display_name, profile, region, employment, fee, id_type, id_number, phone;
  std::vector<std::string> specialties, languages, related_ids;
  int max_cases = 0;
  CLI::Option* display_name_opt = nullptr;
  CLI::Option* profile_opt = nullptr;
  CLI::Option* specialties_opt = nullptr;
  CLI::Option* languages_opt = nullptr;
  CLI::Option* region_opt = nullptr;
  CLI::Option* employment_opt = nullptr;
  CLI::Option* fee_opt = nullptr;
  CLI::Option* max_cases_opt = nullptr;
  CLI::Option* id_type_opt = nullptr;
  CLI::Option* id_number_opt = nullptr;
  CLI::Option* phone_opt = nullptr;
  CLI::Option* related_opt = nullptr;

  // With `create`, the flags that a new mediator needs are required.
  void Add(CLI::App* cmd, bool create) {
    const std::string pub = "Public profile";
    const std::string priv = "Private details, for conflict screening (seen by the org's admins)";
    display_name_opt = cmd->add_option("--name", display_name, "the mediator's name, 1-100 chars")
                           ->type_name("NAME")
                           ->group(pub);
    profile_opt = cmd->add_option("--public-profile", profile,
                                  "background and experience, at most 2000 characters")
                      ->type_name("TEXT")
                      ->group(pub);
    specialties_opt =
        AddListFlag(cmd, "--specialty", &specialties,
                    "a dispute type the mediator handles (TYPE below); repeatable, 1-9", "TYPE")
            ->group(pub);
    languages_opt = AddListFlag(cmd, "--language", &languages,
                                "a language or dialect spoken (LANG below); repeatable", "LANG")
                        ->group(pub);
    region_opt = cmd->add_option("--region", region, "where the mediator works, 6 digits")
                     ->type_name("CODE")
                     ->group(pub);
    employment_opt = cmd->add_option("--employment", employment, "full-time or part-time")
                         ->type_name("full-time|part-time")
                         ->group(pub);
    fee_opt = cmd->add_option("--fee", fee, "fee per case in yuan, up to 2 decimals; 0: free")
                  ->type_name("YUAN")
                  ->group(pub);
    max_cases_opt = cmd->add_option("--max-cases", max_cases, "most concurrent cases, 1-200")
                        ->type_name("N")
                        ->group(pub);
    id_type_opt = cmd->add_option("--id-type", id_type,
                                  "the ID document: resident-id (default), passport, permit, "
                                  "foreign-resident")
                      ->type_name("TYPE")
                      ->group(priv);
    id_number_opt = cmd->add_option("--id-number", id_number, "the ID document's number")
                        ->type_name("NUMBER")
                        ->group(priv);
    phone_opt =
        cmd->add_option("--phone", phone, "the mediator's phone")->type_name("PHONE")->group(priv);
    related_opt =
        AddListFlag(cmd, "--related-id", &related_ids,
                    create ? "ID number of a near relative or business interest; repeatable"
                           : "ID number of a near relative or business interest; repeatable; "
                             "replaces the list ('' empties it)",
                    "NUMBER")
            ->group(priv);
    if (create) {
      for (CLI::Option* o : {display_name_opt, specialties_opt, languages_opt, region_opt,
                             employment_opt, max_cases_opt, id_number_opt, phone_opt}) {
        o->required();
      }
    }
  }

  // Applies the given flags to *m and adds their update_mask paths to *mask.
  absl::Status Apply(v1::Mediator* m, std::set<std::string>* mask) const {
    if (display_name_opt->count() > 0) {
      m->set_display_name(display_name);
      mask->insert("display_name");
    }
    if (profile_opt->count() > 0) {
      m->set_profile(profile);
      mask->insert("profile");
    }
    if (specialties_opt->count() > 0) {
      m->clear_specialties();
      for (const std::string& t : specialties) {
        absl::StatusOr<v1::DisputeType> type = ParseDisputeType(t, "--specialty");
        if (!type.ok()) return type.status();
        m->add_specialties(*type);
      }
      mask->insert("specialties");
    }
    if (languages_opt->count() > 0) {
      m->clear_languages();
      for (const std::string& l : languages) m->add_languages(l);
      mask->insert("languages");
    }
    if (region_opt->count() > 0) {
      m->set_region_code(region);
      mask->insert("region_code");
    }
    if (employment_opt->count() > 0) {
      absl::StatusOr<v1::Mediator::Employment> e = ParseEmployment(employment);
      if (!e.ok()) return e.status();
      m->set_employment(*e);
      mask->insert("employment");
    }
    if (fee_opt->count() > 0) {
      absl::StatusOr<int64_t> fen = ParseYuanToFen(fee, "--fee");
      if (!fen.ok()) return fen.status();
      m->set_fee_fen(*fen);
      mask->insert("fee_fen");
    }
    if (max_cases_opt->count() > 0) {
      m->set_max_concurrent_cases(max_cases);
      mask->insert("max_concurrent_cases");
    }
    if (AnyPrivate()) {
      v1::Mediator::PrivateDetails* p = m->mutable_private_details();
      if (id_type_opt->count() > 0) {
        absl::StatusOr<v1::IdDocumentType> t = ParseIdDocumentType(id_type, "--id-type");
        if (!t.ok()) return t.status();
        p->set_id_document_type(*t);
      }
      if (id_number_opt->count() > 0) p->set_id_number(id_number);
      if (phone_opt->count() > 0) p->set_phone(phone);
      if (related_opt->count() > 0) {
        p->clear_related_id_numbers();
        for (const std::string& id : related_ids) {
          if (!id.empty()) p->add_related_id_numbers(id);
        }
      }
      mask->insert("private_details");
    }
    return absl::OkStatus();
  }

  bool AnyPrivate() const {
    return id_type_opt->count() + id_number_opt->count() + phone_opt->count() +
               related_opt->count() >
           0;
  }
};

void AddMediatorCreate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string org, id, principal;
    MediatorFlags fields;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "create", "Put a mediator on an organization's roster (the organization's admins)");
  cmd->add_option("ORG", f->org, "the organization: organizations/ID or just ID")->required();
  cmd->add_option("ID", f->id, "the id of the mediator in it: 1-64 of a-z, 0-9, '-'")->required();
  cmd->add_option("--principal", f->principal,
                  "the mediator's account, principals/ID or just ID: a mediator of the same "
                  "organization")
      ->type_name("PRINCIPAL")
      ->required();
  f->fields.Add(cmd, /*create=*/true);
  cmd->footer(absl::StrCat(kTypeHelp, kLanguageHelp, kRepeatHelp, R"(
The ID number, phone and related ID numbers screen out conflicts: odrd does not propose a
  mediator who is a party or agent, shares an ID number or phone with one, or is related to one.
  They are shown to the organization's admins only; everything else is the public roster.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::CreateMediatorRequest req;
                    req.set_parent(ResourceName("organizations", f->org));
                    req.set_mediator_id(f->id);
                    v1::Mediator* m = req.mutable_mediator();
                    std::set<std::string> mask;
                    if (absl::Status st = f->fields.Apply(m, &mask); !st.ok()) {
                      return UsageError(cmd, st.message());
                    }
                    if (f->fields.id_type_opt->count() == 0) {
                      m->mutable_private_details()->set_id_document_type(
                          v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
                    }
                    m->set_principal(ResourceName("principals", f->principal));
                    Session s(*g);
                    auto r = s.roster().CreateMediator(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

// The NAME argument of a mediator command, or a usage error.
absl::StatusOr<std::string> MediatorArg(const std::string& text) {
  return MediatorName(text, "NAME");
}

void AddMediatorGet(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("get", "Show a mediator's public profile and load");
  cmd->add_option("NAME", *name, "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->required();
  cmd->footer(absl::StrCat(kMediatorNameHelp, R"(
The organization's admins also see which private details are on file (-o json shows them).
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, name, g]() -> int {
                    absl::StatusOr<std::string> n = MediatorArg(*name);
                    if (!n.ok()) return UsageError(cmd, n.status().message());
                    v1::GetMediatorRequest req;
                    req.set_name(*n);
                    Session s(*g);
                    auto r = s.roster().GetMediator(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddMediatorList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string org = "-", specialty, region_prefix, language;
    bool accepting = false;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("list", "The public roster: mediators, with filters");
  cmd->add_option("--org", f->org,
                  "only this organization's: organizations/ID or just ID (default: every "
                  "organization, organizations/-)")
      ->type_name("ORG");
  cmd->add_option("--specialty", f->specialty, "only those handling this dispute type (TYPE below)")
      ->type_name("TYPE");
  cmd->add_option("--region-prefix", f->region_prefix,
                  "only those whose region code starts with this: 2, 4 or 6 digits")
      ->type_name("PREFIX");
  cmd->add_option("--language", f->language, "only those who speak this (LANG below)")
      ->type_name("LANG");
  cmd->add_flag("--accepting", f->accepting, "only active mediators below their capacity");
  f->page.Add(cmd, "mediators", 50, 500);
  cmd->footer(absl::StrCat(kTypeHelp, kLanguageHelp, R"(
LOAD is the cases a mediator is proposed for or handles, of the most they take.
)",
                           cmd->get_footer()));
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         v1::ListMediatorsRequest req;
         req.set_parent(ResourceName("organizations", f->org.empty() ? "-" : f->org));
         if (!f->specialty.empty()) {
           absl::StatusOr<v1::DisputeType> t = ParseDisputeType(f->specialty, "--specialty");
           if (!t.ok()) return UsageError(cmd, t.status().message());
           req.set_specialty(*t);
         }
         req.set_region_prefix(f->region_prefix);
         req.set_language(f->language);
         req.set_accepting_cases(f->accepting);
         Session s(*g);
         return ListAndPrint(
             s, req, f->page,
             [&s](const v1::ListMediatorsRequest& r) { return s.roster().ListMediators(r); },
             [](v1::ListMediatorsResponse* r) { return r->mutable_mediators(); });
       }});
}

void AddMediatorUpdate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, etag;
    MediatorFlags fields;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      parent->add_subcommand("update", "Change a mediator's profile (the organization's admins)");
  cmd->add_option("NAME", f->name, "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->required();
  cmd->add_option("--etag", f->etag, "the etag that 'odr mediator get' shows (quote it)")
      ->type_name("ETAG")
      ->required();
  f->fields.Add(cmd, /*create=*/false);
  cmd->footer(absl::StrCat(kMediatorNameHelp, kTypeHelp, kLanguageHelp, kRepeatHelp, R"(
Only the fields given change; --specialty, --language and --related-id replace their whole list.
  The private details change together: odr reads the others from odrd and sends them back.
If the mediator changed since the --etag, odrd refuses (exit 1) and nothing changes.
The account (--principal) cannot change; the state changes with suspend and reactivate.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = MediatorArg(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::UpdateMediatorRequest req;
                    v1::Mediator* m = req.mutable_mediator();
                    std::set<std::string> mask;
                    if (absl::Status st = f->fields.Apply(m, &mask); !st.ok()) {
                      return UsageError(cmd, st.message());
                    }
                    if (mask.empty()) {
                      return UsageError(
                          cmd,
                          "nothing to update: give a field flag (--name, --public-profile, "
                          "--specialty, --language, --region, --employment, --fee, "
                          "--max-cases, --id-type, --id-number, --phone, --related-id)");
                    }
                    m->set_name(*name);
                    m->set_etag(f->etag);
                    Session s(*g);
                    if (f->fields.AnyPrivate()) {
                      // private_details is replaced as a whole: start from the current one.
                      v1::GetMediatorRequest get;
                      get.set_name(*name);
                      auto current = s.roster().GetMediator(get);
                      if (!current.ok()) return s.Fail(current.status());
                      v1::Mediator::PrivateDetails merged = current->private_details();
                      const v1::Mediator::PrivateDetails& given = m->private_details();
                      if (f->fields.id_type_opt->count() > 0) {
                        merged.set_id_document_type(given.id_document_type());
                      }
                      if (f->fields.id_number_opt->count() > 0)
                        merged.set_id_number(given.id_number());
                      if (f->fields.phone_opt->count() > 0) merged.set_phone(given.phone());
                      if (f->fields.related_opt->count() > 0) {
                        *merged.mutable_related_id_numbers() = given.related_id_numbers();
                      }
                      *m->mutable_private_details() = std::move(merged);
                    }
                    for (const std::string& path : mask) req.mutable_update_mask()->add_paths(path);
                    auto r = s.roster().UpdateMediator(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddMediatorSuspend(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, reason;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "suspend", "Stop proposing a mediator for new cases (the organization's admins)");
  cmd->add_option("NAME", f->name, "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->required();
  cmd->add_option("--reason", f->reason, "why, 1-1000 characters")->type_name("TEXT")->required();
  cmd->footer(absl::StrCat(kMediatorNameHelp, R"(
A suspended mediator keeps the cases already accepted; 'odr mediator reactivate' undoes this.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = MediatorArg(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::SuspendMediatorRequest req;
                    req.set_name(*name);
                    req.set_reason(f->reason);
                    Session s(*g);
                    auto r = s.roster().SuspendMediator(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddMediatorReactivate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand(
      "reactivate", "Let a suspended mediator take cases again (the organization's admins)");
  cmd->add_option("NAME", *name, "the mediator: organizations/ORG/mediators/ID or ORG/ID")
      ->required();
  out->push_back({cmd, [cmd, name, g]() -> int {
                    absl::StatusOr<std::string> n = MediatorArg(*name);
                    if (!n.ok()) return UsageError(cmd, n.status().message());
                    v1::ReactivateMediatorRequest req;
                    req.set_name(*n);
                    Session s(*g);
                    auto r = s.roster().ReactivateMediator(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

// --- odr pool ---

void AddPoolCreate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string org, id, display_name;
    std::vector<std::string> types, regions, mediators;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "create", "Create a pool: mediators serving dispute types and regions (org admins)");
  cmd->add_option("ORG", f->org, "the organization: organizations/ID or just ID")->required();
  cmd->add_option("ID", f->id, "the id of the pool in it: 1-64 of a-z, 0-9, '-'")->required();
  cmd->add_option("--name", f->display_name, "the pool's name, e.g. 诸暨医疗纠纷")
      ->type_name("NAME")
      ->required();
  AddListFlag(cmd, "--dispute-type", &f->types,
              "a dispute type it serves (TYPE below); repeatable; none: all", "TYPE");
  AddListFlag(cmd, "--region", &f->regions,
              "a region code (or a 2- or 4-digit prefix) it serves; repeatable; none: all", "CODE");
  AddListFlag(cmd, "--mediator", &f->mediators,
              "a mediator of the organization: organizations/ORG/mediators/ID, ORG/ID or just "
              "ID; repeatable",
              "MEDIATOR")
      ->required();
  cmd->footer(absl::StrCat(kTypeHelp, kRepeatHelp, R"(
'odr case recommend --pool' and 'odr case auto-assign --pool' pick from a pool's mediators.
)",
                           cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::CreatePoolRequest req;
                    req.set_parent(ResourceName("organizations", f->org));
                    req.set_pool_id(f->id);
                    v1::Pool* p = req.mutable_pool();
                    p->set_display_name(f->display_name);
                    for (const std::string& t : f->types) {
                      absl::StatusOr<v1::DisputeType> type = ParseDisputeType(t, "--dispute-type");
                      if (!type.ok()) return UsageError(cmd, type.status().message());
                      p->add_dispute_types(*type);
                    }
                    for (const std::string& r : f->regions) p->add_region_codes(r);
                    for (const std::string& m : f->mediators) {
                      absl::StatusOr<std::string> name = MediatorName(m, "--mediator", f->org);
                      if (!name.ok()) return UsageError(cmd, name.status().message());
                      p->add_mediators(*name);
                    }
                    Session s(*g);
                    auto r = s.roster().CreatePool(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddPoolGet(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("get", "Show a pool and its mediators");
  cmd->add_option("NAME", *name, "the pool: organizations/ORG/pools/ID or ORG/ID")->required();
  out->push_back({cmd, [cmd, name, g]() -> int {
                    absl::StatusOr<std::string> n = PoolName(*name, "NAME");
                    if (!n.ok()) return UsageError(cmd, n.status().message());
                    v1::GetPoolRequest req;
                    req.set_name(*n);
                    Session s(*g);
                    auto r = s.roster().GetPool(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddPoolList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string org;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("list", "List an organization's pools");
  cmd->add_option("ORG", f->org, "the organization: organizations/ID or just ID")->required();
  f->page.Add(cmd, "pools", 50, 500);
  out->push_back({cmd, [f, g]() -> int {
                    v1::ListPoolsRequest req;
                    req.set_parent(ResourceName("organizations", f->org));
                    Session s(*g);
                    return ListAndPrint(
                        s, req, f->page,
                        [&s](const v1::ListPoolsRequest& r) { return s.roster().ListPools(r); },
                        [](v1::ListPoolsResponse* r) { return r->mutable_pools(); });
                  }});
}

}  // namespace roster_commands_impl

std::vector<Command> AddRosterCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace roster_commands_impl;
  std::vector<Command> out;
  CLI::App* org = app->add_subcommand("org", "Mediation organizations");
  AddOrgCreate(org, globals, &out);
  AddOrgGet(org, globals, &out);
  AddOrgList(org, globals, &out);
  CLI::App* mediator =
      app->add_subcommand("mediator", "The roster: organizations' mediators, public profiles");
  AddMediatorCreate(mediator, globals, &out);
  AddMediatorGet(mediator, globals, &out);
  AddMediatorList(mediator, globals, &out);
  AddMediatorUpdate(mediator, globals, &out);
  AddMediatorSuspend(mediator, globals, &out);
  AddMediatorReactivate(mediator, globals, &out);
  CLI::App* pool = app->add_subcommand("pool", "Pools: named sets of an organization's mediators");
  AddPoolCreate(pool, globals, &out);
  AddPoolGet(pool, globals, &out);
  AddPoolList(pool, globals, &out);
  return out;
}

}  // namespace odr::cli
