#!/usr/bin/python3
"""The Zhuji story end to end against the real odrd, over TLS, with a court on mutual TLS.

Generates a throwaway CA, a server certificate for 127.0.0.1 and a client certificate for the
court system (DNS SAN zhuji-court.courts.example, clientAuth) with the openssl CLI; registers the
court (`odrd admin create-court`), the court system's principal (certificate only, no key), a
partner app, the two citizens (parties), and uses the organization, its admin and mediator of
`odrd admin bootstrap-dev`; starts odrd with --tls-cert/--tls-key/--tls-client-ca on 127.0.0.1:0.

test_1_settled_and_confirmed: the court diverts a dispute (client/examples/court_intake, Python,
mutual TLS) → the applicant's partner app uploads evidence (client/examples/partner_app, Node,
TLS) → the organization accepts, assigns, the mediator accepts and the respondent agrees (odr
CLI, TLS) → the partner app books a joint session → the parties record their consent, the
notice acknowledged and their service address, the mediator the consents to the diversion, each
identity check, the false-mediation warning and the confirmed minutes (`odr case record`) → the
mediator records a privileged offer →
an agreement is drafted and signed by applicant, respondent, mediator and organization, each with
its own credentials → STATE_SETTLED, the pre-check warning of nothing → the parties apply jointly for judicial confirmation to
courts/zhuji → the court sees it in its queue, fetches the bundle (signatures verify offline; the
offer is nowhere in it; the procedure records are), accepts and rules valid → the court follows the case to
DIVERSION_OUTCOME_CONFIRMED, and the case is STATE_CONFIRMED.

test_2_failed_mediation_referred: a second diverted case whose mediation fails (the mediator
closes it) is in the court's referrals.

test_3_refusal_to_sign_ends_mediation: a third diverted case whose respondent refuses to sign the
agreement ('odr agreement refuse'): the case closes and is referred back to the court for filing.

Registered with ctest by tests/integrations/CMakeLists.txt; stdlib only, Debian's /usr/bin/python3.
By hand:
  /usr/bin/python3 tests/integrations/zhuji_story_test.py --odrd build/server/odrd \
    --odr build/client/odr --bindings-dir build/bindings [-v]
"""

import datetime
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unittest

from odr_harness import REPO, OdrdTestCase, parse_args, Odrd, describe, run, write_secret

COURT_INTAKE = os.path.join(REPO, "client", "examples", "court_intake", "court_intake.py")
PARTNER_APP = os.path.join(REPO, "client", "examples", "partner_app", "partner_app.js")

ARGS = None

COURT = "courts/zhuji"
COURT_NAME = "诸暨市人民法院"
COURT_CERT_NAME = "zhuji-court.courts.example"
COURT_PRINCIPAL = "principals/zhuji-court-system"

ID_ZHANG = "110101199003074514"
ID_LI = "330681198506120020"
PARTIES = {
    "applicants": [{"name": "张三", "idNumber": ID_ZHANG, "phone": "13800138000",
                    "serviceAddress": "zhangsan@example.com"}],
    "respondents": [{"name": "李四", "idNumber": ID_LI, "phone": "13900000000",
                     "serviceAddress": "浙江省诸暨市暨阳街道1号"}],
}
# The privileged offer: recorded during mediation, never in what the court receives.
OFFER_TEXT = "保密让步：被申请人愿先行支付一万二千元，以撤回违约金主张为条件"
CHINA = datetime.timezone(datetime.timedelta(hours=8))


def openssl(tmp, *args):
    result = subprocess.run(["openssl", *args], cwd=tmp, capture_output=True, text=True,
                            timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(describe(result))


def make_certificates(tmp):
    """A CA, odrd's certificate (127.0.0.1, localhost) and the court system's client certificate;
    returns the paths."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(tmp, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=odr test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, subject, ext in (
            ("server", "/CN=localhost",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
             "basicConstraints=CA:FALSE\n"),
            ("court", "/CN=" + COURT_CERT_NAME,
             f"subjectAltName=DNS:{COURT_CERT_NAME}\nextendedKeyUsage=clientAuth\n"
             "basicConstraints=CA:FALSE\n")):
        with open(os.path.join(tmp, name + ".ext"), "w") as f:
            f.write(ext)
        openssl(tmp, "req", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", subject)
        openssl(tmp, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext")
    return {n: os.path.join(tmp, n) for n in ("ca.crt", "server.crt", "server.key", "court.crt",
                                              "court.key")}


class ZhujiStoryTest(OdrdTestCase):
    """One odrd for the class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="odr-zhuji-story-")
        cls.data_dir = os.path.join(cls.tmp, "data")
        os.makedirs(cls.data_dir)
        cls.base_env = {k: v for k, v in os.environ.items() if not k.startswith("ODR_")}
        cls.odrd = None
        cls.odrd_binary = ARGS.odrd
        try:
            cls.certs = make_certificates(cls.tmp)
            # The organization dev-org with its admin dev-admin and mediator dev-mediator.
            cls.admin("bootstrap-dev")
            cls.admin("create-court", "--id", "zhuji", "--name", COURT_NAME,
                      "--region", "330681")
            # The court system: its certificate is its only credential.
            cls.admin("create-principal", "--id", "zhuji-court-system", "--role", "court",
                      "--court", COURT, "--certificate-name", COURT_CERT_NAME, "--no-key")
            # The partner app, and the citizens: the applicant (through the app, and with a key
            # of their own for the CLI) and the respondent.
            cls.key_files = {}
            for principal, extra in (
                    ("wechat-mini", ["--role", "partner_app"]),
                    ("citizen-zhang", ["--role", "citizen", "--id-type", "resident_id_card",
                                       "--id-number", ID_ZHANG]),
                    ("citizen-li", ["--role", "citizen", "--id-type", "resident_id_card",
                                    "--id-number", ID_LI])):
                key = cls.admin("create-principal", "--id", principal, *extra)
                cls.key_files[principal] = os.path.join(cls.tmp, principal + ".key")
                write_secret(cls.key_files[principal], key)
            for principal in ("dev-admin", "dev-mediator", "dev-court"):
                cls.key_files[principal] = os.path.join(cls.data_dir, "dev-keys",
                                                        principal + ".key")
            cls.admin("link", "--partner", "principals/wechat-mini",
                      "--citizen", "principals/citizen-zhang")
            cls.odrd = Odrd(ARGS.odrd, cls.data_dir, [
                "--tls-cert", cls.certs["server.crt"], "--tls-key", cls.certs["server.key"],
                "--tls-client-ca", cls.certs["ca.crt"]])
            cls.logged_in = set()
        except BaseException:
            cls.stop_and_clean_up()
            raise

    # -- the odr CLI, over TLS, one profile per principal -------------------------------------

    def odr_result(self, principal, *args):
        if principal not in self.logged_in:
            self.logged_in.add(principal)
            self.odr(principal, "auth", "login", "--principal", "principals/" + principal,
                     "--api-key-file", self.key_files[principal])
        env = dict(self.base_env, HOME=os.path.join(self.tmp, "home"),
                   XDG_CONFIG_HOME=os.path.join(self.tmp, "config"))
        return run([ARGS.odr, "--server", self.odrd.address, "--tls-ca", self.certs["ca.crt"],
                    "--profile", principal, "-o", "json", *args], env)

    def odr(self, principal, *args):
        """`odr ARGS` as `principal` over TLS: expects exit 0, returns the JSON."""
        result = self.odr_result(principal, *args)
        self.assertEqual(result.returncode, 0, describe(result))
        return json.loads(result.stdout) if result.stdout.strip() else None

    # -- the examples ------------------------------------------------------------------------

    def court(self, *args, expect=0):
        """The court-intake example, authenticated by the court's client certificate only."""
        env = dict(self.base_env,
                   ODR_PYTHON_BINDINGS=os.path.join(ARGS.bindings_dir, "python"))
        result = run(["/usr/bin/python3", COURT_INTAKE, "--server", self.odrd.address,
                      "--ca", self.certs["ca.crt"], "--cert", self.certs["court.crt"],
                      "--key", self.certs["court.key"], *args], env)
        self.assertEqual(result.returncode, expect, describe(result))
        return json.loads(result.stdout) if expect == 0 else result

    def partner_app(self, *args):
        """The Node partner app for the applicant, over TLS; expects exit 0, returns the JSON."""
        env = dict(self.base_env, ODR_SERVER=self.odrd.address, ODR_TLS_CA=self.certs["ca.crt"],
                   ODR_PRINCIPAL="principals/wechat-mini",
                   ODR_API_KEY_FILE=self.key_files["wechat-mini"],
                   ODR_ON_BEHALF_OF="principals/citizen-zhang")
        result = run([ARGS.node, PARTNER_APP, *args], env)
        self.assertEqual(result.returncode, 0, describe(result))
        return json.loads(result.stdout)

    def divert(self, intake_ref, summary, procedure="pre-filing"):
        parties = os.path.join(self.tmp, "parties.json")
        with open(parties, "w", encoding="utf-8") as f:
            json.dump(PARTIES, f, ensure_ascii=False)
        return self.court("divert", "--intake-ref", intake_ref, "--parties", parties,
                          "--organization", "dev-org", "--type", "debt-contract",
                          "--region", "330681", "--summary", summary,
                          "--claims", "支付货款两万元及违约金", "--amount", "20000",
                          "--court-name", COURT_NAME, "--procedure", procedure)

    def mediate(self, case):
        """The organization accepts, assigns dev-mediator, who accepts; the respondent agrees."""
        self.assertEqual(self.odr("dev-admin", "case", "accept", case)["state"], "STATE_ACCEPTED")
        self.odr("dev-admin", "case", "assign", case, "--mediator", "dev-org/dev-mediator")
        self.assertEqual(
            self.odr("dev-mediator", "case", "accept-assignment", case, "--no-conflict")["state"],
            "STATE_MEDIATOR_ASSIGNED")
        self.assertEqual(
            self.odr("dev-mediator", "case", "contact-respondent", case, "--agreed")["state"],
            "STATE_MEDIATING")

    def draft_payment(self, case):
        """The mediator drafts: the respondent pays 20,000 yuan in 60 days, in one instalment."""
        due = (datetime.datetime.now(CHINA).date() + datetime.timedelta(days=60)).isoformat()
        return self.odr(
            "dev-mediator", "agreement", "create", case,
            "--facts", "被申请人尚欠货款两万元。", "--issues", "货款金额。",
            "--responsibilities", "被申请人承担付款责任。",
            "--term", f"payment:respondents/0:银行转账:{due}:被申请人向申请人支付货款两万元",
            "--instalment", f"{due}:20000:respondents/0:applicants/0")

    # -- the stories -------------------------------------------------------------------------

    def test_1_settled_and_confirmed(self):
        # The court system is who its certificate says, without a key or token.
        caller = self.court("whoami")
        self.assertEqual((caller["name"], caller["role"], caller.get("court")),
                         (COURT_PRINCIPAL, "ROLE_COURT", COURT))

        # 1. The intake window diverts the dispute; the same intake reference: the same case.
        intake_ref = "(2026)浙0681诉前调1号"
        diverted = self.divert(intake_ref, "买卖合同纠纷：被申请人拖欠货款。")
        case = diverted["name"]
        self.assertRegex(case, r"^cases/[0-9a-f]{24}$")
        self.assertEqual(diverted["state"], "STATE_SUBMITTED")
        self.assertEqual(self.divert(intake_ref, "买卖合同纠纷：被申请人拖欠货款。")["name"], case)
        followed = self.court("follow", "--case", case)["cases"]
        self.assertEqual(len(followed), 1, followed)
        self.assertEqual((followed[0]["intakeReference"], followed[0]["outcome"]),
                         (intake_ref, "DIVERSION_OUTCOME_PENDING"))

        # 2. The applicant's partner app uploads two pieces of evidence (over TLS).
        uploaded = []
        for i, (filename, description) in enumerate((("contract.pdf", "买卖合同"),
                                                     ("delivery-note.png", "送货单"))):
            payload = random.Random(70 + i).randbytes(64 * 1024 + 100 * i)
            path = os.path.join(self.tmp, filename)
            with open(path, "wb") as f:
                f.write(payload)
            up = self.partner_app("upload", case, path, "--description", description)
            self.assertEqual((up["complete"], up["sha256"]),
                             (True, hashlib.sha256(payload).hexdigest()), up)
            uploaded.append(up)

        # 3. Acceptance, the mediator, the respondent's agreement.
        self.mediate(case)

        # 4. The partner app books a joint video session.
        who = ["--participant", "applicants/0", "--participant", "respondents/0"]
        slots = self.partner_app("slots", case, "--duration", "1h", "--max", "1", *who)
        self.assertTrue(slots["slots"], slots)
        booked = self.partner_app("book", case, "--kind", "joint-video",
                                  "--start", slots["slots"][0]["startTime"],
                                  "--end", slots["slots"][0]["endTime"], *who)
        self.assertEqual(booked["state"], "STATE_SCHEDULED")

        # 4b. The record that mediation is voluntary (docs/procedure.md; CPL Interpretation Art.
        # 358(四)): each party consents, acknowledges the notice of its rights and duties and
        # confirms its service address itself; the mediator records the consents to the
        # diversion, how each was identified, the false-mediation warning and the confirmed minutes.
        for citizen, party in (("citizen-zhang", "applicants/0"), ("citizen-li", "respondents/0")):
            for kind in ("mediation-consent", "notice-acknowledged", "service-address-confirmed"):
                made = self.odr(citizen, "case", "record", kind, case, "--party", party)
                self.assertEqual(made["recordedBy"], "principals/" + citizen, made)
            self.odr("dev-mediator", "case", "record", "diversion-consent", case, "--party", party,
                     "--manner", "立案窗口书面同意")
            self.odr("dev-mediator", "case", "record", "identity-verified", case, "--party", party,
                     "--manner", "人脸识别")
            self.odr("dev-mediator", "case", "record", "false-mediation-warning", case,
                     "--party", party)
            self.odr("dev-mediator", "case", "record", "minutes-confirmed", case, "--party", party,
                     "--appointment", booked["name"])
        timeline = self.odr("citizen-zhang", "case", "events", case, "--all")["events"]
        self.assertEqual(sum(e.get("kind") == "KIND_PROCEDURE_RECORDED" for e in timeline), 14)

        # 5. Mediation: a privileged offer, then the agreement, signed by all.
        offer = self.odr("dev-mediator", "offer", "record", case, "--by", "respondents/0",
                         "--text", OFFER_TEXT, "--amount", "12000")
        self.assertEqual(offer["text"], OFFER_TEXT)
        due = (datetime.datetime.now(CHINA).date() + datetime.timedelta(days=60)).isoformat()
        agreement = self.odr(
            "dev-mediator", "agreement", "create", case,
            "--facts", "申请人向被申请人供货，被申请人尚欠货款两万元。",
            "--issues", "货款金额及支付期限。",
            "--responsibilities", "被申请人承担付款责任。",
            "--term", f"payment:respondents/0:银行转账:{due}:被申请人向申请人支付货款两万元",
            "--instalment", f"{due}:20000:respondents/0:applicants/0")
        name = agreement["name"]
        self.assertTrue(name.startswith(case + "/agreements/"), agreement)
        for signer in ("citizen-zhang", "citizen-li", "dev-mediator", "dev-admin"):
            signed = self.odr(signer, "agreement", "sign", name)
        self.assertEqual(signed["state"], "STATE_EFFECTIVE", signed)
        self.assertEqual(len(signed["signatures"]), 4, signed)
        # Court-diverted: effective when both parties signed (OMR Art. 19), served on them then,
        # and filed with the court once the mediator and the seal completed it (特邀 Art. 19).
        self.assertEqual(signed["effectRule"], "EFFECT_RULE_PARTIES_SIGNED", signed)
        self.assertEqual(signed["serviceTime"], signed["effectiveTime"], signed)
        self.assertEqual(signed["effectiveTime"], signed["signatures"][1]["signTime"], signed)
        self.assertIn("courtFilingTime", signed)
        self.assertNotIn("pendingSigners", signed)
        self.assertEqual(self.odr("dev-admin", "case", "get", case)["state"], "STATE_SETTLED")
        # Nothing a court checks for voluntariness is missing: no warning.
        precheck = self.odr("citizen-zhang", "confirmation", "precheck", case, "--court", COURT,
                            "--material", uploaded[0]["name"] + ":identity")
        self.assertNotIn("problems", precheck)
        self.assertNotIn("warnings", precheck)

        # 6. The joint application for judicial confirmation to the inviting court.
        applied = self.odr("citizen-zhang", "confirmation", "apply", case, "--court", COURT,
                           "--material", uploaded[0]["name"] + ":identity")
        self.assertEqual(applied["state"], "STATE_AWAITING_PARTIES", applied)
        confirmation = applied["name"]
        joined = self.odr("citizen-li", "confirmation", "join", confirmation)
        self.assertEqual(joined["state"], "STATE_SUBMITTED", joined)

        # Another court sees none of it.
        other = self.odr_result("dev-court", "confirmation", "list", COURT)
        self.assertNotEqual(other.returncode, 0, describe(other))

        # 7. The court: its queue, the bundle, acceptance, the ruling.
        queue = self.court("queue")["confirmations"]
        self.assertEqual([c["name"] for c in queue], [confirmation])
        bundle_file = os.path.join(self.tmp, "bundle.json")
        # The keys the court pinned out of band (docs/evidence.md, docs/confirmation.md).
        log_key = os.path.join(self.tmp, "log.key")
        agreement_key = os.path.join(self.tmp, "agreement.key")
        for path, what in ((log_key, "log-key"), (agreement_key, "agreement-key")):
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.admin(what) + "\n")
        keys = ("--log-key", log_key, "--agreement-key", agreement_key)
        summary = self.court("bundle", confirmation, "--file", bundle_file, *keys)
        self.assertEqual(summary["problems"], [])
        self.assertTrue(summary["signaturesVerified"], summary)
        self.assertEqual(len(summary["signatures"]), 4)
        self.assertTrue(summary["contentHashOk"])
        self.assertEqual(sorted(e["evidence"] for e in summary["evidence"]),
                         sorted(u["name"] for u in uploaded))
        for e in summary["evidence"]:
            self.assertRegex(e["sha256"], r"^[0-9a-f]{64}$")
            self.assertGreater(e["proofHashes"], 0, e)
            self.assertTrue(e["proofOk"], e)
        # Offline, the saved bundle verifies the same; every change to a proof is caught.
        self.assertEqual(self.court("verify-bundle", bundle_file, *keys)["problems"], [])
        with open(bundle_file, encoding="utf-8") as f:
            saved = json.load(f)
        # The court has the record of voluntariness with the bundle.
        self.assertEqual(len(saved["records"]), 14, saved.get("records"))
        self.assertIn("KIND_IDENTITY_VERIFIED", {r["kind"] for r in saved["records"]})
        tampering = {
            "leaf": lambda e: e["proof"].__setitem__(
                "leafData", e["proof"]["leafData"].replace("size: ", "size: 1")),
            "path": lambda e: e["proof"].__setitem__(
                "inclusionPath", list(reversed(e["proof"]["inclusionPath"])) + [
                    e["proof"]["inclusionPath"][0]]),
            "checkpoint": lambda e: e["proof"].__setitem__(
                "checkpoint", e["proof"]["checkpoint"].replace("\n", "\n1", 1)),
            "hash": lambda e: e.__setitem__("sha256", "0" * 64),
        }
        for what, change in tampering.items():
            bad = json.loads(json.dumps(saved))
            change(bad["evidence"][0])
            bad_file = os.path.join(self.tmp, f"bundle-{what}.json")
            with open(bad_file, "w", encoding="utf-8") as f:
                json.dump(bad, f)
            refused = self.court("verify-bundle", bad_file, *keys, expect=1)
            self.assertIn("bundle: " + bad["evidence"][0]["evidence"], refused.stderr, what)
        with open(bundle_file, encoding="utf-8") as f:
            bundle_text = f.read()
        # The whole bundle as JSON (also with \u escapes, should a writer use them).
        self.assertNotIn(OFFER_TEXT, bundle_text)
        self.assertNotIn(OFFER_TEXT, json.dumps(json.loads(bundle_text)))
        self.assertNotIn("被申请人愿先行支付", bundle_text)
        self.assertNotIn(offer["name"], bundle_text)

        accepted = self.court("accept", confirmation)
        self.assertEqual(accepted["state"], "STATE_ACCEPTED", accepted)
        ruled = self.court("rule", confirmation, "--valid",
                           "--ruling-number", "(2026)浙0681民特1号")
        self.assertEqual((ruled["state"], ruled["rulingNumber"]),
                         ("STATE_RULED_VALID", "(2026)浙0681民特1号"), ruled)
        self.assertEqual(self.court("queue")["confirmations"], [])

        # 8. The court follows the case to its outcome; the case is confirmed.
        outcome = self.court("follow", "--case", case, "--wait-outcome", "confirmed",
                             "--timeout", "20")
        self.assertEqual((outcome["outcome"], outcome["state"], outcome["confirmationState"]),
                         ("DIVERSION_OUTCOME_CONFIRMED", "STATE_CONFIRMED", "STATE_RULED_VALID"))
        self.assertEqual(self.odr("citizen-zhang", "case", "get", case)["state"],
                         "STATE_CONFIRMED")

        # A ruled application is not ruled again: the code and reason on stderr.
        again = self.court("rule", confirmation, "--valid", "--ruling-number", "x", expect=1)
        self.assertIn("RuleConfirmation: FAILED_PRECONDITION (9)", again.stderr)
        self.assertIn("reason: ", again.stderr)

    def test_2_failed_mediation_referred(self):
        intake_ref = "(2026)浙0681诉前调2号"
        case = self.divert(intake_ref, "买卖合同纠纷：调解不成。")["name"]
        self.mediate(case)
        reason = "双方分歧过大，调解不成"
        closed = self.odr("dev-mediator", "case", "close", case, "--reason", reason)
        self.assertEqual(closed["state"], "STATE_CLOSED")

        referrals = self.court("referrals")["referrals"]
        mine = [r for r in referrals if r["case"] == case]
        self.assertEqual(len(mine), 1, referrals)
        self.assertEqual(mine[0]["intakeReference"], intake_ref)
        self.assertTrue(mine[0]["name"].startswith(COURT + "/referrals/"), mine[0])
        self.assertIn(reason, mine[0].get("reason", ""))
        outcome = self.court("follow", "--case", case, "--wait-outcome", "referred",
                             "--timeout", "10")
        self.assertEqual(outcome["state"], "STATE_CLOSED")

    def test_3_refusal_to_sign_ends_mediation(self):
        # A party who will not sign ends the mediation (OMR Art. 25(七)); the diverted dispute
        # goes back to the court for filing, the refusal as the reason (OMR Art. 21(二)).
        intake_ref = "(2026)浙0681诉前调3号"
        case = self.divert(intake_ref, "买卖合同纠纷：拒绝签署调解协议。")["name"]
        self.mediate(case)
        agreement = self.draft_payment(case)
        self.odr("citizen-zhang", "agreement", "sign", agreement["name"])
        refused = self.odr("citizen-li", "agreement", "refuse", agreement["name"],
                           "--reason", "不同意付款期限")
        self.assertEqual(refused["state"], "STATE_ABANDONED", refused)
        closed = self.odr("dev-admin", "case", "get", case)
        self.assertEqual(closed["state"], "STATE_CLOSED", closed)
        self.assertEqual(closed["ending"]["kind"], "KIND_REFERRED_FOR_FILING", closed)
        self.assertIn("refused to sign", closed["ending"]["reason"])
        mine = [r for r in self.court("referrals")["referrals"] if r["case"] == case]
        self.assertEqual(len(mine), 1, mine)
        self.assertIn("不同意付款期限", mine[0].get("reason", ""))

    def test_4_post_filing_suits_end_in_the_courts_hands(self):
        # A suit the court filed and entrusted to mediation (委托, OMR Art. 20): settled, it is
        # not judicially confirmed but concluded by the court's mediation statement (调解书).
        case = self.divert("(2026)浙0681民初41号", "买卖合同纠纷：立案后委托调解。",
                           procedure="post-filing-ordinary")["name"]
        self.assertEqual(self.odr("dev-admin", "case", "get", case)["route"],
                         "ROUTE_POST_FILING_ENTRUSTMENT")
        self.mediate(case)
        agreement = self.draft_payment(case)
        for who in ("citizen-zhang", "citizen-li"):
            self.odr(who, "agreement", "sign", agreement["name"])
        self.assertEqual(self.odr("dev-admin", "case", "get", case)["state"], "STATE_SETTLED")
        # The parties may not apply for confirmation: the court has the suit (exit 1: problems),
        # and no 30-day window runs.
        result = self.odr_result("citizen-zhang", "confirmation", "precheck", case)
        self.assertEqual(result.returncode, 1, describe(result))
        precheck = json.loads(result.stdout)
        self.assertIn("POST_FILING_CASE", [p["reason"] for p in precheck["problems"]])
        self.assertNotIn("applyByTime", precheck)
        concluded = self.court("conclude", case, "--conclusion", "statement",
                               "--document", "(2026)浙0681民初41号")
        self.assertEqual(concluded["state"], "STATE_CONCLUDED", concluded)
        self.assertEqual(concluded["ending"]["kind"], "KIND_MEDIATION_STATEMENT", concluded)

        # Another: mediation fails, and the suit returns for the trial to resume (OMR Art. 21(三)).
        case = self.divert("(2026)浙0681民初42号", "买卖合同纠纷：立案后委托调解不成。",
                           procedure="post-filing-simple")["name"]
        self.mediate(case)
        closed = self.odr("dev-mediator", "case", "close", case, "--reason", "被告拒绝调解方案")
        self.assertEqual(closed["ending"]["kind"], "KIND_TRIAL_RESUMED", closed)
        mine = [r for r in self.court("referrals")["referrals"] if r["case"] == case]
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["kind"], "KIND_TRIAL_RESUMED", mine)
        self.court("follow", "--case", case, "--wait-outcome", "trial-resumed", "--timeout", "10")

    def test_5_the_courts_review_and_a_rejection(self):
        # The court calls both parties (CPL Interpretation Art. 356), asks for a material by a
        # deadline (Arts. 354, 356), extends its period with the president's approval (CPL Art.
        # 187) and rejects; the agreement still binds and the parties choose to mediate again,
        # each consenting (CPL Art. 206; PML Art. 33).
        case = self.divert("(2026)浙0681诉前调5号", "买卖合同纠纷：司法确认被驳回。")["name"]
        self.mediate(case)
        agreement = self.draft_payment(case)
        for signer in ("citizen-zhang", "citizen-li", "dev-mediator", "dev-admin"):
            self.odr(signer, "agreement", "sign", agreement["name"])
        confirmation = self.odr("citizen-zhang", "confirmation", "apply", case,
                                "--court", COURT)["name"]
        self.odr("citizen-li", "confirmation", "join", confirmation)
        self.court("accept", confirmation)
        at = (datetime.datetime.now(CHINA) + datetime.timedelta(days=2)).strftime(
            "%Y-%m-%dT%H:%M")
        called = self.court("call-parties", confirmation, "--at", at, "--place", "第三法庭")
        self.assertEqual(called["appearance"]["place"], "第三法庭", called)
        asked = self.court("request-materials", confirmation, "--note", "请补充送货单原件",
                           "--due-days", "10")
        self.assertEqual(asked["state"], "STATE_MATERIALS_REQUESTED", asked)
        self.assertIn("materialsDueTime", asked)
        asked_due = asked["materialsDueTime"]
        # The parties see the court's deadline on the clock.
        kinds = [d["kind"] for d in self.odr("citizen-zhang", "deadline", "list", case)["deadlines"]]
        self.assertIn("KIND_CONFIRMATION_MATERIALS", kinds)
        # A party asks to withdraw; after filing the court rules on it, here refusing.
        asked = self.odr("citizen-li", "confirmation", "withdraw", confirmation,
                         "--reason", "再考虑一下")
        self.assertEqual(asked["withdrawalRequest"]["parties"], ["respondents/0"], asked)
        refused = self.court("rule-withdrawal", confirmation, "--outcome", "refused")
        self.assertNotIn("withdrawalRequest", refused)
        extended = self.court("extend-ruling", confirmation, "--days", "30",
                              "--approval", "院长审批表 2026-5")
        self.assertEqual(extended["rulingExtensions"][0]["days"], 30, extended)
        # The respondent was in hospital until yesterday: more time for the materials (CPL Art. 86).
        today = datetime.datetime.now(CHINA).date()
        more = self.court("extend-party-time", confirmation, "--period", "materials",
                          "--party", "respondents/0",
                          "--until", (today + datetime.timedelta(days=20)).isoformat(),
                          "--obstacle-end", (today - datetime.timedelta(days=1)).isoformat(),
                          "--reason", "住院治疗")
        self.assertEqual(more["partyTimeExtensions"][0]["party"], "respondents/0", more)
        self.assertGreater(more["materialsDueTime"], asked_due, more)
        # Materials supplied: back under review; then rejected.
        upload = os.path.join(self.tmp, "delivery-original.pdf")
        with open(upload, "wb") as f:
            f.write(random.Random(5).randbytes(2048))
        evidence = self.partner_app("upload", case, upload, "--description", "送货单原件")
        self.odr("citizen-zhang", "confirmation", "supply", confirmation,
                 "--material", evidence["name"] + ":other")
        ruled = self.court("rule", confirmation, "--rejected", "--ground", "unclear",
                           "--ruling-number", "(2026)浙0681民特5号", "--note", "协议内容不明确")
        self.assertEqual(ruled["state"], "STATE_RULED_REJECTED", ruled)
        self.assertEqual(self.odr("dev-admin", "case", "get", case)["state"], "STATE_SETTLED")
        time.sleep(1.1)  # --at has whole seconds: not before the ruling's time
        served = self.court("served", confirmation, "--at",
                            datetime.datetime.now(CHINA).strftime("%Y-%m-%dT%H:%M:%S"))
        self.assertIn("objectionDueTime", served)
        # The court gives the applicant, away for work until today, more time to object (CPL Art.
        # 86). Through `odr`, a period odr does not know is a usage error and another court's
        # clerk cannot grant it.
        more_args = ["--party", "applicants/0",
                     "--until", (today + datetime.timedelta(days=30)).isoformat(),
                     "--obstacle-end", today.isoformat(), "--reason", "在外地务工，未及时收到裁定"]
        wrong = self.odr_result("dev-court", "confirmation", "extend-party-time", confirmation,
                                "--period", "later", *more_args)
        self.assertEqual(wrong.returncode, 2, describe(wrong))
        other = self.odr_result("dev-court", "confirmation", "extend-party-time", confirmation,
                                "--period", "objection", *more_args)
        self.assertNotIn(other.returncode, (0, 2), describe(other))
        later = self.court("extend-party-time", confirmation, "--period", "objection",
                           *more_args)
        self.assertEqual(later["partyTimeExtensions"][1]["period"], "PERIOD_OBJECTION", later)
        self.assertGreater(later["objectionDueTime"], served["objectionDueTime"], later)
        self.odr("citizen-zhang", "confirmation", "mediate-again", confirmation)
        self.assertEqual(self.odr("dev-admin", "case", "get", case)["state"], "STATE_SETTLED")
        again = self.odr("citizen-li", "confirmation", "mediate-again", confirmation)
        self.assertEqual(again["mediateAgainParties"], ["applicants/0", "respondents/0"], again)
        self.assertEqual(self.odr("dev-admin", "case", "get", case)["state"], "STATE_MEDIATING")


def main():
    global ARGS
    ARGS, rest = parse_args(__doc__.split("\n")[0])
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
