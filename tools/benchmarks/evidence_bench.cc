// Benchmark of evidence uploads (issue 5: "a 1 GiB upload over loopback with hashing, encryption
// and fsync at >= 0.25 x the raw SHA-256 rate measured in the same run; odrd RSS grows by
// < 64 MiB during the upload").
//
// 1. Measures the raw SHA-256 rate of this machine (OpenSSL EVP, 1 GiB from memory).
// 2. Starts the real odrd binary (a separate process, so its memory is its own) on 127.0.0.1:0
//    with a temp data dir, creates an organization, a citizen and a case.
// 3. Uploads --mib MiB (default 1024) through the generated stub in 64 KiB chunks: the bytes are a
//    64 MiB random buffer repeated. The time runs from the first message to the response, so it
//    covers odrd hashing, sealing (AES-256-GCM), writing, the final fsync, the rename and the
//    SQLite commit with its log entry and signed checkpoint.
// 4. Samples odrd's VmRSS every 5 ms during the upload; reports the peak minus the RSS just
//    before it (after a warm-up upload), and VmHWM.
// 5. Downloads the file back and checks its SHA-256 (reported, not a target).
//
// Prints RESULT lines; never fails on the targets (exit 1 only if the upload fails).
// Flags: --mib=N, --keep-data.
#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tools/benchmarks/bench_util.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBuffer = 64 << 20;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string HexDigest(EVP_MD_CTX* ctx) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, d, &n);
  return absl::BytesToHexString(std::string(reinterpret_cast<char*>(d), n));
}

void Check(const grpc::Status& s, const char* what) {
  if (!s.ok()) {
    std::cerr << what << " failed: " << s.error_code() << " " << s.error_message() << "\n";
    std::exit(1);
  }
}

struct UploadResult {
  double seconds = 0;
  double finish_seconds = 0;  // from the last message sent to the response
  int64_t rss_before_kib = 0;
  int64_t rss_peak_kib = 0;
};

// Uploads `total` bytes (the buffer repeated) as `upload_id`, sampling odrd's RSS meanwhile.
UploadResult Upload(odr::v1::EvidenceService::Stub* stub, const std::string& token,
                    const std::string& case_name, const std::string& upload_id,
                    const std::string& buffer, int64_t total, const std::string& sha, pid_t odrd) {
  UploadResult r;
  r.rss_before_kib = odr::bench::ProcKib(odrd, "VmRSS");
  std::atomic<bool> done{false};
  std::atomic<int64_t> peak{r.rss_before_kib};
  std::thread sampler([&] {
    while (!done) {
      int64_t kib = odr::bench::ProcKib(odrd, "VmRSS");
      if (kib > peak) peak = kib;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  odr::v1::UploadEvidenceResponse resp;
  auto ctx = odr::testing::AuthedContext(token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  odr::bench::UploadSpec spec;
  spec.case_name = case_name;
  spec.upload_id = upload_id;
  spec.buffer = buffer;
  spec.total = total;
  spec.sha256 = sha;
  const auto start = Clock::now();
  Clock::time_point sent;
  Check(odr::bench::UploadEvidence(stub, ctx.get(), spec, &resp, &sent), "upload");
  r.seconds = Seconds(Clock::now() - start);
  r.finish_seconds = Seconds(Clock::now() - sent);
  done = true;
  sampler.join();
  r.rss_peak_kib = peak;
  if (resp.evidence().sha256() != sha) {
    std::cerr << "upload recorded the wrong hash\n";
    std::exit(1);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t mib = 1024;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view a = argv[i];
    if (absl::ConsumePrefix(&a, "--mib=") && absl::SimpleAtoi(a, &mib) && mib > 0) continue;
    if (a == "--keep-data") {
      keep = true;
      continue;
    }
    std::cerr << "usage: odr_bench_evidence [--mib=N] [--keep-data]\n";
    return 2;
  }
  const int64_t total = mib << 20;

  std::string buffer(kBuffer, '\0');
  std::mt19937_64 rng(42);
  for (size_t i = 0; i < buffer.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(buffer.data() + i, &v, 8);
  }

  // 1. The raw SHA-256 rate: the same bytes, from memory.
  auto t0 = Clock::now();
  const std::string sha = odr::bench::Sha256OfRepeated(buffer, total);
  const double sha_rate = static_cast<double>(total) / Seconds(Clock::now() - t0) / 1e6;
  std::cout << absl::StrFormat("raw SHA-256 (OpenSSL EVP, %d MiB from memory): %.0f MB/s\n", mib,
                               sha_rate);

  // 2. odrd, an organization, a citizen and a case.
  std::string dir =
      (std::filesystem::temp_directory_path() / absl::StrCat("odr-evidence-bench-", getpid()))
          .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string data = dir + "/data";
  const std::string citizen_key = odr::testing::CreatePrincipal(
      data, "zhang", "citizen", {"--id-number", odr::testing::kIdZhang});
  const std::string admin_key = odr::testing::CreatePrincipal(data, "platform", "platform_admin");
  auto odrd = std::make_unique<odr::testing::OdrdProcess>(
      data, std::vector<std::string>{"--rate-limit", "0"});
  auto channel = grpc::CreateChannel(odrd->address(), grpc::InsecureChannelCredentials());
  const std::string token = odr::testing::IssueToken(channel, "zhang", citizen_key);
  const std::string admin = odr::testing::IssueToken(channel, "platform", admin_key);
  auto roster = odr::v1::RosterService::NewStub(channel);
  auto cases = odr::v1::CaseService::NewStub(channel);
  auto evidence = odr::v1::EvidenceService::NewStub(channel);
  odr::v1::Case c;
  {
    odr::v1::Organization o;
    Check(roster->CreateOrganization(odr::testing::AuthedContext(admin).get(),
                                     odr::testing::ZhujiOrganization("org1"), &o),
          "CreateOrganization");
    odr::v1::CreateCaseRequest req;
    *req.mutable_case_() = odr::testing::ZhangAgainstLi("org1");
    Check(cases->CreateCase(odr::testing::AuthedContext(token).get(), req, &c), "CreateCase");
  }

  // Warm-up: a small upload, so the baseline includes the threads and caches of a serving odrd.
  {
    const int64_t small = 4 << 20;
    Upload(evidence.get(), token, c.name(), "warmup", buffer.substr(0, small), small,
           odr::bench::Sha256OfRepeated(buffer.substr(0, small), small), odrd->pid());
  }

  // 3-4. The upload.
  UploadResult r = Upload(evidence.get(), token, c.name(), "big", buffer, total, sha, odrd->pid());
  const double rate = static_cast<double>(total) / r.seconds / 1e6;
  const int64_t hwm = odr::bench::ProcKib(odrd->pid(), "VmHWM");

  // 5. Download it back.
  odr::v1::ListEvidenceRequest list;
  list.set_parent(c.name());
  odr::v1::ListEvidenceResponse listed;
  Check(evidence->ListEvidence(odr::testing::AuthedContext(token).get(), list, &listed), "List");
  std::string name;
  for (const auto& e : listed.evidence()) {
    if (e.size_bytes() == total) name = e.name();
  }
  odr::v1::DownloadEvidenceRequest dl;
  dl.set_name(name);
  auto ctx = odr::testing::AuthedContext(token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  auto t1 = Clock::now();
  auto reader = evidence->DownloadEvidence(ctx.get(), dl);
  odr::v1::DownloadEvidenceResponse chunk;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  int64_t got = 0;
  while (reader->Read(&chunk)) {
    EVP_DigestUpdate(md, chunk.data().data(), chunk.data().size());
    got += static_cast<int64_t>(chunk.data().size());
  }
  Check(reader->Finish(), "download");
  const double dl_rate = static_cast<double>(got) / Seconds(Clock::now() - t1) / 1e6;
  const bool dl_ok = got == total && HexDigest(md) == sha;
  EVP_MD_CTX_free(md);

  odrd->Stop();
  if (!keep) std::filesystem::remove_all(dir);

  const double growth_mib = static_cast<double>(r.rss_peak_kib - r.rss_before_kib) / 1024;
  std::cout << absl::StrFormat(
      "upload of %d MiB: %.2f s (%.2f s after the last byte was sent), %.0f MB/s = %.2f x the "
      "raw SHA-256 rate (target >= 0.25)\n"
      "odrd RSS: %.1f MiB before, peak %.1f MiB during: growth %.1f MiB (target < 64); "
      "VmHWM %.1f MiB\n"
      "download: %.0f MB/s, SHA-256 %s\n",
      mib, r.seconds, r.finish_seconds, rate, rate / sha_rate, r.rss_before_kib / 1024.0,
      r.rss_peak_kib / 1024.0, growth_mib, hwm / 1024.0, dl_rate,
      dl_ok ? "matches" : "DOES NOT MATCH");
  std::cout << absl::StrFormat(
      "RESULT evidence_upload mib=%d seconds=%.2f rate_mb_s=%.0f sha256_mb_s=%.0f ratio=%.2f "
      "rss_growth_mib=%.1f download_mb_s=%.0f\n",
      mib, r.seconds, rate, sha_rate, rate / sha_rate, growth_mib, dl_rate);
  return dl_ok ? 0 : 1;
}
