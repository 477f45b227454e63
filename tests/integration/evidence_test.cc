// Evidence through the real odrd (port 0, temp data dir) and the generated stubs: uploads and
// their resumption (after the client stops or dies, and after odrd is killed with SIGKILL),
// refusals that keep nothing, encryption at rest and DATA_LOSS on damage, who sees what, withdraw,
// deduplication, and the evidence log's proofs.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "server/transparency/checkpoint.h"
#include "server/transparency/evidence_leaf.h"
#include "server/transparency/merkle.h"
#include "storage/sealed_blob.h"
#include "tests/testing/error_details.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using testing::Details;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ViolatedFields;

constexpr int64_t kChunk = 64 * 1024;

std::string Describe(const grpc::Status& s) {
  return std::to_string(s.error_code()) + " " + s.error_message() + " [" + Details(s).reason() +
         "]";
}

// Files under `dir`, recursively (empty if it does not exist).
std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) out.push_back(e.path().string());
  }
  return out;
}

class EvidenceTest : public ::testing::Test {
 protected:
  // Accounts: applicant zhang, respondent li, outsider wang (a citizen of no case here), the
  // organization's admin, a platform admin.
  void Start(std::vector<std::string> extra_args = {}) {
    data_ = dir_.file("data");
    keys_ = testing::CreateZhangLiWang(data_);
    keys_["orgadmin"] = testing::CreatePrincipal(data_, "orgadmin", "org_admin",
                                                 {"--organization", "organizations/org1"});
    keys_["platform"] = testing::CreatePrincipal(data_, "platform", "platform_admin");
    extra_args_ = extra_args;
    extra_args_.push_back("--rate-limit");
    extra_args_.push_back("0");
    Launch();
    v1::Organization o;
    ASSERT_TRUE(
        roster_->CreateOrganization(As("platform").get(), testing::ZhujiOrganization("org1"), &o)
            .ok());
    case_ = CreateCase();
  }

  void Launch() {
    server_ = std::make_unique<testing::OdrdProcess>(data_, extra_args_);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    evidence_ = v1::EvidenceService::NewStub(channel_);
    cases_ = v1::CaseService::NewStub(channel_);
    roster_ = v1::RosterService::NewStub(channel_);
    for (const auto& [id, key] : keys_) tokens_[id] = testing::IssueToken(channel_, id, key);
  }

  // SIGTERM, after closing this client's connection: a connection with no call in flight cannot
  // answer odrd's shutdown ping (the sync client polls only during calls), which would hold the
  // shutdown for ~5 s.
  void StopServer() {
    evidence_.reset();
    cases_.reset();
    roster_.reset();
    channel_.reset();
    EXPECT_EQ(server_->Stop(), 0);
  }

  // A case of zhang against li before org1.
  std::string CreateCase() {
    v1::CreateCaseRequest req;
    *req.mutable_case_() = testing::ZhangAgainstLi("org1");
    v1::Case out;
    grpc::Status s = cases_->CreateCase(As("zhang").get(), req, &out);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return out.name();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& who) {
    auto ctx = testing::AuthedContext(tokens_.at(who));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return ctx;
  }

  v1::UploadEvidenceStart StartFor(const std::string& upload_id, const std::string& bytes,
                                   const std::string& file_name = "病历.pdf",
                                   const std::string& media_type = "application/pdf") {
    v1::UploadEvidenceStart start;
    start.set_parent(case_);
    start.set_upload_id(upload_id);
    start.mutable_evidence()->set_file_name(file_name);
    start.mutable_evidence()->set_media_type(media_type);
    start.set_size_bytes(static_cast<int64_t>(bytes.size()));
    start.set_sha256(testing::Sha256Hex(bytes));
    return start;
  }

  // Streams bytes[from, to) after `start`; finishes if `finish`. Returns the call's status.
  grpc::Status Send(const std::string& who, const v1::UploadEvidenceStart& start,
                    const std::string& bytes, int64_t from, int64_t to, bool finish,
                    v1::UploadEvidenceResponse* resp) {
    auto ctx = As(who);
    auto writer = evidence_->UploadEvidence(ctx.get(), resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = start;
    int64_t at = from;
    do {
      const int64_t n = std::min(kChunk, to - at);
      req.set_write_offset(at);
      req.set_data(bytes.substr(at, n));
      at += n;
      req.set_finish_write(finish && at == to);
      if (!writer->Write(req)) break;
      req.clear_start();
    } while (at < to);
    writer->WritesDone();
    return writer->Finish();
  }

  v1::Evidence Upload(const std::string& who, const v1::UploadEvidenceStart& start,
                      const std::string& bytes) {
    v1::UploadEvidenceResponse resp;
    grpc::Status s = Send(who, start, bytes, 0, bytes.size(), true, &resp);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(resp.committed_size(), static_cast<int64_t>(bytes.size()));
    return resp.evidence();
  }

  grpc::Status Download(const std::string& who, const std::string& name, std::string* out,
                        int64_t offset = 0, int64_t limit = 0) {
    v1::DownloadEvidenceRequest req;
    req.set_name(name);
    req.set_read_offset(offset);
    req.set_read_limit(limit);
    auto ctx = As(who);
    auto reader = evidence_->DownloadEvidence(ctx.get(), req);
    v1::DownloadEvidenceResponse chunk;
    out->clear();
    while (reader->Read(&chunk)) {
      EXPECT_LE(chunk.data().size(), static_cast<size_t>(kChunk));
      out->append(chunk.data());
    }
    return reader->Finish();
  }

  grpc::Status Query(const std::string& who, const std::string& upload_id,
                     v1::QueryUploadStatusResponse* out) {
    v1::QueryUploadStatusRequest req;
    req.set_upload_id(upload_id);
    return evidence_->QueryUploadStatus(As(who).get(), req, out);
  }

  std::vector<std::string> Listed(const std::string& who, bool show_withdrawn = false,
                                  grpc::Status* status = nullptr) {
    v1::ListEvidenceRequest req;
    req.set_parent(case_);
    req.set_show_withdrawn(show_withdrawn);
    v1::ListEvidenceResponse resp;
    grpc::Status s = evidence_->ListEvidence(As(who).get(), req, &resp);
    if (status) *status = s;
    std::vector<std::string> names;
    for (const auto& e : resp.evidence()) names.push_back(e.name());
    return names;
  }

  std::string blobs_dir() const { return data_ + "/evidence/blobs"; }
  std::string uploads_dir() const { return data_ + "/evidence/uploads"; }

  testing::TempDir dir_;
  std::string data_;
  std::vector<std::string> extra_args_;
  std::map<std::string, std::string> keys_, tokens_;
  std::unique_ptr<testing::OdrdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EvidenceService::Stub> evidence_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::RosterService::Stub> roster_;
  std::string case_;
};

TEST_F(EvidenceTest, UploadListGetDownloadAndRanges) {
  Start();
  const std::string bytes = testing::RandomBytes(200'000, 1);
  v1::Evidence e = Upload("zhang", StartFor("u1", bytes), bytes);
  EXPECT_THAT(e.name(), HasSubstr(case_ + "/evidence/"));
  EXPECT_EQ(e.sha256(), testing::Sha256Hex(bytes));
  EXPECT_EQ(e.size_bytes(), 200'000);
  EXPECT_EQ(e.file_name(), "病历.pdf");
  EXPECT_EQ(e.uploader(), "principals/zhang");
  EXPECT_EQ(e.uploader_role(), v1::ROLE_CITIZEN);
  EXPECT_EQ(e.state(), v1::Evidence::STATE_ACTIVE);
  EXPECT_EQ(e.visibility(), v1::Evidence::VISIBILITY_ALL_PARTIES);
  EXPECT_EQ(e.log_index(), 0);

  EXPECT_THAT(Listed("zhang"), ElementsAre(e.name()));
  EXPECT_THAT(Listed("li"), ElementsAre(e.name()));
  EXPECT_THAT(Listed("orgadmin"), ElementsAre(e.name()));
  v1::GetEvidenceRequest get;
  get.set_name(e.name());
  v1::Evidence got;
  ASSERT_THAT(evidence_->GetEvidence(As("li").get(), get, &got), IsOk());
  EXPECT_EQ(got.sha256(), e.sha256());

  std::string out;
  ASSERT_THAT(Download("li", e.name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
  ASSERT_THAT(Download("zhang", e.name(), &out, 65535, 70000), IsOk());
  EXPECT_EQ(out, bytes.substr(65535, 70000));
  ASSERT_THAT(Download("zhang", e.name(), &out, 199'990), IsOk());
  EXPECT_EQ(out, bytes.substr(199'990));
  ASSERT_THAT(Download("zhang", e.name(), &out, 200'000), IsOk());
  EXPECT_EQ(out, "");
  EXPECT_EQ(Download("zhang", e.name(), &out, 200'001).error_code(), grpc::OUT_OF_RANGE);
  EXPECT_EQ(Download("zhang", e.name(), &out, -1).error_code(), grpc::INVALID_ARGUMENT);

  // The bytes on disk are sealed: no run of the plaintext appears in the blob.
  std::vector<std::string> blobs = FilesUnder(blobs_dir());
  ASSERT_EQ(blobs.size(), 1u);
  EXPECT_THAT(blobs[0], HasSubstr(e.sha256()));
  EXPECT_EQ(testing::ReadFileBytes(blobs[0]).find(bytes.substr(1000, 64)), std::string::npos);
  EXPECT_THAT(FilesUnder(uploads_dir()), IsEmpty());
}

TEST_F(EvidenceTest, NonPartiesCannotListGetOrDownload) {
  Start();
  const std::string bytes = testing::RandomBytes(1000, 2);
  v1::Evidence e = Upload("zhang", StartFor("u1", bytes), bytes);
  for (const std::string who : {"wang", "platform"}) {
    grpc::Status s;
    EXPECT_THAT(Listed(who, false, &s), IsEmpty());
    EXPECT_EQ(s.error_code(), grpc::NOT_FOUND) << who << ": " << Describe(s);
    std::string out;
    s = Download(who, e.name(), &out);
    EXPECT_EQ(s.error_code(), grpc::NOT_FOUND) << who;
    EXPECT_EQ(out, "");
    v1::GetEvidenceRequest get;
    get.set_name(e.name());
    v1::Evidence got;
    EXPECT_EQ(evidence_->GetEvidence(As(who).get(), get, &got).error_code(), grpc::NOT_FOUND);
    v1::GetEvidenceProofRequest proof;
    proof.set_name(e.name());
    v1::EvidenceProof p;
    EXPECT_EQ(evidence_->GetEvidenceProof(As(who).get(), proof, &p).error_code(), grpc::NOT_FOUND);
    // Nor may they add evidence to it.
    const std::string more = testing::RandomBytes(100, 3);
    v1::UploadEvidenceResponse resp;
    auto start = StartFor("x-" + std::string(who), more);
    EXPECT_EQ(Send(who, start, more, 0, more.size(), true, &resp).error_code(), grpc::NOT_FOUND);
  }
  // Without a token: UNAUTHENTICATED, for the streams too.
  v1::UploadEvidenceResponse resp;
  grpc::ClientContext ctx;
  auto writer = evidence_->UploadEvidence(&ctx, &resp);
  v1::UploadEvidenceRequest req;
  *req.mutable_start() = StartFor("anon", bytes);
  writer->Write(req);
  writer->WritesDone();
  EXPECT_EQ(writer->Finish().error_code(), grpc::UNAUTHENTICATED);
}

TEST_F(EvidenceTest, MediatorOnlyEvidenceIsInvisibleToTheOtherSide) {
  Start();
  const std::string bytes = testing::RandomBytes(5000, 4);
  auto start = StartFor("private", bytes, "陈述.txt", "text/plain");
  start.mutable_evidence()->set_visibility(v1::Evidence::VISIBILITY_MEDIATOR_ONLY);
  v1::Evidence e = Upload("zhang", start, bytes);
  EXPECT_EQ(e.visibility(), v1::Evidence::VISIBILITY_MEDIATOR_ONLY);
  const std::string open_bytes = testing::RandomBytes(5000, 5);
  v1::Evidence shared = Upload("li", StartFor("shared", open_bytes), open_bytes);

  EXPECT_THAT(Listed("zhang"), ElementsAre(e.name(), shared.name()));
  EXPECT_THAT(Listed("orgadmin"), ElementsAre(e.name(), shared.name()));
  EXPECT_THAT(Listed("li"), ElementsAre(shared.name()));
  std::string out;
  EXPECT_EQ(Download("li", e.name(), &out).error_code(), grpc::NOT_FOUND);
  v1::GetEvidenceRequest get;
  get.set_name(e.name());
  v1::Evidence got;
  grpc::Status s = evidence_->GetEvidence(As("li").get(), get, &got);
  EXPECT_EQ(s.error_code(), grpc::NOT_FOUND);
  // Indistinguishable from evidence that does not exist.
  v1::GetEvidenceRequest missing;
  missing.set_name(case_ + "/evidence/doesnotexist");
  grpc::Status s2 = evidence_->GetEvidence(As("li").get(), missing, &got);
  EXPECT_EQ(s2.error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Details(s).reason(), Details(s2).reason());
  ASSERT_THAT(Download("orgadmin", e.name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
}

TEST_F(EvidenceTest, RefusedUploadsKeepNothing) {
  Start({"--evidence-max-file-bytes", "1000000", "--evidence-case-quota-bytes", "2100000"});
  const std::string bytes = testing::RandomBytes(300'000, 6);
  auto expect_nothing_kept = [&](const std::string& upload_id) {
    EXPECT_THAT(FilesUnder(blobs_dir()), IsEmpty());
    EXPECT_THAT(FilesUnder(uploads_dir()), IsEmpty());
    v1::QueryUploadStatusResponse q;
    EXPECT_EQ(Query("zhang", upload_id, &q).error_code(), grpc::NOT_FOUND) << upload_id;
    EXPECT_THAT(Listed("zhang"), IsEmpty());
  };
  v1::UploadEvidenceResponse resp;

  // The bytes are not what the declared hash says.
  auto lying = StartFor("lying", bytes);
  lying.set_sha256(testing::Sha256Hex("something else"));
  grpc::Status s = Send("zhang", lying, bytes, 0, bytes.size(), true, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("start.sha256"));
  EXPECT_THAT(s.error_message(), HasSubstr(testing::Sha256Hex(bytes)));
  expect_nothing_kept("lying");

  // Fewer bytes than declared, then finish.
  auto short_start = StartFor("short", bytes);
  s = Send("zhang", short_start, bytes, 0, 4 * kChunk, true, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("start.size_bytes"));
  expect_nothing_kept("short");

  // Over the per-file limit.
  auto big = StartFor("big", bytes);
  big.set_size_bytes(1'000'001);
  s = Send("zhang", big, bytes, 0, 1000, false, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("start.size_bytes"));
  expect_nothing_kept("big");

  // A media type that is not allowed.
  auto exe = StartFor("exe", bytes, "setup.exe", "application/x-msdownload");
  s = Send("zhang", exe, bytes, 0, bytes.size(), true, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("start.evidence.media_type"));
  expect_nothing_kept("exe");

  // Bad file names and hashes, named.
  auto bad = StartFor("bad", bytes, "../etc/passwd");
  bad.set_sha256("xyz");
  s = Send("zhang", bad, bytes, 0, 1000, false, &resp);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("start.evidence.file_name", "start.sha256"));

  // A chunk over 64 KiB, and a chunk at the wrong offset.
  {
    auto ctx = As("zhang");
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = StartFor("huge-chunk", bytes);
    req.set_data(bytes.substr(0, kChunk + 1));
    writer->Write(req);
    writer->WritesDone();
    s = writer->Finish();
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
    EXPECT_THAT(ViolatedFields(s), ElementsAre("data"));
  }
  {
    auto ctx = As("zhang");
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = StartFor("offset", bytes);
    req.set_write_offset(kChunk);
    req.set_data(bytes.substr(0, kChunk));
    writer->Write(req);
    writer->WritesDone();
    s = writer->Finish();
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
    EXPECT_THAT(ViolatedFields(s), ElementsAre("write_offset"));
    EXPECT_THAT(s.error_message(), HasSubstr("must be 0"));
  }

  // The case quota (2.1 MB) counts the two unfinished uploads above (their declared 300 kB each,
  // kept for resuming): five more uploads of 300 kB fit, the sixth does not.
  for (int i = 0; i < 5; ++i) {
    const std::string b = testing::RandomBytes(300'000, 100 + i);
    Upload("zhang", StartFor("q" + std::to_string(i), b), b);
  }
  const std::string sixth = testing::RandomBytes(300'000, 200);
  s = Send("zhang", StartFor("q5", sixth), sixth, 0, sixth.size(), true, &resp);
  EXPECT_EQ(s.error_code(), grpc::RESOURCE_EXHAUSTED) << Describe(s);
  EXPECT_EQ(Details(s).reason(), "QUOTA_EXCEEDED");
  EXPECT_EQ(FilesUnder(blobs_dir()).size(), 5u);
}

TEST_F(EvidenceTest, PrincipalQuotaCountsUploadsInProgress) {
  Start({"--evidence-principal-quota-bytes", "500000"});
  const std::string a = testing::RandomBytes(300'000, 7), b = testing::RandomBytes(300'000, 8);
  v1::UploadEvidenceResponse resp;
  // An unfinished upload holds its declared size against the quota.
  ASSERT_THAT(Send("zhang", StartFor("a", a), a, 0, kChunk, false, &resp), IsOk());
  grpc::Status s = Send("zhang", StartFor("b", b), b, 0, b.size(), true, &resp);
  EXPECT_EQ(s.error_code(), grpc::RESOURCE_EXHAUSTED) << Describe(s);
  // Another principal has its own quota.
  Upload("li", StartFor("b", b), b);
}

TEST_F(EvidenceTest, ResumesAfterTheClientStopsAndAfterItDies) {
  Start();
  const std::string bytes = testing::RandomBytes(1'000'000, 9);
  const auto start = StartFor("resume", bytes);
  v1::UploadEvidenceResponse resp;
  // The client sends 10 chunks and stops without finishing: all whole records are committed.
  ASSERT_THAT(Send("zhang", start, bytes, 0, 10 * kChunk, false, &resp), IsOk());
  EXPECT_EQ(resp.committed_size(), 10 * kChunk);
  EXPECT_FALSE(resp.has_evidence());
  v1::QueryUploadStatusResponse q;
  ASSERT_THAT(Query("zhang", "resume", &q), IsOk());
  EXPECT_EQ(q.committed_size(), 10 * kChunk);
  EXPECT_FALSE(q.complete());
  EXPECT_EQ(q.size_bytes(), 1'000'000);
  // Another caller has no such upload: upload ids are per caller.
  EXPECT_EQ(Query("li", "resume", &q).error_code(), grpc::NOT_FOUND);
  // Resuming at another offset is refused, naming the right one.
  grpc::Status s = Send("zhang", start, bytes, 0, kChunk, false, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("must be " + std::to_string(10 * kChunk)));
  // Resuming with another declaration under the same id is refused.
  auto other = start;
  other.mutable_evidence()->set_file_name("other.pdf");
  s = Send("zhang", other, bytes, 10 * kChunk, 11 * kChunk, false, &resp);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("start.upload_id"));

  // Now the client dies mid-stream (its call is cancelled): whatever was committed is a whole
  // number of records, and resuming from it completes the file.
  {
    auto ctx = As("zhang");
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = start;
    for (int64_t at = 10 * kChunk; at < 14 * kChunk; at += kChunk) {
      req.set_write_offset(at);
      req.set_data(bytes.substr(at, kChunk));
      ASSERT_TRUE(writer->Write(req));
      req.clear_start();
    }
    ctx->TryCancel();
    writer->Finish();
  }
  int64_t committed = -1;
  for (int i = 0; i < 100; ++i) {  // until the server has seen the cancellation
    ASSERT_THAT(Query("zhang", "resume", &q), IsOk());
    committed = q.committed_size();
    v1::UploadEvidenceResponse probe;
    grpc::Status busy = Send("zhang", start, bytes, committed, committed, false, &probe);
    if (busy.error_code() != grpc::ABORTED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_THAT(Query("zhang", "resume", &q), IsOk());
  committed = q.committed_size();
  EXPECT_GE(committed, 10 * kChunk);
  EXPECT_LE(committed, 14 * kChunk);
  EXPECT_EQ(committed % kChunk, 0);
  ASSERT_THAT(Send("zhang", start, bytes, committed, bytes.size(), true, &resp), IsOk());
  ASSERT_TRUE(resp.has_evidence());
  EXPECT_EQ(resp.evidence().sha256(), testing::Sha256Hex(bytes));
  std::string out;
  ASSERT_THAT(Download("zhang", resp.evidence().name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
  // Finished: the upload reports complete, and sending it again returns the same evidence.
  ASSERT_THAT(Query("zhang", "resume", &q), IsOk());
  EXPECT_TRUE(q.complete());
  EXPECT_EQ(q.evidence().name(), resp.evidence().name());
  v1::UploadEvidenceResponse again;
  ASSERT_THAT(Send("zhang", start, bytes, 0, kChunk, false, &again), IsOk());
  EXPECT_EQ(again.evidence().name(), resp.evidence().name());
  EXPECT_THAT(Listed("zhang"), ElementsAre(resp.evidence().name()));
  EXPECT_THAT(FilesUnder(uploads_dir()), IsEmpty());
}

TEST_F(EvidenceTest, KillDashNineMidUploadLeavesNoPartialBlobAndResumes) {
  Start();
  const std::string bytes = testing::RandomBytes(2'000'000, 10);
  const auto start = StartFor("crash", bytes);
  // Stream half the file and keep the stream open, then kill odrd.
  {
    v1::UploadEvidenceResponse resp;
    auto ctx = As("zhang");
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = start;
    for (int64_t at = 0; at < 16 * kChunk; at += kChunk) {
      req.set_write_offset(at);
      req.set_data(bytes.substr(at, kChunk));
      ASSERT_TRUE(writer->Write(req));
      req.clear_start();
    }
    // Wait until odrd has written some of it.
    v1::QueryUploadStatusResponse q;
    for (int i = 0; i < 200 && q.committed_size() < 8 * kChunk; ++i) {
      grpc::Status qs = Query("zhang", "crash", &q);  // NOT_FOUND until the stream has begun
      ASSERT_TRUE(qs.ok() || qs.error_code() == grpc::NOT_FOUND) << Describe(qs);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(q.committed_size(), 8 * kChunk);
    server_->Kill();
    ctx->TryCancel();
  }
  EXPECT_THAT(FilesUnder(blobs_dir()), IsEmpty());  // nothing visible under a blob name
  Launch();
  EXPECT_THAT(Listed("zhang"), IsEmpty());
  EXPECT_THAT(FilesUnder(blobs_dir()), IsEmpty());
  v1::QueryUploadStatusResponse q;
  ASSERT_THAT(Query("zhang", "crash", &q), IsOk());
  EXPECT_FALSE(q.complete());
  EXPECT_EQ(q.committed_size() % kChunk, 0);
  EXPECT_LE(q.committed_size(), 16 * kChunk);
  v1::UploadEvidenceResponse resp;
  grpc::Status s = Send("zhang", start, bytes, q.committed_size(), bytes.size(), true, &resp);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  std::string out;
  ASSERT_THAT(Download("li", resp.evidence().name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(resp.evidence().log_index(), 0);
}

TEST_F(EvidenceTest, AStagingFileFinishedBeforeACrashResumesWhereQueryUploadStatusSays) {
  Start();
  const std::string bytes = testing::RandomBytes(300'000, 16);
  const auto start = StartFor("finished", bytes);
  v1::UploadEvidenceResponse resp;
  ASSERT_THAT(Send("zhang", start, bytes, 0, 2 * kChunk, false, &resp), IsOk());
  StopServer();
  // What a crash between the staging file's last fsync and its rename leaves: a finished sealed
  // file (here of the first 100 kB only) under the staging name.
  const std::string staging = uploads_dir() + "/zhang.finished";
  ASSERT_TRUE(std::filesystem::exists(staging));
  std::filesystem::remove(staging);
  storage::OsRandom random;
  auto master = storage::MasterKey::LoadOrCreate(data_ + "/evidence-master.key", random);
  ASSERT_THAT(master, IsOk()) << master.status();
  auto writer = storage::SealedBlobWriter::Create(
      staging, *master, *transparency::HashFromHex(testing::Sha256Hex(bytes)), random);
  ASSERT_THAT(writer, IsOk()) << writer.status();
  ASSERT_THAT((*writer)->Append(bytes.substr(0, 100'000)), IsOk());
  ASSERT_THAT((*writer)->Finish(), IsOk());
  writer->reset();
  Launch();
  // Its final record is dropped: the upload resumes after its whole records, exactly where
  // QueryUploadStatus says (the crash suite found these two disagreeing).
  v1::QueryUploadStatusResponse q;
  ASSERT_THAT(Query("zhang", "finished", &q), IsOk());
  EXPECT_EQ(q.committed_size(), kChunk);
  grpc::Status s = Send("zhang", start, bytes, q.committed_size(), bytes.size(), true, &resp);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(resp.evidence().sha256(), testing::Sha256Hex(bytes));
  std::string out;
  ASSERT_THAT(Download("zhang", resp.evidence().name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
}

TEST_F(EvidenceTest, OrphanBlobsAndStaleStagingFilesAreCleanedAtStart) {
  Start();
  const std::string bytes = testing::RandomBytes(100'000, 11);
  v1::Evidence e = Upload("zhang", StartFor("kept", bytes), bytes);
  StopServer();
  // A blob no record references (a crash between the rename and the commit) and a staging
  // file of no upload.
  const std::string orphan = std::string(64, 'a');
  fs::create_directories(blobs_dir() + "/aa");
  std::ofstream(blobs_dir() + "/aa/" + orphan) << "orphan";
  std::ofstream(uploads_dir() + "/nobody.nothing") << "stale";
  Launch();
  EXPECT_THAT(FilesUnder(uploads_dir()), IsEmpty());
  std::vector<std::string> files = FilesUnder(blobs_dir());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_THAT(files[0], HasSubstr(e.sha256()));
  std::string out;
  ASSERT_THAT(Download("zhang", e.name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
}

TEST_F(EvidenceTest, DamagedBlobIsDataLossAndNeverWrongBytes) {
  Start();
  const std::string bytes = testing::RandomBytes(300'000, 12);
  v1::Evidence e = Upload("zhang", StartFor("d", bytes), bytes);
  std::vector<std::string> blobs = FilesUnder(blobs_dir());
  ASSERT_EQ(blobs.size(), 1u);
  // Flip one byte in the third record's ciphertext.
  {
    std::fstream f(blobs[0], std::ios::in | std::ios::out | std::ios::binary);
    const std::streamoff at = 113 + 2 * (kChunk + 28) + 500;
    f.seekg(at);
    char c;
    f.read(&c, 1);
    c ^= 0x01;
    f.seekp(at);
    f.write(&c, 1);
  }
  std::string out;
  grpc::Status s = Download("zhang", e.name(), &out);
  EXPECT_EQ(s.error_code(), grpc::DATA_LOSS) << Describe(s);
  // What arrived before the damaged record is right; nothing after it arrived.
  EXPECT_EQ(out, bytes.substr(0, out.size()));
  EXPECT_LE(out.size(), static_cast<size_t>(2 * kChunk));
  // The first records are still served.
  ASSERT_THAT(Download("zhang", e.name(), &out, 0, 1000), IsOk());
  EXPECT_EQ(out, bytes.substr(0, 1000));
  EXPECT_EQ(Download("zhang", e.name(), &out, 2 * kChunk + 10, 10).error_code(), grpc::DATA_LOSS);
  EXPECT_EQ(out, "");
}

TEST_F(EvidenceTest, SameBytesAreStoredOnce) {
  Start();
  const std::string bytes = testing::RandomBytes(150'000, 13);
  v1::Evidence a = Upload("zhang", StartFor("a", bytes), bytes);
  v1::Evidence b = Upload("li", StartFor("b", bytes, "copy.pdf"), bytes);
  EXPECT_NE(a.name(), b.name());
  EXPECT_EQ(FilesUnder(blobs_dir()).size(), 1u);
  std::string out;
  ASSERT_THAT(Download("li", a.name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
  ASSERT_THAT(Download("zhang", b.name(), &out), IsOk());
  EXPECT_EQ(out, bytes);
}

TEST_F(EvidenceTest, WithdrawIsTheUploadersAndIsRecorded) {
  Start();
  const std::string bytes = testing::RandomBytes(1000, 14);
  v1::Evidence e = Upload("zhang", StartFor("w", bytes), bytes);
  v1::WithdrawEvidenceRequest req;
  req.set_name(e.name());
  v1::Evidence out;
  grpc::Status s = evidence_->WithdrawEvidence(As("zhang").get(), req, &out);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("reason"));
  req.set_reason("上传错了文件");
  s = evidence_->WithdrawEvidence(As("li").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::PERMISSION_DENIED) << Describe(s);
  s = evidence_->WithdrawEvidence(As("wang").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::NOT_FOUND);
  ASSERT_THAT(evidence_->WithdrawEvidence(As("zhang").get(), req, &out), IsOk());
  EXPECT_EQ(out.state(), v1::Evidence::STATE_WITHDRAWN);
  EXPECT_EQ(out.withdraw_reason(), "上传错了文件");
  EXPECT_TRUE(out.has_withdraw_time());
  EXPECT_EQ(evidence_->WithdrawEvidence(As("zhang").get(), req, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_THAT(Listed("li"), IsEmpty());
  EXPECT_THAT(Listed("li", true), ElementsAre(e.name()));
  std::string bytes_out;
  EXPECT_EQ(Download("zhang", e.name(), &bytes_out).error_code(), grpc::FAILED_PRECONDITION);
  // It stays in the log.
  v1::GetEvidenceProofRequest proof;
  proof.set_name(e.name());
  v1::EvidenceProof p;
  EXPECT_THAT(evidence_->GetEvidenceProof(As("zhang").get(), proof, &p), IsOk());
}

TEST_F(EvidenceTest, NoEvidenceOnceTheCaseHasEnded) {
  Start();
  v1::WithdrawCaseRequest w;
  w.set_name(case_);
  w.set_reason("和解了");
  v1::Case c;
  ASSERT_THAT(cases_->WithdrawCase(As("zhang").get(), w, &c), IsOk());
  const std::string bytes = testing::RandomBytes(1000, 15);
  v1::UploadEvidenceResponse resp;
  grpc::Status s = Send("zhang", StartFor("late", bytes), bytes, 0, bytes.size(), true, &resp);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << Describe(s);
  EXPECT_THAT(s.error_message(), HasSubstr("STATE_WITHDRAWN"));
}

TEST_F(EvidenceTest, ProofsVerifyAgainstSignedCheckpoints) {
  Start();
  v1::LogCheckpoint empty;
  ASSERT_THAT(evidence_->GetLogCheckpoint(As("wang").get(), {}, &empty), IsOk());
  auto verifier = transparency::NoteVerifier::FromVerifierKey(empty.verifier_key());
  ASSERT_THAT(verifier, IsOk()) << verifier.status();
  auto cp0 = transparency::OpenCheckpoint(*verifier, empty.checkpoint());
  ASSERT_THAT(cp0, IsOk()) << cp0.status();
  EXPECT_EQ(cp0->size, 0u);
  EXPECT_EQ(cp0->origin, "odr/evidence-log");

  std::vector<v1::Evidence> all;
  std::vector<std::string> contents;
  for (int i = 0; i < 5; ++i) {
    contents.push_back(testing::RandomBytes(1000 + i, 20 + i));
    all.push_back(Upload(i % 2 ? "li" : "zhang", StartFor("p" + std::to_string(i), contents[i]),
                         contents[i]));
    EXPECT_EQ(all.back().log_index(), i);
  }
  for (int i = 0; i < 5; ++i) {
    v1::GetEvidenceProofRequest req;
    req.set_name(all[i].name());
    v1::EvidenceProof p;
    ASSERT_THAT(evidence_->GetEvidenceProof(As("zhang").get(), req, &p), IsOk());
    auto cp = transparency::OpenCheckpoint(*verifier, p.checkpoint());
    ASSERT_THAT(cp, IsOk()) << cp.status();
    EXPECT_EQ(cp->size, 5u);
    EXPECT_EQ(p.tree_size(), 5);
    auto leaf = transparency::ParseEvidenceLeaf(p.leaf_data());
    ASSERT_THAT(leaf, IsOk()) << leaf.status();
    EXPECT_EQ(leaf->evidence_name, all[i].name());
    EXPECT_EQ(leaf->sha256, testing::Sha256Hex(contents[i]));
    EXPECT_EQ(leaf->uploader_role, "citizen");
    EXPECT_EQ(p.leaf_data().find("张三"), std::string::npos);  // no personal data
    std::vector<transparency::Hash> path;
    for (const auto& h : p.inclusion_path()) path.push_back(*transparency::HashFromBytes(h));
    EXPECT_TRUE(transparency::VerifyInclusion(transparency::LeafHash(p.leaf_data()), p.leaf_index(),
                                              cp->size, path, cp->root)
                    .ok());
    // Against an older size that covers it.
    req.set_tree_size(i + 1);
    ASSERT_THAT(evidence_->GetEvidenceProof(As("zhang").get(), req, &p), IsOk());
    EXPECT_EQ(p.tree_size(), i + 1);
  }
  v1::GetEvidenceProofRequest ahead;
  ahead.set_name(all[4].name());
  ahead.set_tree_size(6);
  v1::EvidenceProof p;
  EXPECT_EQ(evidence_->GetEvidenceProof(As("zhang").get(), ahead, &p).error_code(),
            grpc::OUT_OF_RANGE);
  ahead.set_tree_size(4);
  EXPECT_EQ(evidence_->GetEvidenceProof(As("zhang").get(), ahead, &p).error_code(),
            grpc::INVALID_ARGUMENT);

  // Consistency between every pair of sizes, checked against both signed checkpoints.
  for (int m = 1; m <= 5; ++m) {
    for (int n = m; n <= 5; ++n) {
      v1::GetConsistencyProofRequest req;
      req.set_from_tree_size(m);
      req.set_to_tree_size(n);
      v1::ConsistencyProof c;
      ASSERT_THAT(evidence_->GetConsistencyProof(As("wang").get(), req, &c), IsOk());
      auto from = transparency::OpenCheckpoint(*verifier, c.from_checkpoint());
      auto to = transparency::OpenCheckpoint(*verifier, c.to_checkpoint());
      ASSERT_TRUE(from.ok() && to.ok());
      std::vector<transparency::Hash> hashes;
      for (const auto& h : c.hashes()) hashes.push_back(*transparency::HashFromBytes(h));
      EXPECT_TRUE(transparency::VerifyConsistency(m, n, hashes, from->root, to->root).ok())
          << m << " " << n;
    }
  }
  v1::GetConsistencyProofRequest bad;
  bad.set_from_tree_size(0);
  v1::ConsistencyProof c;
  EXPECT_EQ(evidence_->GetConsistencyProof(As("wang").get(), bad, &c).error_code(),
            grpc::INVALID_ARGUMENT);

  // The log survives a restart and keeps growing from where it was.
  StopServer();
  Launch();
  const std::string more = testing::RandomBytes(777, 30);
  EXPECT_EQ(Upload("zhang", StartFor("after", more), more).log_index(), 5);
}

}  // namespace
}  // namespace odr
