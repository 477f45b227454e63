#include "server/request_check.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/wire_format_lite.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "proto/request_traits.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"

namespace odr::server {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;

// Walks serialized `bytes` of `type`; returns true and sets *path when a string field is bad.
bool Walk(const Descriptor* type, absl::string_view bytes, const std::string& prefix, int depth,
          std::string* path) {
  if (depth > 32) return false;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  std::map<int, int> seen;
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) return false;
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    const FieldDescriptor* field = type->FindFieldByNumber(number);
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED ||
        field == nullptr) {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    uint32_t length;
    std::string value;
    if (!in.ReadVarint32(&length) || !in.ReadString(&value, static_cast<int>(length))) {
      return false;
    }
    std::string name = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->is_repeated()) absl::StrAppend(&name, "[", seen[number]++, "]");
    if (field->type() == FieldDescriptor::TYPE_STRING && !domain::IsValidUtf8(value)) {
      *path = name;
      return true;
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE &&
        Walk(field->message_type(), value, name, depth + 1, path)) {
      return true;
    }
  }
}

}  // namespace

std::string FindInvalidUtf8(const Descriptor* type, absl::string_view bytes) {
  std::string path;
  Walk(type, bytes, "", 0, &path);
  return path;
}

absl::Status CheckParsed(const google::protobuf::Message& request) {
  const google::protobuf::UnknownFieldSet& unknown =
      request.GetReflection()->GetUnknownFields(request);
  for (int i = 0; i < unknown.field_count(); ++i) {
    const google::protobuf::UnknownField& f = unknown.field(i);
    if (f.number() != proto::kUnparsedRequestField ||
        f.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      continue;
    }
    std::string path = FindInvalidUtf8(request.GetDescriptor(), f.length_delimited());
    if (!path.empty()) return InvalidFieldError(path, "is not valid UTF-8");
    return InvalidFieldError(
        "request", absl::StrCat("is not a well-formed ", request.GetDescriptor()->full_name()));
  }
  return absl::OkStatus();
}

}  // namespace odr::server
