#include "storage/agreement_store.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/errors.h"
#include "server/domain/procedure.h"
#include "server/domain/roster.h"
#include "server/domain/status_macros.h"
#include "server/domain/working_calendar.h"
#include "storage/case_rows.h"
#include "storage/deadline_rows.h"

namespace odr::storage {
namespace {

using domain::Agreement;
using domain::AgreementContent;
using domain::AgreementParty;
using domain::AgreementState;
using domain::Case;
using nlohmann::json;

json ContentToJson(const AgreementContent& a) {
  json terms = json::array();
  for (const auto& t : a.terms) {
    terms.push_back({{"kind", domain::TermKindName(t.kind)},
                     {"description", t.description},
                     {"obligor", t.obligor},
                     {"method", t.method},
                     {"deadline_date", t.deadline_date}});
  }
  json instalments = json::array();
  for (const auto& in : a.instalments) {
    instalments.push_back({{"due_date", in.due_date},
                           {"amount_fen", in.amount_fen},
                           {"payer", in.payer},
                           {"payee", in.payee}});
  }
  return {{"facts", a.facts},
          {"issues", a.issues},
          {"responsibilities", a.responsibilities},
          {"terms", terms},
          {"instalments", instalments}};
}

absl::StatusOr<AgreementContent> ContentFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return case_rows::Corrupt("agreement_revisions.content");
  try {
    AgreementContent a;
    a.facts = j.at("facts").get<std::string>();
    a.issues = j.at("issues").get<std::string>();
    a.responsibilities = j.at("responsibilities").get<std::string>();
    for (const json& t : j.at("terms")) {
      auto kind = domain::TermKindFromName(t.at("kind").get<std::string>());
      if (!kind) return case_rows::Corrupt("agreement_revisions.content.terms.kind");
      a.terms.push_back({*kind, t.at("description").get<std::string>(),
                         t.at("obligor").get<std::string>(), t.at("method").get<std::string>(),
                         t.at("deadline_date").get<std::string>()});
    }
    for (const json& in : j.at("instalments")) {
      a.instalments.push_back(
          {in.at("due_date").get<std::string>(), in.at("amount_fen").get<int64_t>(),
           in.at("payer").get<std::string>(), in.at("payee").get<std::string>()});
    }
    return a;
  } catch (const json::exception&) {
    return case_rows::Corrupt("agreement_revisions.content");
  }
}

json PartiesToJson(const std::vector<AgreementParty>& parties) {
  json out = json::array();
  for (const auto& p : parties) {
    out.push_back({{"ref", p.ref},
                   {"kind", domain::PartyKindName(p.kind)},
                   {"name", p.name},
                   {"id_type", domain::IdDocumentTypeName(p.id_document_type)},
                   {"id_number", p.id_number},
                   {"phone", p.phone},
                   {"service_address", p.service_address}});
  }
  return out;
}

absl::StatusOr<std::vector<AgreementParty>> PartiesFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) return case_rows::Corrupt("agreement_revisions.parties");
  std::vector<AgreementParty> out;
  try {
    for (const json& p : j) {
      auto kind = domain::PartyKindFromName(p.at("kind").get<std::string>());
      auto id_type = domain::IdDocumentTypeFromName(p.at("id_type").get<std::string>());
      if (!kind || !id_type) return case_rows::Corrupt("agreement_revisions.parties");
      out.push_back({p.at("ref").get<std::string>(), *kind, p.at("name").get<std::string>(),
                     *id_type, p.at("id_number").get<std::string>(),
                     p.at("phone").get<std::string>(), p.at("service_address").get<std::string>()});
    }
  } catch (const json::exception&) {
    return case_rows::Corrupt("agreement_revisions.parties");
  }
  return out;
}

absl::Status AgreementNotFound(absl::string_view case_id, absl::string_view id) {
  return MakeError(absl::StatusCode::kNotFound, "AGREEMENT_NOT_FOUND",
                   absl::StrCat("cases/", case_id, "/agreements/", id, " not found"));
}

// Writes revision `a.revision` of `a` (content, parties, text, hash).
absl::Status InsertRevision(Connection& c, const Agreement& a, absl::Time now) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare("INSERT INTO agreement_revisions (case_id, agreement_id, revision, content_json,"
                " parties_json, text, content_hash, create_time_us) VALUES (?1, ?2, ?3, ?4, ?5,"
                " ?6, ?7, ?8)"));
  s.Bind(1, a.case_id)
      .Bind(2, a.id)
      .Bind(3, int64_t{a.revision})
      .Bind(4, ContentToJson(a.content).dump())
      .Bind(5, PartiesToJson(a.parties).dump())
      .Bind(6, a.text)
      .Bind(7, a.content_hash)
      .Bind(8, absl::ToUnixMicros(now));
  return s.Run();
}

absl::Status WriteHead(Connection& c, const Agreement& a, bool insert,
                       absl::string_view request_key) {
  ODR_ASSIGN_OR_RETURN(
      Statement s,
      c.Prepare(insert ? "INSERT INTO agreements (case_id, id, revision, state, create_time_us,"
                         " update_time_us, effective_time_us, version, request_key, effect_rule,"
                         " service_time_us, court_filing_time_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                         " ?7, ?8, ?9, ?10, ?11, ?12)"
                       : "UPDATE agreements SET revision = ?3, state = ?4, update_time_us = ?6,"
                         " effective_time_us = ?7, version = ?8, effect_rule = ?10,"
                         " service_time_us = ?11, court_filing_time_us = ?12 WHERE case_id = ?1"
                         " AND id = ?2"));
  s.Bind(1, a.case_id)
      .Bind(2, a.id)
      .Bind(3, int64_t{a.revision})
      .Bind(4, domain::AgreementStateName(a.state))
      .Bind(6, absl::ToUnixMicros(a.update_time))
      .Bind(8, a.version);
  if (insert) {
    s.Bind(5, absl::ToUnixMicros(a.create_time));
    if (request_key.empty()) {
      s.BindNull(9);
    } else {
      s.Bind(9, request_key);
    }
  }
  s.Bind(10, domain::EffectRuleName(a.effect_rule));
  for (const auto& [index, time] : {std::pair{7, &a.effective_time}, std::pair{11, &a.service_time},
                                    std::pair{12, &a.court_filing_time}}) {
    if (*time) {
      s.Bind(index, absl::ToUnixMicros(**time));
    } else {
      s.BindNull(index);
    }
  }
  return s.Run();
}

// The text of `a` for revision `a.revision` on case `k`, and its hash.
void Seal(Agreement& a, const Case& k) {
  a.text = domain::CanonicalText(a.name(), k.case_number, a.revision, a.parties,
                                 k.data.organization_id, a.content);
  a.content_hash = domain::Sha256Hex(a.text);
}

absl::StatusOr<std::vector<std::string>> AgreementIds(Connection& c, absl::string_view case_id) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT id FROM agreements WHERE case_id = ?1"
                                              " ORDER BY create_time_us DESC, id"));
  s.Bind(1, case_id);
  std::vector<std::string> ids;
  while (true) {
    ODR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ids.push_back(s.ColumnText(0));
  }
  return ids;
}

// The stored kind of organization `id` (kOther for an organization not in the roster).
absl::StatusOr<domain::OrganizationKind> OrganizationKindOf(Connection& c, absl::string_view id) {
  ODR_ASSIGN_OR_RETURN(Statement s, c.Prepare("SELECT kind FROM organizations WHERE id = ?1"));
  s.Bind(1, id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return domain::OrganizationKind::kOther;
  auto kind = domain::OrganizationKindFromName(s.ColumnText(0));
  if (!kind) return case_rows::Corrupt("organizations.kind");
  return *kind;
}

absl::Status Event(Connection& c, const Case& k, absl::string_view actor, absl::Time now,
                   domain::EventKind kind, const Agreement& a, std::string what) {
  return case_rows::AppendEvent(
      c, k.id, actor, now, k.state, k.state, what,
      {kind, domain::EventAudience::kAll, absl::StrCat("agreements/", a.id)});
}

}  // namespace

namespace agreement_rows {

absl::StatusOr<Agreement> Load(Connection& c, absl::string_view case_id, absl::string_view id,
                               int revision) {
  ODR_ASSIGN_OR_RETURN(Statement h,
                       c.Prepare("SELECT revision, state, create_time_us, update_time_us,"
                                 " effective_time_us, version, effect_rule, service_time_us,"
                                 " court_filing_time_us FROM agreements WHERE case_id = ?1 AND"
                                 " id = ?2"));
  h.Bind(1, case_id).Bind(2, id);
  ODR_ASSIGN_OR_RETURN(bool row, h.Step());
  if (!row) return AgreementNotFound(case_id, id);
  Agreement a;
  a.case_id = std::string(case_id);
  a.id = std::string(id);
  const int current = static_cast<int>(h.ColumnInt(0));
  auto state = domain::AgreementStateFromName(h.ColumnText(1));
  if (!state) return case_rows::Corrupt("agreements.state");
  a.state = *state;
  a.create_time = absl::FromUnixMicros(h.ColumnInt(2));
  a.update_time = absl::FromUnixMicros(h.ColumnInt(3));
  if (!h.ColumnIsNull(4)) a.effective_time = absl::FromUnixMicros(h.ColumnInt(4));
  a.version = h.ColumnInt(5);
  auto rule = domain::EffectRuleFromName(h.ColumnText(6));
  if (!rule) return case_rows::Corrupt("agreements.effect_rule");
  a.effect_rule = *rule;
  if (!h.ColumnIsNull(7)) a.service_time = absl::FromUnixMicros(h.ColumnInt(7));
  if (!h.ColumnIsNull(8)) a.court_filing_time = absl::FromUnixMicros(h.ColumnInt(8));
  ODR_RETURN_IF_ERROR(h.Run());
  if (revision < 0 || revision > current) return AgreementNotFound(case_id, id);
  a.revision = revision == 0 ? current : revision;
  if (a.revision != current) {
    // An earlier revision is a superseded draft, whatever became of the agreement since.
    a.state = AgreementState::kAbandoned;
    a.effective_time.reset();
    a.service_time.reset();
    a.court_filing_time.reset();
  }

  ODR_ASSIGN_OR_RETURN(Statement r,
                       c.Prepare("SELECT content_json, parties_json, text, content_hash FROM"
                                 " agreement_revisions WHERE case_id = ?1 AND agreement_id = ?2 AND"
                                 " revision = ?3"));
  r.Bind(1, case_id).Bind(2, id).Bind(3, int64_t{a.revision});
  ODR_ASSIGN_OR_RETURN(row, r.Step());
  if (!row) return case_rows::Corrupt("agreement_revisions");
  ODR_ASSIGN_OR_RETURN(a.content, ContentFromJson(r.ColumnText(0)));
  ODR_ASSIGN_OR_RETURN(a.parties, PartiesFromJson(r.ColumnText(1)));
  a.text = r.ColumnText(2);
  a.content_hash = r.ColumnText(3);
  ODR_RETURN_IF_ERROR(r.Run());

  ODR_ASSIGN_OR_RETURN(
      Statement s, c.Prepare("SELECT signer, role, principal_id, time_us, statement,"
                             " signature_b64, key_id FROM agreement_signatures WHERE case_id = ?1"
                             " AND agreement_id = ?2 AND revision = ?3 ORDER BY time_us, signer"));
  s.Bind(1, case_id).Bind(2, id).Bind(3, int64_t{a.revision});
  while (true) {
    ODR_ASSIGN_OR_RETURN(row, s.Step());
    if (!row) break;
    domain::AgreementSignature sig;
    sig.signer = s.ColumnText(0);
    auto role = domain::SignerRoleFromName(s.ColumnText(1));
    if (!role) return case_rows::Corrupt("agreement_signatures.role");
    sig.role = *role;
    sig.principal = s.ColumnText(2);
    sig.time = absl::FromUnixMicros(s.ColumnInt(3));
    sig.statement = s.ColumnText(4);
    if (!absl::Base64Unescape(s.ColumnText(5), &sig.signature)) {
      return case_rows::Corrupt("agreement_signatures.signature_b64");
    }
    sig.key_id = s.ColumnText(6);
    a.signatures.push_back(std::move(sig));
  }

  ODR_ASSIGN_OR_RETURN(
      Statement p, c.Prepare("SELECT instalment, amount_fen, time_us, recorded_by, note FROM"
                             " agreement_payments WHERE case_id = ?1 AND agreement_id = ?2 ORDER"
                             " BY seq"));
  p.Bind(1, case_id).Bind(2, id);
  while (true) {
    ODR_ASSIGN_OR_RETURN(row, p.Step());
    if (!row) break;
    a.payments.push_back({static_cast<int>(p.ColumnInt(0)), p.ColumnInt(1),
                          absl::FromUnixMicros(p.ColumnInt(2)), p.ColumnText(3), p.ColumnText(4)});
  }
  return a;
}

absl::StatusOr<std::optional<Agreement>> LoadOpen(Connection& c, absl::string_view case_id) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("SELECT id FROM agreements WHERE case_id = ?1 AND state IN"
                                 " ('draft', 'effective') ORDER BY create_time_us DESC LIMIT 1"));
  s.Bind(1, case_id);
  ODR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<Agreement>();
  const std::string id = s.ColumnText(0);
  ODR_RETURN_IF_ERROR(s.Run());
  ODR_ASSIGN_OR_RETURN(Agreement a, Load(c, case_id, id));
  return std::optional<Agreement>(std::move(a));
}

absl::Status SetState(Connection& c, absl::string_view case_id, absl::string_view id,
                      AgreementState state, absl::Time now) {
  ODR_ASSIGN_OR_RETURN(Statement s,
                       c.Prepare("UPDATE agreements SET state = ?3, update_time_us = ?4, version ="
                                 " version + 1 WHERE case_id = ?1 AND id = ?2"));
  s.Bind(1, case_id)
      .Bind(2, id)
      .Bind(3, domain::AgreementStateName(state))
      .Bind(4, absl::ToUnixMicros(now));
  return s.Run();
}

}  // namespace agreement_rows

absl::StatusOr<Agreement> AgreementStore::Create(absl::string_view case_id,
                                                 const ContentFor& content,
                                                 absl::string_view request_key,
                                                 const domain::MutationContext& ctx) {
  Agreement result;
  // A retry of a create that committed returns what it created, authorized again.
  if (!request_key.empty()) {
    std::optional<std::string> existing;
    ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
      ODR_ASSIGN_OR_RETURN(Statement s,
                           c.Prepare("SELECT id FROM agreements WHERE case_id = ?1"
                                     " AND request_key = ?2 AND create_time_us >= ?3"));
      s.Bind(1, case_id).Bind(2, request_key);
      s.Bind(3, absl::ToUnixMicros(cases_->RequestKeyCutoff()));
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (row) existing = s.ColumnText(0);
      return absl::OkStatus();
    }));
    if (existing) {
      ODR_ASSIGN_OR_RETURN(auto got, Get(case_id, *existing, 0));
      if (ctx.authorize) ODR_RETURN_IF_ERROR(ctx.authorize(got.second));
      ODR_RETURN_IF_ERROR(cases_->RecordReplay(ctx, case_id));
      return got.first;
    }
  }
  ODR_RETURN_IF_ERROR(
      cases_
          ->MutateCaseFor(
              case_id, std::nullopt, ctx,
              [&](Connection& c, Case& k) -> absl::Status {
                if (k.state != domain::CaseState::kMediating) {
                  return TransitionError(
                      domain::ApiStateName(k.state),
                      absl::StrCat("a settlement agreement is drafted while the case is mediated"
                                   " (STATE_MEDIATING); the case is ",
                                   domain::ApiStateName(k.state)));
                }
                ODR_ASSIGN_OR_RETURN(std::optional<Agreement> open,
                                     agreement_rows::LoadOpen(c, k.id));
                if (open) {
                  return MakeError(absl::StatusCode::kFailedPrecondition, "AGREEMENT_EXISTS",
                                   absl::StrCat(open->name(), " is open (",
                                                domain::AgreementStateName(open->state),
                                                "); revise it with UpdateAgreement"));
                }
                Agreement a;
                a.case_id = k.id;
                a.id = ids_->NewId();
                a.revision = 1;
                a.state = AgreementState::kDraft;
                a.parties = domain::PartiesOf(k);
                ODR_ASSIGN_OR_RETURN(const domain::OrganizationKind kind,
                                     OrganizationKindOf(c, k.data.organization_id));
                a.effect_rule = domain::EffectRuleFor(
                    domain::RouteOf(k.data),
                    kind == domain::OrganizationKind::kPeoplesMediationCommittee);
                ODR_ASSIGN_OR_RETURN(a.content, content(k));
                a.create_time = a.update_time = k.update_time;
                a.version = 1;
                Seal(a, k);
                ODR_RETURN_IF_ERROR(cases_->ForgetExpiredRequestKey(c, "agreements", request_key));
                ODR_RETURN_IF_ERROR(WriteHead(c, a, /*insert=*/true, request_key));
                ODR_RETURN_IF_ERROR(InsertRevision(c, a, k.update_time));
                ODR_RETURN_IF_ERROR(Event(
                    c, k, ctx.actor, k.update_time, domain::EventKind::kAgreementDrafted, a,
                    absl::StrCat("agreement drafted, revision 1, content hash ", a.content_hash)));
                result = std::move(a);
                return absl::OkStatus();
              })
          .status());
  return result;
}

absl::StatusOr<std::pair<Agreement, Case>> AgreementStore::Get(absl::string_view case_id,
                                                               absl::string_view id, int revision) {
  std::pair<Agreement, Case> out;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out.second, case_rows::LoadCase(c, case_id));
    ODR_ASSIGN_OR_RETURN(out.first, agreement_rows::Load(c, case_id, id, revision));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::pair<std::vector<Agreement>, Case>> AgreementStore::List(
    absl::string_view case_id) {
  std::pair<std::vector<Agreement>, Case> out;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out.second, case_rows::LoadCase(c, case_id));
    ODR_ASSIGN_OR_RETURN(std::vector<std::string> ids, AgreementIds(c, case_id));
    for (const std::string& id : ids) {
      ODR_ASSIGN_OR_RETURN(Agreement a, agreement_rows::Load(c, case_id, id));
      out.first.push_back(std::move(a));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Agreement> AgreementStore::Revise(absl::string_view case_id, absl::string_view id,
                                                 const ContentFor& content,
                                                 std::optional<int64_t> expected_version,
                                                 const domain::MutationContext& ctx) {
  Agreement result;
  ODR_RETURN_IF_ERROR(
      cases_
          ->MutateCaseFor(
              case_id, std::nullopt, ctx,
              [&](Connection& c, Case& k) -> absl::Status {
                ODR_ASSIGN_OR_RETURN(Agreement a, agreement_rows::Load(c, k.id, id));
                if (expected_version && *expected_version != a.version) {
                  return MakeError(absl::StatusCode::kAborted, "STALE_ETAG",
                                   absl::StrCat(a.name(),
                                                " changed since it was read; read it"
                                                " again"));
                }
                if (a.state != AgreementState::kDraft) {
                  return MakeError(
                      absl::StatusCode::kFailedPrecondition, "AGREEMENT_NOT_DRAFT",
                      absl::StrCat(a.name(), " is ", domain::AgreementStateName(a.state),
                                   "; only a draft can be revised"));
                }
                if (k.state != domain::CaseState::kMediating) {
                  return TransitionError(
                      domain::ApiStateName(k.state),
                      absl::StrCat("the case is ", domain::ApiStateName(k.state)));
                }
                a.revision += 1;
                a.parties = domain::PartiesOf(k);
                ODR_ASSIGN_OR_RETURN(const domain::OrganizationKind kind,
                                     OrganizationKindOf(c, k.data.organization_id));
                a.effect_rule = domain::EffectRuleFor(
                    domain::RouteOf(k.data),
                    kind == domain::OrganizationKind::kPeoplesMediationCommittee);
                ODR_ASSIGN_OR_RETURN(a.content, content(k));
                a.signatures.clear();
                a.update_time = k.update_time;
                a.version += 1;
                Seal(a, k);
                ODR_RETURN_IF_ERROR(InsertRevision(c, a, k.update_time));
                ODR_RETURN_IF_ERROR(WriteHead(c, a, /*insert=*/false, ""));
                ODR_RETURN_IF_ERROR(Event(
                    c, k, ctx.actor, k.update_time, domain::EventKind::kAgreementDrafted, a,
                    absl::StrCat("agreement revised, revision ", a.revision, ", content hash ",
                                 a.content_hash, "; earlier signatures are void")));
                result = std::move(a);
                return absl::OkStatus();
              })
          .status());
  return result;
}

absl::StatusOr<Agreement> AgreementStore::Sign(
    absl::string_view case_id, absl::string_view id, absl::string_view content_hash,
    const std::function<absl::StatusOr<std::vector<std::pair<std::string, domain::SignerRole>>>(
        const Case&)>& choose_signers,
    const domain::MutationContext& ctx) {
  Agreement result;
  ODR_RETURN_IF_ERROR(
      cases_
          ->MutateCaseFor(
              case_id, std::nullopt, ctx,
              [&](Connection& c, Case& k) -> absl::Status {
                ODR_ASSIGN_OR_RETURN(Agreement a, agreement_rows::Load(c, k.id, id));
                ODR_ASSIGN_OR_RETURN(auto signers, choose_signers(k));
                std::vector<domain::SignerRole> roles;
                for (const auto& s : signers) roles.push_back(s.second);
                ODR_RETURN_IF_ERROR(domain::CheckCanSign(a, k, roles));
                // Who must sign is the case's parties: they must still be those the text names.
                if (domain::PartiesOf(k) != a.parties) {
                  return MakeError(
                      absl::StatusCode::kFailedPrecondition, "PARTIES_CHANGED",
                      absl::StrCat("the case's parties changed since revision ", a.revision,
                                   " was drafted; revise the agreement before signing"));
                }
                if (content_hash != a.content_hash) {
                  return MakeError(
                      absl::StatusCode::kFailedPrecondition, "CONTENT_CHANGED",
                      absl::StrCat("the agreement's content hash is now ", a.content_hash,
                                   " (revision ", a.revision, "); read it again before signing"));
                }
                std::vector<std::pair<std::string, domain::SignerRole>> fresh;
                for (const auto& s : signers) {
                  bool done = false;
                  for (const auto& have : a.signatures) {
                    // One mediator's signature is the mediator's (PendingSigners "mediator").
                    done = done || have.signer == s.first ||
                           (a.state == AgreementState::kEffective &&
                            s.second == domain::SignerRole::kMediator &&
                            have.role == domain::SignerRole::kMediator);
                  }
                  if (!done) fresh.push_back(s);
                }
                if (fresh.empty()) {
                  return MakeError(
                      absl::StatusCode::kFailedPrecondition, "ALREADY_SIGNED",
                      absl::StrCat("already signed revision ", a.revision, " of ", a.name()));
                }
                const absl::Time now = k.update_time;
                for (const auto& [signer, role] : fresh) {
                  domain::AgreementSignature sig;
                  sig.signer = signer;
                  sig.role = role;
                  sig.principal = absl::StrCat("principals/", ctx.actor);
                  sig.time = now;
                  sig.statement = domain::SignatureStatement(a.name(), a.revision, a.content_hash,
                                                             signer, sig.principal, now);
                  ODR_ASSIGN_OR_RETURN(sig.signature, signer_->Sign(sig.statement));
                  sig.key_id = signer_->KeyId();
                  ODR_ASSIGN_OR_RETURN(
                      Statement s,
                      c.Prepare(
                          "INSERT INTO agreement_signatures (case_id, agreement_id, revision,"
                          " signer, role, principal_id, time_us, statement, signature_b64, key_id)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
                  s.Bind(1, k.id)
                      .Bind(2, a.id)
                      .Bind(3, int64_t{a.revision})
                      .Bind(4, signer)
                      .Bind(5, domain::SignerRoleName(role))
                      .Bind(6, ctx.actor)
                      .Bind(7, absl::ToUnixMicros(now))
                      .Bind(8, sig.statement)
                      .Bind(9, absl::Base64Escape(sig.signature))
                      .Bind(10, sig.key_id);
                  ODR_RETURN_IF_ERROR(s.Run());
                  ODR_RETURN_IF_ERROR(Event(c, k, ctx.actor, now,
                                            domain::EventKind::kAgreementSigned, a,
                                            absl::StrCat(signer, " signed revision ", a.revision)));
                  a.signatures.push_back(std::move(sig));
                }
                a.update_time = now;
                a.version += 1;
                const std::optional<absl::Time> effective =
                    a.state == AgreementState::kDraft
                        ? domain::EffectiveAt(a.effect_rule, k, a.signatures)
                        : std::nullopt;
                if (effective) {
                  // The agreement binds the parties from now (PML Art. 31); it is served on them
                  // through the platform (OMR Art. 19) and the organization supervises its
                  // performance.
                  a.state = AgreementState::kEffective;
                  a.effective_time = *effective;
                  a.service_time = now;
                  ODR_RETURN_IF_ERROR(cases_->ApplyAction(
                      c, k, domain::CaseAction::kSettle,
                      absl::StrCat(a.name(),
                                   " took effect: ", domain::EffectRuleText(a.effect_rule)),
                      ctx.actor));
                  ODR_RETURN_IF_ERROR(Event(
                      c, k, "system", now, domain::EventKind::kAgreementServed, a,
                      absl::StrCat("revision ", a.revision,
                                   " served on the parties through the platform (OMR Art. 19)")));
                  // A new agreement after mediating again changes or replaces the earlier one
                  // (CPL Art. 206; PML Art. 33): the earlier one's instalments are no longer
                  // tracked.
                  ODR_RETURN_IF_ERROR(deadline_rows::StopInstalments(c, k.id, now));
                  for (size_t i = 0; i < a.content.instalments.size(); ++i) {
                    absl::CivilDay day;
                    if (!absl::ParseCivilTime(a.content.instalments[i].due_date, &day)) {
                      return case_rows::Corrupt("agreement instalment due_date");
                    }
                    bool inserted = false;
                    ODR_RETURN_IF_ERROR(deadline_rows::Insert(
                        c, statutory_->Instalment(k.id, a.id, static_cast<int>(i), day, now),
                        &inserted));
                  }
                }
                const domain::Route route = domain::RouteOf(k.data);
                if (a.state == AgreementState::kEffective && !a.court_filing_time &&
                    route != domain::Route::kCitizenApplication &&
                    domain::PendingSigners(k, a.signatures).empty()) {
                  // Court-diverted mediation: the complete agreement goes to the court (特邀
                  // Art. 19), which reads it in the court bundle.
                  a.court_filing_time = now;
                  ODR_RETURN_IF_ERROR(
                      Event(c, k, "system", now, domain::EventKind::kAgreementFiled, a,
                            absl::StrCat("revision ", a.revision, " filed with courts/",
                                         k.data.court_diversion->court_id, " (特邀 Art. 19)")));
                }
                ODR_RETURN_IF_ERROR(WriteHead(c, a, /*insert=*/false, ""));
                result = std::move(a);
                return absl::OkStatus();
              })
          .status());
  return result;
}

absl::StatusOr<Agreement> AgreementStore::Refuse(
    absl::string_view case_id, absl::string_view id,
    const std::function<absl::StatusOr<std::string>(const Case&)>& choose_party,
    absl::string_view reason, const domain::MutationContext& ctx) {
  Agreement result;
  ODR_RETURN_IF_ERROR(
      cases_
          ->MutateCaseFor(case_id, std::nullopt, ctx,
                          [&](Connection& c, Case& k) -> absl::Status {
                            ODR_ASSIGN_OR_RETURN(Agreement a, agreement_rows::Load(c, k.id, id));
                            ODR_ASSIGN_OR_RETURN(std::string party, choose_party(k));
                            ODR_RETURN_IF_ERROR(domain::CheckCanRefuse(a, k));
                            const absl::Time now = k.update_time;
                            a.state = AgreementState::kAbandoned;
                            a.update_time = now;
                            a.version += 1;
                            const std::string why = domain::RefusalText(party, a.revision, reason);
                            ODR_RETURN_IF_ERROR(Event(c, k, ctx.actor, now,
                                                      domain::EventKind::kAgreementRefused, a,
                                                      why));
                            ODR_RETURN_IF_ERROR(WriteHead(c, a, /*insert=*/false, ""));
                            // Mediation ends (OMR Art. 25(七)) as a close ends it: the route's
                            // ending, and a court-diverted case back to its court (OMR Art. 21).
                            ODR_RETURN_IF_ERROR(cases_->ApplyAction(
                                c, k, domain::CaseAction::kClose, why, ctx.actor));
                            result = std::move(a);
                            return absl::OkStatus();
                          })
          .status());
  return result;
}

absl::StatusOr<Agreement> AgreementStore::RecordPayment(absl::string_view case_id,
                                                        absl::string_view id, int instalment,
                                                        int64_t amount_fen, absl::string_view note,
                                                        const domain::MutationContext& ctx) {
  Agreement result;
  ODR_RETURN_IF_ERROR(
      cases_
          ->MutateCaseFor(
              case_id, std::nullopt, ctx,
              [&](Connection& c, Case& k) -> absl::Status {
                ODR_ASSIGN_OR_RETURN(Agreement a, agreement_rows::Load(c, k.id, id));
                if (!domain::BindsParties(a)) {
                  return MakeError(
                      absl::StatusCode::kFailedPrecondition, "AGREEMENT_NOT_EFFECTIVE",
                      absl::StrCat(a.name(), " is ", domain::AgreementStateName(a.state),
                                   "; payments are recorded on an agreement that binds the "
                                   "parties (effective, or refused confirmation)"));
                }
                if (instalment < 0 ||
                    instalment >= static_cast<int>(a.content.instalments.size())) {
                  return InvalidFieldError(
                      "instalment",
                      a.content.instalments.empty()
                          ? std::string("the agreement has no payment schedule")
                          : absl::StrCat("must be 0 to ", a.content.instalments.size() - 1,
                                         " (the schedule has ", a.content.instalments.size(),
                                         " instalments)"));
                }
                const int64_t remaining =
                    a.content.instalments[instalment].amount_fen - domain::PaidFen(a, instalment);
                if (remaining <= 0) {
                  return MakeError(absl::StatusCode::kFailedPrecondition, "INSTALMENT_PAID",
                                   absl::StrCat("instalment ", instalment, " is paid in full"));
                }
                if (amount_fen < 1 || amount_fen > remaining) {
                  return InvalidFieldError("amount_fen", absl::StrCat("must be 1 to ", remaining,
                                                                      " fen (what remains)"));
                }
                const absl::Time now = k.update_time;
                ODR_ASSIGN_OR_RETURN(
                    Statement s,
                    c.Prepare(
                        "INSERT INTO agreement_payments (case_id, agreement_id, seq, instalment,"
                        " amount_fen, time_us, recorded_by, note) VALUES (?1, ?2, (SELECT"
                        " COALESCE(MAX(seq), 0) + 1 FROM agreement_payments WHERE case_id = ?1 AND"
                        " agreement_id = ?2), ?3, ?4, ?5, ?6, ?7)"));
                s.Bind(1, k.id)
                    .Bind(2, a.id)
                    .Bind(3, int64_t{instalment})
                    .Bind(4, amount_fen)
                    .Bind(5, absl::ToUnixMicros(now))
                    .Bind(6, ctx.actor)
                    .Bind(7, note);
                ODR_RETURN_IF_ERROR(s.Run());
                a.payments.push_back({instalment, amount_fen, now, ctx.actor, std::string(note)});
                const bool paid =
                    domain::PaidFen(a, instalment) >= a.content.instalments[instalment].amount_fen;
                if (paid) {
                  ODR_RETURN_IF_ERROR(deadline_rows::Stop(
                      c, k.id, domain::StatutoryClock::InstalmentId(a.id, instalment),
                      domain::DeadlineState::kMet, now));
                }
                ODR_RETURN_IF_ERROR(Event(c, k, ctx.actor, now, domain::EventKind::kPaymentRecorded,
                                          a,
                                          absl::StrCat("payment of ", domain::YuanText(amount_fen),
                                                       " yuan on instalment ", instalment,
                                                       paid ? "; paid in full" : "")));
                a.update_time = now;
                a.version += 1;
                ODR_RETURN_IF_ERROR(WriteHead(c, a, /*insert=*/false, ""));
                result = std::move(a);
                return absl::OkStatus();
              })
          .status());
  return result;
}

absl::StatusOr<domain::Offer> AgreementStore::RecordOffer(const domain::Offer& offer,
                                                          const domain::MutationContext& ctx) {
  domain::Offer result = offer;
  // In the case's transaction, with its access record.
  ODR_RETURN_IF_ERROR(
      cases_
          ->MutateCaseFor(
              offer.case_id, std::nullopt, ctx,
              [&](Connection& c, Case& k) -> absl::Status {
                if (k.state != domain::CaseState::kMediating) {
                  return TransitionError(
                      domain::ApiStateName(k.state),
                      absl::StrCat("offers are recorded while the case is mediated; it is ",
                                   domain::ApiStateName(k.state)));
                }
                if (!domain::IsPartyRef(k, offer.offered_by)) {
                  return InvalidFieldError("offer.offered_by",
                                           "must name a party of the case: applicants/{i} or"
                                           " respondents/{i}");
                }
                result.id = ids_->NewId();
                result.recorded_by = ctx.actor;
                result.time = k.update_time;
                ODR_ASSIGN_OR_RETURN(
                    Statement s,
                    c.Prepare("INSERT INTO privileged_offers (case_id, id, offered_by, text,"
                              " amount_fen, recorded_by, time_us) VALUES (?1, ?2, ?3, ?4, ?5,"
                              " ?6, ?7)"));
                s.Bind(1, k.id)
                    .Bind(2, result.id)
                    .Bind(3, result.offered_by)
                    .Bind(4, result.text)
                    .Bind(5, result.amount_fen)
                    .Bind(6, result.recorded_by)
                    .Bind(7, absl::ToUnixMicros(result.time));
                return s.Run();
              })
          .status());
  return result;
}

absl::StatusOr<std::pair<std::vector<domain::Offer>, Case>> AgreementStore::ListOffers(
    absl::string_view case_id) {
  std::pair<std::vector<domain::Offer>, Case> out;
  ODR_RETURN_IF_ERROR(db_->Read([&](Connection& c) -> absl::Status {
    ODR_ASSIGN_OR_RETURN(out.second, case_rows::LoadCase(c, case_id));
    ODR_ASSIGN_OR_RETURN(Statement s,
                         c.Prepare("SELECT id, offered_by, text, amount_fen, recorded_by, time_us"
                                   " FROM privileged_offers WHERE case_id = ?1 ORDER BY time_us,"
                                   " id"));
    s.Bind(1, case_id);
    while (true) {
      ODR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.first.push_back({std::string(case_id), s.ColumnText(0), s.ColumnText(1), s.ColumnText(2),
                           s.ColumnInt(3), s.ColumnText(4), absl::FromUnixMicros(s.ColumnInt(5))});
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace odr::storage
