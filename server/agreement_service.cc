#include "server/agreement_service.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/time_util.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/errors.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "server/proto_time.h"

namespace odr::server {
namespace {

using google::protobuf::util::TimeUtil;

// API term kinds are the domain's in order, shifted by one (UNSPECIFIED).
std::optional<domain::TermKind> TermKindFromApi(v1::AgreementTerm::Kind k) {
  if (k <= v1::AgreementTerm::KIND_UNSPECIFIED || k > v1::AgreementTerm::KIND_OTHER) {
    return std::nullopt;
  }
  return static_cast<domain::TermKind>(static_cast<int>(k) - 1);
}
v1::AgreementTerm::Kind TermKindToApi(domain::TermKind k) {
  return static_cast<v1::AgreementTerm::Kind>(static_cast<int>(k) + 1);
}

v1::Agreement::State StateToApi(domain::AgreementState s) {
  switch (s) {
    case domain::AgreementState::kDraft:
      return v1::Agreement::STATE_DRAFT;
    case domain::AgreementState::kEffective:
      return v1::Agreement::STATE_EFFECTIVE;
    case domain::AgreementState::kAbandoned:
      return v1::Agreement::STATE_ABANDONED;
    case domain::AgreementState::kConfirmationRejected:
      return v1::Agreement::STATE_CONFIRMATION_REJECTED;
  }
  return v1::Agreement::STATE_UNSPECIFIED;
}

v1::AgreementSignature::Role RoleToApi(domain::SignerRole r) {
  switch (r) {
    case domain::SignerRole::kParty:
      return v1::AgreementSignature::ROLE_PARTY;
    case domain::SignerRole::kMediator:
      return v1::AgreementSignature::ROLE_MEDIATOR;
    case domain::SignerRole::kOrganization:
      return v1::AgreementSignature::ROLE_ORGANIZATION;
  }
  return v1::AgreementSignature::ROLE_UNSPECIFIED;
}

// The content of `in` (output-only fields ignored), validated against case `k`, with field names
// under "agreement".
absl::StatusOr<domain::AgreementContent> ContentFromApi(const v1::Agreement& in,
                                                        const domain::Case& k, absl::Time now) {
  Violations v;
  domain::AgreementContent a;
  a.facts = in.facts();
  a.issues = in.issues();
  a.responsibilities = in.responsibilities();
  for (int i = 0; i < in.terms_size(); ++i) {
    const v1::AgreementTerm& t = in.terms(i);
    auto kind = TermKindFromApi(t.kind());
    if (!kind) v.Add(absl::StrCat("agreement.terms[", i, "].kind"), "is required");
    a.terms.push_back({kind.value_or(domain::TermKind::kOther), t.description(), t.obligor(),
                       t.method(), t.deadline_date()});
  }
  for (const v1::Instalment& in_i : in.instalments()) {
    a.instalments.push_back({in_i.due_date(), in_i.amount_fen(), in_i.payer(), in_i.payee()});
  }
  domain::ValidateAgreementContent(a, k, now, "agreement", &v);
  ODR_RETURN_IF_ERROR(v.ToStatus());
  return a;
}

absl::StatusOr<std::pair<std::string, std::string>> ParseAgreementName(absl::string_view name,
                                                                       absl::string_view field) {
  return ParseChildName(name, "cases", "agreements", field);
}

// Whom the caller signs as, on case `k` as stored: its own parties (or `party` of them), or
// the mediator, or the organization.
absl::StatusOr<std::vector<std::pair<std::string, domain::SignerRole>>> SignersFor(
    const domain::Principal& p, const domain::Case& k, const std::string& party) {
  ODR_RETURN_IF_ERROR(domain::AuthorizeCase(p, k, domain::CaseOperation::kSignAgreement));
  std::vector<std::pair<std::string, domain::SignerRole>> out;
  if (p.role == domain::Role::kMediator) {
    out.push_back({absl::StrCat("principals/", p.id), domain::SignerRole::kMediator});
  } else if (p.role == domain::Role::kOrgAdmin) {
    out.push_back({absl::StrCat("organizations/", k.data.organization_id),
                   domain::SignerRole::kOrganization});
  } else {
    ODR_ASSIGN_OR_RETURN(std::vector<std::string> parties,
                         domain::PartiesToSettleFor(p, k, party, "party"));
    for (std::string& own : parties) out.push_back({std::move(own), domain::SignerRole::kParty});
  }
  if (!party.empty() && p.role != domain::Role::kCitizen) {
    return InvalidFieldError("party", "only a citizen signs as a party");
  }
  return out;
}

std::string HtmlEscape(absl::string_view s) {
  return absl::StrReplaceAll(
      s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

// Courts read agreements only as filed with them, in the court bundle: never drafts or earlier
// revisions, which would show how the parties' positions moved (OMR Art. 18).
absl::Status NotForCourts(const domain::Principal& p) {
  if (p.role != domain::Role::kCourt) return absl::OkStatus();
  return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                   "a court receives the effective agreement in the court bundle "
                   "(ConfirmationService.GetCourtBundle), never drafts");
}

std::string SignatureLines(const v1::Agreement& a) {
  std::string out;
  for (const auto& s : a.signatures()) {
    absl::StrAppend(&out, s.signer(), " signed as ", s.principal(), " at ",
                    TimeUtil::ToString(s.sign_time()), " (key ", s.key_id(), ")\n");
  }
  for (const auto& p : a.pending_signers()) absl::StrAppend(&out, p, ": not signed yet\n");
  return out;
}

}  // namespace

void AgreementToProto(const domain::Agreement& a, const domain::Case& c,
                      const domain::Principal& viewer, absl::Time now, v1::Agreement* out) {
  out->Clear();
  out->set_name(a.name());
  out->set_revision(a.revision);
  out->set_state(StateToApi(a.state));
  const domain::CaseRelation r = domain::RelationTo(viewer, c);
  const bool citizen = viewer.role == domain::Role::kCitizen;
  for (const domain::AgreementParty& p : a.parties) {
    v1::AgreementParty* pp = out->add_parties();
    pp->set_party(p.ref);
    pp->set_kind(static_cast<v1::PartyKind>(static_cast<int>(p.kind) + 1));
    pp->set_name(p.name);
    pp->set_id_document_type(IdDocumentTypeToApi(p.id_document_type));
    const bool applicant = absl::StartsWith(p.ref, "applicants/");
    const bool other_side = citizen && (applicant ? !r.applicant_side : !r.respondent_side);
    pp->set_id_number(other_side ? domain::Mask(p.id_number, 4, 4) : p.id_number);
    pp->set_phone(other_side ? domain::Mask(p.phone, 3, 4) : p.phone);
    pp->set_service_address(p.service_address);
  }
  out->set_facts(a.content.facts);
  out->set_issues(a.content.issues);
  out->set_responsibilities(a.content.responsibilities);
  for (const domain::AgreementTerm& t : a.content.terms) {
    v1::AgreementTerm* pt = out->add_terms();
    pt->set_kind(TermKindToApi(t.kind));
    pt->set_description(t.description);
    pt->set_obligor(t.obligor);
    pt->set_method(t.method);
    pt->set_deadline_date(t.deadline_date);
  }
  for (size_t i = 0; i < a.content.instalments.size(); ++i) {
    const domain::Instalment& in = a.content.instalments[i];
    v1::Instalment* pi = out->add_instalments();
    pi->set_due_date(in.due_date);
    pi->set_amount_fen(in.amount_fen);
    pi->set_payer(in.payer);
    pi->set_payee(in.payee);
    pi->set_paid_fen(domain::PaidFen(a, static_cast<int>(i)));
    if (a.state != domain::AgreementState::kEffective) continue;  // not yet (or no longer) owed
    switch (domain::InstalmentStateAt(a, static_cast<int>(i), now)) {
      case domain::InstalmentState::kDue:
        pi->set_state(v1::Instalment::STATE_DUE);
        break;
      case domain::InstalmentState::kPaid: {
        pi->set_state(v1::Instalment::STATE_PAID);
        // Paid in full by the payment that completed it.
        int64_t sum = 0;
        for (const domain::Payment& p : a.payments) {
          if (p.instalment != static_cast<int>(i)) continue;
          sum += p.amount_fen;
          if (sum >= in.amount_fen) {
            *pi->mutable_paid_time() = Ts(p.time);
            break;
          }
        }
        break;
      }
      case domain::InstalmentState::kOverdue:
        pi->set_state(v1::Instalment::STATE_OVERDUE);
        break;
    }
  }
  out->set_content_hash(a.content_hash);
  out->set_text(a.text);
  for (const domain::AgreementSignature& s : a.signatures) {
    v1::AgreementSignature* ps = out->add_signatures();
    ps->set_signer(s.signer);
    ps->set_role(RoleToApi(s.role));
    ps->set_principal(PrincipalName(s.principal));
    *ps->mutable_sign_time() = Ts(s.time);
    ps->set_statement(s.statement);
    ps->set_signature(s.signature);
    ps->set_key_id(s.key_id);
  }
  if (a.state == domain::AgreementState::kDraft || a.state == domain::AgreementState::kEffective) {
    for (const std::string& p : domain::PendingSigners(c, a.signatures)) {
      out->add_pending_signers(p);
    }
  }
  *out->mutable_create_time() = Ts(a.create_time);
  *out->mutable_update_time() = Ts(a.update_time);
  if (a.effective_time) *out->mutable_effective_time() = Ts(*a.effective_time);
  out->set_etag(Etag(a.version));
  out->set_effect_rule(a.effect_rule == domain::EffectRule::kAllSigned
                           ? v1::Agreement::EFFECT_RULE_ALL_SIGNED
                           : v1::Agreement::EFFECT_RULE_PARTIES_SIGNED);
  if (a.service_time) *out->mutable_service_time() = Ts(*a.service_time);
  if (a.court_filing_time) *out->mutable_court_filing_time() = Ts(*a.court_filing_time);
}

absl::StatusOr<std::pair<domain::Agreement, domain::Case>> AgreementServiceImpl::Read(
    const CallContext& call, absl::string_view name, int revision) {
  ODR_ASSIGN_OR_RETURN(auto ids, ParseAgreementName(name, "name"));
  if (revision < 0) return InvalidFieldError("revision", "must not be negative");
  auto found = store_->Get(ids.first, ids.second, revision);
  if (!found.ok()) {
    // A hidden case and a missing agreement read the same to a caller who may not see the case.
    if (absl::IsNotFound(found.status())) return domain::CaseNotFoundError(ids.first);
    return found.status();
  }
  ODR_RETURN_IF_ERROR(
      domain::AuthorizeCase(call.caller.principal, found->second, domain::CaseOperation::kRead));
  ODR_RETURN_IF_ERROR(NotForCourts(call.caller.principal));
  ODR_RETURN_IF_ERROR(access_->Append(
      {AccessRecordFor(call, found->first.name(), /*change=*/false, clock_->Now())}));
  return found;
}

grpc::ServerUnaryReactor* AgreementServiceImpl::CreateAgreement(
    grpc::CallbackServerContext* ctx, const v1::CreateAgreementRequest* req, v1::Agreement* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/CreateAgreement", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        if (auto e = domain::CheckRequestId(req->request_id()); !e.empty()) {
          return InvalidFieldError("request_id", e);
        }
        const std::string key = req->request_id().empty()
                                    ? ""
                                    : absl::StrCat(call.caller.principal.id, ":", req->request_id(),
                                                   ":", MessageFingerprint(call.method, *req));
        // The content is checked against the parties of the case as stored.
        ODR_ASSIGN_OR_RETURN(domain::Agreement a,
                             store_->Create(
                                 id,
                                 [req, now = clock_->Now()](const domain::Case& k) {
                                   return ContentFromApi(req->agreement(), k, now);
                                 },
                                 key, CaseChangeBy(call, domain::CaseOperation::kDraftAgreement)));
        ODR_ASSIGN_OR_RETURN(auto got, store_->Get(id, a.id, 0));
        AgreementToProto(got.first, got.second, call.caller.principal, clock_->Now(), resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::GetAgreement(grpc::CallbackServerContext* ctx,
                                                             const v1::GetAgreementRequest* req,
                                                             v1::Agreement* resp) {
  return runner_->Run(ctx, "/odr.v1.AgreementService/GetAgreement", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(auto found, Read(call, req->name(), req->revision()));
                        AgreementToProto(found.first, found.second, call.caller.principal,
                                         clock_->Now(), resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::ListAgreements(grpc::CallbackServerContext* ctx,
                                                               const v1::ListAgreementsRequest* req,
                                                               v1::ListAgreementsResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/ListAgreements", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(auto found, store_->List(id));
        ODR_RETURN_IF_ERROR(domain::AuthorizeCase(call.caller.principal, found.second,
                                                  domain::CaseOperation::kRead));
        ODR_RETURN_IF_ERROR(NotForCourts(call.caller.principal));
        ODR_RETURN_IF_ERROR(access_->Append(
            {AccessRecordFor(call, absl::StrCat("cases/", id), /*change=*/false, clock_->Now())}));
        for (const domain::Agreement& a : found.first) {
          AgreementToProto(a, found.second, call.caller.principal, clock_->Now(),
                           resp->add_agreements());
        }
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::UpdateAgreement(
    grpc::CallbackServerContext* ctx, const v1::UpdateAgreementRequest* req, v1::Agreement* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/UpdateAgreement", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids,
                             ParseAgreementName(req->agreement().name(), "agreement.name"));
        ODR_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                             ParseEtag(req->agreement().etag(), "agreement.etag"));
        ODR_ASSIGN_OR_RETURN(
            domain::Agreement a,
            store_->Revise(
                ids.first, ids.second,
                [req, now = clock_->Now()](const domain::Case& k) {
                  return ContentFromApi(req->agreement(), k, now);
                },
                version, CaseChangeBy(call, domain::CaseOperation::kDraftAgreement)));
        ODR_ASSIGN_OR_RETURN(auto got, store_->Get(ids.first, a.id, 0));
        AgreementToProto(got.first, got.second, call.caller.principal, clock_->Now(), resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::SignAgreement(grpc::CallbackServerContext* ctx,
                                                              const v1::SignAgreementRequest* req,
                                                              v1::Agreement* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/SignAgreement", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAgreementName(req->name(), "name"));
        if (req->content_hash().size() != 64) {
          return InvalidFieldError("content_hash",
                                   "is required: the 64 hex digits of the content hash read");
        }
        domain::MutationContext m = CaseChangeBy(call, domain::CaseOperation::kSignAgreement);
        const domain::Principal& who = call.caller.principal;
        const std::string party = req->party();
        ODR_ASSIGN_OR_RETURN(
            domain::Agreement a,
            store_->Sign(
                ids.first, ids.second, req->content_hash(),
                [&who, &party](const domain::Case& k) { return SignersFor(who, k, party); }, m));
        ODR_ASSIGN_OR_RETURN(auto got, store_->Get(ids.first, a.id, 0));
        AgreementToProto(got.first, got.second, who, clock_->Now(), resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::RefuseAgreement(
    grpc::CallbackServerContext* ctx, const v1::RefuseAgreementRequest* req, v1::Agreement* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/RefuseAgreement", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAgreementName(req->name(), "name"));
        if (auto e = domain::CheckText(req->reason(), 1, domain::Limits::kReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        domain::MutationContext m = CaseChangeBy(call, domain::CaseOperation::kSignAgreement);
        const domain::Principal& who = call.caller.principal;
        const std::string party = req->party();
        const auto choose = [&who, &party](const domain::Case& k) -> absl::StatusOr<std::string> {
          ODR_RETURN_IF_ERROR(domain::AuthorizeCase(who, k, domain::CaseOperation::kSignAgreement));
          if (who.role != domain::Role::kCitizen) {
            return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                             "only a party (or its agent with special authority) refuses to "
                             "sign; the mediator or the organization ends a mediation with "
                             "CloseCase");
          }
          ODR_ASSIGN_OR_RETURN(std::vector<std::string> parties,
                               domain::PartiesToSettleFor(who, k, party, "party"));
          if (parties.size() > 1) {
            return InvalidFieldError("party",
                                     absl::StrCat("you act for ", absl::StrJoin(parties, ", "),
                                                  ": name the party that refuses"));
          }
          return parties.front();
        };
        ODR_ASSIGN_OR_RETURN(domain::Agreement a,
                             store_->Refuse(ids.first, ids.second, choose, req->reason(), m));
        ODR_ASSIGN_OR_RETURN(auto got, store_->Get(ids.first, a.id, 0));
        AgreementToProto(got.first, got.second, who, clock_->Now(), resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::RenderAgreement(
    grpc::CallbackServerContext* ctx, const v1::RenderAgreementRequest* req,
    v1::RenderAgreementResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/RenderAgreement", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto found, Read(call, req->name(), 0));
        v1::Agreement a;
        AgreementToProto(found.first, found.second, call.caller.principal, clock_->Now(), &a);
        const std::string state = v1::Agreement::State_Name(a.state());
        switch (req->format()) {
          case v1::RenderAgreementRequest::FORMAT_UNSPECIFIED:
          case v1::RenderAgreementRequest::FORMAT_TEXT:
            resp->set_content_type("text/plain; charset=utf-8");
            resp->set_content(absl::StrCat(a.text(), "content_hash: ", a.content_hash(),
                                           "\nstate: ", state, "\n\nsignatures:\n",
                                           SignatureLines(a)));
            return absl::OkStatus();
          case v1::RenderAgreementRequest::FORMAT_HTML:
            resp->set_content_type("text/html; charset=utf-8");
            resp->set_content(absl::StrCat(
                "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>",
                HtmlEscape(a.name()),
                "</title><style>body{font-family:serif;max-width:50em;margin:2em auto}"
                "pre{white-space:pre-wrap}</style></head><body>\n<h1>调解协议书 Settlement "
                "agreement</h1>\n<pre>",
                HtmlEscape(a.text()), "</pre>\n<p>content hash: <code>",
                HtmlEscape(a.content_hash()), "</code>; state: ", HtmlEscape(state),
                "</p>\n<h2>Signatures</h2>\n<pre>", HtmlEscape(SignatureLines(a)),
                "</pre>\n</body></html>\n"));
            return absl::OkStatus();
          default:
            return InvalidFieldError("format", "must be FORMAT_TEXT or FORMAT_HTML");
        }
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::RecordPayment(grpc::CallbackServerContext* ctx,
                                                              const v1::RecordPaymentRequest* req,
                                                              v1::Agreement* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/RecordPayment", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(auto ids, ParseAgreementName(req->name(), "name"));
        if (auto e = domain::CheckText(req->note(), 0, 500, false); !e.empty()) {
          return InvalidFieldError("note", e);
        }
        if (req->amount_fen() < 1) return InvalidFieldError("amount_fen", "must be at least 1");
        ODR_ASSIGN_OR_RETURN(
            domain::Agreement a,
            store_->RecordPayment(ids.first, ids.second, req->instalment(), req->amount_fen(),
                                  req->note(),
                                  CaseChangeBy(call, domain::CaseOperation::kRecordPerformance)));
        ODR_ASSIGN_OR_RETURN(auto got, store_->Get(ids.first, a.id, 0));
        AgreementToProto(got.first, got.second, call.caller.principal, clock_->Now(), resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::RecordOffer(grpc::CallbackServerContext* ctx,
                                                            const v1::RecordOfferRequest* req,
                                                            v1::Offer* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/RecordOffer", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        Violations v;
        if (auto e = domain::CheckText(req->offer().text(), 1, domain::kMaxOfferChars, true);
            !e.empty()) {
          v.Add("offer.text", e);
        }
        if (req->offer().amount_fen() < 0 ||
            req->offer().amount_fen() > domain::Limits::kMaxAmountFen) {
          v.Add("offer.amount_fen", "must be 0 to 10^13 fen");
        }
        if (req->offer().offered_by().empty()) v.Add("offer.offered_by", "is required");
        ODR_RETURN_IF_ERROR(v.ToStatus());
        domain::Offer o;
        o.case_id = id;
        o.offered_by = req->offer().offered_by();
        o.text = req->offer().text();
        o.amount_fen = req->offer().amount_fen();
        ODR_ASSIGN_OR_RETURN(
            domain::Offer saved,
            store_->RecordOffer(o, CaseChangeBy(call, domain::CaseOperation::kRecordOffer)));
        resp->set_name(absl::StrCat("cases/", id, "/offers/", saved.id));
        resp->set_offered_by(saved.offered_by);
        resp->set_text(saved.text);
        resp->set_amount_fen(saved.amount_fen);
        resp->set_recorded_by(absl::StrCat("principals/", saved.recorded_by));
        *resp->mutable_create_time() = Ts(saved.time);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AgreementServiceImpl::ListOffers(grpc::CallbackServerContext* ctx,
                                                           const v1::ListOffersRequest* req,
                                                           v1::ListOffersResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.AgreementService/ListOffers", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(auto found, store_->ListOffers(id));
        const domain::Principal& who = call.caller.principal;
        ODR_RETURN_IF_ERROR(domain::AuthorizeCase(who, found.second, domain::CaseOperation::kRead));
        if (who.role == domain::Role::kCourt) {
          // Offers and concessions are privileged (OMR Art. 18): never shown to a court.
          return MakeError(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                           "offers made during mediation are privileged (OMR Art. 18) and"
                           " never shown to a court");
        }
        ODR_RETURN_IF_ERROR(access_->Append({AccessRecordFor(
            call, absl::StrCat("cases/", id, "/offers"), /*change=*/false, clock_->Now())}));
        for (const domain::Offer& o : found.first) {
          if (!domain::MaySeeOffer(who, found.second, o.offered_by)) continue;
          v1::Offer* po = resp->add_offers();
          po->set_name(absl::StrCat("cases/", id, "/offers/", o.id));
          po->set_offered_by(o.offered_by);
          po->set_text(o.text);
          po->set_amount_fen(o.amount_fen);
          po->set_recorded_by(absl::StrCat("principals/", o.recorded_by));
          *po->mutable_create_time() = Ts(o.time);
        }
        return absl::OkStatus();
      });
}

}  // namespace odr::server
