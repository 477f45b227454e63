#include "server/rpc_status.h"

#include "odr/v1/error.pb.h"
#include "server/domain/errors.h"

namespace odr::server {

grpc::Status ToGrpcStatus(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  std::string message(s.message());
  std::string reason = ErrorReason(s);
  if (s.code() == absl::StatusCode::kInternal || s.code() == absl::StatusCode::kDataLoss ||
      s.code() == absl::StatusCode::kUnknown) {
    message = "internal error; the operators have been told";
    reason = std::string(kReasonInternal);
  }
  if (s.code() == absl::StatusCode::kUnavailable && reason.empty()) {
    reason = std::string(kReasonStorageBusy);
  }
  v1::ErrorDetails details;
  details.set_reason(reason);
  for (const FieldViolation& f : ErrorFieldViolations(s)) {
    auto* fv = details.add_field_violations();
    fv->set_field(f.field);
    fv->set_description(f.description);
  }
  details.set_current_state(ErrorCurrentState(s));
  for (const auto& [k, v] : ErrorMetadata(s)) (*details.mutable_metadata())[k] = v;
  v1::ErrorStatus status;
  status.set_code(static_cast<int>(s.code()));
  status.set_message(message);
  auto* any = status.add_details();
  any->set_type_url("type.googleapis.com/odr.v1.ErrorDetails");
  any->set_value(details.SerializeAsString());
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), message, status.SerializeAsString());
}

}  // namespace odr::server
