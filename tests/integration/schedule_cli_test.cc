// The scheduling commands of the real `odr` binary (ODR_CLI_PATH) against the real odrd
// (ODRD_PATH), started on port 0 in a temp data dir with the development accounts of `odrd admin
// bootstrap-dev` for each test: a new organization with a mediator on its roster and a case that
// the mediator accepted; then the case's deadlines, the mediator's working hours and leave, free
// slots, booking (a second booking of the same slot refused with SLOT_CONFLICT), rescheduling and
// cancelling, the mediation period, and the event stream read with `odr events watch`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/temp_dir.h"

namespace odr {
namespace {

using ::nlohmann::json;
using ::testing::AllOf;
using testing::CommandResult;
using ::testing::Contains;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

const std::string& kApplicant = testing::kCliApplicant;
const std::string& kHospital = testing::kCliHospital;
const std::string& kHospitalLawyer = testing::kCliHospitalLawyer;

// The organization and the mediator that each test creates.
constexpr char kOrg[] = "zhuji-medical";
constexpr char kMediator[] = "organizations/zhuji-medical/mediators/chen";
constexpr char kMediatorAccount[] = "principals/mediator-chen";

// The mediator's hours in these tests: two hours each morning and afternoon, Monday to Friday.
constexpr char kHours[] = "mon-fri=09:00-11:00,14:00-16:00";

// Watches that never see the events they wait for give up after this (seconds).
constexpr char kWatchTimeout[] = "60";

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

// The non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// A time in RFC 3339 with the +08:00 offset.
std::string ChinaRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%S%Ez", t, absl::FixedTimeZone(8 * 3600));
}

// The search window of these tests: from 09:00 on the next Monday (China time, after today) to
// 17:30 on the Friday of the week after, so that a week of public holidays still leaves working
// days in it whether or not odrd has the year's holiday calendar.
struct Window {
  std::string from, to;
};
Window NextWorkingWeeks() {
  const absl::TimeZone china = absl::FixedTimeZone(8 * 3600);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), china);
  const absl::CivilDay monday = absl::NextWeekday(today, absl::Weekday::monday);
  const absl::CivilDay friday = monday + 11;
  return {ChinaRfc3339(absl::FromCivil(absl::CivilMinute(monday) + 9 * 60, china)),
          ChinaRfc3339(absl::FromCivil(absl::CivilMinute(friday) + 17 * 60 + 30, china))};
}

// The `kind`s of a printed ListDeadlinesResponse.
std::vector<std::string> Kinds(const json& list) {
  std::vector<std::string> kinds;
  for (const json& d : list.value("deadlines", json::array())) kinds.push_back(d.value("kind", ""));
  return kinds;
}

// The deadline of `kind` in a printed ListDeadlinesResponse (null if none).
json DeadlineOf(const json& list, const std::string& kind) {
  for (const json& d : list.value("deadlines", json::array())) {
    if (d.value("kind", "") == kind) return d;
  }
  return json();
}

class ScheduleCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // odr must not read or write the real user's profile: HOME points into the temp dir, and
    // every run gets XDG_CONFIG_HOME (see Odr).
    if (const char* home = std::getenv("HOME")) saved_home_ = home;
    setenv("HOME", dir_.file("home").c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");
    CommandResult r = testing::RunCommand({ODRD_PATH, "admin", "bootstrap-dev", "--weak-key-hashes",
                                           "--data-dir", dir_.file("data")});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    server_ = std::make_unique<testing::OdrdProcess>(dir_.file("data"),
                                                     std::vector<std::string>{"--rate-limit", "0"});

    // A new organization, by the platform admin; its admin and its mediator's account.
    ASSERT_NO_FATAL_FAILURE(LoginWithKeyFile("dev-platform-admin", "platform"));
    Json({"--profile", "platform", "org", "create", kOrg, "--name", "诸暨市医疗纠纷人民调解委员会",
          "--kind", "industry", "--region", "330681"});
    ASSERT_NO_FATAL_FAILURE(AddAccount("org-admin-zhou", "org_admin", "default"));
    ASSERT_NO_FATAL_FAILURE(AddAccount("mediator-chen", "mediator", "mediator"));
    // The mediator on the organization's roster.
    json m = Json({"mediator",     "create",         kOrg,          "chen",
                   "--name",       "陈调解员",       "--specialty", "medical",
                   "--language",   "zh,zh-wuu",      "--region",    "330681",
                   "--employment", "full-time",      "--max-cases", "5",
                   "--principal",  kMediatorAccount, "--id-number", testing::kIdWang,
                   "--phone",      "13600000006"});
    ASSERT_EQ(m.value("name", ""), kMediator) << m.dump(2);

    // A medical case before it, which the mediator accepted (MEDIATOR_ASSIGNED).
    json c = Json({"case",           "create",
                   "--organization", kOrg,
                   "--type",         "medical",
                   "--applicant",    kApplicant,
                   "--respondent",   kHospital,
                   "--agent",        kHospitalLawyer,
                   "--summary",      "术后感染，申请人认为医院存在过错。",
                   "--claims",       "赔偿医疗费及误工费共计两万元。",
                   "--amount",       "20000",
                   "--region",       "330681"});
    case_ = c.value("name", "");
    ASSERT_THAT(case_, StartsWith("cases/"));
    Json({"case", "submit", case_});
    Json({"case", "accept", case_});
    EXPECT_EQ(Json({"case", "assign", case_, "--mediator", kMediator})["state"],
              "STATE_MEDIATOR_PROPOSED");
    EXPECT_EQ(Json({"--profile", "mediator", "case", "accept-assignment", case_,
                    "--no-conflict"})["state"],
              "STATE_MEDIATOR_ASSIGNED");
    ASSERT_FALSE(HasFailure());
  }

  void TearDown() override {
    if (saved_home_) {
      setenv("HOME", saved_home_->c_str(), 1);
    } else {
      unsetenv("HOME");
    }
  }

  // `odr --profile <profile> auth login` as principals/<id> with the key bootstrap-dev wrote.
  void LoginWithKeyFile(const std::string& id, const std::string& profile) {
    CommandResult r = Odr({"--profile", profile, "auth", "login", "--principal", "principals/" + id,
                           "--api-key-file", dir_.file("data") + "/dev-keys/" + id + ".key"});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  // An account principals/<id> with `role` in the new organization, logged in as `profile`.
  void AddAccount(const std::string& id, const std::string& role, const std::string& profile) {
    CommandResult r = testing::RunCommand({ODRD_PATH, "admin", "--data-dir", dir_.file("data"),
                                           "create-principal", "--id", id, "--role", role,
                                           "--organization", std::string("organizations/") + kOrg});
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    r = Odr({"--profile", profile, "auth", "login", "--principal", id, "--api-key-stdin"}, r.out);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  // Runs `odr --server <odrd> args...` (as the organization's admin unless args pick another
  // --profile).
  CommandResult Odr(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {ODR_CLI_PATH, "--server", server_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunCommand(argv, stdin_data, {"XDG_CONFIG_HOME=" + dir_.file("config")});
  }

  // Odr with -o json: expects exit 0 and no stderr, returns the parsed stdout (null, after a
  // test failure, if it is not JSON).
  json Json(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"-o", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = Odr(argv);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_THAT(r.err, IsEmpty());
    json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << Describe(r);
    return j.is_discarded() ? json() : j;
  }

  // `odr -o <output> events watch <case> extra...`, killed after kWatchTimeout seconds if it
  // does not end by itself (--max).
  CommandResult Watch(const std::string& output, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"/usr/bin/timeout",
                                     kWatchTimeout,
                                     ODR_CLI_PATH,
                                     "--server",
                                     server_->address(),
                                     "-o",
                                     output,
                                     "events",
                                     "watch",
                                     case_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::RunCommand(argv, "", {"XDG_CONFIG_HOME=" + dir_.file("config")});
  }

  // `odr appointment find-slots` for 1 h in NextWorkingWeeks(): the slots.
  json FindSlots(const std::vector<std::string>& extra = {}) {
    const Window w = NextWorkingWeeks();
    std::vector<std::string> args = {"appointment", "find-slots", case_,  "--duration", "1h",
                                     "--from",      w.from,       "--to", w.to};
    args.insert(args.end(), extra.begin(), extra.end());
    return Json(args).value("slots", json::array());
  }

  testing::TempDir dir_;
  std::optional<std::string> saved_home_;
  std::unique_ptr<testing::OdrdProcess> server_;
  std::string case_;
};

TEST_F(ScheduleCliTest, DeadlinesHoursSlotsBookingAndEvents) {
  // The mediator answered the proposal in time; now it must contact the respondent.
  json deadlines = Json({"deadline", "list", case_});
  EXPECT_THAT(Kinds(deadlines),
              AllOf(Contains("KIND_MEDIATOR_ACCEPTANCE"), Contains("KIND_RESPONDENT_CONTACT")))
      << deadlines.dump(2);
  EXPECT_EQ(DeadlineOf(deadlines, "KIND_MEDIATOR_ACCEPTANCE").value("state", ""), "STATE_MET");
  EXPECT_EQ(DeadlineOf(deadlines, "KIND_RESPONDENT_CONTACT").value("state", ""), "STATE_RUNNING");
  CommandResult r = Odr({"-o", "table", "deadline", "list", case_});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("MEDIATOR_ACCEPTANCE"), HasSubstr("RESPONDENT_CONTACT"),
                           HasSubstr("MET"), HasSubstr("RUNNING"), HasSubstr(case_)));
  EXPECT_THAT(r.out, Not(HasSubstr("KIND_")));
  // The bare id works as well as the name.
  EXPECT_EQ(Json({"deadline", "list", case_.substr(std::string("cases/").size())}), deadlines);

  // The organization's admin sets the mediator's hours; the mediator sees them.
  json a =
      Json({"calendar", "set-hours", "--mediator", std::string(kOrg) + "/chen", "--hours", kHours});
  EXPECT_EQ(a.value("name", ""), std::string(kMediator) + "/availability");
  ASSERT_THAT(a.value("weeklyHours", json::array()), SizeIs(10)) << a.dump(2);
  EXPECT_EQ(a["weeklyHours"][0],
            json({{"day", "DAY_OF_WEEK_MONDAY"}, {"startTime", "09:00"}, {"endTime", "11:00"}}));
  r = Odr({"--profile", "mediator", "-o", "table", "calendar", "show", "--mediator", kMediator});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("MON  09:00-11:00, 14:00-16:00"),
                           HasSubstr("FRI  09:00-11:00, 14:00-16:00"), Not(HasSubstr("SAT"))));

  // Free slots of an hour in the next working weeks: the first starts when the hours do.
  json slots =
      FindSlots({"--participant", "applicants/0", "--participant", "respondents/0", "--max", "5"});
  ASSERT_THAT(slots, Not(IsEmpty()));
  EXPECT_LE(slots.size(), 5u);
  const std::string start = slots[0].value("startTime", "");
  const std::string end = slots[0].value("endTime", "");
  EXPECT_THAT(start, HasSubstr("T01:00:00Z"));  // 09:00 China time
  EXPECT_THAT(end, HasSubstr("T02:00:00Z"));
  // -o name: one "START END" line per slot, in China time.
  const Window w = NextWorkingWeeks();
  r = Odr({"-o", "name", "appointment", "find-slots", case_, "--duration", "1h", "--from", w.from,
           "--to", w.to, "--max", "5"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  ASSERT_THAT(Lines(r.out), SizeIs(slots.size())) << r.out;
  EXPECT_THAT(Lines(r.out)[0], AllOf(HasSubstr("T09:00:00+08:00 "), HasSubstr("T10:00:00+08:00")));

  // Booking the first slot succeeds; booking it again is a conflict.
  const std::vector<std::string> book = {
      "appointment",  "book",          case_,          "--kind", "joint-video",
      "--start",      start,           "--end",        end,      "--participant",
      "applicants/0", "--participant", "respondents/0"};
  json appointment = Json(book);
  const std::string name = appointment.value("name", "");
  EXPECT_THAT(name, StartsWith(case_ + "/appointments/"));
  EXPECT_EQ(appointment.value("kind", ""), "KIND_JOINT_VIDEO");
  EXPECT_EQ(appointment.value("state", ""), "STATE_SCHEDULED");
  EXPECT_EQ(appointment.value("startTime", ""), start);
  EXPECT_EQ(appointment.value("endTime", ""), end);
  EXPECT_EQ(appointment.value("mediator", ""), kMediatorAccount);
  std::vector<std::string> again = {"-o", "json"};
  again.insert(again.end(), book.begin(), book.end());
  r = Odr(again);
  EXPECT_NE(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr("SLOT_CONFLICT")));

  // The case's appointments: the one booked.
  json list = Json({"appointment", "list", case_});
  ASSERT_THAT(list.value("appointments", json::array()), SizeIs(1)) << list.dump(2);
  EXPECT_EQ(list["appointments"][0].value("name", ""), name);
  EXPECT_EQ(Json({"appointment", "get", name}).value("name", ""), name);
  r = Odr({"-o", "table", "appointment", "list", case_});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr(name), HasSubstr("JOINT_VIDEO"), HasSubstr("SCHEDULED"),
                           HasSubstr("T09:00:00+08:00")));
  r = Odr({"-o", "name", "appointment", "list", case_});
  EXPECT_EQ(r.out, name + "\n") << Describe(r);

  // The slot is taken now: the first free one is another.
  json after = FindSlots();
  ASSERT_THAT(after, Not(IsEmpty()));
  EXPECT_NE(after[0].value("startTime", ""), start);

  // Rescheduled to it, keeping its length; then cancelled.
  const std::string new_start = after[0].value("startTime", "");
  json moved = Json({"appointment", "reschedule", name, "--start", new_start});
  EXPECT_EQ(moved.value("startTime", ""), new_start);
  EXPECT_EQ(moved.value("endTime", ""), after[0].value("endTime", ""));
  json cancelled = Json({"appointment", "cancel", name, "--reason", "当事人要求改期"});
  EXPECT_EQ(cancelled.value("state", ""), "STATE_CANCELLED");
  EXPECT_EQ(cancelled.value("cancelReason", ""), "当事人要求改期");
  // Its first slot is free again.
  json freed = FindSlots();
  ASSERT_THAT(freed, Not(IsEmpty()));
  EXPECT_EQ(freed[0].value("startTime", ""), start);

  // The event stream: the first 3 events, one line each.
  r = Watch("table", {"--max", "3"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_THAT(lines, SizeIs(3)) << r.out;
  EXPECT_THAT(lines[0], AllOf(HasSubstr("STATE_CHANGE"), HasSubstr("DRAFT"), HasSubstr("cursor=")));
  EXPECT_THAT(lines[1], HasSubstr("SUBMITTED"));
  // The same 3 as JSON, one object a line; each line of the table ends with its cursor.
  r = Watch("json", {"--max", "3"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  std::vector<json> events;
  for (const std::string& line : Lines(r.out)) {
    json e = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(e.is_discarded()) << line;
    events.push_back(e);
  }
  ASSERT_THAT(events, SizeIs(3)) << r.out;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].value("case", ""), case_);
    const std::string cursor = events[i]["event"].value("cursor", "");
    EXPECT_THAT(cursor, Not(IsEmpty()));
    EXPECT_THAT(lines[i], EndsWith("cursor=" + cursor));
  }
  EXPECT_EQ(events[0]["event"].value("kind", ""), "KIND_STATE_CHANGE");
  EXPECT_EQ(events[0]["event"].value("toState", ""), "STATE_DRAFT");
  // From the cursor of the 2nd, the stream goes on with the 3rd.
  const std::string second = events[1]["event"].value("cursor", "");
  r = Watch("json", {"--cursor", second, "--max", "1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  ASSERT_THAT(Lines(r.out), SizeIs(1)) << r.out;
  json third = json::parse(Lines(r.out)[0], nullptr, /*allow_exceptions=*/false);
  EXPECT_EQ(third, events[2]);
  r = Watch("table", {"--cursor", second, "--max", "1"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(Lines(r.out), std::vector<std::string>{lines[2]});

  // The appointment's events follow the state changes: everything so far, then odr stops.
  r = Watch("table", {"--until-idle", "3s"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("APPOINTMENT_BOOKED"), HasSubstr("APPOINTMENT_RESCHEDULED"),
                           HasSubstr("APPOINTMENT_CANCELLED"), HasSubstr(name)));
}

TEST_F(ScheduleCliTest, LeaveIsKeptWhenHoursChangeAndRemovedByItsStart) {
  const Window w = NextWorkingWeeks();
  const std::string mediator = std::string(kOrg) + "/chen";
  json a = Json({"--profile", "mediator", "calendar", "add-leave", "--mediator", mediator,
                 "--start", w.from, "--end", w.to, "--reason", "年休假"});
  ASSERT_THAT(a.value("leave", json::array()), SizeIs(1)) << a.dump(2);
  a = Json({"calendar", "set-hours", "--mediator", mediator, "--hours", kHours});
  ASSERT_THAT(a.value("leave", json::array()), SizeIs(1)) << a.dump(2);
  EXPECT_THAT(a.value("weeklyHours", json::array()), SizeIs(10));
  CommandResult r = Odr({"-o", "table", "calendar", "show", "--mediator", mediator});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr(w.from + " to " + w.to), HasSubstr("年休假")));

  // On leave the whole window: no free slot in it.
  EXPECT_THAT(FindSlots(), IsEmpty());

  // Only the leave starting at --start is removed; none starting then is "not found".
  r = Odr({"calendar", "remove-leave", "--mediator", mediator, "--start", w.to});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  a = Json({"calendar", "remove-leave", "--mediator", mediator, "--start", w.from});
  EXPECT_THAT(a.value("leave", json::array()), IsEmpty());
  EXPECT_THAT(a.value("weeklyHours", json::array()), SizeIs(10));
  EXPECT_THAT(FindSlots(), Not(IsEmpty()));

  // A stale etag is refused and changes nothing.
  const std::string etag = a.value("etag", "");
  Json({"calendar", "set-hours", "--mediator", mediator, "--hours", "mon-fri=09:00-12:00"});
  r = Odr({"calendar", "set-hours", "--mediator", mediator, "--hours", kHours, "--etag", etag});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(
      Json({"calendar", "show", "--mediator", mediator}).value("weeklyHours", json::array()),
      SizeIs(5));
}

TEST_F(ScheduleCliTest, RespondentContactAndTheMediationPeriod) {
  // The respondent agrees: mediation starts.
  json c = Json({"--profile", "mediator", "case", "contact-respondent", case_, "--agreed", "--note",
                 "电话联系，被申请人同意调解"});
  EXPECT_EQ(c.value("state", ""), "STATE_MEDIATING");
  json deadlines = Json({"deadline", "list", case_});
  EXPECT_EQ(DeadlineOf(deadlines, "KIND_RESPONDENT_CONTACT").value("state", ""), "STATE_MET");
  json period = DeadlineOf(deadlines, "KIND_MEDIATION_PERIOD");
  ASSERT_FALSE(period.is_null()) << deadlines.dump(2);
  EXPECT_EQ(period.value("state", ""), "STATE_RUNNING");
  EXPECT_EQ(period.value("length", 0), 30);  // a citizen's application: pre-filing

  // The record of voluntariness (docs/procedure.md): the mediator records how each party was
  // identified and a consent the respondent gave (OMR Arts. 4, 17); both are listed.
  json id = Json({"--profile", "mediator", "case", "record", "identity-verified", case_, "--party",
                  "applicants/0", "--manner", "人脸识别"});
  EXPECT_EQ(id.value("kind", ""), "KIND_IDENTITY_VERIFIED") << id.dump(2);
  EXPECT_EQ(id.value("manner", ""), "人脸识别");
  EXPECT_EQ(id.value("party", ""), "applicants/0");
  Json({"--profile", "mediator", "case", "record", "mediation-consent", case_, "--party",
        "respondents/0", "--manner", "书面同意"});
  json records = Json({"case", "records", case_});
  ASSERT_EQ(records.value("records", json::array()).size(), 2u) << records.dump(2);
  EXPECT_EQ(records["records"][1].value("kind", ""), "KIND_MEDIATION_CONSENT");
  CommandResult bad = Odr({"case", "record", "no-such-kind", case_, "--party", "applicants/0"});
  EXPECT_EQ(bad.exit_code, 2) << Describe(bad);
  EXPECT_THAT(bad.err, HasSubstr("KIND"));
  bad = Odr({"--profile", "mediator", "case", "record", "identity-verified", case_, "--party",
             "applicants/0"});
  EXPECT_EQ(bad.exit_code, 1) << Describe(bad);
  EXPECT_THAT(bad.err, HasSubstr("record.manner"));

  // Extension needs the parties' consent, stated with the flag.
  CommandResult r = Odr({"--profile", "mediator", "deadline", "extend", case_, "--days", "10"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--parties-consented"));
  // And each party's consent, with how it was given (OMR Art. 24).
  r = Odr({"--profile", "mediator", "deadline", "extend", case_, "--days", "10",
           "--parties-consented", "--consent", "applicants/0:调解会上口头同意"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("missing: respondents/0"));
  json extended = Json({"--profile", "mediator", "deadline", "extend", case_, "--days", "10",
                        "--parties-consented", "--consent", "applicants/0:调解会上口头同意",
                        "--consent", "respondents/0:书面同意", "--reason", "双方同意延长"});
  EXPECT_EQ(extended.value("kind", ""), "KIND_MEDIATION_PERIOD");
  EXPECT_EQ(extended.value("extensionDays", 0), 10);

  // Paused for an appraisal, then resumed.
  EXPECT_EQ(Json({"--profile", "mediator", "deadline", "pause", case_, "--reason", "医疗损害鉴定"})
                .value("state", ""),
            "STATE_PAUSED");
  r = Odr({"-o", "table", "deadline", "list", case_});
  EXPECT_THAT(r.out, HasSubstr("PAUSED")) << Describe(r);
  EXPECT_EQ(Json({"--profile", "mediator", "deadline", "resume", case_}).value("state", ""),
            "STATE_RUNNING");

  // The deadline changes are on the event stream.
  r = Watch("table", {"--until-idle", "3s"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, AllOf(HasSubstr("MEDIATOR_ASSIGNED -> MEDIATING"), HasSubstr("DEADLINE_")));
}

TEST_F(ScheduleCliTest, MalformedInputIsAUsageErrorAndSendsNothing) {
  const Window w = NextWorkingWeeks();
  struct Bad {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Bad> bad = {
      {{"calendar", "set-hours", "--mediator", kMediator, "--hours", "mon=9-12"}, "--hours"},
      {{"calendar", "set-hours", "--mediator", kMediator, "--hours", "fri-mon=09:00-12:00"},
       "--hours"},
      {{"calendar", "set-hours", "--mediator", kMediator, "--hours", "mon=12:00-09:00"},
       "must end after it starts"},
      {{"calendar", "set-hours", "--mediator", kMediatorAccount, "--hours", kHours}, "--mediator"},
      {{"calendar", "add-leave", "--mediator", kMediator, "--start", "tomorrow", "--end", w.to},
       "--start"},
      {{"calendar", "add-leave", "--mediator", kMediator, "--start", w.to, "--end", w.from},
       "--end must be after --start"},
      {{"appointment", "find-slots", case_, "--duration", "an hour", "--from", w.from, "--to",
        w.to},
       "--duration"},
      {{"appointment", "book", case_, "--kind", "video", "--start", w.from, "--duration", "1h",
        "--participant", "applicants/0"},
       "--kind"},
      {{"appointment", "book", case_, "--kind", "on-site", "--start", w.from, "--duration", "1h",
        "--participant", "applicants/0"},
       "--location"},
      {{"appointment", "book", case_, "--kind", "phone", "--start", w.from, "--participant",
        "applicants/0"},
       "--end or --duration"},
      {{"appointment", "get", "x"}, "cases/CASE/appointments/ID"},
      {{"appointment", "attend", case_ + "/appointments/x", "--participant", "applicants/0"},
       "--attended or --no-show"},
      {{"deadline", "extend", case_, "--days", "366", "--parties-consented"}, "--days"},
      {{"case", "contact-respondent", case_}, "--agreed, --refused or --unreachable"},
      {{"case", "contact-respondent", case_, "--agreed", "--refused"}, "excludes"},
  };
  for (const Bad& b : bad) {
    CommandResult r = Odr(b.args);
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_THAT(r.err, AllOf(StartsWith("error: "), HasSubstr(b.message), HasSubstr("--help")))
        << Describe(r);
  }
  // Nothing changed: no hours, no leave of their own, no appointment.
  json a = Json({"calendar", "show", "--mediator", kMediator});
  EXPECT_THAT(a.value("leave", json::array()), IsEmpty());
  EXPECT_THAT(Json({"appointment", "list", case_}).value("appointments", json::array()), IsEmpty());
}

}  // namespace
}  // namespace odr
