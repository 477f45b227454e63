// The one conversion from absl::Time to google.protobuf.Timestamp that the services use.
#ifndef ODR_SERVER_PROTO_TIME_H_
#define ODR_SERVER_PROTO_TIME_H_

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include "absl/time/time.h"

namespace odr::server {

// `t` as a Timestamp, to the microsecond. Pure; thread-safe.
inline google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

}  // namespace odr::server

#endif  // ODR_SERVER_PROTO_TIME_H_
