#include "server/domain/statutory_clock.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/confirmation.h"
#include "server/domain/enum_names.h"
#include "server/domain/errors.h"
#include "server/domain/procedure.h"

namespace odr::domain {
namespace {

constexpr std::array<std::pair<DeadlineKind, const char*>, 13> kKinds{{
    {DeadlineKind::kMediatorAcceptance, "mediator_acceptance"},
    {DeadlineKind::kRespondentContact, "respondent_contact"},
    {DeadlineKind::kMediationPeriod, "mediation_period"},
    {DeadlineKind::kConfirmationApplication, "confirmation_application"},
    {DeadlineKind::kAppointmentReminder, "appointment_reminder"},
    {DeadlineKind::kInstalmentDue, "instalment_due"},
    {DeadlineKind::kConfirmationAcceptance, "confirmation_acceptance"},
    {DeadlineKind::kConfirmationRuling, "confirmation_ruling"},
    {DeadlineKind::kConfirmationMaterials, "confirmation_materials"},
    {DeadlineKind::kRulingObjection, "ruling_objection"},
    {DeadlineKind::kOrganizationAcceptance, "organization_acceptance"},
    {DeadlineKind::kMediatorChoice, "mediator_choice"},
    {DeadlineKind::kMediatorDesignation, "mediator_designation"},
}};
constexpr std::array<std::pair<DeadlineState, const char*>, 5> kStates{{
    {DeadlineState::kRunning, "running"},
    {DeadlineState::kPaused, "paused"},
    {DeadlineState::kMet, "met"},
    {DeadlineState::kExpired, "expired"},
    {DeadlineState::kCancelled, "cancelled"},
}};

std::string AcceptanceId(absl::string_view principal) {
  return absl::StrCat("mediator-acceptance-", principal);
}

std::string DayText(absl::Time t) {
  // The last day of the period: the due time is 24:00 of it.
  return absl::FormatTime("%Y-%m-%d", t - absl::Seconds(1), ChinaTime());
}

bool HasAccepted(const Case& c) {
  for (const auto& a : c.assignments) {
    if (a.state == AssignmentState::kAccepted) return true;
  }
  return false;
}

}  // namespace

bool IsBreach(DeadlineKind kind) {
  // Nor the parties' time for materials, objections or a joint choice: theirs to use or let pass.
  return kind != DeadlineKind::kConfirmationApplication && kind != DeadlineKind::kMediatorChoice &&
         kind != DeadlineKind::kAppointmentReminder &&
         kind != DeadlineKind::kConfirmationMaterials && kind != DeadlineKind::kRulingObjection;
}

const char* DeadlineKindName(DeadlineKind k) { return NameIn(kKinds, k); }
std::optional<DeadlineKind> DeadlineKindFromName(absl::string_view n) { return ValueIn(kKinds, n); }
const char* DeadlineStateName(DeadlineState s) { return NameIn(kStates, s); }
std::optional<DeadlineState> DeadlineStateFromName(absl::string_view n) {
  return ValueIn(kStates, n);
}

std::optional<absl::Time> Deadline::NextFire() const {
  if (state != DeadlineState::kRunning) return std::nullopt;
  if (warn_at && !warned) return std::min(*warn_at, due);
  return due;
}

int Deadline::PausedDays() const {
  const absl::Duration day = absl::Hours(24);
  if (paused <= absl::ZeroDuration()) return 0;
  return static_cast<int>(absl::Ceil(paused, day) / day);
}

const char* StatutoryClock::LegalBasis(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::kMediatorAcceptance:
    case DeadlineKind::kOrganizationAcceptance:
      return "OMR Art. 12";
    case DeadlineKind::kMediatorChoice:
    case DeadlineKind::kMediatorDesignation:
      return "OMR Art. 10";
    case DeadlineKind::kRespondentContact:
      return "OMR Art. 15";
    case DeadlineKind::kMediationPeriod:
      return "OMR Arts. 24, 26";
    case DeadlineKind::kConfirmationApplication:
      return "PML Art. 33";
    case DeadlineKind::kAppointmentReminder:
      return "";
    case DeadlineKind::kInstalmentDue:
      return "PML Art. 31";
    case DeadlineKind::kConfirmationAcceptance:
      return "2011 司法确认程序若干规定 Art. 4";
    case DeadlineKind::kConfirmationRuling:
      return "CPL Art. 187";
    case DeadlineKind::kConfirmationMaterials:
      return "CPL Interpretation Arts. 354, 356";
    case DeadlineKind::kRulingObjection:
      return "CPL Interpretation Art. 372";
  }
  return "";
}

EventAudience StatutoryClock::Audience(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::kMediatorAcceptance:
    case DeadlineKind::kOrganizationAcceptance:
    case DeadlineKind::kMediatorDesignation:
    case DeadlineKind::kRespondentContact:
    case DeadlineKind::kConfirmationAcceptance:
    case DeadlineKind::kConfirmationRuling:
      return EventAudience::kStaff;
    case DeadlineKind::kMediationPeriod:
    case DeadlineKind::kMediatorChoice:
    case DeadlineKind::kConfirmationMaterials:
    case DeadlineKind::kRulingObjection:
    case DeadlineKind::kConfirmationApplication:
    case DeadlineKind::kAppointmentReminder:
    case DeadlineKind::kInstalmentDue:
      return EventAudience::kAll;
  }
  return EventAudience::kStaff;
}

int StatutoryClock::MediationPeriodDays(const Case& c) {
  if (!c.data.court_diversion) return 30;
  switch (c.data.court_diversion->procedure) {
    case Procedure::kPreFiling:
      return 30;
    case Procedure::kPostFilingOrdinary:
      return 15;
    case Procedure::kPostFilingSimple:
      return 7;
  }
  return 30;
}

void StatutoryClock::Recompute(Deadline* d, absl::Time now) const {
  if (d->kind == DeadlineKind::kAppointmentReminder) return;  // fixed
  if (d->kind == DeadlineKind::kInstalmentDue) {
    // Fixed at the end of the agreed day; warns like the others, at most half-way.
    const absl::Duration lead =
        std::min(config_.warning_lead, std::max(absl::ZeroDuration(), (d->due - d->start) / 2));
    d->warn_at = d->due - lead;
    if (*d->warn_at > now) d->warned = false;
    return;
  }
  const absl::CivilDay first = absl::ToCivilDay(d->start, ChinaTime());
  bool provisional = false;
  absl::StatusOr<absl::CivilDay> last =
      d->working_days ? calendar_->AddWorkingDays(
                            first, d->length + d->extension_days + d->PausedDays(), &provisional)
                      : calendar_->AddDays(first, d->length + d->extension_days + d->PausedDays(),
                                           &provisional);
  // Lengths are bounded (Extend), so the only error left would be a calendar without working
  // days; fall back to plain days rather than lose the deadline.
  d->due = WorkingCalendar::EndOfDay(
      last.ok() ? *last : first + d->length + d->extension_days + d->PausedDays());
  d->provisional = provisional;
  const absl::Duration lead = std::min(config_.warning_lead, (d->due - d->start) / 2);
  d->warn_at = d->due - lead;
  if (*d->warn_at > now) d->warned = false;
}

Deadline StatutoryClock::Start(DeadlineKind kind, const Case& c, absl::string_view subject,
                               absl::Time start) const {
  Deadline d;
  d.case_id = c.id;
  d.kind = kind;
  d.start = start;
  d.update_time = start;
  switch (kind) {
    case DeadlineKind::kMediatorAcceptance:
      d.id = AcceptanceId(subject);
      d.subject = std::string(subject);
      d.length = 3;
      d.working_days = true;
      break;
    case DeadlineKind::kOrganizationAcceptance:
      d.id = "organization-acceptance";
      d.length = 3;
      d.working_days = true;
      break;
    case DeadlineKind::kMediatorChoice:
      d.id = "mediator-choice";
      d.length = kJointChoiceWorkingDays;
      d.working_days = true;
      break;
    case DeadlineKind::kMediatorDesignation:
      // The designation's 3 working days follow the parties' 2 (OMR Art. 10 paras. 2-3).
      d.id = "mediator-designation";
      d.length = kJointChoiceWorkingDays + kDesignationWorkingDays;
      d.working_days = true;
      break;
    case DeadlineKind::kRespondentContact:
      d.id = "respondent-contact";
      d.length = 3;
      d.working_days = true;
      break;
    case DeadlineKind::kMediationPeriod:
      d.id = "mediation-period";
      d.length = MediationPeriodDays(c);
      break;
    case DeadlineKind::kConfirmationApplication:
      d.id = "confirmation-application";
      d.length = 30;
      break;
    case DeadlineKind::kConfirmationAcceptance:
      d.id = absl::StrCat("confirmation-acceptance-", subject);
      d.subject = std::string(subject);
      d.length = 3;
      break;
    case DeadlineKind::kConfirmationRuling:
      d.id = absl::StrCat("confirmation-ruling-", subject);
      d.subject = std::string(subject);
      d.length = 30;
      break;
    case DeadlineKind::kRulingObjection:
      d.id = absl::StrCat("ruling-objection-", subject);
      d.subject = std::string(subject);
      d.length = 15;
      break;
    case DeadlineKind::kConfirmationMaterials:  // see MaterialsDeadline
    case DeadlineKind::kAppointmentReminder:
    case DeadlineKind::kInstalmentDue:
      break;  // see Reminders, Instalment
  }
  Recompute(&d, start);
  return d;
}

std::string StatutoryClock::InstalmentId(absl::string_view agreement_id, int index) {
  return absl::StrCat("instalment-", agreement_id, "-", index);
}

Deadline StatutoryClock::Instalment(absl::string_view case_id, absl::string_view agreement_id,
                                    int index, absl::CivilDay due_day, absl::Time now) const {
  Deadline d;
  d.case_id = std::string(case_id);
  d.kind = DeadlineKind::kInstalmentDue;
  d.id = InstalmentId(agreement_id, index);
  d.subject = absl::StrCat(agreement_id, "/", index);
  d.start = now;
  d.update_time = now;
  d.due = std::max(now, WorkingCalendar::EndOfDay(due_day));
  Recompute(&d, now);
  return d;
}

std::vector<Deadline> StatutoryClock::Reminders(absl::string_view case_id,
                                                absl::string_view appointment_id, int64_t version,
                                                absl::Time start, absl::Time now) const {
  std::vector<Deadline> out;
  for (absl::Duration offset : config_.reminder_offsets) {
    if (start - offset <= now) continue;
    Deadline d;
    d.case_id = std::string(case_id);
    d.kind = DeadlineKind::kAppointmentReminder;
    d.id =
        absl::StrCat("reminder-", absl::FormatDuration(offset), "-", appointment_id, "-", version);
    d.subject = std::string(appointment_id);
    d.start = now;
    d.length = static_cast<int>(absl::ToInt64Minutes(offset));  // minutes before the start
    d.due = start - offset;
    d.update_time = now;
    out.push_back(std::move(d));
  }
  return out;
}

DeadlinePlan StatutoryClock::OnCaseChange(const Case& before, const Case& after,
                                          absl::Time now) const {
  DeadlinePlan plan;
  if (IsTerminal(after.state)) {
    plan.stop_all = !IsTerminal(before.state);
    // Confirmed or concluded by the court, the agreement is performed on: its instalments stay.
    plan.keep_instalments =
        after.state == CaseState::kConfirmed || after.state == CaseState::kConcluded;
    return plan;
  }
  if (before.state == CaseState::kConfirmed) {
    // The confirmation revoked on an objection (Interp Art. 372): the agreement is performed on
    // as before (its instalments stay); no new window to apply.
    return plan;
  }
  if (before.state != CaseState::kSettled && after.state == CaseState::kSettled) {
    plan.stop.push_back({"mediation-period", DeadlineState::kMet});
    // A post-filing settlement goes to the court's statement or withdrawal, not to confirmation
    // (OMR Art. 20): no 30-day application window (PML Art. 33) for it.
    if (ConfirmationAvailable(RouteOf(after.data))) {
      plan.start.push_back(Start(DeadlineKind::kConfirmationApplication, after, "", now));
    }
    return plan;
  }
  if (before.state != CaseState::kSubmitted && after.state == CaseState::kSubmitted) {
    // The organization confirms acceptance within 3 working days of receiving the application or
    // the court's diversion (OMR Art. 12).
    plan.start.push_back(Start(DeadlineKind::kOrganizationAcceptance, after, "", now));
    return plan;
  }
  if (before.state == CaseState::kSubmitted && after.state == CaseState::kAccepted) {
    // The mediation period counts from the day the organization confirmed acceptance (OMR Art.
    // 24 para. 2), not from a mediator's later acceptance.
    plan.stop.push_back({"organization-acceptance", DeadlineState::kMet});
    plan.start.push_back(Start(DeadlineKind::kMediationPeriod, after, "", now));
    // A mediator is to be chosen: jointly by the parties within 2 working days, else designated
    // within 3 more (OMR Art. 10).
    plan.start.push_back(Start(DeadlineKind::kMediatorChoice, after, "", now));
    plan.start.push_back(Start(DeadlineKind::kMediatorDesignation, after, "", now));
    return plan;
  }
  if (before.state == CaseState::kSettled && after.state != CaseState::kSettled) {
    plan.stop.push_back({"confirmation-application", DeadlineState::kCancelled});
    // Mediating again after a rejected confirmation: a new mediation period (OMR Art. 24). The
    // agreement binds until a new one changes it (CPL Art. 206): its instalments stay due.
    if (after.state == CaseState::kMediating) {
      plan.start.push_back(Start(DeadlineKind::kMediationPeriod, after, "", now));
    }
    return plan;
  }
  std::set<std::string> proposed_before, active_before;
  for (const auto& a : before.assignments) {
    if (a.state == AssignmentState::kProposed) proposed_before.insert(a.principal_id);
    if (a.active()) active_before.insert(a.principal_id);
  }
  for (const auto& a : after.assignments) {
    if (!a.active() && active_before.count(a.principal_id) > 0) {
      plan.released_mediators.push_back(a.principal_id);
    }
  }
  for (const auto& a : after.assignments) {
    const bool was_proposed = proposed_before.count(a.principal_id) > 0;
    if (a.state == AssignmentState::kProposed && !was_proposed) {
      if (before.assignments.empty()) {
        // The first proposal ends the choice: the parties' joint choice meets both deadlines; the
        // organization's (or the automatic) proposal is its designation (OMR Art. 10).
        plan.stop.push_back({"mediator-choice", a.method == AssignmentMethod::kJointChoice
                                                    ? DeadlineState::kMet
                                                    : DeadlineState::kCancelled});
        plan.stop.push_back({"mediator-designation", DeadlineState::kMet});
      }
      plan.start.push_back(Start(DeadlineKind::kMediatorAcceptance, after, a.principal_id, now));
    } else if (a.state != AssignmentState::kProposed && was_proposed &&
               a.state != AssignmentState::kLapsed) {
      plan.stop.push_back({AcceptanceId(a.principal_id), a.state == AssignmentState::kAccepted
                                                             ? DeadlineState::kMet
                                                             : DeadlineState::kCancelled});
    }
  }
  if (!HasAccepted(before) && HasAccepted(after)) {
    // Storage keeps the deadlines of a first acceptance when a replacement accepts later.
    plan.start.push_back(Start(DeadlineKind::kRespondentContact, after, "", now));
    // The period started when the organization accepted (above); storage keeps that one. Only a
    // case accepted before odrd started it there (schema 15 and earlier) gets its period now.
    plan.start.push_back(Start(DeadlineKind::kMediationPeriod, after, "", now));
  }
  if (before.state != CaseState::kMediating && after.state == CaseState::kMediating) {
    plan.stop.push_back({"respondent-contact", DeadlineState::kMet});
  }
  return plan;
}

namespace {

absl::Status OnlyMediationPeriod(const Deadline& d, absl::string_view what) {
  return MakeError(absl::StatusCode::kFailedPrecondition, "NOT_THE_MEDIATION_PERIOD",
                   absl::StrCat("only the mediation period can be ", what, "; ", d.id, " is a ",
                                DeadlineKindName(d.kind), " deadline"));
}

}  // namespace

absl::Status StatutoryClock::Pause(Deadline* d, absl::Time now) const {
  if (d->kind != DeadlineKind::kMediationPeriod) return OnlyMediationPeriod(*d, "paused");
  if (d->state != DeadlineState::kRunning) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "DEADLINE_NOT_RUNNING",
                     absl::StrCat("the mediation period is ", DeadlineStateName(d->state),
                                  "; only a running period can be paused"));
  }
  d->state = DeadlineState::kPaused;
  d->paused_at = now;
  d->update_time = now;
  return absl::OkStatus();
}

absl::Status StatutoryClock::Resume(Deadline* d, absl::Time now) const {
  if (d->kind != DeadlineKind::kMediationPeriod) return OnlyMediationPeriod(*d, "resumed");
  if (d->state != DeadlineState::kPaused || !d->paused_at) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "DEADLINE_NOT_PAUSED",
                     absl::StrCat("the mediation period is ", DeadlineStateName(d->state),
                                  "; only a paused period can be resumed"));
  }
  d->paused += std::max(absl::ZeroDuration(), now - *d->paused_at);
  d->paused_at.reset();
  d->state = DeadlineState::kRunning;
  d->update_time = now;
  Recompute(d, now);
  return absl::OkStatus();
}

absl::Status StatutoryClock::Extend(Deadline* d, int days, absl::Time now) const {
  if (days < 1 || days > kMaxExtensionRequestDays) {
    return InvalidFieldError("days", absl::StrCat("must be 1 to ", kMaxExtensionRequestDays));
  }
  if (d->kind != DeadlineKind::kMediationPeriod) return OnlyMediationPeriod(*d, "extended");
  if (!d->open()) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "DEADLINE_NOT_RUNNING",
                     absl::StrCat("the mediation period is ", DeadlineStateName(d->state),
                                  "; only a running or paused period can be extended"));
  }
  // No cap in all: with the parties' consent the period is not limited (OMR Art. 24).
  d->extension_days += days;
  d->update_time = now;
  Recompute(d, now);
  return absl::OkStatus();
}

absl::StatusOr<std::string> CheckExtensionConsents(const Case& c,
                                                   const std::vector<ExtensionConsent>& consents) {
  std::vector<std::string> parties = AllPartyRefs(c);
  std::set<std::string> seen;
  std::vector<std::string> texts;
  for (size_t i = 0; i < consents.size(); ++i) {
    const ExtensionConsent& e = consents[i];
    const std::string field = absl::StrCat("consents[", i, "]");
    if (std::find(parties.begin(), parties.end(), e.party) == parties.end()) {
      return InvalidFieldError(
          field + ".party",
          absl::StrCat(e.party.empty() ? "is required" : e.party + " is not a party of the case"));
    }
    if (!seen.insert(e.party).second) {
      return InvalidFieldError(field + ".party", absl::StrCat(e.party, " is listed twice"));
    }
    if (e.manner.empty()) {
      return InvalidFieldError(field + ".manner",
                               "is required: how the party consented (e.g. in a session, in "
                               "writing)");
    }
    texts.push_back(absl::StrCat(e.party, " (", e.manner, ")"));
  }
  std::vector<std::string> missing;
  for (const std::string& p : parties) {
    if (seen.count(p) == 0) missing.push_back(p);
  }
  if (!missing.empty()) {
    return InvalidFieldError("consents",
                             absl::StrCat("every party consents to an extension (OMR Art. 24); "
                                          "missing: ",
                                          absl::StrJoin(missing, ", ")));
  }
  return absl::StrJoin(texts, "; ");
}

absl::Status StatutoryClock::ExtendRuling(Deadline* d, int days, absl::Time now) const {
  if (days < 1 || days > kMaxExtensionRequestDays) {
    return InvalidFieldError("days", absl::StrCat("must be 1 to ", kMaxExtensionRequestDays));
  }
  if (d->kind != DeadlineKind::kConfirmationRuling || !d->open()) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "DEADLINE_NOT_RUNNING",
                     absl::StrCat(d->id, " is not a running ruling deadline"));
  }
  d->extension_days += days;
  d->update_time = now;
  Recompute(d, now);
  return absl::OkStatus();
}

absl::Status StatutoryClock::ExtendPartyPeriod(Deadline* d, absl::CivilDay until,
                                               absl::Time now) const {
  if (d->kind != DeadlineKind::kConfirmationMaterials &&
      d->kind != DeadlineKind::kRulingObjection) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "NO_SUCH_PERIOD",
                     absl::StrCat(d->id, " is not a party's materials or objection deadline"));
  }
  if (d->state != DeadlineState::kRunning && d->state != DeadlineState::kExpired) {
    return MakeError(absl::StatusCode::kFailedPrecondition, "NO_SUCH_PERIOD",
                     absl::StrCat(d->id, " is ", DeadlineStateName(d->state),
                                  "; only a running or expired period is extended"));
  }
  const absl::CivilDay first = absl::ToCivilDay(d->start, ChinaTime());
  const int total = static_cast<int>(until - first) - d->PausedDays();
  if (until <= absl::ToCivilDay(d->due - absl::Seconds(1), ChinaTime()) || total <= d->length) {
    return InvalidFieldError("until_date",
                             absl::StrCat("must be after the current last day, ", DayText(d->due)));
  }
  d->extension_days = total - d->length;
  d->state = DeadlineState::kRunning;
  d->update_time = now;
  Recompute(d, now);
  return absl::OkStatus();
}

Deadline StatutoryClock::MaterialsDeadline(const Case& c, absl::string_view confirmation_id,
                                           int days, absl::Time now) const {
  Deadline d;
  d.case_id = c.id;
  d.kind = DeadlineKind::kConfirmationMaterials;
  d.id = absl::StrCat("confirmation-materials-", confirmation_id);
  d.subject = std::string(confirmation_id);
  d.start = now;
  d.update_time = now;
  d.length = days;
  Recompute(&d, now);
  return d;
}

ExpiryEffect StatutoryClock::OnExpiry(const Deadline& d, const Case& c) const {
  ExpiryEffect e;
  e.audience = Audience(d.kind);
  switch (d.kind) {
    case DeadlineKind::kMediatorAcceptance:
      e.lapse_principal = d.subject;
      e.message = absl::StrCat("principals/", d.subject,
                               " did not answer within 3 working days (OMR Art. 12); the proposal "
                               "lapsed and the organization is to assign another mediator");
      break;
    case DeadlineKind::kMediatorChoice:
      e.message =
          "the parties did not choose a mediator jointly within 2 working days of the "
          "organization's acceptance (OMR Art. 10); the organization designates one";
      break;
    case DeadlineKind::kMediatorDesignation:
      e.message =
          "no mediator was designated within 3 working days after the parties' time to choose "
          "jointly (OMR Art. 10); the organization is to designate one now";
      break;
    case DeadlineKind::kOrganizationAcceptance:
      e.message =
          "the organization did not confirm acceptance within 3 working days of receiving the "
          "case (OMR Art. 12); the court or the parties may designate or choose another";
      break;
    case DeadlineKind::kRespondentContact:
      e.message =
          "the respondent was not contacted within 3 working days of the mediator's acceptance "
          "(OMR Art. 15); the organization is to follow up";
      break;
    case DeadlineKind::kMediationPeriod:
      e.action = CaseAction::kClose;
      e.reason = absl::StrCat("the mediation period ended on ", DayText(d.due),
                              " without settlement (OMR Arts. 24, 25)");
      // What follows the failure depends on the route (procedure.h; OMR Art. 21, PML Art. 26).
      if (auto referral = ReferralEvent(c, FailureEnding(RouteOf(c.data)))) {
        e.message = absl::StrCat(e.reason, "; ", referral->text);
      } else {
        e.message = absl::StrCat(e.reason, "; the parties may go to court (PML Art. 26)");
      }
      break;
    case DeadlineKind::kConfirmationApplication:
      e.message =
          "30 days since the agreement took effect passed without an application for judicial "
          "confirmation (PML Art. 33)";
      break;
    case DeadlineKind::kAppointmentReminder:
      e.message = absl::StrCat("appointments/", d.subject, " starts in ",
                               absl::FormatDuration(absl::Minutes(d.length)));
      break;
    case DeadlineKind::kInstalmentDue:
      e.event_kind = EventKind::kInstalmentOverdue;
      e.message = absl::StrCat("instalment ", d.subject.substr(d.subject.find('/') + 1),
                               " of agreements/", d.subject.substr(0, d.subject.find('/')),
                               " was not paid in full by the end of ", DayText(d.due),
                               "; the organization supervises performance (PML Art. 31)");
      break;
    case DeadlineKind::kConfirmationAcceptance:
      e.message = absl::StrCat("confirmations/", d.subject,
                               " was neither accepted nor refused within 3 days of filing (2011 "
                               "司法确认程序若干规定 Art. 4)");
      break;
    case DeadlineKind::kConfirmationRuling:
      e.message = absl::StrCat("confirmations/", d.subject, " was not ruled on within ",
                               d.length + d.extension_days, " days of acceptance (CPL Art. 187)");
      break;
    case DeadlineKind::kConfirmationMaterials:
      e.message = absl::StrCat("the materials the court asked for on confirmations/", d.subject,
                               " were not supplied by the end of ", DayText(d.due),
                               "; the court may treat the application as withdrawn (CPL "
                               "Interpretation Art. 357)");
      break;
    case DeadlineKind::kRulingObjection:
      e.message = absl::StrCat("the parties' 15 days to object to the ruling on confirmations/",
                               d.subject, " ended (CPL Interpretation Art. 372)");
      break;
  }
  return e;
}

std::string StatutoryClock::WarningMessage(const Deadline& d) const {
  return absl::StrCat(DeadlineKindName(d.kind), " is due at the end of ", DayText(d.due), " (",
                      LegalBasis(d.kind), ")");
}

std::string StatutoryClock::StartedMessage(const Deadline& d) const {
  return absl::StrCat(DeadlineKindName(d.kind), ": ", d.length, d.working_days ? " working" : "",
                      " days, due at the end of ", DayText(d.due), " (", LegalBasis(d.kind), ")",
                      d.provisional ? "; provisional: a year of the calendar is not loaded" : "");
}

}  // namespace odr::domain
