#include "server/request_check.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/unknown_field_set.h>
#include <google/protobuf/wire_format_lite.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/request_traits.h"
#include "server/domain/errors.h"
#include "server/domain/validation.h"

namespace odr::server {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::internal::WireFormatLite;

// Message nesting Walk follows. Deeper than this (the API's own messages are nowhere near, and
// protobuf's parser gives up at 100) the bytes count as malformed, not searched further.
constexpr int kMaxWalkDepth = 32;

// What Walk found wrong with a request's bytes.
enum class Fault { kNone, kInvalidUtf8, kTooManyElements, kTooManyOccurrences };

// Walks serialized `bytes` of `type`; returns the first fault, setting *path to its field: a
// string field that is not UTF-8, or a repeated field with more than proto::kMaxRepeatedElements
// elements (path without an index). Bounded for hostile input: recursion at most kMaxWalkDepth
// deep, nested values are views into `bytes` (never copies), and groups are skipped within
// CodedInputStream's recursion limit.
Fault Walk(const Descriptor* type, absl::string_view bytes, const std::string& prefix, int depth,
           std::string* path) {
  if (depth > kMaxWalkDepth) return Fault::kNone;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  std::map<int, int> seen;
  while (true) {
    uint32_t tag = in.ReadTag();
    if (tag == 0) return Fault::kNone;
    const int number = WireFormatLite::GetTagFieldNumber(tag);
    const FieldDescriptor* field = type->FindFieldByNumber(number);
    if (seen[number] >= proto::kMaxRepeatedElements ||
        seen.size() > 4 * static_cast<size_t>(proto::kMaxRepeatedElements)) {
      // A repeated field with too many elements, or a field number (unknown ones included) that
      // occurs that often; as proto::HasOversizeRepeatedField.
      if (field == nullptr || !field->is_repeated()) {
        *path = prefix.empty() ? "request" : prefix;
        return Fault::kTooManyOccurrences;
      }
      *path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
      return Fault::kTooManyElements;
    }
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED ||
        field == nullptr) {
      ++seen[number];
      if (!WireFormatLite::SkipField(&in, tag)) return Fault::kNone;
      continue;
    }
    uint32_t length;
    if (!in.ReadVarint32(&length)) return Fault::kNone;
    const size_t at = static_cast<size_t>(in.CurrentPosition());
    if (length > bytes.size() - at || !in.Skip(static_cast<int>(length))) return Fault::kNone;
    const absl::string_view value = bytes.substr(at, length);
    std::string name = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
    if (field->is_repeated()) absl::StrAppend(&name, "[", seen[number], "]");
    ++seen[number];
    if (field->type() == FieldDescriptor::TYPE_STRING && !domain::IsValidUtf8(value)) {
      *path = name;
      return Fault::kInvalidUtf8;
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (Fault f = Walk(field->message_type(), value, name, depth + 1, path); f != Fault::kNone) {
        return f;
      }
    }
  }
}

// The most elements a repeated field of a request may have: checked before a handler converts
// and validates the elements, which for 10^6 of them costs far more memory and time than parsing
// them did (large requests are even refused before parsing: proto/request_traits.h).
constexpr int kMaxRepeatedElements = proto::kMaxRepeatedElements;

// Sets *path to the first repeated field of `m` (or of a message in it) with more than
// kMaxRepeatedElements elements. Looks at no more than kMaxRepeatedElements elements per field.
bool FindOversizeRepeated(const google::protobuf::Message& m, const std::string& prefix, int depth,
                          std::string* path) {
  if (depth > kMaxWalkDepth) return false;
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  auto name_of = [&](const FieldDescriptor* f) {
    return prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
  };
  for (const FieldDescriptor* f : fields) {
    if (f->is_repeated() && r->FieldSize(m, f) > kMaxRepeatedElements) {
      *path = name_of(f);
      return true;
    }
  }
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!f->is_repeated()) {
      if (FindOversizeRepeated(r->GetMessage(m, f), name_of(f), depth + 1, path)) return true;
      continue;
    }
    for (int i = 0; i < r->FieldSize(m, f); ++i) {
      if (FindOversizeRepeated(r->GetRepeatedMessage(m, f, i),
                               absl::StrCat(name_of(f), "[", i, "]"), depth + 1, path)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::string FindInvalidUtf8(const Descriptor* type, absl::string_view bytes) {
  std::string path;
  return Walk(type, bytes, "", 0, &path) == Fault::kInvalidUtf8 ? path : "";
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
    std::string path;
    switch (Walk(request.GetDescriptor(), f.length_delimited(), "", 0, &path)) {
      case Fault::kInvalidUtf8:
        return InvalidFieldError(path, "is not valid UTF-8");
      case Fault::kTooManyElements:
        return InvalidFieldError(path,
                                 absl::StrCat("has more than ", kMaxRepeatedElements, " elements"));
      case Fault::kTooManyOccurrences:
        return InvalidFieldError(
            path, absl::StrCat("holds one field more than ", kMaxRepeatedElements, " times"));
      case Fault::kNone:
        break;
    }
    return InvalidFieldError(
        "request", absl::StrCat("is not a well-formed ", request.GetDescriptor()->full_name()));
  }
  if (std::string path; FindOversizeRepeated(request, "", 0, &path)) {
    return InvalidFieldError(path,
                             absl::StrCat("has more than ", kMaxRepeatedElements, " elements"));
  }
  return absl::OkStatus();
}

}  // namespace odr::server
