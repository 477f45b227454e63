// Force-included (compiler -include) into every translation unit that uses the odr.v1 gRPC code, so
// that all of them see the same SerializationTraits.
//
// Why: proto3 parsing refuses a string field that is not valid UTF-8, and gRPC 1.51's callback
// server answers such a request with UNIMPLEMENTED before any handler runs. odr must answer
// INVALID_ARGUMENT naming the field. For request messages these traits keep the raw bytes of a
// request that fails to parse in an unknown field (kUnparsedRequestField) of an otherwise empty
// message; server/request_check.h turns that into the right error.
// See docs/adr/0004-invalid-utf8-requests.md. Every new request type is listed at the bottom.
#ifndef ODR_PROTO_REQUEST_TRAITS_H_
#define ODR_PROTO_REQUEST_TRAITS_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/impl/codegen/proto_buffer_reader.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "odr/v1/agreement.pb.h"
#include "odr/v1/appointment.pb.h"
#include "odr/v1/audit.pb.h"
#include "odr/v1/auth.pb.h"
#include "odr/v1/case_service.pb.h"
#include "odr/v1/confirmation.pb.h"
#include "odr/v1/court.pb.h"
#include "odr/v1/deadline.pb.h"
#include "odr/v1/evidence.pb.h"
#include "odr/v1/roster.pb.h"
#include "odr/v1/simulation.pb.h"
#include "odr/v1/stats.pb.h"

namespace odr::proto {

// The largest field number protobuf allows; never used by the API.
inline constexpr int kUnparsedRequestField = 536870911;

// The most elements a repeated field of a request may have (server/request_check.h names the field
// of a request over it). No request of the API needs more.
inline constexpr int kMaxRepeatedElements = 1000;

// Requests at most this large are parsed without the scan below: they cannot hold enough elements
// to matter.
inline constexpr size_t kScanRequestsOver = 64 * 1024;

// True if the serialized `type` read from `in` has a field number (at any nesting depth up to 32)
// that occurs more than kMaxRepeatedElements times in one message: a repeated field with too many
// elements, or an unknown or singular field repeated that often (never legitimate; protobuf would
// keep every unknown one). Reads the wire format without building anything: 10^6 elements in a
// 4 MiB request would otherwise cost about 100 MiB of parsed messages before the count could be
// checked. Stops early (false) on malformed input; the parse then refuses it.
inline bool HasOversizeRepeatedField(const google::protobuf::Descriptor* type,
                                     google::protobuf::io::CodedInputStream* in, int depth) {
  using google::protobuf::FieldDescriptor;
  using google::protobuf::internal::WireFormatLite;
  if (depth > 32) return false;
  std::vector<std::pair<int, int>> counts;  // (field number, occurrences): few per message
  while (true) {
    const uint32_t tag = in->ReadTag();
    if (tag == 0) return false;
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    const FieldDescriptor* field = type->FindFieldByNumber(number);
    auto it = std::find_if(counts.begin(), counts.end(),
                           [number](const auto& c) { return c.first == number; });
    if (it == counts.end()) {
      if (counts.size() > 4 * static_cast<size_t>(kMaxRepeatedElements)) return true;
      it = counts.insert(counts.end(), {number, 0});
    }
    if (++it->second > kMaxRepeatedElements) return true;
    if (field != nullptr && field->type() == FieldDescriptor::TYPE_MESSAGE &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length;
      if (!in->ReadVarint32(&length)) return false;
      const auto limit = in->PushLimit(static_cast<int>(length));
      if (HasOversizeRepeatedField(field->message_type(), in, depth + 1)) return true;
      if (in->BytesUntilLimit() != 0) return false;  // stopped inside: malformed
      in->PopLimit(limit);
      continue;
    }
    if (!WireFormatLite::SkipField(in, tag)) return false;
  }
}

template <class T>
class LenientRequestTraits {
 public:
  static grpc::Status Serialize(const grpc::protobuf::MessageLite& msg, grpc::ByteBuffer* bb,
                                bool* own_buffer) {
    return grpc::GenericSerialize<grpc::ProtoBufferWriter, T>(msg, bb, own_buffer);
  }

  // Always OK for a present payload: either `msg` is the parsed request, or it is empty but for
  // the raw bytes in field kUnparsedRequestField (it did not parse, or, for requests over
  // kScanRequestsOver, a repeated field has more than kMaxRepeatedElements elements).
  static grpc::Status Deserialize(grpc::ByteBuffer* buffer, grpc::protobuf::MessageLite* msg) {
    if (buffer == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "No payload");
    auto* m = static_cast<T*>(msg);
    bool oversize = false;
    if (buffer->Length() > kScanRequestsOver) {
      grpc::ProtoBufferReader reader(buffer);
      google::protobuf::io::CodedInputStream in(&reader);
      oversize = HasOversizeRepeatedField(T::descriptor(), &in, 0);
    }
    if (!oversize) {
      // The common case, without copying the payload: parse straight from the buffer's slices
      // (which this leaves in place for the fallback below).
      grpc::ProtoBufferReader reader(buffer);
      if (m->ParseFromZeroCopyStream(&reader)) {
        buffer->Clear();
        return grpc::Status::OK;
      }
    }
    std::vector<grpc::Slice> slices;
    grpc::Status dumped = buffer->Dump(&slices);
    buffer->Clear();
    if (!dumped.ok()) return dumped;
    std::string bytes;
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    m->Clear();
    m->GetReflection()->MutableUnknownFields(m)->AddLengthDelimited(kUnparsedRequestField, bytes);
    return grpc::Status::OK;
  }
};

}  // namespace odr::proto

#define ODR_LENIENT_REQUEST(T)                                                        \
  namespace grpc {                                                                    \
  template <>                                                                         \
  class SerializationTraits<T, void> : public odr::proto::LenientRequestTraits<T> {}; \
  }

ODR_LENIENT_REQUEST(odr::v1::CreateCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::GetCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::ListCasesRequest)
ODR_LENIENT_REQUEST(odr::v1::UpdateCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::SubmitCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::AcceptCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::WithdrawCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::CloseCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::ListCaseEventsRequest)
ODR_LENIENT_REQUEST(odr::v1::AssignCaseMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::CreateTokenRequest)
ODR_LENIENT_REQUEST(odr::v1::GetCallerRequest)
ODR_LENIENT_REQUEST(odr::v1::ListAccessRecordsRequest)
ODR_LENIENT_REQUEST(odr::v1::RecommendMediatorsRequest)
ODR_LENIENT_REQUEST(odr::v1::AutoAssignMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::ChooseMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::AcceptAssignmentRequest)
ODR_LENIENT_REQUEST(odr::v1::DeclineAssignmentRequest)
ODR_LENIENT_REQUEST(odr::v1::ReplaceMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::CreateOrganizationRequest)
ODR_LENIENT_REQUEST(odr::v1::GetOrganizationRequest)
ODR_LENIENT_REQUEST(odr::v1::ListOrganizationsRequest)
ODR_LENIENT_REQUEST(odr::v1::CreateMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::GetMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::ListMediatorsRequest)
ODR_LENIENT_REQUEST(odr::v1::UpdateMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::SuspendMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::ReactivateMediatorRequest)
ODR_LENIENT_REQUEST(odr::v1::CreatePoolRequest)
ODR_LENIENT_REQUEST(odr::v1::GetPoolRequest)
ODR_LENIENT_REQUEST(odr::v1::ListPoolsRequest)
ODR_LENIENT_REQUEST(odr::v1::UploadEvidenceRequest)
ODR_LENIENT_REQUEST(odr::v1::QueryUploadStatusRequest)
ODR_LENIENT_REQUEST(odr::v1::GetEvidenceRequest)
ODR_LENIENT_REQUEST(odr::v1::ListEvidenceRequest)
ODR_LENIENT_REQUEST(odr::v1::DownloadEvidenceRequest)
ODR_LENIENT_REQUEST(odr::v1::WithdrawEvidenceRequest)
ODR_LENIENT_REQUEST(odr::v1::GetEvidenceProofRequest)
ODR_LENIENT_REQUEST(odr::v1::GetConsistencyProofRequest)
ODR_LENIENT_REQUEST(odr::v1::GetLogCheckpointRequest)
ODR_LENIENT_REQUEST(odr::v1::WatchCaseEventsRequest)
ODR_LENIENT_REQUEST(odr::v1::GetMediatorAvailabilityRequest)
ODR_LENIENT_REQUEST(odr::v1::UpdateMediatorAvailabilityRequest)
ODR_LENIENT_REQUEST(odr::v1::FindSlotsRequest)
ODR_LENIENT_REQUEST(odr::v1::BookAppointmentRequest)
ODR_LENIENT_REQUEST(odr::v1::GetAppointmentRequest)
ODR_LENIENT_REQUEST(odr::v1::ListAppointmentsRequest)
ODR_LENIENT_REQUEST(odr::v1::RescheduleAppointmentRequest)
ODR_LENIENT_REQUEST(odr::v1::CancelAppointmentRequest)
ODR_LENIENT_REQUEST(odr::v1::RecordAttendanceRequest)
ODR_LENIENT_REQUEST(odr::v1::ListDeadlinesRequest)
ODR_LENIENT_REQUEST(odr::v1::PauseMediationPeriodRequest)
ODR_LENIENT_REQUEST(odr::v1::ResumeMediationPeriodRequest)
ODR_LENIENT_REQUEST(odr::v1::ExtendMediationPeriodRequest)
ODR_LENIENT_REQUEST(odr::v1::RecordRespondentContactRequest)

ODR_LENIENT_REQUEST(odr::v1::CreateAgreementRequest)
ODR_LENIENT_REQUEST(odr::v1::GetAgreementRequest)
ODR_LENIENT_REQUEST(odr::v1::ListAgreementsRequest)
ODR_LENIENT_REQUEST(odr::v1::UpdateAgreementRequest)
ODR_LENIENT_REQUEST(odr::v1::SignAgreementRequest)
ODR_LENIENT_REQUEST(odr::v1::RenderAgreementRequest)
ODR_LENIENT_REQUEST(odr::v1::RecordPaymentRequest)
ODR_LENIENT_REQUEST(odr::v1::RecordOfferRequest)
ODR_LENIENT_REQUEST(odr::v1::ListOffersRequest)
ODR_LENIENT_REQUEST(odr::v1::PrecheckConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::CreateConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::JoinConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::GetConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::ListConfirmationsRequest)
ODR_LENIENT_REQUEST(odr::v1::WithdrawConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::SupplyMaterialsRequest)
ODR_LENIENT_REQUEST(odr::v1::GetCourtBundleRequest)
ODR_LENIENT_REQUEST(odr::v1::AcceptConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::RefuseConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::RequestMaterialsRequest)
ODR_LENIENT_REQUEST(odr::v1::RuleConfirmationRequest)
ODR_LENIENT_REQUEST(odr::v1::DivertCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::ConcludeCaseRequest)
ODR_LENIENT_REQUEST(odr::v1::ListDivertedCasesRequest)
ODR_LENIENT_REQUEST(odr::v1::ListReferralsRequest)
ODR_LENIENT_REQUEST(odr::v1::RecordIntakeRequest)
ODR_LENIENT_REQUEST(odr::v1::GetStatisticsRequest)
ODR_LENIENT_REQUEST(odr::v1::AdvanceClockRequest)
ODR_LENIENT_REQUEST(odr::v1::RefuseAgreementRequest)
ODR_LENIENT_REQUEST(odr::v1::CallPartiesRequest)
ODR_LENIENT_REQUEST(odr::v1::ExtendRulingPeriodRequest)
ODR_LENIENT_REQUEST(odr::v1::ExtendPartyTimeRequest)
ODR_LENIENT_REQUEST(odr::v1::RuleWithdrawalRequest)
ODR_LENIENT_REQUEST(odr::v1::RecordRulingServiceRequest)
ODR_LENIENT_REQUEST(odr::v1::FileObjectionRequest)
ODR_LENIENT_REQUEST(odr::v1::DecideObjectionRequest)
ODR_LENIENT_REQUEST(odr::v1::ConsentToMediateAgainRequest)
ODR_LENIENT_REQUEST(odr::v1::RecordProcedureRequest)
ODR_LENIENT_REQUEST(odr::v1::ListProcedureRecordsRequest)
#endif  // ODR_PROTO_REQUEST_TRAITS_H_
