#include "server/transparency/merkle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::transparency {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Hash H(absl::string_view hex) {
  absl::StatusOr<Hash> h = HashFromHex(hex);
  EXPECT_THAT(h, IsOk()) << hex;
  return h.ok() ? *h : Hash{};
}

std::vector<Hash> Hs(std::initializer_list<absl::string_view> hexes) {
  std::vector<Hash> out;
  for (absl::string_view h : hexes) out.push_back(H(h));
  return out;
}

Hash Flip(Hash h, int bit) {
  h[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  return h;
}

// The leaves of the RFC 6962 test set used across certificate-transparency implementations.
std::vector<std::string> VectorLeaves() {
  std::vector<std::string> out;
  for (absl::string_view hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(absl::HexStringToBytes(hex));
  }
  return out;
}

// MTH(D[n]) for n = 1..8 of VectorLeaves().
constexpr std::array<absl::string_view, 8> kVectorRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// --- A reference: RFC 6962 section 2.1 as written, recursively over the leaf data ---------------

size_t RefSplit(size_t n) {  // the largest power of two smaller than n (n > 1)
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash RefMth(const std::vector<std::string>& d, size_t begin, size_t end) {
  if (end == begin) return Sha256("");
  if (end - begin == 1) return LeafHash(d[begin]);
  const size_t k = RefSplit(end - begin);
  return NodeHash(RefMth(d, begin, begin + k), RefMth(d, begin + k, end));
}

// PATH(m, D[begin:end]), m relative to begin.
std::vector<Hash> RefPath(const std::vector<std::string>& d, size_t m, size_t begin, size_t end) {
  if (end - begin == 1) return {};
  const size_t k = RefSplit(end - begin);
  std::vector<Hash> out;
  if (m < k) {
    out = RefPath(d, m, begin, begin + k);
    out.push_back(RefMth(d, begin + k, end));
  } else {
    out = RefPath(d, m - k, begin + k, end);
    out.push_back(RefMth(d, begin, begin + k));
  }
  return out;
}

// SUBPROOF(m, D[begin:end], b), m relative to begin.
std::vector<Hash> RefSubproof(const std::vector<std::string>& d, size_t m, size_t begin, size_t end,
                              bool b) {
  const size_t n = end - begin;
  if (m == n) {
    if (b) return {};
    return {RefMth(d, begin, end)};
  }
  const size_t k = RefSplit(n);
  std::vector<Hash> out;
  if (m <= k) {
    out = RefSubproof(d, m, begin, begin + k, b);
    out.push_back(RefMth(d, begin + k, end));
  } else {
    out = RefSubproof(d, m - k, begin + k, end, false);
    out.push_back(RefMth(d, begin, begin + k));
  }
  return out;
}

std::vector<std::string> MakeLeaves(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(absl::StrCat("leaf ", i));
  return out;
}

// Serves `inner`'s subtrees, counting lookups and recording every request for a subtree that is
// not complete within the first `limit` leaves.
class CheckingSource : public SubtreeSource {
 public:
  CheckingSource(const SubtreeSource& inner, uint64_t limit) : inner_(inner), limit_(limit) {}

  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override {
    ++calls;
    if (level < 0 || level > 62 || index >= (limit_ >> level)) {
      violations.push_back(absl::StrCat("(", level, ", ", index, ") with limit ", limit_));
    }
    return inner_.Subtree(level, index);
  }

  mutable int calls = 0;
  mutable std::vector<std::string> violations;

 private:
  const SubtreeSource& inner_;
  uint64_t limit_;
};

// A tree of any size whose leaves all have the same hash, so every subtree of a level has the
// same hash: enough to build and verify proofs in trees of up to 2^62 leaves.
class UniformSource : public SubtreeSource {
 public:
  explicit UniformSource(uint64_t size) : size_(size) {
    level_hash_[0] = LeafHash("same");
    for (size_t l = 1; l < level_hash_.size(); ++l) {
      level_hash_[l] = NodeHash(level_hash_[l - 1], level_hash_[l - 1]);
    }
  }
  absl::StatusOr<Hash> Subtree(int level, uint64_t index) const override {
    ++calls;
    if (level < 0 || level > 62 || index >= (size_ >> level)) {
      ++violations;
      return absl::OutOfRangeError("incomplete subtree");
    }
    return level_hash_[level];
  }
  const Hash& level_hash(int level) const { return level_hash_[level]; }

  mutable int calls = 0;
  mutable int violations = 0;

 private:
  uint64_t size_;
  std::array<Hash, 63> level_hash_;
};

class FailingSource : public SubtreeSource {
 public:
  absl::StatusOr<Hash> Subtree(int, uint64_t) const override {
    return absl::DataLossError("disk on fire");
  }
};

// A 64-leaf tree with every root and every proof of its prefixes, computed once.
constexpr uint64_t kN = 64;
struct Fixture {
  std::vector<std::string> leaves = MakeLeaves(kN);
  MemoryTree tree;
  std::vector<Hash> roots;                             // roots[s], s = 0..kN
  std::vector<std::vector<std::vector<Hash>>> incl;    // incl[s][i]
  std::vector<std::vector<std::vector<Hash>>> consis;  // consis[n][m]
  Fixture() {
    for (const std::string& l : leaves) tree.Append(l);
    roots.resize(kN + 1);
    incl.resize(kN + 1);
    consis.resize(kN + 1);
    for (uint64_t s = 0; s <= kN; ++s) {
      roots[s] = *RootAt(tree, s);
      for (uint64_t i = 0; i < s; ++i) incl[s].push_back(*InclusionProof(tree, i, s));
      for (uint64_t m = 0; m <= s; ++m) consis[s].push_back(*ConsistencyProof(tree, m, s));
    }
  }
};
const Fixture& F() {
  static const Fixture* const f = new Fixture();
  return *f;
}

// --- Hashing -----------------------------------------------------------------------------------

TEST(MerkleHashTest, Primitives) {
  EXPECT_EQ(HexHash(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexHash(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(LeafHash("abc"), Sha256(std::string("\0abc", 4)));
  const Hash a = Sha256("a");
  const Hash b = Sha256("b");
  std::string node("\x01", 1);
  node.append(reinterpret_cast<const char*>(a.data()), a.size());
  node.append(reinterpret_cast<const char*>(b.data()), b.size());
  EXPECT_EQ(NodeHash(a, b), Sha256(node));
  EXPECT_NE(NodeHash(a, b), NodeHash(b, a));
}

TEST(MerkleHashTest, HexAndBytes) {
  const Hash h = Sha256("x");
  const std::string hex = HexHash(h);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(*HashFromHex(hex), h);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(*HashFromHex(upper), h);
  EXPECT_EQ(HashFromHex(hex.substr(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromHex(hex + "0").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromHex("g" + hex.substr(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromHex(" " + hex.substr(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromHex("").status().code(), absl::StatusCode::kInvalidArgument);

  const std::string raw(reinterpret_cast<const char*>(h.data()), h.size());
  EXPECT_EQ(*HashFromBytes(raw), h);
  EXPECT_EQ(HashFromBytes(raw.substr(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HashFromBytes(raw + "x").status().code(), absl::StatusCode::kInvalidArgument);
}

// --- Published RFC 6962 vectors ----------------------------------------------------------------

TEST(MerkleVectorTest, Roots) {
  const std::vector<std::string> d = VectorLeaves();
  MemoryTree tree;
  EXPECT_EQ(*RootAt(tree, 0), EmptyRoot());
  for (size_t n = 1; n <= d.size(); ++n) {
    tree.Append(d[n - 1]);
    EXPECT_EQ(tree.size(), n);
    EXPECT_EQ(HexHash(*RootAt(tree, n)), kVectorRoots[n - 1]) << "size " << n;
    EXPECT_EQ(HexHash(RefMth(d, 0, n)), kVectorRoots[n - 1]) << "reference, size " << n;
  }
  // Earlier sizes from the full tree.
  for (size_t n = 1; n <= d.size(); ++n) EXPECT_EQ(HexHash(*RootAt(tree, n)), kVectorRoots[n - 1]);
}

TEST(MerkleVectorTest, InclusionProofs) {
  const std::vector<std::string> d = VectorLeaves();
  MemoryTree tree;
  for (const std::string& l : d) tree.Append(l);
  const struct {
    uint64_t index, size;
    std::vector<Hash> proof;
  } cases[] = {
      {0, 1, {}},
      {0, 2, Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"})},
      {1, 2, Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"})},
      {2, 3, Hs({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hs({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {0, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::StrCat("index ", c.index, " size ", c.size));
    absl::StatusOr<std::vector<Hash>> proof = InclusionProof(tree, c.index, c.size);
    ASSERT_THAT(proof, IsOk()) << proof.status();
    EXPECT_THAT(*proof, ElementsAreArray(c.proof));
    EXPECT_TRUE(
        VerifyInclusion(LeafHash(d[c.index]), c.index, c.size, c.proof, H(kVectorRoots[c.size - 1]))
            .ok());
  }
}

TEST(MerkleVectorTest, ConsistencyProofs) {
  const std::vector<std::string> d = VectorLeaves();
  MemoryTree tree;
  for (const std::string& l : d) tree.Append(l);
  const struct {
    uint64_t old_size, new_size;
    std::vector<Hash> proof;
  } cases[] = {
      {1, 1, {}},
      {1, 8,
       Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
           "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
           "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
           "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
           "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::StrCat("old ", c.old_size, " new ", c.new_size));
    absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(tree, c.old_size, c.new_size);
    ASSERT_THAT(proof, IsOk()) << proof.status();
    EXPECT_THAT(*proof, ElementsAreArray(c.proof));
    EXPECT_TRUE(VerifyConsistency(c.old_size, c.new_size, c.proof, H(kVectorRoots[c.old_size - 1]),
                                  H(kVectorRoots[c.new_size - 1]))
                    .ok());
  }
}

// --- Every proof of every prefix of a 64-leaf tree ---------------------------------------------

TEST(MerkleExhaustiveTest, RootsMatchReference) {
  const Fixture& f = F();
  for (uint64_t s = 0; s <= kN; ++s) {
    CheckingSource src(f.tree, s);
    absl::StatusOr<Hash> root = RootAt(src, s);
    ASSERT_THAT(root, IsOk()) << root.status();
    EXPECT_EQ(*root, RefMth(f.leaves, 0, s)) << "size " << s;
    EXPECT_EQ(src.calls, std::popcount(s)) << "size " << s;
    EXPECT_THAT(src.violations, IsEmpty()) << "size " << s;
  }
}

TEST(MerkleExhaustiveTest, InclusionProofsMatchReferenceAndVerify) {
  const Fixture& f = F();
  for (uint64_t s = 1; s <= kN; ++s) {
    for (uint64_t i = 0; i < s; ++i) {
      SCOPED_TRACE(absl::StrCat("index ", i, " size ", s));
      CheckingSource src(f.tree, s);
      absl::StatusOr<std::vector<Hash>> proof = InclusionProof(src, i, s);
      ASSERT_THAT(proof, IsOk()) << proof.status();
      EXPECT_THAT(*proof, ElementsAreArray(RefPath(f.leaves, i, 0, s)));
      EXPECT_THAT(src.violations, IsEmpty());
      EXPECT_LE(src.calls, 2 * std::bit_width(s));
      const absl::Status v = VerifyInclusion(LeafHash(f.leaves[i]), i, s, *proof, f.roots[s]);
      EXPECT_THAT(v, IsOk()) << v;
    }
  }
}

TEST(MerkleExhaustiveTest, ConsistencyProofsMatchReferenceAndVerify) {
  const Fixture& f = F();
  for (uint64_t n = 1; n <= kN; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      SCOPED_TRACE(absl::StrCat("old ", m, " new ", n));
      CheckingSource src(f.tree, n);
      absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(src, m, n);
      ASSERT_THAT(proof, IsOk()) << proof.status();
      if (m == n) {
        EXPECT_THAT(*proof, IsEmpty());
      } else {
        EXPECT_THAT(*proof, ElementsAreArray(RefSubproof(f.leaves, m, 0, n, true)));
      }
      EXPECT_THAT(src.violations, IsEmpty());
      EXPECT_LE(src.calls, 2 * std::bit_width(n));
      const absl::Status v = VerifyConsistency(m, n, *proof, f.roots[m], f.roots[n]);
      EXPECT_THAT(v, IsOk()) << v;
    }
  }
}

TEST(MerkleExhaustiveTest, TreesOfExactSizeGiveTheSameProofs) {
  const Fixture& f = F();
  for (uint64_t s : {1, 2, 3, 7, 8, 9, 31, 33}) {
    MemoryTree exact;
    for (uint64_t i = 0; i < s; ++i) exact.Append(f.leaves[i]);
    EXPECT_EQ(*RootAt(exact, s), f.roots[s]);
    for (uint64_t i = 0; i < s; ++i) EXPECT_EQ(*InclusionProof(exact, i, s), f.incl[s][i]);
    for (uint64_t m = 0; m <= s; ++m) EXPECT_EQ(*ConsistencyProof(exact, m, s), f.consis[s][m]);
  }
}

// --- Tampering ---------------------------------------------------------------------------------

// Every way of damaging a valid inclusion proof must be refused. With `all_bits`, every bit of
// every hash is flipped in turn; otherwise one random bit per hash.
void CheckInclusionTamper(uint64_t i, uint64_t s, bool all_bits, std::mt19937_64& rng) {
  const Fixture& f = F();
  SCOPED_TRACE(absl::StrCat("index ", i, " size ", s));
  const Hash leaf = LeafHash(f.leaves[i]);
  const std::vector<Hash>& proof = f.incl[s][i];
  const Hash& root = f.roots[s];
  ASSERT_THAT(VerifyInclusion(leaf, i, s, proof, root), IsOk());
  std::uniform_int_distribution<int> any_bit(0, 255);
  const auto bits = [&](auto&& fn) {
    if (all_bits) {
      for (int b = 0; b < 256; ++b) fn(b);
    } else {
      fn(any_bit(rng));
    }
  };

  for (size_t k = 0; k < proof.size(); ++k) {
    bits([&](int b) {
      std::vector<Hash> bad = proof;
      bad[k] = Flip(bad[k], b);
      EXPECT_FALSE(VerifyInclusion(leaf, i, s, bad, root).ok()) << "element " << k << " bit " << b;
    });
  }
  bits([&](int b) {
    EXPECT_FALSE(VerifyInclusion(Flip(leaf, b), i, s, proof, root).ok()) << "leaf bit " << b;
    EXPECT_FALSE(VerifyInclusion(leaf, i, s, proof, Flip(root, b)).ok()) << "root bit " << b;
  });
  // Another leaf's hash.
  EXPECT_FALSE(VerifyInclusion(LeafHash(f.leaves[(i + 1) % kN]), i, s, proof, root).ok());
  // Swapped neighbours.
  for (size_t k = 0; k + 1 < proof.size(); ++k) {
    std::vector<Hash> bad = proof;
    std::swap(bad[k], bad[k + 1]);
    if (bad[k] != bad[k + 1]) EXPECT_FALSE(VerifyInclusion(leaf, i, s, bad, root).ok());
  }
  // Extra or missing elements.
  for (const Hash& extra : {Hash{}, root, leaf, proof.empty() ? Hash{} : proof.back()}) {
    std::vector<Hash> bad = proof;
    bad.push_back(extra);
    EXPECT_FALSE(VerifyInclusion(leaf, i, s, bad, root).ok()) << "appended";
    bad = proof;
    bad.insert(bad.begin(), extra);
    EXPECT_FALSE(VerifyInclusion(leaf, i, s, bad, root).ok()) << "prepended";
  }
  for (size_t k = 0; k < proof.size(); ++k) {
    std::vector<Hash> bad = proof;
    bad.erase(bad.begin() + k);
    EXPECT_FALSE(VerifyInclusion(leaf, i, s, bad, root).ok()) << "removed " << k;
  }
  // Any other index, in range or not.
  for (uint64_t j = 0; j <= s + 1; ++j) {
    if (j != i) EXPECT_FALSE(VerifyInclusion(leaf, j, s, proof, root).ok()) << "index " << j;
  }
  EXPECT_FALSE(VerifyInclusion(leaf, std::numeric_limits<uint64_t>::max(), s, proof, root).ok());
  // Another size: with this root (doubling or halving always changes the proof's shape), and
  // with the other size's real root, which this proof must not reach unless it is also the proof
  // for that size.
  EXPECT_FALSE(VerifyInclusion(leaf, i, 2 * s, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(leaf, i, s / 2, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(leaf, i, 0, proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(leaf, i, std::numeric_limits<uint64_t>::max(), proof, root).ok());
  for (uint64_t t = i + 1; t <= kN; ++t) {
    if (t == s || f.incl[t][i] == proof) continue;
    EXPECT_FALSE(VerifyInclusion(leaf, i, t, proof, f.roots[t]).ok()) << "size " << t;
  }
}

void CheckConsistencyTamper(uint64_t m, uint64_t n, bool all_bits, std::mt19937_64& rng) {
  const Fixture& f = F();
  SCOPED_TRACE(absl::StrCat("old ", m, " new ", n));
  const std::vector<Hash>& proof = f.consis[n][m];
  const Hash& r1 = f.roots[m];
  const Hash& r2 = f.roots[n];
  ASSERT_THAT(VerifyConsistency(m, n, proof, r1, r2), IsOk());
  std::uniform_int_distribution<int> any_bit(0, 255);
  const auto bits = [&](auto&& fn) {
    if (all_bits) {
      for (int b = 0; b < 256; ++b) fn(b);
    } else {
      fn(any_bit(rng));
    }
  };

  for (size_t k = 0; k < proof.size(); ++k) {
    bits([&](int b) {
      std::vector<Hash> bad = proof;
      bad[k] = Flip(bad[k], b);
      EXPECT_FALSE(VerifyConsistency(m, n, bad, r1, r2).ok()) << "element " << k << " bit " << b;
    });
  }
  bits([&](int b) {
    EXPECT_FALSE(VerifyConsistency(m, n, proof, Flip(r1, b), r2).ok()) << "old root bit " << b;
    EXPECT_FALSE(VerifyConsistency(m, n, proof, r1, Flip(r2, b)).ok()) << "new root bit " << b;
  });
  if (r1 != r2) EXPECT_FALSE(VerifyConsistency(m, n, proof, r2, r1).ok()) << "swapped roots";
  for (const Hash& extra : {Hash{}, r1, r2, proof.empty() ? Hash{} : proof.front()}) {
    std::vector<Hash> bad = proof;
    bad.push_back(extra);
    EXPECT_FALSE(VerifyConsistency(m, n, bad, r1, r2).ok()) << "appended";
    bad = proof;
    bad.insert(bad.begin(), extra);
    EXPECT_FALSE(VerifyConsistency(m, n, bad, r1, r2).ok()) << "prepended";
  }
  for (size_t k = 0; k < proof.size(); ++k) {
    std::vector<Hash> bad = proof;
    bad.erase(bad.begin() + k);
    EXPECT_FALSE(VerifyConsistency(m, n, bad, r1, r2).ok()) << "removed " << k;
  }
  for (size_t k = 0; k + 1 < proof.size(); ++k) {
    std::vector<Hash> bad = proof;
    std::swap(bad[k], bad[k + 1]);
    if (bad[k] != bad[k + 1]) EXPECT_FALSE(VerifyConsistency(m, n, bad, r1, r2).ok());
  }
  // Other sizes with these roots, and other sizes with their own real roots.
  EXPECT_FALSE(VerifyConsistency(m, 2 * n, proof, r1, r2).ok());
  EXPECT_FALSE(VerifyConsistency(m, n / 2, proof, r1, r2).ok());
  EXPECT_FALSE(VerifyConsistency(0, n, proof, r1, r2).ok());
  EXPECT_FALSE(VerifyConsistency(n + 1, n, proof, r1, r2).ok());
  for (uint64_t a = 1; a <= kN; ++a) {
    for (uint64_t b = a; b <= kN; ++b) {
      if ((a == m && b == n) || f.consis[b][a] == proof) continue;
      EXPECT_FALSE(VerifyConsistency(a, b, proof, f.roots[a], f.roots[b]).ok())
          << "sizes " << a << ", " << b;
    }
  }
}

TEST(MerkleTamperTest, InclusionAllBitsForSomeSizes) {
  std::mt19937_64 rng(1);
  for (uint64_t s : {1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 33, 64}) {
    for (uint64_t i = 0; i < s; ++i) CheckInclusionTamper(i, s, /*all_bits=*/true, rng);
  }
}

TEST(MerkleTamperTest, InclusionSampledForAllSizes) {
  std::mt19937_64 rng(2);
  for (uint64_t s = 1; s <= kN; ++s) {
    for (uint64_t i = 0; i < s; ++i) CheckInclusionTamper(i, s, /*all_bits=*/false, rng);
  }
}

TEST(MerkleTamperTest, ConsistencyAllBitsForSomeSizes) {
  std::mt19937_64 rng(3);
  const std::pair<uint64_t, uint64_t> pairs[] = {{1, 2},   {1, 8},   {2, 5},   {3, 7},
                                                 {4, 8},   {6, 8},   {7, 8},   {5, 64},
                                                 {13, 31}, {31, 33}, {32, 64}, {63, 64}};
  for (const auto& [m, n] : pairs) CheckConsistencyTamper(m, n, /*all_bits=*/true, rng);
}

TEST(MerkleTamperTest, ConsistencySampledForAllSizes) {
  std::mt19937_64 rng(4);
  for (uint64_t n = 2; n <= kN; ++n) {
    for (uint64_t m = 1; m < n; ++m) CheckConsistencyTamper(m, n, /*all_bits=*/false, rng);
  }
}

// --- Edge cases --------------------------------------------------------------------------------

TEST(MerkleEdgeTest, EqualAndEmptySizes) {
  const Fixture& f = F();
  const Hash r5 = f.roots[5];
  EXPECT_THAT(*ConsistencyProof(f.tree, 0, 0), IsEmpty());
  EXPECT_THAT(*ConsistencyProof(f.tree, 0, 5), IsEmpty());
  EXPECT_THAT(*ConsistencyProof(f.tree, 5, 5), IsEmpty());

  EXPECT_THAT(VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot()), IsOk());
  EXPECT_FALSE(VerifyConsistency(0, 0, {}, EmptyRoot(), r5).ok());
  EXPECT_THAT(VerifyConsistency(0, 5, {}, EmptyRoot(), r5), IsOk());
  EXPECT_FALSE(VerifyConsistency(0, 5, {}, r5, r5).ok());
  EXPECT_FALSE(VerifyConsistency(0, 5, {r5}, EmptyRoot(), r5).ok());
  EXPECT_THAT(VerifyConsistency(5, 5, {}, r5, r5), IsOk());
  EXPECT_FALSE(VerifyConsistency(5, 5, {}, r5, f.roots[4]).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, {r5}, r5, r5).ok());
  EXPECT_FALSE(VerifyConsistency(5, 6, {}, r5, f.roots[6]).ok());
  EXPECT_FALSE(VerifyConsistency(6, 5, f.consis[6][5], f.roots[6], r5).ok());
}

TEST(MerkleEdgeTest, ArgumentErrors) {
  const Fixture& f = F();
  const auto code = [](const auto& result) { return result.status().code(); };
  constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(code(InclusionProof(f.tree, 0, 0)), kInvalid);
  EXPECT_EQ(code(InclusionProof(f.tree, 5, 5)), kInvalid);
  EXPECT_EQ(code(InclusionProof(f.tree, 0, kMaxTreeSize + 1)), kInvalid);
  EXPECT_EQ(code(ConsistencyProof(f.tree, 6, 5)), kInvalid);
  EXPECT_EQ(code(ConsistencyProof(f.tree, 1, kMaxTreeSize + 1)), kInvalid);
  EXPECT_EQ(code(RootAt(f.tree, kMaxTreeSize + 1)), kInvalid);
  EXPECT_EQ(code(RootAt(f.tree, std::numeric_limits<uint64_t>::max())), kInvalid);
  EXPECT_EQ(code(NodesForAppend(f.tree, kMaxTreeSize, Hash{})), kInvalid);

  const Hash leaf = LeafHash(f.leaves[0]);
  absl::Status s = VerifyInclusion(leaf, 0, 0, {}, EmptyRoot());
  EXPECT_EQ(s.code(), kInvalid);
  EXPECT_THAT(s.message(), HasSubstr("out of range"));
  EXPECT_EQ(VerifyInclusion(leaf, 0, kMaxTreeSize + 1, {}, leaf).code(), kInvalid);
  s = VerifyInclusion(leaf, 0, 2, {}, f.roots[2]);
  EXPECT_EQ(s.code(), kInvalid);
  EXPECT_THAT(s.message(), HasSubstr("wrong length"));
  s = VerifyInclusion(leaf, 0, 2, {leaf}, f.roots[2]);
  EXPECT_EQ(s.code(), kInvalid);
  EXPECT_THAT(s.message(), HasSubstr("does not lead to the root"));
  EXPECT_THAT(VerifyInclusion(leaf, 0, 1, {}, leaf), IsOk());
  EXPECT_EQ(VerifyConsistency(1, kMaxTreeSize + 1, {}, leaf, leaf).code(), kInvalid);
  s = VerifyConsistency(2, 5, {}, f.roots[2], f.roots[5]);
  EXPECT_THAT(s.message(), HasSubstr("wrong length"));

  // The tree only serves complete subtrees, so sizes beyond it fail (with the store's error).
  EXPECT_EQ(code(RootAt(f.tree, kN + 1)), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(code(InclusionProof(f.tree, 0, kN + 1)), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(code(f.tree.Subtree(-1, 0)), kInvalid);
  EXPECT_EQ(code(f.tree.Subtree(6, 1)), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(code(f.tree.Subtree(7, 0)), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(code(f.tree.Subtree(0, kN)), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(f.tree.Subtree(6, 0), IsOk());

  // Errors from the source pass through.
  FailingSource bad;
  EXPECT_EQ(code(RootAt(bad, 3)), absl::StatusCode::kDataLoss);
  EXPECT_EQ(code(InclusionProof(bad, 1, 3)), absl::StatusCode::kDataLoss);
  EXPECT_EQ(code(ConsistencyProof(bad, 1, 3)), absl::StatusCode::kDataLoss);
  EXPECT_EQ(code(NodesForAppend(bad, 3, Hash{})), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(NodesForAppend(bad, 4, Hash{}).ok());  // reads nothing: leaf 4 is a left child
  EXPECT_THAT(RootAt(bad, 0), IsOk());
}

TEST(MerkleEdgeTest, HugeTreesDoNotOverflow) {
  const uint64_t kMax = kMaxTreeSize;
  for (uint64_t size : {kMax, kMax - 1, kMax / 2 + 3, (kMax / 4) * 3 + 12345}) {
    SCOPED_TRACE(absl::StrCat("size ", size));
    UniformSource src(size);
    absl::StatusOr<Hash> root = RootAt(src, size);
    ASSERT_THAT(root, IsOk()) << root.status();
    if (size == kMax) EXPECT_EQ(*root, src.level_hash(62));
    for (uint64_t index : {uint64_t{0}, size / 3, size - 2, size - 1}) {
      absl::StatusOr<std::vector<Hash>> proof = InclusionProof(src, index, size);
      ASSERT_THAT(proof, IsOk()) << proof.status();
      EXPECT_LE(proof->size(), 62u);
      EXPECT_THAT(VerifyInclusion(src.level_hash(0), index, size, *proof, *root), IsOk());
      EXPECT_FALSE(VerifyInclusion(src.level_hash(0), index, size, *proof, Flip(*root, 3)).ok());
    }
    for (uint64_t old_size : {uint64_t{1}, uint64_t{3}, size / 2 + 1, size - 1}) {
      UniformSource old_src(old_size);
      const Hash old_root = *RootAt(old_src, old_size);
      absl::StatusOr<std::vector<Hash>> proof = ConsistencyProof(src, old_size, size);
      ASSERT_THAT(proof, IsOk()) << proof.status();
      EXPECT_THAT(VerifyConsistency(old_size, size, *proof, old_root, *root), IsOk());
      EXPECT_FALSE(VerifyConsistency(old_size, size, *proof, Flip(old_root, 0), *root).ok());
    }
    EXPECT_EQ(src.violations, 0);
    EXPECT_FALSE(VerifyInclusion(src.level_hash(0), 0, size, {}, *root).ok());
  }
  // One past the end: nothing is looked up.
  UniformSource src(kMax);
  EXPECT_EQ(InclusionProof(src, kMax, kMax).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(src.calls, 0);
}

// --- Appending ---------------------------------------------------------------------------------

TEST(MerkleAppendTest, NodesForAppendStoresOnlyCompleteAlignedSubtrees) {
  const std::vector<std::string> leaves = MakeLeaves(130);
  MemoryTree tree;
  for (uint64_t i = 0; i < leaves.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("leaf ", i));
    CheckingSource existing(tree, i);  // may only read what is complete before the append
    const Hash leaf = LeafHash(leaves[i]);
    absl::StatusOr<std::vector<StoredNode>> nodes = NodesForAppend(existing, i, leaf);
    ASSERT_THAT(nodes, IsOk()) << nodes.status();
    EXPECT_THAT(existing.violations, IsEmpty());
    EXPECT_EQ(existing.calls, std::countr_one(i));
    ASSERT_EQ(nodes->size(), 1u + std::countr_one(i));
    EXPECT_EQ((*nodes)[0].level, 0);
    EXPECT_EQ((*nodes)[0].index, i);
    EXPECT_EQ((*nodes)[0].hash, leaf);
    for (size_t k = 0; k < nodes->size(); ++k) {
      const StoredNode& n = (*nodes)[k];
      EXPECT_EQ(n.level, static_cast<int>(k));  // bottom-up
      // Complete and aligned, ending with the new leaf.
      EXPECT_EQ((n.index + 1) << n.level, i + 1);
      EXPECT_EQ(n.hash, RefMth(leaves, n.index << n.level, (n.index + 1) << n.level));
    }
    tree.Append(leaves[i]);
    EXPECT_EQ(tree.size(), i + 1);
    for (const StoredNode& n : *nodes) EXPECT_EQ(*tree.Subtree(n.level, n.index), n.hash);
  }
  EXPECT_EQ(*RootAt(tree, leaves.size()), RefMth(leaves, 0, leaves.size()));
}

}  // namespace
}  // namespace odr::transparency
