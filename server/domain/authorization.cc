#include "server/domain/authorization.h"

#include <algorithm>
#include <array>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/agreement.h"
#include "server/domain/errors.h"

namespace odr::domain {
namespace {

bool SameDocument(const Principal& p, IdDocumentType type, const std::string& number) {
  // Stored upper-case by every input path, as the SQL list scope also assumes.
  return !p.id_number.empty() && p.id_document_type == type && p.id_number == number;
}

bool Appears(const Principal& p, const std::vector<Party>& side) {
  for (const Party& party : side) {
    if (SameDocument(p, party.id_document_type, party.id_number)) return true;
    for (const Agent& a : party.agents) {
      if (SameDocument(p, a.id_document_type, a.id_number)) return true;
    }
  }
  return false;
}

// Which relations allow each operation (besides seeing the case at all).
struct Rule {
  CaseOperation op;
  bool applicant_side, respondent_side, assigned_mediator, organization_admin, diverting_court;
};
constexpr std::array<Rule, 20> kRules{{
    // op                           applicant respondent mediator org-admin court
    {CaseOperation::kRead, true, true, true, true, true},
    {CaseOperation::kUpdate, true, false, true, true, false},
    {CaseOperation::kSubmit, true, false, false, true, true},
    {CaseOperation::kAccept, false, false, false, true, false},
    {CaseOperation::kWithdraw, true, false, false, true, false},
    {CaseOperation::kClose, false, false, true, true, false},
    {CaseOperation::kAssignMediator, false, false, false, true, false},
    {CaseOperation::kChooseMediator, true, true, false, false, false},
    {CaseOperation::kRespondToAssignment, false, false, true, false, false},
    {CaseOperation::kReplaceMediator, true, true, true, true, false},
    {CaseOperation::kAddEvidence, true, true, true, true, true},
    {CaseOperation::kBookAppointment, true, true, true, true, false},
    {CaseOperation::kManageAppointments, false, false, true, true, false},
    {CaseOperation::kManageClock, false, false, true, true, false},
    {CaseOperation::kDraftAgreement, false, false, true, true, false},
    {CaseOperation::kSignAgreement, true, true, true, true, false},
    {CaseOperation::kRecordPerformance, false, false, true, true, false},
    {CaseOperation::kRecordOffer, false, false, true, true, false},
    {CaseOperation::kApplyForConfirmation, true, true, false, false, false},
    // The court that entrusted a filed suit concludes it (OMR Art. 20).
    {CaseOperation::kConclude, false, false, false, false, true},
}};

// A mediator only proposed may see the case and answer the proposal, nothing else: it has not yet
// disclosed its conflicts and accepted (OMR Arts. 12-13; 特邀 Art. 15). Every other operation runs
// the case and waits for its acceptance.
bool OpenToProposedMediator(CaseOperation op) {
  return op == CaseOperation::kRead || op == CaseOperation::kRespondToAssignment;
}

const char* OperationName(CaseOperation op) {
  switch (op) {
    case CaseOperation::kRead:
      return "read";
    case CaseOperation::kUpdate:
      return "update";
    case CaseOperation::kSubmit:
      return "submit";
    case CaseOperation::kAccept:
      return "accept";
    case CaseOperation::kWithdraw:
      return "withdraw";
    case CaseOperation::kClose:
      return "close";
    case CaseOperation::kAssignMediator:
      return "assign a mediator to";
    case CaseOperation::kChooseMediator:
      return "choose a mediator for";
    case CaseOperation::kRespondToAssignment:
      return "accept or decline the assignment to";
    case CaseOperation::kReplaceMediator:
      return "replace a mediator of";
    case CaseOperation::kAddEvidence:
      return "add evidence to";
    case CaseOperation::kBookAppointment:
      return "book appointments for";
    case CaseOperation::kManageAppointments:
      return "manage the appointments of";
    case CaseOperation::kManageClock:
      return "change the mediation period of";
    case CaseOperation::kDraftAgreement:
      return "draft the settlement agreement of";
    case CaseOperation::kSignAgreement:
      return "sign the settlement agreement of";
    case CaseOperation::kRecordPerformance:
      return "record the performance of the agreement of";
    case CaseOperation::kRecordOffer:
      return "record offers in";
    case CaseOperation::kApplyForConfirmation:
      return "apply for judicial confirmation in";
    case CaseOperation::kConclude:
      return "conclude";
  }
  return "act on";
}

void MaskSide(std::vector<Party>* side) {
  for (Party& p : *side) {
    p.id_number = Mask(p.id_number, 4, 4);
    p.phone = Mask(p.phone, 3, 4);
    for (Agent& a : p.agents) {
      a.id_number = Mask(a.id_number, 4, 4);
      a.phone = Mask(a.phone, 3, 4);
    }
  }
}

}  // namespace

const char* RoleName(Role r) {
  switch (r) {
    case Role::kCitizen:
      return "citizen";
    case Role::kMediator:
      return "mediator";
    case Role::kOrgAdmin:
      return "org_admin";
    case Role::kCourt:
      return "court";
    case Role::kPartnerApp:
      return "partner_app";
    case Role::kPlatformAdmin:
      return "platform_admin";
  }
  return "unknown";
}

std::optional<Role> RoleFromName(absl::string_view name) {
  for (Role r : {Role::kCitizen, Role::kMediator, Role::kOrgAdmin, Role::kCourt, Role::kPartnerApp,
                 Role::kPlatformAdmin}) {
    if (name == RoleName(r)) return r;
  }
  return std::nullopt;
}

absl::Status CaseNotFoundError(absl::string_view id) {
  return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                   absl::StrCat("case cases/", id, " not found"));
}

absl::Status EvidenceNotFoundError(absl::string_view case_id, absl::string_view id) {
  return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                   absl::StrCat("evidence cases/", case_id, "/evidence/", id, " not found"));
}

bool MaySeeAudience(const Principal& p, const Case& c, EventAudience audience) {
  const CaseRelation r = RelationTo(p, c);
  if (!r.any()) return false;
  if (r.accepted_mediator || r.organization_admin || r.diverting_court) return true;
  switch (audience) {
    case EventAudience::kAll:
      return true;
    case EventAudience::kApplicantSide:
      return r.applicant_side;
    case EventAudience::kRespondentSide:
      return r.respondent_side;
    case EventAudience::kStaff:
      // A mediator only proposed sees the staff's alerts (its own acceptance deadline among
      // them), not what one side said or filed in a separate session.
      return r.assigned_mediator;
  }
  return false;
}

bool MaySeeEvent(const Principal& p, const Case& c, const CaseEvent& e) {
  if (p.role == Role::kCourt && e.kind == EventKind::kConfirmationChanged) return false;
  return MaySeeAudience(p, c, e.audience);
}

bool MaySeeAppointment(const Principal& p, const Case& c, EventAudience audience) {
  return AuthorizeCase(p, c, CaseOperation::kRead).ok() && MaySeeAudience(p, c, audience);
}

absl::Status AuthorizeAppointmentAudience(const Principal& p, const Case& c, EventAudience audience,
                                          const std::vector<std::string>& participants) {
  const CaseRelation r = RelationTo(p, c);
  if (r.accepted_mediator || r.organization_admin) return absl::OkStatus();
  const bool own_side = audience == EventAudience::kAll ||
                        (audience == EventAudience::kApplicantSide && r.applicant_side) ||
                        (audience == EventAudience::kRespondentSide && r.respondent_side);
  const std::vector<std::string> own = OwnParticipants(p, c);
  const bool takes_part = std::any_of(participants.begin(), participants.end(), [&](const auto& x) {
    return std::find(own.begin(), own.end(), x) != own.end();
  });
  if (own_side && takes_part) return absl::OkStatus();
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   "a party may book only appointments it takes part in (itself or as an "
                   "agent), and separate sessions only with its own side");
}

std::vector<std::string> OwnParticipants(const Principal& p, const Case& c) {
  std::vector<std::string> out;
  if (p.role == Role::kMediator) out.push_back(absl::StrCat("principals/", p.id));
  if (p.role != Role::kCitizen || p.disabled) return out;
  for (bool applicant : {true, false}) {
    const std::vector<Party>& side = applicant ? c.data.applicants : c.data.respondents;
    const char* name = applicant ? "applicants/" : "respondents/";
    for (size_t i = 0; i < side.size(); ++i) {
      if (SameDocument(p, side[i].id_document_type, side[i].id_number)) {
        out.push_back(absl::StrCat(name, i));
      }
      for (size_t j = 0; j < side[i].agents.size(); ++j) {
        const Agent& a = side[i].agents[j];
        if (SameDocument(p, a.id_document_type, a.id_number)) {
          out.push_back(absl::StrCat(name, i, "/agents/", j));
        }
      }
    }
  }
  return out;
}

std::vector<std::string> OwnParties(const Principal& p, const Case& c) {
  std::vector<std::string> out;
  for (const std::string& x : OwnParticipants(p, c)) {
    if (absl::StartsWith(x, "principals/")) continue;
    std::string party = x.substr(0, x.find("/agents/"));
    if (std::find(out.begin(), out.end(), party) == out.end()) out.push_back(std::move(party));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> PartiesToSettleFor(const Principal& p, const Case& c,
                                                            absl::string_view party,
                                                            absl::string_view field) {
  std::vector<std::string> may, lacking;
  bool known = party.empty();
  if (p.role == Role::kCitizen && !p.disabled) {
    for (bool applicant : {true, false}) {
      const std::vector<Party>& side = applicant ? c.data.applicants : c.data.respondents;
      for (size_t i = 0; i < side.size(); ++i) {
        const std::string ref = absl::StrCat(applicant ? "applicants/" : "respondents/", i);
        if (!party.empty() && ref != party) continue;
        known = true;
        bool self = SameDocument(p, side[i].id_document_type, side[i].id_number);
        bool agent = false, authorized = false;
        for (const Agent& a : side[i].agents) {
          if (!SameDocument(p, a.id_document_type, a.id_number)) continue;
          agent = true;
          authorized = authorized || a.special_authority;
        }
        if (self || authorized) {
          may.push_back(ref);
        } else if (agent) {
          lacking.push_back(ref);
        }
      }
    }
  } else {
    known = known || IsPartyRef(c, party);
  }
  if (!known) {
    return InvalidFieldError(
        std::string(field),
        absl::StrCat("must be a party of cases/", c.id, ": applicants/{i} or respondents/{i}"));
  }
  if (!may.empty()) return may;
  if (!lacking.empty()) {
    return MakeError(absl::StatusCode::kPermissionDenied, "NO_SPECIAL_AUTHORITY",
                     absl::StrCat("you are an agent of ", absl::StrJoin(lacking, ", "),
                                  " without special authority (特别授权): an agent signs or "
                                  "refuses an agreement or applies for confirmation only with it "
                                  "(CPL Art. 62); the party or the case's staff record it on the "
                                  "agent"));
  }
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   party.empty() ? std::string("only a party or its agent acts here")
                                 : absl::StrCat("you are neither ", party, " nor its agent"));
}

absl::Status AuthorizeAvailability(const Principal& p, absl::string_view organization_id,
                                   absl::string_view mediator_principal) {
  if (!p.disabled && ((p.role == Role::kMediator && p.id == mediator_principal) ||
                      (p.role == Role::kOrgAdmin && p.organization_id == organization_id))) {
    return absl::OkStatus();
  }
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   "only the mediator and the organization's admins see and change a mediator's "
                   "availability");
}

absl::Status AppointmentNotFoundError(absl::string_view case_id, absl::string_view id) {
  return MakeError(absl::StatusCode::kNotFound, kReasonNotFound,
                   absl::StrCat("appointment cases/", case_id, "/appointments/", id, " not found"));
}

bool MaySeeEvidence(const Principal& p, const Case& c, const EvidenceRecord& e) {
  const CaseRelation r = RelationTo(p, c);
  if (!r.any()) return false;
  if (e.visibility == EvidenceVisibility::kAllParties) return true;
  // MEDIATOR_ONLY: the mediators running the case, not one only proposed (it has not declared that
  // it has no conflict; OMR Art. 13).
  return e.uploader_id == p.id || r.accepted_mediator || r.organization_admin;
}

absl::Status AuthorizeWithdrawEvidence(const Principal& p, const Case& c, const EvidenceRecord& e) {
  if (!MaySeeEvidence(p, c, e)) return EvidenceNotFoundError(c.id, e.id);
  if (e.uploader_id != p.id) {
    return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                     "only the uploader may withdraw evidence");
  }
  return absl::OkStatus();
}

CaseRelation RelationTo(const Principal& p, const Case& c) {
  CaseRelation r;
  if (p.disabled) return r;
  switch (p.role) {
    case Role::kCitizen:
      r.applicant_side = Appears(p, c.data.applicants);
      r.respondent_side = Appears(p, c.data.respondents);
      break;
    case Role::kMediator:
      r.assigned_mediator =
          std::find(c.mediator_ids.begin(), c.mediator_ids.end(), p.id) != c.mediator_ids.end();
      for (const auto& a : c.assignments) {
        r.accepted_mediator = r.accepted_mediator ||
                              (a.principal_id == p.id && a.state == AssignmentState::kAccepted);
      }
      break;
    case Role::kOrgAdmin:
      r.organization_admin =
          !p.organization_id.empty() && p.organization_id == c.data.organization_id;
      break;
    case Role::kCourt:
      r.diverting_court = !p.court_id.empty() && c.data.court_diversion &&
                          c.data.court_diversion->court_id == p.court_id;
      break;
    case Role::kPartnerApp:
    case Role::kPlatformAdmin:
      break;
  }
  return r;
}

absl::Status AuthorizeCase(const Principal& p, const Case& c, CaseOperation op) {
  const CaseRelation r = RelationTo(p, c);
  if (!r.any()) return CaseNotFoundError(c.id);
  for (const Rule& rule : kRules) {
    if (rule.op != op) continue;
    if ((r.applicant_side && rule.applicant_side) || (r.respondent_side && rule.respondent_side) ||
        (r.assigned_mediator && rule.assigned_mediator &&
         (r.accepted_mediator || OpenToProposedMediator(op))) ||
        (r.organization_admin && rule.organization_admin) ||
        (r.diverting_court && rule.diverting_court)) {
      return absl::OkStatus();
    }
  }
  return MakeError(
      absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
      absl::StrCat("a ", RoleName(p.role), " in this case may not ", OperationName(op), " it"));
}

absl::Status AuthorizeCreate(const Principal& p, const CaseData& data) {
  auto deny = [](absl::string_view why) {
    return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED", why);
  };
  if (p.disabled) return deny("the account is disabled");
  switch (p.role) {
    case Role::kCitizen:
      if (data.court_diversion) return deny("only a court may file a court diversion");
      if (!Appears(p, data.applicants)) {
        return deny("a citizen may file a case only as an applicant or an applicant's agent");
      }
      return absl::OkStatus();
    case Role::kOrgAdmin:
      if (data.court_diversion) return deny("only a court may file a court diversion");
      if (data.organization_id != p.organization_id) {
        return deny(
            "an organization administrator may file cases only before their own "
            "organization");
      }
      return absl::OkStatus();
    case Role::kCourt:
      if (!data.court_diversion || data.court_diversion->court_id != p.court_id) {
        return deny("a court may file only diversions by itself (source.court_diversion.court)");
      }
      return absl::OkStatus();
    case Role::kMediator:
    case Role::kPartnerApp:
    case Role::kPlatformAdmin:
      break;
  }
  return deny(absl::StrCat("a ", RoleName(p.role), " may not file cases"));
}

absl::StatusOr<CaseScope> ListScope(const Principal& p) {
  if (!p.disabled) {
    switch (p.role) {
      case Role::kCitizen:
        if (!p.id_number.empty()) {
          return CaseScope{CaseScope::kParty, p.id_number, p.id_document_type};
        }
        break;
      case Role::kMediator:
        return CaseScope{CaseScope::kMediator, p.id};
      case Role::kOrgAdmin:
        if (!p.organization_id.empty())
          return CaseScope{CaseScope::kOrganization, p.organization_id};
        break;
      case Role::kCourt:
        if (!p.court_id.empty()) return CaseScope{CaseScope::kCourt, p.court_id};
        break;
      case Role::kPartnerApp:
      case Role::kPlatformAdmin:
        break;
    }
  }
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   absl::StrCat("a ", RoleName(p.role),
                                " sees no cases (a partner app names the citizen it acts for "
                                "in x-odr-on-behalf-of)"));
}

std::string Mask(const std::string& s, size_t head, size_t tail) {
  if (s.size() <= head + tail) return std::string(s.size(), '*');
  return s.substr(0, head) + std::string(s.size() - head - tail, '*') + s.substr(s.size() - tail);
}

void RedactCase(const Principal& p, Case* c) {
  if (p.role != Role::kCourt && c->data.court_diversion) {
    c->data.court_diversion->intake_reference.clear();
  }
  if (p.role == Role::kCitizen) {
    const CaseRelation r = RelationTo(p, *c);
    if (r.applicant_side && !r.respondent_side) MaskSide(&c->data.respondents);
    if (r.respondent_side && !r.applicant_side) MaskSide(&c->data.applicants);
  }
}

absl::Status AuthorizeAudit(const Principal& p) {
  if (p.role == Role::kPlatformAdmin && !p.disabled) return absl::OkStatus();
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   "only platform administrators may read the access log");
}

absl::Status AuthorizeCreateOrganization(const Principal& p) {
  if (p.role == Role::kPlatformAdmin && !p.disabled) return absl::OkStatus();
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   "only platform administrators may create organizations");
}

absl::Status AuthorizeManageOrganization(const Principal& p, absl::string_view organization_id) {
  if (MaySeeMediatorPrivateDetails(p, organization_id)) return absl::OkStatus();
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   absl::StrCat("only administrators of organizations/", organization_id,
                                " may manage its roster and pools"));
}

bool MaySeeMediatorPrivateDetails(const Principal& p, absl::string_view organization_id) {
  return p.role == Role::kOrgAdmin && !p.disabled && !p.organization_id.empty() &&
         p.organization_id == organization_id;
}

bool MaySeeOffer(const Principal& p, const Case& c, absl::string_view offered_by) {
  const CaseRelation r = RelationTo(p, c);
  if (r.accepted_mediator || r.organization_admin) return true;
  const bool applicants = absl::StartsWith(offered_by, "applicants/");
  return applicants ? r.applicant_side : r.respondent_side;
}

// --- Courts: judicial confirmation and diversion ---

bool IsCourtPrincipal(const Principal& p, absl::string_view court_id) {
  return p.role == Role::kCourt && !p.disabled && !p.court_id.empty() && p.court_id == court_id;
}

absl::Status AuthorizeCourt(const Principal& p, absl::string_view court_id) {
  if (IsCourtPrincipal(p, court_id)) return absl::OkStatus();
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   absl::StrCat("only principals of courts/", court_id, " may act for it"));
}

absl::Status ConfirmationNotFoundError(absl::string_view case_id, absl::string_view id) {
  return MakeError(
      absl::StatusCode::kNotFound, "NOT_FOUND",
      absl::StrCat("cases/", case_id, "/confirmations/", id, " not found (or you may not see it)"));
}

absl::Status AuthorizeConfirmationRead(const Principal& p, const Case& c, absl::string_view id,
                                       absl::string_view court_id, bool filed) {
  // A court sees an application only as the court it was made to, and only once every party has
  // consented (filed); being the court that diverted the case gives it no earlier or wider view
  // (2011 Arts. 2-3: the parties apply jointly).
  if (p.role == Role::kCourt) {
    if (filed && IsCourtPrincipal(p, court_id)) return absl::OkStatus();
    return ConfirmationNotFoundError(c.id, id);
  }
  if (AuthorizeCase(p, c, CaseOperation::kRead).ok()) return absl::OkStatus();
  return ConfirmationNotFoundError(c.id, id);
}

absl::Status AuthorizeConfirmationDecision(const Principal& p, const Case& c, absl::string_view id,
                                           absl::string_view court_id, bool filed) {
  if (filed && IsCourtPrincipal(p, court_id)) return absl::OkStatus();
  if (!AuthorizeConfirmationRead(p, c, id, court_id, filed).ok()) {
    return ConfirmationNotFoundError(c.id, id);
  }
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   absl::StrCat("only courts/", court_id,
                                ", to which it was made, may decide on this application"));
}

absl::Status AuthorizeStats(const Principal& p, const StatsScope& scope,
                            absl::string_view mediator_principal) {
  if (!p.disabled) {
    switch (p.role) {
      case Role::kPlatformAdmin:
        return absl::OkStatus();
      case Role::kOrgAdmin:
        if ((scope.kind == StatsScope::Kind::kOrganization ||
             scope.kind == StatsScope::Kind::kMediator) &&
            !p.organization_id.empty() && scope.organization_id == p.organization_id) {
          return absl::OkStatus();
        }
        break;
      case Role::kMediator:
        if (scope.kind == StatsScope::Kind::kMediator && !mediator_principal.empty() &&
            mediator_principal == p.id) {
          return absl::OkStatus();
        }
        break;
      case Role::kCourt:
        if (scope.kind == StatsScope::Kind::kCourt && !p.court_id.empty() &&
            scope.court_id == p.court_id) {
          return absl::OkStatus();
        }
        break;
      case Role::kCitizen:
      case Role::kPartnerApp:
        break;
    }
  }
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   "statistics are for platform admins, an organization's admins (their "
                   "organization and its mediators), a mediator (itself) and a court (its own)");
}

}  // namespace odr::domain
