#include "proto/request_traits.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/impl/codegen/proto_buffer_reader.h>
#include <grpcpp/impl/codegen/proto_buffer_writer.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace odr::proto {
namespace {

// True if the serialized `type` read from `in` has a field number (at any nesting depth up to 32)
// that occurs more than kMaxRepeatedElements times in one message: a repeated field with too many
// elements, or an unknown or singular field repeated that often (never legitimate; protobuf would
// keep every unknown one). Reads the wire format without building anything: 10^6 elements in a
// 4 MiB request would otherwise cost about 100 MiB of parsed messages before the count could be
// checked. Stops early (false) on malformed input; the parse then refuses it.
bool HasOversizeRepeatedField(const google::protobuf::Descriptor* type,
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

}  // namespace

grpc::Status LenientRequestTraits::Serialize(const google::protobuf::MessageLite& msg,
                                             grpc::ByteBuffer* bb, bool* own_buffer) {
  return grpc::GenericSerialize<grpc::ProtoBufferWriter, google::protobuf::MessageLite>(msg, bb,
                                                                                        own_buffer);
}

grpc::Status LenientRequestTraits::Deserialize(grpc::ByteBuffer* buffer,
                                               google::protobuf::MessageLite* msg) {
  if (buffer == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "No payload");
  // Every odr.v1 request is a full (not lite) message.
  auto* m = static_cast<google::protobuf::Message*>(msg);
  bool oversize = false;
  if (buffer->Length() > kScanRequestsOver) {
    grpc::ProtoBufferReader reader(buffer);
    google::protobuf::io::CodedInputStream in(&reader);
    oversize = HasOversizeRepeatedField(m->GetDescriptor(), &in, 0);
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

}  // namespace odr::proto
