// RosterService: organizations, their mediators (the public roster) and pools.
#ifndef ODR_SERVER_ROSTER_SERVICE_H_
#define ODR_SERVER_ROSTER_SERVICE_H_

#include "odr/v1/roster.grpc.pb.h"
#include "server/rpc_runner.h"
#include "storage/principal_store.h"
#include "storage/roster_store.h"

namespace odr::server {

class RosterServiceImpl final : public v1::RosterService::CallbackService {
 public:
  // Pointers must outlive the service and calls in flight.
  RosterServiceImpl(RpcRunner* runner, storage::RosterStore* roster,
                    storage::PrincipalStore* principals)
      : runner_(runner), roster_(roster), principals_(principals) {}

  grpc::ServerUnaryReactor* CreateOrganization(grpc::CallbackServerContext* ctx,
                                               const v1::CreateOrganizationRequest* req,
                                               v1::Organization* resp) override;
  grpc::ServerUnaryReactor* GetOrganization(grpc::CallbackServerContext* ctx,
                                            const v1::GetOrganizationRequest* req,
                                            v1::Organization* resp) override;
  grpc::ServerUnaryReactor* ListOrganizations(grpc::CallbackServerContext* ctx,
                                              const v1::ListOrganizationsRequest* req,
                                              v1::ListOrganizationsResponse* resp) override;
  grpc::ServerUnaryReactor* CreateMediator(grpc::CallbackServerContext* ctx,
                                           const v1::CreateMediatorRequest* req,
                                           v1::Mediator* resp) override;
  grpc::ServerUnaryReactor* GetMediator(grpc::CallbackServerContext* ctx,
                                        const v1::GetMediatorRequest* req,
                                        v1::Mediator* resp) override;
  grpc::ServerUnaryReactor* ListMediators(grpc::CallbackServerContext* ctx,
                                          const v1::ListMediatorsRequest* req,
                                          v1::ListMediatorsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateMediator(grpc::CallbackServerContext* ctx,
                                           const v1::UpdateMediatorRequest* req,
                                           v1::Mediator* resp) override;
  grpc::ServerUnaryReactor* SuspendMediator(grpc::CallbackServerContext* ctx,
                                            const v1::SuspendMediatorRequest* req,
                                            v1::Mediator* resp) override;
  grpc::ServerUnaryReactor* ReactivateMediator(grpc::CallbackServerContext* ctx,
                                               const v1::ReactivateMediatorRequest* req,
                                               v1::Mediator* resp) override;
  grpc::ServerUnaryReactor* CreatePool(grpc::CallbackServerContext* ctx,
                                       const v1::CreatePoolRequest* req, v1::Pool* resp) override;
  grpc::ServerUnaryReactor* GetPool(grpc::CallbackServerContext* ctx, const v1::GetPoolRequest* req,
                                    v1::Pool* resp) override;
  grpc::ServerUnaryReactor* ListPools(grpc::CallbackServerContext* ctx,
                                      const v1::ListPoolsRequest* req,
                                      v1::ListPoolsResponse* resp) override;

 private:
  RpcRunner* runner_;
  storage::RosterStore* roster_;
  storage::PrincipalStore* principals_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_ROSTER_SERVICE_H_
