#include "storage/deadline_rows.h"

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"

namespace odr::storage::deadline_rows {
namespace {

using domain::Deadline;
using domain::DeadlineState;

constexpr char kColumns[] =
    "case_id, id, kind, state, subject, start_us, length, working_days, extension_days,"
    " paused_us, paused_at_us, due_us, warn_us, warned, provisional, next_fire_us, ordinal,"
    " update_time_us";

void BindOptionalTime(Statement& s, int i, const std::optional<absl::Time>& t) {
  if (t) {
    s.Bind(i, absl::ToUnixMicros(*t));
  } else {
    s.BindNull(i);
  }
}

std::optional<absl::Time> OptionalTime(const Statement& s, int i) {
  if (s.ColumnIsNull(i)) return std::nullopt;
  return absl::FromUnixMicros(s.ColumnInt(i));
}

absl::StatusOr<Deadline> Read(const Statement& s) {
  Deadline d;
  d.case_id = s.ColumnText(0);
  d.id = s.ColumnText(1);
  auto kind = domain::DeadlineKindFromName(s.ColumnText(2));
  auto state = domain::DeadlineStateFromName(s.ColumnText(3));
  if (!kind || !state) return absl::DataLossError("stored value is not recognised: deadline");
  d.kind = *kind;
  d.state = *state;
  d.subject = s.ColumnText(4);
  d.start = absl::FromUnixMicros(s.ColumnInt(5));
  d.length = static_cast<int>(s.ColumnInt(6));
  d.working_days = s.ColumnInt(7) != 0;
  d.extension_days = static_cast<int>(s.ColumnInt(8));
  d.paused = absl::Microseconds(s.ColumnInt(9));
  d.paused_at = OptionalTime(s, 10);
  d.due = absl::FromUnixMicros(s.ColumnInt(11));
  d.warn_at = OptionalTime(s, 12);
  d.warned = s.ColumnInt(13) != 0;
  d.provisional = s.ColumnInt(14) != 0;
  d.ordinal = s.ColumnInt(16);
  d.update_time = absl::FromUnixMicros(s.ColumnInt(17));
  return d;
}

// Binds ?3.. of the mutable columns in kColumns order (case_id ?1, id ?2).
void BindRow(Statement& s, const Deadline& d) {
  s.Bind(1, d.case_id).Bind(2, d.id).Bind(3, domain::DeadlineKindName(d.kind));
  s.Bind(4, domain::DeadlineStateName(d.state)).Bind(5, d.subject);
  s.Bind(6, absl::ToUnixMicros(d.start)).Bind(7, int64_t{d.length});
  s.Bind(8, int64_t{d.working_days ? 1 : 0}).Bind(9, int64_t{d.extension_days});
  s.Bind(10, absl::ToInt64Microseconds(d.paused));
  BindOptionalTime(s, 11, d.paused_at);
  s.Bind(12, absl::ToUnixMicros(d.due));
  BindOptionalTime(s, 13, d.warn_at);
  s.Bind(14, int64_t{d.warned ? 1 : 0}).Bind(15, int64_t{d.provisional ? 1 : 0});
  BindOptionalTime(s, 16, d.NextFire());
  s.Bind(17, absl::ToUnixMicros(d.update_time));
}

}  // namespace

absl::Status Insert(Connection& c, const Deadline& d, bool* inserted) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare(absl::StrCat(
          "INSERT INTO deadlines (", kColumns,
          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
          " (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM deadlines WHERE case_id = ?1), ?17)"
          // A deadline that ended is started afresh only when the parties mediate again after a
          // rejected confirmation (a new mediation period, then a new agreement's application
          // period); every other deadline starts once.
          " ON CONFLICT (case_id, id) DO UPDATE SET state = excluded.state, subject ="
          " excluded.subject, start_us = excluded.start_us, length = excluded.length,"
          " working_days = excluded.working_days, extension_days = excluded.extension_days,"
          " paused_us = excluded.paused_us, paused_at_us = excluded.paused_at_us, due_us ="
          " excluded.due_us, warn_us = excluded.warn_us, warned = excluded.warned, provisional ="
          " excluded.provisional, next_fire_us = excluded.next_fire_us, update_time_us ="
          " excluded.update_time_us WHERE deadlines.kind IN ('confirmation_application',"
          " 'mediation_period') AND deadlines.state NOT IN ('running', 'paused')")));
  BindRow(s, d);
  ODR_RETURN_IF_ERROR(s.Run());
  *inserted = c.Changes() > 0;
  return absl::OkStatus();
}

absl::StatusOr<Deadline> Load(Connection& c, absl::string_view case_id, absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare(absl::StrCat("SELECT ", kColumns,
                                              " FROM deadlines WHERE case_id = ?1 AND id = ?2")));
  s.Bind(1, case_id).Bind(2, id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                     absl::StrCat("deadline cases/", case_id, "/deadlines/", id, " not found"));
  }
  return Read(s);
}

absl::StatusOr<std::vector<Deadline>> LoadForCase(Connection& c, absl::string_view case_id,
                                                  bool with_reminders) {
  ODR_ASSIGN_OR_RETURN(
      Statement s, c.Prepare(absl::StrCat("SELECT ", kColumns,
                                          " FROM deadlines WHERE case_id = ?1 ORDER BY ordinal")));
  s.Bind(1, case_id);
  std::vector<Deadline> out;
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ODR_ASSIGN_OR_RETURN(Deadline d, Read(s));
    if (with_reminders || d.kind != domain::DeadlineKind::kAppointmentReminder) {
      out.push_back(std::move(d));
    }
  }
  return out;
}

absl::Status Save(Connection& c, const Deadline& d) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("UPDATE deadlines SET kind = ?3, state = ?4, subject = ?5, start_us = ?6,"
                " length = ?7, working_days = ?8, extension_days = ?9, paused_us = ?10,"
                " paused_at_us = ?11, due_us = ?12, warn_us = ?13, warned = ?14,"
                " provisional = ?15, next_fire_us = ?16, update_time_us = ?17"
                " WHERE case_id = ?1 AND id = ?2"));
  BindRow(s, d);
  return s.Run();
}

absl::Status Stop(Connection& c, absl::string_view case_id, absl::string_view id,
                  DeadlineState state, absl::Time now) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("UPDATE deadlines SET state = ?3, next_fire_us = NULL, paused_at_us = NULL,"
                " update_time_us = ?4 WHERE case_id = ?1 AND id = ?2 AND state IN ('running',"
                " 'paused')"));
  s.Bind(1, case_id).Bind(2, id).Bind(3, domain::DeadlineStateName(state));
  s.Bind(4, absl::ToUnixMicros(now));
  return s.Run();
}

absl::Status StopAll(Connection& c, absl::string_view case_id, absl::Time now,
                     bool keep_instalments) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("UPDATE deadlines SET state = 'cancelled', next_fire_us = NULL, paused_at_us ="
                " NULL, update_time_us = ?2 WHERE case_id = ?1 AND state IN ('running',"
                " 'paused') AND NOT (?3 AND kind = 'instalment_due')"));
  s.Bind(1, case_id).Bind(2, absl::ToUnixMicros(now)).Bind(3, int64_t{keep_instalments ? 1 : 0});
  return s.Run();
}

absl::Status StopInstalments(Connection& c, absl::string_view case_id, absl::Time now) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("UPDATE deadlines SET state = 'cancelled', next_fire_us = NULL, update_time_us ="
                " ?2 WHERE case_id = ?1 AND kind = 'instalment_due' AND state IN ('running',"
                " 'paused')"));
  s.Bind(1, case_id).Bind(2, absl::ToUnixMicros(now));
  return s.Run();
}

absl::Status StopReminders(Connection& c, absl::string_view case_id,
                           absl::string_view appointment_id, absl::Time now) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("UPDATE deadlines SET state = 'cancelled', next_fire_us = NULL, update_time_us ="
                " ?3 WHERE case_id = ?1 AND kind = 'appointment_reminder' AND subject = ?2 AND"
                " state = 'running'"));
  s.Bind(1, case_id).Bind(2, appointment_id).Bind(3, absl::ToUnixMicros(now));
  return s.Run();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Due(Connection& c, absl::Time now,
                                                                     int limit) {
  ODR_ASSIGN_OR_RETURN(
      Statement s, c.Prepare("SELECT case_id, id FROM deadlines WHERE next_fire_us IS NOT NULL AND"
                             " next_fire_us <= ?1 ORDER BY next_fire_us LIMIT ?2"));
  s.Bind(1, absl::ToUnixMicros(now)).Bind(2, int64_t{limit});
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.ColumnText(0), s.ColumnText(1));
  }
  return out;
}

absl::StatusOr<std::optional<absl::Time>> NextFire(Connection& c) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("SELECT MIN(next_fire_us) FROM deadlines WHERE next_fire_us IS NOT NULL"));
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row || s.ColumnIsNull(0)) return std::optional<absl::Time>();
  return std::optional<absl::Time>(absl::FromUnixMicros(s.ColumnInt(0)));
}

}  // namespace odr::storage::deadline_rows
