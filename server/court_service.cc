#include "server/court_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/case_mapper.h"
#include "server/confirmation_service.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/errors.h"
#include "server/domain/procedure.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "server/proto_time.h"

namespace odr::server {
namespace {

using google::protobuf::util::TimeUtil;

absl::StatusOr<std::string> ParseCourtParent(absl::string_view name) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, "courts/") || !domain::CheckResourceId(id).empty()) {
    return InvalidFieldError("parent", "must be courts/{court}");
  }
  return std::string(id);
}

v1::DiversionOutcome OutcomeToApi(storage::DiversionOutcome o) {
  switch (o) {
    case storage::DiversionOutcome::kPending:
      return v1::DIVERSION_OUTCOME_PENDING;
    case storage::DiversionOutcome::kSettled:
      return v1::DIVERSION_OUTCOME_SETTLED;
    case storage::DiversionOutcome::kConfirmed:
      return v1::DIVERSION_OUTCOME_CONFIRMED;
    case storage::DiversionOutcome::kReferred:
      return v1::DIVERSION_OUTCOME_REFERRED;
    case storage::DiversionOutcome::kEnded:
      return v1::DIVERSION_OUTCOME_ENDED;
    case storage::DiversionOutcome::kTrialResumed:
      return v1::DIVERSION_OUTCOME_TRIAL_RESUMED;
    case storage::DiversionOutcome::kMediationStatement:
      return v1::DIVERSION_OUTCOME_MEDIATION_STATEMENT;
    case storage::DiversionOutcome::kSuitWithdrawn:
      return v1::DIVERSION_OUTCOME_SUIT_WITHDRAWN;
  }
  return v1::DIVERSION_OUTCOME_UNSPECIFIED;
}

// The page cursor of a court list: decimal microseconds and the tie-breaking id.
absl::StatusOr<std::optional<storage::ListCursor>> Cursor(absl::string_view token,
                                                          absl::string_view key) {
  if (token.empty()) return std::nullopt;
  ODR_ASSIGN_OR_RETURN(domain::CaseCursor c, domain::DecodePageToken(token, key));
  int64_t us = 0;
  if (!absl::SimpleAtoi(c.key, &us)) {
    return InvalidFieldError("page_token", "is not a token returned by this list call");
  }
  return storage::ListCursor{us, c.id};
}

std::string Token(absl::string_view key, const storage::ListCursor& c) {
  return domain::EncodePageToken(key, domain::CaseCursor{absl::StrCat(c.time_us), c.id});
}

}  // namespace

grpc::ServerUnaryReactor* CourtServiceImpl::DivertCase(grpc::CallbackServerContext* ctx,
                                                       const v1::DivertCaseRequest* req,
                                                       v1::Case* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CourtService/DivertCase", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        const domain::Principal& who = call.caller.principal;
        if (who.role != domain::Role::kCourt || who.court_id.empty() || who.disabled) {
          return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                           "only courts divert disputes to mediation");
        }
        if (!req->has_case_()) return InvalidFieldError("case", "is required");
        Violations v;
        domain::CaseData data = CaseDataFromProto(req->case_(), "case", &v);
        domain::ValidateCaseData(data, clock_->Now(), "case", &v);
        if (!data.court_diversion && v.empty()) {
          v.Add("case.source.court_diversion",
                "is required: the diverting court, its intake reference and the date");
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_RETURN_IF_ERROR(domain::AuthorizeCreate(who, data));
        // Idempotent on (court, intake reference): a repeat returns the case it created.
        domain::MutationContext m;
        m.actor = who.id;
        if (call.caller.partner) m.acting_through = call.caller.partner->id;
        m.rpc = call.method;
        m.method = absl::StrCat("court:", who.court_id, ":DivertCase");
        m.request_id = data.court_diversion->intake_reference;
        m.request_id_permanent = true;                 // the court's own reference: never expires
        m.authorize = [&who](const domain::Case& c) {  // a repeat: the case as it is now
          return domain::AuthorizeCase(who, c, domain::CaseOperation::kRead);
        };
        // A reused reference with another dispute is REQUEST_ID_REUSED, not the first case.
        m.request_fingerprint = MessageFingerprint(call.method, req->case_());
        ODR_ASSIGN_OR_RETURN(domain::Case k, cases_->CreateCase(data, m));
        if (k.state == domain::CaseState::kDraft) {
          domain::MutationContext submit = m;
          submit.method.clear();
          submit.request_id.clear();
          submit.request_fingerprint.clear();
          submit.authorize = [&who](const domain::Case& c) {
            return domain::AuthorizeCase(who, c, domain::CaseOperation::kSubmit);
          };
          ODR_ASSIGN_OR_RETURN(
              k, cases_->TransitionCase(k.id, domain::CaseAction::kSubmit, std::nullopt,
                                        domain::CourtSubmissionText(data), submit));
        }
        domain::RedactCase(who, &k);
        CaseToProto(k, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CourtServiceImpl::ListDivertedCases(
    grpc::CallbackServerContext* ctx, const v1::ListDivertedCasesRequest* req,
    v1::ListDivertedCasesResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CourtService/ListDivertedCases", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string court, ParseCourtParent(req->parent()));
        ODR_RETURN_IF_ERROR(domain::AuthorizeCourt(call.caller.principal, court));
        ODR_ASSIGN_OR_RETURN(int limit, domain::EffectivePageSize(req->page_size(), 50, 500));
        std::optional<storage::DiversionOutcome> outcome;
        if (req->outcome() != v1::DIVERSION_OUTCOME_UNSPECIFIED) {
          using storage::DiversionOutcome;
          for (auto o : {DiversionOutcome::kPending, DiversionOutcome::kSettled,
                         DiversionOutcome::kConfirmed, DiversionOutcome::kReferred,
                         DiversionOutcome::kEnded, DiversionOutcome::kTrialResumed,
                         DiversionOutcome::kMediationStatement, DiversionOutcome::kSuitWithdrawn}) {
            if (OutcomeToApi(o) == req->outcome()) outcome = o;
          }
          if (!outcome) return InvalidFieldError("outcome", "is not a DiversionOutcome");
        }
        const std::string key = absl::StrCat(req->parent(), "\n", req->outcome());
        ODR_ASSIGN_OR_RETURN(auto after, Cursor(req->page_token(), key));
        ODR_ASSIGN_OR_RETURN(storage::DivertedPage page,
                             confirmations_->ListDiverted(court, outcome, after, limit));
        const absl::Time now = clock_->Now();
        std::vector<storage::AccessRecord> reads;
        for (const auto& r : page.rows) {
          reads.push_back(AccessRecordFor(call, absl::StrCat("cases/", r.c.id), false, now));
        }
        ODR_RETURN_IF_ERROR(access_->Append(reads));
        for (const auto& r : page.rows) {
          v1::DivertedCase* d = resp->add_cases();
          d->set_case_(absl::StrCat("cases/", r.c.id));
          d->set_case_number(r.c.case_number);
          if (r.c.data.court_diversion) {
            d->set_intake_reference(r.c.data.court_diversion->intake_reference);
            d->set_diversion_date(r.c.data.court_diversion->diversion_date);
          }
          d->set_state(StateToProto(r.c.state));
          d->set_outcome(OutcomeToApi(r.outcome));
          d->set_organization(absl::StrCat("organizations/", r.c.data.organization_id));
          d->set_route(RouteToProto(domain::RouteOf(r.c.data)));
          *d->mutable_update_time() = Ts(r.c.update_time);
          if (r.confirmation_state) {
            domain::Confirmation f;
            f.state = *r.confirmation_state;
            v1::Confirmation pf;
            ConfirmationServiceImpl::ToProto(f, r.c, &pf);
            d->set_confirmation_state(pf.state());
          }
        }
        if (page.next) resp->set_next_page_token(Token(key, *page.next));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CourtServiceImpl::ListReferrals(grpc::CallbackServerContext* ctx,
                                                          const v1::ListReferralsRequest* req,
                                                          v1::ListReferralsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CourtService/ListReferrals", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string court, ParseCourtParent(req->parent()));
        ODR_RETURN_IF_ERROR(domain::AuthorizeCourt(call.caller.principal, court));
        ODR_ASSIGN_OR_RETURN(int limit, domain::EffectivePageSize(req->page_size(), 50, 500));
        const std::string key = std::string(req->parent());
        ODR_ASSIGN_OR_RETURN(auto after, Cursor(req->page_token(), key));
        ODR_ASSIGN_OR_RETURN(storage::ReferralPage page,
                             confirmations_->ListReferrals(court, after, limit));
        const absl::Time now = clock_->Now();
        std::vector<storage::AccessRecord> reads;
        for (const auto& r : page.rows) {
          reads.push_back(AccessRecordFor(call, absl::StrCat("cases/", r.c.id), false, now));
        }
        ODR_RETURN_IF_ERROR(access_->Append(reads));
        for (const auto& r : page.rows) {
          v1::Referral* p = resp->add_referrals();
          p->set_name(absl::StrCat("courts/", court, "/referrals/", r.c.id));
          p->set_case_(absl::StrCat("cases/", r.c.id));
          p->set_case_number(r.c.case_number);
          if (r.c.data.court_diversion) {
            p->set_intake_reference(r.c.data.court_diversion->intake_reference);
          }
          p->set_reason(r.reason);
          *p->mutable_create_time() = Ts(r.time);
          p->set_kind(EndingKindToProto(r.kind));
          p->set_cost_conduct(r.cost_conduct);
        }
        if (page.next) resp->set_next_page_token(Token(key, *page.next));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CourtServiceImpl::ConcludeCase(grpc::CallbackServerContext* ctx,
                                                         const v1::ConcludeCaseRequest* req,
                                                         v1::Case* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CourtService/ConcludeCase", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        const domain::Principal& who = call.caller.principal;
        if (who.role != domain::Role::kCourt || who.court_id.empty() || who.disabled) {
          return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                           "only the court that entrusted the suit concludes it");
        }
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        domain::TransitionNote note(req->note());
        note.conclusion = EndingKindFromProto(req->conclusion());
        note.court_document = req->court_document();
        ODR_RETURN_IF_ERROR(domain::ValidateConclusion(note));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        if (auto e = domain::CheckRequestId(req->request_id()); !e.empty()) {
          return InvalidFieldError("request_id", e);
        }
        domain::MutationContext m;
        m.actor = who.id;
        if (call.caller.partner) m.acting_through = call.caller.partner->id;
        m.rpc = call.method;
        m.method = absl::StrCat("principal:", who.id);
        m.request_id = req->request_id();
        if (!m.request_id.empty()) {
          v1::ConcludeCaseRequest copy = *req;
          copy.clear_request_id();
          m.request_fingerprint = MessageFingerprint(call.method, copy);
        }
        m.authorize = [&who](const domain::Case& k) {
          return domain::AuthorizeCase(who, k, domain::CaseOperation::kConclude);
        };
        ODR_ASSIGN_OR_RETURN(
            domain::Case k,
            cases_->TransitionCase(id, domain::CaseAction::kConclude, version, note, m));
        domain::RedactCase(who, &k);
        CaseToProto(k, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* CourtServiceImpl::RecordIntake(grpc::CallbackServerContext* ctx,
                                                         const v1::RecordIntakeRequest* req,
                                                         v1::Intake* resp) {
  return runner_->Run(
      ctx, "/odr.v1.CourtService/RecordIntake", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string court, ParseCourtParent(req->parent()));
        ODR_RETURN_IF_ERROR(domain::AuthorizeCourt(call.caller.principal, court));
        Violations v;
        if (!req->has_intake()) v.Add("intake", "is required");
        const v1::Intake& in = req->intake();
        if (req->has_intake()) {
          if (std::string e = domain::CheckText(in.intake_reference(), 1,
                                                domain::Limits::kIntakeReferenceChars, false);
              !e.empty()) {
            v.Add("intake.intake_reference", e);
          }
          if (std::string e = domain::CheckDiversionDate(in.presented_date(), clock_->Now());
              !e.empty()) {
            v.Add("intake.presented_date", e);
          }
          if (!DisputeTypeFromApi(in.dispute_type())) {
            v.Add("intake.dispute_type", "is required: a DisputeType");
          }
          if (std::string e = domain::CheckRegionCode(in.region_code()); !e.empty()) {
            v.Add("intake.region_code", e);
          }
        }
        const char* disposition = nullptr;
        switch (in.disposition()) {
          case v1::INTAKE_DISPOSITION_FILED:
            disposition = "filed";
            break;
          case v1::INTAKE_DISPOSITION_MEDIATION_DECLINED:
            disposition = "mediation_declined";
            break;
          case v1::INTAKE_DISPOSITION_ADVICE_ONLY:
            disposition = "advice_only";
            break;
          default:
            if (req->has_intake()) {
              v.Add("intake.disposition",
                    "is required: FILED, MEDIATION_DECLINED or ADVICE_ONLY (a diverted dispute is "
                    "recorded by DivertCase)");
            }
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        storage::Intake intake;
        intake.court_id = court;
        intake.intake_reference = in.intake_reference();
        intake.presented_date = in.presented_date();
        intake.dispute_type = domain::DisputeTypeName(*DisputeTypeFromApi(in.dispute_type()));
        intake.region_code = in.region_code();
        intake.disposition = disposition;
        ODR_ASSIGN_OR_RETURN(storage::Intake saved, stats_->RecordIntake(intake));
        ODR_RETURN_IF_ERROR(access_->Append(
            {AccessRecordFor(call, absl::StrCat("courts/", court, "/intakes/", saved.id), true,
                             saved.create_time)}));
        resp->set_name(absl::StrCat("courts/", court, "/intakes/", saved.id));
        resp->set_intake_reference(saved.intake_reference);
        resp->set_presented_date(saved.presented_date);
        resp->set_dispute_type(in.dispute_type());
        resp->set_region_code(saved.region_code);
        resp->set_disposition(in.disposition());
        *resp->mutable_create_time() = Ts(saved.create_time);
        return absl::OkStatus();
      });
}

}  // namespace odr::server
