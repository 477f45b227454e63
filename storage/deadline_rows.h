// Row-level access to the deadlines table (statutory deadlines and appointment reminders), in the
// caller's transaction. Internal to storage/; as thread-safe as the connection `c`.
#ifndef ODR_STORAGE_DEADLINE_ROWS_H_
#define ODR_STORAGE_DEADLINE_ROWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/statutory_clock.h"
#include "storage/sqlite_db.h"

namespace odr::storage::deadline_rows {

// Inserts `d` unless the case already has a deadline of its id (an ended mediation period or
// confirmation-application deadline is started afresh: mediating again after a rejected
// confirmation); *inserted says whether it was written.
absl::Status Insert(Connection& c, const domain::Deadline& d, bool* inserted);
// NOT_FOUND (reason NOT_FOUND) naming the deadline if absent.
absl::StatusOr<domain::Deadline> Load(Connection& c, absl::string_view case_id,
                                      absl::string_view id);
// The case's deadlines in start order; reminders only with `with_reminders`.
absl::StatusOr<std::vector<domain::Deadline>> LoadForCase(Connection& c, absl::string_view case_id,
                                                          bool with_reminders);
// Writes every mutable column of `d`.
absl::Status Save(Connection& c, const domain::Deadline& d);
// Moves the open deadline `id` of the case to `state` (kMet or kCancelled); nothing if not open.
absl::Status Stop(Connection& c, absl::string_view case_id, absl::string_view id,
                  domain::DeadlineState state, absl::Time now);
// Cancels every open deadline and reminder of the case; with `keep_instalments`, not the
// instalments of its agreement (which stay due after the case ends).
absl::Status StopAll(Connection& c, absl::string_view case_id, absl::Time now,
                     bool keep_instalments = false);
// Cancels the open instalment deadlines of the case.
absl::Status StopInstalments(Connection& c, absl::string_view case_id, absl::Time now);
// Cancels the open reminders of an appointment.
absl::Status StopReminders(Connection& c, absl::string_view case_id,
                           absl::string_view appointment_id, absl::Time now);
// (case_id, id) of up to `limit` running rows whose next fire time is at or before `now`.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Due(Connection& c, absl::Time now,
                                                                     int limit);
// The earliest next fire time of any running row.
absl::StatusOr<std::optional<absl::Time>> NextFire(Connection& c);

}  // namespace odr::storage::deadline_rows

#endif  // ODR_STORAGE_DEADLINE_ROWS_H_
