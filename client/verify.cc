#include "client/verify.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>

#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

bool Ed25519Verify(absl::string_view raw_key, absl::string_view message,
                   absl::string_view signature) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(raw_key.data()),
                                  raw_key.size()),
      EVP_PKEY_free);
  if (!key || signature.size() != 64) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

// The role as the evidence leaf writes it (server/transparency/evidence_leaf.h).
std::string UploaderRoleName(v1::Role r) {
  switch (r) {
    case v1::ROLE_CITIZEN:
      return "citizen";
    case v1::ROLE_MEDIATOR:
      return "mediator";
    case v1::ROLE_ORG_ADMIN:
      return "org_admin";
    case v1::ROLE_COURT:
      return "court";
    default:
      return "";
  }
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

namespace {

// VerifyInclusion, with `check_leaf` (if set) run on the parsed leaf before the inclusion proof.
absl::StatusOr<VerifiedEvidence> VerifyProof(
    const v1::EvidenceProof& proof, absl::string_view vkey,
    const std::function<absl::Status(const transparency::EvidenceLeaf&)>& check_leaf) {
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
  if (check_leaf) {
    if (absl::Status s = check_leaf(*leaf); !s.ok()) return s;
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

}  // namespace

absl::StatusOr<VerifiedEvidence> VerifyInclusion(const v1::EvidenceProof& proof,
                                                 absl::string_view vkey) {
  return VerifyProof(proof, vkey, nullptr);
}

absl::StatusOr<VerifiedEvidence> VerifyEvidence(const std::string& file_path,
                                                const v1::EvidenceProof& proof,
                                                absl::string_view vkey) {
  // The file against the leaf first: a changed hash line says so, not only that the proof fails.
  return VerifyProof(proof, vkey,
                     [&file_path](const transparency::EvidenceLeaf& leaf) -> absl::Status {
                       auto file = HashFile(file_path);
                       if (!file.ok()) return file.status();
                       if (file->second != leaf.size_bytes) {
                         return Failed(absl::StrCat("the file has ", file->second,
                                                    " bytes; the log recorded ", leaf.size_bytes));
                       }
                       if (file->first != leaf.sha256) {
                         return Failed(absl::StrCat("the file's SHA-256 is ", file->first,
                                                    "; the log recorded ", leaf.sha256));
                       }
                       return absl::OkStatus();
                     });
}

absl::StatusOr<std::string> ResolveAgreementKey(const std::string& key_or_file) {
  std::string text = key_or_file;
  if (std::ifstream in(key_or_file); in) {
    text.clear();
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view l = absl::StripAsciiWhitespace(line);
      if (absl::ConsumePrefix(&l, "ed25519 ")) {
        text = std::string(absl::StripAsciiWhitespace(l));
        break;
      }
      if (text.empty() && !l.empty() && !absl::StartsWith(l, "key_id ")) text = std::string(l);
    }
  }
  std::string raw;
  if (!absl::Base64Unescape(text, &raw) || raw.size() != 32) {
    return Failed(
        "the agreement key must be base64 of a 32-byte Ed25519 key, or a file as `odrd admin "
        "agreement-key` prints it");
  }
  return raw;
}

absl::StatusOr<v1::CourtBundle> ParseCourtBundleJson(absl::string_view json) {
  return ParseJson<v1::CourtBundle>(json, "the bundle");
}

absl::StatusOr<VerifiedBundle> VerifyBundle(const v1::CourtBundle& bundle,
                                            absl::string_view log_vkey,
                                            absl::string_view agreement_key) {
  VerifiedBundle out;
  if (agreement_key.size() != 32) return Failed("the pinned agreement key is not 32 bytes");
  if (bundle.agreement_public_key() != agreement_key) {
    return Failed("the bundle's agreement key is not the pinned agreement key");
  }
  const v1::Agreement& a = bundle.agreement();
  out.agreement = a.name();
  if (a.name().empty() || a.text().empty()) return Failed("the bundle has no agreement");
  // The agreement is the one the application is for, of the bundle's case.
  const std::string case_name = bundle.case_().name();
  if (case_name.empty() || !absl::StartsWith(a.name(), case_name + "/agreements/") ||
      a.name() != bundle.confirmation().agreement() ||
      !absl::StartsWith(bundle.confirmation().name(), case_name + "/confirmations/")) {
    return Failed("the agreement is not the one the application of this case is for");
  }
  if (Sha256Hex(a.text()) != a.content_hash()) {
    return Failed("the agreement text does not hash to its content hash");
  }
  if (a.pending_signers_size() > 0) {
    return Failed(absl::StrCat("the agreement is not signed by everyone: ", a.pending_signers(0),
                               " has not signed"));
  }
  if (a.signatures_size() == 0) return Failed("the agreement has no signatures");
  for (const v1::AgreementSignature& sig : a.signatures()) {
    const std::string who = sig.signer();
    // odr-agreement-signature-v1, name, revision, content hash, signer, principal, time.
    std::vector<std::string> lines = absl::StrSplit(sig.statement(), '\n');
    if (lines.size() != 8 || !lines[7].empty() || lines[0] != "odr-agreement-signature-v1") {
      return Failed(absl::StrCat("the signature of ", who, " has no v1 statement"));
    }
    if (lines[1] != a.name() || lines[2] != absl::StrCat(a.revision()) ||
        lines[3] != a.content_hash()) {
      return Failed(
          absl::StrCat("the signature of ", who, " is for another agreement, revision or text"));
    }
    if (lines[4] != sig.signer() || lines[5] != sig.principal()) {
      return Failed(absl::StrCat("the signature of ", who,
                                 " names another signer or principal than the bundle"));
    }
    if (sig.key_id() != bundle.agreement_key_id()) {
      return Failed(absl::StrCat("the signature of ", who, " is by another key id"));
    }
    if (!Ed25519Verify(agreement_key, sig.statement(), sig.signature())) {
      return Failed(absl::StrCat("the signature of ", who, " does not verify"));
    }
    ++out.signatures;
  }
  for (const v1::BundleEvidence& e : bundle.evidence()) {
    if (!e.has_proof()) return Failed(absl::StrCat(e.evidence(), " has no proof"));
    auto v = VerifyInclusion(e.proof(), log_vkey);
    if (!v.ok()) return Failed(absl::StrCat(e.evidence(), ": ", v.status().message()));
    const transparency::EvidenceLeaf& leaf = v->leaf;
    if (leaf.evidence_name != e.evidence() || leaf.case_name != bundle.case_().name()) {
      return Failed(absl::StrCat(e.evidence(), ": the leaf is for other evidence or another case"));
    }
    if (leaf.sha256 != e.sha256() || leaf.size_bytes != e.size_bytes()) {
      return Failed(absl::StrCat(e.evidence(), ": the bundle's SHA-256 or size is not the log's"));
    }
    if (leaf.uploader_role != UploaderRoleName(e.uploader_role())) {
      return Failed(absl::StrCat(e.evidence(), ": the uploader role is not the log's"));
    }
    if (out.evidence == 0) {
      out.checkpoint_root = transparency::HexHash(v->checkpoint.root);
      out.checkpoint_size = v->checkpoint.size;
    }
    ++out.evidence;
  }
  return out;
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
