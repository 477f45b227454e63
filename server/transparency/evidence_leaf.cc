#include "server/transparency/evidence_leaf.h"

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace odr::transparency {
namespace {

constexpr absl::string_view kHeader = "odr-evidence/v1";
constexpr absl::string_view kTimeFormat = "%Y-%m-%dT%H:%M:%E6SZ";

bool IsToken(absl::string_view v) {
  return !v.empty() && v.size() <= 300 &&
         std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool IsLowerHex64(absl::string_view v) {
  return v.size() == 64 && std::all_of(v.begin(), v.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

absl::StatusOr<std::string> FormatEvidenceLeaf(const EvidenceLeaf& leaf) {
  for (absl::string_view v :
       {absl::string_view(leaf.case_name), absl::string_view(leaf.evidence_name),
        absl::string_view(leaf.media_type), absl::string_view(leaf.uploader_role)}) {
    if (!IsToken(v)) {
      return absl::InvalidArgumentError("evidence leaf fields must be printable ASCII tokens");
    }
  }
  if (!IsLowerHex64(leaf.sha256)) {
    return absl::InvalidArgumentError("evidence leaf sha256 must be 64 lower-case hex characters");
  }
  if (leaf.size_bytes < 0) return absl::InvalidArgumentError("evidence leaf size is negative");
  return absl::StrCat(kHeader, "\ncase: ", leaf.case_name, "\nevidence: ", leaf.evidence_name,
                      "\nsha256: ", leaf.sha256, "\nsize: ", leaf.size_bytes,
                      "\nmedia-type: ", leaf.media_type, "\nuploader-role: ", leaf.uploader_role,
                      "\ntime: ", absl::FormatTime(kTimeFormat, leaf.time, absl::UTCTimeZone()),
                      "\n");
}

absl::StatusOr<EvidenceLeaf> ParseEvidenceLeaf(absl::string_view text) {
  auto bad = [](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("malformed evidence leaf: ", why));
  };
  if (text.size() > 4096) return bad("too long");
  if (text.empty() || text.back() != '\n') return bad("must end with a newline");
  std::vector<absl::string_view> lines = absl::StrSplit(text.substr(0, text.size() - 1), '\n');
  constexpr absl::string_view kKeys[] = {"case",       "evidence",      "sha256", "size",
                                         "media-type", "uploader-role", "time"};
  if (lines.size() != 1 + std::size(kKeys) || lines[0] != kHeader) {
    return bad("unexpected lines");
  }
  std::string values[std::size(kKeys)];
  for (size_t i = 0; i < std::size(kKeys); ++i) {
    absl::string_view line = lines[i + 1];
    std::string prefix = absl::StrCat(kKeys[i], ": ");
    if (!absl::ConsumePrefix(&line, prefix)) return bad(absl::StrCat("expected ", kKeys[i]));
    values[i] = std::string(line);
  }
  EvidenceLeaf leaf;
  leaf.case_name = values[0];
  leaf.evidence_name = values[1];
  leaf.sha256 = values[2];
  if (!absl::SimpleAtoi(values[3], &leaf.size_bytes)) return bad("size");
  leaf.media_type = values[4];
  leaf.uploader_role = values[5];
  std::string err;
  if (!absl::ParseTime(kTimeFormat, values[6], absl::UTCTimeZone(), &leaf.time, &err)) {
    return bad("time");
  }
  // Canonical: rendering the parsed fields must give back the same text.
  absl::StatusOr<std::string> again = FormatEvidenceLeaf(leaf);
  if (!again.ok()) return again.status();
  if (*again != text) return bad("not in canonical form");
  return leaf;
}

}  // namespace odr::transparency
