#include "server/case_service.h"

#include <openssl/evp.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/procedure.h"
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
  return MessageFingerprint(method, copy);
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
  return AccessRecordFor(call, absl::StrCat("cases/", case_id), /*change=*/false, now);
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
    {"subject_matter_region_code", domain::CaseField::kSubjectMatterRegionCode},
    {"intermediate_court_matter", domain::CaseField::kIntermediateCourtMatter},
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
                        const domain::Principal& who = call.caller.principal;
                        ODR_RETURN_IF_ERROR(domain::AuthorizeCreate(who, data));
                        // A retry returns the case as it is now: only if the caller may read it.
                        m.authorize = [&who](const domain::Case& k) {
                          return domain::AuthorizeCase(who, k, domain::CaseOperation::kRead);
                        };
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
                                   "amount_fen, region_code, subject_matter_region_code, "
                                   "intermediate_court_matter");
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
        ODR_RETURN_IF_ERROR(all.KeepUnder(prefixes).ToStatus());
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
    case domain::CaseAction::kProposeMediator:
      return domain::CaseOperation::kAssignMediator;
    case domain::CaseAction::kAcceptAssignment:
      return domain::CaseOperation::kRespondToAssignment;
    case domain::CaseAction::kReleaseMediator:
      return domain::CaseOperation::kReplaceMediator;
    case domain::CaseAction::kStartMediation:
      return domain::CaseOperation::kManageClock;
    case domain::CaseAction::kSettle:
    case domain::CaseAction::kConfirm:
    case domain::CaseAction::kMediateAgain:
    case domain::CaseAction::kConclude:
    case domain::CaseAction::kRevokeConfirmation:
      break;  // not CaseService methods: AgreementService and ConfirmationService authorize them
  }
  return domain::CaseOperation::kUpdate;
}

}  // namespace

template <typename Req>
grpc::ServerUnaryReactor* CaseServiceImpl::Transition(grpc::CallbackServerContext* ctx,
                                                      const char* method, const Req* req,
                                                      v1::Case* resp, int action_int,
                                                      domain::TransitionNote note) {
  const auto action = static_cast<domain::CaseAction>(action_int);
  return runner_->Run(
      ctx, method, req,
      [this, req, resp, action, note = std::move(note)](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(call, *req));
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        if (auto e = domain::CheckText(note.reason, domain::ReasonRequired(action) ? 1 : 0,
                                       domain::Limits::kReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        ODR_RETURN_IF_ERROR(domain::ValidateCostConduct(note.cost_conduct));
        const domain::Principal& who = call.caller.principal;
        m.authorize = [&who, action](const domain::Case& k) {
          return domain::AuthorizeCase(who, k, OperationFor(action));
        };
        ODR_ASSIGN_OR_RETURN(domain::Case k, store_->TransitionCase(id, action, version, note, m));
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
  domain::TransitionNote note(req->reason());
  note.cost_conduct = req->cost_conduct();  // OMR Art. 21
  return Transition(ctx, "/odr.v1.CaseService/CloseCase", req, resp,
                    static_cast<int>(domain::CaseAction::kClose), std::move(note));
}

template <typename Req>
grpc::ServerUnaryReactor* CaseServiceImpl::Assignment(
    grpc::CallbackServerContext* ctx, const char* method, const Req* req, v1::Case* resp,
    std::function<absl::StatusOr<storage::AssignmentChange>(const CallContext&)> make,
    domain::CaseOperation op) {
  return runner_->Run(
      ctx, method, req, [this, req, resp, make, op](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(call, *req));
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(storage::AssignmentChange change, make(call));
        const domain::Principal& who = call.caller.principal;
        const storage::AssignmentChange& ch = change;
        m.authorize = [&who, op, &ch](const domain::Case& k) -> absl::Status {
          ODR_RETURN_IF_ERROR(domain::AuthorizeCase(who, k, op));
          // A mediator may only recuse themself.
          if (ch.kind == storage::AssignmentChange::kReplace &&
              who.role == domain::Role::kMediator) {
            for (const auto& a : k.assignments) {
              if (a.organization_id == ch.organization_id && a.mediator_id == ch.mediator_id &&
                  a.principal_id != who.id) {
                return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                                 "a mediator may only recuse themself");
              }
            }
          }
          return absl::OkStatus();
        };
        ODR_ASSIGN_OR_RETURN(domain::Case k, store_->ChangeAssignment(id, change, m));
        Respond(call, std::move(k), resp);
        return absl::OkStatus();
      });
}

namespace {

absl::StatusOr<storage::AssignmentChange> RosterChange(storage::AssignmentChange::Kind kind,
                                                       const std::string& mediator) {
  storage::AssignmentChange c;
  c.kind = kind;
  ODR_ASSIGN_OR_RETURN(auto name, ParseMediatorName(mediator, "mediator"));
  c.organization_id = name.first;
  c.mediator_id = name.second;
  return c;
}

absl::Status CheckReason(const std::string& reason) {
  if (auto e = domain::CheckText(reason, 1, domain::Limits::kReasonChars, true); !e.empty()) {
    return InvalidFieldError("reason", e);
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* CaseServiceImpl::AssignCaseMediator(
    grpc::CallbackServerContext* ctx, const v1::AssignCaseMediatorRequest* req, v1::Case* resp) {
  return Assignment(
      ctx, "/odr.v1.CaseService/AssignCaseMediator", req, resp,
      [req](const CallContext&) -> absl::StatusOr<storage::AssignmentChange> {
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        ODR_ASSIGN_OR_RETURN(storage::AssignmentChange c,
                             RosterChange(storage::AssignmentChange::kPropose, req->mediator()));
        c.expected_version = version;
        return c;
      },
      domain::CaseOperation::kAssignMediator);
}

grpc::ServerUnaryReactor* CaseServiceImpl::ChooseMediator(grpc::CallbackServerContext* ctx,
                                                          const v1::ChooseMediatorRequest* req,
                                                          v1::Case* resp) {
  return Assignment(
      ctx, "/odr.v1.CaseService/ChooseMediator", req, resp,
      [req](const CallContext& call) -> absl::StatusOr<storage::AssignmentChange> {
        ODR_ASSIGN_OR_RETURN(storage::AssignmentChange c,
                             RosterChange(storage::AssignmentChange::kChoose, req->mediator()));
        const domain::Principal who = call.caller.principal;
        c.side_of = [who](const domain::Case& k) {
          return domain::RelationTo(who, k).applicant_side ? std::string("applicant")
                                                           : std::string("respondent");
        };
        return c;
      },
      domain::CaseOperation::kChooseMediator);
}

grpc::ServerUnaryReactor* CaseServiceImpl::AcceptAssignment(grpc::CallbackServerContext* ctx,
                                                            const v1::AcceptAssignmentRequest* req,
                                                            v1::Case* resp) {
  return Assignment(
      ctx, "/odr.v1.CaseService/AcceptAssignment", req, resp,
      [req](const CallContext&) -> absl::StatusOr<storage::AssignmentChange> {
        if (!req->no_conflict_declared()) {
          return InvalidFieldError("no_conflict_declared",
                                   "must be true: declare that no ground for recusal exists "
                                   "(OMR Art. 13), or decline");
        }
        storage::AssignmentChange c;
        c.kind = storage::AssignmentChange::kAccept;
        return c;
      },
      domain::CaseOperation::kRespondToAssignment);
}

grpc::ServerUnaryReactor* CaseServiceImpl::DeclineAssignment(
    grpc::CallbackServerContext* ctx, const v1::DeclineAssignmentRequest* req, v1::Case* resp) {
  return Assignment(
      ctx, "/odr.v1.CaseService/DeclineAssignment", req, resp,
      [req](const CallContext&) -> absl::StatusOr<storage::AssignmentChange> {
        ODR_RETURN_IF_ERROR(CheckReason(req->reason()));
        storage::AssignmentChange c;
        c.kind = storage::AssignmentChange::kDecline;
        c.reason = req->reason();
        return c;
      },
      domain::CaseOperation::kRespondToAssignment);
}

grpc::ServerUnaryReactor* CaseServiceImpl::ReplaceMediator(grpc::CallbackServerContext* ctx,
                                                           const v1::ReplaceMediatorRequest* req,
                                                           v1::Case* resp) {
  return Assignment(
      ctx, "/odr.v1.CaseService/ReplaceMediator", req, resp,
      [req](const CallContext&) -> absl::StatusOr<storage::AssignmentChange> {
        ODR_RETURN_IF_ERROR(CheckReason(req->reason()));
        ODR_ASSIGN_OR_RETURN(storage::AssignmentChange c,
                             RosterChange(storage::AssignmentChange::kReplace, req->mediator()));
        c.reason = req->reason();
        return c;
      },
      domain::CaseOperation::kReplaceMediator);
}

absl::StatusOr<std::vector<domain::Recommendation>> CaseServiceImpl::Rank(
    const CallContext& call, const std::string& case_id, const std::string& pool, int limit,
    std::vector<domain::Mediator>* storage_for_mediators, domain::Case* k) {
  ODR_ASSIGN_OR_RETURN(*k, store_->GetCase(case_id));
  ODR_RETURN_IF_ERROR(
      domain::AuthorizeCase(call.caller.principal, *k, domain::CaseOperation::kAssignMediator));
  storage::MediatorQuery q;
  q.organization_id = k->data.organization_id;
  q.limit = 100000;
  ODR_ASSIGN_OR_RETURN(*storage_for_mediators, roster_->ListMediators(q));
  if (!pool.empty()) {
    ODR_ASSIGN_OR_RETURN(auto pool_name, ParseChildName(pool, "organizations", "pools", "pool"));
    if (pool_name.first != k->data.organization_id) {
      return InvalidFieldError("pool", "is not a pool of the case's organization");
    }
    ODR_ASSIGN_OR_RETURN(domain::Pool p, roster_->GetPool(pool_name.first, pool_name.second));
    std::vector<domain::Mediator> in_pool;
    for (auto& m : *storage_for_mediators) {
      if (std::find(p.mediator_ids.begin(), p.mediator_ids.end(), m.id) != p.mediator_ids.end()) {
        in_pool.push_back(std::move(m));
      }
    }
    *storage_for_mediators = std::move(in_pool);
  }
  std::vector<std::string> excluded;
  for (const auto& a : k->assignments) excluded.push_back(a.mediator_id);
  // The parties' data is used for conflict screening but none of it is returned, so this is not
  // an access to personal data that the access log records (a proposal that follows is).
  return domain::RankMediators(k->data, *storage_for_mediators, excluded, limit);
}

grpc::ServerUnaryReactor* CaseServiceImpl::RecommendMediators(
    grpc::CallbackServerContext* ctx, const v1::RecommendMediatorsRequest* req,
    v1::RecommendMediatorsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/RecommendMediators", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        if (req->max_results() < 0) return InvalidFieldError("max_results", "must not be negative");
        const int limit = req->max_results() == 0 ? 10 : std::min(req->max_results(), 100);
        std::vector<domain::Mediator> mediators;
        domain::Case k;
        ODR_ASSIGN_OR_RETURN(std::vector<domain::Recommendation> ranked,
                             Rank(call, id, req->pool(), limit, &mediators, &k));
        for (const domain::Recommendation& r : ranked) {
          v1::MediatorRecommendation* out = resp->add_recommendations();
          out->set_mediator(absl::StrCat("organizations/", r.mediator->organization_id,
                                         "/mediators/", r.mediator->id));
          out->set_display_name(r.mediator->display_name);
          out->set_score(r.score);
          for (const std::string& why : r.reasons) out->add_reasons(why);
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::AutoAssignMediator(
    grpc::CallbackServerContext* ctx, const v1::AutoAssignMediatorRequest* req, v1::Case* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CaseService/AutoAssignMediator", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(call, *req));
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        std::vector<domain::Mediator> mediators;
        domain::Case k;
        ODR_ASSIGN_OR_RETURN(std::vector<domain::Recommendation> ranked,
                             Rank(call, id, req->pool(), 5, &mediators, &k));
        const domain::Principal& who = call.caller.principal;
        m.authorize = [&who](const domain::Case& c) {
          return domain::AuthorizeCase(who, c, domain::CaseOperation::kAssignMediator);
        };
        absl::Status last =
            MakeError(absl::StatusCode::kFailedPrecondition, "NO_MEDIATOR_AVAILABLE",
                      "no active mediator of the organization without conflict "
                      "has room for this case");
        // Another caller may fill the best mediator between ranking and proposal: try the next.
        for (const domain::Recommendation& r : ranked) {
          storage::AssignmentChange change;
          change.kind = storage::AssignmentChange::kPropose;
          change.organization_id = r.mediator->organization_id;
          change.mediator_id = r.mediator->id;
          change.method = domain::AssignmentMethod::kAutomatic;
          auto done = store_->ChangeAssignment(id, change, m);
          if (done.ok()) {
            Respond(call, std::move(*done), resp);
            return absl::OkStatus();
          }
          last = done.status();
          if (ErrorReason(last) != "MEDIATOR_AT_CAPACITY") break;
        }
        return last;
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
        ODR_ASSIGN_OR_RETURN(domain::Case k, ReadCase(call, id));
        ODR_ASSIGN_OR_RETURN(storage::EventPage page, store_->ListCaseEvents(id, after, limit));
        for (const domain::CaseEvent& e : page.events) {
          // Events of the other side's separate sessions, staff alerts and, for courts,
          // confirmation applications are left out.
          if (domain::MaySeeEvent(call.caller.principal, k, e)) {
            EventToProto(e, resp->add_events());
          }
        }
        if (page.next_after_seq) {
          resp->set_next_page_token(domain::EncodePageToken(
              req->parent(), domain::CaseCursor{absl::StrCat(*page.next_after_seq), "events"}));
        }
        return absl::OkStatus();
      });
}

}  // namespace odr::server
