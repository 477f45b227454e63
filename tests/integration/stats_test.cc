// Statistics through the real odrd in simulated time (--simulated-time): four cases of org1 that
// settle, are withdrawn, fail and run out of time, a court diversion and an intake record; then
// the figures per scope and month (StatsService), who may see them, bad requests, and `odr stats`
// as a table, as JSON and as an SVG chart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "odr/v1/court.grpc.pb.h"
#include "odr/v1/simulation.grpc.pb.h"
#include "odr/v1/stats.grpc.pb.h"
#include "tests/testing/error_details.h"
#include "tests/testing/mediation.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::TimeZone kChina = absl::FixedTimeZone(8 * 3600);

absl::Time At(int month, int day) {
  return absl::FromCivil(absl::CivilSecond(2026, month, day, 9, 0, 0), kChina);
}

class StatsTest : public testing::MediationTest {
 protected:
  void AddPrincipals() override {
    keys_["clerk"] = testing::CreatePrincipal(data_, "clerk", "court", {"--court", "courts/zhuji"});
  }
  std::vector<std::string> ServerFlags() const override {
    return {"--rate-limit", "0", "--simulated-time",
            absl::FormatTime(absl::RFC3339_full, At(3, 30), kChina)};
  }
  void Connected() override {
    stats_ = v1::StatsService::NewStub(channel_);
    courts_ = v1::CourtService::NewStub(channel_);
    simulation_ = v1::SimulationService::NewStub(channel_);
  }
  void Stop() override {
    stats_.reset();
    courts_.reset();
    simulation_.reset();
    MediationTest::Stop();
  }

  grpc::Status Advance(absl::Time to) {
    v1::AdvanceClockRequest req;
    *req.mutable_time() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(to));
    v1::AdvanceClockResponse resp;
    return simulation_->AdvanceClock(As("platform").get(), req, &resp);
  }

  grpc::Status Stats(const std::string& who, const std::string& scope, v1::Statistics* out,
                     const std::string& from = "2026-03-01", const std::string& to = "2026-05-31") {
    v1::GetStatisticsRequest req;
    req.set_start_date(from);
    req.set_end_date(to);
    req.set_scope(scope);
    return stats_->GetStatistics(As(who).get(), req, out);
  }

  v1::RecordIntakeRequest Intake(const std::string& reference) {
    v1::RecordIntakeRequest req;
    req.set_parent("courts/zhuji");
    v1::Intake* in = req.mutable_intake();
    in->set_intake_reference(reference);
    in->set_presented_date("2026-03-30");
    in->set_dispute_type(v1::DISPUTE_TYPE_LABOUR);
    in->set_region_code("330681");
    in->set_disposition(v1::INTAKE_DISPOSITION_FILED);
    return req;
  }

  // 30 March: A settles, C is diverted by the court, a second dispute is recorded at intake;
  // 2 April: B is withdrawn and D closed; 3 May: C's mediation period has run out.
  void Story() {
    const std::string a = MediatingCase();
    EffectiveAgreement(a);
    v1::Case c = testing::ZhangAgainstLi("org1");
    v1::CourtDiversion* d = c.mutable_source()->mutable_court_diversion();
    d->set_court("courts/zhuji");
    d->set_intake_reference("(2026)浙0681诉前调1号");
    d->set_diversion_date("2026-03-30");
    v1::DivertCaseRequest divert;
    *divert.mutable_case_() = c;
    v1::Case diverted;
    grpc::Status s = courts_->DivertCase(As("clerk").get(), divert, &diverted);
    ASSERT_THAT(s, IsOk()) << s.error_message();
    v1::AcceptCaseRequest accept;
    accept.set_name(diverted.name());
    ASSERT_THAT(cases_->AcceptCase(As("orgadmin").get(), accept, &diverted), IsOk());
    v1::AssignCaseMediatorRequest assign;
    assign.set_name(diverted.name());
    assign.set_mediator("organizations/org1/mediators/m1");
    ASSERT_THAT(cases_->AssignCaseMediator(As("orgadmin").get(), assign, &diverted), IsOk());
    v1::AcceptAssignmentRequest yes;
    yes.set_name(diverted.name());
    yes.set_no_conflict_declared(true);
    ASSERT_THAT(cases_->AcceptAssignment(As("med").get(), yes, &diverted), IsOk());
    v1::Intake intake;
    s = courts_->RecordIntake(As("clerk").get(), Intake("(2026)浙0681诉登7号"), &intake);
    ASSERT_THAT(s, IsOk()) << s.error_message();
    const std::string b = AssignedCase();
    const std::string dd = MediatingCase();

    ASSERT_THAT(Advance(At(4, 2)), IsOk());
    v1::WithdrawCaseRequest withdraw;
    withdraw.set_name(b);
    withdraw.set_reason("自行和解");
    v1::Case out;
    ASSERT_THAT(cases_->WithdrawCase(As("zhang").get(), withdraw, &out), IsOk());
    v1::CloseCaseRequest close;
    close.set_name(dd);
    close.set_reason("调解不成");
    s = cases_->CloseCase(As("med").get(), close, &out);
    ASSERT_THAT(s, IsOk()) << s.error_message();

    v1::RecordRespondentContactRequest contact;
    contact.set_name(diverted.name());
    contact.set_outcome(v1::RecordRespondentContactRequest::OUTCOME_AGREED);
    ASSERT_THAT(deadlines_->RecordRespondentContact(As("med").get(), contact, &out), IsOk());
    ASSERT_THAT(Advance(At(5, 3)), IsOk());
    diverted_ = diverted.name();
  }

  std::unique_ptr<v1::StatsService::Stub> stats_;
  std::unique_ptr<v1::CourtService::Stub> courts_;
  std::unique_ptr<v1::SimulationService::Stub> simulation_;
  std::string diverted_;
};

TEST_F(StatsTest, EveryFigureOfThePlatformOrganizationMediatorAndCourt) {
  Story();
  EXPECT_EQ(GetCase(diverted_).state(), v1::Case::STATE_CLOSED);

  v1::Statistics s;
  grpc::Status st = Stats("platform", "", &s);
  ASSERT_THAT(st, IsOk()) << st.error_message();
  const v1::Figures& t = s.totals();
  EXPECT_EQ(t.presented(), 2);
  EXPECT_EQ(t.diverted(), 1);
  EXPECT_DOUBLE_EQ(t.guidance_rate(), 0.5);
  EXPECT_EQ(t.applications(), 4);
  EXPECT_EQ(t.accepted(), 4);
  EXPECT_EQ(t.mediated_successfully(), 1);
  EXPECT_EQ(t.failed(), 1);
  EXPECT_EQ(t.withdrawn(), 1);
  EXPECT_EQ(t.expired(), 1);
  EXPECT_DOUBLE_EQ(t.success_rate(), 0.25);
  // Resolutions took 0 (A), 3 (B, D) and 30 or 31 days (C): nearest-rank median and 90th.
  EXPECT_EQ(t.median_days_to_resolution(), 3);
  EXPECT_GE(t.p90_days_to_resolution(), 30);
  // C's mediation period passed unmet; A's window to apply for confirmation is no breach.
  EXPECT_EQ(t.deadline_breaches(), 1);
  ASSERT_EQ(s.months_size(), 3);
  EXPECT_EQ(s.months(0).month(), "2026-03");
  EXPECT_EQ(s.months(0).figures().presented(), 2);
  EXPECT_EQ(s.months(0).figures().mediated_successfully(), 1);
  EXPECT_EQ(s.months(1).month(), "2026-04");
  EXPECT_EQ(s.months(1).figures().withdrawn(), 1);
  EXPECT_EQ(s.months(1).figures().failed(), 1);
  EXPECT_EQ(s.months(0).figures().expired() + s.months(1).figures().expired() +
                s.months(2).figures().expired(),
            1);

  // The organization and its mediator: the same cases, but no intake record.
  ASSERT_THAT(Stats("orgadmin", "organizations/org1", &s), IsOk());
  EXPECT_EQ(s.totals().presented(), 1);
  EXPECT_EQ(s.totals().applications(), 4);
  EXPECT_EQ(s.scope(), "organizations/org1");
  st = Stats("med", "organizations/org1/mediators/m1", &s);
  ASSERT_THAT(st, IsOk()) << st.error_message();
  EXPECT_EQ(s.totals().mediated_successfully(), 1);
  EXPECT_EQ(s.totals().expired(), 1);
  // The court: its diversion and its intake record.
  ASSERT_THAT(Stats("clerk", "courts/zhuji", &s), IsOk());
  EXPECT_EQ(s.totals().presented(), 2);
  EXPECT_EQ(s.totals().diverted(), 1);
  EXPECT_EQ(s.totals().applications(), 1);
  EXPECT_EQ(s.totals().expired(), 1);
  EXPECT_EQ(s.totals().mediated_successfully(), 0);
  // Narrowed to a dispute type: the intake was labour, the cases medical.
  v1::GetStatisticsRequest req;
  req.set_start_date("2026-03-01");
  req.set_end_date("2026-05-31");
  req.set_dispute_type(v1::DISPUTE_TYPE_LABOUR);
  ASSERT_THAT(stats_->GetStatistics(As("platform").get(), req, &s), IsOk());
  EXPECT_EQ(s.totals().presented(), 1);
  EXPECT_EQ(s.totals().applications(), 0);
  // A period before any of it.
  ASSERT_THAT(Stats("platform", "", &s, "2026-01-01", "2026-02-28"), IsOk());
  EXPECT_EQ(s.totals().presented(), 0);
  EXPECT_EQ(s.totals().median_days_to_resolution(), 0);
}

TEST_F(StatsTest, WhoMaySeeWhichScope) {
  v1::Statistics s;
  EXPECT_EQ(Stats("zhang", "", &s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stats("orgadmin", "", &s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stats("orgadmin", "organizations/org2", &s).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stats("med", "organizations/org1", &s).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stats("med", "organizations/org1/mediators/nobody", &s).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stats("clerk", "courts/other", &s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stats("clerk", "", &s).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(Stats("orgadmin", "organizations/org1/mediators/m1", &s), IsOk());
}

TEST_F(StatsTest, BadRequestsNameTheirFields) {
  v1::Statistics s;
  grpc::Status st = Stats("platform", "", &s, "2026-02-30", "2026-01-01");
  EXPECT_THAT(st, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(testing::ViolatedFields(st), ElementsAre("start_date"));
  st = Stats("platform", "", &s, "2026-03-01", "2026-02-01");
  EXPECT_THAT(testing::ViolatedFields(st), ElementsAre("end_date"));
  st = Stats("platform", "", &s, "2026-01-01", "2040-01-01");
  EXPECT_THAT(testing::ViolatedFields(st), ElementsAre("end_date"));
  st = Stats("platform", "cases/x", &s);
  EXPECT_THAT(testing::ViolatedFields(st), ElementsAre("scope"));
  v1::GetStatisticsRequest req;
  req.set_start_date("2026-01-01");
  req.set_end_date("2026-01-31");
  req.set_region_code("33068");
  req.set_dispute_type(static_cast<v1::DisputeType>(99));
  st = stats_->GetStatistics(As("platform").get(), req, &s);
  EXPECT_THAT(testing::ViolatedFields(st), ElementsAre("dispute_type", "region_code"));

  // The simulated clock only moves forward, and only for platform admins.
  EXPECT_EQ(Advance(At(3, 1)).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StatsTest, IntakeRecordsAreIdempotentAndTheirReferencesUnique) {
  v1::Intake first, again;
  ASSERT_THAT(courts_->RecordIntake(As("clerk").get(), Intake("R-1"), &first), IsOk());
  EXPECT_THAT(first.name(), HasSubstr("courts/zhuji/intakes/"));
  ASSERT_THAT(courts_->RecordIntake(As("clerk").get(), Intake("R-1"), &again), IsOk());
  EXPECT_EQ(again.name(), first.name());
  v1::RecordIntakeRequest changed = Intake("R-1");
  changed.mutable_intake()->set_dispute_type(v1::DISPUTE_TYPE_MEDICAL);
  grpc::Status st = courts_->RecordIntake(As("clerk").get(), changed, &again);
  EXPECT_THAT(st, StatusIs(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(testing::Reason(st), "INTAKE_REFERENCE_TAKEN");
  v1::RecordIntakeRequest bad = Intake("");
  bad.mutable_intake()->set_presented_date("2026-04-01");  // after the simulated today
  bad.mutable_intake()->set_disposition(v1::INTAKE_DISPOSITION_UNSPECIFIED);
  st = courts_->RecordIntake(As("clerk").get(), bad, &again);
  EXPECT_THAT(st, StatusIs(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(
      testing::ViolatedFields(st),
      ElementsAre("intake.intake_reference", "intake.presented_date", "intake.disposition"));
  // A diversion may not take a recorded intake's reference (nor the other way round).
  v1::DivertCaseRequest divert;
  *divert.mutable_case_() = testing::ZhangAgainstLi("org1");
  v1::CourtDiversion* d = divert.mutable_case_()->mutable_source()->mutable_court_diversion();
  d->set_court("courts/zhuji");
  d->set_intake_reference("R-1");
  d->set_diversion_date("2026-03-30");
  v1::Case k;
  st = courts_->DivertCase(As("clerk").get(), divert, &k);
  EXPECT_THAT(st, StatusIs(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(testing::Reason(st), "INTAKE_REFERENCE_TAKEN");
  d->set_intake_reference("R-2");
  ASSERT_THAT(courts_->DivertCase(As("clerk").get(), divert, &k), IsOk());
  st = courts_->RecordIntake(As("clerk").get(), Intake("R-2"), &again);
  EXPECT_EQ(testing::Reason(st), "INTAKE_REFERENCE_TAKEN");
  v1::Statistics s;
  ASSERT_THAT(Stats("platform", "", &s), IsOk());
  EXPECT_EQ(s.totals().presented(), 2);
  EXPECT_EQ(s.totals().diverted(), 1);
}

TEST_F(StatsTest, TheCliPrintsATableJsonAndAChart) {
  Story();
  const std::string chart = dir_.file("trends.svg");
  const std::vector<std::string> base = {ODR_CLI_PATH, "--server", server_->address()};
  const std::vector<std::string> env = {"ODR_TOKEN=" + tokens_.at("platform"),
                                        "XDG_CONFIG_HOME=" + dir_.file("config")};
  std::vector<std::string> argv = base;
  for (const char* a :
       {"-o", "table", "stats", "--from", "2026-03-01", "--to", "2026-05-31", "--chart"}) {
    argv.push_back(a);
  }
  argv.push_back(chart);
  testing::CommandResult r = testing::RunCommand(argv, "", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Presented at court intake"));
  EXPECT_THAT(r.out, HasSubstr("Guidance rate:              50.00%"));
  EXPECT_THAT(r.out, HasSubstr("Mediated successfully:      1"));
  EXPECT_THAT(r.out, HasSubstr("2026-04"));
  std::ifstream in(chart);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_THAT(svg.str(), HasSubstr("<svg"));
  EXPECT_THAT(svg.str(), HasSubstr(">2026-05<"));
  size_t lines = 0;
  for (size_t p = svg.str().find("<polyline"); p != std::string::npos;
       p = svg.str().find("<polyline", p + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 4u);

  argv = base;
  for (const char* a :
       {"-o", "json", "stats", "--from", "2026-03-01", "--to", "2026-05-31", "--org", "org1"}) {
    argv.push_back(a);
  }
  r = testing::RunCommand(argv, "", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["scope"], "organizations/org1");
  EXPECT_EQ(j["totals"]["applications"], "4");  // int64 is a string in protobuf JSON
  EXPECT_EQ(j["months"].size(), 3u);

  argv = base;
  for (const char* a : {"stats", "--court", "zhuji", "--org", "org1"}) argv.push_back(a);
  r = testing::RunCommand(argv, "", env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("at most one of --court, --org, --mediator"));
}

}  // namespace
}  // namespace odr
