#include "server/domain/agreement.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/domain/enum_names.h"
#include "server/domain/errors.h"
#include "server/domain/state_machine.h"
#include "server/domain/working_calendar.h"

namespace odr::domain {
namespace {

constexpr std::array<std::pair<TermKind, const char*>, 7> kTermKinds{{
    {TermKind::kPayment, "payment"},
    {TermKind::kPerformance, "performance"},
    {TermKind::kPropertyTransfer, "property_transfer"},
    {TermKind::kApology, "apology"},
    {TermKind::kPropertyOwnership, "property_ownership"},
    {TermKind::kPersonalStatus, "personal_status"},
    {TermKind::kOther, "other"},
}};
constexpr std::array<std::pair<AgreementState, const char*>, 4> kStates{{
    {AgreementState::kDraft, "draft"},
    {AgreementState::kEffective, "effective"},
    {AgreementState::kAbandoned, "abandoned"},
    {AgreementState::kConfirmationRejected, "confirmation_rejected"},
}};
constexpr std::array<std::pair<SignerRole, const char*>, 3> kRoles{{
    {SignerRole::kParty, "party"},
    {SignerRole::kMediator, "mediator"},
    {SignerRole::kOrganization, "organization"},
}};
constexpr std::array<std::pair<EffectRule, const char*>, 2> kEffectRules{{
    {EffectRule::kPartiesSigned, "parties_signed"},
    {EffectRule::kAllSigned, "all_signed"},
}};

std::optional<absl::CivilDay> ParseDay(absl::string_view s) {
  absl::CivilDay d;
  if (s.size() != 10 || !absl::ParseCivilTime(s, &d)) return std::nullopt;
  return d;
}

void CheckDay(absl::string_view s, const std::string& field, Violations* v) {
  if (s.empty()) {
    v->Add(field, "is required");
  } else if (!ParseDay(s)) {
    v->Add(field, "must be a real calendar date YYYY-MM-DD");
  }
}

void CheckPartyRef(const Case& c, absl::string_view ref, const std::string& field, Violations* v) {
  if (ref.empty()) {
    v->Add(field, "is required");
  } else if (!IsPartyRef(c, ref)) {
    v->Add(field, "must name a party of the case: applicants/{i} or respondents/{i}");
  }
}

void Line(std::string* out, absl::string_view key, absl::string_view value) {
  // Values may span lines; continuation lines are indented so the layout stays unambiguous.
  absl::StrAppend(out, key, ": ");
  for (char ch : value) {
    if (ch == '\r') continue;
    out->push_back(ch);
    if (ch == '\n') out->append("  ");
  }
  out->push_back('\n');
}

}  // namespace

const char* TermKindName(TermKind k) { return NameIn(kTermKinds, k); }
std::optional<TermKind> TermKindFromName(absl::string_view n) { return ValueIn(kTermKinds, n); }
const char* AgreementStateName(AgreementState s) { return NameIn(kStates, s); }
std::optional<AgreementState> AgreementStateFromName(absl::string_view n) {
  return ValueIn(kStates, n);
}
const char* SignerRoleName(SignerRole r) { return NameIn(kRoles, r); }
std::optional<SignerRole> SignerRoleFromName(absl::string_view n) { return ValueIn(kRoles, n); }
const char* EffectRuleName(EffectRule r) { return NameIn(kEffectRules, r); }
std::optional<EffectRule> EffectRuleFromName(absl::string_view n) {
  return ValueIn(kEffectRules, n);
}

std::string Agreement::name() const { return absl::StrCat("cases/", case_id, "/agreements/", id); }

bool BindsParties(const Agreement& a) {
  return a.state == AgreementState::kEffective || a.state == AgreementState::kConfirmationRejected;
}

bool IsPartyRef(const Case& c, absl::string_view ref) {
  for (const auto& [prefix, side] :
       {std::pair{absl::string_view("applicants/"), &c.data.applicants},
        std::pair{absl::string_view("respondents/"), &c.data.respondents}}) {
    if (ref.substr(0, prefix.size()) != prefix) continue;
    absl::string_view rest = ref.substr(prefix.size());
    size_t i = 0;
    if (rest.empty() || rest.size() > 3 || (rest.size() > 1 && rest[0] == '0') ||
        !absl::SimpleAtoi(rest, &i)) {
      return false;
    }
    for (char ch : rest) {
      if (ch < '0' || ch > '9') return false;
    }
    return i < side->size();
  }
  return false;
}

void ValidateAgreementContent(const AgreementContent& a, const Case& c, absl::Time now,
                              const std::string& path, Violations* v) {
  const absl::CivilDay today = absl::ToCivilDay(now, ChinaTime());
  const std::string p = path.empty() ? "" : path + ".";
  for (const auto& [field, text] : {std::pair{"facts", &a.facts}, std::pair{"issues", &a.issues},
                                    std::pair{"responsibilities", &a.responsibilities}}) {
    if (auto e = CheckText(*text, 1, kMaxAgreementTextChars, true); !e.empty()) {
      v->Add(p + field, e);
    }
  }
  if (a.terms.empty()) v->Add(p + "terms", "at least one term is required (PML Art. 29)");
  if (a.terms.size() > kMaxTerms) v->Add(p + "terms", absl::StrCat("at most ", kMaxTerms));
  bool has_payment = false;
  for (size_t i = 0; i < a.terms.size() && i < kMaxTerms; ++i) {
    const AgreementTerm& t = a.terms[i];
    const std::string f = absl::StrCat(p, "terms[", i, "]");
    if (auto e = CheckText(t.description, 1, 2000, true); !e.empty()) {
      v->Add(f + ".description", e);
    }
    if (auto e = CheckText(t.method, 1, 500, false); !e.empty()) v->Add(f + ".method", e);
    CheckPartyRef(c, t.obligor, f + ".obligor", v);
    CheckDay(t.deadline_date, f + ".deadline_date", v);
    has_payment = has_payment || t.kind == TermKind::kPayment;
  }
  if (a.instalments.size() > kMaxInstalments) {
    v->Add(p + "instalments", absl::StrCat("at most ", kMaxInstalments));
  }
  if (has_payment && a.instalments.empty()) {
    v->Add(p + "instalments", "a payment term needs its payment schedule");
  }
  for (size_t i = 0; i < a.instalments.size() && i < kMaxInstalments; ++i) {
    const Instalment& in = a.instalments[i];
    const std::string f = absl::StrCat(p, "instalments[", i, "]");
    CheckDay(in.due_date, f + ".due_date", v);
    if (auto day = ParseDay(in.due_date); day && *day < today) {
      v->Add(f + ".due_date", "must not be before today (China time)");
    }
    if (in.amount_fen < 1 || in.amount_fen > kMaxInstalmentFen) {
      v->Add(f + ".amount_fen", "must be 1 to 10^13 fen");
    }
    CheckPartyRef(c, in.payer, f + ".payer", v);
    CheckPartyRef(c, in.payee, f + ".payee", v);
    if (!in.payer.empty() && in.payer == in.payee) {
      v->Add(f + ".payee", "must not be the payer");
    }
  }
}

std::vector<AgreementParty> PartiesOf(const Case& c) {
  std::vector<AgreementParty> out;
  for (const auto& [prefix, side] : {std::pair{"applicants/", &c.data.applicants},
                                     std::pair{"respondents/", &c.data.respondents}}) {
    for (size_t i = 0; i < side->size(); ++i) {
      const Party& p = (*side)[i];
      out.push_back({absl::StrCat(prefix, i), p.kind, p.name, p.id_document_type, p.id_number,
                     p.phone, p.service_address});
    }
  }
  return out;
}

std::string YuanText(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string whole = absl::StrCat(abs / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  return absl::StrFormat("%s%s.%02d", negative ? "-" : "", grouped, static_cast<int>(abs % 100));
}

std::string CanonicalText(absl::string_view name, absl::string_view case_number, int revision,
                          const std::vector<AgreementParty>& parties,
                          const std::string& organization_id, const AgreementContent& content) {
  std::string out = "odr settlement agreement v1\n";
  Line(&out, "agreement", name);
  Line(&out, "case_number", case_number);
  Line(&out, "revision", absl::StrCat(revision));
  Line(&out, "organization", absl::StrCat("organizations/", organization_id));
  for (const AgreementParty& p : parties) {
    Line(&out, absl::StrCat("party ", p.ref, " kind"), PartyKindName(p.kind));
    Line(&out, absl::StrCat("party ", p.ref, " name"), p.name);
    Line(&out, absl::StrCat("party ", p.ref, " id"),
         absl::StrCat(IdDocumentTypeName(p.id_document_type), " ", p.id_number));
    Line(&out, absl::StrCat("party ", p.ref, " phone"), p.phone);
    Line(&out, absl::StrCat("party ", p.ref, " service_address"), p.service_address);
  }
  Line(&out, "facts", content.facts);
  Line(&out, "issues", content.issues);
  Line(&out, "responsibilities", content.responsibilities);
  for (size_t i = 0; i < content.terms.size(); ++i) {
    const AgreementTerm& t = content.terms[i];
    const std::string k = absl::StrCat("term ", i + 1, " ");
    Line(&out, k + "kind", TermKindName(t.kind));
    Line(&out, k + "obligor", t.obligor);
    Line(&out, k + "description", t.description);
    Line(&out, k + "method", t.method);
    Line(&out, k + "deadline", t.deadline_date);
  }
  int64_t total = 0;
  for (size_t i = 0; i < content.instalments.size(); ++i) {
    const Instalment& in = content.instalments[i];
    total += in.amount_fen;
    Line(&out, absl::StrCat("instalment ", i + 1),
         absl::StrCat(in.due_date, " ", in.payer, " pays ", in.payee, " ", in.amount_fen, " fen (",
                      YuanText(in.amount_fen), " yuan)"));
  }
  Line(&out, "total", absl::StrCat(total, " fen (", YuanText(total), " yuan)"));
  return out;
}

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), SHA256_DIGEST_LENGTH));
}

EffectRule EffectRuleFor(Route route, bool peoples_mediation_committee) {
  if (route == Route::kCitizenApplication && peoples_mediation_committee) {
    return EffectRule::kAllSigned;  // PML Art. 29
  }
  return EffectRule::kPartiesSigned;  // OMR Art. 19; 特邀 Art. 24 para 3
}

std::optional<absl::Time> EffectiveAt(EffectRule rule, const Case& c,
                                      const std::vector<AgreementSignature>& signatures) {
  if (!PendingSigners(c, signatures).empty()) {
    if (rule == EffectRule::kAllSigned) return std::nullopt;
    for (const std::string& pending : PendingSigners(c, signatures)) {
      if (IsPartyRef(c, pending)) return std::nullopt;
    }
  }
  std::optional<absl::Time> last;
  for (const AgreementSignature& s : signatures) {
    if (rule == EffectRule::kPartiesSigned && s.role != SignerRole::kParty) continue;
    if (!last || s.time > *last) last = s.time;
  }
  return last;
}

absl::Status CheckCanSign(const Agreement& a, const Case& c, const std::vector<SignerRole>& roles) {
  bool open = a.state == AgreementState::kDraft
                  ? c.state == CaseState::kMediating
                  : a.state == AgreementState::kEffective && c.state == CaseState::kSettled &&
                        !roles.empty();
  for (SignerRole role : roles) open = open && AcceptsSignatureFrom(a, c, role);
  if (open) return absl::OkStatus();
  return MakeError(absl::StatusCode::kFailedPrecondition, "AGREEMENT_NOT_DRAFT",
                   absl::StrCat(a.name(), " is ", AgreementStateName(a.state), " and the case is ",
                                ApiStateName(c.state),
                                "; only a draft of a case being mediated is signed, and an "
                                "effective agreement only by the mediator or the seal its form "
                                "lacks (OMR Art. 19)"));
}

absl::Status CheckCanRefuse(const Agreement& a, const Case& c) {
  if (a.state == AgreementState::kDraft && c.state == CaseState::kMediating) {
    return absl::OkStatus();
  }
  return MakeError(
      absl::StatusCode::kFailedPrecondition, "AGREEMENT_NOT_DRAFT",
      absl::StrCat(a.name(), " is ", AgreementStateName(a.state), " and the case is ",
                   ApiStateName(c.state), "; only a draft of a case being mediated is refused"));
}

std::string EffectRuleText(EffectRule rule) {
  return rule == EffectRule::kAllSigned
             ? "signed by every party and the mediator and sealed by the people's mediation "
               "committee (PML Art. 29)"
             : "signed by every party (OMR Art. 19; 特邀 Art. 24)";
}

std::string RefusalText(absl::string_view party, int revision, absl::string_view reason) {
  return absl::StrCat(party, " refused to sign revision ", revision,
                      " of the agreement, which ends the mediation (OMR Art. 25(七)): ", reason);
}

bool AcceptsSignatureFrom(const Agreement& a, const Case& c, SignerRole role) {
  if (a.state == AgreementState::kDraft) return true;
  if (a.state != AgreementState::kEffective || role == SignerRole::kParty) return false;
  for (const std::string& pending : PendingSigners(c, a.signatures)) {
    if (!IsPartyRef(c, pending) && (role == SignerRole::kMediator) == (pending == "mediator")) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> RequiredSigners(const Case& c) {
  std::vector<std::string> out;
  for (const AgreementParty& p : PartiesOf(c)) out.push_back(p.ref);
  out.push_back("mediator");
  out.push_back(absl::StrCat("organizations/", c.data.organization_id));
  return out;
}

std::vector<std::string> PendingSigners(const Case& c,
                                        const std::vector<AgreementSignature>& signatures) {
  std::set<std::string> signed_by;
  bool mediator = false;
  for (const AgreementSignature& s : signatures) {
    signed_by.insert(s.signer);
    mediator = mediator || s.role == SignerRole::kMediator;
  }
  std::vector<std::string> out;
  for (const std::string& s : RequiredSigners(c)) {
    if (s == "mediator" ? !mediator : signed_by.count(s) == 0) out.push_back(s);
  }
  return out;
}

std::string SignatureStatement(absl::string_view agreement_name, int revision,
                               absl::string_view content_hash, absl::string_view signer,
                               absl::string_view principal, absl::Time time) {
  return absl::StrCat("odr-agreement-signature-v1\n", agreement_name, "\n", revision, "\n",
                      content_hash, "\n", signer, "\n", principal, "\n",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone()), "\n");
}

int64_t PaidFen(const Agreement& a, int instalment) {
  int64_t paid = 0;
  for (const Payment& p : a.payments) {
    if (p.instalment == instalment) paid += p.amount_fen;
  }
  return paid;
}

InstalmentState InstalmentStateAt(const Agreement& a, int instalment, absl::Time now) {
  const Instalment& in = a.content.instalments[instalment];
  if (PaidFen(a, instalment) >= in.amount_fen) return InstalmentState::kPaid;
  auto day = ParseDay(in.due_date);
  if (day && now >= WorkingCalendar::EndOfDay(*day)) return InstalmentState::kOverdue;
  return InstalmentState::kDue;
}

}  // namespace odr::domain
