// A thin blocking client for odr.v1.CaseService: one channel, a deadline on every call, the
// caller's identity as metadata, and gRPC errors turned into absl::Status values that keep the
// server's machine-readable details.
#ifndef ODR_CLIENT_CASE_CLIENT_H_
#define ODR_CLIENT_CASE_CLIENT_H_

#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/error.pb.h"

namespace odr::client {

// The metadata key that carries the caller's identity until authentication lands.
inline constexpr char kActorHeader[] = "x-odr-actor";

// The absl::Status payload key under which ToStatus() stores a serialized odr.v1.ErrorDetails.
inline constexpr char kErrorDetailsTypeUrl[] = "type.googleapis.com/odr.v1.ErrorDetails";

struct ClientOptions {
  // host:port of odrd (any gRPC target string works).
  std::string server = "127.0.0.1:50051";
  // Deadline of one method call, covering all of its attempts.
  absl::Duration timeout = absl::Seconds(10);
  // Sent as x-odr-actor when not empty. odrd records it in case events; it accepts 1-64
  // characters of [A-Za-z0-9._@:-] and treats anything else as "anonymous".
  std::string actor;
  // Attempts per call while the answer is UNAVAILABLE (odrd unreachable or busy), with a short
  // backoff between them. Mutations are retried only when they carry a request_id, so that a
  // retry cannot apply a change twice. 1 disables retries.
  int max_attempts = 3;
};

// Converts a gRPC status to an absl::Status with the same code and message. When the server sent
// an odr.v1.ErrorStatus in error_details(), its ErrorDetails is attached as the payload
// kErrorDetailsTypeUrl (see ErrorDetailsOf). Thread-safe.
absl::Status ToStatus(const grpc::Status& status);

// The ErrorDetails that odrd attached to `status`, or nullopt when there are none (errors raised
// by the gRPC library itself, such as a refused connection or a client-side deadline, have none).
// Thread-safe.
std::optional<v1::ErrorDetails> ErrorDetailsOf(const absl::Status& status);

// A fresh random idempotency key: a version 4 UUID (36 characters of [0-9a-f-]), which fits the
// request_id syntax of odr.v1. Draws from std::random_device. Thread-safe.
std::string NewRequestId();

// Calls odr.v1.CaseService. Each method performs one blocking RPC (retried as described in
// ClientOptions::max_attempts) and returns the response, or the error as ToStatus() builds it.
// Requests are sent as given: the client validates nothing and fills in nothing.
// A CaseClient is safe for concurrent use by several threads.
class CaseClient {
 public:
  // Creates an insecure channel to options.server. Does not connect: the first call does.
  explicit CaseClient(ClientOptions options);
  // Uses `stub` instead of a channel (for tests).
  CaseClient(std::unique_ptr<v1::CaseService::StubInterface> stub, ClientOptions options);

  CaseClient(const CaseClient&) = delete;
  CaseClient& operator=(const CaseClient&) = delete;

  const ClientOptions& options() const { return options_; }

  absl::StatusOr<v1::Case> CreateCase(const v1::CreateCaseRequest& request) const;
  absl::StatusOr<v1::Case> GetCase(const v1::GetCaseRequest& request) const;
  absl::StatusOr<v1::ListCasesResponse> ListCases(const v1::ListCasesRequest& request) const;
  absl::StatusOr<v1::Case> UpdateCase(const v1::UpdateCaseRequest& request) const;
  absl::StatusOr<v1::Case> SubmitCase(const v1::SubmitCaseRequest& request) const;
  absl::StatusOr<v1::Case> AcceptCase(const v1::AcceptCaseRequest& request) const;
  absl::StatusOr<v1::Case> WithdrawCase(const v1::WithdrawCaseRequest& request) const;
  absl::StatusOr<v1::Case> CloseCase(const v1::CloseCaseRequest& request) const;
  absl::StatusOr<v1::ListCaseEventsResponse> ListCaseEvents(
      const v1::ListCaseEventsRequest& request) const;

 private:
  template <typename Request, typename Response, typename Method>
  absl::StatusOr<Response> Call(Method method, const Request& request, bool retry_safe) const;

  const ClientOptions options_;
  const std::unique_ptr<v1::CaseService::StubInterface> stub_;
};

}  // namespace odr::client

#endif  // ODR_CLIENT_CASE_CLIENT_H_
