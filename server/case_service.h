// CaseService on the gRPC callback API. Each reaction validates nothing heavier than the request in
// memory and hands the store call to the worker pool; it never touches SQLite on a gRPC thread.
#ifndef ODR_SERVER_CASE_SERVICE_H_
#define ODR_SERVER_CASE_SERVICE_H_

#include <boost/asio/thread_pool.hpp>

#include "absl/strings/string_view.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "server/domain/clock.h"
#include "storage/case_store.h"

namespace odr::server {

class CaseServiceImpl final : public v1::CaseService::CallbackService {
 public:
  // `store`, `clock` and `pool` must outlive the service and any call in flight.
  CaseServiceImpl(storage::CaseStore* store, Clock* clock, boost::asio::thread_pool* pool)
      : store_(store), clock_(clock), pool_(pool) {}

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

 private:
  // Runs `work` on the pool and finishes the call with its status; logs one access line.
  // The request is checked first (see request_check.h).
  template <typename Work>
  grpc::ServerUnaryReactor* Dispatch(grpc::CallbackServerContext* ctx, absl::string_view method,
                                     const google::protobuf::Message* request, Work work);

  template <typename Req>
  grpc::ServerUnaryReactor* Transition(grpc::CallbackServerContext* ctx, absl::string_view method,
                                       const Req* req, v1::Case* resp, int action,
                                       absl::string_view reason);

  storage::CaseStore* store_;
  Clock* clock_;
  boost::asio::thread_pool* pool_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_CASE_SERVICE_H_
