#include "storage/stats_store.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"

namespace odr::storage {

using domain::CaseAction;
using domain::StatMetric;
using domain::StatOutcome;

namespace stats_rows {
namespace {

std::string FirstAcceptedMediator(const domain::Case& k) {
  for (const auto& a : k.assignments) {
    if (a.state == domain::AssignmentState::kAccepted && !a.mediator_id.empty()) {
      return absl::StrCat("organizations/", a.organization_id, "/mediators/", a.mediator_id);
    }
  }
  return "";
}

}  // namespace

absl::Status WriteCaseFacts(Connection& c, const domain::Case& k, bool insert) {
  const std::string court = k.data.court_diversion ? k.data.court_diversion->court_id : "";
  const std::string mediator = FirstAcceptedMediator(k);
  const char* type = domain::DisputeTypeName(k.data.dispute_type);
  if (insert) {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare("INSERT INTO case_stats (case_id, organization_id, court_id, region_code,"
                  " dispute_type, mediator, diverted_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    s.Bind(1, k.id).Bind(2, k.data.organization_id).Bind(3, court).Bind(4, k.data.region_code);
    s.Bind(5, type).Bind(6, mediator);
    std::optional<int64_t> day;
    if (k.data.court_diversion) day = domain::StatDayOf(k.data.court_diversion->diversion_date);
    if (day) {
      s.Bind(7, *day);
    } else {
      s.BindNull(7);
    }
    return s.Run();
  }
  // Only when something changed, so that the indexes are not rewritten on every case write.
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("UPDATE case_stats SET organization_id = ?2, court_id = ?3, region_code = ?4,"
                " dispute_type = ?5, mediator = CASE WHEN mediator = '' THEN ?6 ELSE mediator END"
                " WHERE case_id = ?1 AND (organization_id != ?2 OR court_id != ?3 OR"
                " region_code != ?4 OR dispute_type != ?5 OR (mediator = '' AND ?6 != ''))"));
  s.Bind(1, k.id).Bind(2, k.data.organization_id).Bind(3, court).Bind(4, k.data.region_code);
  s.Bind(5, type).Bind(6, mediator);
  return s.Run();
}

absl::Status RecordTransition(Connection& c, const domain::Case& k, CaseAction action,
                              bool by_system, absl::Time time) {
  const int64_t day = domain::StatDay(time);
  const char* sql = nullptr;
  std::optional<StatOutcome> outcome;
  switch (action) {
    case CaseAction::kSubmit:
      sql = "UPDATE case_stats SET submitted_day = COALESCE(submitted_day, ?2) WHERE case_id = ?1";
      break;
    case CaseAction::kAccept:
      sql = "UPDATE case_stats SET accepted_day = COALESCE(accepted_day, ?2) WHERE case_id = ?1";
      break;
    case CaseAction::kSettle:
      outcome = StatOutcome::kSettled;
      break;
    case CaseAction::kWithdraw:
      outcome = StatOutcome::kWithdrawn;
      break;
    case CaseAction::kClose:
      outcome = by_system ? StatOutcome::kExpired : StatOutcome::kFailed;
      break;
    case CaseAction::kMediateAgain:
      // The agreement is no longer in force: the case counts by how it ends next.
      sql =
          "UPDATE case_stats SET ended_day = NULL, outcome = NULL, resolution_days = NULL"
          " WHERE case_id = ?1";
      break;
    default:
      return absl::OkStatus();
  }
  if (outcome) {
    ODR_ASSIGN_OR_RETURN(
        Statement s, c.Prepare("UPDATE case_stats SET ended_day = ?2, outcome = ?3,"
                               " resolution_days = ?2 - COALESCE(submitted_day, diverted_day, ?2)"
                               " WHERE case_id = ?1"));
    s.Bind(1, k.id).Bind(2, day).Bind(3, static_cast<int64_t>(*outcome));
    return s.Run();
  }
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(sql));
  s.Bind(1, k.id);
  if (action != CaseAction::kMediateAgain) s.Bind(2, day);
  return s.Run();
}

absl::Status RecordEnding(Connection& c, absl::string_view case_id,
                          const domain::CaseEnding& ending) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("UPDATE case_stats SET ending = ?2, ending_day = ?3"
                                              " WHERE case_id = ?1"));
  s.Bind(1, case_id).Bind(2, domain::EndingKindName(ending.kind));
  s.Bind(3, domain::StatDay(ending.time));
  return s.Run();
}

namespace {

absl::Status InsertEvent(Connection& c, absl::string_view case_id, absl::string_view kind,
                         absl::string_view subject, int64_t day) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("INSERT OR IGNORE INTO stat_events (case_id, kind, subject, day)"
                                 " VALUES (?1, ?2, ?3, ?4)"));
  s.Bind(1, case_id).Bind(2, kind).Bind(3, subject).Bind(4, day);
  return s.Run();
}

absl::Status DeleteEvent(Connection& c, absl::string_view case_id, absl::string_view kind,
                         absl::string_view subject) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("DELETE FROM stat_events WHERE case_id = ?1 AND"
                                              " kind = ?2 AND subject = ?3"));
  s.Bind(1, case_id).Bind(2, kind).Bind(3, subject);
  return s.Run();
}

}  // namespace

absl::Status RecordConfirmation(Connection& c, const domain::Confirmation& f) {
  using domain::ConfirmationState;
  if (f.submit_time) {
    ODR_RETURN_IF_ERROR(
        InsertEvent(c, f.case_id, "confirmation_applied", f.id, domain::StatDay(*f.submit_time)));
  }
  const absl::Time decided = f.decision_time.value_or(f.update_time);
  switch (f.state) {
    case ConfirmationState::kRuledValid:
      return InsertEvent(c, f.case_id, "confirmation_confirmed", f.id, domain::StatDay(decided));
    case ConfirmationState::kRuledRejected:
    case ConfirmationState::kRefused:
      return InsertEvent(c, f.case_id, "confirmation_rejected", f.id, domain::StatDay(decided));
    case ConfirmationState::kRevoked:
      // Revoked on an objection (Interp Art. 372): no longer a confirmation.
      return DeleteEvent(c, f.case_id, "confirmation_confirmed", f.id);
    case ConfirmationState::kAccepted:
      // A rejection set aside on an objection: the court rules again.
      return DeleteEvent(c, f.case_id, "confirmation_rejected", f.id);
    default:
      return absl::OkStatus();
  }
}

absl::Status RecordBreach(Connection& c, absl::string_view case_id, absl::string_view deadline_id,
                          absl::Time due, absl::Time time) {
  return InsertEvent(c, case_id, "deadline_breach",
                     absl::StrCat(deadline_id, ":", absl::ToUnixMicros(due)),
                     domain::StatDay(time));
}

absl::Status CheckIntakeReferenceFree(Connection& c, absl::string_view court_id,
                                      absl::string_view reference) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT 1 FROM court_intakes WHERE court_id = ?1"
                                              " AND intake_reference = ?2"));
  s.Bind(1, court_id).Bind(2, reference);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  ODR_RETURN_IF_ERROR(s.Run());
  if (!row) return absl::OkStatus();
  return MakeError(absl::StatusCode::kAlreadyExists, "INTAKE_REFERENCE_TAKEN",
                   absl::StrCat("intake reference ", reference,
                                " is recorded as a dispute this court did not divert"));
}

}  // namespace stats_rows

namespace {

std::optional<int64_t> OptInt(Statement& s, int col) {
  if (s.ColumnIsNull(col)) return std::nullopt;
  return s.ColumnInt(col);
}

// The WHERE clause of the scope over case_stats aliased `s`, with parameters from ?3 on (?1, ?2
// are the period), and the values to bind.
struct ScopeSql {
  std::string where;
  std::vector<std::string> values;
};

ScopeSql CaseScope(const domain::StatsScope& scope) {
  ScopeSql out;
  std::vector<std::string> terms;
  const auto add = [&](absl::string_view column, const std::string& value) {
    out.values.push_back(value);
    terms.push_back(absl::StrCat("s.", column, " = ?", out.values.size() + 2));
  };
  using Kind = domain::StatsScope::Kind;
  if (scope.kind == Kind::kCourt) add("court_id", scope.court_id);
  if (scope.kind == Kind::kOrganization) add("organization_id", scope.organization_id);
  if (scope.kind == Kind::kMediator) add("mediator", scope.MediatorName());
  if (!scope.dispute_type.empty()) add("dispute_type", scope.dispute_type);
  if (!scope.region_code.empty()) add("region_code", scope.region_code);
  out.where = terms.empty() ? "" : absl::StrCat(" WHERE ", absl::StrJoin(terms, " AND "));
  return out;
}

void BindScope(Statement& s, const ScopeSql& where) {
  for (size_t i = 0; i < where.values.size(); ++i) {
    s.Bind(static_cast<int>(i) + 3, where.values[i]);
  }
}

// Runs `sql` (a SELECT whose WHERE takes the period as ?1 and ?2, over a table aliased `s` with
// the scope's columns) narrowed to the scope and grouped by `group_by`; `row` sees each row.
absl::Status ForEachGroup(Connection& c, std::string sql, const ScopeSql& where,
                          absl::string_view group_by, int64_t start_day, int64_t end_day,
                          const std::function<void(Statement&)>& row) {
  if (!where.where.empty()) absl::StrAppend(&sql, " AND", where.where.substr(6));
  absl::StrAppend(&sql, " GROUP BY ", group_by);
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(sql));
  s.Bind(1, start_day).Bind(2, end_day);
  BindScope(s, where);
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) return absl::OkStatus();
    row(s);
  }
}

}  // namespace

absl::StatusOr<domain::StatsTally> StatsStore::Report(int64_t start_day, int64_t end_day,
                                                      const domain::StatsScope& scope) {
  domain::StatsTally tally(start_day, end_day);
  const ScopeSql where = CaseScope(scope);
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    {
      ODR_ASSIGN_OR_RETURN(
          Statement s,
          c.Prepare(absl::StrCat("SELECT s.diverted_day, s.submitted_day, s.accepted_day,"
                                 " s.ended_day, s.outcome, s.resolution_days, s.ending,"
                                 " s.ending_day FROM case_stats s",
                                 where.where)));
      BindScope(s, where);
      while (true) {
        ODR_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        const std::optional<int64_t> diverted = OptInt(s, 0);
        tally.Add(StatMetric::kDiverted, diverted);
        tally.Add(StatMetric::kPresented, diverted);
        tally.Add(StatMetric::kApplications, OptInt(s, 1));
        tally.Add(StatMetric::kAccepted, OptInt(s, 2));
        const std::optional<int64_t> ended = OptInt(s, 3);
        const std::optional<int64_t> outcome = OptInt(s, 4);
        if (ended && outcome && *outcome >= 1 && *outcome <= 4) {
          tally.Add(domain::OutcomeMetric(static_cast<StatOutcome>(*outcome)), ended);
          tally.AddResolution(ended, OptInt(s, 5).value_or(0));
        }
        if (std::optional<std::string> ending = s.ColumnOptionalText(6)) {
          if (auto kind = domain::EndingKindFromName(*ending)) {
            if (auto m = domain::EndingMetric(*kind)) tally.Add(*m, OptInt(s, 7));
          }
        }
      }
    }
    // Repeated facts: over the period's rows of stat_events, joined to the scope's cases.
    ODR_RETURN_IF_ERROR(ForEachGroup(
        c,
        "SELECT e.kind, e.day, COUNT(*) FROM stat_events e JOIN case_stats s ON s.case_id ="
        " e.case_id WHERE e.day BETWEEN ?1 AND ?2",
        where, "e.kind, e.day", start_day, end_day, [&](Statement& s) {
          const std::string kind = s.ColumnText(0);
          StatMetric m = StatMetric::kDeadlineBreaches;
          if (kind == "confirmation_applied") m = StatMetric::kConfirmationsApplied;
          if (kind == "confirmation_confirmed") m = StatMetric::kConfirmationsConfirmed;
          if (kind == "confirmation_rejected") m = StatMetric::kConfirmationsRejected;
          tally.Add(m, s.ColumnInt(1), s.ColumnInt(2));
        }));
    // Disputes presented at court intake and not diverted: none before an organization.
    using Kind = domain::StatsScope::Kind;
    if (scope.kind == Kind::kPlatform || scope.kind == Kind::kCourt) {
      ODR_RETURN_IF_ERROR(ForEachGroup(
          c,
          "SELECT presented_day, COUNT(*) FROM court_intakes s WHERE presented_day BETWEEN ?1"
          " AND ?2",
          where, "presented_day", start_day, end_day, [&](Statement& s) {
            tally.Add(StatMetric::kPresented, s.ColumnInt(0), s.ColumnInt(1));
          }));
    }
    return absl::OkStatus();
  }));
  return tally;
}

absl::StatusOr<Intake> StatsStore::RecordIntake(const Intake& intake) {
  Intake result = intake;
  const std::optional<int64_t> day = domain::StatDayOf(intake.presented_date);
  if (!day) return InvalidFieldError("intake.presented_date", "must be a date, YYYY-MM-DD");
  ODR_RETURN_IF_ERROR(db_->Write([&](Connection& c) -> absl::Status {
    {
      ODR_ASSIGN_OR_RETURN(
          Statement s,
          c.Prepare("SELECT id, presented_date, dispute_type, region_code, disposition,"
                    " create_time_us FROM court_intakes WHERE court_id = ?1 AND"
                    " intake_reference = ?2"));
      s.Bind(1, intake.court_id).Bind(2, intake.intake_reference);
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) {
        Intake prior = intake;
        prior.id = s.ColumnText(0);
        prior.create_time = absl::FromUnixMicros(s.ColumnInt(5));
        if (s.ColumnText(1) == intake.presented_date && s.ColumnText(2) == intake.dispute_type &&
            s.ColumnText(3) == intake.region_code && s.ColumnText(4) == intake.disposition) {
          result = prior;
          return absl::OkStatus();
        }
        return MakeError(absl::StatusCode::kAlreadyExists, "INTAKE_REFERENCE_TAKEN",
                         absl::StrCat("intake reference ", intake.intake_reference,
                                      " is already recorded with other details"));
      }
    }
    {
      ODR_ASSIGN_OR_RETURN(Statement s,
                           c.Prepare("SELECT 1 FROM cases WHERE diversion_court = ?1 AND"
                                     " diversion_intake_reference = ?2 LIMIT 1"));
      s.Bind(1, intake.court_id).Bind(2, intake.intake_reference);
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      ODR_RETURN_IF_ERROR(s.Run());
      if (row) {
        return MakeError(absl::StatusCode::kAlreadyExists, "INTAKE_REFERENCE_TAKEN",
                         absl::StrCat("intake reference ", intake.intake_reference,
                                      " belongs to a dispute this court diverted"));
      }
    }
    result.id = ids_->NewId();
    result.create_time = clock_->Now();
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare("INSERT INTO court_intakes (court_id, intake_reference, id, presented_date,"
                  " presented_day, dispute_type, region_code, disposition, create_time_us)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    s.Bind(1, result.court_id).Bind(2, result.intake_reference).Bind(3, result.id);
    s.Bind(4, result.presented_date).Bind(5, *day).Bind(6, result.dispute_type);
    s.Bind(7, result.region_code).Bind(8, result.disposition);
    s.Bind(9, absl::ToUnixMicros(result.create_time));
    return s.Run();
  }));
  return result;
}

}  // namespace odr::storage
