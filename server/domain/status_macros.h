// Early-return helpers for absl::Status / absl::StatusOr, in the style of Abseil's internal macros.
#ifndef ODR_SERVER_DOMAIN_STATUS_MACROS_H_
#define ODR_SERVER_DOMAIN_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ODR_RETURN_IF_ERROR(expr)             \
  do {                                        \
    if (absl::Status _s = (expr); !_s.ok()) { \
      return _s;                              \
    }                                         \
  } while (0)

#define ODR_ASSIGN_OR_RETURN_IMPL(var, tmp, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  var = std::move(*tmp)
#define ODR_CONCAT_INNER(a, b) a##b
#define ODR_CONCAT(a, b) ODR_CONCAT_INNER(a, b)
// Evaluates `expr` (a StatusOr); returns its status on error, else moves the value into `var`.
#define ODR_ASSIGN_OR_RETURN(var, expr) \
  ODR_ASSIGN_OR_RETURN_IMPL(var, ODR_CONCAT(_odr_tmp_, __LINE__), expr)

#endif  // ODR_SERVER_DOMAIN_STATUS_MACROS_H_
