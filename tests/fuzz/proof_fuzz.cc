// The proof verifiers of the evidence log (server/transparency/merkle.h) and its signed
// checkpoints (server/transparency/checkpoint.h). Invariants: an inclusion or consistency proof
// that InclusionProof/ConsistencyProof build over a tree made from the input verifies, and with any
// bit of a hash flipped, or an element dropped or added, it does not; proofs, sizes and notes from
// the input never crash the verifiers; a checkpoint body that parses formats back to the same
// bytes; a note NoteVerifier::Open accepts carries a signature by the pinned key over its body
// (checked with OpenSSL directly), and a signed note with any byte changed is refused.
//
// Input layout: byte 0 picks the mode (tree proofs, random proofs, checkpoint body, note); the
// rest drives it.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "server/transparency/checkpoint.h"
#include "server/transparency/merkle.h"
#include "tests/fuzz/fuzz_util.h"

namespace odr::fuzz {
namespace {

using transparency::Hash;

// A test key for this fuzz target only (seed notes are signed by it).
constexpr char kNoteKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEICtjP2t332JXbgdz8iVpH8/VCtaK85qPxyu83D2/QP2s\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kOrigin[] = "odr/evidence-log";
constexpr char kSignaturePrefix[] = "\xe2\x80\x94 ";  // "— "

struct Notes {
  transparency::NoteSigner signer;
  transparency::NoteVerifier verifier;
  EVP_PKEY* key;
};
Notes* notes = nullptr;

void FlipBit(Hash* h, uint8_t bit) { (*h)[(bit / 8) % h->size()] ^= uint8_t(1) << (bit % 8); }

void TreeProofs(FuzzedDataProvider* in) {
  transparency::MemoryTree tree;
  std::vector<std::string> leaves;
  const size_t n = in->ConsumeIntegralInRange<size_t>(1, 300);
  for (size_t i = 0; i < n; ++i) {
    // Short leaves from the input, then the leaf number, so that most differ.
    leaves.push_back(in->ConsumeBytesAsString(in->ConsumeIntegralInRange(0, 3)) +
                     std::to_string(i % (1 + in->ConsumeIntegralInRange(0, 400))));
    tree.Append(leaves.back());
  }
  const uint64_t size = in->ConsumeIntegralInRange<uint64_t>(1, n);
  const uint64_t index = in->ConsumeIntegralInRange<uint64_t>(0, size - 1);
  const uint64_t old_size = in->ConsumeIntegralInRange<uint64_t>(0, size);
  const uint8_t bit = in->ConsumeIntegral<uint8_t>();
  const size_t which = in->ConsumeIntegral<size_t>();

  auto root = transparency::RootAt(tree, size);
  Check(root.ok(), "RootAt");
  const Hash leaf = transparency::LeafHash(leaves[index]);
  auto proof = transparency::InclusionProof(tree, index, size);
  Check(proof.ok(), "InclusionProof of a leaf in the tree");
  Check(transparency::VerifyInclusion(leaf, index, size, *proof, *root).ok(),
        "a real inclusion proof does not verify");
  if (!proof->empty()) {
    std::vector<Hash> bad = *proof;
    FlipBit(&bad[which % bad.size()], bit);
    Check(!transparency::VerifyInclusion(leaf, index, size, bad, *root).ok(),
          "an inclusion proof with a flipped bit verifies");
    bad = *proof;
    bad.pop_back();
    Check(!transparency::VerifyInclusion(leaf, index, size, bad, *root).ok(),
          "an inclusion proof without its last element verifies");
  }
  {
    std::vector<Hash> longer = *proof;
    longer.push_back(leaf);
    Check(!transparency::VerifyInclusion(leaf, index, size, longer, *root).ok(),
          "an inclusion proof with an extra element verifies");
    Hash bad_root = *root;
    FlipBit(&bad_root, bit);
    Check(!transparency::VerifyInclusion(leaf, index, size, *proof, bad_root).ok(),
          "an inclusion proof verifies against another root");
    Hash bad_leaf = leaf;
    FlipBit(&bad_leaf, bit);
    Check(!transparency::VerifyInclusion(bad_leaf, index, size, *proof, *root).ok(),
          "an inclusion proof verifies for another leaf");
  }

  auto old_root = transparency::RootAt(tree, old_size);
  Check(old_root.ok(), "RootAt(old)");
  auto cons = transparency::ConsistencyProof(tree, old_size, size);
  Check(cons.ok(), "ConsistencyProof");
  Check(transparency::VerifyConsistency(old_size, size, *cons, *old_root, *root).ok(),
        "a real consistency proof does not verify");
  if (!cons->empty()) {
    std::vector<Hash> bad = *cons;
    FlipBit(&bad[which % bad.size()], bit);
    Check(!transparency::VerifyConsistency(old_size, size, bad, *old_root, *root).ok(),
          "a consistency proof with a flipped bit verifies");
    bad = *cons;
    bad.pop_back();
    Check(!transparency::VerifyConsistency(old_size, size, bad, *old_root, *root).ok(),
          "a consistency proof without its last element verifies");
  }
  std::vector<Hash> longer = *cons;
  longer.push_back(*root);
  Check(!transparency::VerifyConsistency(old_size, size, longer, *old_root, *root).ok(),
        "a consistency proof with an extra element verifies");
  Hash bad_old = *old_root;
  FlipBit(&bad_old, bit);
  Check(!transparency::VerifyConsistency(old_size, size, *cons, bad_old, *root).ok(),
        "a consistency proof verifies from another old root");
  if (old_size > 0) {  // every tree is consistent with the empty tree, whatever its root
    Hash bad_new = *root;
    FlipBit(&bad_new, bit);
    Check(!transparency::VerifyConsistency(old_size, size, *cons, *old_root, bad_new).ok(),
          "a consistency proof verifies to another new root");
  }
}

Hash SomeHash(FuzzedDataProvider* in) {
  Hash h{};
  const std::string b = in->ConsumeBytesAsString(h.size());
  std::copy(b.begin(), b.end(), h.begin());
  return h;
}

uint64_t SomeSize(FuzzedDataProvider* in) {
  switch (in->ConsumeIntegralInRange(0, 3)) {
    case 0:
      return in->ConsumeIntegralInRange<uint64_t>(0, 70);
    case 1:
      return transparency::kMaxTreeSize - in->ConsumeIntegralInRange<uint64_t>(0, 3);
    case 2:
      return ~uint64_t{0} - in->ConsumeIntegralInRange<uint64_t>(0, 3);
    default:
      return in->ConsumeIntegral<uint64_t>();
  }
}

void RandomProofs(FuzzedDataProvider* in) {
  const uint64_t a = SomeSize(in);
  const uint64_t b = SomeSize(in);
  const Hash h1 = SomeHash(in);
  const Hash h2 = SomeHash(in);
  std::vector<Hash> proof(in->ConsumeIntegralInRange<size_t>(0, 70));
  for (Hash& h : proof) h = SomeHash(in);
  absl::Status s = transparency::VerifyInclusion(h1, a, b, proof, h2);
  Check(s.ok() || s.code() == absl::StatusCode::kInvalidArgument, "VerifyInclusion: bad code");
  s = transparency::VerifyConsistency(a, b, proof, h1, h2);
  Check(s.ok() || s.code() == absl::StatusCode::kInvalidArgument, "VerifyConsistency: bad code");
  (void)transparency::HashFromHex(in->ConsumeRandomLengthString(80));
  (void)transparency::HashFromBytes(in->ConsumeRandomLengthString(40));
}

void CheckpointBody(const std::string& body) {
  auto c = transparency::ParseCheckpointBody(body);
  if (!c.ok()) {
    Check(c.status().code() == absl::StatusCode::kInvalidArgument, "checkpoint: bad code");
    return;
  }
  Check(transparency::FormatCheckpointBody(*c) == body,
        "a checkpoint body that parses does not format back to the same bytes");
  auto note = notes->signer.Sign(body);
  Check(note.ok(), "a valid checkpoint body cannot be signed");
  auto opened = transparency::OpenCheckpoint(notes->verifier, *note);
  Check(opened.ok() == (c->origin == kOrigin), "OpenCheckpoint of a signed checkpoint");
  if (opened.ok()) Check(*opened == *c, "OpenCheckpoint does not return the checkpoint signed");
}

// Whether `note` has a signature line by the fuzz key over `body` (OpenSSL directly).
bool SignedByKey(absl::string_view note, absl::string_view body) {
  if (!absl::StartsWith(note, body) || note.substr(body.size(), 1) != "\n") return false;
  const absl::string_view sigs = note.substr(body.size() + 1);
  for (absl::string_view line : absl::StrSplit(sigs, '\n')) {
    if (!absl::ConsumePrefix(&line, kSignaturePrefix)) continue;
    const size_t space = line.find(' ');
    if (space == absl::string_view::npos || line.substr(0, space) != kOrigin) continue;
    std::string blob;
    if (!absl::Base64Unescape(line.substr(space + 1), &blob) || blob.size() != 68) continue;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, notes->key) == 1 &&
        EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(blob.data() + 4), 64,
                         reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (ok) return true;
  }
  return false;
}

void Note(FuzzedDataProvider* in) {
  const bool sign = in->ConsumeBool();
  const size_t at = in->ConsumeIntegral<size_t>();
  const char to = in->ConsumeIntegral<char>();
  std::string note = in->ConsumeRemainingBytesAsString();
  if (sign) {
    auto signed_note = notes->signer.Sign(note);
    if (!signed_note.ok()) return;
    auto body = notes->verifier.Open(*signed_note);
    Check(body.ok() && *body == note, "a signed note does not open to its body");
    std::string bad = *signed_note;
    if (bad[at % bad.size()] == to) return;
    bad[at % bad.size()] = to;
    Check(!notes->verifier.Open(bad).ok(), "a signed note with a byte changed opens");
    return;
  }
  auto body = notes->verifier.Open(note);
  if (!body.ok()) {
    Check(body.status().code() == absl::StatusCode::kInvalidArgument, "Open: bad code");
    return;
  }
  Check(SignedByKey(note, *body), "Open accepted a note the key did not sign");
}

void WriteSeeds(const std::string& dir) {
  auto write = [&](const std::string& name, char mode, const std::string& body) {
    std::ofstream(dir + "/" + name, std::ios::binary) << mode << body;
  };
  transparency::Checkpoint c{kOrigin, 5, transparency::LeafHash("x"), {}};
  const std::string body = transparency::FormatCheckpointBody(c);
  write("checkpoint-body", 2, body);
  c.extensions = {"ext one"};
  write("checkpoint-body-extension", 2, transparency::FormatCheckpointBody(c));
  // Note's controls come from the end of the input: the byte to write, where (8 bytes), sign.
  write("note-signed", 3, *notes->signer.Sign(body) + std::string(10, '\0'));
  write("note-sign", 3, body + std::string(9, '\0') + "\1");
}

}  // namespace
}  // namespace odr::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  using namespace odr::fuzz;
  auto signer = odr::transparency::NoteSigner::FromPrivatePem(kOrigin, kNoteKeyPem);
  Check(signer.ok(), "note test key");
  auto verifier = odr::transparency::NoteVerifier::FromVerifierKey(signer->VerifierKey());
  Check(verifier.ok(), "NoteVerifier::FromVerifierKey of the signer's key");
  BIO* bio = BIO_new_mem_buf(kNoteKeyPem, -1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  Check(key != nullptr, "note test key PEM");
  notes = new Notes{*std::move(signer), *std::move(verifier), key};
  // ODR_FUZZ_WRITE_SEEDS=DIR: write the seed inputs (a note signed by the test key) to DIR.
  if (const char* dir = std::getenv("ODR_FUZZ_WRITE_SEEDS")) WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace odr::fuzz;
  if (size < 1) return 0;
  FuzzedDataProvider in(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      TreeProofs(&in);
      break;
    case 1:
      RandomProofs(&in);
      break;
    case 2:
      CheckpointBody(in.ConsumeRemainingBytesAsString());
      break;
    default:
      Note(&in);
      break;
  }
  return 0;
}
