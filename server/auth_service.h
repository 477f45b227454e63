// AuthService (API key -> bearer token; who am I) and AuditService (the access log), on the
// callback API through RpcRunner.
#ifndef ODR_SERVER_AUTH_SERVICE_H_
#define ODR_SERVER_AUTH_SERVICE_H_

#include "odr/v1/audit.grpc.pb.h"
#include "odr/v1/auth.grpc.pb.h"
#include "server/authenticator.h"
#include "server/rpc_runner.h"
#include "storage/access_log.h"

namespace odr::server {

// The API enum of a role.
v1::Role RoleToApi(domain::Role r);
// The API form of a principal (no identity document: that never leaves the server).
void PrincipalToProto(const domain::Principal& p, v1::Principal* out);

class AuthServiceImpl final : public v1::AuthService::CallbackService {
 public:
  // Pointers must outlive the service and calls in flight.
  AuthServiceImpl(RpcRunner* runner, const Authenticator* authenticator)
      : runner_(runner), authenticator_(authenticator) {}

  grpc::ServerUnaryReactor* CreateToken(grpc::CallbackServerContext* ctx,
                                        const v1::CreateTokenRequest* req,
                                        v1::CreateTokenResponse* resp) override;
  grpc::ServerUnaryReactor* GetCaller(grpc::CallbackServerContext* ctx,
                                      const v1::GetCallerRequest* req,
                                      v1::Principal* resp) override;

 private:
  RpcRunner* runner_;
  const Authenticator* authenticator_;
};

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(RpcRunner* runner, storage::AccessLog* access)
      : runner_(runner), access_(access) {}

  grpc::ServerUnaryReactor* ListAccessRecords(grpc::CallbackServerContext* ctx,
                                              const v1::ListAccessRecordsRequest* req,
                                              v1::ListAccessRecordsResponse* resp) override;

 private:
  RpcRunner* runner_;
  storage::AccessLog* access_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_AUTH_SERVICE_H_
