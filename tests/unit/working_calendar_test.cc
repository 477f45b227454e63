// Working-day arithmetic over holidays and adjusted working weekends (CPL Art. 85 counting).
#include "server/domain/working_calendar.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/domain/errors.h"
#include "tests/testing/calendar.h"

namespace odr::domain {
namespace {

using ::testing::ElementsAre;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

std::vector<std::string> Fields(const absl::Status& s) { return testing::FieldsOf(s); }

// testing::SyntheticCalendar(): made-up 2031 and 2032 (calendar.h).
WorkingCalendar Calendar() { return testing::SyntheticCalendar(); }

TEST(WorkingCalendarTest, WeekdaysWorkWeekendsRestExceptTheExceptions) {
  const WorkingCalendar c = Calendar();
  EXPECT_TRUE(*c.IsWorkingDay(D(2031, 1, 20)));   // Monday
  EXPECT_FALSE(*c.IsWorkingDay(D(2031, 1, 18)));  // Saturday
  EXPECT_TRUE(*c.IsWorkingDay(D(2031, 1, 19)));   // adjusted working Sunday
  EXPECT_FALSE(*c.IsWorkingDay(D(2031, 1, 22)));  // holiday on a Wednesday
  EXPECT_FALSE(*c.IsWorkingDay(D(2031, 1, 25)));  // holiday on a Saturday
  EXPECT_TRUE(*c.IsWorkingDay(D(2031, 2, 1)));    // adjusted working Saturday
}

TEST(WorkingCalendarTest, WorkingDaysSkipHolidaysAndCountAdjustedWeekends) {
  const WorkingCalendar c = Calendar();
  // Accepted Friday 2031-01-17: 3 working days are Sun 19 (worked), Mon 20, Tue 21.
  EXPECT_EQ(*c.AddWorkingDays(D(2031, 1, 17), 3), D(2031, 1, 21));
  // Accepted Tue 2031-01-21: the holiday week passes; Wed 29, Thu 30, Fri 31.
  EXPECT_EQ(*c.AddWorkingDays(D(2031, 1, 21), 3), D(2031, 1, 31));
  // ... and a fourth working day is the adjusted Saturday 02-01, not Monday 02-03.
  EXPECT_EQ(*c.AddWorkingDays(D(2031, 1, 21), 4), D(2031, 2, 1));
  // The start day is not counted, even a working day; 1 working day after a Friday is Monday.
  EXPECT_EQ(*c.AddWorkingDays(D(2031, 3, 7), 1), D(2031, 3, 10));
  // Across National Day: Tue 09-30 + 3 = Wed 10-08, Thu 10-09, Fri 10-10.
  EXPECT_EQ(*c.AddWorkingDays(D(2031, 9, 30), 3), D(2031, 10, 10));
  // Across the new year into the next loaded year (2032-01-01 a holiday, a Thursday).
  EXPECT_EQ(*c.AddWorkingDays(D(2031, 12, 31), 1), D(2032, 1, 2));
}

TEST(WorkingCalendarTest, DaysEndOnTheNextWorkingDayWhenTheLastIsARestDay) {
  const WorkingCalendar c = Calendar();
  // 30 days from Mon 2031-03-03 is Wed 04-02, a working day.
  EXPECT_EQ(*c.AddDays(D(2031, 3, 3), 30), D(2031, 4, 2));
  // 30 days from Tue 2031-09-02 is Thu 10-02, a holiday: the period ends Wed 10-08.
  EXPECT_EQ(*c.AddDays(D(2031, 9, 2), 30), D(2031, 10, 8));
  // Ending on a Sunday: Sun 2031-03-09 -> Mon 03-10.
  EXPECT_EQ(*c.AddDays(D(2031, 3, 2), 7), D(2031, 3, 10));
  // The period expires at the end of its last day, China time.
  EXPECT_EQ(WorkingCalendar::EndOfDay(D(2031, 3, 10)),
            absl::FromCivil(absl::CivilSecond(2031, 3, 10, 16, 0, 0), absl::UTCTimeZone()));
}

TEST(WorkingCalendarTest, AYearNotLoadedIsAPreconditionNotAGuess) {
  const WorkingCalendar c = Calendar();
  auto s = c.IsWorkingDay(D(2033, 6, 1));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorReason(s.status()), "CALENDAR_YEAR_MISSING");
  EXPECT_EQ(c.AddWorkingDays(D(2032, 12, 30), 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.AddDays(D(2031, 1, 1), 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(c.AddWorkingDays(D(2031, 1, 1), -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WorkingCalendarTest, BadYearsAreRefusedNamingTheEntry) {
  WorkingCalendar c;
  CalendarYear y;
  y.year = 2031;
  y.holidays = {D(2031, 5, 1), D(2030, 12, 31), D(2031, 5, 1)};
  y.working_weekends = {D(2031, 5, 5) /* a Monday */, D(2031, 5, 1) /* a holiday */};
  absl::Status s = c.AddYear(y);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(s), ElementsAre("holidays[1]", "holidays[2]", "working_weekends[0]",
                                     "working_weekends[1]"));
  EXPECT_FALSE(c.HasYear(2031));
  CalendarYear ok;
  ok.year = 2031;
  ASSERT_TRUE(c.AddYear(ok).ok());
  EXPECT_EQ(c.AddYear(ok).code(), absl::StatusCode::kAlreadyExists);
}

TEST(WorkingCalendarTest, ParsesTheOperatorsFile) {
  auto y = ParseCalendarYear(
      R"({"year": 2031, "holidays": ["2031-01-22", "2031-01-23"], "working_weekends": ["2031-01-19"]})");
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->year, 2031);
  EXPECT_THAT(y->holidays, ElementsAre(D(2031, 1, 22), D(2031, 1, 23)));
  EXPECT_THAT(y->working_weekends, ElementsAre(D(2031, 1, 19)));

  EXPECT_THAT(Fields(ParseCalendarYear("not json").status()), ElementsAre("calendar"));
  EXPECT_THAT(Fields(ParseCalendarYear(R"({"holidays": []})").status()), ElementsAre("year"));
  EXPECT_THAT(
      Fields(ParseCalendarYear(R"({"year": 2031, "holidays": ["2031-02-30", "2031-1-5", 7]})")
                 .status()),
      ElementsAre("holidays[0]", "holidays[1]", "holidays[2]"));
  EXPECT_THAT(
      Fields(ParseCalendarYear(R"({"year": 2031, "working_weekends": "2031-01-19"})").status()),
      ElementsAre("working_weekends"));
  EXPECT_THAT(Fields(ParseCalendarYear(R"({"year": 2031, "extra": 1})").status()),
              ElementsAre("extra"));
}

}  // namespace
}  // namespace odr::domain
