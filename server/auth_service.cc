#include "server/auth_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"

namespace odr::server {

using google::protobuf::util::TimeUtil;

v1::Role RoleToApi(domain::Role r) {
  switch (r) {
    case domain::Role::kCitizen:
      return v1::ROLE_CITIZEN;
    case domain::Role::kMediator:
      return v1::ROLE_MEDIATOR;
    case domain::Role::kOrgAdmin:
      return v1::ROLE_ORG_ADMIN;
    case domain::Role::kCourt:
      return v1::ROLE_COURT;
    case domain::Role::kPartnerApp:
      return v1::ROLE_PARTNER_APP;
    case domain::Role::kPlatformAdmin:
      return v1::ROLE_PLATFORM_ADMIN;
  }
  return v1::ROLE_UNSPECIFIED;
}

void PrincipalToProto(const domain::Principal& p, v1::Principal* out) {
  out->set_name(absl::StrCat("principals/", p.id));
  out->set_role(RoleToApi(p.role));
  out->set_display_name(p.display_name);
  if (!p.organization_id.empty()) {
    out->set_organization(absl::StrCat("organizations/", p.organization_id));
  }
  if (!p.court_id.empty()) out->set_court(absl::StrCat("courts/", p.court_id));
}

grpc::ServerUnaryReactor* AuthServiceImpl::CreateToken(grpc::CallbackServerContext* ctx,
                                                       const v1::CreateTokenRequest* req,
                                                       v1::CreateTokenResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AuthService/CreateToken", req,
      [this, req, resp](const CallContext&) -> absl::Status {
        const std::string id = ResourceId(req->principal(), "principals/");
        if (auto e = domain::CheckResourceId(id); !e.empty()) {
          return InvalidFieldError("principal", e + " (principals/{principal})");
        }
        if (req->api_key().empty() || req->api_key().size() > 256) {
          return InvalidFieldError("api_key", "is required (at most 256 characters)");
        }
        ODR_ASSIGN_OR_RETURN(IssuedToken t, authenticator_->IssueToken(id, req->api_key()));
        resp->set_access_token(t.token);
        *resp->mutable_expire_time() =
            TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t.expires_at));
        PrincipalToProto(t.principal, resp->mutable_principal());
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuthServiceImpl::GetCaller(grpc::CallbackServerContext* ctx,
                                                     const v1::GetCallerRequest* req,
                                                     v1::Principal* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AuthService/GetCaller", req, [resp](const CallContext& call) -> absl::Status {
        PrincipalToProto(call.caller.principal, resp);
        if (call.caller.partner) {
          resp->set_acting_through(absl::StrCat("principals/", call.caller.partner->id));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAccessRecords(
    grpc::CallbackServerContext* ctx, const v1::ListAccessRecordsRequest* req,
    v1::ListAccessRecordsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AuditService/ListAccessRecords", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_RETURN_IF_ERROR(domain::AuthorizeAudit(call.caller.principal));
        storage::AccessQuery q;
        ODR_ASSIGN_OR_RETURN(q.limit, domain::EffectivePageSize(req->page_size(), 100, 1000));
        if (!req->principal().empty()) {
          std::string id = ResourceId(req->principal(), "principals/");
          if (auto e = domain::CheckResourceId(id); !e.empty()) {
            return InvalidFieldError("principal", e + " (principals/{principal})");
          }
          q.principal_id = id;
        }
        if (!req->resource().empty()) {
          if (req->resource().size() > 200 || !domain::IsValidUtf8(req->resource())) {
            return InvalidFieldError("resource", "must be a resource name such as cases/{case}");
          }
          q.resource = req->resource();
        }
        const std::string key = absl::StrCat(req->principal(), "\n", req->resource());
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(domain::CaseCursor c,
                               domain::DecodePageToken(req->page_token(), key));
          int64_t before;
          if (!absl::SimpleAtoi(c.key, &before)) {
            return InvalidFieldError("page_token", "is not a token returned by this list call");
          }
          q.before_seq = before;
        }
        ODR_ASSIGN_OR_RETURN(storage::AccessPage page, access_->List(q));
        for (const storage::AccessRecord& r : page.records) {
          v1::AccessRecord* out = resp->add_access_records();
          out->set_name(absl::StrCat("accessRecords/", r.seq));
          out->set_principal(absl::StrCat("principals/", r.principal_id));
          if (!r.acting_through.empty()) {
            out->set_acting_through(absl::StrCat("principals/", r.acting_through));
          }
          out->set_method(r.method);
          out->set_resource(r.resource);
          out->set_action(r.change ? v1::AccessRecord::ACTION_CHANGE
                                   : v1::AccessRecord::ACTION_READ);
          *out->mutable_access_time() =
              TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(r.time));
        }
        if (page.next_before_seq) {
          resp->set_next_page_token(domain::EncodePageToken(
              key, domain::CaseCursor{absl::StrCat(*page.next_before_seq), "records"}));
        }
        return absl::OkStatus();
      });
}

}  // namespace odr::server
