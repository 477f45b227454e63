#include "server/confirmation_service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/agreement_service.h"
#include "server/auth_service.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/confirmation_review.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "server/proto_time.h"
#include "server/transparency/checkpoint.h"
#include "server/transparency/merkle.h"

namespace odr::server {
namespace {

using google::protobuf::util::TimeUtil;
using Result = std::pair<domain::Confirmation, domain::Case>;

constexpr int kNoteChars = 2000;
constexpr int kRulingNumberChars = 64;
constexpr int kPlaceChars = 200;
constexpr int kGoodReasonChars = 1000;
constexpr int kMaxMaterials = 50;

absl::StatusOr<std::pair<std::string, std::string>> ParseConfirmationName(absl::string_view name,
                                                                          absl::string_view field) {
  return ParseChildName(name, "cases", "confirmations", field);
}

// "courts/{court}" -> "{court}"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCourtName(absl::string_view name, const std::string& field) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, "courts/") || !domain::CheckResourceId(id).empty()) {
    return InvalidFieldError(field, "must be courts/{court}");
  }
  return std::string(id);
}

v1::Confirmation::State StateToApi(domain::ConfirmationState s) {
  switch (s) {
    case domain::ConfirmationState::kAwaitingParties:
      return v1::Confirmation::STATE_AWAITING_PARTIES;
    case domain::ConfirmationState::kSubmitted:
      return v1::Confirmation::STATE_SUBMITTED;
    case domain::ConfirmationState::kAccepted:
      return v1::Confirmation::STATE_ACCEPTED;
    case domain::ConfirmationState::kMaterialsRequested:
      return v1::Confirmation::STATE_MATERIALS_REQUESTED;
    case domain::ConfirmationState::kRefused:
      return v1::Confirmation::STATE_REFUSED;
    case domain::ConfirmationState::kRuledValid:
      return v1::Confirmation::STATE_RULED_VALID;
    case domain::ConfirmationState::kRuledRejected:
      return v1::Confirmation::STATE_RULED_REJECTED;
    case domain::ConfirmationState::kWithdrawn:
      return v1::Confirmation::STATE_WITHDRAWN;
    case domain::ConfirmationState::kRevoked:
      return v1::Confirmation::STATE_REVOKED;
  }
  return v1::Confirmation::STATE_UNSPECIFIED;
}

std::optional<domain::ConfirmationState> StateFromApi(int s) {
  for (auto d :
       {domain::ConfirmationState::kAwaitingParties, domain::ConfirmationState::kSubmitted,
        domain::ConfirmationState::kAccepted, domain::ConfirmationState::kMaterialsRequested,
        domain::ConfirmationState::kRefused, domain::ConfirmationState::kRuledValid,
        domain::ConfirmationState::kRuledRejected, domain::ConfirmationState::kWithdrawn,
        domain::ConfirmationState::kRevoked}) {
    if (StateToApi(d) == s) return d;
  }
  return std::nullopt;
}

v1::CompetenceBasis BasisToApi(domain::CompetenceBasis b) {
  switch (b) {
    case domain::CompetenceBasis::kInvitingCourt:
      return v1::COMPETENCE_BASIS_INVITING_COURT;
    case domain::CompetenceBasis::kPartyDomicile:
      return v1::COMPETENCE_BASIS_PARTY_DOMICILE;
    case domain::CompetenceBasis::kSubjectMatter:
      return v1::COMPETENCE_BASIS_SUBJECT_MATTER;
    case domain::CompetenceBasis::kOrganization:
      return v1::COMPETENCE_BASIS_ORGANIZATION;
  }
  return v1::COMPETENCE_BASIS_UNSPECIFIED;
}

v1::ConfirmationMaterial::Kind KindToApi(domain::MaterialKind k) {
  switch (k) {
    case domain::MaterialKind::kIdentityProof:
      return v1::ConfirmationMaterial::KIND_IDENTITY_PROOF;
    case domain::MaterialKind::kPropertyRightProof:
      return v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF;
    case domain::MaterialKind::kOther:
      return v1::ConfirmationMaterial::KIND_OTHER;
  }
  return v1::ConfirmationMaterial::KIND_UNSPECIFIED;
}

std::optional<domain::MaterialKind> KindFromApi(int k) {
  switch (k) {
    case v1::ConfirmationMaterial::KIND_IDENTITY_PROOF:
      return domain::MaterialKind::kIdentityProof;
    case v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF:
      return domain::MaterialKind::kPropertyRightProof;
    case v1::ConfirmationMaterial::KIND_OTHER:
      return domain::MaterialKind::kOther;
    default:
      return std::nullopt;
  }
}

v1::RefusalGround RefusalToApi(domain::RefusalGround g) {
  switch (g) {
    case domain::RefusalGround::kNoJurisdiction:
      return v1::REFUSAL_GROUND_NO_JURISDICTION;
    case domain::RefusalGround::kPersonalStatus:
      return v1::REFUSAL_GROUND_PERSONAL_STATUS;
    case domain::RefusalGround::kSpecialProcedure:
      return v1::REFUSAL_GROUND_SPECIAL_PROCEDURE;
    case domain::RefusalGround::kPropertyOwnership:
      return v1::REFUSAL_GROUND_PROPERTY_OWNERSHIP;
    case domain::RefusalGround::kOther:
      return v1::REFUSAL_GROUND_OTHER;
  }
  return v1::REFUSAL_GROUND_UNSPECIFIED;
}

std::optional<domain::RefusalGround> RefusalFromApi(int g) {
  for (auto d : {domain::RefusalGround::kNoJurisdiction, domain::RefusalGround::kPersonalStatus,
                 domain::RefusalGround::kSpecialProcedure,
                 domain::RefusalGround::kPropertyOwnership, domain::RefusalGround::kOther}) {
    if (RefusalToApi(d) == g) return d;
  }
  return std::nullopt;
}

v1::RejectionGround RejectionToApi(domain::RejectionGround g) {
  switch (g) {
    case domain::RejectionGround::kViolatesMandatoryLaw:
      return v1::REJECTION_GROUND_VIOLATES_MANDATORY_LAW;
    case domain::RejectionGround::kHarmsOthersInterests:
      return v1::REJECTION_GROUND_HARMS_OTHERS_INTERESTS;
    case domain::RejectionGround::kPublicOrder:
      return v1::REJECTION_GROUND_PUBLIC_ORDER;
    case domain::RejectionGround::kNotVoluntary:
      return v1::REJECTION_GROUND_NOT_VOLUNTARY;
    case domain::RejectionGround::kUnclear:
      return v1::REJECTION_GROUND_UNCLEAR;
    case domain::RejectionGround::kOther:
      return v1::REJECTION_GROUND_OTHER;
  }
  return v1::REJECTION_GROUND_UNSPECIFIED;
}

std::optional<domain::RejectionGround> RejectionFromApi(int g) {
  for (auto d : {domain::RejectionGround::kViolatesMandatoryLaw,
                 domain::RejectionGround::kHarmsOthersInterests,
                 domain::RejectionGround::kPublicOrder, domain::RejectionGround::kNotVoluntary,
                 domain::RejectionGround::kUnclear, domain::RejectionGround::kOther}) {
    if (RejectionToApi(d) == g) return d;
  }
  return std::nullopt;
}

// The materials of a request, each `cases/{case}/evidence/{e}` of `case_id` with a kind; field
// names under `prefix` ("confirmation." or "").
std::vector<domain::ConfirmationMaterial> MaterialsFromApi(
    const google::protobuf::RepeatedPtrField<v1::ConfirmationMaterial>& in,
    const std::string& case_id, const std::string& prefix, Violations* v) {
  std::vector<domain::ConfirmationMaterial> out;
  if (in.size() > kMaxMaterials) {
    v->Add(prefix + "materials", absl::StrCat("at most ", kMaxMaterials, " materials"));
    return out;
  }
  for (int i = 0; i < in.size(); ++i) {
    const std::string field = absl::StrCat(prefix, "materials[", i, "]");
    domain::ConfirmationMaterial m;
    auto kind = KindFromApi(in[i].kind());
    if (!kind) {
      v->Add(field + ".kind", "is required: IDENTITY_PROOF, PROPERTY_RIGHT_PROOF or OTHER");
    } else {
      m.kind = *kind;
    }
    if (in[i].evidence().empty()) {
      v->Add(field + ".evidence", "is required: cases/{case}/evidence/{evidence}");
      continue;
    }
    auto ids = ParseChildName(in[i].evidence(), "cases", "evidence", field + ".evidence");
    if (!ids.ok()) {
      for (const FieldViolation& fv : ErrorFieldViolations(ids.status())) {
        v->Add(fv.field, fv.description);
      }
      continue;
    }
    if (ids->first != case_id) {
      v->Add(field + ".evidence",
             absl::StrCat("must be evidence of cases/", case_id,
                          ", the case of the application (CPL Interpretation Art. 354)"));
      continue;
    }
    m.evidence_id = ids->second;
    if (std::any_of(out.begin(), out.end(), [&m](const domain::ConfirmationMaterial& x) {
          return x.evidence_id == m.evidence_id;
        })) {
      v->Add(field + ".evidence", "is listed twice");
      continue;
    }
    out.push_back(m);
  }
  return out;
}

// Parties and agents, for the parties' own actions.
domain::MutationContext PartyChange(const CallContext& call) {
  domain::MutationContext m;
  m.actor = call.caller.principal.id;
  if (call.caller.partner) m.acting_through = call.caller.partner->id;
  m.rpc = call.method;
  const domain::Principal* who = &call.caller.principal;
  m.authorize = [who](const domain::Case& k) {
    return domain::AuthorizeCase(*who, k, domain::CaseOperation::kApplyForConfirmation);
  };
  return m;
}

// Which parties the caller consents as: `party` if given (one it is, or an agent of with special
// authority, CPL Art. 62), else all of those.
absl::StatusOr<std::vector<std::string>> ChooseParties(const domain::Principal& p,
                                                       const domain::Case& k,
                                                       const std::string& party) {
  ODR_RETURN_IF_ERROR(domain::AuthorizeCase(p, k, domain::CaseOperation::kApplyForConfirmation));
  return domain::PartiesToSettleFor(p, k, party, "party");
}

// A party's action on an application (join, withdraw, supply materials): NOT_FOUND for whoever
// may not read it, PERMISSION_DENIED for the court and the case's staff.
absl::Status AuthorizePartyAction(const domain::Principal& p, const domain::Case& k,
                                  const domain::Confirmation& f) {
  ODR_RETURN_IF_ERROR(
      domain::AuthorizeConfirmationRead(p, k, f.id, f.court_id, f.submit_time.has_value()));
  if (!domain::RelationTo(p, k).any()) {
    return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                     "only the parties and their agents act on their application");
  }
  return domain::AuthorizeCase(p, k, domain::CaseOperation::kApplyForConfirmation);
}

// The parties citizen `p` is or acts for as any agent (not settling: no special authority
// needed), or only `party` if given, which must be one of them (INVALID_ARGUMENT otherwise).
absl::StatusOr<std::vector<std::string>> OwnPartiesOrOne(const domain::Principal& p,
                                                         const domain::Case& k,
                                                         const std::string& party) {
  std::vector<std::string> mine = domain::OwnParties(p, k);
  if (party.empty()) return mine;
  if (std::find(mine.begin(), mine.end(), party) == mine.end()) {
    return InvalidFieldError("party", "must be a party the caller is or acts for");
  }
  return std::vector<std::string>{party};
}

// A court's decision, authorized on the application as stored.
storage::ConfirmationStore::Authorize CourtDecision(const CallContext& call) {
  const domain::Principal* who = &call.caller.principal;
  return [who](const domain::Case& k, const domain::Confirmation& f) {
    return domain::AuthorizeConfirmationDecision(*who, k, f.id, f.court_id,
                                                 f.submit_time.has_value());
  };
}

domain::MutationContext CourtChange(const CallContext& call) {
  domain::MutationContext m;
  m.actor = call.caller.principal.id;
  if (call.caller.partner) m.acting_through = call.caller.partner->id;
  m.rpc = call.method;
  return m;
}

std::string PageKey(absl::string_view parent, int state) {
  return absl::StrCat(parent, "\n", state);
}

// The root hash of a signed checkpoint note, hex.
std::string RootHex(absl::string_view note) {
  const size_t end = note.find("\n\n");
  if (end == absl::string_view::npos) return "";
  auto cp = transparency::ParseCheckpointBody(note.substr(0, end + 1));
  return cp.ok() ? transparency::HexHash(cp->root) : "";
}

}  // namespace

void ConfirmationServiceImpl::ToProto(const domain::Confirmation& f, const domain::Case& c,
                                      v1::Confirmation* out) {
  out->Clear();
  out->set_name(f.name());
  out->set_agreement(absl::StrCat("cases/", f.case_id, "/agreements/", f.agreement_id));
  out->set_court(absl::StrCat("courts/", f.court_id));
  for (auto b : f.bases) out->add_bases(BasisToApi(b));
  out->set_state(StateToApi(f.state));
  for (const auto& m : f.materials) {
    v1::ConfirmationMaterial* pm = out->add_materials();
    pm->set_evidence(absl::StrCat("cases/", f.case_id, "/evidence/", m.evidence_id));
    pm->set_kind(KindToApi(m.kind));
  }
  for (const auto& p : f.consented) out->add_consented_parties(p);
  if (f.submit_time) *out->mutable_submit_time() = Ts(*f.submit_time);
  if (f.accept_due) *out->mutable_accept_due_time() = Ts(*f.accept_due);
  if (f.accept_time) *out->mutable_accept_time() = Ts(*f.accept_time);
  if (f.ruling_due) *out->mutable_ruling_due_time() = Ts(*f.ruling_due);
  if (f.decision_time) *out->mutable_decision_time() = Ts(*f.decision_time);
  if (f.refusal_ground) out->set_refusal_ground(RefusalToApi(*f.refusal_ground));
  for (auto g : f.rejection_grounds) out->add_rejection_grounds(RejectionToApi(g));
  out->set_court_note(f.court_note);
  out->set_ruling_number(f.ruling_number);
  out->set_court_display_name(f.court_display_name);
  *out->mutable_create_time() = Ts(f.create_time);
  *out->mutable_update_time() = Ts(f.update_time);
  out->set_etag(Etag(f.version));
  out->set_case_number(c.case_number);
  if (f.withdrawal_request) {
    v1::WithdrawalRequest* w = out->mutable_withdrawal_request();
    for (const auto& p : f.withdrawal_request->parties) w->add_parties(p);
    w->set_reason(f.withdrawal_request->reason);
    *w->mutable_request_time() = Ts(f.withdrawal_request->time);
  }
  switch (f.withdrawal_kind) {
    case domain::WithdrawalKind::kNone:
      break;
    case domain::WithdrawalKind::kByParties:
      out->set_withdrawal_kind(v1::Confirmation::WITHDRAWAL_KIND_BY_PARTIES);
      break;
    case domain::WithdrawalKind::kGranted:
      out->set_withdrawal_kind(v1::Confirmation::WITHDRAWAL_KIND_GRANTED);
      break;
    case domain::WithdrawalKind::kDeemed:
      out->set_withdrawal_kind(v1::Confirmation::WITHDRAWAL_KIND_DEEMED);
      break;
  }
  if (f.materials_due) *out->mutable_materials_due_time() = Ts(*f.materials_due);
  if (f.appearance) {
    v1::Appearance* a = out->mutable_appearance();
    *a->mutable_appearance_time() = Ts(f.appearance->time);
    a->set_place(f.appearance->place);
    *a->mutable_call_time() = Ts(f.appearance->called_time);
  }
  for (const auto& x : f.ruling_extensions) {
    v1::RulingExtension* e = out->add_ruling_extensions();
    e->set_days(x.days);
    e->set_approval(x.approval);
    *e->mutable_extend_time() = Ts(x.time);
  }
  for (const auto& x : f.party_time_extensions) {
    v1::PartyTimeExtension* e = out->add_party_time_extensions();
    e->set_period(x.period == domain::PartyPeriod::kMaterials
                      ? v1::PartyTimeExtension::PERIOD_MATERIALS
                      : v1::PartyTimeExtension::PERIOD_OBJECTION);
    e->set_party(x.party);
    e->set_until_date(absl::FormatCivilTime(x.until));
    e->set_reason(x.reason);
    e->set_obstacle_end_date(absl::FormatCivilTime(x.obstacle_end));
    *e->mutable_grant_time() = Ts(x.time);
  }
  if (f.ruling_service_time) *out->mutable_ruling_service_time() = Ts(*f.ruling_service_time);
  if (f.objection_due) *out->mutable_objection_due_time() = Ts(*f.objection_due);
  for (const auto& x : f.objections) {
    v1::Objection* o = out->add_objections();
    o->set_id(x.id);
    o->set_party(x.party);
    o->set_interested_person(x.interested_person);
    if (x.harm_known_date) o->set_harm_known_date(absl::FormatCivilTime(*x.harm_known_date));
    o->set_reason(x.reason);
    *o->mutable_file_time() = Ts(x.file_time);
    o->set_decision(x.decision == domain::ObjectionDecision::kUpheld
                        ? v1::Objection::DECISION_UPHELD
                    : x.decision == domain::ObjectionDecision::kDismissed
                        ? v1::Objection::DECISION_DISMISSED
                        : v1::Objection::DECISION_UNSPECIFIED);
    o->set_decision_note(x.decision_note);
    o->set_decision_ruling_number(x.decision_ruling_number);
    if (x.decision_time) *o->mutable_decision_time() = Ts(*x.decision_time);
  }
  for (const auto& p : f.mediate_again_consented) out->add_mediate_again_parties(p);
}

void ConfirmationServiceImpl::CompetentCourtToProto(const domain::CompetentCourt& cc,
                                                    v1::CompetentCourt* out) {
  out->set_court(absl::StrCat("courts/", cc.court.id));
  out->set_display_name(cc.court.display_name);
  out->set_region_code(cc.court.region_code);
  for (auto b : cc.bases) out->add_bases(BasisToApi(b));
  out->set_level(cc.court.level == domain::CourtLevel::kIntermediate ? v1::COURT_LEVEL_INTERMEDIATE
                                                                     : v1::COURT_LEVEL_BASIC);
  for (const std::string& p : cc.domicile_parties) out->add_domicile_parties(p);
}

absl::StatusOr<Result> ConfirmationServiceImpl::Read(const CallContext& call,
                                                     absl::string_view name) {
  ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(name, "name"));
  ODR_ASSIGN_OR_RETURN(Result r, confirmations_->Get(ids.first, ids.second));
  ODR_RETURN_IF_ERROR(domain::AuthorizeConfirmationRead(call.caller.principal, r.second, r.first.id,
                                                        r.first.court_id,
                                                        r.first.submit_time.has_value()));
  ODR_RETURN_IF_ERROR(access_->Append({AccessRecordFor(call, absl::StrCat("cases/", r.second.id),
                                                       /*change=*/false, clock_->Now())}));
  return r;
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::PrecheckConfirmation(
    grpc::CallbackServerContext* ctx, const v1::PrecheckConfirmationRequest* req,
    v1::PrecheckConfirmationResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/PrecheckConfirmation", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        Violations v;
        std::string court;
        if (!req->confirmation().court().empty()) {
          auto c = ParseCourtName(req->confirmation().court(), "confirmation.court");
          if (c.ok()) {
            court = *c;
          } else {
            v.Add("confirmation.court", "must be courts/{court}");
          }
        }
        std::vector<domain::ConfirmationMaterial> materials =
            MaterialsFromApi(req->confirmation().materials(), id, "confirmation.", &v);
        ODR_ASSIGN_OR_RETURN(domain::Case k, cases_->GetCase(id));
        ODR_RETURN_IF_ERROR(domain::AuthorizeCase(call.caller.principal, k,
                                                  domain::CaseOperation::kApplyForConfirmation));
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_RETURN_IF_ERROR(access_->Append(
            {AccessRecordFor(call, absl::StrCat("cases/", id), /*change=*/false, clock_->Now())}));
        ODR_ASSIGN_OR_RETURN(storage::PrecheckResult r,
                             confirmations_->Precheck(id, court, materials));
        for (const auto& p : r.problems) {
          v1::ConfirmationProblem* pp = resp->add_problems();
          pp->set_reason(p.reason);
          pp->set_field(p.field);
          pp->set_description(p.description);
        }
        for (const auto& p : r.warnings) {
          v1::ConfirmationProblem* pp = resp->add_warnings();
          pp->set_reason(p.reason);
          pp->set_field(p.field);
          pp->set_description(p.description);
        }
        for (const auto& cc : r.input.competent) {
          CompetentCourtToProto(cc, resp->add_competent_courts());
        }
        if (r.input.apply_by) *resp->mutable_apply_by_time() = Ts(*r.input.apply_by);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::CreateConfirmation(
    grpc::CallbackServerContext* ctx, const v1::CreateConfirmationRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/CreateConfirmation", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        Violations v;
        if (auto e = domain::CheckRequestId(req->request_id()); !e.empty()) {
          v.Add("request_id", e);
        }
        std::string court;
        if (!req->has_confirmation()) {
          v.Add("confirmation", "is required: the court and the materials");
        } else if (req->confirmation().court().empty()) {
          v.Add("confirmation.court",
                "is required: one of the competent courts (PrecheckConfirmation lists them)");
        } else {
          auto c = ParseCourtName(req->confirmation().court(), "confirmation.court");
          if (c.ok()) {
            court = *c;
          } else {
            v.Add("confirmation.court", "must be courts/{court}");
          }
        }
        std::vector<domain::ConfirmationMaterial> materials =
            MaterialsFromApi(req->confirmation().materials(), id, "confirmation.", &v);
        ODR_RETURN_IF_ERROR(v.ToStatus());
        const domain::Principal& who = call.caller.principal;
        const std::string party = req->party();
        const std::string key = req->request_id().empty()
                                    ? ""
                                    : absl::StrCat("principal:", who.id, ":", req->request_id(),
                                                   ":", MessageFingerprint(call.method, *req));
        ODR_ASSIGN_OR_RETURN(Result r, confirmations_->Create(
                                           id, court, materials,
                                           [&who, &party](const domain::Case& k) {
                                             return ChooseParties(who, k, party);
                                           },
                                           key, PartyChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::JoinConfirmation(
    grpc::CallbackServerContext* ctx, const v1::JoinConfirmationRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(ctx, "/odr.v1.ConfirmationService/JoinConfirmation", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
                        const domain::Principal& who = call.caller.principal;
                        const std::string party = req->party();
                        ODR_ASSIGN_OR_RETURN(
                            Result r,
                            confirmations_->Join(
                                ids.first, ids.second,
                                [&who, &party](const domain::Case& k, const domain::Confirmation& f)
                                    -> absl::StatusOr<std::vector<std::string>> {
                                  ODR_RETURN_IF_ERROR(AuthorizePartyAction(who, k, f));
                                  return ChooseParties(who, k, party);
                                },
                                PartyChange(call)));
                        ToProto(r.first, r.second, resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::GetConfirmation(
    grpc::CallbackServerContext* ctx, const v1::GetConfirmationRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(ctx, "/odr.v1.ConfirmationService/GetConfirmation", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(Result r, Read(call, req->name()));
                        ToProto(r.first, r.second, resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::ListConfirmations(
    grpc::CallbackServerContext* ctx, const v1::ListConfirmationsRequest* req,
    v1::ListConfirmationsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/ListConfirmations", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(int limit, domain::EffectivePageSize(req->page_size(), 50, 500));
        std::optional<domain::ConfirmationState> state;
        if (req->state() != v1::Confirmation::STATE_UNSPECIFIED) {
          state = StateFromApi(req->state());
          if (!state) return InvalidFieldError("state", "is not a Confirmation.State");
        }
        const std::string key = PageKey(req->parent(), req->state());
        std::optional<domain::CaseCursor> after;
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(after, domain::DecodePageToken(req->page_token(), key));
        }
        const domain::Principal& who = call.caller.principal;
        const absl::Time now = clock_->Now();
        if (absl::StartsWith(req->parent(), "courts/")) {
          ODR_ASSIGN_OR_RETURN(std::string court, ParseCourtName(req->parent(), "parent"));
          ODR_RETURN_IF_ERROR(domain::AuthorizeCourt(who, court));
          std::optional<storage::ListCursor> cursor;
          if (after) {
            int64_t us = 0;
            if (!absl::SimpleAtoi(after->key, &us)) {
              return InvalidFieldError("page_token", "is not a token returned by this list call");
            }
            cursor = storage::ListCursor{us, after->id};
          }
          ODR_ASSIGN_OR_RETURN(storage::ConfirmationPage page,
                               confirmations_->ListForCourt(court, state, cursor, limit));
          std::vector<storage::AccessRecord> reads;
          for (const auto& [f, k] : page.items) {
            reads.push_back(AccessRecordFor(call, absl::StrCat("cases/", k.id), false, now));
          }
          ODR_RETURN_IF_ERROR(access_->Append(reads));
          for (const auto& [f, k] : page.items) ToProto(f, k, resp->add_confirmations());
          if (page.next) {
            resp->set_next_page_token(domain::EncodePageToken(
                key, domain::CaseCursor{absl::StrCat(page.next->time_us), page.next->id}));
          }
          return absl::OkStatus();
        }
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(auto all, confirmations_->ListForCase(id, state));
        ODR_RETURN_IF_ERROR(domain::AuthorizeCase(who, all.second, domain::CaseOperation::kRead));
        // Only the applications the caller may read: a court sees none of a case's applications
        // until every party has consented, and then only those made to it.
        all.first.erase(std::remove_if(all.first.begin(), all.first.end(),
                                       [&](const domain::Confirmation& f) {
                                         return !domain::AuthorizeConfirmationRead(
                                                     who, all.second, f.id, f.court_id,
                                                     f.submit_time.has_value())
                                                     .ok();
                                       }),
                        all.first.end());
        ODR_RETURN_IF_ERROR(
            access_->Append({AccessRecordFor(call, absl::StrCat("cases/", id), false, now)}));
        size_t start = 0;
        if (after && !absl::SimpleAtoi(after->key, &start)) {
          return InvalidFieldError("page_token", "is not a token returned by this list call");
        }
        size_t i = start;
        for (; i < all.first.size() && static_cast<int>(i - start) < limit; ++i) {
          ToProto(all.first[i], all.second, resp->add_confirmations());
        }
        if (i < all.first.size()) {
          resp->set_next_page_token(
              domain::EncodePageToken(key, domain::CaseCursor{absl::StrCat(i), id}));
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::WithdrawConfirmation(
    grpc::CallbackServerContext* ctx, const v1::WithdrawConfirmationRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/WithdrawConfirmation", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        if (auto e = domain::CheckText(req->reason(), 0, domain::Limits::kShortReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        const domain::Principal* who = &call.caller.principal;
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->Withdraw(
                          ids.first, ids.second, req->reason(),
                          [who](const domain::Case& k, const domain::Confirmation& f) {
                            return AuthorizePartyAction(*who, k, f);
                          },
                          [who](const domain::Case& k) { return domain::OwnParties(*who, k); },
                          PartyChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::SupplyMaterials(
    grpc::CallbackServerContext* ctx, const v1::SupplyMaterialsRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(ctx, "/odr.v1.ConfirmationService/SupplyMaterials", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
                        Violations v;
                        if (req->materials().empty())
                          v.Add("materials", "is required: 1-50 materials");
                        std::vector<domain::ConfirmationMaterial> materials =
                            MaterialsFromApi(req->materials(), ids.first, "", &v);
                        ODR_RETURN_IF_ERROR(v.ToStatus());
                        const domain::Principal* who = &call.caller.principal;
                        ODR_ASSIGN_OR_RETURN(
                            Result r,
                            confirmations_->SupplyMaterials(
                                ids.first, ids.second, materials,
                                [who](const domain::Case& k, const domain::Confirmation& f) {
                                  return AuthorizePartyAction(*who, k, f);
                                },
                                PartyChange(call)));
                        ToProto(r.first, r.second, resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::GetCourtBundle(
    grpc::CallbackServerContext* ctx, const v1::GetCourtBundleRequest* req, v1::CourtBundle* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/GetCourtBundle", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(Result r, Read(call, req->name()));
        const domain::Confirmation& f = r.first;
        domain::Case k = r.second;
        const domain::Principal& who = call.caller.principal;
        const absl::Time now = clock_->Now();
        ToProto(f, k, resp->mutable_confirmation());
        // The agreement with its text, hash and signatures, and the key that verifies them.
        ODR_ASSIGN_OR_RETURN(auto agreement, agreements_->Get(k.id, f.agreement_id, 0));
        AgreementToProto(agreement.first, agreement.second, who, now, resp->mutable_agreement());
        resp->set_agreement_public_key(signer_->PublicKey());
        resp->set_agreement_key_id(signer_->KeyId());
        // Evidence every party could see, each proven against one tree size.
        std::map<std::string, domain::MaterialKind> kinds;
        for (const auto& m : f.materials) kinds[m.evidence_id] = m.kind;
        int64_t after = -1;
        int64_t tree_size = 0;
        while (true) {
          ODR_ASSIGN_OR_RETURN(std::vector<domain::EvidenceRecord> page,
                               evidence_->ListEvidence(k.id, after, 500, false));
          if (page.empty()) break;
          for (const domain::EvidenceRecord& e : page) {
            after = e.log_index;
            if (e.state != domain::EvidenceState::kActive ||
                e.visibility != domain::EvidenceVisibility::kAllParties) {
              continue;
            }
            ODR_ASSIGN_OR_RETURN(storage::InclusionBundle b,
                                 evidence_->ProveInclusion(e.log_index, tree_size));
            tree_size = b.tree_size;
            v1::BundleEvidence* be = resp->add_evidence();
            be->set_evidence(absl::StrCat("cases/", k.id, "/evidence/", e.id));
            be->set_filename(e.file_name);
            be->set_content_type(e.media_type);
            be->set_size_bytes(e.size_bytes);
            be->set_sha256(e.sha256);
            *be->mutable_upload_time() = Ts(e.create_time);
            be->set_log_index(b.leaf_index);
            be->set_log_size(b.tree_size);
            for (const transparency::Hash& h : b.path) {
              be->add_inclusion_proof(transparency::HexHash(h));
            }
            be->set_root_hash(RootHex(b.checkpoint));
            be->set_uploader_role(RoleToApi(e.uploader_role));
            v1::EvidenceProof* proof = be->mutable_proof();
            proof->set_evidence(be->evidence());
            proof->set_leaf_data(b.leaf_data);
            proof->set_leaf_index(b.leaf_index);
            proof->set_tree_size(b.tree_size);
            for (const transparency::Hash& h : b.path) {
              proof->add_inclusion_path(std::string(h.begin(), h.end()));
            }
            proof->set_checkpoint(b.checkpoint);
            if (auto it = kinds.find(e.id); it != kinds.end()) {
              be->set_material_kind(KindToApi(it->second));
            }
          }
        }
        // The timeline everyone could see, oldest first.
        int64_t after_seq = 0;
        while (true) {
          ODR_ASSIGN_OR_RETURN(storage::EventPage events,
                               cases_->ListCaseEvents(k.id, after_seq, 1000));
          for (const domain::CaseEvent& e : events.events) {
            if (e.audience != domain::EventAudience::kAll) continue;
            v1::CaseEvent pe;
            EventToProto(e, &pe);
            v1::BundleEvent* be = resp->add_timeline();
            *be->mutable_event_time() = pe.event_time();
            be->set_actor(pe.actor());
            be->set_acting_through(pe.acting_through());
            be->set_from_state(pe.from_state());
            be->set_to_state(pe.to_state());
            be->set_kind(pe.kind());
            be->set_description(pe.reason());
          }
          if (!events.next_after_seq) break;
          after_seq = *events.next_after_seq;
        }
        // How the parties consented, were told, identified and confirmed (Interp Art. 358(四)):
        // all of it for the court; a party reading the bundle sees what ListProcedureRecords
        // shows it.
        ODR_ASSIGN_OR_RETURN(auto records, records_->List(k.id));
        for (const domain::ProcedureRecord& r : records.first) {
          const domain::RecordVisibility seen = domain::VisibilityOf(who, k, r);
          if (seen == domain::RecordVisibility::kHidden) continue;
          RecordToProto(r, seen == domain::RecordVisibility::kFull, resp->add_records());
        }
        // Proof the organization mediated.
        resp->set_organization(absl::StrCat("organizations/", k.data.organization_id));
        for (const auto& a : k.assignments) {
          if (a.state == domain::AssignmentState::kAccepted) {
            resp->add_mediators(
                absl::StrCat("organizations/", a.organization_id, "/mediators/", a.mediator_id));
          }
        }
        domain::RedactCase(who, &k);
        CaseToProto(k, resp->mutable_case_());
        *resp->mutable_create_time() = Ts(now);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::AcceptConfirmation(
    grpc::CallbackServerContext* ctx, const v1::AcceptConfirmationRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/AcceptConfirmation", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->Accept(ids.first, ids.second, version, CourtDecision(call),
                                             CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::RefuseConfirmation(
    grpc::CallbackServerContext* ctx, const v1::RefuseConfirmationRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/RefuseConfirmation", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        auto ground = RefusalFromApi(req->ground());
        if (!ground) {
          v.Add("ground",
                "is required: NO_JURISDICTION, PERSONAL_STATUS, SPECIAL_PROCEDURE, "
                "PROPERTY_OWNERSHIP or OTHER (CPL Interpretation Art. 355)");
        }
        if (auto e = domain::CheckText(req->note(), 1, kNoteChars, true); !e.empty()) {
          v.Add("note", e);
        }
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->Refuse(ids.first, ids.second, *ground, req->note(), *version,
                                             CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::RequestMaterials(
    grpc::CallbackServerContext* ctx, const v1::RequestMaterialsRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/RequestMaterials", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        if (auto e = domain::CheckText(req->note(), 1, kNoteChars, true); !e.empty()) {
          v.Add("note", e);
        }
        if (absl::Status st = domain::CheckMaterialsDueDays(req->due_days()); !st.ok()) {
          v.Add("due_days", std::string(st.message()));
        }
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(Result r, confirmations_->RequestMaterials(
                                           ids.first, ids.second, req->note(), req->due_days(),
                                           *version, CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::RuleConfirmation(
    grpc::CallbackServerContext* ctx, const v1::RuleConfirmationRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/RuleConfirmation", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        const bool valid = req->outcome() == v1::RuleConfirmationRequest::OUTCOME_VALID;
        const bool rejected = req->outcome() == v1::RuleConfirmationRequest::OUTCOME_REJECTED;
        if (!valid && !rejected) v.Add("outcome", "is required: VALID or REJECTED");
        std::vector<domain::RejectionGround> grounds;
        for (int i = 0; i < req->grounds_size(); ++i) {
          auto g = RejectionFromApi(req->grounds(i));
          if (!g) {
            v.Add(absl::StrCat("grounds[", i, "]"), "is not a RejectionGround");
          } else if (std::find(grounds.begin(), grounds.end(), *g) != grounds.end()) {
            v.Add(absl::StrCat("grounds[", i, "]"), "is listed twice");
          } else {
            grounds.push_back(*g);
          }
        }
        if (valid && req->grounds_size() > 0) {
          v.Add("grounds", "must be empty when the agreement is ruled valid");
        }
        if (rejected && req->grounds_size() == 0) {
          v.Add("grounds",
                "is required for a rejection: at least one ground of CPL Interpretation Art. 358");
        }
        if (auto e = domain::CheckText(req->note(), rejected ? 1 : 0, kNoteChars, true);
            !e.empty()) {
          v.Add("note", rejected ? absl::StrCat(e, " (a rejection gives its reasons)") : e);
        }
        if (auto e = domain::CheckText(req->ruling_number(), 1, kRulingNumberChars, false);
            !e.empty()) {
          v.Add("ruling_number", absl::StrCat(e, ", e.g. (2026)浙0681民特123号"));
        }
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->Rule(ids.first, ids.second, valid, grounds, req->note(),
                                           req->ruling_number(), *version, CourtDecision(call),
                                           CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::CallParties(grpc::CallbackServerContext* ctx,
                                                               const v1::CallPartiesRequest* req,
                                                               v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/CallParties", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        auto time =
            RequiredTime(req->has_appearance_time(), req->appearance_time(), "appearance_time");
        if (!time.ok()) v.Add("appearance_time", std::string(time.status().message()));
        if (auto e = domain::CheckText(req->place(), 1, kPlaceChars, false); !e.empty()) {
          v.Add("place", e);
        }
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(Result r, confirmations_->CallParties(
                                           ids.first, ids.second, *time, req->place(), *version,
                                           CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::ExtendRulingPeriod(
    grpc::CallbackServerContext* ctx, const v1::ExtendRulingPeriodRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/ExtendRulingPeriod", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        if (req->days() < 1 || req->days() > domain::kMaxRulingExtensionDays) {
          v.Add("days", absl::StrCat("must be 1 to ", domain::kMaxRulingExtensionDays));
        }
        if (auto e = domain::CheckText(req->approval(), 1, kPlaceChars, false); !e.empty()) {
          v.Add("approval", absl::StrCat(e, ": the court president's approval (CPL Art. 187)"));
        }
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(Result r, confirmations_->ExtendRuling(
                                           ids.first, ids.second, req->days(), req->approval(),
                                           *version, CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::ExtendPartyTime(
    grpc::CallbackServerContext* ctx, const v1::ExtendPartyTimeRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/ExtendPartyTime", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        domain::PartyTimeExtension e;
        switch (req->period()) {
          case v1::PartyTimeExtension::PERIOD_MATERIALS:
            e.period = domain::PartyPeriod::kMaterials;
            break;
          case v1::PartyTimeExtension::PERIOD_OBJECTION:
            e.period = domain::PartyPeriod::kObjection;
            break;
          default:
            v.Add("period", "is required: PERIOD_MATERIALS or PERIOD_OBJECTION");
        }
        if (req->party().empty()) v.Add("party", "is required: the party who applied");
        e.party = req->party();
        if (!absl::ParseCivilTime(req->until_date(), &e.until)) {
          v.Add("until_date", "is required: the new last day, YYYY-MM-DD");
        }
        if (!absl::ParseCivilTime(req->obstacle_end_date(), &e.obstacle_end)) {
          v.Add("obstacle_end_date", "is required: the day the obstacle ended, YYYY-MM-DD");
        }
        if (auto err = domain::CheckText(req->reason(), 1, kGoodReasonChars, true); !err.empty()) {
          v.Add("reason", absl::StrCat(err, ": the party's good reason (CPL Art. 86)"));
        }
        e.reason = req->reason();
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->ExtendPartyTime(ids.first, ids.second, e, *version,
                                                      CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::RuleWithdrawal(
    grpc::CallbackServerContext* ctx, const v1::RuleWithdrawalRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/RuleWithdrawal", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        std::optional<domain::WithdrawalRuling> ruling;
        switch (req->outcome()) {
          case v1::RuleWithdrawalRequest::OUTCOME_GRANTED:
            ruling = domain::WithdrawalRuling::kGrant;
            break;
          case v1::RuleWithdrawalRequest::OUTCOME_REFUSED:
            ruling = domain::WithdrawalRuling::kDeny;
            break;
          case v1::RuleWithdrawalRequest::OUTCOME_DEEMED_WITHDRAWN:
            ruling = domain::WithdrawalRuling::kDeem;
            break;
          default:
            v.Add("outcome", "is required: GRANTED, REFUSED or DEEMED_WITHDRAWN");
        }
        const bool needs_number = ruling && *ruling != domain::WithdrawalRuling::kDeny;
        if (auto e = domain::CheckText(req->ruling_number(), needs_number ? 1 : 0,
                                       kRulingNumberChars, false);
            !e.empty()) {
          v.Add("ruling_number", absl::StrCat(e, ", e.g. (2026)浙0681民特123号之一"));
        }
        if (auto e = domain::CheckText(req->note(), 0, kNoteChars, true); !e.empty()) {
          v.Add("note", e);
        }
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->RuleWithdrawal(ids.first, ids.second, *ruling, req->note(),
                                                     req->ruling_number(), *version,
                                                     CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::RecordRulingService(
    grpc::CallbackServerContext* ctx, const v1::RecordRulingServiceRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/RecordRulingService", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(absl::Time served, RequiredTime(req->has_service_time(),
                                                             req->service_time(), "service_time"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version, ParseEtag(req->etag(), "etag"));
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->RecordRulingService(ids.first, ids.second, served, version,
                                                          CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::FileObjection(
    grpc::CallbackServerContext* ctx, const v1::FileObjectionRequest* req, v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/FileObjection", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        const bool by_party = !req->party().empty();
        if (by_party == !req->interested_person().empty()) {
          v.Add("party", "exactly one of party and interested_person is required");
        }
        if (auto e = domain::CheckText(req->interested_person(), 0, kPlaceChars, false);
            !e.empty()) {
          v.Add("interested_person", e);
        }
        std::optional<absl::CivilDay> known;
        if (!by_party) {
          absl::CivilDay day;
          if (!absl::ParseCivilTime(req->harm_known_date(), &day)) {
            v.Add("harm_known_date", "is required for an interested person: YYYY-MM-DD");
          } else {
            known = day;
          }
        } else if (!req->harm_known_date().empty()) {
          v.Add("harm_known_date", "is only for an interested person");
        }
        if (auto e = domain::CheckText(req->reason(), 1, kNoteChars, true); !e.empty()) {
          v.Add("reason", e);
        }
        ODR_RETURN_IF_ERROR(v.ToStatus());
        const domain::Principal* who = &call.caller.principal;
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->FileObjection(
                          ids.first, ids.second,
                          [&](const domain::Case& k,
                              const domain::Confirmation& f) -> absl::StatusOr<domain::Objection> {
                            domain::Objection o;
                            o.reason = req->reason();
                            if (by_party) {
                              // A party objects for itself, or an agent for it (CPL Interpretation
                              // Art. 372).
                              ODR_RETURN_IF_ERROR(AuthorizePartyAction(*who, k, f));
                              ODR_RETURN_IF_ERROR(OwnPartiesOrOne(*who, k, req->party()).status());
                              o.party = req->party();
                            } else {
                              // An interested person files with the court, which records it.
                              ODR_RETURN_IF_ERROR(domain::AuthorizeConfirmationDecision(
                                  *who, k, f.id, f.court_id, f.submit_time.has_value()));
                              o.interested_person = req->interested_person();
                              o.harm_known_date = known;
                            }
                            return o;
                          },
                          by_party ? PartyChange(call) : CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::DecideObjection(
    grpc::CallbackServerContext* ctx, const v1::DecideObjectionRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(
      ctx, "/odr.v1.ConfirmationService/DecideObjection", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
        Violations v;
        if (req->objection().empty()) v.Add("objection", "is required: the objection's id");
        if (auto e = domain::CheckText(req->ruling_number(), 1, kRulingNumberChars, false);
            !e.empty()) {
          v.Add("ruling_number", e);
        }
        if (auto e = domain::CheckText(req->note(), 0, kNoteChars, true); !e.empty()) {
          v.Add("note", e);
        }
        auto version = ParseEtag(req->etag(), "etag");
        if (!version.ok()) v.Add("etag", "is not an etag returned by odr");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        ODR_ASSIGN_OR_RETURN(
            Result r, confirmations_->DecideObjection(
                          ids.first, ids.second, req->objection(), req->upheld(), req->note(),
                          req->ruling_number(), *version, CourtDecision(call), CourtChange(call)));
        ToProto(r.first, r.second, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* ConfirmationServiceImpl::ConsentToMediateAgain(
    grpc::CallbackServerContext* ctx, const v1::ConsentToMediateAgainRequest* req,
    v1::Confirmation* resp) {
  return runner_->Run(ctx, "/odr.v1.ConfirmationService/ConsentToMediateAgain", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(auto ids, ParseConfirmationName(req->name(), "name"));
                        const domain::Principal* who = &call.caller.principal;
                        const std::string party = req->party();
                        ODR_ASSIGN_OR_RETURN(
                            Result r,
                            confirmations_->ConsentToMediateAgain(
                                ids.first, ids.second,
                                [who, &party](const domain::Case& k, const domain::Confirmation& f)
                                    -> absl::StatusOr<std::vector<std::string>> {
                                  ODR_RETURN_IF_ERROR(AuthorizePartyAction(*who, k, f));
                                  // Agreeing to mediate is not settling: any agent of the party may
                                  // (CPL Art. 62 reserves settling to special authority, not this).
                                  return OwnPartiesOrOne(*who, k, party);
                                },
                                PartyChange(call)));
                        ToProto(r.first, r.second, resp);
                        return absl::OkStatus();
                      });
}

}  // namespace odr::server
