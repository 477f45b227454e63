#include "server/domain/errors.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace odr {
namespace {

constexpr char kReasonKey[] = "odr.reason";
constexpr char kViolationsKey[] = "odr.violations";
constexpr char kStateKey[] = "odr.current_state";
constexpr char kMetadataKey[] = "odr.metadata";
constexpr char kFieldSep = '\x1f';
constexpr char kRecordSep = '\x1e';

std::string Payload(const absl::Status& s, const char* key) {
  auto c = s.GetPayload(key);
  return c ? std::string(*c) : std::string();
}

}  // namespace

// The separators must not occur inside a field or description.
static std::string Clean(std::string s) {
  for (char& c : s) {
    if (c == kFieldSep || c == kRecordSep) c = '?';
  }
  return s;
}

absl::Status InvalidArgumentError(std::vector<FieldViolation> v) {
  std::vector<std::string> parts;
  std::string encoded;
  for (auto& f : v) {
    f.field = Clean(std::move(f.field));
    f.description = Clean(std::move(f.description));
    parts.push_back(absl::StrCat(f.field, ": ", f.description));
    absl::StrAppend(&encoded, f.field, std::string(1, kFieldSep), f.description,
                    std::string(1, kRecordSep));
  }
  absl::Status s = absl::InvalidArgumentError(absl::StrJoin(parts, "; "));
  s.SetPayload(kReasonKey, absl::Cord(kReasonInvalidField));
  s.SetPayload(kViolationsKey, absl::Cord(encoded));
  return s;
}

absl::Status InvalidFieldError(std::string field, std::string description) {
  return InvalidArgumentError({{std::move(field), std::move(description)}});
}

absl::Status MakeError(absl::StatusCode code, absl::string_view reason, absl::string_view message) {
  absl::Status s(code, message);
  s.SetPayload(kReasonKey, absl::Cord(reason));
  return s;
}

absl::Status MakeErrorWithMetadata(absl::StatusCode code, absl::string_view reason,
                                   absl::string_view message,
                                   const std::vector<std::pair<std::string, std::string>>& md) {
  absl::Status s = MakeError(code, reason, message);
  std::string encoded;
  for (const auto& [k, v] : md) {
    absl::StrAppend(&encoded, Clean(k), std::string(1, kFieldSep), Clean(v),
                    std::string(1, kRecordSep));
  }
  s.SetPayload(kMetadataKey, absl::Cord(encoded));
  return s;
}

std::vector<std::pair<std::string, std::string>> ErrorMetadata(const absl::Status& s) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string encoded = Payload(s, kMetadataKey);
  for (absl::string_view rec : absl::StrSplit(encoded, kRecordSep, absl::SkipEmpty())) {
    std::pair<std::string, std::string> p = absl::StrSplit(rec, absl::MaxSplits(kFieldSep, 1));
    out.push_back(std::move(p));
  }
  return out;
}

absl::Status TransitionError(absl::string_view current_state, absl::string_view message) {
  absl::Status s =
      MakeError(absl::StatusCode::kFailedPrecondition, kReasonTransitionNotAllowed, message);
  s.SetPayload(kStateKey, absl::Cord(current_state));
  return s;
}

std::string ErrorReason(const absl::Status& s) { return Payload(s, kReasonKey); }
std::string ErrorCurrentState(const absl::Status& s) { return Payload(s, kStateKey); }

std::vector<FieldViolation> ErrorFieldViolations(const absl::Status& s) {
  std::vector<FieldViolation> out;
  std::string encoded = Payload(s, kViolationsKey);
  for (absl::string_view rec : absl::StrSplit(encoded, kRecordSep, absl::SkipEmpty())) {
    std::pair<std::string, std::string> p = absl::StrSplit(rec, absl::MaxSplits(kFieldSep, 1));
    out.push_back({p.first, p.second});
  }
  return out;
}

absl::Status Violations::ToStatus() const {
  return v_.empty() ? absl::OkStatus() : InvalidArgumentError(v_);
}

Violations Violations::KeepUnder(const std::vector<std::string>& prefixes) const {
  Violations out;
  for (const FieldViolation& f : v_) {
    for (const std::string& p : prefixes) {
      if (f.field.compare(0, p.size(), p) == 0 &&
          (f.field.size() == p.size() || f.field[p.size()] == '.' || f.field[p.size()] == '[')) {
        out.Add(f.field, f.description);
        break;
      }
    }
  }
  return out;
}

}  // namespace odr
