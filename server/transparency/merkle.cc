#include "server/transparency/merkle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace odr::transparency {
namespace {

constexpr char kLeafPrefix = 0x00;
constexpr char kNodePrefix = 0x01;

[[noreturn]] void DieHashing() {
  std::fputs("odr::transparency: SHA-256 via OpenSSL failed\n", stderr);
  std::abort();
}

// SHA-256, fetched once from the default provider (avoids an implicit fetch per digest).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) DieHashing();
  return md;
}

// SHA-256 of the concatenation of `parts`. Hashing with the default provider does not fail short
// of a broken OpenSSL or memory exhaustion; both abort, as no caller could do better.
Hash Digest(std::initializer_list<absl::string_view> parts) {
  Hash out;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) == 1;
  for (absl::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  unsigned int len = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) DieHashing();
  return out;
}

absl::string_view AsChars(const Hash& h) {
  return absl::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

absl::Status CheckSize(uint64_t size) {
  if (size > kMaxTreeSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", size, " exceeds the maximum of ", kMaxTreeSize));
  }
  return absl::OkStatus();
}

// The largest power of two strictly less than n; n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[begin:end]) for a range that is a node of the RFC 6962 tree over some D[0:n] with
// n >= end: begin is a multiple of the smallest power of two >= end - begin. Such a range splits
// into complete aligned subtrees greedily from the left, largest first (the RFC's recursion
// always splits off a complete left part), and its hash folds them from the right.
absl::StatusOr<Hash> RangeHash(const SubtreeSource& tree, uint64_t begin, uint64_t end) {
  std::vector<Hash> parts;
  uint64_t pos = begin;
  while (pos < end) {
    // The largest subtree starting at `pos` that is aligned and ends by `end`.
    const int fit = static_cast<int>(std::bit_width(end - pos)) - 1;
    const int level = pos == 0 ? fit : std::min(fit, std::countr_zero(pos));
    absl::StatusOr<Hash> h = tree.Subtree(level, pos >> level);
    if (!h.ok()) return h.status();
    parts.push_back(*h);
    pos += uint64_t{1} << level;
  }
  if (parts.empty()) return absl::InternalError("empty Merkle range");
  Hash acc = parts.back();
  for (size_t i = parts.size() - 1; i-- > 0;) acc = NodeHash(parts[i], acc);
  return acc;
}

// The audit path's node ranges for leaf `index` of a tree of `size` leaves, from the root down
// (RFC 6962 section 2.1.1 unrolled): each is the sibling of the range holding the leaf.
// 0 <= index < size <= kMaxTreeSize.
struct Range {
  uint64_t begin;
  uint64_t end;
};
std::vector<Range> InclusionRanges(uint64_t index, uint64_t size) {
  std::vector<Range> out;
  uint64_t lo = 0;
  uint64_t hi = size;
  while (hi - lo > 1) {
    const uint64_t mid = lo + SplitPoint(hi - lo);
    if (index < mid) {
      out.push_back({mid, hi});
      hi = mid;
    } else {
      out.push_back({lo, mid});
      lo = mid;
    }
  }
  return out;
}

// The consistency proof's node ranges, in proof order (RFC 6962 section 2.1.2, SUBPROOF unrolled).
// 0 < old_size < new_size <= kMaxTreeSize.
std::vector<Range> ConsistencyRanges(uint64_t old_size, uint64_t new_size) {
  std::vector<Range> siblings;  // from the root down
  uint64_t lo = 0;
  uint64_t hi = new_size;
  bool whole = true;  // SUBPROOF's b: the current range is a prefix of the old tree's root range
  // Invariant: lo < old_size <= hi.
  while (old_size < hi) {
    const uint64_t mid = lo + SplitPoint(hi - lo);
    if (old_size <= mid) {
      siblings.push_back({mid, hi});
      hi = mid;
    } else {
      siblings.push_back({lo, mid});
      lo = mid;
      whole = false;
    }
  }
  std::vector<Range> out;
  out.reserve(siblings.size() + 1);
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}: the old tree's own node, unless it is the old root.
  if (!whole) out.push_back({lo, hi});
  out.insert(out.end(), siblings.rbegin(), siblings.rend());
  return out;
}

absl::StatusOr<std::vector<Hash>> HashRanges(const SubtreeSource& tree,
                                             const std::vector<Range>& ranges) {
  std::vector<Hash> out;
  out.reserve(ranges.size());
  for (const Range& r : ranges) {
    absl::StatusOr<Hash> h = RangeHash(tree, r.begin, r.end);
    if (!h.ok()) return h.status();
    out.push_back(*h);
  }
  return out;
}

// Right-shifts both until fn's low bit is set or fn is 0 (RFC 9162's "right-shift equally").
void ShiftWhileEven(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

// --- Hashing -----------------------------------------------------------------------------------

Hash Sha256(absl::string_view data) { return Digest({data}); }

Hash LeafHash(absl::string_view leaf_data) {
  return Digest({absl::string_view(&kLeafPrefix, 1), leaf_data});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  return Digest({absl::string_view(&kNodePrefix, 1), AsChars(left), AsChars(right)});
}

Hash EmptyRoot() {
  static const Hash empty = Sha256("");
  return empty;
}

std::string HexHash(const Hash& h) { return absl::BytesToHexString(AsChars(h)); }

absl::StatusOr<Hash> HashFromBytes(absl::string_view bytes) {
  Hash h;
  if (bytes.size() != h.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a hash is ", h.size(), " bytes, not ", bytes.size()));
  }
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

absl::StatusOr<Hash> HashFromHex(absl::string_view hex) {
  if (hex.size() != 64) return absl::InvalidArgumentError("a hex hash is 64 hex digits");
  for (char c : hex) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("a hex hash is 64 hex digits");
    }
  }
  return HashFromBytes(absl::HexStringToBytes(hex));
}

// --- Building ----------------------------------------------------------------------------------

absl::StatusOr<std::vector<StoredNode>> NodesForAppend(const SubtreeSource& existing,
                                                       uint64_t index, const Hash& leaf_hash) {
  if (index >= kMaxTreeSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot append leaf ", index, ": the tree is full"));
  }
  std::vector<StoredNode> out;
  out.push_back({0, index, leaf_hash});
  int level = 0;
  uint64_t i = index;
  Hash h = leaf_hash;
  // A right child completes its parent. Its left sibling (level, i - 1) covers leaves below
  // i << level <= index, so it is complete in the tree of size `index`.
  while ((i & 1) == 1) {
    absl::StatusOr<Hash> left = existing.Subtree(level, i - 1);
    if (!left.ok()) return left.status();
    h = NodeHash(*left, h);
    ++level;
    i >>= 1;
    out.push_back({level, i, h});
  }
  return out;
}

absl::StatusOr<Hash> RootAt(const SubtreeSource& tree, uint64_t size) {
  if (absl::Status s = CheckSize(size); !s.ok()) return s;
  if (size == 0) return EmptyRoot();
  return RangeHash(tree, 0, size);
}

absl::StatusOr<std::vector<Hash>> InclusionProof(const SubtreeSource& tree, uint64_t index,
                                                 uint64_t size) {
  if (absl::Status s = CheckSize(size); !s.ok()) return s;
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", index, " is not below tree size ", size));
  }
  std::vector<Range> ranges = InclusionRanges(index, size);
  std::reverse(ranges.begin(), ranges.end());  // the leaf's sibling first
  return HashRanges(tree, ranges);
}

absl::StatusOr<std::vector<Hash>> ConsistencyProof(const SubtreeSource& tree, uint64_t old_size,
                                                   uint64_t new_size) {
  if (absl::Status s = CheckSize(new_size); !s.ok()) return s;
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old tree size ", old_size, " exceeds new tree size ", new_size));
  }
  if (old_size == 0 || old_size == new_size) return std::vector<Hash>();
  return HashRanges(tree, ConsistencyRanges(old_size, new_size));
}

// --- Verifying ---------------------------------------------------------------------------------

absl::Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t size,
                             const std::vector<Hash>& proof, const Hash& root) {
  if (absl::Status s = CheckSize(size); !s.ok()) return s;
  if (index >= size) return absl::InvalidArgumentError("leaf index out of range");
  if (proof.size() != InclusionRanges(index, size).size()) {
    return absl::InvalidArgumentError("proof has the wrong length");
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return absl::InvalidArgumentError("proof has the wrong length");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      ShiftWhileEven(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("proof has the wrong length");
  if (r != root) return absl::InvalidArgumentError("inclusion proof does not lead to the root");
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const std::vector<Hash>& proof,
                               const Hash& old_root, const Hash& new_root) {
  if (absl::Status s = CheckSize(new_size); !s.ok()) return s;
  if (old_size > new_size) return absl::InvalidArgumentError("old size exceeds new size");
  if (old_size == 0) {
    if (!proof.empty()) return absl::InvalidArgumentError("proof has the wrong length");
    if (old_root != EmptyRoot())
      return absl::InvalidArgumentError("old root is not the empty root");
    if (new_size == 0 && new_root != EmptyRoot()) {
      return absl::InvalidArgumentError("new root is not the empty root");
    }
    return absl::OkStatus();
  }
  if (old_size == new_size) {
    if (!proof.empty()) return absl::InvalidArgumentError("proof has the wrong length");
    if (old_root != new_root) {
      return absl::InvalidArgumentError("roots of equal tree sizes differ");
    }
    return absl::OkStatus();
  }
  if (proof.empty() || proof.size() != ConsistencyRanges(old_size, new_size).size()) {
    return absl::InvalidArgumentError("proof has the wrong length");
  }

  // RFC 9162 section 2.1.4.2. When old_size is a power of two the old root is itself a node of
  // the new tree and the proof leaves it out; it starts the path instead.
  const bool prepend = std::has_single_bit(old_size);
  const Hash& first = prepend ? old_root : proof.front();
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = first;
  Hash sr = first;
  for (size_t i = prepend ? 0 : 1; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (sn == 0) return absl::InvalidArgumentError("proof has the wrong length");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftWhileEven(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::InvalidArgumentError("proof has the wrong length");
  if (fr != old_root) {
    return absl::InvalidArgumentError("consistency proof does not lead to the old root");
  }
  if (sr != new_root) {
    return absl::InvalidArgumentError("consistency proof does not lead to the new root");
  }
  return absl::OkStatus();
}

// --- MemoryTree --------------------------------------------------------------------------------

void MemoryTree::Append(absl::string_view leaf_data) {
  absl::StatusOr<std::vector<StoredNode>> nodes = NodesForAppend(*this, size_, LeafHash(leaf_data));
  if (!nodes.ok()) {
    std::fprintf(stderr, "MemoryTree::Append: %s\n", nodes.status().ToString().c_str());
    std::abort();
  }
  for (StoredNode& n : *nodes) {
    if (levels_.size() <= static_cast<size_t>(n.level)) levels_.resize(n.level + 1);
    // Nodes complete in order of their index, so each is the next one on its level.
    levels_[n.level].push_back(n.hash);
  }
  ++size_;
}

absl::StatusOr<Hash> MemoryTree::Subtree(int level, uint64_t index) const {
  if (level < 0) return absl::InvalidArgumentError("negative subtree level");
  if (static_cast<size_t>(level) >= levels_.size() || index >= levels_[level].size()) {
    return absl::OutOfRangeError(absl::StrCat("subtree (", level, ", ", index,
                                              ") is not complete in a tree of size ", size_));
  }
  return levels_[level][index];
}

}  // namespace odr::transparency
