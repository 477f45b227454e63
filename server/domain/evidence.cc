#include "server/domain/evidence.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/domain/validation.h"

namespace odr::domain {

const std::vector<std::string>& AllowedMediaTypes() {
  static const auto* kTypes = new std::vector<std::string>{
      // documents
      "application/pdf",
      "application/msword",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.ms-excel",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/ofd",  // China's fixed-layout document format (GB/T 33190)
      "text/plain",
      // images
      "image/jpeg",
      "image/png",
      "image/heic",
      "image/webp",
      "image/tiff",
      // audio
      "audio/mpeg",
      "audio/mp4",
      "audio/aac",
      "audio/amr",
      "audio/wav",
      "audio/ogg",
      // video
      "video/mp4",
      "video/quicktime",
      "video/webm",
      "video/3gpp",
  };
  return *kTypes;
}

bool IsAllowedMediaType(absl::string_view media_type) {
  const auto& types = AllowedMediaTypes();
  return std::find(types.begin(), types.end(), media_type) != types.end();
}

std::string CheckEvidenceFileName(absl::string_view name) {
  // CheckText (single line) refuses every IsControlOrBidiCodePoint character, invalid UTF-8 and
  // blank names.
  if (std::string e = CheckText(name, 1, EvidenceLimits::kFileNameChars, false); !e.empty()) {
    return e;
  }
  if (name.find_first_of("/\\") != absl::string_view::npos) {
    return "must be a file name without '/' or '\\'";
  }
  if (name.front() == '.' || name.front() == '-') {
    return "must not start with '.' or '-' (rename the file)";
  }
  return "";
}

absl::Status ValidateUploadDeclaration(UploadDeclaration* d, const EvidenceLimits& limits) {
  Violations v;
  if (std::string e = CheckCaseId(d->case_id); !e.empty()) v.Add("start.parent", e);
  if (d->upload_id.empty()) {
    v.Add("start.upload_id", "is required");
  } else if (std::string e = CheckRequestId(d->upload_id); !e.empty()) {
    v.Add("start.upload_id", e);
  }
  if (std::string e = CheckEvidenceFileName(d->file_name); !e.empty()) {
    v.Add("start.evidence.file_name", e);
  }
  if (d->media_type.empty()) {
    v.Add("start.evidence.media_type", "is required");
  } else if (!IsAllowedMediaType(d->media_type)) {
    v.Add(
        "start.evidence.media_type",
        "is not an allowed media type (documents, images, audio and video: see docs/evidence.md)");
  }
  if (!d->description.empty()) {
    if (std::string e = CheckText(d->description, 1, EvidenceLimits::kDescriptionChars, true);
        !e.empty()) {
      v.Add("start.evidence.description", e);
    }
  }
  if (d->size_bytes <= 0) {
    v.Add("start.size_bytes", "must be at least 1 byte");
  } else if (d->size_bytes > limits.max_file_bytes) {
    v.Add("start.size_bytes",
          absl::StrCat("must be at most ", limits.max_file_bytes, " bytes (the per-file limit)"));
  }
  d->sha256 = absl::AsciiStrToLower(d->sha256);
  bool hex = d->sha256.size() == 64 && std::all_of(d->sha256.begin(), d->sha256.end(), [](char c) {
               return absl::ascii_isxdigit(static_cast<unsigned char>(c));
             });
  if (!hex) v.Add("start.sha256", "must be the SHA-256 of the file, 64 hex characters");
  return v.ToStatus();
}

std::string CheckChunk(int64_t write_offset, size_t chunk_bytes, int64_t declared_size) {
  if (chunk_bytes > EvidenceLimits::kMaxChunkBytes) {
    return absl::StrCat("must be at most ", EvidenceLimits::kMaxChunkBytes, " bytes per message");
  }
  if (static_cast<int64_t>(chunk_bytes) > declared_size - write_offset) {
    return "goes past the declared size_bytes";
  }
  if (chunk_bytes > 0 && chunk_bytes < EvidenceLimits::kMinChunkBytes &&
      write_offset + static_cast<int64_t>(chunk_bytes) != declared_size) {
    return absl::StrCat("must be at least ", EvidenceLimits::kMinChunkBytes,
                        " bytes except at the end of the file");
  }
  return "";
}

const char* VisibilityName(EvidenceVisibility v) {
  switch (v) {
    case EvidenceVisibility::kAllParties:
      return "all_parties";
    case EvidenceVisibility::kMediatorOnly:
      return "mediator_only";
  }
  return "unknown";
}

}  // namespace odr::domain
