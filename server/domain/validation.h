// Validation of client input. Every limit is defined here (and documented in docs/api.md); the
// functions are pure and safe for concurrent use.
#ifndef ODR_SERVER_DOMAIN_VALIDATION_H_
#define ODR_SERVER_DOMAIN_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/errors.h"
#include "server/domain/types.h"

namespace odr::domain {

struct Limits {
  static constexpr size_t kNameChars = 100;
  static constexpr size_t kServiceAddressChars = 300;
  static constexpr size_t kSummaryChars = 5000;
  static constexpr size_t kClaimsChars = 5000;
  static constexpr size_t kCourtChars = 100;
  static constexpr size_t kIntakeReferenceChars = 64;
  static constexpr size_t kReasonChars = 1000;
  // The reason of a pause, a cancellation, a withdrawal of a confirmation application.
  static constexpr size_t kShortReasonChars = 500;
  // A court document number, e.g. (2026)浙0681民初123号 (ConcludeCase).
  static constexpr size_t kCourtDocumentChars = 64;
  static constexpr size_t kPartiesPerSide = 20;
  static constexpr size_t kAgentsPerParty = 5;
  static constexpr size_t kDomicileMaterialChars = 200;
  static constexpr size_t kRequestIdChars = 64;
  static constexpr size_t kFilterBytes = 1000;
  static constexpr size_t kPageTokenBytes = 512;
  static constexpr size_t kOrderByBytes = 100;
  static constexpr size_t kMaskPaths = 20;
  static constexpr size_t kMaskPathBytes = 100;
  // 10^13 fen = 100 billion yuan: far above any mediated dispute, far below int64 overflow.
  static constexpr int64_t kMaxAmountFen = 10'000'000'000'000;
};

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(absl::string_view s);
// Number of code points in a valid UTF-8 string.
size_t Utf8Length(absl::string_view s);
// The code point that starts at s[*i] (*i < s.size()), advancing *i past it; -1 for a byte that
// does not start a well-formed sequence (as IsValidUtf8), advancing *i by that one byte.
int32_t DecodeUtf8CodePoint(absl::string_view s, size_t* i);
// Characters that change how the text around them is shown instead of showing themselves: the C0
// controls (U+0000-U+001F, tab, CR and LF included), DEL, the C1 controls (U+0080-U+009F), the
// bidirectional marks, embeddings, overrides and isolates (U+200E, U+200F, U+061C, U+202A-U+202E,
// U+2066-U+2069: "Trojan Source") and the byte-order mark U+FEFF. CheckText refuses them (but
// newline, tab and CR in multi-line text), evidence file names refuse them all, and the odr command
// line escapes them when it prints text (client/cli_output.h, TerminalText).
bool IsControlOrBidiCodePoint(int32_t cp);

// Each Check* returns "" when valid, otherwise a description for a person.
// Text of min..max code points, valid UTF-8, not only whitespace; control characters are refused
// except newline and tab when `multiline`.
std::string CheckText(absl::string_view s, size_t min_chars, size_t max_chars, bool multiline);
std::string CheckPhone(absl::string_view s);
std::string CheckIdNumber(IdDocumentType type, absl::string_view s);
std::string CheckRegionCode(absl::string_view s);
// YYYY-MM-DD, a real calendar date, not after `today` (in UTC+8).
std::string CheckDiversionDate(absl::string_view s, absl::Time now);
std::string CheckRequestId(absl::string_view s);
// How long a request_id is remembered (AIP-155): a retry within this time after the first call
// returns the first call's result (authorized again, as a read); after it, the same request_id is a
// new request.
inline constexpr absl::Duration kRequestIdRetention = absl::Hours(24 * 7);
std::string CheckCaseId(absl::string_view s);
// A region code or a prefix of one: up to 6 digits (empty only with allow_empty).
bool IsRegionPrefix(absl::string_view s, bool allow_empty);

// The {id} of a resource name such as organizations/{id} or courts/{id}: 1-64 of a-z, 0-9, '-'.
std::string CheckResourceId(absl::string_view s);

// Validates the parts of a case a client sets. `path` prefixes field names ("case").
void ValidateParty(const Party& p, const std::string& path, Violations* v);
void ValidateParties(const std::vector<Party>& parties, const std::string& path, Violations* v);
// Nobody (party or agent, by identity document) on both sides; violations name the respondent
// side's field.
void ValidateSides(const CaseData& c, const std::string& path, Violations* v);
void ValidateCaseData(const CaseData& c, absl::Time now, const std::string& path, Violations* v);

}  // namespace odr::domain

#endif  // ODR_SERVER_DOMAIN_VALIDATION_H_
