// Upload chunk reassembly: the chunk rules (server/domain/evidence.h, CheckChunk) and the sealed
// staging files an upload is written to (storage/blob_store.h OpenStaging, storage/sealed_blob.h),
// the way EvidenceService drives them. The input gives a file and a script: chunks of chosen
// sizes, streams that end early (sync, then resume), staging files damaged in between (truncated,
// a byte changed, bytes appended). Invariants: CheckChunk accepts exactly the chunks its rule
// allows; a resumed upload replays exactly a prefix of what was written (never other bytes) and
// resumes from its end; the finished blob reads back as the input with the same SHA-256; a blob
// with any byte changed reads as an error, never as other bytes.
//
// Input layout: byte 0 picks the mode (upload script, or CheckChunk alone); the rest drives it.
#include <fuzzer/FuzzedDataProvider.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/domain/evidence.h"
#include "server/transparency/merkle.h"
#include "storage/blob_store.h"
#include "storage/sealed_blob.h"
#include "tests/fuzz/fuzz_util.h"

namespace odr::fuzz {
namespace {

using domain::EvidenceLimits;
using storage::kRecordPlaintextSize;

// Deterministic randomness (keys and nonces), so that a crash reproduces: splitmix64.
class CounterRandom final : public storage::RandomSource {
 public:
  absl::Status Fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      if (i % 8 == 0) {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        word_ = z ^ (z >> 31);
      }
      out[i] = static_cast<uint8_t>(word_ >> (8 * (i % 8)));
    }
    return absl::OkStatus();
  }

 private:
  uint64_t state_ = 0;
  uint64_t word_ = 0;
};

struct Store {
  ScratchDir dir;
  CounterRandom random;
  std::unique_ptr<storage::BlobStore> blobs;
  uint64_t uploads = 0;
};
Store* store = nullptr;

constexpr char kPrincipal[] = "fuzz-principal";

// The rule CheckChunk implements, restated: at most 64 KiB, not past the declared size, and under
// 16 KiB only as the last chunk.
bool ChunkAllowed(int64_t at, size_t n, int64_t declared) {
  if (n > EvidenceLimits::kMaxChunkBytes) return false;
  if (static_cast<int64_t>(n) > declared - at) return false;
  if (n > 0 && n < EvidenceLimits::kMinChunkBytes && at + static_cast<int64_t>(n) != declared) {
    return false;
  }
  return true;
}

void CheckChunkRule(int64_t at, size_t n, int64_t declared) {
  Check(domain::CheckChunk(at, n, declared).empty() == ChunkAllowed(at, n, declared),
        "CheckChunk disagrees with the chunk rule");
}

// Damages the file at `path` as the input says: truncates it, changes a byte, or appends bytes.
void Damage(const std::string& path, FuzzedDataProvider* in) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  switch (in->ConsumeIntegralInRange(0, 2)) {
    case 0:
      Check(::truncate(path.c_str(), in->ConsumeIntegralInRange<uint64_t>(0, size)) == 0,
            "truncate");
      break;
    case 1: {
      if (size == 0) return;
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      const uint64_t at = in->ConsumeIntegralInRange<uint64_t>(0, size - 1);
      f.seekg(static_cast<std::streamoff>(at));
      char c = 0;
      f.get(c);
      f.seekp(static_cast<std::streamoff>(at));
      f.put(static_cast<char>(c ^ (1 | in->ConsumeIntegral<uint8_t>())));
      break;
    }
    default: {
      std::ofstream f(path, std::ios::app | std::ios::binary);
      f << in->ConsumeBytesAsString(in->ConsumeIntegralInRange(1, 100));
      break;
    }
  }
}

std::string HexSha256(absl::string_view data) {
  const transparency::Hash h = transparency::Sha256(data);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(h.data()), 32));
}

// The file: `size` bytes from a pattern in the input, varied by position so records differ.
std::string MakeFile(size_t size, const std::string& pattern) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    const uint8_t p = pattern.empty() ? 0 : static_cast<uint8_t>(pattern[i % pattern.size()]);
    out[i] = static_cast<char>(p ^ static_cast<uint8_t>((i >> 9) * 131 + (i >> 16)));
  }
  return out;
}

// Reads the whole blob `sha`; an error, or its bytes.
absl::StatusOr<std::string> ReadBlob(const std::string& sha) {
  auto reader = store->blobs->OpenBlob(sha);
  if (!reader.ok()) return reader.status();
  std::string out;
  while (out.size() < (*reader)->size()) {
    const size_t before = out.size();
    if (absl::Status s = (*reader)->Read(out.size(), 50000, &out); !s.ok()) return s;
    Check(out.size() > before, "Read made no progress before the end");
  }
  std::string more;
  if (absl::Status s = (*reader)->Read(out.size(), 10, &more); !s.ok()) return s;
  Check(more.empty(), "Read returned bytes past the end");
  return out;
}

void Upload(FuzzedDataProvider* in) {
  const size_t size = in->ConsumeIntegralInRange<size_t>(0, 3 * kRecordPlaintextSize + 5000);
  const std::string file = MakeFile(size, in->ConsumeBytesAsString(in->ConsumeIntegral<uint8_t>()));
  const std::string sha = HexSha256(file);
  const int64_t declared = static_cast<int64_t>(size);
  const std::string upload_id = absl::StrCat("u", ++store->uploads);
  const std::string staging = store->blobs->StagingPath(kPrincipal, upload_id);

  // What the service hashes: the bytes replayed on resume, then the chunks appended.
  std::string seen;
  auto open = [&]() {
    std::string replayed;
    auto w = store->blobs->OpenStaging(kPrincipal, upload_id, sha, [&](absl::string_view p) {
      replayed.append(p.data(), p.size());
    });
    Check(w.ok(), "OpenStaging failed on a damaged or fresh staging file");
    const uint64_t at = (*w)->size();
    Check(at % kRecordPlaintextSize == 0, "a resumed upload does not end on a record");
    if (at > 0) {
      Check(replayed.size() == at, "resume replayed other than its size");
      Check(replayed == file.substr(0, at), "resume replayed bytes that were not written");
    }
    seen = file.substr(0, at);
    return *std::move(w);
  };
  std::unique_ptr<storage::SealedBlobWriter> writer = open();

  for (int steps = 0; static_cast<int64_t>(writer->size()) < declared || steps == 0; ++steps) {
    const int64_t at = static_cast<int64_t>(writer->size());
    if (steps > 200 || in->remaining_bytes() == 0) {
      // Out of script: the rest in maximal chunks.
      while (static_cast<int64_t>(writer->size()) < declared) {
        const int64_t pos = static_cast<int64_t>(writer->size());
        const size_t n =
            static_cast<size_t>(std::min<int64_t>(declared - pos, EvidenceLimits::kMaxChunkBytes));
        Check(domain::CheckChunk(pos, n, declared).empty(), "a maximal chunk is refused");
        Check(writer->Append(absl::string_view(file).substr(pos, n)).ok(), "Append");
        seen.append(file, pos, n);
      }
      break;
    }
    switch (in->ConsumeIntegralInRange(0, 5)) {
      case 0: {  // the stream ends: sync, maybe damage the file, resume
        Check(writer->Sync().ok(), "Sync");
        const uint64_t durable = writer->durable_size();
        Check(durable == static_cast<uint64_t>(at) / kRecordPlaintextSize * kRecordPlaintextSize,
              "durable_size is not the whole records written");
        writer.reset();
        const bool damaged = in->ConsumeBool();
        if (damaged) Damage(staging, in);
        writer = open();
        if (!damaged) Check(writer->size() == durable, "an undamaged upload lost bytes on resume");
        Check(writer->size() <= durable, "resume went past the durable size");
        break;
      }
      case 1: {  // a chunk of any size: refused or appended, as the rule says
        const size_t n = in->ConsumeIntegralInRange<size_t>(0, EvidenceLimits::kMaxChunkBytes + 2);
        CheckChunkRule(at, n, declared);
        if (!ChunkAllowed(at, n, declared)) break;
        Check(writer->Append(absl::string_view(file).substr(at, n)).ok(), "Append");
        seen.append(file, at, n);
        break;
      }
      default: {  // a chunk the client would send: 16-64 KiB, or the rest
        const int64_t left = declared - at;
        size_t n = in->ConsumeIntegralInRange<size_t>(EvidenceLimits::kMinChunkBytes,
                                                      EvidenceLimits::kMaxChunkBytes);
        if (static_cast<int64_t>(n) > left) n = static_cast<size_t>(left);
        Check(domain::CheckChunk(at, n, declared).empty(), "a valid chunk is refused");
        Check(writer->Append(absl::string_view(file).substr(at, n)).ok(), "Append");
        seen.append(file, at, n);
        break;
      }
    }
  }
  Check(static_cast<int64_t>(writer->size()) == declared, "upload size");
  Check(seen == file && HexSha256(seen) == sha, "the reassembled bytes are not the file");
  Check(writer->Finish().ok(), "Finish");
  writer.reset();
  Check(store->blobs->Publish(kPrincipal, upload_id, sha).ok(), "Publish");

  auto back = ReadBlob(sha);
  Check(back.ok(), "a published blob does not read");
  Check(*back == file, "a published blob reads as other bytes");
  if (in->ConsumeBool()) {
    const std::string path = store->blobs->BlobPath(sha);
    Damage(path, in);
    auto damaged = ReadBlob(sha);
    if (damaged.ok()) {
      // Only bytes appended after the final record could go unnoticed; then the content holds.
      Check(*damaged == file, "a damaged blob reads as other bytes");
    }
  }
  std::error_code ec;
  std::filesystem::remove(store->blobs->BlobPath(sha), ec);
}

void ChunkRule(FuzzedDataProvider* in) {
  const int64_t declared = in->ConsumeIntegralInRange<int64_t>(0, int64_t{1} << 40);
  const int64_t at = in->ConsumeIntegralInRange<int64_t>(0, declared);
  CheckChunkRule(at, in->ConsumeIntegralInRange<size_t>(0, 1 << 20), declared);
  CheckChunkRule(at, in->ConsumeIntegral<uint32_t>(), declared);
}

}  // namespace
}  // namespace odr::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  using namespace odr::fuzz;
  store = new Store();
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
  auto blobs = odr::storage::BlobStore::Open(
      store->dir.file("evidence"), odr::storage::MasterKey::FromBytes(key), &store->random);
  Check(blobs.ok(), "BlobStore::Open");
  store->blobs = *std::move(blobs);
  std::atexit([] { delete store; });  // removes the scratch directory
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace odr::fuzz;
  if (size < 1) return 0;
  FuzzedDataProvider in(data + 1, size - 1);
  if (data[0] % 4 == 3) {
    ChunkRule(&in);
  } else {
    Upload(&in);
  }
  return 0;
}
