// The working-day calendar's years as the operator loaded them (`odrd admin load-calendar`).
#ifndef ODR_STORAGE_CALENDAR_STORE_H_
#define ODR_STORAGE_CALENDAR_STORE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/working_calendar.h"
#include "storage/sqlite_db.h"

namespace odr::storage {

// Safe for concurrent use; blocks on SQLite.
class CalendarStore {
 public:
  explicit CalendarStore(Database* db) : db_(db) {}

  // Stores one year's definition (the operator's JSON), after checking it parses and is a valid
  // year (INVALID_ARGUMENT naming the field). ALREADY_EXISTS if the year is stored, unless
  // `replace` (changing a year moves every deadline counted through it).
  absl::StatusOr<domain::CalendarYear> SaveYear(absl::string_view json, bool replace,
                                                absl::Time now);
  // Every stored year, in a calendar ready to count with.
  absl::StatusOr<domain::WorkingCalendar> Load();
  // The years stored, ascending.
  absl::StatusOr<std::vector<int>> Years();

 private:
  Database* db_;
};

}  // namespace odr::storage

#endif  // ODR_STORAGE_CALENDAR_STORE_H_
