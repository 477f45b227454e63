// Shared test data of the working-day calendar and the clock: made-up years shaped like China's,
// China-time instants, and the fields an INVALID_ARGUMENT names.
#ifndef ODR_TESTS_TESTING_CALENDAR_H_
#define ODR_TESTS_TESTING_CALENDAR_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "server/domain/errors.h"
#include "server/domain/working_calendar.h"

namespace odr::testing {

// A made-up 2031: a Spring Festival week Wed 01-22 .. Tue 01-28 with Sunday 01-19 and Saturday
// 02-01 worked instead, and a National Day week Wed 10-01 .. Tue 10-07 with Saturday 10-11 worked;
// and a 2032 with only New Year's Day. 2033 is not loaded.
inline domain::WorkingCalendar SyntheticCalendar() {
  domain::CalendarYear y;
  y.year = 2031;
  for (int d = 22; d <= 28; ++d) y.holidays.push_back(absl::CivilDay(2031, 1, d));
  for (int d = 1; d <= 7; ++d) y.holidays.push_back(absl::CivilDay(2031, 10, d));
  y.working_weekends = {absl::CivilDay(2031, 1, 19), absl::CivilDay(2031, 2, 1),
                        absl::CivilDay(2031, 10, 11)};
  domain::WorkingCalendar c;
  EXPECT_TRUE(c.AddYear(y).ok());
  domain::CalendarYear next;
  next.year = 2032;
  next.holidays = {absl::CivilDay(2032, 1, 1)};
  EXPECT_TRUE(c.AddYear(next).ok());
  return c;
}

// y-m-d hh:mm China time.
inline absl::Time ChinaMinute(int y, int m, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, mi), domain::ChinaTime());
}

// The fields an INVALID_ARGUMENT status names, in order.
inline std::vector<std::string> FieldsOf(const absl::Status& s) {
  std::vector<std::string> out;
  for (const FieldViolation& v : ErrorFieldViolations(s)) out.push_back(v.field);
  return out;
}

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_CALENDAR_H_
