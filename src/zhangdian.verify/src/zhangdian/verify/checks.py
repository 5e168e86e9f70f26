"""The checks of an evidence bundle, each a `Check` with a code, a verdict and its details.

Everything is judged from the bundle and what the verifier's user supplies (the bureau CA as
anchor, the log key), with no network: pyHanko validates the decision's signature, its
timestamps and the signer's chain at the time the timestamp proves, against the CRLs and
certificates the bundle and the PDF's DSS carry; `merkle` checks every journal entry's inclusion
proof against the signed, timestamped tree head.
"""

from asn1crypto import cms
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from io import BytesIO
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation import async_validate_pdf_timestamp
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import ValidationError
from zhangdian.verify import merkle

import asyncio
import base64
import hashlib
import json
import zipfile


REQUIRED_FILES = (
    "manifest.json",
    "decision.pdf",
    "signature.json",
    "signer-certificate.der",
    "journal.json",
)
LOG_HEAD = "log/head.json"
LOG_KEY = "log/log-key.pem"
LOG_PROOFS = "log/proofs.json"
ACTIVE = "active"
# The bureau's decisions may be signed with digitalSignature or nonRepudiation keys.
# pyHanko's own KeyUsage constraint (nonRepudiation by default) would refuse a certificate
# without KeyUsage, which the portal's binding accepts; an empty set switches it off, and the
# portal's `signer_refusal` applies its one KeyUsage rule instead.
_SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage=set())
_UNCHECKABLE = (SignatureValidationError, ValidationError, ValueError, KeyError, TypeError)


@dataclass
class Check:
    """One check: `code` (a MESSAGES key), whether it holds, why not, and its placeholders."""

    code: str
    ok: bool
    reason: str | None = None
    details: dict = field(default_factory=dict)
    # A warning never fails the bundle; it tells the user what was taken on trust.
    warning: bool = False


@dataclass
class Report:
    """All checks of one bundle; `ok` only when each one holds."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self):
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, code, ok, reason=None, **details):
        self.checks.append(Check(code, ok, reason, details))

    def warn(self, code, **details):
        self.checks.append(Check(code, True, None, details, warning=True))

    def failed(self):
        """The codes of the checks that fail, with their reasons: (code, reason) pairs."""
        return [(check.code, check.reason) for check in self.checks if not check.ok]


class Bundle:
    """The files of an evidence bundle (ZIP), by name."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            self.files = {
                info.filename: archive.read(info)
                for info in archive.infolist()
                if not info.is_dir()
            }

    def json(self, name, default=None):
        """The parsed JSON file `name`, or `default` if the bundle lacks it."""
        return json.loads(self.files[name]) if name in self.files else default

    def under(self, folder):
        """The contents of the files under `folder`/, by name order."""
        prefix = folder.rstrip("/") + "/"
        return [data for name, data in sorted(self.files.items()) if name.startswith(prefix)]


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, or the one DER certificate `data` is."""
    if pem.detect(data):
        return [
            x509.load_der_x509_certificate(der)
            for kind, _headers, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        ]
    return [x509.load_der_x509_certificate(data)]


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _crl_der(data: bytes) -> bytes:
    """A CRL as DER, from DER or PEM."""
    if pem.detect(data):
        _kind, _headers, data = pem.unarmor(data)
    return data


def fingerprint(der: bytes) -> str:
    """A certificate's SHA-256 as the portal records it: upper-case hex pairs joined by colons."""
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


def verify_bundle(data, anchors, log_key_pem=None, tsa_anchors=None) -> Report:
    """Check the evidence bundle `data` (bytes) against `anchors` and the log key."""
    return asyncio.run(_verify_bundle(data, list(anchors), log_key_pem, tsa_anchors))


async def _verify_bundle(data, anchors, log_key_pem, tsa_anchors) -> Report:
    report = Report()
    try:
        bundle = Bundle(data)
    except (zipfile.BadZipFile, ValueError, OSError):
        report.add("bundle", False, "not_a_bundle")
        return report
    if not check_manifest(bundle, report):
        return report
    certificates = [
        cert for data in bundle.under("certificates") for cert in load_certificates(data)
    ]
    crls = [_crl_der(data) for data in bundle.under("crls")]
    signer = await check_decision(
        bundle, anchors, tsa_anchors or anchors, certificates, crls, report
    )
    head = await check_log(bundle, log_key_pem, tsa_anchors or anchors, certificates, crls, report)
    if head is not None:
        check_entries(bundle, head, report)
    check_decision_entry(bundle, signer, report)
    return report


def check_manifest(bundle, report) -> bool:
    """Whether every file the bundle needs is there and matches the manifest's SHA-256."""
    for name in REQUIRED_FILES:
        if name not in bundle.files:
            report.add("bundle", False, "missing_file", name=name)
            return False
    listed = bundle.json("manifest.json").get("files", {})
    for name, digest in sorted(listed.items()):
        if name not in bundle.files:
            report.add("bundle", False, "missing_file", name=name)
            return False
        if hashlib.sha256(bundle.files[name]).hexdigest() != digest:
            report.add("bundle", False, "digest_mismatch", name=name)
            return False
    for name in sorted(set(bundle.files) - set(listed) - {"manifest.json"}):
        report.add("bundle", False, "unlisted_file", name=name)
        return False
    report.add("bundle", True)
    return True


def _context(anchors, certificates, crls, moment=None):
    """Validation against `anchors` with the bundle's certificates and CRLs, fetching nothing."""
    return ValidationContext(
        trust_roots=[_asn1(anchor) for anchor in anchors],
        other_certs=[_asn1(cert) for cert in certificates],
        crls=list(crls),
        allow_fetching=False,
        revocation_mode="soft-fail",
        # A CRL issued after the signature that does not list the certificate by then counts.
        retroactive_revinfo=True,
        moment=moment,
    )


def _dss(reader):
    """The certificates and CRLs the PDF's document security store embeds (DER)."""
    dss = reader.root.get("/DSS")
    if dss is None:
        return None, [], []
    dss = dss.get_object()
    certs = [x509.load_der_x509_certificate(s.get_object().data) for s in dss.get("/Certs", ())]
    crls = [s.get_object().data for s in dss.get("/CRLs", ())]
    return dss, certs, crls


def timestamp_holds(status) -> bool:
    """Whether a timestamp status is intact, valid and from a trusted TSA."""
    return bool(status is not None and status.intact and status.valid and status.trusted)


def covers_document(status) -> bool:
    """The signature covers the file, or only validation data and timestamps were added after."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    level = status.modification_level
    # Bytes after the signed revision that pyHanko finds no change in are not a revision.
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level == ModificationLevel.LTA_UPDATES
    )


async def check_decision(bundle, anchors, tsa_anchors, certificates, crls, report):
    """Check the decision PDF's signature, chain, revocation and timestamps; the signer's DER."""
    try:
        reader = PdfFileReader(BytesIO(bundle.files["decision.pdf"]), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        report.add("pdf_signature", False, "unreadable_pdf")
        return None
    approvals = [s for s in signatures if s.sig_object.get("/Type") != "/DocTimeStamp"]
    if not approvals:
        report.add("pdf_signature", False, "unsigned")
        return None
    signature = approvals[-1]
    dss, dss_certs, dss_crls = _dss(reader)
    certificates = [*certificates, *dss_certs]
    crls = [*crls, *dss_crls]
    timestamp_context = _context(tsa_anchors, certificates, crls)
    try:
        status = await validate_signature(
            signature, _context(anchors, certificates, crls), timestamp_context
        )
        if timestamp_holds(status.timestamp_validity):
            # The timestamp proves when it was signed: the signer is judged at that moment.
            moment = status.timestamp_validity.timestamp
            context = _context(anchors, certificates, crls, moment)
            status = await validate_signature(signature, context, timestamp_context)
    except _UNCHECKABLE as error:
        report.add("pdf_signature", False, "invalid", error=str(error))
        return None
    if not status.intact:
        report.add("pdf_signature", False, "changed")
        return None
    if not status.valid:
        report.add("pdf_signature", False, "invalid")
    elif not covers_document(status):
        report.add("pdf_signature", False, "appended")
    else:
        report.add("pdf_signature", True)
    signer_der = status.signing_cert.dump()
    signer = x509.load_der_x509_certificate(signer_der)
    timestamp = status.timestamp_validity
    moment = timestamp.timestamp if timestamp_holds(timestamp) else status.signer_reported_dt
    _check_signer(status, signer, moment, report)
    await _check_timestamps(signatures, timestamp, timestamp_context, report)
    if dss is not None:
        report.add("validation_data", True)
    else:
        # Valid today; once the signer's certificate expires only the bundle's CRLs help.
        report.warn("no_validation_data")
    if bundle.files["signer-certificate.der"] != signer_der:
        report.add("bundle", False, "signer_certificate_differs")
    return signer


async def validate_signature(signature, context, timestamp_context):
    """pyHanko's status of `signature` under the bureau's key-usage rule (portal and verifier)."""
    return await async_validate_pdf_signature(
        signature,
        context,
        ts_validation_context=timestamp_context,
        key_usage_settings=_SIGNER_KEY_USAGE,
    )


def _check_signer(status, signer, moment, report):
    """The signer's chain to the anchor, and its revocation, at the moment it signed."""
    if status.revoked:
        revoked_at = status.revocation_details.revocation_date if status.revocation_details else ""
        report.add("signer_revocation", False, "revoked", time=str(revoked_at))
        return
    report.add("signer_revocation", True)
    if moment is not None and moment > signer.not_valid_after_utc:
        report.add("signer_chain", False, "expired_at_signing")
    elif not status.trusted:
        report.add("signer_chain", False, "untrusted")
    else:
        report.add("signer_chain", True, subject=signer.issuer.rfc4514_string())


async def _check_timestamps(signatures, signature_timestamp, timestamp_context, report):
    """The signature's timestamp and every document timestamp after it hold."""
    if signature_timestamp is None:
        report.add("pdf_timestamps", False, "no_timestamp")
        return
    if not timestamp_holds(signature_timestamp):
        report.add("pdf_timestamps", False, "tsa_untrusted")
        return
    for document_timestamp in signatures:
        if document_timestamp.sig_object.get("/Type") != "/DocTimeStamp":
            continue
        try:
            status = await async_validate_pdf_timestamp(
                document_timestamp, validation_context=timestamp_context
            )
        except _UNCHECKABLE:
            status = None
        if not timestamp_holds(status):
            report.add("pdf_timestamps", False, "tsa_untrusted")
            return
    report.add("pdf_timestamps", True, time=signature_timestamp.timestamp.isoformat())


def _load_log_key(pem_bytes):
    try:
        return serialization.load_pem_public_key(pem_bytes)
    except (ValueError, TypeError):
        return None


def verify_head_signature(head, key) -> str | None:
    """Why the head's signature does not verify with `key`, or None when it does."""
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if head.get("log_id") != hashlib.sha256(spki).hexdigest():
        return "log_id_mismatch"
    data = merkle.head_bytes(head)
    try:
        signature = base64.b64decode(head["signature"], validate=True)
        algorithm = head.get("signature_algorithm")
        if algorithm == "ecdsa-sha256" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif algorithm == "rsa-pkcs1v15-sha256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return "unknown_algorithm"
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return "bad_signature"
    return None


async def check_log(bundle, log_key_pem, tsa_anchors, certificates, crls, report):
    """The tree head's signature by the log key and its timestamp; the head, or None."""
    head = bundle.json(LOG_HEAD)
    if head is None:
        report.add("head_signature", False, "no_log")
        return None
    if log_key_pem is None:
        log_key_pem = bundle.files.get(LOG_KEY)
        report.warn("log_key_self_supplied")
    key = _load_log_key(log_key_pem) if log_key_pem else None
    if key is None:
        report.add("log_key", False, "bad_key")
        return None
    reason = verify_head_signature(head, key)
    report.add(
        "head_signature",
        reason is None,
        reason,
        tree_size=head.get("tree_size"),
        timestamp=head.get("timestamp"),
    )
    await _check_head_timestamp(head, tsa_anchors, certificates, crls, report)
    return head if reason is None else None


async def _check_head_timestamp(head, tsa_anchors, certificates, crls, report):
    """The RFC 3161 token of the head is over SHA-256(head_bytes) by a trusted TSA."""
    data = merkle.head_bytes(head)
    try:
        token = cms.ContentInfo.load(base64.b64decode(head["timestamp_token"], validate=True))
        status = await validate_tst_signed_data(
            token["content"],
            _context(tsa_anchors, certificates, crls),
            lambda algorithm: hashlib.new(algorithm, data).digest(),
        )
    except (*_UNCHECKABLE, KeyError):
        report.add("head_timestamp", False, "tsa_untrusted")
        return
    if not status.get("intact"):
        report.add("head_timestamp", False, "imprint_mismatch")
    elif not (status.get("valid") and status.get("trust_problem_indic") is None):
        report.add("head_timestamp", False, "tsa_untrusted")
    else:
        report.add("head_timestamp", True, time=status["timestamp"].isoformat())


def check_entries(bundle, head, report):
    """Every journal entry has an inclusion proof under the head, and no proof is left over."""
    proofs = bundle.json(LOG_PROOFS, [])
    root = bytes.fromhex(head["root_hash"])
    for proof in proofs:
        entry = proof["entry"]
        leaf = merkle.leaf_hash(merkle.leaf_bytes(entry))
        path = [bytes.fromhex(node) for node in proof["audit_path"]]
        if not merkle.verify_inclusion(proof["leaf_index"], head["tree_size"], leaf, path, root):
            report.add(
                "inclusion", False, "bad_proof", index=proof["leaf_index"], seq=entry.get("seq")
            )
            return
    report.add("inclusion", True, count=len(proofs))
    journal = [merkle.canonical_json(entry) for entry in bundle.json("journal.json")]
    proven = [merkle.canonical_json(proof["entry"]) for proof in proofs]
    for missing in journal:
        if missing not in proven:
            report.add("journal_complete", False, "entry_without_proof", seq=_seq(missing))
            return
    for extra in proven:
        if extra not in journal:
            report.add("journal_complete", False, "proof_without_entry", seq=_seq(extra))
            return
    report.add("journal_complete", True)


def _seq(canonical):
    return json.loads(canonical).get("seq")


def revision_hashes(pdf: bytes) -> set[str]:
    """The SHA-256 of the PDF and of each earlier revision it extends (up to each %%EOF).

    The journal names the decision as signed; archive timestamps added later extend it, and
    the signature check has already required that nothing but those followed the signature.
    """
    hashes = {hashlib.sha256(pdf).hexdigest()}
    position = pdf.find(b"%%EOF")
    while position != -1:
        end = position + len(b"%%EOF")
        while end < len(pdf) and pdf[end : end + 1] in (b"\r", b"\n"):
            end += 1
        hashes.add(hashlib.sha256(pdf[:end]).hexdigest())
        position = pdf.find(b"%%EOF", end)
    return hashes


def check_decision_entry(bundle, signer, report):
    """The journal entry of the decision names its document, certificate and authorisation."""
    documents = revision_hashes(bundle.files["decision.pdf"])
    entries = [
        entry
        for entry in bundle.json("journal.json")
        if (entry.get("after") or {}).get("document_sha256") in documents
    ]
    if not entries:
        report.add("decision_entry", False, "no_decision_entry")
        return
    entry = entries[-1]
    authorization = bundle.json("authorization.json")
    signer_fp = fingerprint(signer.public_bytes(serialization.Encoding.DER)) if signer else None
    if signer_fp is None or entry.get("fingerprint") != signer_fp:
        report.add("decision_entry", False, "fingerprint_mismatch")
    elif authorization is None:
        report.add("decision_entry", False, "no_authorization")
    elif entry["after"].get("authorization") != authorization.get("uid"):
        report.add("decision_entry", False, "authorization_mismatch")
    else:
        report.add("decision_entry", True)
    if authorization is not None:
        check_authorization(authorization, entry, signer_fp, report)


def check_authorization(authorization, entry, signer_fp, report):
    """The authorisation was active on the decision's day and bound the signing certificate."""
    # The day as the portal wrote it (the bureau's time zone), as authorisation terms are.
    decided = datetime.fromisoformat(entry["at"]).date()
    details = {
        "valid_from": authorization.get("valid_from"),
        "valid_until": authorization.get("valid_until"),
    }
    state = authorization.get("state_at_decision")
    try:
        start = date.fromisoformat(authorization["valid_from"])
        end = date.fromisoformat(authorization["valid_until"])
    except (KeyError, TypeError, ValueError):
        start = end = None
    if state != ACTIVE:
        report.add("authorization", False, "not_active", state=state, **details)
    elif start is None or not start <= decided <= end:
        report.add("authorization", False, "outside_term", date=decided.isoformat(), **details)
    elif authorization.get("certificate_fingerprint") != signer_fp:
        report.add("authorization", False, "other_certificate", **details)
    else:
        report.add("authorization", True, **details)
