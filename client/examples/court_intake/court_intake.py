#!/usr/bin/python3
"""Court intake example: a court's system on odr's generated Python bindings, over mutual TLS.

What a court's intake window (立案窗口) runs against odrd: it diverts disputes into pre-filing
mediation or entrusts filed suits to mediation (CourtService.DivertCase, --procedure), follows
every such case to its outcome (ListDivertedCases), reads the referrals of failed mediations
(ListReferrals: to file as litigation, or to resume the trial), records how it concluded a settled
post-filing suit (ConcludeCase), and works through its queue of judicial-confirmation applications
(ConfirmationService): fetch the court bundle and verify the agreement's signatures offline,
accept or refuse, ask for materials, rule.

The court system authenticates with its client certificate alone (no API key, no token): odrd
maps the certificate's DNS subject-alternative name to the court principal registered with
`odrd admin create-principal --role court --certificate-name NAME`.

One command a run; JSON on stdout; errors on stderr with the gRPC code and the ErrorDetails
reason. Exit status: 0 ok, 1 failure, 2 usage, 3 not found, 4 not authenticated.

Needs Debian's python3-grpcio and python3-protobuf (run it with /usr/bin/python3), the Python
bindings of the odr_bindings target (--bindings-dir or ODR_PYTHON_BINDINGS), and for the
signature check python3-cryptography. See README.md next to this file.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import sys
import time

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_UNAUTHENTICATED = 0, 1, 2, 3, 4

HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHINA = datetime.timezone(datetime.timedelta(hours=8))

DISPUTE_TYPES = ["medical", "neighbour", "labour", "debt-contract", "family-inheritance",
                 "traffic-accident", "property-land", "consumer-ecommerce", "other"]
PROCEDURES = ["pre-filing", "post-filing-ordinary", "post-filing-simple"]
OUTCOMES = ["pending", "settled", "confirmed", "referred", "ended", "trial-resumed",
            "mediation-statement", "suit-withdrawn"]
CONCLUSIONS = {"statement": "KIND_MEDIATION_STATEMENT", "withdrawn": "KIND_SUIT_WITHDRAWN"}
REFUSAL_GROUNDS = ["no-jurisdiction", "personal-status", "special-procedure",
                   "property-ownership", "other"]
REJECTION_GROUNDS = ["violates-mandatory-law", "harms-others-interests", "public-order",
                     "not-voluntary", "unclear", "other"]


class UsageError(Exception):
    pass


def enum_value(enum_type, prefix, text):
    """`labour` / `LABOUR` / `DISPUTE_TYPE_LABOUR` -> the enum's number."""
    name = text.strip().upper().replace("-", "_")
    if not name.startswith(prefix):
        name = prefix + name
    try:
        return enum_type.Value(name)
    except ValueError:
        raise UsageError(f"unknown value {text!r}") from None


class Bindings:
    """The generated modules, imported from the bindings dir."""

    def __init__(self, bindings_dir):
        if not bindings_dir:
            raise UsageError("give --bindings-dir or ODR_PYTHON_BINDINGS: the python/ directory "
                             "the odr_bindings target generates (BUILD/bindings/python)")
        if not os.path.isfile(os.path.join(bindings_dir, "odr", "v1", "court_pb2.py")):
            raise UsageError(f"{bindings_dir} holds no odr/v1/court_pb2.py: build the "
                             "odr_bindings target")
        sys.path.insert(0, bindings_dir)
        import grpc  # noqa: E402  (Debian's python3-grpcio)
        from google.protobuf import json_format, timestamp_pb2
        from odr.v1 import (agreement_pb2, auth_pb2, auth_pb2_grpc, case_pb2, confirmation_pb2,
                            confirmation_pb2_grpc, court_pb2, court_pb2_grpc, error_pb2)
        self.grpc = grpc
        self.json_format = json_format
        self.timestamp_pb2 = timestamp_pb2
        self.auth_pb2, self.auth_grpc = auth_pb2, auth_pb2_grpc
        self.agreement_pb2, self.case_pb2 = agreement_pb2, case_pb2
        self.confirmation_pb2, self.confirmation_grpc = confirmation_pb2, confirmation_pb2_grpc
        self.court_pb2, self.court_grpc = court_pb2, court_pb2_grpc
        self.error_pb2 = error_pb2


def read_file(path, what):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise UsageError(f"{what}: cannot read {path}: {e.strerror}") from None


class Court:
    """A mutual-TLS channel to odrd as the court system, and the stubs."""

    def __init__(self, b, args):
        self.b = b
        self.timeout = args.timeout_per_call
        if not args.server:
            raise UsageError("give --server HOST:PORT (or ODR_SERVER)")
        for flag in ("ca", "cert", "key"):
            if not getattr(args, flag):
                raise UsageError(f"give --{flag} (or ODR_TLS_{flag.upper()}): the court system "
                                 "connects with mutual TLS only")
        credentials = b.grpc.ssl_channel_credentials(
            root_certificates=read_file(args.ca, "--ca"),
            private_key=read_file(args.key, "--key"),
            certificate_chain=read_file(args.cert, "--cert"))
        options = []
        if args.server_name:
            options.append(("grpc.ssl_target_name_override", args.server_name))
        self.channel = b.grpc.secure_channel(args.server, credentials, options=options)
        self.courts = b.court_grpc.CourtServiceStub(self.channel)
        self.confirmations = b.confirmation_grpc.ConfirmationServiceStub(self.channel)
        self.auth = b.auth_grpc.AuthServiceStub(self.channel)
        self._court = args.court

    def call(self, method, request):
        """Calls `method` (a stub's bound method) with the per-call timeout."""
        return method(request, timeout=self.timeout)

    def court(self):
        """The court's name, `courts/{court}`: --court, else the caller's own court."""
        if self._court:
            return self._court if self._court.startswith("courts/") else "courts/" + self._court
        caller = self.call(self.auth.GetCaller, self.b.auth_pb2.GetCallerRequest())
        if not caller.court:
            raise UsageError(f"{caller.name} is not a court principal; give --court")
        self._court = caller.court
        return self._court


def to_json(b, message):
    return b.json_format.MessageToDict(message)


def print_json(value):
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def list_all(court, method, request, field):
    """Every page of a List method; returns the items."""
    items = []
    while True:
        response = court.call(method, request)
        items.extend(getattr(response, field))
        if not response.next_page_token:
            return items
        request.page_token = response.next_page_token


def case_name(text):
    if not re.fullmatch(r"cases/[^/]+", text):
        raise UsageError(f"CASE must be cases/ID, not {text!r}")
    return text


def confirmation_name(text):
    if not re.fullmatch(r"cases/[^/]+/confirmations/[^/]+", text):
        raise UsageError(f"NAME must be cases/CASE/confirmations/ID, not {text!r}")
    return text


# --- the commands --------------------------------------------------------------------------------

def cmd_whoami(court, args):
    caller = court.call(court.auth.GetCaller, court.b.auth_pb2.GetCallerRequest())
    print_json(to_json(court.b, caller))


def cmd_divert(court, args):
    b = court.b
    try:
        parties = json.loads(read_file(args.parties, "--parties").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise UsageError(f"--parties: not JSON: {e}") from None
    case = b.case_pb2.Case()
    try:
        b.json_format.ParseDict({"applicants": parties.get("applicants", []),
                                 "respondents": parties.get("respondents", [])}, case)
    except (b.json_format.ParseError, AttributeError) as e:
        raise UsageError(f"--parties: {e}") from None
    # As in the partner-app example: a natural person with a resident ID card unless given.
    for party in list(case.applicants) + list(case.respondents):
        if not party.kind:
            party.kind = b.case_pb2.PARTY_KIND_NATURAL_PERSON
        for person in [party] + list(party.agents):
            if not person.id_document_type:
                person.id_document_type = b.case_pb2.ID_DOCUMENT_TYPE_RESIDENT_ID_CARD
    case.organization = (args.organization if args.organization.startswith("organizations/")
                         else "organizations/" + args.organization)
    case.dispute_type = enum_value(b.case_pb2.DisputeType, "DISPUTE_TYPE_", args.type)
    case.region_code = args.region
    case.summary = args.summary
    case.claims = args.claims
    if args.amount:
        if not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", args.amount):
            raise UsageError("--amount: yuan with at most 2 decimals")
        yuan, _, fen = args.amount.partition(".")
        case.amount_fen = int(yuan) * 100 + int((fen + "00")[:2])
    diversion = case.source.court_diversion
    diversion.court = court.court()
    diversion.intake_reference = args.intake_ref
    diversion.diversion_date = args.diversion_date or datetime.datetime.now(CHINA).date().isoformat()
    if args.court_name:
        diversion.court_display_name = args.court_name
    diversion.procedure = enum_value(b.case_pb2.Procedure, "PROCEDURE_", args.procedure)
    created = court.call(court.courts.DivertCase, b.court_pb2.DivertCaseRequest(case=case))
    # Names, numbers and states only: the parties' personal data stays out of the output.
    print_json({"name": created.name, "caseNumber": created.case_number,
                "state": b.case_pb2.Case.State.Name(created.state),
                "route": b.case_pb2.Route.Name(created.route),
                "intakeReference": created.source.court_diversion.intake_reference,
                "organization": created.organization})


def diverted_json(b, d):
    return {
        "case": d.case,
        "caseNumber": d.case_number,
        "intakeReference": d.intake_reference,
        "diversionDate": d.diversion_date,
        "route": b.case_pb2.Route.Name(d.route),
        "state": b.case_pb2.Case.State.Name(d.state),
        "outcome": b.court_pb2.DiversionOutcome.Name(d.outcome),
        "confirmationState": b.confirmation_pb2.Confirmation.State.Name(d.confirmation_state),
        "organization": d.organization,
        "updateTime": d.update_time.ToJsonString() if d.HasField("update_time") else None,
    }


def cmd_follow(court, args):
    b = court.b

    def diverted(outcome_filter=0):
        request = b.court_pb2.ListDivertedCasesRequest(parent=court.court(),
                                                        outcome=outcome_filter)
        return list_all(court, court.courts.ListDivertedCases, request, "cases")

    if args.wait_outcome is None:
        outcome_filter = (enum_value(b.court_pb2.DiversionOutcome, "DIVERSION_OUTCOME_",
                                     args.outcome) if args.outcome else 0)
        cases = [diverted_json(b, d) for d in diverted(outcome_filter)
                 if not args.case or d.case == args.case]
        print_json({"court": court.court(), "cases": cases})
        return EXIT_OK
    if not args.case:
        raise UsageError("--wait-outcome needs --case cases/ID")
    wanted = enum_value(b.court_pb2.DiversionOutcome, "DIVERSION_OUTCOME_", args.wait_outcome)
    deadline = time.monotonic() + args.timeout
    last = None
    while True:
        for d in diverted():
            if d.case == args.case:
                last = d
                if d.outcome == wanted:
                    print_json(diverted_json(b, d))
                    return EXIT_OK
        if time.monotonic() >= deadline:
            break
        time.sleep(min(args.interval, max(0.0, deadline - time.monotonic())))
    seen = ("not among the court's diverted cases" if last is None else
            f"outcome {b.court_pb2.DiversionOutcome.Name(last.outcome)}, state "
            f"{b.case_pb2.Case.State.Name(last.state)}")
    print(f"follow: {args.case} did not reach "
          f"{b.court_pb2.DiversionOutcome.Name(wanted)} in {args.timeout:g} s ({seen})",
          file=sys.stderr)
    return EXIT_FAILURE


def cmd_referrals(court, args):
    b = court.b
    request = b.court_pb2.ListReferralsRequest(parent=court.court())
    referrals = list_all(court, court.courts.ListReferrals, request, "referrals")
    # Each with its kind (KIND_REFERRED_FOR_FILING: file it; KIND_TRIAL_RESUMED: resume the
    # trial) and, when the closing recorded one, costConduct (OMR Art. 21).
    print_json({"court": court.court(), "referrals": [to_json(b, r) for r in referrals]})


def cmd_conclude(court, args):
    b = court.b
    request = b.court_pb2.ConcludeCaseRequest(
        name=case_name(args.case),
        conclusion=b.case_pb2.CaseEnding.Kind.Value(CONCLUSIONS[args.conclusion]),
        court_document=args.document, note=args.note, etag=args.etag,
        request_id=args.request_id)
    concluded = court.call(court.courts.ConcludeCase, request)
    # Names, states and the ending only: the parties' personal data stays out of the output.
    print_json({"name": concluded.name, "caseNumber": concluded.case_number,
                "state": b.case_pb2.Case.State.Name(concluded.state),
                "route": b.case_pb2.Route.Name(concluded.route),
                "ending": to_json(b, concluded.ending)})


def cmd_queue(court, args):
    b = court.b
    state = enum_value(b.confirmation_pb2.Confirmation.State, "STATE_", args.state)
    request = b.confirmation_pb2.ListConfirmationsRequest(parent=court.court(), state=state)
    confirmations = list_all(court, court.confirmations.ListConfirmations, request,
                             "confirmations")
    print_json({"court": court.court(),
                "confirmations": [to_json(b, c) for c in confirmations]})


def load_ed25519():
    """Ed25519PublicKey of python3-cryptography, or None when it is not installed."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        return Ed25519PublicKey
    except ImportError:
        return None


# --- The evidence log, verified offline (RFC 6962 / RFC 9162 Merkle proofs, C2SP signed notes) ---

ROLE_NAMES = {1: "citizen", 2: "mediator", 3: "org_admin", 4: "court"}


def _sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(leaf):
    return _sha256(b"\x00" + leaf)


def node_hash(left, right):
    return _sha256(b"\x01" + left + right)


def root_from_inclusion(index, size, leaf_h, path):
    """The root an RFC 9162 (2.1.3.2) inclusion proof leads to, or None if it is malformed."""
    if index < 0 or index >= size:
        return None
    fn, sn, r = index, size - 1, leaf_h
    for p in path:
        if sn == 0 or len(p) != 32:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def parse_verifier_key(vkey):
    """(name, key hash, raw Ed25519 key) of `<name>+<8 hex>+<base64(0x01 || key)>`.

    The name has no '+', but the base64 key may: split on the first two only."""
    import base64
    import binascii
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3 or not parts[0] or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
        raise ValueError("not <name>+<8 hex digits>+<base64 key>")
    try:
        key = base64.b64decode(parts[2], validate=True)
    except binascii.Error:
        raise ValueError("the key is not base64")
    if len(key) != 33 or key[0] != 1:
        raise ValueError("not an Ed25519 key (type byte 0x01 and 32 bytes)")
    key_hash = _sha256(parts[0].encode("utf-8") + b"\n" + key)[:4]
    if key_hash.hex() != parts[1]:
        raise ValueError("the key hash does not match the name and key")
    return parts[0], key_hash, key[1:]


def open_checkpoint(note, vkey, Ed25519PublicKey):
    """(origin, size, root) of a signed checkpoint note if the pinned key signed it, else raises."""
    import base64
    name, key_hash, raw = parse_verifier_key(vkey)
    body, sep, sigs = note.rpartition("\n\n")
    if not sep:
        raise ValueError("not a signed note")
    body += "\n"
    verifier = Ed25519PublicKey.from_public_bytes(raw)
    signed = False
    for line in sigs.split("\n"):
        if not line:
            continue
        m = re.fullmatch("\u2014 (\\S+) (\\S+)", line)
        if not m:
            raise ValueError("a malformed signature line")
        sig = base64.b64decode(m.group(2))
        if m.group(1) != name or sig[:4] != key_hash:
            continue
        verifier.verify(sig[4:], body.encode("utf-8"))  # raises InvalidSignature
        signed = True
    if not signed:
        raise ValueError("no signature by the pinned log key")
    lines = body.split("\n")
    if len(lines) < 4 or lines[0] != name or not re.fullmatch(r"0|[1-9][0-9]*", lines[1]):
        raise ValueError("not a checkpoint of this log")
    root = base64.b64decode(lines[2], validate=True)
    if len(root) != 32:
        raise ValueError("the root is not 32 bytes")
    return lines[0], int(lines[1]), root


def parse_leaf(text):
    """The fields of an `odr-evidence/v1` leaf (docs/evidence.md), or raises."""
    lines = text.split("\n")
    keys = ["case", "evidence", "sha256", "size", "media-type", "uploader-role", "time"]
    if len(lines) != 9 or lines[0] != "odr-evidence/v1" or lines[8] != "":
        raise ValueError("not an odr-evidence/v1 leaf")
    fields = {}
    for key, line in zip(keys, lines[1:8]):
        prefix = key + ": "
        if not line.startswith(prefix):
            raise ValueError(f"the leaf has no {key}")
        fields[key] = line[len(prefix):]
    return fields


def check_evidence(e, case_name, log_key, Ed25519PublicKey):
    """Problems with one bundle evidence item, its proof checked against the pinned log key."""
    p = e.proof
    if not p.leaf_data or not p.checkpoint:
        return ["no proof (leaf and signed checkpoint) in the bundle"]
    try:
        _, size, root = open_checkpoint(p.checkpoint, log_key, Ed25519PublicKey)
    except Exception as x:  # ValueError, InvalidSignature
        return [f"the checkpoint is not signed by the log key ({x or type(x).__name__})"]
    if p.tree_size != size:
        return ["the proof is not for the checkpoint's tree size"]
    try:
        leaf = parse_leaf(p.leaf_data)
    except ValueError as x:
        return [f"the leaf: {x}"]
    problems = []
    if leaf["evidence"] != e.evidence or leaf["case"] != case_name:
        problems.append("the leaf is for other evidence or another case")
    if leaf["sha256"] != e.sha256 or leaf["size"] != str(e.size_bytes):
        problems.append("the bundle's SHA-256 or size is not what the log recorded")
    if leaf["uploader-role"] != ROLE_NAMES.get(e.uploader_role, "?"):
        problems.append("the uploader role is not what the log recorded")
    r = root_from_inclusion(p.leaf_index, p.tree_size, leaf_hash(p.leaf_data.encode("utf-8")),
                            list(p.inclusion_path))
    if r is None or r != root:
        problems.append("the inclusion proof does not lead to the checkpoint's root")
    return problems


def check_bundle(b, bundle, log_key=None, agreement_key=None):
    """The offline checks of a court bundle; returns (summary, problems).

    `log_key` is the evidence log's pinned verifier key and `agreement_key` the pinned agreement
    key (raw 32 bytes); without them the evidence proofs, and whether the bundle's agreement key
    is the right one, cannot be checked, and that is a problem too."""
    problems = []
    agreement = bundle.agreement
    public_key = bundle.agreement_public_key
    if agreement_key is None:
        problems.append("no agreement key pinned (--agreement-key): the bundle's own key is "
                        "trusted")
    elif agreement_key != public_key:
        problems.append("the bundle's agreement key is not the pinned agreement key")
    key_id = hashlib.sha256(public_key).hexdigest()[:16]
    if len(public_key) != 32:
        problems.append(f"the agreement public key has {len(public_key)} bytes, not 32")
    if bundle.agreement_key_id != key_id:
        problems.append(f"agreement_key_id {bundle.agreement_key_id!r} is not the key's "
                        f"{key_id!r}")
    case_name = bundle.case.name
    if (not case_name or not agreement.name.startswith(case_name + "/agreements/")
            or agreement.name != bundle.confirmation.agreement
            or not bundle.confirmation.name.startswith(case_name + "/confirmations/")):
        problems.append("the agreement is not the one the application of this case is for")
    text_hash = hashlib.sha256(agreement.text.encode("utf-8")).hexdigest()
    if agreement.content_hash != text_hash:
        problems.append(f"the agreement's content_hash is not the SHA-256 of its text")

    Ed25519PublicKey = load_ed25519()
    verifier = None
    if Ed25519PublicKey is None:
        problems.append("python3-cryptography is not installed: signatures not verified")
    elif len(public_key) == 32:
        verifier = Ed25519PublicKey.from_public_bytes(public_key)
    signatures = []
    if not agreement.signatures:
        problems.append("the agreement has no signatures")
    for s in agreement.signatures:
        verified = False
        if verifier is not None:
            try:
                verifier.verify(s.signature, s.statement.encode("utf-8"))
                verified = True
            except Exception:  # cryptography.exceptions.InvalidSignature
                problems.append(f"the signature of {s.signer} does not verify")
        lines = s.statement.split("\n")
        if agreement.content_hash not in lines or agreement.name not in lines:
            problems.append(f"the statement of {s.signer} does not name this agreement and "
                            "its content hash")
            verified = False
        if s.key_id != key_id:
            problems.append(f"the signature of {s.signer} is by key {s.key_id}, not {key_id}")
            verified = False
        signatures.append({
            "signer": s.signer,
            "role": b.agreement_pb2.AgreementSignature.Role.Name(s.role),
            "principal": s.principal,
            "signTime": s.sign_time.ToJsonString(),
            "verified": verified,
        })
    if agreement.pending_signers:
        problems.append("signatures pending: " + ", ".join(agreement.pending_signers))

    evidence = []
    if bundle.evidence and log_key is None:
        problems.append("no log key pinned (--log-key): evidence proofs not verified")
    for e in bundle.evidence:
        sha_ok = bool(HEX64.match(e.sha256))
        if not sha_ok:
            problems.append(f"{e.evidence}: sha256 is not 64 lowercase hex digits")
        proof_problems = ["not checked"]
        if log_key is not None and Ed25519PublicKey is not None:
            proof_problems = check_evidence(e, bundle.case.name, log_key, Ed25519PublicKey)
            problems.extend(f"{e.evidence}: {p}" for p in proof_problems)
        proof_ok = not proof_problems
        evidence.append({"evidence": e.evidence, "sha256": e.sha256, "sizeBytes": e.size_bytes,
                         "logIndex": e.log_index, "logSize": e.log_size,
                         "proofHashes": len(e.inclusion_proof), "sha256Ok": sha_ok,
                         "proofOk": proof_ok})

    c = bundle.confirmation
    summary = {
        "confirmation": c.name,
        "state": b.confirmation_pb2.Confirmation.State.Name(c.state),
        "case": bundle.case.name,
        "caseNumber": bundle.case.case_number,
        "organization": bundle.organization,
        "mediators": list(bundle.mediators),
        "agreement": agreement.name,
        "revision": agreement.revision,
        "agreementState": b.agreement_pb2.Agreement.State.Name(agreement.state),
        "contentHash": agreement.content_hash,
        "contentHashOk": agreement.content_hash == text_hash,
        "keyId": key_id,
        "signatures": signatures,
        "signaturesVerified": bool(signatures) and all(s["verified"] for s in signatures),
        "evidence": evidence,
        "timelineEvents": len(bundle.timeline),
        "problems": problems,
    }
    return summary, problems


def read_key_arg(value):
    """A key given on the command line, or the first line of the file it names."""
    if os.path.isfile(value):
        with open(value, encoding="utf-8") as f:
            return f.readline().strip()
    return value.strip()


def read_agreement_key(value):
    """Raw 32 bytes of base64, or of the `ed25519 <base64>` line `odrd admin agreement-key` prints."""
    import base64
    import binascii
    text = value
    if os.path.isfile(value):
        with open(value, encoding="utf-8") as f:
            lines = [l.strip() for l in f if l.strip()]
        text = next((l[len("ed25519 "):] for l in lines if l.startswith("ed25519 ")),
                    lines[0] if lines else "")
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise UsageError("--agreement-key: not base64 of a 32-byte Ed25519 key, nor a file as "
                         "`odrd admin agreement-key` prints it")
    return raw


def cmd_bundle(court, args):
    b = court.b
    bundle = court.call(court.confirmations.GetCourtBundle,
                        b.confirmation_pb2.GetCourtBundleRequest(name=confirmation_name(args.name)))
    if args.file:
        with open(os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
                  encoding="utf-8") as f:
            json.dump(to_json(b, bundle), f, ensure_ascii=False, indent=2)
            f.write("\n")
    return report_bundle(b, bundle, args)


def bundle_keys(args):
    """The pinned keys given to `bundle` or `verify-bundle` (None where not given)."""
    log_key = agreement_key = None
    if args.log_key:
        log_key = read_key_arg(args.log_key)
        try:
            parse_verifier_key(log_key)
        except ValueError as x:
            raise UsageError(f"--log-key: {x}")
    if args.agreement_key:
        agreement_key = read_agreement_key(args.agreement_key)
    return log_key, agreement_key


def report_bundle(b, bundle, args):
    """Checks `bundle` with the keys in `args`; prints the summary and each problem."""
    log_key, agreement_key = bundle_keys(args)
    summary, problems = check_bundle(b, bundle, log_key, agreement_key)
    print_json(summary)
    for p in problems:
        print(f"bundle: {p}", file=sys.stderr)
    return EXIT_FAILURE if problems else EXIT_OK


def cmd_verify_bundle(b, args):
    try:
        with open(args.file, encoding="utf-8") as f:
            bundle = b.json_format.Parse(f.read(), b.confirmation_pb2.CourtBundle())
    except (OSError, b.json_format.ParseError) as x:
        print(f"verify-bundle: cannot read {args.file}: {x}", file=sys.stderr)
        return EXIT_FAILURE
    return report_bundle(b, bundle, args)


def print_confirmation(court, confirmation):
    print_json(to_json(court.b, confirmation))


def cmd_accept(court, args):
    pb = court.b.confirmation_pb2
    print_confirmation(court, court.call(court.confirmations.AcceptConfirmation,
                                         pb.AcceptConfirmationRequest(
                                             name=confirmation_name(args.name), etag=args.etag)))


def cmd_request_materials(court, args):
    pb = court.b.confirmation_pb2
    print_confirmation(court, court.call(court.confirmations.RequestMaterials,
                                         pb.RequestMaterialsRequest(
                                             name=confirmation_name(args.name), note=args.note,
                                             due_days=args.due_days, etag=args.etag)))


def cmd_refuse(court, args):
    pb = court.b.confirmation_pb2
    ground = enum_value(pb.RefusalGround, "REFUSAL_GROUND_", args.ground)
    print_confirmation(court, court.call(court.confirmations.RefuseConfirmation,
                                         pb.RefuseConfirmationRequest(
                                             name=confirmation_name(args.name), ground=ground,
                                             note=args.note, etag=args.etag)))


def cmd_rule(court, args):
    pb = court.b.confirmation_pb2
    request = pb.RuleConfirmationRequest(name=confirmation_name(args.name),
                                         ruling_number=args.ruling_number, note=args.note,
                                         etag=args.etag)
    if args.valid:
        if args.ground:
            raise UsageError("--ground is for --rejected only")
        request.outcome = pb.RuleConfirmationRequest.OUTCOME_VALID
    else:
        if not args.ground:
            raise UsageError("--rejected needs at least one --ground")
        request.outcome = pb.RuleConfirmationRequest.OUTCOME_REJECTED
        request.grounds.extend(enum_value(pb.RejectionGround, "REJECTION_GROUND_", g)
                               for g in args.ground)
    print_confirmation(court, court.call(court.confirmations.RuleConfirmation, request))


def parse_time(text, flag):
    """An ISO 8601 time; without an offset it is China time (UTC+08:00)."""
    try:
        t = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag}: not a time, e.g. 2031-03-04T09:00 or 2031-03-04T09:00+08:00")
    return t if t.tzinfo else t.replace(tzinfo=CHINA)


def timestamp(b, t):
    ts = b.timestamp_pb2.Timestamp()
    ts.FromDatetime(t.astimezone(datetime.timezone.utc).replace(tzinfo=None))
    return ts


def cmd_call_parties(court, args):
    pb = court.b.confirmation_pb2
    print_confirmation(court, court.call(court.confirmations.CallParties, pb.CallPartiesRequest(
        name=confirmation_name(args.name),
        appearance_time=timestamp(court.b, parse_time(args.at, "--at")), place=args.place,
        etag=args.etag)))


def cmd_extend_ruling(court, args):
    pb = court.b.confirmation_pb2
    print_confirmation(court, court.call(court.confirmations.ExtendRulingPeriod,
                                         pb.ExtendRulingPeriodRequest(
                                             name=confirmation_name(args.name), days=args.days,
                                             approval=args.approval, etag=args.etag)))


def cmd_extend_party_time(court, args):
    pb = court.b.confirmation_pb2
    period = {"materials": pb.PartyTimeExtension.PERIOD_MATERIALS,
              "objection": pb.PartyTimeExtension.PERIOD_OBJECTION}[args.period]
    print_confirmation(court, court.call(court.confirmations.ExtendPartyTime,
                                         pb.ExtendPartyTimeRequest(
                                             name=confirmation_name(args.name), period=period,
                                             party=args.party, until_date=args.until,
                                             reason=args.reason,
                                             obstacle_end_date=args.obstacle_end,
                                             etag=args.etag)))


def cmd_rule_withdrawal(court, args):
    pb = court.b.confirmation_pb2
    outcome = {"granted": pb.RuleWithdrawalRequest.OUTCOME_GRANTED,
               "refused": pb.RuleWithdrawalRequest.OUTCOME_REFUSED,
               "deemed": pb.RuleWithdrawalRequest.OUTCOME_DEEMED_WITHDRAWN}[args.outcome]
    print_confirmation(court, court.call(court.confirmations.RuleWithdrawal,
                                         pb.RuleWithdrawalRequest(
                                             name=confirmation_name(args.name), outcome=outcome,
                                             ruling_number=args.ruling_number, note=args.note,
                                             etag=args.etag)))


def cmd_served(court, args):
    pb = court.b.confirmation_pb2
    print_confirmation(court, court.call(court.confirmations.RecordRulingService,
                                         pb.RecordRulingServiceRequest(
                                             name=confirmation_name(args.name),
                                             service_time=timestamp(court.b,
                                                                    parse_time(args.at, "--at")),
                                             etag=args.etag)))


def cmd_record_objection(court, args):
    pb = court.b.confirmation_pb2
    print_confirmation(court, court.call(court.confirmations.FileObjection,
                                         pb.FileObjectionRequest(
                                             name=confirmation_name(args.name),
                                             interested_person=args.interested_person,
                                             harm_known_date=args.harm_known_date,
                                             reason=args.reason)))


def cmd_decide_objection(court, args):
    pb = court.b.confirmation_pb2
    print_confirmation(court, court.call(court.confirmations.DecideObjection,
                                         pb.DecideObjectionRequest(
                                             name=confirmation_name(args.name),
                                             objection=args.objection,
                                             upheld=args.decision == "upheld",
                                             ruling_number=args.ruling_number, note=args.note,
                                             etag=args.etag)))


# --- errors and the command line -----------------------------------------------------------------

def report_rpc_error(b, method, e):
    """Prints `Method: CODE (n): message` and the ErrorDetails on stderr; returns the exit
    status."""
    code = e.code()
    print(f"{method}: {code.name} ({code.value[0]}): {e.details()}", file=sys.stderr)
    raw = dict(e.trailing_metadata() or ()).get("grpc-status-details-bin")
    if raw:
        try:
            status = b.error_pb2.ErrorStatus.FromString(raw)
            for any_details in status.details:
                details = b.error_pb2.ErrorDetails.FromString(any_details.value)
                if details.reason:
                    print(f"reason: {details.reason}", file=sys.stderr)
                if details.current_state:
                    print(f"current state: {details.current_state}", file=sys.stderr)
                for v in details.field_violations:
                    print(f"field {v.field}: {v.description}", file=sys.stderr)
                for k in sorted(details.metadata):
                    print(f"{k}: {details.metadata[k]}", file=sys.stderr)
        except Exception:  # a malformed trailer must not hide the code
            pass
    grpc = b.grpc
    if code == grpc.StatusCode.NOT_FOUND:
        return EXIT_NOT_FOUND
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return EXIT_UNAUTHENTICATED
    return EXIT_FAILURE


COMMANDS = {
    "whoami": (cmd_whoami, "GetCaller"),
    "divert": (cmd_divert, "DivertCase"),
    "follow": (cmd_follow, "ListDivertedCases"),
    "referrals": (cmd_referrals, "ListReferrals"),
    "conclude": (cmd_conclude, "ConcludeCase"),
    "queue": (cmd_queue, "ListConfirmations"),
    "bundle": (cmd_bundle, "GetCourtBundle"),
    "accept": (cmd_accept, "AcceptConfirmation"),
    "request-materials": (cmd_request_materials, "RequestMaterials"),
    "refuse": (cmd_refuse, "RefuseConfirmation"),
    "rule": (cmd_rule, "RuleConfirmation"),
    "call-parties": (cmd_call_parties, "CallParties"),
    "extend-ruling": (cmd_extend_ruling, "ExtendRulingPeriod"),
    "extend-party-time": (cmd_extend_party_time, "ExtendPartyTime"),
    "rule-withdrawal": (cmd_rule_withdrawal, "RuleWithdrawal"),
    "served": (cmd_served, "RecordRulingService"),
    "record-objection": (cmd_record_objection, "FileObjection"),
    "decide-objection": (cmd_decide_objection, "DecideObjection"),
    "verify-bundle": (None, ""),
}


def parser():
    env = os.environ.get
    p = argparse.ArgumentParser(
        prog="court_intake.py", description=__doc__.split("\n")[0],
        epilog="Exit status: 0 ok, 1 failure, 2 usage, 3 not found, 4 not authenticated.")
    p.add_argument("--server", default=env("ODR_SERVER"), help="odrd, HOST:PORT [ODR_SERVER]")
    p.add_argument("--ca", default=env("ODR_TLS_CA"), help="PEM CA that issued odrd's "
                   "certificate [ODR_TLS_CA]")
    p.add_argument("--cert", default=env("ODR_TLS_CERT"),
                   help="the court system's PEM client certificate [ODR_TLS_CERT]")
    p.add_argument("--key", default=env("ODR_TLS_KEY"),
                   help="its PEM private key [ODR_TLS_KEY]")
    p.add_argument("--server-name", default=env("ODR_TLS_SERVER_NAME"),
                   help="expect this name in odrd's certificate instead of --server's host")
    p.add_argument("--court", default=env("ODR_COURT"),
                   help="courts/ID; default: the court of the certificate's principal")
    p.add_argument("--bindings-dir", default=env("ODR_PYTHON_BINDINGS"),
                   help="the generated Python bindings, BUILD/bindings/python "
                        "[ODR_PYTHON_BINDINGS]")
    p.add_argument("--timeout-per-call", type=float, default=30.0, metavar="S",
                   help="seconds for each call (default 30)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("whoami", help="the principal the certificate authenticates")

    d = sub.add_parser("divert", help="divert a dispute into pre-filing mediation, or entrust "
                       "a filed suit to mediation with --procedure post-filing-* (DivertCase)")
    d.add_argument("--intake-ref", required=True, help="the court's intake reference, "
                   "e.g. (2026)浙0681诉前调1号; the same one again returns the same case")
    d.add_argument("--parties", required=True, metavar="FILE", help='JSON {"applicants": '
                   '[Party...], "respondents": [Party...]} in protobuf JSON (case.proto)')
    d.add_argument("--organization", required=True, help="organizations/ID or ID")
    d.add_argument("--type", required=True, help="dispute type: " + ", ".join(DISPUTE_TYPES))
    d.add_argument("--region", required=True, help="six-digit division code, e.g. 330681")
    d.add_argument("--summary", required=True)
    d.add_argument("--claims", required=True)
    d.add_argument("--amount", help="amount in dispute, yuan")
    d.add_argument("--diversion-date", help="YYYY-MM-DD (default: today, China time)")
    d.add_argument("--court-name", help="the court's name for people, e.g. 诸暨市人民法院")
    d.add_argument("--procedure", default="pre-filing", help=", ".join(PROCEDURES))

    f = sub.add_parser("follow", help="the court's diverted cases and their outcomes")
    f.add_argument("--case", help="only this case, cases/ID")
    f.add_argument("--outcome", help="only this outcome: " + ", ".join(OUTCOMES))
    f.add_argument("--wait-outcome", metavar="OUTCOME",
                   help="poll until --case reaches this outcome; exit 1 after --timeout")
    f.add_argument("--timeout", type=float, default=60.0, metavar="S")
    f.add_argument("--interval", type=float, default=0.5, metavar="S")

    sub.add_parser("referrals", help="failed mediations back in the court's queue: to file as "
                   "litigation (pre-filing) or to resume the trial (post-filing)")

    co = sub.add_parser("conclude", help="record how the court concluded a settled post-filing "
                        "suit: SETTLED -> CONCLUDED (ConcludeCase)")
    co.add_argument("case", metavar="CASE", help="cases/ID, entrusted by this court after filing")
    co.add_argument("--conclusion", required=True, choices=sorted(CONCLUSIONS),
                    help="statement: the court made a mediation statement (调解书); withdrawn: "
                         "the plaintiff withdrew the suit (撤诉)")
    co.add_argument("--document", required=True, metavar="NUMBER",
                    help="the statement's or the withdrawal ruling's number, e.g. "
                         "(2026)浙0681民初123号")
    co.add_argument("--note", default="", help="the court's note (optional)")
    co.add_argument("--etag", default="", help="act only if the case is unchanged since this etag")
    co.add_argument("--request-id", default="", help="idempotency key: the same one again "
                    "returns the case as it is now instead of acting twice")

    q = sub.add_parser("queue", help="confirmation applications before the court")
    q.add_argument("--state", default="submitted", help="submitted (default), accepted, "
                   "materials-requested, refused, ruled-valid, ruled-rejected, withdrawn")

    bu = sub.add_parser("bundle", help="fetch and verify an application's court bundle")
    bu.add_argument("name", metavar="NAME", help="cases/CASE/confirmations/ID")
    bu.add_argument("--file", help="also save the whole bundle here, as protobuf JSON")
    bu.add_argument("--log-key", help="the evidence log's verifier key (pinned; `odrd admin "
                    "log-key`), or a file holding it: verifies every evidence proof")
    bu.add_argument("--agreement-key", help="the agreement-signing key (pinned; `odrd admin "
                    "agreement-key`), base64 or a file: must be the bundle's key")

    vb = sub.add_parser("verify-bundle", help="verify a saved bundle offline (no connection)")
    vb.add_argument("file", metavar="FILE", help="a bundle saved with `bundle --file`")
    vb.add_argument("--log-key", required=True, help="the evidence log's pinned verifier key, or "
                    "a file holding it")
    vb.add_argument("--agreement-key", required=True, help="the pinned agreement-signing key, "
                    "base64 or a file")

    for verb, text in (("accept", "accept (file) the application"),
                       ("request-materials", "ask the applicants for more materials"),
                       ("refuse", "refuse to accept the application"),
                       ("rule", "rule the agreement valid, or reject the application")):
        c = sub.add_parser(verb, help=text)
        c.add_argument("name", metavar="NAME", help="cases/CASE/confirmations/ID")
        c.add_argument("--etag", default="", help="act only if unchanged since this etag")
        if verb == "request-materials":
            c.add_argument("--note", required=True, help="what is missing")
            c.add_argument("--due-days", type=int, required=True,
                           help="days the parties have, 1-60 (CPL Interpretation Arts. 354, 356)")
        if verb == "refuse":
            c.add_argument("--ground", required=True, help=", ".join(REFUSAL_GROUNDS))
            c.add_argument("--note", required=True, help="the court's reasons")
        if verb == "rule":
            outcome = c.add_mutually_exclusive_group(required=True)
            outcome.add_argument("--valid", action="store_true")
            outcome.add_argument("--rejected", action="store_true")
            c.add_argument("--ruling-number", required=True, help="e.g. (2026)浙0681民特1号")
            c.add_argument("--ground", action="append", default=[],
                           help="with --rejected, repeatable: " + ", ".join(REJECTION_GROUNDS))
            c.add_argument("--note", default="", help="the reasons (required with --rejected)")

    # After filing and after the ruling (CPL Interpretation Arts. 356, 357, 372; CPL Art. 187).
    def confirmation_parser(verb, text):
        c = sub.add_parser(verb, help=text)
        c.add_argument("name", metavar="NAME", help="cases/CASE/confirmations/ID")
        return c
    c = confirmation_parser("call-parties", "call both parties to appear together (Art. 356)")
    c.add_argument("--at", required=True, help="when, e.g. 2031-03-04T09:00 (China time)")
    c.add_argument("--place", required=True, help="where")
    c.add_argument("--etag", default="")
    c = confirmation_parser("extend-ruling", "extend the ruling period with the president's "
                            "approval (CPL Art. 187)")
    c.add_argument("--days", type=int, required=True, help="1-365")
    c.add_argument("--approval", required=True, help="the president's approval, e.g. its number")
    c.add_argument("--etag", default="")
    c = confirmation_parser("extend-party-time", "give a party late for a good reason more time "
                            "for materials or an objection (CPL Art. 86)")
    c.add_argument("--period", required=True, choices=["materials", "objection"])
    c.add_argument("--party", required=True, help="the party who applied, e.g. respondents/0")
    c.add_argument("--until", required=True, help="the new last day, YYYY-MM-DD (China time)")
    c.add_argument("--obstacle-end", required=True,
                   help="YYYY-MM-DD the obstacle ended; the party applies within 10 days of it")
    c.add_argument("--reason", required=True, help="the party's good reason")
    c.add_argument("--etag", default="")
    c = confirmation_parser("rule-withdrawal", "grant or refuse a withdrawal request, or treat "
                            "the application as withdrawn (Art. 357)")
    c.add_argument("--outcome", required=True, choices=["granted", "refused", "deemed"])
    c.add_argument("--ruling-number", default="", help="required with granted and deemed")
    c.add_argument("--note", default="")
    c.add_argument("--etag", default="")
    c = confirmation_parser("served", "record when the parties received the ruling: their 15 "
                            "days to object start (Art. 372)")
    c.add_argument("--at", required=True, help="when, e.g. 2031-03-04T09:00 (China time)")
    c.add_argument("--etag", default="")
    c = confirmation_parser("record-objection", "record an interested person's objection to a "
                            "ruling that confirmed the agreement (Art. 372, 6 months)")
    c.add_argument("--interested-person", required=True, help="who")
    c.add_argument("--harm-known-date", required=True, help="YYYY-MM-DD they knew of the harm")
    c.add_argument("--reason", required=True)
    c = confirmation_parser("decide-objection", "uphold or dismiss an objection (Art. 372)")
    c.add_argument("--objection", required=True, help="its id")
    c.add_argument("--decision", required=True, choices=["upheld", "dismissed"])
    c.add_argument("--ruling-number", required=True)
    c.add_argument("--note", default="")
    c.add_argument("--etag", default="")
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    handler, method = COMMANDS[args.command]
    try:
        b = Bindings(args.bindings_dir)
        if args.command == "verify-bundle":  # offline: no connection at all
            return cmd_verify_bundle(b, args)
        court = Court(b, args)
        try:
            status = handler(court, args)
        finally:
            court.channel.close()
        return EXIT_OK if status is None else status
    except UsageError as e:
        print(f"{p.prog} {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:  # grpc.RpcError, once the bindings are imported
        grpc = sys.modules.get("grpc")
        if grpc is not None and isinstance(e, grpc.RpcError) and hasattr(e, "code"):
            return report_rpc_error(b, method, e)
        raise


if __name__ == "__main__":
    sys.exit(main())
