// Request validation of every RPC, through the real server: the fuzz input picks a method of any
// odr.v1 service (enumerated from the descriptor pool), a caller, and either builds the request
// through protobuf reflection (strings that are not UTF-8, huge and negative numbers, unknown
// enum values, repeated and nested fields, oneofs) or sends raw bytes. The call goes through a
// grpc::GenericStub to an in-process odr::server::OdrServer, so it passes the request traits,
// RpcRunner, the handler's validation and the stores. Invariant: every call ends with a status
// before its deadline, and never with a code that means the server failed on client input
// (UNKNOWN, INTERNAL, DATA_LOSS, UNIMPLEMENTED).
//
// Input layout: byte 0 picks the method, byte 1 the caller, byte 2 the mode (raw bytes when
// mode % 8 == 0, otherwise reflection); the rest is the raw request or drives the reflection.
#include <fuzzer/FuzzedDataProvider.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "odr/v1/auth.grpc.pb.h"
#include "odr/v1/case_service.grpc.pb.h"
#include "server/admin.h"
#include "server/domain/clock.h"
#include "server/log.h"
#include "server/server.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/testing/grpc_auth.h"

namespace odr::fuzz {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::Reflection;

// Valid resident ID numbers (check digits computed), as in tests/testing/fixtures.h.
constexpr char kIdZhang[] = "110101199003074514";
constexpr char kIdWang[] = "330681199211031236";

struct Caller {
  std::string token;         // empty: anonymous
  std::string on_behalf_of;  // for the partner app
};

struct World {
  ScratchDir dir;
  FakeClock clock{absl::Now()};
  SequentialIdGenerator ids;
  std::unique_ptr<server::OdrServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
  std::vector<const MethodDescriptor*> methods;
  std::vector<Caller> callers;
  // Strings worth trying: the world's resource names, valid values, every field name (for
  // update masks).
  std::vector<std::string> words;
};

World* world = nullptr;

// Runs `odrd admin <args> --data-dir DIR` in-process; aborts on failure.
void Admin(const std::string& data_dir, std::vector<std::string> args) {
  CLI::App app("odrd");
  std::function<int()> run;
  server::AddAdminCommands(&app, &run);
  args.insert(args.begin(), "admin");
  args.push_back("--data-dir");
  args.push_back(data_dir);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "admin %s: %s\n", args[1].c_str(), e.what());
    std::abort();
  }
  Check(run && run() == 0, "odrd admin failed");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

v1::Party Person(const char* name, const char* id) {
  v1::Party p;
  p.set_kind(v1::PARTY_KIND_NATURAL_PERSON);
  p.set_name(name);
  p.set_id_document_type(v1::ID_DOCUMENT_TYPE_RESIDENT_ID_CARD);
  p.set_id_number(id);
  p.set_phone("13800138000");
  p.set_service_address("someone@example.com");
  return p;
}

// One submitted case of dev-org that the citizen is the applicant of, so that requests naming
// it get past the lookup. Returns its name.
std::string CreateCase(const std::string& admin_token) {
  auto stub = v1::CaseService::NewStub(world->channel);
  v1::CreateCaseRequest req;
  v1::Case* c = req.mutable_case_();
  c->set_dispute_type(v1::DISPUTE_TYPE_MEDICAL);
  *c->add_applicants() = Person("张三", kIdZhang);
  *c->add_respondents() = Person("王五", kIdWang);
  c->set_summary("术后感染");
  c->set_claims("赔偿两万元");
  c->set_amount_fen(2000000);
  c->set_region_code("330681");
  c->set_organization("organizations/dev-org");
  c->mutable_source()->mutable_citizen_application();
  v1::Case out;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + admin_token);
  grpc::Status s = stub->CreateCase(&ctx, req, &out);
  if (!s.ok()) {
    std::fprintf(stderr, "CreateCase: %s\n", s.error_message().c_str());
    std::abort();
  }
  v1::SubmitCaseRequest submit;
  submit.set_name(out.name());
  grpc::ClientContext ctx2;
  ctx2.AddMetadata("authorization", "Bearer " + admin_token);
  s = stub->SubmitCase(&ctx2, submit, &out);
  Check(s.ok(), "SubmitCase of the fuzz world's case failed");
  return out.name();
}

void CollectFieldNames(const Descriptor* d, std::set<std::string>* names, int depth) {
  if (depth > 6) return;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!names->insert(f->name()).second) continue;
    if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      CollectFieldNames(f->message_type(), names, depth + 1);
    }
  }
}

void WriteSeeds(const std::string& dir, const std::string& case_name);

void Shutdown() {
  if (world == nullptr) return;
  world->stub.reset();
  world->channel.reset();
  if (world->server) world->server->Shutdown(absl::Seconds(1));
  std::error_code ec;
  std::filesystem::remove_all(world->dir.path(), ec);
}

void Init() {
  google::protobuf::SetLogHandler(nullptr);  // serializing a non-UTF-8 string logs otherwise
  Check(log::Init("error").ok(), "log init");
  world = new World();
  const std::string data = world->dir.file("data");
  const std::string keys = world->dir.file("keys");
  // dev-admin (org_admin of dev-org), dev-mediator, dev-court, dev-platform-admin, the
  // organization dev-org with mediator dev-mediator, and the court dev-court.
  Admin(data, {"bootstrap-dev", "--keys-out", keys});
  {
    std::ofstream f(world->dir.file("principals.jsonl"));
    f << R"({"id":"fuzz-citizen","role":"citizen","id_number":")" << kIdZhang << R"(","key":true})"
      << "\n"
      << R"({"id":"fuzz-partner","role":"partner_app","key":true})"
      << "\n";
  }
  Admin(data, {"create-principals", "--file", world->dir.file("principals.jsonl"), "--keys-out",
               keys, "--weak-key-hashes"});
  Admin(data,
        {"link", "--partner", "principals/fuzz-partner", "--citizen", "principals/fuzz-citizen"});

  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = data;
  options.workers = 2;
  options.rate_limit = 0;  // the fuzzer calls far faster than any person
  options.auth.token_ttl = absl::Hours(24 * 30);
  options.simulated_clock = &world->clock;  // SimulationService is served too
  options.run_deadline_engine = false;      // nothing happens but the fuzzer's calls
  auto started = server::OdrServer::Start(options, &world->clock, &world->ids);
  if (!started.ok()) {
    std::fprintf(stderr, "OdrServer::Start: %s\n", started.status().ToString().c_str());
    std::abort();
  }
  world->server = std::move(*started);
  world->channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(world->server->port()),
                                       grpc::InsecureChannelCredentials());
  world->stub = std::make_unique<grpc::GenericStub>(world->channel);

  auto token = [&](const std::string& id) {
    return testing::IssueToken(world->channel, id, ReadFile(keys + "/" + id + ".key"));
  };
  const std::string platform = token("dev-platform-admin");
  const std::string admin = token("dev-admin");
  const std::string citizen = token("fuzz-citizen");
  world->callers = {
      {platform, ""},
      {admin, ""},
      {token("dev-mediator"), ""},
      {token("dev-court"), ""},
      {citizen, ""},
      {token("fuzz-partner"), "principals/fuzz-citizen"},
      {"", ""},
      {citizen.substr(0, citizen.size() - 4) + "AAAA", ""},  // a signature that fails
  };
  const std::string case_name = CreateCase(admin);

  // Every method of every odr.v1 service.
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::set<std::string> names;
  for (absl::string_view file : absl::StrSplit(ODR_PROTO_FILES, ',')) {
    const google::protobuf::FileDescriptor* fd = pool->FindFileByName(std::string(file));
    Check(fd != nullptr, "a proto file of ODR_PROTO_FILES is not linked in");
    for (int s = 0; s < fd->service_count(); ++s) {
      for (int m = 0; m < fd->service(s)->method_count(); ++m) {
        const MethodDescriptor* md = fd->service(s)->method(m);
        world->methods.push_back(md);
        CollectFieldNames(md->input_type(), &names, 0);
      }
    }
  }
  Check(!world->methods.empty(), "no methods");
  world->words = {case_name,
                  case_name + "/evidence/id000001",
                  case_name + "/appointments/id000001",
                  case_name + "/agreements/id000001",
                  "organizations/dev-org",
                  "organizations/dev-org/mediators/dev-mediator",
                  "organizations/dev-org/pools/p1",
                  "principals/dev-mediator",
                  "principals/fuzz-citizen",
                  "courts/dev-court",
                  "applicants/0",
                  "respondents/0",
                  "330681",
                  kIdZhang,
                  "13800138000",
                  "2026-01-05",
                  "2026-01-05T09:00:00+08:00",
                  "text/plain",
                  "a.txt",
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                  "state = SUBMITTED",
                  "create_time desc",
                  "W/\"1\"",
                  "upload-1",
                  "request-1"};
  world->words.insert(world->words.end(), names.begin(), names.end());
  std::atexit(Shutdown);
  // ODR_FUZZ_WRITE_SEEDS=DIR: write the seed inputs to DIR.
  if (const char* dir = std::getenv("ODR_FUZZ_WRITE_SEEDS")) WriteSeeds(dir, case_name);
}

// Builds request messages from the fuzz input through reflection.
class Builder {
 public:
  explicit Builder(FuzzedDataProvider* in) : in_(in) {}

  void Fill(Message* m, int depth) {
    const Descriptor* d = m->GetDescriptor();
    if (d->field_count() == 0) return;
    const int ops = in_->ConsumeIntegralInRange(0, depth == 0 ? 12 : 6);
    for (int i = 0; i < ops && in_->remaining_bytes() > 0; ++i) {
      const FieldDescriptor* f = d->field(in_->ConsumeIntegralInRange(0, d->field_count() - 1));
      SetField(m, f, depth);
    }
  }

 private:
  void SetField(Message* m, const FieldDescriptor* f, int depth) {
    const Reflection* r = m->GetReflection();
    if (f->is_repeated()) {
      const int n = in_->ConsumeIntegralInRange(0, 4);
      for (int i = 0; i < n; ++i) AddOne(m, r, f, depth);
      return;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(m, f, Int<int32_t>());
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        r->SetInt64(m, f, Int<int64_t>());
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(m, f, Int<uint32_t>());
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        r->SetUInt64(m, f, Int<uint64_t>());
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        r->SetDouble(m, f, Double());
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        r->SetFloat(m, f, static_cast<float>(Double()));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        r->SetBool(m, f, in_->ConsumeBool());
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        r->SetEnumValue(m, f, Enum(f->enum_type()));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        r->SetString(m, f, String(f));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < kMaxDepth) Fill(r->MutableMessage(m, f), depth + 1);
        break;
    }
  }

  void AddOne(Message* m, const Reflection* r, const FieldDescriptor* f, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        r->AddInt32(m, f, Int<int32_t>());
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        r->AddInt64(m, f, Int<int64_t>());
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        r->AddUInt32(m, f, Int<uint32_t>());
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        r->AddUInt64(m, f, Int<uint64_t>());
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        r->AddDouble(m, f, Double());
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        r->AddFloat(m, f, static_cast<float>(Double()));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        r->AddBool(m, f, in_->ConsumeBool());
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        r->AddEnumValue(m, f, Enum(f->enum_type()));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        r->AddString(m, f, String(f));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* sub = r->AddMessage(m, f);
        if (depth < kMaxDepth) Fill(sub, depth + 1);
        break;
      }
    }
  }

  template <typename T>
  T Int() {
    switch (in_->ConsumeIntegralInRange(0, 5)) {
      case 0:
        return 0;
      case 1:
        return std::numeric_limits<T>::max();
      case 2:
        return std::numeric_limits<T>::min();
      case 3:
        return static_cast<T>(-1);
      case 4:
        return static_cast<T>(in_->ConsumeIntegralInRange<int64_t>(0, 100000));
      default:
        return in_->ConsumeIntegral<T>();
    }
  }

  double Double() {
    switch (in_->ConsumeIntegralInRange(0, 3)) {
      case 0:
        return std::numeric_limits<double>::quiet_NaN();
      case 1:
        return std::numeric_limits<double>::infinity();
      case 2:
        return -1e300;
      default:
        return in_->ConsumeFloatingPoint<double>();
    }
  }

  int Enum(const EnumDescriptor* e) {
    if (in_->ConsumeIntegralInRange(0, 7) == 0) return in_->ConsumeIntegral<int32_t>();  // unknown
    return e->value(in_->ConsumeIntegralInRange(0, e->value_count() - 1))->number();
  }

  std::string String(const FieldDescriptor* f) {
    const std::vector<std::string>& words = world->words;
    switch (in_->ConsumeIntegralInRange(0, 4)) {
      case 0:
      case 1:
        return words[in_->ConsumeIntegralInRange<size_t>(0, words.size() - 1)];
      case 2: {  // a known word with a suffix (often not UTF-8)
        std::string w = words[in_->ConsumeIntegralInRange<size_t>(0, words.size() - 1)];
        return w + in_->ConsumeRandomLengthString(16);
      }
      case 3:
        if (f->type() == FieldDescriptor::TYPE_BYTES) {
          return std::string(in_->ConsumeIntegralInRange<size_t>(0, 70000), 'x');
        }
        return std::string(in_->ConsumeIntegralInRange<size_t>(0, 5000), 'a');
      default:
        return in_->ConsumeRandomLengthString(300);
    }
  }

  static constexpr int kMaxDepth = 5;
  FuzzedDataProvider* in_;
};

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// A call of a streaming method with one request message: sends it, half-closes, and reads every
// response until the server ends the call.
class OneRequestStream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  OneRequestStream(grpc::GenericStub* stub, grpc::ClientContext* ctx, const std::string& method,
                   const grpc::ByteBuffer& request)
      : request_(request) {
    stub->PrepareBidiStreamingCall(ctx, method, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (ok) StartRead(&response_);
  }
  void OnDone(const grpc::Status& s) override { done_.set_value(s); }

  grpc::Status Await() { return done_.get_future().get(); }

 private:
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::promise<grpc::Status> done_;
};

bool Acceptable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNIMPLEMENTED:
      return false;
    default:
      return true;
  }
}

// The seed inputs: for every method an empty request as every caller, and real requests for a
// few, as raw bytes (byte 2 = 0).
void WriteSeeds(const std::string& dir, const std::string& case_name) {
  auto index = [](const std::string& full_name) {
    for (size_t i = 0; i < world->methods.size(); ++i) {
      if (world->methods[i]->full_name() == full_name) return static_cast<char>(i);
    }
    std::fprintf(stderr, "no method %s\n", full_name.c_str());
    std::abort();
  };
  auto write = [&](const std::string& name, char method, char caller, const Message& m) {
    std::ofstream(dir + "/" + name, std::ios::binary)
        << method << caller << '\0' << m.SerializeAsString();
  };
  for (size_t i = 0; i < world->methods.size(); ++i) {
    std::unique_ptr<Message> m(google::protobuf::MessageFactory::generated_factory()
                                   ->GetPrototype(world->methods[i]->input_type())
                                   ->New());
    write("empty-" + world->methods[i]->name(), static_cast<char>(i), 0, *m);
  }
  v1::CreateCaseRequest create;
  v1::Case* c = create.mutable_case_();
  c->set_dispute_type(v1::DISPUTE_TYPE_MEDICAL);
  *c->add_applicants() = Person("张三", kIdZhang);
  *c->add_respondents() = Person("王五", kIdWang);
  c->set_summary("术后感染");
  c->set_claims("赔偿两万元");
  c->set_amount_fen(2000000);
  c->set_region_code("330681");
  c->set_organization("organizations/dev-org");
  c->mutable_source()->mutable_citizen_application();
  write("create-case", index("odr.v1.CaseService.CreateCase"), 4, create);
  v1::GetCaseRequest get;
  get.set_name(case_name);
  write("get-case", index("odr.v1.CaseService.GetCase"), 1, get);
  v1::ListCasesRequest list;
  list.set_filter("state = SUBMITTED AND create_time >= \"2026-01-01T00:00:00Z\"");
  list.set_order_by("case_number desc");
  list.set_page_size(2);
  write("list-cases", index("odr.v1.CaseService.ListCases"), 0, list);
  v1::AcceptCaseRequest accept;
  accept.set_name(case_name);
  write("accept-case", index("odr.v1.CaseService.AcceptCase"), 1, accept);
  v1::UploadEvidenceRequest upload;
  upload.mutable_start()->set_parent(case_name);
  upload.mutable_start()->set_upload_id("upload-1");
  upload.mutable_start()->mutable_evidence()->set_file_name("a.txt");
  upload.mutable_start()->mutable_evidence()->set_media_type("text/plain");
  upload.mutable_start()->set_size_bytes(0);
  upload.mutable_start()->set_sha256(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  upload.set_finish_write(true);
  write("upload-evidence", index("odr.v1.EvidenceService.UploadEvidence"), 4, upload);
  v1::CreateTokenRequest token;
  token.set_principal("principals/fuzz-citizen");
  token.set_api_key("wrong");
  write("create-token", index("odr.v1.AuthService.CreateToken"), 6, token);
}

}  // namespace
}  // namespace odr::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  odr::fuzz::Init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace odr::fuzz;
  if (size < 3) return 0;
  const MethodDescriptor* md = world->methods[data[0] % world->methods.size()];
  const Caller& caller = world->callers[data[1] % world->callers.size()];
  const bool raw = data[2] % 8 == 0;
  FuzzedDataProvider in(data + 3, size - 3);

  std::string request;
  if (raw) {
    request = in.ConsumeRemainingBytesAsString();
  } else {
    std::unique_ptr<Message> m(google::protobuf::MessageFactory::generated_factory()
                                   ->GetPrototype(md->input_type())
                                   ->New());
    Builder(&in).Fill(m.get(), 0);
    request = m->SerializeAsString();
  }

  const std::string method = "/" + md->service()->full_name() + "/" + md->name();
  const bool watch = md->server_streaming() && md->name() == "WatchCaseEvents";
  grpc::ClientContext ctx;
  // A watch that passes validation never ends by itself: it runs into its short deadline.
  ctx.set_deadline(std::chrono::system_clock::now() +
                   (watch ? std::chrono::milliseconds(100) : std::chrono::seconds(5)));
  if (!caller.token.empty()) ctx.AddMetadata("authorization", "Bearer " + caller.token);
  if (!caller.on_behalf_of.empty()) ctx.AddMetadata("x-odr-on-behalf-of", caller.on_behalf_of);
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1);

  grpc::Status status;
  if (md->client_streaming() || md->server_streaming()) {
    OneRequestStream stream(world->stub.get(), &ctx, method, req);
    status = stream.Await();
  } else {
    grpc::ByteBuffer resp;
    std::promise<grpc::Status> done;
    world->stub->UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                           [&](grpc::Status s) { done.set_value(s); });
    status = done.get_future().get();
    if (status.ok()) {
      std::unique_ptr<Message> out(google::protobuf::MessageFactory::generated_factory()
                                       ->GetPrototype(md->output_type())
                                       ->New());
      Check(out->ParseFromString(Flatten(resp)), "an OK response does not parse");
    }
  }
  const grpc::StatusCode code = status.error_code();
  static const bool verbose = std::getenv("ODR_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "%s (%s, %zu request bytes) -> code %d: %s\n", method.c_str(),
                 raw ? "raw" : "reflection", request.size(), static_cast<int>(code),
                 status.error_message().c_str());
  }
  if (!Acceptable(code) || (code == grpc::StatusCode::DEADLINE_EXCEEDED && !watch)) {
    std::fprintf(stderr, "%s (%s, %zu request bytes) -> code %d: %s\n", method.c_str(),
                 raw ? "raw" : "reflection", request.size(), static_cast<int>(code),
                 status.error_message().c_str());
    std::string hex;
    for (unsigned char ch : request) hex += absl::StrFormat("%02x", ch);
    std::fprintf(stderr, "request: %s\n", hex.c_str());
    Check(false, "a client's request made the server fail or hang");
  }
  return 0;
}
