// odr-verify: checks evidence from odr offline, with nothing but the file, the proof saved by
// `odr evidence proof`, and the evidence log's public key pinned beforehand (docs/evidence.md).
//
//   odr-verify evidence --file scan.pdf --proof scan.proof.json --key KEY
//   odr-verify consistency --old old.checkpoint --new new.checkpoint --proof c.json --key KEY
//   odr-verify bundle bundle.json --log-key KEY --agreement-key AKEY
//
// Exit status: 0 verified, 1 not verified (the reason on stderr), 2 usage error.
#include <fstream>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "client/verify.h"
#include "server/transparency/merkle.h"

namespace {

constexpr int kVerified = 0;
constexpr int kNotVerified = 1;
constexpr int kUsage = 2;

int NotVerified(const absl::Status& s) {
  std::cerr << "NOT VERIFIED: " << s.message() << "\n";
  return kNotVerified;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("odr-verify: check evidence of odr offline against the evidence log's pinned key",
               "odr-verify");
  app.require_subcommand(1);
  app.footer(
      "\nExit status: 0 verified, 1 not verified (why on stderr), 2 usage error.\n"
      "KEY is the log's verifier key (`<origin>+<hash>+<key>`, from `odr evidence checkpoint`\n"
      "or `odrd admin log-key`, pinned out of band), or a file holding it.");
  std::string file, proof_path, key, old_path, new_path;

  CLI::App* ev = app.add_subcommand("evidence", "Check that a file is evidence the log recorded");
  ev->add_option("--file", file, "the evidence file")->required();
  ev->add_option("--proof", proof_path, "the proof (JSON, from `odr evidence proof`)")->required();
  ev->add_option("--key", key, "the log's verifier key, or a file holding it")->required();

  CLI::App* cons =
      app.add_subcommand("consistency", "Check that a newer checkpoint extends an older one");
  cons->add_option("--old", old_path, "the older saved checkpoint")->required();
  cons->add_option("--new", new_path, "the newer saved checkpoint")->required();
  cons->add_option("--proof", proof_path, "the consistency proof (JSON)")->required();
  cons->add_option("--key", key, "the log's verifier key, or a file holding it")->required();

  std::string bundle_path, agreement_key;
  CLI::App* bundle = app.add_subcommand(
      "bundle",
      "Check a court bundle (`odr court bundle -f`): every agreement signature, the agreement's "
      "content hash, every evidence item's leaf and inclusion proof against a signed checkpoint");
  bundle->add_option("file", bundle_path, "the bundle (protobuf JSON)")->required();
  bundle->add_option("--log-key", key, "the evidence log's verifier key, or a file holding it")
      ->required();
  bundle
      ->add_option("--agreement-key", agreement_key,
                   "the agreement-signing public key (base64 of 32 bytes), or a file as `odrd "
                   "admin agreement-key` prints it")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kUsage;
  }
  const std::string vkey = odr::verify::ResolveVerifierKey(key);
  if (bundle->parsed()) {
    auto akey = odr::verify::ResolveAgreementKey(agreement_key);
    if (!akey.ok()) {
      std::cerr << "odr-verify: --agreement-key: " << akey.status().message() << "\n";
      return kUsage;
    }
    auto json = odr::verify::ReadProofFile(bundle_path);
    if (!json.ok()) return NotVerified(json.status());
    auto parsed = odr::verify::ParseCourtBundleJson(*json);
    if (!parsed.ok()) return NotVerified(parsed.status());
    auto v = odr::verify::VerifyBundle(*parsed, vkey, *akey);
    if (!v.ok()) return NotVerified(v.status());
    std::cout << "VERIFIED: " << v->agreement << ": " << v->signatures
              << " signatures over its content hash; " << v->evidence
              << " evidence items recorded in the log";
    if (v->evidence > 0) {
      std::cout << " (checkpoint of " << v->checkpoint_size << " entries, root "
                << v->checkpoint_root << ")";
    }
    std::cout << "\n";
    return kVerified;
  }
  auto proof_json = odr::verify::ReadProofFile(proof_path);
  if (!proof_json.ok()) return NotVerified(proof_json.status());

  if (ev->parsed()) {
    auto proof = odr::verify::ParseEvidenceProofJson(*proof_json);
    if (!proof.ok()) return NotVerified(proof.status());
    auto v = odr::verify::VerifyEvidence(file, *proof, vkey);
    if (!v.ok()) return NotVerified(v.status());
    std::cout << "VERIFIED: " << file << " is " << v->leaf.evidence_name << "\n"
              << "  sha256 " << v->leaf.sha256 << ", " << v->leaf.size_bytes << " bytes, "
              << v->leaf.media_type << ", uploader role " << v->leaf.uploader_role
              << ", recorded at "
              << absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", v->leaf.time, absl::UTCTimeZone()) << "\n"
              << "  entry " << proof->leaf_index() << " of " << v->checkpoint.size << " in log "
              << v->checkpoint.origin << ", root " << odr::transparency::HexHash(v->checkpoint.root)
              << "\n";
    return kVerified;
  }
  auto old_note = odr::verify::ReadProofFile(old_path);
  if (!old_note.ok()) return NotVerified(old_note.status());
  auto new_note = odr::verify::ReadProofFile(new_path);
  if (!new_note.ok()) return NotVerified(new_note.status());
  auto proof = odr::verify::ParseConsistencyProofJson(*proof_json);
  if (!proof.ok()) return NotVerified(proof.status());
  auto v = odr::verify::VerifyConsistency(*old_note, *new_note, *proof, vkey);
  if (!v.ok()) return NotVerified(v.status());
  std::cout << "VERIFIED: the log at " << v->second.size << " entries extends the log at "
            << v->first.size << " entries (" << v->first.origin << ")\n";
  return kVerified;
}
