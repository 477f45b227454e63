// Helpers shared by the benchmarks that drive the real odrd process: its memory from /proc, and
// an evidence upload stream.
#ifndef ODR_TOOLS_BENCHMARKS_BENCH_UTIL_H_
#define ODR_TOOLS_BENCHMARKS_BENCH_UTIL_H_

#include <grpcpp/grpcpp.h>
#include <openssl/evp.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "odr/v1/evidence.grpc.pb.h"

namespace odr::bench {

// The largest upload message odrd takes.
inline constexpr size_t kUploadChunk = 64 * 1024;

// A field of /proc/`pid`/status in KiB (e.g. "VmRSS", "VmHWM"); -1 if absent.
inline int64_t ProcKib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      int64_t kib = 0;
      absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(
                           absl::string_view(line).substr(field.size() + 1), "kB")),
                       &kib);
      return kib;
    }
  }
  return -1;
}

// SHA-256 (lower-case hex) of `total` bytes: `buffer` repeated.
inline std::string Sha256OfRepeated(absl::string_view buffer, int64_t total) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (int64_t at = 0; at < total; at += static_cast<int64_t>(buffer.size())) {
    EVP_DigestUpdate(ctx, buffer.data(),
                     static_cast<size_t>(std::min<int64_t>(buffer.size(), total - at)));
  }
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx, d, &n);
  EVP_MD_CTX_free(ctx);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(d), n));
}

// What one evidence upload declares and sends: `total` bytes of `buffer` repeated (its size a
// multiple of kUploadChunk), whose SHA-256 is `sha256`.
struct UploadSpec {
  std::string case_name;
  std::string upload_id;
  std::string file_name = "video.mp4";
  std::string media_type = "video/mp4";
  absl::string_view buffer;
  int64_t total = 0;
  std::string sha256;
};

// Streams `spec` in kUploadChunk messages on `ctx` (which carries the credentials) and waits for
// the answer. `sent`, if given, gets the time the last message was handed to gRPC.
inline grpc::Status UploadEvidence(v1::EvidenceService::Stub* stub, grpc::ClientContext* ctx,
                                   const UploadSpec& spec, v1::UploadEvidenceResponse* resp,
                                   std::chrono::steady_clock::time_point* sent = nullptr) {
  auto writer = stub->UploadEvidence(ctx, resp);
  v1::UploadEvidenceRequest req;
  auto* s = req.mutable_start();
  s->set_parent(spec.case_name);
  s->set_upload_id(spec.upload_id);
  s->mutable_evidence()->set_file_name(spec.file_name);
  s->mutable_evidence()->set_media_type(spec.media_type);
  s->set_size_bytes(spec.total);
  s->set_sha256(spec.sha256);
  for (int64_t at = 0; at < spec.total; at += kUploadChunk) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(kUploadChunk, spec.total - at));
    req.set_write_offset(at);
    req.set_data(spec.buffer.data() + at % spec.buffer.size(), n);
    req.set_finish_write(at + static_cast<int64_t>(n) == spec.total);
    if (!writer->Write(req, grpc::WriteOptions().set_buffer_hint())) break;
    req.clear_start();
  }
  writer->WritesDone();
  if (sent != nullptr) *sent = std::chrono::steady_clock::now();
  return writer->Finish();
}

}  // namespace odr::bench

#endif  // ODR_TOOLS_BENCHMARKS_BENCH_UTIL_H_
