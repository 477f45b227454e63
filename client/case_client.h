// Thin blocking clients for odr.v1's services (CaseService, RosterService, AuthService,
// AuditService, EvidenceService, AppointmentService, DeadlineService, AgreementService,
// ConfirmationService, CourtService): one channel, a deadline on every call, the caller's
// credentials as metadata, and gRPC errors turned into absl::Status values that keep the server's
// machine-readable details.
#ifndef ODR_CLIENT_CASE_CLIENT_H_
#define ODR_CLIENT_CASE_CLIENT_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "odr/v1/agreement.grpc.pb.h"
#include "odr/v1/appointment.grpc.pb.h"
#include "odr/v1/audit.grpc.pb.h"
#include "odr/v1/auth.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/confirmation.grpc.pb.h"
#include "odr/v1/court.grpc.pb.h"
#include "odr/v1/deadline.grpc.pb.h"
#include "odr/v1/error.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "odr/v1/stats.grpc.pb.h"

namespace odr::client {

// Metadata that carries the caller's bearer token: `authorization: Bearer <token>`.
inline constexpr char kAuthorizationHeader[] = "authorization";
// Metadata with which a partner app names the citizen it acts for: `principals/{citizen}`.
inline constexpr char kOnBehalfOfHeader[] = "x-odr-on-behalf-of";

// The absl::Status payload key under which ToStatus() stores a serialized odr.v1.ErrorDetails.
inline constexpr char kErrorDetailsTypeUrl[] = "type.googleapis.com/odr.v1.ErrorDetails";

struct ClientOptions {
  // host:port of odrd (any gRPC target string works).
  std::string server = "127.0.0.1:50051";
  // Deadline of one method call, covering all of its attempts.
  absl::Duration timeout = absl::Seconds(10);
  // Sent as `authorization: Bearer <token>` when not empty (never on AuthService.CreateToken).
  std::string token;
  // Sent as x-odr-on-behalf-of when not empty: `principals/{citizen}`, for partner apps.
  std::string on_behalf_of;
  // TLS. false: plaintext (odrd's development mode, loopback only).
  bool tls = false;
  // PEM root certificates that odrd's certificate must chain to; empty: the system's roots.
  std::string tls_root_certs_pem;
  // PEM client certificate chain and its private key for mutual TLS; both or neither.
  std::string tls_cert_chain_pem;
  std::string tls_private_key_pem;
  // Attempts per call while the answer is UNAVAILABLE (odrd unreachable or busy), with a short
  // backoff between them. Mutations are retried only when they carry a request_id, so that a
  // retry cannot apply a change twice. 1 disables retries.
  int max_attempts = 3;
};

// A channel to options.server with the credentials that options ask for: TLS (server roots and
// optionally a client certificate) or plaintext. Does not connect: the first call does.
std::shared_ptr<grpc::Channel> MakeChannel(const ClientOptions& options);

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

// How a call is made.
struct CallPolicy {
  // Retry while UNAVAILABLE (see ClientOptions::max_attempts).
  bool retry_safe = true;
  // Send the token and on-behalf-of metadata of the options.
  bool send_credentials = true;
};

// Adds the token and on-behalf-of metadata of `options` to a call's context. Thread-safe.
void AddCallMetadata(const ClientOptions& options, grpc::ClientContext* context);

// Performs one blocking call through `attempt` (called once per attempt with a fresh context
// that carries the deadline and metadata), retrying as `options` and `policy` say. Returns the
// last attempt's status. Thread-safe.
absl::Status CallWithRetries(const ClientOptions& options, CallPolicy policy,
                             absl::FunctionRef<grpc::Status(grpc::ClientContext*)> attempt);

// Calls odr.v1.CaseService. Each method performs one blocking RPC (retried as described in
// ClientOptions::max_attempts) and returns the response, or the error as ToStatus() builds it.
// Requests are sent as given: the client validates nothing and fills in nothing.
// A CaseClient is safe for concurrent use by several threads.
class CaseClient {
 public:
  // Uses a channel made by MakeChannel(options).
  explicit CaseClient(ClientOptions options);
  // Uses `channel` (shared with other clients).
  CaseClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);
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
  // Not retried: a second attempt would add a second record.
  absl::StatusOr<v1::ProcedureRecord> RecordProcedure(
      const v1::RecordProcedureRequest& request) const;
  absl::StatusOr<v1::ListProcedureRecordsResponse> ListProcedureRecords(
      const v1::ListProcedureRecordsRequest& request) const;
  absl::StatusOr<v1::Case> AssignCaseMediator(const v1::AssignCaseMediatorRequest& request) const;
  absl::StatusOr<v1::RecommendMediatorsResponse> RecommendMediators(
      const v1::RecommendMediatorsRequest& request) const;
  absl::StatusOr<v1::Case> AutoAssignMediator(const v1::AutoAssignMediatorRequest& request) const;
  absl::StatusOr<v1::Case> ChooseMediator(const v1::ChooseMediatorRequest& request) const;
  absl::StatusOr<v1::Case> AcceptAssignment(const v1::AcceptAssignmentRequest& request) const;
  absl::StatusOr<v1::Case> DeclineAssignment(const v1::DeclineAssignmentRequest& request) const;
  absl::StatusOr<v1::Case> ReplaceMediator(const v1::ReplaceMediatorRequest& request) const;

  // Called with each message of WatchCaseEvents as it arrives; returning false stops the watch.
  using WatchFn = std::function<bool(const v1::WatchCaseEventsResponse&)>;

  // Watches the events of `parent` (`cases/{case}`, or `cases/-` for every case the caller is
  // related to) after `cursor` (empty: from the first event): reads the server stream, calling
  // `on_event` for each message in order (on the calling thread), until `on_event` returns false
  // or no event arrived for `stop_when_idle` (the call is then cancelled and OK returned), odrd
  // ends the stream (its status is returned), or the stream fails. The stream has no deadline.
  // UNAVAILABLE is retried as ClientOptions::max_attempts says (each event received starts the
  // count again), resuming after the last event received: the cursor makes that lose and repeat
  // nothing. To resume after an error, call again with the cursor of the last event received.
  absl::Status WatchCaseEvents(const std::string& parent, const std::string& cursor,
                               const WatchFn& on_event,
                               absl::Duration stop_when_idle = absl::InfiniteDuration()) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::CaseService::StubInterface> stub_;
};

// Calls odr.v1.RosterService, as CaseClient does CaseService. Its mutations carry no request_id,
// so they are never retried. Thread-safe.
class RosterClient {
 public:
  RosterClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);

  RosterClient(const RosterClient&) = delete;
  RosterClient& operator=(const RosterClient&) = delete;

  absl::StatusOr<v1::Organization> CreateOrganization(
      const v1::CreateOrganizationRequest& request) const;
  absl::StatusOr<v1::Organization> GetOrganization(const v1::GetOrganizationRequest& request) const;
  absl::StatusOr<v1::ListOrganizationsResponse> ListOrganizations(
      const v1::ListOrganizationsRequest& request) const;
  absl::StatusOr<v1::Mediator> CreateMediator(const v1::CreateMediatorRequest& request) const;
  absl::StatusOr<v1::Mediator> GetMediator(const v1::GetMediatorRequest& request) const;
  absl::StatusOr<v1::ListMediatorsResponse> ListMediators(
      const v1::ListMediatorsRequest& request) const;
  absl::StatusOr<v1::Mediator> UpdateMediator(const v1::UpdateMediatorRequest& request) const;
  absl::StatusOr<v1::Mediator> SuspendMediator(const v1::SuspendMediatorRequest& request) const;
  absl::StatusOr<v1::Mediator> ReactivateMediator(
      const v1::ReactivateMediatorRequest& request) const;
  absl::StatusOr<v1::Pool> CreatePool(const v1::CreatePoolRequest& request) const;
  absl::StatusOr<v1::Pool> GetPool(const v1::GetPoolRequest& request) const;
  absl::StatusOr<v1::ListPoolsResponse> ListPools(const v1::ListPoolsRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::RosterService::StubInterface> stub_;
};

// Calls odr.v1.AuthService, as CaseClient does CaseService. Thread-safe.
class AuthClient {
 public:
  AuthClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);

  AuthClient(const AuthClient&) = delete;
  AuthClient& operator=(const AuthClient&) = delete;

  // Sends no token and no on-behalf-of: the API key is the credential.
  absl::StatusOr<v1::CreateTokenResponse> CreateToken(const v1::CreateTokenRequest& request) const;
  absl::StatusOr<v1::Principal> GetCaller(const v1::GetCallerRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::AuthService::StubInterface> stub_;
};

// Calls odr.v1.AuditService, as CaseClient does CaseService. Thread-safe.
class AuditClient {
 public:
  AuditClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);

  AuditClient(const AuditClient&) = delete;
  AuditClient& operator=(const AuditClient&) = delete;

  absl::StatusOr<v1::ListAccessRecordsResponse> ListAccessRecords(
      const v1::ListAccessRecordsRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::AuditService::StubInterface> stub_;
};

// Calls odr.v1.StatsService, as CaseClient does CaseService. Thread-safe.
class StatsClient {
 public:
  StatsClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);

  StatsClient(const StatsClient&) = delete;
  StatsClient& operator=(const StatsClient&) = delete;

  absl::StatusOr<v1::Statistics> GetStatistics(const v1::GetStatisticsRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::StatsService::StubInterface> stub_;
};

// Calls odr.v1.EvidenceService: the unary methods as CaseClient does, and resumable uploads and
// downloads over the streaming methods. Thread-safe.
class EvidenceClient {
 public:
  EvidenceClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);
  EvidenceClient(const EvidenceClient&) = delete;
  EvidenceClient& operator=(const EvidenceClient&) = delete;

  absl::StatusOr<v1::QueryUploadStatusResponse> QueryUploadStatus(
      const v1::QueryUploadStatusRequest& request) const;
  absl::StatusOr<v1::Evidence> GetEvidence(const v1::GetEvidenceRequest& request) const;
  absl::StatusOr<v1::ListEvidenceResponse> ListEvidence(
      const v1::ListEvidenceRequest& request) const;
  absl::StatusOr<v1::Evidence> WithdrawEvidence(const v1::WithdrawEvidenceRequest& request) const;
  absl::StatusOr<v1::EvidenceProof> GetEvidenceProof(
      const v1::GetEvidenceProofRequest& request) const;
  absl::StatusOr<v1::ConsistencyProof> GetConsistencyProof(
      const v1::GetConsistencyProofRequest& request) const;
  absl::StatusOr<v1::LogCheckpoint> GetLogCheckpoint(
      const v1::GetLogCheckpointRequest& request) const;

  // Progress of a transfer: bytes done of the total, and whether it resumed earlier work.
  struct Progress {
    int64_t done = 0;
    int64_t total = 0;
    int64_t resumed_from = 0;
  };
  using ProgressFn = std::function<void(const Progress&)>;

  // Uploads the file at `path` as `start` declares (its size and SHA-256 must be filled in).
  // First asks where the upload stands (QueryUploadStatus) and continues from there, so running
  // it again after an interruption resumes; a stream that breaks (UNAVAILABLE, or another stream
  // still holding the upload: ABORTED) is resumed the same way, up to `attempts` streams in all.
  // Each stream's deadline allows the configured timeout plus 100 KiB/s for the bytes left.
  absl::StatusOr<v1::UploadEvidenceResponse> Upload(const v1::UploadEvidenceStart& start,
                                                    const std::string& path, int attempts,
                                                    const ProgressFn& progress) const;

  // Streams `name`'s bytes (from `offset`, `limit` bytes or to the end when 0) into `sink`;
  // `total` is for progress only. The deadline allows the timeout plus 100 KiB/s of `total`.
  absl::Status Download(const std::string& name, int64_t offset, int64_t limit, int64_t total,
                        const std::function<absl::Status(absl::string_view)>& sink,
                        const ProgressFn& progress) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::EvidenceService::StubInterface> stub_;
};

// Calls odr.v1.AppointmentService, as CaseClient does CaseService. Reads and RecordAttendance
// (which sets a value, so repeating it is harmless) are retried while UNAVAILABLE; the other
// mutations only when a retry cannot act twice (BookAppointment with an appointment_id).
// Thread-safe.
class AppointmentClient {
 public:
  AppointmentClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);
  // Uses `stub` instead of a channel (for tests).
  AppointmentClient(std::unique_ptr<v1::AppointmentService::StubInterface> stub,
                    ClientOptions options);

  AppointmentClient(const AppointmentClient&) = delete;
  AppointmentClient& operator=(const AppointmentClient&) = delete;

  absl::StatusOr<v1::MediatorAvailability> GetMediatorAvailability(
      const v1::GetMediatorAvailabilityRequest& request) const;
  absl::StatusOr<v1::MediatorAvailability> UpdateMediatorAvailability(
      const v1::UpdateMediatorAvailabilityRequest& request) const;
  absl::StatusOr<v1::FindSlotsResponse> FindSlots(const v1::FindSlotsRequest& request) const;
  absl::StatusOr<v1::Appointment> BookAppointment(const v1::BookAppointmentRequest& request) const;
  absl::StatusOr<v1::Appointment> GetAppointment(const v1::GetAppointmentRequest& request) const;
  // One page.
  absl::StatusOr<v1::ListAppointmentsResponse> ListAppointments(
      const v1::ListAppointmentsRequest& request) const;
  // Every page of `request` (from its page_token), as one response without a next_page_token.
  // Stops, rather than loop, if odrd repeats a page token.
  absl::StatusOr<v1::ListAppointmentsResponse> ListAllAppointments(
      v1::ListAppointmentsRequest request) const;
  absl::StatusOr<v1::Appointment> RescheduleAppointment(
      const v1::RescheduleAppointmentRequest& request) const;
  absl::StatusOr<v1::Appointment> CancelAppointment(
      const v1::CancelAppointmentRequest& request) const;
  absl::StatusOr<v1::Appointment> RecordAttendance(
      const v1::RecordAttendanceRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::AppointmentService::StubInterface> stub_;
};

// Calls odr.v1.DeadlineService, as CaseClient does CaseService. Its mutations carry no
// request_id, so they are never retried. Thread-safe.
class DeadlineClient {
 public:
  DeadlineClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);
  // Uses `stub` instead of a channel (for tests).
  DeadlineClient(std::unique_ptr<v1::DeadlineService::StubInterface> stub, ClientOptions options);

  DeadlineClient(const DeadlineClient&) = delete;
  DeadlineClient& operator=(const DeadlineClient&) = delete;

  absl::StatusOr<v1::ListDeadlinesResponse> ListDeadlines(
      const v1::ListDeadlinesRequest& request) const;
  absl::StatusOr<v1::Deadline> PauseMediationPeriod(
      const v1::PauseMediationPeriodRequest& request) const;
  absl::StatusOr<v1::Deadline> ResumeMediationPeriod(
      const v1::ResumeMediationPeriodRequest& request) const;
  absl::StatusOr<v1::Deadline> ExtendMediationPeriod(
      const v1::ExtendMediationPeriodRequest& request) const;
  absl::StatusOr<v1::Case> RecordRespondentContact(
      const v1::RecordRespondentContactRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::DeadlineService::StubInterface> stub_;
};

// Calls odr.v1.AgreementService, as CaseClient does CaseService. Reads are retried while
// UNAVAILABLE; CreateAgreement only with a request_id; the other mutations never (a retry of a
// signature, refusal, revision, payment or offer that was applied could act twice or fail on its
// etag).
// Thread-safe.
class AgreementClient {
 public:
  AgreementClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);
  // Uses `stub` instead of a channel (for tests).
  AgreementClient(std::unique_ptr<v1::AgreementService::StubInterface> stub, ClientOptions options);

  AgreementClient(const AgreementClient&) = delete;
  AgreementClient& operator=(const AgreementClient&) = delete;

  absl::StatusOr<v1::Agreement> CreateAgreement(const v1::CreateAgreementRequest& request) const;
  absl::StatusOr<v1::Agreement> GetAgreement(const v1::GetAgreementRequest& request) const;
  absl::StatusOr<v1::ListAgreementsResponse> ListAgreements(
      const v1::ListAgreementsRequest& request) const;
  absl::StatusOr<v1::Agreement> UpdateAgreement(const v1::UpdateAgreementRequest& request) const;
  absl::StatusOr<v1::Agreement> SignAgreement(const v1::SignAgreementRequest& request) const;
  absl::StatusOr<v1::Agreement> RefuseAgreement(const v1::RefuseAgreementRequest& request) const;
  absl::StatusOr<v1::RenderAgreementResponse> RenderAgreement(
      const v1::RenderAgreementRequest& request) const;
  absl::StatusOr<v1::Agreement> RecordPayment(const v1::RecordPaymentRequest& request) const;
  absl::StatusOr<v1::Offer> RecordOffer(const v1::RecordOfferRequest& request) const;
  absl::StatusOr<v1::ListOffersResponse> ListOffers(const v1::ListOffersRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::AgreementService::StubInterface> stub_;
};

// Calls odr.v1.ConfirmationService, as CaseClient does CaseService. Reads (PrecheckConfirmation
// included: it writes nothing) are retried while UNAVAILABLE; CreateConfirmation only with a
// request_id; the other mutations never. Thread-safe.
class ConfirmationClient {
 public:
  ConfirmationClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);
  // Uses `stub` instead of a channel (for tests).
  ConfirmationClient(std::unique_ptr<v1::ConfirmationService::StubInterface> stub,
                     ClientOptions options);

  ConfirmationClient(const ConfirmationClient&) = delete;
  ConfirmationClient& operator=(const ConfirmationClient&) = delete;

  absl::StatusOr<v1::PrecheckConfirmationResponse> PrecheckConfirmation(
      const v1::PrecheckConfirmationRequest& request) const;
  absl::StatusOr<v1::Confirmation> CreateConfirmation(
      const v1::CreateConfirmationRequest& request) const;
  absl::StatusOr<v1::Confirmation> JoinConfirmation(
      const v1::JoinConfirmationRequest& request) const;
  absl::StatusOr<v1::Confirmation> GetConfirmation(const v1::GetConfirmationRequest& request) const;
  absl::StatusOr<v1::ListConfirmationsResponse> ListConfirmations(
      const v1::ListConfirmationsRequest& request) const;
  absl::StatusOr<v1::Confirmation> WithdrawConfirmation(
      const v1::WithdrawConfirmationRequest& request) const;
  absl::StatusOr<v1::Confirmation> SupplyMaterials(const v1::SupplyMaterialsRequest& request) const;
  absl::StatusOr<v1::CourtBundle> GetCourtBundle(const v1::GetCourtBundleRequest& request) const;
  absl::StatusOr<v1::Confirmation> AcceptConfirmation(
      const v1::AcceptConfirmationRequest& request) const;
  absl::StatusOr<v1::Confirmation> RefuseConfirmation(
      const v1::RefuseConfirmationRequest& request) const;
  absl::StatusOr<v1::Confirmation> RequestMaterials(
      const v1::RequestMaterialsRequest& request) const;
  absl::StatusOr<v1::Confirmation> RuleConfirmation(
      const v1::RuleConfirmationRequest& request) const;
  // The court's review after filing and after the ruling (confirmation_review.h); never retried.
  absl::StatusOr<v1::Confirmation> CallParties(const v1::CallPartiesRequest& request) const;
  absl::StatusOr<v1::Confirmation> ExtendRulingPeriod(
      const v1::ExtendRulingPeriodRequest& request) const;
  absl::StatusOr<v1::Confirmation> ExtendPartyTime(const v1::ExtendPartyTimeRequest& request) const;
  absl::StatusOr<v1::Confirmation> RuleWithdrawal(const v1::RuleWithdrawalRequest& request) const;
  absl::StatusOr<v1::Confirmation> RecordRulingService(
      const v1::RecordRulingServiceRequest& request) const;
  absl::StatusOr<v1::Confirmation> FileObjection(const v1::FileObjectionRequest& request) const;
  absl::StatusOr<v1::Confirmation> DecideObjection(const v1::DecideObjectionRequest& request) const;
  absl::StatusOr<v1::Confirmation> ConsentToMediateAgain(
      const v1::ConsentToMediateAgainRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::ConfirmationService::StubInterface> stub_;
};

// Calls odr.v1.CourtService, as CaseClient does CaseService. Everything but ConcludeCase is
// retried while UNAVAILABLE: DivertCase and RecordIntake are idempotent on the court's intake
// reference. ConcludeCase is retried only when it carries a request_id. Thread-safe.
class CourtClient {
 public:
  CourtClient(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);
  // Uses `stub` instead of a channel (for tests).
  CourtClient(std::unique_ptr<v1::CourtService::StubInterface> stub, ClientOptions options);

  CourtClient(const CourtClient&) = delete;
  CourtClient& operator=(const CourtClient&) = delete;

  absl::StatusOr<v1::Case> DivertCase(const v1::DivertCaseRequest& request) const;
  absl::StatusOr<v1::ListDivertedCasesResponse> ListDivertedCases(
      const v1::ListDivertedCasesRequest& request) const;
  absl::StatusOr<v1::ListReferralsResponse> ListReferrals(
      const v1::ListReferralsRequest& request) const;
  absl::StatusOr<v1::Intake> RecordIntake(const v1::RecordIntakeRequest& request) const;
  absl::StatusOr<v1::Case> ConcludeCase(const v1::ConcludeCaseRequest& request) const;

 private:
  const ClientOptions options_;
  const std::unique_ptr<v1::CourtService::StubInterface> stub_;
};

}  // namespace odr::client

#endif  // ODR_CLIENT_CASE_CLIENT_H_
