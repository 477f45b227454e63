// Appointments, deadlines and the case event stream through the real odrd: free slots, booking
// and its conflicts under concurrency, bad input named by field, separate sessions seen by one
// side, join links, and WatchCaseEvents resumed from a cursor with nothing lost or repeated.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "odr/v1/appointment.grpc.pb.h"
#include "odr/v1/audit.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/deadline.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "odr/v1/simulation.grpc.pb.h"
#include "tests/testing/error_details.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/mediation.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds());
}

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

class AppointmentTest : public testing::MediationTest {
 protected:
  void SetUp() override {
    MediationTest::SetUp();
    case_ = AssignedCase();
  }

  std::vector<std::string> ServerFlags() const override {
    return {"--rate-limit", "0", "--video-url-template",
            "https://meet.example.org/{appointment}?jwt={token}"};
  }
  void Connected() override { appointments_ = v1::AppointmentService::NewStub(channel_); }
  void Stop() override {
    appointments_.reset();
    MediationTest::Stop();
  }

  v1::BookAppointmentRequest Booking(
      absl::Time start, absl::Duration length, std::vector<std::string> participants,
      v1::Appointment::Kind kind = v1::Appointment::KIND_JOINT_VIDEO) {
    v1::BookAppointmentRequest r;
    r.set_parent(case_);
    r.mutable_appointment()->set_kind(kind);
    *r.mutable_appointment()->mutable_start_time() = Ts(start);
    *r.mutable_appointment()->mutable_end_time() = Ts(start + length);
    for (const auto& p : participants)
      r.mutable_appointment()->add_participants()->set_participant(p);
    return r;
  }

  grpc::Status Book(const std::string& who, const v1::BookAppointmentRequest& r,
                    v1::Appointment* out) {
    return appointments_->BookAppointment(As(who).get(), r, out);
  }

  // Next week's Monday-to-Friday 09:00 China time: inside the default hours.
  absl::Time NextWeekMorning() {
    return testing::NextWeekdayAt(absl::Now() + absl::Hours(24 * 6), 9, 0);
  }

  // Every event WatchCaseEvents sends `who` for `parent` from `cursor`, until `count` arrived.
  std::vector<v1::CaseEvent> Watch(const std::string& who, const std::string& parent,
                                   const std::string& cursor, size_t count,
                                   const std::function<void()>& after_backlog = nullptr,
                                   size_t backlog = 0) {
    auto ctx = As(who);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::WatchCaseEventsRequest req;
    req.set_parent(parent);
    req.set_cursor(cursor);
    auto reader = cases_->WatchCaseEvents(ctx.get(), req);
    std::vector<v1::CaseEvent> out;
    v1::WatchCaseEventsResponse resp;
    while (out.size() < count && reader->Read(&resp)) {
      EXPECT_EQ(resp.case_(), resp.event().name().substr(0, resp.case_().size()));
      out.push_back(resp.event());
      if (after_backlog && out.size() == backlog) after_backlog();
    }
    ctx->TryCancel();
    reader->Finish();
    return out;
  }

  std::vector<v1::CaseEvent> AllEvents(const std::string& who) {
    v1::ListCaseEventsRequest req;
    req.set_parent(case_);
    req.set_page_size(1000);
    v1::ListCaseEventsResponse resp;
    EXPECT_THAT(cases_->ListCaseEvents(As(who).get(), req, &resp), IsOk());
    return {resp.events().begin(), resp.events().end()};
  }

  std::unique_ptr<v1::AppointmentService::Stub> appointments_;
  std::string case_;
};

// Free slots are inside the mediator's hours, on the quarter hour; the first one books; the same
// slot again is a conflict that names it; the booked slot is no longer offered.
TEST_F(AppointmentTest, FindSlotsBookAndConflict) {
  v1::FindSlotsRequest find;
  find.set_parent(case_);
  find.mutable_duration()->set_seconds(3600);
  const absl::Time from = NextWeekMorning();
  *find.mutable_start_time() = Ts(from);
  *find.mutable_end_time() = Ts(from + absl::Hours(24));
  find.add_participants("respondents/0");
  find.set_max_results(20);
  v1::FindSlotsResponse slots;
  ASSERT_THAT(appointments_->FindSlots(As("zhang").get(), find, &slots), IsOk());
  // 09:00-12:00 and 13:30-17:30 in quarter hours: 9 one-hour slots in the morning, 13 after.
  ASSERT_EQ(slots.slots_size(), 20);
  EXPECT_EQ(FromTs(slots.slots(0).start_time()), from);
  for (const auto& s : slots.slots()) {
    const absl::CivilSecond cs = absl::ToCivilSecond(FromTs(s.start_time()), kChina);
    EXPECT_EQ(cs.minute() % 15, 0);
    EXPECT_TRUE((cs.hour() >= 9 && cs.hour() < 11) || (cs.hour() == 11 && cs.minute() == 0) ||
                (cs.hour() >= 13 && cs.hour() <= 16))
        << absl::FormatCivilTime(cs);
  }

  v1::Appointment a;
  grpc::Status s =
      Book("zhang", Booking(from, absl::Hours(1), {"applicants/0", "respondents/0"}), &a);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  EXPECT_EQ(a.state(), v1::Appointment::STATE_SCHEDULED);
  EXPECT_EQ(a.mediator(), "principals/med");
  EXPECT_EQ(a.booked_by(), "principals/zhang");
  ASSERT_EQ(a.participants_size(), 3);
  EXPECT_EQ(a.participants(0).participant(), "principals/med");
  // The caller's own join link only.
  EXPECT_THAT(
      a.participants(1).join_uri(),
      HasSubstr("https://meet.example.org/" + absl::StrReplaceAll(a.name(), {{"/", "%2F"}})));
  EXPECT_THAT(a.participants(1).join_uri(), HasSubstr("?jwt=ey"));
  EXPECT_EQ(a.participants(2).join_uri(), "");
  v1::GetAppointmentRequest get;
  get.set_name(a.name());
  v1::Appointment as_li;
  ASSERT_THAT(appointments_->GetAppointment(As("li").get(), get, &as_li), IsOk());
  EXPECT_EQ(as_li.participants(1).join_uri(), "");
  EXPECT_NE(as_li.participants(2).join_uri(), "");
  EXPECT_NE(as_li.participants(2).join_uri(), a.participants(1).join_uri());

  v1::Appointment again;
  s = Book("orgadmin",
           Booking(from + absl::Minutes(30), absl::Hours(1), {"respondents/0"},
                   v1::Appointment::KIND_PHONE),
           &again);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION));
  const v1::ErrorDetails d = testing::Details(s);
  EXPECT_EQ(d.reason(), "SLOT_CONFLICT");
  EXPECT_EQ(d.metadata().at("participant"), "principals/med");
  EXPECT_EQ(d.metadata().at("conflicting_start_time"),
            absl::FormatTime(absl::RFC3339_sec, from, absl::UTCTimeZone()));

  slots.Clear();
  ASSERT_THAT(appointments_->FindSlots(As("zhang").get(), find, &slots), IsOk());
  for (const auto& sl : slots.slots()) {
    EXPECT_TRUE(FromTs(sl.end_time()) <= from || FromTs(sl.start_time()) >= from + absl::Hours(1));
  }
}

// 32 callers book the same slot at once: exactly one wins; the others are told which slot is
// taken.
TEST_F(AppointmentTest, ConcurrentBookingsOfOneSlotOneWins) {
  const absl::Time start = NextWeekMorning() + absl::Hours(1);
  std::atomic<int> won{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      v1::Appointment out;
      grpc::Status s = Book(
          i % 2 == 0 ? "orgadmin" : "med",
          Booking(start, absl::Minutes(45), {"applicants/0"}, v1::Appointment::KIND_PHONE), &out);
      if (s.ok()) {
        ++won;
      } else if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
                 testing::Reason(s) == "SLOT_CONFLICT" &&
                 testing::Details(s).metadata().at("conflicting_start_time") ==
                     absl::FormatTime(absl::RFC3339_sec, start, absl::UTCTimeZone())) {
        ++conflicts;
      } else {
        ++other;
        ADD_FAILURE() << s.error_code() << " " << s.error_message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), 31);
  EXPECT_EQ(other.load(), 0);
  v1::ListAppointmentsRequest list;
  list.set_parent(case_);
  v1::ListAppointmentsResponse listed;
  ASSERT_THAT(appointments_->ListAppointments(As("zhang").get(), list, &listed), IsOk());
  EXPECT_EQ(listed.appointments_size(), 1);
}

// Each kind of bad input is INVALID_ARGUMENT naming the field.
TEST_F(AppointmentTest, BadInputNamesTheField) {
  const absl::Time morning = NextWeekMorning();
  const std::vector<std::string> both = {"applicants/0", "respondents/0"};
  struct Case {
    const char* what;
    v1::BookAppointmentRequest req;
    const char* field;
  };
  std::vector<Case> bad = {
      {"end before start", Booking(morning, -absl::Hours(1), both), "appointment.end_time"},
      {"in the past", Booking(absl::Now() - absl::Hours(2), absl::Hours(1), both),
       "appointment.start_time"},
      {"outside working hours", Booking(morning + absl::Hours(11), absl::Hours(1), both),
       "appointment.start_time"},
      {"longer than 8 h", Booking(morning, absl::Hours(9), both), "appointment.end_time"},
      {"unknown participant", Booking(morning, absl::Hours(1), {"applicants/0", "respondents/3"}),
       "appointment.participants[1].participant"},
      {"no kind", Booking(morning, absl::Hours(1), both, v1::Appointment::KIND_UNSPECIFIED),
       "appointment.kind"},
      {"no participants", Booking(morning, absl::Hours(1), {}), "appointment.participants"},
      {"on site without location",
       Booking(morning, absl::Hours(1), both, v1::Appointment::KIND_ON_SITE),
       "appointment.location"},
      {"separate session with both sides",
       Booking(morning, absl::Hours(1), both, v1::Appointment::KIND_SEPARATE_SESSION),
       "appointment.participants"},
  };
  bad.push_back({"no start", Booking(morning, absl::Hours(1), both), "appointment.start_time"});
  bad.back().req.mutable_appointment()->clear_start_time();
  for (const Case& c : bad) {
    v1::Appointment out;
    grpc::Status s = Book("med", c.req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.what << ": " << s.error_message();
    EXPECT_THAT(testing::ViolatedFields(s), ::testing::Contains(c.field))
        << c.what << ": " << s.error_message();
  }
  v1::FindSlotsRequest find;
  find.set_parent(case_);
  find.mutable_duration()->set_seconds(3600);
  *find.mutable_start_time() = Ts(morning);
  *find.mutable_end_time() = Ts(morning - absl::Hours(1));
  v1::FindSlotsResponse slots;
  grpc::Status s = appointments_->FindSlots(As("med").get(), find, &slots);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("end_time"));
}

// A separate session with the respondent's side is seen by that side and the staff, not by the
// applicant; a party books only what its own side attends.
TEST_F(AppointmentTest, SeparateSessionsAreSeenByOneSide) {
  const absl::Time start = NextWeekMorning() + absl::Hours(5);  // 14:00
  v1::Appointment a;
  ASSERT_TRUE(Book("med",
                   Booking(start, absl::Hours(1), {"respondents/0"},
                           v1::Appointment::KIND_SEPARATE_SESSION),
                   &a)
                  .ok());
  v1::GetAppointmentRequest get;
  get.set_name(a.name());
  v1::Appointment seen;
  EXPECT_THAT(appointments_->GetAppointment(As("li").get(), get, &seen), IsOk());
  EXPECT_EQ(appointments_->GetAppointment(As("zhang").get(), get, &seen).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListAppointmentsRequest list;
  list.set_parent(case_);
  v1::ListAppointmentsResponse listed;
  ASSERT_THAT(appointments_->ListAppointments(As("zhang").get(), list, &listed), IsOk());
  EXPECT_EQ(listed.appointments_size(), 0);
  // The booking event is on the respondent side's timeline, not the applicant's.
  int booked_seen_by_zhang = 0;
  for (const auto& e : AllEvents("zhang")) {
    booked_seen_by_zhang += e.kind() == v1::CaseEvent::KIND_APPOINTMENT_BOOKED;
  }
  EXPECT_EQ(booked_seen_by_zhang, 0);
  v1::Appointment out;
  EXPECT_EQ(Book("zhang",
                 Booking(start + absl::Hours(2), absl::Hours(1), {"respondents/0"},
                         v1::Appointment::KIND_SEPARATE_SESSION),
                 &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Nor an appointment of the other side alone, of any kind (its time would be blocked in every
  // case).
  EXPECT_EQ(Book("zhang",
                 Booking(start + absl::Hours(2), absl::Hours(1), {"respondents/0"},
                         v1::Appointment::KIND_PHONE),
                 &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// A SLOT_CONFLICT tells the caller no more than it may see (issue 17 item 5): with an appointment
// it may not read (the other side's separate session, in this case or another), only who is busy,
// never when or where; with one it may read, its name and times.
TEST_F(AppointmentTest, AConflictRevealsOnlyWhatTheCallerMaySee) {
  const absl::Time start = NextWeekMorning() + absl::Hours(5);  // 14:00
  v1::Appointment separate;
  ASSERT_TRUE(Book("med",
                   Booking(start, absl::Hours(1), {"respondents/0"},
                           v1::Appointment::KIND_SEPARATE_SESSION),
                   &separate)
                  .ok());
  const std::string other_case = AssignedCase();
  for (const std::string& parent : {case_, other_case}) {
    v1::BookAppointmentRequest over =
        Booking(start + absl::Minutes(15), absl::Hours(1), {"applicants/0", "respondents/0"});
    over.set_parent(parent);
    v1::Appointment out;
    grpc::Status s = Book("zhang", over, &out);
    ASSERT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << s.error_message();
    const v1::ErrorDetails d = testing::Details(s);
    EXPECT_EQ(d.reason(), "SLOT_CONFLICT");
    EXPECT_EQ(d.metadata().count("conflicting_start_time"), 0u) << parent;
    EXPECT_EQ(d.metadata().count("conflicting_end_time"), 0u) << parent;
    EXPECT_EQ(d.metadata().count("conflicting_appointment"), 0u) << parent;
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr(separate.name()))) << parent;
    EXPECT_THAT(s.error_message(), HasSubstr("you may not see")) << parent;
    // The requested slot is named; the separate session's own start (14:00) is not.
    const std::string its_start = absl::FormatTime("%H:%M", start, kChina) + "-" +
                                  absl::FormatTime("%H:%M", start + absl::Hours(1), kChina);
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr(its_start))) << s.error_message();
  }
  // The mediator, who may read it, is told which appointment and when.
  v1::Appointment out;
  grpc::Status s = Book("med",
                        Booking(start + absl::Minutes(15), absl::Hours(1), {"applicants/0"},
                                v1::Appointment::KIND_SEPARATE_SESSION),
                        &out);
  ASSERT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << s.error_message();
  const v1::ErrorDetails d = testing::Details(s);
  EXPECT_EQ(d.metadata().at("conflicting_appointment"), separate.name());
  EXPECT_EQ(d.metadata().at("conflicting_start_time"),
            absl::FormatTime(absl::RFC3339_sec, start, absl::UTCTimeZone()));
}

// An appointment id in use by the other side's separate session cannot be told from an unused one
// (issue 17 item 6): the booking's own checks answer first, the same for both.
TEST_F(AppointmentTest, AnAppointmentIdInUseLooksLikeAnUnusedOne) {
  const absl::Time start = NextWeekMorning() + absl::Hours(5);  // 14:00
  v1::BookAppointmentRequest hidden =
      Booking(start, absl::Hours(1), {"respondents/0"}, v1::Appointment::KIND_SEPARATE_SESSION);
  hidden.set_appointment_id("respondent-session");
  v1::Appointment separate;
  ASSERT_THAT(Book("med", hidden, &separate), IsOk());

  // Outside the mediator's hours (03:00): refused by the hours, whatever the id.
  v1::BookAppointmentRequest probe = Booking(start - absl::Hours(11), absl::Hours(1),
                                             {"applicants/0"}, v1::Appointment::KIND_PHONE);
  probe.set_appointment_id("respondent-session");
  v1::Appointment out;
  grpc::Status used = Book("zhang", probe, &out);
  probe.set_appointment_id("never-used");
  grpc::Status unused = Book("zhang", probe, &out);
  EXPECT_EQ(used.error_code(), unused.error_code());
  EXPECT_THAT(used, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << used.error_message();
  EXPECT_EQ(used.error_message(), unused.error_message());
  EXPECT_EQ(testing::Reason(used), testing::Reason(unused));
  // A separate session with the other side: refused for both alike.
  v1::BookAppointmentRequest other_side =
      Booking(start + absl::Hours(1), absl::Hours(1), {"respondents/0"},
              v1::Appointment::KIND_SEPARATE_SESSION);
  other_side.set_appointment_id("respondent-session");
  used = Book("zhang", other_side, &out);
  other_side.set_appointment_id("never-used");
  unused = Book("zhang", other_side, &out);
  EXPECT_THAT(used, StatusIs(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(used.error_code(), unused.error_code());
  EXPECT_EQ(used.error_message(), unused.error_message());

  // A booking that passes every check under an id in use: ALREADY_EXISTS, naming nothing of it.
  v1::BookAppointmentRequest fine = Booking(start + absl::Hours(1), absl::Hours(1),
                                            {"applicants/0"}, v1::Appointment::KIND_PHONE);
  fine.set_appointment_id("respondent-session");
  used = Book("zhang", fine, &out);
  EXPECT_THAT(used, StatusIs(grpc::StatusCode::ALREADY_EXISTS)) << used.error_message();
  EXPECT_THAT(used.error_message(), ::testing::Not(HasSubstr("SEPARATE")));
  // The mediator's own retry still returns its booking, recorded like a read (issue 17 item 3).
  v1::Appointment again;
  ASSERT_THAT(Book("med", hidden, &again), IsOk());
  EXPECT_EQ(again.name(), separate.name());
  auto audit = v1::AuditService::NewStub(channel_);
  v1::ListAccessRecordsRequest list;
  list.set_principal("principals/med");
  list.set_resource(separate.name());
  v1::ListAccessRecordsResponse records;
  ASSERT_THAT(audit->ListAccessRecords(As("platform").get(), list, &records), IsOk());
  ASSERT_EQ(records.access_records_size(), 2);
  EXPECT_EQ(records.access_records(0).action(), v1::AccessRecord::ACTION_READ);
  EXPECT_EQ(records.access_records(1).action(), v1::AccessRecord::ACTION_CHANGE);
}

// Rescheduling frees the old slot; cancelling frees the new one; attendance waits for the start.
TEST_F(AppointmentTest, RescheduleCancelAndAttendance) {
  const absl::Time first = NextWeekMorning();
  v1::Appointment a;
  ASSERT_THAT(Book("zhang", Booking(first, absl::Hours(1), {"applicants/0"}), &a), IsOk());
  v1::RescheduleAppointmentRequest move;
  move.set_name(a.name());
  *move.mutable_start_time() = Ts(first + absl::Hours(1));
  *move.mutable_end_time() = Ts(first + absl::Hours(2));
  move.set_etag(a.etag());
  v1::Appointment moved;
  grpc::Status s = appointments_->RescheduleAppointment(As("zhang").get(), move, &moved);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  EXPECT_EQ(FromTs(moved.start_time()), first + absl::Hours(1));
  // The stale etag is refused; the old slot is free again.
  EXPECT_EQ(appointments_->RescheduleAppointment(As("zhang").get(), move, &moved).error_code(),
            grpc::StatusCode::ABORTED);
  v1::Appointment other;
  EXPECT_THAT(Book("orgadmin", Booking(first, absl::Hours(1), {"respondents/0"}), &other), IsOk());

  v1::RecordAttendanceRequest attend;
  attend.set_name(a.name());
  attend.set_participant("applicants/0");
  attend.set_attendance(v1::ATTENDANCE_NO_SHOW);
  v1::Appointment out;
  s = appointments_->RecordAttendance(As("med").get(), attend, &out);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::FAILED_PRECONDITION)) << s.error_message();
  EXPECT_EQ(testing::Reason(s), "APPOINTMENT_NOT_STARTED");
  EXPECT_EQ(appointments_->RecordAttendance(As("zhang").get(), attend, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::CancelAppointmentRequest cancel;
  cancel.set_name(a.name());
  cancel.set_reason("申请人要求改期");
  ASSERT_THAT(appointments_->CancelAppointment(As("med").get(), cancel, &out), IsOk());
  EXPECT_EQ(out.state(), v1::Appointment::STATE_CANCELLED);
  EXPECT_EQ(out.participants(1).join_uri(), "");
  EXPECT_TRUE(
      Book("orgadmin", Booking(first + absl::Hours(1), absl::Hours(1), {"respondents/0"}), &other)
          .ok());
}

// In simulated time: a session that took place stays on the record when the case ends; only the
// sessions still ahead are cancelled (issue 17 item 10).
class HeldSessionTest : public AppointmentTest {
 protected:
  // Monday 2026-03-02 08:00 China time.
  static absl::Time At(int day, int hour, int minute = 0) {
    return absl::FromCivil(absl::CivilSecond(2026, 3, day, hour, minute, 0), kChina);
  }
  std::vector<std::string> ServerFlags() const override {
    std::vector<std::string> flags = AppointmentTest::ServerFlags();
    flags.push_back("--simulated-time");
    flags.push_back(absl::FormatTime(absl::RFC3339_full, At(2, 8), kChina));
    return flags;
  }
  void Connected() override {
    AppointmentTest::Connected();
    simulation_ = v1::SimulationService::NewStub(channel_);
  }
  void Stop() override {
    simulation_.reset();
    AppointmentTest::Stop();
  }
  grpc::Status Advance(absl::Time to) {
    v1::AdvanceClockRequest req;
    *req.mutable_time() = Ts(to);
    v1::AdvanceClockResponse resp;
    return simulation_->AdvanceClock(As("platform").get(), req, &resp);
  }
  std::unique_ptr<v1::SimulationService::Stub> simulation_;
};

TEST_F(HeldSessionTest, ASessionThatTookPlaceIsNotCancelledWhenTheCaseEnds) {
  v1::Appointment held, ahead;
  grpc::Status s =
      Book("med", Booking(At(3, 9), absl::Hours(1), {"applicants/0", "respondents/0"}), &held);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  s = Book("med", Booking(At(5, 9), absl::Hours(1), {"applicants/0", "respondents/0"}), &ahead);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  ASSERT_THAT(Advance(At(3, 10, 30)), IsOk());

  v1::RecordAttendanceRequest attend;
  attend.set_name(held.name());
  attend.set_participant("applicants/0");
  attend.set_attendance(v1::ATTENDANCE_ATTENDED);
  v1::Appointment out;
  s = appointments_->RecordAttendance(As("med").get(), attend, &out);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  EXPECT_EQ(out.state(), v1::Appointment::STATE_HELD);

  v1::CloseCaseRequest close;
  close.set_name(case_);
  close.set_reason("被申请人拒绝继续调解");
  v1::Case closed;
  s = cases_->CloseCase(As("orgadmin").get(), close, &closed);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  ASSERT_EQ(closed.state(), v1::Case::STATE_CLOSED);

  v1::GetAppointmentRequest get;
  get.set_name(held.name());
  ASSERT_THAT(appointments_->GetAppointment(As("med").get(), get, &out), IsOk());
  EXPECT_EQ(out.state(), v1::Appointment::STATE_HELD);
  EXPECT_EQ(out.cancel_reason(), "");
  get.set_name(ahead.name());
  ASSERT_THAT(appointments_->GetAppointment(As("med").get(), get, &out), IsOk());
  EXPECT_EQ(out.state(), v1::Appointment::STATE_CANCELLED);
  std::vector<std::string> cancelled;
  for (const auto& e : AllEvents("med")) {
    if (e.kind() == v1::CaseEvent::KIND_APPOINTMENT_CANCELLED) cancelled.push_back(e.subject());
  }
  EXPECT_EQ(cancelled.size(), 1u);
  EXPECT_THAT(ahead.name(), ::testing::EndsWith(cancelled.empty() ? "?" : cancelled[0]));
}

// The mediator's hours decide what can be booked: with Monday 14:00-16:00 only, a Tuesday
// morning is outside working hours and leave blocks what it covers.
TEST_F(AppointmentTest, AvailabilityRulesBooking) {
  v1::UpdateMediatorAvailabilityRequest up;
  v1::MediatorAvailability* av = up.mutable_availability();
  av->set_name("organizations/org1/mediators/m1/availability");
  v1::GetMediatorAvailabilityRequest get;
  get.set_name(av->name());
  v1::MediatorAvailability current;
  ASSERT_THAT(appointments_->GetMediatorAvailability(As("med").get(), get, &current), IsOk());
  EXPECT_EQ(current.weekly_hours_size(), 10);  // the default
  av->set_etag(current.etag());
  v1::WeeklyHours* h = av->add_weekly_hours();
  h->set_day(v1::DAY_OF_WEEK_MONDAY);
  h->set_start_time("14:00");
  h->set_end_time("16:00");
  absl::Time monday = testing::NextWeekdayAt(absl::Now() + absl::Hours(24 * 7), 14, 0);
  while (absl::GetWeekday(absl::ToCivilDay(monday, kChina)) != absl::Weekday::monday) {
    monday = testing::NextWeekdayAt(monday, 14, 0);
  }
  v1::Leave* leave = av->add_leave();
  *leave->mutable_start_time() = Ts(monday + absl::Hours(1));
  *leave->mutable_end_time() = Ts(monday + absl::Hours(2));
  leave->set_reason("培训");
  v1::MediatorAvailability saved;
  grpc::Status s = appointments_->UpdateMediatorAvailability(As("med").get(), up, &saved);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  EXPECT_EQ(appointments_->UpdateMediatorAvailability(As("med").get(), up, &saved).error_code(),
            grpc::StatusCode::ABORTED);  // the etag of the default no longer matches
  EXPECT_EQ(appointments_->GetMediatorAvailability(As("zhang").get(), get, &current).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::Appointment a;
  EXPECT_THAT(Book("zhang", Booking(monday, absl::Hours(1), {"applicants/0"}), &a), IsOk());
  s = Book("zhang", Booking(monday + absl::Hours(1), absl::Minutes(30), {"applicants/0"}), &a);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("appointment.start_time"));  // leave
  s = Book("zhang", Booking(monday + absl::Hours(24 - 5), absl::Hours(1), {"applicants/0"}), &a);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("appointment.start_time"));  // Tuesday 09:00

  h->set_end_time("13:00");  // before the start
  up.mutable_availability()->set_etag(saved.etag());
  s = appointments_->UpdateMediatorAvailability(As("med").get(), up, &saved);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("availability.weekly_hours[0].end_time"));
}

// The statutory deadlines as the API shows them: staff see all, parties the mediation period;
// contacting the respondent meets its deadline and starts mediation.
TEST_F(AppointmentTest, DeadlinesAndRespondentContact) {
  v1::ListDeadlinesRequest list;
  list.set_parent(case_);
  v1::ListDeadlinesResponse staff, party;
  ASSERT_THAT(deadlines_->ListDeadlines(As("med").get(), list, &staff), IsOk());
  std::map<v1::Deadline::Kind, v1::Deadline> by_kind;
  for (const auto& d : staff.deadlines()) by_kind[d.kind()] = d;
  ASSERT_EQ(by_kind.size(), 6u);
  // The organization proposed the mediator: the parties' joint-choice time is over and the
  // designation made (OMR Art. 10).
  EXPECT_EQ(by_kind[v1::Deadline::KIND_MEDIATOR_CHOICE].state(), v1::Deadline::STATE_CANCELLED);
  EXPECT_EQ(by_kind[v1::Deadline::KIND_MEDIATOR_DESIGNATION].state(), v1::Deadline::STATE_MET);
  // The organization accepted within its 3 working days (OMR Art. 12); the period counts from
  // that acceptance (OMR Art. 24 para. 2), not from the mediator's.
  const v1::Deadline org = by_kind[v1::Deadline::KIND_ORGANIZATION_ACCEPTANCE];
  EXPECT_EQ(org.state(), v1::Deadline::STATE_MET);
  EXPECT_EQ(org.legal_basis(), "OMR Art. 12");
  EXPECT_TRUE(org.working_days());
  EXPECT_EQ(org.name(), case_ + "/deadlines/organization-acceptance");
  EXPECT_EQ(by_kind[v1::Deadline::KIND_MEDIATOR_ACCEPTANCE].state(), v1::Deadline::STATE_MET);
  EXPECT_LE(FromTs(by_kind[v1::Deadline::KIND_MEDIATION_PERIOD].start_time()),
            FromTs(by_kind[v1::Deadline::KIND_MEDIATOR_ACCEPTANCE].start_time()));
  EXPECT_EQ(by_kind[v1::Deadline::KIND_RESPONDENT_CONTACT].state(), v1::Deadline::STATE_RUNNING);
  const v1::Deadline period = by_kind[v1::Deadline::KIND_MEDIATION_PERIOD];
  EXPECT_EQ(period.length(), 30);
  EXPECT_EQ(period.legal_basis(), "OMR Arts. 24, 26");
  EXPECT_GE(FromTs(period.due_time()) - FromTs(period.start_time()), absl::Hours(24 * 30));
  EXPECT_TRUE(period.provisional());  // no calendar loaded for this year
  ASSERT_THAT(deadlines_->ListDeadlines(As("zhang").get(), list, &party), IsOk());
  ASSERT_EQ(party.deadlines_size(), 2);
  EXPECT_EQ(party.deadlines(0).kind(), v1::Deadline::KIND_MEDIATION_PERIOD);
  EXPECT_EQ(party.deadlines(1).kind(), v1::Deadline::KIND_MEDIATOR_CHOICE);

  v1::ExtendMediationPeriodRequest extend;
  extend.set_name(case_);
  extend.set_days(10);
  v1::Deadline out;
  grpc::Status s = deadlines_->ExtendMediationPeriod(As("med").get(), extend, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("parties_consented"));
  extend.set_parties_consented(true);
  // Each party's consent, every party once (OMR Art. 24).
  v1::ExtensionConsent* c = extend.add_consents();
  c->set_party("applicants/0");
  c->set_manner("调解会上口头同意");
  s = deadlines_->ExtendMediationPeriod(As("med").get(), extend, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("consents"));
  EXPECT_THAT(s.error_message(), HasSubstr("respondents/0"));
  *extend.add_consents() = *c;
  s = deadlines_->ExtendMediationPeriod(As("med").get(), extend, &out);
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("consents[1].party"));
  extend.mutable_consents(1)->set_party("respondents/0");
  extend.mutable_consents(1)->set_manner("书面同意");
  ASSERT_THAT(deadlines_->ExtendMediationPeriod(As("med").get(), extend, &out), IsOk());
  EXPECT_EQ(out.extension_days(), 10);
  EXPECT_GE(FromTs(out.due_time()) - FromTs(period.due_time()), absl::Hours(24 * 10));
  EXPECT_EQ(deadlines_->ExtendMediationPeriod(As("zhang").get(), extend, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::RecordRespondentContactRequest contact;
  contact.set_name(case_);
  contact.set_outcome(v1::RecordRespondentContactRequest::OUTCOME_AGREED);
  v1::Case k;
  ASSERT_THAT(deadlines_->RecordRespondentContact(As("med").get(), contact, &k), IsOk());
  EXPECT_EQ(k.state(), v1::Case::STATE_MEDIATING);
  staff.Clear();
  ASSERT_THAT(deadlines_->ListDeadlines(As("med").get(), list, &staff), IsOk());
  for (const auto& d : staff.deadlines()) {
    if (d.kind() == v1::Deadline::KIND_RESPONDENT_CONTACT) {
      EXPECT_EQ(d.state(), v1::Deadline::STATE_MET);
    }
  }
}

// A reminder pending while odrd is down fires once when it starts again, and not again after a
// further restart. (The reminder offset is chosen so that it falls due a few seconds after the
// booking: the same rows and engine as every statutory deadline.)
TEST_F(AppointmentTest, PendingReminderFiresOnceAfterRestart) {
  // In simulated time (odrd --simulated-time), so that the hour of the real clock does not matter:
  // from 10:00 China time tomorrow, reminders 20 minutes ahead, an appointment at 11:00; odrd is
  // down at 10:40, when the reminder falls due, and comes back at 10:41.
  const absl::CivilDay tomorrow = absl::ToCivilDay(absl::Now(), kChina) + 1;
  const absl::Time base = absl::FromCivil(
      absl::CivilHour(tomorrow.year(), tomorrow.month(), tomorrow.day(), 10), kChina);
  auto at = [](absl::Time t) {
    return std::vector<std::string>{"--appointment-reminders", "20m", "--simulated-time",
                                    absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone())};
  };
  Stop();
  Launch(at(base));
  // The mediator works every day (tomorrow may be a weekend).
  v1::UpdateMediatorAvailabilityRequest up;
  up.mutable_availability()->set_name("organizations/org1/mediators/m1/availability");
  up.mutable_availability()->set_etag("W/\"0\"");
  for (int day = 1; day <= 7; ++day) {
    v1::WeeklyHours* h = up.mutable_availability()->add_weekly_hours();
    h->set_day(static_cast<v1::DayOfWeek>(day));
    h->set_start_time("00:00");
    h->set_end_time("24:00");
  }
  v1::MediatorAvailability saved;
  ASSERT_THAT(appointments_->UpdateMediatorAvailability(As("med").get(), up, &saved), IsOk());
  const absl::Time start = base + absl::Hours(1);
  v1::Appointment a;
  grpc::Status s = Book("med", Booking(start, absl::Minutes(30), {"applicants/0"}), &a);
  ASSERT_THAT(s, IsOk()) << s.error_message();
  auto reminders = [&] {
    int n = 0;
    for (const auto& e : AllEvents("med")) {
      n += e.kind() == v1::CaseEvent::KIND_APPOINTMENT_REMINDER;
    }
    return n;
  };
  ASSERT_EQ(reminders(), 0);
  Stop();  // down while the reminder falls due
  Launch(at(start - absl::Minutes(19)));
  // The engine looks at once on start.
  for (int i = 0; i < 100 && reminders() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(reminders(), 1);
  Stop();
  Launch(at(start - absl::Minutes(18)));
  // Give the engine its look on start, then count again: not fired twice.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(reminders(), 1);
}

// A watcher gets the case's timeline from the start, then live; reconnecting with the cursor of
// the last event received continues with nothing lost or repeated.
TEST_F(AppointmentTest, WatchResumesWithoutLossOrDuplicates) {
  const std::vector<v1::CaseEvent> timeline = AllEvents("med");
  ASSERT_GE(timeline.size(), 8u);  // created ... accepted, deadlines started
  for (const auto& e : timeline) EXPECT_FALSE(e.cursor().empty());

  // From the start: the whole timeline, in order.
  std::vector<v1::CaseEvent> all = Watch("med", case_, "", timeline.size());
  ASSERT_EQ(all.size(), timeline.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].name(), timeline[i].name());

  // Resume after the third; while connected, two bookings happen: they arrive live.
  const absl::Time start = NextWeekMorning();
  auto book_two = [&] {
    v1::Appointment a;
    EXPECT_THAT(Book("orgadmin", Booking(start, absl::Hours(1), {"applicants/0"}), &a), IsOk());
    EXPECT_TRUE(
        Book("orgadmin", Booking(start + absl::Hours(1), absl::Hours(1), {"applicants/0"}), &a)
            .ok());
  };
  const size_t rest = timeline.size() - 3;
  std::vector<v1::CaseEvent> resumed =
      Watch("med", case_, timeline[2].cursor(), rest + 2, book_two, rest);
  ASSERT_EQ(resumed.size(), rest + 2);
  std::set<std::string> names;
  for (size_t i = 0; i < resumed.size(); ++i) {
    EXPECT_TRUE(names.insert(resumed[i].name()).second) << "repeated " << resumed[i].name();
    if (i < rest) EXPECT_EQ(resumed[i].name(), timeline[i + 3].name());
  }
  EXPECT_EQ(resumed[rest].kind(), v1::CaseEvent::KIND_APPOINTMENT_BOOKED);
  EXPECT_EQ(resumed[rest + 1].kind(), v1::CaseEvent::KIND_APPOINTMENT_BOOKED);

  // Disconnected meanwhile: a third booking; resuming from the last event received gets it alone.
  v1::Appointment a;
  ASSERT_TRUE(
      Book("orgadmin", Booking(start + absl::Hours(2), absl::Hours(1), {"applicants/0"}), &a).ok());
  std::vector<v1::CaseEvent> last = Watch("med", case_, resumed.back().cursor(), 1);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].kind(), v1::CaseEvent::KIND_APPOINTMENT_BOOKED);
  EXPECT_THAT(last[0].subject(), HasSubstr(a.name()));
  EXPECT_EQ(names.count(last[0].name()), 0u);
}

// Watching every case: each caller sees only the events it may see.
TEST_F(AppointmentTest, WatchAllCasesFiltersByCaller) {
  const std::vector<v1::CaseEvent> as_zhang = AllEvents("zhang");
  std::vector<v1::CaseEvent> watched = Watch("zhang", "cases/-", "", as_zhang.size());
  ASSERT_EQ(watched.size(), as_zhang.size());
  for (size_t i = 0; i < watched.size(); ++i) {
    EXPECT_EQ(watched[i].name(), as_zhang[i].name());
    EXPECT_THAT(watched[i].subject(), ::testing::Not(HasSubstr("mediator-acceptance")));
  }
  // Staff-only events (the mediator's acceptance deadline) are in the mediator's view only.
  EXPECT_GT(AllEvents("med").size(), as_zhang.size());
  // An outsider's stream stays empty: it ends at the deadline with nothing.
  auto ctx = As("wang");
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  v1::WatchCaseEventsRequest req;
  req.set_parent("cases/-");
  auto reader = cases_->WatchCaseEvents(ctx.get(), req);
  v1::WatchCaseEventsResponse resp;
  EXPECT_FALSE(reader->Read(&resp));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // A case the caller may not see looks missing; a bad cursor is named.
  auto ctx2 = As("wang");
  req.set_parent(case_);
  auto hidden = cases_->WatchCaseEvents(ctx2.get(), req);
  EXPECT_FALSE(hidden->Read(&resp));
  EXPECT_EQ(hidden->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  auto ctx3 = As("zhang");
  req.set_cursor("nonsense");
  auto bad = cases_->WatchCaseEvents(ctx3.get(), req);
  EXPECT_FALSE(bad->Read(&resp));
  grpc::Status s = bad->Finish();
  EXPECT_THAT(testing::ViolatedFields(s), ElementsAre("cursor"));
}

}  // namespace
}  // namespace odr
