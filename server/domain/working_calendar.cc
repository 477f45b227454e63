#include "server/domain/working_calendar.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"

namespace odr::domain {
namespace {

bool IsWeekend(absl::CivilDay d) {
  const absl::Weekday w = absl::GetWeekday(d);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

// Periods longer than this are refused: no statutory period comes near it, and it bounds the loop.
constexpr int kMaxPeriodDays = 3660;

absl::Status MissingYear(int year) {
  return MakeError(absl::StatusCode::kFailedPrecondition, "CALENDAR_YEAR_MISSING",
                   absl::StrCat("the working-day calendar of ", year,
                                " is not loaded (odrd admin load-calendar)"));
}

}  // namespace

absl::TimeZone ChinaTime() { return absl::FixedTimeZone(8 * 3600); }

absl::StatusOr<CalendarYear> ParseCalendarYear(absl::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidFieldError(
        "calendar", "must be a JSON object {\"year\", \"holidays\", \"working_weekends\"}");
  }
  Violations v;
  CalendarYear y;
  for (const auto& [key, value] : j.items()) {
    if (key != "year" && key != "holidays" && key != "working_weekends") {
      v.Add(key, "is not a field of a calendar year");
    }
  }
  if (!j.contains("year") || !j["year"].is_number_integer() || j["year"].get<int64_t>() < 1990 ||
      j["year"].get<int64_t>() > 2200) {
    v.Add("year", "is required: the calendar year, e.g. 2026");
  } else {
    y.year = j["year"].get<int>();
  }
  auto days = [&](const char* field, std::vector<absl::CivilDay>* out) {
    if (!j.contains(field)) return;
    if (!j[field].is_array()) {
      v.Add(field, "must be a list of dates YYYY-MM-DD");
      return;
    }
    for (size_t i = 0; i < j[field].size(); ++i) {
      const auto& e = j[field][i];
      absl::CivilDay d;
      if (!e.is_string() || e.get<std::string>().size() != 10 ||
          !absl::ParseCivilTime(e.get<std::string>(), &d) ||
          absl::FormatCivilTime(d) != e.get<std::string>()) {
        v.Add(absl::StrCat(field, "[", i, "]"), "must be a real date YYYY-MM-DD");
        continue;
      }
      out->push_back(d);
    }
  };
  days("holidays", &y.holidays);
  days("working_weekends", &y.working_weekends);
  ODR_RETURN_IF_ERROR(v.ToStatus());
  return y;
}

absl::Status WorkingCalendar::AddYear(const CalendarYear& year) {
  if (years_.count(year.year) > 0) {
    return MakeError(absl::StatusCode::kAlreadyExists, "CALENDAR_YEAR_EXISTS",
                     absl::StrCat("the calendar of ", year.year, " is already loaded"));
  }
  Violations v;
  Year y;
  for (size_t i = 0; i < year.holidays.size(); ++i) {
    const absl::CivilDay d = year.holidays[i];
    const std::string field = absl::StrCat("holidays[", i, "]");
    if (d.year() != year.year) {
      v.Add(field, absl::StrCat("is not in ", year.year));
    } else if (!y.holidays.insert(d).second) {
      v.Add(field, "is listed twice");
    }
  }
  for (size_t i = 0; i < year.working_weekends.size(); ++i) {
    const absl::CivilDay d = year.working_weekends[i];
    const std::string field = absl::StrCat("working_weekends[", i, "]");
    if (d.year() != year.year) {
      v.Add(field, absl::StrCat("is not in ", year.year));
    } else if (!IsWeekend(d)) {
      v.Add(field, "must be a Saturday or a Sunday");
    } else if (y.holidays.count(d) > 0) {
      v.Add(field, "is also a holiday");
    } else if (!y.working_weekends.insert(d).second) {
      v.Add(field, "is listed twice");
    }
  }
  ODR_RETURN_IF_ERROR(v.ToStatus());
  years_.emplace(year.year, std::move(y));
  return absl::OkStatus();
}

bool WorkingCalendar::HasYear(int year) const { return years_.count(year) > 0; }

absl::StatusOr<bool> WorkingCalendar::IsWorkingDay(absl::CivilDay day, bool* provisional) const {
  auto it = years_.find(static_cast<int>(day.year()));
  if (it == years_.end()) {
    if (provisional == nullptr) return MissingYear(static_cast<int>(day.year()));
    *provisional = true;
    return !IsWeekend(day);
  }
  if (it->second.holidays.count(day) > 0) return false;
  if (it->second.working_weekends.count(day) > 0) return true;
  return !IsWeekend(day);
}

bool WorkingCalendar::IsHoliday(absl::CivilDay day) const {
  auto it = years_.find(static_cast<int>(day.year()));
  return it != years_.end() && it->second.holidays.count(day) > 0;
}

bool WorkingCalendar::IsWorkingWeekend(absl::CivilDay day) const {
  auto it = years_.find(static_cast<int>(day.year()));
  return it != years_.end() && it->second.working_weekends.count(day) > 0;
}

absl::StatusOr<absl::CivilDay> WorkingCalendar::AddWorkingDays(absl::CivilDay start, int n,
                                                               bool* provisional) const {
  if (n < 1 || n > kMaxPeriodDays) {
    return absl::InvalidArgumentError("a period of working days must be 1 to 3660 days long");
  }
  absl::CivilDay d = start;
  for (int counted = 0, steps = 0; counted < n; ++steps) {
    if (steps > 2 * kMaxPeriodDays) return absl::InternalError("no working days in the calendar");
    d += 1;
    absl::StatusOr<bool> working = IsWorkingDay(d, provisional);
    if (!working.ok()) return working.status();
    if (*working) ++counted;
  }
  return d;
}

absl::StatusOr<absl::CivilDay> WorkingCalendar::AddDays(absl::CivilDay start, int n,
                                                        bool* provisional) const {
  if (n < 1 || n > kMaxPeriodDays) {
    return absl::InvalidArgumentError("a period of days must be 1 to 3660 days long");
  }
  absl::CivilDay d = start + n;
  for (int steps = 0;; ++steps) {
    if (steps > kMaxPeriodDays) return absl::InternalError("no working days in the calendar");
    absl::StatusOr<bool> working = IsWorkingDay(d, provisional);
    if (!working.ok()) return working.status();
    if (*working) return d;
    d += 1;
  }
}

absl::Time WorkingCalendar::EndOfDay(absl::CivilDay day) {
  return absl::FromCivil(day + 1, ChinaTime());
}

}  // namespace odr::domain
