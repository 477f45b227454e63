// The working-day calendar the statutory clock counts in (issue 6). In China weekdays are working
// days and weekends rest days, except the public holidays the State Council announces each year
// (rest days, some on weekdays) and the adjusted working days (调休: weekend days that are
// worked). Both are data an operator loads per year; a period that reaches a year not loaded is
// FAILED_PRECONDITION rather than a guess.
//
// Counting follows the Civil Procedure Law Art. 85: the day on which a period starts is not
// counted; a period in days whose last day is a rest day ends on the next working day.
//
// Pure; a WorkingCalendar is safe for concurrent reads once loaded (AddYear is not).
#ifndef ODR_SERVER_DOMAIN_WORKING_CALENDAR_H_
#define ODR_SERVER_DOMAIN_WORKING_CALENDAR_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace odr::domain {

// China Standard Time, UTC+8 all year (Asia/Shanghai has had no daylight saving since 1991).
absl::TimeZone ChinaTime();

// One year's exceptions to the weekday rule.
struct CalendarYear {
  int year = 0;
  std::vector<absl::CivilDay> holidays;          // rest days (weekdays among them matter)
  std::vector<absl::CivilDay> working_weekends;  // Saturdays or Sundays that are worked
};

// Reads the operator's file for one year:
//   {"year": 2026, "holidays": ["2026-01-01", ...], "working_weekends": ["2026-01-04", ...]}
// INVALID_ARGUMENT naming the field (e.g. "holidays[3]") for anything else.
absl::StatusOr<CalendarYear> ParseCalendarYear(absl::string_view json);

class WorkingCalendar {
 public:
  // Adds a year. INVALID_ARGUMENT naming the field for a day outside the year, a working weekend
  // that is not a Saturday or Sunday, a day listed twice or as both; ALREADY_EXISTS if the year is
  // loaded.
  absl::Status AddYear(const CalendarYear& year);
  bool HasYear(int year) const;

  // FAILED_PRECONDITION (reason CALENDAR_YEAR_MISSING, naming the year) if its year is not loaded.
  // With `provisional` set, a day of a year not loaded is judged by the weekday rule alone and
  // *provisional becomes true instead.
  absl::StatusOr<bool> IsWorkingDay(absl::CivilDay day, bool* provisional = nullptr) const;

  // Whether `day` is a public holiday of a loaded year (false for years not loaded).
  bool IsHoliday(absl::CivilDay day) const;
  // Whether `day` is an adjusted working weekend (调休) of a loaded year.
  bool IsWorkingWeekend(absl::CivilDay day) const;

  // The last day of a period of `n` >= 1 working days that starts on `start` (not counted): the
  // n-th working day after it. `provisional` as for IsWorkingDay.
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay start, int n,
                                                bool* provisional = nullptr) const;

  // The last day of a period of `n` >= 1 days that starts on `start` (not counted): start + n, or
  // the first working day after that if it is a rest day. `provisional` as for IsWorkingDay.
  absl::StatusOr<absl::CivilDay> AddDays(absl::CivilDay start, int n,
                                         bool* provisional = nullptr) const;

  // When a period ending on `day` expires: the end of that day (24:00) in China time.
  static absl::Time EndOfDay(absl::CivilDay day);

 private:
  struct Year {
    std::set<absl::CivilDay> holidays;
    std::set<absl::CivilDay> working_weekends;
  };
  std::map<int, Year> years_;
};

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_WORKING_CALENDAR_H_
