#include "server/case_mapper.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/evp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/domain/procedure.h"
#include "server/domain/validation.h"

namespace odr::server {
using google::protobuf::util::TimeUtil;

std::optional<domain::DisputeType> DisputeTypeFromApi(int v) {
  switch (v) {
    case v1::DISPUTE_TYPE_MEDICAL:
      return domain::DisputeType::kMedical;
    case v1::DISPUTE_TYPE_NEIGHBOUR:
      return domain::DisputeType::kNeighbour;
    case v1::DISPUTE_TYPE_LABOUR:
      return domain::DisputeType::kLabour;
    case v1::DISPUTE_TYPE_DEBT_CONTRACT:
      return domain::DisputeType::kDebtContract;
    case v1::DISPUTE_TYPE_FAMILY_INHERITANCE:
      return domain::DisputeType::kFamilyInheritance;
    case v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT:
      return domain::DisputeType::kTrafficAccident;
    case v1::DISPUTE_TYPE_PROPERTY_LAND:
      return domain::DisputeType::kPropertyLand;
    case v1::DISPUTE_TYPE_CONSUMER_ECOMMERCE:
      return domain::DisputeType::kConsumerEcommerce;
    case v1::DISPUTE_TYPE_OTHER:
      return domain::DisputeType::kOther;
    default:
      return std::nullopt;
  }
}

v1::DisputeType DisputeTypeToApi(domain::DisputeType t) {
  switch (t) {
    case domain::DisputeType::kMedical:
      return v1::DISPUTE_TYPE_MEDICAL;
    case domain::DisputeType::kNeighbour:
      return v1::DISPUTE_TYPE_NEIGHBOUR;
    case domain::DisputeType::kLabour:
      return v1::DISPUTE_TYPE_LABOUR;
    case domain::DisputeType::kDebtContract:
      return v1::DISPUTE_TYPE_DEBT_CONTRACT;
    case domain::DisputeType::kFamilyInheritance:
      return v1::DISPUTE_TYPE_FAMILY_INHERITANCE;
    case domain::DisputeType::kTrafficAccident:
      return v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT;
    case domain::DisputeType::kPropertyLand:
      return v1::DISPUTE_TYPE_PROPERTY_LAND;
    case domain::DisputeType::kConsumerEcommerce:
      return v1::DISPUTE_TYPE_CONSUMER_ECOMMERCE;
    case domain::DisputeType::kOther:
      return v1::DISPUTE_TYPE_OTHER;
  }
  return v1::DISPUTE_TYPE_UNSPECIFIED;
}

namespace {

std::optional<domain::PartyKind> PartyKindFromProto(int v) {
  switch (v) {
    case v1::PARTY_KIND_NATURAL_PERSON:
      return domain::PartyKind::kNaturalPerson;
    case v1::PARTY_KIND_LEGAL_PERSON:
      return domain::PartyKind::kLegalPerson;
    case v1::PARTY_KIND_UNINCORPORATED_ORGANIZATION:
      return domain::PartyKind::kUnincorporatedOrganization;
    default:
      return std::nullopt;
  }
}

v1::PartyKind PartyKindToProto(domain::PartyKind k) {
  switch (k) {
    case domain::PartyKind::kNaturalPerson:
      return v1::PARTY_KIND_NATURAL_PERSON;
    case domain::PartyKind::kLegalPerson:
      return v1::PARTY_KIND_LEGAL_PERSON;
    case domain::PartyKind::kUnincorporatedOrganization:
      return v1::PARTY_KIND_UNINCORPORATED_ORGANIZATION;
  }
  return v1::PARTY_KIND_UNSPECIFIED;
}

}  // namespace

std::optional<domain::IdDocumentType> IdDocumentTypeFromApi(int v) {
  switch (v) {
    case v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD:
      return domain::IdDocumentType::kResidentIdCard;
    case v1::ID_DOCUMENT_TYPE_PASSPORT:
      return domain::IdDocumentType::kPassport;
    case v1::ID_DOCUMENT_TYPE_HK_MACAO_TAIWAN_PERMIT:
      return domain::IdDocumentType::kHkMacaoTaiwanPermit;
    case v1::ID_DOCUMENT_TYPE_FOREIGN_PERMANENT_RESIDENT_ID:
      return domain::IdDocumentType::kForeignPermanentResidentId;
    case v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE:
      return domain::IdDocumentType::kUnifiedSocialCreditCode;
    default:
      return std::nullopt;
  }
}

v1::IdDocumentType IdDocumentTypeToApi(domain::IdDocumentType t) {
  switch (t) {
    case domain::IdDocumentType::kResidentIdCard:
      return v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD;
    case domain::IdDocumentType::kPassport:
      return v1::ID_DOCUMENT_TYPE_PASSPORT;
    case domain::IdDocumentType::kHkMacaoTaiwanPermit:
      return v1::ID_DOCUMENT_TYPE_HK_MACAO_TAIWAN_PERMIT;
    case domain::IdDocumentType::kForeignPermanentResidentId:
      return v1::ID_DOCUMENT_TYPE_FOREIGN_PERMANENT_RESIDENT_ID;
    case domain::IdDocumentType::kUnifiedSocialCreditCode:
      return v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE;
  }
  return v1::ID_DOCUMENT_TYPE_UNSPECIFIED;
}

namespace {

void EnumViolation(int value, const std::string& field, Violations* v) {
  if (value == 0) {
    v->Add(field, "is required");
  } else {
    v->Add(field, absl::StrCat("has unknown value ", value));
  }
}

template <typename P, typename D>
void PersonFromProto(const P& in, const std::string& path, D* out, Violations* v) {
  out->name = in.name();
  // Stored upper-case, so that one person's document always compares equal (x vs X).
  out->id_number = absl::AsciiStrToUpper(in.id_number());
  out->phone = in.phone();
  out->service_address = in.service_address();
  if (auto t = IdDocumentTypeFromApi(in.id_document_type())) {
    out->id_document_type = *t;
  } else {
    EnumViolation(in.id_document_type(), path + ".id_document_type", v);
  }
}

template <typename D, typename P>
void PersonToProto(const D& in, P* out) {
  out->set_name(in.name);
  out->set_id_document_type(IdDocumentTypeToApi(in.id_document_type));
  out->set_id_number(in.id_number);
  out->set_phone(in.phone);
  out->set_service_address(in.service_address);
}

std::vector<domain::Party> PartiesFromProto(const google::protobuf::RepeatedPtrField<v1::Party>& in,
                                            const std::string& path, Violations* v) {
  std::vector<domain::Party> out;
  for (int i = 0; i < in.size(); ++i) {
    const std::string p = absl::StrCat(path, "[", i, "]");
    domain::Party party;
    if (auto k = PartyKindFromProto(in[i].kind())) {
      party.kind = *k;
    } else {
      EnumViolation(in[i].kind(), p + ".kind", v);
    }
    PersonFromProto(in[i], p, &party, v);
    for (int j = 0; j < in[i].agents_size(); ++j) {
      domain::Agent a;
      PersonFromProto(in[i].agents(j), absl::StrCat(p, ".agents[", j, "]"), &a, v);
      a.special_authority = in[i].agents(j).special_authority();  // CPL Art. 62
      party.agents.push_back(std::move(a));
    }
    if (in[i].has_domicile()) {
      // Declared, with its supporting material (CPL Interpretation Arts. 3-4).
      const v1::Domicile& d = in[i].domicile();
      domain::Domicile dom;
      dom.region_code = d.region_code();
      dom.material = d.material();
      const int basis = static_cast<int>(d.basis());
      if (basis < 1 || basis > 4) {
        EnumViolation(basis, p + ".domicile.basis", v);
      } else {
        // Basis and the domain's DomicileBasis are in the same order, the API's shifted by one.
        dom.basis = static_cast<domain::DomicileBasis>(basis - 1);
      }
      party.domicile = std::move(dom);
    }
    out.push_back(std::move(party));
  }
  return out;
}

}  // namespace

std::string ResourceId(absl::string_view name, absl::string_view prefix) {
  if (name.empty()) return "";
  if (!absl::StartsWith(name, prefix)) return absl::StrCat("/", name);  // fails validation
  return std::string(name.substr(prefix.size()));
}

domain::CaseData CaseDataFromProto(const v1::Case& in, const std::string& path, Violations* v) {
  domain::CaseData out;
  if (auto t = DisputeTypeFromApi(in.dispute_type())) {
    out.dispute_type = *t;
  } else {
    EnumViolation(in.dispute_type(), path + ".dispute_type", v);
  }
  out.applicants = PartiesFromProto(in.applicants(), path + ".applicants", v);
  out.respondents = PartiesFromProto(in.respondents(), path + ".respondents", v);
  out.summary = in.summary();
  out.claims = in.claims();
  out.amount_fen = in.amount_fen();
  out.region_code = in.region_code();
  out.subject_matter_region_code = in.subject_matter_region_code();
  out.intermediate_court_matter = in.intermediate_court_matter();
  out.organization_id = ResourceId(in.organization(), "organizations/");
  out.language = in.language().empty() ? "zh" : in.language();
  switch (in.source().source_case()) {
    case v1::CaseSource::kCitizenApplication:
      break;
    case v1::CaseSource::kCourtDiversion: {
      const auto& d = in.source().court_diversion();
      out.court_diversion =
          domain::CourtDiversion{ResourceId(d.court(), "courts/"), d.intake_reference(),
                                 d.diversion_date(), d.court_display_name()};
      switch (d.procedure()) {
        case v1::PROCEDURE_UNSPECIFIED:
        case v1::PROCEDURE_PRE_FILING:
          break;
        case v1::PROCEDURE_POST_FILING_ORDINARY:
          out.court_diversion->procedure = domain::Procedure::kPostFilingOrdinary;
          break;
        case v1::PROCEDURE_POST_FILING_SIMPLE:
          out.court_diversion->procedure = domain::Procedure::kPostFilingSimple;
          break;
        default:
          EnumViolation(d.procedure(), path + ".source.court_diversion.procedure", v);
      }
      break;
    }
    case v1::CaseSource::SOURCE_NOT_SET:
      v->Add(path + ".source",
             "is required: citizen_application or court_diversion (court, intake_reference, "
             "diversion_date)");
      break;
  }
  return out;
}

v1::Procedure ProcedureToProto(domain::Procedure p) {
  switch (p) {
    case domain::Procedure::kPreFiling:
      return v1::PROCEDURE_PRE_FILING;
    case domain::Procedure::kPostFilingOrdinary:
      return v1::PROCEDURE_POST_FILING_ORDINARY;
    case domain::Procedure::kPostFilingSimple:
      return v1::PROCEDURE_POST_FILING_SIMPLE;
  }
  return v1::PROCEDURE_UNSPECIFIED;
}

v1::Case::State StateToProto(domain::CaseState s) {
  switch (s) {
    case domain::CaseState::kDraft:
      return v1::Case::STATE_DRAFT;
    case domain::CaseState::kSubmitted:
      return v1::Case::STATE_SUBMITTED;
    case domain::CaseState::kAccepted:
      return v1::Case::STATE_ACCEPTED;
    case domain::CaseState::kWithdrawn:
      return v1::Case::STATE_WITHDRAWN;
    case domain::CaseState::kClosed:
      return v1::Case::STATE_CLOSED;
    case domain::CaseState::kMediatorProposed:
      return v1::Case::STATE_MEDIATOR_PROPOSED;
    case domain::CaseState::kMediatorAssigned:
      return v1::Case::STATE_MEDIATOR_ASSIGNED;
    case domain::CaseState::kMediating:
      return v1::Case::STATE_MEDIATING;
    case domain::CaseState::kSettled:
      return v1::Case::STATE_SETTLED;
    case domain::CaseState::kConfirmed:
      return v1::Case::STATE_CONFIRMED;
    case domain::CaseState::kConcluded:
      return v1::Case::STATE_CONCLUDED;
  }
  return v1::Case::STATE_UNSPECIFIED;
}

v1::Route RouteToProto(domain::Route r) {
  switch (r) {
    case domain::Route::kCitizenApplication:
      return v1::ROUTE_CITIZEN_APPLICATION;
    case domain::Route::kPreFilingDiversion:
      return v1::ROUTE_PRE_FILING_DIVERSION;
    case domain::Route::kPostFilingEntrustment:
      return v1::ROUTE_POST_FILING_ENTRUSTMENT;
  }
  return v1::ROUTE_UNSPECIFIED;
}

namespace {

constexpr std::pair<domain::EndingKind, v1::CaseEnding::Kind> kEndingKinds[] = {
    {domain::EndingKind::kOtherRemedies, v1::CaseEnding::KIND_OTHER_REMEDIES},
    {domain::EndingKind::kReferredForFiling, v1::CaseEnding::KIND_REFERRED_FOR_FILING},
    {domain::EndingKind::kTrialResumed, v1::CaseEnding::KIND_TRIAL_RESUMED},
    {domain::EndingKind::kMediationStatement, v1::CaseEnding::KIND_MEDIATION_STATEMENT},
    {domain::EndingKind::kSuitWithdrawn, v1::CaseEnding::KIND_SUIT_WITHDRAWN},
};

}  // namespace

v1::CaseEnding::Kind EndingKindToProto(domain::EndingKind k) {
  for (const auto& [d, api] : kEndingKinds) {
    if (d == k) return api;
  }
  return v1::CaseEnding::KIND_UNSPECIFIED;
}

std::optional<domain::EndingKind> EndingKindFromProto(int v) {
  for (const auto& [d, api] : kEndingKinds) {
    if (api == v) return d;
  }
  return std::nullopt;
}

void CaseToProto(const domain::Case& in, v1::Case* out) {
  out->Clear();
  out->set_name(absl::StrCat("cases/", in.id));
  out->set_case_number(in.case_number);
  out->set_dispute_type(DisputeTypeToApi(in.data.dispute_type));
  for (const auto& [side, protos] : {std::pair{&in.data.applicants, out->mutable_applicants()},
                                     std::pair{&in.data.respondents, out->mutable_respondents()}}) {
    for (const domain::Party& p : *side) {
      v1::Party* pp = protos->Add();
      pp->set_kind(PartyKindToProto(p.kind));
      PersonToProto(p, pp);
      for (const domain::Agent& a : p.agents) {
        v1::Agent* pa = pp->add_agents();
        PersonToProto(a, pa);
        pa->set_special_authority(a.special_authority);
      }
      if (p.domicile) {
        v1::Domicile* d = pp->mutable_domicile();
        d->set_region_code(p.domicile->region_code);
        d->set_basis(static_cast<v1::Domicile::Basis>(static_cast<int>(p.domicile->basis) + 1));
        d->set_material(p.domicile->material);
      }
    }
  }
  out->set_summary(in.data.summary);
  out->set_claims(in.data.claims);
  out->set_amount_fen(in.data.amount_fen);
  out->set_region_code(in.data.region_code);
  out->set_subject_matter_region_code(in.data.subject_matter_region_code);
  out->set_intermediate_court_matter(in.data.intermediate_court_matter);
  if (in.data.court_diversion) {
    auto* d = out->mutable_source()->mutable_court_diversion();
    d->set_court(absl::StrCat("courts/", in.data.court_diversion->court_id));
    d->set_court_display_name(in.data.court_diversion->court_display_name);
    d->set_intake_reference(in.data.court_diversion->intake_reference);
    d->set_diversion_date(in.data.court_diversion->diversion_date);
    d->set_procedure(ProcedureToProto(in.data.court_diversion->procedure));
  } else {
    out->mutable_source()->mutable_citizen_application();
  }
  out->set_state(StateToProto(in.state));
  *out->mutable_create_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.create_time));
  *out->mutable_update_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.update_time));
  out->set_etag(Etag(in.version));
  out->set_organization(absl::StrCat("organizations/", in.data.organization_id));
  for (const std::string& m : in.mediator_ids) out->add_mediators(absl::StrCat("principals/", m));
  out->set_language(in.data.language);
  for (const domain::MediatorAssignment& a : in.assignments) {
    v1::MediatorAssignment* pa = out->add_mediator_assignments();
    pa->set_mediator(
        absl::StrCat("organizations/", a.organization_id, "/mediators/", a.mediator_id));
    pa->set_principal(absl::StrCat("principals/", a.principal_id));
    switch (a.state) {
      case domain::AssignmentState::kProposed:
        pa->set_state(v1::MediatorAssignment::STATE_PROPOSED);
        break;
      case domain::AssignmentState::kAccepted:
        pa->set_state(v1::MediatorAssignment::STATE_ACCEPTED);
        break;
      case domain::AssignmentState::kDeclined:
        pa->set_state(v1::MediatorAssignment::STATE_DECLINED);
        break;
      case domain::AssignmentState::kReplaced:
        pa->set_state(v1::MediatorAssignment::STATE_REPLACED);
        break;
      case domain::AssignmentState::kLapsed:
        pa->set_state(v1::MediatorAssignment::STATE_LAPSED);
        break;
    }
    switch (a.method) {
      case domain::AssignmentMethod::kJointChoice:
        pa->set_method(v1::MediatorAssignment::METHOD_JOINT_CHOICE);
        break;
      case domain::AssignmentMethod::kOrganization:
        pa->set_method(v1::MediatorAssignment::METHOD_ORGANIZATION);
        break;
      case domain::AssignmentMethod::kAutomatic:
        pa->set_method(v1::MediatorAssignment::METHOD_AUTOMATIC);
        break;
    }
    pa->set_reason(a.reason);
  }
  out->set_route(RouteToProto(domain::RouteOf(in.data)));
  if (in.ending) {
    v1::CaseEnding* e = out->mutable_ending();
    e->set_kind(EndingKindToProto(in.ending->kind));
    e->set_reason(in.ending->reason);
    e->set_cost_conduct(in.ending->cost_conduct);
    e->set_court_document(in.ending->court_document);
    e->set_actor(PrincipalName(in.ending->actor));
    *e->mutable_record_time() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.ending->time));
  }
}

std::string PrincipalName(absl::string_view id) {
  if (id.empty() || id == "system" || absl::StartsWith(id, "principals/")) return std::string(id);
  return absl::StrCat("principals/", id);
}

void EventToProto(const domain::CaseEvent& in, v1::CaseEvent* out) {
  out->set_name(absl::StrCat("cases/", in.case_id, "/events/", in.seq));
  out->set_actor(PrincipalName(in.actor));
  out->set_acting_through(PrincipalName(in.acting_through));
  *out->mutable_event_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.time));
  out->set_from_state(in.from_state ? StateToProto(*in.from_state) : v1::Case::STATE_UNSPECIFIED);
  out->set_to_state(StateToProto(in.to_state));
  out->set_reason(in.reason);
  // EventKind and the API's Kind are in the same order, the API's shifted by one (UNSPECIFIED).
  out->set_kind(static_cast<v1::CaseEvent::Kind>(static_cast<int>(in.kind) + 1));
  if (!in.subject.empty()) out->set_subject(absl::StrCat("cases/", in.case_id, "/", in.subject));
  if (in.event_id > 0) out->set_cursor(EventCursor(in.event_id));
}

void RecordToProto(const domain::ProcedureRecord& in, bool full, v1::ProcedureRecord* out) {
  out->set_name(absl::StrCat("cases/", in.case_id, "/records/", in.id));
  // RecordKind and the API's Kind are in the same order, the API's shifted by one (UNSPECIFIED).
  out->set_kind(static_cast<v1::ProcedureRecord::Kind>(static_cast<int>(in.kind) + 1));
  out->set_party(in.party);
  if (!in.mediator.empty()) out->set_mediator(PrincipalName(in.mediator));
  if (full) {
    out->set_manner(in.manner);
    out->set_detail(in.detail);
  }
  if (!in.appointment.empty()) {
    out->set_appointment(absl::StrCat("cases/", in.case_id, "/appointments/", in.appointment));
  }
  out->set_granted(in.granted);
  out->set_recorded_by(PrincipalName(in.recorded_by));
  *out->mutable_record_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.record_time));
}

domain::ProcedureRecord RecordFromProto(const v1::ProcedureRecord& in, const std::string& case_id,
                                        Violations* v) {
  domain::ProcedureRecord r;
  r.case_id = case_id;
  const int kind = static_cast<int>(in.kind());
  if (kind < 1 || kind > static_cast<int>(domain::RecordKind::kFalseMediationSuspected) + 1) {
    v->Add("record.kind", "is required: one of ProcedureRecord.Kind");
  } else {
    r.kind = static_cast<domain::RecordKind>(kind - 1);
  }
  r.party = in.party();
  if (!in.mediator().empty()) {
    if (!absl::StartsWith(in.mediator(), "principals/") || in.mediator().size() <= 11) {
      v->Add("record.mediator", "must be principals/{p}");
    } else {
      r.mediator = in.mediator().substr(11);
    }
  }
  r.manner = in.manner();
  r.detail = in.detail();
  if (!in.appointment().empty()) {
    auto ids = ParseChildName(in.appointment(), "cases", "appointments", "record.appointment");
    if (!ids.ok() || ids->first != case_id) {
      v->Add("record.appointment", absl::StrCat("must be cases/", case_id, "/appointments/{a}"));
    } else {
      r.appointment = ids->second;
    }
  }
  r.granted = in.granted();
  return r;
}

std::string MessageFingerprint(absl::string_view method, const google::protobuf::Message& m) {
  std::string bytes(method);
  bytes.push_back('\n');
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    m.SerializeToCodedStream(&coded);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

std::string EventCursor(int64_t event_id) { return absl::StrCat("e", event_id); }

absl::StatusOr<int64_t> ParseEventCursor(absl::string_view cursor, absl::string_view field) {
  int64_t id = 0;
  if (cursor.empty()) return 0;
  if (!absl::ConsumePrefix(&cursor, "e") || !absl::SimpleAtoi(cursor, &id) || id < 0) {
    return InvalidFieldError(std::string(field), "is not a cursor this service returned");
  }
  return id;
}

std::string Etag(int64_t version) { return absl::StrCat("W/\"", version, "\""); }

absl::StatusOr<std::optional<int64_t>> ParseEtag(absl::string_view etag, absl::string_view field) {
  if (etag.empty()) return std::nullopt;
  int64_t v;
  if (!absl::StartsWith(etag, "W/\"") || !absl::EndsWith(etag, "\"") || etag.size() < 5 ||
      !absl::SimpleAtoi(etag.substr(3, etag.size() - 4), &v) || v <= 0) {
    return InvalidFieldError(std::string(field), "is not an etag returned by odr");
  }
  return v;
}

absl::StatusOr<absl::Time> RequiredTime(bool has, const google::protobuf::Timestamp& t,
                                        const std::string& field) {
  using google::protobuf::util::TimeUtil;
  if (!has) return InvalidFieldError(field, "is required");
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds || t.nanos() < 0 || t.nanos() > 999999999) {
    return InvalidFieldError(field, "is not a valid timestamp");
  }
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(absl::string_view name,
                                                                   absl::string_view parent,
                                                                   absl::string_view collection,
                                                                   absl::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != parent || parts[2] != collection ||
      !domain::CheckResourceId(parts[1]).empty() || !domain::CheckResourceId(parts[3]).empty()) {
    return InvalidFieldError(std::string(field), absl::StrCat("must be ", parent, "/{", parent,
                                                              "}/", collection, "/{id}"));
  }
  return std::make_pair(parts[1], parts[3]);
}

absl::StatusOr<std::pair<std::string, std::string>> ParseMediatorName(absl::string_view name,
                                                                      absl::string_view field) {
  return ParseChildName(name, "organizations", "mediators", field);
}

absl::StatusOr<std::string> ParseCaseName(absl::string_view name, absl::string_view field) {
  if (name.empty()) return InvalidFieldError(std::string(field), "is required (cases/{case})");
  if (!absl::StartsWith(name, "cases/")) {
    return InvalidFieldError(std::string(field), "must be cases/{case}");
  }
  absl::string_view id = name.substr(6);
  if (auto e = domain::CheckCaseId(id); !e.empty()) {
    return InvalidFieldError(std::string(field), e);
  }
  return std::string(id);
}

}  // namespace odr::server
