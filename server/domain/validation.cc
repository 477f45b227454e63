#include "server/domain/validation.h"

#include <array>
#include <cctype>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "server/domain/roster.h"

namespace odr::domain {
namespace {

bool IsAsciiDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsAsciiAlnum(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Decodes one code point at s[i], advancing i; returns -1 on malformed input.
int32_t DecodeUtf8(absl::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len;
  int32_t cp;
  int32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + len > s.size()) return -1;
  for (int k = 1; k < len; ++k) {
    unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += len;
  return cp;
}

// Whitespace, and the invisible zero-width characters: a name made only of these is blank.
bool IsBlankCodePoint(int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 /* ideographic */ ||
         cp == 0xA0 || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

// C1 controls and the bidirectional overrides and isolates, which can make text display as
// something other than what it is (Trojan Source), and the byte-order mark.
bool IsForbiddenFormatCodePoint(int32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C ||
         cp == 0xFEFF;
}

}  // namespace

int32_t DecodeUtf8CodePoint(absl::string_view s, size_t* i) {
  const int32_t cp = DecodeUtf8(s, *i);
  if (cp < 0) ++*i;
  return cp;
}

bool IsControlOrBidiCodePoint(int32_t cp) {
  return (cp >= 0 && cp < 0x20) || cp == 0x7F || IsForbiddenFormatCodePoint(cp);
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (DecodeUtf8(s, i) < 0) return false;
  }
  return true;
}

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    if (DecodeUtf8(s, i) < 0) ++i;
    ++n;
  }
  return n;
}

std::string CheckText(absl::string_view s, size_t min_chars, size_t max_chars, bool multiline) {
  if (s.empty()) return min_chars > 0 ? "is required" : "";
  size_t n = 0;
  bool blank = true;
  for (size_t i = 0; i < s.size();) {
    int32_t cp = DecodeUtf8(s, i);
    if (cp < 0) return "is not valid UTF-8";
    if (IsControlOrBidiCodePoint(cp) && !(multiline && (cp == '\n' || cp == '\t' || cp == '\r'))) {
      return "must not contain control or text-direction characters";
    }
    if (!IsBlankCodePoint(cp)) blank = false;
    ++n;
  }
  if (blank && min_chars > 0) return "must not be blank";
  if (n < min_chars) return absl::StrCat("must be at least ", min_chars, " characters");
  if (n > max_chars)
    return absl::StrCat("must be at most ", max_chars, " characters (got ", n, ")");
  return "";
}

std::string CheckPhone(absl::string_view s) {
  if (s.empty()) return "is required";
  if (s.size() > 32) return "must be at most 32 characters";
  std::string digits;
  bool plus = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '-') continue;
    if (c == '+' && i == 0) {
      plus = true;
      continue;
    }
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return "must be a phone number: digits, optionally a leading + and spaces or hyphens";
    }
    digits.push_back(c);
  }
  if (plus) {
    if (digits.size() < 7 || digits.size() > 15) return "international numbers have 7-15 digits";
    return "";
  }
  if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9') return "";
  if (digits[0] == '0' && digits.size() >= 10 && digits.size() <= 12) return "";
  return "must be a mainland mobile (11 digits starting 13-19), a landline with area code "
         "(0 and 9-11 digits) or +country code and number";
}

std::string CheckIdNumber(IdDocumentType type, absl::string_view s) {
  if (s.empty()) return "is required";
  switch (type) {
    case IdDocumentType::kResidentIdCard: {
      if (s.size() != 18 || !IsAsciiDigits(s.substr(0, 17)) ||
          !(absl::ascii_isdigit(static_cast<unsigned char>(s[17])) || s[17] == 'X' ||
            s[17] == 'x')) {
        return "a resident ID card number has 17 digits and a check digit (0-9 or X)";
      }
      static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                       3, 7, 9,  10, 5, 8, 4, 2};
      static constexpr char kCheck[] = "10X98765432";
      int sum = 0;
      for (int i = 0; i < 17; ++i) sum += (s[i] - '0') * kWeights[i];
      char expected = kCheck[sum % 11];
      if (absl::ascii_toupper(static_cast<unsigned char>(s[17])) != expected) {
        return "the check digit of the resident ID card number does not match";
      }
      return "";
    }
    case IdDocumentType::kPassport:
      if (s.size() < 5 || s.size() > 20 || !IsAsciiAlnum(s)) {
        return "a passport number has 5-20 letters and digits";
      }
      return "";
    case IdDocumentType::kHkMacaoTaiwanPermit:
      if (s.size() < 8 || s.size() > 18 || !IsAsciiAlnum(s)) {
        return "a permit number has 8-18 letters and digits";
      }
      return "";
    case IdDocumentType::kForeignPermanentResidentId:
      if (s.size() < 15 || s.size() > 18 || !IsAsciiAlnum(s)) {
        return "a foreign permanent resident ID has 15-18 letters and digits";
      }
      return "";
    case IdDocumentType::kUnifiedSocialCreditCode: {
      static constexpr absl::string_view kChars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
      static constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                       29, 25, 13, 8,  24, 10, 30, 28};
      if (s.size() != 18) return "a unified social credit code has 18 characters";
      int sum = 0;
      for (int i = 0; i < 18; ++i) {
        size_t v = kChars.find(s[i]);
        if (v == absl::string_view::npos) {
          return "a unified social credit code uses digits and A-Z except I, O, S, V, Z";
        }
        if (i < 17) sum += static_cast<int>(v) * kWeights[i];
      }
      int check = (31 - sum % 31) % 31;
      if (s[17] != kChars[check]) {
        return "the check character of the unified social credit code does not match";
      }
      return "";
    }
  }
  return "has an unknown document type";
}

std::string CheckRegionCode(absl::string_view s) {
  if (s.empty()) return "is required";
  if (s.size() != 6 || !IsAsciiDigits(s)) {
    return "must be a 6-digit administrative division code, e.g. 330681";
  }
  int province = (s[0] - '0') * 10 + (s[1] - '0');
  bool ok = (province >= 11 && province <= 15) || (province >= 21 && province <= 23) ||
            (province >= 31 && province <= 37) || (province >= 41 && province <= 46) ||
            (province >= 50 && province <= 54) || (province >= 61 && province <= 65) ||
            province == 71 || province == 81 || province == 82;
  if (!ok) return "does not start with a province code (11-82)";
  return "";
}

std::string CheckDiversionDate(absl::string_view s, absl::Time now) {
  if (s.empty()) return "is required";
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !absl::SimpleAtoi(s.substr(0, 4), &y) ||
      !absl::SimpleAtoi(s.substr(5, 2), &m) || !absl::SimpleAtoi(s.substr(8, 2), &d) ||
      !IsAsciiDigits(s.substr(0, 4)) || !IsAsciiDigits(s.substr(5, 2)) ||
      !IsAsciiDigits(s.substr(8, 2))) {
    return "must be a date YYYY-MM-DD";
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d || y < 2000) {
    return "is not a real calendar date";
  }
  absl::CivilDay today = absl::ToCivilDay(now, absl::FixedTimeZone(8 * 3600));
  if (day > today) return "must not be in the future";
  return "";
}

std::string CheckRequestId(absl::string_view s) {
  if (s.size() > Limits::kRequestIdChars) return "must be at most 64 characters";
  for (char c : s) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return "may contain only letters, digits, '-' and '_'";
    }
  }
  return "";
}

std::string CheckCaseId(absl::string_view s) {
  if (s.empty() || s.size() > 64) return "must be cases/{case} with a 1-64 character id";
  for (char c : s) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(c)) ||
          absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return "must be cases/{case}; the id has lower-case letters, digits and '-'";
    }
  }
  return "";
}

bool IsRegionPrefix(absl::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  return s.size() <= 6 && IsAsciiDigits(s);
}

std::string CheckResourceId(absl::string_view s) {
  if (s.empty()) return "is required";
  if (s.size() > 64) return "must have an id of at most 64 characters";
  for (char c : s) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(c)) ||
          absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return "must be a resource name whose id has only a-z, 0-9 and '-'";
    }
  }
  return "";
}

namespace {

template <typename T>
void ValidatePerson(const T& p, const std::string& path, Violations* v) {
  if (auto e = CheckText(p.name, 1, Limits::kNameChars, false); !e.empty()) {
    v->Add(path + ".name", e);
  }
  if (auto e = CheckIdNumber(p.id_document_type, p.id_number); !e.empty()) {
    v->Add(path + ".id_number", e);
  }
  if (auto e = CheckPhone(p.phone); !e.empty()) v->Add(path + ".phone", e);
  if (auto e = CheckText(p.service_address, 1, Limits::kServiceAddressChars, false); !e.empty()) {
    v->Add(path + ".service_address", e);
  }
}

}  // namespace

void ValidateParty(const Party& p, const std::string& path, Violations* v) {
  ValidatePerson(p, path, v);
  if (p.agents.size() > Limits::kAgentsPerParty) {
    v->Add(path + ".agents", absl::StrCat("at most ", Limits::kAgentsPerParty, " agents"));
  }
  for (size_t i = 0; i < p.agents.size() && i < Limits::kAgentsPerParty; ++i) {
    ValidatePerson(p.agents[i], absl::StrCat(path, ".agents[", i, "]"), v);
  }
  if (p.domicile) {
    // CPL Interpretation Arts. 3-4: a person's household registration or habitual residence, an
    // organization's main office or, failing it, its place of registration.
    const Domicile& d = *p.domicile;
    if (auto e = CheckRegionCode(d.region_code); !e.empty()) {
      v->Add(path + ".domicile.region_code", e);
    }
    const bool person_basis = d.basis == DomicileBasis::kHouseholdRegistration ||
                              d.basis == DomicileBasis::kHabitualResidence;
    if (person_basis != (p.kind == PartyKind::kNaturalPerson)) {
      v->Add(path + ".domicile.basis",
             p.kind == PartyKind::kNaturalPerson
                 ? "a natural person's domicile is its household registration or habitual "
                   "residence (CPL Interpretation Arts. 3-4)"
                 : "an organization's domicile is its main office or place of registration (CPL "
                   "Interpretation Art. 3)");
    }
    if (auto e = CheckText(d.material, 1, Limits::kDomicileMaterialChars, false); !e.empty()) {
      v->Add(path + ".domicile.material", e);
    }
  }
}

void ValidateParties(const std::vector<Party>& parties, const std::string& path, Violations* v) {
  if (parties.empty()) {
    v->Add(path, "at least one is required");
    return;
  }
  if (parties.size() > Limits::kPartiesPerSide) {
    v->Add(path, absl::StrCat("at most ", Limits::kPartiesPerSide, " allowed"));
    return;
  }
  for (size_t i = 0; i < parties.size(); ++i) {
    ValidateParty(parties[i], absl::StrCat(path, "[", i, "]"), v);
  }
}

void ValidateSides(const CaseData& c, const std::string& path, Violations* v) {
  // One person may not be (or act for) both sides (Civil Code Art. 168): they would sign and
  // apply for the other side too.
  std::set<std::pair<IdDocumentType, std::string>> applicant_side;
  for (const Party& p : c.applicants) {
    applicant_side.insert({p.id_document_type, p.id_number});
    for (const Agent& a : p.agents) applicant_side.insert({a.id_document_type, a.id_number});
  }
  for (size_t i = 0; i < c.respondents.size(); ++i) {
    const Party& p = c.respondents[i];
    const std::string f = absl::StrCat(path, ".respondents[", i, "]");
    if (applicant_side.count({p.id_document_type, p.id_number}) > 0) {
      v->Add(f + ".id_number", "is also on the applicant side: nobody may be on both sides");
    }
    for (size_t j = 0; j < p.agents.size(); ++j) {
      const Agent& a = p.agents[j];
      if (applicant_side.count({a.id_document_type, a.id_number}) > 0) {
        v->Add(absl::StrCat(f, ".agents[", j, "].id_number"),
               "is also on the applicant side: nobody may act for both sides");
      }
    }
  }
}

void ValidateCaseData(const CaseData& c, absl::Time now, const std::string& path, Violations* v) {
  ValidateParties(c.applicants, path + ".applicants", v);
  ValidateParties(c.respondents, path + ".respondents", v);
  ValidateSides(c, path, v);
  if (auto e = CheckText(c.summary, 1, Limits::kSummaryChars, true); !e.empty()) {
    v->Add(path + ".summary", e);
  }
  if (auto e = CheckText(c.claims, 1, Limits::kClaimsChars, true); !e.empty()) {
    v->Add(path + ".claims", e);
  }
  if (c.amount_fen < 0) {
    v->Add(path + ".amount_fen", "must not be negative");
  } else if (c.amount_fen > Limits::kMaxAmountFen) {
    v->Add(path + ".amount_fen", "must be at most 10000000000000 fen");
  }
  if (auto e = CheckRegionCode(c.region_code); !e.empty()) v->Add(path + ".region_code", e);
  if (!c.subject_matter_region_code.empty()) {
    if (auto e = CheckRegionCode(c.subject_matter_region_code); !e.empty()) {
      v->Add(path + ".subject_matter_region_code", e);
    }
  }
  if (auto e = CheckResourceId(c.organization_id); !e.empty()) {
    v->Add(path + ".organization", e + " (organizations/{organization})");
  }
  if (!IsKnownLanguage(c.language)) {
    v->Add(path + ".language", "is not a known language code (zh, zh-wuu, zh-yue, en ...)");
  }
  if (c.court_diversion) {
    const std::string p = path + ".source.court_diversion";
    const CourtDiversion& d = *c.court_diversion;
    if (auto e = CheckResourceId(d.court_id); !e.empty()) {
      v->Add(p + ".court", e + " (courts/{court})");
    }
    if (auto e = CheckText(d.court_display_name, 0, Limits::kCourtChars, false); !e.empty()) {
      v->Add(p + ".court_display_name", e);
    }
    if (auto e = CheckText(d.intake_reference, 1, Limits::kIntakeReferenceChars, false);
        !e.empty()) {
      v->Add(p + ".intake_reference", e);
    }
    if (auto e = CheckDiversionDate(d.diversion_date, now); !e.empty()) {
      v->Add(p + ".diversion_date", e);
    }
  }
}

}  // namespace odr::domain
