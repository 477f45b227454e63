#include "server/case_service.h"

#include <openssl/evp.h>

#include <boost/asio/post.hpp>
#include <chrono>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/case_mapper.h"
#include "server/domain/case_query.h"
#include "server/domain/state_machine.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "server/log.h"
#include "server/request_check.h"
#include "server/rpc_status.h"

namespace odr::server {
namespace {

constexpr char kActorHeader[] = "x-odr-actor";

// The caller as recorded in case events. Until authentication lands (issue 3) this is the
// unauthenticated x-odr-actor header, restricted to a safe alphabet, or "anonymous".
std::string Actor(const grpc::CallbackServerContext* ctx) {
  auto it = ctx->client_metadata().find(kActorHeader);
  if (it == ctx->client_metadata().end()) return "anonymous";
  absl::string_view v(it->second.data(), it->second.size());
  if (v.empty() || v.size() > 64) return "anonymous";
  for (char c : v) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
          c == '@' || c == ':')) {
      return "anonymous";
    }
  }
  return std::string(v);
}

// SHA-256 of the request without its request_id, so that a retry matches and a different request
// with the same key does not.
template <typename Req>
std::string Fingerprint(const Req& req) {
  Req copy = req;
  copy.clear_request_id();
  std::string bytes;
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

template <typename Req>
absl::StatusOr<domain::MutationContext> MutationFor(const grpc::CallbackServerContext* ctx,
                                                    absl::string_view method, const Req& req) {
  if (auto e = domain::CheckRequestId(req.request_id()); !e.empty()) {
    return InvalidFieldError("request_id", e);
  }
  domain::MutationContext m;
  m.actor = Actor(ctx);
  m.method = std::string(method);
  m.request_id = req.request_id();
  if (!m.request_id.empty()) m.request_fingerprint = Fingerprint(req);
  return m;
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

template <typename Work>
grpc::ServerUnaryReactor* CaseServiceImpl::Dispatch(grpc::CallbackServerContext* ctx,
                                                    absl::string_view method,
                                                    const google::protobuf::Message* request,
                                                    Work work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto start = std::chrono::steady_clock::now();
  boost::asio::post(*pool_, [reactor, method = std::string(method), start, request,
                             work = std::move(work)]() mutable {
    absl::Status s = CheckParsed(*request);
    if (s.ok()) s = work();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    nlohmann::json fields = {
        {"method", method}, {"code", absl::StatusCodeToString(s.code())}, {"duration_ms", ms}};
    if (!s.ok()) {
      std::string reason = ErrorReason(s);
      if (!reason.empty()) fields["reason"] = reason;
    }
    if (s.code() == absl::StatusCode::kInternal || s.code() == absl::StatusCode::kDataLoss) {
      // Storage messages name tables and statements, never bound values.
      fields["error"] = std::string(s.message());
      log::Error("rpc", std::move(fields));
    } else {
      log::Info("rpc", std::move(fields));
    }
    reactor->Finish(ToGrpcStatus(s));
  });
  return reactor;
}

grpc::ServerUnaryReactor* CaseServiceImpl::CreateCase(grpc::CallbackServerContext* ctx,
                                                      const v1::CreateCaseRequest* req,
                                                      v1::Case* resp) {
  return Dispatch(ctx, "CreateCase", req, [this, ctx, req, resp]() -> absl::Status {
    ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(ctx, "CreateCase", *req));
    if (!req->has_case_()) return InvalidFieldError("case", "is required");
    Violations v;
    domain::CaseData data = CaseDataFromProto(req->case_(), "case", &v);
    domain::ValidateCaseData(data, clock_->Now(), "case", &v);
    ODR_RETURN_IF_ERROR(v.ToStatus());
    ODR_ASSIGN_OR_RETURN(domain::Case created, store_->CreateCase(data, m));
    CaseToProto(created, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CaseServiceImpl::GetCase(grpc::CallbackServerContext* ctx,
                                                   const v1::GetCaseRequest* req, v1::Case* resp) {
  return Dispatch(ctx, "GetCase", req, [this, req, resp]() -> absl::Status {
    ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
    ODR_ASSIGN_OR_RETURN(domain::Case k, store_->GetCase(id));
    CaseToProto(k, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCases(grpc::CallbackServerContext* ctx,
                                                     const v1::ListCasesRequest* req,
                                                     v1::ListCasesResponse* resp) {
  return Dispatch(ctx, "ListCases", req, [this, req, resp]() -> absl::Status {
    domain::CaseQuery q;
    ODR_ASSIGN_OR_RETURN(q.limit, domain::EffectivePageSize(req->page_size(), 50, 500));
    ODR_ASSIGN_OR_RETURN(q.filter, domain::ParseCaseFilter(req->filter()));
    ODR_ASSIGN_OR_RETURN(q.order, domain::ParseCaseOrder(req->order_by()));
    const std::string key = QueryKey(*req);
    if (!req->page_token().empty()) {
      ODR_ASSIGN_OR_RETURN(q.after, domain::DecodePageToken(req->page_token(), key));
    }
    ODR_ASSIGN_OR_RETURN(storage::CasePage page, store_->ListCases(q));
    for (const domain::Case& k : page.cases) CaseToProto(k, resp->add_cases());
    if (page.next) resp->set_next_page_token(domain::EncodePageToken(key, *page.next));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CaseServiceImpl::UpdateCase(grpc::CallbackServerContext* ctx,
                                                      const v1::UpdateCaseRequest* req,
                                                      v1::Case* resp) {
  return Dispatch(ctx, "UpdateCase", req, [this, ctx, req, resp]() -> absl::Status {
    ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(ctx, "UpdateCase", *req));
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
    std::vector<domain::CaseField> fields;
    std::vector<std::string> prefixes;
    Violations v;
    for (const std::string& path : req->update_mask().paths()) {
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
    ODR_ASSIGN_OR_RETURN(domain::Case k, store_->UpdateCase(id, data, fields, version, m));
    CaseToProto(k, resp);
    return absl::OkStatus();
  });
}

template <typename Req>
grpc::ServerUnaryReactor* CaseServiceImpl::Transition(grpc::CallbackServerContext* ctx,
                                                      absl::string_view method, const Req* req,
                                                      v1::Case* resp, int action_int,
                                                      absl::string_view reason) {
  const auto action = static_cast<domain::CaseAction>(action_int);
  return Dispatch(
      ctx, method, req,
      [this, ctx, req, resp, action, reason, method = std::string(method)]() -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::MutationContext m, MutationFor(ctx, method, *req));
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        if (auto e = domain::CheckText(reason, domain::ReasonRequired(action) ? 1 : 0,
                                       domain::Limits::kReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        ODR_ASSIGN_OR_RETURN(domain::Case k,
                             store_->TransitionCase(id, action, version, reason, m));
        CaseToProto(k, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CaseServiceImpl::SubmitCase(grpc::CallbackServerContext* ctx,
                                                      const v1::SubmitCaseRequest* req,
                                                      v1::Case* resp) {
  return Transition(ctx, "SubmitCase", req, resp, static_cast<int>(domain::CaseAction::kSubmit),
                    "");
}

grpc::ServerUnaryReactor* CaseServiceImpl::AcceptCase(grpc::CallbackServerContext* ctx,
                                                      const v1::AcceptCaseRequest* req,
                                                      v1::Case* resp) {
  return Transition(ctx, "AcceptCase", req, resp, static_cast<int>(domain::CaseAction::kAccept),
                    "");
}

grpc::ServerUnaryReactor* CaseServiceImpl::WithdrawCase(grpc::CallbackServerContext* ctx,
                                                        const v1::WithdrawCaseRequest* req,
                                                        v1::Case* resp) {
  return Transition(ctx, "WithdrawCase", req, resp, static_cast<int>(domain::CaseAction::kWithdraw),
                    req->reason());
}

grpc::ServerUnaryReactor* CaseServiceImpl::CloseCase(grpc::CallbackServerContext* ctx,
                                                     const v1::CloseCaseRequest* req,
                                                     v1::Case* resp) {
  return Transition(ctx, "CloseCase", req, resp, static_cast<int>(domain::CaseAction::kClose),
                    req->reason());
}

grpc::ServerUnaryReactor* CaseServiceImpl::ListCaseEvents(grpc::CallbackServerContext* ctx,
                                                          const v1::ListCaseEventsRequest* req,
                                                          v1::ListCaseEventsResponse* resp) {
  return Dispatch(ctx, "ListCaseEvents", req, [this, req, resp]() -> absl::Status {
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
