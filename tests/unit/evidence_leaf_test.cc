#include "server/transparency/evidence_leaf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

using ::odr::testing::IsOk;

namespace odr::transparency {
namespace {

EvidenceLeaf Leaf() {
  EvidenceLeaf l;
  l.case_name = "cases/abc";
  l.evidence_name = "cases/abc/evidence/e1";
  l.sha256 = std::string(64, 'f');
  l.size_bytes = 12345;
  l.media_type = "application/pdf";
  l.uploader_role = "citizen";
  l.time = absl::FromUnixMicros(1'790'000'000'123'456);
  return l;
}

TEST(EvidenceLeafTest, RendersCanonicallyAndParsesBack) {
  auto text = FormatEvidenceLeaf(Leaf());
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(*text, "odr-evidence/v1\ncase: cases/abc\nevidence: cases/abc/evidence/e1\nsha256: " +
                       std::string(64, 'f') +
                       "\nsize: 12345\nmedia-type: application/pdf\nuploader-role: citizen\n"
                       "time: 2026-09-21T14:13:20.123456Z\n");
  auto back = ParseEvidenceLeaf(*text);
  ASSERT_THAT(back, IsOk()) << back.status();
  EXPECT_EQ(*back, Leaf());
}

TEST(EvidenceLeafTest, RefusesAnythingButTheCanonicalText) {
  const std::string good = *FormatEvidenceLeaf(Leaf());
  std::vector<std::string> bad = {
      "",
      good.substr(0, good.size() - 1),      // no final newline
      good + "extra: 1\n",                  // an extra line
      "odr-evidence/v2" + good.substr(15),  // another version
      [&] {
        std::string s = good;
        s.replace(s.find("size: "), 6, "size:  ");
        return s;
      }(),
      [&] {
        std::string s = good;
        s.replace(s.find("12345"), 5, "012345");
        return s;
      }(),
      [&] {
        std::string s = good;
        s.replace(s.find(".123456Z"), 8, ".123Z");
        return s;
      }(),
      [&] {
        std::string s = good;
        s.replace(s.find("ffff"), 1, "F");
        return s;
      }(),
  };
  for (const std::string& t : bad) {
    EXPECT_FALSE(ParseEvidenceLeaf(t).ok()) << t;
  }
  EvidenceLeaf l = Leaf();
  l.media_type = "text/plain\nsize: 1";
  EXPECT_FALSE(FormatEvidenceLeaf(l).ok());
  l = Leaf();
  l.size_bytes = -1;
  EXPECT_FALSE(FormatEvidenceLeaf(l).ok());
}

}  // namespace
}  // namespace odr::transparency
