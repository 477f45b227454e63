#include "storage/sqlite_case_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "server/domain/authorization.h"
#include "server/domain/confirmation_review.h"
#include "server/domain/errors.h"
#include "server/domain/procedure.h"
#include "server/domain/roster.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "storage/access_log.h"
#include "storage/case_rows.h"
#include "storage/deadline_rows.h"
#include "storage/roster_store.h"
#include "storage/schedule_store.h"
#include "storage/stats_store.h"

namespace odr::storage {

using domain::Case;
using domain::CaseAction;
using domain::CaseData;
using domain::CaseEvent;
using domain::CaseState;
using domain::Party;

namespace case_rows {

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("stored value is not recognised: ", what));
}

constexpr char kSelectCase[] =
    "SELECT id, case_number, dispute_type, summary, claims, amount_fen, region_code,"
    " diversion_court, diversion_intake_reference, diversion_date, state, create_time_us,"
    " update_time_us, version, organization_id, diversion_court_display_name, language,"
    " diversion_procedure, subject_matter_region, intermediate_court_matter FROM cases WHERE"
    " id = ?1";

absl::Status LoadParties(Connection& c, Case& out) {
  ODR_ASSIGN_OR_RETURN(
      Statement stmt,
      c.Prepare("SELECT side, ordinal, agent_ordinal, kind, name, id_document_type, id_number,"
                " phone, service_address, special_authority, domicile_region, domicile_basis,"
                " domicile_material FROM case_parties WHERE case_id = ?1"
                " ORDER BY side, ordinal, agent_ordinal"));
  stmt.Bind(1, out.id);
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::vector<Party>& side =
        stmt.ColumnText(0) == "applicant" ? out.data.applicants : out.data.respondents;
    int64_t agent = stmt.ColumnInt(2);
    auto id_type = domain::IdDocumentTypeFromName(stmt.ColumnText(5));
    if (!id_type) return Corrupt("id_document_type");
    if (agent == 0) {
      Party p;
      auto kind = domain::PartyKindFromName(stmt.ColumnText(3));
      if (!kind) return Corrupt("party kind");
      p.kind = *kind;
      p.name = stmt.ColumnText(4);
      p.id_document_type = *id_type;
      p.id_number = stmt.ColumnText(6);
      p.phone = stmt.ColumnText(7);
      p.service_address = stmt.ColumnText(8);
      if (!stmt.ColumnText(10).empty()) {
        auto basis = domain::DomicileBasisFromName(stmt.ColumnText(11));
        if (!basis) return Corrupt("domicile_basis");
        p.domicile = domain::Domicile{stmt.ColumnText(10), *basis, stmt.ColumnText(12)};
      }
      side.push_back(std::move(p));
    } else {
      if (side.empty()) return Corrupt("agent without party");
      domain::Agent a;
      a.name = stmt.ColumnText(4);
      a.id_document_type = *id_type;
      a.id_number = stmt.ColumnText(6);
      a.phone = stmt.ColumnText(7);
      a.service_address = stmt.ColumnText(8);
      a.special_authority = stmt.ColumnInt(9) != 0;
      side.back().agents.push_back(std::move(a));
    }
  }
  return absl::OkStatus();
}

const char* AssignmentStateName(domain::AssignmentState s) {
  switch (s) {
    case domain::AssignmentState::kProposed:
      return "proposed";
    case domain::AssignmentState::kAccepted:
      return "accepted";
    case domain::AssignmentState::kDeclined:
      return "declined";
    case domain::AssignmentState::kReplaced:
      return "replaced";
    case domain::AssignmentState::kLapsed:
      return "lapsed";
  }
  return "proposed";
}

std::optional<domain::AssignmentState> AssignmentStateFromName(absl::string_view n) {
  for (auto s : {domain::AssignmentState::kProposed, domain::AssignmentState::kAccepted,
                 domain::AssignmentState::kDeclined, domain::AssignmentState::kReplaced,
                 domain::AssignmentState::kLapsed}) {
    if (n == AssignmentStateName(s)) return s;
  }
  return std::nullopt;
}

const char* AssignmentMethodName(domain::AssignmentMethod m) {
  switch (m) {
    case domain::AssignmentMethod::kJointChoice:
      return "joint_choice";
    case domain::AssignmentMethod::kOrganization:
      return "organization";
    case domain::AssignmentMethod::kAutomatic:
      return "automatic";
  }
  return "organization";
}

std::optional<domain::AssignmentMethod> AssignmentMethodFromName(absl::string_view n) {
  for (auto m : {domain::AssignmentMethod::kJointChoice, domain::AssignmentMethod::kOrganization,
                 domain::AssignmentMethod::kAutomatic}) {
    if (n == AssignmentMethodName(m)) return m;
  }
  return std::nullopt;
}

// The accounts of the mediators proposed or accepted: who the authorization rules treat as the
// case's mediators.
void RefreshMediatorIds(Case& k) {
  k.mediator_ids.clear();
  for (const auto& a : k.assignments) {
    if (a.active()) k.mediator_ids.push_back(a.principal_id);
  }
}

absl::StatusOr<Case> LoadCase(Connection& c, absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(Statement stmt, c.Prepare(kSelectCase));
  stmt.Bind(1, id);
  ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return domain::CaseNotFoundError(id);
  Case out;
  out.id = stmt.ColumnText(0);
  out.case_number = stmt.ColumnText(1);
  auto type = domain::DisputeTypeFromName(stmt.ColumnText(2));
  if (!type) return Corrupt("dispute_type");
  out.data.dispute_type = *type;
  out.data.summary = stmt.ColumnText(3);
  out.data.claims = stmt.ColumnText(4);
  out.data.amount_fen = stmt.ColumnInt(5);
  out.data.region_code = stmt.ColumnText(6);
  if (!stmt.ColumnIsNull(7)) {
    out.data.court_diversion =
        domain::CourtDiversion{stmt.ColumnText(7), stmt.ColumnText(8), stmt.ColumnText(9),
                               stmt.ColumnOptionalText(15).value_or("")};
    auto procedure = domain::ProcedureFromName(stmt.ColumnOptionalText(17).value_or("pre_filing"));
    if (!procedure) return Corrupt("diversion_procedure");
    out.data.court_diversion->procedure = *procedure;
  }
  out.data.organization_id = stmt.ColumnText(14);
  out.data.language = stmt.ColumnText(16);
  out.data.subject_matter_region_code = stmt.ColumnText(18);
  out.data.intermediate_court_matter = stmt.ColumnInt(19) != 0;
  auto state = domain::StateFromName(stmt.ColumnText(10));
  if (!state) return Corrupt("state");
  out.state = *state;
  out.create_time = absl::FromUnixMicros(stmt.ColumnInt(11));
  out.update_time = absl::FromUnixMicros(stmt.ColumnInt(12));
  out.version = stmt.ColumnInt(13);
  ODR_RETURN_IF_ERROR(LoadParties(c, out));
  ODR_ASSIGN_OR_RETURN(
      Statement m,
      c.Prepare("SELECT mediator_id, mediator_org, roster_id, status, method, reason FROM"
                " case_mediators WHERE case_id = ?1 ORDER BY ordinal"));
  m.Bind(1, out.id);
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, m.Step());
    if (!row) break;
    domain::MediatorAssignment a;
    a.principal_id = m.ColumnText(0);
    a.organization_id = m.ColumnText(1);
    a.mediator_id = m.ColumnText(2);
    auto st = AssignmentStateFromName(m.ColumnText(3));
    auto how = AssignmentMethodFromName(m.ColumnText(4));
    if (!st || !how) return Corrupt("assignment");
    a.state = *st;
    a.method = *how;
    a.reason = m.ColumnText(5);
    out.assignments.push_back(std::move(a));
  }
  RefreshMediatorIds(out);
  if (out.state == CaseState::kClosed || out.state == CaseState::kConcluded) {
    ODR_ASSIGN_OR_RETURN(Statement e,
                         c.Prepare("SELECT kind, reason, cost_conduct, court_document, actor,"
                                   " time_us FROM case_endings WHERE case_id = ?1"));
    e.Bind(1, out.id);
    ODR_ASSIGN_OR_RETURN(bool row, e.Step());
    if (row) {
      domain::CaseEnding ending;
      auto kind = domain::EndingKindFromName(e.ColumnText(0));
      if (!kind) return Corrupt("case_endings.kind");
      ending.kind = *kind;
      ending.reason = e.ColumnText(1);
      ending.cost_conduct = e.ColumnText(2);
      ending.court_document = e.ColumnText(3);
      ending.actor = e.ColumnText(4);
      ending.time = absl::FromUnixMicros(e.ColumnInt(5));
      out.ending = std::move(ending);
    }
    ODR_RETURN_IF_ERROR(e.Run());
  }
  return out;
}

absl::Status WriteSide(Connection& c, absl::string_view id, absl::string_view side,
                       const std::vector<Party>& parties) {
  {
    ODR_ASSIGN_OR_RETURN(Statement del,
                         c.Prepare("DELETE FROM case_parties WHERE case_id = ?1 AND side = ?2"));
    del.Bind(1, id).Bind(2, side);
    ODR_RETURN_IF_ERROR(del.Run());
  }
  ODR_ASSIGN_OR_RETURN(
      Statement ins,
      c.Prepare("INSERT INTO case_parties (case_id, side, ordinal, agent_ordinal, kind, name,"
                " id_document_type, id_number, phone, service_address, special_authority,"
                " domicile_region, domicile_basis, domicile_material)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
  for (size_t i = 0; i < parties.size(); ++i) {
    const Party& p = parties[i];
    ins.Bind(1, id).Bind(2, side).Bind(3, static_cast<int64_t>(i)).Bind(4, int64_t{0});
    ins.Bind(5, domain::PartyKindName(p.kind)).Bind(6, p.name);
    ins.Bind(7, domain::IdDocumentTypeName(p.id_document_type)).Bind(8, p.id_number);
    ins.Bind(9, p.phone).Bind(10, p.service_address).Bind(11, int64_t{0});
    if (p.domicile) {
      ins.Bind(12, p.domicile->region_code).Bind(13, domain::DomicileBasisName(p.domicile->basis));
      ins.Bind(14, p.domicile->material);
    } else {
      ins.Bind(12, "").Bind(13, "").Bind(14, "");
    }
    ODR_RETURN_IF_ERROR(ins.Run());
    for (size_t j = 0; j < p.agents.size(); ++j) {
      const domain::Agent& a = p.agents[j];
      ins.Bind(1, id).Bind(2, side).Bind(3, static_cast<int64_t>(i));
      ins.Bind(4, static_cast<int64_t>(j + 1)).BindNull(5).Bind(6, a.name);
      ins.Bind(7, domain::IdDocumentTypeName(a.id_document_type)).Bind(8, a.id_number);
      ins.Bind(9, a.phone).Bind(10, a.service_address);
      ins.Bind(11, int64_t{a.special_authority ? 1 : 0});
      ins.Bind(12, "").Bind(13, "").Bind(14, "");
      ODR_RETURN_IF_ERROR(ins.Run());
    }
  }
  return absl::OkStatus();
}

absl::Status AppendEvent(Connection& c, absl::string_view id, absl::string_view actor,
                         absl::Time time, std::optional<CaseState> from, CaseState to,
                         absl::string_view reason, const EventInfo& info) {
  ODR_ASSIGN_OR_RETURN(
      Statement stmt,
      c.Prepare("INSERT INTO case_events (case_id, seq, actor, time_us, from_state, to_state,"
                " reason, kind, subject, audience, acting_through) VALUES (?1,"
                " (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = ?1), ?2, ?3,"
                " ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  stmt.Bind(1, id).Bind(2, actor).Bind(3, absl::ToUnixMicros(time));
  // The partner app the caller acts through; never for what the service does by itself.
  stmt.Bind(10, actor == "system" ? std::string() : c.acting_through());
  if (from) {
    stmt.Bind(4, domain::StateName(*from));
  } else {
    stmt.BindNull(4);
  }
  stmt.Bind(5, domain::StateName(to)).Bind(6, reason);
  stmt.Bind(7, domain::EventKindName(info.kind)).Bind(8, info.subject);
  stmt.Bind(9, domain::EventAudienceName(info.audience));
  ODR_RETURN_IF_ERROR(stmt.Run());
  c.NoteEventAppended();
  return absl::OkStatus();
}

absl::Status ReadEventColumns(Statement& stmt, CaseEvent* e) {
  e->seq = stmt.ColumnInt(0);
  e->actor = stmt.ColumnText(1);
  e->time = absl::FromUnixMicros(stmt.ColumnInt(2));
  if (auto from = stmt.ColumnOptionalText(3)) {
    e->from_state = domain::StateFromName(*from);
    if (!e->from_state) return Corrupt("from_state");
  }
  auto to = domain::StateFromName(stmt.ColumnText(4));
  if (!to) return Corrupt("to_state");
  e->to_state = *to;
  e->reason = stmt.ColumnText(5);
  e->event_id = stmt.ColumnInt(6);
  auto kind = domain::EventKindFromName(stmt.ColumnText(7));
  auto audience = domain::EventAudienceFromName(stmt.ColumnText(9));
  if (!kind || !audience) return Corrupt("case_events.kind");
  e->kind = *kind;
  e->subject = stmt.ColumnText(8);
  e->audience = *audience;
  e->acting_through = stmt.ColumnText(10);
  return absl::OkStatus();
}

}  // namespace case_rows

// Also used by the rest of this file.
using case_rows::AppendEvent;
using case_rows::AssignmentMethodFromName;
using case_rows::AssignmentMethodName;
using case_rows::AssignmentStateFromName;
using case_rows::AssignmentStateName;
using case_rows::Corrupt;
using case_rows::LoadCase;
using case_rows::RefreshMediatorIds;
using case_rows::WriteSide;

namespace {

// Returns the case id a previous call with this request_id produced within the retention period
// (domain::kRequestIdRetention; forever for a permanent key), if any.
absl::StatusOr<std::optional<std::string>> FindRequest(Connection& c,
                                                       const domain::MutationContext& ctx,
                                                       absl::Time now) {
  if (ctx.request_id.empty()) return std::nullopt;
  ODR_ASSIGN_OR_RETURN(Statement stmt, c.Prepare("SELECT fingerprint, case_id FROM idempotency_keys"
                                                 " WHERE method = ?1 AND request_id = ?2"
                                                 " AND (permanent = 1 OR create_time_us >= ?3)"));
  stmt.Bind(1, ctx.method).Bind(2, ctx.request_id);
  stmt.Bind(3, absl::ToUnixMicros(now - domain::kRequestIdRetention));
  ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::nullopt;
  if (stmt.ColumnText(0) != ctx.request_fingerprint) {
    // Name the method asked, never the internal key (which holds the principal).
    const absl::string_view rpc = absl::string_view(ctx.rpc).substr(ctx.rpc.rfind('/') + 1);
    return MakeError(
        absl::StatusCode::kAlreadyExists, kReasonRequestIdReused,
        absl::StrCat("request_id '", ctx.request_id, "' was already used for another request (",
                     rpc.empty() ? "" : absl::StrCat(rpc, " with other fields, or "),
                     "another method); use a new request_id"));
  }
  return stmt.ColumnText(1);
}

// Remembers the request_id, and forgets those older than the retention period (the index on
// create_time_us keeps that to the few that expired since the last write).
absl::Status RecordRequest(Connection& c, const domain::MutationContext& ctx,
                           absl::string_view case_id, absl::Time now) {
  if (ctx.request_id.empty()) return absl::OkStatus();
  ODR_ASSIGN_OR_RETURN(Statement purge, c.Prepare("DELETE FROM idempotency_keys WHERE permanent = 0"
                                                  " AND create_time_us < ?1"));
  purge.Bind(1, absl::ToUnixMicros(now - domain::kRequestIdRetention));
  ODR_RETURN_IF_ERROR(purge.Run());
  ODR_ASSIGN_OR_RETURN(
      Statement stmt,
      c.Prepare("INSERT INTO idempotency_keys (method, request_id, fingerprint, case_id,"
                " create_time_us, permanent) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                " ON CONFLICT (method, request_id) DO UPDATE SET fingerprint = ?3, case_id = ?4,"
                " create_time_us = ?5, permanent = ?6"));
  stmt.Bind(1, ctx.method).Bind(2, ctx.request_id).Bind(3, ctx.request_fingerprint);
  stmt.Bind(4, case_id).Bind(5, absl::ToUnixMicros(now));
  stmt.Bind(6, int64_t{ctx.request_id_permanent ? 1 : 0});
  return stmt.Run();
}

absl::Status SetLoad(Connection& c, absl::string_view principal_id, int delta, bool ended) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("UPDATE mediators SET active_cases = MAX(active_cases + ?2, 0),"
                                 " recent_ended = recent_ended + ?3 WHERE principal_id = ?1"));
  s.Bind(1, principal_id).Bind(2, static_cast<int64_t>(delta)).Bind(3, int64_t{ended ? 1 : 0});
  return s.Run();
}

// A mediator who handled a case may never act in it as an agent (court-invited mediation rules
// Art. 16).
absl::Status CheckNoMediatorAsAgent(Connection& c, absl::string_view case_id,
                                    const std::vector<Party>& side) {
  ODR_ASSIGN_OR_RETURN(
      Statement s, c.Prepare("SELECT 1 FROM case_mediators cm JOIN mediators m ON m.principal_id ="
                             " cm.mediator_id WHERE cm.case_id = ?1 AND m.id_number = ?2"));
  for (const Party& p : side) {
    for (const domain::Agent& a : p.agents) {
      s.Bind(1, case_id).Bind(2, a.id_number);
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      ODR_RETURN_IF_ERROR(s.Run());
      if (row) {
        return MakeError(absl::StatusCode::kFailedPrecondition, "MEDIATOR_AS_AGENT",
                         "a mediator who handled this case may not act in it as an agent");
      }
    }
  }
  return absl::OkStatus();
}

// Records the call in the access log, in the caller's transaction, when ctx.rpc is set: a change,
// or (`change` false) a retry answered from the idempotency record, which returns the case as it
// is now and so is recorded like a read of it (the change was recorded when it was made).
absl::Status RecordAccess(Connection& c, const domain::MutationContext& ctx,
                          absl::string_view case_id, absl::Time now, bool change) {
  if (ctx.rpc.empty()) return absl::OkStatus();
  AccessRecord r;
  r.time = now;
  r.principal_id = ctx.actor;
  r.acting_through = ctx.acting_through;
  r.method = ctx.rpc;
  r.resource = absl::StrCat("cases/", case_id);
  r.change = change;
  return AppendAccessRecord(c, r);
}

absl::Status StaleEtag(const Case& current) {
  return MakeError(absl::StatusCode::kAborted, kReasonStaleEtag,
                   absl::StrCat("etag is stale: cases/", current.id,
                                " was changed by someone else; get it again and retry"));
}

absl::Status WriteCaseRow(Connection& c, const Case& k, bool insert) {
  const char* sql =
      insert ? "INSERT INTO cases (id, case_number, dispute_type, summary, claims, amount_fen,"
               " region_code, diversion_court, diversion_intake_reference, diversion_date, state,"
               " create_time_us, update_time_us, version, organization_id,"
               " diversion_court_display_name, language, diversion_procedure,"
               " subject_matter_region, intermediate_court_matter)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
               " ?17, ?18, ?19, ?20)"
             : "UPDATE cases SET case_number = ?2, dispute_type = ?3, summary = ?4, claims = ?5,"
               " amount_fen = ?6, region_code = ?7, diversion_court = ?8,"
               " diversion_intake_reference = ?9, diversion_date = ?10, state = ?11,"
               " create_time_us = ?12, update_time_us = ?13, version = ?14, organization_id = ?15,"
               " diversion_court_display_name = ?16, language = ?17, diversion_procedure = ?18,"
               " subject_matter_region = ?19, intermediate_court_matter = ?20 WHERE id = ?1";
  ODR_ASSIGN_OR_RETURN(Statement stmt, c.Prepare(sql));
  stmt.Bind(1, k.id).Bind(2, k.case_number).Bind(3, domain::DisputeTypeName(k.data.dispute_type));
  stmt.Bind(4, k.data.summary).Bind(5, k.data.claims).Bind(6, k.data.amount_fen);
  stmt.Bind(7, k.data.region_code);
  if (k.data.court_diversion) {
    stmt.Bind(8, k.data.court_diversion->court_id);
    stmt.Bind(9, k.data.court_diversion->intake_reference);
    stmt.Bind(10, k.data.court_diversion->diversion_date);
    stmt.Bind(16, k.data.court_diversion->court_display_name);
    stmt.Bind(18, domain::ProcedureName(k.data.court_diversion->procedure));
  } else {
    stmt.BindNull(8).BindNull(9).BindNull(10).BindNull(16).BindNull(18);
  }
  stmt.Bind(15, k.data.organization_id).Bind(17, k.data.language);
  stmt.Bind(19, k.data.subject_matter_region_code);
  stmt.Bind(20, int64_t{k.data.intermediate_court_matter ? 1 : 0});
  stmt.Bind(11, domain::StateName(k.state)).Bind(12, absl::ToUnixMicros(k.create_time));
  stmt.Bind(13, absl::ToUnixMicros(k.update_time)).Bind(14, k.version);
  ODR_RETURN_IF_ERROR(stmt.Run());
  return stats_rows::WriteCaseFacts(c, k, insert);
}

// The actor of what the service does by itself (deadline actions).
constexpr char kSystemActor[] = "system";

// Starts and stops deadlines as `plan` says, with a DEADLINE_STARTED event for each new one.
absl::Status ApplyPlan(Connection& c, const domain::StatutoryClock& clock,
                       const domain::DeadlinePlan& plan, const Case& k, absl::string_view actor,
                       absl::Time now) {
  if (plan.stop_all) {
    ODR_RETURN_IF_ERROR(
        CancelScheduledAppointments(c, k, std::nullopt, "the case ended", actor, now));
    ODR_RETURN_IF_ERROR(deadline_rows::StopAll(c, k.id, now, plan.keep_instalments));
  }
  for (const std::string& mediator : plan.released_mediators) {
    ODR_RETURN_IF_ERROR(CancelScheduledAppointments(
        c, k, mediator, "the mediator no longer mediates the case", actor, now));
  }
  for (const auto& stop : plan.stop) {
    ODR_RETURN_IF_ERROR(deadline_rows::Stop(c, k.id, stop.id, stop.state, now));
  }
  for (const domain::Deadline& d : plan.start) {
    bool inserted = false;
    ODR_RETURN_IF_ERROR(deadline_rows::Insert(c, d, &inserted));
    if (!inserted) continue;
    ODR_RETURN_IF_ERROR(
        AppendEvent(c, k.id, actor, now, k.state, k.state, clock.StartedMessage(d),
                    {domain::EventKind::kDeadlineStarted, domain::StatutoryClock::Audience(d.kind),
                     absl::StrCat("deadlines/", d.id)}));
  }
  return absl::OkStatus();
}

// Moves `k` (whose update_time is set) through `action`, releasing its mediators if it ends, with
// the event; records the ending the route gives (domain/procedure.h) and, for a referral, puts the
// case in its court's queue with the event saying what the court does next (OMR Arts. 20-21).
absl::Status ApplyTransition(Connection& c, Case& k, CaseAction action,
                             const domain::TransitionNote& note, absl::string_view actor) {
  if (action == CaseAction::kConclude) ODR_RETURN_IF_ERROR(domain::CheckCanConclude(k));
  if (action == CaseAction::kClose && k.state == CaseState::kSettled) {
    // A party sues after a rejection (CPL Art. 206): the latest application decides.
    ODR_ASSIGN_OR_RETURN(Statement q, c.Prepare("SELECT state FROM confirmations WHERE case_id ="
                                                " ?1 ORDER BY create_time_us DESC, id DESC"
                                                " LIMIT 1"));
    q.Bind(1, k.id);
    ODR_ASSIGN_OR_RETURN(bool row, q.Step());
    std::optional<domain::ConfirmationState> latest;
    if (row) latest = domain::ConfirmationStateFromName(q.ColumnText(0));
    ODR_RETURN_IF_ERROR(domain::CheckCanEndSettledCase(latest));
  }
  ODR_ASSIGN_OR_RETURN(CaseState next, domain::NextState(k.state, action));
  const CaseState from = k.state;
  k.state = next;
  if (domain::IsTerminal(from) && !domain::IsTerminal(next)) {
    // A confirmation revoked (Interp Art. 372): its mediators carry the case again.
    for (const auto& a : k.assignments) {
      if (a.active()) {
        ODR_RETURN_IF_ERROR(SetLoad(c, a.principal_id, +1, /*ended=*/false));
      }
    }
  }
  if (domain::IsTerminal(next)) {
    // The case no longer occupies its mediators.
    for (const auto& a : k.assignments) {
      if (a.active()) {
        ODR_RETURN_IF_ERROR(
            SetLoad(c, a.principal_id, -1, a.state == domain::AssignmentState::kAccepted));
      }
    }
  }
  ODR_RETURN_IF_ERROR(AppendEvent(c, k.id, actor, k.update_time, from, next, note.reason));
  ODR_RETURN_IF_ERROR(
      stats_rows::RecordTransition(c, k, action, actor == kSystemActor, k.update_time));
  std::optional<domain::CaseEnding> ending =
      domain::EndingOf(k, action, note, actor, k.update_time);
  if (!ending) return absl::OkStatus();
  ODR_ASSIGN_OR_RETURN(
      Statement e,
      c.Prepare("INSERT INTO case_endings (case_id, kind, reason, cost_conduct,"
                " court_document, actor, time_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  e.Bind(1, k.id).Bind(2, domain::EndingKindName(ending->kind)).Bind(3, ending->reason);
  e.Bind(4, ending->cost_conduct).Bind(5, ending->court_document).Bind(6, ending->actor);
  e.Bind(7, absl::ToUnixMicros(ending->time));
  ODR_RETURN_IF_ERROR(e.Run());
  ODR_RETURN_IF_ERROR(stats_rows::RecordEnding(c, k.id, *ending));
  k.ending = ending;
  if (std::optional<domain::EndingEvent> referral = domain::ReferralEvent(k, ending->kind)) {
    const std::string& court = k.data.court_diversion->court_id;
    ODR_ASSIGN_OR_RETURN(Statement r,
                         c.Prepare("INSERT INTO court_referrals (court_id, case_id, reason,"
                                   " time_us, kind, cost_conduct) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                   " ON CONFLICT DO NOTHING"));
    r.Bind(1, court).Bind(2, k.id).Bind(3, ending->reason);
    r.Bind(4, absl::ToUnixMicros(k.update_time)).Bind(5, domain::EndingKindName(ending->kind));
    r.Bind(6, ending->cost_conduct);
    ODR_RETURN_IF_ERROR(r.Run());
    ODR_RETURN_IF_ERROR(AppendEvent(c, k.id, actor, k.update_time, k.state, k.state, referral->text,
                                    {referral->kind, domain::EventAudience::kAll, ""}));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NextCaseNumber(Connection& c, absl::Time now) {
  int64_t year = absl::ToCivilYear(now, absl::FixedTimeZone(8 * 3600)).year();
  ODR_ASSIGN_OR_RETURN(
      Statement stmt, c.Prepare("INSERT INTO case_number_counters (year, last_value) VALUES (?1, 1)"
                                " ON CONFLICT (year) DO UPDATE SET last_value = last_value + 1"
                                " RETURNING last_value"));
  stmt.Bind(1, year);
  ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return absl::InternalError("case number counter returned no row");
  int64_t n = stmt.ColumnInt(0);
  ODR_RETURN_IF_ERROR(stmt.Run());
  return absl::StrFormat("ODR-%d-%06d", year, n);
}

}  // namespace

absl::StatusOr<Case> SqliteCaseStore::CreateCase(const CaseData& data,
                                                 const domain::MutationContext& ctx) {
  Case result;
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ActingThroughScope acting(c, ctx.acting_through);
    const absl::Time now = clock_->Now();
    ODR_ASSIGN_OR_RETURN(std::optional<std::string> previous, FindRequest(c, ctx, now));
    if (previous) {
      // A retry: the case as it is now, if the caller may still read it.
      ODR_ASSIGN_OR_RETURN(result, LoadCase(c, *previous));
      if (ctx.authorize) ODR_RETURN_IF_ERROR(ctx.authorize(result));
      return RecordAccess(c, ctx, result.id, now, /*change=*/false);
    }
    if (data.court_diversion) {
      ODR_RETURN_IF_ERROR(stats_rows::CheckIntakeReferenceFree(
          c, data.court_diversion->court_id, data.court_diversion->intake_reference));
    }
    Case k;
    k.id = ids_->NewId();
    ODR_ASSIGN_OR_RETURN(k.case_number, NextCaseNumber(c, now));
    k.data = data;
    k.state = CaseState::kDraft;
    k.create_time = k.update_time = now;
    k.version = 1;
    ODR_RETURN_IF_ERROR(WriteCaseRow(c, k, /*insert=*/true));
    ODR_RETURN_IF_ERROR(WriteSide(c, k.id, "applicant", k.data.applicants));
    ODR_RETURN_IF_ERROR(WriteSide(c, k.id, "respondent", k.data.respondents));
    ODR_RETURN_IF_ERROR(AppendEvent(c, k.id, ctx.actor, now, std::nullopt, k.state, ""));
    ODR_RETURN_IF_ERROR(RecordRequest(c, ctx, k.id, now));
    ODR_RETURN_IF_ERROR(RecordAccess(c, ctx, k.id, now, /*change=*/true));
    result = std::move(k);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<Case> SqliteCaseStore::GetCase(absl::string_view id) {
  Case result;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(result, LoadCase(c, id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<CasePage> SqliteCaseStore::ListCases(const domain::CaseQuery& q) {
  using domain::FilterField;
  using domain::FilterOp;
  std::vector<std::string> where;
  // Parameters in order; each is text or integer.
  struct Param {
    bool is_text;
    std::string text;
    int64_t number;
  };
  std::vector<Param> params;
  auto param = [&](Param p) {
    params.push_back(std::move(p));
    return absl::StrCat("?", params.size());
  };
  auto text = [](std::string v) { return Param{true, std::move(v), 0}; };
  auto number = [](int64_t v) { return Param{false, "", v}; };
  auto op_sql = [](FilterOp op) {
    switch (op) {
      case FilterOp::kEq:
        return "=";
      case FilterOp::kNe:
        return "!=";
      case FilterOp::kLt:
        return "<";
      case FilterOp::kLe:
        return "<=";
      case FilterOp::kGt:
        return ">";
      case FilterOp::kGe:
        return ">=";
    }
    return "=";
  };
  for (const domain::FilterCondition& cond : q.filter.conditions) {
    switch (cond.field) {
      case FilterField::kState:
        where.push_back(
            absl::StrCat("state ", op_sql(cond.op), " ",
                         param(text(domain::StateName(std::get<CaseState>(cond.value))))));
        break;
      case FilterField::kDisputeType:
        where.push_back(absl::StrCat(
            "dispute_type ", op_sql(cond.op), " ",
            param(text(domain::DisputeTypeName(std::get<domain::DisputeType>(cond.value))))));
        break;
      case FilterField::kRegionCode:
        where.push_back(absl::StrCat("region_code ", op_sql(cond.op), " ",
                                     param(text(std::get<std::string>(cond.value)))));
        break;
      case FilterField::kCreateTime:
        where.push_back(
            absl::StrCat("create_time_us ", op_sql(cond.op), " ",
                         param(number(absl::ToUnixMicros(std::get<absl::Time>(cond.value))))));
        break;
    }
  }
  if (q.scope) {
    switch (q.scope->kind) {
      case domain::CaseScope::kParty:
        where.push_back(absl::StrCat(
            "EXISTS (SELECT 1 FROM case_parties p WHERE p.case_id = cases.id AND p.id_number = ",
            param(text(q.scope->value)), " AND p.id_document_type = ",
            param(text(domain::IdDocumentTypeName(q.scope->id_document_type))), ")"));
        break;
      case domain::CaseScope::kMediator:
        where.push_back(
            absl::StrCat("EXISTS (SELECT 1 FROM case_mediators m WHERE m.case_id = cases.id AND"
                         " m.mediator_id = ",
                         param(text(q.scope->value)), ")"));
        break;
      case domain::CaseScope::kOrganization:
        where.push_back(absl::StrCat("organization_id = ", param(text(q.scope->value))));
        break;
      case domain::CaseScope::kCourt:
        where.push_back(absl::StrCat("diversion_court = ", param(text(q.scope->value))));
        break;
    }
  }
  const char* key_col = "create_time_us";
  bool int_key = true;
  switch (q.order.field) {
    case domain::OrderField::kCreateTime:
      break;
    case domain::OrderField::kUpdateTime:
      key_col = "update_time_us";
      break;
    case domain::OrderField::kCaseNumber:
      key_col = "case_sort";  // numeric within the year (migration 4)
      int_key = false;
      break;
  }
  const char* cmp = q.order.descending ? "<" : ">";
  const char* dir = q.order.descending ? "DESC" : "ASC";
  if (q.after) {
    Param key = text(q.after->key);
    if (int_key) {
      int64_t v;
      if (!absl::SimpleAtoi(q.after->key, &v)) {
        return InvalidFieldError("page_token", "is not a token returned by this list call");
      }
      key = number(v);
    }
    std::string k = param(key);
    std::string id = param(text(q.after->id));
    where.push_back(absl::StrCat("(", key_col, " ", cmp, " ", k, " OR (", key_col, " = ", k,
                                 " AND id ", cmp, " ", id, "))"));
  }
  std::string sql = absl::StrCat("SELECT id, ", key_col, " FROM cases");
  if (!where.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(where, " AND "));
  absl::StrAppend(&sql, " ORDER BY ", key_col, " ", dir, ", id ", dir, " LIMIT ",
                  param(number(static_cast<int64_t>(q.limit) + 1)));

  CasePage page;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    std::vector<std::pair<std::string, std::string>> rows;  // id, key
    {
      ODR_ASSIGN_OR_RETURN(Statement stmt, c.Prepare(sql));
      for (size_t i = 0; i < params.size(); ++i) {
        if (params[i].is_text) {
          stmt.Bind(static_cast<int>(i + 1), absl::string_view(params[i].text));
        } else {
          stmt.Bind(static_cast<int>(i + 1), params[i].number);
        }
      }
      while (true) {
        ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        rows.emplace_back(stmt.ColumnText(0), stmt.ColumnText(1));
      }
    }
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < q.limit; ++i) {
      ODR_ASSIGN_OR_RETURN(Case k, LoadCase(c, rows[i].first));
      page.cases.push_back(std::move(k));
    }
    if (static_cast<int>(rows.size()) > q.limit && q.limit > 0) {
      const auto& last = rows[q.limit - 1];
      page.next = domain::CaseCursor{last.second, last.first};
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return page;
}

absl::StatusOr<Case> SqliteCaseStore::MutateCase(
    absl::string_view id, std::optional<int64_t> expected_version,
    const domain::MutationContext& ctx,
    const std::function<absl::Status(Connection&, Case&)>& mutate) {
  Case result;
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ActingThroughScope acting(c, ctx.acting_through);
    ODR_ASSIGN_OR_RETURN(std::optional<std::string> previous, FindRequest(c, ctx, clock_->Now()));
    if (previous) {
      ODR_ASSIGN_OR_RETURN(result, LoadCase(c, *previous));
      if (ctx.authorize) ODR_RETURN_IF_ERROR(ctx.authorize(result));
      return RecordAccess(c, ctx, result.id, clock_->Now(), /*change=*/false);
    }
    ODR_ASSIGN_OR_RETURN(Case k, LoadCase(c, id));
    if (ctx.authorize) ODR_RETURN_IF_ERROR(ctx.authorize(k));
    if (expected_version && *expected_version != k.version) return StaleEtag(k);
    k.update_time = clock_->Now();
    k.version += 1;
    const Case before = k;
    ODR_RETURN_IF_ERROR(mutate(c, k));
    if (statutory_ != nullptr) {
      ODR_RETURN_IF_ERROR(ApplyPlan(c, *statutory_,
                                    statutory_->OnCaseChange(before, k, k.update_time), k,
                                    ctx.actor, k.update_time));
    }
    ODR_RETURN_IF_ERROR(WriteCaseRow(c, k, /*insert=*/false));
    ODR_RETURN_IF_ERROR(RecordRequest(c, ctx, k.id, k.update_time));
    ODR_RETURN_IF_ERROR(RecordAccess(c, ctx, k.id, k.update_time, /*change=*/true));
    result = std::move(k);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::Status SqliteCaseStore::RecordReplay(const domain::MutationContext& ctx,
                                           absl::string_view case_id) {
  if (ctx.rpc.empty()) return absl::OkStatus();
  return db_->Write([&](Connection& c) -> absl::Status {
    return RecordAccess(c, ctx, case_id, clock_->Now(), /*change=*/false);
  });
}

absl::Time SqliteCaseStore::RequestKeyCutoff() const {
  return clock_->Now() - domain::kRequestIdRetention;
}

absl::Status SqliteCaseStore::ForgetExpiredRequestKey(Connection& c, absl::string_view table,
                                                      absl::string_view request_key) const {
  if (request_key.empty()) return absl::OkStatus();
  ODR_ASSIGN_OR_RETURN(Statement forget,
                       c.Prepare(absl::StrCat("UPDATE ", table, " SET request_key = NULL",
                                              " WHERE request_key = ?1 AND create_time_us < ?2")));
  forget.Bind(1, request_key).Bind(2, absl::ToUnixMicros(RequestKeyCutoff()));
  return forget.Run();
}

absl::StatusOr<Case> SqliteCaseStore::MutateCaseFor(
    absl::string_view id, std::optional<int64_t> expected_version,
    const domain::MutationContext& ctx,
    const std::function<absl::Status(Connection&, Case&)>& mutate) {
  domain::MutationContext own = ctx;
  own.request_id.clear();
  return MutateCase(id, expected_version, own, mutate);
}

absl::Status SqliteCaseStore::ApplyAction(Connection& c, Case& k, CaseAction action,
                                          absl::string_view reason, absl::string_view actor) {
  return ApplyTransition(c, k, action, domain::TransitionNote(reason), actor);
}

absl::StatusOr<Case> SqliteCaseStore::UpdateCase(absl::string_view id, const CaseData& values,
                                                 const std::vector<domain::CaseField>& fields,
                                                 std::optional<int64_t> expected_version,
                                                 const domain::MutationContext& ctx) {
  return MutateCase(id, expected_version, ctx, [&](Connection& c, Case& k) -> absl::Status {
    ODR_RETURN_IF_ERROR(domain::CheckEditable(k.state));
    for (domain::CaseField f : fields) {
      switch (f) {
        case domain::CaseField::kDisputeType:
          k.data.dispute_type = values.dispute_type;
          break;
        case domain::CaseField::kApplicants:
          ODR_RETURN_IF_ERROR(CheckNoMediatorAsAgent(c, k.id, values.applicants));
          k.data.applicants = values.applicants;
          ODR_RETURN_IF_ERROR(WriteSide(c, k.id, "applicant", k.data.applicants));
          break;
        case domain::CaseField::kRespondents:
          ODR_RETURN_IF_ERROR(CheckNoMediatorAsAgent(c, k.id, values.respondents));
          k.data.respondents = values.respondents;
          ODR_RETURN_IF_ERROR(WriteSide(c, k.id, "respondent", k.data.respondents));
          break;
        case domain::CaseField::kSummary:
          k.data.summary = values.summary;
          break;
        case domain::CaseField::kClaims:
          k.data.claims = values.claims;
          break;
        case domain::CaseField::kAmountFen:
          k.data.amount_fen = values.amount_fen;
          break;
        case domain::CaseField::kRegionCode:
          k.data.region_code = values.region_code;
          break;
        case domain::CaseField::kSubjectMatterRegionCode:
          k.data.subject_matter_region_code = values.subject_matter_region_code;
          break;
        case domain::CaseField::kIntermediateCourtMatter:
          k.data.intermediate_court_matter = values.intermediate_court_matter;
          break;
      }
    }
    // Checked on the case as it will be, whichever side the update replaced.
    Violations sides;
    domain::ValidateSides(k.data, "case", &sides);
    return sides.ToStatus();
  });
}

absl::StatusOr<Case> SqliteCaseStore::TransitionCase(absl::string_view id,
                                                     domain::CaseAction action,
                                                     std::optional<int64_t> expected_version,
                                                     const domain::TransitionNote& note,
                                                     const domain::MutationContext& ctx) {
  return MutateCase(id, expected_version, ctx, [&](Connection& c, Case& k) -> absl::Status {
    return ApplyTransition(c, k, action, note, ctx.actor);
  });
}

namespace {

absl::Status Precondition(absl::string_view reason, absl::string_view message) {
  return MakeError(absl::StatusCode::kFailedPrecondition, reason, message);
}

std::string RosterName(absl::string_view org, absl::string_view id) {
  return absl::StrCat("organizations/", org, "/mediators/", id);
}

// Moves the case to the state its assignments call for and records the event.
absl::Status SettleAssignmentState(Connection& c, Case& k, domain::CaseAction action,
                                   const domain::MutationContext& ctx, absl::string_view what) {
  int proposed = 0, accepted = 0;
  for (const auto& a : k.assignments) {
    proposed += a.state == domain::AssignmentState::kProposed;
    accepted += a.state == domain::AssignmentState::kAccepted;
  }
  RefreshMediatorIds(k);
  const CaseState from = k.state;
  ODR_ASSIGN_OR_RETURN(k.state,
                       domain::StateAfterAssignmentChange(from, action, proposed, accepted));
  return AppendEvent(c, k.id, ctx.actor, k.update_time, from, k.state, what);
}

absl::Status WriteAssignmentState(Connection& c, absl::string_view case_id,
                                  const domain::MediatorAssignment& a) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("UPDATE case_mediators SET status = ?3, reason = ?4 WHERE"
                                 " case_id = ?1 AND mediator_id = ?2"));
  s.Bind(1, case_id).Bind(2, a.principal_id).Bind(3, AssignmentStateName(a.state));
  s.Bind(4, a.reason);
  return s.Run();
}

absl::Status Propose(Connection& c, Case& k, absl::string_view org, absl::string_view mid,
                     domain::AssignmentMethod method, const domain::MutationContext& ctx) {
  ODR_RETURN_IF_ERROR(domain::NextState(k.state, CaseAction::kProposeMediator).status());
  auto m = LoadMediator(c, org, mid);
  if (!m.ok()) {
    if (m.status().code() == absl::StatusCode::kNotFound) {
      return InvalidFieldError("mediator",
                               absl::StrCat(RosterName(org, mid), " is not on the roster"));
    }
    return m.status();
  }
  if (m->organization_id != k.data.organization_id) {
    return InvalidFieldError("mediator", "is not a mediator of the case's organization");
  }
  if (m->suspended) {
    return Precondition("MEDIATOR_SUSPENDED",
                        absl::StrCat(RosterName(org, mid), " is suspended and takes no cases"));
  }
  for (const auto& a : k.assignments) {
    if (a.principal_id == m->principal_id) {
      return Precondition("ALREADY_PROPOSED",
                          absl::StrCat(RosterName(org, mid),
                                       " was already proposed for this case; choose another"));
    }
  }
  std::vector<std::string> conflicts = domain::ConflictsWith(*m, k.data);
  if (!conflicts.empty()) {
    return Precondition("CONFLICT_OF_INTEREST",
                        absl::StrCat(RosterName(org, mid), " may not mediate this case: ",
                                     absl::StrJoin(conflicts, "; ")));
  }
  // Capacity: the single writer serializes this check-and-increment; the CHECK constraint on
  // active_cases is the last line of defence.
  ODR_ASSIGN_OR_RETURN(
      Statement load,
      c.Prepare("UPDATE mediators SET active_cases = active_cases + 1 WHERE organization_id = ?1"
                " AND id = ?2 AND suspended = 0 AND active_cases < max_concurrent_cases"));
  load.Bind(1, org).Bind(2, mid);
  ODR_RETURN_IF_ERROR(load.Run());
  if (c.Changes() == 0) {
    return Precondition("MEDIATOR_AT_CAPACITY",
                        absl::StrCat(RosterName(org, mid), " already has ", m->max_concurrent_cases,
                                     " cases, the most allowed"));
  }
  ODR_ASSIGN_OR_RETURN(
      Statement ins,
      c.Prepare("INSERT INTO case_mediators (case_id, mediator_id, ordinal, assigned_time_us,"
                " mediator_org, roster_id, status, method, reason) VALUES (?1, ?2, ?3, ?4, ?5,"
                " ?6, 'proposed', ?7, '')"));
  ins.Bind(1, k.id).Bind(2, m->principal_id).Bind(3, static_cast<int64_t>(k.assignments.size()));
  ins.Bind(4, absl::ToUnixMicros(k.update_time)).Bind(5, org).Bind(6, mid);
  ins.Bind(7, AssignmentMethodName(method));
  ODR_RETURN_IF_ERROR(ins.Run());
  domain::MediatorAssignment a;
  a.organization_id = std::string(org);
  a.mediator_id = std::string(mid);
  a.principal_id = m->principal_id;
  a.method = method;
  k.assignments.push_back(a);
  return SettleAssignmentState(
      c, k, CaseAction::kProposeMediator, ctx,
      absl::StrCat("proposed ", RosterName(org, mid), " (", AssignmentMethodName(method), ")"));
}

}  // namespace

absl::StatusOr<Case> SqliteCaseStore::ChangeAssignment(absl::string_view id,
                                                       const AssignmentChange& change,
                                                       const domain::MutationContext& ctx) {
  return MutateCase(id, change.expected_version, ctx, [&](Connection& c, Case& k) -> absl::Status {
    switch (change.kind) {
      case AssignmentChange::kPropose:
        return Propose(c, k, change.organization_id, change.mediator_id, change.method, ctx);
      case AssignmentChange::kChoose: {
        ODR_RETURN_IF_ERROR(domain::NextState(k.state, CaseAction::kProposeMediator).status());
        const std::string side = change.side_of(k);
        ODR_ASSIGN_OR_RETURN(
            Statement up,
            c.Prepare("INSERT INTO case_mediator_choices (case_id, side, mediator_org, roster_id)"
                      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (case_id, side) DO UPDATE SET"
                      " mediator_org = ?3, roster_id = ?4"));
        up.Bind(1, k.id).Bind(2, side).Bind(3, change.organization_id).Bind(4, change.mediator_id);
        ODR_RETURN_IF_ERROR(up.Run());
        ODR_ASSIGN_OR_RETURN(Statement other,
                             c.Prepare("SELECT 1 FROM case_mediator_choices WHERE case_id = ?1"
                                       " AND side != ?2 AND mediator_org = ?3 AND roster_id = ?4"));
        other.Bind(1, k.id).Bind(2, side).Bind(3, change.organization_id);
        other.Bind(4, change.mediator_id);
        ODR_ASSIGN_OR_RETURN(bool agreed, other.Step());
        ODR_RETURN_IF_ERROR(other.Run());
        if (agreed) {
          return Propose(c, k, change.organization_id, change.mediator_id,
                         domain::AssignmentMethod::kJointChoice, ctx);
        }
        // Not yet agreed: make sure the choice could be proposed at all, and record it.
        auto m = LoadMediator(c, change.organization_id, change.mediator_id);
        if (!m.ok() || m->organization_id != k.data.organization_id) {
          return InvalidFieldError("mediator", "is not a mediator of the case's organization");
        }
        return AppendEvent(c, k.id, ctx.actor, k.update_time, k.state, k.state,
                           absl::StrCat(side, " side chose ",
                                        RosterName(change.organization_id, change.mediator_id)));
      }
      case AssignmentChange::kAccept:
      case AssignmentChange::kDecline: {
        domain::MediatorAssignment* mine = nullptr;
        for (auto& a : k.assignments) {
          if (a.principal_id == ctx.actor && a.state == domain::AssignmentState::kProposed) {
            mine = &a;
          }
        }
        if (mine == nullptr) {
          return Precondition("NO_PENDING_ASSIGNMENT",
                              "no assignment to this case is waiting for your answer");
        }
        const std::string who = RosterName(mine->organization_id, mine->mediator_id);
        if (change.kind == AssignmentChange::kAccept) {
          ODR_ASSIGN_OR_RETURN(std::optional<domain::Mediator> m,
                               LoadMediatorByPrincipal(c, ctx.actor));
          if (m) {
            std::vector<std::string> conflicts = domain::ConflictsWith(*m, k.data);
            if (!conflicts.empty()) {
              return Precondition(
                  "CONFLICT_OF_INTEREST",
                  absl::StrCat("you may not mediate this case: ", absl::StrJoin(conflicts, "; ")));
            }
          }
          mine->state = domain::AssignmentState::kAccepted;
          ODR_RETURN_IF_ERROR(WriteAssignmentState(c, k.id, *mine));
          return SettleAssignmentState(c, k, CaseAction::kAcceptAssignment, ctx,
                                       absl::StrCat(who, " accepted, declaring no conflict"));
        }
        ODR_RETURN_IF_ERROR(domain::NextState(k.state, CaseAction::kReleaseMediator).status());
        mine->state = domain::AssignmentState::kDeclined;
        mine->reason = change.reason;
        ODR_RETURN_IF_ERROR(WriteAssignmentState(c, k.id, *mine));
        ODR_RETURN_IF_ERROR(SetLoad(c, mine->principal_id, -1, false));
        return SettleAssignmentState(c, k, CaseAction::kReleaseMediator, ctx,
                                     absl::StrCat(who, " declined: ", change.reason));
      }
      case AssignmentChange::kReplace: {
        ODR_RETURN_IF_ERROR(domain::NextState(k.state, CaseAction::kReleaseMediator).status());
        domain::MediatorAssignment* target = nullptr;
        for (auto& a : k.assignments) {
          if (a.organization_id == change.organization_id && a.mediator_id == change.mediator_id &&
              a.active()) {
            target = &a;
          }
        }
        if (target == nullptr) {
          return InvalidFieldError("mediator", "is not a current mediator of the case");
        }
        target->state = domain::AssignmentState::kReplaced;
        target->reason = change.reason;
        ODR_RETURN_IF_ERROR(WriteAssignmentState(c, k.id, *target));
        ODR_RETURN_IF_ERROR(SetLoad(c, target->principal_id, -1, false));
        return SettleAssignmentState(
            c, k, CaseAction::kReleaseMediator, ctx,
            absl::StrCat(RosterName(change.organization_id, change.mediator_id),
                         " replaced: ", change.reason));
      }
    }
    return absl::InternalError("unknown assignment change");
  });
}

absl::StatusOr<EventPage> SqliteCaseStore::ListCaseEvents(absl::string_view id, int64_t after_seq,
                                                          int limit) {
  EventPage page;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    {
      ODR_ASSIGN_OR_RETURN(Statement exists, c.Prepare("SELECT 1 FROM cases WHERE id = ?1"));
      exists.Bind(1, id);
      ODR_ASSIGN_OR_RETURN(bool row, exists.Step());
      if (!row) return domain::CaseNotFoundError(id);
    }
    ODR_ASSIGN_OR_RETURN(
        Statement stmt,
        c.Prepare("SELECT seq, actor, time_us, from_state, to_state, reason, event_id, kind,"
                  " subject, audience, acting_through FROM case_events WHERE case_id = ?1"
                  " AND seq > ?2 ORDER BY seq LIMIT ?3"));
    stmt.Bind(1, id).Bind(2, after_seq).Bind(3, static_cast<int64_t>(limit) + 1);
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (static_cast<int>(page.events.size()) == limit) {
        page.next_after_seq = page.events.back().seq;
        break;
      }
      CaseEvent e;
      e.case_id = std::string(id);
      ODR_RETURN_IF_ERROR(case_rows::ReadEventColumns(stmt, &e));
      page.events.push_back(std::move(e));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return page;
}

absl::StatusOr<std::vector<CaseEvent>> SqliteCaseStore::EventsAfter(absl::string_view case_id,
                                                                    int64_t after_event_id,
                                                                    int limit,
                                                                    int64_t* scanned_to) {
  std::vector<CaseEvent> out;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    constexpr char kSelect[] =
        "SELECT seq, actor, time_us, from_state, to_state, reason, event_id, kind, subject,"
        " audience, acting_through, case_id FROM case_events WHERE event_id > ?1";
    ODR_ASSIGN_OR_RETURN(
        Statement stmt,
        case_id.empty()
            ? c.Prepare(absl::StrCat(kSelect, " ORDER BY event_id LIMIT ?2"))
            : c.Prepare(absl::StrCat(kSelect, " AND case_id = ?3 ORDER BY event_id LIMIT ?2")));
    stmt.Bind(1, after_event_id).Bind(2, int64_t{limit});
    if (!case_id.empty()) stmt.Bind(3, case_id);
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      CaseEvent e;
      ODR_RETURN_IF_ERROR(case_rows::ReadEventColumns(stmt, &e));
      e.case_id = stmt.ColumnText(11);
      out.push_back(std::move(e));
    }
    if (static_cast<int>(out.size()) == limit) {
      *scanned_to = out.back().event_id;
      return absl::OkStatus();
    }
    // In the same snapshot: nothing after the cursor was left out up to the newest event.
    ODR_ASSIGN_OR_RETURN(Statement newest, c.Prepare("SELECT MAX(event_id) FROM case_events"));
    ODR_ASSIGN_OR_RETURN(bool row, newest.Step());
    *scanned_to = std::max(after_event_id, row ? newest.ColumnInt(0) : int64_t{0});
    return newest.Run();
  });
  if (!s.ok()) return s;
  return out;
}

namespace {

absl::Status NoClock() {
  return absl::FailedPreconditionError("the statutory clock is not configured");
}

}  // namespace

absl::StatusOr<std::vector<domain::Deadline>> SqliteCaseStore::ListDeadlines(absl::string_view id) {
  if (statutory_ == nullptr) return NoClock();
  std::vector<domain::Deadline> out;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out, deadline_rows::LoadForCase(c, id, /*with_reminders=*/false));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<domain::Deadline> SqliteCaseStore::ChangeMediationPeriod(
    absl::string_view id, PeriodChange change, int days, absl::string_view reason,
    const domain::MutationContext& ctx) {
  if (statutory_ == nullptr) return NoClock();
  domain::Deadline result;
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ActingThroughScope acting(c, ctx.acting_through);
    ODR_ASSIGN_OR_RETURN(Case k, LoadCase(c, id));
    if (ctx.authorize) ODR_RETURN_IF_ERROR(ctx.authorize(k));
    auto d = deadline_rows::Load(c, k.id, "mediation-period");
    if (!d.ok() && d.status().code() == absl::StatusCode::kNotFound) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "DEADLINE_NOT_STARTED",
                       "the mediation period has not started: it starts when a mediator accepts "
                       "the case");
    }
    if (!d.ok()) return d.status();
    const absl::Time now = clock_->Now();
    std::string what;
    switch (change) {
      case PeriodChange::kPause:
        ODR_RETURN_IF_ERROR(domain::CheckAppraisalPause(domain::RouteOf(k.data)));
        ODR_RETURN_IF_ERROR(statutory_->Pause(&*d, now));
        what = absl::StrCat("mediation period paused for an appraisal: ", reason);
        break;
      case PeriodChange::kResume:
        ODR_RETURN_IF_ERROR(statutory_->Resume(&*d, now));
        what = absl::StrCat("mediation period resumed; ", d->PausedDays(), " days paused in all; ",
                            statutory_->WarningMessage(*d));
        break;
      case PeriodChange::kExtend:
        ODR_RETURN_IF_ERROR(statutory_->Extend(&*d, days, now));
        what =
            absl::StrCat("mediation period extended by ", days, " days with the parties' consent",
                         reason.empty() ? "" : absl::StrCat(" (", reason, ")"), "; ",
                         statutory_->WarningMessage(*d));
        break;
    }
    ODR_RETURN_IF_ERROR(deadline_rows::Save(c, *d));
    ODR_RETURN_IF_ERROR(AppendEvent(c, k.id, ctx.actor, now, k.state, k.state, what,
                                    {domain::EventKind::kDeadlineChanged,
                                     domain::EventAudience::kAll, "deadlines/mediation-period"}));
    ODR_RETURN_IF_ERROR(RecordAccess(c, ctx, k.id, now, /*change=*/true));
    result = *d;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::optional<absl::Time>> SqliteCaseStore::NextDeadline() {
  std::optional<absl::Time> next;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(next, deadline_rows::NextFire(c));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return next;
}

absl::StatusOr<int> SqliteCaseStore::FireDueDeadlines(int limit) {
  if (statutory_ == nullptr) return NoClock();
  const absl::Time now = clock_->Now();
  std::vector<std::pair<std::string, std::string>> due;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(due, deadline_rows::Due(c, now, limit));
    return absl::OkStatus();
  }));
  // One deadline that cannot fire (its case damaged, say) must not hold up the others: they fire,
  // and the first error is returned after them (the engine logs it and tries again later).
  int fired = 0;
  absl::Status first_error;
  for (const auto& [case_id, id] : due) {
    absl::StatusOr<bool> did = FireOne(case_id, id, now);
    if (!did.ok()) {
      if (first_error.ok()) first_error = did.status();
      continue;
    }
    fired += *did ? 1 : 0;
  }
  if (!first_error.ok() && fired == 0) return first_error;
  return fired;
}

absl::StatusOr<bool> SqliteCaseStore::FireOne(const std::string& case_id, const std::string& id,
                                              absl::Time now) {
  bool fired = false;
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(domain::Deadline d, deadline_rows::Load(c, case_id, id));
    std::optional<absl::Time> next = d.NextFire();
    if (!next || *next > now) return absl::OkStatus();  // fired or moved meanwhile
    fired = true;
    ODR_ASSIGN_OR_RETURN(Case k, LoadCase(c, case_id));
    const std::string subject = absl::StrCat("deadlines/", d.id);
    if (d.warn_at && !d.warned && *d.warn_at <= now) {
      d.warned = true;
      if (d.due > now) {
        ODR_RETURN_IF_ERROR(AppendEvent(c, k.id, kSystemActor, now, k.state, k.state,
                                        statutory_->WarningMessage(d),
                                        {domain::EventKind::kDeadlineWarning,
                                         domain::StatutoryClock::Audience(d.kind), subject}));
      }
    }
    if (d.due <= now) {
      d.state = domain::DeadlineState::kExpired;
      ODR_RETURN_IF_ERROR(Expire(c, d, k, now));
    }
    d.update_time = now;
    return deadline_rows::Save(c, d);
  });
  if (!s.ok()) return s;
  return fired;
}

absl::Status SqliteCaseStore::Expire(Connection& c, const domain::Deadline& d, Case& k,
                                     absl::Time now) {
  if (d.kind == domain::DeadlineKind::kAppointmentReminder) {
    ODR_ASSIGN_OR_RETURN(Statement a,
                         c.Prepare("SELECT audience FROM appointments WHERE case_id = ?1 AND id ="
                                   " ?2 AND state = 'scheduled'"));
    a.Bind(1, k.id).Bind(2, d.subject);
    ODR_ASSIGN_OR_RETURN(bool row, a.Step());
    if (!row) return absl::OkStatus();
    auto audience = domain::EventAudienceFromName(a.ColumnText(0));
    ODR_RETURN_IF_ERROR(a.Run());
    if (!audience) return Corrupt("appointments.audience");
    const domain::ExpiryEffect e = statutory_->OnExpiry(d, k);
    return AppendEvent(c, k.id, kSystemActor, now, k.state, k.state, e.message,
                       {domain::EventKind::kAppointmentReminder, *audience,
                        absl::StrCat("appointments/", d.subject)});
  }
  const domain::ExpiryEffect e = statutory_->OnExpiry(d, k);
  if (domain::IsBreach(d.kind)) {
    ODR_RETURN_IF_ERROR(stats_rows::RecordBreach(c, k.id, d.id, d.due, now));
  }
  ODR_RETURN_IF_ERROR(AppendEvent(c, k.id, kSystemActor, now, k.state, k.state, e.message,
                                  {e.event_kind, e.audience, absl::StrCat("deadlines/", d.id)}));
  const Case before = k;
  k.update_time = now;
  bool changed = false;
  domain::MutationContext system;
  system.actor = kSystemActor;
  if (e.lapse_principal) {
    for (auto& a : k.assignments) {
      if (a.principal_id != *e.lapse_principal || a.state != domain::AssignmentState::kProposed) {
        continue;
      }
      if (!domain::NextState(k.state, CaseAction::kReleaseMediator).ok()) break;
      a.state = domain::AssignmentState::kLapsed;
      a.reason = "did not answer within 3 working days (OMR Art. 12)";
      ODR_RETURN_IF_ERROR(WriteAssignmentState(c, k.id, a));
      ODR_RETURN_IF_ERROR(SetLoad(c, a.principal_id, -1, false));
      ODR_RETURN_IF_ERROR(SettleAssignmentState(
          c, k, CaseAction::kReleaseMediator, system,
          absl::StrCat(RosterName(a.organization_id, a.mediator_id), " lapsed: ", a.reason)));
      changed = true;
      break;
    }
  }
  if (e.action && domain::NextState(k.state, *e.action).ok()) {
    ODR_RETURN_IF_ERROR(
        ApplyTransition(c, k, *e.action, domain::TransitionNote(e.reason), kSystemActor));
    changed = true;
  }
  if (!changed) return absl::OkStatus();
  k.version += 1;
  ODR_RETURN_IF_ERROR(WriteCaseRow(c, k, /*insert=*/false));
  return ApplyPlan(c, *statutory_, statutory_->OnCaseChange(before, k, now), k, kSystemActor, now);
}

}  // namespace odr::storage
