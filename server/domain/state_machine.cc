#include "server/domain/state_machine.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/errors.h"

namespace odr::domain {

const std::vector<Transition>& Transitions() {
  static const auto* kTable = new std::vector<Transition>{
      {CaseAction::kSubmit, CaseState::kDraft, CaseState::kSubmitted, false},
      {CaseAction::kAccept, CaseState::kSubmitted, CaseState::kAccepted, false},
      {CaseAction::kWithdraw, CaseState::kDraft, CaseState::kWithdrawn, false},
      {CaseAction::kWithdraw, CaseState::kSubmitted, CaseState::kWithdrawn, false},
      {CaseAction::kWithdraw, CaseState::kAccepted, CaseState::kWithdrawn, false},
      {CaseAction::kClose, CaseState::kSubmitted, CaseState::kClosed, true},
      {CaseAction::kClose, CaseState::kAccepted, CaseState::kClosed, true},
      {CaseAction::kWithdraw, CaseState::kMediatorProposed, CaseState::kWithdrawn, false},
      {CaseAction::kWithdraw, CaseState::kMediatorAssigned, CaseState::kWithdrawn, false},
      {CaseAction::kClose, CaseState::kMediatorProposed, CaseState::kClosed, true},
      {CaseAction::kClose, CaseState::kMediatorAssigned, CaseState::kClosed, true},
      // Assignment changes: `to` is where they lead when nothing else is pending; see
      // StateAfterAssignmentChange. More mediators may join a complex case (OMR Art. 11).
      {CaseAction::kProposeMediator, CaseState::kAccepted, CaseState::kMediatorProposed, false},
      {CaseAction::kProposeMediator, CaseState::kMediatorProposed, CaseState::kMediatorProposed,
       false},
      {CaseAction::kProposeMediator, CaseState::kMediatorAssigned, CaseState::kMediatorAssigned,
       false},
      {CaseAction::kAcceptAssignment, CaseState::kMediatorProposed, CaseState::kMediatorAssigned,
       false},
      {CaseAction::kAcceptAssignment, CaseState::kMediatorAssigned, CaseState::kMediatorAssigned,
       false},
      {CaseAction::kReleaseMediator, CaseState::kMediatorProposed, CaseState::kAccepted, true},
      {CaseAction::kReleaseMediator, CaseState::kMediatorAssigned, CaseState::kAccepted, true},
      // Contacting the respondent (OMR Art. 15): it agrees (mediation starts) or refuses (the
      // case closes, with the refusal as reason).
      {CaseAction::kStartMediation, CaseState::kMediatorAssigned, CaseState::kMediating, false},
      {CaseAction::kWithdraw, CaseState::kMediating, CaseState::kWithdrawn, false},
      {CaseAction::kClose, CaseState::kMediating, CaseState::kClosed, true},
      {CaseAction::kProposeMediator, CaseState::kMediating, CaseState::kMediating, false},
      {CaseAction::kAcceptAssignment, CaseState::kMediating, CaseState::kMediating, false},
      {CaseAction::kReleaseMediator, CaseState::kMediating, CaseState::kAccepted, true},
      // The settlement (PML Art. 28) and its judicial confirmation (CPL Art. 206). A rejection
      // leaves the agreement as it was: the parties may mediate again, each consenting
      // (confirmation_review.h), or a party sues and the case closes (CPL Art. 206; PML Art. 33;
      // CheckCanEndSettledCase). A confirmation revoked on an objection (Interp Art. 372) brings
      // the case back to SETTLED.
      {CaseAction::kSettle, CaseState::kMediating, CaseState::kSettled, false},
      {CaseAction::kConfirm, CaseState::kSettled, CaseState::kConfirmed, false},
      {CaseAction::kMediateAgain, CaseState::kSettled, CaseState::kMediating, true},
      {CaseAction::kClose, CaseState::kSettled, CaseState::kClosed, true},
      {CaseAction::kRevokeConfirmation, CaseState::kConfirmed, CaseState::kSettled, true},
      // A settled post-filing suit: the court makes a mediation statement or the plaintiff
      // withdraws (OMR Art. 20; 特邀 Arts. 20-21). procedure.h says which routes may.
      {CaseAction::kConclude, CaseState::kSettled, CaseState::kConcluded, false},
  };
  return *kTable;
}

const char* ActionName(CaseAction a) {
  switch (a) {
    case CaseAction::kSubmit:
      return "submit";
    case CaseAction::kAccept:
      return "accept";
    case CaseAction::kWithdraw:
      return "withdraw";
    case CaseAction::kClose:
      return "close";
    case CaseAction::kProposeMediator:
      return "propose a mediator for";
    case CaseAction::kAcceptAssignment:
      return "accept the assignment of";
    case CaseAction::kReleaseMediator:
      return "release a mediator of";
    case CaseAction::kStartMediation:
      return "start mediating";
    case CaseAction::kSettle:
      return "settle";
    case CaseAction::kConfirm:
      return "confirm";
    case CaseAction::kMediateAgain:
      return "mediate again";
    case CaseAction::kConclude:
      return "conclude";
    case CaseAction::kRevokeConfirmation:
      return "revoke the confirmation of";
  }
  return "unknown";
}

std::string ApiStateName(CaseState s) {
  return absl::StrCat("STATE_", absl::AsciiStrToUpper(StateName(s)));
}

bool IsTerminal(CaseState s) {
  for (const Transition& t : Transitions()) {
    if (t.from == s && t.action != CaseAction::kRevokeConfirmation) return false;
  }
  return true;
}

bool ReasonRequired(CaseAction action) {
  for (const Transition& t : Transitions()) {
    if (t.action == action && t.reason_required) return true;
  }
  return false;
}

absl::StatusOr<CaseState> NextState(CaseState from, CaseAction action) {
  std::vector<std::string> allowed_from;
  for (const Transition& t : Transitions()) {
    if (t.action != action) continue;
    if (t.from == from) return t.to;
    allowed_from.push_back(ApiStateName(t.from));
  }
  return TransitionError(
      ApiStateName(from),
      absl::StrCat("cannot ", ActionName(action), " a case in ", ApiStateName(from),
                   "; allowed only in ", absl::StrJoin(allowed_from, " or ")));
}

absl::Status CheckEditable(CaseState s) {
  if (s == CaseState::kDraft || s == CaseState::kSubmitted || s == CaseState::kAccepted ||
      s == CaseState::kMediatorProposed || s == CaseState::kMediatorAssigned ||
      s == CaseState::kMediating) {
    return absl::OkStatus();
  }
  return TransitionError(ApiStateName(s), absl::StrCat("cannot update a case in ", ApiStateName(s),
                                                       "; it is closed to changes"));
}

absl::Status CheckCanAddEvidence(CaseState s) {
  if (!IsTerminal(s)) return absl::OkStatus();
  return TransitionError(ApiStateName(s), absl::StrCat("cannot add evidence to a case in ",
                                                       ApiStateName(s), "; it has ended"));
}

absl::Status CheckCanAssignMediator(CaseState s) {
  return NextState(s, CaseAction::kProposeMediator).status();
}

absl::StatusOr<CaseState> StateAfterAssignmentChange(CaseState from, CaseAction action,
                                                     int proposed, int accepted) {
  auto allowed = NextState(from, action);
  if (!allowed.ok()) return allowed.status();
  if (accepted > 0) {
    return from == CaseState::kMediating ? CaseState::kMediating : CaseState::kMediatorAssigned;
  }
  if (proposed > 0) return CaseState::kMediatorProposed;
  return CaseState::kAccepted;
}

}  // namespace odr::domain
