#include "storage/schedule_store.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/domain/authorization.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/domain/working_calendar.h"
#include "storage/case_rows.h"
#include "storage/deadline_rows.h"

namespace odr::storage {
namespace {

using domain::Appointment;
using domain::Availability;
using domain::Case;
using nlohmann::json;

constexpr char kAppointmentColumns[] =
    "case_id, id, kind, state, start_us, end_us, mediator_principal, location, participants,"
    " audience, cancel_reason, booked_by, create_time_us, update_time_us, version";

std::string AvailabilityJson(const Availability& a) {
  json j;
  j["time_zone"] = a.time_zone;
  j["weekly"] = json::array();
  for (const auto& w : a.weekly) {
    j["weekly"].push_back({{"day", w.day}, {"start", w.start_minute}, {"end", w.end_minute}});
  }
  j["leave"] = json::array();
  for (const auto& l : a.leave) {
    j["leave"].push_back({{"start_us", absl::ToUnixMicros(l.start)},
                          {"end_us", absl::ToUnixMicros(l.end)},
                          {"reason", l.reason}});
  }
  return j.dump();
}

absl::StatusOr<Availability> AvailabilityFromJson(const std::string& text) {
  try {
    json j = json::parse(text);
    Availability a;
    a.time_zone = j.at("time_zone").get<std::string>();
    for (const auto& w : j.at("weekly")) {
      a.weekly.push_back(
          {w.at("day").get<int>(), w.at("start").get<int>(), w.at("end").get<int>()});
    }
    for (const auto& l : j.at("leave")) {
      a.leave.push_back({absl::FromUnixMicros(l.at("start_us").get<int64_t>()),
                         absl::FromUnixMicros(l.at("end_us").get<int64_t>()),
                         l.at("reason").get<std::string>()});
    }
    return a;
  } catch (const json::exception&) {
    return case_rows::Corrupt("mediator_availability.definition");
  }
}

std::string ParticipantsJson(const std::vector<domain::AppointmentParticipant>& ps) {
  json j = json::array();
  for (const auto& p : ps) {
    j.push_back(
        {{"participant", p.participant}, {"attendance", domain::AttendanceName(p.attendance)}});
  }
  return j.dump();
}

absl::StatusOr<Appointment> ReadAppointment(const Statement& s) {
  Appointment a;
  a.case_id = s.ColumnText(0);
  a.id = s.ColumnText(1);
  auto kind = domain::AppointmentKindFromName(s.ColumnText(2));
  auto audience = domain::EventAudienceFromName(s.ColumnText(9));
  if (!kind || !audience) return case_rows::Corrupt("appointments");
  a.kind = *kind;
  a.cancelled = s.ColumnText(3) == "cancelled";
  a.slot = {absl::FromUnixMicros(s.ColumnInt(4)), absl::FromUnixMicros(s.ColumnInt(5))};
  a.mediator_principal = s.ColumnText(6);
  a.location = s.ColumnText(7);
  try {
    for (const auto& p : json::parse(s.ColumnText(8))) {
      auto att = domain::AttendanceFromName(p.at("attendance").get<std::string>());
      if (!att) return case_rows::Corrupt("appointments.participants");
      a.participants.push_back({p.at("participant").get<std::string>(), *att});
    }
  } catch (const json::exception&) {
    return case_rows::Corrupt("appointments.participants");
  }
  a.audience = *audience;
  a.cancel_reason = s.ColumnText(10);
  a.booked_by = s.ColumnText(11);
  a.create_time = absl::FromUnixMicros(s.ColumnInt(12));
  a.update_time = absl::FromUnixMicros(s.ColumnInt(13));
  a.version = s.ColumnInt(14);
  return a;
}

absl::StatusOr<std::optional<Appointment>> FindAppointment(Connection& c, absl::string_view case_id,
                                                           absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(absl::StrCat("SELECT ", kAppointmentColumns,
                                                           " FROM appointments WHERE case_id = ?1"
                                                           " AND id = ?2")));
  s.Bind(1, case_id).Bind(2, id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Appointment>();
  ODR_ASSIGN_OR_RETURN(Appointment a, ReadAppointment(s));
  return std::optional<Appointment>(std::move(a));
}

absl::StatusOr<Appointment> LoadAppointment(Connection& c, absl::string_view case_id,
                                            absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(std::optional<Appointment> a, FindAppointment(c, case_id, id));
  if (!a) return domain::AppointmentNotFoundError(case_id, id);
  return std::move(*a);
}

absl::Status WriteAppointment(Connection& c, const Appointment& a, absl::string_view fingerprint,
                              bool insert) {
  const char* sql =
      insert ? "INSERT INTO appointments (case_id, id, kind, state, start_us, end_us,"
               " mediator_principal, location, participants, audience, cancel_reason, booked_by,"
               " create_time_us, update_time_us, version, request_fingerprint) VALUES (?1, ?2,"
               " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
             : "UPDATE appointments SET kind = ?3, state = ?4, start_us = ?5, end_us = ?6,"
               " mediator_principal = ?7, location = ?8, participants = ?9, audience = ?10,"
               " cancel_reason = ?11, booked_by = ?12, create_time_us = ?13, update_time_us ="
               " ?14, version = ?15 WHERE case_id = ?1 AND id = ?2";
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare(sql));
  s.Bind(1, a.case_id).Bind(2, a.id).Bind(3, domain::AppointmentKindName(a.kind));
  s.Bind(4, a.cancelled ? "cancelled" : "scheduled").Bind(5, absl::ToUnixMicros(a.slot.start));
  s.Bind(6, absl::ToUnixMicros(a.slot.end)).Bind(7, a.mediator_principal).Bind(8, a.location);
  s.Bind(9, ParticipantsJson(a.participants)).Bind(10, domain::EventAudienceName(a.audience));
  s.Bind(11, a.cancel_reason).Bind(12, a.booked_by).Bind(13, absl::ToUnixMicros(a.create_time));
  s.Bind(14, absl::ToUnixMicros(a.update_time)).Bind(15, a.version);
  if (insert) s.Bind(16, fingerprint);
  return s.Run();
}

// The people an appointment occupies: busy key and how the error names them.
std::vector<std::pair<std::string, std::string>> PeopleOf(const PersonKeys& persons, const Case& k,
                                                          const Appointment& a) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& p : a.participants) {
    std::string key;
    if (absl::StartsWith(p.participant, "principals/")) {
      key = PrincipalKey(p.participant.substr(strlen("principals/")));
    } else {
      auto ref = domain::ParsePartyRef(p.participant, k, "participant");
      if (!ref.ok()) continue;  // checked before
      auto [type, number] = domain::PartyDocument(k, *ref);
      key = persons.Of(type, number);
    }
    if (seen.insert(key).second) out.emplace_back(key, p.participant);
  }
  return out;
}

std::string SlotText(const domain::Interval& slot) {
  const absl::TimeZone tz = domain::ChinaTime();
  return absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M", slot.start, tz), "-",
                      absl::FormatTime("%H:%M", slot.end, tz), " (UTC+8)");
}

// FAILED_PRECONDITION SLOT_CONFLICT if any of the people is busy during `a.slot` other than with
// `a` itself.
absl::Status CheckConflicts(Connection& c, const PersonKeys& persons, const Case& k,
                            const Appointment& a, const ScheduleStore::MaySee& may_see) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("SELECT start_us, end_us, case_id, appointment_id FROM busy_intervals"
                " WHERE person = ?1 AND start_us < ?3 AND end_us > ?2"
                " AND NOT (case_id = ?4 AND appointment_id = ?5) ORDER BY start_us LIMIT 1"));
  for (const auto& [key, label] : PeopleOf(persons, k, a)) {
    s.Bind(1, key).Bind(2, absl::ToUnixMicros(a.slot.start));
    s.Bind(3, absl::ToUnixMicros(a.slot.end)).Bind(4, a.case_id).Bind(5, a.id);
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) continue;
    const domain::Interval taken{absl::FromUnixMicros(s.ColumnInt(0)),
                                 absl::FromUnixMicros(s.ColumnInt(1))};
    const std::string other_case = s.ColumnText(2), other_id = s.ColumnText(3);
    ODR_RETURN_IF_ERROR(s.Run());
    // The conflicting appointment's times only to a caller who may read it: another case's, or a
    // separate session of the other side, says no more than that the person is busy then.
    bool visible = false;
    if (may_see) {
      ODR_ASSIGN_OR_RETURN(std::optional<Appointment> other,
                           FindAppointment(c, other_case, other_id));
      if (other) {
        if (other_case == k.id) {
          visible = may_see(k, *other);
        } else {
          ODR_ASSIGN_OR_RETURN(Case owner, case_rows::LoadCase(c, other_case));
          visible = may_see(owner, *other);
        }
      }
    }
    const bool mediator = absl::StartsWith(label, "principals/");
    const std::string who = absl::StrCat(mediator ? "the mediator " : "participant ", label);
    if (!visible) {
      return MakeErrorWithMetadata(
          absl::StatusCode::kFailedPrecondition, "SLOT_CONFLICT",
          absl::StrCat("the slot ", SlotText(a.slot), " conflicts: ", who,
                       " is busy during it (in an appointment you may not see); choose another"
                       " slot"),
          {{"participant", label}});
    }
    return MakeErrorWithMetadata(
        absl::StatusCode::kFailedPrecondition, "SLOT_CONFLICT",
        absl::StrCat("the slot ", SlotText(a.slot), " conflicts: ", who, " is already booked ",
                     SlotText(taken), " (cases/", other_case, "/appointments/", other_id,
                     "); choose another slot"),
        {{"participant", label},
         {"conflicting_appointment",
          absl::StrCat("cases/", other_case, "/appointments/", other_id)},
         {"conflicting_start_time",
          absl::FormatTime(absl::RFC3339_sec, taken.start, absl::UTCTimeZone())},
         {"conflicting_end_time",
          absl::FormatTime(absl::RFC3339_sec, taken.end, absl::UTCTimeZone())}});
  }
  return absl::OkStatus();
}

absl::Status WriteBusy(Connection& c, const PersonKeys& persons, const Case& k,
                       const Appointment& a) {
  ODR_ASSIGN_OR_RETURN(Statement del, c.Prepare("DELETE FROM busy_intervals WHERE case_id = ?1 AND"
                                                " appointment_id = ?2"));
  del.Bind(1, a.case_id).Bind(2, a.id);
  ODR_RETURN_IF_ERROR(del.Run());
  if (a.cancelled) return absl::OkStatus();
  ODR_ASSIGN_OR_RETURN(Statement ins,
                       c.Prepare("INSERT INTO busy_intervals (person, start_us, end_us, case_id,"
                                 " appointment_id) VALUES (?1, ?2, ?3, ?4, ?5)"));
  for (const auto& [key, label] : PeopleOf(persons, k, a)) {
    ins.Bind(1, key).Bind(2, absl::ToUnixMicros(a.slot.start));
    ins.Bind(3, absl::ToUnixMicros(a.slot.end)).Bind(4, a.case_id).Bind(5, a.id);
    ODR_RETURN_IF_ERROR(ins.Run());
  }
  return absl::OkStatus();
}

absl::Status AddReminders(Connection& c, const domain::StatutoryClock& clock, const Appointment& a,
                          absl::Time now) {
  for (const domain::Deadline& d : clock.Reminders(a.case_id, a.id, a.version, a.slot.start, now)) {
    bool inserted = false;
    ODR_RETURN_IF_ERROR(deadline_rows::Insert(c, d, &inserted));
  }
  return absl::OkStatus();
}

absl::Status AppointmentEvent(Connection& c, const Case& k, const Appointment& a,
                              absl::string_view actor, absl::Time now, domain::EventKind kind,
                              absl::string_view what) {
  return case_rows::AppendEvent(c, k.id, actor, now, k.state, k.state, what,
                                {kind, a.audience, absl::StrCat("appointments/", a.id)});
}

absl::Status StaleAppointment(const Appointment& a) {
  return MakeError(absl::StatusCode::kAborted, kReasonStaleEtag,
                   absl::StrCat("appointment cases/", a.case_id, "/appointments/", a.id,
                                " was changed by someone else; get it again and retry"));
}

absl::Status NotScheduled(const Appointment& a) {
  return MakeError(
      absl::StatusCode::kFailedPrecondition, "APPOINTMENT_CANCELLED",
      absl::StrCat("appointment cases/", a.case_id, "/appointments/", a.id, " was cancelled"));
}

}  // namespace

std::string PersonKeys::Of(domain::IdDocumentType type, absl::string_view number) const {
  const std::string text = absl::StrCat(domain::IdDocumentTypeName(type), ":", number);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), md, &len);
  return absl::StrCat(
      "person:", absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), len)));
}

absl::Status CancelScheduledAppointments(Connection& c, const domain::Case& k,
                                         std::optional<std::string> mediator,
                                         absl::string_view reason, absl::string_view actor,
                                         absl::Time now) {
  std::vector<Appointment> scheduled;
  {
    ODR_ASSIGN_OR_RETURN(
        Statement q,
        c.Prepare(absl::StrCat("SELECT ", kAppointmentColumns,
                               " FROM appointments WHERE case_id = ?1 AND state ="
                               " 'scheduled' AND (?2 = '' OR mediator_principal = ?2)")));
    q.Bind(1, k.id).Bind(2, mediator.value_or(""));
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ODR_ASSIGN_OR_RETURN(Appointment a, ReadAppointment(q));
      scheduled.push_back(std::move(a));
    }
  }
  for (Appointment& a : scheduled) {
    if (!domain::CancelledOnRelease(a, now)) continue;
    a.cancelled = true;
    a.cancel_reason = std::string(reason);
    a.update_time = now;
    a.version += 1;
    ODR_RETURN_IF_ERROR(WriteAppointment(c, a, "", /*insert=*/false));
    ODR_ASSIGN_OR_RETURN(Statement free, c.Prepare("DELETE FROM busy_intervals WHERE case_id = ?1"
                                                   " AND appointment_id = ?2"));
    free.Bind(1, k.id).Bind(2, a.id);
    ODR_RETURN_IF_ERROR(free.Run());
    ODR_RETURN_IF_ERROR(deadline_rows::StopReminders(c, k.id, a.id, now));
    ODR_RETURN_IF_ERROR(AppointmentEvent(c, k, a, actor, now,
                                         domain::EventKind::kAppointmentCancelled,
                                         absl::StrCat("cancelled: ", reason)));
  }
  return absl::OkStatus();
}

std::string PrincipalKey(absl::string_view principal_id) {
  return absl::StrCat("principal:", principal_id);
}

namespace {

// The account of the roster mediator (organization, id); NOT_FOUND if not on the roster.
absl::StatusOr<std::string> MediatorPrincipal(Connection& c, absl::string_view org,
                                              absl::string_view mediator) {
  ODR_ASSIGN_OR_RETURN(Statement m, c.Prepare("SELECT principal_id FROM mediators WHERE"
                                              " organization_id = ?1 AND id = ?2"));
  m.Bind(1, org).Bind(2, mediator);
  ODR_ASSIGN_OR_RETURN(bool row, m.Step());
  if (!row) {
    return MakeError(
        absl::StatusCode::kNotFound, kReasonNotFound,
        absl::StrCat("mediator organizations/", org, "/mediators/", mediator, " not found"));
  }
  std::string principal = m.ColumnText(0);
  ODR_RETURN_IF_ERROR(m.Run());
  return principal;
}

// The mediator's availability as stored (with version and update time), or the default
// (version 0) if never set.
absl::StatusOr<Availability> AvailabilityIn(Connection& c, absl::string_view org,
                                            absl::string_view mediator) {
  ODR_ASSIGN_OR_RETURN(Statement a,
                       c.Prepare("SELECT definition, version, update_time_us FROM"
                                 " mediator_availability WHERE organization_id = ?1 AND"
                                 " mediator_id = ?2"));
  a.Bind(1, org).Bind(2, mediator);
  ODR_ASSIGN_OR_RETURN(bool row, a.Step());
  if (!row) return domain::DefaultAvailability();
  ODR_ASSIGN_OR_RETURN(Availability out, AvailabilityFromJson(a.ColumnText(0)));
  out.version = a.ColumnInt(1);
  out.update_time = absl::FromUnixMicros(a.ColumnInt(2));
  ODR_RETURN_IF_ERROR(a.Run());
  return out;
}

// The roster entry (organization, id) of the mediator principal.
absl::StatusOr<std::pair<std::string, std::string>> RosterOf(Connection& c,
                                                             absl::string_view principal) {
  ODR_ASSIGN_OR_RETURN(Statement m, c.Prepare("SELECT organization_id, id FROM mediators WHERE"
                                              " principal_id = ?1"));
  m.Bind(1, principal);
  ODR_ASSIGN_OR_RETURN(bool row, m.Step());
  if (!row) return absl::FailedPreconditionError("the appointment's mediator left the roster");
  std::pair<std::string, std::string> out{m.ColumnText(0), m.ColumnText(1)};
  ODR_RETURN_IF_ERROR(m.Run());
  return out;
}

}  // namespace

absl::StatusOr<Availability> ScheduleStore::GetAvailability(absl::string_view organization_id,
                                                            absl::string_view mediator_id,
                                                            std::string* principal_id) {
  Availability out;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(*principal_id, MediatorPrincipal(c, organization_id, mediator_id));
    ODR_ASSIGN_OR_RETURN(out, AvailabilityIn(c, organization_id, mediator_id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Availability> ScheduleStore::SaveAvailability(
    absl::string_view organization_id, absl::string_view mediator_id, const Availability& a,
    std::optional<int64_t> expected_version,
    const std::function<absl::Status(const std::string&)>& authorize) {
  Availability out = a;
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(std::string principal, MediatorPrincipal(c, organization_id, mediator_id));
    ODR_RETURN_IF_ERROR(authorize(principal));
    ODR_ASSIGN_OR_RETURN(Availability current, AvailabilityIn(c, organization_id, mediator_id));
    if (expected_version && *expected_version != current.version) {
      return MakeError(absl::StatusCode::kAborted, kReasonStaleEtag,
                       "the availability was changed by someone else; get it again and retry");
    }
    out.version = current.version + 1;
    out.update_time = clock_->Now();
    ODR_ASSIGN_OR_RETURN(
        Statement w,
        c.Prepare("INSERT INTO mediator_availability (organization_id, mediator_id, definition,"
                  " version, update_time_us) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT"
                  " (organization_id, mediator_id) DO UPDATE SET definition = ?3, version = ?4,"
                  " update_time_us = ?5"));
    w.Bind(1, organization_id).Bind(2, mediator_id).Bind(3, AvailabilityJson(out));
    w.Bind(4, out.version).Bind(5, absl::ToUnixMicros(out.update_time));
    return w.Run();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<Appointment> ScheduleStore::Book(
    Appointment a, absl::string_view fingerprint, const Actor& actor,
    const std::function<absl::Status(const Case&)>& authorize, const MediatorOf& mediator_of,
    const BookingCheck& check, const MaySee& may_see, Case* seen, bool* replayed) {
  Appointment result;
  if (replayed != nullptr) *replayed = false;
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ActingThroughScope acting(c, actor.acting_through);
    ODR_ASSIGN_OR_RETURN(Case k, case_rows::LoadCase(c, a.case_id));
    ODR_RETURN_IF_ERROR(authorize(k));
    // A retry of a booking that committed returns it, whatever happened since (even once its
    // slot has passed).
    bool taken = false;
    if (!a.id.empty()) {
      ODR_ASSIGN_OR_RETURN(Statement f, c.Prepare("SELECT request_fingerprint FROM appointments"
                                                  " WHERE case_id = ?1 AND id = ?2"));
      f.Bind(1, a.case_id).Bind(2, a.id);
      ODR_ASSIGN_OR_RETURN(bool row, f.Step());
      if (row) {
        const bool same = f.ColumnText(0) == fingerprint;
        ODR_RETURN_IF_ERROR(f.Run());
        if (same) {
          ODR_ASSIGN_OR_RETURN(result, LoadAppointment(c, a.case_id, a.id));
          if (seen != nullptr) *seen = k;
          if (replayed != nullptr) *replayed = true;
          return absl::OkStatus();
        }
        // Another request under an id in use: answered only after every check of the booking
        // itself, so that an id in use looks like an unused one to whatever fails them (the
        // other side's separate session cannot be probed by its id).
        taken = true;
      }
    } else {
      a.id = ids_->NewId();
    }
    ODR_ASSIGN_OR_RETURN(auto mediator, mediator_of(k));
    ODR_ASSIGN_OR_RETURN(Availability availability, AvailabilityIn(c, mediator[0], mediator[1]));
    a.mediator_principal = mediator[2];
    ODR_RETURN_IF_ERROR(check(k, availability, &a));
    const absl::Time now = clock_->Now();
    a.booked_by = actor.id;
    a.create_time = a.update_time = now;
    a.version = 1;
    a.cancelled = false;
    // An id in use belongs to another appointment: that one conflicts like any other (else a
    // slot over it would answer ALREADY_EXISTS where another id answers SLOT_CONFLICT).
    Appointment probe = a;
    if (taken) probe.id.clear();
    ODR_RETURN_IF_ERROR(CheckConflicts(c, persons_, k, probe, may_see));
    if (taken) {
      return MakeError(absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS",
                       absl::StrCat("appointment id '", a.id,
                                    "' is in use in this case (by another request); use another"
                                    " id, or none to have one chosen"));
    }
    ODR_RETURN_IF_ERROR(WriteAppointment(c, a, fingerprint, /*insert=*/true));
    ODR_RETURN_IF_ERROR(WriteBusy(c, persons_, k, a));
    ODR_RETURN_IF_ERROR(AddReminders(c, *statutory_, a, now));
    ODR_RETURN_IF_ERROR(AppointmentEvent(
        c, k, a, actor.id, now, domain::EventKind::kAppointmentBooked,
        absl::StrCat(domain::AppointmentKindName(a.kind), " booked for ", SlotText(a.slot))));
    result = a;
    if (seen != nullptr) *seen = k;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<Appointment> ScheduleStore::Change(
    absl::string_view case_id, absl::string_view id, std::optional<int64_t> expected_version,
    absl::string_view acting_through, const Authorize& authorize,
    const std::function<absl::Status(Connection&, const Case&, Appointment&, absl::Time)>& change,
    Case* seen) {
  Appointment result;
  absl::Status s = db_->Write([&](Connection& c) -> absl::Status {
    ActingThroughScope acting(c, std::string(acting_through));
    ODR_ASSIGN_OR_RETURN(Case k, case_rows::LoadCase(c, case_id));
    ODR_ASSIGN_OR_RETURN(std::optional<Appointment> found, FindAppointment(c, case_id, id));
    if (!found) {
      // As for a hidden appointment: `authorize` answers first (NOT_FOUND for the case if the
      // caller may not see it), so that the answer does not tell whether the case exists.
      Appointment missing;
      missing.case_id = std::string(case_id);
      missing.id = std::string(id);
      ODR_RETURN_IF_ERROR(authorize(k, missing));
      return domain::AppointmentNotFoundError(case_id, id);
    }
    Appointment& a = *found;
    ODR_RETURN_IF_ERROR(authorize(k, a));
    if (expected_version && *expected_version != a.version) return StaleAppointment(a);
    if (a.cancelled) return NotScheduled(a);
    const absl::Time now = clock_->Now();
    ODR_RETURN_IF_ERROR(change(c, k, a, now));
    a.update_time = now;
    a.version += 1;
    ODR_RETURN_IF_ERROR(WriteAppointment(c, a, "", /*insert=*/false));
    ODR_RETURN_IF_ERROR(WriteBusy(c, persons_, k, a));
    result = a;
    if (seen != nullptr) *seen = k;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<Appointment> ScheduleStore::Reschedule(
    absl::string_view case_id, absl::string_view id, const domain::Interval& slot,
    std::optional<int64_t> expected_version, const Actor& actor, const Authorize& authorize,
    const BookingCheck& check, const MaySee& may_see, Case* seen) {
  return Change(
      case_id, id, expected_version, actor.acting_through, authorize,
      [&](Connection& c, const Case& k, Appointment& a, absl::Time now) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto roster, RosterOf(c, a.mediator_principal));
        ODR_ASSIGN_OR_RETURN(Availability availability,
                             AvailabilityIn(c, roster.first, roster.second));
        const domain::Interval old = a.slot;
        a.slot = slot;
        ODR_RETURN_IF_ERROR(check(k, availability, &a));
        ODR_RETURN_IF_ERROR(CheckConflicts(c, persons_, k, a, may_see));
        ODR_RETURN_IF_ERROR(deadline_rows::StopReminders(c, k.id, a.id, now));
        Appointment next = a;
        next.version += 1;  // the reminders are of the version being written
        ODR_RETURN_IF_ERROR(AddReminders(c, *statutory_, next, now));
        return AppointmentEvent(
            c, k, a, actor.id, now, domain::EventKind::kAppointmentRescheduled,
            absl::StrCat("moved from ", SlotText(old), " to ", SlotText(a.slot)));
      },
      seen);
}

absl::StatusOr<Appointment> ScheduleStore::Cancel(absl::string_view case_id, absl::string_view id,
                                                  absl::string_view reason,
                                                  std::optional<int64_t> expected_version,
                                                  const Actor& actor, const Authorize& authorize,
                                                  Case* seen) {
  return Change(
      case_id, id, expected_version, actor.acting_through, authorize,
      [&](Connection& c, const Case& k, Appointment& a, absl::Time now) -> absl::Status {
        a.cancelled = true;
        a.cancel_reason = std::string(reason);
        ODR_RETURN_IF_ERROR(deadline_rows::StopReminders(c, k.id, a.id, now));
        return AppointmentEvent(c, k, a, actor.id, now, domain::EventKind::kAppointmentCancelled,
                                absl::StrCat("cancelled: ", reason));
      },
      seen);
}

absl::StatusOr<Appointment> ScheduleStore::RecordAttendance(
    absl::string_view case_id, absl::string_view id, absl::string_view participant,
    domain::Attendance attendance, const Actor& actor, const Authorize& authorize, Case* seen) {
  return Change(
      case_id, id, std::nullopt, actor.acting_through, authorize,
      [&](Connection& c, const Case& k, Appointment& a, absl::Time now) -> absl::Status {
        if (now < a.slot.start) {
          return MakeError(absl::StatusCode::kFailedPrecondition, "APPOINTMENT_NOT_STARTED",
                           "attendance is recorded once the appointment has started");
        }
        domain::AppointmentParticipant* who = nullptr;
        for (auto& p : a.participants) {
          if (p.participant == participant) who = &p;
        }
        if (who == nullptr) {
          return InvalidFieldError("participant", "is not a participant of the appointment");
        }
        who->attendance = attendance;
        return AppointmentEvent(
            c, k, a, actor.id, now, domain::EventKind::kAttendanceRecorded,
            absl::StrCat(participant, ": ", domain::AttendanceName(attendance)));
      },
      seen);
}

absl::StatusOr<Appointment> ScheduleStore::Get(absl::string_view case_id, absl::string_view id) {
  Appointment out;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out, LoadAppointment(c, case_id, id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<AppointmentPage> ScheduleStore::List(
    absl::string_view case_id, std::optional<std::pair<absl::Time, std::string>> after, int limit) {
  AppointmentPage page;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(
        Statement q,
        c.Prepare(absl::StrCat("SELECT ", kAppointmentColumns,
                               " FROM appointments WHERE case_id = ?1 AND (start_us, id) > (?2,"
                               " ?3) ORDER BY start_us, id LIMIT ?4")));
    q.Bind(1, case_id);
    q.Bind(2, after ? absl::ToUnixMicros(after->first) : std::numeric_limits<int64_t>::min());
    q.Bind(3, after ? after->second : "").Bind(4, int64_t{limit} + 1);
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      if (static_cast<int>(page.appointments.size()) == limit) {
        const Appointment& last = page.appointments.back();
        page.next = {last.slot.start, last.id};
        break;
      }
      ODR_ASSIGN_OR_RETURN(Appointment a, ReadAppointment(q));
      page.appointments.push_back(std::move(a));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return page;
}

absl::StatusOr<std::vector<domain::Interval>> ScheduleStore::BusyIntervals(
    const std::vector<std::string>& persons, absl::Time from, absl::Time to) {
  std::vector<domain::Interval> out;
  absl::Status s = db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(Statement q,
                         c.Prepare("SELECT start_us, end_us FROM busy_intervals WHERE person = ?1"
                                   " AND start_us < ?3 AND end_us > ?2"));
    for (const std::string& p : persons) {
      q.Bind(1, p).Bind(2, absl::ToUnixMicros(from)).Bind(3, absl::ToUnixMicros(to));
      while (true) {
        ODR_ASSIGN_OR_RETURN(bool row, q.Step());
        if (!row) break;
        out.push_back({absl::FromUnixMicros(q.ColumnInt(0)), absl::FromUnixMicros(q.ColumnInt(1))});
      }
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace odr::storage
