// The statutory clock end to end below the API: the real SQLite stores and the real deadline
// engine in simulated time (a FakeClock). Every statutory deadline starts with the lifecycle,
// warns, and on expiry takes its action exactly once, also across restarts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "server/deadline_engine.h"
#include "server/domain/roster.h"
#include "server/domain/statutory_clock.h"
#include "server/domain/working_calendar.h"
#include "storage/agreement_store.h"
#include "storage/deadline_rows.h"
#include "storage/roster_store.h"
#include "storage/schedule_store.h"
#include "storage/sqlite_case_store.h"
#include "tests/testing/database.h"
#include "tests/testing/fake_signer.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::storage {
namespace {

using domain::CaseAction;
using domain::CaseState;
using domain::DeadlineKind;
using domain::DeadlineState;
using domain::EventKind;

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

absl::Time China(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), kChina);
}

// 2031 (synthetic): 2031-03-11, a Tuesday, is a public holiday; Saturday 2031-03-22 is worked.
domain::WorkingCalendar Calendar2031() {
  domain::WorkingCalendar cal;
  domain::CalendarYear y;
  y.year = 2031;
  y.holidays = {absl::CivilDay(2031, 3, 11)};
  y.working_weekends = {absl::CivilDay(2031, 3, 22)};
  EXPECT_THAT(cal.AddYear(y), IsOk());
  return cal;
}

class StatutoryClockStoreTest : public ::testing::Test {
 protected:
  // Friday 2031-03-07, 10:00 China time.
  StatutoryClockStoreTest()
      : calendar_(Calendar2031()),
        clock_(China(2031, 3, 7, 10)),
        statutory_(&calendar_,
                   domain::ClockConfig{absl::Hours(72), {absl::Hours(24), absl::Hours(1)}}) {
    Open();
    domain::Organization org;
    org.id = "org-1";
    org.display_name = "诸暨市医疗纠纷人民调解委员会";
    org.region_code = "330681";
    EXPECT_THAT(roster_->CreateOrganization(org), IsOk());
    domain::Mediator m;
    m.organization_id = "org-1";
    m.id = "m1";
    m.display_name = "调解员";
    m.region_code = "330681";
    m.max_concurrent_cases = 5;
    m.principal_id = "mediator-1";
    m.id_number = "330681197001010016";
    m.phone = "13600000000";
    auto created = roster_->CreateMediator(m);
    EXPECT_THAT(created, IsOk()) << created.status();
  }

  // Opens the database and the stores, as odrd does when it starts.
  void Open() {
    engine_.reset();
    schedule_.reset();
    roster_.reset();
    store_.reset();
    db_.reset();
    db_ = odr::testing::OpenTestDatabase(dir_.file("odr.db"));
    ASSERT_NE(db_, nullptr);
    store_ = std::make_unique<SqliteCaseStore>(db_.get(), &clock_, &ids_, &statutory_);
    roster_ = std::make_unique<SqliteRosterStore>(db_.get(), &clock_);
    schedule_ = std::make_unique<ScheduleStore>(db_.get(), &clock_, &ids_, &statutory_,
                                                PersonKeys("test secret"));
    engine_ = std::make_unique<server::DeadlineEngine>(store_.get(), &clock_);
  }

  domain::MutationContext As(std::string actor) {
    domain::MutationContext m;
    m.actor = std::move(actor);
    return m;
  }

  // A case before org-1, submitted and accepted; with `diverted`, by a court.
  std::string AcceptedCase(bool diverted = false,
                           domain::Procedure procedure = domain::Procedure::kPreFiling) {
    domain::CaseData data = odr::testing::MedicalCase();
    if (diverted) {
      data.court_diversion = domain::CourtDiversion{"court-x", "(2031)浙0681诉前调1号",
                                                    "2031-03-06", "诸暨市人民法院"};
      data.court_diversion->procedure = procedure;
    }
    auto k = store_->CreateCase(data, As("admin-1"));
    EXPECT_THAT(k, IsOk()) << k.status();
    EXPECT_TRUE(
        store_->TransitionCase(k->id, CaseAction::kSubmit, std::nullopt, "", As("admin-1")).ok());
    EXPECT_TRUE(
        store_->TransitionCase(k->id, CaseAction::kAccept, std::nullopt, "", As("admin-1")).ok());
    return k->id;
  }

  void Propose(const std::string& id) {
    AssignmentChange change;
    change.kind = AssignmentChange::kPropose;
    change.organization_id = "org-1";
    change.mediator_id = "m1";
    auto k = store_->ChangeAssignment(id, change, As("admin-1"));
    ASSERT_THAT(k, IsOk()) << k.status();
  }

  void AcceptAssignment(const std::string& id) {
    AssignmentChange change;
    change.kind = AssignmentChange::kAccept;
    auto k = store_->ChangeAssignment(id, change, As("mediator-1"));
    ASSERT_THAT(k, IsOk()) << k.status();
  }

  domain::Deadline Deadline(const std::string& case_id, const std::string& id) {
    return odr::testing::LoadDeadline(db_.get(), case_id, id);
  }

  std::vector<domain::CaseEvent> Events(const std::string& id, EventKind kind) {
    std::vector<domain::CaseEvent> out;
    auto page = store_->ListCaseEvents(id, 0, 1000);
    EXPECT_THAT(page, IsOk()) << page.status();
    for (const auto& e : page->events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

  CaseState State(const std::string& id) { return store_->GetCase(id)->state; }

  // A separate session of the mediator with the applicant, booked without the service's checks.
  domain::Appointment BookSeparateSession(const std::string& id, absl::Time start) {
    domain::Appointment a;
    a.case_id = id;
    a.kind = domain::AppointmentKind::kSeparateSession;
    a.slot = {start, start + absl::Hours(1)};
    a.participants = {{"principals/mediator-1", {}}, {"applicants/0", {}}};
    auto booked = schedule_->Book(
        a, "fp", "mediator-1", [](const domain::Case&) { return absl::OkStatus(); },
        [](const domain::Case&) -> absl::StatusOr<std::array<std::string, 3>> {
          return std::array<std::string, 3>{"org-1", "m1", "mediator-1"};
        },
        [](const domain::Case&, const domain::Availability&, domain::Appointment* x) {
          x->audience = domain::EventAudience::kApplicantSide;
          return absl::OkStatus();
        },
        /*may_see=*/nullptr);
    EXPECT_THAT(booked, IsOk()) << booked.status();
    return booked.value_or(domain::Appointment{});
  }

  int Fire() {
    auto n = engine_->FireDue();
    EXPECT_THAT(n, IsOk()) << n.status();
    return n.value_or(-1);
  }

  odr::testing::TempDir dir_;
  domain::WorkingCalendar calendar_;
  FakeClock clock_;
  SequentialIdGenerator ids_;
  domain::StatutoryClock statutory_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<SqliteCaseStore> store_;
  std::unique_ptr<SqliteRosterStore> roster_;
  std::unique_ptr<ScheduleStore> schedule_;
  std::unique_ptr<server::DeadlineEngine> engine_;
};

// OMR Art. 12: proposed on Friday 2031-03-07; Monday, (Tuesday is a holiday), Wednesday and
// Thursday are the 3 working days: due at the end of Thursday 03-13. It warns half-way (the
// period is shorter than twice the lead), and on expiry the proposal lapses and the case goes back
// to the organization.
// OMR Art. 10: accepted on Friday 2031-03-07, the parties' 2 working days are Monday and Wednesday
// (Tuesday is a holiday): due at the end of 03-12; the designation's 3 more are Thursday, Friday
// and Monday: due at the end of 03-17. Neither changes the case; the parties' expiry tells
// everyone, the late designation only the staff; a proposal afterwards changes neither.
TEST_F(StatutoryClockStoreTest, TheJointChoiceAndTheDesignationExpireWithoutAProposal) {
  const std::string id = AcceptedCase();
  EXPECT_EQ(Deadline(id, "mediator-choice").due, China(2031, 3, 13));
  EXPECT_EQ(Deadline(id, "mediator-designation").due, China(2031, 3, 18));
  clock_.Set(China(2031, 3, 13));
  EXPECT_GE(Fire(), 1);  // the warnings due by then and the choice's expiry
  EXPECT_EQ(Deadline(id, "mediator-choice").state, DeadlineState::kExpired);
  EXPECT_EQ(Deadline(id, "mediator-designation").state, DeadlineState::kRunning);
  auto expired = Events(id, EventKind::kDeadlineExpired);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].audience, domain::EventAudience::kAll);
  EXPECT_THAT(expired[0].reason, ::testing::HasSubstr("OMR Art. 10"));
  EXPECT_EQ(State(id), CaseState::kAccepted);

  clock_.Set(China(2031, 3, 18));
  EXPECT_GE(Fire(), 1);
  expired = Events(id, EventKind::kDeadlineExpired);
  ASSERT_EQ(expired.size(), 2u);
  EXPECT_EQ(expired[1].audience, domain::EventAudience::kStaff);
  EXPECT_THAT(expired[1].reason, ::testing::HasSubstr("designate"));
  EXPECT_EQ(State(id), CaseState::kAccepted);

  Propose(id);
  EXPECT_EQ(Deadline(id, "mediator-choice").state, DeadlineState::kExpired);
  EXPECT_EQ(Deadline(id, "mediator-designation").state, DeadlineState::kExpired);
}

TEST_F(StatutoryClockStoreTest, MediatorAcceptanceLapsesAfterThreeWorkingDays) {
  const std::string id = AcceptedCase();
  Propose(id);
  const domain::Deadline d = Deadline(id, "mediator-acceptance-mediator-1");
  EXPECT_EQ(d.due, China(2031, 3, 14));
  EXPECT_FALSE(d.provisional);
  // The organization's acceptance (met), the mediation period (from that acceptance, OMR Art. 24),
  // the parties' joint choice and the designation (OMR Art. 10) and the proposal's.
  ASSERT_EQ(Events(id, EventKind::kDeadlineStarted).size(), 5u);
  EXPECT_EQ(Deadline(id, "organization-acceptance").state, DeadlineState::kMet);
  // The organization's proposal is its designation: the parties' time to choose is over.
  EXPECT_EQ(Deadline(id, "mediator-choice").state, DeadlineState::kCancelled);
  EXPECT_EQ(Deadline(id, "mediator-designation").state, DeadlineState::kMet);

  clock_.Set(*d.warn_at - absl::Seconds(1));
  EXPECT_EQ(Fire(), 0);
  clock_.Set(*d.warn_at);
  EXPECT_EQ(Fire(), 1);
  EXPECT_EQ(Events(id, EventKind::kDeadlineWarning).size(), 1u);
  clock_.Set(China(2031, 3, 13, 23, 59, 59));
  EXPECT_EQ(Fire(), 0);
  EXPECT_EQ(State(id), CaseState::kMediatorProposed);

  clock_.Set(China(2031, 3, 14));
  EXPECT_EQ(Fire(), 1);
  const auto expired = Events(id, EventKind::kDeadlineExpired);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].actor, "system");
  EXPECT_EQ(expired[0].audience, domain::EventAudience::kStaff);
  const domain::Case k = *store_->GetCase(id);
  EXPECT_EQ(k.state, CaseState::kAccepted);
  ASSERT_EQ(k.assignments.size(), 1u);
  EXPECT_EQ(k.assignments[0].state, domain::AssignmentState::kLapsed);
  EXPECT_EQ(Deadline(id, "mediator-acceptance-mediator-1").state, DeadlineState::kExpired);
  EXPECT_EQ(roster_->GetMediator("org-1", "m1")->active_cases, 0);  // load released
  EXPECT_EQ(Fire(), 0);
}

// OMR Art. 12: submitted on Friday 2031-03-07, the organization confirms acceptance by the end of
// Thursday 03-13 (Tuesday is a holiday). Passing it alerts the staff and leaves the case
// submitted; accepting it later still starts the mediation period, from that day (OMR Art. 24).
TEST_F(StatutoryClockStoreTest, TheOrganizationHasThreeWorkingDaysToAccept) {
  auto k = store_->CreateCase(odr::testing::MedicalCase(), As("admin-1"));
  ASSERT_THAT(k, IsOk()) << k.status();
  ASSERT_TRUE(
      store_->TransitionCase(k->id, CaseAction::kSubmit, std::nullopt, "", As("admin-1")).ok());
  const domain::Deadline d = Deadline(k->id, "organization-acceptance");
  EXPECT_EQ(d.kind, DeadlineKind::kOrganizationAcceptance);
  EXPECT_EQ(d.due, China(2031, 3, 14));
  clock_.Set(China(2031, 3, 14));
  EXPECT_EQ(Fire(), 1);  // the warning was due too, but only the expiry is recorded
  const auto expired = Events(k->id, EventKind::kDeadlineExpired);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].audience, domain::EventAudience::kStaff);
  EXPECT_THAT(expired[0].reason, ::testing::HasSubstr("OMR Art. 12"));
  EXPECT_EQ(State(k->id), CaseState::kSubmitted);
  EXPECT_EQ(Deadline(k->id, "organization-acceptance").state, DeadlineState::kExpired);

  clock_.Set(China(2031, 3, 17, 9));
  ASSERT_TRUE(
      store_->TransitionCase(k->id, CaseAction::kAccept, std::nullopt, "", As("admin-1")).ok());
  EXPECT_EQ(Deadline(k->id, "organization-acceptance").state, DeadlineState::kExpired);
  const domain::Deadline period = Deadline(k->id, "mediation-period");
  EXPECT_EQ(period.start, China(2031, 3, 17, 9));
  EXPECT_EQ(period.state, DeadlineState::kRunning);
}

// A deadline that fell due while odrd was down fires at the next start, once; a restart after it
// fired does not fire it again.
TEST_F(StatutoryClockStoreTest, PendingDeadlineFiresOnceAcrossRestarts) {
  const std::string id = AcceptedCase();
  Propose(id);
  clock_.Set(China(2031, 3, 20));  // a week later: odrd was down meanwhile
  Open();                          // the restart
  EXPECT_EQ(Fire(), 1);            // the warning is skipped (the deadline passed): expiry only
  EXPECT_EQ(Events(id, EventKind::kDeadlineExpired).size(), 1u);
  EXPECT_TRUE(Events(id, EventKind::kDeadlineWarning).empty());
  Open();  // and again
  EXPECT_EQ(Fire(), 0);
  clock_.Set(China(2031, 3, 27));  // before the mediation period (due 04-08) warns
  Open();
  EXPECT_EQ(Fire(), 0);
  EXPECT_EQ(Events(id, EventKind::kDeadlineExpired).size(), 1u);
  EXPECT_EQ(State(id), CaseState::kAccepted);
}

// The engine's own thread (the Boost.Asio timer) fires what is due when woken after the
// simulated clock moved.
TEST_F(StatutoryClockStoreTest, EngineThreadFiresWhenWoken) {
  const std::string id = AcceptedCase();
  Propose(id);
  engine_->Start();
  clock_.Set(China(2031, 3, 20));
  engine_->Wake();
  for (int i = 0; i < 200 && engine_->fired() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  engine_->Stop();
  EXPECT_EQ(engine_->fired(), 1);
  EXPECT_EQ(Events(id, EventKind::kDeadlineExpired).size(), 1u);
}

// OMR Art. 15: accepted on Friday 03-07 -> contact due at the end of Thursday 03-13 (Tuesday is a
// holiday). Expiry alerts the organization (staff only) and changes nothing else; contacting in
// time meets the deadline and starts mediation.
TEST_F(StatutoryClockStoreTest, RespondentContactWithinThreeWorkingDays) {
  const std::string late = AcceptedCase();
  Propose(late);
  AcceptAssignment(late);
  EXPECT_EQ(Deadline(late, "mediator-acceptance-mediator-1").state, DeadlineState::kMet);
  const domain::Deadline d = Deadline(late, "respondent-contact");
  EXPECT_EQ(d.due, China(2031, 3, 14));
  const std::string on_time = AcceptedCase();
  Propose(on_time);
  AcceptAssignment(on_time);
  ASSERT_TRUE(store_
                  ->TransitionCase(on_time, CaseAction::kStartMediation, std::nullopt,
                                   "the respondent agreed", As("mediator-1"))
                  .ok());
  EXPECT_EQ(Deadline(on_time, "respondent-contact").state, DeadlineState::kMet);

  clock_.Set(China(2031, 3, 14));
  Fire();
  const auto expired = Events(late, EventKind::kDeadlineExpired);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].audience, domain::EventAudience::kStaff);
  EXPECT_EQ(State(late), CaseState::kMediatorAssigned);
  EXPECT_TRUE(Events(on_time, EventKind::kDeadlineExpired).empty());
}

// OMR Arts. 24-25, 21: the pre-filing period of a court-diverted case is 30 days from the
// mediator's acceptance (03-07 + 30 = 04-06, a Sunday: it ends on Monday 04-07). It warns 3 days
// ahead; on expiry the case closes and is referred back to the court.
TEST_F(StatutoryClockStoreTest, MediationPeriodExpiryClosesAndRefersToTheCourt) {
  const std::string id = AcceptedCase(/*diverted=*/true);
  Propose(id);
  AcceptAssignment(id);
  const domain::Deadline d = Deadline(id, "mediation-period");
  EXPECT_EQ(d.length, 30);
  EXPECT_EQ(d.due, China(2031, 4, 8));
  EXPECT_EQ(*d.warn_at, China(2031, 4, 5));
  clock_.Set(China(2031, 4, 5, 0, 0, 1));
  Fire();
  // The period's warning; the contact deadline passed long ago and expires without one.
  EXPECT_EQ(Events(id, EventKind::kDeadlineWarning).size(), 1u);
  clock_.Set(China(2031, 4, 7, 23, 59, 59));
  Fire();
  EXPECT_NE(State(id), CaseState::kClosed);
  clock_.Set(China(2031, 4, 8));
  Fire();
  EXPECT_EQ(State(id), CaseState::kClosed);
  ASSERT_EQ(Events(id, EventKind::kReferredToLitigation).size(), 1u);
  int64_t referrals = 0;
  ASSERT_TRUE(db_->Read([&](Connection& c) -> absl::Status {
                   auto s =
                       c.Prepare("SELECT COUNT(*) FROM court_referrals WHERE court_id = 'court-x'");
                   if (!s.ok()) return s.status();
                   auto row = s->Step();
                   if (!row.ok()) return row.status();
                   referrals = s->ColumnInt(0);
                   return absl::OkStatus();
                 })
                  .ok());
  EXPECT_EQ(referrals, 1);
  // Every other open deadline of the case ended with it.
  const auto deadlines = store_->ListDeadlines(id);
  ASSERT_THAT(deadlines, IsOk()) << deadlines.status();
  for (const auto& dl : *deadlines) EXPECT_FALSE(dl.open()) << dl.id;
  EXPECT_EQ(Fire(), 0);
}

// Post-filing mediation: 15 days (ordinary procedure), 7 days (simple procedure) (OMR Art. 24).
// An expired post-filing case returns to its court for the trial to resume, never for filing
// (OMR Art. 21(三)); a citizen application is closed on expiry but referred to no court.
TEST_F(StatutoryClockStoreTest, PostFilingPeriodsAndCitizenCases) {
  const std::string ordinary = AcceptedCase(true, domain::Procedure::kPostFilingOrdinary);
  const std::string simple = AcceptedCase(true, domain::Procedure::kPostFilingSimple);
  const std::string citizen = AcceptedCase(false);
  for (const std::string& id : {ordinary, simple, citizen}) {
    Propose(id);
    AcceptAssignment(id);
  }
  EXPECT_EQ(Deadline(ordinary, "mediation-period").due, China(2031, 3, 23));  // 03-22 worked Sat
  EXPECT_EQ(Deadline(simple, "mediation-period").due, China(2031, 3, 15));    // Friday 03-14
  EXPECT_EQ(Deadline(citizen, "mediation-period").length, 30);
  clock_.Set(China(2031, 3, 15));
  Fire();
  EXPECT_EQ(State(simple), CaseState::kClosed);
  EXPECT_NE(State(ordinary), CaseState::kClosed);
  clock_.Set(China(2031, 4, 9));
  Fire();
  EXPECT_EQ(State(ordinary), CaseState::kClosed);
  EXPECT_EQ(State(citizen), CaseState::kClosed);
  EXPECT_TRUE(Events(citizen, EventKind::kReferredToLitigation).empty());
  EXPECT_TRUE(Events(citizen, EventKind::kReturnedForTrial).empty());
  for (const std::string& id : {ordinary, simple}) {
    EXPECT_TRUE(Events(id, EventKind::kReferredToLitigation).empty()) << id;
    EXPECT_EQ(Events(id, EventKind::kReturnedForTrial).size(), 1u) << id;
  }
}

// OMR Art. 26: an appraisal of 2 days and 1 hour pauses the period by 3 whole days; the parties
// then agree to 10 more days (Art. 24). The period expires at the new due time, not before.
TEST_F(StatutoryClockStoreTest, PauseForAppraisalAndExtensionMoveTheDueTime) {
  const std::string id = AcceptedCase(true);
  Propose(id);
  AcceptAssignment(id);
  const absl::Time original = Deadline(id, "mediation-period").due;  // 04-08 00:00
  clock_.Set(China(2031, 3, 10, 9));
  auto paused = store_->ChangeMediationPeriod(id, CaseStore::PeriodChange::kPause, 0,
                                              "伤残等级鉴定", As("mediator-1"));
  ASSERT_THAT(paused, IsOk()) << paused.status();
  EXPECT_EQ(paused->state, DeadlineState::kPaused);
  // Paused deadlines do not fire, however late.
  clock_.Set(China(2031, 3, 12, 10));
  EXPECT_EQ(Fire(), 1);  // only the respondent-contact warning
  EXPECT_EQ(
      store_
          ->ChangeMediationPeriod(id, CaseStore::PeriodChange::kPause, 0, "again", As("mediator-1"))
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
  auto resumed =
      store_->ChangeMediationPeriod(id, CaseStore::PeriodChange::kResume, 0, "", As("mediator-1"));
  ASSERT_THAT(resumed, IsOk()) << resumed.status();
  EXPECT_EQ(resumed->PausedDays(), 3);
  // 30 + 3 days from 03-07 = 04-09, a Wednesday.
  EXPECT_EQ(resumed->due, China(2031, 4, 10));
  EXPECT_GT(resumed->due, original);
  auto extended = store_->ChangeMediationPeriod(id, CaseStore::PeriodChange::kExtend, 10,
                                                "双方同意", As("mediator-1"));
  ASSERT_THAT(extended, IsOk()) << extended.status();
  EXPECT_EQ(extended->extension_days, 10);
  // 30 + 3 + 10 days from 03-07 = 04-19, a Saturday: the period ends on Monday 04-21.
  EXPECT_EQ(extended->due, China(2031, 4, 22));
  EXPECT_EQ(Events(id, EventKind::kDeadlineChanged).size(), 3u);

  clock_.Set(extended->due - absl::Seconds(1));
  Fire();
  EXPECT_NE(State(id), CaseState::kClosed);
  clock_.Set(extended->due);
  Fire();
  EXPECT_EQ(State(id), CaseState::kClosed);
}

// PML Art. 33: 30 days to apply for judicial confirmation once the agreement takes effect
// (started by the settlement flow of issue 7; here directly). On expiry the parties are told.
TEST_F(StatutoryClockStoreTest, ConfirmationApplicationDeadline) {
  // A draft: no other deadline of the case runs.
  auto draft = store_->CreateCase(odr::testing::MedicalCase(), As("admin-1"));
  ASSERT_THAT(draft, IsOk()) << draft.status();
  const std::string id = draft->id;
  const domain::Case k = *store_->GetCase(id);
  const domain::Deadline d =
      statutory_.Start(DeadlineKind::kConfirmationApplication, k, "", China(2031, 3, 7, 15));
  EXPECT_EQ(d.due, China(2031, 4, 8));  // 04-06 is a Sunday: it ends on Monday 04-07
  ASSERT_TRUE(db_->Write([&](Connection& c) -> absl::Status {
                   bool inserted = false;
                   return deadline_rows::Insert(c, d, &inserted);
                 })
                  .ok());
  clock_.Set(China(2031, 4, 8));
  EXPECT_EQ(Fire(), 1);
  const auto expired = Events(id, EventKind::kDeadlineExpired);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].audience, domain::EventAudience::kAll);
  EXPECT_THAT(expired[0].reason, ::testing::HasSubstr("PML Art. 33"));
  EXPECT_EQ(State(id), CaseState::kDraft);  // no state change
}

// PML Art. 31: the instalments of an effective agreement warn before their day and, unpaid at its
// end, record INSTALMENT_OVERDUE; a paid one never fires; a confirmed case keeps them running.
TEST_F(StatutoryClockStoreTest, InstalmentsWarnAndGoOverdueUnlessPaid) {
  const std::string id = AcceptedCase();
  Propose(id);
  AcceptAssignment(id);
  ASSERT_TRUE(
      store_->TransitionCase(id, CaseAction::kStartMediation, std::nullopt, "", As("mediator-1"))
          .ok());
  odr::testing::FakeSigner signer;
  AgreementStore agreements(db_.get(), store_.get(), &ids_, &statutory_, &signer);
  domain::AgreementContent content;
  content.facts = "术后感染。";
  content.issues = "赔偿。";
  content.responsibilities = "医院承担责任。";
  content.terms = {
      {domain::TermKind::kPayment, "赔偿两万元", "respondents/0", "转账", "2031-04-30"}};
  content.instalments = {{"2031-03-31", 1'200'000, "respondents/0", "applicants/0"},
                         {"2031-04-30", 800'000, "respondents/0", "applicants/0"}};
  auto a = agreements.Create(
      id, [&](const domain::Case&) { return content; }, "", As("mediator-1"));
  ASSERT_THAT(a, IsOk()) << a.status();
  for (const auto& [signer_ref, role] : std::vector<std::pair<std::string, domain::SignerRole>>{
           {"applicants/0", domain::SignerRole::kParty},
           {"respondents/0", domain::SignerRole::kParty},
           {"principals/mediator-1", domain::SignerRole::kMediator},
           {"organizations/org-1", domain::SignerRole::kOrganization}}) {
    auto signed_ = agreements.Sign(
        id, a->id, a->content_hash,
        [&, ref = signer_ref, r = role](const domain::Case&)
            -> absl::StatusOr<std::vector<std::pair<std::string, domain::SignerRole>>> {
          return std::vector<std::pair<std::string, domain::SignerRole>>{{ref, r}};
        },
        As("mediator-1"));
    ASSERT_THAT(signed_, IsOk()) << signed_.status();
  }
  EXPECT_EQ(State(id), CaseState::kSettled);
  const std::string first = domain::StatutoryClock::InstalmentId(a->id, 0);
  const std::string second = domain::StatutoryClock::InstalmentId(a->id, 1);
  EXPECT_EQ(Deadline(id, first).due, China(2031, 4, 1));
  EXPECT_EQ(Deadline(id, second).due, China(2031, 5, 1));

  // 72 hours before the end of 03-31: the warning.
  clock_.Set(China(2031, 3, 29));
  Fire();
  EXPECT_TRUE(Deadline(id, first).warned);
  // The first is paid in full: it is met and never goes overdue.
  ASSERT_THAT(agreements.RecordPayment(id, a->id, 0, 1'200'000, "", As("mediator-1")), IsOk());
  EXPECT_EQ(Deadline(id, first).state, DeadlineState::kMet);

  // A court confirms the agreement: the case ends, the second instalment is still owed.
  ASSERT_TRUE(
      store_->TransitionCase(id, CaseAction::kConfirm, std::nullopt, "ruled valid", As("court"))
          .ok());
  EXPECT_EQ(Deadline(id, second).state, DeadlineState::kRunning);
  EXPECT_EQ(Deadline(id, "confirmation-application").state, DeadlineState::kCancelled);

  clock_.Set(China(2031, 5, 1));
  Fire();
  const auto overdue = Events(id, EventKind::kInstalmentOverdue);
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].subject, "deadlines/" + second);
  EXPECT_EQ(overdue[0].audience, domain::EventAudience::kAll);
  EXPECT_THAT(overdue[0].reason, ::testing::HasSubstr("2031-04-30"));
  EXPECT_EQ(Deadline(id, second).state, DeadlineState::kExpired);
  EXPECT_EQ(State(id), CaseState::kConfirmed);
  clock_.Set(China(2031, 6, 1));
  Fire();
  EXPECT_EQ(Events(id, EventKind::kInstalmentOverdue).size(), 1u);
}

// Withdrawing a case cancels its open deadlines and its appointments (their slots are free
// again): nothing fires for it afterwards.
TEST_F(StatutoryClockStoreTest, EndingTheCaseCancelsItsDeadlinesAndAppointments) {
  const std::string id = AcceptedCase();
  Propose(id);
  AcceptAssignment(id);
  const domain::Appointment a = BookSeparateSession(id, China(2031, 3, 12, 9));
  ASSERT_TRUE(
      store_->TransitionCase(id, CaseAction::kWithdraw, std::nullopt, "和解", As("citizen")).ok());
  const auto deadlines = store_->ListDeadlines(id);
  ASSERT_THAT(deadlines, IsOk()) << deadlines.status();
  for (const auto& dl : *deadlines) EXPECT_FALSE(dl.open()) << dl.id;
  const domain::Appointment after = *schedule_->Get(id, a.id);
  EXPECT_TRUE(after.cancelled);
  EXPECT_EQ(after.cancel_reason, "the case ended");
  EXPECT_EQ(Events(id, EventKind::kAppointmentCancelled).size(), 1u);
  auto busy =
      schedule_->BusyIntervals({PrincipalKey("mediator-1")}, China(2031, 3, 1), China(2031, 4, 1));
  ASSERT_THAT(busy, IsOk());
  EXPECT_TRUE(busy->empty());
  clock_.Set(China(2031, 6, 1));
  EXPECT_EQ(Fire(), 0);
  EXPECT_TRUE(Events(id, EventKind::kAppointmentReminder).empty());
}

// Reminders 24 h and 1 h before an appointment are case events for those who may see it; a
// cancelled appointment reminds no one, a rescheduled one at its new time.
TEST_F(StatutoryClockStoreTest, AppointmentRemindersFireAndFollowChanges) {
  const std::string id = AcceptedCase();
  Propose(id);
  AcceptAssignment(id);
  auto book = [&](absl::Time start) { return BookSeparateSession(id, start); };
  const domain::Appointment kept = book(China(2031, 3, 12, 9));
  const domain::Appointment cancelled = book(China(2031, 3, 12, 14));
  const domain::Appointment moved = book(China(2031, 3, 13, 9));
  auto allow = [](const domain::Case&, const domain::Appointment&) { return absl::OkStatus(); };
  ASSERT_THAT(schedule_->Cancel(id, cancelled.id, "改期", std::nullopt, "mediator-1", allow),
              IsOk());
  auto no_check = [](const domain::Case&, const domain::Availability&, domain::Appointment*) {
    return absl::OkStatus();
  };
  ASSERT_TRUE(schedule_
                  ->Reschedule(id, moved.id, {China(2031, 3, 14, 9), China(2031, 3, 14, 10)},
                               std::nullopt, "mediator-1", allow, no_check, /*may_see=*/nullptr)
                  .ok());

  clock_.Set(China(2031, 3, 11, 9));  // 24 h before `kept`
  Fire();
  auto reminders = Events(id, EventKind::kAppointmentReminder);
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_EQ(reminders[0].subject, "appointments/" + kept.id);
  EXPECT_EQ(reminders[0].audience, domain::EventAudience::kApplicantSide);
  clock_.Set(China(2031, 3, 14, 8, 30));  // everything up to 1 h before the moved one
  Fire();
  reminders = Events(id, EventKind::kAppointmentReminder);
  int for_kept = 0, for_moved = 0, for_cancelled = 0;
  for (const auto& r : reminders) {
    for_kept += r.subject == "appointments/" + kept.id;
    for_moved += r.subject == "appointments/" + moved.id;
    for_cancelled += r.subject == "appointments/" + cancelled.id;
  }
  EXPECT_EQ(for_kept, 2);
  EXPECT_EQ(for_moved, 2);  // 03-13 09:00 and 03-14 08:00: for the new time only
  EXPECT_EQ(for_cancelled, 0);
}

// A mediator replaced on the case no longer holds its sessions: its scheduled appointments of the
// case are cancelled (with an event) and its time is free again.
TEST_F(StatutoryClockStoreTest, ReplacedMediatorsAppointmentsAreCancelled) {
  const std::string id = AcceptedCase();
  Propose(id);
  AcceptAssignment(id);
  const domain::Appointment a = BookSeparateSession(id, China(2031, 3, 12, 9));
  AssignmentChange replace;
  replace.kind = AssignmentChange::kReplace;
  replace.organization_id = "org-1";
  replace.mediator_id = "m1";
  replace.reason = "申请人申请回避";
  ASSERT_THAT(store_->ChangeAssignment(id, replace, As("citizen")), IsOk());
  const domain::Appointment after = *schedule_->Get(id, a.id);
  EXPECT_TRUE(after.cancelled);
  EXPECT_EQ(after.cancel_reason, "the mediator no longer mediates the case");
  EXPECT_EQ(Events(id, EventKind::kAppointmentCancelled).size(), 1u);
  auto busy =
      schedule_->BusyIntervals({PrincipalKey("mediator-1")}, China(2031, 3, 1), China(2031, 4, 1));
  ASSERT_THAT(busy, IsOk());
  EXPECT_TRUE(busy->empty());
  clock_.Set(China(2031, 3, 12, 8, 30));
  Fire();
  EXPECT_TRUE(Events(id, EventKind::kAppointmentReminder).empty());
}

// Attendance and no-shows are recorded once the appointment has started, per participant, with
// an event; not before, and not for someone who is not a participant.
TEST_F(StatutoryClockStoreTest, AttendanceAndNoShowOnceStarted) {
  const std::string id = AcceptedCase();
  Propose(id);
  AcceptAssignment(id);
  const domain::Appointment a = BookSeparateSession(id, China(2031, 3, 12, 9));
  auto allow = [](const domain::Case&, const domain::Appointment&) { return absl::OkStatus(); };
  EXPECT_EQ(schedule_
                ->RecordAttendance(id, a.id, "applicants/0", domain::Attendance::kAttended,
                                   "mediator-1", allow)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  clock_.Set(China(2031, 3, 12, 9, 5));
  auto attended = schedule_->RecordAttendance(id, a.id, "principals/mediator-1",
                                              domain::Attendance::kAttended, "mediator-1", allow);
  ASSERT_THAT(attended, IsOk()) << attended.status();
  auto no_show = schedule_->RecordAttendance(id, a.id, "applicants/0", domain::Attendance::kNoShow,
                                             "mediator-1", allow);
  ASSERT_THAT(no_show, IsOk()) << no_show.status();
  EXPECT_EQ(no_show->participants[0].attendance, domain::Attendance::kAttended);
  EXPECT_EQ(no_show->participants[1].attendance, domain::Attendance::kNoShow);
  EXPECT_EQ(no_show->version, a.version + 2);
  EXPECT_EQ(schedule_
                ->RecordAttendance(id, a.id, "respondents/0", domain::Attendance::kNoShow,
                                   "mediator-1", allow)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  const auto recorded = Events(id, EventKind::kAttendanceRecorded);
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[1].reason, "applicants/0: no_show");
  EXPECT_EQ(recorded[1].audience, domain::EventAudience::kApplicantSide);
}

}  // namespace
}  // namespace odr::storage
