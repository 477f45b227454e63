#include "client/case_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
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

namespace {

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Unary(const ClientOptions& options, CallPolicy policy, Stub* stub,
                               grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                            Response*),
                               const Request& request) {
  Response response;
  absl::Status status =
      CallWithRetries(options, policy, [&](grpc::ClientContext* context) -> grpc::Status {
        response.Clear();
        return (stub->*method)(context, request, &response);
      });
  if (!status.ok()) return status;
  return response;
}

// Mutations are retried only with a request_id: a retry then cannot act twice.
template <typename Request>
CallPolicy Mutation(const Request& request) {
  return CallPolicy{.retry_safe = !request.request_id().empty()};
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const ClientOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls_root_certs_pem;
    ssl.pem_cert_chain = options.tls_cert_chain_pem;
    ssl.pem_private_key = options.tls_private_key_pem;
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateChannel(options.server, credentials);
}

void AddCallMetadata(const ClientOptions& options, grpc::ClientContext* context) {
  if (!options.token.empty()) context->AddMetadata(kAuthorizationHeader, "Bearer " + options.token);
  if (!options.on_behalf_of.empty()) context->AddMetadata(kOnBehalfOfHeader, options.on_behalf_of);
}

absl::Status CallWithRetries(const ClientOptions& options, CallPolicy policy,
                             absl::FunctionRef<grpc::Status(grpc::ClientContext*)> attempt_call) {
  using Clock = std::chrono::system_clock;
  const Clock::time_point deadline =
      Clock::now() +
      std::chrono::duration_cast<Clock::duration>(absl::ToChronoMicroseconds(options.timeout));
  const int attempts = policy.retry_safe ? std::max(1, options.max_attempts) : 1;
  std::chrono::milliseconds backoff(100);
  grpc::Status status;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    if (policy.send_credentials) AddCallMetadata(options, &context);
    status = attempt_call(&context);
    if (status.ok()) return absl::OkStatus();
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || attempt >= attempts ||
        Clock::now() + backoff >= deadline) {
      break;
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
  return ToStatus(status);
}

CaseClient::CaseClient(ClientOptions options) : CaseClient(MakeChannel(options), options) {}

CaseClient::CaseClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : CaseClient(v1::CaseService::NewStub(channel), std::move(options)) {}

CaseClient::CaseClient(std::unique_ptr<v1::CaseService::StubInterface> stub, ClientOptions options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

using CaseStub = v1::CaseService::StubInterface;

absl::StatusOr<v1::Case> CaseClient::CreateCase(const v1::CreateCaseRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::CreateCase, request);
}

absl::StatusOr<v1::Case> CaseClient::GetCase(const v1::GetCaseRequest& request) const {
  return Unary(options_, {}, stub_.get(), &CaseStub::GetCase, request);
}

absl::StatusOr<v1::ListCasesResponse> CaseClient::ListCases(
    const v1::ListCasesRequest& request) const {
  return Unary(options_, {}, stub_.get(), &CaseStub::ListCases, request);
}

absl::StatusOr<v1::Case> CaseClient::UpdateCase(const v1::UpdateCaseRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::UpdateCase, request);
}

absl::StatusOr<v1::Case> CaseClient::SubmitCase(const v1::SubmitCaseRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::SubmitCase, request);
}

absl::StatusOr<v1::Case> CaseClient::AcceptCase(const v1::AcceptCaseRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::AcceptCase, request);
}

absl::StatusOr<v1::Case> CaseClient::WithdrawCase(const v1::WithdrawCaseRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::WithdrawCase, request);
}

absl::StatusOr<v1::Case> CaseClient::CloseCase(const v1::CloseCaseRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::CloseCase, request);
}

absl::StatusOr<v1::ListCaseEventsResponse> CaseClient::ListCaseEvents(
    const v1::ListCaseEventsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &CaseStub::ListCaseEvents, request);
}

absl::StatusOr<v1::Case> CaseClient::AssignCaseMediator(
    const v1::AssignCaseMediatorRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::AssignCaseMediator, request);
}

absl::StatusOr<v1::RecommendMediatorsResponse> CaseClient::RecommendMediators(
    const v1::RecommendMediatorsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &CaseStub::RecommendMediators, request);
}

absl::StatusOr<v1::Case> CaseClient::AutoAssignMediator(
    const v1::AutoAssignMediatorRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::AutoAssignMediator, request);
}

absl::StatusOr<v1::Case> CaseClient::ChooseMediator(
    const v1::ChooseMediatorRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::ChooseMediator, request);
}

absl::StatusOr<v1::Case> CaseClient::AcceptAssignment(
    const v1::AcceptAssignmentRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::AcceptAssignment, request);
}

absl::StatusOr<v1::Case> CaseClient::DeclineAssignment(
    const v1::DeclineAssignmentRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::DeclineAssignment, request);
}

absl::StatusOr<v1::Case> CaseClient::ReplaceMediator(
    const v1::ReplaceMediatorRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CaseStub::ReplaceMediator, request);
}

RosterClient::RosterClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : options_(std::move(options)), stub_(v1::RosterService::NewStub(channel)) {}

namespace {
using RosterStub = v1::RosterService::StubInterface;
// Roster mutations carry no request_id: a retry might act twice.
constexpr CallPolicy kNoRetry{.retry_safe = false};
}  // namespace

absl::StatusOr<v1::Organization> RosterClient::CreateOrganization(
    const v1::CreateOrganizationRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &RosterStub::CreateOrganization, request);
}

absl::StatusOr<v1::Organization> RosterClient::GetOrganization(
    const v1::GetOrganizationRequest& request) const {
  return Unary(options_, {}, stub_.get(), &RosterStub::GetOrganization, request);
}

absl::StatusOr<v1::ListOrganizationsResponse> RosterClient::ListOrganizations(
    const v1::ListOrganizationsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &RosterStub::ListOrganizations, request);
}

absl::StatusOr<v1::Mediator> RosterClient::CreateMediator(
    const v1::CreateMediatorRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &RosterStub::CreateMediator, request);
}

absl::StatusOr<v1::Mediator> RosterClient::GetMediator(
    const v1::GetMediatorRequest& request) const {
  return Unary(options_, {}, stub_.get(), &RosterStub::GetMediator, request);
}

absl::StatusOr<v1::ListMediatorsResponse> RosterClient::ListMediators(
    const v1::ListMediatorsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &RosterStub::ListMediators, request);
}

absl::StatusOr<v1::Mediator> RosterClient::UpdateMediator(
    const v1::UpdateMediatorRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &RosterStub::UpdateMediator, request);
}

absl::StatusOr<v1::Mediator> RosterClient::SuspendMediator(
    const v1::SuspendMediatorRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &RosterStub::SuspendMediator, request);
}

absl::StatusOr<v1::Mediator> RosterClient::ReactivateMediator(
    const v1::ReactivateMediatorRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &RosterStub::ReactivateMediator, request);
}

absl::StatusOr<v1::Pool> RosterClient::CreatePool(const v1::CreatePoolRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &RosterStub::CreatePool, request);
}

absl::StatusOr<v1::Pool> RosterClient::GetPool(const v1::GetPoolRequest& request) const {
  return Unary(options_, {}, stub_.get(), &RosterStub::GetPool, request);
}

absl::StatusOr<v1::ListPoolsResponse> RosterClient::ListPools(
    const v1::ListPoolsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &RosterStub::ListPools, request);
}

AuthClient::AuthClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : options_(std::move(options)), stub_(v1::AuthService::NewStub(channel)) {}

absl::StatusOr<v1::CreateTokenResponse> AuthClient::CreateToken(
    const v1::CreateTokenRequest& request) const {
  return Unary(options_, CallPolicy{.retry_safe = true, .send_credentials = false}, stub_.get(),
               &v1::AuthService::StubInterface::CreateToken, request);
}

absl::StatusOr<v1::Principal> AuthClient::GetCaller(const v1::GetCallerRequest& request) const {
  return Unary(options_, {}, stub_.get(), &v1::AuthService::StubInterface::GetCaller, request);
}

AuditClient::AuditClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : options_(std::move(options)), stub_(v1::AuditService::NewStub(channel)) {}

absl::StatusOr<v1::ListAccessRecordsResponse> AuditClient::ListAccessRecords(
    const v1::ListAccessRecordsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &v1::AuditService::StubInterface::ListAccessRecords,
               request);
}

EvidenceClient::EvidenceClient(std::shared_ptr<grpc::ChannelInterface> channel,
                               ClientOptions options)
    : options_(std::move(options)), stub_(v1::EvidenceService::NewStub(channel)) {}

using EvidenceStub = v1::EvidenceService::StubInterface;

absl::StatusOr<v1::QueryUploadStatusResponse> EvidenceClient::QueryUploadStatus(
    const v1::QueryUploadStatusRequest& request) const {
  return Unary(options_, {}, stub_.get(), &EvidenceStub::QueryUploadStatus, request);
}
absl::StatusOr<v1::Evidence> EvidenceClient::GetEvidence(
    const v1::GetEvidenceRequest& request) const {
  return Unary(options_, {}, stub_.get(), &EvidenceStub::GetEvidence, request);
}
absl::StatusOr<v1::ListEvidenceResponse> EvidenceClient::ListEvidence(
    const v1::ListEvidenceRequest& request) const {
  return Unary(options_, {}, stub_.get(), &EvidenceStub::ListEvidence, request);
}
absl::StatusOr<v1::Evidence> EvidenceClient::WithdrawEvidence(
    const v1::WithdrawEvidenceRequest& request) const {
  // Withdrawing twice is refused (already withdrawn), so a retry cannot act twice.
  return Unary(options_, {}, stub_.get(), &EvidenceStub::WithdrawEvidence, request);
}
absl::StatusOr<v1::EvidenceProof> EvidenceClient::GetEvidenceProof(
    const v1::GetEvidenceProofRequest& request) const {
  return Unary(options_, {}, stub_.get(), &EvidenceStub::GetEvidenceProof, request);
}
absl::StatusOr<v1::ConsistencyProof> EvidenceClient::GetConsistencyProof(
    const v1::GetConsistencyProofRequest& request) const {
  return Unary(options_, {}, stub_.get(), &EvidenceStub::GetConsistencyProof, request);
}
absl::StatusOr<v1::LogCheckpoint> EvidenceClient::GetLogCheckpoint(
    const v1::GetLogCheckpointRequest& request) const {
  return Unary(options_, {}, stub_.get(), &EvidenceStub::GetLogCheckpoint, request);
}

namespace {

// The deadline of a stream moving `bytes`: the call timeout plus 100 KiB/s.
std::chrono::system_clock::time_point StreamDeadline(const ClientOptions& options, int64_t bytes) {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             absl::ToChronoMicroseconds(options.timeout)) +
         std::chrono::milliseconds(bytes / 100);
}

bool Resumable(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsAborted(s) || absl::IsCancelled(s);
}

}  // namespace

absl::StatusOr<v1::UploadEvidenceResponse> EvidenceClient::Upload(
    const v1::UploadEvidenceStart& start, const std::string& path, int attempts,
    const ProgressFn& progress) const {
  constexpr int64_t kChunk = 64 * 1024;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const int64_t total = start.size_bytes();
  absl::Status last;
  for (int attempt = 1; attempt <= std::max(1, attempts); ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    v1::QueryUploadStatusRequest q;
    q.set_upload_id(start.upload_id());
    absl::StatusOr<v1::QueryUploadStatusResponse> status = QueryUploadStatus(q);
    int64_t offset = 0;
    if (status.ok()) {
      if (status->complete()) {
        v1::UploadEvidenceResponse done;
        done.set_committed_size(status->committed_size());
        *done.mutable_evidence() = status->evidence();
        if (progress) progress({total, total, total});
        return done;
      }
      offset = status->committed_size();
    } else if (!absl::IsNotFound(status.status())) {
      last = status.status();
      if (Resumable(last)) continue;
      return last;
    }
    const int64_t resumed_from = offset;
    if (progress) progress({offset, total, resumed_from});

    grpc::ClientContext context;
    context.set_deadline(StreamDeadline(options_, total - offset));
    AddCallMetadata(options_, &context);
    v1::UploadEvidenceResponse response;
    std::unique_ptr<grpc::ClientWriterInterface<v1::UploadEvidenceRequest>> writer(
        stub_->UploadEvidence(&context, &response));
    in.clear();
    in.seekg(offset);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = start;
    bool sent_all = true;
    while (true) {
      const int64_t n = std::min(kChunk, total - offset);
      std::string* data = req.mutable_data();
      data->resize(static_cast<size_t>(n));
      if (n > 0 && !in.read(data->data(), n)) {
        writer->WritesDone();
        writer->Finish();
        return absl::DataLossError(absl::StrCat(path, " changed or could not be read"));
      }
      req.set_write_offset(offset);
      offset += n;
      req.set_finish_write(offset == total);
      if (!writer->Write(req, grpc::WriteOptions().set_buffer_hint())) {
        sent_all = false;  // the server ended the stream; Finish says why
        break;
      }
      if (progress) progress({offset, total, resumed_from});
      if (offset == total) break;
      req.clear_start();
    }
    if (sent_all) writer->WritesDone();
    absl::Status s = ToStatus(writer->Finish());
    if (s.ok() && response.has_evidence()) return response;
    last =
        s.ok() ? absl::UnavailableError("the upload stream ended before the file was finished") : s;
    if (!Resumable(last)) return last;
  }
  return last;
}

absl::Status EvidenceClient::Download(const std::string& name, int64_t offset, int64_t limit,
                                      int64_t total,
                                      const std::function<absl::Status(absl::string_view)>& sink,
                                      const ProgressFn& progress) const {
  grpc::ClientContext context;
  context.set_deadline(StreamDeadline(options_, total));
  AddCallMetadata(options_, &context);
  v1::DownloadEvidenceRequest req;
  req.set_name(name);
  req.set_read_offset(offset);
  req.set_read_limit(limit);
  std::unique_ptr<grpc::ClientReaderInterface<v1::DownloadEvidenceResponse>> reader(
      stub_->DownloadEvidence(&context, req));
  v1::DownloadEvidenceResponse chunk;
  int64_t done = offset;
  while (reader->Read(&chunk)) {
    absl::Status s = sink(chunk.data());
    if (!s.ok()) {
      context.TryCancel();
      reader->Finish();
      return s;
    }
    done += static_cast<int64_t>(chunk.data().size());
    if (progress) progress({done, total, offset});
  }
  return ToStatus(reader->Finish());
}

}  // namespace odr::client
