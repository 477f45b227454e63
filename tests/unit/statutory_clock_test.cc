// The statutory clock: which deadlines a case has, when each is due and warns (CPL Art. 85
// counting over a synthetic working-day calendar), pauses, extensions, lifecycle changes, expiry
// effects and appointment reminders.
#include "server/domain/statutory_clock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "server/domain/state_machine.h"
#include "tests/testing/calendar.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

absl::Time CT(int y, int m, int d, int h, int mi = 0) {
  return testing::ChinaMinute(y, m, d, h, mi);
}

// 24:00 China time of y-m-d: when a period whose last day it is expires.
absl::Time EndOf(int y, int m, int d) { return WorkingCalendar::EndOfDay(D(y, m, d)); }

std::vector<std::string> Fields(const absl::Status& s) { return testing::FieldsOf(s); }

// testing::SyntheticCalendar(): made-up 2031 and 2032 (calendar.h).
WorkingCalendar Calendar() { return testing::SyntheticCalendar(); }

Case CitizenCase(CaseState state = CaseState::kAccepted) {
  Case c;
  c.id = "case-1";
  c.case_number = "ODR-2031-000001";
  c.data = odr::testing::MedicalCase();
  c.state = state;
  return c;
}

Case CourtCase(Procedure p, CaseState state = CaseState::kAccepted) {
  Case c = CitizenCase(state);
  CourtDiversion d;
  d.court_id = "court-7";
  d.intake_reference = "(2031)浙0681诉前调1号";
  d.diversion_date = "2031-03-01";
  d.procedure = p;
  c.data.court_diversion = d;
  return c;
}

MediatorAssignment Assignment(std::string principal, AssignmentState state) {
  MediatorAssignment a;
  a.organization_id = "org-1";
  a.mediator_id = "m-" + principal;
  a.principal_id = std::move(principal);
  a.state = state;
  return a;
}

class StatutoryClockTest : public ::testing::Test {
 protected:
  Deadline MediationPeriod(const Case& c, absl::Time start) const {
    return clock_.Start(DeadlineKind::kMediationPeriod, c, "", start);
  }

  const WorkingCalendar calendar_ = Calendar();
  const StatutoryClock clock_{&calendar_, ClockConfig{}};
};

// ---- Start: due times ----

TEST_F(StatutoryClockTest, AcceptanceIsThreeWorkingDaysOverAWeekend) {
  const Case c = CitizenCase(CaseState::kMediatorProposed);
  // Proposed Friday 2031-03-07: Mon 10, Tue 11, Wed 12; due at 24:00 of Wednesday.
  const Deadline d = clock_.Start(DeadlineKind::kMediatorAcceptance, c, "p-1", CT(2031, 3, 7, 10));
  EXPECT_EQ(d.case_id, "case-1");
  EXPECT_EQ(d.id, "mediator-acceptance-p-1");
  EXPECT_EQ(d.kind, DeadlineKind::kMediatorAcceptance);
  EXPECT_EQ(d.state, DeadlineState::kRunning);
  EXPECT_EQ(d.subject, "p-1");
  EXPECT_EQ(d.start, CT(2031, 3, 7, 10));
  EXPECT_EQ(d.length, 3);
  EXPECT_TRUE(d.working_days);
  EXPECT_EQ(d.extension_days, 0);
  EXPECT_FALSE(d.provisional);
  EXPECT_FALSE(d.warned);
  EXPECT_EQ(d.due, EndOf(2031, 3, 12));
  // 24:00 China time is 16:00 UTC.
  EXPECT_EQ(d.due, absl::FromCivil(absl::CivilSecond(2031, 3, 12, 16, 0, 0), absl::UTCTimeZone()));
}

TEST_F(StatutoryClockTest, TheStartDayIsTheDayInChinaTime) {
  const Case c = CitizenCase(CaseState::kMediatorProposed);
  // 00:30 Friday in China is still Thursday in UTC; 23:59 Friday in China is Friday in UTC.
  EXPECT_EQ(clock_.Start(DeadlineKind::kMediatorAcceptance, c, "p-1", CT(2031, 3, 7, 0, 30)).due,
            EndOf(2031, 3, 12));
  EXPECT_EQ(clock_.Start(DeadlineKind::kMediatorAcceptance, c, "p-1", CT(2031, 3, 7, 23, 59)).due,
            EndOf(2031, 3, 12));
  // 23:59 on Thursday: Fri 7, Mon 10, Tue 11.
  EXPECT_EQ(clock_.Start(DeadlineKind::kMediatorAcceptance, c, "p-1", CT(2031, 3, 6, 23, 59)).due,
            EndOf(2031, 3, 11));
}

TEST_F(StatutoryClockTest, AcceptanceSkipsHolidaysAndCountsAdjustedWorkingWeekends) {
  const Case c = CitizenCase(CaseState::kMediatorProposed);
  auto due = [&](absl::Time start) {
    return clock_.Start(DeadlineKind::kMediatorAcceptance, c, "p-1", start).due;
  };
  // Mon 2031-01-20: Tue 21, then the holiday week 22-28, then Wed 29, Thu 30.
  EXPECT_EQ(due(CT(2031, 1, 20, 15)), EndOf(2031, 1, 30));
  // Fri 2031-01-17: the adjusted working Sunday 19, Mon 20, Tue 21.
  EXPECT_EQ(due(CT(2031, 1, 17, 15)), EndOf(2031, 1, 21));
  // Wed 2031-01-29: Thu 30, Fri 31 and the adjusted working Saturday 02-01.
  EXPECT_EQ(due(CT(2031, 1, 29, 9)), EndOf(2031, 2, 1));
  // Across National Day: Tue 09-30 -> Wed 10-08, Thu 10-09, Fri 10-10.
  EXPECT_EQ(due(CT(2031, 9, 30, 9)), EndOf(2031, 10, 10));
}

TEST_F(StatutoryClockTest, RespondentContactIsThreeWorkingDaysFromAcceptance) {
  const Case c = CitizenCase(CaseState::kMediatorAssigned);
  const Deadline d = clock_.Start(DeadlineKind::kRespondentContact, c, "", CT(2031, 1, 21, 11));
  EXPECT_EQ(d.id, "respondent-contact");
  EXPECT_EQ(d.kind, DeadlineKind::kRespondentContact);
  EXPECT_EQ(d.length, 3);
  EXPECT_TRUE(d.working_days);
  // Tue 2031-01-21: the holiday week passes; Wed 29, Thu 30, Fri 31.
  EXPECT_EQ(d.due, EndOf(2031, 1, 31));
  EXPECT_EQ(clock_.Start(DeadlineKind::kRespondentContact, c, "", CT(2031, 3, 7, 18)).due,
            EndOf(2031, 3, 12));
}

TEST_F(StatutoryClockTest, MediationPeriodLengthFollowsTheProcedure) {
  EXPECT_EQ(StatutoryClock::MediationPeriodDays(CitizenCase()), 30);
  EXPECT_EQ(StatutoryClock::MediationPeriodDays(CourtCase(Procedure::kPreFiling)), 30);
  EXPECT_EQ(StatutoryClock::MediationPeriodDays(CourtCase(Procedure::kPostFilingOrdinary)), 15);
  EXPECT_EQ(StatutoryClock::MediationPeriodDays(CourtCase(Procedure::kPostFilingSimple)), 7);

  // Accepted Mon 2031-03-03: 30 days is Wed 04-02, 15 days Tue 03-18, 7 days Mon 03-10.
  const absl::Time start = CT(2031, 3, 3, 10);
  const Deadline citizen = MediationPeriod(CitizenCase(), start);
  EXPECT_EQ(citizen.id, "mediation-period");
  EXPECT_EQ(citizen.kind, DeadlineKind::kMediationPeriod);
  EXPECT_EQ(citizen.length, 30);
  EXPECT_FALSE(citizen.working_days);
  EXPECT_EQ(citizen.due, EndOf(2031, 4, 2));
  const Deadline pre = MediationPeriod(CourtCase(Procedure::kPreFiling), start);
  EXPECT_EQ(pre.length, 30);
  EXPECT_EQ(pre.due, EndOf(2031, 4, 2));
  const Deadline ordinary = MediationPeriod(CourtCase(Procedure::kPostFilingOrdinary), start);
  EXPECT_EQ(ordinary.length, 15);
  EXPECT_EQ(ordinary.due, EndOf(2031, 3, 18));
  const Deadline simple = MediationPeriod(CourtCase(Procedure::kPostFilingSimple), start);
  EXPECT_EQ(simple.length, 7);
  EXPECT_EQ(simple.due, EndOf(2031, 3, 10));
}

TEST_F(StatutoryClockTest, APeriodInDaysEndingOnARestDayEndsOnTheNextWorkingDay) {
  // 7 days from Sat 2031-03-01 is Sat 03-08: the period ends Mon 03-10.
  EXPECT_EQ(MediationPeriod(CourtCase(Procedure::kPostFilingSimple), CT(2031, 3, 1, 10)).due,
            EndOf(2031, 3, 10));
  // 15 days from Fri 2031-03-07 is Sat 03-22: Mon 03-24.
  EXPECT_EQ(MediationPeriod(CourtCase(Procedure::kPostFilingOrdinary), CT(2031, 3, 7, 10)).due,
            EndOf(2031, 3, 24));
  // 30 days from Tue 2031-09-02 is Thu 10-02, in the National Day holidays: Wed 10-08.
  EXPECT_EQ(MediationPeriod(CitizenCase(), CT(2031, 9, 2, 10)).due, EndOf(2031, 10, 8));
  // 7 days from Tue 2031-09-30 is Tue 10-07, the last holiday: Wed 10-08.
  EXPECT_EQ(MediationPeriod(CourtCase(Procedure::kPostFilingSimple), CT(2031, 9, 30, 10)).due,
            EndOf(2031, 10, 8));
  // 7 days from Sat 2031-01-11 is Sat 01-18, then the adjusted working Sunday 01-19.
  EXPECT_EQ(MediationPeriod(CourtCase(Procedure::kPostFilingSimple), CT(2031, 1, 11, 10)).due,
            EndOf(2031, 1, 19));
}

TEST_F(StatutoryClockTest, ConfirmationApplicationIsThirtyDays) {
  const Deadline d =
      clock_.Start(DeadlineKind::kConfirmationApplication, CitizenCase(), "", CT(2031, 3, 3, 10));
  EXPECT_EQ(d.id, "confirmation-application");
  EXPECT_EQ(d.length, 30);
  EXPECT_FALSE(d.working_days);
  EXPECT_EQ(d.due, EndOf(2031, 4, 2));
}

TEST_F(StatutoryClockTest, AYearNotLoadedCountsWeekdaysAndIsProvisional) {
  const Case c = CitizenCase(CaseState::kMediatorProposed);
  // Fri 2033-03-04: Mon 7, Tue 8, Wed 9 by the weekday rule alone.
  const Deadline d = clock_.Start(DeadlineKind::kMediatorAcceptance, c, "p-1", CT(2033, 3, 4, 10));
  EXPECT_TRUE(d.provisional);
  EXPECT_EQ(d.due, EndOf(2033, 3, 9));
  EXPECT_THAT(clock_.StartedMessage(d), HasSubstr("provisional"));
  // A period that starts in a loaded year and reaches one that is not: 30 days from Wed
  // 2032-12-15 is Fri 2033-01-14.
  const Deadline across = MediationPeriod(CitizenCase(), CT(2032, 12, 15, 10));
  EXPECT_TRUE(across.provisional);
  EXPECT_EQ(across.due, EndOf(2033, 1, 14));
  // Wholly inside loaded years: not provisional.
  const Deadline loaded = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  EXPECT_FALSE(loaded.provisional);
  EXPECT_THAT(clock_.StartedMessage(loaded), Not(HasSubstr("provisional")));
}

// ---- Warnings and NextFire ----

TEST_F(StatutoryClockTest, ALongPeriodWarnsTheLeadBeforeItsDueTime) {
  const Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  ASSERT_TRUE(d.warn_at.has_value());
  EXPECT_EQ(d.due, EndOf(2031, 4, 2));
  EXPECT_EQ(*d.warn_at, d.due - absl::Hours(72));
  EXPECT_EQ(*d.warn_at, CT(2031, 3, 31, 0));
}

TEST_F(StatutoryClockTest, AShortPeriodWarnsAtHalfItsLength) {
  // Fri 2031-03-07 10:00 to 24:00 Wed 03-12 is 134 hours: warned 67 hours before.
  const Deadline d =
      clock_.Start(DeadlineKind::kMediatorAcceptance, CitizenCase(CaseState::kMediatorProposed),
                   "p-1", CT(2031, 3, 7, 10));
  ASSERT_TRUE(d.warn_at.has_value());
  EXPECT_EQ(d.due - d.start, absl::Hours(134));
  EXPECT_EQ(*d.warn_at, d.due - absl::Hours(67));
  EXPECT_EQ(*d.warn_at, CT(2031, 3, 10, 5));
  // Started at 23:59 on Tuesday: 24:00 Friday is 72 hours and 1 minute away; half of it.
  const Deadline late =
      clock_.Start(DeadlineKind::kRespondentContact, CitizenCase(), "", CT(2031, 3, 4, 23, 59));
  EXPECT_EQ(late.due, EndOf(2031, 3, 7));
  EXPECT_EQ(*late.warn_at, late.due - (late.due - late.start) / 2);
}

TEST_F(StatutoryClockTest, TheWarningLeadIsConfigurable) {
  ClockConfig config;
  config.warning_lead = absl::Hours(24);
  const StatutoryClock clock(&calendar_, config);
  EXPECT_EQ(clock.config().warning_lead, absl::Hours(24));
  const Deadline d =
      clock.Start(DeadlineKind::kMediationPeriod, CitizenCase(), "", CT(2031, 3, 3, 10));
  EXPECT_EQ(*d.warn_at, CT(2031, 4, 2, 0));
}

TEST_F(StatutoryClockTest, NextFireIsTheWarningThenTheDueTimeAndNothingUnlessRunning) {
  Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  ASSERT_TRUE(d.NextFire().has_value());
  EXPECT_EQ(*d.NextFire(), *d.warn_at);
  d.warned = true;
  EXPECT_EQ(*d.NextFire(), d.due);
  d.warned = false;
  d.warn_at.reset();
  EXPECT_EQ(*d.NextFire(), d.due);
  d.warn_at = d.due + absl::Hours(1);  // never later than the due time
  EXPECT_EQ(*d.NextFire(), d.due);
  for (DeadlineState s : {DeadlineState::kPaused, DeadlineState::kMet, DeadlineState::kExpired,
                          DeadlineState::kCancelled}) {
    d.state = s;
    EXPECT_FALSE(d.NextFire().has_value()) << DeadlineStateName(s);
  }
}

TEST_F(StatutoryClockTest, PausedDaysCountAPartDayAsADay) {
  Deadline d;
  EXPECT_EQ(d.PausedDays(), 0);
  d.paused = absl::Nanoseconds(1);
  EXPECT_EQ(d.PausedDays(), 1);
  d.paused = absl::Hours(1);
  EXPECT_EQ(d.PausedDays(), 1);
  d.paused = absl::Hours(24);
  EXPECT_EQ(d.PausedDays(), 1);
  d.paused = absl::Hours(24) + absl::Seconds(1);
  EXPECT_EQ(d.PausedDays(), 2);
  d.paused = absl::Hours(49);
  EXPECT_EQ(d.PausedDays(), 3);
  d.paused = -absl::Hours(1);
  EXPECT_EQ(d.PausedDays(), 0);
}

// ---- Pause, Resume, Extend ----

TEST_F(StatutoryClockTest, PauseAndResumeMoveTheDueTimeByWholeDaysPaused) {
  // 30 days from Mon 2031-03-03: Wed 04-02.
  Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  ASSERT_EQ(d.due, EndOf(2031, 4, 2));
  ASSERT_THAT(clock_.Pause(&d, CT(2031, 3, 10, 10)), IsOk());
  EXPECT_EQ(d.state, DeadlineState::kPaused);
  EXPECT_TRUE(d.open());
  ASSERT_TRUE(d.paused_at.has_value());
  EXPECT_EQ(*d.paused_at, CT(2031, 3, 10, 10));
  EXPECT_EQ(d.update_time, CT(2031, 3, 10, 10));
  EXPECT_FALSE(d.NextFire().has_value());
  EXPECT_EQ(d.due, EndOf(2031, 4, 2));  // unchanged while paused

  // Paused one hour: one day.
  ASSERT_THAT(clock_.Resume(&d, CT(2031, 3, 10, 11)), IsOk());
  EXPECT_EQ(d.state, DeadlineState::kRunning);
  EXPECT_FALSE(d.paused_at.has_value());
  EXPECT_EQ(d.paused, absl::Hours(1));
  EXPECT_EQ(d.PausedDays(), 1);
  EXPECT_EQ(d.update_time, CT(2031, 3, 10, 11));
  EXPECT_EQ(d.due, EndOf(2031, 4, 3));
  EXPECT_EQ(*d.warn_at, d.due - absl::Hours(72));
  EXPECT_EQ(*d.NextFire(), *d.warn_at);
}

TEST_F(StatutoryClockTest, PausesAddUpAndAPartDayCountsAsADay) {
  // 15 days from Mon 2031-03-03: Tue 03-18.
  Deadline d = MediationPeriod(CourtCase(Procedure::kPostFilingOrdinary), CT(2031, 3, 3, 10));
  ASSERT_EQ(d.due, EndOf(2031, 3, 18));
  // 49 hours paused: three days, Fri 03-21.
  ASSERT_THAT(clock_.Pause(&d, CT(2031, 3, 5, 10)), IsOk());
  ASSERT_THAT(clock_.Resume(&d, CT(2031, 3, 7, 11)), IsOk());
  EXPECT_EQ(d.paused, absl::Hours(49));
  EXPECT_EQ(d.PausedDays(), 3);
  EXPECT_EQ(d.due, EndOf(2031, 3, 21));
  // Another half hour: 49.5 hours is still three days.
  ASSERT_THAT(clock_.Pause(&d, CT(2031, 3, 10, 9)), IsOk());
  ASSERT_THAT(clock_.Resume(&d, CT(2031, 3, 10, 9, 30)), IsOk());
  EXPECT_EQ(d.PausedDays(), 3);
  EXPECT_EQ(d.due, EndOf(2031, 3, 21));
  // 23 hours more: four days, Sat 03-22, a rest day: Mon 03-24.
  ASSERT_THAT(clock_.Pause(&d, CT(2031, 3, 11, 9)), IsOk());
  ASSERT_THAT(clock_.Resume(&d, CT(2031, 3, 12, 8)), IsOk());
  EXPECT_EQ(d.paused, absl::Hours(72) + absl::Minutes(30));
  EXPECT_EQ(d.PausedDays(), 4);
  EXPECT_EQ(d.due, EndOf(2031, 3, 24));
}

TEST_F(StatutoryClockTest, ResumingGivesAWarningStillAheadAgain) {
  Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  ASSERT_EQ(*d.warn_at, CT(2031, 3, 31, 0));
  d.warned = true;  // given at 03-31 00:00
  ASSERT_THAT(clock_.Pause(&d, CT(2031, 3, 31, 1)), IsOk());
  ASSERT_THAT(clock_.Resume(&d, CT(2031, 3, 31, 2)), IsOk());
  EXPECT_EQ(d.due, EndOf(2031, 4, 3));
  EXPECT_EQ(*d.warn_at, CT(2031, 4, 1, 0));
  EXPECT_FALSE(d.warned);
  EXPECT_EQ(*d.NextFire(), CT(2031, 4, 1, 0));

  // Resumed after the moved warning time: the warning is not given twice.
  Deadline late = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  late.warned = true;
  ASSERT_THAT(clock_.Pause(&late, CT(2031, 4, 2, 23)), IsOk());
  ASSERT_THAT(clock_.Resume(&late, CT(2031, 4, 3, 0)), IsOk());
  EXPECT_EQ(late.due, EndOf(2031, 4, 3));
  EXPECT_LE(*late.warn_at, CT(2031, 4, 3, 0));
  EXPECT_TRUE(late.warned);
  EXPECT_EQ(*late.NextFire(), late.due);
}

TEST_F(StatutoryClockTest, OnlyARunningMediationPeriodPausesAndOnlyAPausedOneResumes) {
  const absl::Time now = CT(2031, 3, 10, 10);
  Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  // Resume of a running period.
  absl::Status s = clock_.Resume(&d, now);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ErrorReason(s), "DEADLINE_NOT_PAUSED");
  EXPECT_EQ(d.state, DeadlineState::kRunning);
  // Pause twice.
  ASSERT_THAT(clock_.Pause(&d, now), IsOk());
  s = clock_.Pause(&d, now + absl::Hours(1));
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ErrorReason(s), "DEADLINE_NOT_RUNNING");
  EXPECT_EQ(*d.paused_at, now);  // the first pause stands
  // Periods that have ended.
  for (DeadlineState st :
       {DeadlineState::kMet, DeadlineState::kExpired, DeadlineState::kCancelled}) {
    Deadline ended = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
    ended.state = st;
    EXPECT_EQ(clock_.Pause(&ended, now).code(), absl::StatusCode::kFailedPrecondition)
        << DeadlineStateName(st);
    EXPECT_EQ(clock_.Resume(&ended, now).code(), absl::StatusCode::kFailedPrecondition)
        << DeadlineStateName(st);
    EXPECT_EQ(ended.state, st);
  }
  // Other kinds of deadline do not pause.
  Deadline acceptance =
      clock_.Start(DeadlineKind::kMediatorAcceptance, CitizenCase(CaseState::kMediatorProposed),
                   "p-1", CT(2031, 3, 7, 10));
  EXPECT_EQ(clock_.Pause(&acceptance, now).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(acceptance.state, DeadlineState::kRunning);
  Deadline contact =
      clock_.Start(DeadlineKind::kRespondentContact, CitizenCase(), "", CT(2031, 3, 7, 10));
  contact.state = DeadlineState::kPaused;
  contact.paused_at = now;
  EXPECT_EQ(clock_.Resume(&contact, now + absl::Hours(1)).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(StatutoryClockTest, ExtendAddsDays) {
  // 30 days from Mon 2031-03-03: Wed 04-02; 5 more: Mon 04-07.
  Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  ASSERT_THAT(clock_.Extend(&d, 5, CT(2031, 3, 20, 10)), IsOk());
  EXPECT_EQ(d.extension_days, 5);
  EXPECT_EQ(d.length, 30);
  EXPECT_EQ(d.due, EndOf(2031, 4, 7));
  EXPECT_EQ(*d.warn_at, d.due - absl::Hours(72));
  EXPECT_EQ(d.update_time, CT(2031, 3, 20, 10));
  // Extensions add up; 1 more: Tue 04-08.
  ASSERT_THAT(clock_.Extend(&d, 1, CT(2031, 3, 21, 10)), IsOk());
  EXPECT_EQ(d.extension_days, 6);
  EXPECT_EQ(d.due, EndOf(2031, 4, 8));
  // 60 at once is allowed.
  Deadline most = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  ASSERT_THAT(clock_.Extend(&most, 60, CT(2031, 3, 20, 10)), IsOk());
  EXPECT_EQ(most.extension_days, 60);
  // 90 days from Mon 03-03 is Sun 06-01: Mon 06-02.
  EXPECT_EQ(most.due, EndOf(2031, 6, 2));
}

TEST_F(StatutoryClockTest, ExtendingGivesAWarningStillAheadAgain) {
  Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  d.warned = true;
  ASSERT_THAT(clock_.Extend(&d, 10, CT(2031, 3, 31, 12)), IsOk());
  EXPECT_FALSE(d.warned);
  EXPECT_EQ(*d.NextFire(), *d.warn_at);
}

TEST_F(StatutoryClockTest, ExtendRefusesOutOfRangeDaysNamingDays) {
  const absl::Time now = CT(2031, 3, 20, 10);
  Deadline d = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  const absl::Time due = d.due;
  for (int days : {0, kMaxExtensionRequestDays + 1, -1}) {
    absl::Status s = clock_.Extend(&d, days, now);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << days;
    EXPECT_THAT(Fields(s), ElementsAre("days")) << days;
  }
  EXPECT_EQ(d.extension_days, 0);
  EXPECT_EQ(d.due, due);
  // No cap in all: with the parties' consent the period is not limited (OMR Art. 24 "不受此限").
  ASSERT_THAT(clock_.Extend(&d, 60, now), IsOk());
  ASSERT_THAT(clock_.Extend(&d, 60, now), IsOk());
  ASSERT_THAT(clock_.Extend(&d, 60, now), IsOk());
  ASSERT_THAT(clock_.Extend(&d, kMaxExtensionRequestDays, now), IsOk());
  EXPECT_EQ(d.extension_days, 180 + kMaxExtensionRequestDays);
  EXPECT_EQ(d.due, due + absl::Hours(24) * (180 + kMaxExtensionRequestDays));
}

// CPL Art. 187: the ruling period, extended with the president's approval; only the ruling.
TEST_F(StatutoryClockTest, ExtendRulingMovesTheCourtsRulingDeadline) {
  const absl::Time now = CT(2031, 3, 18, 10);
  Deadline r = clock_.Start(DeadlineKind::kConfirmationRuling, CitizenCase(), "cf-1", now);
  const absl::Time due = r.due;
  EXPECT_EQ(due, EndOf(2031, 4, 17));  // 30 days from 2031-03-18, a Thursday
  ASSERT_THAT(clock_.ExtendRuling(&r, 30, now), IsOk());
  EXPECT_EQ(r.extension_days, 30);
  // 60 days: 2031-05-17 is a Saturday, so the next working day (CPL Art. 85).
  EXPECT_EQ(r.due, EndOf(2031, 5, 19));
  EXPECT_THAT(clock_.OnExpiry(r, CitizenCase()).message, HasSubstr("within 60 days"));
  Deadline period = MediationPeriod(CitizenCase(), now);
  EXPECT_EQ(clock_.ExtendRuling(&period, 30, now).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(clock_.ExtendRuling(&r, 0, now).code(), absl::StatusCode::kInvalidArgument);
}

// CPL Interpretation Art. 372: a party's 15 days from receiving the ruling; Arts. 354, 356: the
// court's deadline for materials. Both the parties' to use, neither a breach.
TEST_F(StatutoryClockTest, TheObjectionWindowAndTheMaterialsDeadline) {
  const Case c = CitizenCase(CaseState::kConfirmed);
  const Deadline o = clock_.Start(DeadlineKind::kRulingObjection, c, "cf-1", CT(2031, 3, 21, 9));
  EXPECT_EQ(o.id, "ruling-objection-cf-1");
  // 15 days from 2031-03-21: 2031-04-05 is a Saturday, so Monday 2031-04-07 (CPL Art. 85).
  EXPECT_EQ(o.due, EndOf(2031, 4, 7));
  EXPECT_EQ(StatutoryClock::LegalBasis(o.kind), std::string("CPL Interpretation Art. 372"));
  EXPECT_EQ(StatutoryClock::Audience(o.kind), EventAudience::kAll);
  EXPECT_FALSE(IsBreach(o.kind));
  const Deadline m = clock_.MaterialsDeadline(c, "cf-1", 10, CT(2031, 3, 3, 10));
  EXPECT_EQ(m.id, "confirmation-materials-cf-1");
  EXPECT_EQ(m.due, EndOf(2031, 3, 13));
  EXPECT_FALSE(IsBreach(m.kind));
  EXPECT_THAT(clock_.OnExpiry(m, c).message, HasSubstr("CPL Interpretation Art. 357"));
}

TEST_F(StatutoryClockTest, ExtendTakesAnOpenMediationPeriodOnly) {
  const absl::Time now = CT(2031, 3, 20, 10);
  // Paused: extended, and stays paused.
  Deadline paused = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  ASSERT_THAT(clock_.Pause(&paused, CT(2031, 3, 10, 10)), IsOk());
  ASSERT_THAT(clock_.Extend(&paused, 5, now), IsOk());
  EXPECT_EQ(paused.state, DeadlineState::kPaused);
  EXPECT_EQ(paused.extension_days, 5);
  // The pause still counts when resumed: 30 + 5 + 1 days from Mon 03-03 is Tue 04-08.
  ASSERT_THAT(clock_.Resume(&paused, CT(2031, 3, 10, 12)), IsOk());
  EXPECT_EQ(paused.due, EndOf(2031, 4, 8));

  for (DeadlineState st :
       {DeadlineState::kMet, DeadlineState::kExpired, DeadlineState::kCancelled}) {
    Deadline ended = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
    ended.state = st;
    EXPECT_EQ(clock_.Extend(&ended, 5, now).code(), absl::StatusCode::kFailedPrecondition)
        << DeadlineStateName(st);
    EXPECT_EQ(ended.extension_days, 0);
  }
  Deadline acceptance =
      clock_.Start(DeadlineKind::kMediatorAcceptance, CitizenCase(CaseState::kMediatorProposed),
                   "p-1", CT(2031, 3, 7, 10));
  EXPECT_EQ(clock_.Extend(&acceptance, 5, now).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(acceptance.extension_days, 0);
}

// CPL Art. 86: a party late for a good reason gets more time; the last day moves to the day the
// court set, and an expired period runs again.
TEST_F(StatutoryClockTest, APartysPeriodIsExtendedToTheDayTheCourtSet) {
  const Case c = CitizenCase(CaseState::kSettled);
  Deadline m = clock_.MaterialsDeadline(c, "cf-1", 10, CT(2031, 3, 3, 10));
  ASSERT_EQ(m.due, EndOf(2031, 3, 13));
  m.state = DeadlineState::kExpired;
  m.warned = true;
  const absl::Time now = CT(2031, 3, 17, 9);
  ASSERT_THAT(clock_.ExtendPartyPeriod(&m, D(2031, 3, 25), now), IsOk());
  EXPECT_EQ(m.state, DeadlineState::kRunning);
  EXPECT_EQ(m.due, EndOf(2031, 3, 25));
  EXPECT_EQ(m.extension_days, 12);
  EXPECT_EQ(m.update_time, now);
  ASSERT_TRUE(m.NextFire().has_value());
  // A last day on a rest day moves to the next working day (CPL Art. 85): Sat 03-29 -> Mon 03-31.
  ASSERT_THAT(clock_.ExtendPartyPeriod(&m, D(2031, 3, 29), now), IsOk());
  EXPECT_EQ(m.due, EndOf(2031, 3, 31));
  // Not after the current last day: refused naming until_date.
  Deadline o = clock_.Start(DeadlineKind::kRulingObjection, c, "cf-1", CT(2031, 3, 21, 9));
  ASSERT_EQ(o.due, EndOf(2031, 4, 7));
  EXPECT_THAT(Fields(clock_.ExtendPartyPeriod(&o, D(2031, 4, 7), now)), ElementsAre("until_date"));
  ASSERT_THAT(clock_.ExtendPartyPeriod(&o, D(2031, 4, 10), now), IsOk());
  EXPECT_EQ(o.due, EndOf(2031, 4, 10));
  // Only a party's materials or objection period, running or expired.
  Deadline met = clock_.MaterialsDeadline(c, "cf-2", 10, CT(2031, 3, 3, 10));
  met.state = DeadlineState::kMet;
  EXPECT_EQ(ErrorReason(clock_.ExtendPartyPeriod(&met, D(2031, 3, 25), now)), "NO_SUCH_PERIOD");
  Deadline period = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  EXPECT_EQ(ErrorReason(clock_.ExtendPartyPeriod(&period, D(2031, 5, 25), now)), "NO_SUCH_PERIOD");
  EXPECT_EQ(period.extension_days, 0);
}

// ---- OnCaseChange ----

// OMR Art. 10: the parties choose a mediator jointly within 2 working days; failing that one is
// designated within 3 more. Both start with the organization's acceptance.
TEST_F(StatutoryClockTest, ThePartiesChooseJointlyInTwoWorkingDaysElseOneIsDesignatedInThree) {
  const absl::Time accepted = CT(2031, 3, 7, 10);  // a Friday
  Case before = CitizenCase(CaseState::kSubmitted);
  Case after = CitizenCase(CaseState::kAccepted);
  const DeadlinePlan plan = clock_.OnCaseChange(before, after, accepted);
  ASSERT_EQ(plan.start.size(), 3u);
  const Deadline& choice = plan.start[1];
  const Deadline& designation = plan.start[2];
  EXPECT_EQ(choice.kind, DeadlineKind::kMediatorChoice);
  EXPECT_EQ(choice.id, "mediator-choice");
  EXPECT_TRUE(choice.working_days);
  EXPECT_EQ(choice.due, EndOf(2031, 3, 11));  // Mon 10, Tue 11
  EXPECT_EQ(designation.kind, DeadlineKind::kMediatorDesignation);
  EXPECT_EQ(designation.due, EndOf(2031, 3, 14));  // then Wed 12, Thu 13, Fri 14
  EXPECT_STREQ(StatutoryClock::LegalBasis(DeadlineKind::kMediatorChoice), "OMR Art. 10");
  EXPECT_STREQ(StatutoryClock::LegalBasis(DeadlineKind::kMediatorDesignation), "OMR Art. 10");
  // The parties' time is theirs to use; the designation is the organization's duty.
  EXPECT_FALSE(IsBreach(DeadlineKind::kMediatorChoice));
  EXPECT_TRUE(IsBreach(DeadlineKind::kMediatorDesignation));
  const ExpiryEffect lapsed = clock_.OnExpiry(choice, after);
  EXPECT_EQ(lapsed.audience, EventAudience::kAll);
  EXPECT_FALSE(lapsed.action.has_value());
  EXPECT_THAT(lapsed.message, HasSubstr("OMR Art. 10"));
  const ExpiryEffect late = clock_.OnExpiry(designation, after);
  EXPECT_EQ(late.audience, EventAudience::kStaff);
  EXPECT_FALSE(late.action.has_value());
  EXPECT_THAT(late.message, HasSubstr("designate"));

  // A joint choice meets both.
  Case chosen = CitizenCase(CaseState::kMediatorProposed);
  MediatorAssignment joint = Assignment("p-1", AssignmentState::kProposed);
  joint.method = AssignmentMethod::kJointChoice;
  chosen.assignments = {joint};
  const DeadlinePlan met = clock_.OnCaseChange(after, chosen, CT(2031, 3, 10, 10));
  ASSERT_EQ(met.stop.size(), 2u);
  EXPECT_EQ(met.stop[0].id, "mediator-choice");
  EXPECT_EQ(met.stop[0].state, DeadlineState::kMet);
  EXPECT_EQ(met.stop[1].id, "mediator-designation");
  EXPECT_EQ(met.stop[1].state, DeadlineState::kMet);
  // After a decline the case is assigned again: the choice was over, nothing stops again.
  Case declined = chosen;
  declined.state = CaseState::kAccepted;
  declined.assignments[0].state = AssignmentState::kDeclined;
  Case again = declined;
  again.state = CaseState::kMediatorProposed;
  again.assignments.push_back(Assignment("p-2", AssignmentState::kProposed));
  const DeadlinePlan second = clock_.OnCaseChange(declined, again, CT(2031, 3, 12, 10));
  EXPECT_THAT(second.stop, IsEmpty());
  ASSERT_EQ(second.start.size(), 1u);
  EXPECT_EQ(second.start[0].kind, DeadlineKind::kMediatorAcceptance);
}

TEST_F(StatutoryClockTest, ProposingAMediatorStartsItsAcceptanceDeadline) {
  const absl::Time now = CT(2031, 3, 7, 10);
  const Case before = CitizenCase(CaseState::kAccepted);
  Case after = CitizenCase(CaseState::kMediatorProposed);
  after.assignments = {Assignment("p-1", AssignmentState::kProposed)};
  const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
  EXPECT_FALSE(plan.stop_all);
  // The organization's proposal is its designation (OMR Art. 10).
  ASSERT_EQ(plan.stop.size(), 2u);
  EXPECT_EQ(plan.stop[0].id, "mediator-choice");
  EXPECT_EQ(plan.stop[0].state, DeadlineState::kCancelled);
  EXPECT_EQ(plan.stop[1].id, "mediator-designation");
  EXPECT_EQ(plan.stop[1].state, DeadlineState::kMet);
  ASSERT_EQ(plan.start.size(), 1u);
  const Deadline& d = plan.start[0];
  EXPECT_EQ(d.id, "mediator-acceptance-p-1");
  EXPECT_EQ(d.kind, DeadlineKind::kMediatorAcceptance);
  EXPECT_EQ(d.subject, "p-1");
  EXPECT_EQ(d.case_id, "case-1");
  EXPECT_EQ(d.start, now);
  EXPECT_EQ(d.due, EndOf(2031, 3, 12));

  // A second mediator proposed while the first is pending: only the new one starts.
  Case third = after;
  third.assignments.push_back(Assignment("p-2", AssignmentState::kProposed));
  const DeadlinePlan more = clock_.OnCaseChange(after, third, now);
  ASSERT_EQ(more.start.size(), 1u);
  EXPECT_EQ(more.start[0].id, "mediator-acceptance-p-2");
  EXPECT_THAT(more.stop, IsEmpty());

  // No change of assignments: nothing.
  const DeadlinePlan none = clock_.OnCaseChange(after, after, now);
  EXPECT_THAT(none.start, IsEmpty());
  EXPECT_THAT(none.stop, IsEmpty());
  EXPECT_FALSE(none.stop_all);
}

// OMR Art. 24 para. 2: "各方当事人同意延长的" — each party's consent, every party once.
TEST_F(StatutoryClockTest, AnExtensionNeedsEveryPartysConsent) {
  const Case c = CitizenCase(CaseState::kMediating);
  EXPECT_THAT(Fields(CheckExtensionConsents(c, {{"applicants/0", "口头"}}).status()),
              ElementsAre("consents"));
  EXPECT_THAT(
      Fields(CheckExtensionConsents(c, {{"applicants/0", "口头"}, {"applicants/0", "x"}}).status()),
      ElementsAre("consents[1].party"));
  EXPECT_THAT(
      Fields(CheckExtensionConsents(c, {{"applicants/0", "口头"}, {"respondents/0", ""}}).status()),
      ElementsAre("consents[1].manner"));
  EXPECT_THAT(Fields(CheckExtensionConsents(c, {{"respondents/7", "口头"}}).status()),
              ElementsAre("consents[0].party"));
  absl::StatusOr<std::string> text =
      CheckExtensionConsents(c, {{"respondents/0", "书面"}, {"applicants/0", "口头"}});
  ASSERT_THAT(text, IsOk()) << text.status();
  EXPECT_EQ(*text, "respondents/0 (书面); applicants/0 (口头)");
}

// The period itself started at the organization's acceptance (storage keeps that one); the plan
// carries it again only for a case accepted before odrd started it there.
TEST_F(StatutoryClockTest, AcceptingMeetsTheAcceptanceAndStartsContactAndThePeriod) {
  const absl::Time now = CT(2031, 3, 3, 10);
  Case before = CourtCase(Procedure::kPostFilingOrdinary, CaseState::kMediatorProposed);
  before.assignments = {Assignment("p-1", AssignmentState::kProposed)};
  Case after = before;
  after.state = CaseState::kMediatorAssigned;
  after.assignments[0].state = AssignmentState::kAccepted;
  const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
  EXPECT_FALSE(plan.stop_all);
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].id, "mediator-acceptance-p-1");
  EXPECT_EQ(plan.stop[0].state, DeadlineState::kMet);
  ASSERT_EQ(plan.start.size(), 2u);
  EXPECT_EQ(plan.start[0].id, "respondent-contact");
  EXPECT_EQ(plan.start[0].kind, DeadlineKind::kRespondentContact);
  EXPECT_EQ(plan.start[0].start, now);
  EXPECT_EQ(plan.start[0].due, EndOf(2031, 3, 6));  // Tue 4, Wed 5, Thu 6
  EXPECT_EQ(plan.start[1].id, "mediation-period");
  EXPECT_EQ(plan.start[1].kind, DeadlineKind::kMediationPeriod);
  EXPECT_EQ(plan.start[1].length, 15);  // post-filing ordinary
  EXPECT_EQ(plan.start[1].due, EndOf(2031, 3, 18));
}

// OMR Art. 12: the organization confirms acceptance within 3 working days of receiving the case.
TEST_F(StatutoryClockTest, SubmittingStartsTheOrganizationsThreeWorkingDaysToAccept) {
  const absl::Time now = CT(2031, 3, 7, 10);  // a Friday
  for (Case before :
       {CitizenCase(CaseState::kDraft), CourtCase(Procedure::kPreFiling, CaseState::kDraft)}) {
    Case after = before;
    after.state = CaseState::kSubmitted;
    const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
    EXPECT_THAT(plan.stop, IsEmpty());
    ASSERT_EQ(plan.start.size(), 1u);
    EXPECT_EQ(plan.start[0].id, "organization-acceptance");
    EXPECT_EQ(plan.start[0].kind, DeadlineKind::kOrganizationAcceptance);
    EXPECT_TRUE(plan.start[0].working_days);
    EXPECT_EQ(plan.start[0].due, EndOf(2031, 3, 12));  // Mon 10, Tue 11, Wed 12
  }
  EXPECT_STREQ(StatutoryClock::LegalBasis(DeadlineKind::kOrganizationAcceptance), "OMR Art. 12");
  EXPECT_EQ(StatutoryClock::Audience(DeadlineKind::kOrganizationAcceptance), EventAudience::kStaff);
  EXPECT_TRUE(IsBreach(DeadlineKind::kOrganizationAcceptance));
  // Passing it alerts the organization; the case is not closed nor moved (OMR Art. 12 para. 2:
  // the court or the parties may designate or choose another).
  const Deadline d = clock_.Start(DeadlineKind::kOrganizationAcceptance,
                                  CitizenCase(CaseState::kSubmitted), "", now);
  const ExpiryEffect e = clock_.OnExpiry(d, CitizenCase(CaseState::kSubmitted));
  EXPECT_FALSE(e.action.has_value());
  EXPECT_FALSE(e.lapse_principal.has_value());
  EXPECT_THAT(e.message, HasSubstr("OMR Art. 12"));
}

// OMR Art. 24 para. 2: the period counts from the day the organization confirmed acceptance.
TEST_F(StatutoryClockTest, TheOrganizationsAcceptanceMeetsItsDeadlineAndStartsThePeriod) {
  const absl::Time now = CT(2031, 3, 3, 10);
  const Case before = CourtCase(Procedure::kPostFilingOrdinary, CaseState::kSubmitted);
  Case after = before;
  after.state = CaseState::kAccepted;
  const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].id, "organization-acceptance");
  EXPECT_EQ(plan.stop[0].state, DeadlineState::kMet);
  ASSERT_EQ(plan.start.size(), 3u);
  EXPECT_EQ(plan.start[0].id, "mediation-period");
  EXPECT_EQ(plan.start[0].length, 15);  // post-filing ordinary
  EXPECT_EQ(plan.start[0].due, EndOf(2031, 3, 18));
  EXPECT_EQ(plan.start[1].id, "mediator-choice");       // OMR Art. 10
  EXPECT_EQ(plan.start[2].id, "mediator-designation");  // OMR Art. 10
  // Declined or withdrawn before acceptance: every open deadline is cancelled.
  Case closed = before;
  closed.state = CaseState::kClosed;
  EXPECT_TRUE(clock_.OnCaseChange(before, closed, now).stop_all);
}

TEST_F(StatutoryClockTest, DecliningOrReplacingCancelsTheAcceptanceALapseIsLeftAlone) {
  const absl::Time now = CT(2031, 3, 10, 10);
  Case before = CitizenCase(CaseState::kMediatorProposed);
  before.assignments = {Assignment("p-1", AssignmentState::kProposed)};
  for (AssignmentState st : {AssignmentState::kDeclined, AssignmentState::kReplaced}) {
    Case after = before;
    after.state = CaseState::kAccepted;
    after.assignments[0].state = st;
    const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
    EXPECT_THAT(plan.start, IsEmpty());
    ASSERT_EQ(plan.stop.size(), 1u);
    EXPECT_EQ(plan.stop[0].id, "mediator-acceptance-p-1");
    EXPECT_EQ(plan.stop[0].state, DeadlineState::kCancelled);
    EXPECT_FALSE(plan.stop_all);
    EXPECT_THAT(plan.released_mediators, ElementsAre("p-1"));
  }
  // A lapse is the expiry of the acceptance deadline itself: nothing to stop.
  Case lapsed = before;
  lapsed.state = CaseState::kAccepted;
  lapsed.assignments[0].state = AssignmentState::kLapsed;
  const DeadlinePlan plan = clock_.OnCaseChange(before, lapsed, now);
  EXPECT_THAT(plan.start, IsEmpty());
  EXPECT_THAT(plan.stop, IsEmpty());
  EXPECT_FALSE(plan.stop_all);
  EXPECT_THAT(plan.released_mediators, ElementsAre("p-1"));
}

TEST_F(StatutoryClockTest, AReplacementAcceptingAfterAnAcceptanceStartsNoNewPeriods) {
  const absl::Time now = CT(2031, 3, 10, 10);
  Case before = CitizenCase(CaseState::kMediatorAssigned);
  before.assignments = {Assignment("p-1", AssignmentState::kAccepted),
                        Assignment("p-2", AssignmentState::kProposed)};
  Case after = before;
  after.assignments[1].state = AssignmentState::kAccepted;
  const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
  EXPECT_THAT(plan.start, IsEmpty());
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].id, "mediator-acceptance-p-2");
  EXPECT_EQ(plan.stop[0].state, DeadlineState::kMet);
  EXPECT_THAT(plan.released_mediators, IsEmpty());
}

TEST_F(StatutoryClockTest, StartingMediationMeetsRespondentContact) {
  const absl::Time now = CT(2031, 3, 5, 10);
  Case before = CitizenCase(CaseState::kMediatorAssigned);
  before.assignments = {Assignment("p-1", AssignmentState::kAccepted)};
  Case after = before;
  after.state = CaseState::kMediating;
  const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
  EXPECT_THAT(plan.start, IsEmpty());
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].id, "respondent-contact");
  EXPECT_EQ(plan.stop[0].state, DeadlineState::kMet);
  EXPECT_FALSE(plan.stop_all);
  // Staying in MEDIATING does not stop it again.
  EXPECT_THAT(clock_.OnCaseChange(after, after, now).stop, IsEmpty());
}

TEST_F(StatutoryClockTest, ACaseThatEndsStopsEverything) {
  const absl::Time now = CT(2031, 3, 20, 10);
  Case before = CitizenCase(CaseState::kMediating);
  before.assignments = {Assignment("p-1", AssignmentState::kAccepted)};
  for (CaseState end : {CaseState::kClosed, CaseState::kWithdrawn}) {
    Case after = before;
    after.state = end;
    const DeadlinePlan plan = clock_.OnCaseChange(before, after, now);
    EXPECT_TRUE(plan.stop_all);
    EXPECT_THAT(plan.start, IsEmpty());
    EXPECT_THAT(plan.stop, IsEmpty());
  }
  // Withdrawn while a mediator was proposed: no acceptance deadline starts or stops either.
  Case proposed = CitizenCase(CaseState::kMediatorProposed);
  proposed.assignments = {Assignment("p-1", AssignmentState::kProposed)};
  Case withdrawn = proposed;
  withdrawn.state = CaseState::kWithdrawn;
  withdrawn.assignments[0].state = AssignmentState::kReplaced;
  const DeadlinePlan plan = clock_.OnCaseChange(proposed, withdrawn, now);
  EXPECT_TRUE(plan.stop_all);
  EXPECT_THAT(plan.start, IsEmpty());
  EXPECT_THAT(plan.stop, IsEmpty());
  // Already ended: nothing more.
  Case closed = before;
  closed.state = CaseState::kClosed;
  EXPECT_FALSE(clock_.OnCaseChange(closed, closed, now).stop_all);
}

TEST_F(StatutoryClockTest, SettlingStartsTheConfirmationPeriodAndConfirmingKeepsInstalments) {
  const absl::Time now = CT(2031, 3, 18, 10);  // Tuesday
  Case mediating = CitizenCase(CaseState::kMediating);
  mediating.assignments = {Assignment("p-1", AssignmentState::kAccepted)};
  Case settled = mediating;
  settled.state = CaseState::kSettled;
  DeadlinePlan plan = clock_.OnCaseChange(mediating, settled, now);
  EXPECT_FALSE(plan.stop_all);
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].id, "mediation-period");
  EXPECT_EQ(plan.stop[0].state, DeadlineState::kMet);
  ASSERT_EQ(plan.start.size(), 1u);
  EXPECT_EQ(plan.start[0].kind, DeadlineKind::kConfirmationApplication);
  EXPECT_EQ(plan.start[0].due, EndOf(2031, 4, 17));  // 30 days (PML Art. 33), a Thursday

  // Confirmed: the case ends, but its instalments stay due.
  Case confirmed = settled;
  confirmed.state = CaseState::kConfirmed;
  plan = clock_.OnCaseChange(settled, confirmed, now);
  EXPECT_TRUE(plan.stop_all);
  EXPECT_TRUE(plan.keep_instalments);
  // Closed otherwise: nothing is kept.
  Case closed = mediating;
  closed.state = CaseState::kClosed;
  EXPECT_FALSE(clock_.OnCaseChange(mediating, closed, now).keep_instalments);
  // A confirmation revoked on an objection (Interp Art. 372): settled again, the instalments
  // stay, no new window to apply.
  plan = clock_.OnCaseChange(confirmed, settled, now);
  EXPECT_FALSE(plan.stop_all);
  EXPECT_TRUE(plan.start.empty());
  EXPECT_TRUE(plan.stop.empty());

  // Every party consented to mediate again after a rejection: the application period no longer
  // runs; the agreement binds until a new one changes it, so its instalments stay (CPL Art. 206).
  Case again = settled;
  again.state = CaseState::kMediating;
  plan = clock_.OnCaseChange(settled, again, now);
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].id, "confirmation-application");
  EXPECT_EQ(plan.stop[0].state, DeadlineState::kCancelled);
  ASSERT_EQ(plan.start.size(), 1u);  // a new mediation period
  EXPECT_EQ(plan.start[0].kind, DeadlineKind::kMediationPeriod);
  EXPECT_EQ(plan.start[0].start, now);
}

TEST_F(StatutoryClockTest, AnInstalmentIsDueAtTheEndOfItsDayAndOverdueAfter) {
  const absl::Time now = CT(2031, 3, 20, 10);
  const Deadline d = clock_.Instalment("case-1", "agr-1", 1, D(2031, 4, 30), now);
  EXPECT_EQ(d.id, "instalment-agr-1-1");
  EXPECT_EQ(d.subject, "agr-1/1");
  EXPECT_EQ(d.kind, DeadlineKind::kInstalmentDue);
  EXPECT_EQ(d.due, EndOf(2031, 4, 30));
  ASSERT_TRUE(d.warn_at.has_value());
  EXPECT_EQ(*d.warn_at, EndOf(2031, 4, 30) - absl::Hours(72));
  const ExpiryEffect e = clock_.OnExpiry(d, CitizenCase(CaseState::kSettled));
  EXPECT_EQ(e.event_kind, EventKind::kInstalmentOverdue);
  EXPECT_EQ(e.audience, EventAudience::kAll);
  EXPECT_FALSE(e.action.has_value());
  EXPECT_THAT(e.message, HasSubstr("instalment 1 of agreements/agr-1"));
  EXPECT_THAT(e.message, HasSubstr("2031-04-30"));
  // A due day already past: due now, not in the past.
  EXPECT_EQ(clock_.Instalment("case-1", "agr-1", 0, D(2031, 3, 1), now).due, now);
}

TEST_F(StatutoryClockTest, TheCourtHasThreeDaysToAcceptAndThirtyToRule) {
  const Case c = CitizenCase(CaseState::kSettled);
  const Deadline accept =
      clock_.Start(DeadlineKind::kConfirmationAcceptance, c, "cf-1", CT(2031, 3, 17, 10));
  EXPECT_EQ(accept.id, "confirmation-acceptance-cf-1");
  EXPECT_EQ(accept.due, EndOf(2031, 3, 20));
  EXPECT_EQ(StatutoryClock::Audience(accept.kind), EventAudience::kStaff);
  const Deadline rule =
      clock_.Start(DeadlineKind::kConfirmationRuling, c, "cf-1", CT(2031, 3, 18, 10));
  EXPECT_EQ(rule.id, "confirmation-ruling-cf-1");
  EXPECT_EQ(rule.due, EndOf(2031, 4, 17));
  EXPECT_THAT(clock_.OnExpiry(rule, c).message, HasSubstr("CPL Art. 187"));
}

// ---- OnExpiry and messages ----

TEST_F(StatutoryClockTest, ACourtDivertedCaseWhosePeriodEndsIsClosedAndReferredBack) {
  const Case c = CourtCase(Procedure::kPreFiling, CaseState::kMediating);
  const Deadline d = MediationPeriod(c, CT(2031, 3, 3, 10));
  const ExpiryEffect e = clock_.OnExpiry(d, c);
  ASSERT_TRUE(e.action.has_value());
  EXPECT_EQ(*e.action, CaseAction::kClose);
  EXPECT_FALSE(e.lapse_principal.has_value());
  EXPECT_EQ(e.audience, EventAudience::kAll);
  EXPECT_THAT(e.reason, HasSubstr("2031-04-02"));
  EXPECT_THAT(e.message, HasSubstr("referred back to courts/court-7 for filing as litigation"));
  EXPECT_THAT(e.message, HasSubstr("OMR Art. 21(二)"));
}

// OMR Art. 21(三): a post-filing case whose period ends goes back for the trial to resume, not to
// filing (the court already filed it).
TEST_F(StatutoryClockTest, APostFilingCaseWhosePeriodEndsIsReturnedForTrialNotFiling) {
  const Case c = CourtCase(Procedure::kPostFilingSimple, CaseState::kMediating);
  const Deadline d = MediationPeriod(c, CT(2031, 3, 3, 10));
  const ExpiryEffect e = clock_.OnExpiry(d, c);
  ASSERT_TRUE(e.action.has_value());
  EXPECT_EQ(*e.action, CaseAction::kClose);
  EXPECT_THAT(e.message, HasSubstr("returned to courts/court-7 for the trial to resume"));
  EXPECT_THAT(e.message, HasSubstr("OMR Art. 21(三)"));
  EXPECT_THAT(e.message, Not(HasSubstr("filing as litigation")));
}

// OMR Art. 20; 特邀 Arts. 20-21: a post-filing settlement is concluded by the court, so no 30-day
// confirmation window (PML Art. 33) starts; concluding keeps the instalments as confirming does.
TEST_F(StatutoryClockTest,
       APostFilingSettlementStartsNoConfirmationWindowAndConcludingKeepsInstalments) {
  const absl::Time now = CT(2031, 3, 18, 10);
  Case mediating = CourtCase(Procedure::kPostFilingOrdinary, CaseState::kMediating);
  mediating.assignments = {Assignment("p-1", AssignmentState::kAccepted)};
  Case settled = mediating;
  settled.state = CaseState::kSettled;
  DeadlinePlan plan = clock_.OnCaseChange(mediating, settled, now);
  ASSERT_EQ(plan.stop.size(), 1u);
  EXPECT_EQ(plan.stop[0].id, "mediation-period");
  EXPECT_THAT(plan.start, IsEmpty());
  // The pre-filing route still gets its window (CPL Art. 205).
  Case pre = CourtCase(Procedure::kPreFiling, CaseState::kMediating);
  Case pre_settled = pre;
  pre_settled.state = CaseState::kSettled;
  plan = clock_.OnCaseChange(pre, pre_settled, now);
  ASSERT_EQ(plan.start.size(), 1u);
  EXPECT_EQ(plan.start[0].kind, DeadlineKind::kConfirmationApplication);

  Case concluded = settled;
  concluded.state = CaseState::kConcluded;
  plan = clock_.OnCaseChange(settled, concluded, now);
  EXPECT_TRUE(plan.stop_all);
  EXPECT_TRUE(plan.keep_instalments);
}

TEST_F(StatutoryClockTest, ACitizenCaseWhosePeriodEndsIsClosedNotReferred) {
  const Case c = CitizenCase(CaseState::kMediating);
  const Deadline d = MediationPeriod(c, CT(2031, 3, 3, 10));
  const ExpiryEffect e = clock_.OnExpiry(d, c);
  ASSERT_TRUE(e.action.has_value());
  EXPECT_EQ(*e.action, CaseAction::kClose);
  EXPECT_FALSE(e.reason.empty());
  EXPECT_THAT(e.reason, HasSubstr("2031-04-02"));
  EXPECT_THAT(e.message, HasSubstr("PML Art. 26"));
  EXPECT_THAT(e.message, Not(HasSubstr("courts/")));
}

TEST_F(StatutoryClockTest, AnUnansweredProposalLapses) {
  const Case c = CitizenCase(CaseState::kMediatorProposed);
  const Deadline d = clock_.Start(DeadlineKind::kMediatorAcceptance, c, "p-1", CT(2031, 3, 7, 10));
  const ExpiryEffect e = clock_.OnExpiry(d, c);
  ASSERT_TRUE(e.lapse_principal.has_value());
  EXPECT_EQ(*e.lapse_principal, "p-1");
  EXPECT_FALSE(e.action.has_value());
  EXPECT_EQ(e.audience, EventAudience::kStaff);
  EXPECT_THAT(e.message, HasSubstr("principals/p-1"));

  const Deadline contact =
      clock_.Start(DeadlineKind::kRespondentContact, c, "", CT(2031, 3, 7, 10));
  const ExpiryEffect f = clock_.OnExpiry(contact, c);
  EXPECT_FALSE(f.lapse_principal.has_value());
  EXPECT_FALSE(f.action.has_value());
  EXPECT_EQ(f.audience, EventAudience::kStaff);
  EXPECT_FALSE(f.message.empty());
}

TEST_F(StatutoryClockTest, MessagesNameTheLastDayAndTheLegalBasis) {
  const Deadline d =
      clock_.Start(DeadlineKind::kMediatorAcceptance, CitizenCase(CaseState::kMediatorProposed),
                   "p-1", CT(2031, 3, 7, 10));
  EXPECT_EQ(clock_.StartedMessage(d),
            "mediator_acceptance: 3 working days, due at the end of 2031-03-12 (OMR Art. 12)");
  EXPECT_EQ(clock_.WarningMessage(d),
            "mediator_acceptance is due at the end of 2031-03-12 (OMR "
            "Art. 12)");
  const Deadline p = MediationPeriod(CitizenCase(), CT(2031, 3, 3, 10));
  EXPECT_EQ(clock_.StartedMessage(p),
            "mediation_period: 30 days, due at the end of 2031-04-02 (OMR Arts. 24, 26)");
  EXPECT_STREQ(StatutoryClock::LegalBasis(DeadlineKind::kRespondentContact), "OMR Art. 15");
  EXPECT_STREQ(StatutoryClock::LegalBasis(DeadlineKind::kConfirmationApplication), "PML Art. 33");
  EXPECT_EQ(StatutoryClock::Audience(DeadlineKind::kMediatorAcceptance), EventAudience::kStaff);
  EXPECT_EQ(StatutoryClock::Audience(DeadlineKind::kRespondentContact), EventAudience::kStaff);
  EXPECT_EQ(StatutoryClock::Audience(DeadlineKind::kMediationPeriod), EventAudience::kAll);
  EXPECT_EQ(StatutoryClock::Audience(DeadlineKind::kAppointmentReminder), EventAudience::kAll);
}

TEST_F(StatutoryClockTest, KindAndStateNamesRoundTrip) {
  for (DeadlineKind k : {DeadlineKind::kMediatorAcceptance, DeadlineKind::kRespondentContact,
                         DeadlineKind::kMediationPeriod, DeadlineKind::kConfirmationApplication,
                         DeadlineKind::kAppointmentReminder, DeadlineKind::kInstalmentDue,
                         DeadlineKind::kConfirmationAcceptance, DeadlineKind::kConfirmationRuling,
                         DeadlineKind::kConfirmationMaterials, DeadlineKind::kRulingObjection,
                         DeadlineKind::kOrganizationAcceptance, DeadlineKind::kMediatorChoice,
                         DeadlineKind::kMediatorDesignation}) {
    EXPECT_EQ(DeadlineKindFromName(DeadlineKindName(k)), k);
  }
  for (DeadlineState s : {DeadlineState::kRunning, DeadlineState::kPaused, DeadlineState::kMet,
                          DeadlineState::kExpired, DeadlineState::kCancelled}) {
    EXPECT_EQ(DeadlineStateFromName(DeadlineStateName(s)), s);
  }
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kMediatorAcceptance), "mediator_acceptance");
  EXPECT_STREQ(DeadlineKindName(DeadlineKind::kOrganizationAcceptance), "organization_acceptance");
  EXPECT_STREQ(DeadlineStateName(DeadlineState::kRunning), "running");
  EXPECT_FALSE(DeadlineKindFromName("nope").has_value());
  EXPECT_FALSE(DeadlineStateFromName("").has_value());
}

// ---- Reminders ----

TEST_F(StatutoryClockTest, RemindersAre24HoursAnd1HourBeforeTheStart) {
  const absl::Time start = CT(2031, 3, 10, 10);
  const std::vector<Deadline> r = clock_.Reminders("case-1", "a-1", 3, start, CT(2031, 3, 5, 10));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].id, "reminder-24h-a-1-3");
  EXPECT_EQ(r[0].due, start - absl::Hours(24));
  EXPECT_EQ(r[0].length, 24 * 60);
  EXPECT_EQ(r[1].id, "reminder-1h-a-1-3");
  EXPECT_EQ(r[1].due, start - absl::Hours(1));
  EXPECT_EQ(r[1].length, 60);
  for (const Deadline& d : r) {
    EXPECT_EQ(d.case_id, "case-1");
    EXPECT_EQ(d.kind, DeadlineKind::kAppointmentReminder);
    EXPECT_EQ(d.state, DeadlineState::kRunning);
    EXPECT_EQ(d.subject, "a-1");
    EXPECT_EQ(d.start, CT(2031, 3, 5, 10));
    EXPECT_FALSE(d.warn_at.has_value());
    EXPECT_EQ(d.NextFire(), d.due);
  }
  const ExpiryEffect e = clock_.OnExpiry(r[1], CitizenCase(CaseState::kMediating));
  EXPECT_EQ(e.message, "appointments/a-1 starts in 1h");
  EXPECT_EQ(e.audience, EventAudience::kAll);
  EXPECT_FALSE(e.action.has_value());
  EXPECT_EQ(clock_.OnExpiry(r[0], CitizenCase(CaseState::kMediating)).message,
            "appointments/a-1 starts in 24h");
}

TEST_F(StatutoryClockTest, OnlyRemindersStillAheadAreMade) {
  const absl::Time start = CT(2031, 3, 10, 10);
  // 2 hours before: only the 1-hour reminder.
  std::vector<Deadline> r = clock_.Reminders("case-1", "a-1", 4, start, start - absl::Hours(2));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, "reminder-1h-a-1-4");
  // Exactly 24 hours before: the 24-hour reminder is not ahead.
  r = clock_.Reminders("case-1", "a-1", 4, start, start - absl::Hours(24));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, "reminder-1h-a-1-4");
  // Exactly 1 hour before, or later: none.
  EXPECT_THAT(clock_.Reminders("case-1", "a-1", 4, start, start - absl::Hours(1)), IsEmpty());
  EXPECT_THAT(clock_.Reminders("case-1", "a-1", 4, start, start + absl::Hours(1)), IsEmpty());
  // Offsets come from the configuration.
  ClockConfig config;
  config.reminder_offsets = {absl::Minutes(30)};
  const StatutoryClock clock(&calendar_, config);
  r = clock.Reminders("case-1", "a-2", 1, start, start - absl::Hours(2));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, "reminder-30m-a-2-1");
  EXPECT_EQ(r[0].due, start - absl::Minutes(30));
  EXPECT_EQ(r[0].length, 30);
}

}  // namespace
}  // namespace odr::domain
