// Evidence: the record, the limits and the validation of an upload's declaration. Pure; safe for
// concurrent use. Who may see and withdraw evidence is in authorization.h; the blob format in
// storage/sealed_blob.h; the log leaf in server/transparency/evidence_leaf.h.
#ifndef ODR_SERVER_DOMAIN_EVIDENCE_H_
#define ODR_SERVER_DOMAIN_EVIDENCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/errors.h"
#include "server/domain/principal.h"

namespace odr::domain {

enum class EvidenceVisibility { kAllParties, kMediatorOnly };
enum class EvidenceState { kActive, kWithdrawn };

struct EvidenceRecord {
  std::string case_id;
  std::string id;
  std::string upload_id;
  std::string uploader_id;  // principal id
  Role uploader_role = Role::kCitizen;
  std::string file_name;
  std::string media_type;
  std::string description;
  int64_t size_bytes = 0;
  std::string sha256;  // 64 lower-case hex
  EvidenceVisibility visibility = EvidenceVisibility::kAllParties;
  EvidenceState state = EvidenceState::kActive;
  absl::Time create_time;
  absl::Time withdraw_time = absl::InfinitePast();
  std::string withdraw_reason;
  int64_t log_index = -1;
};

// What an upload declares before its bytes (UploadEvidenceStart).
struct UploadDeclaration {
  std::string case_id;
  std::string upload_id;
  std::string file_name;
  std::string media_type;
  std::string description;
  int64_t size_bytes = 0;
  std::string sha256;  // normalized to lower case by ValidateUploadDeclaration
  EvidenceVisibility visibility = EvidenceVisibility::kAllParties;
  bool operator==(const UploadDeclaration&) const = default;
};

// Limits on evidence; the byte limits are odrd flags (--evidence-*), the rest fixed.
struct EvidenceLimits {
  int64_t max_file_bytes = int64_t{2} << 30;          // 2 GiB
  int64_t case_quota_bytes = int64_t{20} << 30;       // all live evidence of one case
  int64_t principal_quota_bytes = int64_t{50} << 30;  // all live evidence one principal uploaded
  static constexpr size_t kFileNameChars = 255;
  static constexpr size_t kDescriptionChars = 500;
  static constexpr size_t kReasonChars = 500;
  static constexpr size_t kMaxChunkBytes = 64 * 1024;
  // Smaller chunks only at the end of the file.
  static constexpr size_t kMinChunkBytes = 16 * 1024;
};

// The media types evidence may have: documents, images, audio and video.
const std::vector<std::string>& AllowedMediaTypes();
bool IsAllowedMediaType(absl::string_view media_type);

// The name evidence may be uploaded under ("start.evidence.file_name"): 1-255 characters of valid
// UTF-8, not blank; no '/' or '\\'; no control or bidirectional formatting character
// (IsControlOrBidiCodePoint: C0 including tab, DEL, C1, U+200E, U+200F, U+061C, U+202A-U+202E,
// U+2066-U+2069, U+FEFF); not starting with '.' or '-' (a hidden file, or an option to the command
// it is passed to, once someone downloads it). "" when valid, otherwise a description for a person.
// The odr command line checks a file's name with it before uploading.
std::string CheckEvidenceFileName(absl::string_view name);

// Validates a declaration (field names as in UploadEvidenceStart: "start.evidence.file_name" ...)
// and lower-cases its sha256. INVALID_ARGUMENT naming each bad field.
absl::Status ValidateUploadDeclaration(UploadDeclaration* d, const EvidenceLimits& limits);

// Bytes in an upload chunk: at most kMaxChunkBytes; under kMinChunkBytes only if it ends the file.
// "" when valid, otherwise a description for a person.
std::string CheckChunk(int64_t write_offset, size_t chunk_bytes, int64_t declared_size);

const char* VisibilityName(EvidenceVisibility v);  // "all_parties", "mediator_only"

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_EVIDENCE_H_
