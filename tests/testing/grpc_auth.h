// Client-side helpers for tests: tokens from AuthService, and contexts that carry them.
#ifndef ODR_TESTS_TESTING_GRPC_AUTH_H_
#define ODR_TESTS_TESTING_GRPC_AUTH_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "odr/v1/auth.grpc.pb.h"

namespace odr::testing {

// CreateToken for `principal_id` with `api_key`; aborts the test binary on failure.
inline std::string IssueToken(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& principal_id, const std::string& api_key) {
  auto stub = v1::AuthService::NewStub(channel);
  v1::CreateTokenRequest req;
  req.set_principal("principals/" + principal_id);
  req.set_api_key(api_key);
  v1::CreateTokenResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::Status s = stub->CreateToken(&ctx, req, &resp);
  if (!s.ok()) {
    std::fprintf(stderr, "CreateToken(%s) failed: %s\n", principal_id.c_str(),
                 s.error_message().c_str());
    std::abort();
  }
  return resp.access_token();
}

// A context with a 10 s deadline, the bearer token (if any) and on-behalf-of (if any).
inline std::unique_ptr<grpc::ClientContext> AuthedContext(const std::string& token,
                                                          const std::string& on_behalf_of = "") {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  if (!on_behalf_of.empty()) ctx->AddMetadata("x-odr-on-behalf-of", on_behalf_of);
  return ctx;
}

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_GRPC_AUTH_H_
