#include "server/appointment_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/errors.h"
#include "server/domain/state_machine.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "server/proto_time.h"

namespace odr::server {
namespace {

using google::protobuf::util::TimeUtil;

absl::StatusOr<std::pair<std::string, std::string>> ParseAppointmentName(absl::string_view name,
                                                                         absl::string_view field) {
  return ParseChildName(name, "cases", "appointments", field);
}

// "organizations/{o}/mediators/{m}/availability".
absl::StatusOr<std::pair<std::string, std::string>> ParseAvailabilityName(absl::string_view name,
                                                                          absl::string_view field) {
  absl::string_view mediator = name;
  if (!absl::ConsumeSuffix(&mediator, "/availability")) {
    return InvalidFieldError(std::string(field),
                             "must be organizations/{organization}/mediators/{mediator}/"
                             "availability");
  }
  return ParseMediatorName(mediator, field);
}

std::optional<domain::AppointmentKind> KindFromProto(v1::Appointment::Kind k) {
  switch (k) {
    case v1::Appointment::KIND_JOINT_VIDEO:
      return domain::AppointmentKind::kJointVideo;
    case v1::Appointment::KIND_SEPARATE_SESSION:
      return domain::AppointmentKind::kSeparateSession;
    case v1::Appointment::KIND_ON_SITE:
      return domain::AppointmentKind::kOnSite;
    case v1::Appointment::KIND_PHONE:
      return domain::AppointmentKind::kPhone;
    default:
      return std::nullopt;
  }
}

v1::Appointment::Kind KindToProto(domain::AppointmentKind k) {
  switch (k) {
    case domain::AppointmentKind::kJointVideo:
      return v1::Appointment::KIND_JOINT_VIDEO;
    case domain::AppointmentKind::kSeparateSession:
      return v1::Appointment::KIND_SEPARATE_SESSION;
    case domain::AppointmentKind::kOnSite:
      return v1::Appointment::KIND_ON_SITE;
    case domain::AppointmentKind::kPhone:
      return v1::Appointment::KIND_PHONE;
  }
  return v1::Appointment::KIND_UNSPECIFIED;
}

bool IsVideo(domain::AppointmentKind k) {
  return k == domain::AppointmentKind::kJointVideo ||
         k == domain::AppointmentKind::kSeparateSession;
}

// The case's mediator for appointments: the first that accepted.
absl::StatusOr<std::array<std::string, 3>> MediatorOf(const domain::Case& k) {
  for (const auto& a : k.assignments) {
    if (a.state == domain::AssignmentState::kAccepted) {
      return std::array<std::string, 3>{a.organization_id, a.mediator_id, a.principal_id};
    }
  }
  return MakeError(absl::StatusCode::kFailedPrecondition, "NO_MEDIATOR",
                   "appointments are made once a mediator has accepted the case");
}

absl::Status CheckSchedulable(const domain::Case& k) {
  if (k.state == domain::CaseState::kMediatorAssigned || k.state == domain::CaseState::kMediating) {
    return absl::OkStatus();
  }
  return TransitionError(domain::ApiStateName(k.state),
                         absl::StrCat("appointments are made once a mediator has accepted the "
                                      "case and until it ends; the case is ",
                                      domain::ApiStateName(k.state)));
}

// The caller as the case events record it: its principal and the partner app it acts through.
storage::ScheduleStore::Actor ActorOf(const CallContext& call) {
  return {call.caller.principal.id, call.caller.partner ? call.caller.partner->id : ""};
}

// What a SLOT_CONFLICT may say about the appointment it conflicts with: its times and name only
// to a caller who may read it.
storage::ScheduleStore::MaySee MaySee(const CallContext& call) {
  const domain::Principal* who = &call.caller.principal;
  return [who](const domain::Case& k, const domain::Appointment& a) {
    return domain::MaySeeAppointment(*who, k, a.audience);
  };
}

}  // namespace

absl::StatusOr<domain::Case> AppointmentServiceImpl::ReadCase(const CallContext& call,
                                                              absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(domain::Case k, cases_->GetCase(id));
  ODR_RETURN_IF_ERROR(
      domain::AuthorizeCase(call.caller.principal, k, domain::CaseOperation::kRead));
  ODR_RETURN_IF_ERROR(access_->Append(
      {AccessRecordFor(call, absl::StrCat("cases/", k.id), /*change=*/false, clock_->Now())}));
  return k;
}

absl::StatusOr<std::pair<domain::Case, domain::Appointment>>
AppointmentServiceImpl::ReadAppointment(const CallContext& call, absl::string_view name) {
  ODR_ASSIGN_OR_RETURN(auto ids, ParseAppointmentName(name, "name"));
  ODR_ASSIGN_OR_RETURN(domain::Case k, ReadCase(call, ids.first));
  absl::StatusOr<domain::Appointment> a = schedule_->Get(ids.first, ids.second);
  if (!a.ok()) return a.status();
  if (!domain::MaySeeAudience(call.caller.principal, k, a->audience)) {
    return domain::AppointmentNotFoundError(ids.first, ids.second);
  }
  return std::make_pair(std::move(k), std::move(*a));
}

absl::Status AppointmentServiceImpl::AuthorizeChange(const domain::Principal& p,
                                                     const domain::Case& k,
                                                     const domain::Appointment& a) {
  if (!domain::RelationTo(p, k).any()) return domain::CaseNotFoundError(k.id);
  if (!domain::MaySeeAudience(p, k, a.audience)) {
    return domain::AppointmentNotFoundError(k.id, a.id);
  }
  if (!a.booked_by.empty() && a.booked_by == p.id) return absl::OkStatus();
  return domain::AuthorizeCase(p, k, domain::CaseOperation::kManageAppointments);
}

storage::ScheduleStore::BookingCheck AppointmentServiceImpl::Check(const CallContext& call,
                                                                   std::string path, bool booking) {
  const std::string prefix = path.empty() ? "" : absl::StrCat(path, ".");
  return [this, &call, path, prefix, booking](const domain::Case& k,
                                              const domain::Availability& availability,
                                              domain::Appointment* a) -> absl::Status {
    const domain::Principal& who = call.caller.principal;
    ODR_RETURN_IF_ERROR(CheckSchedulable(k));
    if (booking) {
      // Participants: parties and agents of the case, each once; the mediator is added first.
      std::vector<domain::AppointmentParticipant> people{
          {absl::StrCat("principals/", a->mediator_principal), domain::Attendance::kUnrecorded}};
      std::set<std::string> seen;
      bool applicants = false, respondents = false;
      Violations v;
      for (size_t i = 0; i < a->participants.size(); ++i) {
        const std::string field = absl::StrCat(prefix, "participants[", i, "].participant");
        absl::StatusOr<domain::PartyRef> ref =
            domain::ParsePartyRef(a->participants[i].participant, k, field);
        if (!ref.ok()) {
          for (const FieldViolation& fv : ErrorFieldViolations(ref.status())) {
            v.Add(fv.field, fv.description);
          }
          continue;
        }
        const std::string canonical = domain::FormatPartyRef(*ref);
        if (!seen.insert(canonical).second) {
          v.Add(field, absl::StrCat(canonical, " is listed twice"));
          continue;
        }
        (ref->applicant ? applicants : respondents) = true;
        people.push_back({canonical, domain::Attendance::kUnrecorded});
      }
      ODR_RETURN_IF_ERROR(v.ToStatus());
      a->audience = domain::EventAudience::kAll;
      if (a->kind == domain::AppointmentKind::kSeparateSession) {
        if (applicants && respondents) {
          return InvalidFieldError(prefix + "participants",
                                   "a separate session (背对背) is with one side only");
        }
        a->audience = applicants ? domain::EventAudience::kApplicantSide
                                 : domain::EventAudience::kRespondentSide;
      }
      std::vector<std::string> names;
      for (const auto& p : people) names.push_back(p.participant);
      ODR_RETURN_IF_ERROR(domain::AuthorizeAppointmentAudience(who, k, a->audience, names));
      a->participants = std::move(people);
    }
    const std::vector<domain::Interval> working = domain::WorkingIntervals(
        availability, *calendar_, a->slot.start - absl::Hours(24), a->slot.end + absl::Hours(24));
    return domain::CheckSlot(a->slot, clock_->Now(), working, path);
  };
}

absl::Status AppointmentServiceImpl::RecordChange(const CallContext& call,
                                                  const domain::Appointment& a) {
  return access_->Append(
      {AccessRecordFor(call, absl::StrCat("cases/", a.case_id, "/appointments/", a.id),
                       /*change=*/true, clock_->Now())});
}

void AppointmentServiceImpl::ToProto(const CallContext& call, const domain::Case& k,
                                     const domain::Appointment& a, v1::Appointment* out) const {
  const std::string name = absl::StrCat("cases/", a.case_id, "/appointments/", a.id);
  out->set_name(name);
  out->set_kind(KindToProto(a.kind));
  *out->mutable_start_time() = Ts(a.slot.start);
  *out->mutable_end_time() = Ts(a.slot.end);
  const std::vector<std::string> own = IsVideo(a.kind) && !a.cancelled && join_ != nullptr
                                           ? domain::OwnParticipants(call.caller.principal, k)
                                           : std::vector<std::string>();
  for (const auto& p : a.participants) {
    v1::AppointmentParticipant* pp = out->add_participants();
    pp->set_participant(p.participant);
    switch (p.attendance) {
      case domain::Attendance::kUnrecorded:
        break;
      case domain::Attendance::kAttended:
        pp->set_attendance(v1::ATTENDANCE_ATTENDED);
        break;
      case domain::Attendance::kNoShow:
        pp->set_attendance(v1::ATTENDANCE_NO_SHOW);
        break;
    }
    if (std::find(own.begin(), own.end(), p.participant) != own.end()) {
      absl::StatusOr<std::string> uri =
          join_->JoinUri(name, p.participant, a.slot.start, a.slot.end);
      if (uri.ok()) pp->set_join_uri(*uri);
    }
  }
  out->set_location(a.location);
  out->set_mediator(absl::StrCat("principals/", a.mediator_principal));
  switch (domain::StateOf(a)) {
    case domain::AppointmentState::kScheduled:
      out->set_state(v1::Appointment::STATE_SCHEDULED);
      break;
    case domain::AppointmentState::kCancelled:
      out->set_state(v1::Appointment::STATE_CANCELLED);
      break;
    case domain::AppointmentState::kHeld:
      out->set_state(v1::Appointment::STATE_HELD);
      break;
  }
  out->set_cancel_reason(a.cancel_reason);
  out->set_booked_by(absl::StrCat("principals/", a.booked_by));
  *out->mutable_create_time() = Ts(a.create_time);
  *out->mutable_update_time() = Ts(a.update_time);
  out->set_etag(Etag(a.version));
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::GetMediatorAvailability(
    grpc::CallbackServerContext* ctx, const v1::GetMediatorAvailabilityRequest* req,
    v1::MediatorAvailability* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/GetMediatorAvailability", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAvailabilityName(req->name(), "name"));
        std::string principal;
        ODR_ASSIGN_OR_RETURN(domain::Availability a,
                             schedule_->GetAvailability(ids.first, ids.second, &principal));
        ODR_RETURN_IF_ERROR(
            domain::AuthorizeAvailability(call.caller.principal, ids.first, principal));
        resp->set_name(req->name());
        resp->set_time_zone(a.time_zone);
        for (const auto& w : a.weekly) {
          v1::WeeklyHours* h = resp->add_weekly_hours();
          h->set_day(static_cast<v1::DayOfWeek>(w.day));
          h->set_start_time(domain::FormatClockTime(w.start_minute));
          h->set_end_time(domain::FormatClockTime(w.end_minute));
        }
        for (const auto& l : a.leave) {
          v1::Leave* pl = resp->add_leave();
          *pl->mutable_start_time() = Ts(l.start);
          *pl->mutable_end_time() = Ts(l.end);
          pl->set_reason(l.reason);
        }
        resp->set_etag(Etag(a.version));
        if (a.version > 0) *resp->mutable_update_time() = Ts(a.update_time);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::UpdateMediatorAvailability(
    grpc::CallbackServerContext* ctx, const v1::UpdateMediatorAvailabilityRequest* req,
    v1::MediatorAvailability* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/UpdateMediatorAvailability", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (!req->has_availability()) return InvalidFieldError("availability", "is required");
        const v1::MediatorAvailability& in = req->availability();
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAvailabilityName(in.name(), "availability.name"));
        // W/"0" is the etag of the default (never saved): only a first save matches it.
        std::optional<int64_t> version = 0;
        if (in.etag() != Etag(0)) {
          ODR_ASSIGN_OR_RETURN(version, ParseEtag(in.etag(), "availability.etag"));
        }
        domain::Availability a;
        if (!in.time_zone().empty()) a.time_zone = in.time_zone();
        Violations v;
        for (int i = 0; i < in.weekly_hours_size(); ++i) {
          const v1::WeeklyHours& w = in.weekly_hours(i);
          const std::string f = absl::StrCat("availability.weekly_hours[", i, "]");
          std::optional<int> start = domain::ParseClockTime(w.start_time(), false);
          std::optional<int> end = domain::ParseClockTime(w.end_time(), true);
          if (!start) v.Add(f + ".start_time", "must be HH:MM, 00:00 to 23:59");
          if (!end) v.Add(f + ".end_time", "must be HH:MM, 00:01 to 24:00");
          a.weekly.push_back({static_cast<int>(w.day()), start.value_or(0), end.value_or(0)});
        }
        for (int i = 0; i < in.leave_size(); ++i) {
          const v1::Leave& l = in.leave(i);
          const std::string f = absl::StrCat("availability.leave[", i, "]");
          absl::StatusOr<absl::Time> start =
              RequiredTime(l.has_start_time(), l.start_time(), f + ".start_time");
          absl::StatusOr<absl::Time> end =
              RequiredTime(l.has_end_time(), l.end_time(), f + ".end_time");
          if (!start.ok()) v.Add(f + ".start_time", "is required, a valid timestamp");
          if (!end.ok()) v.Add(f + ".end_time", "is required, a valid timestamp");
          if (start.ok() && end.ok()) a.leave.push_back({*start, *end, l.reason()});
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_RETURN_IF_ERROR(domain::ValidateAvailability(a, clock_->Now(), "availability"));
        const domain::Principal& who = call.caller.principal;
        ODR_ASSIGN_OR_RETURN(
            domain::Availability saved,
            schedule_->SaveAvailability(
                ids.first, ids.second, a, version, [&who, &ids](const std::string& principal) {
                  return domain::AuthorizeAvailability(who, ids.first, principal);
                }));
        ODR_RETURN_IF_ERROR(
            access_->Append({AccessRecordFor(call, in.name(), /*change=*/true, clock_->Now())}));
        *resp = in;
        resp->set_time_zone(saved.time_zone);
        resp->set_etag(Etag(saved.version));
        *resp->mutable_update_time() = Ts(saved.update_time);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::FindSlots(grpc::CallbackServerContext* ctx,
                                                            const v1::FindSlotsRequest* req,
                                                            v1::FindSlotsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/FindSlots", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        if (!req->has_duration()) return InvalidFieldError("duration", "is required");
        const absl::Duration duration =
            absl::Seconds(req->duration().seconds()) + absl::Nanoseconds(req->duration().nanos());
        if (duration < domain::kMinAppointment || duration > domain::kMaxAppointment ||
            duration % absl::Minutes(1) != absl::ZeroDuration()) {
          return InvalidFieldError("duration", "must be 15 minutes to 8 hours, in whole minutes");
        }
        ODR_ASSIGN_OR_RETURN(absl::Time from,
                             RequiredTime(req->has_start_time(), req->start_time(), "start_time"));
        ODR_ASSIGN_OR_RETURN(absl::Time to,
                             RequiredTime(req->has_end_time(), req->end_time(), "end_time"));
        if (to <= from) return InvalidFieldError("end_time", "must be after start_time");
        if (to - from > absl::Hours(24 * domain::ScheduleLimits::kMaxSearchDays)) {
          return InvalidFieldError("end_time", "is more than 60 days after start_time");
        }
        ODR_ASSIGN_OR_RETURN(
            int max,
            domain::EffectivePageSize(req->max_results(), domain::ScheduleLimits::kDefaultMaxSlots,
                                      domain::ScheduleLimits::kMaxSlots));
        ODR_ASSIGN_OR_RETURN(domain::Case k, ReadCase(call, id));
        ODR_RETURN_IF_ERROR(domain::AuthorizeCase(call.caller.principal, k,
                                                  domain::CaseOperation::kBookAppointment));
        ODR_RETURN_IF_ERROR(CheckSchedulable(k));
        ODR_ASSIGN_OR_RETURN(auto mediator, MediatorOf(k));
        std::vector<std::string> persons{storage::PrincipalKey(mediator[2])};
        for (int i = 0; i < req->participants_size(); ++i) {
          ODR_ASSIGN_OR_RETURN(domain::PartyRef ref,
                               domain::ParsePartyRef(req->participants(i), k,
                                                     absl::StrCat("participants[", i, "]")));
          auto [type, number] = domain::PartyDocument(k, ref);
          persons.push_back(schedule_->persons().Of(type, number));
        }
        std::string principal;
        ODR_ASSIGN_OR_RETURN(domain::Availability availability,
                             schedule_->GetAvailability(mediator[0], mediator[1], &principal));
        from = std::max(from, clock_->Now());
        if (to <= from) return absl::OkStatus();
        ODR_ASSIGN_OR_RETURN(std::vector<domain::Interval> busy,
                             schedule_->BusyIntervals(persons, from, to));
        for (const domain::Interval& s :
             domain::FindFreeSlots(domain::WorkingIntervals(availability, *calendar_, from, to),
                                   std::move(busy), from, to, duration, max)) {
          v1::TimeSlot* ts = resp->add_slots();
          *ts->mutable_start_time() = Ts(s.start);
          *ts->mutable_end_time() = Ts(s.end);
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::BookAppointment(
    grpc::CallbackServerContext* ctx, const v1::BookAppointmentRequest* req,
    v1::Appointment* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/BookAppointment", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string case_id, ParseCaseName(req->parent(), "parent"));
        if (!req->has_appointment()) return InvalidFieldError("appointment", "is required");
        const v1::Appointment& in = req->appointment();
        domain::Appointment a;
        a.case_id = case_id;
        Violations v;
        if (!req->appointment_id().empty()) {
          if (auto e = domain::CheckResourceId(req->appointment_id()); !e.empty()) {
            v.Add("appointment_id", e);
          }
          a.id = req->appointment_id();
        }
        std::optional<domain::AppointmentKind> kind = KindFromProto(in.kind());
        if (!kind)
          v.Add("appointment.kind", "is required: JOINT_VIDEO, SEPARATE_SESSION, ON_SITE or PHONE");
        a.kind = kind.value_or(domain::AppointmentKind::kJointVideo);
        absl::StatusOr<absl::Time> start =
            RequiredTime(in.has_start_time(), in.start_time(), "appointment.start_time");
        absl::StatusOr<absl::Time> end =
            RequiredTime(in.has_end_time(), in.end_time(), "appointment.end_time");
        if (!start.ok()) v.Add("appointment.start_time", "is required, a valid timestamp");
        if (!end.ok()) v.Add("appointment.end_time", "is required, a valid timestamp");
        if (in.participants_size() < 1 ||
            in.participants_size() > domain::ScheduleLimits::kMaxParticipants) {
          v.Add("appointment.participants", "must list 1 to 20 parties or agents");
        }
        if (auto e =
                domain::CheckText(in.location(), kind == domain::AppointmentKind::kOnSite ? 1 : 0,
                                  domain::ScheduleLimits::kLocationChars, false);
            !e.empty()) {
          v.Add("appointment.location",
                kind == domain::AppointmentKind::kOnSite && in.location().empty()
                    ? "is required for an on-site appointment"
                    : e);
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        a.slot = {*start, *end};
        a.location = in.location();
        for (const auto& p : in.participants()) a.participants.push_back({p.participant(), {}});
        domain::Case k;  // as the store's transaction saw it
        bool replayed = false;
        ODR_ASSIGN_OR_RETURN(
            domain::Appointment booked,
            schedule_->Book(
                a,
                // Per caller: another caller reusing an id gets ALREADY_EXISTS, not the booking.
                MessageFingerprint(absl::StrCat(call.method, "\n", call.caller.principal.id), *req),
                ActorOf(call),
                [&call](const domain::Case& k) -> absl::Status {
                  ODR_RETURN_IF_ERROR(domain::AuthorizeCase(
                      call.caller.principal, k, domain::CaseOperation::kBookAppointment));
                  return CheckSchedulable(k);
                },
                MediatorOf, Check(call, "appointment", /*booking=*/true), MaySee(call), &k,
                &replayed));
        if (replayed) {
          // A retry: authorized again above on the case as it is now; recorded like a read.
          ODR_RETURN_IF_ERROR(access_->Append({AccessRecordFor(
              call, absl::StrCat("cases/", booked.case_id, "/appointments/", booked.id),
              /*change=*/false, clock_->Now())}));
        } else {
          ODR_RETURN_IF_ERROR(RecordChange(call, booked));
        }
        ToProto(call, k, booked, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::GetAppointment(
    grpc::CallbackServerContext* ctx, const v1::GetAppointmentRequest* req, v1::Appointment* resp) {
  return runner_->Run(ctx, "/odr.v1.AppointmentService/GetAppointment", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(auto found, ReadAppointment(call, req->name()));
                        ToProto(call, found.first, found.second, resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::ListAppointments(
    grpc::CallbackServerContext* ctx, const v1::ListAppointmentsRequest* req,
    v1::ListAppointmentsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/ListAppointments", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(int limit, domain::EffectivePageSize(req->page_size(), 50, 200));
        std::optional<std::pair<absl::Time, std::string>> after;
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(domain::CaseCursor c,
                               domain::DecodePageToken(req->page_token(), req->parent()));
          int64_t us = 0;
          if (!absl::SimpleAtoi(c.key, &us)) {
            return InvalidFieldError("page_token", "is not a token returned by this list call");
          }
          after = {absl::FromUnixMicros(us), c.id};
        }
        ODR_ASSIGN_OR_RETURN(domain::Case k, ReadCase(call, id));
        ODR_ASSIGN_OR_RETURN(storage::AppointmentPage page, schedule_->List(id, after, limit));
        for (const domain::Appointment& a : page.appointments) {
          if (domain::MaySeeAudience(call.caller.principal, k, a.audience)) {
            ToProto(call, k, a, resp->add_appointments());
          }
        }
        if (page.next) {
          resp->set_next_page_token(domain::EncodePageToken(
              req->parent(), domain::CaseCursor{absl::StrCat(absl::ToUnixMicros(page.next->first)),
                                                page.next->second}));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::RescheduleAppointment(
    grpc::CallbackServerContext* ctx, const v1::RescheduleAppointmentRequest* req,
    v1::Appointment* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/RescheduleAppointment", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAppointmentName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(absl::Time start,
                             RequiredTime(req->has_start_time(), req->start_time(), "start_time"));
        ODR_ASSIGN_OR_RETURN(absl::Time end,
                             RequiredTime(req->has_end_time(), req->end_time(), "end_time"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        const domain::Principal& who = call.caller.principal;
        domain::Case k;  // as the store's transaction saw it
        ODR_ASSIGN_OR_RETURN(domain::Appointment a,
                             schedule_->Reschedule(
                                 ids.first, ids.second, {start, end}, version, ActorOf(call),
                                 [&who](const domain::Case& k, const domain::Appointment& a) {
                                   return AuthorizeChange(who, k, a);
                                 },
                                 Check(call, "", /*booking=*/false), MaySee(call), &k));
        ODR_RETURN_IF_ERROR(RecordChange(call, a));
        ToProto(call, k, a, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::CancelAppointment(
    grpc::CallbackServerContext* ctx, const v1::CancelAppointmentRequest* req,
    v1::Appointment* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/CancelAppointment", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAppointmentName(req->name(), "name"));
        if (auto e = domain::CheckText(req->reason(), 1, domain::Limits::kShortReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        const domain::Principal& who = call.caller.principal;
        domain::Case k;  // as the store's transaction saw it
        ODR_ASSIGN_OR_RETURN(domain::Appointment a,
                             schedule_->Cancel(
                                 ids.first, ids.second, req->reason(), version, ActorOf(call),
                                 [&who](const domain::Case& k, const domain::Appointment& a) {
                                   return AuthorizeChange(who, k, a);
                                 },
                                 &k));
        ODR_RETURN_IF_ERROR(RecordChange(call, a));
        ToProto(call, k, a, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AppointmentServiceImpl::RecordAttendance(
    grpc::CallbackServerContext* ctx, const v1::RecordAttendanceRequest* req,
    v1::Appointment* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AppointmentService/RecordAttendance", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAppointmentName(req->name(), "name"));
        if (req->participant().empty()) return InvalidFieldError("participant", "is required");
        domain::Attendance attendance;
        switch (req->attendance()) {
          case v1::ATTENDANCE_ATTENDED:
            attendance = domain::Attendance::kAttended;
            break;
          case v1::ATTENDANCE_NO_SHOW:
            attendance = domain::Attendance::kNoShow;
            break;
          default:
            return InvalidFieldError("attendance", "is required: ATTENDED or NO_SHOW");
        }
        const domain::Principal& who = call.caller.principal;
        domain::Case k;  // as the store's transaction saw it
        ODR_ASSIGN_OR_RETURN(
            domain::Appointment a,
            schedule_->RecordAttendance(
                ids.first, ids.second, req->participant(), attendance, ActorOf(call),
                [&who](const domain::Case& k, const domain::Appointment& a) -> absl::Status {
                  if (!domain::RelationTo(who, k).any()) return domain::CaseNotFoundError(k.id);
                  if (!domain::MaySeeAudience(who, k, a.audience)) {
                    return domain::AppointmentNotFoundError(k.id, a.id);
                  }
                  return domain::AuthorizeCase(who, k, domain::CaseOperation::kManageAppointments);
                },
                &k));
        ODR_RETURN_IF_ERROR(RecordChange(call, a));
        ToProto(call, k, a, resp);
        return absl::OkStatus();
      });
}

}  // namespace odr::server
