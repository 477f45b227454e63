// Matchers for statuses, so that a failing expectation prints the status's code and message:
//   EXPECT_THAT(store.Create(...), IsOk());
//   EXPECT_THAT(stub->GetCase(ctx, req, &out), StatusIs(grpc::StatusCode::NOT_FOUND));
// They take absl::Status, absl::StatusOr<T> and grpc::Status (IsOk: anything with ok()).
// Thread-safe (stateless).
#ifndef ODR_TESTS_TESTING_STATUS_MATCHERS_H_
#define ODR_TESTS_TESTING_STATUS_MATCHERS_H_

#include <gmock/gmock.h>
#include <grpcpp/support/status.h>

#include <ostream>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace odr::testing {
namespace internal {

template <typename T>
struct IsStatusOr : std::false_type {};
template <typename T>
struct IsStatusOr<absl::StatusOr<T>> : std::true_type {};

// The status of `v`, as absl::Status or grpc::Status.
template <typename T>
decltype(auto) StatusOf(const T& v) {
  if constexpr (IsStatusOr<T>::value) {
    return v.status();
  } else {
    return (v);
  }
}

inline int CodeOf(const absl::Status& s) { return static_cast<int>(s.code()); }
inline int CodeOf(const grpc::Status& s) { return static_cast<int>(s.error_code()); }

inline void Explain(const absl::Status& s, ::testing::MatchResultListener* l) {
  *l << "which is " << s.ToString();
}
inline void Explain(const grpc::Status& s, ::testing::MatchResultListener* l) {
  *l << "which is gRPC code " << static_cast<int>(s.error_code()) << ": " << s.error_message();
}
// Anything else with ok() (protobuf's util::Status, a test's own result): its ToString() if any.
template <typename S>
void Explain(const S& s, ::testing::MatchResultListener* l) {
  if constexpr (requires { s.ToString(); }) *l << "which is " << s.ToString();
}

class IsOkMatcher {
 public:
  template <typename T>
  bool MatchAndExplain(const T& v, ::testing::MatchResultListener* l) const {
    const auto& s = StatusOf(v);
    if (s.ok()) return true;
    if constexpr (!std::is_same_v<T, absl::Status> && !std::is_same_v<T, grpc::Status>) {
      Explain(s, l);  // the value itself printed as bytes or not at all
    }
    return false;
  }
  void DescribeTo(std::ostream* os) const { *os << "is OK"; }
  void DescribeNegationTo(std::ostream* os) const { *os << "is not OK"; }
};

class StatusIsMatcher {
 public:
  explicit StatusIsMatcher(int code) : code_(code) {}
  template <typename T>
  bool MatchAndExplain(const T& v, ::testing::MatchResultListener* l) const {
    const auto& s = StatusOf(v);
    if (CodeOf(s) == code_) return true;
    if constexpr (!std::is_same_v<T, absl::Status> && !std::is_same_v<T, grpc::Status>) {
      Explain(s, l);
    }
    return false;
  }
  void DescribeTo(std::ostream* os) const { *os << "has code " << code_; }
  void DescribeNegationTo(std::ostream* os) const { *os << "does not have code " << code_; }

 private:
  int code_;
};

}  // namespace internal

// Matches an OK status, or a StatusOr holding a value; explains anything else with its code and
// message.
inline ::testing::PolymorphicMatcher<internal::IsOkMatcher> IsOk() {
  return ::testing::MakePolymorphicMatcher(internal::IsOkMatcher());
}

// Matches a status (or StatusOr) with `code`.
inline ::testing::PolymorphicMatcher<internal::StatusIsMatcher> StatusIs(absl::StatusCode code) {
  return ::testing::MakePolymorphicMatcher(internal::StatusIsMatcher(static_cast<int>(code)));
}
inline ::testing::PolymorphicMatcher<internal::StatusIsMatcher> StatusIs(grpc::StatusCode code) {
  return ::testing::MakePolymorphicMatcher(internal::StatusIsMatcher(static_cast<int>(code)));
}

}  // namespace odr::testing

namespace grpc {
// How gtest prints a grpc::Status (found by argument-dependent lookup): its code and message.
inline void PrintTo(const Status& s, std::ostream* os) {
  *os << "gRPC code " << static_cast<int>(s.error_code()) << ": " << s.error_message();
}
}  // namespace grpc

#endif  // ODR_TESTS_TESTING_STATUS_MATCHERS_H_
