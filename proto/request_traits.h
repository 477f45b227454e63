// Force-included (compiler -include) into every translation unit that uses the odr.v1 gRPC code, so
// that all of them see the same SerializationTraits.
//
// Why: proto3 parsing refuses a string field that is not valid UTF-8, and gRPC 1.51's callback
// server answers such a request with UNIMPLEMENTED before any handler runs. odr must answer
// INVALID_ARGUMENT naming the field. For request messages these traits keep the raw bytes of a
// request that fails to parse in an unknown field (kUnparsedRequestField) of an otherwise empty
// message; server/request_check.h turns that into the right error.
// See docs/adr/0004-invalid-utf8-requests.md.
//
// Every request type of every rpc in proto/odr/v1 is covered: the list (odr/v1/request_types.inc)
// is generated from the protos when CMake configures (proto/CMakeLists.txt). This header only
// declares, so that it costs a translation unit almost nothing: the traits' members are defined
// once, in request_traits.cc.
#ifndef ODR_PROTO_REQUEST_TRAITS_H_
#define ODR_PROTO_REQUEST_TRAITS_H_

#include <grpcpp/impl/serialization_traits.h>

#include <cstddef>

namespace google::protobuf {
class MessageLite;
}  // namespace google::protobuf

namespace grpc {
class ByteBuffer;
class Status;
}  // namespace grpc

namespace odr::proto {

// The largest field number protobuf allows; never used by the API.
inline constexpr int kUnparsedRequestField = 536870911;

// The most elements a repeated field of a request may have (server/request_check.h names the field
// of a request over it). No request of the API needs more.
inline constexpr int kMaxRepeatedElements = 1000;

// Requests at most this large are parsed without the scan for oversize repeated fields: they
// cannot hold enough elements to matter.
inline constexpr size_t kScanRequestsOver = 64 * 1024;

// The traits of every request type. Serialize is protobuf's. Deserialize is always OK for a present
// payload: either `msg` (an odr.v1 request) is the parsed request, or it is empty but for the raw
// bytes in field kUnparsedRequestField (it did not parse, or, for requests over kScanRequestsOver,
// a repeated field has more than kMaxRepeatedElements elements). Thread-safe.
class LenientRequestTraits {
 public:
  static grpc::Status Serialize(const google::protobuf::MessageLite& msg, grpc::ByteBuffer* bb,
                                bool* own_buffer);
  static grpc::Status Deserialize(grpc::ByteBuffer* buffer, google::protobuf::MessageLite* msg);
};

}  // namespace odr::proto

#define ODR_LENIENT_REQUEST(T)                                                              \
  namespace odr::v1 {                                                                       \
  class T;                                                                                  \
  }                                                                                         \
  namespace grpc {                                                                          \
  template <>                                                                               \
  class SerializationTraits<odr::v1::T, void> : public odr::proto::LenientRequestTraits {}; \
  }

#include "odr/v1/request_types.inc"

#undef ODR_LENIENT_REQUEST

#endif  // ODR_PROTO_REQUEST_TRAITS_H_
