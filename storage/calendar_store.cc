#include "storage/calendar_store.h"

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"

namespace odr::storage {

absl::StatusOr<domain::CalendarYear> CalendarStore::SaveYear(absl::string_view json, bool replace,
                                                             absl::Time now) {
  ODR_ASSIGN_OR_RETURN(domain::CalendarYear year, domain::ParseCalendarYear(json));
  domain::WorkingCalendar check;
  ODR_RETURN_IF_ERROR(check.AddYear(year));
  ODR_RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement exists,
                         c.Prepare("SELECT 1 FROM calendar_years WHERE year = ?1"));
    exists.Bind(1, int64_t{year.year});
    ODR_ASSIGN_OR_RETURN(bool found, exists.Step());
    if (found && !replace) {
      return MakeError(
          absl::StatusCode::kAlreadyExists, "CALENDAR_YEAR_EXISTS",
          absl::StrCat("the calendar of ", year.year, " is already loaded; --replace changes it"));
    }
    ODR_ASSIGN_OR_RETURN(
        Statement put,
        c.Prepare("INSERT INTO calendar_years (year, definition, load_time_us) VALUES (?1, ?2, ?3)"
                  " ON CONFLICT (year) DO UPDATE SET definition = ?2, load_time_us = ?3"));
    put.Bind(1, int64_t{year.year}).Bind(2, json).Bind(3, absl::ToUnixMicros(now));
    return put.Run();
  }));
  return year;
}

absl::StatusOr<domain::WorkingCalendar> CalendarStore::Load() {
  std::vector<std::string> definitions;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("SELECT definition FROM calendar_years ORDER BY year"));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      definitions.push_back(s.ColumnText(0));
    }
    return absl::OkStatus();
  }));
  domain::WorkingCalendar calendar;
  for (const std::string& d : definitions) {
    ODR_ASSIGN_OR_RETURN(domain::CalendarYear year, domain::ParseCalendarYear(d));
    ODR_RETURN_IF_ERROR(calendar.AddYear(year));
  }
  return calendar;
}

absl::StatusOr<std::vector<int>> CalendarStore::Years() {
  std::vector<int> years;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT year FROM calendar_years ORDER BY year"));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      years.push_back(static_cast<int>(s.ColumnInt(0)));
    }
    return absl::OkStatus();
  }));
  return years;
}

}  // namespace odr::storage
