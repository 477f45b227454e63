// EvidenceService on the gRPC callback API. Unary methods go through RpcRunner::Run; the upload
// and download streams drive their own reactors, doing every disk and SQLite step on the worker
// pool (a reaction only posts work). Who may see what is decided in domain/authorization.h.
#ifndef ODR_SERVER_EVIDENCE_SERVICE_H_
#define ODR_SERVER_EVIDENCE_SERVICE_H_

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/time/time.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "server/domain/clock.h"
#include "server/domain/evidence.h"
#include "server/rpc_runner.h"
#include "server/transparency/checkpoint.h"
#include "storage/access_log.h"
#include "storage/blob_store.h"
#include "storage/case_store.h"
#include "storage/evidence_store.h"

namespace odr::server {

struct EvidenceOptions {
  domain::EvidenceLimits limits;
  // Unfinished uploads older than this are forgotten (staging file and quota) at start.
  absl::Duration upload_expiry = absl::Hours(24 * 7);
};

class EvidenceServiceImpl final : public v1::EvidenceService::CallbackService {
 public:
  // All pointers must outlive the service and any call in flight.
  EvidenceServiceImpl(RpcRunner* runner, storage::CaseStore* cases,
                      storage::EvidenceStore* evidence, storage::BlobStore* blobs,
                      storage::AccessLog* access, const transparency::NoteSigner* log_signer,
                      Clock* clock, IdGenerator* ids, EvidenceOptions options)
      : runner_(runner),
        cases_(cases),
        evidence_(evidence),
        blobs_(blobs),
        access_(access),
        log_signer_(log_signer),
        clock_(clock),
        ids_(ids),
        options_(options) {}

  // At start, before serving: forgets expired uploads and removes orphaned files (blobs that no
  // evidence references, staging files of uploads that no longer exist). Blocks on disk.
  absl::Status Recover();

  grpc::ServerReadReactor<v1::UploadEvidenceRequest>* UploadEvidence(
      grpc::CallbackServerContext* ctx, v1::UploadEvidenceResponse* resp) override;
  grpc::ServerUnaryReactor* QueryUploadStatus(grpc::CallbackServerContext* ctx,
                                              const v1::QueryUploadStatusRequest* req,
                                              v1::QueryUploadStatusResponse* resp) override;
  grpc::ServerUnaryReactor* GetEvidence(grpc::CallbackServerContext* ctx,
                                        const v1::GetEvidenceRequest* req,
                                        v1::Evidence* resp) override;
  grpc::ServerUnaryReactor* ListEvidence(grpc::CallbackServerContext* ctx,
                                         const v1::ListEvidenceRequest* req,
                                         v1::ListEvidenceResponse* resp) override;
  grpc::ServerWriteReactor<v1::DownloadEvidenceResponse>* DownloadEvidence(
      grpc::CallbackServerContext* ctx, const v1::DownloadEvidenceRequest* req) override;
  grpc::ServerUnaryReactor* WithdrawEvidence(grpc::CallbackServerContext* ctx,
                                             const v1::WithdrawEvidenceRequest* req,
                                             v1::Evidence* resp) override;
  grpc::ServerUnaryReactor* GetEvidenceProof(grpc::CallbackServerContext* ctx,
                                             const v1::GetEvidenceProofRequest* req,
                                             v1::EvidenceProof* resp) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext* ctx,
                                                const v1::GetConsistencyProofRequest* req,
                                                v1::ConsistencyProof* resp) override;
  grpc::ServerUnaryReactor* GetLogCheckpoint(grpc::CallbackServerContext* ctx,
                                             const v1::GetLogCheckpointRequest* req,
                                             v1::LogCheckpoint* resp) override;

 private:
  class UploadReactor;
  class DownloadReactor;

  // The case `case_id` if the caller may read it (NOT_FOUND otherwise).
  absl::StatusOr<domain::Case> ReadableCase(const CallContext& call, absl::string_view case_id);
  // The evidence named `name` (field `field`) and its case, if the caller may see it.
  absl::StatusOr<std::pair<domain::Case, domain::EvidenceRecord>> VisibleEvidence(
      const CallContext& call, absl::string_view name, absl::string_view field);
  storage::AccessRecord Access(const CallContext& call, std::string resource, bool change);

  // Uploads being written, by "principal.upload": one stream per upload at a time. The value is
  // the bytes in whole records written so far (what QueryUploadStatus reports meanwhile).
  bool Register(const std::string& key, std::shared_ptr<std::atomic<int64_t>> written);
  void Unregister(const std::string& key);
  std::shared_ptr<std::atomic<int64_t>> Active(const std::string& key);

  RpcRunner* runner_;
  storage::CaseStore* cases_;
  storage::EvidenceStore* evidence_;
  storage::BlobStore* blobs_;
  storage::AccessLog* access_;
  const transparency::NoteSigner* log_signer_;
  Clock* clock_;
  IdGenerator* ids_;
  const EvidenceOptions options_;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::atomic<int64_t>>> active_;
  // Hashes upload chunks while the worker pool seals and writes them.
  boost::asio::thread_pool hash_pool_{2};
};

// The API form of an evidence record.
void EvidenceToProto(const domain::EvidenceRecord& in, v1::Evidence* out);

}  // namespace odr::server

#endif  // ODR_SERVER_EVIDENCE_SERVICE_H_
