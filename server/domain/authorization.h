// Authorization: the one place that says who may do what to which case, and which fields they may
// see. Pure functions of (principal, case); safe for concurrent use. docs/security.md has the
// table.
//
// Denials never reveal whether a case exists: a caller who may not see a case gets NOT_FOUND with
// the same message as for a case that does not exist. A caller who may see the case but not do
// the thing asked gets PERMISSION_DENIED. Methods a role may never call are PERMISSION_DENIED.
#ifndef ODR_SERVER_DOMAIN_AUTHORIZATION_H_
#define ODR_SERVER_DOMAIN_AUTHORIZATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/domain/evidence.h"
#include "server/domain/principal.h"
#include "server/domain/state_machine.h"
#include "server/domain/stats.h"
#include "server/domain/types.h"

namespace odr::domain {

enum class CaseOperation {
  kRead,                 // GetCase, ListCaseEvents, and rows of ListCases
  kUpdate,               // UpdateCase
  kSubmit,               // SubmitCase
  kAccept,               // AcceptCase
  kWithdraw,             // WithdrawCase
  kClose,                // CloseCase
  kAssignMediator,       // AssignCaseMediator, AutoAssignMediator, RecommendMediators
  kChooseMediator,       // ChooseMediator: a party side's choice
  kRespondToAssignment,  // AcceptAssignment, DeclineAssignment: the proposed mediator
  kReplaceMediator,      // ReplaceMediator: a party asks, or the mediator recuses
  kAddEvidence,          // UploadEvidence
  // A mediator only proposed may kRead and kRespondToAssignment; every other operation, these and
  // the ones below, only once it accepted (and declared no conflict, OMR Arts. 12-13).
  kBookAppointment,     // FindSlots, BookAppointment (parties: only what they attend)
  kManageAppointments,  // Reschedule/CancelAppointment (also the booker), RecordAttendance
  kManageClock,         // Pause/Resume/ExtendMediationPeriod, RecordRespondentContact
  kDraftAgreement,      // Create/UpdateAgreement
  kSignAgreement,       // SignAgreement (a party side signs for its own parties only)
  kRecordPerformance,   // RecordPayment
  kRecordOffer,         // RecordOffer
  // Pre-check, apply for, join, supply materials to and withdraw a judicial confirmation: the
  // parties themselves (and their agents). Court-side methods are authorized by court (see
  // AuthorizeCourt).
  kApplyForConfirmation,
  // ConcludeCase: the diverting court records its mediation statement or the plaintiff's
  // withdrawal on a settled post-filing case (OMR Art. 20).
  kConclude,
};

// How a principal relates to a case.
struct CaseRelation {
  bool applicant_side = false;     // a citizen who is an applicant or an applicant's agent
  bool respondent_side = false;    // a citizen who is a respondent or a respondent's agent
  bool assigned_mediator = false;  // proposed or accepted
  bool accepted_mediator = false;  // accepted: may run the mediation (appointments, the clock)
  bool organization_admin = false;
  bool diverting_court = false;
  bool any() const {
    return applicant_side || respondent_side || assigned_mediator || organization_admin ||
           diverting_court;
  }
};

CaseRelation RelationTo(const Principal& p, const Case& c);

// OK, NOT_FOUND (may not see it; same message as a missing case), or PERMISSION_DENIED.
absl::Status AuthorizeCase(const Principal& p, const Case& c, CaseOperation op);

// Creating `data`: citizens only as an applicant (or an applicant's agent) of a citizen
// application; organization admins for their organization; courts for a diversion by their own
// court. PERMISSION_DENIED otherwise, naming the rule.
absl::Status AuthorizeCreate(const Principal& p, const CaseData& data);

// Which cases ListCases shows a principal. PERMISSION_DENIED for roles that see no cases.
struct CaseScope {
  enum Kind { kParty, kMediator, kOrganization, kCourt } kind;
  std::string value;  // id_number (kParty), principal id, organization id or court id
  IdDocumentType id_document_type = IdDocumentType::kResidentIdCard;  // kParty
};
absl::StatusOr<CaseScope> ListScope(const Principal& p);

// Field-level rules, applied to every case returned to `p`: a citizen sees the ID numbers and
// phones of the other side masked (e.g. 3306**********0020, 139****0000); only court roles see the
// court's intake reference.
void RedactCase(const Principal& p, Case* c);

// Masks all but the first `head` and last `tail` characters with '*'.
std::string Mask(const std::string& s, size_t head, size_t tail);

// Audit records: platform admins only.
absl::Status AuthorizeAudit(const Principal& p);

// Creating organizations: platform admins only.
absl::Status AuthorizeCreateOrganization(const Principal& p);
// Managing an organization's roster and pools: its admins only. PERMISSION_DENIED otherwise.
absl::Status AuthorizeManageOrganization(const Principal& p, absl::string_view organization_id);
// Whether `p` may see mediators' private details (ID numbers, phones, relations) of the
// organization: its admins.
bool MaySeeMediatorPrivateDetails(const Principal& p, absl::string_view organization_id);

// Evidence of a case `p` may read (AuthorizeCase kRead passed): everyone related to the case sees
// ALL_PARTIES evidence; MEDIATOR_ONLY evidence only its uploader, the case's accepted mediators
// (not one only proposed) and the organization's admins.
bool MaySeeEvidence(const Principal& p, const Case& c, const EvidenceRecord& e);
// Withdrawing evidence: its uploader only. NOT_FOUND if `p` may not see it, else
// PERMISSION_DENIED for anyone else.
absl::Status AuthorizeWithdrawEvidence(const Principal& p, const Case& c, const EvidenceRecord& e);
// NOT_FOUND for evidence, the same whether it is missing or hidden.
absl::Status EvidenceNotFoundError(absl::string_view case_id, absl::string_view id);

// Events, appointments and reminders with `audience`, of a case `p` may read (AuthorizeCase
// kRead passed): the case's accepted mediators, organization admins and diverting court see all;
// a mediator only proposed sees kAll and kStaff; a party side sees kAll and its own side's.
bool MaySeeAudience(const Principal& p, const Case& c, EventAudience audience);
// Reading an appointment with `audience` of case `c` (any case, not only the one being booked):
// AuthorizeCase kRead and MaySeeAudience. Also decides what a SLOT_CONFLICT may tell about the
// appointment it conflicts with (docs/appointments.md).
bool MaySeeAppointment(const Principal& p, const Case& c, EventAudience audience);
// A case event `e` of `c` on `p`'s timeline (ListCaseEvents, WatchCaseEvents): MaySeeAudience, and
// no court sees the events of confirmation applications (CONFIRMATION_CHANGED) there — an
// application still awaiting a party's consent is invisible to every court; a court follows the
// applications made to it through ConfirmationService.
bool MaySeeEvent(const Principal& p, const Case& c, const CaseEvent& e);
// Booking an appointment with `audience` (kAll, or one side for a separate session) and
// `participants` (the party references of the request): after AuthorizeCase kBookAppointment, a
// party may book only an appointment it takes part in (itself or as an agent), and a separate
// session only with its own side. PERMISSION_DENIED otherwise.
absl::Status AuthorizeAppointmentAudience(const Principal& p, const Case& c, EventAudience audience,
                                          const std::vector<std::string>& participants);
// The participant names ("applicants/0", "respondents/1/agents/0", "principals/{id}") under
// which `p` takes part in appointments of `c`.
std::vector<std::string> OwnParticipants(const Principal& p, const Case& c);
// The parties ("applicants/0", "respondents/1") citizen `p` is, or acts for as an agent, in
// `c`, each once; empty for other roles.
std::vector<std::string> OwnParties(const Principal& p, const Case& c);
// The parties citizen `p` may settle for in `c` — sign or refuse the agreement, apply for
// judicial confirmation: each party it is, and each it is an agent of with special authority
// (特别授权, CPL Art. 62). With `party` non-empty, only that party. Errors: INVALID_ARGUMENT on
// `field` when `party` is not a party of `c`; PERMISSION_DENIED NO_SPECIAL_AUTHORITY when `p` is
// only an agent without special authority of the parties concerned; PERMISSION_DENIED when it is
// neither party nor agent of them.
absl::StatusOr<std::vector<std::string>> PartiesToSettleFor(const Principal& p, const Case& c,
                                                            absl::string_view party,
                                                            absl::string_view field);
// Reading or changing a mediator's availability: the mediator (principal `mediator_principal`)
// and the admins of organization `organization_id`. PERMISSION_DENIED otherwise.
absl::Status AuthorizeAvailability(const Principal& p, absl::string_view organization_id,
                                   absl::string_view mediator_principal);
// NOT_FOUND for an appointment, the same whether it is missing or hidden.
absl::Status AppointmentNotFoundError(absl::string_view case_id, absl::string_view id);

// Privileged offers (OMR Art. 18): the case's accepted mediators (not one only proposed) and
// organization admins, and the side that made the offer (`offered_by` "applicants/{i}" or
// "respondents/{i}"). Never a court. AuthorizeCase kRead must have passed.
bool MaySeeOffer(const Principal& p, const Case& c, absl::string_view offered_by);

// The message of NOT_FOUND for a case, the same whether it is missing or hidden.
absl::Status CaseNotFoundError(absl::string_view id);

// --- Courts: judicial confirmation and diversion ---

// Acting for court `court_id` (CourtService methods, a court's queue of applications): its
// principals only (role court, that court_id, not disabled). PERMISSION_DENIED otherwise.
absl::Status AuthorizeCourt(const Principal& p, absl::string_view court_id);
// Whether `p` is a principal of court `court_id`.
bool IsCourtPrincipal(const Principal& p, absl::string_view court_id);
// NOT_FOUND for a confirmation application, the same whether it is missing or hidden.
absl::Status ConfirmationNotFoundError(absl::string_view case_id, absl::string_view id);
// Reading application `id` of case `c` made to court `court_id` (and its court bundle): anyone
// but a court who may read the case, and the principals of that court once the application was
// `filed` (every party consented). Any other court — the court that diverted the case included —
// and that court before filing get NOT_FOUND, as for a missing application, so that they cannot
// learn the application exists.
absl::Status AuthorizeConfirmationRead(const Principal& p, const Case& c, absl::string_view id,
                                       absl::string_view court_id, bool filed);
// Deciding on it (accept, refuse, request materials, rule): the principals of `court_id` only;
// NOT_FOUND for whoever may not read it, PERMISSION_DENIED for the others (the parties ...).
absl::Status AuthorizeConfirmationDecision(const Principal& p, const Case& c, absl::string_view id,
                                           absl::string_view court_id, bool filed);

// Who may see the figures of `scope`: platform admins anything; org admins their organization and
// its mediators; a mediator itself (`mediator_principal` is the principal of the scope's
// mediator, empty if unknown); a court its own court. PERMISSION_DENIED otherwise.
absl::Status AuthorizeStats(const Principal& p, const StatsScope& scope,
                            absl::string_view mediator_principal);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_AUTHORIZATION_H_
