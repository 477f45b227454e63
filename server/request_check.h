// Turns a request that the protobuf runtime could not parse (see proto/request_traits.h) into
// INVALID_ARGUMENT naming the offending field. Pure; safe for concurrent use.
#ifndef ODR_SERVER_REQUEST_CHECK_H_
#define ODR_SERVER_REQUEST_CHECK_H_

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace odr::server {

// OK if `request` was parsed. Otherwise INVALID_ARGUMENT: the path of the first string field that
// is not valid UTF-8 (e.g. "case.applicants[0].name"), or "request" if the bytes are malformed.
// Also INVALID_ARGUMENT naming the field if a repeated field has more than 1,000 elements (no
// request needs more; handlers would spend memory on each before validating the count).
absl::Status CheckParsed(const google::protobuf::Message& request);

// The path of the first string field in `bytes` (a serialized `type`) that is not valid UTF-8;
// empty if none. Exposed for tests.
std::string FindInvalidUtf8(const google::protobuf::Descriptor* type, absl::string_view bytes);

}  // namespace odr::server

#endif  // ODR_SERVER_REQUEST_CHECK_H_
