#include "server/roster_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/roster.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"

namespace odr::server {
namespace {

using google::protobuf::util::TimeUtil;

std::optional<domain::OrganizationKind> KindFromApi(int k) {
  switch (k) {
    case v1::ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE:
      return domain::OrganizationKind::kPeoplesMediationCommittee;
    case v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL:
      return domain::OrganizationKind::kIndustryProfessional;
    case v1::ORGANIZATION_KIND_COURT_INVITED:
      return domain::OrganizationKind::kCourtInvited;
    case v1::ORGANIZATION_KIND_LAWYER:
      return domain::OrganizationKind::kLawyer;
    case v1::ORGANIZATION_KIND_ADMINISTRATIVE:
      return domain::OrganizationKind::kAdministrative;
    case v1::ORGANIZATION_KIND_COMMERCIAL:
      return domain::OrganizationKind::kCommercial;
    case v1::ORGANIZATION_KIND_OTHER:
      return domain::OrganizationKind::kOther;
    default:
      return std::nullopt;
  }
}

v1::OrganizationKind KindToApi(domain::OrganizationKind k) {
  switch (k) {
    case domain::OrganizationKind::kPeoplesMediationCommittee:
      return v1::ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE;
    case domain::OrganizationKind::kIndustryProfessional:
      return v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL;
    case domain::OrganizationKind::kCourtInvited:
      return v1::ORGANIZATION_KIND_COURT_INVITED;
    case domain::OrganizationKind::kLawyer:
      return v1::ORGANIZATION_KIND_LAWYER;
    case domain::OrganizationKind::kAdministrative:
      return v1::ORGANIZATION_KIND_ADMINISTRATIVE;
    case domain::OrganizationKind::kCommercial:
      return v1::ORGANIZATION_KIND_COMMERCIAL;
    case domain::OrganizationKind::kOther:
      return v1::ORGANIZATION_KIND_OTHER;
  }
  return v1::ORGANIZATION_KIND_UNSPECIFIED;
}

void OrganizationToApi(const domain::Organization& o, v1::Organization* out) {
  out->set_name(absl::StrCat("organizations/", o.id));
  out->set_display_name(o.display_name);
  out->set_kind(KindToApi(o.kind));
  out->set_region_code(o.region_code);
  if (!o.affiliated_court_id.empty()) {
    out->set_affiliated_court(absl::StrCat("courts/", o.affiliated_court_id));
  }
  *out->mutable_create_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(o.create_time));
  out->set_etag(Etag(o.version));
}

void MediatorToApi(const domain::Mediator& m, bool private_details, v1::Mediator* out) {
  out->set_name(absl::StrCat("organizations/", m.organization_id, "/mediators/", m.id));
  out->set_display_name(m.display_name);
  out->set_profile(m.profile);
  for (auto t : m.specialties) out->add_specialties(DisputeTypeToApi(t));
  for (const auto& l : m.languages) out->add_languages(l);
  out->set_region_code(m.region_code);
  out->set_employment(m.employment == domain::Employment::kPartTime
                          ? v1::Mediator::EMPLOYMENT_PART_TIME
                          : v1::Mediator::EMPLOYMENT_FULL_TIME);
  out->set_fee_fen(m.fee_fen);
  out->set_max_concurrent_cases(m.max_concurrent_cases);
  out->set_state(m.suspended ? v1::Mediator::STATE_SUSPENDED : v1::Mediator::STATE_ACTIVE);
  out->set_active_cases(m.active_cases);
  out->set_principal(absl::StrCat("principals/", m.principal_id));
  out->set_recent_settled(m.recent_settled);
  out->set_recent_ended(m.recent_ended);
  out->set_etag(Etag(m.version));
  if (private_details) {
    auto* p = out->mutable_private_details();
    p->set_id_document_type(IdDocumentTypeToApi(m.id_document_type));
    p->set_id_number(m.id_number);
    p->set_phone(m.phone);
    for (const auto& r : m.related_id_numbers) p->add_related_id_numbers(r);
  }
}

// The client-settable fields of `in`; enum problems become violations.
domain::Mediator MediatorFromApi(const v1::Mediator& in, Violations* v) {
  domain::Mediator m;
  m.display_name = in.display_name();
  m.profile = in.profile();
  for (int i = 0; i < in.specialties_size(); ++i) {
    if (auto t = DisputeTypeFromApi(in.specialties(i))) {
      m.specialties.push_back(*t);
    } else {
      v->Add(absl::StrCat("mediator.specialties[", i, "]"), "is not a dispute type");
    }
  }
  for (const auto& l : in.languages()) m.languages.push_back(l);
  m.region_code = in.region_code();
  if (in.employment() == v1::Mediator::EMPLOYMENT_FULL_TIME) {
    m.employment = domain::Employment::kFullTime;
  } else if (in.employment() == v1::Mediator::EMPLOYMENT_PART_TIME) {
    m.employment = domain::Employment::kPartTime;
  } else {
    v->Add("mediator.employment", "is required: EMPLOYMENT_FULL_TIME or EMPLOYMENT_PART_TIME");
  }
  m.fee_fen = in.fee_fen();
  m.max_concurrent_cases = in.max_concurrent_cases();
  const auto& p = in.private_details();
  if (auto t = IdDocumentTypeFromApi(p.id_document_type())) {
    m.id_document_type = *t;
  } else {
    v->Add("mediator.private_details.id_document_type", "is required");
  }
  m.id_number = absl::AsciiStrToUpper(p.id_number());
  m.phone = p.phone();
  for (const auto& r : p.related_id_numbers()) {
    m.related_id_numbers.push_back(absl::AsciiStrToUpper(r));
  }
  return m;
}

absl::StatusOr<std::string> OrganizationId(absl::string_view name, absl::string_view field) {
  const std::string id = ResourceId(name, "organizations/");
  if (auto e = domain::CheckResourceId(id); !e.empty()) {
    return InvalidFieldError(std::string(field), "must be organizations/{organization}");
  }
  return id;
}

}  // namespace

grpc::ServerUnaryReactor* RosterServiceImpl::CreateOrganization(
    grpc::CallbackServerContext* ctx, const v1::CreateOrganizationRequest* req,
    v1::Organization* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/CreateOrganization", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_RETURN_IF_ERROR(domain::AuthorizeCreateOrganization(call.caller.principal));
        Violations v;
        domain::Organization o;
        o.id = req->organization_id();
        if (auto e = domain::CheckResourceId(o.id); !e.empty()) v.Add("organization_id", e);
        o.display_name = req->organization().display_name();
        if (auto k = KindFromApi(req->organization().kind())) {
          o.kind = *k;
        } else {
          v.Add("organization.kind", "is required (ORGANIZATION_KIND_...)");
        }
        o.region_code = req->organization().region_code();
        o.affiliated_court_id = ResourceId(req->organization().affiliated_court(), "courts/");
        domain::ValidateOrganization(o, "organization", &v);
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(domain::Organization created, roster_->CreateOrganization(o));
        OrganizationToApi(created, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::GetOrganization(grpc::CallbackServerContext* ctx,
                                                             const v1::GetOrganizationRequest* req,
                                                             v1::Organization* resp) {
  return runner_->Run(ctx, "/odr.v1.RosterService/GetOrganization", req,
                      [this, req, resp](const CallContext&) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(std::string id, OrganizationId(req->name(), "name"));
                        ODR_ASSIGN_OR_RETURN(domain::Organization o, roster_->GetOrganization(id));
                        OrganizationToApi(o, resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::ListOrganizations(
    grpc::CallbackServerContext* ctx, const v1::ListOrganizationsRequest* req,
    v1::ListOrganizationsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/ListOrganizations", req,
      [this, req, resp](const CallContext&) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(int limit, domain::EffectivePageSize(req->page_size(), 100, 1000));
        const std::string& prefix = req->region_prefix();
        if (!domain::IsRegionPrefix(prefix, /*allow_empty=*/true)) {
          return InvalidFieldError("region_prefix", "must be up to 6 digits");
        }
        std::string after;
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(domain::CaseCursor c,
                               domain::DecodePageToken(req->page_token(), prefix));
          after = c.id;
        }
        ODR_ASSIGN_OR_RETURN(auto orgs, roster_->ListOrganizations(prefix, after, limit));
        for (int i = 0; i < static_cast<int>(orgs.size()) && i < limit; ++i) {
          OrganizationToApi(orgs[i], resp->add_organizations());
        }
        if (static_cast<int>(orgs.size()) > limit) {
          resp->set_next_page_token(
              domain::EncodePageToken(prefix, domain::CaseCursor{"o", orgs[limit - 1].id}));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::CreateMediator(grpc::CallbackServerContext* ctx,
                                                            const v1::CreateMediatorRequest* req,
                                                            v1::Mediator* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/CreateMediator", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string org, OrganizationId(req->parent(), "parent"));
        ODR_RETURN_IF_ERROR(domain::AuthorizeManageOrganization(call.caller.principal, org));
        Violations v;
        domain::Mediator m = MediatorFromApi(req->mediator(), &v);
        m.organization_id = org;
        m.id = req->mediator_id();
        if (auto e = domain::CheckResourceId(m.id); !e.empty()) v.Add("mediator_id", e);
        domain::ValidateMediator(m, "mediator", &v);
        ODR_ASSIGN_OR_RETURN(const domain::Organization organization,
                             roster_->GetOrganization(org));
        domain::ValidateMediatorFee(m, organization.kind, "mediator", &v);
        m.principal_id = ResourceId(req->mediator().principal(), "principals/");
        if (auto e = domain::CheckResourceId(m.principal_id); !e.empty()) {
          v.Add("mediator.principal", e + " (principals/{principal})");
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        auto account = principals_->Get(m.principal_id);
        if (!account.ok() || account->role != domain::Role::kMediator ||
            account->organization_id != org) {
          return InvalidFieldError("mediator.principal",
                                   "must be an account with the mediator role in this "
                                   "organization (odrd admin create-principal --role mediator)");
        }
        ODR_ASSIGN_OR_RETURN(domain::Mediator created, roster_->CreateMediator(m));
        MediatorToApi(created, true, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::GetMediator(grpc::CallbackServerContext* ctx,
                                                         const v1::GetMediatorRequest* req,
                                                         v1::Mediator* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/GetMediator", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto name, ParseMediatorName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(domain::Mediator m, roster_->GetMediator(name.first, name.second));
        MediatorToApi(m, domain::MaySeeMediatorPrivateDetails(call.caller.principal, name.first),
                      resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::ListMediators(grpc::CallbackServerContext* ctx,
                                                           const v1::ListMediatorsRequest* req,
                                                           v1::ListMediatorsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/ListMediators", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        storage::MediatorQuery q;
        if (req->parent() != "organizations/-") {
          ODR_ASSIGN_OR_RETURN(q.organization_id, OrganizationId(req->parent(), "parent"));
        }
        ODR_ASSIGN_OR_RETURN(q.limit, domain::EffectivePageSize(req->page_size(), 50, 500));
        if (req->specialty() != v1::DISPUTE_TYPE_UNSPECIFIED) {
          q.specialty = DisputeTypeFromApi(req->specialty());
          if (!q.specialty) return InvalidFieldError("specialty", "is not a dispute type");
        }
        if (!req->region_prefix().empty()) {
          if (!domain::IsRegionPrefix(req->region_prefix(), /*allow_empty=*/false)) {
            return InvalidFieldError("region_prefix", "must be up to 6 digits");
          }
          q.region_prefix = req->region_prefix();
        }
        if (!req->language().empty()) {
          if (!domain::IsKnownLanguage(req->language())) {
            return InvalidFieldError("language", "is not a known language code");
          }
          q.language = req->language();
        }
        q.accepting_cases = req->accepting_cases();
        const std::string key =
            absl::StrCat(req->parent(), "\n", req->specialty(), "\n", req->region_prefix(), "\n",
                         req->language(), "\n", req->accepting_cases());
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(domain::CaseCursor c,
                               domain::DecodePageToken(req->page_token(), key));
          q.after = std::make_pair(c.key, c.id);
        }
        ODR_ASSIGN_OR_RETURN(std::vector<domain::Mediator> all, roster_->ListMediators(q));
        for (int i = 0; i < static_cast<int>(all.size()) && i < q.limit; ++i) {
          MediatorToApi(
              all[i],
              domain::MaySeeMediatorPrivateDetails(call.caller.principal, all[i].organization_id),
              resp->add_mediators());
        }
        if (static_cast<int>(all.size()) > q.limit) {
          const auto& last = all[q.limit - 1];
          resp->set_next_page_token(
              domain::EncodePageToken(key, domain::CaseCursor{last.organization_id, last.id}));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::UpdateMediator(grpc::CallbackServerContext* ctx,
                                                            const v1::UpdateMediatorRequest* req,
                                                            v1::Mediator* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/UpdateMediator", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto name, ParseMediatorName(req->mediator().name(), "mediator.name"));
        ODR_RETURN_IF_ERROR(domain::AuthorizeManageOrganization(call.caller.principal, name.first));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                             ParseEtag(req->mediator().etag(), "mediator.etag"));
        if (req->update_mask().paths_size() == 0) {
          return InvalidFieldError("update_mask", "is required");
        }
        ODR_ASSIGN_OR_RETURN(domain::Mediator current,
                             roster_->GetMediator(name.first, name.second));
        Violations parsed;
        domain::Mediator given = MediatorFromApi(req->mediator(), &parsed);
        // Problems converting the fields being updated count; the rest of the body is ignored.
        std::vector<std::string> prefixes;
        for (const std::string& path : req->update_mask().paths()) {
          prefixes.push_back("mediator." + path);
        }
        ODR_RETURN_IF_ERROR(parsed.KeepUnder(prefixes).ToStatus());
        domain::Mediator next = current;
        for (const std::string& path : req->update_mask().paths()) {
          if (path == "display_name") {
            next.display_name = given.display_name;
          } else if (path == "profile") {
            next.profile = given.profile;
          } else if (path == "specialties") {
            next.specialties = given.specialties;
          } else if (path == "languages") {
            next.languages = given.languages;
          } else if (path == "region_code") {
            next.region_code = given.region_code;
          } else if (path == "employment") {
            next.employment = given.employment;
          } else if (path == "fee_fen") {
            next.fee_fen = given.fee_fen;
          } else if (path == "max_concurrent_cases") {
            next.max_concurrent_cases = given.max_concurrent_cases;
          } else if (path == "private_details") {
            next.id_document_type = given.id_document_type;
            next.id_number = given.id_number;
            next.phone = given.phone;
            next.related_id_numbers = given.related_id_numbers;
          } else {
            return InvalidFieldError("update_mask",
                                     absl::StrCat("'", path.substr(0, 100), "' cannot be updated"));
          }
        }
        Violations v;
        domain::ValidateMediator(next, "mediator", &v);
        ODR_ASSIGN_OR_RETURN(const domain::Organization organization,
                             roster_->GetOrganization(next.organization_id));
        domain::ValidateMediatorFee(next, organization.kind, "mediator", &v);
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(domain::Mediator updated, roster_->UpdateMediator(next, version));
        MediatorToApi(updated, true, resp);
        return absl::OkStatus();
      });
}

namespace {

template <typename Req>
absl::Status Suspension(storage::RosterStore* roster, const CallContext& call, const Req& req,
                        bool suspend, v1::Mediator* resp) {
  ODR_ASSIGN_OR_RETURN(auto name, ParseMediatorName(req.name(), "name"));
  ODR_RETURN_IF_ERROR(domain::AuthorizeManageOrganization(call.caller.principal, name.first));
  ODR_ASSIGN_OR_RETURN(domain::Mediator m, roster->SetSuspended(name.first, name.second, suspend));
  MediatorToApi(m, true, resp);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* RosterServiceImpl::SuspendMediator(grpc::CallbackServerContext* ctx,
                                                             const v1::SuspendMediatorRequest* req,
                                                             v1::Mediator* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/SuspendMediator", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (auto e = domain::CheckText(req->reason(), 1, domain::Limits::kReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        return Suspension(roster_, call, *req, true, resp);
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::ReactivateMediator(
    grpc::CallbackServerContext* ctx, const v1::ReactivateMediatorRequest* req,
    v1::Mediator* resp) {
  return runner_->Run(ctx, "/odr.v1.RosterService/ReactivateMediator", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        return Suspension(roster_, call, *req, false, resp);
                      });
}

namespace {

void PoolToApi(const domain::Pool& p, v1::Pool* out) {
  out->set_name(absl::StrCat("organizations/", p.organization_id, "/pools/", p.id));
  out->set_display_name(p.display_name);
  for (auto t : p.dispute_types) out->add_dispute_types(DisputeTypeToApi(t));
  for (const auto& r : p.region_codes) out->add_region_codes(r);
  for (const auto& m : p.mediator_ids) {
    out->add_mediators(absl::StrCat("organizations/", p.organization_id, "/mediators/", m));
  }
  out->set_etag(Etag(p.version));
}

}  // namespace

grpc::ServerUnaryReactor* RosterServiceImpl::CreatePool(grpc::CallbackServerContext* ctx,
                                                        const v1::CreatePoolRequest* req,
                                                        v1::Pool* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/CreatePool", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string org, OrganizationId(req->parent(), "parent"));
        ODR_RETURN_IF_ERROR(domain::AuthorizeManageOrganization(call.caller.principal, org));
        Violations v;
        domain::Pool p;
        p.organization_id = org;
        p.id = req->pool_id();
        if (auto e = domain::CheckResourceId(p.id); !e.empty()) v.Add("pool_id", e);
        p.display_name = req->pool().display_name();
        for (int i = 0; i < req->pool().dispute_types_size(); ++i) {
          if (auto t = DisputeTypeFromApi(req->pool().dispute_types(i))) {
            p.dispute_types.push_back(*t);
          } else {
            v.Add(absl::StrCat("pool.dispute_types[", i, "]"), "is not a dispute type");
          }
        }
        for (const auto& r : req->pool().region_codes()) p.region_codes.push_back(r);
        for (int i = 0; i < req->pool().mediators_size(); ++i) {
          auto name = ParseMediatorName(req->pool().mediators(i), "pool.mediators");
          if (!name.ok() || name->first != org) {
            v.Add(absl::StrCat("pool.mediators[", i, "]"),
                  "must be a mediator of the pool's organization");
            continue;
          }
          p.mediator_ids.push_back(name->second);
        }
        domain::ValidatePool(p, "pool", &v);
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(domain::Pool created, roster_->CreatePool(p));
        PoolToApi(created, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::GetPool(grpc::CallbackServerContext* ctx,
                                                     const v1::GetPoolRequest* req,
                                                     v1::Pool* resp) {
  return runner_->Run(
      ctx, "/odr.v1.RosterService/GetPool", req,
      [this, req, resp](const CallContext&) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto name,
                             ParseChildName(req->name(), "organizations", "pools", "name"));
        ODR_ASSIGN_OR_RETURN(domain::Pool p, roster_->GetPool(name.first, name.second));
        PoolToApi(p, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RosterServiceImpl::ListPools(grpc::CallbackServerContext* ctx,
                                                       const v1::ListPoolsRequest* req,
                                                       v1::ListPoolsResponse* resp) {
  return runner_->Run(ctx, "/odr.v1.RosterService/ListPools", req,
                      [this, req, resp](const CallContext&) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(std::string org,
                                             OrganizationId(req->parent(), "parent"));
                        if (req->page_size() < 0) {
                          return InvalidFieldError("page_size", "must not be negative");
                        }
                        ODR_ASSIGN_OR_RETURN(auto pools, roster_->ListPools(org));
                        for (const auto& p : pools) PoolToApi(p, resp->add_pools());
                        return absl::OkStatus();
                      });
}

}  // namespace odr::server
