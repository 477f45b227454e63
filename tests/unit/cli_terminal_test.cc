// What the odr command line writes where a person reads it or where files land: text from other
// people is escaped before it reaches the terminal (client/cli_output.h, TerminalText and every
// table and key/value listing), and evidence is downloaded under a safe name
// (client/evidence_commands.h, SafeDownloadName). No server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "client/case_client.h"
#include "client/cli_output.h"
#include "client/evidence_commands.h"
#include "server/domain/validation.h"

namespace odr::cli {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The first raw terminal control in `s`, described, or "" if there is none: C0 controls but line
// feed (only when `newlines_allowed`), DEL, C1 controls (U+0080-U+009F) and the bidirectional
// formatting characters and BOM, as their UTF-8 bytes. Written out here rather than through
// domain::IsControlOrBidiCodePoint, so that the test does not trust what it tests.
std::string RawControl(const std::string& s, bool newlines_allowed = true) {
  static const std::vector<std::string> kSequences = {
      "\xd8\x9c",                                                      // U+061C
      "\xe2\x80\x8e", "\xe2\x80\x8f",                                  // U+200E, U+200F
      "\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad",  // U+202A-U+202D
      "\xe2\x80\xae",                                                  // U+202E
      "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9",  // U+2066-U+2069
      "\xef\xbb\xbf",                                                  // U+FEFF
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b < 0x20 && !(newlines_allowed && b == '\n')) || b == 0x7F) {
      return absl::StrCat("byte ", static_cast<int>(b), " at ", i);
    }
    if (b == 0xC2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        return absl::StrCat("C1 control ", static_cast<int>(next), " at ", i);
      }
    }
  }
  for (const std::string& seq : kSequences) {
    if (s.find(seq) != std::string::npos) return "a bidirectional formatting character";
  }
  return "";
}

// --- TerminalText ---

TEST(TerminalTextTest, PrintableTextIsUnchanged) {
  for (const std::string text :
       {"", "plain ASCII ~!@#$%^&*()", "术后感染，申请人认为医院存在过错。", "emoji \U0001F600",
        "a backslash \\r stays as it is", "zero-width joiner \U0001F468\u200D\U0001F469"}) {
    EXPECT_EQ(TerminalText(text, true), text);
    EXPECT_EQ(TerminalText(text, false), text);
  }
}

TEST(TerminalTextTest, ControlAndBidiCharactersBecomeVisibleEscapes) {
  EXPECT_EQ(TerminalText("正文\r伪造", false), "正文\\r伪造");
  EXPECT_EQ(TerminalText("a\tb", false), "a\\tb");
  EXPECT_EQ(TerminalText("\x1b[2Jcleared", false), "\\x1b[2Jcleared");
  EXPECT_EQ(TerminalText("\x1b]0;title\x07", false), "\\x1b]0;title\\x07");
  EXPECT_EQ(TerminalText(std::string("nul\0!", 5), false), "nul\\x00!");
  EXPECT_EQ(TerminalText("a\x08\x7f", false), "a\\x08\\x7f");
  // C1 controls: U+009B is a CSI on terminals that take 8-bit controls.
  EXPECT_EQ(TerminalText("a\u009b2J\u0085", false), "a\\u009b2J\\u0085");
  // Bidirectional overrides, embeddings, isolates and marks, and the BOM (Trojan Source).
  EXPECT_EQ(TerminalText("abc\u202edcba", false), "abc\\u202edcba");
  EXPECT_EQ(TerminalText("\u202a\u202b\u202c\u202d", false), "\\u202a\\u202b\\u202c\\u202d");
  EXPECT_EQ(TerminalText("\u2066\u2067\u2068\u2069", false), "\\u2066\\u2067\\u2068\\u2069");
  EXPECT_EQ(TerminalText("\u200e\u200f\u061c\ufeff", false), "\\u200e\\u200f\\u061c\\ufeff");
  // Bytes that are not UTF-8, each on its own.
  EXPECT_EQ(TerminalText("\xff\xfe", false), "\\xff\\xfe");
  EXPECT_EQ(TerminalText("a\xe5\xbc", false), "a\\xe5\\xbc");  // a truncated 张
  EXPECT_EQ(TerminalText("\xc2\x9b", false), "\\u009b");       // well-formed C1
}

TEST(TerminalTextTest, LineBreaksAreKeptOrBecomeSpaces) {
  EXPECT_EQ(TerminalText("a\nb\r\nc", true), "a\nb\nc");
  EXPECT_EQ(TerminalText("a\nb\r\nc", false), "a b c");
  // A CR that does not end a line is shown, whichever way.
  EXPECT_EQ(TerminalText("a\rb\n\r", true), "a\\rb\n\\r");
  EXPECT_EQ(TerminalText("a\r\r\nb", true), "a\\r\nb");
}

TEST(TerminalTextTest, NoRawControlSurvivesAndEscapingAgainChangesNothing) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  std::vector<std::string> inputs = {
      every_byte, "\u0080\u0085\u009b\u009f", "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e",
      "\u2066\u2067\u2068\u2069\ufeff", "mixed\r\n\x1b[2J\u202e\t\xc0\xaf\xed\xa0\x80 end"};
  for (const std::string& in : inputs) {
    for (bool keep : {true, false}) {
      const std::string out = TerminalText(in, keep);
      EXPECT_EQ(RawControl(out, /*newlines_allowed=*/keep), "") << out;
      EXPECT_EQ(TerminalText(out, keep), out);
    }
  }
}

// --- Tables and key/value listings ---

TEST(TerminalOutputTest, CaseTableEscapesControlsInEveryLineOfSummaryAndClaims) {
  v1::Case c;
  c.set_name("cases/a");
  // A CR returns to the start of the line: the mediator would see only what follows it.
  c.set_summary("申请人要求赔偿两万元\r被申请人同意全额赔偿\nline 2\r\nline 3");
  // ESC [2J clears the screen; U+202E shows what follows right to left.
  c.set_claims("赔偿\x1b[2J医疗费\u202e元万两");
  v1::Party* p = c.add_applicants();
  p->set_name("张三\u202e");
  std::ostringstream out;
  PrintCaseTable(c, out);
  const std::string text = out.str();
  EXPECT_EQ(RawControl(text), "") << text;
  // Each line of the summary is escaped and indented under the first; CR LF is a line break.
  EXPECT_THAT(text, HasSubstr("Summary:        申请人要求赔偿两万元\\r被申请人同意全额赔偿\n"
                              "                line 2\n"
                              "                line 3\n"));
  EXPECT_THAT(text, HasSubstr("Claims:         赔偿\\x1b[2J医疗费\\u202e元万两\n"));
  EXPECT_THAT(text, HasSubstr("Applicants:     张三\\u202e\n"));
}

TEST(TerminalOutputTest, TableCellsStayOnOneLineAndAlignOnWhatIsShown) {
  TextTable table({"A", "B"});
  table.AddRow({"x\ry", "z"});
  table.AddRow({"longer", "w\nv\x1b"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "A       B\n"
            "x\\ry    z\n"
            "longer  w v\\x1b\n");
}

TEST(TerminalOutputTest, ListTablesEscapeTheirCells) {
  v1::ListEvidenceResponse r;
  v1::Evidence* e = r.add_evidence();
  e->set_name("cases/a/evidence/e");
  e->set_file_name("scan\u202efdp.exe");
  e->set_media_type("application/pdf");
  std::ostringstream out;
  PrintEvidenceListTable(r, out);
  EXPECT_EQ(RawControl(out.str()), "") << out.str();
  EXPECT_THAT(out.str(), HasSubstr("scan\\u202efdp.exe"));
}

// `odr case events` names the partner app a citizen acted through (issue 17 item 13).
TEST(TerminalOutputTest, TheEventTableShowsThePartnerAppAnEventCameThrough) {
  v1::ListCaseEventsResponse r;
  v1::CaseEvent* direct = r.add_events();
  direct->set_name("cases/a/events/1");
  direct->set_actor("principals/admin-1");
  v1::CaseEvent* via = r.add_events();
  via->set_name("cases/a/events/2");
  via->set_actor("principals/citizen-a");
  via->set_acting_through("principals/partner-p");
  std::ostringstream out;
  PrintEventTable(r, out);
  EXPECT_THAT(out.str(), HasSubstr("principals/citizen-a via principals/partner-p"));
  EXPECT_THAT(out.str(), Not(HasSubstr("principals/admin-1 via")));
}

TEST(TerminalOutputTest, WatchedEventsAreOneEscapedLine) {
  v1::WatchCaseEventsResponse r;
  r.set_case_("cases/a");
  r.mutable_event()->set_reason("第一行\r\x1b[1A伪造\n第二行");
  r.mutable_event()->set_subject("cases/a/agreements/x\u202e");
  r.mutable_event()->set_cursor("7");
  const std::string line = FormatWatchEvent(r, /*with_case=*/true);
  EXPECT_EQ(RawControl(line, /*newlines_allowed=*/false), "") << line;
  EXPECT_THAT(line, AllOf(HasSubstr("第一行\\r\\x1b[1A伪造 第二行"),
                          HasSubstr("cases/a/agreements/x\\u202e"), EndsWith("cursor=7")));
}

TEST(TerminalOutputTest, ErrorReportsEscapeOdrdsMessageAndViolations) {
  ErrorContext context;
  std::ostringstream err;
  ReportError(absl::InternalError("bad \x1b[2J thing"), context, err);
  EXPECT_THAT(err.str(), HasSubstr("error: bad \\x1b[2J thing\n"));
  EXPECT_EQ(RawControl(err.str()), "") << err.str();

  v1::ErrorDetails d;
  v1::FieldViolation* f = d.add_field_violations();
  f->set_field("case.summary\r");
  f->set_description("is \u202ewrong");
  absl::Status s(absl::StatusCode::kInvalidArgument, "case.summary: is wrong");
  s.SetPayload(client::kErrorDetailsTypeUrl, absl::Cord(d.SerializeAsString()));
  std::ostringstream err2;
  ReportError(s, context, err2);
  EXPECT_THAT(err2.str(), HasSubstr("  case.summary\\r: is \\u202ewrong\n"));
  EXPECT_EQ(RawControl(err2.str()), "") << err2.str();
}

// --- SafeDownloadName ---

TEST(SafeDownloadNameTest, OrdinaryNamesAreKept) {
  for (const std::string name : {"病历.pdf", "scan (1).pdf", "a.b.c", "x-y_z.pdf", "_.bashrc"}) {
    EXPECT_EQ(SafeDownloadName(name, "E1"), name);
  }
}

TEST(SafeDownloadNameTest, HiddenAndOptionLikeNamesGetAnUnderscoreInFront) {
  EXPECT_EQ(SafeDownloadName(".bashrc", "E1"), "_.bashrc");
  EXPECT_EQ(SafeDownloadName("-rf", "E1"), "_-rf");
  EXPECT_EQ(SafeDownloadName("--help", "E1"), "_--help");
  EXPECT_EQ(SafeDownloadName(".", "E1"), "_.");
  EXPECT_EQ(SafeDownloadName("..", "E1"), "_..");
}

TEST(SafeDownloadNameTest, OnlyTheLastPathComponentIsKept) {
  EXPECT_EQ(SafeDownloadName("../../etc/passwd", "E1"), "passwd");
  EXPECT_EQ(SafeDownloadName("/home/li/.ssh/authorized_keys", "E1"), "authorized_keys");
  EXPECT_EQ(SafeDownloadName("..\\..\\x.pdf", "E1"), "x.pdf");
  EXPECT_EQ(SafeDownloadName("a/.profile", "E1"), "_.profile");
  EXPECT_EQ(SafeDownloadName("a/-n", "E1"), "_-n");
}

TEST(SafeDownloadNameTest, ControlAndBidiCharactersAndBadBytesBecomeUnderscores) {
  EXPECT_EQ(SafeDownloadName("a\rb\x1b[2J\u202e.pdf", "E1"), "a_b_[2J_.pdf");
  EXPECT_EQ(SafeDownloadName("scan\u202efdp.exe", "E1"), "scan_fdp.exe");
  EXPECT_EQ(SafeDownloadName("\xff\xfe.pdf", "E1"), "__.pdf");
  EXPECT_EQ(SafeDownloadName("\t.pdf", "E1"), "_.pdf");  // not a hidden file any more
  EXPECT_EQ(SafeDownloadName("a\nb\u0085\ufeff", "E1"), "a_b__");
}

TEST(SafeDownloadNameTest, NothingLeftFallsBackToTheEvidenceId) {
  EXPECT_EQ(SafeDownloadName("", "9c1d"), "9c1d");
  EXPECT_EQ(SafeDownloadName("dir/", "9c1d"), "9c1d");
  EXPECT_EQ(SafeDownloadName("   ", "9c1d"), "9c1d");
  EXPECT_EQ(SafeDownloadName("", ".x"), "_.x");  // the fallback is made safe too
  EXPECT_EQ(SafeDownloadName("", ""), "evidence");
  EXPECT_EQ(SafeDownloadName("/", "a/"), "evidence");
}

TEST(SafeDownloadNameTest, LongNamesAreCutAtACharacterKeepingTheExtension) {
  EXPECT_EQ(SafeDownloadName(std::string(300, 'a') + ".pdf", "E1"), std::string(196, 'a') + ".pdf");
  EXPECT_EQ(SafeDownloadName(std::string(300, 'a'), "E1"), std::string(200, 'a'));
  std::string chinese;
  for (int i = 0; i < 100; ++i) chinese += "病";  // 3 bytes each
  const std::string cut = SafeDownloadName(chinese + ".pdf", "E1");
  EXPECT_LE(cut.size(), 200u);
  EXPECT_TRUE(domain::IsValidUtf8(cut)) << cut;
  EXPECT_THAT(cut, AllOf(StartsWith("病病"), EndsWith("病.pdf")));
  EXPECT_EQ(cut.size(), 65u * 3 + 4);
  const std::string hidden = SafeDownloadName("." + std::string(300, 'a'), "E1");
  EXPECT_EQ(hidden.size(), 200u);
  EXPECT_THAT(hidden, StartsWith("_.aaa"));
}

TEST(SafeDownloadNameTest, ResultsAreNeverPathsHiddenOptionsOrControls) {
  for (const std::string name :
       {".bashrc", "-rf", "../x", "a/b/../.c", "\\", "\r", "\x1b", "\u202e", "..\\-x", "a\xff"}) {
    const std::string safe = SafeDownloadName(name, "E1");
    EXPECT_FALSE(safe.empty()) << name;
    EXPECT_EQ(safe.find_first_of("/\\"), std::string::npos) << safe;
    EXPECT_NE(safe.front(), '.') << safe;
    EXPECT_NE(safe.front(), '-') << safe;
    EXPECT_EQ(RawControl(safe, /*newlines_allowed=*/false), "") << safe;
    EXPECT_TRUE(domain::IsValidUtf8(safe)) << safe;
  }
}

}  // namespace
}  // namespace odr::cli
