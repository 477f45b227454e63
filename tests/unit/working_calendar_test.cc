// Working-day arithmetic over holidays and adjusted working weekends (CPL Art. 85 counting).
#include "server/domain/working_calendar.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "server/domain/errors.h"
#include "tests/testing/calendar.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

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
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(s), ElementsAre("holidays[1]", "holidays[2]", "working_weekends[0]",
                                     "working_weekends[1]"));
  EXPECT_FALSE(c.HasYear(2031));
  CalendarYear ok;
  ok.year = 2031;
  ASSERT_THAT(c.AddYear(ok), IsOk());
  EXPECT_EQ(c.AddYear(ok).code(), absl::StatusCode::kAlreadyExists);
}

TEST(WorkingCalendarTest, ParsesTheOperatorsFile) {
  auto y = ParseCalendarYear(
      R"({"year": 2031, "holidays": ["2031-01-22", "2031-01-23"], "working_weekends": ["2031-01-19"]})");
  ASSERT_THAT(y, IsOk()) << y.status();
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

// The calendars the repository ships, tools/calendars/YYYY.json (tools/calendars/README.md names
// each year's State Council notice), by the year in the file name.
std::map<int, std::string> ShippedCalendarFiles() {
  std::map<int, std::string> files;
  const std::filesystem::path dir = std::filesystem::path(ODR_SOURCE_DIR) / "tools" / "calendars";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    int year = 0;
    if (!absl::SimpleAtoi(e.path().stem().string(), &year)) {
      ADD_FAILURE() << e.path() << ": a calendar file is named YYYY.json";
      continue;
    }
    std::ifstream in(e.path(), std::ios::binary);
    EXPECT_TRUE(in) << e.path();
    files[year] =
        std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return files;
}

// Every shipped year, read and checked as `odrd admin load-calendar` and odrd's start read them.
WorkingCalendar ShippedCalendar() {
  WorkingCalendar c;
  for (const auto& [year, json] : ShippedCalendarFiles()) {
    absl::StatusOr<CalendarYear> y = ParseCalendarYear(json);
    EXPECT_THAT(y, IsOk()) << year << ".json: " << y.status();
    if (!y.ok()) continue;
    absl::Status added = c.AddYear(*y);
    EXPECT_THAT(added, IsOk()) << year << ".json: " << added;
  }
  return c;
}

TEST(WorkingCalendarTest, ShippedCalendarsLoadAndEachIsTheYearItsFileNames) {
  const std::map<int, std::string> files = ShippedCalendarFiles();
  for (const auto& [year, json] : files) {
    SCOPED_TRACE(::testing::Message() << "tools/calendars/" << year << ".json");
    absl::StatusOr<CalendarYear> y = ParseCalendarYear(json);
    ASSERT_THAT(y, IsOk()) << y.status();
    EXPECT_EQ(y->year, year);  // tools/run skips a file whose name's year is loaded
    EXPECT_FALSE(y->holidays.empty());
  }
  // ShippedCalendar() fails the test for a day outside its year, a working weekend that is not a
  // Saturday or Sunday, or a day listed twice.
  const WorkingCalendar c = ShippedCalendar();
  for (int year : {2023, 2024, 2025, 2026}) {
    EXPECT_TRUE(files.count(year) > 0 && c.HasYear(year)) << year;
  }
}

TEST(WorkingCalendarTest, ShippedCalendarsSayWhatTheNoticesSay) {
  const WorkingCalendar c = ShippedCalendar();

  // 国务院办公厅关于2026年部分节假日安排的通知, 国办发明电〔2025〕7号, 2025-11-04.
  // Item 7, 国庆节: 10月1日(周四)至7日(周三)放假调休, 共7天.
  //   9月20日(周日)、10月10日(周六)上班.
  for (int d = 1; d <= 7; ++d) EXPECT_FALSE(*c.IsWorkingDay(D(2026, 10, d))) << "10-" << d;
  EXPECT_TRUE(*c.IsWorkingDay(D(2026, 10, 8)));   // the Thursday after
  EXPECT_TRUE(*c.IsWorkingDay(D(2026, 9, 20)));   // a Sunday worked
  EXPECT_TRUE(*c.IsWorkingDay(D(2026, 10, 10)));  // a Saturday worked
  EXPECT_TRUE(c.IsWorkingWeekend(D(2026, 10, 10)));
  // 3 working days after Wed 09-30: Thu 10-08, Fri 10-09, Sat 10-10 (worked); nothing provisional.
  bool provisional = false;
  EXPECT_EQ(*c.AddWorkingDays(D(2026, 9, 30), 3, &provisional), D(2026, 10, 10));
  EXPECT_FALSE(provisional);
  // Item 2, 春节: 2月15日(周日)至23日(周一)放假调休, 共9天.
  //   2月14日(周六)、2月28日(周六)上班.
  for (int d = 15; d <= 23; ++d) EXPECT_TRUE(c.IsHoliday(D(2026, 2, d))) << "02-" << d;
  EXPECT_TRUE(*c.IsWorkingDay(D(2026, 2, 14)));
  EXPECT_TRUE(*c.IsWorkingDay(D(2026, 2, 28)));
  // Item 1, 元旦: 1月1日(周四)至3日(周六)放假调休, 共3天. 1月4日(周日)上班.
  EXPECT_FALSE(*c.IsWorkingDay(D(2026, 1, 2)));
  EXPECT_TRUE(*c.IsWorkingDay(D(2026, 1, 4)));

  // 国务院办公厅关于2025年部分节假日安排的通知, 国办发明电〔2024〕12号, 2024-11-12, the first
  // after the amendment of 《全国年节及纪念日放假办法》 (one more day of 春节 and of 劳动节).
  // Item 2, 春节: 1月28日(除夕)至2月4日放假调休, 共8天. 1月26日(周日)、2月8日(周六)上班.
  for (absl::CivilDay d = D(2025, 1, 28); d <= D(2025, 2, 4); ++d) {
    EXPECT_TRUE(c.IsHoliday(d)) << d;
  }
  EXPECT_TRUE(*c.IsWorkingDay(D(2025, 1, 26)));
  EXPECT_TRUE(*c.IsWorkingDay(D(2025, 2, 8)));
  // Item 6, 国庆节、中秋节: 10月1日(周三)至8日(周三)放假调休, 共8天.
  EXPECT_FALSE(*c.IsWorkingDay(D(2025, 10, 8)));
  EXPECT_TRUE(*c.IsWorkingDay(D(2025, 10, 9)));

  // 国务院办公厅关于2024年部分节假日安排的通知, 国办发明电〔2023〕7号, 2023-10-25.
  // Item 2, 春节: 2月10日至17日放假调休, 共8天. 2月4日(星期日)、2月18日(星期日)上班.
  // New Year's Eve (Fri 02-09) is only suggested for paid annual leave: a working day.
  EXPECT_TRUE(*c.IsWorkingDay(D(2024, 2, 9)));
  EXPECT_FALSE(*c.IsWorkingDay(D(2024, 2, 10)));
  EXPECT_TRUE(*c.IsWorkingDay(D(2024, 2, 18)));

  // 国务院办公厅关于2023年部分节假日安排的通知, 国办发明电〔2022〕16号, 2022-12-08.
  // Item 3, 清明节: 4月5日放假, 共1天 (a Wednesday).
  // Item 6: 10月7日(星期六)、10月8日(星期日)上班.
  EXPECT_FALSE(*c.IsWorkingDay(D(2023, 4, 5)));
  EXPECT_TRUE(*c.IsWorkingDay(D(2023, 10, 7)));
  EXPECT_TRUE(*c.IsWorkingDay(D(2023, 10, 8)));
}

}  // namespace
}  // namespace odr::domain
