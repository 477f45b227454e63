#include "server/evidence_service.h"

#include <google/protobuf/util/time_util.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/auth_service.h"
#include "server/case_mapper.h"
#include "server/domain/authorization.h"
#include "server/domain/case_query.h"
#include "server/domain/state_machine.h"
#include "server/domain/status_macros.h"
#include "server/domain/validation.h"
#include "server/log.h"

namespace odr::server {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kUploadMethod[] = "/odr.v1.EvidenceService/UploadEvidence";
constexpr char kDownloadMethod[] = "/odr.v1.EvidenceService/DownloadEvidence";
constexpr size_t kDownloadChunkBytes = 64 * 1024;

std::string EvidenceName(absl::string_view case_id, absl::string_view id) {
  return absl::StrCat("cases/", case_id, "/evidence/", id);
}

std::string UploadKey(absl::string_view principal_id, absl::string_view upload_id) {
  return absl::StrCat(principal_id, ".", upload_id);
}

int64_t WholeRecords(uint64_t bytes) {
  return static_cast<int64_t>(bytes - bytes % storage::kRecordPlaintextSize);
}

// Streaming SHA-256.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { Reset(); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Reset() { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  void Update(absl::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }
  std::string HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, digest, &len);
    return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
  }

 private:
  EVP_MD_CTX* ctx_;
};

absl::StatusOr<domain::EvidenceVisibility> VisibilityFromApi(int v) {
  switch (v) {
    case v1::Evidence::VISIBILITY_UNSPECIFIED:
    case v1::Evidence::VISIBILITY_ALL_PARTIES:
      return domain::EvidenceVisibility::kAllParties;
    case v1::Evidence::VISIBILITY_MEDIATOR_ONLY:
      return domain::EvidenceVisibility::kMediatorOnly;
  }
  return InvalidFieldError("start.evidence.visibility", "is not a known visibility");
}

}  // namespace

void EvidenceToProto(const domain::EvidenceRecord& in, v1::Evidence* out) {
  out->set_name(EvidenceName(in.case_id, in.id));
  out->set_file_name(in.file_name);
  out->set_media_type(in.media_type);
  out->set_description(in.description);
  out->set_size_bytes(in.size_bytes);
  out->set_sha256(in.sha256);
  out->set_visibility(in.visibility == domain::EvidenceVisibility::kMediatorOnly
                          ? v1::Evidence::VISIBILITY_MEDIATOR_ONLY
                          : v1::Evidence::VISIBILITY_ALL_PARTIES);
  out->set_state(in.state == domain::EvidenceState::kWithdrawn ? v1::Evidence::STATE_WITHDRAWN
                                                               : v1::Evidence::STATE_ACTIVE);
  out->set_uploader(absl::StrCat("principals/", in.uploader_id));
  out->set_uploader_role(RoleToApi(in.uploader_role));
  *out->mutable_create_time() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.create_time));
  if (in.state == domain::EvidenceState::kWithdrawn) {
    *out->mutable_withdraw_time() =
        TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(in.withdraw_time));
    out->set_withdraw_reason(in.withdraw_reason);
  }
  out->set_log_index(in.log_index);
}

// ---------------------------------------------------------------------------------------------
// Upload: one stream writes one upload. Received messages wait in up to kSlots slots; the seal
// stage (worker pool) and the hash stage (hash pool) each take them in order (see Pump), so memory
// stays at kSlots messages plus the writer's few sealed records, whatever the file's size.

class EvidenceServiceImpl::UploadReactor final
    : public grpc::ServerReadReactor<v1::UploadEvidenceRequest> {
 public:
  UploadReactor(EvidenceServiceImpl* svc, grpc::CallbackServerContext* ctx,
                v1::UploadEvidenceResponse* resp)
      : svc_(svc), ctx_(ctx), resp_(resp), start_(std::chrono::steady_clock::now()) {
    call_.method = kUploadMethod;
    std::lock_guard<std::mutex> lock(mu_);
    reading_ = 0;
    StartRead(&slots_[0].req);
  }

  void OnReadDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    if (ok) {
      ++received_;
      Slot& slot = slots_[reading_];
      slot.pending = 2;  // sealed (and checked) by the seal stage, hashed by the hash stage
      seal_q_.push_back(reading_);
      hash_q_.push_back(reading_);
      // Nothing after the last message is read (or hashed).
      if (slot.req.finish_write()) eof_ = true;
    } else {
      eof_ = true;
    }
    reading_ = -1;
    Pump();
  }

  void OnDone() override { delete this; }

 private:
  // A received message and how many stages have yet to handle it (0: free for the next read).
  struct Slot {
    v1::UploadEvidenceRequest req;
    int pending = 0;
  };

  // With mu_ held. Messages go through two stages, each in order: the seal stage (on the worker
  // pool: checks, sealing, writing, finishing) and the hash stage (on the hash pool, once the
  // first message has set the upload up). A slot is free again when both are done with it, and
  // the transport reads into free slots meanwhile, so receiving, hashing and sealing overlap.
  // Each stage drains its queue in one task, so a busy upload costs few thread hand-offs.
  void Pump() {
    if (finished_) return;
    if (!sealing_ && !seal_q_.empty()) {
      sealing_ = true;
      boost::asio::post(*svc_->runner_->pool(), [this] { SealStage(); });
    } else if (!sealing_ && seal_q_.empty() && eof_) {
      finished_ = true;
      boost::asio::post(*svc_->runner_->pool(), [this] {
        End(first_ ? InvalidFieldError("start", "the stream ended before its first message")
                   : absl::OkStatus());
      });
      return;
    }
    if (begun_ && !hashing_ && !hash_q_.empty()) {
      hashing_ = true;
      boost::asio::post(svc_->hash_pool_, [this] { HashStage(); });
    }
    // Nothing is read beyond the first message until it has been authenticated and the upload
    // set up (begun_): an unauthenticated stream holds one message, not kSlots.
    if (reading_ < 0 && !eof_ && (begun_ || received_ == 0)) {
      for (int i = 0; i < kSlots; ++i) {
        if (slots_[i].pending == 0) {
          reading_ = i;
          StartRead(&slots_[i].req);
          break;
        }
      }
    }
  }

  void SealStage() {
    while (true) {
      int idx;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (seal_q_.empty()) {
          sealing_ = false;
          Pump();
          return;
        }
        idx = seal_q_.front();
        seal_q_.pop_front();
      }
      cur_ = &slots_[idx].req;
      absl::Status s = first_ ? Begin() : absl::OkStatus();
      if (s.ok() && !done_) s = Chunk();
      {
        std::lock_guard<std::mutex> lock(mu_);
        --slots_[idx].pending;
        if (s.ok() && !done_) {
          Pump();
          continue;
        }
        finished_ = true;
        sealing_ = false;
      }
      End(s);
      return;
    }
  }

  // Never waits on anything, so waiting for it (AwaitHashes, End) always ends.
  void HashStage() {
    while (true) {
      int idx;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (hash_q_.empty() || finished_) {
          hashing_ = false;
          hashed_cv_.notify_all();
          return;
        }
        idx = hash_q_.front();
        hash_q_.pop_front();
      }
      sha_.Update(slots_[idx].req.data());
      std::lock_guard<std::mutex> lock(mu_);
      --slots_[idx].pending;
      ++hashed_;
      hashed_cv_.notify_all();
      Pump();
    }
  }

  // Waits until the hash stage has hashed `messages` messages of this stream.
  void AwaitHashes(int64_t messages) {
    std::unique_lock<std::mutex> lock(mu_);
    Pump();  // starts the hash stage if it is idle with messages queued
    hashed_cv_.wait(lock, [&] { return hashed_ >= messages; });
  }

  absl::Status Begin() {
    first_ = false;
    ODR_RETURN_IF_ERROR(svc_->runner_->Prepare(ctx_, *cur_, &call_));
    if (!cur_->has_start()) {
      return InvalidFieldError("start", "is required in the first message of an upload");
    }
    const v1::UploadEvidenceStart& start = cur_->start();
    ODR_ASSIGN_OR_RETURN(decl_.case_id, ParseCaseName(start.parent(), "start.parent"));
    decl_.upload_id = start.upload_id();
    decl_.file_name = start.evidence().file_name();
    decl_.media_type = start.evidence().media_type();
    decl_.description = start.evidence().description();
    decl_.size_bytes = start.size_bytes();
    decl_.sha256 = start.sha256();
    ODR_ASSIGN_OR_RETURN(decl_.visibility, VisibilityFromApi(start.evidence().visibility()));
    ODR_RETURN_IF_ERROR(domain::ValidateUploadDeclaration(&decl_, svc_->options_.limits));
    ODR_RETURN_IF_ERROR(CheckCase());

    const domain::Principal& me = call_.caller.principal;
    storage::UploadSession session;
    session.principal_id = me.id;
    session.uploader_role = me.role;
    session.declaration = decl_;
    session.create_time = svc_->clock_->Now();
    storage::EvidenceQuota quota{svc_->options_.limits.case_quota_bytes,
                                 svc_->options_.limits.principal_quota_bytes};
    ODR_ASSIGN_OR_RETURN(storage::UploadSession existing,
                         svc_->evidence_->BeginUpload(session, quota));
    if (!(existing.declaration == decl_)) {
      return InvalidFieldError("start.upload_id",
                               "was used for a different file or case; use a new upload_id");
    }
    if (existing.evidence_id) {
      // Finished before: the same upload again returns its evidence, authorized again above
      // (CheckCase, on the case as it is now) and recorded like a read.
      ODR_ASSIGN_OR_RETURN(domain::EvidenceRecord rec,
                           svc_->evidence_->GetEvidence(decl_.case_id, *existing.evidence_id));
      ODR_RETURN_IF_ERROR(svc_->access_->Append(
          {svc_->Access(call_, EvidenceName(rec.case_id, rec.id), /*change=*/false)}));
      EvidenceToProto(rec, resp_->mutable_evidence());
      resp_->set_committed_size(rec.size_bytes);
      done_ = true;
      return absl::OkStatus();
    }
    written_ = std::make_shared<std::atomic<int64_t>>(0);
    if (!svc_->Register(UploadKey(me.id, decl_.upload_id), written_)) {
      written_.reset();
      return MakeError(absl::StatusCode::kAborted, "UPLOAD_IN_PROGRESS",
                       "another stream is writing this upload; let it end, then resume");
    }
    sha_.Reset();
    ODR_ASSIGN_OR_RETURN(
        writer_, svc_->blobs_->OpenStaging(me.id, decl_.upload_id, decl_.sha256,
                                           [this](absl::string_view p) { sha_.Update(p); }));
    if (writer_->size() == 0) sha_.Reset();  // a staging file that could not be resumed
    written_->store(WholeRecords(writer_->size()));
    std::lock_guard<std::mutex> lock(mu_);
    begun_ = true;  // the replayed bytes are hashed: the hash stage may start
    return absl::OkStatus();
  }

  // The case exists, the caller may add evidence to it, and it has not ended.
  absl::Status CheckCase() {
    ODR_ASSIGN_OR_RETURN(domain::Case c, svc_->cases_->GetCase(decl_.case_id));
    ODR_RETURN_IF_ERROR(
        domain::AuthorizeCase(call_.caller.principal, c, domain::CaseOperation::kAddEvidence));
    return domain::CheckCanAddEvidence(c.state);
  }

  absl::Status Chunk() {
    const v1::UploadEvidenceRequest& req = *cur_;
    // Every message, not only the first (which RpcRunner::Prepare checked), must have parsed.
    if (messages_ > 0) ODR_RETURN_IF_ERROR(CheckParsed(req));
    if (req.has_start() && messages_ > 0) {
      return InvalidFieldError("start", "may appear only in the first message of a stream");
    }
    ++messages_;
    const std::string& data = req.data();
    const int64_t at = static_cast<int64_t>(writer_->size());
    if (req.write_offset() != at) {
      return InvalidFieldError("write_offset",
                               absl::StrCat("must be ", at, ", the bytes committed so far (got ",
                                            req.write_offset(), ")"));
    }
    if (std::string e = domain::CheckChunk(at, data.size(), decl_.size_bytes); !e.empty()) {
      return InvalidFieldError("data", e);
    }
    if (!data.empty()) {
      ODR_RETURN_IF_ERROR(writer_->Append(data));
      written_->store(WholeRecords(writer_->size()));
    }
    if (req.finish_write()) {
      AwaitHashes(messages_);  // every message of this stream so far, this one included
      return FinishUpload();
    }
    return absl::OkStatus();
  }

  absl::Status FinishUpload() {
    const domain::Principal& me = call_.caller.principal;
    const int64_t got = static_cast<int64_t>(writer_->size());
    if (got != decl_.size_bytes) {
      Discard();
      return InvalidFieldError("start.size_bytes",
                               absl::StrCat("declared ", decl_.size_bytes, " bytes but the upload",
                                            " finished after ", got, "; the upload is discarded"));
    }
    const std::string sha = sha_.HexDigest();
    if (sha != decl_.sha256) {
      Discard();
      return InvalidFieldError(
          "start.sha256", absl::StrCat("does not match the bytes received (their SHA-256 is ", sha,
                                       "); the upload is discarded"));
    }
    ODR_RETURN_IF_ERROR(writer_->Finish());
    writer_.reset();
    // The case may have ended while the bytes came in.
    if (absl::Status s = CheckCase(); !s.ok()) {
      Discard();
      return s;
    }
    ODR_RETURN_IF_ERROR(svc_->blobs_->Publish(me.id, decl_.upload_id, sha));
    domain::EvidenceRecord rec;
    rec.case_id = decl_.case_id;
    rec.id = svc_->ids_->NewId();
    rec.upload_id = decl_.upload_id;
    rec.uploader_id = me.id;
    rec.uploader_role = me.role;
    rec.file_name = decl_.file_name;
    rec.media_type = decl_.media_type;
    rec.description = decl_.description;
    rec.size_bytes = decl_.size_bytes;
    rec.sha256 = sha;
    rec.visibility = decl_.visibility;
    rec.create_time = svc_->clock_->Now();
    ODR_ASSIGN_OR_RETURN(
        rec, svc_->evidence_->RecordEvidence(
                 rec, svc_->Access(call_, EvidenceName(rec.case_id, rec.id), /*change=*/true)));
    EvidenceToProto(rec, resp_->mutable_evidence());
    resp_->set_committed_size(rec.size_bytes);
    done_ = true;
    return absl::OkStatus();
  }

  // The declaration proved false (or the case ended): nothing of the upload is kept.
  void Discard() {
    writer_.reset();
    const std::string& me = call_.caller.principal.id;
    absl::Status s = svc_->blobs_->DiscardStaging(me, decl_.upload_id);
    if (s.ok()) s = svc_->evidence_->DeleteUpload(me, decl_.upload_id);
    if (!s.ok())
      log::Error("evidence", {{"event", "discard_failed"}, {"error", std::string(s.message())}});
  }

  void End(absl::Status s) {
    if (writer_) {
      // The stream ended early (or failed): make what arrived durable, to resume from.
      absl::Status synced = writer_->Sync();
      if (!synced.ok() && s.ok()) s = synced;
      resp_->set_committed_size(static_cast<int64_t>(writer_->durable_size()));
      writer_.reset();
    }
    if (written_) svc_->Unregister(UploadKey(call_.caller.principal.id, decl_.upload_id));
    {
      // The hash stage must be done with this reactor before Finish lets it be deleted.
      std::unique_lock<std::mutex> lock(mu_);
      hashed_cv_.wait(lock, [&] { return !hashing_; });
    }
    Finish(svc_->runner_->Complete(call_, s, start_));
  }

  EvidenceServiceImpl* svc_;
  grpc::CallbackServerContext* ctx_;
  v1::UploadEvidenceResponse* resp_;
  std::chrono::steady_clock::time_point start_;
  CallContext call_;
  static constexpr int kSlots = 16;  // 16 x 64 KiB in memory at most
  Slot slots_[kSlots];
  const v1::UploadEvidenceRequest* cur_ = nullptr;  // the seal stage's message
  std::mutex mu_;  // guards the fields up to hashed_cv_ and the slots' `pending`
  int reading_ = -1;
  int64_t received_ = 0;  // messages read so far (guarded by mu_)
  std::deque<int> seal_q_;
  std::deque<int> hash_q_;
  bool sealing_ = false;
  bool hashing_ = false;
  bool begun_ = false;
  bool eof_ = false;
  bool finished_ = false;
  int64_t hashed_ = 0;
  std::condition_variable hashed_cv_;
  // The seal stage's (one task at a time).
  bool first_ = true;
  bool done_ = false;
  int64_t messages_ = 0;
  domain::UploadDeclaration decl_;
  std::shared_ptr<std::atomic<int64_t>> written_;
  std::unique_ptr<storage::SealedBlobWriter> writer_;
  Sha256 sha_;
};

grpc::ServerReadReactor<v1::UploadEvidenceRequest>* EvidenceServiceImpl::UploadEvidence(
    grpc::CallbackServerContext* ctx, v1::UploadEvidenceResponse* resp) {
  return new UploadReactor(this, ctx, resp);
}

bool EvidenceServiceImpl::Register(const std::string& key,
                                   std::shared_ptr<std::atomic<int64_t>> written) {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.emplace(key, std::move(written)).second;
}

void EvidenceServiceImpl::Unregister(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  active_.erase(key);
}

std::shared_ptr<std::atomic<int64_t>> EvidenceServiceImpl::Active(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(key);
  return it == active_.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------------
// Download: each chunk is read, decrypted and authenticated on the pool, then written.

class EvidenceServiceImpl::DownloadReactor final
    : public grpc::ServerWriteReactor<v1::DownloadEvidenceResponse> {
 public:
  DownloadReactor(EvidenceServiceImpl* svc, grpc::CallbackServerContext* ctx,
                  const v1::DownloadEvidenceRequest* req)
      : svc_(svc), ctx_(ctx), req_(req), start_(std::chrono::steady_clock::now()) {
    call_.method = kDownloadMethod;
    boost::asio::post(*svc_->runner_->pool(), [this] {
      absl::Status s = Open();
      if (!s.ok()) {
        End(s);
        return;
      }
      Next();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      boost::asio::post(*svc_->runner_->pool(),
                        [this] { End(absl::CancelledError("the client stopped reading")); });
      return;
    }
    boost::asio::post(*svc_->runner_->pool(), [this] { Next(); });
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Open() {
    ODR_RETURN_IF_ERROR(svc_->runner_->Prepare(ctx_, *req_, &call_));
    ODR_ASSIGN_OR_RETURN(auto found, svc_->VisibleEvidence(call_, req_->name(), "name"));
    const domain::EvidenceRecord& rec = found.second;
    if (rec.state == domain::EvidenceState::kWithdrawn) {
      return MakeError(absl::StatusCode::kFailedPrecondition, "EVIDENCE_WITHDRAWN",
                       "the evidence was withdrawn; its bytes are no longer served");
    }
    if (req_->read_offset() < 0) return InvalidFieldError("read_offset", "must not be negative");
    if (req_->read_limit() < 0) return InvalidFieldError("read_limit", "must not be negative");
    if (req_->read_offset() > rec.size_bytes) {
      return MakeError(
          absl::StatusCode::kOutOfRange, "OUT_OF_RANGE",
          absl::StrCat("read_offset is past the end of the file (", rec.size_bytes, " bytes)"));
    }
    ODR_ASSIGN_OR_RETURN(reader_, svc_->blobs_->OpenBlob(rec.sha256));
    if (static_cast<int64_t>(reader_->size()) != rec.size_bytes) {
      return absl::DataLossError("the stored evidence does not have its recorded size");
    }
    pos_ = static_cast<uint64_t>(req_->read_offset());
    const uint64_t remaining = reader_->size() - pos_;
    end_ = pos_ + (req_->read_limit() == 0 ? remaining
                                           : std::min<uint64_t>(remaining, req_->read_limit()));
    return svc_->access_->Append(
        {svc_->Access(call_, EvidenceName(rec.case_id, rec.id), /*change=*/false)});
  }

  void Next() {
    if (pos_ >= end_) {
      End(absl::OkStatus());
      return;
    }
    std::string* buf = resp_.mutable_data();
    buf->clear();
    absl::Status s = reader_->Read(pos_, std::min<uint64_t>(kDownloadChunkBytes, end_ - pos_), buf);
    if (s.ok() && buf->empty()) s = absl::DataLossError("the stored evidence ended early");
    if (!s.ok()) {
      End(s);
      return;
    }
    pos_ += buf->size();
    StartWrite(&resp_);
  }

  void End(const absl::Status& s) {
    reader_.reset();
    Finish(svc_->runner_->Complete(call_, s, start_));
  }

  EvidenceServiceImpl* svc_;
  grpc::CallbackServerContext* ctx_;
  const v1::DownloadEvidenceRequest* req_;
  std::chrono::steady_clock::time_point start_;
  CallContext call_;
  std::unique_ptr<storage::SealedBlobReader> reader_;
  v1::DownloadEvidenceResponse resp_;
  uint64_t pos_ = 0;
  uint64_t end_ = 0;
};

grpc::ServerWriteReactor<v1::DownloadEvidenceResponse>* EvidenceServiceImpl::DownloadEvidence(
    grpc::CallbackServerContext* ctx, const v1::DownloadEvidenceRequest* req) {
  return new DownloadReactor(this, ctx, req);
}

// ---------------------------------------------------------------------------------------------
// Unary methods.

storage::AccessRecord EvidenceServiceImpl::Access(const CallContext& call, std::string resource,
                                                  bool change) {
  return AccessRecordFor(call, std::move(resource), change, clock_->Now());
}

absl::StatusOr<domain::Case> EvidenceServiceImpl::ReadableCase(const CallContext& call,
                                                               absl::string_view case_id) {
  auto c = cases_->GetCase(case_id);
  if (!c.ok()) return c.status();
  ODR_RETURN_IF_ERROR(
      domain::AuthorizeCase(call.caller.principal, *c, domain::CaseOperation::kRead));
  return c;
}

absl::StatusOr<std::pair<domain::Case, domain::EvidenceRecord>>
EvidenceServiceImpl::VisibleEvidence(const CallContext& call, absl::string_view name,
                                     absl::string_view field) {
  ODR_ASSIGN_OR_RETURN(auto ids, ParseChildName(name, "cases", "evidence", field));
  ODR_ASSIGN_OR_RETURN(domain::Case c, ReadableCase(call, ids.first));
  auto rec = evidence_->GetEvidence(ids.first, ids.second);
  if (absl::IsNotFound(rec.status()) ||
      (rec.ok() && !domain::MaySeeEvidence(call.caller.principal, c, *rec))) {
    return domain::EvidenceNotFoundError(ids.first, ids.second);
  }
  if (!rec.ok()) return rec.status();
  return std::make_pair(std::move(c), std::move(*rec));
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::QueryUploadStatus(
    grpc::CallbackServerContext* ctx, const v1::QueryUploadStatusRequest* req,
    v1::QueryUploadStatusResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.EvidenceService/QueryUploadStatus", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (req->upload_id().empty()) return InvalidFieldError("upload_id", "is required");
        if (auto e = domain::CheckRequestId(req->upload_id()); !e.empty()) {
          return InvalidFieldError("upload_id", e);
        }
        const std::string& me = call.caller.principal.id;
        ODR_ASSIGN_OR_RETURN(storage::UploadSession s, evidence_->GetUpload(me, req->upload_id()));
        resp->set_size_bytes(s.declaration.size_bytes);
        if (s.evidence_id) {
          ODR_ASSIGN_OR_RETURN(domain::EvidenceRecord rec,
                               evidence_->GetEvidence(s.declaration.case_id, *s.evidence_id));
          resp->set_complete(true);
          resp->set_committed_size(rec.size_bytes);
          EvidenceToProto(rec, resp->mutable_evidence());
          return absl::OkStatus();
        }
        if (auto written = Active(UploadKey(me, req->upload_id()))) {
          resp->set_committed_size(written->load());
          return absl::OkStatus();
        }
        ODR_ASSIGN_OR_RETURN(int64_t staged, blobs_->StagedSize(me, req->upload_id()));
        resp->set_committed_size(std::min(staged, s.declaration.size_bytes));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetEvidence(grpc::CallbackServerContext* ctx,
                                                           const v1::GetEvidenceRequest* req,
                                                           v1::Evidence* resp) {
  return runner_->Run(ctx, "/odr.v1.EvidenceService/GetEvidence", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(auto found,
                                             VisibleEvidence(call, req->name(), "name"));
                        // File names and descriptions may be personal data: an access record.
                        ODR_RETURN_IF_ERROR(access_->Append({Access(call, req->name(), false)}));
                        EvidenceToProto(found.second, resp);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::ListEvidence(grpc::CallbackServerContext* ctx,
                                                            const v1::ListEvidenceRequest* req,
                                                            v1::ListEvidenceResponse* resp) {
  return runner_->Run(
      ctx, "/odr.v1.EvidenceService/ListEvidence", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        ODR_ASSIGN_OR_RETURN(std::string case_id, ParseCaseName(req->parent(), "parent"));
        ODR_ASSIGN_OR_RETURN(int limit, domain::EffectivePageSize(req->page_size(), 50, 500));
        const std::string query_key =
            absl::StrCat(req->parent(), "\n", req->show_withdrawn() ? "all" : "active");
        int64_t after = -1;
        if (!req->page_token().empty()) {
          ODR_ASSIGN_OR_RETURN(domain::CaseCursor cur,
                               domain::DecodePageToken(req->page_token(), query_key));
          if (!absl::SimpleAtoi(cur.key, &after) || after < 0) {
            return InvalidFieldError("page_token", "is not a token returned by this list call");
          }
        }
        ODR_ASSIGN_OR_RETURN(domain::Case c, ReadableCase(call, case_id));
        ODR_ASSIGN_OR_RETURN(
            std::vector<domain::EvidenceRecord> rows,
            evidence_->ListEvidence(case_id, after, limit + 1, req->show_withdrawn()));
        const bool more = static_cast<int>(rows.size()) > limit;
        if (more) rows.resize(limit);
        // Hidden rows are skipped, so a page may hold fewer than page_size records.
        for (const domain::EvidenceRecord& r : rows) {
          if (domain::MaySeeEvidence(call.caller.principal, c, r)) {
            EvidenceToProto(r, resp->add_evidence());
          }
        }
        if (more) {
          resp->set_next_page_token(domain::EncodePageToken(
              query_key, domain::CaseCursor{absl::StrCat(rows.back().log_index), "evidence"}));
        }
        return access_->Append({Access(call, absl::StrCat("cases/", case_id), false)});
      });
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::WithdrawEvidence(
    grpc::CallbackServerContext* ctx, const v1::WithdrawEvidenceRequest* req, v1::Evidence* resp) {
  return runner_->Run(
      ctx, "/odr.v1.EvidenceService/WithdrawEvidence", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (auto e =
                domain::CheckText(req->reason(), 1, domain::EvidenceLimits::kReasonChars, true);
            !e.empty()) {
          return InvalidFieldError("reason", e);
        }
        ODR_ASSIGN_OR_RETURN(auto found, VisibleEvidence(call, req->name(), "name"));
        ODR_RETURN_IF_ERROR(
            domain::AuthorizeWithdrawEvidence(call.caller.principal, found.first, found.second));
        ODR_ASSIGN_OR_RETURN(
            domain::EvidenceRecord rec,
            evidence_->WithdrawEvidence(found.second.case_id, found.second.id, req->reason(),
                                        clock_->Now(), Access(call, req->name(), true)));
        EvidenceToProto(rec, resp);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetEvidenceProof(
    grpc::CallbackServerContext* ctx, const v1::GetEvidenceProofRequest* req,
    v1::EvidenceProof* resp) {
  return runner_->Run(
      ctx, "/odr.v1.EvidenceService/GetEvidenceProof", req,
      [this, req, resp](const CallContext& call) -> absl::Status {
        if (req->tree_size() < 0) return InvalidFieldError("tree_size", "must not be negative");
        ODR_ASSIGN_OR_RETURN(auto found, VisibleEvidence(call, req->name(), "name"));
        ODR_ASSIGN_OR_RETURN(storage::InclusionBundle b,
                             evidence_->ProveInclusion(found.second.log_index, req->tree_size()));
        resp->set_evidence(req->name());
        resp->set_leaf_data(b.leaf_data);
        resp->set_leaf_index(b.leaf_index);
        resp->set_tree_size(b.tree_size);
        for (const transparency::Hash& h : b.path) {
          resp->add_inclusion_path(std::string(h.begin(), h.end()));
        }
        resp->set_checkpoint(b.checkpoint);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetConsistencyProof(
    grpc::CallbackServerContext* ctx, const v1::GetConsistencyProofRequest* req,
    v1::ConsistencyProof* resp) {
  return runner_->Run(ctx, "/odr.v1.EvidenceService/GetConsistencyProof", req,
                      [this, req, resp](const CallContext& call) -> absl::Status {
                        if (req->from_tree_size() < 1) {
                          return InvalidFieldError("from_tree_size", "must be at least 1");
                        }
                        if (req->to_tree_size() < 0) {
                          return InvalidFieldError("to_tree_size", "must not be negative");
                        }
                        ODR_ASSIGN_OR_RETURN(storage::ConsistencyBundle b,
                                             evidence_->ProveConsistency(req->from_tree_size(),
                                                                         req->to_tree_size()));
                        resp->set_from_tree_size(b.from_size);
                        resp->set_to_tree_size(b.to_size);
                        for (const transparency::Hash& h : b.hashes) {
                          resp->add_hashes(std::string(h.begin(), h.end()));
                        }
                        resp->set_from_checkpoint(b.from_checkpoint);
                        resp->set_to_checkpoint(b.to_checkpoint);
                        return absl::OkStatus();
                      });
}

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetLogCheckpoint(
    grpc::CallbackServerContext* ctx, const v1::GetLogCheckpointRequest* req,
    v1::LogCheckpoint* resp) {
  return runner_->Run(ctx, "/odr.v1.EvidenceService/GetLogCheckpoint", req,
                      [this, resp](const CallContext& call) -> absl::Status {
                        ODR_ASSIGN_OR_RETURN(std::string note, evidence_->LatestCheckpoint());
                        resp->set_checkpoint(note);
                        resp->set_verifier_key(log_signer_->VerifierKey());
                        return absl::OkStatus();
                      });
}

absl::Status EvidenceServiceImpl::Recover() {
  ODR_ASSIGN_OR_RETURN(std::vector<storage::UploadSession> expired,
                       evidence_->ListOpenUploads(clock_->Now() - options_.upload_expiry));
  for (const storage::UploadSession& s : expired) {
    ODR_RETURN_IF_ERROR(evidence_->DeleteUpload(s.principal_id, s.declaration.upload_id));
  }
  ODR_ASSIGN_OR_RETURN(
      int removed,
      blobs_->CleanOrphans(
          [this](const std::string& sha) { return evidence_->IsBlobReferenced(sha); },
          [this](const std::string& principal, const std::string& upload) -> absl::StatusOr<bool> {
            auto s = evidence_->GetUpload(principal, upload);
            if (absl::IsNotFound(s.status())) return false;
            if (!s.ok()) return s.status();
            return !s->evidence_id.has_value();
          }));
  log::Info(
      "evidence",
      {{"event", "recovered"}, {"expired_uploads", expired.size()}, {"orphans_removed", removed}});
  return absl::OkStatus();
}

}  // namespace odr::server
