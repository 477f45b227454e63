#include "client/evidence_commands.h"

#include <google/protobuf/util/json_util.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "client/cli_input.h"
#include "client/cli_output.h"
#include "client/verify.h"
#include "server/domain/evidence.h"
#include "server/domain/validation.h"
#include "server/transparency/merkle.h"

namespace odr::cli {
namespace evidence_commands_impl {

namespace fs = std::filesystem;

constexpr char kEvidenceNameHelp[] = R"(
NAME is an evidence record's full name, cases/CASE/evidence/ID (as `odr evidence list` prints).
)";

// The media type a file name suggests, or "" if its extension is not known.
std::string GuessMediaType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".pdf", "application/pdf"},
      {".doc", "application/msword"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".xls", "application/vnd.ms-excel"},
      {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {".ofd", "application/ofd"},
      {".txt", "text/plain"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".png", "image/png"},
      {".heic", "image/heic"},
      {".webp", "image/webp"},
      {".tif", "image/tiff"},
      {".tiff", "image/tiff"},
      {".mp3", "audio/mpeg"},
      {".m4a", "audio/mp4"},
      {".aac", "audio/aac"},
      {".amr", "audio/amr"},
      {".wav", "audio/wav"},
      {".ogg", "audio/ogg"},
      {".mp4", "video/mp4"},
      {".mov", "video/quicktime"},
      {".webm", "video/webm"},
      {".3gp", "video/3gpp"},
  };
  const std::string ext = absl::AsciiStrToLower(fs::path(path).extension().string());
  for (const auto& [e, type] : kTypes) {
    if (ext == e) return type;
  }
  return "";
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), len));
}

// The same file for the same case (and visibility) always gets the same upload id, so running
// the command again resumes the upload, or returns the evidence it already made.
std::string DerivedUploadId(const v1::UploadEvidenceStart& start) {
  return Sha256Hex(absl::StrCat("odr-upload/v1\n", start.parent(), "\n", start.sha256(), "\n",
                                start.evidence().file_name(), "\n",
                                static_cast<int>(start.evidence().visibility())))
      .substr(0, 32);
}

// A progress line on stderr, when it is a terminal: "[#####-----]  52%  1.3 GiB / 2.5 GiB".
class ProgressBar {
 public:
  ProgressBar(std::string verb, bool enabled) : verb_(std::move(verb)), enabled_(enabled) {}
  ~ProgressBar() {
    if (shown_) std::cerr << "\n";
  }
  void Update(const client::EvidenceClient::Progress& p) {
    if (!enabled_ || p.total <= 0) return;
    auto now = std::chrono::steady_clock::now();
    if (shown_ && p.done < p.total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    if (p.resumed_from > 0 && !told_resume_) {
      if (shown_) std::cerr << "\n";
      std::cerr << "Resuming at " << HumanBytes(p.resumed_from) << "\n";
      told_resume_ = true;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * p.done / p.total);
    std::cerr << "\r" << verb_ << " [" << std::string(filled, '#')
              << std::string(kWidth - filled, '-') << "] "
              << absl::StrFormat("%3d%%", static_cast<int>(100 * p.done / p.total)) << "  "
              << HumanBytes(p.done) << " / " << HumanBytes(p.total) << "   " << std::flush;
    shown_ = true;
  }

 private:
  std::string verb_;
  bool enabled_;
  bool shown_ = false;
  bool told_resume_ = false;
  std::chrono::steady_clock::time_point last_;
};

std::string ToJson(const google::protobuf::Message& m) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  (void)google::protobuf::util::MessageToJsonString(m, &json, options);
  return json;
}

// "E" for "cases/C/evidence/E".
std::string EvidenceId(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// SafeDownloadName without the fallback: "" when nothing is left.
std::string SafeName(absl::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  if (slash != absl::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    const size_t start = i;
    const int32_t cp = domain::DecodeUtf8CodePoint(name, &i);
    if (cp < 0 || domain::IsControlOrBidiCodePoint(cp)) {
      out.push_back('_');
    } else {
      out.append(name.data() + start, i - start);
    }
  }
  if (absl::StripAsciiWhitespace(out).empty()) return "";
  if (out.front() == '.' || out.front() == '-') out.insert(out.begin(), '_');
  constexpr size_t kMaxBytes = 200, kMaxExtensionBytes = 16;
  if (out.size() > kMaxBytes) {
    std::string extension;
    const size_t dot = out.rfind('.');
    if (dot != std::string::npos && dot > 0 && out.size() - dot <= kMaxExtensionBytes) {
      extension = out.substr(dot);
    }
    size_t keep = kMaxBytes - extension.size();
    // `out` is UTF-8 now: back off to the start of a character.
    while (keep > 0 && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) --keep;
    out = out.substr(0, keep) + extension;
  }
  return out;
}

// Moves the downloaded `part` to `path`. Without `force` an existing `path` is never replaced,
// also one made since odr looked (ALREADY_EXISTS): the file is linked under its new name, which
// fails if the name is taken, then `part` is removed. On a file system without hard links it
// falls back to looking, then renaming.
absl::Status MoveIntoPlace(const std::string& part, const std::string& path, bool force) {
  std::error_code ec;
  auto exists = [&path] {
    return absl::AlreadyExistsError(
        absl::StrCat(path, " exists; give --force to replace it, or -f to write elsewhere"));
  };
  if (!force) {
    if (::link(part.c_str(), path.c_str()) == 0) {
      fs::remove(part, ec);
      return absl::OkStatus();
    }
    const int error = errno;
    if (error == EEXIST) return exists();
    if (fs::exists(fs::symlink_status(path, ec))) return exists();
  }
  fs::rename(part, path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", part, " to ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

// --- upload ---

void AddUpload(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, file, media_type, description, upload_id;
    bool mediator_only = false, no_progress = false;
    int attempts = 5;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("upload", "Upload a file as evidence of a case");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  cmd->add_option("FILE", f->file, "the file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--media-type", f->media_type,
                  "the file's media type; default: from its extension (.pdf, .jpg, .mp4 ...)")
      ->type_name("TYPE");
  cmd->add_option("--description", f->description, "what it shows, at most 500 characters")
      ->type_name("TEXT");
  cmd->add_flag("--mediator-only", f->mediator_only,
                "only the mediators (and organization admins) see it, for separate sessions");
  cmd->add_option("--upload-id", f->upload_id,
                  "names the upload for resuming; default: derived from the case and the file")
      ->type_name("ID");
  cmd->add_option("--attempts", f->attempts, "streams to try before giving up")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_flag("--no-progress", f->no_progress, "no progress bar (there is none off a terminal)");
  cmd->footer(R"(
The file is hashed (SHA-256) first, then sent in 64 KiB chunks. If the connection breaks, odr
  resumes from what odrd stored; if odr itself is stopped, running the same command again
  resumes the upload (or prints the evidence if it had finished). odrd checks the size and hash
  and refuses the upload, keeping nothing, if they do not match.
The file's name becomes the evidence's file name, which others download it under. A name that
  starts with '.' or '-', or holds control or text-direction characters, '/' or '\', is refused
  before anything is read or sent (exit 2), as odrd would refuse it: copy the file to another
  name first.
)");
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         v1::UploadEvidenceStart start;
         start.set_parent(CaseName(f->case_name));
         v1::Evidence* e = start.mutable_evidence();
         e->set_file_name(fs::path(f->file).filename().string());
         // odrd refuses such a name (after the whole file was hashed): say so now.
         if (std::string why = domain::CheckEvidenceFileName(e->file_name()); !why.empty()) {
           return UsageError(
               cmd,
               absl::StrCat("the file's name '", TerminalText(e->file_name(), false),
                            "' cannot be evidence's file name (start.evidence.file_name): ", why));
         }
         std::string type = f->media_type.empty() ? GuessMediaType(f->file) : f->media_type;
         if (type.empty()) {
           return UsageError(cmd,
                             "cannot tell the media type from the file name; give "
                             "--media-type");
         }
         e->set_media_type(type);
         e->set_description(f->description);
         e->set_visibility(f->mediator_only ? v1::Evidence::VISIBILITY_MEDIATOR_ONLY
                                            : v1::Evidence::VISIBILITY_ALL_PARTIES);
         Session s(*g);
         auto hashed = verify::HashFile(f->file);
         if (!hashed.ok()) return s.Fail(hashed.status());
         start.set_sha256(hashed->first);
         start.set_size_bytes(hashed->second);
         start.set_upload_id(f->upload_id.empty() ? DerivedUploadId(start) : f->upload_id);
         ProgressBar bar("Uploading", !f->no_progress && isatty(STDERR_FILENO));
         auto r = s.evidence().Upload(
             start, f->file, f->attempts,
             [&bar](const client::EvidenceClient::Progress& p) { bar.Update(p); });
         if (!r.ok()) {
           std::cerr << "\n";
           int code = s.Fail(r.status());
           std::cerr << "Run the same command again to resume (upload id " << start.upload_id()
                     << ").\n";
           return code;
         }
         return s.Print(r->evidence());
       }});
}

// --- list, get, withdraw ---

void AddList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name;
    bool show_withdrawn = false;
    PageFlags page;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("list", "List the evidence of a case you may see");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  cmd->add_flag("--show-withdrawn", f->show_withdrawn, "include withdrawn evidence");
  f->page.Add(cmd, "records", 50, 500);
  out->push_back({cmd, [f, g]() -> int {
                    v1::ListEvidenceRequest req;
                    req.set_parent(CaseName(f->case_name));
                    req.set_show_withdrawn(f->show_withdrawn);
                    Session s(*g);
                    return ListAndPrint(
                        s, req, f->page,
                        [&](const auto& r) { return s.evidence().ListEvidence(r); },
                        [](v1::ListEvidenceResponse* r) { return r->mutable_evidence(); });
                  }});
}

void AddGet(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("get", "Show one evidence record");
  cmd->add_option("NAME", *name, "cases/CASE/evidence/ID")->required();
  cmd->footer(kEvidenceNameHelp);
  out->push_back({cmd, [name, g]() -> int {
                    v1::GetEvidenceRequest req;
                    req.set_name(*name);
                    Session s(*g);
                    auto r = s.evidence().GetEvidence(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

void AddWithdraw(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, reason;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "withdraw", "Withdraw evidence you uploaded (it stays on record, marked withdrawn)");
  cmd->add_option("NAME", f->name, "cases/CASE/evidence/ID")->required();
  cmd->add_option("--reason", f->reason, "why, 1-500 characters")->type_name("TEXT")->required();
  out->push_back({cmd, [f, g]() -> int {
                    v1::WithdrawEvidenceRequest req;
                    req.set_name(f->name);
                    req.set_reason(f->reason);
                    Session s(*g);
                    auto r = s.evidence().WithdrawEvidence(req);
                    return r.ok() ? s.Print(*r) : s.Fail(r.status());
                  }});
}

// --- download ---

void AddDownload(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, file;
    bool force = false, no_progress = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "download", "Download evidence to a file, checking its size and SHA-256");
  cmd->add_option("NAME", f->name, "cases/CASE/evidence/ID")->required();
  cmd->add_option("-f,--file", f->file,
                  "where to write it; default: its file name made safe, in the current directory")
      ->type_name("PATH");
  cmd->add_flag("--force", f->force,
                "replace PATH if it exists (the default name, or a PATH given with -f)");
  cmd->add_flag("--no-progress", f->no_progress, "no progress bar");
  cmd->footer(R"(
Without -f the file gets the name its uploader chose, made safe: only the part after the last
  '/' or '\'; control and text-direction characters (and bytes that are not UTF-8) replaced by
  '_'; a '_' before a leading '.' or '-' (".bashrc" becomes "_.bashrc", "-rf" "_-rf"); cut to 200
  bytes, keeping the extension; the evidence id if nothing is left. odrd refuses such names at
  upload, but older records may hold them.
An existing file is never replaced without --force, whether PATH is that name or one given
  with -f (exit 2, nothing downloaded).
The bytes go to PATH.part first; only when their size and SHA-256 match the record is it renamed
  to PATH. odrd authenticates every byte it sends (a damaged file on its disk is DATA_LOSS).
)");
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         Session s(*g);
         v1::GetEvidenceRequest get;
         get.set_name(f->name);
         auto e = s.evidence().GetEvidence(get);
         if (!e.ok()) return s.Fail(e.status());
         const std::string path =
             f->file.empty() ? SafeDownloadName(e->file_name(), EvidenceId(e->name())) : f->file;
         std::error_code exists_ec;
         if (!f->force && fs::exists(fs::symlink_status(path, exists_ec))) {
           return UsageError(cmd, absl::StrCat(TerminalText(path, false),
                                               " exists; give --force to replace it, or -f to "
                                               "write elsewhere"));
         }
         const std::string part = path + ".part";
         std::ofstream file(part, std::ios::binary | std::ios::trunc);
         if (!file) {
           return s.Fail(absl::InternalError(absl::StrCat("cannot write ", part)));
         }
         ProgressBar bar("Downloading", !f->no_progress && isatty(STDERR_FILENO));
         absl::Status st = s.evidence().Download(
             f->name, 0, 0, e->size_bytes(),
             [&file](absl::string_view data) -> absl::Status {
               file.write(data.data(), static_cast<std::streamsize>(data.size()));
               return file ? absl::OkStatus() : absl::InternalError("write failed");
             },
             [&bar](const client::EvidenceClient::Progress& p) { bar.Update(p); });
         file.close();
         if (st.ok()) {
           auto got = verify::HashFile(part);
           if (!got.ok()) {
             st = got.status();
           } else if (got->second != e->size_bytes() || got->first != e->sha256()) {
             st = absl::DataLossError(
                 "the downloaded bytes do not match the record's size and SHA-256");
           }
         }
         std::error_code ec;
         if (!st.ok()) {
           fs::remove(part, ec);
           return s.Fail(st);
         }
         if (absl::Status moved = MoveIntoPlace(part, path, f->force); !moved.ok()) {
           fs::remove(part, ec);
           return s.Fail(moved);
         }
         std::cerr << "Saved " << TerminalText(path, false) << " (" << HumanBytes(e->size_bytes())
                   << ", SHA-256 " << e->sha256() << ")\n";
         return kExitOk;
       }});
}

// --- proofs and the log ---

void AddProof(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, file;
    int64_t tree_size = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "proof", "Get the proof that evidence is in the evidence log (for odr-verify)");
  cmd->add_option("NAME", f->name, "cases/CASE/evidence/ID")->required();
  cmd->add_option("-f,--file", f->file, "save the proof (JSON) here; default: print it")
      ->type_name("PATH");
  cmd->add_option("--tree-size", f->tree_size, "prove against this log size; default: newest")
      ->check(CLI::NonNegativeNumber);
  cmd->footer(R"(
With the file, the proof and the log's key, anyone can check offline that the file is the
  evidence recorded: `odr evidence verify FILE --proof PROOF --key KEY`, or odr-verify.
)");
  out->push_back({cmd, [f, g]() -> int {
                    v1::GetEvidenceProofRequest req;
                    req.set_name(f->name);
                    req.set_tree_size(f->tree_size);
                    Session s(*g);
                    auto r = s.evidence().GetEvidenceProof(req);
                    if (!r.ok()) return s.Fail(r.status());
                    if (f->file.empty()) {
                      std::cout << ToJson(*r);
                      return kExitOk;
                    }
                    absl::Status st = WriteFileAtomically(f->file, ToJson(*r));
                    if (!st.ok()) return s.Fail(st);
                    std::cerr << "Saved the proof of entry " << r->leaf_index() << " of "
                              << r->tree_size() << " to " << f->file << "\n";
                    return kExitOk;
                  }});
}

void AddCheckpoint(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string file, key_file;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "checkpoint", "Show the evidence log's newest signed checkpoint and its key");
  cmd->add_option("-f,--file", f->file, "save the checkpoint here")->type_name("PATH");
  cmd->add_option("--key-file", f->key_file, "save the log's verifier key here")->type_name("PATH");
  cmd->footer(R"(
Pin the key out of band (compare it with `odrd admin log-key` on the server, or a published
  copy): a proof is only as good as the key it is checked against. Saved checkpoints can later
  be shown to be prefixes of newer ones: `odr evidence consistency`.
)");
  out->push_back({cmd, [f, g]() -> int {
                    Session s(*g);
                    auto r = s.evidence().GetLogCheckpoint({});
                    if (!r.ok()) return s.Fail(r.status());
                    if (!f->file.empty()) {
                      absl::Status st = WriteFileAtomically(f->file, r->checkpoint());
                      if (!st.ok()) return s.Fail(st);
                    }
                    if (!f->key_file.empty()) {
                      absl::Status st =
                          WriteFileAtomically(f->key_file, absl::StrCat(r->verifier_key(), "\n"));
                      if (!st.ok()) return s.Fail(st);
                    }
                    return s.PrintJsonOr(
                        *r, absl::StrCat(r->checkpoint(), "\nKey: ", r->verifier_key(), "\n"));
                  }});
}

void AddConsistency(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    int64_t from = 0, to = 0;
    std::string file;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "consistency", "Get the proof that the log at one size is a prefix of a later size");
  cmd->add_option("--from", f->from, "the older size (from a saved checkpoint)")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--to", f->to, "the newer size; default: newest")->check(CLI::NonNegativeNumber);
  cmd->add_option("-f,--file", f->file, "save the proof (JSON) here; default: print it")
      ->type_name("PATH");
  out->push_back({cmd, [f, g]() -> int {
                    v1::GetConsistencyProofRequest req;
                    req.set_from_tree_size(f->from);
                    req.set_to_tree_size(f->to);
                    Session s(*g);
                    auto r = s.evidence().GetConsistencyProof(req);
                    if (!r.ok()) return s.Fail(r.status());
                    if (f->file.empty()) {
                      std::cout << ToJson(*r);
                      return kExitOk;
                    }
                    absl::Status st = WriteFileAtomically(f->file, ToJson(*r));
                    return st.ok() ? kExitOk : s.Fail(st);
                  }});
}

void AddVerify(CLI::App* parent, std::vector<Command>* out) {
  struct Flags {
    std::string file, proof, key;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "verify", "Check offline that a file is evidence the log recorded (as odr-verify does)");
  cmd->add_option("FILE", f->file, "the evidence file")->required();
  cmd->add_option("--proof", f->proof, "the proof from `odr evidence proof -f`")->required();
  cmd->add_option("--key", f->key, "the log's verifier key, or a file holding it")->required();
  out->push_back({cmd, [f]() -> int {
                    const std::string key = verify::ResolveVerifierKey(f->key);
                    auto json = verify::ReadProofFile(f->proof);
                    absl::StatusOr<v1::EvidenceProof> proof =
                        json.ok() ? verify::ParseEvidenceProofJson(*json)
                                  : absl::StatusOr<v1::EvidenceProof>(json.status());
                    absl::StatusOr<verify::VerifiedEvidence> v =
                        proof.ok() ? verify::VerifyEvidence(f->file, *proof, key)
                                   : absl::StatusOr<verify::VerifiedEvidence>(proof.status());
                    if (!v.ok()) {
                      std::cerr << "NOT VERIFIED: " << v.status().message() << "\n";
                      return kExitFailure;
                    }
                    std::cout << "VERIFIED: " << f->file << " is " << v->leaf.evidence_name
                              << " (sha256 " << v->leaf.sha256 << "), entry " << proof->leaf_index()
                              << " of " << v->checkpoint.size << " in " << v->checkpoint.origin
                              << "\n";
                    return kExitOk;
                  }});
}

}  // namespace evidence_commands_impl

std::string SafeDownloadName(absl::string_view file_name, absl::string_view fallback) {
  using namespace evidence_commands_impl;
  std::string name = SafeName(file_name);
  if (name.empty()) name = SafeName(fallback);
  return name.empty() ? "evidence" : name;
}

std::vector<Command> AddEvidenceCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace evidence_commands_impl;
  std::vector<Command> out;
  CLI::App* evidence = app->add_subcommand(
      "evidence", "Evidence of cases: upload, download, and prove it is what was filed");
  AddUpload(evidence, globals, &out);
  AddList(evidence, globals, &out);
  AddGet(evidence, globals, &out);
  AddDownload(evidence, globals, &out);
  AddWithdraw(evidence, globals, &out);
  AddProof(evidence, globals, &out);
  AddCheckpoint(evidence, globals, &out);
  AddConsistency(evidence, globals, &out);
  AddVerify(evidence, &out);
  return out;
}

}  // namespace odr::cli
