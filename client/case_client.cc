#include "client/case_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <mutex>
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

absl::StatusOr<v1::ProcedureRecord> CaseClient::RecordProcedure(
    const v1::RecordProcedureRequest& request) const {
  return Unary(options_, {.retry_safe = false}, stub_.get(), &CaseStub::RecordProcedure, request);
}

absl::StatusOr<v1::ListProcedureRecordsResponse> CaseClient::ListProcedureRecords(
    const v1::ListProcedureRecordsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &CaseStub::ListProcedureRecords, request);
}

namespace {

// Cancels a call once no event arrived for `idle` (see Touch), from a thread of its own.
class IdleWatchdog {
 public:
  IdleWatchdog(grpc::ClientContext* context, absl::Duration idle)
      : context_(context), idle_(idle), last_(absl::Now()) {
    if (idle_ != absl::InfiniteDuration()) thread_ = std::thread([this] { Run(); });
  }
  ~IdleWatchdog() { Stop(); }

  // An event arrived.
  void Touch() {
    std::lock_guard<std::mutex> lock(mu_);
    last_ = absl::Now();
  }

  // Ends the watchdog; afterwards fired() says whether it cancelled the call.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  bool fired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopped_) {
      const absl::Time now = absl::Now();
      if (now >= last_ + idle_) {
        fired_ = true;
        context_->TryCancel();
        return;
      }
      cv_.wait_for(lock,
                   absl::ToChronoMilliseconds(last_ + idle_ - now) + std::chrono::milliseconds(1));
    }
  }

  grpc::ClientContext* const context_;
  const absl::Duration idle_;
  std::mutex mu_;
  std::condition_variable cv_;
  absl::Time last_;
  bool stopped_ = false;
  bool fired_ = false;
  std::thread thread_;
};

}  // namespace

absl::Status CaseClient::WatchCaseEvents(const std::string& parent, const std::string& cursor,
                                         const WatchFn& on_event,
                                         absl::Duration stop_when_idle) const {
  v1::WatchCaseEventsRequest request;
  request.set_parent(parent);
  request.set_cursor(cursor);
  const int attempts = std::max(1, options_.max_attempts);
  std::chrono::milliseconds backoff(100);
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    AddCallMetadata(options_, &context);
    IdleWatchdog watchdog(&context, stop_when_idle);
    std::unique_ptr<grpc::ClientReaderInterface<v1::WatchCaseEventsResponse>> reader(
        stub_->WatchCaseEvents(&context, request));
    v1::WatchCaseEventsResponse response;
    bool stopped = false;
    while (reader->Read(&response)) {
      watchdog.Touch();
      attempt = 1;
      backoff = std::chrono::milliseconds(100);
      if (!response.event().cursor().empty()) request.set_cursor(response.event().cursor());
      if (!on_event(response)) {
        stopped = true;
        context.TryCancel();
        while (reader->Read(&response)) {
        }
        break;
      }
    }
    watchdog.Stop();
    const grpc::Status status = reader->Finish();
    if (stopped || watchdog.fired()) return absl::OkStatus();  // cancelled, as asked
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || attempt >= attempts) {
      return ToStatus(status);
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
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

StatsClient::StatsClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : options_(std::move(options)), stub_(v1::StatsService::NewStub(channel)) {}

absl::StatusOr<v1::Statistics> StatsClient::GetStatistics(
    const v1::GetStatisticsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &v1::StatsService::StubInterface::GetStatistics, request);
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

AppointmentClient::AppointmentClient(std::shared_ptr<grpc::ChannelInterface> channel,
                                     ClientOptions options)
    : AppointmentClient(v1::AppointmentService::NewStub(channel), std::move(options)) {}

AppointmentClient::AppointmentClient(std::unique_ptr<v1::AppointmentService::StubInterface> stub,
                                     ClientOptions options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

using AppointmentStub = v1::AppointmentService::StubInterface;

absl::StatusOr<v1::MediatorAvailability> AppointmentClient::GetMediatorAvailability(
    const v1::GetMediatorAvailabilityRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AppointmentStub::GetMediatorAvailability, request);
}

absl::StatusOr<v1::MediatorAvailability> AppointmentClient::UpdateMediatorAvailability(
    const v1::UpdateMediatorAvailabilityRequest& request) const {
  // A retry of an update that was applied would fail on its (then stale) etag.
  return Unary(options_, kNoRetry, stub_.get(), &AppointmentStub::UpdateMediatorAvailability,
               request);
}

absl::StatusOr<v1::FindSlotsResponse> AppointmentClient::FindSlots(
    const v1::FindSlotsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AppointmentStub::FindSlots, request);
}

absl::StatusOr<v1::Appointment> AppointmentClient::BookAppointment(
    const v1::BookAppointmentRequest& request) const {
  // With an appointment_id a repeated booking returns the first one instead of booking twice.
  return Unary(options_, CallPolicy{.retry_safe = !request.appointment_id().empty()}, stub_.get(),
               &AppointmentStub::BookAppointment, request);
}

absl::StatusOr<v1::Appointment> AppointmentClient::GetAppointment(
    const v1::GetAppointmentRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AppointmentStub::GetAppointment, request);
}

absl::StatusOr<v1::ListAppointmentsResponse> AppointmentClient::ListAppointments(
    const v1::ListAppointmentsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AppointmentStub::ListAppointments, request);
}

absl::StatusOr<v1::ListAppointmentsResponse> AppointmentClient::ListAllAppointments(
    v1::ListAppointmentsRequest request) const {
  v1::ListAppointmentsResponse all;
  while (true) {
    absl::StatusOr<v1::ListAppointmentsResponse> page = ListAppointments(request);
    if (!page.ok()) return page.status();
    for (v1::Appointment& a : *page->mutable_appointments()) {
      *all.add_appointments() = std::move(a);
    }
    if (page->next_page_token().empty() || page->next_page_token() == request.page_token()) {
      break;
    }
    request.set_page_token(page->next_page_token());
  }
  return all;
}

absl::StatusOr<v1::Appointment> AppointmentClient::RescheduleAppointment(
    const v1::RescheduleAppointmentRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &AppointmentStub::RescheduleAppointment, request);
}

absl::StatusOr<v1::Appointment> AppointmentClient::CancelAppointment(
    const v1::CancelAppointmentRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &AppointmentStub::CancelAppointment, request);
}

absl::StatusOr<v1::Appointment> AppointmentClient::RecordAttendance(
    const v1::RecordAttendanceRequest& request) const {
  // Records a value: recording it again changes nothing.
  return Unary(options_, {}, stub_.get(), &AppointmentStub::RecordAttendance, request);
}

DeadlineClient::DeadlineClient(std::shared_ptr<grpc::ChannelInterface> channel,
                               ClientOptions options)
    : DeadlineClient(v1::DeadlineService::NewStub(channel), std::move(options)) {}

DeadlineClient::DeadlineClient(std::unique_ptr<v1::DeadlineService::StubInterface> stub,
                               ClientOptions options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

using DeadlineStub = v1::DeadlineService::StubInterface;

absl::StatusOr<v1::ListDeadlinesResponse> DeadlineClient::ListDeadlines(
    const v1::ListDeadlinesRequest& request) const {
  return Unary(options_, {}, stub_.get(), &DeadlineStub::ListDeadlines, request);
}

absl::StatusOr<v1::Deadline> DeadlineClient::PauseMediationPeriod(
    const v1::PauseMediationPeriodRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &DeadlineStub::PauseMediationPeriod, request);
}

absl::StatusOr<v1::Deadline> DeadlineClient::ResumeMediationPeriod(
    const v1::ResumeMediationPeriodRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &DeadlineStub::ResumeMediationPeriod, request);
}

absl::StatusOr<v1::Deadline> DeadlineClient::ExtendMediationPeriod(
    const v1::ExtendMediationPeriodRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &DeadlineStub::ExtendMediationPeriod, request);
}

absl::StatusOr<v1::Case> DeadlineClient::RecordRespondentContact(
    const v1::RecordRespondentContactRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &DeadlineStub::RecordRespondentContact, request);
}

AgreementClient::AgreementClient(std::shared_ptr<grpc::ChannelInterface> channel,
                                 ClientOptions options)
    : AgreementClient(v1::AgreementService::NewStub(channel), std::move(options)) {}

AgreementClient::AgreementClient(std::unique_ptr<v1::AgreementService::StubInterface> stub,
                                 ClientOptions options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

using AgreementStub = v1::AgreementService::StubInterface;

absl::StatusOr<v1::Agreement> AgreementClient::CreateAgreement(
    const v1::CreateAgreementRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &AgreementStub::CreateAgreement, request);
}

absl::StatusOr<v1::Agreement> AgreementClient::GetAgreement(
    const v1::GetAgreementRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AgreementStub::GetAgreement, request);
}

absl::StatusOr<v1::ListAgreementsResponse> AgreementClient::ListAgreements(
    const v1::ListAgreementsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AgreementStub::ListAgreements, request);
}

absl::StatusOr<v1::Agreement> AgreementClient::UpdateAgreement(
    const v1::UpdateAgreementRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &AgreementStub::UpdateAgreement, request);
}

absl::StatusOr<v1::Agreement> AgreementClient::SignAgreement(
    const v1::SignAgreementRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &AgreementStub::SignAgreement, request);
}

absl::StatusOr<v1::Agreement> AgreementClient::RefuseAgreement(
    const v1::RefuseAgreementRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &AgreementStub::RefuseAgreement, request);
}

absl::StatusOr<v1::RenderAgreementResponse> AgreementClient::RenderAgreement(
    const v1::RenderAgreementRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AgreementStub::RenderAgreement, request);
}

absl::StatusOr<v1::Agreement> AgreementClient::RecordPayment(
    const v1::RecordPaymentRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &AgreementStub::RecordPayment, request);
}

absl::StatusOr<v1::Offer> AgreementClient::RecordOffer(
    const v1::RecordOfferRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &AgreementStub::RecordOffer, request);
}

absl::StatusOr<v1::ListOffersResponse> AgreementClient::ListOffers(
    const v1::ListOffersRequest& request) const {
  return Unary(options_, {}, stub_.get(), &AgreementStub::ListOffers, request);
}

ConfirmationClient::ConfirmationClient(std::shared_ptr<grpc::ChannelInterface> channel,
                                       ClientOptions options)
    : ConfirmationClient(v1::ConfirmationService::NewStub(channel), std::move(options)) {}

ConfirmationClient::ConfirmationClient(std::unique_ptr<v1::ConfirmationService::StubInterface> stub,
                                       ClientOptions options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

using ConfirmationStub = v1::ConfirmationService::StubInterface;

absl::StatusOr<v1::PrecheckConfirmationResponse> ConfirmationClient::PrecheckConfirmation(
    const v1::PrecheckConfirmationRequest& request) const {
  return Unary(options_, {}, stub_.get(), &ConfirmationStub::PrecheckConfirmation, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::CreateConfirmation(
    const v1::CreateConfirmationRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &ConfirmationStub::CreateConfirmation,
               request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::JoinConfirmation(
    const v1::JoinConfirmationRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::JoinConfirmation, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::GetConfirmation(
    const v1::GetConfirmationRequest& request) const {
  return Unary(options_, {}, stub_.get(), &ConfirmationStub::GetConfirmation, request);
}

absl::StatusOr<v1::ListConfirmationsResponse> ConfirmationClient::ListConfirmations(
    const v1::ListConfirmationsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &ConfirmationStub::ListConfirmations, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::WithdrawConfirmation(
    const v1::WithdrawConfirmationRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::WithdrawConfirmation, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::SupplyMaterials(
    const v1::SupplyMaterialsRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::SupplyMaterials, request);
}

absl::StatusOr<v1::CourtBundle> ConfirmationClient::GetCourtBundle(
    const v1::GetCourtBundleRequest& request) const {
  return Unary(options_, {}, stub_.get(), &ConfirmationStub::GetCourtBundle, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::AcceptConfirmation(
    const v1::AcceptConfirmationRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::AcceptConfirmation, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::RefuseConfirmation(
    const v1::RefuseConfirmationRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::RefuseConfirmation, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::RequestMaterials(
    const v1::RequestMaterialsRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::RequestMaterials, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::RuleConfirmation(
    const v1::RuleConfirmationRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::RuleConfirmation, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::CallParties(
    const v1::CallPartiesRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::CallParties, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::ExtendPartyTime(
    const v1::ExtendPartyTimeRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::ExtendPartyTime, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::ExtendRulingPeriod(
    const v1::ExtendRulingPeriodRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::ExtendRulingPeriod, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::RuleWithdrawal(
    const v1::RuleWithdrawalRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::RuleWithdrawal, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::RecordRulingService(
    const v1::RecordRulingServiceRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::RecordRulingService, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::FileObjection(
    const v1::FileObjectionRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::FileObjection, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::DecideObjection(
    const v1::DecideObjectionRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::DecideObjection, request);
}

absl::StatusOr<v1::Confirmation> ConfirmationClient::ConsentToMediateAgain(
    const v1::ConsentToMediateAgainRequest& request) const {
  return Unary(options_, kNoRetry, stub_.get(), &ConfirmationStub::ConsentToMediateAgain, request);
}

CourtClient::CourtClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : CourtClient(v1::CourtService::NewStub(channel), std::move(options)) {}

CourtClient::CourtClient(std::unique_ptr<v1::CourtService::StubInterface> stub,
                         ClientOptions options)
    : options_(std::move(options)), stub_(std::move(stub)) {}

using CourtStub = v1::CourtService::StubInterface;

absl::StatusOr<v1::Case> CourtClient::DivertCase(const v1::DivertCaseRequest& request) const {
  // Idempotent on (court, intake reference): a retry returns the case the first call created.
  return Unary(options_, {}, stub_.get(), &CourtStub::DivertCase, request);
}

absl::StatusOr<v1::ListDivertedCasesResponse> CourtClient::ListDivertedCases(
    const v1::ListDivertedCasesRequest& request) const {
  return Unary(options_, {}, stub_.get(), &CourtStub::ListDivertedCases, request);
}

absl::StatusOr<v1::ListReferralsResponse> CourtClient::ListReferrals(
    const v1::ListReferralsRequest& request) const {
  return Unary(options_, {}, stub_.get(), &CourtStub::ListReferrals, request);
}

absl::StatusOr<v1::Intake> CourtClient::RecordIntake(const v1::RecordIntakeRequest& request) const {
  // Idempotent on (court, intake reference).
  return Unary(options_, {}, stub_.get(), &CourtStub::RecordIntake, request);
}

absl::StatusOr<v1::Case> CourtClient::ConcludeCase(const v1::ConcludeCaseRequest& request) const {
  return Unary(options_, Mutation(request), stub_.get(), &CourtStub::ConcludeCase, request);
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
