#include "client/cli_input.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"

namespace odr::cli {
namespace {

template <typename E>
struct Spelling {
  const char* text;
  E value;
};

constexpr Spelling<v1::DisputeType> kDisputeTypes[] = {
    {"medical", v1::DISPUTE_TYPE_MEDICAL},
    {"neighbour", v1::DISPUTE_TYPE_NEIGHBOUR},
    {"labour", v1::DISPUTE_TYPE_LABOUR},
    {"debt-contract", v1::DISPUTE_TYPE_DEBT_CONTRACT},
    {"family-inheritance", v1::DISPUTE_TYPE_FAMILY_INHERITANCE},
    {"traffic-accident", v1::DISPUTE_TYPE_TRAFFIC_ACCIDENT},
    {"property-land", v1::DISPUTE_TYPE_PROPERTY_LAND},
    {"consumer-ecommerce", v1::DISPUTE_TYPE_CONSUMER_ECOMMERCE},
    {"other", v1::DISPUTE_TYPE_OTHER},
};

constexpr Spelling<v1::PartyKind> kPartyKinds[] = {
    {"person", v1::PARTY_KIND_NATURAL_PERSON},
    {"legal", v1::PARTY_KIND_LEGAL_PERSON},
    {"org", v1::PARTY_KIND_UNINCORPORATED_ORGANIZATION},
};

constexpr Spelling<v1::IdDocumentType> kIdTypes[] = {
    {"resident-id", v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD},
    {"passport", v1::ID_DOCUMENT_TYPE_PASSPORT},
    {"permit", v1::ID_DOCUMENT_TYPE_HK_MACAO_TAIWAN_PERMIT},
    {"foreign-resident", v1::ID_DOCUMENT_TYPE_FOREIGN_PERMANENT_RESIDENT_ID},
    {"uscc", v1::ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE},
};

constexpr Spelling<v1::OrganizationKind> kOrganizationKinds[] = {
    {"people", v1::ORGANIZATION_KIND_PEOPLES_MEDIATION_COMMITTEE},
    {"industry", v1::ORGANIZATION_KIND_INDUSTRY_PROFESSIONAL},
    {"court-invited", v1::ORGANIZATION_KIND_COURT_INVITED},
    {"lawyer", v1::ORGANIZATION_KIND_LAWYER},
    {"administrative", v1::ORGANIZATION_KIND_ADMINISTRATIVE},
    {"commercial", v1::ORGANIZATION_KIND_COMMERCIAL},
    {"other", v1::ORGANIZATION_KIND_OTHER},
};

// The special= key of an agent spec: whether the power of attorney grants special authority.
// The domicile= key of a party spec (CPL Interpretation Arts. 3-4).
constexpr Spelling<v1::Domicile::Basis> kDomicileBases[] = {
    {"household", v1::Domicile::BASIS_HOUSEHOLD_REGISTRATION},
    {"habitual-residence", v1::Domicile::BASIS_HABITUAL_RESIDENCE},
    {"main-office", v1::Domicile::BASIS_MAIN_OFFICE},
    {"registered-place", v1::Domicile::BASIS_REGISTERED_PLACE},
};

constexpr Spelling<bool> kYesNo[] = {
    {"yes", true},
    {"no", false},
};

constexpr Spelling<v1::Mediator::Employment> kEmployments[] = {
    {"full-time", v1::Mediator::EMPLOYMENT_FULL_TIME},
    {"part-time", v1::Mediator::EMPLOYMENT_PART_TIME},
};

template <typename E, size_t N>
std::string Choices(const Spelling<E> (&table)[N]) {
  std::vector<std::string> names;
  for (const auto& s : table) names.push_back(s.text);
  return absl::StrJoin(names, ", ");
}

// Lower case, '_' as '-'.
std::string Normalize(absl::string_view text) {
  std::string out = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

template <typename E, size_t N>
absl::StatusOr<E> Lookup(const Spelling<E> (&table)[N], absl::string_view text,
                         absl::string_view what) {
  const std::string norm = Normalize(text);
  for (const auto& s : table) {
    if (norm == s.text) return s.value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must be one of: ", Choices(table), " (got '", text, "')"));
}

// Lookup that also takes the enum's own names, with or without `prefix` (e.g. "DISPUTE_TYPE_"):
// DISPUTE_TYPE_MEDICAL, medical, Medical, PEOPLES_MEDIATION_COMMITTEE.
template <typename E, size_t N>
absl::StatusOr<E> LookupEnum(const Spelling<E> (&table)[N], absl::string_view text,
                             absl::string_view what, absl::string_view prefix,
                             bool (*parse)(absl::string_view, E*)) {
  absl::StatusOr<E> flag_spelling = Lookup(table, text, what);
  if (flag_spelling.ok()) return flag_spelling;
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  for (char& c : upper) {
    if (c == '-') c = '_';
  }
  if (!absl::StartsWith(upper, prefix)) upper = absl::StrCat(prefix, upper);
  E value;
  if (parse(upper, &value)) {
    for (const auto& s : table) {
      if (s.value == value) return value;  // never UNSPECIFIED
    }
  }
  return flag_spelling.status();
}

// "MEDICAL" for the enum value named DISPUTE_TYPE_MEDICAL with `prefix` DISPUTE_TYPE_.
std::string ShortName(const std::string& name, int value, absl::string_view prefix) {
  if (name.empty()) return absl::StrCat(value);
  absl::string_view short_name = name;
  absl::ConsumePrefix(&short_name, prefix);
  return std::string(short_name);
}

struct Item {
  std::string key;
  std::string value;
};

// Splits `k=v;k=v` honouring `\;` and `\\`.
absl::StatusOr<std::vector<Item>> SplitSpec(absl::string_view spec) {
  std::vector<std::string> raw(1);
  for (size_t i = 0; i < spec.size(); ++i) {
    char c = spec[i];
    if (c == '\\' && i + 1 < spec.size() && (spec[i + 1] == ';' || spec[i + 1] == '\\')) {
      raw.back().push_back(spec[++i]);
    } else if (c == ';') {
      raw.emplace_back();
    } else {
      raw.back().push_back(c);
    }
  }
  std::vector<Item> items;
  int n = 0;
  for (const std::string& r : raw) {
    ++n;
    absl::string_view s = absl::StripAsciiWhitespace(r);
    if (s.empty()) continue;
    size_t eq = s.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("item ", n, " is not key=value (separate items with ';')"));
    }
    Item item{absl::AsciiStrToLower(absl::StripAsciiWhitespace(s.substr(0, eq))),
              std::string(absl::StripAsciiWhitespace(s.substr(eq + 1)))};
    if (item.key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("item ", n, " has no key"));
    }
    for (const Item& prev : items) {
      if (prev.key == item.key) {
        return absl::InvalidArgumentError(absl::StrCat("key '", item.key, "' is given twice"));
      }
    }
    items.push_back(std::move(item));
  }
  if (items.empty()) {
    return absl::InvalidArgumentError("is empty; expected key=value;key=value...");
  }
  return items;
}

// The keys that parties and agents share. Returns false if `item` is not one of them.
template <typename P>
absl::StatusOr<bool> ApplyPersonKey(const Item& item, P* p) {
  if (item.key == "name") {
    p->set_name(item.value);
  } else if (item.key == "id-type") {
    auto t = Lookup(kIdTypes, item.value, "id-type");
    if (!t.ok()) return t.status();
    p->set_id_document_type(*t);
  } else if (item.key == "id") {
    p->set_id_number(item.value);
  } else if (item.key == "phone") {
    p->set_phone(item.value);
  } else if (item.key == "address") {
    p->set_service_address(item.value);
  } else {
    return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<int64_t> ParseYuanToFen(absl::string_view yuan) {
  return ParseYuanToFen(yuan, "--amount");
}

absl::StatusOr<int64_t> ParseYuanToFen(absl::string_view yuan, absl::string_view flag) {
  absl::string_view s = absl::StripAsciiWhitespace(yuan);
  if (s.empty()) return absl::InvalidArgumentError(absl::StrCat(flag, " is empty"));
  if (s[0] == '-') return absl::InvalidArgumentError(absl::StrCat(flag, " must not be negative"));
  size_t dot = s.find('.');
  absl::string_view whole = s.substr(0, dot);
  absl::string_view frac = dot == absl::string_view::npos ? "" : s.substr(dot + 1);
  auto all_digits = [](absl::string_view d) {
    for (char c : d) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(frac) ||
      (dot != absl::string_view::npos && frac.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " must be yuan written as digits with at most 2 decimals, e.g. 20000 or 12.50"));
  }
  if (frac.size() > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " has more than 2 decimals; the smallest unit is the fen (0.01 yuan)"));
  }
  int64_t w = 0;
  for (char c : whole) {
    if (__builtin_mul_overflow(w, int64_t{10}, &w) || __builtin_add_overflow(w, c - '0', &w)) {
      return absl::InvalidArgumentError(absl::StrCat(flag, " is too large"));
    }
  }
  int64_t f = 0;
  if (!frac.empty()) f = (frac[0] - '0') * 10 + (frac.size() > 1 ? frac[1] - '0' : 0);
  int64_t fen;
  if (__builtin_mul_overflow(w, int64_t{100}, &fen) || __builtin_add_overflow(fen, f, &fen)) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " is too large"));
  }
  return fen;
}

std::string FormatFen(int64_t fen) {
  // Work in unsigned to format INT64_MIN too.
  const bool negative = fen < 0;
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  return absl::StrFormat("%s%d.%02d", negative ? "-" : "", abs / 100, abs % 100);
}

absl::StatusOr<v1::DisputeType> ParseDisputeType(absl::string_view text) {
  return ParseDisputeType(text, "--type");
}

absl::StatusOr<v1::DisputeType> ParseDisputeType(absl::string_view text, absl::string_view flag) {
  const std::string norm = Normalize(text);
  absl::string_view short_name = norm;
  absl::ConsumePrefix(&short_name, "dispute-type-");
  return Lookup(kDisputeTypes, short_name, flag);
}

absl::StatusOr<v1::OrganizationKind> ParseOrganizationKind(absl::string_view text) {
  return LookupEnum(
      kOrganizationKinds, text, "--kind", "ORGANIZATION_KIND_",
      +[](absl::string_view name, v1::OrganizationKind* out) {
        return v1::OrganizationKind_Parse(std::string(name), out);
      });
}

std::string OrganizationKindShortName(v1::OrganizationKind kind) {
  if (kind == v1::ORGANIZATION_KIND_UNSPECIFIED) return "";
  return ShortName(v1::OrganizationKind_Name(kind), kind, "ORGANIZATION_KIND_");
}

absl::StatusOr<v1::Mediator::Employment> ParseEmployment(absl::string_view text) {
  return LookupEnum(
      kEmployments, text, "--employment", "EMPLOYMENT_",
      +[](absl::string_view name, v1::Mediator::Employment* out) {
        return v1::Mediator::Employment_Parse(std::string(name), out);
      });
}

std::string EmploymentShortName(v1::Mediator::Employment employment) {
  if (employment == v1::Mediator::EMPLOYMENT_UNSPECIFIED) return "";
  return ShortName(v1::Mediator::Employment_Name(employment), employment, "EMPLOYMENT_");
}

std::string MediatorStateShortName(v1::Mediator::State state) {
  if (state == v1::Mediator::STATE_UNSPECIFIED) return "";
  return ShortName(v1::Mediator::State_Name(state), state, "STATE_");
}

std::string AssignmentStateShortName(v1::MediatorAssignment::State state) {
  if (state == v1::MediatorAssignment::STATE_UNSPECIFIED) return "";
  return ShortName(v1::MediatorAssignment::State_Name(state), state, "STATE_");
}

std::string AssignmentMethodShortName(v1::MediatorAssignment::Method method) {
  if (method == v1::MediatorAssignment::METHOD_UNSPECIFIED) return "";
  return ShortName(v1::MediatorAssignment::Method_Name(method), method, "METHOD_");
}

absl::StatusOr<v1::IdDocumentType> ParseIdDocumentType(absl::string_view text,
                                                       absl::string_view flag) {
  return LookupEnum(
      kIdTypes, text, flag, "ID_DOCUMENT_TYPE_",
      +[](absl::string_view name, v1::IdDocumentType* out) {
        return v1::IdDocumentType_Parse(std::string(name), out);
      });
}

std::string DisputeTypeShortName(v1::DisputeType type) {
  if (type == v1::DISPUTE_TYPE_UNSPECIFIED) return "";
  const std::string& name = v1::DisputeType_Name(type);
  if (name.empty()) return absl::StrCat(static_cast<int>(type));
  absl::string_view short_name = name;
  absl::ConsumePrefix(&short_name, "DISPUTE_TYPE_");
  return std::string(short_name);
}

std::string StateShortName(v1::Case::State state) {
  if (state == v1::Case::STATE_UNSPECIFIED) return "";
  const std::string& name = v1::Case::State_Name(state);
  if (name.empty()) return absl::StrCat(static_cast<int>(state));
  absl::string_view short_name = name;
  absl::ConsumePrefix(&short_name, "STATE_");
  return std::string(short_name);
}

absl::StatusOr<v1::Party> ParsePartySpec(absl::string_view spec) {
  auto items = SplitSpec(spec);
  if (!items.ok()) return items.status();
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_NATURAL_PERSON);
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  for (const Item& item : *items) {
    if (item.key == "kind") {
      auto k = Lookup(kPartyKinds, item.value, "kind");
      if (!k.ok()) return k.status();
      p.set_kind(*k);
      continue;
    }
    if (item.key == "domicile") {
      // REGION:BASIS:MATERIAL; the material may itself hold ':'.
      std::vector<std::string> parts = absl::StrSplit(item.value, absl::MaxSplits(':', 2));
      if (parts.size() != 3 || parts[0].empty() || parts[2].empty()) {
        return absl::InvalidArgumentError(
            "domicile must be REGION:BASIS:MATERIAL, e.g. 330681:household:户口簿");
      }
      auto basis = Lookup(kDomicileBases, parts[1], "domicile basis");
      if (!basis.ok()) return basis.status();
      v1::Domicile* d = p.mutable_domicile();
      d->set_region_code(parts[0]);
      d->set_basis(*basis);
      d->set_material(parts[2]);
      continue;
    }
    auto known = ApplyPersonKey(item, &p);
    if (!known.ok()) return known.status();
    if (!*known) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown key '", item.key,
                       "'; keys are kind, name, id-type, id, phone, address, domicile"));
    }
  }
  return p;
}

absl::StatusOr<AgentSpec> ParseAgentSpec(absl::string_view spec) {
  auto items = SplitSpec(spec);
  if (!items.ok()) return items.status();
  AgentSpec a;
  a.agent.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  bool have_of = false;
  for (const Item& item : *items) {
    if (item.key == "of") {
      absl::string_view v = item.value;
      absl::string_view side = v.substr(0, v.find(':'));
      absl::string_view number =
          v.find(':') == absl::string_view::npos ? "" : v.substr(v.find(':') + 1);
      int n = 0;
      if ((side != "applicant" && side != "respondent") || !absl::SimpleAtoi(number, &n) || n < 1) {
        return absl::InvalidArgumentError(
            "of must be applicant:N or respondent:N, N counting from 1");
      }
      a.of_applicant = side == "applicant";
      a.party_index = n - 1;
      have_of = true;
      continue;
    }
    if (item.key == "special") {
      auto special = Lookup(kYesNo, item.value, "special");
      if (!special.ok()) return special.status();
      a.agent.set_special_authority(*special);
      continue;
    }
    auto known = ApplyPersonKey(item, &a.agent);
    if (!known.ok()) return known.status();
    if (!*known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown key '", item.key, "'; keys are of, name, id-type, id, phone, address, special"));
    }
  }
  if (!have_of) {
    return absl::InvalidArgumentError(
        "of=applicant:N or of=respondent:N is required (whom the agent acts for)");
  }
  return a;
}

std::string CaseName(absl::string_view name_or_id) {
  if (absl::StartsWith(name_or_id, "cases/")) return std::string(name_or_id);
  return absl::StrCat("cases/", name_or_id);
}

std::string ResourceName(absl::string_view collection, absl::string_view name_or_id) {
  if (name_or_id.empty()) return "";
  const std::string prefix = absl::StrCat(collection, "/");
  if (absl::StartsWith(name_or_id, prefix)) return std::string(name_or_id);
  return absl::StrCat(prefix, name_or_id);
}

absl::StatusOr<std::string> OrganizationChildName(absl::string_view collection,
                                                  absl::string_view text, absl::string_view flag,
                                                  absl::string_view default_org) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  if (absl::StartsWith(t, "organizations/")) return std::string(t);
  const std::vector<absl::string_view> parts = absl::StrSplit(t, '/');
  const bool known_collection =
      parts.size() == 2 && (parts[0] == "principals" || parts[0] == "cases" ||
                            parts[0] == "courts" || parts[0] == "mediators" || parts[0] == "pools");
  if (parts.size() == 2 && !parts[0].empty() && !parts[1].empty() && !known_collection) {
    return absl::StrCat("organizations/", parts[0], "/", collection, "/", parts[1]);
  }
  absl::string_view org = default_org;
  absl::ConsumePrefix(&org, "organizations/");
  if (parts.size() == 1 && !t.empty() && !org.empty()) {
    return absl::StrCat("organizations/", org, "/", collection, "/", t);
  }
  std::string message =
      absl::StrCat(flag, " must be organizations/ORG/", collection, "/ID or ORG/ID");
  if (!org.empty()) absl::StrAppend(&message, " (or ID, of organizations/", org, ")");
  if (!parts.empty() && parts[0] == "principals") {
    absl::StrAppend(&message,
                    "; principals/ID is an account, not a roster entry: 'odr mediator list' "
                    "shows the mediators' names");
  }
  return absl::InvalidArgumentError(message);
}

absl::StatusOr<std::string> MediatorName(absl::string_view text, absl::string_view flag,
                                         absl::string_view default_org) {
  return OrganizationChildName("mediators", text, flag, default_org);
}

absl::StatusOr<std::string> PoolName(absl::string_view text, absl::string_view flag,
                                     absl::string_view default_org) {
  return OrganizationChildName("pools", text, flag, default_org);
}

absl::TimeZone ChinaTimeZone() { return absl::FixedTimeZone(8 * 60 * 60); }

absl::StatusOr<absl::Time> ParseTimeFlag(absl::string_view text, absl::string_view flag) {
  const std::string t(absl::StripAsciiWhitespace(text));
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, t, &time, &error)) return time;
  // Without an offset: China time.
  for (const char* format :
       {"%Y-%m-%d%ET%H:%M", "%Y-%m-%d%ET%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"}) {
    if (absl::ParseTime(format, t, ChinaTimeZone(), &time, &error)) return time;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(flag, " must be a time in RFC 3339, e.g. 2031-03-04T09:00:00+08:00 (or ",
                   "2031-03-04T09:00, China time); got '", text, "'"));
}

absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view text, absl::string_view flag) {
  absl::Duration d;
  if (!absl::ParseDuration(absl::StripAsciiWhitespace(text), &d) || d <= absl::ZeroDuration() ||
      d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " must be a length of time such as 90m, 1h or 1h30m; got '", text, "'"));
  }
  return d;
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(t);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return out;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Duration ToDurationProto(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(d / absl::Nanoseconds(1)));
  return out;
}

namespace {

constexpr Spelling<v1::DayOfWeek> kDays[] = {
    {"mon", v1::DAY_OF_WEEK_MONDAY},    {"tue", v1::DAY_OF_WEEK_TUESDAY},
    {"wed", v1::DAY_OF_WEEK_WEDNESDAY}, {"thu", v1::DAY_OF_WEEK_THURSDAY},
    {"fri", v1::DAY_OF_WEEK_FRIDAY},    {"sat", v1::DAY_OF_WEEK_SATURDAY},
    {"sun", v1::DAY_OF_WEEK_SUNDAY},
};

constexpr const char* kDayNames[] = {"monday", "tuesday",  "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};

// "mon", "Monday" -> DAY_OF_WEEK_MONDAY.
absl::StatusOr<v1::DayOfWeek> ParseDay(absl::string_view text) {
  const std::string norm = Normalize(text);
  for (size_t i = 0; i < std::size(kDays); ++i) {
    if (norm == kDays[i].text || norm == kDayNames[i]) return kDays[i].value;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--hours: '", text, "' is not a day: mon, tue, wed, thu, fri, sat, sun, or a range mon-fri"));
}

// "09:00" or "9:00" -> minutes since midnight; "24:00" only with `allow_24`.
absl::StatusOr<int> ParseClock(absl::string_view text, bool allow_24) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  int h = -1, m = -1;
  if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 2 || parts[1].size() != 2 ||
      !absl::SimpleAtoi(parts[0], &h) || !absl::SimpleAtoi(parts[1], &m) || h < 0 || m < 0 ||
      m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24))) {
    return absl::InvalidArgumentError(
        absl::StrCat("--hours: '", text, "' is not a time of day HH:MM (00:00 to 24:00)"));
  }
  return h * 60 + m;
}

}  // namespace

absl::StatusOr<std::vector<v1::WeeklyHours>> ParseWeeklyHoursSpec(absl::string_view spec) {
  const absl::string_view s = absl::StripAsciiWhitespace(spec);
  const size_t eq = s.find('=');
  if (eq == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--hours must be DAYS=HH:MM-HH:MM[,HH:MM-HH:MM], e.g. mon=09:00-12:00,13:30-17:30; got '",
        spec, "'"));
  }
  const absl::string_view days_text = absl::StripAsciiWhitespace(s.substr(0, eq));
  std::vector<v1::DayOfWeek> days;
  // A range "mon-fri" (day names hold no '-').
  const std::vector<absl::string_view> range = absl::StrSplit(days_text, '-');
  if (range.size() > 2) return ParseDay(days_text).status();
  absl::StatusOr<v1::DayOfWeek> first = ParseDay(range[0]);
  if (!first.ok()) return first.status();
  absl::StatusOr<v1::DayOfWeek> last = range.size() == 2 ? ParseDay(range[1]) : first;
  if (!last.ok()) return last.status();
  if (*last < *first) {
    return absl::InvalidArgumentError(
        absl::StrCat("--hours: the range '", days_text, "' must run from Monday towards Sunday"));
  }
  for (int d = *first; d <= *last; ++d) days.push_back(static_cast<v1::DayOfWeek>(d));

  std::vector<v1::WeeklyHours> out;
  const absl::string_view intervals_text = s.substr(eq + 1);
  std::vector<std::pair<std::string, std::string>> intervals;
  for (absl::string_view interval : absl::StrSplit(intervals_text, ',')) {
    interval = absl::StripAsciiWhitespace(interval);
    const std::vector<absl::string_view> ends = absl::StrSplit(interval, '-');
    if (ends.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--hours: '", interval, "' is not an interval HH:MM-HH:MM, e.g. 09:00-12:00"));
    }
    const absl::string_view start = absl::StripAsciiWhitespace(ends[0]);
    const absl::string_view end = absl::StripAsciiWhitespace(ends[1]);
    absl::StatusOr<int> from = ParseClock(start, false);
    if (!from.ok()) return from.status();
    absl::StatusOr<int> to = ParseClock(end, true);
    if (!to.ok()) return to.status();
    if (*to <= *from) {
      return absl::InvalidArgumentError(
          absl::StrCat("--hours: '", interval, "' must end after it starts"));
    }
    intervals.emplace_back(absl::StrFormat("%02d:%02d", *from / 60, *from % 60),
                           absl::StrFormat("%02d:%02d", *to / 60, *to % 60));
  }
  for (v1::DayOfWeek day : days) {
    for (const auto& [start, end] : intervals) {
      v1::WeeklyHours& h = out.emplace_back();
      h.set_day(day);
      h.set_start_time(start);
      h.set_end_time(end);
    }
  }
  return out;
}

std::string DayOfWeekShortName(v1::DayOfWeek day) {
  for (const auto& d : kDays) {
    if (d.value == day) return absl::AsciiStrToUpper(d.text);
  }
  return day == v1::DAY_OF_WEEK_UNSPECIFIED ? "" : absl::StrCat(static_cast<int>(day));
}

namespace {

constexpr Spelling<v1::Appointment::Kind> kAppointmentKinds[] = {
    {"joint-video", v1::Appointment::KIND_JOINT_VIDEO},
    {"separate", v1::Appointment::KIND_SEPARATE_SESSION},
    {"separate-session", v1::Appointment::KIND_SEPARATE_SESSION},
    {"on-site", v1::Appointment::KIND_ON_SITE},
    {"phone", v1::Appointment::KIND_PHONE},
};

}  // namespace

absl::StatusOr<v1::Appointment::Kind> ParseAppointmentKind(absl::string_view text) {
  return LookupEnum(
      kAppointmentKinds, text, "--kind", "KIND_",
      +[](absl::string_view name, v1::Appointment::Kind* out) {
        return v1::Appointment::Kind_Parse(std::string(name), out);
      });
}

std::string AppointmentKindShortName(v1::Appointment::Kind kind) {
  if (kind == v1::Appointment::KIND_UNSPECIFIED) return "";
  return ShortName(v1::Appointment::Kind_Name(kind), kind, "KIND_");
}

std::string AppointmentStateShortName(v1::Appointment::State state) {
  if (state == v1::Appointment::STATE_UNSPECIFIED) return "";
  return ShortName(v1::Appointment::State_Name(state), state, "STATE_");
}

std::string AttendanceShortName(v1::Attendance attendance) {
  if (attendance == v1::ATTENDANCE_UNSPECIFIED) return "";
  return ShortName(v1::Attendance_Name(attendance), attendance, "ATTENDANCE_");
}

std::string DeadlineKindShortName(v1::Deadline::Kind kind) {
  if (kind == v1::Deadline::KIND_UNSPECIFIED) return "";
  return ShortName(v1::Deadline::Kind_Name(kind), kind, "KIND_");
}

std::string DeadlineStateShortName(v1::Deadline::State state) {
  if (state == v1::Deadline::STATE_UNSPECIFIED) return "";
  return ShortName(v1::Deadline::State_Name(state), state, "STATE_");
}

std::string EventKindShortName(v1::CaseEvent::Kind kind) {
  if (kind == v1::CaseEvent::KIND_UNSPECIFIED) return "";
  return ShortName(v1::CaseEvent::Kind_Name(kind), kind, "KIND_");
}

bool IsLoopbackTarget(absl::string_view target) {
  absl::string_view t = absl::StripAsciiWhitespace(target);
  if (absl::StartsWith(t, "unix:") || absl::StartsWith(t, "unix-abstract:")) return true;
  // dns:///host:port or dns://resolver/host:port: the part after the authority.
  if (absl::ConsumePrefix(&t, "dns:")) {
    if (absl::ConsumePrefix(&t, "//")) {
      const size_t slash = t.find('/');
      if (slash == absl::string_view::npos) return false;
      t = t.substr(slash + 1);
    }
  } else if (absl::ConsumePrefix(&t, "ipv4:") || absl::ConsumePrefix(&t, "ipv6:")) {
    // A list of addresses: all must be loopback.
    for (absl::string_view address : absl::StrSplit(t, ',')) {
      if (address.empty() || !IsLoopbackTarget(address)) return false;
    }
    return true;
  }
  absl::string_view host;
  if (absl::StartsWith(t, "[")) {
    const size_t close = t.find(']');
    if (close == absl::string_view::npos) return false;
    host = t.substr(1, close - 1);
  } else if (std::count(t.begin(), t.end(), ':') > 1) {
    host = t;  // a bare IPv6 address without a port
  } else {
    host = t.substr(0, t.find(':'));
  }
  const std::string h = absl::AsciiStrToLower(host);
  if (h == "localhost" || absl::EndsWith(h, ".localhost")) return true;
  in_addr v4;
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

namespace {

constexpr Spelling<v1::AgreementTerm::Kind> kTermKinds[] = {
    {"payment", v1::AgreementTerm::KIND_PAYMENT},
    {"performance", v1::AgreementTerm::KIND_PERFORMANCE},
    {"property-transfer", v1::AgreementTerm::KIND_PROPERTY_TRANSFER},
    {"apology", v1::AgreementTerm::KIND_APOLOGY},
    {"property-ownership", v1::AgreementTerm::KIND_PROPERTY_OWNERSHIP},
    {"personal-status", v1::AgreementTerm::KIND_PERSONAL_STATUS},
    {"other", v1::AgreementTerm::KIND_OTHER},
};

constexpr Spelling<v1::ConfirmationMaterial::Kind> kMaterialKinds[] = {
    {"identity", v1::ConfirmationMaterial::KIND_IDENTITY_PROOF},
    {"identity-proof", v1::ConfirmationMaterial::KIND_IDENTITY_PROOF},
    {"property-right", v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF},
    {"property-right-proof", v1::ConfirmationMaterial::KIND_PROPERTY_RIGHT_PROOF},
    {"other", v1::ConfirmationMaterial::KIND_OTHER},
};

constexpr Spelling<v1::RefusalGround> kRefusalGrounds[] = {
    {"no-jurisdiction", v1::REFUSAL_GROUND_NO_JURISDICTION},
    {"personal-status", v1::REFUSAL_GROUND_PERSONAL_STATUS},
    {"special-procedure", v1::REFUSAL_GROUND_SPECIAL_PROCEDURE},
    {"property-ownership", v1::REFUSAL_GROUND_PROPERTY_OWNERSHIP},
    {"other", v1::REFUSAL_GROUND_OTHER},
};

constexpr Spelling<v1::RejectionGround> kRejectionGrounds[] = {
    {"violates-mandatory-law", v1::REJECTION_GROUND_VIOLATES_MANDATORY_LAW},
    {"harms-others-interests", v1::REJECTION_GROUND_HARMS_OTHERS_INTERESTS},
    {"public-order", v1::REJECTION_GROUND_PUBLIC_ORDER},
    {"not-voluntary", v1::REJECTION_GROUND_NOT_VOLUNTARY},
    {"unclear", v1::REJECTION_GROUND_UNCLEAR},
    {"other", v1::REJECTION_GROUND_OTHER},
};

constexpr Spelling<v1::Confirmation::State> kConfirmationStates[] = {
    {"awaiting-parties", v1::Confirmation::STATE_AWAITING_PARTIES},
    {"submitted", v1::Confirmation::STATE_SUBMITTED},
    {"accepted", v1::Confirmation::STATE_ACCEPTED},
    {"materials-requested", v1::Confirmation::STATE_MATERIALS_REQUESTED},
    {"refused", v1::Confirmation::STATE_REFUSED},
    {"ruled-valid", v1::Confirmation::STATE_RULED_VALID},
    {"ruled-rejected", v1::Confirmation::STATE_RULED_REJECTED},
    {"withdrawn", v1::Confirmation::STATE_WITHDRAWN},
};

constexpr Spelling<v1::DiversionOutcome> kDiversionOutcomes[] = {
    {"pending", v1::DIVERSION_OUTCOME_PENDING},
    {"settled", v1::DIVERSION_OUTCOME_SETTLED},
    {"confirmed", v1::DIVERSION_OUTCOME_CONFIRMED},
    {"referred", v1::DIVERSION_OUTCOME_REFERRED},
    {"ended", v1::DIVERSION_OUTCOME_ENDED},
    {"trial-resumed", v1::DIVERSION_OUTCOME_TRIAL_RESUMED},
    {"mediation-statement", v1::DIVERSION_OUTCOME_MEDIATION_STATEMENT},
    {"suit-withdrawn", v1::DIVERSION_OUTCOME_SUIT_WITHDRAWN},
};

// How a court concluded a settled post-filing suit (odr court conclude --conclusion).
constexpr Spelling<v1::CaseEnding::Kind> kConclusions[] = {
    {"statement", v1::CaseEnding::KIND_MEDIATION_STATEMENT},
    {"withdrawn", v1::CaseEnding::KIND_SUIT_WITHDRAWN},
    {"mediation-statement", v1::CaseEnding::KIND_MEDIATION_STATEMENT},
    {"suit-withdrawn", v1::CaseEnding::KIND_SUIT_WITHDRAWN},
};

// Splits `spec` at ':' into at most `max_fields` fields, the last taking the rest, reading `\:`
// as ':' and `\\` as '\' (other backslashes stay); drops spaces around each field.
std::vector<std::string> SplitColonFields(absl::string_view spec, size_t max_fields) {
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < spec.size(); ++i) {
    const char c = spec[i];
    if (c == '\\' && i + 1 < spec.size() && (spec[i + 1] == ':' || spec[i + 1] == '\\')) {
      fields.back().push_back(spec[++i]);
    } else if (c == ':' && fields.size() < max_fields) {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  for (std::string& f : fields) f = std::string(absl::StripAsciiWhitespace(f));
  return fields;
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

absl::StatusOr<std::string> CaseChildName(absl::string_view text, absl::string_view collection,
                                          absl::string_view list_command) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  const std::vector<absl::string_view> parts = absl::StrSplit(t, '/');
  if (parts.size() != 4 || parts[0] != "cases" || parts[1].empty() || parts[2] != collection ||
      parts[3].empty()) {
    return absl::InvalidArgumentError(absl::StrCat("NAME must be cases/CASE/", collection,
                                                   "/ID, as '", list_command, "' prints; got '",
                                                   text, "'"));
  }
  return std::string(t);
}

std::string CaseOfName(absl::string_view name) {
  if (!absl::StartsWith(name, "cases/")) return "";
  const size_t slash = name.find('/', std::strlen("cases/"));
  return std::string(name.substr(0, slash));
}

absl::StatusOr<std::string> ParsePartyRef(absl::string_view text, absl::string_view flag) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  const std::vector<absl::string_view> parts = absl::StrSplit(t, '/');
  if (parts.size() != 2 || (parts[0] != "applicants" && parts[0] != "respondents") ||
      !AllDigits(parts[1]) || parts[1].size() > 4) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag,
                     " must be a party of the case, applicants/N or respondents/N (N counting "
                     "from 0 in the order the case lists them)"));
  }
  return std::string(t);
}

absl::StatusOr<std::string> ParseDateFlag(absl::string_view text, absl::string_view flag) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  absl::CivilDay day;
  // ParseCivilTime alone would take other year widths and signs; the date must be as written.
  const bool shape = t.size() == 10 && t[4] == '-' && t[7] == '-' && AllDigits(t.substr(0, 4)) &&
                     AllDigits(t.substr(5, 2)) && AllDigits(t.substr(8, 2));
  if (!shape || !absl::ParseCivilTime(t, &day) || absl::FormatCivilTime(day) != t) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " must be a date that exists, written YYYY-MM-DD, e.g. 2026-12-31"));
  }
  return std::string(t);
}

absl::StatusOr<v1::AgreementTerm::Kind> ParseTermKind(absl::string_view text,
                                                      absl::string_view flag) {
  return LookupEnum(
      kTermKinds, text, flag, "KIND_", +[](absl::string_view name, v1::AgreementTerm::Kind* out) {
        return v1::AgreementTerm::Kind_Parse(std::string(name), out);
      });
}

absl::StatusOr<v1::AgreementTerm> ParseTermSpec(absl::string_view spec, absl::string_view flag) {
  const std::vector<std::string> fields = SplitColonFields(spec, 5);
  if (fields.size() < 5) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag,
                     " must be KIND:OBLIGOR:METHOD:YYYY-MM-DD:DESCRIPTION, 5 fields separated by "
                     "':' (got ",
                     fields.size(), ")"));
  }
  v1::AgreementTerm term;
  absl::StatusOr<v1::AgreementTerm::Kind> kind =
      ParseTermKind(fields[0], absl::StrCat(flag, ": KIND"));
  if (!kind.ok()) return kind.status();
  term.set_kind(*kind);
  absl::StatusOr<std::string> obligor =
      ParsePartyRef(fields[1], absl::StrCat(flag, ": OBLIGOR (the 2nd field)"));
  if (!obligor.ok()) return obligor.status();
  term.set_obligor(*std::move(obligor));
  term.set_method(fields[2]);
  absl::StatusOr<std::string> deadline =
      ParseDateFlag(fields[3], absl::StrCat(flag, ": the deadline (the 4th field)"));
  if (!deadline.ok()) return deadline.status();
  term.set_deadline_date(*std::move(deadline));
  term.set_description(fields[4]);
  return term;
}

absl::StatusOr<v1::Instalment> ParseInstalmentSpec(absl::string_view spec, absl::string_view flag) {
  const std::vector<std::string> fields = SplitColonFields(spec, std::string::npos);
  if (fields.size() != 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " must be YYYY-MM-DD:AMOUNT_YUAN:PAYER:PAYEE, 4 fields separated by ':' (got ",
        fields.size(), ")"));
  }
  v1::Instalment instalment;
  absl::StatusOr<std::string> due =
      ParseDateFlag(fields[0], absl::StrCat(flag, ": the due date (the 1st field)"));
  if (!due.ok()) return due.status();
  instalment.set_due_date(*std::move(due));
  absl::StatusOr<int64_t> fen = ParseYuanToFen(fields[1], absl::StrCat(flag, ": AMOUNT_YUAN"));
  if (!fen.ok()) return fen.status();
  instalment.set_amount_fen(*fen);
  absl::StatusOr<std::string> payer = ParsePartyRef(fields[2], absl::StrCat(flag, ": PAYER"));
  if (!payer.ok()) return payer.status();
  instalment.set_payer(*std::move(payer));
  absl::StatusOr<std::string> payee = ParsePartyRef(fields[3], absl::StrCat(flag, ": PAYEE"));
  if (!payee.ok()) return payee.status();
  instalment.set_payee(*std::move(payee));
  return instalment;
}

absl::StatusOr<v1::ConfirmationMaterial::Kind> ParseMaterialKind(absl::string_view text,
                                                                 absl::string_view flag) {
  return LookupEnum(
      kMaterialKinds, text, flag, "KIND_",
      +[](absl::string_view name, v1::ConfirmationMaterial::Kind* out) {
        return v1::ConfirmationMaterial::Kind_Parse(std::string(name), out);
      });
}

absl::StatusOr<v1::ConfirmationMaterial> ParseMaterialSpec(absl::string_view spec,
                                                           absl::string_view case_name,
                                                           absl::string_view flag) {
  const absl::string_view s = absl::StripAsciiWhitespace(spec);
  const size_t colon = s.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " must be EVIDENCE:KIND, e.g. cases/CASE/evidence/ID:identity (KIND: ",
                     Choices(kMaterialKinds), ")"));
  }
  v1::ConfirmationMaterial material;
  absl::StatusOr<v1::ConfirmationMaterial::Kind> kind =
      ParseMaterialKind(s.substr(colon + 1), absl::StrCat(flag, ": KIND"));
  if (!kind.ok()) return kind.status();
  material.set_kind(*kind);
  const absl::string_view evidence = absl::StripAsciiWhitespace(s.substr(0, colon));
  const std::vector<absl::string_view> parts = absl::StrSplit(evidence, '/');
  const bool full = parts.size() == 4 && parts[0] == "cases" && !parts[1].empty() &&
                    parts[2] == "evidence" && !parts[3].empty();
  const bool bare = parts.size() == 1 && !evidence.empty() && !case_name.empty();
  if (!full && !bare) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": EVIDENCE must be cases/CASE/evidence/ID, as 'odr evidence list' prints",
        case_name.empty() ? "" : absl::StrCat(", or just the ID (of ", case_name, ")"), "; got '",
        evidence, "'"));
  }
  material.set_evidence(full ? std::string(evidence)
                             : absl::StrCat(case_name, "/evidence/", evidence));
  return material;
}

absl::StatusOr<v1::RefusalGround> ParseRefusalGround(absl::string_view text,
                                                     absl::string_view flag) {
  return LookupEnum(
      kRefusalGrounds, text, flag, "REFUSAL_GROUND_",
      +[](absl::string_view name, v1::RefusalGround* out) {
        return v1::RefusalGround_Parse(std::string(name), out);
      });
}

absl::StatusOr<v1::RejectionGround> ParseRejectionGround(absl::string_view text,
                                                         absl::string_view flag) {
  return LookupEnum(
      kRejectionGrounds, text, flag, "REJECTION_GROUND_",
      +[](absl::string_view name, v1::RejectionGround* out) {
        return v1::RejectionGround_Parse(std::string(name), out);
      });
}

absl::StatusOr<v1::Confirmation::State> ParseConfirmationState(absl::string_view text,
                                                               absl::string_view flag) {
  return LookupEnum(
      kConfirmationStates, text, flag, "STATE_",
      +[](absl::string_view name, v1::Confirmation::State* out) {
        return v1::Confirmation::State_Parse(std::string(name), out);
      });
}

absl::StatusOr<v1::DiversionOutcome> ParseDiversionOutcome(absl::string_view text,
                                                           absl::string_view flag) {
  return LookupEnum(
      kDiversionOutcomes, text, flag, "DIVERSION_OUTCOME_",
      +[](absl::string_view name, v1::DiversionOutcome* out) {
        return v1::DiversionOutcome_Parse(std::string(name), out);
      });
}

absl::StatusOr<v1::CaseEnding::Kind> ParseConclusion(absl::string_view text,
                                                     absl::string_view flag) {
  return LookupEnum(
      kConclusions, text, flag, "KIND_", +[](absl::string_view name, v1::CaseEnding::Kind* out) {
        return v1::CaseEnding::Kind_Parse(std::string(name), out);
      });
}

std::string EnumValueShortName(const google::protobuf::EnumDescriptor* descriptor, int value,
                               absl::string_view prefix) {
  if (value == 0) return "";
  const google::protobuf::EnumValueDescriptor* v = descriptor->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  return ShortName(v->name(), value, prefix);
}

}  // namespace odr::cli
