// Decoding odr's structured error details (odr.v1.ErrorStatus in grpc-status-details-bin) in tests.
#ifndef ODR_TESTS_TESTING_ERROR_DETAILS_H_
#define ODR_TESTS_TESTING_ERROR_DETAILS_H_

#include <grpcpp/support/status.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "odr/v1/error.pb.h"

namespace odr::testing {

// The ErrorDetails of `s`, or an empty one if it carries none.
inline v1::ErrorDetails Details(const grpc::Status& s) {
  v1::ErrorStatus status;
  v1::ErrorDetails d;
  if (status.ParseFromString(s.error_details()) && status.details_size() == 1) {
    EXPECT_EQ(status.details(0).type_url(), "type.googleapis.com/odr.v1.ErrorDetails");
    d.ParseFromString(status.details(0).value());
  }
  return d;
}

// The `reason` of the details, or "".
inline std::string Reason(const grpc::Status& s) { return Details(s).reason(); }

// The fields named in the details' field violations, in order.
inline std::vector<std::string> ViolatedFields(const grpc::Status& s) {
  std::vector<std::string> out;
  const v1::ErrorDetails d = Details(s);  // outlives the loop
  for (const auto& f : d.field_violations()) out.push_back(f.field());
  return out;
}

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_ERROR_DETAILS_H_
