// Maps between the API (odr.v1 protos) and the domain model. Enum values the API does not define,
// or leaves UNSPECIFIED where required, become field violations here; content rules live in
// domain/validation.h. Pure functions, safe for concurrent use.
#ifndef ODR_SERVER_CASE_MAPPER_H_
#define ODR_SERVER_CASE_MAPPER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "odr/v1/case.pb.h"
#include "server/domain/errors.h"
#include "server/domain/procedure_record.h"
#include "server/domain/types.h"

namespace odr::server {

// Converts the client-settable fields of `in`. Output-only fields are ignored.
domain::CaseData CaseDataFromProto(const v1::Case& in, const std::string& path, Violations* v);

void CaseToProto(const domain::Case& in, v1::Case* out);
void EventToProto(const domain::CaseEvent& in, v1::CaseEvent* out);
// A procedure record as the API shows it; without `full`, `manner` and `detail` are left empty
// (a party reading the other side's record).
void RecordToProto(const domain::ProcedureRecord& in, bool full, v1::ProcedureRecord* out);
// The client-settable fields of `in` for case `case_id`; violations name "record.*".
domain::ProcedureRecord RecordFromProto(const v1::ProcedureRecord& in, const std::string& case_id,
                                        Violations* v);
// The resource name of principal `id` as the API writes every actor, signer and recorder:
// `principals/{id}`; `system` (what the service did by itself), a name already in that form and
// empty stay as they are.
std::string PrincipalName(absl::string_view id);
// The opaque watch cursor of an event, and back (0 for empty; INVALID_ARGUMENT naming `field`).
std::string EventCursor(int64_t event_id);
absl::StatusOr<int64_t> ParseEventCursor(absl::string_view cursor, absl::string_view field);
v1::Procedure ProcedureToProto(domain::Procedure p);
// Hex SHA-256 of `method` and the deterministic serialization of `m`: what makes a retry with
// the same idempotency key recognisable.
std::string MessageFingerprint(absl::string_view method, const google::protobuf::Message& m);
v1::Case::State StateToProto(domain::CaseState s);
v1::Route RouteToProto(domain::Route r);
v1::CaseEnding::Kind EndingKindToProto(domain::EndingKind k);
// nullopt for UNSPECIFIED or unknown values.
std::optional<domain::EndingKind> EndingKindFromProto(int v);

// The etag of a case version, and back. ParseEtag: INVALID_ARGUMENT naming `field` if malformed.
std::string Etag(int64_t version);
absl::StatusOr<std::optional<int64_t>> ParseEtag(absl::string_view etag, absl::string_view field);

// A timestamp a client sent: INVALID_ARGUMENT naming `field` when absent (`has` false) or not a
// valid Timestamp.
absl::StatusOr<absl::Time> RequiredTime(bool has, const google::protobuf::Timestamp& t,
                                        const std::string& field);

// Enum conversions; nullopt for UNSPECIFIED or unknown values.
std::optional<domain::DisputeType> DisputeTypeFromApi(int v);
v1::DisputeType DisputeTypeToApi(domain::DisputeType t);
std::optional<domain::IdDocumentType> IdDocumentTypeFromApi(int v);
v1::IdDocumentType IdDocumentTypeToApi(domain::IdDocumentType t);

// "organizations/x" with prefix "organizations/" -> "x". A name without the prefix becomes a
// value that fails CheckResourceId (so validation names the field); empty stays empty.
std::string ResourceId(absl::string_view name, absl::string_view prefix);

// "organizations/o/mediators/m" -> {"o", "m"}; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::pair<std::string, std::string>> ParseMediatorName(absl::string_view name,
                                                                      absl::string_view field);
// "{parent}/p/{collection}/x" -> {"p", "x"}, e.g. "organizations/o/pools/x", and
// "cases/c/evidence/e".
absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(absl::string_view name,
                                                                   absl::string_view parent,
                                                                   absl::string_view collection,
                                                                   absl::string_view field);

// "cases/{case}" -> "{case}"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCaseName(absl::string_view name, absl::string_view field);

}  // namespace odr::server

#endif  // ODR_SERVER_CASE_MAPPER_H_
