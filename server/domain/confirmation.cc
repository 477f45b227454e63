#include "server/domain/confirmation.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/errors.h"
#include "server/domain/procedure.h"
#include "server/domain/state_machine.h"
#include "server/domain/working_calendar.h"

namespace odr::domain {
namespace {

template <typename E, size_t N>
const char* NameOf(const std::array<std::pair<E, const char*>, N>& table, E v) {
  for (const auto& [e, n] : table) {
    if (e == v) return n;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> FromName(const std::array<std::pair<E, const char*>, N>& table,
                          absl::string_view n) {
  for (const auto& [e, name] : table) {
    if (n == name) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<ConfirmationState, const char*>, 9> kStates{{
    {ConfirmationState::kAwaitingParties, "awaiting_parties"},
    {ConfirmationState::kSubmitted, "submitted"},
    {ConfirmationState::kAccepted, "accepted"},
    {ConfirmationState::kMaterialsRequested, "materials_requested"},
    {ConfirmationState::kRefused, "refused"},
    {ConfirmationState::kRuledValid, "ruled_valid"},
    {ConfirmationState::kRuledRejected, "ruled_rejected"},
    {ConfirmationState::kWithdrawn, "withdrawn"},
    {ConfirmationState::kRevoked, "revoked"},
}};
constexpr std::array<std::pair<WithdrawalKind, const char*>, 4> kWithdrawalKinds{{
    {WithdrawalKind::kNone, "none"},
    {WithdrawalKind::kByParties, "by_parties"},
    {WithdrawalKind::kGranted, "granted"},
    {WithdrawalKind::kDeemed, "deemed"},
}};
constexpr std::array<std::pair<ObjectionDecision, const char*>, 3> kObjectionDecisions{{
    {ObjectionDecision::kPending, "pending"},
    {ObjectionDecision::kUpheld, "upheld"},
    {ObjectionDecision::kDismissed, "dismissed"},
}};
constexpr std::array<std::pair<PartyPeriod, const char*>, 2> kPartyPeriods{{
    {PartyPeriod::kMaterials, "materials"},
    {PartyPeriod::kObjection, "objection"},
}};
constexpr std::array<std::pair<RefusalGround, const char*>, 5> kRefusals{{
    {RefusalGround::kNoJurisdiction, "no_jurisdiction"},
    {RefusalGround::kPersonalStatus, "personal_status"},
    {RefusalGround::kSpecialProcedure, "special_procedure"},
    {RefusalGround::kPropertyOwnership, "property_ownership"},
    {RefusalGround::kOther, "other"},
}};
constexpr std::array<std::pair<RejectionGround, const char*>, 6> kRejections{{
    {RejectionGround::kViolatesMandatoryLaw, "violates_mandatory_law"},
    {RejectionGround::kHarmsOthersInterests, "harms_others_interests"},
    {RejectionGround::kPublicOrder, "public_order"},
    {RejectionGround::kNotVoluntary, "not_voluntary"},
    {RejectionGround::kUnclear, "unclear"},
    {RejectionGround::kOther, "other"},
}};
constexpr std::array<std::pair<CourtLevel, const char*>, 2> kLevels{{
    {CourtLevel::kBasic, "basic"},
    {CourtLevel::kIntermediate, "intermediate"},
}};
constexpr std::array<std::pair<CompetenceBasis, const char*>, 4> kBases{{
    {CompetenceBasis::kInvitingCourt, "inviting_court"},
    {CompetenceBasis::kPartyDomicile, "party_domicile"},
    {CompetenceBasis::kSubjectMatter, "subject_matter"},
    {CompetenceBasis::kOrganization, "organization"},
}};
constexpr std::array<std::pair<MaterialKind, const char*>, 3> kMaterialKinds{{
    {MaterialKind::kIdentityProof, "identity_proof"},
    {MaterialKind::kPropertyRightProof, "property_right_proof"},
    {MaterialKind::kOther, "other"},
}};

// The one table of what moves an application. kSupplyMaterials leads to SUBMITTED, or ACCEPTED
// when the court had accepted it (NextConfirmationState); kRefuse only before acceptance.
struct Move {
  ConfirmationAction action;
  ConfirmationState from;
  ConfirmationState to;
};
constexpr std::array<Move, 19> kMoves{{
    {ConfirmationAction::kJoin, ConfirmationState::kAwaitingParties,
     ConfirmationState::kAwaitingParties},
    {ConfirmationAction::kSubmit, ConfirmationState::kAwaitingParties,
     ConfirmationState::kSubmitted},
    // Before the court files (accepts) it, the parties withdraw by themselves; after, they ask
    // and the court rules (kGrantWithdrawal; Interp Art. 357, WithdrawalNeedsRuling).
    {ConfirmationAction::kWithdraw, ConfirmationState::kAwaitingParties,
     ConfirmationState::kWithdrawn},
    {ConfirmationAction::kWithdraw, ConfirmationState::kSubmitted, ConfirmationState::kWithdrawn},
    {ConfirmationAction::kWithdraw, ConfirmationState::kMaterialsRequested,
     ConfirmationState::kWithdrawn},
    {ConfirmationAction::kSupplyMaterials, ConfirmationState::kMaterialsRequested,
     ConfirmationState::kSubmitted},
    {ConfirmationAction::kAccept, ConfirmationState::kSubmitted, ConfirmationState::kAccepted},
    {ConfirmationAction::kRefuse, ConfirmationState::kSubmitted, ConfirmationState::kRefused},
    {ConfirmationAction::kRefuse, ConfirmationState::kMaterialsRequested,
     ConfirmationState::kRefused},
    {ConfirmationAction::kRequestMaterials, ConfirmationState::kSubmitted,
     ConfirmationState::kMaterialsRequested},
    {ConfirmationAction::kRequestMaterials, ConfirmationState::kAccepted,
     ConfirmationState::kMaterialsRequested},
    {ConfirmationAction::kRuleValid, ConfirmationState::kAccepted, ConfirmationState::kRuledValid},
    {ConfirmationAction::kRuleRejected, ConfirmationState::kAccepted,
     ConfirmationState::kRuledRejected},
    {ConfirmationAction::kGrantWithdrawal, ConfirmationState::kAccepted,
     ConfirmationState::kWithdrawn},
    {ConfirmationAction::kGrantWithdrawal, ConfirmationState::kMaterialsRequested,
     ConfirmationState::kWithdrawn},
    {ConfirmationAction::kDeemWithdrawn, ConfirmationState::kAccepted,
     ConfirmationState::kWithdrawn},
    {ConfirmationAction::kDeemWithdrawn, ConfirmationState::kMaterialsRequested,
     ConfirmationState::kWithdrawn},
    {ConfirmationAction::kRevoke, ConfirmationState::kRuledValid, ConfirmationState::kRevoked},
    {ConfirmationAction::kReopen, ConfirmationState::kRuledRejected, ConfirmationState::kAccepted},
}};

const char* ActionText(ConfirmationAction a) {
  switch (a) {
    case ConfirmationAction::kJoin:
      return "join";
    case ConfirmationAction::kSubmit:
      return "file";
    case ConfirmationAction::kWithdraw:
      return "withdraw";
    case ConfirmationAction::kSupplyMaterials:
      return "supply materials to";
    case ConfirmationAction::kAccept:
      return "accept";
    case ConfirmationAction::kRefuse:
      return "refuse";
    case ConfirmationAction::kRequestMaterials:
      return "request materials for";
    case ConfirmationAction::kRuleValid:
    case ConfirmationAction::kRuleRejected:
      return "rule on";
    case ConfirmationAction::kGrantWithdrawal:
      return "grant the withdrawal of";
    case ConfirmationAction::kDeemWithdrawn:
      return "treat as withdrawn";
    case ConfirmationAction::kRevoke:
      return "revoke the ruling on";
    case ConfirmationAction::kReopen:
      return "rule again on";
  }
  return "act on";
}

std::string CourtText(const CompetentCourt& c) {
  return c.court.display_name.empty()
             ? absl::StrCat("courts/", c.court.id)
             : absl::StrCat("courts/", c.court.id, " (", c.court.display_name, ")");
}

}  // namespace

std::string Confirmation::name() const {
  return absl::StrCat("cases/", case_id, "/confirmations/", id);
}

const char* ConfirmationStateName(ConfirmationState s) { return NameOf(kStates, s); }
std::optional<ConfirmationState> ConfirmationStateFromName(absl::string_view n) {
  return FromName(kStates, n);
}
std::string ApiConfirmationStateName(ConfirmationState s) {
  return absl::StrCat("STATE_", absl::AsciiStrToUpper(ConfirmationStateName(s)));
}
const char* RefusalGroundName(RefusalGround g) { return NameOf(kRefusals, g); }
std::optional<RefusalGround> RefusalGroundFromName(absl::string_view n) {
  return FromName(kRefusals, n);
}
const char* RejectionGroundName(RejectionGround g) { return NameOf(kRejections, g); }
std::optional<RejectionGround> RejectionGroundFromName(absl::string_view n) {
  return FromName(kRejections, n);
}
const char* CompetenceBasisName(CompetenceBasis b) { return NameOf(kBases, b); }
const char* CourtLevelName(CourtLevel l) { return NameOf(kLevels, l); }
std::optional<CourtLevel> CourtLevelFromName(absl::string_view n) { return FromName(kLevels, n); }
std::optional<CompetenceBasis> CompetenceBasisFromName(absl::string_view n) {
  return FromName(kBases, n);
}
const char* WithdrawalKindName(WithdrawalKind k) { return NameOf(kWithdrawalKinds, k); }
std::optional<WithdrawalKind> WithdrawalKindFromName(absl::string_view n) {
  return FromName(kWithdrawalKinds, n);
}
const char* ObjectionDecisionName(ObjectionDecision d) { return NameOf(kObjectionDecisions, d); }
std::optional<ObjectionDecision> ObjectionDecisionFromName(absl::string_view n) {
  return FromName(kObjectionDecisions, n);
}
const char* PartyPeriodName(PartyPeriod p) { return NameOf(kPartyPeriods, p); }
std::optional<PartyPeriod> PartyPeriodFromName(absl::string_view n) {
  return FromName(kPartyPeriods, n);
}
const char* MaterialKindName(MaterialKind k) { return NameOf(kMaterialKinds, k); }
std::optional<MaterialKind> MaterialKindFromName(absl::string_view n) {
  return FromName(kMaterialKinds, n);
}

std::string RejectionGroundText(RejectionGround g) {
  switch (g) {
    case RejectionGround::kViolatesMandatoryLaw:
      return "it breaches mandatory provisions of law";
    case RejectionGround::kHarmsOthersInterests:
      return "it harms state, public or third-party interests";
    case RejectionGround::kPublicOrder:
      return "it breaches public order and good morals";
    case RejectionGround::kNotVoluntary:
      return "it was not voluntary";
    case RejectionGround::kUnclear:
      return "its content is unclear";
    case RejectionGround::kOther:
      return "another ground";
  }
  return "another ground";
}

std::string RefusalGroundText(RefusalGround g) {
  switch (g) {
    case RefusalGround::kNoJurisdiction:
      return "not within the court's jurisdiction";
    case RefusalGround::kPersonalStatus:
      return "a personal-status matter (marriage, parentage, adoption)";
    case RefusalGround::kSpecialProcedure:
      return "a matter for another special procedure";
    case RefusalGround::kPropertyOwnership:
      return "the ownership of property or IP rights";
    case RefusalGround::kOther:
      return "another ground";
  }
  return "another ground";
}

bool IsTerminal(ConfirmationState s) {
  return s == ConfirmationState::kRefused || s == ConfirmationState::kRuledValid ||
         s == ConfirmationState::kRuledRejected || s == ConfirmationState::kWithdrawn ||
         s == ConfirmationState::kRevoked;
}

absl::StatusOr<ConfirmationState> NextConfirmationState(const Confirmation& c,
                                                        ConfirmationAction action) {
  std::vector<std::string> allowed;
  for (const Move& m : kMoves) {
    if (m.action != action) continue;
    if (action == ConfirmationAction::kRefuse && c.accept_time.has_value()) continue;
    // A withdrawal after filing is the court's to rule on (Interp Art. 357).
    if (action == ConfirmationAction::kWithdraw && c.accept_time.has_value()) continue;
    if (m.from == c.state) {
      if ((action == ConfirmationAction::kRuleValid ||
           action == ConfirmationAction::kRuleRejected) &&
          c.withdrawal_request.has_value()) {
        return MakeError(absl::StatusCode::kFailedPrecondition, "WITHDRAWAL_PENDING",
                         absl::StrCat(c.name(),
                                      " has a withdrawal request before the court: rule on it "
                                      "first (RuleWithdrawal; CPL Interpretation Art. 357)"));
      }
      if (action == ConfirmationAction::kSupplyMaterials && c.accept_time.has_value()) {
        return ConfirmationState::kAccepted;
      }
      return m.to;
    }
    allowed.push_back(ApiConfirmationStateName(m.from));
  }
  std::string message = absl::StrCat("cannot ", ActionText(action), " ", c.name(), " in ",
                                     ApiConfirmationStateName(c.state));
  if (action == ConfirmationAction::kRefuse && c.accept_time.has_value()) {
    absl::StrAppend(&message, "; it was accepted, so the court rules on it instead");
  } else if (action == ConfirmationAction::kWithdraw && c.accept_time.has_value()) {
    absl::StrAppend(&message,
                    "; the court filed it, so a withdrawal is a request the court rules on (CPL "
                    "Interpretation Art. 357)");
  } else if (!allowed.empty()) {
    absl::StrAppend(&message, "; allowed in ", absl::StrJoin(allowed, ", "));
  }
  return TransitionError(ApiConfirmationStateName(c.state), message);
}

std::vector<CompetentCourt> CompetentCourts(const Case& c, absl::string_view organization_region,
                                            const std::vector<Court>& courts) {
  std::vector<CompetentCourt> out;
  if (c.data.court_diversion) {
    // The inviting court only (CPL Art. 205).
    const CourtDiversion& d = *c.data.court_diversion;
    CompetentCourt cc;
    cc.court = {d.court_id, d.court_display_name, ""};
    for (const Court& k : courts) {
      if (k.id == d.court_id) cc.court = k;
    }
    cc.bases = {CompetenceBasis::kInvitingCourt};
    out.push_back(std::move(cc));
    return out;
  }
  // Each place and the grounds it gives: the parties' declared domiciles (never read from ID
  // numbers; CPL Interpretation Arts. 3-4), the subject matter's location, the organization.
  std::map<std::string, std::vector<std::string>> domiciled;  // region -> parties
  for (const auto& [side, parties] :
       {std::pair<const char*, const std::vector<Party>*>{"applicants/", &c.data.applicants},
        {"respondents/", &c.data.respondents}}) {
    for (size_t i = 0; i < parties->size(); ++i) {
      if (const auto& d = (*parties)[i].domicile) {
        domiciled[d->region_code].push_back(absl::StrCat(side, i));
      }
    }
  }
  // CPL Art. 205(二): the basic court of the place, or the intermediate court of its prefecture
  // when the dispute belongs to an intermediate court.
  const CourtLevel level =
      c.data.intermediate_court_matter ? CourtLevel::kIntermediate : CourtLevel::kBasic;
  auto serves = [level](const Court& k, absl::string_view place) {
    if (place.size() != 6 || k.region_code.size() != 6) return false;
    return level == CourtLevel::kBasic ? k.region_code == place
                                       : k.region_code.substr(0, 4) == place.substr(0, 4);
  };
  for (const Court& k : courts) {
    if (k.level != level) continue;
    CompetentCourt cc{k, {}, {}};
    for (const auto& [region, parties] : domiciled) {
      if (!serves(k, region)) continue;
      cc.domicile_parties.insert(cc.domicile_parties.end(), parties.begin(), parties.end());
    }
    if (!cc.domicile_parties.empty()) cc.bases.push_back(CompetenceBasis::kPartyDomicile);
    if (serves(k, c.data.subject_matter_region_code)) {
      cc.bases.push_back(CompetenceBasis::kSubjectMatter);
    }
    if (serves(k, organization_region)) cc.bases.push_back(CompetenceBasis::kOrganization);
    if (!cc.bases.empty()) out.push_back(std::move(cc));
  }
  return out;
}

std::vector<std::string> AllPartyRefs(const Case& c) {
  std::vector<std::string> out;
  for (size_t i = 0; i < c.data.applicants.size(); ++i)
    out.push_back(absl::StrCat("applicants/", i));
  for (size_t i = 0; i < c.data.respondents.size(); ++i) {
    out.push_back(absl::StrCat("respondents/", i));
  }
  return out;
}

std::string DueDayText(absl::Time due) {
  // The due time is 24:00 of the period's last day.
  return absl::FormatTime("%Y-%m-%d", due - absl::Seconds(1), ChinaTime());
}

std::vector<ConfirmationProblem> CheckMaterials(
    const std::string& case_id, const std::vector<ConfirmationMaterial>& materials,
    const std::map<std::string, EvidenceRecord>& evidence, const std::string& prefix) {
  std::vector<ConfirmationProblem> out;
  for (size_t i = 0; i < materials.size(); ++i) {
    const std::string field = absl::StrCat(prefix, "materials[", i, "].evidence");
    const std::string name =
        absl::StrCat("cases/", case_id, "/evidence/", materials[i].evidence_id);
    auto it = evidence.find(materials[i].evidence_id);
    if (it == evidence.end() || it->second.case_id != case_id) {
      out.push_back({kProblemInvalidMaterial, field,
                     absl::StrCat(name,
                                  " is not evidence of this case; a material must be "
                                  "evidence uploaded to the case (CPL Interpretation Art. "
                                  "354)")});
    } else if (it->second.state != EvidenceState::kActive) {
      out.push_back(
          {kProblemInvalidMaterial, field, absl::StrCat(name, " was withdrawn by its uploader")});
    } else if (it->second.visibility != EvidenceVisibility::kAllParties) {
      out.push_back({kProblemInvalidMaterial, field,
                     absl::StrCat(name,
                                  " is visible to the mediators only; a court receives only "
                                  "evidence every party could see")});
    }
  }
  return out;
}

std::vector<ConfirmationProblem> PrecheckWarnings(const PrecheckInput& in) {
  std::vector<ConfirmationProblem> out;
  // CPL Interpretation Arts. 3-4: a domicile is declared with what supports it, never read from
  // an ID number; undeclared, it makes no court competent (only the inviting court counts for a
  // diverted case).
  if (!in.c.data.court_diversion) {
    for (const auto& [side, parties] :
         {std::pair<const char*, const std::vector<Party>*>{"applicants", &in.c.data.applicants},
          {"respondents", &in.c.data.respondents}}) {
      for (size_t i = 0; i < parties->size(); ++i) {
        if ((*parties)[i].domicile) continue;
        out.push_back({kProblemDomicileNotDeclared,
                       absl::StrCat("case.", side, "[", i, "].domicile"),
                       absl::StrCat(side, "/", i,
                                    " has declared no domicile (household registration, habitual "
                                    "residence or main office, with its supporting material; CPL "
                                    "Interpretation Arts. 3-4): no court is competent by it")});
      }
    }
  }
  bool property_transfer = false;
  if (in.agreement) {
    for (const AgreementTerm& t : in.agreement->content.terms) {
      property_transfer = property_transfer || t.kind == TermKind::kPropertyTransfer;
    }
  }
  // CPL Interpretation Art. 354: a missing material gets the court's deadline, not a refusal.
  if (property_transfer) {
    bool proof = false;
    for (const ConfirmationMaterial& m : in.materials) {
      proof = proof || m.kind == MaterialKind::kPropertyRightProof;
    }
    if (!proof) {
      out.push_back({kProblemMissingMaterials, absl::StrCat(in.path, "materials"),
                     "the agreement transfers property: the court will ask for the proof of the "
                     "property right by a deadline (CPL Interpretation Art. 354); file it now as "
                     "a material of kind KIND_PROPERTY_RIGHT_PROOF"});
    }
  }
  return out;
}

std::vector<ConfirmationProblem> Precheck(const PrecheckInput& in) {
  std::vector<ConfirmationProblem> out;
  const std::string& p = in.path;
  // The route: after filing the court concludes the suit itself (OMR Art. 20; 特邀 Arts. 20-21).
  if (!ConfirmationAvailable(RouteOf(in.c.data))) {
    out.push_back({kProblemPostFilingCase, "", ConfirmationUnavailableText()});
  }
  // The agreement.
  const bool effective = in.agreement && in.agreement->state == AgreementState::kEffective &&
                         in.c.state == CaseState::kSettled;
  if (!effective) {
    out.push_back({kProblemAgreementNotEffective, "",
                   absl::StrCat("the case has no effective settlement agreement (the case is ",
                                ApiStateName(in.c.state),
                                "); only an effective agreement can be confirmed (PML Art. 33; "
                                "CPL Art. 205)")});
  } else if (std::vector<std::string> form = PendingSigners(in.c, in.agreement->signatures);
             !form.empty()) {
    // Effective once the parties signed, it still needs the mediator's signature and the
    // organization's seal as form (OMR Art. 19 para 1).
    out.push_back({kProblemAgreementFormIncomplete, "",
                   absl::StrCat("the agreement took effect but lacks ", absl::StrJoin(form, ", "),
                                ": the mediator signs it and the organization seals it (OMR "
                                "Art. 19) before a court can confirm it")});
  }
  // Representation: at most two agents a party (Interp Art. 351, referring to CPL Art. 61).
  for (bool applicant : {true, false}) {
    const std::vector<Party>& side = applicant ? in.c.data.applicants : in.c.data.respondents;
    for (size_t i = 0; i < side.size(); ++i) {
      if (side[i].agents.size() <= kMaxConfirmationAgents) continue;
      const std::string field =
          absl::StrCat("case.", applicant ? "applicants" : "respondents", "[", i, "].agents");
      out.push_back({kProblemTooManyAgents, field,
                     absl::StrCat(applicant ? "applicants/" : "respondents/", i, " has ",
                                  side[i].agents.size(),
                                  " agents; in a confirmation application a party is represented "
                                  "by at most ",
                                  kMaxConfirmationAgents,
                                  " (Interp Art. 351; CPL Art. 61): remove the others from the "
                                  "case first")});
    }
  }
  // The deadline (PML Art. 33).
  if (effective && in.apply_by && in.now >= *in.apply_by) {
    out.push_back(
        {kProblemDeadlinePassed, "",
         absl::StrCat(
             "the deadline to apply for judicial confirmation passed: the parties had "
             "to apply by ",
             DueDayText(*in.apply_by), ", within 30 days of the agreement taking effect",
             in.agreement->effective_time
                 ? absl::StrCat(" on ", absl::FormatTime("%Y-%m-%d", *in.agreement->effective_time,
                                                         ChinaTime()))
                 : "",
             " (PML Art. 33; CPL Art. 205); the parties may still perform the "
             "agreement or sue on it")});
  }
  if (!in.pending.empty()) {
    out.push_back({kProblemApplicationPending, "",
                   absl::StrCat(in.pending,
                                " is still open; withdraw it or wait for the court's decision "
                                "before applying again")});
  }
  // The court (CPL Art. 205).
  if (!in.court_id.empty()) {
    bool competent = false;
    for (const CompetentCourt& cc : in.competent)
      competent = competent || cc.court.id == in.court_id;
    if (!competent) {
      std::vector<std::string> names;
      for (const CompetentCourt& cc : in.competent) names.push_back(CourtText(cc));
      out.push_back(
          {kProblemCourtNotCompetent, absl::StrCat(p, "court"),
           absl::StrCat("courts/", in.court_id,
                        " is not competent to confirm this agreement (CPL Art. 205: the inviting "
                        "court, else the basic court — or, for an intermediate-court matter, the "
                        "intermediate court — of a party's declared domicile, of the subject "
                        "matter or of the mediation organization); ",
                        names.empty() ? "no registered court is competent"
                                      : absl::StrCat("apply to ", absl::StrJoin(names, " or ")))});
    }
  }
  // The matters a court does not confirm (CPL Interpretation Art. 355).
  bool property_transfer = false;
  if (in.agreement) {
    const auto& terms = in.agreement->content.terms;
    for (size_t i = 0; i < terms.size(); ++i) {
      if (terms[i].kind == TermKind::kPersonalStatus) {
        out.push_back({kProblemPersonalStatus, "",
                       absl::StrCat("term ", i + 1,
                                    " of the agreement concerns personal status (marriage, "
                                    "parentage, adoption), which a court does not confirm (CPL "
                                    "Interpretation Art. 355)")});
      } else if (terms[i].kind == TermKind::kPropertyOwnership) {
        out.push_back({kProblemPropertyOwnership, "",
                       absl::StrCat("term ", i + 1,
                                    " of the agreement decides the ownership of property or IP "
                                    "rights, which a court does not confirm (CPL Interpretation "
                                    "Art. 355)")});
      } else if (terms[i].kind == TermKind::kPropertyTransfer) {
        property_transfer = true;
      }
    }
  }
  (void)property_transfer;  // a missing proof is a warning (PrecheckWarnings), not a refusal
  for (ConfirmationProblem& m : CheckMaterials(in.c.id, in.materials, in.evidence, p)) {
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace odr::domain
