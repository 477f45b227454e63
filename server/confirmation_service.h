// ConfirmationService on the gRPC callback API: judicial confirmation of an effective settlement
// agreement — the parties' pre-check, joint application, materials and withdrawal, the court's
// acceptance, refusal, request for materials and ruling, and the court bundle. Every method goes
// through RpcRunner; the rules are domain/confirmation.h, who may do what
// domain/authorization.h, the transactions storage/confirmation_store.h.
#ifndef ODR_SERVER_CONFIRMATION_SERVICE_H_
#define ODR_SERVER_CONFIRMATION_SERVICE_H_

#include "odr/v1/confirmation.grpc.pb.h"
#include "server/domain/agreement.h"
#include "server/domain/confirmation.h"
#include "server/rpc_runner.h"
#include "storage/access_log.h"
#include "storage/agreement_store.h"
#include "storage/confirmation_store.h"
#include "storage/evidence_store.h"
#include "storage/record_store.h"
#include "storage/sqlite_case_store.h"

namespace odr::server {

class ConfirmationServiceImpl final : public v1::ConfirmationService::CallbackService {
 public:
  // All pointers must outlive the service and any call in flight. `signer` is the agreement
  // signer whose public key and key id go into court bundles.
  ConfirmationServiceImpl(RpcRunner* runner, storage::SqliteCaseStore* cases,
                          storage::ConfirmationStore* confirmations,
                          storage::AgreementStore* agreements, storage::EvidenceStore* evidence,
                          storage::RecordStore* records, storage::AccessLog* access,
                          const domain::StatementSigner* signer, Clock* clock)
      : runner_(runner),
        cases_(cases),
        confirmations_(confirmations),
        agreements_(agreements),
        evidence_(evidence),
        records_(records),
        access_(access),
        signer_(signer),
        clock_(clock) {}

  grpc::ServerUnaryReactor* PrecheckConfirmation(grpc::CallbackServerContext* ctx,
                                                 const v1::PrecheckConfirmationRequest* req,
                                                 v1::PrecheckConfirmationResponse* resp) override;
  grpc::ServerUnaryReactor* CreateConfirmation(grpc::CallbackServerContext* ctx,
                                               const v1::CreateConfirmationRequest* req,
                                               v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* JoinConfirmation(grpc::CallbackServerContext* ctx,
                                             const v1::JoinConfirmationRequest* req,
                                             v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* GetConfirmation(grpc::CallbackServerContext* ctx,
                                            const v1::GetConfirmationRequest* req,
                                            v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* ListConfirmations(grpc::CallbackServerContext* ctx,
                                              const v1::ListConfirmationsRequest* req,
                                              v1::ListConfirmationsResponse* resp) override;
  grpc::ServerUnaryReactor* WithdrawConfirmation(grpc::CallbackServerContext* ctx,
                                                 const v1::WithdrawConfirmationRequest* req,
                                                 v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* SupplyMaterials(grpc::CallbackServerContext* ctx,
                                            const v1::SupplyMaterialsRequest* req,
                                            v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* GetCourtBundle(grpc::CallbackServerContext* ctx,
                                           const v1::GetCourtBundleRequest* req,
                                           v1::CourtBundle* resp) override;
  grpc::ServerUnaryReactor* AcceptConfirmation(grpc::CallbackServerContext* ctx,
                                               const v1::AcceptConfirmationRequest* req,
                                               v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* RefuseConfirmation(grpc::CallbackServerContext* ctx,
                                               const v1::RefuseConfirmationRequest* req,
                                               v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* RequestMaterials(grpc::CallbackServerContext* ctx,
                                             const v1::RequestMaterialsRequest* req,
                                             v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* RuleConfirmation(grpc::CallbackServerContext* ctx,
                                             const v1::RuleConfirmationRequest* req,
                                             v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* CallParties(grpc::CallbackServerContext* ctx,
                                        const v1::CallPartiesRequest* req,
                                        v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* ExtendRulingPeriod(grpc::CallbackServerContext* ctx,
                                               const v1::ExtendRulingPeriodRequest* req,
                                               v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* RuleWithdrawal(grpc::CallbackServerContext* ctx,
                                           const v1::RuleWithdrawalRequest* req,
                                           v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* ExtendPartyTime(grpc::CallbackServerContext* ctx,
                                            const v1::ExtendPartyTimeRequest* req,
                                            v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* RecordRulingService(grpc::CallbackServerContext* ctx,
                                                const v1::RecordRulingServiceRequest* req,
                                                v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* FileObjection(grpc::CallbackServerContext* ctx,
                                          const v1::FileObjectionRequest* req,
                                          v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* DecideObjection(grpc::CallbackServerContext* ctx,
                                            const v1::DecideObjectionRequest* req,
                                            v1::Confirmation* resp) override;
  grpc::ServerUnaryReactor* ConsentToMediateAgain(grpc::CallbackServerContext* ctx,
                                                  const v1::ConsentToMediateAgainRequest* req,
                                                  v1::Confirmation* resp) override;

  // The API form of an application (case number from `c`).
  static void ToProto(const domain::Confirmation& f, const domain::Case& c, v1::Confirmation* out);
  static void CompetentCourtToProto(const domain::CompetentCourt& cc, v1::CompetentCourt* out);

 private:
  // The application, if the caller may read it (NOT_FOUND otherwise, the same as a missing one),
  // with the read of its case recorded.
  absl::StatusOr<std::pair<domain::Confirmation, domain::Case>> Read(const CallContext& call,
                                                                     absl::string_view name);

  RpcRunner* runner_;
  storage::SqliteCaseStore* cases_;
  storage::ConfirmationStore* confirmations_;
  storage::AgreementStore* agreements_;
  storage::EvidenceStore* evidence_;
  storage::RecordStore* records_;
  storage::AccessLog* access_;
  const domain::StatementSigner* signer_;
  Clock* clock_;
};

}  // namespace odr::server

#endif  // ODR_SERVER_CONFIRMATION_SERVICE_H_
