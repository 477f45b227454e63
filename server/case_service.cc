#include "server/case_service.h"

#include <openssl/evp.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/state_machine.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"

namespace odr::server {
namespace {

// SHA-256 of the method and the request without its request_id, so that a retry matches and a
// different request (or another method) with the same key does not.
template <typename Req>
std::string Fingerprint(absl::string_view method, const Req& req) {
  Req copy = req;
  copy.clear_request_id();
  std::string bytes(method);
  bytes.push_back('\n');
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

// request_id keys are scoped to the principal (another caller's key is a different key) and
// cover every method: the same key for another method or request is ALREADY_EXISTS.
template <typename Req>
absl::StatusOr<domain::MutationContext> MutationFor(const CallContext& call, const Req& req) {
  if (auto e = domain::CheckRequestId(req.request_id()); !e.empty()) {
    return InvalidFieldError("request_id", e);
  }
  domain::MutationContext m;
  m.actor = call.caller.principal.id;
  if (call.caller.partner) m.acting_through = call.caller.partner->id;
  m.rpc = call.method;
  m.method = absl::StrCat("principal:", call.caller.principal.id);
  m.request_id = req.request_id();
  if (!m.request_id.empty()) m.request_fingerprint = Fingerprint(call.method, req);
  return m;
}

storage::AccessRecord ReadRecord(const CallContext& call, absl::string_view case_id,
                                 absl::Time now) {
  storage::AccessRecord r;
  r.time = now;
  r.principal_id = call.caller.principal.id;
  if (call.caller.partner) r.acting_through = call.caller.partner->id;
  r.method = call.method;
  r.resource = absl::StrCat("cases/", case_id);
  return r;
}

// Keeps only violations at or under one of `prefixes` ("case.summary" keeps "case.summary" and
// "case.applicants[0].name" is kept by "case.applicants").
void KeepUnder(const Violations& all, const std::vector<std::string>& prefixes, Violations* out) {
  for (const FieldViolation& f : all.list()) {
    for (const std::string& p : prefixes) {
      if (f.field.compare(0, p.size(), p) == 0 &&
          (f.field.size() == p.size() || f.field[p.size()] == '.' || f.field[p.size()] == '[')) {
        out->Add(f.field, f.description);
        break;
      }
    }
  }
}

struct MaskField {
  const char* path;
  domain::CaseField field;
};
constexpr MaskField kUpdatable[] = {
    {"dispute_type", domain::CaseField::kDisputeType},
    {"applicants", domain::CaseField::kApplicants},
    {"respondents", domain::CaseField::kRespondents},
    {"summary", domain::CaseField::kSummary},
    {"claims", domain::CaseField::kClaims},
    {"amount_fen", domain::CaseField::kAmountFen},
    {"region_code", domain::CaseField::kRegionCode},
};

std::string QueryKey(const v1::ListCasesRequest& req) {
  return absl::StrCat(req.filter(), "\n", req.order_by());
}

}  // namespace

absl::StatusOr<domain::Case> CaseServiceImpl::ReadCase(const CallContext& call,
                                                       absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(domain::Case k, store_->GetCase(id));
  ODR_RETURN_IF_ERROR(
      domain::AuthorizeCase(call.caller.principal, k, domain::CaseOperation::kRead));
  ODR_RETURN_IF_ERROR(access_->Append({ReadRecord(call, k.id, clock_->Now())}));
  return k;
}

void CaseServiceImpl::Respond(const CallContext& call, domain::Case k, v1::Case* resp) const {
  domain::RedactCase(call.caller.principal, &k);
  CaseToProto(k, resp);
}

grpc::ServerUnaryReactor* CaseServiceImpl::CreateCase(grpc::CallbackServerContext* ctx,
                                                      const v1::CreateCaseRequest* req,
                                                      v1::Case* resp) {
  return runner_->Run(ctx, "/odr.v1.CaseService/CreateCase", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(call, *req));
                        if (!req->has_case_()) return InvalidFieldError("case", "is required");
                        Violations v;
                        domain::CaseData data = CaseDataFromProto(req->case_(), "case", &v);
                        domain::ValidateCaseData(data, clock_->Now(), "case", &v);
                        ODR_RETURN_IF_ERROR(v.ToStatus());
                        ODR_RETURN_IF_ERROR(domain::AuthorizeCreate(call.caller.principal, data));
                        ODR_ASSIGN_OR_RETURN(domain::Case created, store_->CreateCase(data, m));
                        Respond(call, std::move(created), resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::GetCase(grpc::CallbackServerContext* ctx,
                                                   const v1::GetCaseRequest* req, v1::Case* resp) {
  return runner_->Run(ctx, "/odr.v1.CaseService/GetCase", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
                        ODR_ASSIGN_OR_RETURN(domain::Case k, ReadCase(call, id));
                        Respond(call, std::move(k), resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCases(grpc::CallbackServerContext* ctx,
                                                     const v1::ListCasesRequest* req,
                                                     v1::ListCasesResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/ListCases", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        domain::CaseQuery q;
        ODR_ASSIGN_OR_RETURN(q.scope, domain::ListScope(call.caller.principal));
        ODR_ASSIGN_OR_RETURN(q.limit, domain::EffectivePageSize(req->page_size(), 50, 500));
        ODR_ASSIGN_OR_RETURN(q.filter, domain::ParseCaseFilter(req->filter()));
        ODR_ASSIGN_OR_RETURN(q.order, domain::ParseCaseOrder(req->order_by()));
        const std::string key = QueryKey(*req);
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(q.after, domain::DecodePageToken(req->page_token(), key));
        }
        ODR_ASSIGN_OR_RETURN(storage::CasePage page, store_->ListCases(q));
        std::vector<storage::AccessRecord> reads;
        const absl::Time now = clock_->Now();
        std::vector<domain::Case> visible;
        for (domain::Case& k : page.cases) {
          // The scope already selects these; checking each row again costs little and keeps the
          // rule in one place.
          if (!domain::AuthorizeCase(call.caller.principal, k, domain::CaseOperation::kRead).ok()) {
            continue;
          }
          reads.push_back(ReadRecord(call, k.id, now));
          visible.push_back(std::move(k));
        }
        // No personal data leaves without its access record.
        ODR_RETURN_IF_ERROR(access_->Append(reads));
        for (domain::Case& k : visible) Respond(call, std::move(k), resp->add_cases());
        if (page.next) resp->set_next_page_token(domain::EncodePageToken(key, *page.next));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::UpdateCase(grpc::CallbackServerContext* ctx,
                                                      const v1::UpdateCaseRequest* req,
                                                      v1::Case* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/UpdateCase", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(call, *req));
        if (!req->has_case_()) return InvalidFieldError("case", "is required");
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->case_().name(), "case.name"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                             ParseEtag(req->case_().etag(), "case.etag"));
        if (req->update_mask().paths_size() == 0) {
          return InvalidFieldError("update_mask",
                                   "is required: name the fields to change, or \"*\" for all of "
                                   "dispute_type, applicants, respondents, summary, claims, "
                                   "amount_fen, region_code");
        }
        if (req->update_mask().paths_size() > static_cast<int>(domain::Limits::kMaskPaths)) {
          return InvalidFieldError("update_mask", "names at most 20 paths");
        }
        std::vector<domain::CaseField> fields;
        std::vector<std::string> prefixes;
        Violations v;
        for (const std::string& path : req->update_mask().paths()) {
          if (path.size() > domain::Limits::kMaskPathBytes || !domain::IsValidUtf8(path)) {
            v.Add("update_mask", "has a path that is not a field name");
            continue;
          }
          bool found = false;
          for (const MaskField& f : kUpdatable) {
            if (path == f.path || path == "*") {
              fields.push_back(f.field);
              prefixes.push_back(absl::StrCat("case.", f.path));
              found = true;
            }
          }
          if (!found) {
            v.Add("update_mask", absl::StrCat("'", path,
                                              "' cannot be updated (output-only, immutable or "
                                              "unknown)"));
          }
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        Violations all;
        domain::CaseData data = CaseDataFromProto(req->case_(), "case", &all);
        domain::ValidateCaseData(data, clock_->Now(), "case", &all);
        KeepUnder(all, prefixes, &v);
        ODR_RETURN_IF_ERROR(v.ToStatus());
        const domain::Principal& who = call.caller.principal;
        m.authorize = [&who](const domain::Case& k) {
          return domain::AuthorizeCase(who, k, domain::CaseOperation::kUpdate);
        };
        ODR_ASSIGN_OR_RETURN(domain::Case k, store_->UpdateCase(id, data, fields, version, m));
        Respond(call, std::move(k), resp);
        return absl::OkStatus();
      });
}

namespace {

domain::CaseOperation OperationFor(domain::CaseAction a) {
  switch (a) {
    case domain::CaseAction::kSubmit:
      return domain::CaseOperation::kSubmit;
    case domain::CaseAction::kAccept:
      return domain::CaseOperation::kAccept;
    case domain::CaseAction::kWithdraw:
      return domain::CaseOperation::kWithdraw;
    case domain::CaseAction::kClose:
      return domain::CaseOperation::kClose;
  }
  return domain::CaseOperation::kUpdate;
}

}  // namespace

template <typename Req>
grpc::ServerUnaryReactor* CaseServiceImpl::Transition(grpc::CallbackServerContext* ctx,
                                                      const char* method, const Req* req,
                                                      v1::Case* resp, int action_int,
                                                      absl::string_view reason) {
  const auto action = static_cast<domain::CaseAction>(action_int);
  return runner_->Run(
      ctx, method, req, [this, req, resp, action, reason](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(call, *req));
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        if (auto e = domain::CheckText(reason, domain::ReasonRequired(action) ? 1 : 0,
                                       domain::Limits::kReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        const domain::Principal& who = call.caller.principal;
        m.authorize = [&who, action](const domain::Case& k) {
          return domain::AuthorizeCase(who, k, OperationFor(action));
        };
        ODR_ASSIGN_OR_RETURN(domain::Case k,
                             store_->TransitionCase(id, action, version, reason, m));
        Respond(call, std::move(k), resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::SubmitCase(grpc::CallbackServerContext* ctx,
                                                      const v1::SubmitCaseRequest* req,
                                                      v1::Case* resp) {
  return Transition(ctx, "/odr.v1.CaseService/SubmitCase", req, resp,
                    static_cast<int>(domain::CaseAction::kSubmit), "");
}

grpc::ServerUnaryReactor* CaseServiceImpl::AcceptCase(grpc::CallbackServerContext* ctx,
                                                      const v1::AcceptCaseRequest* req,
                                                      v1::Case* resp) {
  return Transition(ctx, "/odr.v1.CaseService/AcceptCase", req, resp,
                    static_cast<int>(domain::CaseAction::kAccept), "");
}

grpc::ServerUnaryReactor* CaseServiceImpl::WithdrawCase(grpc::CallbackServerContext* ctx,
                                                        const v1::WithdrawCaseRequest* req,
                                                        v1::Case* resp) {
  return Transition(ctx, "/odr.v1.CaseService/WithdrawCase", req, resp,
                    static_cast<int>(domain::CaseAction::kWithdraw), req->reason());
}

grpc::ServerUnaryReactor* CaseServiceImpl::CloseCase(grpc::CallbackServerContext* ctx,
                                                     const v1::CloseCaseRequest* req,
                                                     v1::Case* resp) {
  return Transition(ctx, "/odr.v1.CaseService/CloseCase", req, resp,
                    static_cast<int>(domain::CaseAction::kClose), req->reason());
}

grpc::ServerUnaryReactor* CaseServiceImpl::AssignCaseMediator(
    grpc::CallbackServerContext* ctx, const v1::AssignCaseMediatorRequest* req, v1::Case* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/AssignCaseMediator", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(call, *req));
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        const std::string mediator_id = ResourceId(req->mediator(), "principals/");
        if (auto e = domain::CheckResourceId(mediator_id); !e.empty()) {
          return InvalidFieldError("mediator", e + " (principals/{principal})");
        }
        auto mediator = principals_->Get(mediator_id);
        if (!mediator.ok() && mediator.status().code() != absl::StatusCode::kNotFound) {
          return mediator.status();
        }
        const domain::Principal& who = call.caller.principal;
        m.authorize = [&who, &mediator](const domain::Case& k) -> absl::Status {
          ODR_RETURN_IF_ERROR(
              domain::AuthorizeCase(who, k, domain::CaseOperation::kAssignMediator));
          if (!mediator.ok() || mediator->role != domain::Role::kMediator || mediator->disabled ||
              mediator->organization_id != k.data.organization_id) {
            return InvalidFieldError("mediator",
                                     "is not an active mediator of the case's organization");
          }
          return absl::OkStatus();
        };
        ODR_ASSIGN_OR_RETURN(domain::Case k, store_->AssignMediator(id, mediator_id, version, m));
        Respond(call, std::move(k), resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCaseEvents(grpc::CallbackServerContext* ctx,
                                                          const v1::ListCaseEventsRequest* req,
                                                          v1::ListCaseEventsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/ListCaseEvents", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(int limit, domain::EffectivePageSize(req->page_size(), 100, 1000));
        int64_t after = 0;
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(domain::CaseCursor c,
                               domain::DecodePageToken(req->page_token(), req->parent()));
          if (!absl::SimpleAtoi(c.key, &after) || after < 0) {
            return InvalidFieldError("page_token", "is not a token returned by this list call");
          }
        }
        ODR_RETURN_IF_ERROR(ReadCase(call, id).status());
        ODR_ASSIGN_OR_RETURN(storage::EventPage page, store_->ListCaseEvents(id, after, limit));
        for (const domain::CaseEvent& e : page.events) EventToProto(e, resp->add_events());
        if (page.next_after_seq) {
          resp->set_next_page_token(domain::EncodePageToken(
              req->parent(), domain::CaseCursor{absl::StrCat(*page.next_after_seq), "events"}));
        }
        return absl::OkStatus();
      });
}

}  // namespace odr::server
