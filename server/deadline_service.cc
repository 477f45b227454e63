#include "server/deadline_service.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "server/proto_time.h"

namespace odr::server {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kMannerChars = 200;

v1::Deadline::Kind KindToProto(domain::DeadlineKind k) {
  switch (k) {
    case domain::DeadlineKind::kMediatorAcceptance:
      return v1::Deadline::KIND_MEDIATOR_ACCEPTANCE;
    case domain::DeadlineKind::kRespondentContact:
      return v1::Deadline::KIND_RESPONDENT_CONTACT;
    case domain::DeadlineKind::kMediationPeriod:
      return v1::Deadline::KIND_MEDIATION_PERIOD;
    case domain::DeadlineKind::kConfirmationApplication:
      return v1::Deadline::KIND_CONFIRMATION_APPLICATION;
    case domain::DeadlineKind::kInstalmentDue:
      return v1::Deadline::KIND_INSTALMENT_DUE;
    case domain::DeadlineKind::kConfirmationAcceptance:
      return v1::Deadline::KIND_CONFIRMATION_ACCEPTANCE;
    case domain::DeadlineKind::kConfirmationRuling:
      return v1::Deadline::KIND_CONFIRMATION_RULING;
    case domain::DeadlineKind::kConfirmationMaterials:
      return v1::Deadline::KIND_CONFIRMATION_MATERIALS;
    case domain::DeadlineKind::kRulingObjection:
      return v1::Deadline::KIND_RULING_OBJECTION;
    case domain::DeadlineKind::kOrganizationAcceptance:
      return v1::Deadline::KIND_ORGANIZATION_ACCEPTANCE;
    case domain::DeadlineKind::kMediatorChoice:
      return v1::Deadline::KIND_MEDIATOR_CHOICE;
    case domain::DeadlineKind::kMediatorDesignation:
      return v1::Deadline::KIND_MEDIATOR_DESIGNATION;
    case domain::DeadlineKind::kAppointmentReminder:
      break;
  }
  return v1::Deadline::KIND_UNSPECIFIED;
}

v1::Deadline::State StateToProto(domain::DeadlineState s) {
  switch (s) {
    case domain::DeadlineState::kRunning:
      return v1::Deadline::STATE_RUNNING;
    case domain::DeadlineState::kPaused:
      return v1::Deadline::STATE_PAUSED;
    case domain::DeadlineState::kMet:
      return v1::Deadline::STATE_MET;
    case domain::DeadlineState::kExpired:
      return v1::Deadline::STATE_EXPIRED;
    case domain::DeadlineState::kCancelled:
      return v1::Deadline::STATE_CANCELLED;
  }
  return v1::Deadline::STATE_UNSPECIFIED;
}

domain::MutationContext ClockChange(const CallContext& call) {
  return CaseChangeBy(call, domain::CaseOperation::kManageClock);
}

}  // namespace

void DeadlineServiceImpl::ToProto(const domain::Deadline& d, v1::Deadline* out) {
  out->set_name(absl::StrCat("cases/", d.case_id, "/deadlines/", d.id));
  out->set_kind(KindToProto(d.kind));
  out->set_state(StateToProto(d.state));
  *out->mutable_start_time() = Ts(d.start);
  *out->mutable_due_time() = Ts(d.due);
  if (d.warn_at) *out->mutable_warn_time() = Ts(*d.warn_at);
  out->set_warned(d.warned);
  out->set_legal_basis(domain::StatutoryClock::LegalBasis(d.kind));
  out->set_length(d.length);
  out->set_working_days(d.working_days);
  out->set_extension_days(d.extension_days);
  out->set_paused_days(d.PausedDays());
  switch (d.kind) {
    case domain::DeadlineKind::kMediatorAcceptance:
      out->set_subject(absl::StrCat("principals/", d.subject));
      break;
    case domain::DeadlineKind::kInstalmentDue: {
      const size_t slash = d.subject.find('/');
      out->set_subject(absl::StrCat("cases/", d.case_id, "/agreements/", d.subject.substr(0, slash),
                                    "/instalments/", d.subject.substr(slash + 1)));
      break;
    }
    case domain::DeadlineKind::kConfirmationAcceptance:
    case domain::DeadlineKind::kConfirmationRuling:
    case domain::DeadlineKind::kConfirmationMaterials:
    case domain::DeadlineKind::kRulingObjection:
      out->set_subject(absl::StrCat("cases/", d.case_id, "/confirmations/", d.subject));
      break;
    default:
      break;
  }
  out->set_provisional(d.provisional);
}

grpc::ServerUnaryReactor* DeadlineServiceImpl::ListDeadlines(grpc::CallbackServerContext* ctx,
                                                             const v1::ListDeadlinesRequest* req,
                                                             v1::ListDeadlinesResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.DeadlineService/ListDeadlines", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(domain::Case k, store_->GetCase(id));
        const domain::Principal& who = call.caller.principal;
        ODR_RETURN_IF_ERROR(domain::AuthorizeCase(who, k, domain::CaseOperation::kRead));
        ODR_RETURN_IF_ERROR(access_->Append(
            {AccessRecordFor(call, absl::StrCat("cases/", id), /*change=*/false, clock_->Now())}));
        ODR_ASSIGN_OR_RETURN(std::vector<domain::Deadline> all, store_->ListDeadlines(id));
        for (const domain::Deadline& d : all) {
          if (domain::MaySeeAudience(who, k, domain::StatutoryClock::Audience(d.kind))) {
            ToProto(d, resp->add_deadlines());
          }
        }
        return absl::OkStatus();
      });
}

absl::Status DeadlineServiceImpl::ChangePeriod(const CallContext& call, absl::string_view name,
                                               storage::CaseStore::PeriodChange change, int days,
                                               absl::string_view reason, v1::Deadline* resp) {
  ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(name, "name"));
  ODR_ASSIGN_OR_RETURN(domain::Deadline d,
                       store_->ChangeMediationPeriod(id, change, days, reason, ClockChange(call)));
  ToProto(d, resp);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* DeadlineServiceImpl::PauseMediationPeriod(
    grpc::CallbackServerContext* ctx, const v1::PauseMediationPeriodRequest* req,
    v1::Deadline* resp) {
  return runner_->Run(
      ctx, "/odr.v1.DeadlineService/PauseMediationPeriod", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (auto e = domain::CheckText(req->reason(), 1, domain::Limits::kShortReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        return ChangePeriod(call, req->name(), storage::CaseStore::PeriodChange::kPause, 0,
                            req->reason(), resp);
      });
}

grpc::ServerUnaryReactor* DeadlineServiceImpl::ResumeMediationPeriod(
    grpc::CallbackServerContext* ctx, const v1::ResumeMediationPeriodRequest* req,
    v1::Deadline* resp) {
  return runner_->Run(ctx, "/odr.v1.DeadlineService/ResumeMediationPeriod", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        return ChangePeriod(call, req->name(),
                                            storage::CaseStore::PeriodChange::kResume, 0, "", resp);
                      });
}

grpc::ServerUnaryReactor* DeadlineServiceImpl::ExtendMediationPeriod(
    grpc::CallbackServerContext* ctx, const v1::ExtendMediationPeriodRequest* req,
    v1::Deadline* resp) {
  return runner_->Run(
      ctx, "/odr.v1.DeadlineService/ExtendMediationPeriod", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (!req->parties_consented()) {
          return InvalidFieldError("parties_consented",
                                   "must be true: the period is extended only by the parties' "
                                   "agreement (OMR Art. 24)");
        }
        if (req->days() < 1 || req->days() > domain::kMaxExtensionRequestDays) {
          return InvalidFieldError("days",
                                   absl::StrCat("must be 1 to ", domain::kMaxExtensionRequestDays,
                                                " (no cap in all: OMR Art. 24)"));
        }
        if (auto e = domain::CheckText(req->reason(), 0, domain::Limits::kShortReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        std::vector<domain::ExtensionConsent> consents;
        for (int i = 0; i < req->consents_size(); ++i) {
          if (auto e = domain::CheckText(req->consents(i).manner(), 1, kMannerChars, false);
              !e.empty()) {
            return InvalidFieldError(absl::StrCat("consents[", i, "].manner"), e);
          }
          consents.push_back({req->consents(i).party(), req->consents(i).manner()});
        }
        // Each party's consent (OMR Art. 24), checked once the caller is authorized and again
        // against the case as stored, and recorded in the event with the reason.
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        domain::MutationContext m = ClockChange(call);
        ODR_ASSIGN_OR_RETURN(domain::Case current, store_->GetCase(id));
        ODR_RETURN_IF_ERROR(m.authorize(current));
        ODR_ASSIGN_OR_RETURN(std::string recorded,
                             domain::CheckExtensionConsents(current, consents));
        m.authorize = [authorize = m.authorize, consents](const domain::Case& k) -> absl::Status {
          ODR_RETURN_IF_ERROR(authorize(k));
          return domain::CheckExtensionConsents(k, consents).status();
        };
        const std::string text =
            absl::StrCat("consents: ", recorded, req->reason().empty() ? "" : "; ", req->reason());
        ODR_ASSIGN_OR_RETURN(domain::Deadline d, store_->ChangeMediationPeriod(
                                                     id, storage::CaseStore::PeriodChange::kExtend,
                                                     req->days(), text, m));
        ToProto(d, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* DeadlineServiceImpl::RecordRespondentContact(
    grpc::CallbackServerContext* ctx, const v1::RecordRespondentContactRequest* req,
    v1::Case* resp) {
  return runner_->Run(
      ctx, "/odr.v1.DeadlineService/RecordRespondentContact", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->name(), "name"));
        if (auto e = domain::CheckText(req->note(), 0, domain::Limits::kShortReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("note", e);
        }
        domain::CaseAction action;
        std::string reason;
        switch (req->outcome()) {
          case v1::RecordRespondentContactRequest::OUTCOME_AGREED:
            action = domain::CaseAction::kStartMediation;
            reason = absl::StrCat("the respondent agreed to mediation (OMR Art. 15)",
                                  req->note().empty() ? "" : ": ", req->note());
            break;
          case v1::RecordRespondentContactRequest::OUTCOME_REFUSED:
            action = domain::CaseAction::kClose;
            reason = absl::StrCat("the respondent refused mediation (OMR Art. 15, PML Art. 17)",
                                  req->note().empty() ? "" : ": ", req->note());
            break;
          case v1::RecordRespondentContactRequest::OUTCOME_UNREACHABLE:
            // The mediator writes down why (OMR Art. 15 para. 2: "应当写明原因").
            if (req->note().empty()) {
              return InvalidFieldError("note",
                                       "is required for UNREACHABLE: how the respondent was "
                                       "sought (OMR Art. 15)");
            }
            action = domain::CaseAction::kClose;
            reason = absl::StrCat(
                "the respondent could not be reached; online mediation ends (OMR Arts. 15, "
                "25(三)): ",
                req->note());
            break;
          default:
            return InvalidFieldError("outcome", "is required: AGREED, REFUSED or UNREACHABLE");
        }
        // Either outcome is recorded once, while the mediator has accepted and mediation has not
        // started (OMR Art. 15): a refusal later is a CloseCase with its own reason.
        domain::MutationContext m = ClockChange(call);
        m.authorize = [authorize = m.authorize](const domain::Case& k) -> absl::Status {
          ODR_RETURN_IF_ERROR(authorize(k));
          if (k.state != domain::CaseState::kMediatorAssigned) {
            return TransitionError(domain::ApiStateName(k.state),
                                   absl::StrCat("the contact with the respondent is recorded in "
                                                "STATE_MEDIATOR_ASSIGNED; the case is ",
                                                domain::ApiStateName(k.state)));
          }
          return absl::OkStatus();
        };
        ODR_ASSIGN_OR_RETURN(domain::Case k,
                             store_->TransitionCase(id, action, std::nullopt, reason, m));
        domain::RedactCase(call.caller.principal, &k);
        CaseToProto(k, resp);
        return absl::OkStatus();
      });
}

}  // namespace odr::server
