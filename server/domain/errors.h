// Errors are absl::Status values that carry a stable reason code and, for INVALID_ARGUMENT, the
// list of offending fields. server/rpc_status.h is the one place that turns them into grpc::Status.
#ifndef ODR_SERVER_DOMAIN_ERRORS_H_
#define ODR_SERVER_DOMAIN_ERRORS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace odr {

struct FieldViolation {
  std::string field;        // request path, e.g. "case.applicants[0].phone"
  std::string description;  // for a person
  bool operator==(const FieldViolation&) const = default;
};

// Reason codes (ErrorDetails.reason).
inline constexpr absl::string_view kReasonInvalidField = "INVALID_FIELD";
inline constexpr absl::string_view kReasonNotFound = "NOT_FOUND";
inline constexpr absl::string_view kReasonStaleEtag = "STALE_ETAG";
inline constexpr absl::string_view kReasonTransitionNotAllowed = "TRANSITION_NOT_ALLOWED";
inline constexpr absl::string_view kReasonRequestIdReused = "REQUEST_ID_REUSED";
inline constexpr absl::string_view kReasonStorageBusy = "STORAGE_BUSY";
inline constexpr absl::string_view kReasonInternal = "INTERNAL";

// INVALID_ARGUMENT listing every violation; the message names each field. Requires !v.empty().
absl::Status InvalidArgumentError(std::vector<FieldViolation> v);
absl::Status InvalidFieldError(std::string field, std::string description);

// Any other error with a reason code.
absl::Status MakeError(absl::StatusCode code, absl::string_view reason, absl::string_view message);

// As MakeError, with key-value details (ErrorDetails.metadata).
absl::Status MakeErrorWithMetadata(absl::StatusCode code, absl::string_view reason,
                                   absl::string_view message,
                                   const std::vector<std::pair<std::string, std::string>>& md);

// FAILED_PRECONDITION for a state change not allowed from `current_state` (a stable state name such
// as "STATE_CLOSED"), naming it in the message and in the details.
absl::Status TransitionError(absl::string_view current_state, absl::string_view message);

// Accessors for the details above; empty when absent.
std::string ErrorReason(const absl::Status& s);
std::vector<FieldViolation> ErrorFieldViolations(const absl::Status& s);
std::string ErrorCurrentState(const absl::Status& s);
std::vector<std::pair<std::string, std::string>> ErrorMetadata(const absl::Status& s);

// Collects violations while validating a message; thread-compatible.
class Violations {
 public:
  void Add(std::string field, std::string description) {
    v_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return v_.empty(); }
  const std::vector<FieldViolation>& list() const { return v_; }
  // OK when empty, else InvalidArgumentError.
  absl::Status ToStatus() const;
  // The violations at or under one of `prefixes`: "case.summary" keeps "case.summary", and
  // "case.applicants" keeps "case.applicants[0].name" (for updates that validate a whole message
  // but may only complain about the fields they change).
  Violations KeepUnder(const std::vector<std::string>& prefixes) const;

 private:
  std::vector<FieldViolation> v_;
};

}  // namespace odr

#endif  // ODR_SERVER_DOMAIN_ERRORS_H_
