#include "client/agreement_commands.h"

#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/case_client.h"
#include "client/cli_input.h"
#include "client/cli_output.h"
#include "server/transparency/merkle.h"

namespace odr::cli {
namespace agreement_commands_impl {

constexpr char kAgreementNameHelp[] = R"(
NAME is an agreement's full name, cases/CASE/agreements/ID (as 'odr agreement list' prints).
)";

constexpr char kContentHelp[] = R"(
--term KIND:OBLIGOR:METHOD:YYYY-MM-DD:DESCRIPTION, once per agreed term (1-50), e.g.
  --term 'payment:respondents/0:银行转账:2026-12-31:赔偿医疗费及误工费共计两万元'
  --term 'apology:respondents/0:书面:2026-11-30:向申请人书面道歉'
  KIND         payment, performance, property-transfer, apology, property-ownership,
               personal-status, other (a court does not confirm property-ownership and
               personal-status terms)
  OBLIGOR      the party bound: applicants/N or respondents/N (N from 0, as the case lists them)
  METHOD       how it is performed (bank transfer, in person ...); write \: for a ':' in it
  YYYY-MM-DD   by when
  DESCRIPTION  what is agreed: the rest of the value (it may hold ':')
--instalment YYYY-MM-DD:AMOUNT_YUAN:PAYER:PAYEE, once per instalment of the payment schedule
  (0-120; required with a payment term), e.g.
  --instalment 2026-12-31:10000.50:respondents/0:applicants/0
  YYYY-MM-DD is the due date; AMOUNT_YUAN is in yuan with at most 2 decimals (odr sends it in
  fen, exactly); PAYER and PAYEE are parties as OBLIGOR is.
--file: an Agreement in protobuf JSON ('-': stdin), e.g. one that 'odr -o json agreement show'
  wrote: its facts, issues, responsibilities, terms and instalments are used, its other fields
  ignored; flags given too override it.
)";

constexpr char kWhoDraftsHelp[] = R"(
The case's accepted mediators and the organization's admins draft and revise an agreement while
  the case is MEDIATING; a revision voids the signatures given so far.
)";

// The content flags of create and update.
struct ContentFlags {
  std::string facts, issues, responsibilities, file;
  std::vector<std::string> terms, instalments;
  bool no_instalments = false;
  CLI::Option* facts_opt = nullptr;
  CLI::Option* issues_opt = nullptr;
  CLI::Option* responsibilities_opt = nullptr;
  CLI::Option* file_opt = nullptr;

  // `update`: the flags replace what the agreement has (and --no-instalments exists).
  void Add(CLI::App* cmd, bool update) {
    const std::string group = "Agreement content";
    facts_opt =
        cmd->add_option("--facts", facts, "the main facts of the dispute, 1-5000 characters")
            ->type_name("TEXT")
            ->group(group);
    issues_opt = cmd->add_option("--issues", issues, "the issues in dispute, 1-5000 characters")
                     ->type_name("TEXT")
                     ->group(group);
    responsibilities_opt = cmd->add_option("--responsibilities", responsibilities,
                                           "each side's responsibility, 1-5000 characters")
                               ->type_name("TEXT")
                               ->group(group);
    cmd->add_option("--term", terms,
                    update ? "an agreed term (below); repeatable; replaces all the terms"
                           : "an agreed term (below); repeatable")
        ->type_name("TERM")
        ->allow_extra_args(false)
        ->group(group);
    CLI::Option* instalment =
        cmd->add_option("--instalment", instalments,
                        update ? "an instalment (below); repeatable; replaces the whole schedule"
                               : "an instalment of the payment schedule (below); repeatable")
            ->type_name("INSTALMENT")
            ->allow_extra_args(false)
            ->group(group);
    if (update) {
      CLI::Option* none =
          cmd->add_flag("--no-instalments", no_instalments, "drop the payment schedule")
              ->group(group);
      none->excludes(instalment);
      instalment->excludes(none);
    }
    file_opt =
        cmd->add_option("--file", file, "an Agreement in protobuf JSON ('-': stdin); see below")
            ->type_name("FILE")
            ->group(group);
  }
};

// The content fields of an Agreement: what create sends and update replaces.
constexpr const char* kContentFields[] = {"facts", "issues", "responsibilities", "terms",
                                          "instalments"};

// What --file and the flags give: the fields named in `given` (of kContentFields), and the
// --file's other fields (its name and etag) as it had them.
struct Content {
  v1::Agreement agreement;
  std::set<std::string> given;
};

// Reads --file (if given), then applies the flags over it. INVALID_ARGUMENT naming the flag.
absl::StatusOr<Content> ReadContent(const ContentFlags& f) {
  Content c;
  if (f.file_opt->count() > 0) {
    absl::StatusOr<std::set<std::string>> keys = LoadJsonFile(f.file, &c.agreement);
    if (!keys.ok()) return keys.status();
    for (const char* field : kContentFields) {
      if (keys->count(field) > 0) c.given.insert(field);
    }
  }
  if (f.facts_opt->count() > 0) {
    c.agreement.set_facts(f.facts);
    c.given.insert("facts");
  }
  if (f.issues_opt->count() > 0) {
    c.agreement.set_issues(f.issues);
    c.given.insert("issues");
  }
  if (f.responsibilities_opt->count() > 0) {
    c.agreement.set_responsibilities(f.responsibilities);
    c.given.insert("responsibilities");
  }
  if (!f.terms.empty()) {
    c.agreement.clear_terms();
    for (size_t i = 0; i < f.terms.size(); ++i) {
      absl::StatusOr<v1::AgreementTerm> term =
          ParseTermSpec(f.terms[i], absl::StrCat("--term #", i + 1));
      if (!term.ok()) return term.status();
      *c.agreement.add_terms() = *std::move(term);
    }
    c.given.insert("terms");
  }
  if (!f.instalments.empty() || f.no_instalments) {
    c.agreement.clear_instalments();
    for (size_t i = 0; i < f.instalments.size(); ++i) {
      absl::StatusOr<v1::Instalment> instalment =
          ParseInstalmentSpec(f.instalments[i], absl::StrCat("--instalment #", i + 1));
      if (!instalment.ok()) return instalment.status();
      *c.agreement.add_instalments() = *std::move(instalment);
    }
    c.given.insert("instalments");
  }
  return c;
}

// The content of `base` with the fields that `c` gives replaced: nothing but content (no
// output-only fields, and of the instalments only due date, amount, payer and payee).
v1::Agreement MergeContent(const Content& c, const v1::Agreement& base) {
  auto from = [&](const char* field) -> const v1::Agreement& {
    return c.given.count(field) > 0 ? c.agreement : base;
  };
  v1::Agreement out;
  out.set_facts(from("facts").facts());
  out.set_issues(from("issues").issues());
  out.set_responsibilities(from("responsibilities").responsibilities());
  *out.mutable_terms() = from("terms").terms();
  for (const v1::Instalment& in : from("instalments").instalments()) {
    v1::Instalment* i = out.add_instalments();
    i->set_due_date(in.due_date());
    i->set_amount_fen(in.amount_fen());
    i->set_payer(in.payer());
    i->set_payee(in.payee());
  }
  return out;
}

absl::StatusOr<std::string> AgreementName(absl::string_view text) {
  return CaseChildName(text, "agreements", "odr agreement list");
}

// --- odr agreement ---

void AddCreate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, request_id;
    ContentFlags content;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "create", "Draft a settlement agreement (revision 1) for a case being mediated");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  f->content.Add(cmd, /*update=*/false);
  AddRequestIdFlag(cmd, &f->request_id);
  cmd->footer(absl::StrCat(kContentHelp, kWhoDraftsHelp, R"(
One agreement of a case is open (draft or effective) at a time. The parties, as the case has
  them, are copied into the agreement by odrd.
)",
                           kRequestIdHelp, cmd->get_footer()));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<Content> content = ReadContent(f->content);
                    if (!content.ok()) return UsageError(cmd, content.status().message());
                    if (content->given.empty()) {
                      return UsageError(cmd,
                                        "give the content: --facts, --issues, --responsibilities "
                                        "and --term (or --file)");
                    }
                    v1::CreateAgreementRequest req;
                    req.set_parent(CaseName(f->case_name));
                    *req.mutable_agreement() = MergeContent(*content, v1::Agreement());
                    return SendMutation(*g, f->request_id, req, &Session::agreements,
                                        &client::AgreementClient::CreateAgreement, WithReason);
                  }});
}

void AddShow(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name;
    int revision = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "show", "Show an agreement: parties, terms, schedule, signatures and content hash");
  cmd->add_option("NAME", f->name, "cases/CASE/agreements/ID")->required();
  cmd->add_option("--revision", f->revision, "an earlier revision; 0: the latest")
      ->type_name("N")
      ->check(CLI::Range(0, std::numeric_limits<int32_t>::max()));
  cmd->footer(absl::StrCat(kAgreementNameHelp, R"(
'odr agreement render' prints the text itself; -o json includes it (the text field), which is
  what the content hash covers.
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AgreementName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::GetAgreementRequest req;
                    req.set_name(*name);
                    req.set_revision(f->revision);
                    return Send(*g, &Session::agreements, &client::AgreementClient::GetAgreement,
                                req);
                  }});
}

void AddList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto case_name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("list", "List a case's agreements, newest first");
  cmd->add_option("CASE", *case_name, "the case: cases/ID or just ID")->required();
  out->push_back({cmd, [case_name, g]() -> int {
                    v1::ListAgreementsRequest req;
                    req.set_parent(CaseName(*case_name));
                    return Send(*g, &Session::agreements, &client::AgreementClient::ListAgreements,
                                req);
                  }});
}

void AddUpdate(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, etag;
    ContentFlags content;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "update", "Revise a draft: a new revision with a new content hash; signatures are void");
  cmd->add_option("NAME", f->name, "cases/CASE/agreements/ID")->required();
  cmd->add_option("--etag", f->etag,
                  "act only if the agreement is unchanged since this etag (quote it)")
      ->type_name("ETAG");
  f->content.Add(cmd, /*update=*/true);
  cmd->footer(absl::StrCat(kAgreementNameHelp, R"(
Only the content given changes: odr reads the agreement, replaces the fields given (--term
  replaces all the terms, --instalment the whole schedule) and sends it back with the etag it
  read, or with --etag (or the --file's etag) if given. If someone changed the agreement since,
  odrd refuses (exit 1) and nothing changes.
)",
                           kContentHelp, kWhoDraftsHelp, cmd->get_footer()));
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         absl::StatusOr<std::string> name = AgreementName(f->name);
         if (!name.ok()) return UsageError(cmd, name.status().message());
         absl::StatusOr<Content> content = ReadContent(f->content);
         if (!content.ok()) return UsageError(cmd, content.status().message());
         if (content->given.empty()) {
           return UsageError(cmd,
                             "nothing to update: give --facts, --issues, --responsibilities, "
                             "--term, --instalment, --no-instalments or --file");
         }
         if (!content->agreement.name().empty() && content->agreement.name() != *name) {
           return UsageError(
               cmd, absl::StrCat("--file holds ", content->agreement.name(), ", not ", *name));
         }
         std::string etag = !f->etag.empty() ? f->etag : content->agreement.etag();
         Session s(*g);
         v1::Agreement base;
         // Fields not given come from the agreement as it stands (and so may the etag).
         if (content->given.size() < std::size(kContentFields) || etag.empty()) {
           v1::GetAgreementRequest get;
           get.set_name(*name);
           absl::StatusOr<v1::Agreement> current = s.agreements().GetAgreement(get);
           if (!current.ok()) return s.Fail(current.status());
           if (etag.empty()) etag = current->etag();
           base = *std::move(current);
         }
         v1::UpdateAgreementRequest req;
         v1::Agreement* a = req.mutable_agreement();
         *a = MergeContent(*content, base);
         a->set_name(*name);
         a->set_etag(etag);
         absl::StatusOr<v1::Agreement> r = s.agreements().UpdateAgreement(req);
         return r.ok() ? s.Print(*r) : s.FailWithReason(r.status());
       }});
}

// A content hash as odrd writes it: 64 lowercase hex digits.
bool IsContentHash(absl::string_view hash) {
  if (hash.size() != 64) return false;
  for (char c : hash) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

void AddSign(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, hash, party;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "sign", "Sign the agreement: your consent to exactly the text with its content hash");
  cmd->add_option("NAME", f->name, "cases/CASE/agreements/ID")->required();
  cmd->add_option("--hash", f->hash,
                  "the content hash of the text you read ('odr agreement show' prints it)")
      ->type_name("SHA256");
  cmd->add_option("--party", f->party,
                  "if you are (or act for) several parties: the one signing, applicants/N or "
                  "respondents/N; default: every one of them that has not signed")
      ->type_name("PARTY");
  cmd->footer(absl::StrCat(kAgreementNameHelp, R"(
Without --hash odr reads the latest revision, prints its text and content hash on stderr,
  checks that the hash is the text's SHA-256, and signs that hash: the signature is consent to
  exactly the text shown. With --hash odr signs the
  text you read before (e.g. with 'odr agreement render'). Either way, if the agreement was
  revised in between, odrd refuses (CONTENT_CHANGED, exit 1) and nothing is signed.
Every party (or its agent, if the power of attorney grants special authority, CPL Art. 62;
  otherwise odrd refuses, NO_SPECIAL_AUTHORITY, exit 1), an accepted mediator and the
  organization (an admin, for its seal) sign. The agreement takes effect, is served on the
  parties and the case becomes SETTLED when its effect rule is met ('odr agreement show'): when
  every party has signed (OMR Art. 19), or, for a citizen's own application to a people's
  mediation committee, when the parties, the mediator and the seal are all on it (PML Art. 29).
  The mediator's signature and the seal are still required form: they sign an effective
  agreement that lacks them (Pending: form incomplete) while the case is SETTLED, and once its
  form is complete a court-diverted case's agreement is filed with the diverting court.
  odrd signs (Ed25519) a statement naming the agreement, revision, hash, signer and time.
A party who will not sign refuses instead ('odr agreement refuse'), which ends the mediation.
)"));
  out->push_back(
      {cmd, [cmd, f, g]() -> int {
         absl::StatusOr<std::string> name = AgreementName(f->name);
         if (!name.ok()) return UsageError(cmd, name.status().message());
         v1::SignAgreementRequest req;
         req.set_name(*name);
         if (!f->party.empty()) {
           absl::StatusOr<std::string> party = ParsePartyRef(f->party, "--party");
           if (!party.ok()) return UsageError(cmd, party.status().message());
           req.set_party(*party);
         }
         Session s(*g);
         if (!f->hash.empty()) {
           const std::string hash = absl::AsciiStrToLower(absl::StripAsciiWhitespace(f->hash));
           if (!IsContentHash(hash)) {
             return UsageError(cmd,
                               "--hash must be the 64 hex digits of the content hash, as 'odr "
                               "agreement show' prints it");
           }
           req.set_content_hash(hash);
         } else {
           v1::GetAgreementRequest get;
           get.set_name(*name);
           absl::StatusOr<v1::Agreement> current = s.agreements().GetAgreement(get);
           if (!current.ok()) return s.Fail(current.status());
           std::cerr << current->text();
           if (!current->text().empty() && current->text().back() != '\n') std::cerr << '\n';
           std::cerr << "\nContent hash: " << current->content_hash() << " (" << current->name()
                     << ", revision " << current->revision() << ")\n";
           if (transparency::HexHash(transparency::Sha256(current->text())) !=
               current->content_hash()) {
             return s.Fail(absl::DataLossError(
                 absl::StrCat("the text odrd sent for ", *name,
                              " does not have its content hash as SHA-256; nothing was signed")));
           }
           std::cerr << "Signing the text above, with this content hash.\n";
           req.set_content_hash(current->content_hash());
         }
         absl::StatusOr<v1::Agreement> r = s.agreements().SignAgreement(req);
         return r.ok() ? s.Print(*r) : s.FailWithReason(r.status());
       }});
}

void AddRefuse(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, reason, party;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "refuse", "Refuse to sign the draft: the agreement is abandoned and the mediation ends");
  cmd->add_option("NAME", f->name, "cases/CASE/agreements/ID")->required();
  cmd->add_option("--reason", f->reason,
                  "why, 1-1000 characters; recorded with the refusal as the case's closing "
                  "reason")
      ->type_name("TEXT")
      ->required();
  cmd->add_option("--party", f->party,
                  "if you are (or act for) several parties: the one refusing, applicants/N or "
                  "respondents/N; required then")
      ->type_name("PARTY");
  cmd->footer(absl::StrCat(kAgreementNameHelp, R"(
A party (or its agent, if the power of attorney grants special authority, CPL Art. 62) refuses
  to sign the draft: the agreement is ABANDONED and the mediation ends (OMR Art. 25(七)). The
  case closes as 'odr case close' closes it, with the refusal (and --reason) as its reason: a
  citizen's application ends; a case a court diverted goes back to that court, for filing as
  litigation (before filing) or for the trial to resume (after filing).
PARTY: applicants/N or respondents/N, N counting from 0 in the order the case lists them (as
  for 'odr agreement sign --party').
odrd refuses (exit 1, naming why) if the agreement is not a draft of a case being mediated, or
  if you are an agent without special authority (NO_SPECIAL_AUTHORITY); nothing changes then.
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AgreementName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::RefuseAgreementRequest req;
                    req.set_name(*name);
                    req.set_reason(f->reason);
                    if (!f->party.empty()) {
                      absl::StatusOr<std::string> party = ParsePartyRef(f->party, "--party");
                      if (!party.ok()) return UsageError(cmd, party.status().message());
                      req.set_party(*party);
                    }
                    return Send(*g, &Session::agreements, &client::AgreementClient::RefuseAgreement,
                                req, WithReason);
                  }});
}

void AddRender(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, file;
    bool html = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand(
      "render", "Print the agreement for signing or filing: its text and signatures");
  cmd->add_option("NAME", f->name, "cases/CASE/agreements/ID")->required();
  cmd->add_flag("--html", f->html, "a printable HTML page instead of plain text");
  cmd->add_option("-f,--file", f->file, "write it to this file instead of printing it")
      ->type_name("PATH");
  cmd->footer(absl::StrCat(kAgreementNameHelp, R"(
The text is the canonical text that the content hash covers, followed by the signatures. It is
  printed as it is (also off a terminal); -o json prints odrd's answer (content type and content)
  as JSON instead.
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AgreementName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    v1::RenderAgreementRequest req;
                    req.set_name(*name);
                    req.set_format(f->html ? v1::RenderAgreementRequest::FORMAT_HTML
                                           : v1::RenderAgreementRequest::FORMAT_TEXT);
                    Session s(*g);
                    absl::StatusOr<v1::RenderAgreementResponse> r =
                        s.agreements().RenderAgreement(req);
                    if (!r.ok()) return s.Fail(r.status());
                    if (!f->file.empty()) {
                      absl::Status st = WriteFileAtomically(f->file, r->content());
                      if (!st.ok()) return s.Fail(st);
                      std::cerr << "Saved " << *name << " (" << r->content_type() << ") to "
                                << f->file << "\n";
                      return kExitOk;
                    }
                    if (g->output == "json") {
                      PrintJson(*r, std::cout);
                    } else {
                      std::cout << r->content();
                    }
                    return kExitOk;
                  }});
}

void AddPay(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string name, amount, note;
    int instalment = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd =
      parent->add_subcommand("pay", "Record a payment of an instalment of an effective agreement");
  cmd->add_option("NAME", f->name, "cases/CASE/agreements/ID")->required();
  cmd->add_option("--instalment", f->instalment,
                  "the instalment's number in the schedule, from 0 ('odr agreement show')")
      ->type_name("N")
      ->required()
      ->check(CLI::Range(0, std::numeric_limits<int32_t>::max()));
  cmd->add_option("--amount", f->amount,
                  "paid, in yuan with at most 2 decimals; at most what remains of it")
      ->type_name("YUAN")
      ->required();
  cmd->add_option("--note", f->note, "optional, at most 500 characters, e.g. a transfer reference")
      ->type_name("TEXT");
  cmd->footer(absl::StrCat(kAgreementNameHelp, R"(
The organization supervises performance (PML Art. 31). An instalment is PAID when paid in full,
  OVERDUE once its due date (China time) has passed unpaid; partial payments add up.
)"));
  out->push_back({cmd, [cmd, f, g]() -> int {
                    absl::StatusOr<std::string> name = AgreementName(f->name);
                    if (!name.ok()) return UsageError(cmd, name.status().message());
                    absl::StatusOr<int64_t> fen = ParseYuanToFen(f->amount, "--amount");
                    if (!fen.ok()) return UsageError(cmd, fen.status().message());
                    if (*fen == 0) return UsageError(cmd, "--amount must be at least 0.01");
                    v1::RecordPaymentRequest req;
                    req.set_name(*name);
                    req.set_instalment(f->instalment);
                    req.set_amount_fen(*fen);
                    req.set_note(f->note);
                    return Send(*g, &Session::agreements, &client::AgreementClient::RecordPayment,
                                req, WithReason);
                  }});
}

// --- odr offer ---

constexpr char kOfferHelp[] = R"(
Offers and concessions made during mediation are privileged (OMR Art. 18): odrd keeps them apart
  and never puts them in anything a court receives. The mediators and the organization see them;
  a party sees only its own side's.
)";

void AddOfferRecord(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  struct Flags {
    std::string case_name, by, text, amount;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* cmd = parent->add_subcommand("record", "Record an offer or concession (privileged)");
  cmd->add_option("CASE", f->case_name, "the case: cases/ID or just ID")->required();
  cmd->add_option("--by", f->by, "the side that made it: applicants/N or respondents/N")
      ->type_name("PARTY")
      ->required();
  cmd->add_option("--text", f->text, "what was offered or conceded, 1-2000 characters")
      ->type_name("TEXT")
      ->required();
  cmd->add_option("--amount", f->amount, "the sum offered, in yuan with at most 2 decimals")
      ->type_name("YUAN");
  cmd->footer(kOfferHelp);
  out->push_back({cmd, [cmd, f, g]() -> int {
                    v1::RecordOfferRequest req;
                    req.set_parent(CaseName(f->case_name));
                    absl::StatusOr<std::string> by = ParsePartyRef(f->by, "--by");
                    if (!by.ok()) return UsageError(cmd, by.status().message());
                    v1::Offer* o = req.mutable_offer();
                    o->set_offered_by(*by);
                    o->set_text(f->text);
                    if (!f->amount.empty()) {
                      absl::StatusOr<int64_t> fen = ParseYuanToFen(f->amount, "--amount");
                      if (!fen.ok()) return UsageError(cmd, fen.status().message());
                      o->set_amount_fen(*fen);
                    }
                    return Send(*g, &Session::agreements, &client::AgreementClient::RecordOffer,
                                req, WithReason);
                  }});
}

void AddOfferList(CLI::App* parent, const GlobalFlags* g, std::vector<Command>* out) {
  auto case_name = std::make_shared<std::string>();
  CLI::App* cmd = parent->add_subcommand("list", "List the case's offers that you may see");
  cmd->add_option("CASE", *case_name, "the case: cases/ID or just ID")->required();
  cmd->footer(kOfferHelp);
  out->push_back({cmd, [case_name, g]() -> int {
                    v1::ListOffersRequest req;
                    req.set_parent(CaseName(*case_name));
                    return Send(*g, &Session::agreements, &client::AgreementClient::ListOffers,
                                req);
                  }});
}

}  // namespace agreement_commands_impl

std::vector<Command> AddAgreementCommands(CLI::App* app, const GlobalFlags* globals) {
  using namespace agreement_commands_impl;
  std::vector<Command> out;
  CLI::App* agreement = app->add_subcommand(
      "agreement", "Settlement agreements: draft, revise, sign or refuse, render, record payments");
  AddCreate(agreement, globals, &out);
  AddShow(agreement, globals, &out);
  AddList(agreement, globals, &out);
  AddUpdate(agreement, globals, &out);
  AddSign(agreement, globals, &out);
  AddRefuse(agreement, globals, &out);
  AddRender(agreement, globals, &out);
  AddPay(agreement, globals, &out);
  CLI::App* offer =
      app->add_subcommand("offer", "Privileged offers and concessions made during mediation");
  AddOfferRecord(offer, globals, &out);
  AddOfferList(offer, globals, &out);
  return out;
}

}  // namespace odr::cli
