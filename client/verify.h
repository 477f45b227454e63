// Offline verification of evidence against the evidence log: what odr-verify and
// `odr evidence verify` do, with no connection to odrd. Pure functions of their inputs (and the
// file they hash); safe for concurrent use.
#ifndef ODR_CLIENT_VERIFY_H_
#define ODR_CLIENT_VERIFY_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "odr/v1/confirmation.pb.h"
#include "odr/v1/evidence.pb.h"
#include "server/transparency/checkpoint.h"
#include "server/transparency/evidence_leaf.h"

namespace odr::verify {

struct VerifiedEvidence {
  transparency::EvidenceLeaf leaf;
  transparency::Checkpoint checkpoint;
};

// Checks, with the log's pinned verifier key `vkey`: the checkpoint's signature; that the proof
// is for the checkpoint's size; that the leaf parses (and names proof.evidence); that the file at
// `file_path` has the leaf's SHA-256 and size; and that the leaf is included in the tree under
// the checkpoint's root. INVALID_ARGUMENT with what failed (or NOT_FOUND for a missing file).
absl::StatusOr<VerifiedEvidence> VerifyEvidence(const std::string& file_path,
                                                const v1::EvidenceProof& proof,
                                                absl::string_view vkey);

// Checks that the log at the older checkpoint is a prefix of the log at the newer one: both
// signatures, the sizes named in the proof, and the consistency proof between the two roots.
absl::StatusOr<std::pair<transparency::Checkpoint, transparency::Checkpoint>> VerifyConsistency(
    absl::string_view old_checkpoint, absl::string_view new_checkpoint,
    const v1::ConsistencyProof& proof, absl::string_view vkey);

// Checks, with `proof` alone and the log's pinned verifier key: the checkpoint's signature, that
// the proof is for the checkpoint's size, that the leaf parses (and names proof.evidence), and
// that it is included in the tree under the checkpoint's root. INVALID_ARGUMENT with what failed.
absl::StatusOr<VerifiedEvidence> VerifyInclusion(const v1::EvidenceProof& proof,
                                                 absl::string_view vkey);

struct VerifiedBundle {
  std::string agreement;        // cases/{c}/agreements/{a}
  int signatures = 0;           // Ed25519 signatures checked
  int evidence = 0;             // evidence items checked
  std::string checkpoint_root;  // hex root of the checkpoint the evidence is proven against
  uint64_t checkpoint_size = 0;
};

// Checks a court bundle (ConfirmationService.GetCourtBundle) offline, with two keys pinned out of
// band: `log_vkey` (the evidence log's verifier key) and `agreement_key` (the agreement-signing
// public key, raw 32 bytes). Every check must pass: the bundle's agreement key is the pinned one;
// the agreement is the one the application is for, of the bundle's case;
// the agreement text hashes to its content hash and nobody is pending; every signature verifies
// over its statement, and the statement names this agreement, revision, content hash, signer,
// principal and key id; every evidence item's proof verifies (VerifyInclusion) and its leaf
// matches the item (case, evidence, SHA-256, size, uploader role). INVALID_ARGUMENT naming the
// first failure.
absl::StatusOr<VerifiedBundle> VerifyBundle(const v1::CourtBundle& bundle,
                                            absl::string_view log_vkey,
                                            absl::string_view agreement_key);

// An agreement key as given on a command line: base64 of the raw 32-byte Ed25519 key, or a file
// holding it alone or as `odrd admin agreement-key` prints it (a line "ed25519 <base64>").
// INVALID_ARGUMENT if it is neither.
absl::StatusOr<std::string> ResolveAgreementKey(const std::string& key_or_file);

// Reads a bundle saved as protobuf JSON (`odr court bundle -f`). INVALID_ARGUMENT if malformed.
absl::StatusOr<v1::CourtBundle> ParseCourtBundleJson(absl::string_view json);

// Reads a proof saved as protobuf JSON (`odr evidence proof -f`). INVALID_ARGUMENT if malformed.
absl::StatusOr<v1::EvidenceProof> ParseEvidenceProofJson(absl::string_view json);
absl::StatusOr<v1::ConsistencyProof> ParseConsistencyProofJson(absl::string_view json);

// A verifier key as given on a command line: the key itself, or a file whose first line is it.
std::string ResolveVerifierKey(const std::string& key_or_file);

// The contents of a proof or checkpoint file; INVALID_ARGUMENT over 16 MiB, NOT_FOUND if absent.
absl::StatusOr<std::string> ReadProofFile(const std::string& path);

// The SHA-256 (lower-case hex) and size of a file, read in 1 MiB blocks.
absl::StatusOr<std::pair<std::string, int64_t>> HashFile(const std::string& path);

}  // namespace odr::verify

#endif  // ODR_CLIENT_VERIFY_H_
