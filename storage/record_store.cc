#include "storage/record_store.h"

#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "storage/case_rows.h"

namespace odr::storage {

using domain::ProcedureRecord;

namespace record_rows {

absl::StatusOr<std::vector<ProcedureRecord>> List(Connection& c, absl::string_view case_id) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("SELECT id, kind, party, mediator, manner, detail, appointment,"
                                 " granted, recorded_by, time_us FROM procedure_records WHERE"
                                 " case_id = ?1 ORDER BY ordinal"));
  s.Bind(1, case_id);
  std::vector<ProcedureRecord> out;
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ProcedureRecord r;
    r.case_id = std::string(case_id);
    r.id = s.ColumnText(0);
    auto kind = domain::RecordKindFromName(s.ColumnText(1));
    if (!kind) return case_rows::Corrupt("procedure_records.kind");
    r.kind = *kind;
    r.party = s.ColumnText(2);
    r.mediator = s.ColumnText(3);
    r.manner = s.ColumnText(4);
    r.detail = s.ColumnText(5);
    r.appointment = s.ColumnText(6);
    r.granted = s.ColumnInt(7) != 0;
    r.recorded_by = s.ColumnText(8);
    r.record_time = absl::FromUnixMicros(s.ColumnInt(9));
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<int> SeparateSessionsHeld(Connection& c, absl::string_view case_id, absl::Time now) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("SELECT COUNT(*) FROM appointments WHERE case_id = ?1 AND kind ="
                                 " 'separate_session' AND state = 'scheduled' AND start_us <= ?2"));
  s.Bind(1, case_id).Bind(2, absl::ToUnixMicros(now));
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<int>(s.ColumnInt(0)) : 0;
}

}  // namespace record_rows

absl::StatusOr<ProcedureRecord> RecordStore::Add(const ProcedureRecord& record,
                                                 const domain::Principal& who,
                                                 const domain::MutationContext& ctx) {
  ProcedureRecord result = record;
  ODR_RETURN_IF_ERROR(
      cases_
          ->MutateCaseFor(
              record.case_id, std::nullopt, ctx,
              [&](Connection& c, domain::Case& k) -> absl::Status {
                ODR_RETURN_IF_ERROR(domain::AuthorizeRecord(who, k, record));
                ODR_ASSIGN_OR_RETURN(std::vector<ProcedureRecord> earlier,
                                     record_rows::List(c, k.id));
                ODR_RETURN_IF_ERROR(domain::CheckRecord(k, record, earlier));
                if (!record.appointment.empty()) {
                  ODR_ASSIGN_OR_RETURN(
                      Statement q,
                      c.Prepare("SELECT 1 FROM appointments WHERE case_id = ?1 AND id = ?2 AND"
                                " state = 'scheduled'"));
                  q.Bind(1, k.id).Bind(2, record.appointment);
                  ODR_ASSIGN_OR_RETURN(bool found, q.Step());
                  if (!found) {
                    return InvalidFieldError(
                        "record.appointment",
                        absl::StrCat("names no scheduled appointment of cases/", k.id));
                  }
                }
                result.id = ids_->NewId();
                result.recorded_by = ctx.actor;
                result.record_time = k.update_time;
                ODR_ASSIGN_OR_RETURN(
                    Statement s,
                    c.Prepare("INSERT INTO procedure_records (case_id, id, ordinal, kind, party,"
                              " mediator, manner, detail, appointment, granted, recorded_by,"
                              " time_us) VALUES (?1, ?2, (SELECT COALESCE(MAX(ordinal), 0) + 1"
                              " FROM procedure_records WHERE case_id = ?1), ?3, ?4, ?5, ?6, ?7,"
                              " ?8, ?9, ?10, ?11)"));
                s.Bind(1, k.id).Bind(2, result.id).Bind(3, domain::RecordKindName(result.kind));
                s.Bind(4, result.party).Bind(5, result.mediator).Bind(6, result.manner);
                s.Bind(7, result.detail).Bind(8, result.appointment);
                s.Bind(9, int64_t{result.granted ? 1 : 0}).Bind(10, result.recorded_by);
                s.Bind(11, absl::ToUnixMicros(result.record_time));
                ODR_RETURN_IF_ERROR(s.Run());
                ODR_RETURN_IF_ERROR(case_rows::AppendEvent(
                    c, k.id, ctx.actor, result.record_time, k.state, k.state,
                    domain::RecordEventText(result),
                    {domain::EventKind::kProcedureRecorded, domain::RecordAudience(result.kind),
                     absl::StrCat("records/", result.id)}));
                if (auto why = domain::ClosingReason(result)) {
                  ODR_RETURN_IF_ERROR(SqliteCaseStore::ApplyAction(c, k, domain::CaseAction::kClose,
                                                                   *why, ctx.actor));
                }
                return absl::OkStatus();
              })
          .status());
  return result;
}

absl::StatusOr<std::pair<std::vector<ProcedureRecord>, domain::Case>> RecordStore::List(
    absl::string_view case_id) {
  std::pair<std::vector<ProcedureRecord>, domain::Case> out;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out.second, case_rows::LoadCase(c, case_id));
    ODR_ASSIGN_OR_RETURN(out.first, record_rows::List(c, case_id));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace odr::storage
