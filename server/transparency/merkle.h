// The Merkle tree of RFC 6962 section 2.1 (RFC 9162 section 2.1): leaf and node hashing, tree
// heads, inclusion and consistency proofs and their verification.
//
// Trees are read through SubtreeSource, which serves the hashes of complete, aligned subtrees
// only: everything else (tree heads of any size, the ragged right edge of a proof) is computed
// from those, so a store needs to keep nothing but the nodes NodesForAppend hands it.
//
// All functions are thread-safe as long as the SubtreeSource they are given may be read
// concurrently. Sizes and indexes are leaf counts; trees of more than kMaxTreeSize leaves are
// refused with INVALID_ARGUMENT, which keeps every intermediate computation clear of uint64
// overflow. Errors returned by a SubtreeSource are passed through unchanged.
#ifndef ODR_SERVER_TRANSPARENCY_MERKLE_H_
#define ODR_SERVER_TRANSPARENCY_MERKLE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace odr::transparency {

// A SHA-256 digest.
using Hash = std::array<uint8_t, 32>;

// The largest tree (in leaves) any function here accepts: 2^62.
inline constexpr uint64_t kMaxTreeSize = uint64_t{1} << 62;

// SHA-256 of `data`.
Hash Sha256(absl::string_view data);
// The hash of a leaf: SHA-256(0x00 || leaf_data).
Hash LeafHash(absl::string_view leaf_data);
// The hash of an interior node: SHA-256(0x01 || left || right).
Hash NodeHash(const Hash& left, const Hash& right);
// The root of the empty tree: SHA-256 of the empty string.
Hash EmptyRoot();

// Lower-case hex, 64 characters.
std::string HexHash(const Hash& h);
// The hash held in exactly 32 raw bytes. INVALID_ARGUMENT for any other length.
absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes);
// The hash spelled by exactly 64 hex digits (either case). INVALID_ARGUMENT otherwise.
absl::StatusOr<Hash> HashFromHex(absl::string_view hex);

// Hashes of complete, aligned subtrees of a tree: (level L, index i) covers leaves
// [i << L, (i + 1) << L); level 0 is the leaf hash of leaf i. Implementations (the SQLite log in
// storage, MemoryTree here) are only asked for subtrees complete in the tree in question: when a
// function here works on the first `size` leaves, every subtree it asks for lies within them, so
// a source holding a larger tree serves it unchanged.
class SubtreeSource {
 public:
  virtual ~SubtreeSource() = default;
  virtual absl::StatusOr<Hash> Subtree(int level, uint64_t index) const = 0;
};

// A node of the tree as stored: the hash of subtree (level, index).
struct StoredNode {
  int level;
  uint64_t index;
  Hash hash;
};

// The nodes that become complete when leaf number `index` is appended to the tree of size `index`
// held by `existing`: {0, index, leaf_hash} and each parent thereby completed, bottom-up (one
// node, plus one per trailing 1 bit of `index`). Reads only the left siblings of those parents
// from `existing`. INVALID_ARGUMENT if `index` >= kMaxTreeSize.
absl::StatusOr<std::vector<StoredNode>> NodesForAppend(const SubtreeSource& existing,
                                                       uint64_t index, const Hash& leaf_hash);

// MTH of the first `size` leaves (EmptyRoot() for 0), from one Subtree lookup per 1 bit of `size`.
absl::StatusOr<Hash> RootAt(const SubtreeSource& tree, uint64_t size);

// The RFC 6962 section 2.1.1 audit path for leaf `index` in the tree of `size` leaves, the
// sibling of the leaf first. INVALID_ARGUMENT if index >= size.
absl::StatusOr<std::vector<Hash>> InclusionProof(const SubtreeSource& tree, uint64_t index,
                                                 uint64_t size);

// The RFC 6962 section 2.1.2 consistency proof between the trees of `old_size` and `new_size`
// leaves. INVALID_ARGUMENT if old_size > new_size. Equal sizes and old_size == 0 give the empty
// proof (every tree is consistent with the empty tree; see VerifyConsistency).
absl::StatusOr<std::vector<Hash>> ConsistencyProof(const SubtreeSource& tree, uint64_t old_size,
                                                   uint64_t new_size);

// Verifies an inclusion proof by the iterative algorithm of RFC 9162 section 2.1.3.2. OK, or
// INVALID_ARGUMENT with a short reason: "leaf index out of range", "proof has the wrong length",
// "inclusion proof does not lead to the root", ...
absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                             const std::vector<Hash>& proof, const Hash& root);

// Verifies a consistency proof by the iterative algorithm of RFC 9162 section 2.1.4.2. OK, or
// INVALID_ARGUMENT with a short reason. Beyond the RFC's algorithm (which needs
// 0 < old_size < new_size): old_size == 0 verifies with the empty proof when old_root is
// EmptyRoot() (and, if new_size is 0 too, new_root as well); old_size == new_size verifies with the
// empty proof when the roots are equal. Any proof with extra or missing elements is refused.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const std::vector<Hash>& proof,
                               const Hash& old_root, const Hash& new_root);

// An in-memory tree, for tests and as a reference. Not thread-safe.
class MemoryTree final : public SubtreeSource {
 public:
  // Appends a leaf, storing the nodes NodesForAppend returns. Aborts the process if the tree
  // already holds kMaxTreeSize leaves (memory runs out long before).
  void Append(absl::string_view leaf_data);
  uint64_t size() const { return size_; }
  // OUT_OF_RANGE unless the subtree is complete in this tree; INVALID_ARGUMENT for a negative
  // level.
  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override;

 private:
  std::vector<std::vector<Hash>> levels_;  // levels_[L][i]: subtree (L, i)
  uint64_t size_ = 0;
};

}  // namespace odr::transparency

#endif  // ODR_SERVER_TRANSPARENCY_MERKLE_H_
