// The one mapping from absl::Status to grpc::Status.
#ifndef ODR_SERVER_RPC_STATUS_H_
#define ODR_SERVER_RPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace odr::server {

// Same code; the message for a person; binary details (odr.v1.ErrorStatus carrying ErrorDetails:
// reason, field violations, current state). INTERNAL and DATA_LOSS messages are replaced by a
// generic one (the detail goes to the log, not to clients).
grpc::Status ToGrpcStatus(const absl::Status& s);

}  // namespace odr::server

#endif  // ODR_SERVER_RPC_STATUS_H_
