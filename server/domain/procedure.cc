#include "server/domain/procedure.h"

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"

namespace odr::domain {

Route RouteOf(const CaseData& d) {
  if (!d.court_diversion) return Route::kCitizenApplication;
  return d.court_diversion->procedure == Procedure::kPreFiling ? Route::kPreFilingDiversion
                                                               : Route::kPostFilingEntrustment;
}

EndingKind FailureEnding(Route route) {
  switch (route) {
    case Route::kCitizenApplication:
      return EndingKind::kOtherRemedies;  // PML Art. 26
    case Route::kPreFilingDiversion:
      return EndingKind::kReferredForFiling;  // OMR Art. 21(二)
    case Route::kPostFilingEntrustment:
      return EndingKind::kTrialResumed;  // OMR Art. 21(三)
  }
  return EndingKind::kOtherRemedies;
}

bool IsReferral(EndingKind k) {
  return k == EndingKind::kReferredForFiling || k == EndingKind::kTrialResumed;
}

std::optional<EndingEvent> ReferralEvent(const Case& c, EndingKind k) {
  if (!IsReferral(k) || !c.data.court_diversion) return std::nullopt;
  const std::string& court = c.data.court_diversion->court_id;
  if (k == EndingKind::kReferredForFiling) {
    return EndingEvent{EventKind::kReferredToLitigation,
                       absl::StrCat("referred back to courts/", court,
                                    " for filing as litigation (OMR Art. 21(二))")};
  }
  return EndingEvent{
      EventKind::kReturnedForTrial,
      absl::StrCat("returned to courts/", court, " for the trial to resume (OMR Art. 21(三))")};
}

std::optional<CaseEnding> EndingOf(const Case& c, CaseAction action, const TransitionNote& note,
                                   absl::string_view actor, absl::Time now) {
  CaseEnding e;
  e.actor = std::string(actor);
  e.time = now;
  e.reason = note.reason;
  switch (action) {
    case CaseAction::kClose:
      e.kind = FailureEnding(RouteOf(c.data));
      e.cost_conduct = note.cost_conduct;
      return e;
    case CaseAction::kConclude:
      if (!note.conclusion) return std::nullopt;
      e.kind = *note.conclusion;
      e.court_document = note.court_document;
      return e;
    default:
      return std::nullopt;
  }
}

absl::Status ValidateCostConduct(absl::string_view cost_conduct) {
  if (std::string e = CheckText(cost_conduct, 0, Limits::kReasonChars, true); !e.empty()) {
    return InvalidFieldError("cost_conduct", e);
  }
  return absl::OkStatus();
}

absl::Status ValidateConclusion(const TransitionNote& note) {
  if (!note.conclusion || (*note.conclusion != EndingKind::kMediationStatement &&
                           *note.conclusion != EndingKind::kSuitWithdrawn)) {
    return InvalidFieldError(
        "conclusion", "must be KIND_MEDIATION_STATEMENT or KIND_SUIT_WITHDRAWN (OMR Art. 20)");
  }
  if (std::string e = CheckText(note.court_document, 1, Limits::kCourtDocumentChars, false);
      !e.empty()) {
    return InvalidFieldError("court_document", e);
  }
  if (std::string e = CheckText(note.reason, 0, Limits::kReasonChars, true); !e.empty()) {
    return InvalidFieldError("note", e);
  }
  return absl::OkStatus();
}

absl::Status CheckAppraisalPause(Route route) {
  if (route != Route::kPostFilingEntrustment) return absl::OkStatus();
  return MakeError(absl::StatusCode::kFailedPrecondition, "APPRAISAL_PAUSE_PRE_FILING_ONLY",
                   "only mediation before filing leaves appraisal or assessment time out of the "
                   "mediation period (OMR Art. 26); after filing, ask the court to arrange the "
                   "appraisal in the suit, or extend the period with every party's consent (OMR "
                   "Art. 24)");
}

absl::Status CheckCanConclude(const Case& c) {
  const Route route = RouteOf(c.data);
  if (route != Route::kPostFilingEntrustment) {
    return MakeError(
        absl::StatusCode::kFailedPrecondition, "NOT_POST_FILING",
        absl::StrCat("only a settled post-filing (entrusted) case is concluded by the court's "
                     "mediation statement or the plaintiff's withdrawal (OMR Art. 20); this case "
                     "came by ",
                     RouteName(route),
                     route == Route::kCitizenApplication
                         ? ", and its agreement stands on its own or is judicially confirmed"
                         : ", and its agreement is judicially confirmed (CPL Art. 205)"));
  }
  return NextState(c.state, CaseAction::kConclude).status();
}

std::string CourtSubmissionText(const CaseData& data) {
  const std::string court =
      data.court_diversion ? absl::StrCat("courts/", data.court_diversion->court_id) : "a court";
  if (RouteOf(data) == Route::kPostFilingEntrustment) {
    return absl::StrCat("entrusted by ", court,
                        " to mediation after filing (委托调解; 特邀 Art. 20; OMR Art. 20)");
  }
  return absl::StrCat("diverted by ", court,
                      " to pre-filing mediation (委派调解; 特邀 Art. 11; CPL Art. 125)");
}

bool ConfirmationAvailable(Route route) { return route != Route::kPostFilingEntrustment; }

std::string ConfirmationUnavailableText() {
  return "the case was entrusted to mediation after the court filed it: the court already has the "
         "suit, so the settlement ends in the court's mediation statement or the plaintiff's "
         "withdrawal (OMR Art. 20; 特邀 Arts. 20-21), not in judicial confirmation (CPL Art. "
         "205 covers agreements reached outside litigation)";
}

}  // namespace odr::domain
