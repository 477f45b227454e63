#include "server/domain/types.h"

#include <array>
#include <utility>

#include "absl/strings/string_view.h"
#include "server/domain/enum_names.h"

namespace odr::domain {
namespace {

constexpr std::array<std::pair<CaseState, const char*>, 11> kStates{{
    {CaseState::kDraft, "draft"},
    {CaseState::kSubmitted, "submitted"},
    {CaseState::kAccepted, "accepted"},
    {CaseState::kWithdrawn, "withdrawn"},
    {CaseState::kClosed, "closed"},
    {CaseState::kMediatorProposed, "mediator_proposed"},
    {CaseState::kMediatorAssigned, "mediator_assigned"},
    {CaseState::kMediating, "mediating"},
    {CaseState::kSettled, "settled"},
    {CaseState::kConfirmed, "confirmed"},
    {CaseState::kConcluded, "concluded"},
}};

constexpr std::array<std::pair<Route, const char*>, 3> kRoutes{{
    {Route::kCitizenApplication, "citizen_application"},
    {Route::kPreFilingDiversion, "pre_filing_diversion"},
    {Route::kPostFilingEntrustment, "post_filing_entrustment"},
}};

constexpr std::array<std::pair<EndingKind, const char*>, 5> kEndingKinds{{
    {EndingKind::kOtherRemedies, "other_remedies"},
    {EndingKind::kReferredForFiling, "referred_for_filing"},
    {EndingKind::kTrialResumed, "trial_resumed"},
    {EndingKind::kMediationStatement, "mediation_statement"},
    {EndingKind::kSuitWithdrawn, "suit_withdrawn"},
}};

constexpr std::array<std::pair<DisputeType, const char*>, 9> kDisputeTypes{{
    {DisputeType::kMedical, "medical"},
    {DisputeType::kNeighbour, "neighbour"},
    {DisputeType::kLabour, "labour"},
    {DisputeType::kDebtContract, "debt_contract"},
    {DisputeType::kFamilyInheritance, "family_inheritance"},
    {DisputeType::kTrafficAccident, "traffic_accident"},
    {DisputeType::kPropertyLand, "property_land"},
    {DisputeType::kConsumerEcommerce, "consumer_ecommerce"},
    {DisputeType::kOther, "other"},
}};

constexpr std::array<std::pair<DomicileBasis, const char*>, 4> kDomicileBases{{
    {DomicileBasis::kHouseholdRegistration, "household_registration"},
    {DomicileBasis::kHabitualResidence, "habitual_residence"},
    {DomicileBasis::kMainOffice, "main_office"},
    {DomicileBasis::kRegisteredPlace, "registered_place"},
}};
constexpr std::array<std::pair<PartyKind, const char*>, 3> kPartyKinds{{
    {PartyKind::kNaturalPerson, "natural_person"},
    {PartyKind::kLegalPerson, "legal_person"},
    {PartyKind::kUnincorporatedOrganization, "unincorporated_organization"},
}};

constexpr std::array<std::pair<IdDocumentType, const char*>, 5> kIdTypes{{
    {IdDocumentType::kResidentIdCard, "resident_id_card"},
    {IdDocumentType::kPassport, "passport"},
    {IdDocumentType::kHkMacaoTaiwanPermit, "hk_macao_taiwan_permit"},
    {IdDocumentType::kForeignPermanentResidentId, "foreign_permanent_resident_id"},
    {IdDocumentType::kUnifiedSocialCreditCode, "unified_social_credit_code"},
}};

constexpr std::array<std::pair<Procedure, const char*>, 3> kProcedures{{
    {Procedure::kPreFiling, "pre_filing"},
    {Procedure::kPostFilingOrdinary, "post_filing_ordinary"},
    {Procedure::kPostFilingSimple, "post_filing_simple"},
}};

constexpr std::array<std::pair<EventKind, const char*>, 21> kEventKinds{{
    {EventKind::kStateChange, "state_change"},
    {EventKind::kAppointmentBooked, "appointment_booked"},
    {EventKind::kAppointmentRescheduled, "appointment_rescheduled"},
    {EventKind::kAppointmentCancelled, "appointment_cancelled"},
    {EventKind::kAppointmentReminder, "appointment_reminder"},
    {EventKind::kAttendanceRecorded, "attendance_recorded"},
    {EventKind::kDeadlineStarted, "deadline_started"},
    {EventKind::kDeadlineWarning, "deadline_warning"},
    {EventKind::kDeadlineExpired, "deadline_expired"},
    {EventKind::kDeadlineChanged, "deadline_changed"},
    {EventKind::kReferredToLitigation, "referred_to_litigation"},
    {EventKind::kAgreementDrafted, "agreement_drafted"},
    {EventKind::kAgreementSigned, "agreement_signed"},
    {EventKind::kPaymentRecorded, "payment_recorded"},
    {EventKind::kInstalmentOverdue, "instalment_overdue"},
    {EventKind::kConfirmationChanged, "confirmation_changed"},
    {EventKind::kReturnedForTrial, "returned_for_trial"},
    {EventKind::kAgreementServed, "agreement_served"},
    {EventKind::kAgreementFiled, "agreement_filed"},
    {EventKind::kAgreementRefused, "agreement_refused"},
    {EventKind::kProcedureRecorded, "procedure_recorded"},
}};

constexpr std::array<std::pair<EventAudience, const char*>, 4> kAudiences{{
    {EventAudience::kAll, "all"},
    {EventAudience::kApplicantSide, "applicant"},
    {EventAudience::kRespondentSide, "respondent"},
    {EventAudience::kStaff, "staff"},
}};

}  // namespace

const char* ProcedureName(Procedure p) { return NameIn(kProcedures, p); }
std::optional<Procedure> ProcedureFromName(absl::string_view n) { return ValueIn(kProcedures, n); }
const char* RouteName(Route r) { return NameIn(kRoutes, r); }
std::optional<Route> RouteFromName(absl::string_view n) { return ValueIn(kRoutes, n); }
const char* EndingKindName(EndingKind k) { return NameIn(kEndingKinds, k); }
std::optional<EndingKind> EndingKindFromName(absl::string_view n) {
  return ValueIn(kEndingKinds, n);
}
const char* EventKindName(EventKind k) { return NameIn(kEventKinds, k); }
std::optional<EventKind> EventKindFromName(absl::string_view n) { return ValueIn(kEventKinds, n); }
const char* EventAudienceName(EventAudience a) { return NameIn(kAudiences, a); }
std::optional<EventAudience> EventAudienceFromName(absl::string_view n) {
  return ValueIn(kAudiences, n);
}

const char* StateName(CaseState s) { return NameIn(kStates, s); }
std::optional<CaseState> StateFromName(absl::string_view n) { return ValueIn(kStates, n); }
const char* DisputeTypeName(DisputeType t) { return NameIn(kDisputeTypes, t); }
std::optional<DisputeType> DisputeTypeFromName(absl::string_view n) {
  return ValueIn(kDisputeTypes, n);
}
const char* PartyKindName(PartyKind k) { return NameIn(kPartyKinds, k); }
const char* DomicileBasisName(DomicileBasis b) { return NameIn(kDomicileBases, b); }
std::optional<DomicileBasis> DomicileBasisFromName(absl::string_view n) {
  return ValueIn(kDomicileBases, n);
}
std::optional<PartyKind> PartyKindFromName(absl::string_view n) { return ValueIn(kPartyKinds, n); }
const char* IdDocumentTypeName(IdDocumentType t) { return NameIn(kIdTypes, t); }
std::optional<IdDocumentType> IdDocumentTypeFromName(absl::string_view n) {
  return ValueIn(kIdTypes, n);
}

}  // namespace odr::domain
