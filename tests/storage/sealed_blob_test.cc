#include "storage/sealed_blob.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr::storage {
namespace {

using ::testing::HasSubstr;

// The format's layout, restated here so the tests check the documented format.
constexpr size_t kHeader = 113;
constexpr size_t kR = kRecordPlaintextSize;
constexpr size_t kSealed = kR + 28;
constexpr size_t kKeyIdOffset = 13;
constexpr size_t kBlobIdOffset = 21;
constexpr size_t kWrapOffset = 53;

// Deterministic bytes: splitmix64 over (seed, counter). Thread-safe.
class CounterRandom final : public RandomSource {
 public:
  explicit CounterRandom(uint64_t seed = 1) : state_(seed * 0x9E3779B97F4A7C15ull) {}
  absl::Status Fill(uint8_t* out, size_t n) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < n; i += 8) {
      uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      z ^= z >> 31;
      std::memcpy(out + i, &z, std::min<size_t>(8, n - i));
    }
    ++calls_;
    return absl::OkStatus();
  }
  int calls() const { return calls_; }

 private:
  std::mutex mu_;
  uint64_t state_;
  int calls_ = 0;
};

// Succeeds `ok_calls` times, then fails.
class FailingRandom final : public RandomSource {
 public:
  explicit FailingRandom(int ok_calls) : ok_calls_(ok_calls) {}
  absl::Status Fill(uint8_t* out, size_t n) override {
    if (ok_calls_-- > 0) return inner_.Fill(out, n);
    return absl::UnavailableError("entropy exhausted");
  }

 private:
  int ok_calls_;
  CounterRandom inner_{99};
};

std::string RandomBytes(size_t n, uint64_t seed) {
  CounterRandom random(seed);
  std::string s(n, '\0');
  EXPECT_THAT(random.Fill(reinterpret_cast<uint8_t*>(s.data()), n), IsOk());
  return s;
}

BlobId IdOf(absl::string_view content) {
  BlobId id;
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(content.data(), content.size(), id.data(), &len, EVP_sha256(), nullptr), 1);
  return id;
}

MasterKey TestKey(uint8_t fill = 7) {
  std::array<uint8_t, 32> k;
  k.fill(fill);
  k[0] = 1;
  return MasterKey::FromBytes(k);
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFileBytes(const std::string& path, absl::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good());
}

uint64_t FileSize(const std::string& path) { return std::filesystem::file_size(path); }

// Writes `content` as a finished blob, appending in the chunk sizes of `chunks`, cycled.
absl::Status WriteBlob(const std::string& path, const MasterKey& master, const BlobId& id,
                       absl::string_view content, RandomSource& random,
                       const std::vector<size_t>& chunks = {65536 * 4}) {
  auto writer = SealedBlobWriter::Create(path, master, id, random);
  if (!writer.ok()) return writer.status();
  size_t done = 0;
  for (size_t i = 0; done < content.size(); ++i) {
    const size_t n = std::min(chunks[i % chunks.size()], content.size() - done);
    if (absl::Status s = (*writer)->Append(content.substr(done, n)); !s.ok()) return s;
    done += n;
    if ((*writer)->size() != done) return absl::InternalError("size() does not track Append");
  }
  return (*writer)->Finish();
}

absl::Status WriteBlob(const std::string& path, const MasterKey& master, absl::string_view content,
                       uint64_t seed = 1) {
  CounterRandom random(seed);
  return WriteBlob(path, master, IdOf(content), content, random);
}

// The whole plaintext, or the error.
absl::StatusOr<std::string> ReadBlob(const std::string& path, const MasterKey& master,
                                     const BlobId& id) {
  auto reader = SealedBlobReader::Open(path, master, id);
  if (!reader.ok()) return reader.status();
  std::string out;
  if (absl::Status s = (*reader)->Read(0, std::numeric_limits<size_t>::max(), &out); !s.ok()) {
    return s;
  }
  return out;
}

// AES-256-GCM as the format documents it, independent of the implementation: returns
// ciphertext || tag.
std::string GcmSeal(absl::string_view key, absl::string_view nonce, absl::string_view aad,
                    absl::string_view plaintext) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  const auto* iv = reinterpret_cast<const unsigned char*>(nonce.data());
  std::string out(plaintext.size() + 16, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, k, iv), 1);
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                              reinterpret_cast<const unsigned char*>(aad.data()), aad.size()),
            1);
  EXPECT_EQ(
      EVP_EncryptUpdate(ctx.get(), o, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size()),
      1);
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), o + plaintext.size(), &len), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, o + plaintext.size()), 1);
  return out;
}

// Opens ciphertext || tag; nullopt if it does not authenticate.
std::optional<std::string> GcmOpen(absl::string_view key, absl::string_view nonce,
                                   absl::string_view aad, absl::string_view sealed) {
  if (sealed.size() < 16) return std::nullopt;
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  const size_t n = sealed.size() - 16;
  std::string out(n, '\0');
  std::string tag(sealed.substr(n));
  int len = 0;
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(nonce.data()));
  EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                    aad.size());
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                    reinterpret_cast<const unsigned char*>(sealed.data()), n);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, 16, tag.data());
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &len) != 1) {
    return std::nullopt;
  }
  return out;
}

// Record AAD: blob id || u64 BE index || u8 final flag.
std::string RecordAad(const BlobId& id, uint64_t index, bool final) {
  std::string aad(reinterpret_cast<const char*>(id.data()), id.size());
  for (int shift = 56; shift >= 0; shift -= 8) aad.push_back(static_cast<char>(index >> shift));
  aad.push_back(final ? 1 : 0);
  return aad;
}

std::string TestKeyBytes(uint8_t fill = 7) {
  std::string k(32, static_cast<char>(fill));
  k[0] = 1;
  return k;
}

// --- MasterKey ----------------------------------------------------------------------------------

TEST(MasterKeyTest, KeyIdIsFirstEightBytesOfDomainSeparatedSha256) {
  std::array<uint8_t, 32> k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 3 + 1);
  std::string input = "odr master key id\n";
  input.append(reinterpret_cast<const char*>(k.data()), k.size());
  const BlobId digest = IdOf(input);
  const std::string expected =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest.data()), 8));
  EXPECT_EQ(MasterKey::FromBytes(k).key_id(), expected);
  EXPECT_EQ(expected.size(), 16u);
  EXPECT_NE(TestKey(1).key_id(), TestKey(2).key_id());
  MasterKey copy = MasterKey::FromBytes(k);
  MasterKey other = copy;
  EXPECT_EQ(other.key_id(), expected);
}

TEST(MasterKeyTest, LoadOrCreateCreatesPrivateKeyFileAndReloadsIt) {
  odr::testing::TempDir dir;
  const std::string path = dir.file("master.key");
  CounterRandom random(5);
  auto created = MasterKey::LoadOrCreate(path, random);
  ASSERT_THAT(created, IsOk()) << created.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  const std::string bytes = ReadFileBytes(path);
  std::array<uint8_t, 32> raw;
  std::memcpy(raw.data(), bytes.data(), raw.size());
  EXPECT_EQ(MasterKey::FromBytes(raw).key_id(), created->key_id());
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);

  CounterRandom other_random(6);
  auto loaded = MasterKey::LoadOrCreate(path, other_random);
  ASSERT_THAT(loaded, IsOk()) << loaded.status();
  EXPECT_EQ(loaded->key_id(), created->key_id());
  EXPECT_EQ(other_random.calls(), 0);
  EXPECT_EQ(ReadFileBytes(path), bytes);

  // A blob sealed under the created key opens under the reloaded one.
  const std::string content = "statement of claim";
  ASSERT_THAT(WriteBlob(dir.file("b"), *created, content), IsOk());
  EXPECT_EQ(ReadBlob(dir.file("b"), *loaded, IdOf(content)).value_or("?"), content);
}

TEST(MasterKeyTest, LoadOrCreateLoadsAnExistingKeyFile) {
  odr::testing::TempDir dir;
  const std::string path = dir.file("k");
  std::array<uint8_t, 32> raw;
  raw.fill(0xA5);
  WriteFileBytes(path, absl::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  CounterRandom random;
  auto key = MasterKey::LoadOrCreate(path, random);
  ASSERT_THAT(key, IsOk()) << key.status();
  EXPECT_EQ(key->key_id(), MasterKey::FromBytes(raw).key_id());
}

TEST(MasterKeyTest, LoadOrCreateRefusesAKeyFileOfAnotherSize) {
  odr::testing::TempDir dir;
  for (size_t size : {0, 1, 31, 33, 64}) {
    const std::string path = dir.file("k" + std::to_string(size));
    WriteFileBytes(path, std::string(size, 'k'));
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    CounterRandom random;
    auto key = MasterKey::LoadOrCreate(path, random);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition) << size;
    EXPECT_EQ(FileSize(path), size);  // left alone
  }
}

TEST(MasterKeyTest, LoadOrCreateRefusesAKeyFileOthersCanAccess) {
  odr::testing::TempDir dir;
  for (mode_t mode : {0644, 0640, 0604, 0660, 0620, 0602, 0601}) {
    const std::string path = dir.file("k" + std::to_string(mode));
    WriteFileBytes(path, std::string(32, 'k'));
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    CounterRandom random;
    auto key = MasterKey::LoadOrCreate(path, random);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
  }
}

TEST(MasterKeyTest, LoadOrCreateRefusesADirectory) {
  odr::testing::TempDir dir;
  std::filesystem::create_directory(dir.file("d"));
  ::chmod(dir.file("d").c_str(), 0700);
  CounterRandom random;
  EXPECT_EQ(MasterKey::LoadOrCreate(dir.file("d"), random).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(MasterKeyTest, LoadOrCreateFailsWithoutRandomnessAndLeavesNoFile) {
  odr::testing::TempDir dir;
  FailingRandom random(0);
  auto key = MasterKey::LoadOrCreate(dir.file("k"), random);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(MasterKeyTest, LoadOrCreateInAMissingDirectoryFails) {
  odr::testing::TempDir dir;
  CounterRandom random;
  EXPECT_FALSE(MasterKey::LoadOrCreate(dir.file("nope/k"), random).ok());
}

TEST(OsRandomTest, FillsDistinctBytes) {
  OsRandom random;
  std::array<uint8_t, 32> a{}, b{};
  ASSERT_THAT(random.Fill(a.data(), a.size()), IsOk());
  ASSERT_THAT(random.Fill(b.data(), b.size()), IsOk());
  EXPECT_NE(a, b);
  EXPECT_THAT(random.Fill(a.data(), 0), IsOk());
}

// --- Round trips --------------------------------------------------------------------------------

using RoundTripParam = std::tuple<size_t, std::vector<size_t>>;

class RoundTripTest : public ::testing::TestWithParam<RoundTripParam> {};

TEST_P(RoundTripTest, ReadsBackWhatWasWritten) {
  const auto& [size, chunks] = GetParam();
  odr::testing::TempDir dir;
  const std::string path = dir.file("blob");
  const std::string content = RandomBytes(size, size + 11);
  const BlobId id = IdOf(content);
  const MasterKey master = TestKey();
  CounterRandom random;
  ASSERT_THAT(WriteBlob(path, master, id, content, random, chunks), IsOk());

  // Whole records, then a final record of the rest (empty when the size is a multiple of R).
  const uint64_t whole = size / kR;
  EXPECT_EQ(FileSize(path), kHeader + whole * kSealed + (size % kR) + 28);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  auto reader = SealedBlobReader::Open(path, master, id);
  ASSERT_THAT(reader, IsOk()) << reader.status();
  ASSERT_EQ((*reader)->size(), size);
  std::string all;
  ASSERT_THAT((*reader)->Read(0, size, &all), IsOk());
  ASSERT_TRUE(all == content);

  // Every record boundary, and one byte either side, with short, whole-record and spanning
  // lengths.
  for (uint64_t k = 0; k <= whole + 1; ++k) {
    for (int64_t delta : {-1, 0, 1}) {
      const int64_t start = static_cast<int64_t>(k * kR) + delta;
      if (start < 0 || static_cast<uint64_t>(start) > size) continue;
      for (size_t len : {size_t{0}, size_t{1}, size_t{2}, kR - 1, kR, kR + 1, 3 * kR + 5}) {
        std::string out = "prefix";
        ASSERT_THAT((*reader)->Read(start, len, &out), IsOk()) << start << " " << len;
        ASSERT_TRUE(out == "prefix" + content.substr(start, len)) << start << " " << len;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    SizesAndChunks, RoundTripTest,
    ::testing::Combine(::testing::Values(0, 1, 65535, 65536, 65537, 3 * 65536, (1 << 20) + 12345),
                       ::testing::Values(std::vector<size_t>{1}, std::vector<size_t>{16384},
                                         std::vector<size_t>{65536 + 3},
                                         std::vector<size_t>{7, 65536, 1, 16384, 65539, 131072},
                                         std::vector<size_t>{size_t{4} << 20})));

TEST(SealedBlobTest, ReadPastTheEndIsOutOfRangeAndAtTheEndIsEmpty) {
  odr::testing::TempDir dir;
  const std::string content = RandomBytes(70000, 3);
  const MasterKey master = TestKey();
  ASSERT_THAT(WriteBlob(dir.file("b"), master, content), IsOk());
  auto reader = SealedBlobReader::Open(dir.file("b"), master, IdOf(content));
  ASSERT_THAT(reader, IsOk()) << reader.status();
  std::string out = "x";
  EXPECT_EQ((*reader)->Read(70001, 1, &out).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ((*reader)->Read(std::numeric_limits<uint64_t>::max(), 1, &out).code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_THAT((*reader)->Read(70000, 100, &out), IsOk());
  EXPECT_THAT((*reader)->Read(69999, 0, &out), IsOk());
  EXPECT_EQ(out, "x");
  EXPECT_THAT((*reader)->Read(69990, 100, &out), IsOk());
  EXPECT_EQ(out, "x" + content.substr(69990));
}

TEST(SealedBlobTest, FileHoldsNeitherPlaintextNorDataKey) {
  odr::testing::TempDir dir;
  const std::string marker = "EVIDENCE-MARKER-7f3a9c";
  std::string content;
  while (content.size() < 200000) content += marker;
  const MasterKey master = TestKey();
  CounterRandom random(42);
  ASSERT_THAT(WriteBlob(dir.file("b"), master, IdOf(content), content, random), IsOk());
  const std::string file = ReadFileBytes(dir.file("b"));
  EXPECT_EQ(file.find(marker.substr(0, 8)), std::string::npos);
  EXPECT_EQ(file.find("EVIDENCE"), std::string::npos);
  // The first 32 bytes a fresh CounterRandom(42) yields are the data key: never stored in clear.
  const std::string dek = RandomBytes(32, 42);
  EXPECT_EQ(file.find(dek.substr(0, 16)), std::string::npos);
  EXPECT_EQ(file.find(dek.substr(16, 16)), std::string::npos);
  EXPECT_EQ(ReadBlob(dir.file("b"), master, IdOf(content)).value_or("?"), content);
}

TEST(SealedBlobTest, SameContentTwiceDiffersOnDisk) {
  odr::testing::TempDir dir;
  const std::string content = RandomBytes(3 * kR + 100, 8);
  const MasterKey master = TestKey();
  OsRandom random;
  ASSERT_THAT(WriteBlob(dir.file("a"), master, IdOf(content), content, random), IsOk());
  ASSERT_THAT(WriteBlob(dir.file("b"), master, IdOf(content), content, random), IsOk());
  const std::string a = ReadFileBytes(dir.file("a"));
  const std::string b = ReadFileBytes(dir.file("b"));
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.substr(0, kWrapOffset), b.substr(0, kWrapOffset));  // same clear header fields
  EXPECT_NE(a.substr(kWrapOffset, 60), b.substr(kWrapOffset, 60));
  for (size_t k = 0; k < 4; ++k) {
    const size_t at = kHeader + k * kSealed;
    EXPECT_NE(a.substr(at, 12), b.substr(at, 12)) << "nonce of record " << k;
    EXPECT_NE(a.substr(at + 12, 64), b.substr(at + 12, 64)) << "ciphertext of record " << k;
  }
  EXPECT_EQ(ReadBlob(dir.file("a"), master, IdOf(content)).value_or("?"), content);
  EXPECT_EQ(ReadBlob(dir.file("b"), master, IdOf(content)).value_or("?"), content);
}

// --- The documented format ----------------------------------------------------------------------

TEST(SealedBlobFormatTest, FileFollowsTheDocumentedFormat) {
  odr::testing::TempDir dir;
  const std::string content = RandomBytes(2 * kR + 5, 13);
  const BlobId id = IdOf(content);
  const MasterKey master = TestKey();
  CounterRandom random(55);
  ASSERT_THAT(WriteBlob(dir.file("b"), master, id, content, random), IsOk());
  const std::string file = ReadFileBytes(dir.file("b"));
  ASSERT_EQ(file.size(), kHeader + 2 * kSealed + 5 + 28);

  EXPECT_EQ(file.substr(0, 8), "ODRSEAL1");
  EXPECT_EQ(file[8], 1);
  EXPECT_EQ(file.substr(9, 4), std::string("\x00\x01\x00\x00", 4));
  EXPECT_EQ(absl::BytesToHexString(file.substr(kKeyIdOffset, 8)), master.key_id());
  EXPECT_EQ(file.substr(kBlobIdOffset, 32), std::string(id.begin(), id.end()));
  // The data key unwraps with the header before it as AAD; it is the first 32 random bytes.
  auto dek = GcmOpen(TestKeyBytes(), file.substr(kWrapOffset, 12), file.substr(0, kWrapOffset),
                     file.substr(kWrapOffset + 12, 48));
  ASSERT_TRUE(dek.has_value());
  EXPECT_EQ(*dek, RandomBytes(32, 55));

  for (uint64_t k = 0; k < 3; ++k) {
    const bool final = k == 2;
    const size_t at = kHeader + k * kSealed;
    const size_t n = final ? 5 : kR;
    auto plain =
        GcmOpen(*dek, file.substr(at, 12), RecordAad(id, k, final), file.substr(at + 12, n + 16));
    ASSERT_TRUE(plain.has_value()) << k;
    EXPECT_TRUE(*plain == content.substr(k * kR, n)) << k;
    EXPECT_FALSE(
        GcmOpen(*dek, file.substr(at, 12), RecordAad(id, k, !final), file.substr(at + 12, n + 16))
            .has_value());
  }
}

// The format allows a final record of a whole R bytes (this writer never makes one): readers
// read it, and Resume drops it (the upload resumes before it).
TEST(SealedBlobFormatTest, FullSizeFinalRecord) {
  odr::testing::TempDir dir;
  const std::string path = dir.file("b");
  const std::string content = RandomBytes(2 * kR, 14);
  const BlobId id = IdOf(content);
  const MasterKey master = TestKey();
  {
    CounterRandom random(66);  // its first 32 bytes become the data key
    ASSERT_THAT(SealedBlobWriter::Create(path, master, id, random), IsOk());
  }
  const std::string dek = RandomBytes(32, 66);
  std::string file = ReadFileBytes(path);
  ASSERT_EQ(file.size(), kHeader);
  for (uint64_t k = 0; k < 2; ++k) {
    const std::string nonce = RandomBytes(12, 100 + k);
    file += nonce + GcmSeal(dek, nonce, RecordAad(id, k, k == 1), content.substr(k * kR, kR));
  }
  WriteFileBytes(path, file);
  ASSERT_EQ(FileSize(path), kHeader + 2 * kSealed);

  auto read = ReadBlob(path, master, id);
  ASSERT_THAT(read, IsOk()) << read.status();
  EXPECT_TRUE(*read == content);

  // A finished file that was never published resumes without its final record: where its
  // length says (UnfinishedPlaintextSize), the client sending the last chunk again.
  CounterRandom random;
  std::string replayed;
  auto writer = SealedBlobWriter::Resume(
      path, master, id, random, [&](absl::string_view p) { replayed.append(p.data(), p.size()); });
  ASSERT_THAT(writer, IsOk()) << writer.status();
  EXPECT_EQ((*writer)->size(), kR);
  EXPECT_TRUE(replayed == content.substr(0, kR));
  EXPECT_EQ(FileSize(path), kHeader + kSealed);
}

// --- Damage -------------------------------------------------------------------------------------

class DamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    content_ = RandomBytes(2 * kR + 1000, 21);  // records: whole, whole, final of 1000 bytes
    id_ = IdOf(content_);
    ASSERT_THAT(WriteBlob(path_, master_, content_), IsOk());
    original_ = ReadFileBytes(path_);
    ASSERT_EQ(original_.size(), kHeader + 2 * kSealed + 1028);
  }

  // The file's plaintext through the reader must fail: Open or Read returns DATA_LOSS, and a
  // failed Read appends nothing. Reads of single records either fail the same way or return the
  // right bytes.
  void ExpectDataLoss(const std::string& what) {
    auto reader = SealedBlobReader::Open(path_, master_, id_);
    if (!reader.ok()) {
      EXPECT_EQ(reader.status().code(), absl::StatusCode::kDataLoss) << what << reader.status();
      return;
    }
    std::string out = "sentinel";
    const absl::Status all = (*reader)->Read(0, content_.size(), &out);
    EXPECT_THAT(all, StatusIs(absl::StatusCode::kDataLoss)) << what;
    EXPECT_TRUE(out == "sentinel") << what;
    for (uint64_t start = 0; start < (*reader)->size(); start += kR) {
      std::string part = "sentinel";
      const absl::Status s = (*reader)->Read(start, kR, &part);
      if (s.ok()) {
        EXPECT_TRUE(part == "sentinel" + content_.substr(start, kR)) << what << " at " << start;
      } else {
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss)) << what << " at " << start;
        EXPECT_TRUE(part == "sentinel") << what << " at " << start;
      }
    }
  }

  void Put(absl::string_view bytes) { WriteFileBytes(path_, bytes); }

  odr::testing::TempDir dir_;
  const std::string path_ = dir_.file("blob");
  const MasterKey master_ = TestKey();
  std::string content_;
  BlobId id_;
  std::string original_;
};

TEST_F(DamageTest, UndamagedFileReads) {
  EXPECT_EQ(ReadBlob(path_, master_, id_).value_or("?"), content_);
}

TEST_F(DamageTest, EveryFlippedByteAtEveryStructuralOffsetIsDataLoss) {
  std::vector<size_t> offsets;
  for (size_t i = 0; i < kHeader; ++i) offsets.push_back(i);  // magic .. wrap tag
  for (size_t k = 0; k < 3; ++k) {
    const size_t start = kHeader + k * kSealed;
    const size_t n = k < 2 ? kR : 1000;
    for (size_t i = 0; i < 12; ++i) offsets.push_back(start + i);  // nonce
    for (size_t i = 0; i < n; ++i) {                               // ciphertext, sampled
      if (i < 32 || i + 32 >= n || i % 251 == 0) offsets.push_back(start + 12 + i);
    }
    for (size_t i = 0; i < 16; ++i) offsets.push_back(start + 12 + n + i);  // tag
  }
  const int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (size_t offset : offsets) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      if (offset >= kHeader && mask != 0x01) continue;
      const char flipped = static_cast<char>(original_[offset] ^ mask);
      ASSERT_EQ(::pwrite(fd, &flipped, 1, offset), 1);
      ExpectDataLoss("flip at " + std::to_string(offset) + " mask " + std::to_string(mask));
      ASSERT_EQ(::pwrite(fd, &original_[offset], 1, offset), 1);
    }
  }
  ::close(fd);
  EXPECT_EQ(ReadBlob(path_, master_, id_).value_or("?"), content_);
}

TEST(SealedBlobDamageTest, EveryFlippedBitAnywhereIsDataLoss) {
  // Exhaustive over every byte of a two-record file (a whole record and a final one of 100
  // bytes), one bit per byte with the bit position varying; a lighter check than ExpectDataLoss
  // keeps this to a few seconds.
  odr::testing::TempDir dir;
  const std::string path = dir.file("b");
  const std::string content = RandomBytes(kR + 100, 23);
  const BlobId id = IdOf(content);
  const MasterKey master = TestKey();
  ASSERT_THAT(WriteBlob(path, master, content), IsOk());
  const std::string original = ReadFileBytes(path);
  ASSERT_EQ(original.size(), kHeader + kSealed + 128);
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  int failures = 0;
  for (size_t offset = 0; offset < original.size() && failures < 10; ++offset) {
    const char flipped = static_cast<char>(original[offset] ^ (1 << (offset % 8)));
    ASSERT_EQ(::pwrite(fd, &flipped, 1, offset), 1);
    auto reader = SealedBlobReader::Open(path, master, id);
    absl::Status status = reader.status();
    std::string out = "sentinel";
    if (reader.ok()) status = (*reader)->Read(0, content.size(), &out);
    if (status.code() != absl::StatusCode::kDataLoss || out != "sentinel") {
      ADD_FAILURE() << "flip at " << offset << ": " << status;
      ++failures;
    }
    ASSERT_EQ(::pwrite(fd, &original[offset], 1, offset), 1);
  }
  ::close(fd);
  EXPECT_EQ(ReadBlob(path, master, id).value_or("?"), content);
}

TEST_F(DamageTest, TruncationIsDataLoss) {
  for (size_t size :
       {size_t{0}, size_t{50}, kHeader - 1, kHeader, kHeader + 1, kHeader + 27, kHeader + kSealed,
        kHeader + kSealed + 28, kHeader + 2 * kSealed, kHeader + 2 * kSealed + 27,
        kHeader + 2 * kSealed + 28, original_.size() - 1}) {
    Put(original_.substr(0, size));
    ExpectDataLoss("truncated to " + std::to_string(size));
  }
}

TEST_F(DamageTest, DroppingTheFinalRecordOfAWholeRecordBlobIsDataLoss) {
  const std::string content = RandomBytes(2 * kR, 4);  // whole, whole, empty final
  ASSERT_THAT(WriteBlob(dir_.file("w"), master_, content), IsOk());
  const std::string file = ReadFileBytes(dir_.file("w"));
  ASSERT_EQ(file.size(), kHeader + 2 * kSealed + 28);
  WriteFileBytes(dir_.file("w"), file.substr(0, file.size() - 28));
  EXPECT_EQ(ReadBlob(dir_.file("w"), master_, IdOf(content)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DamageTest, AppendedBytesAreDataLoss) {
  const std::string final_record = original_.substr(kHeader + 2 * kSealed);
  for (const std::string& extra :
       {std::string(1, '\0'), std::string(28, 'g'), RandomBytes(kSealed, 5), final_record,
        original_.substr(kHeader, kSealed)}) {
    Put(original_ + extra);
    ExpectDataLoss("appended " + std::to_string(extra.size()));
  }
}

TEST_F(DamageTest, SwappedRecordsAreDataLoss) {
  std::string swapped = original_;
  swapped.replace(kHeader, kSealed, original_.substr(kHeader + kSealed, kSealed));
  swapped.replace(kHeader + kSealed, kSealed, original_.substr(kHeader, kSealed));
  Put(swapped);
  ExpectDataLoss("swapped");
  auto reader = SealedBlobReader::Open(path_, master_, id_);
  ASSERT_TRUE(reader.ok());  // the final record is intact
  std::string out;
  EXPECT_EQ((*reader)->Read(0, 1, &out).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ((*reader)->Read(kR, 1, &out).code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(out.empty());
  EXPECT_THAT((*reader)->Read(2 * kR, 1000, &out), IsOk());
  EXPECT_TRUE(out == content_.substr(2 * kR));
}

TEST_F(DamageTest, RecordFromAnotherBlobIsDataLoss) {
  // Same random seed, so the other blob has the very same data key and nonces: only the blob id
  // in the AAD tells its records apart.
  const std::string other = RandomBytes(content_.size(), 22);
  ASSERT_THAT(WriteBlob(dir_.file("other"), master_, other), IsOk());
  const std::string other_file = ReadFileBytes(dir_.file("other"));
  std::string mixed = original_;
  mixed.replace(kHeader, kSealed, other_file.substr(kHeader, kSealed));
  Put(mixed);
  ExpectDataLoss("record from another blob");

  // Control: with the same blob id the transplanted record would authenticate, so it is the id
  // binding that refuses it above.
  CounterRandom same_seed(1);
  ASSERT_THAT(WriteBlob(dir_.file("same-id"), master_, id_, other, same_seed), IsOk());
  std::string control = original_;
  control.replace(kHeader, kSealed, ReadFileBytes(dir_.file("same-id")).substr(kHeader, kSealed));
  Put(control);
  auto read = ReadBlob(path_, master_, id_);
  ASSERT_THAT(read, IsOk()) << read.status();
  EXPECT_TRUE(read->substr(0, kR) == other.substr(0, kR));

  // The other blob's header on this blob's records: opened under either id, it fails.
  std::string header_swap = original_;
  header_swap.replace(0, kHeader, other_file.substr(0, kHeader));
  Put(header_swap);
  EXPECT_EQ(ReadBlob(path_, master_, IdOf(other)).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ReadBlob(path_, master_, id_).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(DamageTest, AnotherBlobIdIsDataLoss) {
  BlobId wrong = id_;
  wrong[31] ^= 1;
  auto reader = SealedBlobReader::Open(path_, master_, wrong);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kDataLoss);
  // Rewriting the header's blob id to match breaks the key unwrap.
  std::string edited = original_;
  std::memcpy(edited.data() + kBlobIdOffset, wrong.data(), wrong.size());
  Put(edited);
  EXPECT_EQ(ReadBlob(path_, master_, wrong).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(DamageTest, AnotherMasterKeyIsFailedPrecondition) {
  auto reader = SealedBlobReader::Open(path_, TestKey(9), id_);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(reader.status().message(), HasSubstr("blob sealed with another master key"));
  CounterRandom random;
  auto writer = SealedBlobWriter::Resume(path_, TestKey(9), id_, random, [](absl::string_view) {});
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(DamageTest, DamagedKeyIdIsDataLossNotAnotherKey) {
  std::string edited = original_;
  edited[kKeyIdOffset + 3] ^= 0x10;
  Put(edited);
  EXPECT_EQ(SealedBlobReader::Open(path_, master_, id_).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(DamageTest, MissingFileIsNotFound) {
  EXPECT_EQ(SealedBlobReader::Open(dir_.file("absent"), master_, id_).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DamageTest, RecordsTruncatedAfterOpenAreDataLoss) {
  auto reader = SealedBlobReader::Open(path_, master_, id_);
  ASSERT_THAT(reader, IsOk());
  ASSERT_EQ(::truncate(path_.c_str(), kHeader + kSealed + kSealed / 2), 0);  // mid record 1
  std::string out = "s";
  EXPECT_THAT((*reader)->Read(0, 10, &out), IsOk());
  EXPECT_EQ((*reader)->Read(0, content_.size(), &out).code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(out == "s" + content_.substr(0, 10));
}

TEST(SealedBlobTest, UnfinishedFileIsDataLoss) {
  odr::testing::TempDir dir;
  const std::string content = RandomBytes(3 * kR, 6);
  const MasterKey master = TestKey();
  CounterRandom random;
  auto writer = SealedBlobWriter::Create(dir.file("b"), master, IdOf(content), random);
  ASSERT_THAT(writer, IsOk());
  EXPECT_EQ(ReadBlob(dir.file("b"), master, IdOf(content)).status().code(),
            absl::StatusCode::kDataLoss);  // header only
  ASSERT_THAT((*writer)->Append(content), IsOk());
  ASSERT_THAT((*writer)->Sync(), IsOk());
  EXPECT_EQ(ReadBlob(dir.file("b"), master, IdOf(content)).status().code(),
            absl::StatusCode::kDataLoss);  // whole records, no final one
}

// --- Writer -------------------------------------------------------------------------------------

TEST(SealedBlobWriterTest, SizesTrackAppendsAndSyncs) {
  odr::testing::TempDir dir;
  const std::string content = RandomBytes(2 * kR + 10, 7);
  CounterRandom random;
  auto writer = SealedBlobWriter::Create(dir.file("b"), TestKey(), IdOf(content), random);
  ASSERT_THAT(writer, IsOk()) << writer.status();
  SealedBlobWriter& w = **writer;
  EXPECT_EQ(FileSize(dir.file("b")), kHeader);
  ASSERT_THAT(w.Append(absl::string_view(content).substr(0, 100)), IsOk());
  EXPECT_EQ(w.size(), 100u);
  EXPECT_EQ(w.durable_size(), 0u);
  EXPECT_EQ(FileSize(dir.file("b")), kHeader);  // buffered
  ASSERT_THAT(w.Append(absl::string_view(content).substr(100, kR)), IsOk());
  EXPECT_EQ(w.size(), kR + 100);
  EXPECT_EQ(FileSize(dir.file("b")), kHeader + kSealed);
  EXPECT_EQ(w.durable_size(), 0u);
  ASSERT_THAT(w.Sync(), IsOk());
  EXPECT_EQ(w.durable_size(), kR);
  ASSERT_THAT(w.Append(absl::string_view(content).substr(kR + 100)), IsOk());
  ASSERT_THAT(w.Sync(), IsOk());
  EXPECT_EQ(w.durable_size(), 2 * kR);
  ASSERT_THAT(w.Finish(), IsOk());
  EXPECT_EQ(w.durable_size(), content.size());
  EXPECT_EQ(w.size(), content.size());

  EXPECT_EQ(w.Append("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.Sync().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.Finish().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadBlob(dir.file("b"), TestKey(), IdOf(content)).value_or("?"), content);
}

TEST(SealedBlobWriterTest, AppendWritesEveryWholeRecordBeforeReturning) {
  odr::testing::TempDir dir;
  const std::string content = RandomBytes(11 * kR + 5, 15);
  const BlobId id = IdOf(content);
  CounterRandom random;
  {
    auto writer = SealedBlobWriter::Create(dir.file("b"), TestKey(), id, random);
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Append(absl::string_view(content).substr(0, 9 * kR + 5)), IsOk());
    EXPECT_EQ(FileSize(dir.file("b")), kHeader + 9 * kSealed);
    ASSERT_THAT((*writer)->Append(absl::string_view(content).substr(9 * kR + 5, kR)), IsOk());
    EXPECT_EQ(FileSize(dir.file("b")), kHeader + 10 * kSealed);
  }  // neither synced nor finished
  uint64_t replayed = 0;
  auto resumed = SealedBlobWriter::Resume(dir.file("b"), TestKey(), id, random,
                                          [&](absl::string_view p) { replayed += p.size(); });
  ASSERT_THAT(resumed, IsOk()) << resumed.status();
  EXPECT_EQ(replayed, 10 * kR);
  EXPECT_EQ((*resumed)->durable_size(), 10 * kR);
}

TEST(SealedBlobWriterTest, CreateRefusesAnExistingFile) {
  odr::testing::TempDir dir;
  WriteFileBytes(dir.file("b"), "precious");
  CounterRandom random;
  auto writer = SealedBlobWriter::Create(dir.file("b"), TestKey(), IdOf(""), random);
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFileBytes(dir.file("b")), "precious");
}

TEST(SealedBlobWriterTest, CreateWithoutRandomnessFailsAndLeavesNoFile) {
  odr::testing::TempDir dir;
  for (int ok_calls : {0, 1}) {  // data key, wrap nonce
    FailingRandom random(ok_calls);
    auto writer = SealedBlobWriter::Create(dir.file("b"), TestKey(), IdOf(""), random);
    EXPECT_EQ(writer.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_FALSE(std::filesystem::exists(dir.file("b")));
  }
}

TEST(SealedBlobWriterTest, DestroyingAnUnfinishedWriterKeepsTheFile) {
  odr::testing::TempDir dir;
  CounterRandom random;
  {
    auto writer = SealedBlobWriter::Create(dir.file("b"), TestKey(), IdOf(""), random);
    ASSERT_THAT(writer, IsOk());
    ASSERT_THAT((*writer)->Append(RandomBytes(kR, 1)), IsOk());
  }
  EXPECT_EQ(FileSize(dir.file("b")), kHeader + kSealed);
}

TEST(SealedBlobWriterTest, FailureIsStickyAndResumeRecovers) {
  odr::testing::TempDir dir;
  const std::string content = RandomBytes(4 * kR + 3, 12);
  const BlobId id = IdOf(content);
  const MasterKey master = TestKey();
  FailingRandom random(4);  // data key, wrap nonce, two record nonces
  auto writer = SealedBlobWriter::Create(dir.file("b"), master, id, random);
  ASSERT_THAT(writer, IsOk());
  EXPECT_EQ((*writer)->Append(content).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*writer)->Append("x").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*writer)->Finish().code(), absl::StatusCode::kFailedPrecondition);
  writer->reset();

  CounterRandom good(3);
  std::string replayed;
  auto resumed =
      SealedBlobWriter::Resume(dir.file("b"), master, id, good,
                               [&](absl::string_view p) { replayed.append(p.data(), p.size()); });
  ASSERT_THAT(resumed, IsOk()) << resumed.status();
  EXPECT_EQ((*resumed)->durable_size(), 2 * kR);
  EXPECT_TRUE(replayed == content.substr(0, 2 * kR));
  ASSERT_THAT((*resumed)->Append(absl::string_view(content).substr(2 * kR)), IsOk());
  ASSERT_THAT((*resumed)->Finish(), IsOk());
  EXPECT_EQ(ReadBlob(dir.file("b"), master, id).value_or("?"), content);
}

// --- Resume -------------------------------------------------------------------------------------

class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    content_ = RandomBytes(5 * kR + 777, 31);
    id_ = IdOf(content_);
  }

  // An unfinished blob holding content_[0, n) appended and synced (n need not be whole records).
  void WriteUnfinished(size_t n) {
    CounterRandom random(2);
    auto writer = SealedBlobWriter::Create(path_, master_, id_, random);
    ASSERT_THAT(writer, IsOk()) << writer.status();
    ASSERT_THAT((*writer)->Append(absl::string_view(content_).substr(0, n)), IsOk());
    ASSERT_THAT((*writer)->Sync(), IsOk());
    EXPECT_EQ((*writer)->durable_size(), n / kR * kR);
  }

  // Resumes, expects `records` whole records replayed, then appends the rest, finishes and reads
  // the whole content back.
  void ResumeAndComplete(uint64_t records) {
    CounterRandom random(77);
    std::string replayed;
    int calls = 0;
    auto writer = SealedBlobWriter::Resume(path_, master_, id_, random, [&](absl::string_view p) {
      EXPECT_EQ(p.size(), kR);
      replayed.append(p.data(), p.size());
      ++calls;
    });
    ASSERT_THAT(writer, IsOk()) << writer.status();
    const uint64_t n = records * kR;
    EXPECT_EQ(calls, static_cast<int>(records));
    EXPECT_TRUE(replayed == content_.substr(0, n));
    EXPECT_EQ((*writer)->durable_size(), n);
    EXPECT_EQ((*writer)->size(), n);
    EXPECT_EQ(FileSize(path_), kHeader + records * kSealed);
    ASSERT_THAT((*writer)->Append(absl::string_view(content_).substr(n, 1000)), IsOk());
    ASSERT_THAT((*writer)->Append(absl::string_view(content_).substr(n + 1000)), IsOk());
    ASSERT_THAT((*writer)->Finish(), IsOk());
    auto read = ReadBlob(path_, master_, id_);
    ASSERT_THAT(read, IsOk()) << read.status();
    EXPECT_TRUE(*read == content_);
  }

  absl::Status ResumeStatus(const MasterKey& master, const BlobId& id) {
    CounterRandom random;
    return SealedBlobWriter::Resume(path_, master, id, random, [](absl::string_view) {}).status();
  }

  odr::testing::TempDir dir_;
  const std::string path_ = dir_.file("blob");
  const MasterKey master_ = TestKey();
  std::string content_;
  BlobId id_;
};

TEST_F(ResumeTest, AfterAppendAndSyncReplaysWholeRecords) {
  WriteUnfinished(2 * kR + 500);  // the 500-byte tail was never written
  ResumeAndComplete(2);
}

TEST_F(ResumeTest, TheFileLengthTellsWhereToResume) {
  EXPECT_EQ(UnfinishedPlaintextSize(0), 0u);
  WriteUnfinished(0);
  EXPECT_EQ(UnfinishedPlaintextSize(FileSize(path_)), 0u);
  std::filesystem::remove(path_);
  WriteUnfinished(3 * kR + 10);
  EXPECT_EQ(UnfinishedPlaintextSize(FileSize(path_)), 3 * kR);
  EXPECT_EQ(UnfinishedPlaintextSize(FileSize(path_) + kSealed - 1), 3 * kR);  // a torn record
}

TEST_F(ResumeTest, HeaderOnly) {
  WriteUnfinished(0);
  ResumeAndComplete(0);
}

TEST_F(ResumeTest, ResumeTwice) {
  WriteUnfinished(kR);
  {
    CounterRandom random;
    auto writer = SealedBlobWriter::Resume(path_, master_, id_, random, [](absl::string_view) {});
    ASSERT_THAT(writer, IsOk()) << writer.status();
    ASSERT_THAT((*writer)->Append(absl::string_view(content_).substr(kR, 2 * kR + 9)), IsOk());
  }
  ResumeAndComplete(3);
}

TEST_F(ResumeTest, TornRecordIsDropped) {
  WriteUnfinished(3 * kR);
  const std::string file = ReadFileBytes(path_);
  for (size_t cut : {kSealed - 1, kSealed / 2, size_t{28}, size_t{27}, size_t{1}}) {
    WriteFileBytes(path_, file.substr(0, kHeader + 2 * kSealed + cut));
    CounterRandom random;
    uint64_t replayed = 0;
    auto writer = SealedBlobWriter::Resume(path_, master_, id_, random,
                                           [&](absl::string_view p) { replayed += p.size(); });
    ASSERT_THAT(writer, IsOk()) << writer.status();
    EXPECT_EQ(replayed, 2 * kR);
    EXPECT_EQ(FileSize(path_), kHeader + 2 * kSealed);
  }
  ResumeAndComplete(2);
}

TEST_F(ResumeTest, GarbageAfterWholeRecordsIsDropped) {
  WriteUnfinished(2 * kR);
  std::string file = ReadFileBytes(path_);
  WriteFileBytes(path_, file + RandomBytes(500, 9));
  ResumeAndComplete(2);
  WriteFileBytes(path_, file + RandomBytes(kSealed + 3, 10));
  ResumeAndComplete(2);
}

TEST_F(ResumeTest, DamagedRecordEndsTheValidPrefix) {
  WriteUnfinished(3 * kR);
  std::string file = ReadFileBytes(path_);
  file[kHeader + kSealed + 100] ^= 4;  // record 1 of 3
  WriteFileBytes(path_, file);
  ResumeAndComplete(1);
}

TEST_F(ResumeTest, RecordsOutOfOrderEndTheValidPrefix) {
  WriteUnfinished(3 * kR);
  std::string file = ReadFileBytes(path_);
  std::string swapped = file;
  swapped.replace(kHeader + kSealed, kSealed, file.substr(kHeader + 2 * kSealed, kSealed));
  swapped.replace(kHeader + 2 * kSealed, kSealed, file.substr(kHeader + kSealed, kSealed));
  WriteFileBytes(path_, swapped);
  ResumeAndComplete(1);
}

// A finished file that was never published (a crash before the rename) resumes without its final
// record, at the size its length gives (what QueryUploadStatus tells the client).
TEST_F(ResumeTest, FinishedFileResumesBeforeItsFinalRecord) {
  for (size_t size : {size_t{0}, size_t{1000}, kR, 2 * kR + 5}) {
    std::filesystem::remove(path_);
    CounterRandom random;
    const std::string content = content_.substr(0, size);
    ASSERT_THAT(WriteBlob(path_, master_, IdOf(content), content, random), IsOk());
    const uint64_t expected = UnfinishedPlaintextSize(FileSize(path_));
    CounterRandom r;
    std::string replayed;
    auto writer =
        SealedBlobWriter::Resume(path_, master_, IdOf(content), r,
                                 [&](absl::string_view p) { replayed.append(p.data(), p.size()); });
    ASSERT_THAT(writer, IsOk()) << size << ": " << writer.status();
    EXPECT_EQ((*writer)->size(), expected) << size;
    EXPECT_EQ(replayed.size(), expected) << size;
    EXPECT_TRUE(replayed == content.substr(0, expected)) << size;
    // Finishing again makes the same blob.
    ASSERT_THAT((*writer)->Append(content.substr(expected)), IsOk());
    ASSERT_THAT((*writer)->Finish(), IsOk());
    writer->reset();
    auto read = ReadBlob(path_, master_, IdOf(content));
    ASSERT_THAT(read, IsOk()) << read.status();
    EXPECT_TRUE(*read == content) << size;
  }
}

TEST_F(ResumeTest, DamagedOrIncompleteHeaderIsDataLoss) {
  WriteUnfinished(kR);
  const std::string file = ReadFileBytes(path_);
  for (size_t offset : {size_t{0}, size_t{8}, size_t{10}, kBlobIdOffset + 5, kWrapOffset,
                        kWrapOffset + 20, kHeader - 1}) {
    std::string damaged = file;
    damaged[offset] ^= 1;
    WriteFileBytes(path_, damaged);
    EXPECT_EQ(ResumeStatus(master_, id_).code(), absl::StatusCode::kDataLoss) << offset;
  }
  for (size_t size : {size_t{0}, kHeader - 1}) {
    WriteFileBytes(path_, file.substr(0, size));
    EXPECT_EQ(ResumeStatus(master_, id_).code(), absl::StatusCode::kDataLoss) << size;
  }
}

TEST_F(ResumeTest, WrongIdKeyOrFile) {
  WriteUnfinished(kR);
  BlobId wrong = id_;
  wrong[0] ^= 1;
  EXPECT_EQ(ResumeStatus(master_, wrong).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ResumeStatus(TestKey(3), id_).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(FileSize(path_), kHeader + kSealed);  // untouched by the refusals
  std::filesystem::remove(path_);
  EXPECT_EQ(ResumeStatus(master_, id_).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace odr::storage
