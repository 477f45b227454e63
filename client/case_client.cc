#include "client/case_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_format.h"

namespace odr::client {

absl::Status ToStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (!status.error_details().empty()) {
    v1::ErrorStatus details;
    if (details.ParseFromString(status.error_details())) {
      for (const v1::ErrorDetailsAny& any : details.details()) {
        if (any.type_url() == kErrorDetailsTypeUrl) {
          out.SetPayload(kErrorDetailsTypeUrl, absl::Cord(any.value()));
          break;
        }
      }
    }
  }
  return out;
}

std::optional<v1::ErrorDetails> ErrorDetailsOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorDetailsTypeUrl);
  if (!payload) return std::nullopt;
  v1::ErrorDetails details;
  if (!details.ParseFromString(std::string(*payload))) return std::nullopt;
  return details;
}

std::string NewRequestId() {
  std::random_device rd;
  std::uniform_int_distribution<uint32_t> dist;
  uint32_t w[4];
  for (uint32_t& x : w) x = dist(rd);
  w[1] = (w[1] & 0xffff0fffu) | 0x00004000u;  // version 4
  w[2] = (w[2] & 0x3fffffffu) | 0x80000000u;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%04x%08x", w[0], w[1] >> 16, w[1] & 0xffffu,
                         w[2] >> 16, w[2] & 0xffffu, w[3]);
}

CaseClient::CaseClient(ClientOptions options)
    : CaseClient(v1::CaseService::NewStub(
                     grpc::CreateChannel(options.server, grpc::InsecureChannelCredentials())),
                 options) {}

CaseClient::CaseClient(std::unique_ptr<v1::CaseService::StubInterface> stub, ClientOptions options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> CaseClient::Call(Method method, const Request& request,
                                          bool retry_safe) const {
  using Clock = std::chrono::system_clock;
  const Clock::time_point deadline =
      Clock::now() +
      std::chrono::duration_cast<Clock::duration>(absl::ToChronoMicroseconds(options_.timeout));
  const int attempts = retry_safe ? std::max(1, options_.max_attempts) : 1;
  std::chrono::milliseconds backoff(100);
  grpc::Status status;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    if (!options_.actor.empty()) context.AddMetadata(kActorHeader, options_.actor);
    Response response;
    status = (stub_.get()->*method)(&context, request, &response);
    if (status.ok()) return response;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || attempt >= attempts ||
        Clock::now() + backoff >= deadline) {
      break;
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
  return ToStatus(status);
}

absl::StatusOr<v1::Case> CaseClient::CreateCase(const v1::CreateCaseRequest& request) const {
  return Call<v1::CreateCaseRequest, v1::Case>(&v1::CaseService::StubInterface::CreateCase, request,
                                               !request.request_id().empty());
}

absl::StatusOr<v1::Case> CaseClient::GetCase(const v1::GetCaseRequest& request) const {
  return Call<v1::GetCaseRequest, v1::Case>(&v1::CaseService::StubInterface::GetCase, request,
                                            true);
}

absl::StatusOr<v1::ListCasesResponse> CaseClient::ListCases(
    const v1::ListCasesRequest& request) const {
  return Call<v1::ListCasesRequest, v1::ListCasesResponse>(
      &v1::CaseService::StubInterface::ListCases, request, true);
}

absl::StatusOr<v1::Case> CaseClient::UpdateCase(const v1::UpdateCaseRequest& request) const {
  return Call<v1::UpdateCaseRequest, v1::Case>(&v1::CaseService::StubInterface::UpdateCase, request,
                                               !request.request_id().empty());
}

absl::StatusOr<v1::Case> CaseClient::SubmitCase(const v1::SubmitCaseRequest& request) const {
  return Call<v1::SubmitCaseRequest, v1::Case>(&v1::CaseService::StubInterface::SubmitCase, request,
                                               !request.request_id().empty());
}

absl::StatusOr<v1::Case> CaseClient::AcceptCase(const v1::AcceptCaseRequest& request) const {
  return Call<v1::AcceptCaseRequest, v1::Case>(&v1::CaseService::StubInterface::AcceptCase, request,
                                               !request.request_id().empty());
}

absl::StatusOr<v1::Case> CaseClient::WithdrawCase(const v1::WithdrawCaseRequest& request) const {
  return Call<v1::WithdrawCaseRequest, v1::Case>(&v1::CaseService::StubInterface::WithdrawCase,
                                                 request, !request.request_id().empty());
}

absl::StatusOr<v1::Case> CaseClient::CloseCase(const v1::CloseCaseRequest& request) const {
  return Call<v1::CloseCaseRequest, v1::Case>(&v1::CaseService::StubInterface::CloseCase, request,
                                              !request.request_id().empty());
}

absl::StatusOr<v1::ListCaseEventsResponse> CaseClient::ListCaseEvents(
    const v1::ListCaseEventsRequest& request) const {
  return Call<v1::ListCaseEventsRequest, v1::ListCaseEventsResponse>(
      &v1::CaseService::StubInterface::ListCaseEvents, request, true);
}

}  // namespace odr::client
