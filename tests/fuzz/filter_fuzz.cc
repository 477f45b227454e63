// The list parameters of ListCases: ParseCaseFilter, ParseCaseOrder and the page token
// (server/domain/case_query.h). Invariants: no crash on any input; a filter or order that parses
// renders back to text that parses to the same thing; a page token round-trips, and one that
// decodes re-encodes to a token that decodes to the same cursor.
//
// Input layout: byte 0 picks what is parsed (filter, order, page token, or a token made by
// EncodePageToken from a cursor in the input); the rest is the text.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/domain/case_query.h"
#include "server/domain/validation.h"
#include "tests/fuzz/fuzz_util.h"

namespace odr::fuzz {
namespace {

using domain::CaseFilter;
using domain::FilterCondition;
using domain::FilterField;
using domain::FilterOp;

const char* FieldText(FilterField f) {
  switch (f) {
    case FilterField::kState:
      return "state";
    case FilterField::kDisputeType:
      return "dispute_type";
    case FilterField::kRegionCode:
      return "region_code";
    case FilterField::kCreateTime:
      return "create_time";
  }
  Check(false, "unknown FilterField");
  return "";
}

const char* OpText(FilterOp op) {
  switch (op) {
    case FilterOp::kEq:
      return "=";
    case FilterOp::kNe:
      return "!=";
    case FilterOp::kLt:
      return "<";
    case FilterOp::kLe:
      return "<=";
    case FilterOp::kGt:
      return ">";
    case FilterOp::kGe:
      return ">=";
  }
  Check(false, "unknown FilterOp");
  return "";
}

// A double-quoted filter string: '"' and '\' escaped with '\'.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string ValueText(const FilterCondition& c) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, domain::CaseState>) {
          return domain::StateName(v);
        } else if constexpr (std::is_same_v<T, domain::DisputeType>) {
          return Quote(domain::DisputeTypeName(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          return Quote(v);
        } else {
          return Quote(absl::FormatTime(absl::RFC3339_full, v, absl::UTCTimeZone()));
        }
      },
      c.value);
}

// The filter as text ParseCaseFilter reads.
std::string Render(const CaseFilter& f) {
  std::string out;
  for (const FilterCondition& c : f.conditions) {
    if (!out.empty()) out += " AND ";
    absl::StrAppend(&out, FieldText(c.field), " ", OpText(c.op), " ", ValueText(c));
  }
  return out;
}

bool Same(const FilterCondition& a, const FilterCondition& b) {
  return a.field == b.field && a.op == b.op && a.value == b.value;
}

void FilterRoundTrip(const std::string& text) {
  auto f = domain::ParseCaseFilter(text);
  if (!f.ok()) {
    Check(f.status().code() == absl::StatusCode::kInvalidArgument, "filter error not INVALID_ARG");
    return;
  }
  Check(text.size() <= domain::Limits::kFilterBytes, "an over-long filter parsed");
  const std::string again = Render(*f);
  if (again.size() > domain::Limits::kFilterBytes) return;  // quoting made it longer
  auto g = domain::ParseCaseFilter(again);
  Check(g.ok(), "a rendered filter does not parse");
  Check(g->conditions.size() == f->conditions.size(), "rendered filter: other condition count");
  for (size_t i = 0; i < f->conditions.size(); ++i) {
    Check(Same(f->conditions[i], g->conditions[i]), "rendered filter: another condition");
  }
}

void OrderRoundTrip(const std::string& text) {
  auto o = domain::ParseCaseOrder(text);
  if (!o.ok()) {
    Check(o.status().code() == absl::StatusCode::kInvalidArgument, "order error not INVALID_ARG");
    return;
  }
  const char* field = o->field == domain::OrderField::kCreateTime   ? "create_time"
                      : o->field == domain::OrderField::kUpdateTime ? "update_time"
                                                                    : "case_number";
  auto p = domain::ParseCaseOrder(absl::StrCat(field, o->descending ? " desc" : " asc"));
  Check(p.ok() && p->field == o->field && p->descending == o->descending,
        "a rendered order_by does not parse to the same order");
}

void TokenRoundTrip(const std::string& token, const std::string& query_key) {
  auto c = domain::DecodePageToken(token, query_key);
  if (!c.ok()) {
    Check(c.status().code() == absl::StatusCode::kInvalidArgument, "token error not INVALID_ARG");
    return;
  }
  Check(!c->id.empty(), "a decoded cursor without id");
  const std::string again = domain::EncodePageToken(query_key, *c);
  auto d = domain::DecodePageToken(again, query_key);
  Check(d.ok() && *d == *c, "a re-encoded page token does not decode to its cursor");
}

void CursorRoundTrip(FuzzedDataProvider* in) {
  const std::string query_key = in->ConsumeRandomLengthString(200);
  domain::CaseCursor cursor;
  cursor.key = in->ConsumeRandomLengthString(60);
  cursor.id = in->ConsumeRandomLengthString(60);
  const std::string other_key = in->ConsumeRemainingBytesAsString();
  const std::string token = domain::EncodePageToken(query_key, cursor);
  auto d = domain::DecodePageToken(token, query_key);
  // Keys and ids as the store writes them hold no newline; such a cursor must round-trip.
  const bool plain = cursor.key.find('\n') == std::string::npos &&
                     cursor.id.find('\n') == std::string::npos && !cursor.id.empty();
  if (plain && token.size() <= domain::Limits::kPageTokenBytes) {
    Check(d.ok() && *d == cursor, "EncodePageToken's token does not decode to its cursor");
  }
  if (d.ok() && other_key != query_key) {
    // Only a 64-bit fingerprint collision lets a token through for another query.
    auto o = domain::DecodePageToken(token, other_key);
    if (o.ok()) std::fprintf(stderr, "note: fingerprint collision between two query keys\n");
  }
}

}  // namespace
}  // namespace odr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace odr::fuzz;
  if (size < 1) return 0;
  FuzzedDataProvider in(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      FilterRoundTrip(in.ConsumeRemainingBytesAsString());
      break;
    case 1:
      OrderRoundTrip(in.ConsumeRemainingBytesAsString());
      break;
    case 2: {
      const std::string key = in.ConsumeRandomLengthString(100);
      TokenRoundTrip(in.ConsumeRemainingBytesAsString(), key);
      break;
    }
    default:
      CursorRoundTrip(&in);
      break;
  }
  return 0;
}
