// Mediators' working hours and appointment slots: clock times, availability validation, working
// intervals over holidays and adjusted working weekends, slot checks, free-slot search and party
// references.
#include "server/domain/schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/calendar.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

absl::Time CT(int y, int m, int d, int h, int mi = 0) {
  return testing::ChinaMinute(y, m, d, h, mi);
}

Interval I(absl::Time start, absl::Time end) { return {start, end}; }

std::vector<std::string> Fields(const absl::Status& s) { return testing::FieldsOf(s); }

// testing::SyntheticCalendar(): made-up 2031 and 2032 (calendar.h).
WorkingCalendar Calendar() { return testing::SyntheticCalendar(); }

// The default hours of one day, China time.
std::vector<Interval> DefaultDay(int y, int m, int d) {
  return {I(CT(y, m, d, 9), CT(y, m, d, 12)), I(CT(y, m, d, 13, 30), CT(y, m, d, 17, 30))};
}

// All working intervals of one China day.
std::vector<Interval> Day(const Availability& a, const WorkingCalendar& cal, int y, int m, int d) {
  return WorkingIntervals(a, cal, CT(y, m, d, 0), CT(y, m, d, 0) + absl::Hours(24));
}

// ---- Clock times ----

TEST(ScheduleTest, ParsesClockTimes) {
  EXPECT_EQ(ParseClockTime("09:00", false), 9 * 60);
  EXPECT_EQ(ParseClockTime("00:00", false), 0);
  EXPECT_EQ(ParseClockTime("13:30", false), 13 * 60 + 30);
  EXPECT_EQ(ParseClockTime("23:59", false), 23 * 60 + 59);
  EXPECT_EQ(ParseClockTime("23:59", true), 23 * 60 + 59);
  // 24:00 only as an end time.
  EXPECT_EQ(ParseClockTime("24:00", true), 24 * 60);
  EXPECT_FALSE(ParseClockTime("24:00", false).has_value());
  EXPECT_FALSE(ParseClockTime("24:01", true).has_value());
  EXPECT_FALSE(ParseClockTime("25:00", true).has_value());
  for (const char* bad : {"9:00", "09:0", "23:60", "", ":", "0900", "09:00:00", "09-00", "+9:00",
                          "-1:00", " 9:00", "09: 0", "0a:00", "09:00 ", "１2:00"}) {
    EXPECT_FALSE(ParseClockTime(bad, false).has_value()) << bad;
    EXPECT_FALSE(ParseClockTime(bad, true).has_value()) << bad;
  }
}

TEST(ScheduleTest, FormatsClockTimes) {
  EXPECT_EQ(FormatClockTime(0), "00:00");
  EXPECT_EQ(FormatClockTime(9 * 60), "09:00");
  EXPECT_EQ(FormatClockTime(13 * 60 + 5), "13:05");
  EXPECT_EQ(FormatClockTime(24 * 60), "24:00");
  for (int m = 0; m <= 24 * 60; ++m) {
    EXPECT_EQ(ParseClockTime(FormatClockTime(m), true), m) << m;
  }
}

// ---- Availability ----

TEST(ScheduleTest, DefaultAvailabilityIsWeekdayOfficeHoursInShanghai) {
  const Availability a = DefaultAvailability();
  EXPECT_EQ(a.time_zone, "Asia/Shanghai");
  EXPECT_EQ(a.version, 0);
  EXPECT_THAT(a.leave, IsEmpty());
  ASSERT_EQ(a.weekly.size(), 10u);
  for (int day = 1; day <= 5; ++day) {
    EXPECT_THAT(a.weekly, ::testing::Contains(WeeklyHours{day, 9 * 60, 12 * 60})) << day;
    EXPECT_THAT(a.weekly, ::testing::Contains(WeeklyHours{day, 13 * 60 + 30, 17 * 60 + 30})) << day;
  }
  for (const WeeklyHours& w : a.weekly) EXPECT_LE(w.day, 5);
  EXPECT_THAT(ValidateAvailability(a, CT(2031, 3, 3, 10), "availability"), IsOk());
}

TEST(ScheduleTest, ValidateAvailabilityNamesEachBadField) {
  const absl::Time now = CT(2031, 3, 3, 10);
  Availability a;
  a.time_zone = "UTC";
  a.weekly = {{1, 9 * 60, 12 * 60},      {1, 14 * 60, 13 * 60},  // end before start
              {0, 9 * 60, 10 * 60},                              // no such day
              {2, 9 * 60, 9 * 60},                               // empty
              {1, 11 * 60, 13 * 60},                             // overlaps [0]
              {8, 9 * 60, 10 * 60},                              // no such day
              {1, 12 * 60, 13 * 60 + 30}};  // touches [0]: fine, but overlaps [4]
  absl::Status s = ValidateAvailability(a, now, "availability");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(s),
              ElementsAre("availability.time_zone", "availability.weekly_hours[1].end_time",
                          "availability.weekly_hours[2].day",
                          "availability.weekly_hours[3].end_time", "availability.weekly_hours[4]",
                          "availability.weekly_hours[5].day", "availability.weekly_hours[6]"));
}

TEST(ScheduleTest, ValidateAvailabilityAcceptsTouchingAndOtherDaysAndTheWholeDay) {
  const absl::Time now = CT(2031, 3, 3, 10);
  Availability a;
  a.weekly = {{1, 9 * 60, 12 * 60}, {1, 12 * 60, 13 * 60}, {2, 9 * 60, 12 * 60}, {7, 0, 24 * 60}};
  EXPECT_THAT(ValidateAvailability(a, now, "availability"), IsOk());
  a.weekly.clear();  // no hours at all: never bookable, but valid
  EXPECT_THAT(ValidateAvailability(a, now, "availability"), IsOk());
  a.time_zone = "Asia/Tokyo";
  EXPECT_THAT(Fields(ValidateAvailability(a, now, "mediator.availability")),
              ElementsAre("mediator.availability.time_zone"));
}

TEST(ScheduleTest, ValidateAvailabilityReportsNoOverlapWithAnIntervalThatIsNotOne) {
  // [0] ends before it starts and is reported as such; [1] cannot overlap it.
  Availability a;
  a.weekly = {{1, 14 * 60, 13 * 60}, {1, 12 * 60, 14 * 60 + 30}};
  EXPECT_THAT(Fields(ValidateAvailability(a, CT(2031, 3, 3, 10), "availability")),
              ElementsAre("availability.weekly_hours[0].end_time"));
}

TEST(ScheduleTest, ValidateAvailabilityLimitsWeeklyIntervals) {
  const absl::Time now = CT(2031, 3, 3, 10);
  Availability a;
  // 28 one-hour intervals, four a day, none overlapping: allowed.
  for (int i = 0; i < 28; ++i) a.weekly.push_back({i % 7 + 1, (i / 7) * 120, (i / 7) * 120 + 60});
  EXPECT_THAT(ValidateAvailability(a, now, "availability"), IsOk());
  a.weekly.push_back({1, 20 * 60, 21 * 60});
  absl::Status s = ValidateAvailability(a, now, "availability");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(s), ElementsAre("availability.weekly_hours"));
}

TEST(ScheduleTest, ValidateAvailabilityChecksLeave) {
  const absl::Time now = CT(2031, 3, 3, 10);
  Availability a = DefaultAvailability();
  a.leave = {
      {CT(2031, 3, 10, 0), CT(2031, 3, 12, 0), "年休假"},                    // fine
      {CT(2031, 2, 1, 0), CT(2031, 3, 1, 0), ""},                            // ended
      {CT(2031, 3, 10, 0), CT(2031, 3, 10, 0), ""},                          // empty
      {CT(2031, 3, 10, 0), CT(2031, 3, 9, 0), ""},                           // end before start
      {CT(2031, 3, 10, 0), CT(2031, 3, 10, 0) + absl::Hours(24 * 367), ""},  // too long
      {CT(2031, 3, 10, 0), CT(2031, 3, 10, 0) + absl::Hours(24 * 366), ""},  // 366 days: fine
      {CT(2031, 3, 10, 0), CT(2031, 3, 11, 0), std::string(201, 'x')},       // long reason
      {CT(2031, 3, 10, 0), CT(2031, 3, 11, 0), std::string(200, 'x')},       // fine
      {CT(2031, 3, 1, 0), now, ""},  // ends exactly now: in the past
  };
  absl::Status s = ValidateAvailability(a, now, "availability");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(s),
              ElementsAre("availability.leave[1].end_time", "availability.leave[2].end_time",
                          "availability.leave[3].end_time", "availability.leave[4].end_time",
                          "availability.leave[6].reason", "availability.leave[8].end_time"));
  // Leave that started in the past and is still running is fine.
  Availability running = DefaultAvailability();
  running.leave = {{CT(2031, 3, 1, 0), CT(2031, 3, 5, 0), ""}};
  EXPECT_THAT(ValidateAvailability(running, now, "availability"), IsOk());
}

TEST(ScheduleTest, ValidateAvailabilityLimitsLeavePeriods) {
  const absl::Time now = CT(2031, 3, 3, 10);
  Availability a = DefaultAvailability();
  for (int i = 0; i < 100; ++i) {
    a.leave.push_back(
        {CT(2031, 4, 1, 0) + absl::Hours(24 * i), CT(2031, 4, 1, 1) + absl::Hours(24 * i), ""});
  }
  EXPECT_THAT(ValidateAvailability(a, now, "availability"), IsOk());
  a.leave.push_back({CT(2031, 12, 1, 0), CT(2031, 12, 2, 0), ""});
  EXPECT_THAT(Fields(ValidateAvailability(a, now, "availability")),
              ElementsAre("availability.leave"));
}

// ---- Working intervals ----

TEST(ScheduleTest, DefaultHoursOnAWeekday) {
  const WorkingCalendar cal = Calendar();
  // Mon 2031-03-03.
  EXPECT_EQ(Day(DefaultAvailability(), cal, 2031, 3, 3), DefaultDay(2031, 3, 3));
  // China time: 09:00 is 01:00 UTC.
  EXPECT_EQ(Day(DefaultAvailability(), cal, 2031, 3, 3)[0].start,
            absl::FromCivil(absl::CivilSecond(2031, 3, 3, 1, 0, 0), absl::UTCTimeZone()));
  // Friday has hours, the weekend none.
  EXPECT_EQ(Day(DefaultAvailability(), cal, 2031, 3, 7), DefaultDay(2031, 3, 7));
  EXPECT_THAT(Day(DefaultAvailability(), cal, 2031, 3, 8), IsEmpty());
  EXPECT_THAT(Day(DefaultAvailability(), cal, 2031, 3, 9), IsEmpty());
}

TEST(ScheduleTest, WorkingIntervalsOverlappingTheRangeAreReturnedInOrder) {
  const WorkingCalendar cal = Calendar();
  // Friday 11:00 to Monday 10:00: Friday's morning and afternoon and Monday's morning, whole.
  EXPECT_EQ(WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 7, 11), CT(2031, 3, 10, 10)),
            (std::vector<Interval>{I(CT(2031, 3, 7, 9), CT(2031, 3, 7, 12)),
                                   I(CT(2031, 3, 7, 13, 30), CT(2031, 3, 7, 17, 30)),
                                   I(CT(2031, 3, 10, 9), CT(2031, 3, 10, 12))}));
  // Ranges touching an interval's ends do not overlap it.
  EXPECT_THAT(
      WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 3, 12), CT(2031, 3, 3, 13, 30)),
      IsEmpty());
  // An empty or inverted range.
  EXPECT_THAT(WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 3, 10), CT(2031, 3, 3, 10)),
              IsEmpty());
  EXPECT_THAT(WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 4, 10), CT(2031, 3, 3, 10)),
              IsEmpty());
}

TEST(ScheduleTest, NothingOnAPublicHoliday) {
  const WorkingCalendar cal = Calendar();
  // Wed 2031-01-22 and Wed 2031-10-01 are holidays.
  EXPECT_THAT(Day(DefaultAvailability(), cal, 2031, 1, 22), IsEmpty());
  EXPECT_THAT(Day(DefaultAvailability(), cal, 2031, 10, 1), IsEmpty());
  // Not even with hours of their own on a holiday that falls on a weekend (Sat 01-25).
  Availability a = DefaultAvailability();
  a.weekly.push_back({6, 10 * 60, 12 * 60});
  EXPECT_THAT(Day(a, cal, 2031, 1, 25), IsEmpty());
  // The day before the holidays is worked.
  EXPECT_EQ(Day(DefaultAvailability(), cal, 2031, 1, 21), DefaultDay(2031, 1, 21));
}

TEST(ScheduleTest, AnAdjustedWorkingWeekendWithoutHoursOfItsOwnTakesMondays) {
  const WorkingCalendar cal = Calendar();
  // Sun 2031-01-19 and Sat 2031-02-01 are worked.
  EXPECT_EQ(Day(DefaultAvailability(), cal, 2031, 1, 19), DefaultDay(2031, 1, 19));
  EXPECT_EQ(Day(DefaultAvailability(), cal, 2031, 2, 1), DefaultDay(2031, 2, 1));
  // Monday's hours, not any other weekday's.
  Availability a;
  a.weekly = {{1, 8 * 60, 10 * 60}, {2, 14 * 60, 16 * 60}};
  EXPECT_EQ(Day(a, cal, 2031, 1, 19),
            (std::vector<Interval>{I(CT(2031, 1, 19, 8), CT(2031, 1, 19, 10))}));
  // With its own Sunday hours, those.
  a.weekly.push_back({7, 10 * 60, 11 * 60});
  EXPECT_EQ(Day(a, cal, 2031, 1, 19),
            (std::vector<Interval>{I(CT(2031, 1, 19, 10), CT(2031, 1, 19, 11))}));
  // No Monday hours: nothing.
  Availability no_monday;
  no_monday.weekly = {{2, 9 * 60, 12 * 60}};
  EXPECT_THAT(Day(no_monday, cal, 2031, 1, 19), IsEmpty());
}

TEST(ScheduleTest, WeekendHoursSetByTheMediatorApplyOnANormalWeekend) {
  const WorkingCalendar cal = Calendar();
  Availability a = DefaultAvailability();
  a.weekly.push_back({6, 10 * 60, 12 * 60});
  a.weekly.push_back({7, 14 * 60, 24 * 60});
  EXPECT_EQ(Day(a, cal, 2031, 3, 8),
            (std::vector<Interval>{I(CT(2031, 3, 8, 10), CT(2031, 3, 8, 12))}));
  EXPECT_EQ(Day(a, cal, 2031, 3, 9),
            (std::vector<Interval>{I(CT(2031, 3, 9, 14), CT(2031, 3, 10, 0))}));
}

TEST(ScheduleTest, LeaveCutsWorkingIntervals) {
  const WorkingCalendar cal = Calendar();
  Availability a = DefaultAvailability();
  a.leave = {{CT(2031, 3, 3, 10), CT(2031, 3, 3, 14), "hospital"}};
  EXPECT_EQ(Day(a, cal, 2031, 3, 3),
            (std::vector<Interval>{I(CT(2031, 3, 3, 9), CT(2031, 3, 3, 10)),
                                   I(CT(2031, 3, 3, 14), CT(2031, 3, 3, 17, 30))}));
  // Leave over whole days removes them; overlapping and unsorted leave is fine.
  a.leave = {{CT(2031, 3, 5, 16), CT(2031, 3, 6, 0), ""},
             {CT(2031, 3, 4, 0), CT(2031, 3, 5, 0), ""},
             {CT(2031, 3, 4, 12), CT(2031, 3, 5, 10), ""}};
  EXPECT_EQ(WorkingIntervals(a, cal, CT(2031, 3, 4, 0), CT(2031, 3, 6, 0)),
            (std::vector<Interval>{I(CT(2031, 3, 5, 10), CT(2031, 3, 5, 12)),
                                   I(CT(2031, 3, 5, 13, 30), CT(2031, 3, 5, 16))}));
  // Leave strictly inside one interval splits it.
  a.leave = {{CT(2031, 3, 3, 10), CT(2031, 3, 3, 11), ""}};
  EXPECT_EQ(Day(a, cal, 2031, 3, 3),
            (std::vector<Interval>{I(CT(2031, 3, 3, 9), CT(2031, 3, 3, 10)),
                                   I(CT(2031, 3, 3, 11), CT(2031, 3, 3, 12)),
                                   I(CT(2031, 3, 3, 13, 30), CT(2031, 3, 3, 17, 30))}));
}

TEST(ScheduleTest, AYearNotLoadedCountsWeekdays) {
  const WorkingCalendar cal = Calendar();
  // 2033 is not loaded: Monday 2033-01-03 has its hours, Saturday 01-08 none.
  EXPECT_EQ(Day(DefaultAvailability(), cal, 2033, 1, 3), DefaultDay(2033, 1, 3));
  EXPECT_THAT(Day(DefaultAvailability(), cal, 2033, 1, 8), IsEmpty());
}

// ---- CheckSlot ----

TEST(ScheduleTest, CheckSlotNamesTheBadTime) {
  const WorkingCalendar cal = Calendar();
  const std::vector<Interval> working =
      WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0));
  const absl::Time now = CT(2031, 3, 3, 10);
  auto field = [&](Interval slot) { return Fields(CheckSlot(slot, now, working, "appointment")); };
  // End not after start.
  EXPECT_THAT(field(I(CT(2031, 3, 4, 10), CT(2031, 3, 4, 9))), ElementsAre("appointment.end_time"));
  EXPECT_THAT(field(I(CT(2031, 3, 4, 10), CT(2031, 3, 4, 10))),
              ElementsAre("appointment.end_time"));
  // Longer than 8 hours (even when it would also be outside the hours).
  EXPECT_THAT(field(I(CT(2031, 3, 4, 8), CT(2031, 3, 4, 16, 1))),
              ElementsAre("appointment.end_time"));
  // In the past.
  EXPECT_THAT(field(I(CT(2031, 3, 3, 9), CT(2031, 3, 3, 9, 30))),
              ElementsAre("appointment.start_time"));
  // Outside working hours: lunch, the evening, the weekend, across lunch.
  EXPECT_THAT(field(I(CT(2031, 3, 4, 12), CT(2031, 3, 4, 13))),
              ElementsAre("appointment.start_time"));
  EXPECT_THAT(field(I(CT(2031, 3, 4, 17), CT(2031, 3, 4, 18))),
              ElementsAre("appointment.start_time"));
  EXPECT_THAT(field(I(CT(2031, 3, 8, 10), CT(2031, 3, 8, 11))),
              ElementsAre("appointment.start_time"));
  EXPECT_THAT(field(I(CT(2031, 3, 4, 11), CT(2031, 3, 4, 14))),
              ElementsAre("appointment.start_time"));
  EXPECT_EQ(
      CheckSlot(I(CT(2031, 3, 4, 12), CT(2031, 3, 4, 13)), now, working, "appointment").code(),
      absl::StatusCode::kInvalidArgument);
  // No path: the bare field.
  EXPECT_THAT(Fields(CheckSlot(I(CT(2031, 3, 4, 10), CT(2031, 3, 4, 9)), now, working, "")),
              ElementsAre("end_time"));
}

TEST(ScheduleTest, CheckSlotAcceptsASlotInsideOneInterval) {
  const WorkingCalendar cal = Calendar();
  const std::vector<Interval> working =
      WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0));
  const absl::Time now = CT(2031, 3, 3, 10);
  EXPECT_THAT(CheckSlot(I(CT(2031, 3, 4, 9), CT(2031, 3, 4, 10)), now, working, "a"), IsOk());
  EXPECT_THAT(CheckSlot(I(CT(2031, 3, 4, 13, 30), CT(2031, 3, 4, 17, 30)), now, working, "a"),
              IsOk());
  // Starting exactly now.
  EXPECT_THAT(CheckSlot(I(now, now + absl::Minutes(30)), now, working, "a"), IsOk());
  // Exactly 8 hours inside a long day.
  const std::vector<Interval> long_day = {I(CT(2031, 3, 4, 8), CT(2031, 3, 4, 20))};
  EXPECT_THAT(CheckSlot(I(CT(2031, 3, 4, 9), CT(2031, 3, 4, 17)), now, long_day, "a"), IsOk());
  EXPECT_THAT(Fields(CheckSlot(I(CT(2031, 3, 4, 9), CT(2031, 3, 4, 17, 1)), now, long_day, "a")),
              ElementsAre("a.end_time"));
  // Nothing is bookable without working intervals.
  EXPECT_THAT(Fields(CheckSlot(I(CT(2031, 3, 4, 9), CT(2031, 3, 4, 10)), now, {}, "a")),
              ElementsAre("a.start_time"));
}

// ---- FindFreeSlots ----

TEST(ScheduleTest, FreeSlotsStartOnQuarterHours) {
  const std::vector<Interval> working = {I(CT(2031, 3, 4, 9, 5), CT(2031, 3, 4, 12))};
  EXPECT_EQ(FindFreeSlots(working, {}, CT(2031, 3, 4, 0), CT(2031, 3, 5, 0), absl::Minutes(30), 3),
            (std::vector<Interval>{I(CT(2031, 3, 4, 9, 15), CT(2031, 3, 4, 9, 45)),
                                   I(CT(2031, 3, 4, 9, 30), CT(2031, 3, 4, 10)),
                                   I(CT(2031, 3, 4, 9, 45), CT(2031, 3, 4, 10, 15))}));
  // Boundaries are quarter hours China time, whatever the seconds of `from`.
  std::vector<Interval> got = FindFreeSlots(working, {}, CT(2031, 3, 4, 10) + absl::Seconds(1),
                                            CT(2031, 3, 5, 0), absl::Minutes(15), 1);
  EXPECT_EQ(got, (std::vector<Interval>{I(CT(2031, 3, 4, 10, 15), CT(2031, 3, 4, 10, 30))}));
  // The last slot ends at the end of the interval.
  got = FindFreeSlots(working, {}, CT(2031, 3, 4, 0), CT(2031, 3, 5, 0), absl::Minutes(60), 100);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), I(CT(2031, 3, 4, 11), CT(2031, 3, 4, 12)));
  EXPECT_EQ(got.size(), 8u);  // 09:15, 09:30 ... 11:00
}

TEST(ScheduleTest, FreeSlotsSkipBusyIntervals) {
  const std::vector<Interval> working = {I(CT(2031, 3, 4, 9, 5), CT(2031, 3, 4, 12)),
                                         I(CT(2031, 3, 4, 13, 30), CT(2031, 3, 4, 17, 30))};
  // Busy 09:30-10:10 (unsorted with another at 10:45-11:50): 09:05-09:30 is too short for
  // 30 minutes once aligned, 10:10-10:45 gives 10:15 only, 11:50-12:00 nothing.
  const std::vector<Interval> busy = {I(CT(2031, 3, 4, 10, 45), CT(2031, 3, 4, 11, 50)),
                                      I(CT(2031, 3, 4, 9, 30), CT(2031, 3, 4, 10, 10))};
  EXPECT_EQ(
      FindFreeSlots(working, busy, CT(2031, 3, 4, 0), CT(2031, 3, 5, 0), absl::Minutes(30), 3),
      (std::vector<Interval>{I(CT(2031, 3, 4, 10, 15), CT(2031, 3, 4, 10, 45)),
                             I(CT(2031, 3, 4, 13, 30), CT(2031, 3, 4, 14)),
                             I(CT(2031, 3, 4, 13, 45), CT(2031, 3, 4, 14, 15))}));
  // No slot overlaps anything busy.
  for (const Interval& s :
       FindFreeSlots(working, busy, CT(2031, 3, 4, 0), CT(2031, 3, 5, 0), absl::Minutes(30), 100)) {
    for (const Interval& b : busy) {
      EXPECT_TRUE(s.end <= b.start || s.start >= b.end);
    }
  }
  // Busy all afternoon: only morning slots.
  const std::vector<Interval> afternoon = {I(CT(2031, 3, 4, 13), CT(2031, 3, 4, 18))};
  for (const Interval& s : FindFreeSlots(working, afternoon, CT(2031, 3, 4, 0), CT(2031, 3, 5, 0),
                                         absl::Minutes(30), 100)) {
    EXPECT_LE(s.end, CT(2031, 3, 4, 12));
  }
}

TEST(ScheduleTest, FreeSlotsRespectMaxAndTheRange) {
  const WorkingCalendar cal = Calendar();
  const std::vector<Interval> working =
      WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0));
  EXPECT_EQ(
      FindFreeSlots(working, {}, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0), absl::Hours(1), 5).size(),
      5u);
  EXPECT_THAT(FindFreeSlots(working, {}, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0), absl::Hours(1), 0),
              IsEmpty());
  // From 11:20: 11:30-12:00 is the only half hour of the morning; then the afternoon.
  EXPECT_EQ(
      FindFreeSlots(working, {}, CT(2031, 3, 3, 11, 20), CT(2031, 3, 8, 0), absl::Minutes(30), 2),
      (std::vector<Interval>{I(CT(2031, 3, 3, 11, 30), CT(2031, 3, 3, 12)),
                             I(CT(2031, 3, 3, 13, 30), CT(2031, 3, 3, 14))}));
  // Up to 10:00: the last slot ends at 10:00.
  std::vector<Interval> got =
      FindFreeSlots(working, {}, CT(2031, 3, 3, 0), CT(2031, 3, 3, 10), absl::Minutes(30), 100);
  ASSERT_EQ(got.size(), 3u);  // 09:00, 09:15, 09:30
  EXPECT_EQ(got.back(), I(CT(2031, 3, 3, 9, 30), CT(2031, 3, 3, 10)));
}

TEST(ScheduleTest, ADurationThatDoesNotFitGivesNoSlots) {
  const WorkingCalendar cal = Calendar();
  const std::vector<Interval> working =
      WorkingIntervals(DefaultAvailability(), cal, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0));
  // The afternoon is exactly 4 hours: one 4-hour slot a day, none of 4h15.
  std::vector<Interval> four =
      FindFreeSlots(working, {}, CT(2031, 3, 3, 0), CT(2031, 3, 4, 0), absl::Hours(4), 10);
  EXPECT_EQ(four, (std::vector<Interval>{I(CT(2031, 3, 3, 13, 30), CT(2031, 3, 3, 17, 30))}));
  EXPECT_THAT(FindFreeSlots(working, {}, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0),
                            absl::Hours(4) + absl::Minutes(15), 10),
              IsEmpty());
  EXPECT_THAT(FindFreeSlots({}, {}, CT(2031, 3, 3, 0), CT(2031, 3, 8, 0), absl::Minutes(15), 10),
              IsEmpty());
}

// ---- Party references and names ----

TEST(ScheduleTest, ParsesPartyRefs) {
  Case c;
  c.data = odr::testing::MedicalCase();  // one applicant; one respondent with one agent
  absl::StatusOr<PartyRef> r = ParsePartyRef("applicants/0", c, "participants[0]");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(*r, (PartyRef{true, 0, std::nullopt}));
  EXPECT_EQ(FormatPartyRef(*r), "applicants/0");
  r = ParsePartyRef("respondents/0", c, "participants[0]");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(*r, (PartyRef{false, 0, std::nullopt}));
  r = ParsePartyRef("respondents/0/agents/0", c, "participants[1]");
  ASSERT_THAT(r, IsOk()) << r.status();
  EXPECT_EQ(*r, (PartyRef{false, 0, 0}));
  EXPECT_EQ(FormatPartyRef(*r), "respondents/0/agents/0");

  auto doc = PartyDocument(c, PartyRef{true, 0, std::nullopt});
  EXPECT_EQ(doc.first, IdDocumentType::kResidentIdCard);
  EXPECT_EQ(doc.second, odr::testing::kIdZhang);
  doc = PartyDocument(c, PartyRef{false, 0, std::nullopt});
  EXPECT_EQ(doc.first, IdDocumentType::kUnifiedSocialCreditCode);
  EXPECT_EQ(doc.second, odr::testing::kUsccHospital);
  doc = PartyDocument(c, PartyRef{false, 0, 0});
  EXPECT_EQ(doc.first, IdDocumentType::kResidentIdCard);
  EXPECT_EQ(doc.second, odr::testing::kIdLi);
}

TEST(ScheduleTest, RefusesPartyRefsNamingTheField) {
  Case c;
  c.data = odr::testing::MedicalCase();
  for (const char* bad :
       {"applicants/5", "respondents/1", "applicants/0/agents/0", "respondents/0/agents/1", "foo",
        "", "applicants", "applicants/", "applicants/-1", "applicants/x", "respondents/0/agent/0",
        "respondents/0/agents/", "respondents/0/agents/-1", "respondents/0/agents/0/x",
        "principals/p-1", "applicants/0/"}) {
    absl::StatusOr<PartyRef> r = ParsePartyRef(bad, c, "appointment.participants[2]");
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(Fields(r.status()), ElementsAre("appointment.participants[2]")) << bad;
  }
}

TEST(ScheduleTest, KindAndAttendanceNamesRoundTrip) {
  for (AppointmentKind k : {AppointmentKind::kJointVideo, AppointmentKind::kSeparateSession,
                            AppointmentKind::kOnSite, AppointmentKind::kPhone}) {
    EXPECT_EQ(AppointmentKindFromName(AppointmentKindName(k)), k);
  }
  for (Attendance a : {Attendance::kUnrecorded, Attendance::kAttended, Attendance::kNoShow}) {
    EXPECT_EQ(AttendanceFromName(AttendanceName(a)), a);
  }
  EXPECT_STREQ(AppointmentKindName(AppointmentKind::kJointVideo), "joint_video");
  EXPECT_STREQ(AppointmentKindName(AppointmentKind::kSeparateSession), "separate_session");
  EXPECT_STREQ(AttendanceName(Attendance::kNoShow), "no_show");
  EXPECT_FALSE(AppointmentKindFromName("video").has_value());
  EXPECT_FALSE(AttendanceFromName("").has_value());
}

}  // namespace
}  // namespace odr::domain

namespace odr::domain {
namespace {

// A session that took place stays on the record when the case ends or the mediator is released;
// only those not yet started are cancelled (issue 17 item 10).
TEST(AppointmentStateTest, HeldOnceAttendanceIsRecordedAndNeverCancelledOnRelease) {
  const absl::Time nine = absl::FromUnixSeconds(1'800'000'000);
  Appointment a;
  a.slot = {nine, nine + absl::Hours(1)};
  a.participants = {{"principals/m", Attendance::kUnrecorded}, {"applicants/0", {}}};
  EXPECT_EQ(StateOf(a), AppointmentState::kScheduled);
  EXPECT_TRUE(CancelledOnRelease(a, nine - absl::Seconds(1)));
  EXPECT_FALSE(CancelledOnRelease(a, nine));                      // under way
  EXPECT_FALSE(CancelledOnRelease(a, nine + absl::Minutes(90)));  // over
  a.participants[1].attendance = Attendance::kNoShow;
  EXPECT_EQ(StateOf(a), AppointmentState::kHeld);
  a.cancelled = true;
  EXPECT_EQ(StateOf(a), AppointmentState::kCancelled);
  EXPECT_FALSE(CancelledOnRelease(a, nine - absl::Hours(1)));  // already cancelled
}

}  // namespace
}  // namespace odr::domain
