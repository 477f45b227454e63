// CourtService on the gRPC callback API: what a court does with odr — divert disputes to
// pre-filing mediation or entrust filed suits to mediation, follow every such case to its outcome,
// take failed mediations back into its queue (OMR Art. 21) and conclude settled post-filing suits
// (OMR Art. 20). Court principals act for their own court only (domain/authorization.h).
#ifndef ODR_SERVER_COURT_SERVICE_H_
#define ODR_SERVER_COURT_SERVICE_H_

#include "odr/v1/court.grpc.pb.h"
#include "server/rpc_runner.h"
#include "storage/access_log.h"
#include "storage/case_store.h"
#include "storage/confirmation_store.h"
#include "storage/stats_store.h"

namespace odr::server {

class CourtServiceImpl final : public v1::CourtService::CallbackService {
 public:
  // All pointers must outlive the service and any call in flight.
  CourtServiceImpl(RpcRunner* runner, storage::CaseStore* cases,
                   storage::ConfirmationStore* confirmations, storage::StatsStore* stats,
                   storage::AccessLog* access, Clock* clock)
      : runner_(runner),
        cases_(cases),
        confirmations_(confirmations),
        stats_(stats),
        access_(access),
        clock_(clock) {}

  grpc::ServerUnaryReactor* DivertCase(grpc::CallbackServerContext* ctx,
                                       const v1::DivertCaseRequest* req, v1::Case* resp) override;
  grpc::ServerUnaryReactor* ListDivertedCases(grpc::CallbackServerContext* ctx,
                                              const v1::ListDivertedCasesRequest* req,
                                              v1::ListDivertedCasesResponse* resp) override;
  grpc::ServerUnaryReactor* ListReferrals(grpc::CallbackServerContext* ctx,
                                          const v1::ListReferralsRequest* req,
                                          v1::ListReferralsResponse* resp) override;
  grpc::ServerUnaryReactor* ConcludeCase(grpc::CallbackServerContext* ctx,
                                         const v1::ConcludeCaseRequest* req,
                                         v1::Case* resp) override;
  grpc::ServerUnaryReactor* RecordIntake(grpc::CallbackServerContext* ctx,
                                         const v1::RecordIntakeRequest* req,
                                         v1::Intake* resp) override;

 private:
  RpcRunner* runner_;
  storage::CaseStore* cases_;
  storage::ConfirmationStore* confirmations_;
  storage::StatsStore* stats_;
  storage::AccessLog* access_;
  Clock* clock_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_COURT_SERVICE_H_
