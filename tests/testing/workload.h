// The reliability suites' workload (crash, soak, backup, faults): one citizen creates cases,
// submits them and uploads evidence through the real odrd, every request with a request_id (or
// upload id), while a ledger records which writes were acknowledged and which were not. After a
// crash, a fault or a restore, the suites ask the ledger to check that every acknowledged write
// is there with the same content and hash, to retry every unacknowledged one (it must complete
// exactly once), and that every evidence-log checkpoint a client was given is still consistent
// with the log. Thread-safe: workers call Step concurrently; Verify*/Retry* run with no Step in
// flight.
#ifndef ODR_TESTS_TESTING_WORKLOAD_H_
#define ODR_TESTS_TESTING_WORKLOAD_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "server/transparency/checkpoint.h"
#include "server/transparency/merkle.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/grpc_auth.h"

namespace odr::testing {

// What a failed call of the workload may end with when odrd dies or a fault is injected: the
// write was not acknowledged. Anything else is a bug.
inline bool IsUnacknowledgedOutcome(grpc::StatusCode c) {
  return c == grpc::StatusCode::UNAVAILABLE || c == grpc::StatusCode::DEADLINE_EXCEEDED ||
         c == grpc::StatusCode::CANCELLED || c == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         c == grpc::StatusCode::UNKNOWN;  // a stream torn down by the peer's death
}

// Creates organizations/`org` (ZhujiOrganization) through odrd at `address` as the platform admin
// `platform_id` with API key `platform_key`; a failed test if it cannot.
inline void CreateWorkloadOrganization(const std::string& address, const std::string& platform_id,
                                       const std::string& platform_key, const std::string& org) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto roster = v1::RosterService::NewStub(channel);
  v1::Organization o;
  auto ctx = AuthedContext(IssueToken(channel, platform_id, platform_key));
  grpc::Status s = roster->CreateOrganization(ctx.get(), ZhujiOrganization(org), &o);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// The figure `odrd check` printed after `label` ("cases:"), or -1 if it printed none.
inline int64_t CheckFigure(const std::string& out, const std::string& label) {
  size_t at = out.rfind(label, 0) == 0 ? 0 : out.find("\n" + label);
  if (at == std::string::npos) return -1;
  at = out.find_first_of("0123456789", at);
  return at == std::string::npos ? -1 : std::atoll(out.c_str() + at);
}

class Workload {
 private:
  struct AckedCase {
    std::string name, summary;
  };
  struct AckedEvidence {
    std::string name, sha256;
  };
  struct Pending {
    std::string upload_id, case_name, bytes;
  };

 public:
  static constexpr int64_t kChunk = 64 * 1024;

  // Cases go to organizations/`org`, created by the caller; the citizen is zhang (kIdZhang).
  explicit Workload(std::string org) : org_(std::move(org)) {}

  // Points the workload at a (re)started odrd.
  void Connect(const std::string& address, const std::string& zhang_token) {
    std::lock_guard<std::mutex> l(mu_);
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);  // a fresh connection, not a cached one
    channel_ = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
    cases_ = v1::CaseService::NewStub(channel_);
    evidence_ = v1::EvidenceService::NewStub(channel_);
    token_ = zhang_token;
  }
  void Disconnect() {
    std::lock_guard<std::mutex> l(mu_);
    cases_.reset();
    evidence_.reset();
    channel_.reset();
  }

  // One random write by worker `w`: create a case (50 %), submit a draft (25 %) or upload a file
  // of 16-160 KiB (25 %). Returns the call's status; a failure leaves the request for
  // RetryUnacknowledged.
  grpc::Status Step(std::mt19937& rng, int w) {
    const int dice = static_cast<int>(rng() % 4);
    if (dice == 2) {
      if (auto name = PickDraft(rng)) return Submit(*name, absl::StrCat("s-", *name_suffix(*name)));
    }
    if (dice == 3) {
      if (auto name = PickCase(rng)) {
        const int n = next_.fetch_add(1);
        const std::string upload_id = absl::StrCat("u", w, "-", n);
        const size_t size = 16 * 1024 + rng() % (144 * 1024);
        return Upload(Pending{upload_id, *name, RandomBytes(size, static_cast<uint32_t>(n))});
      }
    }
    const int n = next_.fetch_add(1);
    return Create(absl::StrCat("c", w, "-", n));
  }

  // One read: a random acknowledged case (or nothing yet to read: OK).
  grpc::Status Read(std::mt19937& rng) {
    auto name = PickCase(rng);
    if (!name) return grpc::Status::OK;
    v1::GetCaseRequest req;
    req.set_name(*name);
    v1::Case got;
    return cases_->GetCase(Ctx().get(), req, &got);
  }

  // Re-sends every unacknowledged request with its request_id / upload id; each must succeed now.
  void RetryUnacknowledged() {
    std::vector<std::string> creates, submits;
    std::vector<Pending> uploads;
    {
      std::lock_guard<std::mutex> l(mu_);
      creates.assign(unacked_creates_.begin(), unacked_creates_.end());
      submits.assign(unacked_submits_.begin(), unacked_submits_.end());
      for (const auto& [id, p] : unacked_uploads_) uploads.push_back(p);
    }
    for (const std::string& rid : creates) {
      grpc::Status s = Create(rid);
      EXPECT_TRUE(s.ok()) << "retry of CreateCase " << rid << ": " << s.error_message();
    }
    for (const std::string& name : submits) {
      grpc::Status s = Submit(name, absl::StrCat("s-", *name_suffix(name)));
      EXPECT_TRUE(s.ok()) << "retry of SubmitCase " << name << ": " << s.error_message();
    }
    for (const Pending& p : uploads) {
      grpc::Status s = Upload(p);
      EXPECT_TRUE(s.ok()) << "retry of upload " << p.upload_id << ": " << s.error_message();
    }
  }

  // Every write acknowledged since the last call, and `sample` older ones at random: each case
  // with its summary (and not a draft once its submission was acknowledged), each evidence file
  // downloaded whole with its SHA-256.
  void VerifyAcknowledged(std::mt19937& rng, size_t sample) {
    std::vector<AckedCase> cases;
    std::vector<AckedEvidence> files;
    {
      std::lock_guard<std::mutex> l(mu_);
      for (size_t i = verified_cases_; i < acked_cases_.size(); ++i)
        cases.push_back(acked_cases_[i]);
      for (size_t i = 0; i < sample && verified_cases_ > 0; ++i) {
        cases.push_back(acked_cases_[rng() % verified_cases_]);
      }
      verified_cases_ = acked_cases_.size();
      for (size_t i = verified_files_; i < acked_files_.size(); ++i)
        files.push_back(acked_files_[i]);
      for (size_t i = 0; i < sample && verified_files_ > 0; ++i) {
        files.push_back(acked_files_[rng() % verified_files_]);
      }
      verified_files_ = acked_files_.size();
    }
    CheckCases(cases);
    CheckFiles(files);
  }

  void CheckCases(const std::vector<AckedCase>& cases, bool check_submissions = true) {
    for (const AckedCase& c : cases) {
      v1::GetCaseRequest req;
      req.set_name(c.name);
      v1::Case got;
      grpc::Status s = cases_->GetCase(Ctx().get(), req, &got);
      ASSERT_TRUE(s.ok()) << "acknowledged case " << c.name << " lost: " << s.error_message();
      EXPECT_EQ(got.summary(), c.summary) << c.name;
      bool submitted;
      {
        std::lock_guard<std::mutex> l(mu_);
        submitted = acked_submits_.count(c.name) > 0;
      }
      if (submitted && check_submissions) EXPECT_NE(got.state(), v1::Case::STATE_DRAFT) << c.name;
    }
  }

  void CheckFiles(const std::vector<AckedEvidence>& files) {
    for (const AckedEvidence& f : files) {
      v1::DownloadEvidenceRequest req;
      req.set_name(f.name);
      auto ctx = Ctx();
      auto reader = evidence_->DownloadEvidence(ctx.get(), req);
      v1::DownloadEvidenceResponse chunk;
      std::string bytes;
      while (reader->Read(&chunk)) bytes += chunk.data();
      grpc::Status s = reader->Finish();
      ASSERT_TRUE(s.ok()) << "acknowledged evidence " << f.name << " lost: " << s.error_message();
      EXPECT_EQ(Sha256Hex(bytes), f.sha256) << f.name;
    }
  }

  // Every checkpoint a client was given: still stored byte for byte, and the log now is an
  // append-only extension of it (a consistency proof to the newest checkpoint verifies). With
  // `up_to_newest` (a restored backup), checkpoints of sizes the log has not reached are skipped.
  void VerifyCheckpoints(bool up_to_newest = false) {
    std::map<int64_t, std::string> seen;
    {
      std::lock_guard<std::mutex> l(mu_);
      seen = checkpoints_;
    }
    v1::LogCheckpoint latest;
    ASSERT_TRUE(evidence_->GetLogCheckpoint(Ctx().get(), {}, &latest).ok());
    auto verifier = transparency::NoteVerifier::FromVerifierKey(latest.verifier_key());
    ASSERT_TRUE(verifier.ok());
    auto newest = transparency::OpenCheckpoint(*verifier, latest.checkpoint());
    ASSERT_TRUE(newest.ok());
    for (const auto& [size, note] : seen) {
      auto old = transparency::OpenCheckpoint(*verifier, note);
      ASSERT_TRUE(old.ok()) << "checkpoint " << size << ": " << old.status();
      if (up_to_newest && old->size > newest->size) continue;
      ASSERT_LE(static_cast<int64_t>(old->size), static_cast<int64_t>(newest->size));
      if (old->size == newest->size) {
        EXPECT_EQ(old->root, newest->root) << "two roots for size " << size;
        continue;
      }
      v1::GetConsistencyProofRequest req;
      req.set_from_tree_size(size);
      req.set_to_tree_size(static_cast<int64_t>(newest->size));
      v1::ConsistencyProof proof;
      grpc::Status s = evidence_->GetConsistencyProof(Ctx().get(), req, &proof);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(proof.from_checkpoint(), note) << "checkpoint " << size << " changed";
      std::vector<transparency::Hash> hashes;
      for (const std::string& h : proof.hashes()) {
        auto hash = transparency::HashFromBytes(h);
        ASSERT_TRUE(hash.ok());
        hashes.push_back(*hash);
      }
      EXPECT_TRUE(
          transparency::VerifyConsistency(old->size, newest->size, hashes, old->root, newest->root)
              .ok())
          << "the log is not an extension of checkpoint " << size;
    }
  }

  // The first `cases` cases and `files` files acknowledged (as counted by acked_cases() and
  // acked_files() at some moment), verified as VerifyAcknowledged does, e.g. in a restored copy
  // (but without the submissions, which may have come later).
  void VerifyPrefix(size_t cases, size_t files) {
    std::vector<AckedCase> c;
    std::vector<AckedEvidence> f;
    {
      std::lock_guard<std::mutex> l(mu_);
      c.assign(acked_cases_.begin(), acked_cases_.begin() + std::min(cases, acked_cases_.size()));
      f.assign(acked_files_.begin(), acked_files_.begin() + std::min(files, acked_files_.size()));
    }
    CheckCases(c, /*check_submissions=*/false);
    CheckFiles(f);
  }

  // Creates one case with request id `rid` (as Step does).
  grpc::Status CreateOne(const std::string& rid) { return Create(rid); }

  size_t acked_cases() const {
    std::lock_guard<std::mutex> l(mu_);
    return acked_cases_.size();
  }
  size_t acked_files() const {
    std::lock_guard<std::mutex> l(mu_);
    return acked_files_.size();
  }
  size_t unacked() const {
    std::lock_guard<std::mutex> l(mu_);
    return unacked_creates_.size() + unacked_submits_.size() + unacked_uploads_.size();
  }

 private:
  std::unique_ptr<grpc::ClientContext> Ctx() { return AuthedContext(token_); }

  static std::optional<std::string> name_suffix(const std::string& name) {
    auto slash = name.rfind('/');
    if (slash == std::string::npos) return std::nullopt;
    return name.substr(slash + 1);
  }

  std::optional<std::string> PickDraft(std::mt19937& rng) {
    std::lock_guard<std::mutex> l(mu_);
    if (drafts_.empty()) return std::nullopt;
    auto it = drafts_.begin();
    std::advance(it, rng() % drafts_.size());
    std::string name = *it;
    drafts_.erase(it);  // one submission per case at a time
    return name;
  }
  std::optional<std::string> PickCase(std::mt19937& rng) {
    std::lock_guard<std::mutex> l(mu_);
    if (acked_cases_.empty()) return std::nullopt;
    return acked_cases_[rng() % acked_cases_.size()].name;
  }

  grpc::Status Create(const std::string& rid) {
    v1::CreateCaseRequest req;
    *req.mutable_case_() = ZhangAgainstLi(org_);
    req.mutable_case_()->set_summary(absl::StrCat("术后感染 ", rid, "。"));
    req.set_request_id(rid);
    v1::Case out;
    grpc::Status s = cases_->CreateCase(Ctx().get(), req, &out);
    std::lock_guard<std::mutex> l(mu_);
    if (s.ok()) {
      unacked_creates_.erase(rid);
      if (acked_rids_.insert(rid).second) {
        acked_cases_.push_back({out.name(), req.case_().summary()});
        drafts_.insert(out.name());
      } else {
        ADD_FAILURE() << "request " << rid << " acknowledged twice";
      }
    } else {
      unacked_creates_.insert(rid);
    }
    return s;
  }

  grpc::Status Submit(const std::string& name, const std::string& rid) {
    v1::SubmitCaseRequest req;
    req.set_name(name);
    req.set_request_id(rid);
    v1::Case out;
    grpc::Status s = cases_->SubmitCase(Ctx().get(), req, &out);
    std::lock_guard<std::mutex> l(mu_);
    if (s.ok()) {
      unacked_submits_.erase(name);
      acked_submits_.insert(name);
    } else {
      unacked_submits_.insert(name);
    }
    return s;
  }

  // Uploads p (resuming where odrd says it stands); on success records the evidence and the
  // checkpoint of the log that includes it.
  grpc::Status Upload(const Pending& p) {
    v1::UploadEvidenceStart start;
    start.set_parent(p.case_name);
    start.set_upload_id(p.upload_id);
    start.mutable_evidence()->set_file_name(p.upload_id + ".pdf");
    start.mutable_evidence()->set_media_type("application/pdf");
    start.set_size_bytes(static_cast<int64_t>(p.bytes.size()));
    start.set_sha256(Sha256Hex(p.bytes));
    int64_t from = 0;
    v1::Evidence done;
    {
      v1::QueryUploadStatusRequest q;
      q.set_upload_id(p.upload_id);
      v1::QueryUploadStatusResponse st;
      grpc::Status s = evidence_->QueryUploadStatus(Ctx().get(), q, &st);
      if (s.ok() && st.complete()) {
        done = st.evidence();
      } else if (s.ok()) {
        from = st.committed_size();
      } else if (s.error_code() != grpc::StatusCode::NOT_FOUND) {
        return Unacked(p, s);
      }
    }
    if (done.name().empty()) {
      auto ctx = Ctx();
      v1::UploadEvidenceResponse resp;
      auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
      v1::UploadEvidenceRequest req;
      *req.mutable_start() = start;
      const int64_t size = static_cast<int64_t>(p.bytes.size());
      int64_t at = from;
      do {
        const int64_t n = std::min(kChunk, size - at);
        req.set_write_offset(at);
        req.set_data(p.bytes.substr(at, n));
        at += n;
        req.set_finish_write(at == size);
        if (!writer->Write(req)) break;
        req.clear_start();
      } while (at < size);
      writer->WritesDone();
      grpc::Status s = writer->Finish();
      if (!s.ok()) return Unacked(p, s);
      done = resp.evidence();
    }
    v1::LogCheckpoint cp;
    grpc::Status s = evidence_->GetLogCheckpoint(Ctx().get(), {}, &cp);
    std::lock_guard<std::mutex> l(mu_);
    unacked_uploads_.erase(p.upload_id);
    if (acked_uploads_.insert(p.upload_id).second) {
      acked_files_.push_back({done.name(), Sha256Hex(p.bytes)});
    }
    if (s.ok()) {
      auto body_end = cp.checkpoint().find('\n');
      auto size_end = cp.checkpoint().find('\n', body_end + 1);
      if (body_end != std::string::npos && size_end != std::string::npos) {
        checkpoints_[std::stoll(cp.checkpoint().substr(body_end + 1, size_end - body_end - 1))] =
            cp.checkpoint();
      }
    }
    return grpc::Status::OK;  // the upload was acknowledged; the checkpoint is a bonus
  }

  grpc::Status Unacked(const Pending& p, const grpc::Status& s) {
    std::lock_guard<std::mutex> l(mu_);
    if (acked_uploads_.count(p.upload_id) == 0) unacked_uploads_[p.upload_id] = p;
    return s;
  }

  const std::string org_;
  std::atomic<int> next_{0};
  mutable std::mutex mu_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::EvidenceService::Stub> evidence_;
  std::string token_;
  std::vector<AckedCase> acked_cases_;
  std::set<std::string> acked_rids_;
  std::set<std::string> drafts_;
  std::set<std::string> acked_submits_;
  std::vector<AckedEvidence> acked_files_;
  std::set<std::string> acked_uploads_;
  std::set<std::string> unacked_creates_;
  std::set<std::string> unacked_submits_;
  std::map<std::string, Pending> unacked_uploads_;
  std::map<int64_t, std::string> checkpoints_;
  size_t verified_cases_ = 0;
  size_t verified_files_ = 0;
};

}  // namespace odr::testing

#endif  // ODR_TESTS_TESTING_WORKLOAD_H_
