#include "server/domain/roster.h"

#include <algorithm>
#include <array>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "server/domain/validation.h"

namespace odr::domain {
namespace {

constexpr std::array<const char*, 24> kLanguages = {
    "zh",     "zh-wuu", "zh-yue", "zh-hak", "zh-nan", "zh-gan", "zh-hsn", "zh-cjy",
    "zh-cdo", "bo",     "ug",     "mn",     "ii",     "za",     "kk",     "ko",
    "en",     "ja",     "ru",     "fr",     "de",     "es",     "ar",     "vi"};

constexpr std::array<std::pair<OrganizationKind, const char*>, 7> kKinds{{
    {OrganizationKind::kPeoplesMediationCommittee, "peoples_mediation_committee"},
    {OrganizationKind::kIndustryProfessional, "industry_professional"},
    {OrganizationKind::kCourtInvited, "court_invited"},
    {OrganizationKind::kLawyer, "lawyer"},
    {OrganizationKind::kAdministrative, "administrative"},
    {OrganizationKind::kCommercial, "commercial"},
    {OrganizationKind::kOther, "other"},
}};

// The national form of a phone number: "+86 138 0013 8000" -> "13800138000",
// "+86 575 8700 0000" and "0086 575 ..." -> "057587000000" (landlines take the trunk 0).
std::string Digits(absl::string_view phone) {
  absl::string_view p = absl::StripLeadingAsciiWhitespace(phone);
  bool international = false;
  if (absl::ConsumePrefix(&p, "+86") || absl::ConsumePrefix(&p, "0086")) international = true;
  std::string d;
  for (char c : p) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  if (international && !d.empty() && d[0] != '1') d = "0" + d;
  return d;
}

template <typename Fn>
void ForEachPerson(const CaseData& c, Fn fn) {
  for (const auto* side : {&c.applicants, &c.respondents}) {
    for (const Party& p : *side) {
      fn(p.id_number, p.phone);
      for (const Agent& a : p.agents) fn(a.id_number, a.phone);
    }
  }
}

double RegionScore(absl::string_view a, absl::string_view b, std::string* why) {
  if (a.size() != 6 || b.size() != 6) return 0;
  if (a == b) {
    *why = "same county";
    return 1.0;
  }
  if (a.substr(0, 4) == b.substr(0, 4)) {
    *why = "same city";
    return 0.6;
  }
  if (a.substr(0, 2) == b.substr(0, 2)) {
    *why = "same province";
    return 0.3;
  }
  return 0;
}

}  // namespace

bool IsKnownLanguage(absl::string_view code) {
  return std::find(kLanguages.begin(), kLanguages.end(), code) != kLanguages.end();
}

const char* OrganizationKindName(OrganizationKind k) {
  for (const auto& [kind, name] : kKinds) {
    if (kind == k) return name;
  }
  return "other";
}

std::optional<OrganizationKind> OrganizationKindFromName(absl::string_view n) {
  for (const auto& [kind, name] : kKinds) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

void ValidateOrganization(const Organization& o, const std::string& path, Violations* v) {
  if (auto e = CheckText(o.display_name, 1, Limits::kNameChars, false); !e.empty()) {
    v->Add(path + ".display_name", e);
  }
  if (auto e = CheckRegionCode(o.region_code); !e.empty()) v->Add(path + ".region_code", e);
  if (!o.affiliated_court_id.empty()) {
    if (auto e = CheckResourceId(o.affiliated_court_id); !e.empty()) {
      v->Add(path + ".affiliated_court", e + " (courts/{court})");
    }
  }
}

void ValidateMediatorFee(const Mediator& m, OrganizationKind kind, const std::string& path,
                         Violations* v) {
  if (kind == OrganizationKind::kPeoplesMediationCommittee && m.fee_fen != 0) {
    v->Add(path + ".fee_fen",
           "must be 0: a people's mediation committee charges no fee (PML Art. 4)");
  }
}

void ValidateMediator(const Mediator& m, const std::string& path, Violations* v) {
  if (auto e = CheckText(m.display_name, 1, Limits::kNameChars, false); !e.empty()) {
    v->Add(path + ".display_name", e);
  }
  if (auto e = CheckText(m.profile, 0, 2000, true); !e.empty()) v->Add(path + ".profile", e);
  if (m.specialties.empty() || m.specialties.size() > 9) {
    v->Add(path + ".specialties", "needs 1-9 dispute types");
  } else if (std::set<DisputeType>(m.specialties.begin(), m.specialties.end()).size() !=
             m.specialties.size()) {
    v->Add(path + ".specialties", "lists a dispute type twice");
  }
  if (m.languages.empty() || m.languages.size() > 10) {
    v->Add(path + ".languages", "needs 1-10 language codes");
  }
  for (size_t i = 0; i < m.languages.size() && i < 10; ++i) {
    if (!IsKnownLanguage(m.languages[i])) {
      v->Add(absl::StrCat(path, ".languages[", i, "]"),
             "is not a known language code (see docs/api.md: zh, zh-wuu, zh-yue, en ...)");
    }
  }
  if (auto e = CheckRegionCode(m.region_code); !e.empty()) v->Add(path + ".region_code", e);
  if (m.fee_fen < 0 || m.fee_fen > Limits::kMaxAmountFen) {
    v->Add(path + ".fee_fen", "must be between 0 and 10000000000000 fen");
  }
  if (m.max_concurrent_cases < 1 || m.max_concurrent_cases > 200) {
    v->Add(path + ".max_concurrent_cases", "must be between 1 and 200");
  }
  const std::string priv = path + ".private_details";
  if (auto e = CheckIdNumber(m.id_document_type, m.id_number); !e.empty()) {
    v->Add(priv + ".id_number", e);
  }
  if (auto e = CheckPhone(m.phone); !e.empty()) v->Add(priv + ".phone", e);
  if (m.related_id_numbers.size() > 50) {
    v->Add(priv + ".related_id_numbers", "at most 50");
  }
  for (size_t i = 0; i < m.related_id_numbers.size() && i < 50; ++i) {
    const std::string& n = m.related_id_numbers[i];
    if (n.empty() || n.size() > 32 || !IsValidUtf8(n)) {
      v->Add(absl::StrCat(priv, ".related_id_numbers[", i, "]"), "must be 1-32 characters");
    }
  }
}

void ValidatePool(const Pool& p, const std::string& path, Violations* v) {
  if (auto e = CheckText(p.display_name, 1, Limits::kNameChars, false); !e.empty()) {
    v->Add(path + ".display_name", e);
  }
  for (size_t i = 0; i < p.region_codes.size(); ++i) {
    const std::string& r = p.region_codes[i];
    if (!IsRegionPrefix(r, false) || (r.size() != 2 && r.size() != 4 && r.size() != 6)) {
      v->Add(absl::StrCat(path, ".region_codes[", i, "]"),
             "must be a region code or a 2- or 4-digit prefix");
    }
  }
  if (p.mediator_ids.size() > 1000) v->Add(path + ".mediators", "at most 1000");
}

std::vector<std::string> ConflictsWith(const Mediator& m, const CaseData& c) {
  std::vector<std::string> out;
  const std::string phone = Digits(m.phone);
  bool party = false, shared_phone = false, related = false;
  ForEachPerson(c, [&](const std::string& id_number, const std::string& p) {
    // ID numbers are stored upper-case (the mappers normalize x to X), so they compare exactly.
    if (!m.id_number.empty() && id_number == m.id_number) party = true;
    if (!phone.empty() && Digits(p) == phone) shared_phone = true;
    for (const std::string& r : m.related_id_numbers) {
      if (r == id_number) related = true;
    }
  });
  if (party) out.push_back("the mediator is a party or an agent in the case");
  if (shared_phone) out.push_back("the mediator shares a phone number with a party or agent");
  if (related) out.push_back("the mediator is recorded as related to a party or agent");
  return out;
}

std::vector<Recommendation> RankMediators(const CaseData& c, const std::vector<Mediator>& all,
                                          const std::vector<std::string>& excluded, int limit,
                                          const MatchWeights& w) {
  std::vector<Recommendation> out;
  out.reserve(all.size());
  for (const Mediator& m : all) {
    if (m.suspended || m.active_cases >= m.max_concurrent_cases) continue;
    if (std::find(excluded.begin(), excluded.end(), m.id) != excluded.end()) continue;
    if (!ConflictsWith(m, c).empty()) continue;
    Recommendation r;
    r.mediator = &m;
    if (std::find(m.specialties.begin(), m.specialties.end(), c.dispute_type) !=
        m.specialties.end()) {
      r.score += w.specialty;
      r.reasons.push_back(absl::StrCat("specialty: ", DisputeTypeName(c.dispute_type)));
    }
    std::string why;
    if (double rs = RegionScore(m.region_code, c.region_code, &why); rs > 0) {
      r.score += w.region * rs;
      r.reasons.push_back(why);
    }
    const std::string& lang = c.language.empty() ? std::string("zh") : c.language;
    double ls = 0;
    for (const std::string& l : m.languages) {
      if (l == lang) {
        ls = 1;
        break;
      }
      if (l.substr(0, 2) == lang.substr(0, 2)) ls = std::max(ls, 0.5);
    }
    if (ls > 0) {
      r.score += w.language * ls;
      r.reasons.push_back(absl::StrCat(ls == 1 ? "speaks " : "speaks a variety of ", lang));
    }
    const double load =
        1.0 - static_cast<double>(m.active_cases) / static_cast<double>(m.max_concurrent_cases);
    r.score += w.load * load;
    r.reasons.push_back(absl::StrCat("load ", m.active_cases, "/", m.max_concurrent_cases));
    const double outcome = (m.recent_settled + 1.0) / (m.recent_ended + 2.0);
    r.score += w.outcome * outcome;
    r.reasons.push_back(absl::StrFormat("settled %d of %d ended in the last year", m.recent_settled,
                                        m.recent_ended));
    out.push_back(std::move(r));
  }
  auto better = [](const Recommendation& a, const Recommendation& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.mediator->active_cases != b.mediator->active_cases) {
      return a.mediator->active_cases < b.mediator->active_cases;
    }
    return a.mediator->id < b.mediator->id;
  };
  const size_t n = std::min<size_t>(out.size(), static_cast<size_t>(std::max(0, limit)));
  std::partial_sort(out.begin(), out.begin() + n, out.end(), better);
  out.resize(n);
  return out;
}

}  // namespace odr::domain
