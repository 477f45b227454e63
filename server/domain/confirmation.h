// Judicial confirmation (司法确认) of an effective settlement agreement (PML Art. 33, CPL Arts.
// 187, 205-206, CPL Interpretation Arts. 354-358; domain.md section 9): the application's states
// and the one table of what moves it, the courts competent to confirm a case's agreement, and the
// pre-check of an application against what a court would not accept. Pure functions of their
// arguments; safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_CONFIRMATION_H_
#define ODR_SERVER_DOMAIN_CONFIRMATION_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/agreement.h"
#include "server/domain/evidence.h"
#include "server/domain/principal.h"
#include "server/domain/types.h"

namespace odr::domain {

// Stored by name (ConfirmationStateName ...), never by number.
enum class ConfirmationState {
  kAwaitingParties,     // waiting for the other parties to join
  kSubmitted,           // filed with the court: it accepts or refuses within 3 days
  kAccepted,            // accepted: the ruling is due within 30 days
  kMaterialsRequested,  // the court asked for more materials
  kRefused,             // terminal
  kRuledValid,          // terminal: the agreement is enforceable
  kRuledRejected,       // the parties may mediate again or sue; an objection may reopen it
  kWithdrawn,           // terminal
  kRevoked,             // a valid ruling revoked on an objection (Interp Art. 372)
};

// CPL Interpretation Art. 355.
enum class RefusalGround {
  kNoJurisdiction,
  kPersonalStatus,
  kSpecialProcedure,
  kPropertyOwnership,
  kOther
};
// CPL Interpretation Art. 358.
enum class RejectionGround {
  kViolatesMandatoryLaw,
  kHarmsOthersInterests,
  kPublicOrder,
  kNotVoluntary,
  kUnclear,
  kOther
};
// CPL Art. 205. In this order in every list.
enum class CompetenceBasis { kInvitingCourt, kPartyDomicile, kSubjectMatter, kOrganization };
enum class MaterialKind { kIdentityProof, kPropertyRightProof, kOther };

enum class CourtLevel { kBasic, kIntermediate };
const char* CourtLevelName(CourtLevel l);  // "basic", "intermediate"
std::optional<CourtLevel> CourtLevelFromName(absl::string_view n);

// A court in the registry (odrd admin create-court).
struct Court {
  std::string id;  // the {court} of courts/{court}
  std::string display_name;
  // The six-digit administrative division it serves: a county-level one for a basic court, a
  // prefecture (its first four digits count, e.g. 330600) for an intermediate court.
  std::string region_code;
  CourtLevel level = CourtLevel::kBasic;
};

struct CompetentCourt {
  Court court;
  std::vector<CompetenceBasis> bases;
  // kPartyDomicile: the parties ("applicants/0" ...) whose declared domicile it serves.
  std::vector<std::string> domicile_parties;
};

struct ConfirmationMaterial {
  std::string evidence_id;  // evidence of the same case
  MaterialKind kind = MaterialKind::kOther;
  bool operator==(const ConfirmationMaterial&) const = default;
};

// A party's request to withdraw an application the court has filed (accepted): the court rules on
// it (CPL Interpretation Art. 357).
struct WithdrawalRequest {
  std::vector<std::string> parties;  // party refs, "applicants/0"
  std::string reason;
  absl::Time time;
};
// How an application came to be withdrawn: by the parties before the court filed it, by the
// court's ruling granting their request, or treated as withdrawn (Interp Art. 357 para. 2).
enum class WithdrawalKind { kNone, kByParties, kGranted, kDeemed };
// The court calling both parties to appear together (Interp Art. 356).
struct Appearance {
  absl::Time time;
  std::string place;
  absl::Time called_time;
};
// A ruling period extended with the court president's approval (CPL Art. 187).
struct RulingExtension {
  int days = 0;
  std::string approval;  // the approval's reference, e.g. the president's approval form number
  absl::Time time;
};
// More time the court granted a party late for a good reason (CPL Art. 86 顺延期限).
enum class PartyPeriod { kMaterials, kObjection };
struct PartyTimeExtension {
  PartyPeriod period = PartyPeriod::kMaterials;
  std::string party;            // "applicants/0"
  absl::CivilDay until;         // the new last day (China time)
  std::string reason;           // the good reason, as the court recorded it
  absl::CivilDay obstacle_end;  // the day the obstacle ended
  absl::Time time;              // when granted
  bool operator==(const PartyTimeExtension&) const = default;
};
enum class ObjectionDecision { kPending, kUpheld, kDismissed };
// An objection to the ruling (Interp Art. 372): by a party, within 15 days of receiving the
// ruling, or by an interested person (利害关系人), within 6 months of knowing of the harm.
struct Objection {
  std::string id;                                 // "1", "2" ... within the application
  std::string party;                              // "applicants/0"; empty for an interested person
  std::string interested_person;                  // who, for an interested person
  std::optional<absl::CivilDay> harm_known_date;  // an interested person's
  std::string reason;
  std::string filed_by;  // the principal who recorded it
  absl::Time file_time;
  ObjectionDecision decision = ObjectionDecision::kPending;
  std::string decision_note;
  std::string decision_ruling_number;
  std::optional<absl::Time> decision_time;
  bool operator==(const Objection&) const = default;
};

struct Confirmation {
  std::string case_id;
  std::string id;
  std::string agreement_id;
  std::string court_id;
  std::string court_display_name;  // from the registry (or the diversion), not stored
  std::vector<CompetenceBasis> bases;
  ConfirmationState state = ConfirmationState::kAwaitingParties;
  std::vector<std::string> consented;  // party refs, "applicants/0", in consent order
  std::vector<ConfirmationMaterial> materials;
  std::optional<absl::Time> submit_time;
  std::optional<absl::Time> accept_due;
  std::optional<absl::Time> accept_time;
  std::optional<absl::Time> ruling_due;
  std::optional<absl::Time> decision_time;
  std::optional<RefusalGround> refusal_ground;
  std::vector<RejectionGround> rejection_grounds;
  std::string court_note;
  std::string ruling_number;
  // After filing (CPL Interpretation Arts. 354-357, CPL Art. 187), and after the ruling (Art.
  // 372). Stored together as the application's review record.
  std::optional<WithdrawalRequest> withdrawal_request;  // pending, after filing
  WithdrawalKind withdrawal_kind = WithdrawalKind::kNone;
  std::optional<absl::Time> materials_due;  // the court's deadline for the materials asked
  std::optional<Appearance> appearance;
  std::vector<RulingExtension> ruling_extensions;
  std::optional<absl::Time> ruling_service_time;  // when the parties received the ruling
  std::optional<absl::Time> objection_due;        // the parties' 15 days from it
  std::vector<Objection> objections;
  // Parties who consented to mediate again after a rejected or revoked confirmation (CPL Art. 206).
  std::vector<std::string> mediate_again_consented;
  // More time granted to parties late for a good reason (CPL Art. 86), in order.
  std::vector<PartyTimeExtension> party_time_extensions;
  absl::Time create_time;
  absl::Time update_time;
  int64_t version = 1;       // the etag
  std::string name() const;  // "cases/{case}/confirmations/{id}"
};

// What moves an application.
enum class ConfirmationAction {
  kJoin,              // a party consents; stays AWAITING_PARTIES
  kSubmit,            // every party consented: filed with the court
  kWithdraw,          // an applicant withdraws (CPL Interpretation Art. 357)
  kSupplyMaterials,   // back to the court: SUBMITTED, or ACCEPTED if it had been accepted
  kAccept,            // the court accepts (files) it
  kRefuse,            // the court refuses to accept it (before accepting)
  kRequestMaterials,  // the court asks for more
  kRuleValid,         // CPL Art. 206
  kRuleRejected,      // CPL Interpretation Art. 358
  kGrantWithdrawal,   // the court grants a withdrawal request after filing (Interp Art. 357)
  kDeemWithdrawn,     // the court treats it as withdrawn (Interp Art. 357 para. 2)
  kRevoke,            // an objection to a valid ruling upheld (Interp Art. 372)
  kReopen,            // an objection to a rejection upheld: the court rules again (Art. 372)
};

const char* ConfirmationStateName(ConfirmationState s);  // "awaiting_parties" ...
std::optional<ConfirmationState> ConfirmationStateFromName(absl::string_view n);
std::string ApiConfirmationStateName(ConfirmationState s);  // "STATE_AWAITING_PARTIES" ...
const char* RefusalGroundName(RefusalGround g);             // "no_jurisdiction" ...
std::optional<RefusalGround> RefusalGroundFromName(absl::string_view n);
const char* RejectionGroundName(RejectionGround g);  // "violates_mandatory_law" ...
std::optional<RejectionGround> RejectionGroundFromName(absl::string_view n);
const char* CompetenceBasisName(CompetenceBasis b);  // "inviting_court" ...
std::optional<CompetenceBasis> CompetenceBasisFromName(absl::string_view n);
const char* WithdrawalKindName(WithdrawalKind k);  // "none", "by_parties", "granted", "deemed"
std::optional<WithdrawalKind> WithdrawalKindFromName(absl::string_view n);
const char* ObjectionDecisionName(ObjectionDecision d);  // "pending", "upheld", "dismissed"
const char* PartyPeriodName(PartyPeriod p);              // "materials", "objection"
std::optional<PartyPeriod> PartyPeriodFromName(absl::string_view n);
std::optional<ObjectionDecision> ObjectionDecisionFromName(absl::string_view n);
const char* MaterialKindName(MaterialKind k);  // "identity_proof" ...
std::optional<MaterialKind> MaterialKindFromName(absl::string_view n);
// What a ground means for a person, naming the rule ("breaches mandatory provisions of law").
std::string RejectionGroundText(RejectionGround g);
std::string RefusalGroundText(RefusalGround g);

bool IsTerminal(ConfirmationState s);

// The state after `action` on `c`, or FAILED_PRECONDITION (TRANSITION_NOT_ALLOWED) naming the
// current state and the states the action is allowed from.
absl::StatusOr<ConfirmationState> NextConfirmationState(const Confirmation& c,
                                                        ConfirmationAction action);

// The courts that may confirm the agreement of `c` (CPL Art. 205): a court-diverted case only
// its diverting court (kInvitingCourt; from the registry if listed there, else as the diversion
// names it); otherwise the courts of `courts` that serve a party's declared domicile (never
// derived from ID numbers; CPL Interpretation Arts. 3-4), the subject matter's location
// (`subject_matter_region_code`) or `organization_region` — basic courts of that region, or, when
// the case is an intermediate-court matter, intermediate courts of its prefecture (Art. 205(二))
// — each with every basis that applies. Ordered as `courts`.
std::vector<CompetentCourt> CompetentCourts(const Case& c, absl::string_view organization_region,
                                            const std::vector<Court>& courts);

// The party refs of `c` ("applicants/0", then "respondents/0" ...): who must consent.
std::vector<std::string> AllPartyRefs(const Case& c);

// A pre-check finding; `reason` is one of the codes below.
struct ConfirmationProblem {
  std::string reason;
  std::string field;  // the request field concerned, or empty
  std::string description;
  bool operator==(const ConfirmationProblem&) const = default;
};
inline constexpr char kProblemDeadlinePassed[] = "CONFIRMATION_DEADLINE_PASSED";
inline constexpr char kProblemAgreementNotEffective[] = "AGREEMENT_NOT_EFFECTIVE";
inline constexpr char kProblemCourtNotCompetent[] = "COURT_NOT_COMPETENT";
inline constexpr char kProblemPersonalStatus[] = "PERSONAL_STATUS_MATTER";
inline constexpr char kProblemPropertyOwnership[] = "PROPERTY_OWNERSHIP_MATTER";
inline constexpr char kProblemMissingMaterials[] = "MISSING_MATERIALS";
inline constexpr char kProblemDomicileNotDeclared[] = "DOMICILE_NOT_DECLARED";
inline constexpr char kProblemInvalidMaterial[] = "INVALID_MATERIAL";
inline constexpr char kProblemApplicationPending[] = "APPLICATION_PENDING";
// A post-filing settlement is concluded by the court, not confirmed (OMR Art. 20).
inline constexpr char kProblemPostFilingCase[] = "POST_FILING_CASE";
// Effective, but without the mediator's signature or the organization's seal (OMR Art. 19).
inline constexpr char kProblemAgreementFormIncomplete[] = "AGREEMENT_FORM_INCOMPLETE";
// A party with more agents than a confirmation application admits (Interp Art. 351; CPL Art. 61).
inline constexpr char kProblemTooManyAgents[] = "TOO_MANY_AGENTS";
inline constexpr size_t kMaxConfirmationAgents = 2;

// Everything a pre-check looks at, read in one snapshot.
struct PrecheckInput {
  Case c;
  // The case's open agreement (draft or effective), if any.
  std::optional<Agreement> agreement;
  // 30 days after the agreement took effect (the confirmation-application deadline's due time).
  std::optional<absl::Time> apply_by;
  absl::Time now;
  std::vector<CompetentCourt> competent;
  // The court applied to (empty: not chosen yet, not checked) and the materials.
  std::string court_id;
  std::vector<ConfirmationMaterial> materials;
  // The case's evidence named by `materials`, by id (absent: no such evidence in the case).
  std::map<std::string, EvidenceRecord> evidence;
  // Another application of the case that is not terminal, if any ("cases/c/confirmations/x").
  std::string pending;
  // Field paths: "confirmation." for Create/Precheck.
  std::string path = "confirmation.";
};

// Every problem, in a stable order: the route (a post-filing case is never confirmed), the
// agreement and its form, the parties' agents, the deadline, a pending application, the court, the
// matters, the materials. Empty when the application would be filed.
std::vector<ConfirmationProblem> Precheck(const PrecheckInput& in);
// What the court will ask for but does not refuse an application over: MISSING_MATERIALS for a
// property transfer without the property-right proof (the court sets a deadline, CPL
// Interpretation Art. 354). Never blocks filing.
std::vector<ConfirmationProblem> PrecheckWarnings(const PrecheckInput& in);

// Problems of materials alone (for SupplyMaterials and Precheck): each must be evidence of
// `case_id`, active and visible to all parties; field paths "{prefix}materials[i].evidence".
std::vector<ConfirmationProblem> CheckMaterials(
    const std::string& case_id, const std::vector<ConfirmationMaterial>& materials,
    const std::map<std::string, EvidenceRecord>& evidence, const std::string& prefix);

// "2026-05-01" for the last day of a period due at 24:00 of it, China time.
std::string DueDayText(absl::Time due);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_CONFIRMATION_H_
