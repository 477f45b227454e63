#include "server/domain/types.h"

#include <array>
#include <utility>

#include "absl/strings/string_view.h"

namespace odr::domain {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, const char*>, N>& table,
                        absl::string_view n) {
  for (const auto& [value, name] : table) {
    if (n == name) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
const char* NameOf(const std::array<std::pair<E, const char*>, N>& table, E v) {
  for (const auto& [value, name] : table) {
    if (value == v) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<CaseState, const char*>, 7> kStates{{
    {CaseState::kDraft, "draft"},
    {CaseState::kSubmitted, "submitted"},
    {CaseState::kAccepted, "accepted"},
    {CaseState::kWithdrawn, "withdrawn"},
    {CaseState::kClosed, "closed"},
    {CaseState::kMediatorProposed, "mediator_proposed"},
    {CaseState::kMediatorAssigned, "mediator_assigned"},
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

}  // namespace

const char* StateName(CaseState s) { return NameOf(kStates, s); }
std::optional<CaseState> StateFromName(absl::string_view n) { return Lookup(kStates, n); }
const char* DisputeTypeName(DisputeType t) { return NameOf(kDisputeTypes, t); }
std::optional<DisputeType> DisputeTypeFromName(absl::string_view n) {
  return Lookup(kDisputeTypes, n);
}
const char* PartyKindName(PartyKind k) { return NameOf(kPartyKinds, k); }
std::optional<PartyKind> PartyKindFromName(absl::string_view n) { return Lookup(kPartyKinds, n); }
const char* IdDocumentTypeName(IdDocumentType t) { return NameOf(kIdTypes, t); }
std::optional<IdDocumentType> IdDocumentTypeFromName(absl::string_view n) {
  return Lookup(kIdTypes, n);
}

}  // namespace odr::domain
