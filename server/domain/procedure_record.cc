#include "server/domain/procedure_record.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/domain/agreement.h"
#include "server/domain/authorization.h"
#include "server/domain/enum_names.h"
#include "server/domain/errors.h"
#include "server/domain/state_machine.h"
#include "server/domain/validation.h"

namespace odr::domain {
namespace {

constexpr std::array<std::pair<RecordKind, const char*>, 17> kKinds{{
    {RecordKind::kMediationConsent, "mediation_consent"},
    {RecordKind::kDiversionConsent, "diversion_consent"},
    {RecordKind::kNoticeAcknowledged, "notice_acknowledged"},
    {RecordKind::kIdentityVerified, "identity_verified"},
    {RecordKind::kFalseMediationWarning, "false_mediation_warning"},
    {RecordKind::kServiceAddressConfirmed, "service_address_confirmed"},
    {RecordKind::kMinutesConfirmed, "minutes_confirmed"},
    {RecordKind::kRecordingConsent, "recording_consent"},
    {RecordKind::kUndisputedFacts, "undisputed_facts"},
    {RecordKind::kConflictDisclosed, "conflict_disclosed"},
    {RecordKind::kConflictWaived, "conflict_waived"},
    {RecordKind::kRecusalRequested, "recusal_requested"},
    {RecordKind::kRecusalDecided, "recusal_decided"},
    {RecordKind::kReplacementRefused, "replacement_refused"},
    {RecordKind::kSeparateSessionConsent, "separate_session_consent"},
    {RecordKind::kPresidingMediator, "presiding_mediator"},
    {RecordKind::kFalseMediationSuspected, "false_mediation_suspected"},
}};

// What a party gives itself: it (or its agent) records it, or the staff record what it gave.
bool PartysOwn(RecordKind k) {
  switch (k) {
    case RecordKind::kMediationConsent:
    case RecordKind::kDiversionConsent:
    case RecordKind::kNoticeAcknowledged:
    case RecordKind::kServiceAddressConfirmed:
    case RecordKind::kMinutesConfirmed:
    case RecordKind::kRecordingConsent:
    case RecordKind::kConflictWaived:
    case RecordKind::kRecusalRequested:
    case RecordKind::kReplacementRefused:
    case RecordKind::kSeparateSessionConsent:
      return true;
    default:
      return false;
  }
}

absl::Status Denied(const ProcedureRecord& r, absl::string_view who) {
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   absl::StrCat("a ", RecordKindName(r.kind), " record is made by ", who, " (",
                                RecordLegalBasis(r.kind), ")"));
}

bool IsAcceptedMediator(const Case& c, absl::string_view principal) {
  for (const auto& a : c.assignments) {
    if (a.principal_id == principal && a.state == AssignmentState::kAccepted) return true;
  }
  return false;
}

bool IsActiveMediator(const Case& c, absl::string_view principal) {
  for (const auto& a : c.assignments) {
    if (a.principal_id == principal && a.active()) return true;
  }
  return false;
}

bool WasAssigned(const Case& c, absl::string_view principal) {
  for (const auto& a : c.assignments) {
    if (a.principal_id == principal) return true;
  }
  return false;
}

int AcceptedMediators(const Case& c) {
  int n = 0;
  for (const auto& a : c.assignments) n += a.state == AssignmentState::kAccepted ? 1 : 0;
  return n;
}

}  // namespace

const char* RecordKindName(RecordKind k) { return NameIn(kKinds, k); }
std::optional<RecordKind> RecordKindFromName(absl::string_view n) { return ValueIn(kKinds, n); }

const char* RecordLegalBasis(RecordKind k) {
  switch (k) {
    case RecordKind::kMediationConsent:
      return "OMR Art. 4";
    case RecordKind::kDiversionConsent:
      return "特邀 Art. 11";
    case RecordKind::kNoticeAcknowledged:
      return "特邀 Art. 14";
    case RecordKind::kIdentityVerified:
    case RecordKind::kFalseMediationWarning:
    case RecordKind::kServiceAddressConfirmed:
      return "OMR Art. 17";
    case RecordKind::kMinutesConfirmed:
    case RecordKind::kRecordingConsent:
      return "OMR Art. 22";
    case RecordKind::kUndisputedFacts:
      return "OMR Art. 18";
    case RecordKind::kConflictDisclosed:
    case RecordKind::kConflictWaived:
      return "OMR Art. 13";
    case RecordKind::kRecusalRequested:
    case RecordKind::kRecusalDecided:
      return "OMR Art. 13; 特邀 Art. 15";
    case RecordKind::kReplacementRefused:
      return "OMR Art. 14";
    case RecordKind::kSeparateSessionConsent:
      return "OMR Art. 16";
    case RecordKind::kPresidingMediator:
      return "OMR Art. 11";
    case RecordKind::kFalseMediationSuspected:
      return "特邀 Art. 18; OMR Art. 23";
  }
  return "";
}

RecordShape ShapeOf(RecordKind k) {
  RecordShape s;
  switch (k) {
    case RecordKind::kMediationConsent:
    case RecordKind::kDiversionConsent:
    case RecordKind::kNoticeAcknowledged:
    case RecordKind::kFalseMediationWarning:
    case RecordKind::kRecordingConsent:
    case RecordKind::kSeparateSessionConsent:
    case RecordKind::kReplacementRefused:
    case RecordKind::kServiceAddressConfirmed:  // the party's service_address, as on the case
      s.party = true;
      break;
    case RecordKind::kIdentityVerified:
      s.party = true;
      s.manner = true;  // how it was done (OMR Art. 17)
      break;
    case RecordKind::kMinutesConfirmed:
      s.party = true;
      s.appointment = true;
      break;
    case RecordKind::kUndisputedFacts:
      s.detail = true;
      s.manner = true;  // how the parties confirmed them
      break;
    case RecordKind::kConflictDisclosed:
      s.mediator = true;
      s.detail = true;
      break;
    case RecordKind::kConflictWaived:
      s.party = true;
      s.mediator = true;
      break;
    case RecordKind::kRecusalRequested:
      s.party = true;
      s.mediator = true;
      s.detail = true;  // the grounds
      break;
    case RecordKind::kRecusalDecided:
      s.mediator = true;
      break;
    case RecordKind::kPresidingMediator:
      s.mediator = true;
      break;
    case RecordKind::kFalseMediationSuspected:
      s.detail = true;
      break;
  }
  return s;
}

absl::Status AuthorizeRecord(const Principal& p, const Case& c, const ProcedureRecord& r) {
  const CaseRelation rel = RelationTo(p, c);
  const bool staff = rel.accepted_mediator || rel.organization_admin;
  if (PartysOwn(r.kind)) {
    // The mediator whose conflict it is does not vouch for the party's waiver (OMR Art. 13).
    if (r.kind == RecordKind::kConflictWaived && p.role == Role::kMediator && p.id == r.mediator) {
      return Denied(r, "the party itself or its agent, or the organization or another mediator");
    }
    if (staff) return absl::OkStatus();
    if (r.kind == RecordKind::kDiversionConsent && rel.diverting_court) return absl::OkStatus();
    const std::vector<std::string> own = OwnParties(p, c);
    if (!r.party.empty() && std::find(own.begin(), own.end(), r.party) != own.end()) {
      return absl::OkStatus();
    }
    return Denied(r, "the party itself or its agent, or the case's mediator or organization");
  }
  switch (r.kind) {
    case RecordKind::kConflictDisclosed:
      // Before accepting too: a proposed mediator discloses (OMR Art. 13).
      if (rel.organization_admin || (rel.assigned_mediator && r.mediator == p.id)) {
        return absl::OkStatus();
      }
      return Denied(r, "the mediator concerned or the organization");
    case RecordKind::kRecusalDecided:
      if (rel.organization_admin || rel.diverting_court) return absl::OkStatus();
      return Denied(r, "the organization or the diverting court");
    case RecordKind::kPresidingMediator:
      if (staff || rel.diverting_court) return absl::OkStatus();
      return Denied(r, "the case's mediator, its organization or the diverting court");
    default:
      if (staff) return absl::OkStatus();
      return Denied(r, "the case's mediator or organization");
  }
}

absl::Status CheckRecord(const Case& c, const ProcedureRecord& r,
                         const std::vector<ProcedureRecord>& earlier) {
  if (IsTerminal(c.state)) {
    return TransitionError(
        ApiStateName(c.state),
        absl::StrCat("records are added until the case ends; it is ", ApiStateName(c.state)));
  }
  const RecordShape shape = ShapeOf(r.kind);
  std::vector<FieldViolation> v;
  if (shape.party) {
    if (!IsPartyRef(c, r.party)) {
      v.push_back({"record.party",
                   "must name a party of the case: applicants/{i} or"
                   " respondents/{i}"});
    }
  } else if (!r.party.empty()) {
    v.push_back({"record.party", absl::StrCat("is not taken by a ", RecordKindName(r.kind),
                                              " record; leave it empty")});
  }
  if (shape.mediator) {
    if (r.mediator.empty()) {
      v.push_back({"record.mediator", "is required: principals/{p} of a mediator of the case"});
    } else if (!WasAssigned(c, r.mediator)) {
      v.push_back({"record.mediator", "is not a mediator proposed for or assigned to the case"});
    }
  } else if (!r.mediator.empty()) {
    v.push_back({"record.mediator", absl::StrCat("is not taken by a ", RecordKindName(r.kind),
                                                 " record; leave it empty")});
  }
  if (auto e = CheckText(r.detail, shape.detail ? 1 : 0, kMaxRecordDetailChars, true); !e.empty()) {
    v.push_back({"record.detail", e});
  }
  if (auto e = CheckText(r.manner, shape.manner ? 1 : 0, kMaxRecordMannerChars, false);
      !e.empty()) {
    v.push_back({"record.manner", e});
  }
  if (shape.appointment && r.appointment.empty()) {
    v.push_back({"record.appointment", "is required: the session whose minutes were confirmed"});
  } else if (!shape.appointment && !r.appointment.empty()) {
    v.push_back({"record.appointment", absl::StrCat("is not taken by a ", RecordKindName(r.kind),
                                                    " record; leave it empty")});
  }
  if (r.kind != RecordKind::kRecusalDecided && r.granted) {
    v.push_back({"record.granted", "is only for a recusal_decided record"});
  }
  if (!v.empty()) return InvalidArgumentError(std::move(v));

  switch (r.kind) {
    case RecordKind::kDiversionConsent:
      if (!c.data.court_diversion) {
        return MakeError(absl::StatusCode::kFailedPrecondition, "NOT_COURT_DIVERTED",
                         "only a case a court diverted or entrusted has a diversion to consent to "
                         "(特邀 Art. 11)");
      }
      break;
    case RecordKind::kRecusalDecided: {
      int pending = 0;
      for (const ProcedureRecord& e : earlier) {
        if (e.mediator != r.mediator) continue;
        if (e.kind == RecordKind::kRecusalRequested) ++pending;
        if (e.kind == RecordKind::kRecusalDecided) pending = 0;
      }
      if (pending == 0) {
        return MakeError(
            absl::StatusCode::kFailedPrecondition, "NO_RECUSAL_REQUEST",
            absl::StrCat("no recusal of principals/", r.mediator, " is pending a decision"));
      }
      break;
    }
    case RecordKind::kPresidingMediator:
      if (!IsAcceptedMediator(c, r.mediator)) {
        return InvalidFieldError("record.mediator",
                                 "the presiding mediator must be one who accepted the case");
      }
      if (AcceptedMediators(c) < 2) {
        return MakeError(absl::StatusCode::kFailedPrecondition, "SINGLE_MEDIATOR",
                         "a presiding mediator is chosen when two or more mediate (OMR Art. 11)");
      }
      break;
    case RecordKind::kReplacementRefused: {
      // OMR Art. 14: after a mediator was replaced, during mediation (not once settled).
      bool replaced = false;
      for (const auto& a : c.assignments)
        replaced = replaced || a.state == AssignmentState::kReplaced;
      if (!replaced || c.state == CaseState::kSettled) {
        return MakeError(absl::StatusCode::kFailedPrecondition, "NO_REPLACEMENT",
                         "a replacement is refused only after a mediator of the case was replaced "
                         "and before settlement (OMR Art. 14)");
      }
      if (auto next = NextState(c.state, CaseAction::kClose); !next.ok()) return next.status();
      break;
    }
    default:
      break;
  }
  return absl::OkStatus();
}

std::optional<std::string> ClosingReason(const ProcedureRecord& r) {
  if (r.kind != RecordKind::kReplacementRefused) return std::nullopt;
  return absl::StrCat(r.party,
                      " refused a replacement mediator and to choose another: deemed to refuse "
                      "mediation (OMR Art. 14)");
}

std::string RecordEventText(const ProcedureRecord& r) {
  std::string who = r.party;
  if (!r.mediator.empty()) {
    absl::StrAppend(&who, who.empty() ? "" : " on ", "principals/", r.mediator);
  }
  std::string what;
  switch (r.kind) {
    case RecordKind::kMediationConsent:
      what = "consented to online mediation";
      break;
    case RecordKind::kDiversionConsent:
      what = "consented to the court's diversion to mediation";
      break;
    case RecordKind::kNoticeAcknowledged:
      what =
          "acknowledged the notice of rights, duties, rules, procedure, the agreement's effect "
          "and the right to judicial confirmation";
      break;
    case RecordKind::kIdentityVerified:
      what = "identity verified";
      break;
    case RecordKind::kFalseMediationWarning:
      what = "was warned about the consequences of false mediation";
      break;
    case RecordKind::kServiceAddressConfirmed:
      what = "confirmed its address for service as on the case";
      break;
    case RecordKind::kMinutesConfirmed:
      what = absl::StrCat("confirmed the minutes of appointments/", r.appointment);
      break;
    case RecordKind::kRecordingConsent:
      what = "consented to audio/video recording";
      break;
    case RecordKind::kUndisputedFacts:
      what = "the parties confirmed facts as undisputed";
      break;
    case RecordKind::kConflictDisclosed:
      what = "disclosed a possible conflict";
      break;
    case RecordKind::kConflictWaived:
      what = "waived the disclosed conflict";
      break;
    case RecordKind::kRecusalRequested:
      what = "asked for the mediator's recusal";
      break;
    case RecordKind::kRecusalDecided:
      what = r.granted ? "recusal granted" : "recusal refused";
      break;
    case RecordKind::kReplacementRefused:
      what = "refused a replacement mediator and to choose another";
      break;
    case RecordKind::kSeparateSessionConsent:
      what = "consented to separate (背对背) sessions";
      break;
    case RecordKind::kPresidingMediator:
      what = "presides over the mediation";
      break;
    case RecordKind::kFalseMediationSuspected:
      what = "reported suspected false mediation";
      break;
  }
  return absl::StrCat(who, who.empty() ? "" : ": ", what, " (", RecordLegalBasis(r.kind), ")");
}

RecordVisibility VisibilityOf(const Principal& p, const Case& c, const ProcedureRecord& r) {
  // A court reads records as the diverting court or in the bundle of an application filed with
  // it (authorized by the caller): everything.
  if (p.role == Role::kCourt) return RecordVisibility::kFull;
  if (!MaySeeAudience(p, c, RecordAudience(r.kind))) return RecordVisibility::kHidden;
  if (p.role != Role::kCitizen || r.party.empty()) return RecordVisibility::kFull;
  const std::vector<std::string> own = OwnParties(p, c);
  return std::find(own.begin(), own.end(), r.party) != own.end() ? RecordVisibility::kFull
                                                                 : RecordVisibility::kWithoutText;
}

EventAudience RecordAudience(RecordKind k) {
  return k == RecordKind::kFalseMediationSuspected ? EventAudience::kStaff : EventAudience::kAll;
}

std::vector<ConfirmationProblem> RecordWarnings(const Case& c,
                                                const std::vector<ProcedureRecord>& records,
                                                int separate_sessions) {
  std::vector<ConfirmationProblem> out;
  std::map<std::string, std::set<RecordKind>> by_party;
  for (const ProcedureRecord& r : records) {
    if (!r.party.empty()) by_party[r.party].insert(r.kind);
  }
  std::vector<std::pair<RecordKind, const char*>> required = {
      {RecordKind::kMediationConsent, "consent to online mediation"},
      {RecordKind::kNoticeAcknowledged, "acknowledgement of the notice of rights and duties"},
      {RecordKind::kIdentityVerified, "identity verification"},
      {RecordKind::kFalseMediationWarning, "warning about false mediation"},
      {RecordKind::kServiceAddressConfirmed, "confirmed service address"},
      {RecordKind::kMinutesConfirmed, "confirmation of a session's minutes"},
  };
  if (c.data.court_diversion) {
    required.insert(required.begin() + 1,
                    {RecordKind::kDiversionConsent, "consent to the court's diversion"});
  }
  for (const std::string& party : AllPartyRefs(c)) {
    const std::set<RecordKind>& has = by_party[party];
    for (const auto& [kind, what] : required) {
      if (has.count(kind) > 0) continue;
      out.push_back(
          {kProblemMissingRecord, "",
           absl::StrCat(party, " has no record of its ", what, " (", RecordLegalBasis(kind),
                        "); the court checks voluntariness "
                        "(CPL Interpretation Art. 358(四))")});
    }
  }
  if (separate_sessions > 0) {
    for (const std::string& party : AllPartyRefs(c)) {
      if (by_party[party].count(RecordKind::kSeparateSessionConsent) > 0) continue;
      out.push_back({kProblemSeparateSessionWithoutConsent, "",
                     absl::StrCat(separate_sessions, " separate session(s) held without ", party,
                                  "'s recorded consent (OMR Art. 16)")});
    }
  }
  // Disclosures, recusals and suspicions, in the order recorded.
  std::map<std::string, std::set<std::string>> waived;  // mediator -> parties
  std::map<std::string, bool> disclosed, recusal_pending, recused;
  bool presiding = false;
  for (const ProcedureRecord& r : records) {
    switch (r.kind) {
      case RecordKind::kConflictDisclosed:
        disclosed[r.mediator] = true;
        waived[r.mediator].clear();  // a new disclosure needs new waivers
        break;
      case RecordKind::kConflictWaived:
        waived[r.mediator].insert(r.party);
        break;
      case RecordKind::kRecusalRequested:
        recusal_pending[r.mediator] = true;
        break;
      case RecordKind::kRecusalDecided:
        recusal_pending[r.mediator] = false;
        recused[r.mediator] = r.granted;
        break;
      case RecordKind::kPresidingMediator:
        presiding = presiding || IsAcceptedMediator(c, r.mediator);
        break;
      default:
        break;
    }
  }
  for (const auto& [mediator, yes] : disclosed) {
    if (!yes || !IsActiveMediator(c, mediator)) continue;
    for (const std::string& party : AllPartyRefs(c)) {
      if (waived[mediator].count(party) > 0) continue;
      out.push_back({kProblemConflictNotWaived, "",
                     absl::StrCat("principals/", mediator, " disclosed a possible conflict and ",
                                  party, " has not waived it (OMR Art. 13)")});
    }
  }
  for (const auto& [mediator, pending] : recusal_pending) {
    if (pending && IsActiveMediator(c, mediator)) {
      out.push_back({kProblemRecusalPending, "",
                     absl::StrCat("the recusal of principals/", mediator,
                                  " asked for is not decided (OMR Art. 13; 特邀 Art. 15)")});
    }
  }
  for (const auto& [mediator, granted] : recused) {
    if (granted && IsActiveMediator(c, mediator)) {
      out.push_back({kProblemRecusalPending, "",
                     absl::StrCat("principals/", mediator,
                                  " was recused but still mediates the case (特邀 Art. 15)")});
    }
  }
  if (AcceptedMediators(c) >= 2 && !presiding) {
    out.push_back({kProblemPresidingMediatorMissing, "",
                   "several mediators mediate and none is recorded as presiding (OMR Art. 11)"});
  }
  return out;
}

}  // namespace odr::domain
