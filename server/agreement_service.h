// AgreementService on the gRPC callback API: settlement agreements (drafts, revisions, signatures,
// the printable rendering, performance) and privileged offers. Rules: domain/agreement.h and
// domain/authorization.h; the store writes each change in the case's transaction.
#ifndef ODR_SERVER_AGREEMENT_SERVICE_H_
#define ODR_SERVER_AGREEMENT_SERVICE_H_

#include "odr/v1/agreement.grpc.pb.h"
#include "server/domain/agreement.h"
#include "server/domain/principal.h"
#include "server/rpc_runner.h"
#include "storage/access_log.h"
#include "storage/agreement_store.h"

namespace odr::server {

// Agreement `a` of case `c` as `viewer` sees it at `now`: parties masked like the case's, the
// instalments' states, who still has to sign. Thread-safe.
void AgreementToProto(const domain::Agreement& a, const domain::Case& c,
                      const domain::Principal& viewer, absl::Time now, v1::Agreement* out);

class AgreementServiceImpl final : public v1::AgreementService::CallbackService {
 public:
  // All pointers must outlive the service and any call in flight.
  AgreementServiceImpl(RpcRunner* runner, storage::AgreementStore* store,
                       storage::AccessLog* access, Clock* clock)
      : runner_(runner), store_(store), access_(access), clock_(clock) {}

  grpc::ServerUnaryReactor* CreateAgreement(grpc::CallbackServerContext* ctx,
                                            const v1::CreateAgreementRequest* req,
                                            v1::Agreement* resp) override;
  grpc::ServerUnaryReactor* GetAgreement(grpc::CallbackServerContext* ctx,
                                         const v1::GetAgreementRequest* req,
                                         v1::Agreement* resp) override;
  grpc::ServerUnaryReactor* ListAgreements(grpc::CallbackServerContext* ctx,
                                           const v1::ListAgreementsRequest* req,
                                           v1::ListAgreementsResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateAgreement(grpc::CallbackServerContext* ctx,
                                            const v1::UpdateAgreementRequest* req,
                                            v1::Agreement* resp) override;
  grpc::ServerUnaryReactor* RefuseAgreement(grpc::CallbackServerContext* ctx,
                                            const v1::RefuseAgreementRequest* req,
                                            v1::Agreement* resp) override;
  grpc::ServerUnaryReactor* SignAgreement(grpc::CallbackServerContext* ctx,
                                          const v1::SignAgreementRequest* req,
                                          v1::Agreement* resp) override;
  grpc::ServerUnaryReactor* RenderAgreement(grpc::CallbackServerContext* ctx,
                                            const v1::RenderAgreementRequest* req,
                                            v1::RenderAgreementResponse* resp) override;
  grpc::ServerUnaryReactor* RecordPayment(grpc::CallbackServerContext* ctx,
                                          const v1::RecordPaymentRequest* req,
                                          v1::Agreement* resp) override;
  grpc::ServerUnaryReactor* RecordOffer(grpc::CallbackServerContext* ctx,
                                        const v1::RecordOfferRequest* req,
                                        v1::Offer* resp) override;
  grpc::ServerUnaryReactor* ListOffers(grpc::CallbackServerContext* ctx,
                                       const v1::ListOffersRequest* req,
                                       v1::ListOffersResponse* resp) override;

 private:
  // The agreement named `name` read by the caller (authorized kRead, access recorded).
  absl::StatusOr<std::pair<domain::Agreement, domain::Case>> Read(const CallContext& call,
                                                                  absl::string_view name,
                                                                  int revision);

  RpcRunner* runner_;
  storage::AgreementStore* store_;
  storage::AccessLog* access_;
  Clock* clock_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_AGREEMENT_SERVICE_H_
