#include "server/domain/case_query.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"

namespace odr::domain {
namespace {

struct Token {
  enum Kind { kWord, kString, kOp, kEnd } kind;
  std::string text;
  size_t pos;
};

absl::Status FilterError(size_t pos, absl::string_view what) {
  return InvalidFieldError("filter", absl::StrCat(what, " at position ", pos + 1));
}

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '"') {
      size_t start = i++;
      std::string text;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        text.push_back(s[i++]);
      }
      if (i >= s.size()) return FilterError(start, "unterminated string");
      ++i;
      out.push_back({Token::kString, text, start});
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      size_t start = i++;
      std::string op(1, c);
      if (i < s.size() && s[i] == '=') op.push_back(s[i++]);
      if (op == "!") return FilterError(start, "'!' must be followed by '='");
      out.push_back({Token::kOp, op, start});
    } else if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
               c == ':' || c == '.' || c == '+') {
      size_t start = i;
      while (i < s.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '-' ||
              s[i] == ':' || s[i] == '.' || s[i] == '+')) {
        ++i;
      }
      out.push_back({Token::kWord, std::string(s.substr(start, i - start)), start});
    } else {
      return FilterError(i, absl::StrCat("unexpected character '", std::string(1, c), "'"));
    }
  }
  out.push_back({Token::kEnd, "", s.size()});
  return out;
}

std::optional<FilterOp> OpFromText(absl::string_view t) {
  if (t == "=") return FilterOp::kEq;
  if (t == "!=") return FilterOp::kNe;
  if (t == "<") return FilterOp::kLt;
  if (t == "<=") return FilterOp::kLe;
  if (t == ">") return FilterOp::kGt;
  if (t == ">=") return FilterOp::kGe;
  return std::nullopt;
}

// "STATE_SUBMITTED", "SUBMITTED", "submitted" -> "submitted".
std::string EnumWord(absl::string_view value, absl::string_view prefix) {
  std::string v = absl::AsciiStrToLower(value);
  std::string p = absl::AsciiStrToLower(prefix);
  if (absl::StartsWith(v, p)) v = v.substr(p.size());
  return v;
}

}  // namespace

absl::StatusOr<CaseFilter> ParseCaseFilter(absl::string_view filter) {
  CaseFilter out;
  if (filter.size() > Limits::kFilterBytes) {
    return InvalidFieldError("filter", "must be at most 1000 bytes");
  }
  if (!IsValidUtf8(filter)) return InvalidFieldError("filter", "is not valid UTF-8");
  auto tokens = Tokenize(filter);
  if (!tokens.ok()) return tokens.status();
  const std::vector<Token>& t = *tokens;
  size_t i = 0;
  if (t[0].kind == Token::kEnd) return out;
  while (true) {
    if (t[i].kind != Token::kWord) return FilterError(t[i].pos, "expected a field name");
    const Token& field = t[i++];
    if (t[i].kind != Token::kOp) return FilterError(t[i].pos, "expected an operator");
    const Token& op_tok = t[i++];
    if (t[i].kind != Token::kWord && t[i].kind != Token::kString) {
      return FilterError(t[i].pos, "expected a value");
    }
    const Token& value = t[i++];
    const std::optional<FilterOp> parsed_op = OpFromText(op_tok.text);
    if (!parsed_op) {
      return FilterError(op_tok.pos, absl::StrCat("unknown operator '", op_tok.text, "'"));
    }
    const FilterOp op = *parsed_op;
    bool equality = op == FilterOp::kEq || op == FilterOp::kNe;
    FilterCondition cond{FilterField::kState, op, CaseState::kDraft};
    if (field.text == "state") {
      auto s = StateFromName(EnumWord(value.text, "STATE_"));
      if (!s) return FilterError(value.pos, absl::StrCat("unknown state '", value.text, "'"));
      cond = {FilterField::kState, op, *s};
    } else if (field.text == "dispute_type") {
      auto d = DisputeTypeFromName(EnumWord(value.text, "DISPUTE_TYPE_"));
      if (!d) {
        return FilterError(value.pos, absl::StrCat("unknown dispute_type '", value.text, "'"));
      }
      cond = {FilterField::kDisputeType, op, *d};
    } else if (field.text == "region_code") {
      if (auto e = CheckRegionCode(value.text); !e.empty()) {
        return FilterError(value.pos, absl::StrCat("region_code ", e));
      }
      cond = {FilterField::kRegionCode, op, value.text};
    } else if (field.text == "create_time") {
      absl::Time tm;
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, value.text, &tm, &err)) {
        return FilterError(value.pos,
                           "create_time needs an RFC 3339 time such as "
                           "\"2026-01-01T00:00:00Z\"");
      }
      cond = {FilterField::kCreateTime, op, tm};
      equality = true;  // every operator allowed
    } else {
      return FilterError(field.pos,
                         absl::StrCat("unknown field '", field.text,
                                      "'; use state, dispute_type, region_code or create_time"));
    }
    if (!equality) {
      return FilterError(op_tok.pos, absl::StrCat(field.text, " supports only = and !="));
    }
    out.conditions.push_back(std::move(cond));
    if (t[i].kind == Token::kEnd) break;
    if (t[i].kind != Token::kWord || t[i].text != "AND") {
      return FilterError(t[i].pos, "expected AND (OR is not supported)");
    }
    ++i;
  }
  return out;
}

absl::StatusOr<CaseOrder> ParseCaseOrder(absl::string_view order_by) {
  CaseOrder order;
  if (order_by.size() > Limits::kOrderByBytes) {
    return InvalidFieldError("order_by", "must be at most 100 bytes");
  }
  std::vector<absl::string_view> words =
      absl::StrSplit(order_by, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (words.empty()) return order;
  if (words.size() > 2 || (words.size() == 2 && words[1] != "desc" && words[1] != "asc")) {
    return InvalidFieldError("order_by", "must be a field optionally followed by asc or desc");
  }
  if (words[0] == "create_time") {
    order.field = OrderField::kCreateTime;
  } else if (words[0] == "update_time") {
    order.field = OrderField::kUpdateTime;
  } else if (words[0] == "case_number") {
    order.field = OrderField::kCaseNumber;
  } else {
    return InvalidFieldError("order_by", absl::StrCat("cannot order by '", words[0],
                                                      "'; use create_time, update_time or "
                                                      "case_number"));
  }
  order.descending = words.size() == 2 && words[1] == "desc";
  return order;
}

absl::StatusOr<int> EffectivePageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return InvalidFieldError("page_size", "must not be negative");
  if (requested == 0) return default_size;
  return requested > max_size ? max_size : requested;
}

namespace {

// FNV-1a: stable across processes and versions, unlike std::hash.
uint64_t Fingerprint(absl::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string EncodePageToken(absl::string_view query_key, const CaseCursor& cursor) {
  std::string raw =
      absl::StrCat("1\n", absl::Hex(Fingerprint(query_key)), "\n", cursor.key, "\n", cursor.id);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<CaseCursor> DecodePageToken(absl::string_view token, absl::string_view query_key) {
  const auto bad = [] {
    return InvalidFieldError("page_token", "is not a token returned by this list call");
  };
  if (token.size() > Limits::kPageTokenBytes) return bad();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return bad();
  std::vector<std::string> parts = absl::StrSplit(raw, '\n');
  if (parts.size() != 4 || parts[0] != "1" || parts[3].empty()) return bad();
  if (parts[1] != absl::StrCat(absl::Hex(Fingerprint(query_key)))) {
    return InvalidFieldError("page_token",
                             "belongs to a different query: filter and order_by must not change "
                             "between pages");
  }
  return CaseCursor{parts[2], parts[3]};
}

}  // namespace odr::domain
