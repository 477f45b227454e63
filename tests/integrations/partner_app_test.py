#!/usr/bin/python3
"""The Node partner-app example against the real odrd, and the generated client bindings.

Starts odrd (--odrd) on 127.0.0.1:0 in a temp data dir with the development accounts of
`odrd admin bootstrap-dev`, registers a partner app and a citizen linked to it, and runs
client/examples/partner_app/partner_app.js (with --node) as that app acting for the citizen:
`whoami`; `file` (again with the same request id: the same case); `upload` (again: the same
evidence; and an upload stopped after two chunks, then resumed); then, once the organization
accepted the case, the mediator accepted it and the respondent agreed (through the odr CLI,
--odr), `slots` and `book`. A second booking of the slot is refused with the gRPC code and the
ErrorDetails reason on stderr. No output of the example may hold the parties' personal data or
the app's API key. Also checks that the odr_bindings target wrote bindings for every language
into --bindings-dir, and that the Python ones import with Debian's grpcio.

Registered with ctest by tests/integrations/CMakeLists.txt; stdlib only, Debian's /usr/bin/python3.
By hand:
  /usr/bin/python3 tests/integrations/partner_app_test.py --odrd build/server/odrd \
    --odr build/client/odr --bindings-dir build/bindings [-v]
"""

import hashlib
import json
import os
import random
import sys
import tempfile
import unittest

from odr_harness import REPO, OdrdTestCase, parse_args, VIDEO_URL_PREFIX, Odrd, describe, run

PARTNER_APP = os.path.join(REPO, "client", "examples", "partner_app", "partner_app.js")

# Set from the command line in main().
ARGS = None

# The citizen (the applicant) and the other side, as in the C++ tests' fixtures: valid resident
# ID numbers and a unified social credit code.
ID_ZHANG = "110101199003074514"
ID_LI = "330681198506120020"
USCC_HOSPITAL = "12330681470000000E"
PARTIES = {
    "applicants": [{
        "name": "张三",
        "id_number": ID_ZHANG,
        "phone": "13800138000",
        "service_address": "zhangsan@example.com",
    }],
    "respondents": [{
        "kind": "PARTY_KIND_LEGAL_PERSON",
        "name": "诸暨市人民医院",
        "id_document_type": "ID_DOCUMENT_TYPE_UNIFIED_SOCIAL_CREDIT_CODE",
        "id_number": USCC_HOSPITAL,
        "phone": "0575-87000000",
        "service_address": "浙江省诸暨市暨阳街道",
        "agents": [{
            "name": "李律师",
            "id_number": ID_LI,
            "phone": "13900000000",
            "service_address": "lawyer@example.com",
        }],
    }],
}
# What must never appear in the example's output.
PERSONAL_DATA = [ID_ZHANG, ID_LI, USCC_HOSPITAL, "13800138000", "13900000000", "张三", "李律师",
                 "zhangsan@example.com"]


class PartnerAppTest(OdrdTestCase):
    """One odrd for the class: the steps of test_partner_app build on each other."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="odr-partner-app-")
        cls.data_dir = os.path.join(cls.tmp, "data")
        os.makedirs(cls.data_dir)
        # No ODR_* variable of the caller's environment reaches odr or the example.
        cls.base_env = {k: v for k, v in os.environ.items() if not k.startswith("ODR_")}
        cls.odrd = None
        cls.odrd_binary = ARGS.odrd
        try:
            cls.admin("bootstrap-dev")
            cls.odrd = Odrd(ARGS.odrd, cls.data_dir)
            # The partner app and the citizen it acts for (no key of its own: it uses the app).
            cls.partner_key = cls.admin("create-principal", "--id", "wechat-mini",
                                        "--role", "partner_app")
            cls.key_file = os.path.join(cls.tmp, "wechat-mini.key")
            with open(os.open(cls.key_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
                f.write(cls.partner_key + "\n")
            cls.admin("create-principal", "--id", "citizen-0001", "--role", "citizen",
                      "--id-type", "resident_id_card", "--id-number", ID_ZHANG, "--no-key")
            cls.admin("link", "--partner", "principals/wechat-mini",
                      "--citizen", "principals/citizen-0001")
        except BaseException:
            cls.stop_and_clean_up()
            raise

    # -- the odr CLI, for the organization and the mediator --------------------------------------

    def odr(self, *args, profile="admin"):
        """`odr --server ODRD --profile PROFILE -o json ARGS`: expects exit 0, returns the JSON."""
        env = dict(self.base_env, HOME=os.path.join(self.tmp, "home"),
                   XDG_CONFIG_HOME=os.path.join(self.tmp, "config"))
        result = run([ARGS.odr, "--server", self.odrd.address, "--profile", profile, "-o", "json",
                      *args], env)
        self.assertEqual(result.returncode, 0, describe(result))
        return json.loads(result.stdout) if result.stdout.strip() else None

    def login(self, profile, principal):
        key_file = os.path.join(self.data_dir, "dev-keys", principal + ".key")
        self.odr("auth", "login", "--principal", "principals/" + principal,
                 "--api-key-file", key_file, profile=profile)

    # -- the example -------------------------------------------------------------------------------

    def partner_app(self, *args):
        """Runs `node partner_app.js ARGS` as the partner app for the citizen; the credentials
        come from the environment, as a deployment would pass them."""
        env = dict(self.base_env, ODR_SERVER=self.odrd.address,
                   ODR_PRINCIPAL="principals/wechat-mini", ODR_API_KEY_FILE=self.key_file,
                   ODR_ON_BEHALF_OF="principals/citizen-0001")
        result = run([ARGS.node, PARTNER_APP, *args], env)
        for secret in PERSONAL_DATA + [self.partner_key]:
            self.assertNotIn(secret, result.stdout + result.stderr,
                             f"personal data or the API key in the output of {args[0]}")
        return result

    def partner_app_json(self, *args):
        """partner_app(ARGS), expecting exit 0 and nothing on stderr; returns the JSON output."""
        result = self.partner_app(*args)
        self.assertEqual(result.returncode, 0, describe(result))
        self.assertEqual(result.stderr, "", describe(result))
        return json.loads(result.stdout)

    def test_partner_app(self):
        # The app acts for the citizen.
        caller = self.partner_app_json("whoami")
        self.assertEqual(caller, {"name": "principals/citizen-0001", "role": "ROLE_CITIZEN",
                                  "actingThrough": "principals/wechat-mini"})

        # file: the citizen's application, submitted. The same request id again files nothing new.
        parties = os.path.join(self.tmp, "parties.json")
        with open(parties, "w", encoding="utf-8") as f:
            json.dump(PARTIES, f, ensure_ascii=False)
        file_args = ["file", "--organization", "dev-org", "--type", "medical",
                     "--region", "330681", "--summary", "术后感染，申请人认为医院存在过错。",
                     "--claims", "赔偿医疗费及误工费共计两万元。", "--amount", "20000",
                     "--parties", parties, "--request-id", "zhang-medical-0001"]
        filed = self.partner_app_json(*file_args)
        case = filed["name"]
        self.assertRegex(case, r"^cases/[0-9a-f]{24}$")
        self.assertRegex(filed["caseNumber"], r"^ODR-[0-9]{4}-[0-9]{6,}$")
        self.assertEqual(filed["state"], "STATE_SUBMITTED")
        self.assertEqual(self.partner_app_json(*file_args), filed)

        # The parties as flags, left a draft.
        draft = self.partner_app_json(
            "file", "--organization", "organizations/dev-org", "--type", "neighbour",
            "--region", "330681", "--summary", "邻里漏水纠纷", "--claims", "修复并赔偿",
            "--applicant", f"name=张三;id={ID_ZHANG};phone=13800138000;address=zhangsan@example.com",
            "--respondent", f"name=李四;id={ID_LI};phone=13900000000;address=li@example.com",
            "--no-submit")
        self.assertNotEqual(draft["name"], case)
        self.assertEqual(draft["state"], "STATE_DRAFT")

        # upload: three chunks of 64 KiB and a short one; again, the same evidence.
        payload = random.Random(7).randbytes(3 * 64 * 1024 + 1234)
        evidence_file = os.path.join(self.tmp, "discharge-summary.pdf")
        with open(evidence_file, "wb") as f:
            f.write(payload)
        uploaded = self.partner_app_json("upload", case, evidence_file,
                                         "--description", "出院小结")
        self.assertTrue(uploaded["name"].startswith(case + "/evidence/"), uploaded)
        self.assertEqual(uploaded["sha256"], hashlib.sha256(payload).hexdigest())
        self.assertEqual(uploaded["sizeBytes"], str(len(payload)))
        self.assertEqual((uploaded["complete"], uploaded["resumedFrom"]), (True, 0))
        again = self.partner_app_json("upload", case, evidence_file, "--description", "出院小结")
        self.assertEqual(again["name"], uploaded["name"])
        self.assertEqual(again["sha256"], uploaded["sha256"])
        # A resumed upload: two chunks in one run, the rest in the next.
        scan = random.Random(8).randbytes(5 * 64 * 1024 + 99)
        scan_file = os.path.join(self.tmp, "invoice-scan.png")
        with open(scan_file, "wb") as f:
            f.write(scan)
        partial = self.partner_app_json("upload", case, scan_file, "--max-chunks", "2")
        self.assertEqual((partial["complete"], partial["committedSize"], partial["resumedFrom"]),
                         (False, str(2 * 64 * 1024), 0), partial)
        resumed = self.partner_app_json("upload", case, scan_file)
        self.assertEqual((resumed["complete"], resumed["resumedFrom"], resumed["uploadId"]),
                         (True, 2 * 64 * 1024, partial["uploadId"]), resumed)
        self.assertEqual(resumed["sha256"], hashlib.sha256(scan).hexdigest())
        self.assertEqual(resumed["sizeBytes"], str(len(scan)))

        # The organization sees both, with the same hashes.
        self.login("admin", "dev-admin")
        listed = self.odr("evidence", "list", case)
        self.assertEqual([(e["name"], e["sha256"]) for e in listed["evidence"]],
                         [(uploaded["name"], uploaded["sha256"]),
                          (resumed["name"], resumed["sha256"])])

        # The organization accepts the case and proposes its mediator, who accepts; the
        # respondent agrees to mediation.
        self.login("mediator", "dev-mediator")
        self.odr("case", "accept", case)
        self.odr("case", "assign", case, "--mediator", "dev-org/dev-mediator")
        accepted = self.odr("case", "accept-assignment", case, "--no-conflict", profile="mediator")
        self.assertEqual(accepted["state"], "STATE_MEDIATOR_ASSIGNED")
        self.assertEqual(
            self.odr("case", "contact-respondent", case, "--agreed", profile="mediator")["state"],
            "STATE_MEDIATING")

        # slots, then book the first one for both sides by video.
        who = ["--participant", "applicants/0", "--participant", "respondents/0"]
        slots = self.partner_app_json("slots", case, "--duration", "1h", "--max", "3", *who)
        self.assertTrue(slots["slots"], slots)
        slot = slots["slots"][0]
        self.assertRegex(slot["startTime"], r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\+08:00$")
        booked = self.partner_app_json("book", case, "--kind", "joint-video",
                                       "--start", slot["startTime"], "--end", slot["endTime"],
                                       "--appointment-id", "first-session", *who)
        self.assertEqual(booked["name"], case + "/appointments/first-session")
        self.assertEqual(booked["state"], "STATE_SCHEDULED")
        self.assertEqual(booked["kind"], "KIND_JOINT_VIDEO")
        self.assertEqual((booked["startTime"], booked["endTime"]),
                         (slot["startTime"], slot["endTime"]))
        self.assertEqual(booked["mediator"], "principals/dev-mediator")
        self.assertEqual(booked["participants"],
                         ["principals/dev-mediator", "applicants/0", "respondents/0"])
        # The citizen's own link only.
        self.assertEqual(booked["joinAs"], "applicants/0")
        self.assertTrue(booked["joinUri"].startswith(VIDEO_URL_PREFIX), booked)
        self.assertIn("token=", booked["joinUri"])
        # The mediator sees it booked.
        appointments = self.odr("appointment", "list", case, profile="mediator")["appointments"]
        self.assertEqual([a["name"] for a in appointments], [booked["name"]])

        # The same slot again: refused, with the code and the reason on stderr.
        conflict = self.partner_app("book", case, "--kind", "phone", "--start", slot["startTime"],
                                    "--end", slot["endTime"], "--participant", "applicants/0")
        self.assertEqual(conflict.returncode, 1, describe(conflict))
        self.assertEqual(conflict.stdout, "")
        self.assertIn("BookAppointment: FAILED_PRECONDITION (9)", conflict.stderr)
        self.assertIn("reason: SLOT_CONFLICT", conflict.stderr)

        # A case the citizen may not see: NOT_FOUND, exit status 3.
        hidden = self.partner_app("slots", "cases/0123456789abcdef01234567", "--duration", "1h")
        self.assertEqual(hidden.returncode, 3, describe(hidden))
        self.assertIn("NOT_FOUND", hidden.stderr)

    def test_bindings_for_every_language(self):
        """odr_bindings (proto/bindings.cmake) generated every proto's bindings in each language."""
        expected = {
            "cpp": ["odr/v1/case_service.pb.h", "odr/v1/case_service.grpc.pb.h",
                    "odr/v1/evidence.grpc.pb.cc", "odr/v1/court.grpc.pb.h"],
            "python": ["odr/v1/case_service_pb2.py", "odr/v1/case_service_pb2_grpc.py",
                       "odr/v1/confirmation_pb2_grpc.py", "odr/v1/error_pb2.py"],
            "php": ["Odr/V1/CaseServiceClient.php", "Odr/V1/PBCase.php",
                    "GPBMetadata/Odr/V1/CaseService.php"],
            "ruby": ["odr/v1/case_service_pb.rb", "odr/v1/case_service_services_pb.rb",
                     "odr/v1/evidence_services_pb.rb"],
            "node": ["case_service.ts", "odr/v1/CaseService.ts", "odr/v1/Case.ts",
                     "odr/v1/ErrorDetails.ts"],
        }
        proto_dir = os.path.join(REPO, "proto", "odr", "v1")
        protos = sorted(f[:-len(".proto")] for f in os.listdir(proto_dir) if f.endswith(".proto"))
        for proto in protos:
            expected["cpp"].append(f"odr/v1/{proto}.pb.cc")
            expected["python"].append(f"odr/v1/{proto}_pb2.py")
            expected["ruby"].append(f"odr/v1/{proto}_pb.rb")
            expected["node"].append(f"{proto}.ts")
        for language, files in expected.items():
            for name in files:
                path = os.path.join(ARGS.bindings_dir, language, name)
                with self.subTest(language=language, file=name):
                    self.assertTrue(os.path.isfile(path) and os.path.getsize(path) > 0,
                                    f"{path} missing or empty: build the odr_bindings target")

        # The Python bindings import with Debian's grpcio and protobuf.
        result = run(["/usr/bin/python3", "-c",
                      "from odr.v1 import case_service_pb2_grpc, case_pb2\n"
                      "print(case_pb2.Case.DESCRIPTOR.full_name)"],
                     dict(os.environ, PYTHONPATH=os.path.join(ARGS.bindings_dir, "python")))
        self.assertEqual((result.returncode, result.stdout.strip()), (0, "odr.v1.Case"),
                         describe(result))


def main():
    global ARGS
    ARGS, rest = parse_args(__doc__.split("\n")[0])
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == "__main__":
    main()
