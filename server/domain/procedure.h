// The three routes into mediation and how each ends (docs/procedure.md; domain.md "Three routes"):
// the one place that says which route a case is on, what follows a failure (OMR Art. 21; PML Art.
// 26), that a settled post-filing suit is concluded by the court (OMR Art. 20; 特邀 Arts. 20-21)
// and never judicially confirmed, and what the case's ending record holds. Pure functions of
// their arguments; safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_PROCEDURE_H_
#define ODR_SERVER_DOMAIN_PROCEDURE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/state_machine.h"
#include "server/domain/types.h"

namespace odr::domain {

// The route of a case: a citizen's application (no court diversion), a pre-filing diversion
// (委派调解; procedure PRE_FILING) or a post-filing entrustment (委托调解; a POST_FILING
// procedure).
Route RouteOf(const CaseData& d);

// The ending recorded when a case on `route` closes without settlement: other remedies (PML Art.
// 26), filing by the court (OMR Art. 21(二)) or the trial resuming (OMR Art. 21(三)).
EndingKind FailureEnding(Route route);

// Whether an ending puts the case in its court's queue (CourtService.ListReferrals): filing or
// the trial resuming.
bool IsReferral(EndingKind k);

// What the timeline says of a referral ending (kind and text, naming the court and the
// article); nullopt for endings that are not referrals or a case without a court.
struct EndingEvent {
  EventKind kind = EventKind::kReferredToLitigation;
  std::string text;
};
std::optional<EndingEvent> ReferralEvent(const Case& c, EndingKind k);

// The ending to record when `action` has just moved `c` (its new state set) with `note`: a close
// records FailureEnding of the route with the reason and cost conduct (OMR Art. 21); a conclusion
// records the court's kind, document and note (OMR Art. 20). nullopt for every other action
// (withdrawal and confirmation record none).
std::optional<CaseEnding> EndingOf(const Case& c, CaseAction action, const TransitionNote& note,
                                   absl::string_view actor, absl::Time now);

// INVALID_ARGUMENT naming the field ("cost_conduct") if `cost_conduct` is over
// Limits::kReasonChars characters or not clean text (CheckText). Empty is allowed.
absl::Status ValidateCostConduct(absl::string_view cost_conduct);

// A court's conclusion (ConcludeCase): `note.conclusion` must be kMediationStatement or
// kSuitWithdrawn ("conclusion"), `note.court_document` 1-64 characters on one line
// ("court_document"), `note.reason` at most Limits::kReasonChars ("note"). INVALID_ARGUMENT
// naming the first bad field.
absl::Status ValidateConclusion(const TransitionNote& note);

// Only a post-filing case may be concluded by the court (OMR Art. 20): FAILED_PRECONDITION,
// reason NOT_POST_FILING, naming the route otherwise; then the state machine's kConclude check.
absl::Status CheckCanConclude(const Case& c);

// Whether the mediation period of a case on `route` may pause for an appraisal or assessment:
// only in mediation before filing, where the appraisal time does not count (OMR Art. 26); a
// post-filing entrustment's 15 or 7 days run on. FAILED_PRECONDITION
// APPRAISAL_PAUSE_PRE_FILING_ONLY otherwise.
absl::Status CheckAppraisalPause(Route route);

// What the timeline says when a court puts a case of `data` (a court diversion) before the
// organization: diverted to pre-filing mediation (特邀 Art. 11; CPL Art. 125) or entrusted to
// mediation after filing (特邀 Art. 20; OMR Art. 20).
std::string CourtSubmissionText(const CaseData& data);

// Whether an effective agreement of a case on `route` may be judicially confirmed: not after
// filing, where the court already has the suit (OMR Art. 20; 特邀 Arts. 20-21). The 30-day
// application window (PML Art. 33) starts only for such cases.
bool ConfirmationAvailable(Route route);

// Why a post-filing settlement cannot be confirmed, naming the rules (for the pre-check).
std::string ConfirmationUnavailableText();

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_PROCEDURE_H_
