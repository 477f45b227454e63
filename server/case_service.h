// CaseService on the gRPC callback API. Every method goes through RpcRunner (worker pool,
// authentication, rate limit) and authorizes the case through domain/authorization.h; nothing
// touches SQLite on a gRPC thread.
#ifndef ODR_SERVER_CASE_SERVICE_H_
#define ODR_SERVER_CASE_SERVICE_H_

#include "absl/strings/string_view.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "server/domain/authorization.h"
#include "server/domain/clock.h"
#include "server/domain/roster.h"
#include "server/event_hub.h"
#include "server/rpc_runner.h"
#include "storage/access_log.h"
#include "storage/case_store.h"
#include "storage/principal_store.h"
#include "storage/record_store.h"
#include "storage/roster_store.h"

namespace odr::server {

class CaseServiceImpl final : public v1::CaseService::CallbackService {
 public:
  // All pointers must outlive the service and any call in flight.
  // `hub` wakes WatchCaseEvents streams; without one they only send what exists when they start
  // and then wait (tests that do not watch).
  CaseServiceImpl(RpcRunner* runner, storage::CaseStore* store, storage::PrincipalStore* principals,
                  storage::RosterStore* roster, storage::AccessLog* access,
                  storage::RecordStore* records, Clock* clock, EventHub* hub = nullptr)
      : runner_(runner),
        store_(store),
        principals_(principals),
        roster_(roster),
        access_(access),
        records_(records),
        clock_(clock),
        hub_(hub) {}

  grpc::ServerUnaryReactor* CreateCase(grpc::CallbackServerContext* ctx,
                                       const v1::CreateCaseRequest* req, v1::Case* resp) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* ctx, const v1::GetCaseRequest* req,
                                    v1::Case* resp) override;
  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* ctx,
                                      const v1::ListCasesRequest* req,
                                      v1::ListCasesResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateCase(grpc::CallbackServerContext* ctx,
                                       const v1::UpdateCaseRequest* req, v1::Case* resp) override;
  grpc::ServerUnaryReactor* SubmitCase(grpc::CallbackServerContext* ctx,
                                       const v1::SubmitCaseRequest* req, v1::Case* resp) override;
  grpc::ServerUnaryReactor* AcceptCase(grpc::CallbackServerContext* ctx,
                                       const v1::AcceptCaseRequest* req, v1::Case* resp) override;
  grpc::ServerUnaryReactor* WithdrawCase(grpc::CallbackServerContext* ctx,
                                         const v1::WithdrawCaseRequest* req,
                                         v1::Case* resp) override;
  grpc::ServerUnaryReactor* CloseCase(grpc::CallbackServerContext* ctx,
                                      const v1::CloseCaseRequest* req, v1::Case* resp) override;
  grpc::ServerUnaryReactor* ListCaseEvents(grpc::CallbackServerContext* ctx,
                                           const v1::ListCaseEventsRequest* req,
                                           v1::ListCaseEventsResponse* resp) override;
  grpc::ServerUnaryReactor* AssignCaseMediator(grpc::CallbackServerContext* ctx,
                                               const v1::AssignCaseMediatorRequest* req,
                                               v1::Case* resp) override;
  grpc::ServerUnaryReactor* RecommendMediators(grpc::CallbackServerContext* ctx,
                                               const v1::RecommendMediatorsRequest* req,
                                               v1::RecommendMediatorsResponse* resp) override;
  grpc::ServerUnaryReactor* AutoAssignMediator(grpc::CallbackServerContext* ctx,
                                               const v1::AutoAssignMediatorRequest* req,
                                               v1::Case* resp) override;
  grpc::ServerUnaryReactor* ChooseMediator(grpc::CallbackServerContext* ctx,
                                           const v1::ChooseMediatorRequest* req,
                                           v1::Case* resp) override;
  grpc::ServerUnaryReactor* AcceptAssignment(grpc::CallbackServerContext* ctx,
                                             const v1::AcceptAssignmentRequest* req,
                                             v1::Case* resp) override;
  grpc::ServerUnaryReactor* DeclineAssignment(grpc::CallbackServerContext* ctx,
                                              const v1::DeclineAssignmentRequest* req,
                                              v1::Case* resp) override;
  grpc::ServerUnaryReactor* ReplaceMediator(grpc::CallbackServerContext* ctx,
                                            const v1::ReplaceMediatorRequest* req,
                                            v1::Case* resp) override;
  // Server streaming (case_events_watch.cc): backlog from the cursor, then live events as the
  // hub signals commits; every event is checked against the caller's view of its case.
  grpc::ServerWriteReactor<v1::WatchCaseEventsResponse>* WatchCaseEvents(
      grpc::CallbackServerContext* ctx, const v1::WatchCaseEventsRequest* req) override;
  // Procedure records (record_service.cc).
  grpc::ServerUnaryReactor* RecordProcedure(grpc::CallbackServerContext* ctx,
                                            const v1::RecordProcedureRequest* req,
                                            v1::ProcedureRecord* resp) override;
  grpc::ServerUnaryReactor* ListProcedureRecords(grpc::CallbackServerContext* ctx,
                                                 const v1::ListProcedureRecordsRequest* req,
                                                 v1::ListProcedureRecordsResponse* resp) override;

 private:
  template <typename Req>
  grpc::ServerUnaryReactor* Transition(grpc::CallbackServerContext* ctx, const char* method,
                                       const Req* req, v1::Case* resp, int action,
                                       domain::TransitionNote note);
  // Loads a case the caller may read, records the read, or NOT_FOUND.
  absl::StatusOr<domain::Case> ReadCase(const CallContext& call, absl::string_view id);
  // A change to the case's mediators: `make` validates the request into a change; the store
  // applies it with the caller authorized for `op` inside the transaction.
  template <typename Req>
  grpc::ServerUnaryReactor* Assignment(
      grpc::CallbackServerContext* ctx, const char* method, const Req* req, v1::Case* resp,
      std::function<absl::StatusOr<storage::AssignmentChange>(const CallContext&)> make,
      domain::CaseOperation op);
  // Loads the case (authorized for assignment), its organization's mediators (or a pool's) and
  // ranks them; records the read.
  absl::StatusOr<std::vector<domain::Recommendation>> Rank(
      const CallContext& call, const std::string& case_id, const std::string& pool, int limit,
      std::vector<domain::Mediator>* storage_for_mediators, domain::Case* k);
  // Redacts for the caller and writes the response.
  void Respond(const CallContext& call, domain::Case k, v1::Case* resp) const;

  RpcRunner* runner_;
  storage::CaseStore* store_;
  storage::PrincipalStore* principals_;
  storage::RosterStore* roster_;
  storage::AccessLog* access_;
  storage::RecordStore* records_;
  Clock* clock_;
  EventHub* hub_;
  class WatchReactor;
};

}  // namespace odr::server

#endif  // ODR_SERVER_CASE_SERVICE_H_
