// Domain model of a mediation case. Plain values: no gRPC, no protobuf, no SQL, so that storage
// engines and the API can evolve separately (the SQL schema and the proto are both mapped to
// these).
#ifndef ODR_SERVER_DOMAIN_TYPES_H_
#define ODR_SERVER_DOMAIN_TYPES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace odr::domain {

// Values are stable: they are stored by name (see storage/), never by number.
enum class CaseState {
  kDraft,
  kSubmitted,
  kAccepted,
  kWithdrawn,
  kClosed,
  kMediatorProposed,
  kMediatorAssigned,
  kMediating,
  kSettled,    // a settlement agreement took effect (PML Art. 28)
  kConfirmed,  // a court ruled the agreement valid (CPL Art. 206); terminal
  kConcluded,  // the court concluded a settled post-filing suit (OMR Art. 20); terminal
};

enum class DisputeType {
  kMedical,
  kNeighbour,
  kLabour,
  kDebtContract,
  kFamilyInheritance,
  kTrafficAccident,
  kPropertyLand,
  kConsumerEcommerce,
  kOther,
};

enum class PartyKind { kNaturalPerson, kLegalPerson, kUnincorporatedOrganization };

enum class IdDocumentType {
  kResidentIdCard,
  kPassport,
  kHkMacaoTaiwanPermit,
  kForeignPermanentResidentId,
  kUnifiedSocialCreditCode,
};

struct Agent {
  std::string name;
  IdDocumentType id_document_type = IdDocumentType::kResidentIdCard;
  std::string id_number;
  std::string phone;
  std::string service_address;
  // The power of attorney grants special authority (特别授权): to admit, waive or change claims
  // and to settle (CPL Art. 62). Needed to sign or refuse an agreement or apply for confirmation.
  bool special_authority = false;
  bool operator==(const Agent&) const = default;
};

// Which place a declared domicile is (CPL Interpretation Arts. 3-4).
enum class DomicileBasis {
  kHouseholdRegistration,  // a natural person's 户籍所在地
  kHabitualResidence,      // a natural person's 经常居住地 (a year or more), which prevails
  kMainOffice,             // an organization's 主要办事机构所在地
  kRegisteredPlace,        // an organization's place of registration, if the office is unclear
};

// A party's domicile as it declares it, with what supports it. Never derived from ID numbers.
struct Domicile {
  std::string region_code;  // 6-digit administrative division
  DomicileBasis basis = DomicileBasis::kHouseholdRegistration;
  std::string material;  // 户口簿, 居住证, 营业执照 ...
  bool operator==(const Domicile&) const = default;
};

struct Party {
  PartyKind kind = PartyKind::kNaturalPerson;
  std::string name;
  IdDocumentType id_document_type = IdDocumentType::kResidentIdCard;
  std::string id_number;
  std::string phone;
  std::string service_address;
  std::vector<Agent> agents;
  std::optional<Domicile> domicile;  // declared (CPL Interpretation Arts. 3-4), or unknown
  bool operator==(const Party&) const = default;
};

// Whether a court-diverted dispute is mediated before or after filing; sets the mediation period.
enum class Procedure { kPreFiling, kPostFilingOrdinary, kPostFilingSimple };

// The route by which a dispute comes to mediation; it decides how the case ends (OMR Arts. 20-21;
// 特邀 Arts. 11, 20-21; docs/procedure.md). Derived from CaseData (RouteOf in procedure.h), never
// stored on its own.
enum class Route { kCitizenApplication, kPreFilingDiversion, kPostFilingEntrustment };

// What follows the end of a case: after a failure (OMR Art. 21; PML Art. 26) or the court's
// conclusion of a settled post-filing suit (OMR Art. 20).
enum class EndingKind {
  kOtherRemedies,       // citizen application failed: other remedies (PML Art. 26)
  kReferredForFiling,   // pre-filing failed: the court files the case (OMR Art. 21(二))
  kTrialResumed,        // post-filing failed: the trial resumes (OMR Art. 21(三))
  kMediationStatement,  // post-filing settled: the court made a mediation statement (调解书)
  kSuitWithdrawn,       // post-filing settled: the plaintiff withdrew the suit (撤诉)
};

// The record of how a case ended (OMR Art. 21: why it failed and any conduct that raised the
// other side's costs).
struct CaseEnding {
  EndingKind kind = EndingKind::kOtherRemedies;
  std::string reason;          // why mediation failed, or the court's note
  std::string cost_conduct;    // conduct that raised the other side's costs, or empty
  std::string court_document;  // the statement's or withdrawal ruling's number, or empty
  std::string actor;           // principal id, or "system"
  absl::Time time;
  bool operator==(const CaseEnding&) const = default;
};

// What a state change carries besides the action: the reason, and for the end of a case the rest
// of its CaseEnding. Implicit from a reason so that plain transitions read as before.
struct TransitionNote {
  TransitionNote() = default;
  TransitionNote(absl::string_view r) : reason(r) {}   // NOLINT(google-explicit-constructor)
  TransitionNote(const char* r) : reason(r) {}         // NOLINT(google-explicit-constructor)
  TransitionNote(const std::string& r) : reason(r) {}  // NOLINT(google-explicit-constructor)
  std::string reason;
  std::string cost_conduct;              // kClose only (OMR Art. 21)
  std::optional<EndingKind> conclusion;  // kConclude only: statement or withdrawal
  std::string court_document;            // kConclude only
};

struct CourtDiversion {
  std::string court_id;  // the {court} of courts/{court}
  std::string intake_reference;
  std::string diversion_date;  // YYYY-MM-DD
  std::string court_display_name;
  Procedure procedure = Procedure::kPreFiling;
  bool operator==(const CourtDiversion&) const = default;
};

// The fields a client provides. Everything else on a Case is assigned by the service.
struct CaseData {
  DisputeType dispute_type = DisputeType::kOther;
  std::vector<Party> applicants;
  std::vector<Party> respondents;
  std::string summary;
  std::string claims;
  int64_t amount_fen = 0;
  std::string region_code;
  std::optional<CourtDiversion> court_diversion;  // empty: citizen application
  std::string organization_id;                    // the {organization} of organizations/{...}
  std::string language = "zh";                    // the parties' language
  // Where the subject matter is (CPL Art. 205(二)); empty if none or not declared.
  std::string subject_matter_region_code;
  // The dispute belongs to an intermediate court at first instance: only intermediate courts
  // confirm its agreement (CPL Art. 205(二)).
  bool intermediate_court_matter = false;
  bool operator==(const CaseData&) const = default;
};

enum class AssignmentState { kProposed, kAccepted, kDeclined, kReplaced, kLapsed };
enum class AssignmentMethod { kJointChoice, kOrganization, kAutomatic };

// One mediator's assignment to a case.
struct MediatorAssignment {
  std::string organization_id;  // of the mediator (the case's organization)
  std::string mediator_id;   // roster id: organizations/{organization_id}/mediators/{mediator_id}
  std::string principal_id;  // the mediator's account
  AssignmentState state = AssignmentState::kProposed;
  AssignmentMethod method = AssignmentMethod::kOrganization;
  std::string reason;
  bool active() const {
    return state == AssignmentState::kProposed || state == AssignmentState::kAccepted;
  }
};

struct Case {
  std::string id;           // the {case} of cases/{case}
  std::string case_number;  // ODR-2026-000123
  CaseData data;
  CaseState state = CaseState::kDraft;
  absl::Time create_time;
  absl::Time update_time;
  int64_t version = 0;  // bumps on every write; the etag is derived from it
  // Accounts of the mediators proposed or accepted (derived from `assignments`), for authorization.
  std::vector<std::string> mediator_ids;
  std::vector<MediatorAssignment> assignments;  // every assignment ever made, in order
  // How it ended, once closed or concluded (absent on cases closed before odr recorded endings,
  // unless the migration derived one).
  std::optional<CaseEnding> ending;
};

// What a case event records. Stored by name (EventKindName).
enum class EventKind {
  kStateChange,
  kAppointmentBooked,
  kAppointmentRescheduled,
  kAppointmentCancelled,
  kAppointmentReminder,
  kAttendanceRecorded,
  kDeadlineStarted,
  kDeadlineWarning,
  kDeadlineExpired,
  kDeadlineChanged,
  kReferredToLitigation,
  kAgreementDrafted,
  kAgreementSigned,
  kPaymentRecorded,
  kInstalmentOverdue,
  kConfirmationChanged,
  kReturnedForTrial,   // post-filing failure back to the court (OMR Art. 21(三))
  kAgreementServed,    // served on the parties through the platform (OMR Art. 19)
  kAgreementFiled,     // filed with the diverting court (特邀 Art. 19)
  kAgreementRefused,   // a party refused to sign; mediation ends (OMR Art. 25(七))
  kProcedureRecorded,  // a procedure record (procedure_record.h): consent, notice, identity ...
};

// Who may see an event besides the case's mediators, organization and court (always): everyone
// related to the case, one side only, or nobody else (staff alerts).
enum class EventAudience { kAll, kApplicantSide, kRespondentSide, kStaff };

struct CaseEvent {
  std::string case_id;
  int64_t seq = 0;       // 1-based, per case
  int64_t event_id = 0;  // service-wide, increasing in commit order: the watch cursor
  EventKind kind = EventKind::kStateChange;
  EventAudience audience = EventAudience::kAll;
  std::string subject;  // "appointments/{a}" or "deadlines/{d}" under the case; empty otherwise
  std::string actor;    // principal id, or "system"
  std::string acting_through;  // the partner app's principal id the actor acted through, or empty
  absl::Time time;
  std::optional<CaseState> from_state;  // empty for creation
  CaseState to_state = CaseState::kDraft;
  std::string reason;
};

// The client-settable fields, as named by UpdateCase's update_mask.
enum class CaseField {
  kDisputeType,
  kApplicants,
  kRespondents,
  kSummary,
  kClaims,
  kAmountFen,
  kRegionCode,
  kSubjectMatterRegionCode,
  kIntermediateCourtMatter,
};

// Who asks, and how to make the write idempotent. `request_id` empty means not idempotent.
struct MutationContext {
  std::string actor;                // principal id
  std::string method;               // scopes request_id (the service adds the principal)
  std::string request_id;           // client's idempotency key
  std::string request_fingerprint;  // hash of the request; a reused key with another hash fails
  std::string acting_through;       // partner app principal id, or empty
  // The full RPC name ("/odr.v1.CaseService/SubmitCase"); when set, the store appends an access
  // record of the change in the same transaction.
  std::string rpc;
  // Called inside the write transaction with the case as stored, before any change: the
  // authorization check, so that it sees exactly what it guards. A retry answered from its
  // request_id is checked again with the case as it is now. Unset: allowed.
  std::function<absl::Status(const Case&)> authorize;
  // A natural key that never expires (a court's intake reference, DivertCase), not a client's
  // retry token (which is forgotten after kRequestIdRetention).
  bool request_id_permanent = false;
};

// Stable names used in storage and messages ("draft", "medical" ...).
const char* StateName(CaseState s);
std::optional<CaseState> StateFromName(absl::string_view name);
const char* DisputeTypeName(DisputeType t);
std::optional<DisputeType> DisputeTypeFromName(absl::string_view name);
const char* PartyKindName(PartyKind k);
const char* DomicileBasisName(DomicileBasis b);  // "household_registration" ...
std::optional<DomicileBasis> DomicileBasisFromName(absl::string_view name);
std::optional<PartyKind> PartyKindFromName(absl::string_view name);
const char* IdDocumentTypeName(IdDocumentType t);
std::optional<IdDocumentType> IdDocumentTypeFromName(absl::string_view name);
const char* ProcedureName(Procedure p);
std::optional<Procedure> ProcedureFromName(absl::string_view name);
const char* RouteName(Route r);  // "citizen_application" ...
std::optional<Route> RouteFromName(absl::string_view name);
const char* EndingKindName(EndingKind k);  // "other_remedies" ...
std::optional<EndingKind> EndingKindFromName(absl::string_view name);
const char* EventKindName(EventKind k);
std::optional<EventKind> EventKindFromName(absl::string_view name);
const char* EventAudienceName(EventAudience a);
std::optional<EventAudience> EventAudienceFromName(absl::string_view name);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_TYPES_H_
