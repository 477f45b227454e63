#include "storage/confirmation_store.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/domain/authorization.h"
#include "server/domain/confirmation_review.h"
#include "server/domain/errors.h"
#include "server/domain/procedure.h"
#include "server/domain/state_machine.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "storage/agreement_store.h"
#include "storage/case_rows.h"
#include "storage/deadline_rows.h"
#include "storage/record_store.h"
#include "storage/stats_store.h"

namespace odr::storage {
namespace {

using domain::Case;
using domain::Confirmation;
using domain::ConfirmationState;
using nlohmann::json;
using Result = std::pair<Confirmation, Case>;

constexpr char kColumns[] =
    "case_id, id, agreement_id, court_id, bases, state, consented, materials_json,"
    " submit_time_us, accept_due_us, accept_time_us, ruling_due_us, decision_time_us,"
    " refusal_ground, rejection_grounds, court_note, ruling_number, create_time_us,"
    " update_time_us, version, review_json";

std::optional<absl::Time> OptTime(const Statement& s, int i) {
  if (s.ColumnIsNull(i)) return std::nullopt;
  return absl::FromUnixMicros(s.ColumnInt(i));
}

void BindOptTime(Statement& s, int i, const std::optional<absl::Time>& t) {
  if (t) {
    s.Bind(i, absl::ToUnixMicros(*t));
  } else {
    s.BindNull(i);
  }
}

template <typename T, typename Fn>
std::string JoinNames(const std::vector<T>& v, Fn name) {
  std::vector<std::string> out;
  for (const T& x : v) out.push_back(name(x));
  return absl::StrJoin(out, ",");
}

json TimeJson(const std::optional<absl::Time>& t) {
  return t ? json(absl::ToUnixMicros(*t)) : json(nullptr);
}
std::optional<absl::Time> JsonTime(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return absl::FromUnixMicros(j.at(key).get<int64_t>());
}

// The review record after filing and after the ruling (confirmation_review.h), one JSON column.
std::string ReviewJson(const Confirmation& f) {
  json j = json::object();
  if (f.withdrawal_kind != domain::WithdrawalKind::kNone) {
    j["withdrawal_kind"] = domain::WithdrawalKindName(f.withdrawal_kind);
  }
  if (f.withdrawal_request) {
    j["withdrawal_request"] = {{"parties", f.withdrawal_request->parties},
                               {"reason", f.withdrawal_request->reason},
                               {"time_us", absl::ToUnixMicros(f.withdrawal_request->time)}};
  }
  if (f.materials_due) j["materials_due_us"] = absl::ToUnixMicros(*f.materials_due);
  if (f.appearance) {
    j["appearance"] = {{"time_us", absl::ToUnixMicros(f.appearance->time)},
                       {"place", f.appearance->place},
                       {"called_us", absl::ToUnixMicros(f.appearance->called_time)}};
  }
  if (!f.ruling_extensions.empty()) {
    json e = json::array();
    for (const auto& x : f.ruling_extensions) {
      e.push_back(
          {{"days", x.days}, {"approval", x.approval}, {"time_us", absl::ToUnixMicros(x.time)}});
    }
    j["ruling_extensions"] = e;
  }
  if (f.ruling_service_time) j["service_us"] = absl::ToUnixMicros(*f.ruling_service_time);
  if (f.objection_due) j["objection_due_us"] = absl::ToUnixMicros(*f.objection_due);
  if (!f.objections.empty()) {
    json o = json::array();
    for (const auto& x : f.objections) {
      o.push_back(
          {{"id", x.id},
           {"party", x.party},
           {"interested_person", x.interested_person},
           {"harm_known_date", x.harm_known_date ? absl::FormatCivilTime(*x.harm_known_date) : ""},
           {"reason", x.reason},
           {"filed_by", x.filed_by},
           {"file_us", absl::ToUnixMicros(x.file_time)},
           {"decision", domain::ObjectionDecisionName(x.decision)},
           {"decision_note", x.decision_note},
           {"decision_ruling_number", x.decision_ruling_number},
           {"decision_us", TimeJson(x.decision_time)}});
    }
    j["objections"] = o;
  }
  if (!f.mediate_again_consented.empty()) j["mediate_again"] = f.mediate_again_consented;
  if (!f.party_time_extensions.empty()) {
    json e = json::array();
    for (const auto& x : f.party_time_extensions) {
      e.push_back({{"period", domain::PartyPeriodName(x.period)},
                   {"party", x.party},
                   {"until", absl::FormatCivilTime(x.until)},
                   {"reason", x.reason},
                   {"obstacle_end", absl::FormatCivilTime(x.obstacle_end)},
                   {"time_us", absl::ToUnixMicros(x.time)}});
    }
    j["party_time_extensions"] = e;
  }
  return j.dump();
}

absl::Status ReadReview(const std::string& text, Confirmation* f) {
  try {
    const json j = json::parse(text);
    if (j.contains("withdrawal_kind")) {
      auto k = domain::WithdrawalKindFromName(j.at("withdrawal_kind").get<std::string>());
      if (!k) return case_rows::Corrupt("confirmations.review_json");
      f->withdrawal_kind = *k;
    }
    if (j.contains("withdrawal_request")) {
      const json& w = j.at("withdrawal_request");
      f->withdrawal_request = domain::WithdrawalRequest{
          w.at("parties").get<std::vector<std::string>>(), w.at("reason").get<std::string>(),
          absl::FromUnixMicros(w.at("time_us").get<int64_t>())};
    }
    f->materials_due = JsonTime(j, "materials_due_us");
    if (j.contains("appearance")) {
      const json& a = j.at("appearance");
      f->appearance = domain::Appearance{absl::FromUnixMicros(a.at("time_us").get<int64_t>()),
                                         a.at("place").get<std::string>(),
                                         absl::FromUnixMicros(a.at("called_us").get<int64_t>())};
    }
    if (j.contains("ruling_extensions")) {
      for (const json& e : j.at("ruling_extensions")) {
        f->ruling_extensions.push_back({e.at("days").get<int>(),
                                        e.at("approval").get<std::string>(),
                                        absl::FromUnixMicros(e.at("time_us").get<int64_t>())});
      }
    }
    f->ruling_service_time = JsonTime(j, "service_us");
    f->objection_due = JsonTime(j, "objection_due_us");
    if (j.contains("objections")) {
      for (const json& o : j.at("objections")) {
        domain::Objection x;
        x.id = o.at("id").get<std::string>();
        x.party = o.at("party").get<std::string>();
        x.interested_person = o.at("interested_person").get<std::string>();
        if (std::string d = o.at("harm_known_date").get<std::string>(); !d.empty()) {
          absl::CivilDay day;
          if (!absl::ParseCivilTime(d, &day))
            return case_rows::Corrupt("confirmations.review_json");
          x.harm_known_date = day;
        }
        x.reason = o.at("reason").get<std::string>();
        x.filed_by = o.at("filed_by").get<std::string>();
        x.file_time = absl::FromUnixMicros(o.at("file_us").get<int64_t>());
        auto d = domain::ObjectionDecisionFromName(o.at("decision").get<std::string>());
        if (!d) return case_rows::Corrupt("confirmations.review_json");
        x.decision = *d;
        x.decision_note = o.at("decision_note").get<std::string>();
        x.decision_ruling_number = o.at("decision_ruling_number").get<std::string>();
        x.decision_time = JsonTime(o, "decision_us");
        f->objections.push_back(std::move(x));
      }
    }
    if (j.contains("mediate_again")) {
      f->mediate_again_consented = j.at("mediate_again").get<std::vector<std::string>>();
    }
    if (j.contains("party_time_extensions")) {
      for (const json& e : j.at("party_time_extensions")) {
        domain::PartyTimeExtension x;
        auto period = domain::PartyPeriodFromName(e.at("period").get<std::string>());
        if (!period || !absl::ParseCivilTime(e.at("until").get<std::string>(), &x.until) ||
            !absl::ParseCivilTime(e.at("obstacle_end").get<std::string>(), &x.obstacle_end)) {
          return case_rows::Corrupt("confirmations.review_json");
        }
        x.period = *period;
        x.party = e.at("party").get<std::string>();
        x.reason = e.at("reason").get<std::string>();
        x.time = absl::FromUnixMicros(e.at("time_us").get<int64_t>());
        f->party_time_extensions.push_back(std::move(x));
      }
    }
  } catch (const json::exception&) {
    return case_rows::Corrupt("confirmations.review_json");
  }
  return absl::OkStatus();
}

absl::StatusOr<Confirmation> ReadRow(const Statement& s) {
  Confirmation f;
  f.case_id = s.ColumnText(0);
  f.id = s.ColumnText(1);
  f.agreement_id = s.ColumnText(2);
  f.court_id = s.ColumnText(3);
  for (absl::string_view b : absl::StrSplit(s.ColumnText(4), ',', absl::SkipEmpty())) {
    auto basis = domain::CompetenceBasisFromName(b);
    if (!basis) return case_rows::Corrupt("confirmations.bases");
    f.bases.push_back(*basis);
  }
  auto state = domain::ConfirmationStateFromName(s.ColumnText(5));
  if (!state) return case_rows::Corrupt("confirmations.state");
  f.state = *state;
  for (absl::string_view p : absl::StrSplit(s.ColumnText(6), ',', absl::SkipEmpty())) {
    f.consented.emplace_back(p);
  }
  try {
    for (const json& m : json::parse(s.ColumnText(7))) {
      auto kind = domain::MaterialKindFromName(m.at("kind").get<std::string>());
      if (!kind) return case_rows::Corrupt("confirmations.materials_json");
      f.materials.push_back({m.at("evidence").get<std::string>(), *kind});
    }
  } catch (const json::exception&) {
    return case_rows::Corrupt("confirmations.materials_json");
  }
  f.submit_time = OptTime(s, 8);
  f.accept_due = OptTime(s, 9);
  f.accept_time = OptTime(s, 10);
  f.ruling_due = OptTime(s, 11);
  f.decision_time = OptTime(s, 12);
  if (std::string g = s.ColumnText(13); !g.empty()) {
    f.refusal_ground = domain::RefusalGroundFromName(g);
    if (!f.refusal_ground) return case_rows::Corrupt("confirmations.refusal_ground");
  }
  for (absl::string_view g : absl::StrSplit(s.ColumnText(14), ',', absl::SkipEmpty())) {
    auto ground = domain::RejectionGroundFromName(g);
    if (!ground) return case_rows::Corrupt("confirmations.rejection_grounds");
    f.rejection_grounds.push_back(*ground);
  }
  f.court_note = s.ColumnText(15);
  f.ruling_number = s.ColumnText(16);
  f.create_time = absl::FromUnixMicros(s.ColumnInt(17));
  f.update_time = absl::FromUnixMicros(s.ColumnInt(18));
  f.version = s.ColumnInt(19);
  ODR_RETURN_IF_ERROR(ReadReview(s.ColumnText(20), &f));
  return f;
}

// The court's display name: the registry's, else the diversion's.
absl::Status FillCourtName(Connection& c, const Case& k, Confirmation* f) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT display_name FROM courts WHERE id = ?1"));
  s.Bind(1, f->court_id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (row) {
    f->court_display_name = s.ColumnText(0);
  } else if (k.data.court_diversion && k.data.court_diversion->court_id == f->court_id) {
    f->court_display_name = k.data.court_diversion->court_display_name;
  }
  return absl::OkStatus();
}

absl::StatusOr<Confirmation> Load(Connection& c, absl::string_view case_id, absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(
      Statement s, c.Prepare(absl::StrCat("SELECT ", kColumns,
                                          " FROM confirmations WHERE case_id = ?1 AND id = ?2")));
  s.Bind(1, case_id).Bind(2, id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return domain::ConfirmationNotFoundError(case_id, id);
  return ReadRow(s);
}

absl::StatusOr<std::vector<Confirmation>> LoadForCase(Connection& c, absl::string_view case_id) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare(absl::StrCat("SELECT ", kColumns,
                                              " FROM confirmations WHERE case_id = ?1"
                                              " ORDER BY create_time_us DESC, id DESC")));
  s.Bind(1, case_id);
  std::vector<Confirmation> out;
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ODR_ASSIGN_OR_RETURN(Confirmation f, ReadRow(s));
    out.push_back(std::move(f));
  }
  return out;
}

absl::Status Save(Connection& c, const Confirmation& f, bool insert,
                  absl::string_view request_key = "") {
  const char* sql =
      insert ? "INSERT INTO confirmations (case_id, id, agreement_id, court_id, bases, state,"
               " consented, materials_json, submit_time_us, accept_due_us, accept_time_us,"
               " ruling_due_us, decision_time_us, refusal_ground, rejection_grounds, court_note,"
               " ruling_number, create_time_us, update_time_us, version, request_key,"
               " review_json)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
               " ?17, ?18, ?19, ?20, ?21, ?22)"
             : "UPDATE confirmations SET agreement_id = ?3, court_id = ?4, bases = ?5,"
               " state = ?6, consented = ?7, materials_json = ?8, submit_time_us = ?9,"
               " accept_due_us = ?10, accept_time_us = ?11, ruling_due_us = ?12,"
               " decision_time_us = ?13, refusal_ground = ?14, rejection_grounds = ?15,"
               " court_note = ?16, ruling_number = ?17, create_time_us = ?18,"
               " update_time_us = ?19, version = ?20, review_json = ?22"
               " WHERE case_id = ?1 AND id = ?2";
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(sql));
  json materials = json::array();
  for (const auto& m : f.materials) {
    materials.push_back({{"evidence", m.evidence_id}, {"kind", domain::MaterialKindName(m.kind)}});
  }
  s.Bind(1, f.case_id).Bind(2, f.id).Bind(3, f.agreement_id).Bind(4, f.court_id);
  s.Bind(5, JoinNames(f.bases, [](domain::CompetenceBasis b) {
           return std::string(domain::CompetenceBasisName(b));
         }));
  s.Bind(6, domain::ConfirmationStateName(f.state));
  s.Bind(7, absl::StrJoin(f.consented, ","));
  s.Bind(8, materials.dump());
  BindOptTime(s, 9, f.submit_time);
  BindOptTime(s, 10, f.accept_due);
  BindOptTime(s, 11, f.accept_time);
  BindOptTime(s, 12, f.ruling_due);
  BindOptTime(s, 13, f.decision_time);
  s.Bind(14, f.refusal_ground ? domain::RefusalGroundName(*f.refusal_ground) : "");
  s.Bind(15, JoinNames(f.rejection_grounds, [](domain::RejectionGround g) {
           return std::string(domain::RejectionGroundName(g));
         }));
  s.Bind(16, f.court_note).Bind(17, f.ruling_number);
  s.Bind(18, absl::ToUnixMicros(f.create_time)).Bind(19, absl::ToUnixMicros(f.update_time));
  s.Bind(20, f.version);
  s.Bind(22, ReviewJson(f));
  if (insert) {
    if (request_key.empty()) {
      s.BindNull(21);
    } else {
      s.Bind(21, request_key);
    }
  }
  ODR_RETURN_IF_ERROR(s.Run());
  return stats_rows::RecordConfirmation(c, f);
}

absl::StatusOr<std::vector<domain::Court>> LoadCourts(Connection& c) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("SELECT id, display_name, region_code, level FROM courts ORDER BY"
                                 " id"));
  std::vector<domain::Court> out;
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    auto level = domain::CourtLevelFromName(s.ColumnText(3));
    if (!level) return case_rows::Corrupt("courts.level");
    out.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), *level});
  }
  return out;
}

absl::StatusOr<std::vector<domain::CompetentCourt>> Competent(Connection& c, const Case& k) {
  ODR_ASSIGN_OR_RETURN(std::vector<domain::Court> courts, LoadCourts(c));
  std::string org_region;
  {
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("SELECT region_code FROM organizations WHERE id = ?1"));
    s.Bind(1, k.data.organization_id);
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) org_region = s.ColumnText(0);
  }
  return domain::CompetentCourts(k, org_region, courts);
}

absl::StatusOr<std::map<std::string, domain::EvidenceRecord>> LoadEvidence(
    Connection& c, absl::string_view case_id,
    const std::vector<domain::ConfirmationMaterial>& materials) {
  std::map<std::string, domain::EvidenceRecord> out;
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT visibility, state FROM evidence"
                                              " WHERE case_id = ?1 AND id = ?2"));
  for (const auto& m : materials) {
    s.Bind(1, case_id).Bind(2, m.evidence_id);
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) {
      domain::EvidenceRecord e;
      e.case_id = std::string(case_id);
      e.id = m.evidence_id;
      e.visibility =
          s.ColumnText(0) == domain::VisibilityName(domain::EvidenceVisibility::kAllParties)
              ? domain::EvidenceVisibility::kAllParties
              : domain::EvidenceVisibility::kMediatorOnly;
      e.state = s.ColumnText(1) == "active" ? domain::EvidenceState::kActive
                                            : domain::EvidenceState::kWithdrawn;
      out[m.evidence_id] = e;
      ODR_RETURN_IF_ERROR(s.Run());
    }
  }
  return out;
}

absl::StatusOr<PrecheckResult> BuildPrecheck(
    Connection& c, const domain::StatutoryClock* statutory, const Case& k,
    absl::string_view court_id, const std::vector<domain::ConfirmationMaterial>& materials,
    absl::Time now) {
  PrecheckResult r;
  domain::PrecheckInput& in = r.input;
  in.c = k;
  in.now = now;
  in.court_id = std::string(court_id);
  in.materials = materials;
  ODR_ASSIGN_OR_RETURN(in.agreement, agreement_rows::LoadOpen(c, k.id));
  // No window to apply on a post-filing case: the court concludes it (OMR Art. 20).
  if (in.agreement && in.agreement->state == domain::AgreementState::kEffective &&
      domain::ConfirmationAvailable(domain::RouteOf(k.data))) {
    // From this agreement's effective time: after a rejected confirmation the case may have an
    // older confirmation-application deadline of a previous agreement.
    if (in.agreement->effective_time && statutory != nullptr) {
      in.apply_by = statutory
                        ->Start(domain::DeadlineKind::kConfirmationApplication, k, "",
                                *in.agreement->effective_time)
                        .due;
    } else {
      absl::StatusOr<domain::Deadline> d = deadline_rows::Load(c, k.id, "confirmation-application");
      if (d.ok()) {
        in.apply_by = d->due;
      } else if (!absl::IsNotFound(d.status())) {
        return d.status();
      }
    }
  }
  ODR_ASSIGN_OR_RETURN(std::vector<Confirmation> all, LoadForCase(c, k.id));
  for (const Confirmation& f : all) {
    if (!domain::IsTerminal(f.state)) in.pending = f.name();
  }
  ODR_ASSIGN_OR_RETURN(in.competent, Competent(c, k));
  ODR_ASSIGN_OR_RETURN(in.evidence, LoadEvidence(c, k.id, materials));
  r.problems = domain::Precheck(in);
  r.warnings = domain::PrecheckWarnings(in);
  // What the procedure records do not show yet (CPL Interpretation Art. 358(四); OMR Art. 23).
  ODR_ASSIGN_OR_RETURN(std::vector<domain::ProcedureRecord> records, record_rows::List(c, k.id));
  ODR_ASSIGN_OR_RETURN(int separate, record_rows::SeparateSessionsHeld(c, k.id, now));
  for (domain::ConfirmationProblem& w : domain::RecordWarnings(k, records, separate)) {
    r.warnings.push_back(std::move(w));
  }
  return r;
}

absl::Status ProblemsError(const std::vector<domain::ConfirmationProblem>& problems) {
  std::vector<std::string> lines;
  std::vector<std::pair<std::string, std::string>> md;
  for (const auto& p : problems) {
    lines.push_back(p.field.empty() ? absl::StrCat(p.reason, ": ", p.description)
                                    : absl::StrCat(p.reason, " (", p.field, "): ", p.description));
  }
  md.emplace_back("problems", absl::StrJoin(problems, ",", [](std::string* out, const auto& p) {
                    absl::StrAppend(out, p.reason);
                  }));
  return MakeErrorWithMetadata(
      absl::StatusCode::kFailedPrecondition, problems.front().reason,
      absl::StrCat("the application would not be accepted: ", absl::StrJoin(lines, "; ")), md);
}

absl::Status Event(Connection& c, const Case& k, const Confirmation& f, absl::string_view actor,
                   absl::Time now, absl::string_view message) {
  return case_rows::AppendEvent(
      c, k.id, actor, now, k.state, k.state, message,
      {domain::EventKind::kConfirmationChanged, domain::EventAudience::kAll,
       absl::StrCat("confirmations/", f.id)});
}

// Starts `d` with its DEADLINE_STARTED event; an ended deadline of the same id (materials asked
// for again, a ruling to make again) starts afresh, an open one stays.
absl::Status StartDeadline(Connection& c, const domain::StatutoryClock& clock, const Case& k,
                           const domain::Deadline& d, absl::string_view actor, absl::Time now) {
  bool inserted = false;
  ODR_RETURN_IF_ERROR(deadline_rows::Insert(c, d, &inserted));
  if (!inserted) {
    ODR_ASSIGN_OR_RETURN(domain::Deadline old, deadline_rows::Load(c, k.id, d.id));
    if (old.open()) return absl::OkStatus();
    domain::Deadline fresh = d;
    fresh.ordinal = old.ordinal;
    ODR_RETURN_IF_ERROR(deadline_rows::Save(c, fresh));
  }
  return case_rows::AppendEvent(
      c, k.id, actor, now, k.state, k.state, clock.StartedMessage(d),
      {domain::EventKind::kDeadlineStarted, domain::StatutoryClock::Audience(d.kind),
       absl::StrCat("deadlines/", d.id)});
}

// Cancels the court's and the parties' open deadlines of application `f`.
absl::Status StopReviewDeadlines(Connection& c, const Case& k, const Confirmation& f,
                                 absl::Time now) {
  for (const char* prefix :
       {"confirmation-acceptance-", "confirmation-ruling-", "confirmation-materials-"}) {
    ODR_RETURN_IF_ERROR(deadline_rows::Stop(c, k.id, absl::StrCat(prefix, f.id),
                                            domain::DeadlineState::kCancelled, now));
  }
  return absl::OkStatus();
}

std::string CourtName(const Confirmation& f) {
  return f.court_display_name.empty()
             ? absl::StrCat("courts/", f.court_id)
             : absl::StrCat("courts/", f.court_id, " (", f.court_display_name, ")");
}

// Adds `parties` to the consent; files the application when every party consented.
absl::Status Consent(Connection& c, const domain::StatutoryClock* statutory, Case& k,
                     Confirmation& f, const std::vector<std::string>& parties,
                     absl::string_view actor, absl::Time now, std::string* message) {
  std::vector<std::string> added;
  for (const std::string& p : parties) {
    if (std::find(f.consented.begin(), f.consented.end(), p) == f.consented.end()) {
      f.consented.push_back(p);
      added.push_back(p);
    }
  }
  if (added.empty()) {
    return MakeError(
        absl::StatusCode::kFailedPrecondition, "ALREADY_CONSENTED",
        absl::StrCat(absl::StrJoin(parties, ", "), " already consented to ", f.name()));
  }
  // Keep the case's order: applicants, then respondents.
  std::vector<std::string> ordered;
  std::vector<std::string> missing;
  for (const std::string& p : domain::AllPartyRefs(k)) {
    if (std::find(f.consented.begin(), f.consented.end(), p) != f.consented.end()) {
      ordered.push_back(p);
    } else {
      missing.push_back(p);
    }
  }
  f.consented = ordered;
  *message = absl::StrCat(absl::StrJoin(added, ", "), " applied for judicial confirmation of ",
                          "agreements/", f.agreement_id, " by ", CourtName(f));
  if (!missing.empty()) {
    absl::StrAppend(message, "; waiting for ", absl::StrJoin(missing, ", "),
                    " to join (a joint application, PML Art. 33)");
    return absl::OkStatus();
  }
  ODR_ASSIGN_OR_RETURN(f.state,
                       domain::NextConfirmationState(f, domain::ConfirmationAction::kSubmit));
  f.submit_time = now;
  if (statutory == nullptr) {
    return absl::FailedPreconditionError("the statutory clock is not configured");
  }
  const domain::Deadline d =
      statutory->Start(domain::DeadlineKind::kConfirmationAcceptance, k, f.id, now);
  f.accept_due = d.due;
  ODR_RETURN_IF_ERROR(StartDeadline(c, *statutory, k, d, actor, now));
  ODR_RETURN_IF_ERROR(
      deadline_rows::Stop(c, k.id, "confirmation-application", domain::DeadlineState::kMet, now));
  absl::StrAppend(message, "; every party consented: filed with ", CourtName(f),
                  ", which accepts or refuses it by ", domain::DueDayText(d.due),
                  " (CPL Interpretation Art. 355)");
  return absl::OkStatus();
}

absl::Status Aborted(absl::string_view what) {
  return MakeError(absl::StatusCode::kAborted, kReasonStaleEtag,
                   absl::StrCat("etag is stale: ", what,
                                " was changed by someone else; get it again and retry"));
}

}  // namespace

// --- CourtStore ---

absl::Status CourtStore::Create(const domain::Court& court) {
  Violations v;
  if (auto e = domain::CheckResourceId(court.id); !e.empty()) v.Add("id", e);
  if (auto e = domain::CheckText(court.display_name, 1, 100, false); !e.empty()) {
    v.Add("display_name", e);
  }
  if (court.region_code.size() != 6 ||
      !std::all_of(court.region_code.begin(), court.region_code.end(),
                   [](char ch) { return ch >= '0' && ch <= '9'; })) {
    v.Add("region_code", "must be a six-digit administrative division code, e.g. 330681");
  }
  ODR_RETURN_IF_ERROR(v.ToStatus());
  return db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT 1 FROM courts WHERE id = ?1"));
    s.Bind(1, court.id);
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) {
      return MakeError(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                       absl::StrCat("courts/", court.id, " already exists"));
    }
    ODR_ASSIGN_OR_RETURN(
        Statement ins,
        c.Prepare("INSERT INTO courts (id, display_name, region_code, level) VALUES (?1, ?2, ?3,"
                  " ?4)"));
    ins.Bind(1, court.id).Bind(2, court.display_name).Bind(3, court.region_code);
    ins.Bind(4, domain::CourtLevelName(court.level));
    return ins.Run();
  });
}

absl::StatusOr<domain::Court> CourtStore::Get(absl::string_view id) {
  domain::Court out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare("SELECT id, display_name, region_code, level FROM courts WHERE id = ?1"));
    s.Bind(1, id);
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) {
      return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                       absl::StrCat("courts/", id, " not found"));
    }
    auto level = domain::CourtLevelFromName(s.ColumnText(3));
    if (!level) return case_rows::Corrupt("courts.level");
    out = {s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), *level};
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<domain::Court>> CourtStore::List() {
  std::vector<domain::Court> out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out, LoadCourts(c));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

// --- ConfirmationStore ---

absl::StatusOr<PrecheckResult> ConfirmationStore::Precheck(
    absl::string_view case_id, absl::string_view court_id,
    const std::vector<domain::ConfirmationMaterial>& materials) {
  PrecheckResult out;
  const absl::Time now = clock_->Now();
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Case k, case_rows::LoadCase(c, case_id));
    ODR_ASSIGN_OR_RETURN(out, BuildPrecheck(c, statutory_, k, court_id, materials, now));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<domain::CompetentCourt>> ConfirmationStore::CompetentCourts(
    const Case& k) {
  std::vector<domain::CompetentCourt> out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out, Competent(c, k));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<Result> ConfirmationStore::Create(
    absl::string_view case_id, absl::string_view court_id,
    const std::vector<domain::ConfirmationMaterial>& materials,
    const std::function<absl::StatusOr<std::vector<std::string>>(const Case&)>& choose_parties,
    absl::string_view request_key, const domain::MutationContext& ctx) {
  // A retry returns the first answer (authorized again: the key is the caller's).
  const auto previous = [&](Connection& c) -> absl::StatusOr<std::optional<Result>> {
    if (request_key.empty()) return std::optional<Result>();
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("SELECT case_id, id FROM confirmations WHERE request_key = ?1"
                                   " AND create_time_us >= ?2"));
    s.Bind(1, request_key).Bind(2, absl::ToUnixMicros(cases_->RequestKeyCutoff()));
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::optional<Result>();
    const std::string found_case = s.ColumnText(0), found_id = s.ColumnText(1);
    ODR_RETURN_IF_ERROR(s.Run());
    if (found_case != case_id) {
      return MakeError(absl::StatusCode::kAlreadyExists, kReasonRequestIdReused,
                       "request_id was already used for an application in another case; use a "
                       "new request_id");
    }
    ODR_ASSIGN_OR_RETURN(Case k, case_rows::LoadCase(c, found_case));
    ODR_ASSIGN_OR_RETURN(Confirmation f, Load(c, found_case, found_id));
    ODR_RETURN_IF_ERROR(FillCourtName(c, k, &f));
    if (ctx.authorize) ODR_RETURN_IF_ERROR(ctx.authorize(k));
    return std::optional<Result>(Result{std::move(f), std::move(k)});
  };
  std::optional<Result> first;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(first, previous(c));
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  if (first) {
    ODR_RETURN_IF_ERROR(cases_->RecordReplay(ctx, first->second.id));
    return *first;
  }

  Confirmation result;
  absl::StatusOr<Case> k = cases_->MutateCaseFor(
      case_id, std::nullopt, ctx, [&](Connection& c, Case& k) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::optional<Result> raced, previous(c));
        if (raced) {
          return MakeError(absl::StatusCode::kAborted, "CONCURRENT_RETRY",
                           "the same request_id is being applied concurrently; retry");
        }
        const absl::Time now = k.update_time;
        ODR_ASSIGN_OR_RETURN(std::vector<std::string> parties, choose_parties(k));
        ODR_ASSIGN_OR_RETURN(PrecheckResult pre,
                             BuildPrecheck(c, statutory_, k, court_id, materials, now));
        if (!pre.problems.empty()) return ProblemsError(pre.problems);
        Confirmation f;
        f.case_id = k.id;
        f.id = ids_->NewId();
        f.agreement_id = pre.input.agreement->id;
        f.court_id = std::string(court_id);
        for (const auto& cc : pre.input.competent) {
          if (cc.court.id == court_id) {
            f.bases = cc.bases;
            f.court_display_name = cc.court.display_name;
          }
        }
        f.materials = materials;
        f.create_time = f.update_time = now;
        f.version = 1;
        std::string message;
        ODR_RETURN_IF_ERROR(Consent(c, statutory_, k, f, parties, ctx.actor, now, &message));
        ODR_RETURN_IF_ERROR(cases_->ForgetExpiredRequestKey(c, "confirmations", request_key));
        ODR_RETURN_IF_ERROR(Save(c, f, /*insert=*/true, request_key));
        ODR_RETURN_IF_ERROR(Event(c, k, f, ctx.actor, now, message));
        result = std::move(f);
        return absl::OkStatus();
      });
  if (!k.ok()) return k.status();
  return Result{std::move(result), std::move(*k)};
}

absl::StatusOr<Result> ConfirmationStore::Change(
    absl::string_view case_id, absl::string_view id, std::optional<int64_t> expected_version,
    const Authorize& authorize, const domain::MutationContext& ctx,
    const std::function<absl::Status(Connection&, Case&, Confirmation&, absl::Time, std::string*)>&
        change) {
  Confirmation result;
  domain::MutationContext m = ctx;
  m.authorize = nullptr;  // the application's authorization needs the application: below
  absl::StatusOr<Case> k =
      cases_->MutateCaseFor(case_id, std::nullopt, m, [&](Connection& c, Case& k) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(Confirmation f, Load(c, k.id, id));
        ODR_RETURN_IF_ERROR(FillCourtName(c, k, &f));
        if (authorize) ODR_RETURN_IF_ERROR(authorize(k, f));
        if (expected_version && *expected_version != f.version) return Aborted(f.name());
        const absl::Time now = k.update_time;
        std::string message;
        ODR_RETURN_IF_ERROR(change(c, k, f, now, &message));
        f.update_time = now;
        f.version += 1;
        ODR_RETURN_IF_ERROR(Save(c, f, /*insert=*/false));
        if (!message.empty()) ODR_RETURN_IF_ERROR(Event(c, k, f, ctx.actor, now, message));
        result = std::move(f);
        return absl::OkStatus();
      });
  // A missing case: the same NOT_FOUND as a missing application.
  if (absl::IsNotFound(k.status())) return domain::ConfirmationNotFoundError(case_id, id);
  if (!k.ok()) return k.status();
  return Result{std::move(result), std::move(*k)};
}

absl::StatusOr<Result> ConfirmationStore::Join(
    absl::string_view case_id, absl::string_view id,
    const std::function<absl::StatusOr<std::vector<std::string>>(const Case&, const Confirmation&)>&
        choose_parties,
    const domain::MutationContext& ctx) {
  std::vector<std::string> parties;
  return Change(
      case_id, id, std::nullopt,
      [&](const Case& k, const Confirmation& f) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(parties, choose_parties(k, f));
        return absl::OkStatus();
      },
      ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_RETURN_IF_ERROR(
            domain::NextConfirmationState(f, domain::ConfirmationAction::kJoin).status());
        // The application is made when the last party joins: the pre-check again, on the
        // case as it is now (the 30 days of PML Art. 33 above all), this application aside.
        ODR_ASSIGN_OR_RETURN(PrecheckResult pre,
                             BuildPrecheck(c, statutory_, k, f.court_id, f.materials, now));
        std::vector<domain::ConfirmationProblem> problems;
        for (const auto& p : pre.problems) {
          if (p.reason != "APPLICATION_PENDING") problems.push_back(p);
        }
        if (!problems.empty()) return ProblemsError(problems);
        return Consent(c, statutory_, k, f, parties, ctx.actor, now, message);
      });
}

absl::StatusOr<Result> ConfirmationStore::Withdraw(absl::string_view case_id, absl::string_view id,
                                                   absl::string_view reason,
                                                   const Authorize& authorize,
                                                   const PartiesOf& parties,
                                                   const domain::MutationContext& ctx) {
  return Change(
      case_id, id, std::nullopt, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        if (domain::WithdrawalNeedsRuling(f)) {
          // Filed: the court rules on the request (CPL Interpretation Art. 357).
          ODR_RETURN_IF_ERROR(domain::RequestWithdrawal(&f, parties(k), reason, now));
          *message = absl::StrCat(
              absl::StrJoin(f.withdrawal_request->parties, ", "), " asked ", CourtName(f),
              " to withdraw the application; the court rules on it (CPL Interpretation Art. 357)",
              reason.empty() ? "" : ": ", reason);
          return absl::OkStatus();
        }
        ODR_ASSIGN_OR_RETURN(
            f.state, domain::NextConfirmationState(f, domain::ConfirmationAction::kWithdraw));
        f.withdrawal_kind = domain::WithdrawalKind::kByParties;
        ODR_RETURN_IF_ERROR(StopReviewDeadlines(c, k, f, now));
        *message = absl::StrCat("the application to ", CourtName(f),
                                " was withdrawn (CPL Interpretation Art. 357)",
                                reason.empty() ? "" : ": ", reason);
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::SupplyMaterials(
    absl::string_view case_id, absl::string_view id,
    const std::vector<domain::ConfirmationMaterial>& materials, const Authorize& authorize,
    const domain::MutationContext& ctx) {
  return Change(
      case_id, id, std::nullopt, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(f.state, domain::NextConfirmationState(
                                          f, domain::ConfirmationAction::kSupplyMaterials));
        ODR_ASSIGN_OR_RETURN(auto evidence, LoadEvidence(c, k.id, materials));
        std::vector<domain::ConfirmationProblem> problems =
            domain::CheckMaterials(k.id, materials, evidence, "");
        if (!problems.empty()) {
          Violations v;
          for (const auto& p : problems) v.Add(p.field, p.description);
          return v.ToStatus();
        }
        if (f.materials.size() + materials.size() > 50) {
          return InvalidFieldError("materials", "an application has at most 50 materials");
        }
        for (const auto& m : materials) f.materials.push_back(m);
        ODR_RETURN_IF_ERROR(deadline_rows::Stop(c, k.id,
                                                absl::StrCat("confirmation-materials-", f.id),
                                                domain::DeadlineState::kMet, now));
        f.materials_due.reset();
        *message = absl::StrCat(materials.size(), " more material(s) supplied to ", CourtName(f),
                                "; the application is back with the court (",
                                domain::ApiConfirmationStateName(f.state), ")");
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::Accept(absl::string_view case_id, absl::string_view id,
                                                 std::optional<int64_t> expected_version,
                                                 const Authorize& authorize,
                                                 const domain::MutationContext& ctx) {
  return Change(
      case_id, id, expected_version, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(f.state,
                             domain::NextConfirmationState(f, domain::ConfirmationAction::kAccept));
        f.accept_time = now;
        const domain::Deadline d =
            statutory_->Start(domain::DeadlineKind::kConfirmationRuling, k, f.id, now);
        f.ruling_due = d.due;
        ODR_RETURN_IF_ERROR(deadline_rows::Stop(c, k.id,
                                                absl::StrCat("confirmation-acceptance-", f.id),
                                                domain::DeadlineState::kMet, now));
        ODR_RETURN_IF_ERROR(StartDeadline(c, *statutory_, k, d, ctx.actor, now));
        *message = absl::StrCat(CourtName(f), " accepted the application; the ruling is due by ",
                                domain::DueDayText(d.due), " (CPL Art. 187)");
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::Refuse(absl::string_view case_id, absl::string_view id,
                                                 domain::RefusalGround ground,
                                                 absl::string_view note,
                                                 std::optional<int64_t> expected_version,
                                                 const Authorize& authorize,
                                                 const domain::MutationContext& ctx) {
  return Change(
      case_id, id, expected_version, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(f.state,
                             domain::NextConfirmationState(f, domain::ConfirmationAction::kRefuse));
        f.decision_time = now;
        f.refusal_ground = ground;
        f.court_note = std::string(note);
        ODR_RETURN_IF_ERROR(deadline_rows::Stop(c, k.id,
                                                absl::StrCat("confirmation-acceptance-", f.id),
                                                domain::DeadlineState::kMet, now));
        *message = absl::StrCat(
            CourtName(f), " refused to accept the application: ", domain::RefusalGroundText(ground),
            " (CPL Interpretation Art. 355)");
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::RequestMaterials(absl::string_view case_id,
                                                           absl::string_view id,
                                                           absl::string_view note, int due_days,
                                                           std::optional<int64_t> expected_version,
                                                           const Authorize& authorize,
                                                           const domain::MutationContext& ctx) {
  return Change(
      case_id, id, expected_version, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_RETURN_IF_ERROR(domain::CheckMaterialsDueDays(due_days));
        ODR_ASSIGN_OR_RETURN(f.state, domain::NextConfirmationState(
                                          f, domain::ConfirmationAction::kRequestMaterials));
        f.court_note = std::string(note);
        // The parties supply them by the court's deadline (CPL Interpretation Arts. 354, 356).
        const domain::Deadline d = statutory_->MaterialsDeadline(k, f.id, due_days, now);
        f.materials_due = d.due;
        ODR_RETURN_IF_ERROR(StartDeadline(c, *statutory_, k, d, ctx.actor, now));
        *message =
            absl::StrCat(CourtName(f), " asked for more materials by ", domain::DueDayText(d.due),
                         " (CPL Interpretation Arts. 354, 356): ", note);
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::Rule(
    absl::string_view case_id, absl::string_view id, bool valid,
    const std::vector<domain::RejectionGround>& grounds, absl::string_view note,
    absl::string_view ruling_number, std::optional<int64_t> expected_version,
    const Authorize& authorize, const domain::MutationContext& ctx) {
  return Change(
      case_id, id, expected_version, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(f.state, domain::NextConfirmationState(
                                          f, valid ? domain::ConfirmationAction::kRuleValid
                                                   : domain::ConfirmationAction::kRuleRejected));
        f.decision_time = now;
        f.court_note = std::string(note);
        f.ruling_number = std::string(ruling_number);
        f.rejection_grounds = valid ? std::vector<domain::RejectionGround>{} : grounds;
        ODR_RETURN_IF_ERROR(deadline_rows::Stop(c, k.id, absl::StrCat("confirmation-ruling-", f.id),
                                                domain::DeadlineState::kMet, now));
        if (valid) {
          *message =
              absl::StrCat(CourtName(f), " ruled agreements/", f.agreement_id,
                           " valid and enforceable, ruling ", ruling_number, " (CPL Art. 206)");
          // The event of the application first, then the case's state change.
          ODR_RETURN_IF_ERROR(Event(c, k, f, ctx.actor, now, *message));
          *message = "";
          return cases_->ApplyAction(c, k, domain::CaseAction::kConfirm,
                                     absl::StrCat("judicially confirmed by ", CourtName(f),
                                                  ", ruling ", ruling_number, " (CPL Art. 206)"),
                                     ctx.actor);
        }
        std::vector<std::string> texts;
        for (domain::RejectionGround g : grounds) texts.push_back(domain::RejectionGroundText(g));
        // The agreement is not voided: it binds as a contract until the parties change it or
        // make a new one by mediating again, each consenting, or a party sues (CPL Art. 206;
        // PML Art. 33). Its instalments stay due; the case stays SETTLED.
        ODR_RETURN_IF_ERROR(agreement_rows::SetState(
            c, k.id, f.agreement_id, domain::AgreementState::kConfirmationRejected, now));
        *message = absl::StrCat(
            CourtName(f), " rejected the application, ruling ", ruling_number, ": ",
            absl::StrJoin(texts, "; "),
            " (CPL Interpretation Art. 358); the agreement stands as it was: the parties may "
            "mediate again, each consenting, or sue (CPL Art. 206; PML Art. 33)");
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::RuleWithdrawal(
    absl::string_view case_id, absl::string_view id, domain::WithdrawalRuling ruling,
    absl::string_view note, absl::string_view ruling_number,
    std::optional<int64_t> expected_version, const Authorize& authorize,
    const domain::MutationContext& ctx) {
  return Change(case_id, id, expected_version, authorize, ctx,
                [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
                    std::string* message) -> absl::Status {
                  ODR_ASSIGN_OR_RETURN(
                      *message, domain::RuleOnWithdrawal(&f, ruling, note, ruling_number, now));
                  *message = absl::StrCat(CourtName(f), ": ", *message);
                  if (f.state == ConfirmationState::kWithdrawn) {
                    ODR_RETURN_IF_ERROR(StopReviewDeadlines(c, k, f, now));
                  }
                  return absl::OkStatus();
                });
}

absl::StatusOr<Result> ConfirmationStore::CallParties(absl::string_view case_id,
                                                      absl::string_view id, absl::Time time,
                                                      absl::string_view place,
                                                      std::optional<int64_t> expected_version,
                                                      const Authorize& authorize,
                                                      const domain::MutationContext& ctx) {
  return Change(case_id, id, expected_version, authorize, ctx,
                [&](Connection&, Case&, Confirmation& f, absl::Time now,
                    std::string* message) -> absl::Status {
                  ODR_RETURN_IF_ERROR(domain::CallParties(&f, time, place, now));
                  *message =
                      absl::StrCat(CourtName(f), " calls both parties to appear together on ",
                                   absl::FormatTime("%Y-%m-%d %H:%M", time, domain::ChinaTime()),
                                   " at ", place, " (CPL Interpretation Art. 356)");
                  return absl::OkStatus();
                });
}

absl::StatusOr<Result> ConfirmationStore::ExtendRuling(absl::string_view case_id,
                                                       absl::string_view id, int days,
                                                       absl::string_view approval,
                                                       std::optional<int64_t> expected_version,
                                                       const Authorize& authorize,
                                                       const domain::MutationContext& ctx) {
  return Change(case_id, id, expected_version, authorize, ctx,
                [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
                    std::string* message) -> absl::Status {
                  ODR_RETURN_IF_ERROR(domain::ExtendRuling(&f, days, approval, now));
                  ODR_ASSIGN_OR_RETURN(
                      domain::Deadline d,
                      deadline_rows::Load(c, k.id, absl::StrCat("confirmation-ruling-", f.id)));
                  ODR_RETURN_IF_ERROR(statutory_->ExtendRuling(&d, days, now));
                  ODR_RETURN_IF_ERROR(deadline_rows::Save(c, d));
                  f.ruling_due = d.due;
                  *message = absl::StrCat(CourtName(f), " extended the ruling period by ", days,
                                          " days with the president's approval (", approval,
                                          "); the ruling is due by ", domain::DueDayText(d.due),
                                          " (CPL Art. 187)");
                  return absl::OkStatus();
                });
}

absl::StatusOr<Result> ConfirmationStore::ExtendPartyTime(
    absl::string_view case_id, absl::string_view id, const domain::PartyTimeExtension& extension,
    std::optional<int64_t> expected_version, const Authorize& authorize,
    const domain::MutationContext& ctx) {
  return Change(
      case_id, id, expected_version, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_RETURN_IF_ERROR(domain::GrantPartyTime(&f, k, extension, now));
        const bool materials = extension.period == domain::PartyPeriod::kMaterials;
        ODR_ASSIGN_OR_RETURN(
            domain::Deadline d,
            deadline_rows::Load(
                c, k.id,
                absl::StrCat(materials ? "confirmation-materials-" : "ruling-objection-", f.id)));
        ODR_RETURN_IF_ERROR(statutory_->ExtendPartyPeriod(&d, extension.until, now));
        ODR_RETURN_IF_ERROR(deadline_rows::Save(c, d));
        (materials ? f.materials_due : f.objection_due) = d.due;
        // The reason stays on the application; the timeline names no circumstances.
        *message = absl::StrCat(
            CourtName(f), " granted ", extension.party, " more time for a good reason: ",
            materials ? "the materials are due" : "a party may object to the ruling", " until ",
            domain::DueDayText(d.due), " (CPL Art. 86)");
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::RecordRulingService(
    absl::string_view case_id, absl::string_view id, absl::Time served,
    std::optional<int64_t> expected_version, const Authorize& authorize,
    const domain::MutationContext& ctx) {
  return Change(case_id, id, expected_version, authorize, ctx,
                [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
                    std::string* message) -> absl::Status {
                  ODR_RETURN_IF_ERROR(domain::RecordRulingService(&f, served, now));
                  // The parties' 15 days run from the day they received it (CPL Art. 85 counting).
                  const domain::Deadline d =
                      statutory_->Start(domain::DeadlineKind::kRulingObjection, k, f.id, served);
                  f.objection_due = d.due;
                  ODR_RETURN_IF_ERROR(StartDeadline(c, *statutory_, k, d, ctx.actor, now));
                  *message =
                      absl::StrCat("ruling ", f.ruling_number, " was served on the parties on ",
                                   absl::FormatTime("%Y-%m-%d", served, domain::ChinaTime()),
                                   "; a party may object to ", CourtName(f), " until ",
                                   domain::DueDayText(d.due), " (CPL Interpretation Art. 372)");
                  return absl::OkStatus();
                });
}

absl::StatusOr<Result> ConfirmationStore::FileObjection(absl::string_view case_id,
                                                        absl::string_view id,
                                                        const ObjectionOf& objection,
                                                        const domain::MutationContext& ctx) {
  return Change(
      case_id, id, std::nullopt, [](const Case&, const Confirmation&) { return absl::OkStatus(); },
      ctx,
      [&](Connection&, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(domain::Objection o, objection(k, f));
        o.filed_by = ctx.actor;
        ODR_ASSIGN_OR_RETURN(const domain::Objection* filed,
                             domain::FileObjection(&f, std::move(o), now));
        // The parties' objection deadline stays: the other party may object too.
        *message = absl::StrCat(filed->party.empty() ? "an interested person" : filed->party,
                                " objected to ruling ", f.ruling_number, " (objection ", filed->id,
                                "); ", CourtName(f), " decides it (CPL Interpretation Art. 372)");
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::DecideObjection(
    absl::string_view case_id, absl::string_view id, absl::string_view objection_id, bool upheld,
    absl::string_view note, absl::string_view ruling_number,
    std::optional<int64_t> expected_version, const Authorize& authorize,
    const domain::MutationContext& ctx) {
  return Change(
      case_id, id, expected_version, authorize, ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(
            domain::ObjectionEffect effect,
            domain::DecideObjection(&f, objection_id, upheld, note, ruling_number, k.state, now));
        const std::string head =
            absl::StrCat(CourtName(f), upheld ? " upheld" : " dismissed", " objection ",
                         objection_id, " to ruling ", f.ruling_number, " by ruling ", ruling_number,
                         " (CPL Interpretation Art. 372)", note.empty() ? "" : ": ", note);
        switch (effect) {
          case domain::ObjectionEffect::kNone:
            *message = head;
            return absl::OkStatus();
          case domain::ObjectionEffect::kRevoked:
            // The agreement is no longer confirmed; it binds as before (CPL Art. 206).
            ODR_RETURN_IF_ERROR(agreement_rows::SetState(
                c, k.id, f.agreement_id, domain::AgreementState::kConfirmationRejected, now));
            ODR_RETURN_IF_ERROR(Event(c, k, f, ctx.actor, now, head));
            *message = "";
            return cases_->ApplyAction(
                c, k, domain::CaseAction::kRevokeConfirmation,
                absl::StrCat(head,
                             "; the confirmation is revoked: the parties may mediate again, "
                             "each consenting, or sue (CPL Art. 206)"),
                ctx.actor);
          case domain::ObjectionEffect::kReopened: {
            ODR_RETURN_IF_ERROR(agreement_rows::SetState(c, k.id, f.agreement_id,
                                                         domain::AgreementState::kEffective, now));
            const domain::Deadline d =
                statutory_->Start(domain::DeadlineKind::kConfirmationRuling, k, f.id, now);
            f.ruling_due = d.due;
            f.decision_time.reset();
            ODR_RETURN_IF_ERROR(StartDeadline(c, *statutory_, k, d, ctx.actor, now));
            *message = absl::StrCat(head,
                                    "; the rejection is set aside and the court rules again "
                                    "by ",
                                    domain::DueDayText(d.due));
            return absl::OkStatus();
          }
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<Result> ConfirmationStore::ConsentToMediateAgain(
    absl::string_view case_id, absl::string_view id,
    const std::function<absl::StatusOr<std::vector<std::string>>(const Case&, const Confirmation&)>&
        choose_parties,
    const domain::MutationContext& ctx) {
  std::vector<std::string> parties;
  return Change(
      case_id, id, std::nullopt,
      [&](const Case& k, const Confirmation& f) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(parties, choose_parties(k, f));
        return absl::OkStatus();
      },
      ctx,
      [&](Connection& c, Case& k, Confirmation& f, absl::Time now,
          std::string* message) -> absl::Status {
        // Only the case's latest application speaks for its agreement.
        ODR_ASSIGN_OR_RETURN(std::vector<Confirmation> all, LoadForCase(c, k.id));
        if (!all.empty() && all.front().id != f.id) {
          return MakeError(
              absl::StatusCode::kFailedPrecondition, "NOT_LATEST_APPLICATION",
              absl::StrCat("confirmations/", all.front().id, " is the case's latest application"));
        }
        ODR_ASSIGN_OR_RETURN(std::vector<std::string> missing,
                             domain::ConsentToMediateAgain(&f, k, parties));
        if (!missing.empty()) {
          *message = absl::StrCat(absl::StrJoin(parties, ", "),
                                  " consented to mediate again (CPL Art. 206); waiting for ",
                                  absl::StrJoin(missing, ", "));
          return absl::OkStatus();
        }
        ODR_RETURN_IF_ERROR(Event(c, k, f, ctx.actor, now,
                                  absl::StrCat(absl::StrJoin(parties, ", "),
                                               " consented to mediate again; every party has")));
        *message = "";
        return cases_->ApplyAction(
            c, k, domain::CaseAction::kMediateAgain,
            absl::StrCat("every party consented to mediate again after ", CourtName(f),
                         (f.state == ConfirmationState::kRevoked ? " revoked" : " rejected"),
                         " the confirmation of agreements/", f.agreement_id,
                         "; the agreement binds until a new one changes it (CPL Art. 206; PML "
                         "Art. 33)"),
            ctx.actor);
      });
}

absl::StatusOr<Result> ConfirmationStore::Get(absl::string_view case_id, absl::string_view id) {
  Result out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    absl::StatusOr<Case> k = case_rows::LoadCase(c, case_id);
    if (absl::IsNotFound(k.status())) return domain::ConfirmationNotFoundError(case_id, id);
    if (!k.ok()) return k.status();
    ODR_ASSIGN_OR_RETURN(Confirmation f, Load(c, case_id, id));
    ODR_RETURN_IF_ERROR(FillCourtName(c, *k, &f));
    out = {std::move(f), std::move(*k)};
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::pair<std::vector<Confirmation>, Case>> ConfirmationStore::ListForCase(
    absl::string_view case_id, std::optional<ConfirmationState> state) {
  std::pair<std::vector<Confirmation>, Case> out;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out.second, case_rows::LoadCase(c, case_id));
    ODR_ASSIGN_OR_RETURN(std::vector<Confirmation> all, LoadForCase(c, case_id));
    for (Confirmation& f : all) {
      if (state && f.state != *state) continue;
      ODR_RETURN_IF_ERROR(FillCourtName(c, out.second, &f));
      out.first.push_back(std::move(f));
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<ConfirmationPage> ConfirmationStore::ListForCourt(
    absl::string_view court_id, std::optional<ConfirmationState> state,
    const std::optional<ListCursor>& after, int limit) {
  ConfirmationPage page;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare(absl::StrCat(
            "SELECT ", kColumns,
            " FROM confirmations WHERE court_id = ?1 AND submit_time_us IS NOT NULL"
            " AND (?2 = '' OR state = ?2) AND (create_time_us > ?3 OR (create_time_us = ?3"
            " AND case_id || '/' || id > ?4)) ORDER BY create_time_us, case_id, id LIMIT ?5")));
    s.Bind(1, court_id).Bind(2, state ? domain::ConfirmationStateName(*state) : "");
    s.Bind(3, after ? after->time_us : std::numeric_limits<int64_t>::min());
    s.Bind(4, after ? after->id : "").Bind(5, static_cast<int64_t>(limit) + 1);
    std::vector<Confirmation> rows;
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ODR_ASSIGN_OR_RETURN(Confirmation f, ReadRow(s));
      rows.push_back(std::move(f));
    }
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
      ODR_ASSIGN_OR_RETURN(Case k, case_rows::LoadCase(c, rows[i].case_id));
      ODR_RETURN_IF_ERROR(FillCourtName(c, k, &rows[i]));
      page.items.emplace_back(std::move(rows[i]), std::move(k));
    }
    if (static_cast<int>(rows.size()) > limit && limit > 0) {
      const Confirmation& last = page.items.back().first;
      page.next = ListCursor{absl::ToUnixMicros(last.create_time),
                             absl::StrCat(last.case_id, "/", last.id)};
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return page;
}

absl::StatusOr<DivertedPage> ConfirmationStore::ListDiverted(
    absl::string_view court_id, std::optional<DiversionOutcome> outcome,
    const std::optional<ListCursor>& after, int limit) {
  DivertedPage page;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare("SELECT c.id, c.create_time_us, c.state,"
                  " (SELECT e.kind FROM case_endings e WHERE e.case_id = c.id),"
                  // The court's view of applications (AuthorizeConfirmationRead): those made to
                  // it and filed (every party consented).
                  " (SELECT f.state FROM confirmations f WHERE f.case_id = c.id"
                  " AND f.court_id = ?1 AND f.submit_time_us IS NOT NULL"
                  " ORDER BY f.create_time_us DESC, f.id DESC LIMIT 1)"
                  " FROM cases c WHERE c.diversion_court = ?1 AND (c.create_time_us > ?2 OR"
                  " (c.create_time_us = ?2 AND c.id > ?3)) ORDER BY c.create_time_us, c.id"));
    s.Bind(1, court_id);
    s.Bind(2, after ? after->time_us : std::numeric_limits<int64_t>::min());
    s.Bind(3, after ? after->id : "");
    struct Row {
      std::string id;
      int64_t time_us;
      DiversionOutcome outcome;
      std::optional<ConfirmationState> confirmation;
    };
    std::vector<Row> rows;
    while (static_cast<int>(rows.size()) <= limit) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      Row r{s.ColumnText(0), s.ColumnInt(1), DiversionOutcome::kPending, std::nullopt};
      auto state = domain::StateFromName(s.ColumnText(2));
      if (!state) return case_rows::Corrupt("cases.state");
      std::optional<domain::EndingKind> ending;
      if (auto e = s.ColumnOptionalText(3)) {
        ending = domain::EndingKindFromName(*e);
        if (!ending) return case_rows::Corrupt("case_endings.kind");
      }
      switch (*state) {
        case domain::CaseState::kSettled:
          r.outcome = DiversionOutcome::kSettled;
          break;
        case domain::CaseState::kConfirmed:
          r.outcome = DiversionOutcome::kConfirmed;
          break;
        case domain::CaseState::kClosed:
          r.outcome = ending == domain::EndingKind::kTrialResumed ? DiversionOutcome::kTrialResumed
                                                                  : DiversionOutcome::kReferred;
          break;
        case domain::CaseState::kConcluded:
          r.outcome = ending == domain::EndingKind::kSuitWithdrawn
                          ? DiversionOutcome::kSuitWithdrawn
                          : DiversionOutcome::kMediationStatement;
          break;
        case domain::CaseState::kWithdrawn:
          r.outcome = DiversionOutcome::kEnded;
          break;
        default:
          r.outcome = DiversionOutcome::kPending;
      }
      if (auto f = s.ColumnOptionalText(4)) r.confirmation = domain::ConfirmationStateFromName(*f);
      if (outcome && r.outcome != *outcome) continue;
      rows.push_back(std::move(r));
    }
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
      ODR_ASSIGN_OR_RETURN(Case k, case_rows::LoadCase(c, rows[i].id));
      page.rows.push_back({std::move(k), rows[i].outcome, rows[i].confirmation});
    }
    if (static_cast<int>(rows.size()) > limit && limit > 0) {
      page.next = ListCursor{rows[limit - 1].time_us, rows[limit - 1].id};
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return page;
}

absl::StatusOr<ReferralPage> ConfirmationStore::ListReferrals(
    absl::string_view court_id, const std::optional<ListCursor>& after, int limit) {
  ReferralPage page;
  absl::Status st = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement s,
        c.Prepare("SELECT case_id, reason, time_us, kind, cost_conduct FROM court_referrals"
                  " WHERE court_id = ?1"
                  " AND (time_us > ?2 OR (time_us = ?2 AND case_id > ?3))"
                  " ORDER BY time_us, case_id LIMIT ?4"));
    s.Bind(1, court_id);
    s.Bind(2, after ? after->time_us : std::numeric_limits<int64_t>::min());
    s.Bind(3, after ? after->id : "").Bind(4, static_cast<int64_t>(limit) + 1);
    struct Row {
      std::string case_id, reason;
      int64_t time_us;
      std::string kind, cost_conduct;
    };
    std::vector<Row> rows;
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      rows.push_back(
          {s.ColumnText(0), s.ColumnText(1), s.ColumnInt(2), s.ColumnText(3), s.ColumnText(4)});
    }
    for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
      ODR_ASSIGN_OR_RETURN(Case k, case_rows::LoadCase(c, rows[i].case_id));
      std::optional<domain::EndingKind> kind = domain::EndingKindFromName(rows[i].kind);
      if (!kind) return case_rows::Corrupt("court_referrals.kind");
      page.rows.push_back({std::string(court_id), std::move(k), rows[i].reason,
                           absl::FromUnixMicros(rows[i].time_us), *kind, rows[i].cost_conduct});
    }
    if (static_cast<int>(rows.size()) > limit && limit > 0) {
      page.next = ListCursor{rows[limit - 1].time_us, rows[limit - 1].case_id};
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return page;
}

}  // namespace odr::storage
