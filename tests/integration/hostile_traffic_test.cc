// Hostile and broken traffic against the real odrd (port 0, temp data dir): oversize messages,
// repeated fields with 10^6 elements, deep nesting, invalid UTF-8, uploads cut off half way (by
// the client, and by raw HTTP/2 bytes that end mid-message), streams beyond the per-connection
// limit, and thousands of idle streams. Each answer is RESOURCE_EXHAUSTED or INVALID_ARGUMENT (or
// the stream is refused or cancelled), odrd's memory stays bounded, its memory and file
// descriptors come back when the streams end, and afterwards it still creates and reads a case.
// docs/operations.md has the table of inputs and codes.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "odr/v1/case_service.grpc.pb.h"
#include "odr/v1/evidence.grpc.pb.h"
#include "odr/v1/roster.grpc.pb.h"
#include "tests/testing/error_details.h"
#include "tests/testing/evidence_helpers.h"
#include "tests/testing/grpc_auth.h"
#include "tests/testing/odrd_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

using ::odr::testing::IsOk;
using ::odr::testing::StatusIs;

namespace odr {
namespace {

using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ViolatedFields;

constexpr int64_t kMaxMessageBytes = 4 * 1024 * 1024;  // ServerOptions::max_message_bytes
constexpr int kMaxConcurrentStreams = 100;             // TransportLimits::max_concurrent_streams
constexpr int64_t kRssBoundKb = 512 * 1024;
constexpr char kGetCase[] = "/odr.v1.CaseService/GetCase";
constexpr char kCreateCase[] = "/odr.v1.CaseService/CreateCase";
constexpr char kWatch[] = "/odr.v1.CaseService/WatchCaseEvents";
constexpr char kUpload[] = "/odr.v1.EvidenceService/UploadEvidence";

std::string Describe(const grpc::Status& s) {
  return std::to_string(s.error_code()) + " " + s.error_message();
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format by hand.

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// A length-delimited field.
std::string Len(int field, const std::string& payload) {
  return Varint((static_cast<uint64_t>(field) << 3) | 2) + Varint(payload.size()) + payload;
}

// `depth` length-delimited fields `field`, each inside the one before. Built from the inside out
// in O(depth): the lengths first, then the headers outermost first.
std::string NestedLen(int field, int depth) {
  const std::string tag = Varint((static_cast<uint64_t>(field) << 3) | 2);
  std::vector<std::string> headers;  // headers[0] is the innermost
  uint64_t inner = 0;
  for (int i = 0; i < depth; ++i) {
    headers.push_back(tag + Varint(inner));
    inner += headers.back().size();
  }
  std::string out;
  out.reserve(inner);
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) out += *it;
  return out;
}

// `depth` groups of `field`, each inside the one before (start-group ... end-group).
std::string NestedGroups(int field, int depth) {
  const std::string start = Varint((static_cast<uint64_t>(field) << 3) | 3);
  const std::string end = Varint((static_cast<uint64_t>(field) << 3) | 4);
  std::string out;
  out.reserve((start.size() + end.size()) * depth);
  for (int i = 0; i < depth; ++i) out += start;
  for (int i = 0; i < depth; ++i) out += end;
  return out;
}

// ---------------------------------------------------------------------------------------------
// odrd's memory and file descriptors, from /proc.

struct ProcStats {
  int64_t rss_kb = 0;  // VmRSS
  int64_t hwm_kb = 0;  // VmHWM: the peak RSS so far
  int fds = 0;
};

ProcStats ReadProc(pid_t pid) {
  ProcStats p;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") status >> p.rss_kb;
    if (key == "VmHWM:") status >> p.hwm_kb;
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++p.fds;
  }
  return p;
}

std::string Show(const ProcStats& p) {
  return "RSS " + std::to_string(p.rss_kb / 1024) + " MiB (peak " +
         std::to_string(p.hwm_kb / 1024) + " MiB), " + std::to_string(p.fds) + " fds";
}

// ---------------------------------------------------------------------------------------------
// A raw HTTP/2 (h2c) connection: frames and literal HPACK headers written by hand, so that a test
// can do what a gRPC client never does (end a stream mid-message, ignore the stream limit).

class RawH2 {
 public:
  struct Frame {
    uint8_t type = 0;
    uint8_t flags = 0;
    uint32_t stream = 0;
    std::string payload;
  };
  static constexpr uint8_t kData = 0, kHeaders = 1, kRstStream = 3, kSettings = 4, kPing = 6,
                           kGoAway = 7;
  static constexpr uint8_t kEndStream = 1, kAck = 1, kEndHeaders = 4;
  static constexpr uint32_t kRefusedStream = 7;

  // Connects, exchanges the preface and SETTINGS (acknowledging the server's, so that its
  // limits apply).
  explicit RawH2(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    Send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    Write(kSettings, 0, 0, "");
    Frame f;
    while (ok_ && Read(&f, std::chrono::seconds(10))) {
      if (f.type == kSettings && !(f.flags & kAck)) {
        settings_ = f.payload;
        break;
      }
    }
  }
  ~RawH2() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return ok_ && !settings_.empty(); }

  // The server's SETTINGS_MAX_CONCURRENT_STREAMS (0x3), or -1.
  int64_t MaxConcurrentStreams() const {
    for (size_t i = 0; i + 6 <= settings_.size(); i += 6) {
      const auto* b = reinterpret_cast<const uint8_t*>(settings_.data() + i);
      if (((b[0] << 8) | b[1]) == 3) {
        return (int64_t{b[2]} << 24) | (b[3] << 16) | (b[4] << 8) | b[5];
      }
    }
    return -1;
  }

  // A gRPC request's HEADERS for `method` (with the token, if any).
  void Headers(uint32_t stream, const std::string& method, int port, const std::string& token,
               bool end_stream) {
    std::string block;
    const std::vector<std::pair<std::string, std::string>> headers = {
        {":method", "POST"},
        {":scheme", "http"},
        {":path", method},
        {":authority", "127.0.0.1:" + std::to_string(port)},
        {"content-type", "application/grpc"},
        {"te", "trailers"},
    };
    for (const auto& [name, value] : headers) AddLiteral(&block, name, value);
    if (!token.empty()) AddLiteral(&block, "authorization", "Bearer " + token);
    Write(kHeaders, kEndHeaders | (end_stream ? kEndStream : 0), stream, block);
  }

  // DATA frames of at most 16 KiB (the server's SETTINGS_MAX_FRAME_SIZE) carrying `bytes`.
  void Data(uint32_t stream, const std::string& bytes, bool end_stream) {
    size_t at = 0;
    do {
      const size_t n = std::min<size_t>(16384, bytes.size() - at);
      const bool last = at + n == bytes.size();
      Write(kData, last && end_stream ? kEndStream : 0, stream, bytes.substr(at, n));
      at += n;
    } while (at < bytes.size());
  }

  void Reset(uint32_t stream) { Write(kRstStream, 0, stream, std::string("\0\0\0\x08", 4)); }

  // The next frame; false on timeout or end of connection. Acknowledges PINGs and SETTINGS.
  bool Read(Frame* f, std::chrono::milliseconds timeout) {
    std::string header;
    if (!Receive(9, &header, timeout)) return false;
    const auto* h = reinterpret_cast<const uint8_t*>(header.data());
    const size_t length = (h[0] << 16) | (h[1] << 8) | h[2];
    f->type = h[3];
    f->flags = h[4];
    f->stream = ((h[5] & 0x7f) << 24) | (h[6] << 16) | (h[7] << 8) | h[8];
    f->payload.clear();
    if (length > 0 && !Receive(length, &f->payload, timeout)) return false;
    if (f->type == kPing && !(f->flags & kAck)) Write(kPing, kAck, 0, f->payload);
    if (f->type == kSettings && !(f->flags & kAck)) Write(kSettings, kAck, 0, "");
    return true;
  }

 private:
  static void AddInt(std::string* out, uint64_t v, int prefix_bits, uint8_t first) {
    const uint64_t max = (1u << prefix_bits) - 1;
    if (v < max) {
      out->push_back(static_cast<char>(first | v));
      return;
    }
    out->push_back(static_cast<char>(first | max));
    v -= max;
    while (v >= 128) {
      out->push_back(static_cast<char>((v % 128) + 128));
      v /= 128;
    }
    out->push_back(static_cast<char>(v));
  }
  // Literal header field without indexing, new name, no Huffman coding (RFC 7541 6.2.2).
  static void AddLiteral(std::string* block, const std::string& name, const std::string& value) {
    block->push_back('\0');
    AddInt(block, name.size(), 7, 0);
    *block += name;
    AddInt(block, value.size(), 7, 0);
    *block += value;
  }
  void Write(uint8_t type, uint8_t flags, uint32_t stream, const std::string& payload) {
    std::string frame;
    const size_t n = payload.size();
    frame.push_back(static_cast<char>(n >> 16));
    frame.push_back(static_cast<char>(n >> 8));
    frame.push_back(static_cast<char>(n));
    frame.push_back(static_cast<char>(type));
    frame.push_back(static_cast<char>(flags));
    frame.push_back(static_cast<char>(stream >> 24));
    frame.push_back(static_cast<char>(stream >> 16));
    frame.push_back(static_cast<char>(stream >> 8));
    frame.push_back(static_cast<char>(stream));
    Send(frame + payload);
  }
  void Send(const std::string& bytes) {
    size_t at = 0;
    while (ok_ && at < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) ok_ = false;
      at += n > 0 ? static_cast<size_t>(n) : 0;
    }
  }
  bool Receive(size_t n, std::string* out, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (out->size() < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[16384];
      ssize_t got = recv(fd_, buf, std::min(sizeof(buf), n - out->size()), 0);
      if (got <= 0) return false;
      out->append(buf, static_cast<size_t>(got));
    }
    return true;
  }

  int fd_ = -1;
  bool ok_ = false;
  std::string settings_;
};

// A gRPC message: the 5-byte prefix (not compressed, length) and `bytes`.
std::string GrpcMessage(const std::string& bytes, uint32_t declared_length) {
  std::string out(1, '\0');
  out.push_back(static_cast<char>(declared_length >> 24));
  out.push_back(static_cast<char>(declared_length >> 16));
  out.push_back(static_cast<char>(declared_length >> 8));
  out.push_back(static_cast<char>(declared_length));
  return out + bytes;
}

// ---------------------------------------------------------------------------------------------

class HostileTrafficTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.file("data");
    keys_ = testing::CreateZhangLiWang(data_);
    keys_["platform"] = testing::CreatePrincipal(data_, "platform", "platform_admin");
    // No rate limit: the test opens thousands of calls as one principal.
    server_ = std::make_unique<testing::OdrdProcess>(data_,
                                                     std::vector<std::string>{"--rate-limit", "0"});
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    cases_ = v1::CaseService::NewStub(channel_);
    evidence_ = v1::EvidenceService::NewStub(channel_);
    for (const auto& [id, key] : keys_) tokens_[id] = testing::IssueToken(channel_, id, key);
    auto roster = v1::RosterService::NewStub(channel_);
    v1::Organization o;
    ASSERT_TRUE(
        roster->CreateOrganization(As("platform").get(), testing::ZhujiOrganization("org1"), &o)
            .ok());
    case_ = CreateCase(cases_.get());
    ASSERT_FALSE(case_.empty());
  }

  // Every test ends here: odrd is alive, creates and reads a case on a fresh connection, and
  // never used more than kRssBoundKb.
  void TearDown() override {
    ASSERT_EQ(kill(server_->pid(), 0), 0) << "odrd died; see " << server_->log_path();
    auto fresh = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    auto cases = v1::CaseService::NewStub(fresh);
    const std::string name = CreateCase(cases.get());
    v1::GetCaseRequest get;
    get.set_name(name);
    v1::Case out;
    grpc::Status s = cases->GetCase(As("zhang").get(), get, &out);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    EXPECT_EQ(out.name(), name);
    const ProcStats p = ReadProc(server_->pid());
    std::printf("[ odrd     ] at the end: %s\n", Show(p).c_str());
    EXPECT_LT(p.hwm_kb, kRssBoundKb) << Show(p);
    cases.reset();
    fresh.reset();
    cases_.reset();
    evidence_.reset();
    channel_.reset();
    EXPECT_EQ(server_->Stop(), 0);
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& who, int seconds = 30) {
    auto ctx = testing::AuthedContext(tokens_.at(who));
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
    return ctx;
  }

  std::string CreateCase(v1::CaseService::Stub* stub) {
    v1::CreateCaseRequest req;
    *req.mutable_case_() = testing::ZhangAgainstLi("org1");
    v1::Case out;
    grpc::Status s = stub->CreateCase(As("zhang").get(), req, &out);
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return out.name();
  }

  // A unary call with raw request bytes, as zhang.
  grpc::Status RawUnary(const char* method, const std::string& bytes) {
    grpc::GenericStub generic(channel_);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    auto ctx = As("zhang");
    generic.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

  // An upload stream of raw messages (each sent as these bytes, the last with WriteLast), as zhang;
  // returns how odrd ended it.
  grpc::Status RawUpload(const std::vector<std::string>& messages) {
    grpc::GenericStub generic(channel_);
    grpc::CompletionQueue cq;
    auto ctx = As("zhang");
    auto call = generic.PrepareCall(ctx.get(), kUpload, &cq);
    void* tag;
    bool ok;
    call->StartCall(reinterpret_cast<void*>(1));
    cq.Next(&tag, &ok);
    for (size_t i = 0; ok && i < messages.size(); ++i) {
      grpc::Slice slice(messages[i]);
      grpc::ByteBuffer buffer(&slice, 1);
      if (i + 1 < messages.size()) {
        call->Write(buffer, reinterpret_cast<void*>(2));
      } else {
        call->WriteLast(buffer, grpc::WriteOptions(), reinterpret_cast<void*>(2));
      }
      cq.Next(&tag, &ok);
    }
    grpc::Status st;
    call->Finish(&st, reinterpret_cast<void*>(3));
    while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(3)) {
    }
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return st;
  }

  v1::UploadEvidenceStart StartFor(const std::string& upload_id, const std::string& bytes) {
    v1::UploadEvidenceStart start;
    start.set_parent(case_);
    start.set_upload_id(upload_id);
    start.mutable_evidence()->set_file_name("scan.pdf");
    start.mutable_evidence()->set_media_type("application/pdf");
    start.set_size_bytes(static_cast<int64_t>(bytes.size()));
    start.set_sha256(testing::Sha256Hex(bytes));
    return start;
  }

  // The committed size of zhang's upload: 0 if odrd never took its first message (a stream
  // cancelled that early leaves no upload behind).
  int64_t Committed(const std::string& upload_id) {
    v1::QueryUploadStatusRequest req;
    req.set_upload_id(upload_id);
    v1::QueryUploadStatusResponse resp;
    grpc::Status s = evidence_->QueryUploadStatus(As("zhang").get(), req, &resp);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) return 0;
    EXPECT_THAT(s, IsOk()) << Describe(s);
    return resp.committed_size();
  }

  // Sends bytes[from, end) of the upload in 64 KiB chunks and finishes it; retries while the
  // previous stream of the upload has not ended yet (ABORTED UPLOAD_IN_PROGRESS).
  grpc::Status Resume(const v1::UploadEvidenceStart& start, const std::string& bytes,
                      v1::UploadEvidenceResponse* resp) {
    grpc::Status s;
    for (int attempt = 0; attempt < 50; ++attempt) {
      const int64_t from = Committed(start.upload_id());
      auto ctx = As("zhang");
      auto writer = evidence_->UploadEvidence(ctx.get(), resp);
      v1::UploadEvidenceRequest req;
      *req.mutable_start() = start;
      int64_t at = from;
      do {
        const int64_t n = std::min<int64_t>(64 * 1024, static_cast<int64_t>(bytes.size()) - at);
        req.set_write_offset(at);
        req.set_data(bytes.substr(at, n));
        at += n;
        req.set_finish_write(at == static_cast<int64_t>(bytes.size()));
        if (!writer->Write(req)) break;
        req.clear_start();
      } while (at < static_cast<int64_t>(bytes.size()));
      writer->WritesDone();
      s = writer->Finish();
      // ABORTED: the abandoned stream is still writing. A write_offset refused as not the
      // committed size: it finished writing after the status was read. Either way, as a client
      // must, read the committed size again and resume from there.
      const std::vector<std::string> fields = ViolatedFields(s);
      const bool moved = s.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
                         std::find(fields.begin(), fields.end(), "write_offset") != fields.end();
      if (s.error_code() != grpc::StatusCode::ABORTED && !moved) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return s;
  }

  testing::TempDir dir_;
  std::string data_;
  std::map<std::string, std::string> keys_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<testing::OdrdProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
  std::unique_ptr<v1::EvidenceService::Stub> evidence_;
  std::string case_;
};

// ---------------------------------------------------------------------------------------------

TEST_F(HostileTrafficTest, OversizeMessageIsResourceExhausted) {
  // A GetCaseRequest whose name is 1 byte over the limit (with its tag and length, more so).
  v1::GetCaseRequest req;
  req.set_name(std::string(kMaxMessageBytes + 1, 'a'));
  grpc::Status s = RawUnary(kGetCase, req.SerializeAsString());
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED)) << Describe(s);
  // The same bytes as a message of an upload stream.
  grpc::Status st = RawUpload({std::string(kMaxMessageBytes + 16, 'x')});
  EXPECT_THAT(st, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED)) << Describe(st);
}

TEST_F(HostileTrafficTest, MillionElementRepeatedFields) {
  const ProcStats before = ReadProc(server_->pid());
  // 10^6 applicants: an empty Party is 2 bytes (tag, length 0), so 2 MB: it fits the message
  // limit, is parsed, and is refused by validation naming the field.
  {
    std::string parties;
    parties.reserve(2'000'000);
    for (int i = 0; i < 1'000'000; ++i) parties += Len(4, "");
    grpc::Status s = RawUnary(kCreateCase, Len(1, parties));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("case.applicants"));
    EXPECT_THAT(s.error_message(), HasSubstr("case.applicants"));
  }
  const ProcStats after_fitting = ReadProc(server_->pid());
  std::printf("[ odrd     ] before: %s; after 10^6 empty parties: %s\n", Show(before).c_str(),
              Show(after_fitting).c_str());
  // 10^6 applicants with a name each (9 bytes a party): over the limit, refused unparsed.
  {
    const std::string party = Len(2, "张三");
    std::string parties;
    parties.reserve(10'000'000);
    for (int i = 0; i < 1'000'000; ++i) parties += Len(4, party);
    ASSERT_GT(parties.size(), static_cast<size_t>(kMaxMessageBytes));
    grpc::Status s = RawUnary(kCreateCase, Len(1, parties));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::RESOURCE_EXHAUSTED)) << Describe(s);
  }
  // 10^6 repeated strings of an unknown field number in the case: 3 MB, refused before parsing
  // (protobuf would keep every one as an unknown field), naming the message that holds them.
  {
    std::string many;
    for (int i = 0; i < 1'000'000; ++i) many += Len(999, "x");
    grpc::Status s = RawUnary(kCreateCase, Len(1, many));
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
    EXPECT_THAT(ViolatedFields(s), Contains("case"));
  }
  std::printf("[ odrd     ] after the oversize and unknown ones: %s\n",
              Show(ReadProc(server_->pid())).c_str());
}

TEST_F(HostileTrafficTest, DeepNestingIsInvalidArgument) {
  // 100,000 nested groups (protobuf gives up at 100 levels): the request is malformed.
  grpc::Status s = RawUnary(kGetCase, NestedGroups(15, 100'000));
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("request"));
  // 100,000 groups that never end.
  std::string open_groups;
  for (int i = 0; i < 100'000; ++i) open_groups += Varint((15 << 3) | 3);
  s = RawUnary(kGetCase, open_groups);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("request"));
  // 100,000 nested length-delimited submessages under the request's `case` (field 1), as a
  // Case's field 1 (its name, a string): the string holds length bytes that are not UTF-8.
  s = RawUnary(kCreateCase, NestedLen(1, 100'000));
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  // 100,000 nested submessages in an unknown field: protobuf keeps them as bytes, unparsed, and
  // the request is refused for what it lacks (no name).
  s = RawUnary(kGetCase, NestedLen(1000, 100'000));
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("name"));
  // Nested through the API's own messages as deep as they go, then a truncated length.
  const std::string truncated = Len(1, Len(4, Len(7, "")) + std::string("\x22\x7f", 2));
  s = RawUnary(kCreateCase, truncated);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("request"));
}

TEST_F(HostileTrafficTest, InvalidUtf8IsInvalidArgumentNamingTheField) {
  v1::CreateCaseRequest req;
  *req.mutable_case_() = testing::ZhangAgainstLi("org1");
  req.mutable_case_()->mutable_applicants(0)->set_name("\xff\xfe");
  req.mutable_case_()->mutable_respondents(0)->set_service_address("\xc3\x28");
  std::string bytes;
  ASSERT_TRUE(req.SerializePartialToString(&bytes));
  grpc::Status s = RawUnary(kCreateCase, bytes);
  EXPECT_THAT(s, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(s);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("case.applicants[0].name"));
  // In the first message of an upload stream.
  v1::UploadEvidenceRequest up;
  *up.mutable_start() = StartFor("bad-name", "0123456789");
  up.mutable_start()->mutable_evidence()->set_file_name("\xed\xa0\x80.pdf");  // a surrogate
  grpc::Status st = RawUpload({up.SerializePartialAsString()});
  EXPECT_THAT(st, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(st);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("start.evidence.file_name"));
}

// A later message of an upload stream that does not parse (truncated) is refused, not taken for
// an empty chunk.
TEST_F(HostileTrafficTest, AMalformedLaterUploadMessageIsInvalidArgument) {
  const std::string bytes = testing::RandomBytes(100'000, 5);
  v1::UploadEvidenceRequest up;
  *up.mutable_start() = StartFor("later-bad", bytes);
  up.set_data(bytes.substr(0, 64 * 1024));
  // write_offset 65536, then a data field whose length runs past the end of the message.
  const std::string broken = std::string("\x10\x80\x80\x04\x1a\xff\xff\x03", 8) + "abc";
  grpc::Status st = RawUpload({up.SerializeAsString(), broken});
  EXPECT_THAT(st, StatusIs(grpc::StatusCode::INVALID_ARGUMENT)) << Describe(st);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("request"));
}

// The client gives up half way; the upload resumes from what odrd committed.
TEST_F(HostileTrafficTest, UploadCancelledHalfWayResumes) {
  const std::string bytes = testing::RandomBytes(1'000'000, 7);
  const v1::UploadEvidenceStart start = StartFor("cancelled", bytes);
  {
    v1::UploadEvidenceResponse resp;
    auto ctx = As("zhang");
    auto writer = evidence_->UploadEvidence(ctx.get(), &resp);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = start;
    for (int64_t at = 0; at < 8 * 64 * 1024; at += 64 * 1024) {
      req.set_write_offset(at);
      req.set_data(bytes.substr(at, 64 * 1024));
      ASSERT_TRUE(writer->Write(req));
      req.clear_start();
    }
    ctx->TryCancel();
    grpc::Status s = writer->Finish();
    EXPECT_THAT(s, StatusIs(grpc::StatusCode::CANCELLED)) << Describe(s);
  }
  v1::UploadEvidenceResponse resp;
  grpc::Status s = Resume(start, bytes, &resp);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(resp.committed_size(), 1'000'000);
  EXPECT_EQ(resp.evidence().size_bytes(), 1'000'000);

  // An upload whose deadline passes while the client sends nothing more.
  const std::string other = testing::RandomBytes(300'000, 8);
  const v1::UploadEvidenceStart late = StartFor("deadline", other);
  {
    v1::UploadEvidenceResponse r;
    auto ctx = As("zhang", 2);
    auto writer = evidence_->UploadEvidence(ctx.get(), &r);
    v1::UploadEvidenceRequest req;
    *req.mutable_start() = late;
    req.set_data(other.substr(0, 64 * 1024));
    ASSERT_TRUE(writer->Write(req));
    std::this_thread::sleep_for(std::chrono::seconds(3));
    grpc::Status d = writer->Finish();
    EXPECT_THAT(d, StatusIs(grpc::StatusCode::DEADLINE_EXCEEDED)) << Describe(d);
  }
  s = Resume(late, other, &resp);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(resp.evidence().size_bytes(), 300'000);
}

// Raw HTTP/2: an upload stream whose second gRPC message declares 70,000 bytes and then the
// stream ends after 1,000 of them; a unary call whose only message is cut short the same way.
TEST_F(HostileTrafficTest, StreamEndingMidMessage) {
  const std::string bytes = testing::RandomBytes(40'000, 9);
  const v1::UploadEvidenceStart start = StartFor("truncated", bytes);
  RawH2 h2(server_->port());
  ASSERT_THAT(h2, IsOk());
  v1::UploadEvidenceRequest first;
  *first.mutable_start() = start;
  first.set_data(bytes.substr(0, 16 * 1024));
  const std::string msg = first.SerializeAsString();
  h2.Headers(1, kUpload, server_->port(), tokens_.at("zhang"), false);
  h2.Data(1, GrpcMessage(msg, msg.size()) + GrpcMessage(std::string(1000, 'z'), 70'000), true);
  // A unary GetCase whose message declares 100 bytes and has 10.
  h2.Headers(3, kGetCase, server_->port(), tokens_.at("zhang"), false);
  h2.Data(3, GrpcMessage(std::string(10, '\x0a'), 100), true);
  std::map<uint32_t, std::string> ended;  // stream -> how it ended
  RawH2::Frame f;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ended.size() < 2 && std::chrono::steady_clock::now() < until &&
         h2.Read(&f, std::chrono::seconds(20))) {
    if (f.type == RawH2::kRstStream) {
      ended[f.stream] = "RST_STREAM";
    } else if (f.type == RawH2::kHeaders && (f.flags & RawH2::kEndStream)) {
      // gRPC writes grpc-status as a literal the first time; show it if it is there.
      size_t at = f.payload.find("grpc-status");
      std::string code = "?";
      if (at != std::string::npos && at + 12 < f.payload.size()) {
        const size_t n = static_cast<uint8_t>(f.payload[at + 11]) & 0x7f;
        code = f.payload.substr(at + 12, n);
      }
      ended[f.stream] = "trailers grpc-status " + code;
    } else if (f.type == RawH2::kGoAway) {
      ended[0] = "GOAWAY";
      break;
    }
  }
  std::printf("[ raw h2   ] upload ending mid-message: %s; unary cut short: %s\n",
              ended.count(1) ? ended[1].c_str() : "(no answer)",
              ended.count(3) ? ended[3].c_str() : "(no answer)");
  EXPECT_EQ(ended.count(0), 0u) << "odrd closed the connection";
  EXPECT_EQ(ended.count(1), 1u);
  EXPECT_EQ(ended.count(3), 1u);
  // Nothing after the first message was taken; the upload resumes from what odrd kept.
  v1::UploadEvidenceResponse resp;
  grpc::Status s = Resume(start, bytes, &resp);
  ASSERT_THAT(s, IsOk()) << Describe(s);
  EXPECT_EQ(resp.evidence().size_bytes(), 40'000);
  EXPECT_EQ(resp.evidence().sha256(), testing::Sha256Hex(bytes));
}

// A client that ignores SETTINGS_MAX_CONCURRENT_STREAMS: streams beyond it are refused.
TEST_F(HostileTrafficTest, StreamsBeyondTheLimitAreRefused) {
  RawH2 h2(server_->port());
  ASSERT_THAT(h2, IsOk());
  EXPECT_EQ(h2.MaxConcurrentStreams(), kMaxConcurrentStreams);
  // Idle uploads (no message, so no authentication yet): each holds a stream and a reactor.
  constexpr int kStreams = 3 * kMaxConcurrentStreams / 2;
  for (int i = 0; i < kStreams; ++i) h2.Headers(2 * i + 1, kUpload, server_->port(), "", false);
  int refused = 0, other_resets = 0;
  std::string ended_ids;
  std::map<std::string, int> seen;  // what else came back, for the log
  RawH2::Frame f;
  while (refused + other_resets < kStreams - kMaxConcurrentStreams &&
         h2.Read(&f, std::chrono::seconds(5))) {
    if (f.type == RawH2::kHeaders && (f.flags & RawH2::kEndStream)) {
      size_t at = f.payload.find("grpc-status");
      std::string code = "?";
      if (at != std::string::npos && at + 12 < f.payload.size()) {
        code = f.payload.substr(at + 12, static_cast<uint8_t>(f.payload[at + 11]) & 0x7f);
      }
      size_t m = f.payload.find("grpc-message");
      std::string message;
      if (m != std::string::npos && m + 13 < f.payload.size()) {
        message = f.payload.substr(m + 13, static_cast<uint8_t>(f.payload[m + 12]) & 0x7f);
      }
      seen["trailers grpc-status " + code + " " + message + " stream " +
           (f.stream <= 2 * kMaxConcurrentStreams ? "<=100th" : ">100th")]++;
      continue;
    }
    if (f.type != RawH2::kRstStream) {
      seen["frame type " + std::to_string(f.type)]++;
      continue;
    }
    const auto* b = reinterpret_cast<const uint8_t*>(f.payload.data());
    const uint32_t code = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    (code == RawH2::kRefusedStream ? refused : other_resets)++;
    ended_ids += " " + std::to_string(f.stream);
    seen["RST_STREAM code " + std::to_string(code) + " stream " +
         (f.stream <= 2 * kMaxConcurrentStreams ? "<=100th" : ">100th")]++;
  }
  std::string shown;
  for (const auto& [what, n] : seen) shown += " " + std::to_string(n) + " x " + what + ";";
  std::printf("[ raw h2   ] %d streams opened at once: %d refused (REFUSED_STREAM), %d other:%s\n",
              kStreams, refused, other_resets, shown.c_str());
  std::printf("[ raw h2   ] streams ended by odrd: %s\n", ended_ids.c_str());
  // gRPC 1.51 ends the streams over the limit; how it says so has varied between releases
  // (REFUSED_STREAM, or UNAVAILABLE trailers and RST_STREAM(NO_ERROR)).
  EXPECT_GE(refused + other_resets, kStreams - kMaxConcurrentStreams);
  EXPECT_LE(refused + other_resets, kStreams);
  // The connection still works once streams end: reset them all and start one more.
  for (int i = 0; i < kStreams; ++i) h2.Reset(2 * i + 1);
  h2.Headers(2 * kStreams + 1, kGetCase, server_->port(), tokens_.at("zhang"), false);
  v1::GetCaseRequest get;
  get.set_name(case_);
  const std::string msg = get.SerializeAsString();
  h2.Data(2 * kStreams + 1, GrpcMessage(msg, msg.size()), true);
  bool answered = false;
  while (!answered && h2.Read(&f, std::chrono::seconds(10))) {
    answered = f.stream == 2 * kStreams + 1 &&
               ((f.type == RawH2::kHeaders && (f.flags & RawH2::kEndStream)) ||
                f.type == RawH2::kRstStream);
  }
  std::printf("[ raw h2   ] a new call on that connection after resetting the others: %s\n",
              answered ? "answered" : "no answer in 10 s");
}

// 2,000 streams that do nothing, over 16 connections (125 each, 100 allowed at once): half are
// watch streams, half uploads that never send a message. A normal call on a fresh connection
// still works meanwhile; memory stays bounded; when the streams end, odrd's memory and file
// descriptors go back to about where they were.
TEST_F(HostileTrafficTest, ThousandsOfIdleStreams) {
  constexpr int kConnections = 16;
  constexpr int kCalls = 2000;
  const ProcStats before = ReadProc(server_->pid());
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < kConnections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("odr.test.connection", i);  // distinct arguments: distinct connections
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    channels.push_back(
        grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args));
  }
  struct Call {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> stream;
    grpc::Status status;
    bool started = false;
    bool finished = false;
  };
  std::vector<Call> calls(kCalls);
  grpc::CompletionQueue cq;
  v1::WatchCaseEventsRequest watch;
  watch.set_parent(case_);
  grpc::Slice watch_slice(watch.SerializeAsString());
  for (int i = 0; i < kCalls; ++i) {
    Call& c = calls[i];
    c.ctx = As("zhang", 120);
    grpc::GenericStub stub(channels[i % kConnections]);
    c.stream = stub.PrepareCall(c.ctx.get(), i % 2 == 0 ? kWatch : kUpload, &cq);
    c.stream->StartCall(reinterpret_cast<void*>(static_cast<intptr_t>(i * 4 + 0)));
  }
  int started = 0, finished_early = 0;
  int64_t max_rss_kb = 0;
  auto pump = [&](std::chrono::milliseconds for_how_long) {
    const auto until = std::chrono::system_clock::now() + for_how_long;
    void* tag;
    bool ok;
    while (true) {
      auto r = cq.AsyncNext(
          &tag, &ok,
          std::min(until, std::chrono::system_clock::now() + std::chrono::milliseconds(200)));
      max_rss_kb = std::max(max_rss_kb, ReadProc(server_->pid()).rss_kb);
      if (r == grpc::CompletionQueue::TIMEOUT) {
        if (std::chrono::system_clock::now() >= until) return;
        continue;
      }
      if (r != grpc::CompletionQueue::GOT_EVENT) return;
      const intptr_t t = reinterpret_cast<intptr_t>(tag);
      Call& c = calls[t / 4];
      if (t % 4 == 0 && ok) {
        c.started = true;
        ++started;
        if ((t / 4) % 2 == 0) {  // a watch stream: its request, then it waits for events
          grpc::ByteBuffer req(&watch_slice, 1);
          c.stream->WriteLast(req, grpc::WriteOptions(), reinterpret_cast<void*>(t + 1));
        }
      }
      if (t % 4 == 2) c.finished = true;
    }
  };
  // Until the streams odrd accepted have started (the watch streams have opened on the pool).
  pump(std::chrono::seconds(10));
  const ProcStats during = ReadProc(server_->pid());
  std::printf("[ streams  ] %d of %d calls started (the others wait for a free stream)\n", started,
              kCalls);
  std::printf("[ odrd     ] before: %s; with the streams open: %s\n", Show(before).c_str(),
              Show(during).c_str());
  EXPECT_GE(started, kConnections * kMaxConcurrentStreams * 9 / 10);
  EXPECT_GE(during.fds, before.fds + kConnections);  // one socket per connection

  // A normal call on a fresh connection meanwhile.
  {
    auto fresh = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    auto cases = v1::CaseService::NewStub(fresh);
    v1::GetCaseRequest get;
    get.set_name(case_);
    v1::Case out;
    grpc::Status s = cases->GetCase(As("zhang").get(), get, &out);
    EXPECT_THAT(s, IsOk()) << Describe(s);
  }

  // End them all.
  for (Call& c : calls) {
    if (c.finished) ++finished_early;
    c.ctx->TryCancel();
  }
  for (int i = 0; i < kCalls; ++i) {
    calls[i].stream->Finish(&calls[i].status,
                            reinterpret_cast<void*>(static_cast<intptr_t>(i * 4 + 2)));
  }
  int finished = 0;
  {
    void* tag;
    bool ok;
    while (finished < kCalls && cq.Next(&tag, &ok)) {
      if (reinterpret_cast<intptr_t>(tag) % 4 == 2) ++finished;
    }
  }
  std::map<int, int> codes;
  for (const Call& c : calls) codes[c.status.error_code()]++;
  std::string shown;
  for (const auto& [code, n] : codes) {
    shown += " " + std::to_string(n) + " x code " + std::to_string(code);
  }
  std::printf("[ streams  ] %d finished before the cancel; ends:%s\n", finished_early,
              shown.c_str());
  for (const auto& [code, n] : codes) {
    EXPECT_THAT(code, AnyOf(grpc::StatusCode::CANCELLED, grpc::StatusCode::RESOURCE_EXHAUSTED,
                            grpc::StatusCode::UNAVAILABLE))
        << n << " calls";
  }
  calls.clear();
  channels.clear();
  cq.Shutdown();
  {
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
    }
  }
  // odrd notices the closed connections and frees what the streams held.
  ProcStats after = ReadProc(server_->pid());
  for (int i = 0; i < 100 && after.fds > before.fds + 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = ReadProc(server_->pid());
  }
  std::printf("[ odrd     ] peak RSS sampled during: %lld MiB; after: %s\n",
              static_cast<long long>(max_rss_kb / 1024), Show(after).c_str());
  EXPECT_LT(max_rss_kb, kRssBoundKb);
  EXPECT_LE(after.fds, before.fds + 2);
  EXPECT_LT(after.rss_kb, before.rss_kb + 96 * 1024) << "before: " << Show(before);
}

}  // namespace
}  // namespace odr
