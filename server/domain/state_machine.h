// The case lifecycle: the one place that says which state changes are lawful. Later capabilities
// (mediator assignment, mediation, settlement, judicial confirmation, referral to litigation) add
// actions and states here, and nowhere else.
#ifndef ODR_SERVER_DOMAIN_STATE_MACHINE_H_
#define ODR_SERVER_DOMAIN_STATE_MACHINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/domain/types.h"

namespace odr::domain {

enum class CaseAction {
  kSubmit,            // applicant puts the case before the organization (OMR Art. 8)
  kAccept,            // organization accepts it for mediation
  kWithdraw,          // applicant withdraws (OMR Art. 25)
  kClose,             // organization declines, or terminates without settlement (OMR Art. 25)
  kProposeMediator,   // a mediator is proposed: joint choice, organization, automatic (OMR Art. 10)
  kAcceptAssignment,  // a proposed mediator accepts (OMR Art. 12)
  kReleaseMediator,   // a mediator declines, recuses or is replaced (OMR Arts. 12, 14)
  kStartMediation,    // the respondent agreed to mediation when contacted (OMR Art. 15)
  kSettle,            // the settlement agreement took effect: all signed (PML Art. 28)
  kConfirm,           // a court ruled the agreement valid (CPL Art. 206)
  kMediateAgain,      // every party consented to mediate again after a rejection (CPL Art. 206)
  kConclude,          // the court concluded a settled post-filing suit (OMR Art. 20)
  kRevokeConfirmation,  // the court upheld an objection to its confirmation (Interp Art. 372)
};

struct Transition {
  CaseAction action;
  CaseState from;
  CaseState to;
  bool reason_required;
};

// Every allowed transition. Pure data; safe for concurrent use.
const std::vector<Transition>& Transitions();

// Returns the state after `action` from `from`, or FAILED_PRECONDITION (reason
// TRANSITION_NOT_ALLOWED) whose message names the current state and what would be allowed.
absl::StatusOr<CaseState> NextState(CaseState from, CaseAction action);

// Whether `action` needs a non-empty reason.
bool ReasonRequired(CaseAction action);

// Terminal states accept no transition and no update. A confirmation revoked on an objection
// (kRevokeConfirmation, CPL Interpretation Art. 372) reopens a confirmed case; that is the court
// undoing its ruling, not a way on, so CONFIRMED stays terminal.
bool IsTerminal(CaseState s);

// UpdateCase is allowed in non-terminal states before mediation starts.
absl::Status CheckEditable(CaseState s);

// Evidence may be added until the case ends (withdrawn or closed): FAILED_PRECONDITION naming the
// state otherwise.
absl::Status CheckCanAddEvidence(CaseState s);

// Mediators are assigned once the organization has accepted the case (OMR Art. 10).
absl::Status CheckCanAssignMediator(CaseState s);

// The state after an assignment change: with an accepted mediator, MEDIATOR_ASSIGNED (MEDIATING
// stays MEDIATING); else with
// a proposed one, MEDIATOR_PROPOSED; else back to ACCEPTED (to be assigned again). `action` must be
// allowed from `from` (NextState checks that first).
absl::StatusOr<CaseState> StateAfterAssignmentChange(CaseState from, CaseAction action,
                                                     int proposed, int accepted);

// "submit", "accept" ...
const char* ActionName(CaseAction a);

// The API's name of a state, e.g. "STATE_SUBMITTED".
std::string ApiStateName(CaseState s);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_STATE_MACHINE_H_
