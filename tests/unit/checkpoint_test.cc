#include "server/transparency/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "server/transparency/merkle.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;

namespace odr::transparency {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr absl::string_view kEmDash = "\xE2\x80\x94";

// golang.org/x/mod/sumdb/note's test keys and signatures (note_test.go).
constexpr absl::string_view kPeterVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr absl::string_view kPeterSkeyB64 = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr absl::string_view kPeterSig =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
constexpr absl::string_view kEnochVkey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr absl::string_view kEnochSig =
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=";
constexpr absl::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
// The example of c2sp.org/signed-note.
constexpr absl::string_view kFooVkey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr absl::string_view kFooSig =
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=";

std::string SigLine(absl::string_view name, absl::string_view b64) {
  return absl::StrCat(kEmDash, " ", name, " ", b64, "\n");
}

std::string PemOf(EVP_PKEY* pkey) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return "";
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// A PKCS#8 PEM for the Ed25519 key with this 32-byte seed.
std::string PemFromSeed(absl::string_view seed) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                   reinterpret_cast<const unsigned char*>(seed.data()),
                                   seed.size()),
      EVP_PKEY_free);
  return pkey == nullptr ? "" : PemOf(pkey.get());
}

NoteSigner PeterSigner() {
  std::string skey;
  EXPECT_TRUE(absl::Base64Unescape(kPeterSkeyB64, &skey));
  EXPECT_EQ(skey.size(), 33u);
  EXPECT_EQ(skey[0], '\x01');
  absl::StatusOr<NoteSigner> s =
      NoteSigner::FromPrivatePem("PeterNeumann", PemFromSeed(skey.substr(1)));
  EXPECT_THAT(s, IsOk()) << s.status();
  return std::move(*s);
}

NoteSigner MustGenerate(absl::string_view name) {
  absl::StatusOr<NoteSigner> s = NoteSigner::Generate(name);
  EXPECT_THAT(s, IsOk()) << s.status();
  return std::move(*s);
}

NoteVerifier MustVerifier(absl::string_view vkey) {
  absl::StatusOr<NoteVerifier> v = NoteVerifier::FromVerifierKey(vkey);
  EXPECT_THAT(v, IsOk()) << v.status() << " for " << vkey;
  return *v;
}

Checkpoint SampleCheckpoint(absl::string_view origin) {
  Checkpoint c;
  c.origin = std::string(origin);
  c.size = 20852163;
  c.root = Sha256("root");
  return c;
}

// --- Checkpoint bodies -------------------------------------------------------------------------

TEST(CheckpointBodyTest, FormatAndParseRoundTrip) {
  Checkpoint c = SampleCheckpoint("example.com/odr");
  const std::string root_b64 =
      absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(c.root.data()), 32));
  EXPECT_EQ(FormatCheckpointBody(c), absl::StrCat("example.com/odr\n20852163\n", root_b64, "\n"));
  EXPECT_EQ(*ParseCheckpointBody(FormatCheckpointBody(c)), c);

  c.extensions = {"an extension", "another — one"};
  EXPECT_EQ(FormatCheckpointBody(c), absl::StrCat("example.com/odr\n20852163\n", root_b64,
                                                  "\nan extension\nanother — one\n"));
  EXPECT_EQ(*ParseCheckpointBody(FormatCheckpointBody(c)), c);

  Checkpoint empty;
  empty.origin = "o";
  empty.root = EmptyRoot();
  EXPECT_EQ(FormatCheckpointBody(empty), "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  EXPECT_EQ(*ParseCheckpointBody(FormatCheckpointBody(empty)), empty);

  Checkpoint big = empty;
  big.size = UINT64_MAX;
  EXPECT_EQ(*ParseCheckpointBody(FormatCheckpointBody(big)), big);
}

TEST(CheckpointBodyTest, ParsesTheSpecExample) {
  const std::string body =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  absl::StatusOr<Checkpoint> c = ParseCheckpointBody(body);
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_EQ(c->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(c->size, 20852163u);
  EXPECT_EQ(HexHash(c->root), "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
  EXPECT_TRUE(c->extensions.empty());
  EXPECT_EQ(FormatCheckpointBody(*c), body);
}

TEST(CheckpointBodyTest, StrictParsingRejects) {
  const std::string root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  const auto body = [&](absl::string_view size, absl::string_view r) {
    return absl::StrCat("example.com/log\n", size, "\n", r, "\n");
  };
  ASSERT_THAT(ParseCheckpointBody(body("1", root)), IsOk());
  ASSERT_THAT(ParseCheckpointBody(body("0", root)), IsOk());
  const std::string root31 = absl::Base64Escape(std::string(31, 'x'));
  const std::string root33 = absl::Base64Escape(std::string(33, 'x'));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"leading zero", body("012", root)},
      {"double zero", body("00", root)},
      {"sign", body("+1", root)},
      {"negative", body("-1", root)},
      {"space in size", body(" 1", root)},
      {"hex size", body("0x10", root)},
      {"empty size", body("", root)},
      {"size overflow", body("18446744073709551616", root)},
      {"size far too long", body("123456789012345678901234567890", root)},
      {"missing final newline", body("1", root).substr(0, body("1", root).size() - 1)},
      {"missing root line", "example.com/log\n1\n"},
      {"only origin", "example.com/log\n"},
      {"empty", ""},
      {"bad base64", body("1", "!!!!")},
      {"unpadded base64", body("1", root.substr(0, root.size() - 1))},
      {"non-canonical base64", body("1", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=")},
      {"base64 with space", body("1", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2 MPA3j2jxq2I=")},
      {"31-byte root", body("1", root31)},
      {"33-byte root", body("1", root33)},
      {"hex root", body("1", std::string(64, 'a'))},
      {"CR", absl::StrCat("example.com/log\n1\r\n", root, "\n")},
      {"CRLF", absl::StrCat("example.com/log\r\n1\r\n", root, "\r\n")},
      {"tab", absl::StrCat("example.com/\tlog\n1\n", root, "\n")},
      {"NUL", absl::StrCat("example.com/log", std::string(1, '\0'), "\n1\n", root, "\n")},
      {"empty origin", absl::StrCat("\n1\n", root, "\n")},
      {"empty extension", absl::StrCat(body("1", root), "\n")},
      {"empty extension between", absl::StrCat(body("1", root), "a\n\nb\n")},
      {"invalid UTF-8", absl::StrCat("example.com/\xff\n1\n", root, "\n")},
      {"overlong UTF-8", absl::StrCat("example.com/\xc0\xaf\n1\n", root, "\n")},
      {"surrogate", absl::StrCat("example.com/\xed\xa0\x80\n1\n", root, "\n")},
      {"truncated UTF-8", absl::StrCat("example.com/\xe2\x80\n1\n", root, "\n")},
      {"too large", absl::StrCat(body("1", root), std::string(kMaxNoteBytes, 'x'), "\n")},
  };
  for (const auto& [what, text] : bad) {
    absl::StatusOr<Checkpoint> c = ParseCheckpointBody(text);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << what;
  }
}

// --- Signing and verifying ---------------------------------------------------------------------

TEST(NoteTest, SignOpenRoundTrip) {
  const NoteSigner signer = MustGenerate("example.com/odr");
  EXPECT_EQ(signer.name(), "example.com/odr");
  const Checkpoint c = SampleCheckpoint("example.com/odr");
  const std::string body = FormatCheckpointBody(c);
  absl::StatusOr<std::string> note = signer.Sign(body);
  ASSERT_THAT(note, IsOk()) << note.status();
  EXPECT_THAT(*note, StartsWith(absl::StrCat(body, "\n", kEmDash, " example.com/odr ")));
  EXPECT_EQ(note->back(), '\n');
  EXPECT_EQ(std::count(note->begin(), note->end(), '\n'), 5);

  const NoteVerifier verifier = MustVerifier(signer.VerifierKey());
  EXPECT_EQ(verifier.name(), "example.com/odr");
  absl::StatusOr<std::string> opened = verifier.Open(*note);
  ASSERT_THAT(opened, IsOk()) << opened.status();
  EXPECT_EQ(*opened, body);
  absl::StatusOr<Checkpoint> got = OpenCheckpoint(verifier, *note);
  ASSERT_THAT(got, IsOk()) << got.status();
  EXPECT_EQ(*got, c);

  // Text with empty lines: the last blank line separates the signatures.
  const std::string text = "one\n\ntwo\n\n";
  note = signer.Sign(text);
  ASSERT_THAT(note, IsOk()) << note.status();
  EXPECT_EQ(*verifier.Open(*note), text);
}

TEST(NoteTest, VerifierKeyFollowsTheSpec) {
  const NoteSigner signer = MustGenerate("example.com/odr");
  const std::string vkey = signer.VerifierKey();
  const std::vector<std::string> parts = absl::StrSplit(vkey, absl::MaxSplits('+', 2));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "example.com/odr");
  ASSERT_EQ(parts[1].size(), 8u);
  for (char ch : parts[1]) EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  std::string key;
  ASSERT_TRUE(absl::Base64Unescape(parts[2], &key));
  ASSERT_EQ(key.size(), 33u);
  EXPECT_EQ(key[0], '\x01');
  EXPECT_EQ(absl::Base64Escape(key), parts[2]);

  // The public key is the private key's.
  const std::string pem = signer.PrivatePem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), pem.size()), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  ASSERT_NE(pkey, nullptr);
  unsigned char pub[32];
  size_t pub_len = sizeof(pub);
  ASSERT_EQ(EVP_PKEY_get_raw_public_key(pkey.get(), pub, &pub_len), 1);
  EXPECT_EQ(key.substr(1), std::string(reinterpret_cast<char*>(pub), pub_len));

  // Key hash = SHA-256(name || "\n" || 0x01 || key)[:4], as hex and as the signature's prefix.
  const Hash h = Sha256(absl::StrCat("example.com/odr\n", key));
  const std::string id(reinterpret_cast<const char*>(h.data()), 4);
  EXPECT_EQ(parts[1], absl::BytesToHexString(id));
  const std::string note = *signer.Sign("text\n");
  std::string blob;
  ASSERT_TRUE(absl::Base64Unescape(
      note.substr(note.rfind(' ') + 1, note.size() - note.rfind(' ') - 2), &blob));
  ASSERT_EQ(blob.size(), 68u);
  EXPECT_EQ(blob.substr(0, 4), id);
}

TEST(NoteTest, GoReferenceVectors) {
  // Key hash and key parsing agree with the Go implementation.
  const NoteVerifier peter = MustVerifier(kPeterVkey);
  EXPECT_EQ(peter.name(), "PeterNeumann");
  const NoteVerifier enoch = MustVerifier(kEnochVkey);
  const std::string peter_note = absl::StrCat(kGoText, "\n", SigLine("PeterNeumann", kPeterSig));
  EXPECT_EQ(*peter.Open(peter_note), kGoText);
  EXPECT_FALSE(enoch.Open(peter_note).ok());

  // Both signatures; each key finds its own, in either order.
  const std::string both = absl::StrCat(kGoText, "\n", SigLine("PeterNeumann", kPeterSig),
                                        SigLine("EnochRoot", kEnochSig));
  const std::string both_swapped = absl::StrCat(kGoText, "\n", SigLine("EnochRoot", kEnochSig),
                                                SigLine("PeterNeumann", kPeterSig));
  for (const std::string& note : {both, both_swapped}) {
    EXPECT_EQ(*peter.Open(note), kGoText);
    EXPECT_EQ(*enoch.Open(note), kGoText);
  }

  // Signing with the same private key reproduces the published note (Ed25519 is deterministic).
  const NoteSigner signer = PeterSigner();
  EXPECT_EQ(signer.VerifierKey(), kPeterVkey);
  EXPECT_EQ(*signer.Sign(kGoText), peter_note);

  // One changed letter.
  std::string changed = peter_note;
  changed.replace(changed.find("cryptography"), 12, "cryptographY");
  absl::StatusOr<std::string> opened = peter.Open(changed);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(opened.status().message(), HasSubstr("does not verify"));

  // The c2sp.org/signed-note example.
  const NoteVerifier foo = MustVerifier(kFooVkey);
  EXPECT_EQ(foo.name(), "example.com/foo");
  EXPECT_EQ(*foo.Open(absl::StrCat("This is an example message.\n\n",
                                   SigLine("example.com/foo", kFooSig))),
            "This is an example message.\n");
}

TEST(NoteTest, EveryFlippedByteIsRejected) {
  const NoteSigner signer = MustGenerate("example.com/odr");
  const NoteVerifier verifier = MustVerifier(signer.VerifierKey());
  const std::string note = *signer.Sign(FormatCheckpointBody(SampleCheckpoint("example.com/odr")));
  ASSERT_THAT(verifier.Open(note), IsOk());
  for (size_t i = 0; i < note.size(); ++i) {
    for (unsigned char mask : {0x01, 0x02, 0x20, 0x80}) {
      std::string bad = note;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      EXPECT_FALSE(verifier.Open(bad).ok()) << "byte " << i << " mask " << int{mask};
    }
  }
  // Every bit of the decoded signature, re-encoded so the line stays well-formed.
  const size_t b64_at = note.rfind(' ') + 1;
  std::string blob;
  ASSERT_TRUE(absl::Base64Unescape(note.substr(b64_at, note.size() - b64_at - 1), &blob));
  for (size_t bit = 0; bit < blob.size() * 8; ++bit) {
    std::string bad_blob = blob;
    bad_blob[bit / 8] = static_cast<char>(bad_blob[bit / 8] ^ (1 << (bit % 8)));
    const std::string bad =
        absl::StrCat(note.substr(0, b64_at), absl::Base64Escape(bad_blob), "\n");
    absl::StatusOr<std::string> opened = verifier.Open(bad);
    ASSERT_FALSE(opened.ok()) << "bit " << bit;
    // A changed key hash makes the line someone else's; a changed signature fails to verify.
    EXPECT_THAT(opened.status().message(),
                HasSubstr(bit < 32 ? "not signed by" : "does not verify"))
        << "bit " << bit;
  }
}

TEST(NoteTest, WrongKeyIsRejected) {
  const NoteSigner signer = MustGenerate("example.com/odr");
  const std::string note = *signer.Sign("hello\n");
  // Same name, another key: a different key hash, so the line is not this key's.
  const NoteSigner impostor = MustGenerate("example.com/odr");
  absl::StatusOr<std::string> opened = MustVerifier(impostor.VerifierKey()).Open(note);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(opened.status().message(), HasSubstr("not signed by"));
  // Another name.
  EXPECT_FALSE(MustVerifier(MustGenerate("example.com/other").VerifierKey()).Open(note).ok());
  // The impostor's signature line relabelled with the right key hash fails verification.
  const std::string forged_line = impostor.Sign("hello\n")->substr(7);
  std::string blob;
  ASSERT_TRUE(
      absl::Base64Unescape(forged_line.substr(forged_line.rfind(' ') + 1,
                                              forged_line.size() - forged_line.rfind(' ') - 2),
                           &blob));
  std::string real_blob;
  ASSERT_TRUE(absl::Base64Unescape(
      note.substr(note.rfind(' ') + 1, note.size() - note.rfind(' ') - 2), &real_blob));
  blob.replace(0, 4, real_blob.substr(0, 4));
  const std::string forged =
      absl::StrCat("hello\n\n", SigLine("example.com/odr", absl::Base64Escape(blob)));
  opened = MustVerifier(signer.VerifierKey()).Open(forged);
  EXPECT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("does not verify"));
}

TEST(NoteTest, OtherSignaturesAreIgnoredButMustBeWellFormed) {
  const NoteSigner a = MustGenerate("log.example/a");
  const NoteSigner b = MustGenerate("witness.example/b");
  const NoteVerifier va = MustVerifier(a.VerifierKey());
  const NoteVerifier vb = MustVerifier(b.VerifierKey());
  const std::string body = "some text\n";
  const std::string a_note = *a.Sign(body);
  const std::string b_line = b.Sign(body)->substr(body.size() + 1);
  const std::string unknown_line =
      SigLine("unknown.example", absl::Base64Escape(std::string(68, '\x42')));
  // A line with a's name but an unknown key hash is someone else's too.
  const std::string same_name_line =
      SigLine("log.example/a", absl::Base64Escape(std::string(68, '\x42')));

  for (const std::string& note :
       {absl::StrCat(a_note, b_line), absl::StrCat(a_note, unknown_line),
        absl::StrCat(a_note, same_name_line, b_line),
        absl::StrCat(body, "\n", unknown_line, a_note.substr(body.size() + 1))}) {
    absl::StatusOr<std::string> opened = va.Open(note);
    ASSERT_THAT(opened, IsOk()) << opened.status() << "\n" << note;
    EXPECT_EQ(*opened, body);
  }
  EXPECT_EQ(*vb.Open(absl::StrCat(a_note, b_line)), body);
  EXPECT_FALSE(vb.Open(a_note).ok());

  // Malformed lines condemn the note, even beside a good signature.
  for (const std::string& line :
       {std::string("not a signature line\n"), absl::StrCat("-- log.example/a AAAA\n"),
        absl::StrCat(kEmDash, " log.example/a\n"),
        absl::StrCat(kEmDash, "  log.example/a QUJDREU=\n"),
        SigLine("unknown.example", "QUJD"),         // under 5 bytes
        SigLine("unknown.example", "not base64!"),  //
        SigLine("bad+name", "QUJDREU="), SigLine("", "QUJDREU=")}) {
    EXPECT_FALSE(va.Open(absl::StrCat(a_note, line)).ok()) << line;
  }
  // So does a second, bad signature by the pinned key.
  std::string blob;
  const std::string a_line = a_note.substr(body.size() + 1);
  ASSERT_TRUE(absl::Base64Unescape(
      a_line.substr(a_line.rfind(' ') + 1, a_line.size() - a_line.rfind(' ') - 2), &blob));
  blob[10] = static_cast<char>(blob[10] ^ 1);
  EXPECT_FALSE(
      va.Open(absl::StrCat(a_note, SigLine("log.example/a", absl::Base64Escape(blob)))).ok());
}

TEST(NoteTest, MalformedNotesAreRejected) {
  const NoteSigner signer = MustGenerate("example.com/odr");
  const NoteVerifier verifier = MustVerifier(signer.VerifierKey());
  const std::string body = "hello\n";
  const std::string note = *signer.Sign(body);
  const std::string line = note.substr(body.size() + 1);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"empty", ""},
      {"body only", body},
      {"no blank line", absl::StrCat(body, line)},
      {"blank line, no signatures", absl::StrCat(body, "\n")},
      {"no final newline", note.substr(0, note.size() - 1)},
      {"trailing blank line", absl::StrCat(note, "\n")},
      {"trailing junk", absl::StrCat(note, "junk")},
      {"CR", absl::StrCat("hello\r\n\n", line)},
      {"CRLF signature line", absl::StrCat(note.substr(0, note.size() - 1), "\r\n")},
      {"invalid UTF-8", absl::StrCat("hel\xfflo\n\n", line)},
      {"too large", absl::StrCat(std::string(kMaxNoteBytes, 'x'), "\n\n", line)},
  };
  for (const auto& [what, text] : bad) {
    EXPECT_EQ(verifier.Open(text).status().code(), absl::StatusCode::kInvalidArgument) << what;
  }

  // Up to 100 signature lines are read; more are refused.
  const std::string other = SigLine("other.example", absl::Base64Escape(std::string(68, 'x')));
  std::string many = note;
  for (int i = 1; i < 100; ++i) many += other;
  EXPECT_THAT(verifier.Open(many), IsOk());
  EXPECT_FALSE(verifier.Open(many + other).ok());
}

TEST(NoteTest, SignRefusesBadText) {
  const NoteSigner signer = MustGenerate("example.com/odr");
  for (const std::string& text :
       {std::string(""), std::string("no newline"), std::string("cr\r\n"), std::string("tab\t\n"),
        std::string("bad \xff utf-8\n"), std::string(kMaxNoteBytes, 'x') + "\n"}) {
    EXPECT_EQ(signer.Sign(text).status().code(), absl::StatusCode::kInvalidArgument)
        << text.substr(0, 20);
  }
  EXPECT_THAT(signer.Sign("ünïcödé — fine\n"), IsOk());
}

TEST(NoteTest, KeyNames) {
  for (absl::string_view name : {"example.com/log", "PeterNeumann", "ünïcode", "a"}) {
    absl::StatusOr<NoteSigner> s = NoteSigner::Generate(name);
    ASSERT_THAT(s, IsOk()) << name;
    EXPECT_EQ(MustVerifier(s->VerifierKey()).name(), name);
  }
  for (absl::string_view name : {"", "a b", "a+b", "a\tb", "a\nb",
                                 "a\xc2\xa0"
                                 "b",
                                 "a\xe2\x80\x83"
                                 "b",
                                 "a\xe3\x80\x80"
                                 "b",
                                 "\xff", "a\x7f"}) {
    EXPECT_EQ(NoteSigner::Generate(name).status().code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
}

TEST(NoteTest, VerifierKeyParsing) {
  EXPECT_THAT(NoteVerifier::FromVerifierKey(kPeterVkey), IsOk());
  // Hex case does not matter.
  EXPECT_TRUE(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                  .ok());

  // A key of another type, with its key hash computed correctly for that type byte.
  std::string key;
  ASSERT_TRUE(absl::Base64Unescape("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &key));
  key[0] = '\x02';
  const Hash h = Sha256(absl::StrCat("PeterNeumann\n", key));
  const std::string type2 =
      absl::StrCat("PeterNeumann+", absl::BytesToHexString(std::string(h.begin(), h.begin() + 4)),
                   "+", absl::Base64Escape(key));

  for (const std::string& vkey : {
           std::string(""),
           std::string("PeterNeumann"),
           std::string("PeterNeumann+c74f20a3"),
           std::string("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
           std::string("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
           std::string("PeterNeumann+c74f20a3a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
           std::string("PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
           std::string("PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
           std::string("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX"),
           std::string("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"),
           std::string("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=="),
           std::string("PeterNeumann+c74f20a3+"),
           std::string("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
           std::string("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
           type2,
       }) {
    EXPECT_EQ(NoteVerifier::FromVerifierKey(vkey).status().code(),
              absl::StatusCode::kInvalidArgument)
        << vkey;
  }
  absl::StatusOr<NoteVerifier> v = NoteVerifier::FromVerifierKey(type2);
  EXPECT_THAT(v.status().message(), HasSubstr("not Ed25519"));
}

TEST(NoteTest, FromPrivatePemRejectsOtherKeys) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ec(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  ASSERT_NE(ec, nullptr);
  EXPECT_EQ(NoteSigner::FromPrivatePem("n", PemOf(ec.get())).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NoteSigner::FromPrivatePem("n", "not pem").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NoteSigner::FromPrivatePem("n", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  const NoteSigner s = MustGenerate("n");
  EXPECT_EQ(NoteSigner::FromPrivatePem("bad name", s.PrivatePem()).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<NoteSigner> again = NoteSigner::FromPrivatePem("n", s.PrivatePem());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->VerifierKey(), s.VerifierKey());
  // The same key under another name is another verifier key.
  EXPECT_NE(NoteSigner::FromPrivatePem("m", s.PrivatePem())->VerifierKey(), s.VerifierKey());
}

TEST(NoteTest, MovesAndConcurrentUse) {
  NoteSigner a = MustGenerate("example.com/odr");
  const std::string vkey = a.VerifierKey();
  NoteSigner b = std::move(a);
  EXPECT_EQ(b.VerifierKey(), vkey);
  EXPECT_EQ(a.Sign("x\n").status().code(), absl::StatusCode::kFailedPrecondition);  // NOLINT
  EXPECT_EQ(a.PrivatePem(), "");                                                    // NOLINT
  a = std::move(b);
  const NoteVerifier v = MustVerifier(vkey);
  const NoteVerifier copy = v;

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string body = absl::StrCat("thread ", t, " note ", i, "\n");
        absl::StatusOr<std::string> note = a.Sign(body);
        absl::StatusOr<std::string> opened =
            note.ok() ? copy.Open(*note) : absl::StatusOr<std::string>(note.status());
        if (!opened.ok() || *opened != body) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// --- Key files ---------------------------------------------------------------------------------

TEST(NoteSignerFileTest, LoadOrCreate) {
  odr::testing::TempDir dir;
  const std::string path = dir.file("checkpoint-key.pem");
  absl::StatusOr<NoteSigner> created = NoteSigner::LoadOrCreate(path, "example.com/odr");
  ASSERT_THAT(created, IsOk()) << created.status();

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), created->PrivatePem());
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "checkpoint-key.pem");
  }
  EXPECT_EQ(files, 1);

  absl::StatusOr<NoteSigner> loaded = NoteSigner::LoadOrCreate(path, "example.com/odr");
  ASSERT_THAT(loaded, IsOk()) << loaded.status();
  EXPECT_EQ(loaded->VerifierKey(), created->VerifierKey());
  const std::string note = *created->Sign("hi\n");
  EXPECT_EQ(*MustVerifier(loaded->VerifierKey()).Open(note), "hi\n");
  EXPECT_EQ(*loaded->Sign("hi\n"), note);
}

TEST(NoteSignerFileTest, LoadOrCreateErrors) {
  odr::testing::TempDir dir;
  EXPECT_EQ(NoteSigner::LoadOrCreate(dir.file("k.pem"), "bad name").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("k.pem")));
  EXPECT_FALSE(NoteSigner::LoadOrCreate(dir.file("missing/k.pem"), "n").ok());
  EXPECT_FALSE(NoteSigner::LoadOrCreate(dir.path(), "n").ok());  // a directory

  const std::string garbage = dir.file("garbage.pem");
  std::ofstream(garbage) << "not a key\n";
  EXPECT_EQ(NoteSigner::LoadOrCreate(garbage, "n").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::ifstream in(garbage);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "not a key");  // left alone
}

// --- Checkpoints -------------------------------------------------------------------------------

TEST(OpenCheckpointTest, OriginMustBeTheKeyName) {
  const NoteSigner signer = MustGenerate("example.com/odr");
  const NoteVerifier verifier = MustVerifier(signer.VerifierKey());
  const Checkpoint good = SampleCheckpoint("example.com/odr");
  absl::StatusOr<Checkpoint> c = OpenCheckpoint(verifier, *signer.Sign(FormatCheckpointBody(good)));
  ASSERT_THAT(c, IsOk()) << c.status();
  EXPECT_EQ(*c, good);

  const Checkpoint other = SampleCheckpoint("example.com/other");
  c = OpenCheckpoint(verifier, *signer.Sign(FormatCheckpointBody(other)));
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("origin"));

  // Signed, but not a checkpoint.
  EXPECT_FALSE(OpenCheckpoint(verifier, *signer.Sign("example.com/odr\n01\nAAAA\n")).ok());
  EXPECT_FALSE(OpenCheckpoint(verifier, *signer.Sign("hello\n")).ok());
  // A checkpoint, but unsigned by this key.
  const NoteSigner stranger = MustGenerate("example.com/odr");
  EXPECT_FALSE(OpenCheckpoint(verifier, *stranger.Sign(FormatCheckpointBody(good))).ok());
}

}  // namespace
}  // namespace odr::transparency
