#include "client/verify.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/transparency/merkle.h"

namespace odr::verify {
namespace {

absl::Status Failed(absl::string_view what) { return absl::InvalidArgumentError(what); }

template <typename T>
absl::StatusOr<T> ParseJson(absl::string_view json, absl::string_view what) {
  T message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto s = google::protobuf::util::JsonStringToMessage(std::string(json), &message, options);
  if (!s.ok()) {
    return Failed(absl::StrCat(what, " is not valid JSON of its kind: ", s.message().ToString()));
  }
  return message;
}

absl::StatusOr<std::vector<transparency::Hash>> Hashes(
    const google::protobuf::RepeatedPtrField<std::string>& in, absl::string_view what) {
  std::vector<transparency::Hash> out;
  for (const std::string& h : in) {
    auto hash = transparency::HashFromBytes(h);
    if (!hash.ok()) return Failed(absl::StrCat(what, " has a hash that is not 32 bytes"));
    out.push_back(*hash);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::pair<std::string, int64_t>> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  int64_t size = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    size += n;
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  return std::make_pair(
      absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len)), size);
}

std::string ResolveVerifierKey(const std::string& key_or_file) {
  std::ifstream in(key_or_file);
  if (!in) return key_or_file;
  std::string line;
  std::getline(in, line);
  return std::string(absl::StripAsciiWhitespace(line));
}

absl::StatusOr<std::string> ReadProofFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::ostringstream out;
  out << in.rdbuf();
  if (out.str().size() > (size_t{1} << 24)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is too large to be a proof"));
  }
  return out.str();
}

absl::StatusOr<v1::EvidenceProof> ParseEvidenceProofJson(absl::string_view json) {
  return ParseJson<v1::EvidenceProof>(json, "the proof");
}

absl::StatusOr<v1::ConsistencyProof> ParseConsistencyProofJson(absl::string_view json) {
  return ParseJson<v1::ConsistencyProof>(json, "the consistency proof");
}

absl::StatusOr<VerifiedEvidence> VerifyEvidence(const std::string& file_path,
                                                const v1::EvidenceProof& proof,
                                                absl::string_view vkey) {
  auto verifier = transparency::NoteVerifier::FromVerifierKey(vkey);
  if (!verifier.ok()) {
    return Failed(absl::StrCat("the log key is not valid: ", verifier.status().message()));
  }
  VerifiedEvidence v;
  auto cp = transparency::OpenCheckpoint(*verifier, proof.checkpoint());
  if (!cp.ok()) {
    return Failed(
        absl::StrCat("the checkpoint is not signed by the log key: ", cp.status().message()));
  }
  v.checkpoint = *cp;
  if (proof.tree_size() < 1 || static_cast<uint64_t>(proof.tree_size()) != cp->size) {
    return Failed("the proof is not for the checkpoint's tree size");
  }
  auto leaf = transparency::ParseEvidenceLeaf(proof.leaf_data());
  if (!leaf.ok()) return Failed(absl::StrCat("the leaf: ", leaf.status().message()));
  v.leaf = *leaf;
  if (!proof.evidence().empty() && proof.evidence() != leaf->evidence_name) {
    return Failed("the leaf is for other evidence than the proof names");
  }
  auto file = HashFile(file_path);
  if (!file.ok()) return file.status();
  if (file->second != leaf->size_bytes) {
    return Failed(
        absl::StrCat("the file has ", file->second, " bytes; the log recorded ", leaf->size_bytes));
  }
  if (file->first != leaf->sha256) {
    return Failed(
        absl::StrCat("the file's SHA-256 is ", file->first, "; the log recorded ", leaf->sha256));
  }
  auto path = Hashes(proof.inclusion_path(), "the inclusion proof");
  if (!path.ok()) return path.status();
  if (proof.leaf_index() < 0) return Failed("the leaf index is negative");
  absl::Status included = transparency::VerifyInclusion(transparency::LeafHash(proof.leaf_data()),
                                                        static_cast<uint64_t>(proof.leaf_index()),
                                                        cp->size, *path, cp->root);
  if (!included.ok()) {
    return Failed(absl::StrCat("the record is not in the log: ", included.message()));
  }
  return v;
}

absl::StatusOr<std::pair<transparency::Checkpoint, transparency::Checkpoint>> VerifyConsistency(
    absl::string_view old_checkpoint, absl::string_view new_checkpoint,
    const v1::ConsistencyProof& proof, absl::string_view vkey) {
  auto verifier = transparency::NoteVerifier::FromVerifierKey(vkey);
  if (!verifier.ok()) {
    return Failed(absl::StrCat("the log key is not valid: ", verifier.status().message()));
  }
  auto old_cp = transparency::OpenCheckpoint(*verifier, old_checkpoint);
  if (!old_cp.ok()) {
    return Failed(absl::StrCat("the older checkpoint is not signed by the log key: ",
                               old_cp.status().message()));
  }
  auto new_cp = transparency::OpenCheckpoint(*verifier, new_checkpoint);
  if (!new_cp.ok()) {
    return Failed(absl::StrCat("the newer checkpoint is not signed by the log key: ",
                               new_cp.status().message()));
  }
  if (static_cast<uint64_t>(proof.from_tree_size()) != old_cp->size ||
      static_cast<uint64_t>(proof.to_tree_size()) != new_cp->size) {
    return Failed("the proof is not between the two checkpoints' sizes");
  }
  auto hashes = Hashes(proof.hashes(), "the consistency proof");
  if (!hashes.ok()) return hashes.status();
  absl::Status ok = transparency::VerifyConsistency(old_cp->size, new_cp->size, *hashes,
                                                    old_cp->root, new_cp->root);
  if (!ok.ok()) {
    return Failed(absl::StrCat("the newer log does not extend the older one: ", ok.message()));
  }
  return std::make_pair(*old_cp, *new_cp);
}

}  // namespace odr::verify
