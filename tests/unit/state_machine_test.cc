#include "server/domain/state_machine.h"

#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::domain {
namespace {

TEST(StateMachineTest, HappyPath) {
  EXPECT_EQ(*NextState(CaseState::kDraft, CaseAction::kSubmit), CaseState::kSubmitted);
  EXPECT_EQ(*NextState(CaseState::kSubmitted, CaseAction::kAccept), CaseState::kAccepted);
  EXPECT_EQ(*NextState(CaseState::kAccepted, CaseAction::kClose), CaseState::kClosed);
}

TEST(StateMachineTest, WithdrawFromEveryOpenState) {
  for (CaseState s : {CaseState::kDraft, CaseState::kSubmitted, CaseState::kAccepted}) {
    EXPECT_EQ(*NextState(s, CaseAction::kWithdraw), CaseState::kWithdrawn) << StateName(s);
  }
}

TEST(StateMachineTest, CloseNotFromDraft) {
  auto r = NextState(CaseState::kDraft, CaseAction::kClose);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(r.status()), "TRANSITION_NOT_ALLOWED");
  EXPECT_EQ(ErrorCurrentState(r.status()), "STATE_DRAFT");
  EXPECT_NE(r.status().message().find("STATE_DRAFT"), absl::string_view::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("STATE_SUBMITTED or STATE_ACCEPTED"), absl::string_view::npos)
      << r.status().message();
}

TEST(StateMachineTest, TerminalStatesAllowNothing) {
  const CaseAction all[] = {CaseAction::kSubmit, CaseAction::kAccept, CaseAction::kWithdraw,
                            CaseAction::kClose};
  for (CaseState s : {CaseState::kWithdrawn, CaseState::kClosed}) {
    EXPECT_TRUE(IsTerminal(s));
    EXPECT_FALSE(CheckEditable(s).ok());
    for (CaseAction a : all) {
      auto r = NextState(s, a);
      ASSERT_FALSE(r.ok()) << StateName(s) << " " << ActionName(a);
      EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(ErrorCurrentState(r.status()), ApiStateName(s));
    }
  }
}

TEST(StateMachineTest, SettlementAndConfirmation) {
  EXPECT_EQ(*NextState(CaseState::kMediating, CaseAction::kSettle), CaseState::kSettled);
  EXPECT_EQ(*NextState(CaseState::kSettled, CaseAction::kConfirm), CaseState::kConfirmed);
  EXPECT_EQ(*NextState(CaseState::kSettled, CaseAction::kMediateAgain), CaseState::kMediating);
  EXPECT_TRUE(ReasonRequired(CaseAction::kMediateAgain));
  // Only a case being mediated settles; a settled case is not withdrawn or edited. It closes
  // only when a party sues after a rejection (CheckCanEndSettledCase decides when; CPL Art. 206).
  for (CaseState s : {CaseState::kMediatorAssigned, CaseState::kAccepted, CaseState::kSettled}) {
    EXPECT_FALSE(NextState(s, CaseAction::kSettle).ok()) << StateName(s);
  }
  for (CaseAction a : {CaseAction::kWithdraw, CaseAction::kProposeMediator}) {
    EXPECT_FALSE(NextState(CaseState::kSettled, a).ok()) << ActionName(a);
  }
  EXPECT_EQ(*NextState(CaseState::kSettled, CaseAction::kClose), CaseState::kClosed);
  EXPECT_TRUE(ReasonRequired(CaseAction::kClose));
  EXPECT_FALSE(CheckEditable(CaseState::kSettled).ok());
  EXPECT_FALSE(IsTerminal(CaseState::kSettled));
  EXPECT_TRUE(IsTerminal(CaseState::kConfirmed));
  EXPECT_FALSE(CheckCanAddEvidence(CaseState::kConfirmed).ok());
  EXPECT_THAT(CheckCanAddEvidence(CaseState::kSettled), IsOk());
}

TEST(StateMachineTest, AcceptOnlyFromSubmitted) {
  for (CaseState s : {CaseState::kDraft, CaseState::kAccepted}) {
    EXPECT_FALSE(NextState(s, CaseAction::kAccept).ok()) << StateName(s);
  }
  EXPECT_FALSE(NextState(CaseState::kSubmitted, CaseAction::kSubmit).ok());
}

TEST(StateMachineTest, OpenStatesAreEditableAndNotTerminal) {
  for (CaseState s : {CaseState::kDraft, CaseState::kSubmitted, CaseState::kAccepted}) {
    EXPECT_FALSE(IsTerminal(s));
    EXPECT_THAT(CheckEditable(s), IsOk());
  }
}

TEST(StateMachineTest, OnlyCloseRequiresReason) {
  EXPECT_TRUE(ReasonRequired(CaseAction::kClose));
  EXPECT_FALSE(ReasonRequired(CaseAction::kWithdraw));
  EXPECT_FALSE(ReasonRequired(CaseAction::kSubmit));
}

TEST(StateMachineTest, NamesRoundTrip) {
  for (CaseState s : {CaseState::kDraft, CaseState::kSubmitted, CaseState::kAccepted,
                      CaseState::kWithdrawn, CaseState::kClosed}) {
    EXPECT_EQ(StateFromName(StateName(s)), s);
  }
  EXPECT_EQ(ApiStateName(CaseState::kSubmitted), "STATE_SUBMITTED");
  EXPECT_FALSE(StateFromName("bogus").has_value());
}

}  // namespace
}  // namespace odr::domain
