// The evidence commands of the real `odr` binary (ODR_CLI_PATH) and the offline verifier
// odr-verify (ODR_VERIFY_PATH) against the real odrd (ODRD_PATH), started on port 0 in a temp data
// dir for each test: upload, list, get and download; file names that odrd and odr refuse at upload
// and that downloads make safe; resuming an upload a stream left unfinished; withdrawal; and
// inclusion and consistency proofs checked offline against the pinned log key, every kind of
// tampering with them refused.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "server/transparency/checkpoint.h"
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
using ::nlohmann::json;
using ::testing::AllOf;
using testing::CommandResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int64_t kChunk = 64 * 1024;
// The evidence log's origin: odrd's default --log-origin.
constexpr char kLogOrigin[] = "odr/evidence-log";

std::string Describe(const CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out + "\nstderr:\n" + r.err;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  ASSERT_TRUE(out.flush()) << path;
}

// `base64` decoded, bit 0 of byte `at` flipped, encoded again.
std::string FlipBitInBase64(const std::string& base64, size_t at) {
  std::string bytes;
  EXPECT_TRUE(absl::Base64Unescape(base64, &bytes)) << base64;
  EXPECT_LT(at, bytes.size());
  if (at < bytes.size()) bytes[at] ^= 0x01;
  return absl::Base64Escape(bytes);
}

// A signed note's body: everything before the blank line, with its last "\n".
std::string NoteBody(const std::string& note) {
  const size_t blank = note.find("\n\n");
  EXPECT_NE(blank, std::string::npos) << note;
  return blank == std::string::npos ? note : note.substr(0, blank + 1);
}

// Runs commands (testing::RunCommand) in `dir` while it lives: odr writes downloads without -f
// to the current directory.
class ScopedWorkingDir {
 public:
  explicit ScopedWorkingDir(const std::string& dir) : saved_(fs::current_path()) {
    fs::current_path(dir);
  }
  ~ScopedWorkingDir() {
    std::error_code ec;
    fs::current_path(saved_, ec);
  }
  ScopedWorkingDir(const ScopedWorkingDir&) = delete;
  ScopedWorkingDir& operator=(const ScopedWorkingDir&) = delete;

 private:
  fs::path saved_;
};

// The names of the entries of `dir`, sorted.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The names in the `evidence` array of a printed ListEvidenceResponse.
std::vector<std::string> Names(const json& list) {
  std::vector<std::string> names;
  for (const json& e : list.value("evidence", json::array())) {
    names.push_back(e.value("name", ""));
  }
  return names;
}

class EvidenceCliTest : public ::testing::Test {
 protected:
  // A data dir holding another evidence log's key (as odrd creates on its first start there).
  std::string OtherLog(const std::string& name) {
    const std::string data = dir_.file(name);
    std::filesystem::create_directories(data + "/evidence");
    auto signer =
        transparency::NoteSigner::LoadOrCreate(data + "/evidence/log-signing-key.pem", kLogOrigin);
    EXPECT_THAT(signer, IsOk()) << signer.status();
    return data;
  }

  // Accounts: applicant zhang, respondent li, outsider wang (a citizen of no case here), a
  // platform admin; organization org1; a case of zhang against li before org1.
  void SetUp() override {
    // odr must not read the real user's profile: HOME points into the temp dir, and every run
    // gets XDG_CONFIG_HOME there too (the token comes from ODR_TOKEN).
    if (const char* home = std::getenv("HOME")) saved_home_ = home;
    setenv("HOME", dir_.file("home").c_str(), 1);
    unsetenv("XDG_CONFIG_HOME");

    data_ = dir_.file("data");
    keys_ = testing::CreateZhangLiWang(data_);
    keys_["platform"] = testing::CreatePrincipal(data_, "platform", "platform_admin");
    server_ = std::make_unique<testing::OdrdProcess>(data_,
                                                     std::vector<std::string>{"--rate-limit", "0"});
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    evidence_ = v1::EvidenceService::NewStub(channel_);
    for (const auto& [id, key] : keys_) tokens_[id] = testing::IssueToken(channel_, id, key);

    auto roster = v1::RosterService::NewStub(channel_);
    v1::Organization o;
    grpc::Status s =
        roster->CreateOrganization(As("platform").get(), testing::ZhujiOrganization("org1"), &o);
    ASSERT_THAT(s, IsOk()) << s.error_message();

    v1::CreateCaseRequest req;
    *req.mutable_case_() = testing::ZhangAgainstLi("org1");
    v1::Case out;
    s = v1::CaseService::NewStub(channel_)->CreateCase(As("zhang").get(), req, &out);
    ASSERT_THAT(s, IsOk()) << s.error_message();
    case_ = out.name();
  }

  void TearDown() override {
    if (saved_home_) {
      setenv("HOME", saved_home_->c_str(), 1);
    } else {
      unsetenv("HOME");
    }
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& who) {
    auto ctx = testing::AuthedContext(tokens_.at(who));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return ctx;
  }

  // Runs `odr -o json args...` against odrd (ODR_SERVER) as `who` (ODR_TOKEN; none if empty).
  CommandResult Odr(const std::string& who, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {ODR_CLI_PATH, "-o", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env = {"ODR_SERVER=" + server_->address(),
                                    "XDG_CONFIG_HOME=" + dir_.file("config")};
    if (!who.empty()) env.push_back("ODR_TOKEN=" + tokens_.at(who));
    return testing::RunCommand(argv, "", env);
  }

  // Odr, expecting exit 0 and JSON on stdout; the JSON (null, after a failure, if it is not).
  json OdrJson(const std::string& who, const std::vector<std::string>& args) {
    CommandResult r = Odr(who, args);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << Describe(r);
    return j.is_discarded() ? json() : j;
  }

  // `odr evidence upload <case> <path> extra...` as `who`: the evidence it printed.
  json Upload(const std::string& who, const std::string& path,
              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"evidence", "upload", case_, path};
    args.insert(args.end(), extra.begin(), extra.end());
    return OdrJson(who, args);
  }

  // `odr evidence download <name> -f <path>` as `who`; the bytes saved ("" if it failed).
  std::string Download(const std::string& who, const std::string& name) {
    const std::string path = dir_.file("download-" + std::to_string(++downloads_));
    CommandResult r = Odr(who, {"evidence", "download", name, "-f", path});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    return testing::ReadFileBytes(path);
  }

  // Runs odr-verify args...
  CommandResult OdrVerify(std::vector<std::string> args) {
    args.insert(args.begin(), ODR_VERIFY_PATH);
    return testing::RunCommand(args);
  }

  // A new file `name` in the temp dir holding `bytes`; its path.
  std::string NewFile(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.file(name);
    WriteFile(path, bytes);
    return path;
  }

  testing::TempDir dir_;
  std::optional<std::string> saved_home_;
  std::string data_;
  std::map<std::string, std::string> keys_, tokens_;
  std::unique_ptr<testing::OdrdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EvidenceService::Stub> evidence_;
  std::string case_;
  int downloads_ = 0;
};

TEST_F(EvidenceCliTest, UploadListGetAndDownload) {
  const std::string bytes = testing::RandomBytes(200'000, 1);
  const std::string path = NewFile("病历.pdf", bytes);
  json e = Upload("zhang", path);
  const std::string name = e.value("name", "");
  EXPECT_THAT(name, StartsWith(case_ + "/evidence/"));
  EXPECT_EQ(e.value("fileName", ""), "病历.pdf");
  EXPECT_EQ(e.value("mediaType", ""), "application/pdf");  // from the extension
  EXPECT_EQ(e.value("sizeBytes", ""), "200000");
  EXPECT_EQ(e.value("sha256", ""), testing::Sha256Hex(bytes));
  EXPECT_EQ(e.value("uploader", ""), "principals/zhang");
  EXPECT_EQ(e.value("state", ""), "STATE_ACTIVE");
  EXPECT_EQ(e.value("visibility", ""), "VISIBILITY_ALL_PARTIES");

  EXPECT_THAT(Names(OdrJson("zhang", {"evidence", "list", case_})), ElementsAre(name));
  const std::string case_id = case_.substr(std::string("cases/").size());
  EXPECT_THAT(Names(OdrJson("li", {"evidence", "list", case_id})), ElementsAre(name));
  EXPECT_EQ(OdrJson("li", {"evidence", "get", name}), e);

  // The other party downloads the very bytes; nothing is left beside the file.
  const std::string out = dir_.file("out.pdf");
  CommandResult r = Odr("li", {"evidence", "download", name, "-f", out});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(testing::ReadFileBytes(out), bytes);
  EXPECT_FALSE(fs::exists(out + ".part"));
  // An existing file is not overwritten without --force.
  WriteFile(out, "mine");
  r = Odr("li", {"evidence", "download", name, "-f", out});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--force"));
  EXPECT_EQ(testing::ReadFileBytes(out), "mine");
  r = Odr("li", {"evidence", "download", name, "-f", out, "--force"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(testing::ReadFileBytes(out), bytes);

  // An extension odr does not know needs --media-type: a usage error, nothing sent.
  const std::string notes = NewFile("notes.xyz", testing::RandomBytes(20'000, 2));
  r = Odr("zhang", {"evidence", "upload", case_, notes});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("--media-type"));
  EXPECT_THAT(Names(OdrJson("zhang", {"evidence", "list", case_})), ElementsAre(name));
  json typed = Upload("zhang", notes, {"--media-type", "text/plain"});
  EXPECT_EQ(typed.value("mediaType", ""), "text/plain");
  EXPECT_THAT(Names(OdrJson("li", {"evidence", "list", case_})),
              ElementsAre(name, typed.value("name", "")));

  // Someone of no part in the case: not found (exit 3), nothing written.
  r = Odr("wang", {"evidence", "list", case_});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_THAT(r.out, IsEmpty());
  const std::string theirs = dir_.file("wang.pdf");
  r = Odr("wang", {"evidence", "download", name, "-f", theirs});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_FALSE(fs::exists(theirs));
  EXPECT_FALSE(fs::exists(theirs + ".part"));
}

// Issue 17 item 7: the name a party chose for its evidence is never used as it is for a file on
// the other side's disk. odrd refuses hidden, option-like and control-character names at upload
// (odr refuses them before sending anything); records made before that rule are downloaded under a
// safe name; and no download replaces an existing file without --force.
TEST_F(EvidenceCliTest, HostileFileNamesAreRefusedAtUploadAndMadeSafeAtDownload) {
  const std::string hostile[] = {".bashrc", "-rf", "a\rb.txt"};

  // odrd: INVALID_ARGUMENT naming start.evidence.file_name, whatever the client.
  const std::string small = testing::RandomBytes(1000, 60);
  for (const std::string& file_name : hostile) {
    v1::UploadEvidenceRequest req;
    v1::UploadEvidenceStart* start = req.mutable_start();
    start->set_parent(case_);
    start->set_upload_id("hostile-name");
    start->mutable_evidence()->set_file_name(file_name);
    start->mutable_evidence()->set_media_type("text/plain");
    start->mutable_evidence()->set_visibility(v1::Evidence::VISIBILITY_ALL_PARTIES);
    start->set_size_bytes(static_cast<int64_t>(small.size()));
    start->set_sha256(testing::Sha256Hex(small));
    req.set_write_offset(0);
    req.set_data(small);
    req.set_finish_write(true);
    v1::UploadEvidenceResponse resp;
    auto ctx = As("zhang");
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    writer->Write(req);
    writer->WritesDone();
    grpc::Status st = writer->Finish();
    EXPECT_EQ(st.error_code(), grpc::INVALID_ARGUMENT) << file_name << ": " << st.error_message();
    EXPECT_THAT(testing::ViolatedFields(st), ElementsAre("start.evidence.file_name")) << file_name;
  }

  // odr: a usage error naming the field, before the file is read or anything sent; the name is
  // shown escaped.
  for (const std::string& file_name : hostile) {
    const std::string path = NewFile(file_name, small);
    CommandResult r =
        Odr("zhang", {"evidence", "upload", case_, path, "--media-type", "text/plain"});
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_THAT(r.err, HasSubstr("start.evidence.file_name")) << file_name;
    EXPECT_EQ(r.err.find('\r'), std::string::npos) << Describe(r);
  }
  CommandResult r = Odr(
      "zhang", {"evidence", "upload", case_, dir_.file("a\rb.txt"), "--media-type", "text/plain"});
  EXPECT_THAT(r.err, HasSubstr("'a\\rb.txt'"));
  EXPECT_THAT(Names(OdrJson("zhang", {"evidence", "list", case_})), IsEmpty());

  // A record made before the rule: its stored name is changed behind odrd's back, as an older
  // odrd would have stored it.
  const std::string bytes = testing::RandomBytes(70'000, 61);
  const std::string name = Upload("zhang", NewFile("scan.pdf", bytes)).value("name", "");
  ASSERT_THAT(name, StartsWith(case_ + "/evidence/"));
  const std::string id = name.substr(name.rfind('/') + 1);
  auto store_name = [&](const std::string& sql_expression) {
    CommandResult q =
        testing::RunCommand({"/usr/bin/sqlite3", "-cmd", ".timeout 10000", data_ + "/odr.db",
                             "UPDATE evidence SET file_name = " + sql_expression + " WHERE id = '" +
                                 id + "'; SELECT changes();"});
    ASSERT_EQ(q.exit_code, 0) << Describe(q);
    ASSERT_EQ(q.out, "1\n") << Describe(q);
  };
  const std::vector<std::pair<std::string, std::string>> stored_and_safe = {
      {"'.bashrc'", "_.bashrc"},
      {"'-rf'", "_-rf"},
      {"'../../.profile'", "_.profile"},
      {"'x' || char(13) || char(27) || '[2J' || char(8238) || 'fdp.exe'", "x__[2J_fdp.exe"},
      {"''", id},
  };
  int n = 0;
  for (const auto& [stored, safe] : stored_and_safe) {
    SCOPED_TRACE(stored);
    store_name(stored);
    const std::string dir = dir_.file("downloads-" + std::to_string(++n));
    fs::create_directories(dir);
    ScopedWorkingDir cwd(dir);
    CommandResult d = Odr("li", {"evidence", "download", name});
    ASSERT_EQ(d.exit_code, 0) << Describe(d);
    EXPECT_THAT(d.err, HasSubstr("Saved " + safe + " ("));
    EXPECT_THAT(Entries(dir), ElementsAre(safe));
    EXPECT_EQ(testing::ReadFileBytes(dir + "/" + safe), bytes);
  }

  // A second download does not replace the file without --force (exit 2, nothing written), and
  // does with it.
  store_name("'.bashrc'");
  const std::string dir = dir_.file("downloads-1");
  ScopedWorkingDir cwd(dir);
  WriteFile(dir + "/_.bashrc", "mine");
  r = Odr("li", {"evidence", "download", name});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.err, AllOf(HasSubstr("_.bashrc exists"), HasSubstr("--force")));
  EXPECT_EQ(testing::ReadFileBytes(dir + "/_.bashrc"), "mine");
  EXPECT_THAT(Entries(dir), ElementsAre("_.bashrc"));
  r = Odr("li", {"evidence", "download", name, "--force"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(testing::ReadFileBytes(dir + "/_.bashrc"), bytes);
  EXPECT_THAT(Entries(dir), ElementsAre("_.bashrc"));
}

TEST_F(EvidenceCliTest, UploadResumesWhereAnUnfinishedStreamStopped) {
  const std::string bytes = testing::RandomBytes(1'000'000, 3);
  const std::string path = NewFile("录音.mp3", bytes);
  // Five chunks through the stub, under the upload id the command will get, and the stream
  // ends without finish_write: odrd keeps them for resuming.
  v1::UploadEvidenceStart start;
  start.set_parent(case_);
  start.set_upload_id("resume-me");
  start.mutable_evidence()->set_file_name("录音.mp3");
  start.mutable_evidence()->set_media_type("audio/mpeg");  // what odr guesses from .mp3
  start.mutable_evidence()->set_visibility(v1::Evidence::VISIBILITY_ALL_PARTIES);
  start.set_size_bytes(static_cast<int64_t>(bytes.size()));
  start.set_sha256(testing::Sha256Hex(bytes));
  {
    v1::UploadEvidenceResponse resp;
    auto ctx = As("zhang");
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = start;
    for (int64_t at = 0; at < 5 * kChunk; at += kChunk) {
      req.set_write_offset(at);
      req.set_data(bytes.substr(at, kChunk));
      ASSERT_TRUE(writer->Write(req));
      req.clear_start();
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    ASSERT_THAT(s, IsOk()) << s.error_message();
    ASSERT_EQ(resp.committed_size(), 5 * kChunk);
    ASSERT_FALSE(resp.has_evidence());
  }
  v1::QueryUploadStatusRequest query;
  query.set_upload_id("resume-me");
  v1::QueryUploadStatusResponse status;
  ASSERT_THAT(evidence_->QueryUploadStatus(As("zhang").get(), query, &status), IsOk());
  ASSERT_EQ(status.committed_size(), 5 * kChunk);
  ASSERT_FALSE(status.complete());

  // odrd takes the rest only at write_offset 5 * 64 KiB: the command resumes there.
  json e = Upload("zhang", path, {"--upload-id", "resume-me"});
  const std::string name = e.value("name", "");
  ASSERT_THAT(name, StartsWith(case_ + "/evidence/"));
  EXPECT_EQ(e.value("sha256", ""), testing::Sha256Hex(bytes));
  EXPECT_EQ(e.value("sizeBytes", ""), "1000000");
  EXPECT_EQ(Download("li", name), bytes);
  ASSERT_THAT(evidence_->QueryUploadStatus(As("zhang").get(), query, &status), IsOk());
  EXPECT_TRUE(status.complete());
  EXPECT_EQ(status.evidence().name(), name);

  // The same command again prints the same evidence, and makes no more.
  EXPECT_EQ(Upload("zhang", path, {"--upload-id", "resume-me"}), e);
  EXPECT_THAT(Names(OdrJson("zhang", {"evidence", "list", case_})), ElementsAre(name));

  // Without --upload-id the id is derived from the case and the file: the second run finds the
  // first's upload finished and prints its evidence.
  json first = Upload("zhang", path);
  json second = Upload("zhang", path);
  const std::string derived = first.value("name", "");
  EXPECT_THAT(derived, StartsWith(case_ + "/evidence/"));
  EXPECT_NE(derived, name);
  EXPECT_EQ(second.value("name", ""), derived);
  EXPECT_EQ(second, first);
  EXPECT_THAT(Names(OdrJson("li", {"evidence", "list", case_})), ElementsAre(name, derived));
}

TEST_F(EvidenceCliTest, ProofVerifiesOfflineAndEveryTamperingIsRefused) {
  std::vector<std::string> files, contents, names;
  for (int i = 0; i < 3; ++i) {
    contents.push_back(testing::RandomBytes(5'000 + 70'000 * i, 10 + i));
    files.push_back(NewFile("scan" + std::to_string(i) + ".pdf", contents.back()));
    names.push_back(Upload(i == 1 ? "li" : "zhang", files.back()).value("name", ""));
  }
  // Entry 1 of 3: its inclusion path has two hashes.
  const std::string file = files[1], name = names[1];
  const std::string proof = dir_.file("p.json");
  CommandResult r = Odr("zhang", {"evidence", "proof", name, "-f", proof});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string key = dir_.file("key.txt"), cp = dir_.file("cp.txt");
  json checkpoint = OdrJson("li", {"evidence", "checkpoint", "--key-file", key, "-f", cp});

  // The key odrd serves is the one its operator pins.
  const std::string pinned = testing::OdrdAdmin(data_, {"log-key"});
  EXPECT_THAT(pinned, StartsWith(std::string(kLogOrigin) + "+"));
  EXPECT_EQ(std::string(absl::StripAsciiWhitespace(testing::ReadFileBytes(key))), pinned);
  EXPECT_EQ(checkpoint.value("verifierKey", ""), pinned);
  EXPECT_EQ(testing::ReadFileBytes(cp), checkpoint.value("checkpoint", ""));
  EXPECT_THAT(testing::ReadFileBytes(cp), StartsWith(std::string(kLogOrigin) + "\n3\n"));

  const json p = json::parse(testing::ReadFileBytes(proof), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(p.is_discarded()) << testing::ReadFileBytes(proof);
  EXPECT_EQ(p.value("evidence", ""), name);
  EXPECT_EQ(p.value("leafIndex", ""), "1");
  EXPECT_EQ(p.value("treeSize", ""), "3");
  ASSERT_EQ(p.value("inclusionPath", json::array()).size(), 2u);
  EXPECT_THAT(p.value("leafData", ""),
              HasSubstr("sha256: " + testing::Sha256Hex(contents[1]) + "\n"));

  // odr-verify and `odr evidence verify` agree on every input.
  auto verify = [&](const std::string& f, const std::string& proof_path, const std::string& k) {
    CommandResult a = OdrVerify({"evidence", "--file", f, "--proof", proof_path, "--key", k});
    CommandResult b = Odr("", {"evidence", "verify", f, "--proof", proof_path, "--key", k});
    return std::make_pair(a, b);
  };
  auto [verified, verified_by_odr] = verify(file, proof, key);
  EXPECT_EQ(verified.exit_code, 0) << Describe(verified);
  EXPECT_THAT(verified.out, StartsWith("VERIFIED: " + file + " is " + name));
  EXPECT_EQ(verified_by_odr.exit_code, 0) << Describe(verified_by_odr);
  EXPECT_THAT(verified_by_odr.out, StartsWith("VERIFIED: "));
  // Another file is not this evidence, though its proof holds.
  EXPECT_EQ(verify(files[0], proof, key).first.exit_code, 1);

  // Refused by both, for the reason `why` (so that the tampering, not a slip of this test, is
  // what they refuse).
  int n = 0;
  auto expect_refused = [&](const std::string& what, const std::string& why, const std::string& f,
                            const std::string& proof_path, const std::string& k) {
    auto [a, b] = verify(f, proof_path, k);
    EXPECT_EQ(a.exit_code, 1) << what << ": odr-verify " << Describe(a);
    EXPECT_THAT(a.err, AllOf(StartsWith("NOT VERIFIED: "), HasSubstr(why))) << what;
    EXPECT_THAT(a.out, Not(HasSubstr("VERIFIED"))) << what;
    EXPECT_EQ(b.exit_code, 1) << what << ": odr evidence verify " << Describe(b);
    EXPECT_THAT(b.err, AllOf(HasSubstr("NOT VERIFIED: "), HasSubstr(why))) << what;
  };
  auto tampered_proof = [&](const std::string& what, const std::string& why, const json& changed) {
    ASSERT_NE(changed, p) << what << ": nothing was changed";
    const std::string path = dir_.file("tampered-" + std::to_string(++n) + ".json");
    WriteFile(path, changed.dump(2));
    expect_refused(what, why, file, path, key);
  };
  constexpr char kNotInLog[] = "the record is not in the log";
  constexpr char kNotSigned[] = "the checkpoint is not signed by the log key";

  // One flipped byte in the file.
  std::string damaged = contents[1];
  damaged[40'000] ^= 0x20;
  expect_refused("a flipped byte in the file", "the file's SHA-256 is",
                 NewFile("damaged.pdf", damaged), proof, key);

  // One changed hex digit of the leaf's SHA-256 (the file does not match it any more), and one
  // changed digit of its time (only the inclusion proof catches that).
  for (const auto& [line, why] :
       {std::pair<std::string, std::string>{"sha256: ", "the log recorded"},
        {"time: ", kNotInLog}}) {
    json changed = p;
    std::string leaf = p.value("leafData", "");
    const size_t at = leaf.find("\n" + line);
    ASSERT_NE(at, std::string::npos) << leaf;
    char& c = leaf[at + 1 + line.size() + 3];  // a hex digit, or the year's last digit
    ASSERT_TRUE(absl::ascii_isxdigit(c)) << leaf;
    c = c == '0' ? '1' : '0';
    changed["leafData"] = leaf;
    tampered_proof("leaf_data's " + line + "line changed", why, changed);
  }

  // One flipped bit in either hash of the inclusion path.
  for (size_t i = 0; i < 2; ++i) {
    json changed = p;
    changed["inclusionPath"][i] = FlipBitInBase64(p["inclusionPath"][i].get<std::string>(), 7);
    tampered_proof("inclusion path " + std::to_string(i) + " changed", kNotInLog, changed);
  }

  // The checkpoint: another root (still 32 bytes), or one character of its signature changed.
  const std::string note = p.value("checkpoint", "");
  std::vector<std::string> lines = absl::StrSplit(note, '\n');
  ASSERT_GE(lines.size(), 5u) << note;
  {
    json changed = p;
    std::vector<std::string> other = lines;
    other[2] = FlipBitInBase64(lines[2], 0);
    changed["checkpoint"] = absl::StrJoin(other, "\n");
    tampered_proof("the checkpoint's root changed", kNotSigned, changed);
  }
  {
    json changed = p;
    std::vector<std::string> other = lines;
    std::string& signature = other[4];  // "— <origin> <base64(key hash || signature)>"
    ASSERT_THAT(signature, StartsWith("— " + std::string(kLogOrigin) + " ")) << note;
    char& c = signature[signature.rfind(' ') + 1 + 40];
    c = c == 'A' ? 'B' : 'A';
    changed["checkpoint"] = absl::StrJoin(other, "\n");
    tampered_proof("a character of the checkpoint's signature changed", kNotSigned, changed);
  }

  // Another log's key (a second odrd data dir), or the pinned key with one character changed.
  const std::string other_key = testing::OdrdAdmin(OtherLog("other-data"), {"log-key"});
  ASSERT_NE(other_key, pinned);
  expect_refused("another log's key", kNotSigned, file, proof,
                 NewFile("other-key.txt", other_key + "\n"));
  std::string bent_key = pinned;
  char& k = bent_key[bent_key.size() - 10];
  k = k == 'A' ? 'B' : 'A';
  expect_refused("a changed key", "the log key is not valid", file, proof, bent_key);

  // Another leaf index, another tree size.
  for (const std::string index : {"0", "2"}) {
    json changed = p;
    changed["leafIndex"] = index;
    tampered_proof("leafIndex " + index, kNotInLog, changed);
  }
  for (const std::string size : {"2", "4"}) {
    json changed = p;
    changed["treeSize"] = size;
    tampered_proof("treeSize " + size, "not for the checkpoint's tree size", changed);
  }

  // The untouched proof still verifies.
  EXPECT_EQ(verify(file, proof, key).first.exit_code, 0);
}

TEST_F(EvidenceCliTest, ConsistencyOfSavedCheckpointsVerifiesOffline) {
  auto upload = [&](int i) {
    Upload("zhang",
           NewFile("file" + std::to_string(i) + ".pdf", testing::RandomBytes(3000 + i, 40 + i)));
  };
  upload(0);
  upload(1);
  const std::string key = dir_.file("key.txt");
  const std::string a = dir_.file("a.txt"), b = dir_.file("b.txt"), proof = dir_.file("c.json");
  OdrJson("li", {"evidence", "checkpoint", "-f", a, "--key-file", key});
  for (int i = 2; i < 5; ++i) upload(i);
  OdrJson("li", {"evidence", "checkpoint", "-f", b});
  CommandResult r =
      Odr("wang", {"evidence", "consistency", "--from", "2", "--to", "5", "-f", proof});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(testing::ReadFileBytes(a), StartsWith(std::string(kLogOrigin) + "\n2\n"));
  EXPECT_THAT(testing::ReadFileBytes(b), StartsWith(std::string(kLogOrigin) + "\n5\n"));
  const json c = json::parse(testing::ReadFileBytes(proof), nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(c.is_discarded()) << testing::ReadFileBytes(proof);
  EXPECT_EQ(c.value("fromTreeSize", ""), "2");
  EXPECT_EQ(c.value("toTreeSize", ""), "5");
  const json hashes = c.value("hashes", json::array());
  ASSERT_FALSE(hashes.empty());

  auto consistency = [&](const std::string& old_cp, const std::string& new_cp,
                         const std::string& proof_path, const std::string& k) {
    return OdrVerify(
        {"consistency", "--old", old_cp, "--new", new_cp, "--proof", proof_path, "--key", k});
  };
  auto expect_refused = [&](const std::string& what, const std::string& why,
                            const CommandResult& result) {
    EXPECT_EQ(result.exit_code, 1) << what << ": " << Describe(result);
    EXPECT_THAT(result.err, AllOf(StartsWith("NOT VERIFIED: "), HasSubstr(why))) << what;
  };
  r = consistency(a, b, proof, key);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.out, StartsWith("VERIFIED: the log at 5 entries extends the log at 2 entries"));

  expect_refused("old and new swapped", "not between the two checkpoints' sizes",
                 consistency(b, a, proof, key));
  // A flipped byte in any hash of the proof.
  for (size_t i = 0; i < hashes.size(); ++i) {
    json changed = c;
    changed["hashes"][i] = FlipBitInBase64(hashes[i].get<std::string>(), 31);
    const std::string path = dir_.file("c" + std::to_string(i) + ".json");
    WriteFile(path, changed.dump(2));
    expect_refused("hash " + std::to_string(i) + " flipped",
                   "the newer log does not extend the older one", consistency(a, b, path, key));
  }

  // The newer checkpoint's body signed by another log's key, from a second odrd data dir.
  const std::string other_data = OtherLog("other-data");
  const std::string other_key = testing::OdrdAdmin(other_data, {"log-key"});
  ASSERT_NE(other_key, std::string(absl::StripAsciiWhitespace(testing::ReadFileBytes(key))));
  auto other = transparency::NoteSigner::LoadOrCreate(other_data + "/evidence/log-signing-key.pem",
                                                      kLogOrigin);
  ASSERT_THAT(other, IsOk()) << other.status();
  ASSERT_EQ(other->VerifierKey(), other_key);  // odrd's key file, not a new one
  auto resign = [&](const std::string& note, const std::string& path) {
    auto signed_note = other->Sign(NoteBody(note));
    ASSERT_THAT(signed_note, IsOk()) << signed_note.status();
    WriteFile(path, *signed_note);
  };
  const std::string a_other = dir_.file("a-other.txt"), b_other = dir_.file("b-other.txt");
  resign(testing::ReadFileBytes(a), a_other);
  resign(testing::ReadFileBytes(b), b_other);
  expect_refused("the newer checkpoint signed by another key",
                 "the newer checkpoint is not signed by the log key",
                 consistency(a, b_other, proof, key));
  expect_refused("the older checkpoint signed by another key",
                 "the older checkpoint is not signed by the log key",
                 consistency(a_other, b, proof, key));
  expect_refused("checked against another key", "is not signed by the log key",
                 consistency(a, b, proof, other_key));
  // Both signed by the other key and checked against it: the notes themselves are well formed.
  r = consistency(a_other, b_other, proof, other_key);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

TEST_F(EvidenceCliTest, OnlyTheUploaderWithdraws) {
  const std::string bytes = testing::RandomBytes(30'000, 50);
  const std::string name = Upload("zhang", NewFile("照片.jpg", bytes)).value("name", "");
  ASSERT_THAT(name, StartsWith(case_ + "/evidence/"));

  // The other party sees it but may not withdraw it (PERMISSION_DENIED: exit 1); someone of no
  // part in the case does not find it (exit 3).
  CommandResult r = Odr("li", {"evidence", "withdraw", name, "--reason", "不是我的"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_THAT(r.err, HasSubstr("only the uploader"));
  r = Odr("wang", {"evidence", "withdraw", name, "--reason", "不是我的"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(OdrJson("li", {"evidence", "get", name}).value("state", ""), "STATE_ACTIVE");

  json w = OdrJson("zhang", {"evidence", "withdraw", name, "--reason", "上传错了文件"});
  EXPECT_EQ(w.value("name", ""), name);
  EXPECT_EQ(w.value("state", ""), "STATE_WITHDRAWN");
  EXPECT_EQ(w.value("withdrawReason", ""), "上传错了文件");
  EXPECT_TRUE(w.contains("withdrawTime"));
  EXPECT_EQ(OdrJson("li", {"evidence", "get", name}).value("state", ""), "STATE_WITHDRAWN");
  EXPECT_THAT(Names(OdrJson("li", {"evidence", "list", case_})), IsEmpty());
  EXPECT_THAT(Names(OdrJson("li", {"evidence", "list", case_, "--show-withdrawn"})),
              ElementsAre(name));
  // Its bytes are no longer served, and it cannot be withdrawn twice.
  const std::string out = dir_.file("out.jpg");
  r = Odr("zhang", {"evidence", "download", name, "-f", out});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".part"));
  r = Odr("zhang", {"evidence", "withdraw", name, "--reason", "again"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
}

}  // namespace
}  // namespace odr
