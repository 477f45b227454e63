// DeadlineService on the gRPC callback API: reads a case's statutory deadlines and records what
// changes them (appraisal pauses, agreed extensions, the contact with the respondent). The rules
// are domain/statutory_clock.h; the store applies them in one transaction with their events.
#ifndef ODR_SERVER_DEADLINE_SERVICE_H_
#define ODR_SERVER_DEADLINE_SERVICE_H_

#include "odr/v1/deadline.grpc.pb.h"
#include "server/rpc_runner.h"
#include "storage/access_log.h"
#include "storage/case_store.h"

namespace odr::server {

class DeadlineServiceImpl final : public v1::DeadlineService::CallbackService {
 public:
  // All pointers must outlive the service and any call in flight.
  DeadlineServiceImpl(RpcRunner* runner, storage::CaseStore* store, storage::AccessLog* access,
                      Clock* clock)
      : runner_(runner), store_(store), access_(access), clock_(clock) {}

  grpc::ServerUnaryReactor* ListDeadlines(grpc::CallbackServerContext* ctx,
                                          const v1::ListDeadlinesRequest* req,
                                          v1::ListDeadlinesResponse* resp) override;
  grpc::ServerUnaryReactor* PauseMediationPeriod(grpc::CallbackServerContext* ctx,
                                                 const v1::PauseMediationPeriodRequest* req,
                                                 v1::Deadline* resp) override;
  grpc::ServerUnaryReactor* ResumeMediationPeriod(grpc::CallbackServerContext* ctx,
                                                  const v1::ResumeMediationPeriodRequest* req,
                                                  v1::Deadline* resp) override;
  grpc::ServerUnaryReactor* ExtendMediationPeriod(grpc::CallbackServerContext* ctx,
                                                  const v1::ExtendMediationPeriodRequest* req,
                                                  v1::Deadline* resp) override;
  grpc::ServerUnaryReactor* RecordRespondentContact(grpc::CallbackServerContext* ctx,
                                                    const v1::RecordRespondentContactRequest* req,
                                                    v1::Case* resp) override;

  static void ToProto(const domain::Deadline& d, v1::Deadline* out);

 private:
  // Pause, resume or extend, authorized for kManageClock inside the store's transaction.
  absl::Status ChangePeriod(const CallContext& call, absl::string_view name,
                            storage::CaseStore::PeriodChange change, int days,
                            absl::string_view reason, v1::Deadline* resp);

  RpcRunner* runner_;
  storage::CaseStore* store_;
  storage::AccessLog* access_;
  Clock* clock_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_DEADLINE_SERVICE_H_
