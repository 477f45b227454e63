// Listing cases: the parsed filter (a documented subset of AIP-160), the order, and the opaque page
// token. Pure logic; safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_CASE_QUERY_H_
#define ODR_SERVER_DOMAIN_CASE_QUERY_H_

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/authorization.h"
#include "server/domain/types.h"

namespace odr::domain {

enum class FilterField { kState, kDisputeType, kRegionCode, kCreateTime };
enum class FilterOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct FilterCondition {
  FilterField field;
  FilterOp op;
  std::variant<CaseState, DisputeType, std::string, absl::Time> value;
};

// All conditions must hold (AND).
struct CaseFilter {
  std::vector<FilterCondition> conditions;
};

enum class OrderField { kCreateTime, kUpdateTime, kCaseNumber };

struct CaseOrder {
  OrderField field = OrderField::kCreateTime;
  bool descending = true;
};

// Position after the last row returned: the order key (decimal microseconds for times, the case
// number otherwise) and the case id as tie-breaker.
struct CaseCursor {
  std::string key;
  std::string id;
  bool operator==(const CaseCursor&) const = default;
};

struct CaseQuery {
  CaseFilter filter;
  CaseOrder order;
  int limit = 50;
  std::optional<CaseCursor> after;
  // Only cases the caller may see (authorization.h). Unset: all (internal use only).
  std::optional<CaseScope> scope;
};

// Parses `filter`. The grammar:
//   filter := cond ( "AND" cond )*
//   cond   := field op value
//   field  := state | dispute_type | region_code | create_time
//   op     := = | != | < | <= | > | >=      (< and > only for create_time)
//   value  := bare word or "double-quoted"; enum names with or without prefix; RFC 3339 times.
// Returns INVALID_ARGUMENT naming `filter` and the position of the first error.
absl::StatusOr<CaseFilter> ParseCaseFilter(absl::string_view filter);

// Parses `order_by` ("create_time desc" ...). Empty gives the default, newest first.
absl::StatusOr<CaseOrder> ParseCaseOrder(absl::string_view order_by);

// Page size rule: 0 -> default_size, > max_size -> max_size, < 0 -> INVALID_ARGUMENT.
absl::StatusOr<int> EffectivePageSize(int requested, int default_size, int max_size);

// A page token binds a cursor to the query that produced it (`query_key`: filter and order as
// sent). It grants nothing: the server re-applies the filter on every page.
std::string EncodePageToken(absl::string_view query_key, const CaseCursor& cursor);
// INVALID_ARGUMENT naming page_token if malformed or from another query.
absl::StatusOr<CaseCursor> DecodePageToken(absl::string_view token, absl::string_view query_key);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_CASE_QUERY_H_
