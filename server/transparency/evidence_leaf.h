// The leaf of the evidence log: the facts about one evidence record a court checks, and no personal
// data. Its text is canonical (one rendering per record), so the leaf hash can be recomputed from
// the parsed fields. Pure; safe for concurrent use.
//
//   odr-evidence/v1
//   case: cases/{case}
//   evidence: cases/{case}/evidence/{evidence}
//   sha256: {64 lower-case hex}
//   size: {bytes, decimal}
//   media-type: {media type}
//   uploader-role: {citizen|mediator|org_admin|court}
//   time: {RFC 3339 UTC with microseconds, e.g. 2026-11-29T08:00:00.123456Z}
//
// Every line ends with "\n"; nothing else may appear.
#ifndef ODR_SERVER_TRANSPARENCY_EVIDENCE_LEAF_H_
#define ODR_SERVER_TRANSPARENCY_EVIDENCE_LEAF_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace odr::transparency {

struct EvidenceLeaf {
  std::string case_name;      // cases/{case}
  std::string evidence_name;  // cases/{case}/evidence/{evidence}
  std::string sha256;         // 64 lower-case hex
  int64_t size_bytes = 0;
  std::string media_type;
  std::string uploader_role;
  absl::Time time;  // truncated to microseconds
  bool operator==(const EvidenceLeaf&) const = default;
};

// INVALID_ARGUMENT if a field cannot be rendered canonically (a newline or a space in a value, a
// bad hash, a negative size).
absl::StatusOr<std::string> FormatEvidenceLeaf(const EvidenceLeaf& leaf);
// The inverse; INVALID_ARGUMENT unless `text` is exactly what FormatEvidenceLeaf renders.
absl::StatusOr<EvidenceLeaf> ParseEvidenceLeaf(absl::string_view text);

}  // namespace odr::transparency

#endif  // ODR_SERVER_TRANSPARENCY_EVIDENCE_LEAF_H_
