"""A decision takes effect only with the approver's verified signature (密钥仅用于授权范围内).

`prepare_signature` renders the decision document and returns what the key must sign, with a
one-time nonce kept on the application. `complete_signature` embeds the signature value,
verifies the signed PDF, the trust chain and that the signing certificate is the one bound to
the approver's current authorisation for this matter, then fires the decision transition with
the verified document. The agent (USB key on the approver's PC) and the server-side token
(`sign_with_server_token`) go through these same two steps.
"""

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from dataclasses import asdict
from dataclasses import dataclass
from datetime import timedelta
from persistent.mapping import PersistentMapping
from plone import api
from pyhanko_certvalidator.errors import PathError
from pyhanko_certvalidator.errors import RevokedError
from pyhanko_certvalidator.errors import ValidationError
from zhangdian.approval import _
from zhangdian.approval.body import bad_field
from zhangdian.approval.casework.decisions import BUREAU_NAME
from zhangdian.approval.casework.decisions import DECISIONS
from zhangdian.approval.casework.decisions import decision_data
from zhangdian.approval.casework.decisions import decision_problems
from zhangdian.approval.certificates import CertificateError
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.certificates import load_certificate
from zhangdian.approval.clock import now
from zhangdian.approval.documents.decision_document import SIGNATURE_BOX
from zhangdian.approval.documents.decision_document import SIGNATURE_FIELD
from zhangdian.approval.documents.decision_document import SIGNATURE_PAGE
from zhangdian.approval.documents.decision_document import TITLES
from zhangdian.approval.documents.decision_document import render_decision
from zhangdian.approval.documents.decision_document import signing_summary
from zhangdian.approval.errors import Refused
from zhangdian.approval.roster.certificates import trust_anchors
from zhangdian.approval.rules.application import DECIDED_STATES
from zhangdian.approval.rules.application import may_act
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.signing.errors import SignatureRejected
from zhangdian.approval.signing.errors import SigningError
from zhangdian.approval.signing.errors import portal_errors_for_signer_errors
from zhangdian.approval.signing.long_term import add_long_term_data
from zhangdian.approval.signing.pin_attempts import check_not_locked
from zhangdian.approval.signing.pin_attempts import count_right_pin
from zhangdian.approval.signing.pin_attempts import count_wrong_pin
from zhangdian.approval.signing.prepare import complete
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.signing.routes import is_offered
from zhangdian.approval.signing.routes import signing_route
from zhangdian.approval.signing.trust import check_signing_certificate
from zhangdian.approval.signing.verify import LEVEL_B_B
from zhangdian.approval.signing.verify import LEVEL_B_T
from zhangdian.approval.signing.verify import PROBLEMS
from zhangdian.approval.signing.verify import verify
from zhangdian.signer.token import sign_data_with_token
from zhangdian.signer.token import token_certificate
from ZODB.POSException import ConflictError
from zope.annotation.interfaces import IAnnotations
from zope.i18nmessageid import Message

import base64
import hashlib
import random
import secrets
import time
import transaction


PENDING_KEY = "zhangdian.approval.pending_signatures"
NONCE_LIFETIME = timedelta(minutes=10)
# Every decision appends to the one audit journal, so concurrent decisions on different
# applications conflict at commit; with four at once three attempts ran out (503) in the
# benchmark. Retries redo only the recording (~50 ms), spread by a growing random pause.
COMMIT_ATTEMPTS = 10
RETRY_PAUSE = 0.05
# PKCS#11 tokens take PINs of at most 255 bytes (SoftHSM2's limit; USB keys take fewer).
MAX_PIN_BYTES = 255

MESSAGES = {
    "not_available": _(
        "sign_not_available",
        default="This decision cannot be taken on the application in its current state.",
    ),
    "certificate_unreadable": _(
        "sign_certificate_unreadable",
        default="The certificate sent with the signature is not a readable X.509 certificate.",
    ),
    "no_bound_certificate": _(
        "sign_no_bound_certificate",
        default="No signing certificate is bound to your authorisation yet: ask the working "
        "group to bind your USB key's certificate.",
    ),
    "certificate_not_bound": _(
        "sign_certificate_not_bound",
        default="This key's certificate (${fingerprint}) is not the one bound to your current "
        "authorisation for this matter; sign with your own, registered USB key.",
    ),
    "nonce_unknown": _(
        "sign_nonce_unknown",
        default="This signing request is unknown for this application or was already used. "
        "Start the signature again.",
    ),
    "nonce_other_user": _(
        "sign_nonce_other_user",
        default="This signing request was started by another user.",
    ),
    "nonce_expired": _(
        "sign_nonce_expired",
        default="This signing request expired; start the signature again.",
    ),
    "certificate_mismatch": _(
        "sign_certificate_mismatch",
        default="The signature comes with another certificate than the one the document was "
        "prepared for.",
    ),
    "signature_invalid": _(
        "sign_signature_invalid",
        default="The signature does not match the certificate: the key that signed is not the "
        "key of this certificate.",
    ),
    "verification_failed": _(
        "sign_verification_failed",
        default="The signed document did not pass verification:",
    ),
    "not_found": _(
        "verify_not_found",
        default="No decided application matches this number and query code.",
    ),
    "already_decided": _(
        "sign_already_decided",
        default="This application has already been decided; your decision was not recorded "
        "and your signature was not used.",
    ),
    "busy": _(
        "sign_busy",
        default="The portal is busy with other changes to this application; nothing was "
        "recorded. Try again in a moment.",
    ),
    "server_signing_off": _(
        "sign_server_signing_off",
        default="Signing with a server-side token is not configured; use the signing agent "
        "with your USB key.",
    ),
    "agent_signing_off": _(
        "sign_agent_signing_off",
        default="This bureau does not offer signing with the signing agent; sign with the "
        "server token.",
    ),
}


class SignatureRefused(Refused):
    """A signature step refused: `.code` is stable, `.messages` are translatable."""

    def __init__(self, code, *messages, status=400):
        """Refuse with `code`; without `messages`, with the one MESSAGES holds for it."""
        super().__init__(*(messages or (MESSAGES[code],)), code=code, status=status)

    def __str__(self) -> str:
        """The code, then the English messages: tests and logs tell refusals by their code."""
        return f"{self.code}: {super().__str__()}"


@dataclass(frozen=True)
class SignedDecision:
    """A decision document whose signature was verified for one application and approver."""

    application_uid: str
    transition: str
    userid: str
    reason: str
    pdf: bytes
    signer_fingerprint: str
    signer_subject: str
    signer_certificate: bytes
    signing_time: object
    timestamp_time: object
    level: str
    authorization_uid: str

    def fits(self, application, transition):
        """True when this is the signed decision for `transition` on `application`."""
        return self.application_uid == api.content.get_uuid(application) and (
            self.transition == transition
        )

    def record(self):
        """What the application keeps about its signature (the PDF is stored separately)."""
        record = asdict(self)
        del record["pdf"]
        record["signer_certificate"] = base64.b64encode(self.signer_certificate).decode()
        record["document_sha256"] = hashlib.sha256(self.pdf).hexdigest()
        return record


def _not_bound(signer_fingerprint):
    """The refusal for a certificate that is not the one bound to the deciding authorisation."""
    message = Message(
        MESSAGES["certificate_not_bound"], mapping={"fingerprint": signer_fingerprint}
    )
    return SignatureRefused("certificate_not_bound", message, status=403)


def _pending(application):
    """The application's pending signatures by nonce (plain dicts), created on first use."""
    annotations = IAnnotations(application)
    if PENDING_KEY not in annotations:
        annotations[PENDING_KEY] = PersistentMapping()
    return annotations[PENDING_KEY]


def read_certificate(certificate):
    """The certificate given as DER, PEM text or a cryptography object."""
    if isinstance(certificate, x509.Certificate):
        return certificate
    try:
        return load_certificate(certificate)
    except (CertificateError, TypeError, ValueError) as error:
        raise SignatureRefused("certificate_unreadable") from error


def _bound_fingerprint(verdict):
    """The fingerprint bound to the verdict's authorisation, or refuse."""
    bound = verdict.authorization.certificate_fingerprint if verdict.authorization else None
    if not bound:
        raise SignatureRefused("no_bound_certificate", status=403)
    return bound


def _check_decision(application, transition, reason, userid, at):
    """Refuse unless `userid` may take this decision on the application now."""
    if transition not in DECISIONS:
        raise SignatureRefused("not_available")
    if api.content.get_state(application) in DECIDED_STATES:
        raise SignatureRefused("already_decided", status=409)
    workflow = api.portal.get_tool("portal_workflow")
    if transition not in {t["id"] for t in workflow.getTransitionsFor(application)}:
        raise SignatureRefused("not_available", status=403)
    problems = decision_problems(application, transition, reason, userid, at)
    if problems:
        raise SignatureRefused("not_allowed", *problems, status=403)
    return may_act(userid, application, at)


def _prepare(application, transition, reason, certificate, userid, moment):
    """Render and prepare the decision; return the reply and the entry that completes it."""
    reason = (reason or "").strip()
    verdict = _check_decision(application, transition, reason, userid, moment)
    bound = _bound_fingerprint(verdict)
    if certificate is None:
        certificate = verdict.authorization.certificate.data
    cert = read_certificate(certificate)
    if fingerprint(cert) != bound:
        raise _not_bound(fingerprint(cert))
    try:
        check_signing_certificate(cert, trust_anchors(), moment)
    except CertificateError as error:
        raise SignatureRefused(f"certificate_{error.reason}", error.messages[0]) from error
    decision = DECISIONS[transition]
    data = decision_data(application, decision, reason, userid, moment)
    document = render_decision(data)
    timestamp_url = signing_setting("timestamp_url") or None
    try:
        prepared = prepare(
            document,
            cert,
            field_name=SIGNATURE_FIELD,
            box=SIGNATURE_BOX,
            page=SIGNATURE_PAGE,
            reason=TITLES[decision],
            location=BUREAU_NAME,
            timestamp_url=timestamp_url,
        )
    except SigningError as error:
        raise SignatureRefused(error.code, *error.messages, status=error.status) from error
    expires = moment + NONCE_LIFETIME
    entry = {
        "userid": userid,
        "transition": transition,
        "reason": reason,
        "certificate": cert.public_bytes(Encoding.DER),
        "state": prepared.state,
        "expires": expires,
    }
    reply = {
        "expires": expires.isoformat(),
        "data_to_sign": base64.b64encode(prepared.data_to_sign).decode("ascii"),
        # The agent digests this itself and shows the decision it states, not the summary.
        "document": base64.b64encode(prepared.document).decode("ascii"),
        "digest_algorithm": prepared.digest_algorithm,
        "level": LEVEL_B_T if timestamp_url else LEVEL_B_B,
        "summary": {
            **signing_summary(data),
            "applicant": application.applicant_name,
            "reason": reason,
        },
    }
    return reply, entry


def prepare_signature(application, transition, reason, certificate=None, userid=None, at=None):
    """Render the decision and return the bytes to sign, a one-time nonce and a summary.

    `certificate` defaults to the one bound to the approver's authorisation; a certificate
    given (e.g. read from the token) must be that one.
    """
    if not is_offered("agent"):
        raise SignatureRefused("agent_signing_off", status=409)
    userid = userid or api.user.get_current().getId()
    moment = at or now()
    reply, entry = _prepare(application, transition, reason, certificate, userid, moment)
    pending = _pending(application)
    for stale in [n for n, old in pending.items() if old["expires"] < moment]:
        del pending[stale]
    nonce = secrets.token_urlsafe(24)
    pending[nonce] = entry
    return {"nonce": nonce, **reply}


def complete_signature(application, nonce, signature, certificate, userid=None, at=None):
    """Verify the signature of a prepared decision and record the decision with it.

    Nothing is changed unless every check passes; the nonce is used up only then.
    """
    userid = userid or api.user.get_current().getId()
    moment = at or now()
    pending = _pending(application)
    entry = pending.get(nonce) if isinstance(nonce, str) else None
    if entry is None:
        if api.content.get_state(application) in DECIDED_STATES:
            raise SignatureRefused("already_decided", status=409)
        raise SignatureRefused("nonce_unknown", status=409)
    if entry["userid"] != userid:
        raise SignatureRefused("nonce_other_user", status=403)
    if entry["expires"] < moment:
        raise SignatureRefused("nonce_expired", status=409)
    signed_decision = _record(application, entry, signature, certificate, userid, moment)
    del pending[nonce]
    return signed_decision


def _record(application, entry, signature, certificate, userid, moment):
    """Embed and verify the signature of a prepared entry, then take the decision with it."""
    if read_certificate(certificate).public_bytes(Encoding.DER) != entry["certificate"]:
        raise SignatureRefused("certificate_mismatch")
    timestamp_url = signing_setting("timestamp_url") or None
    try:
        signed = complete(entry["state"], signature, timestamp_url=timestamp_url)
    except SignatureRejected as error:
        raise SignatureRefused("signature_invalid") from error
    except SigningError as error:
        raise SignatureRefused(error.code, *error.messages, status=error.status) from error
    if timestamp_url:
        # B-LTA: validation data and a document timestamp, incremental, the signature untouched.
        anchors = [*trust_anchors(), *trust_anchors("timestamp_anchors")]
        try:
            signed = add_long_term_data(
                signed, read_certificate(certificate), anchors, timestamp_url
            )
        except RevokedError as error:
            raise SignatureRefused(
                "verification_failed", MESSAGES["verification_failed"], PROBLEMS["revoked"]
            ) from error
        except (PathError, ValidationError) as error:
            # No trusted path for the signer or the TSA: the signature as made says which.
            problems = verify_signed_decision(signed).problems or [PROBLEMS["tsa_untrusted"]]
            raise SignatureRefused(
                "verification_failed", MESSAGES["verification_failed"], *problems
            ) from error
    verification = verify_signed_decision(signed)
    if not verification.ok:
        raise SignatureRefused(
            "verification_failed", MESSAGES["verification_failed"], *verification.problems
        )
    verdict = _check_decision(application, entry["transition"], entry["reason"], userid, moment)
    if verification.signer_fingerprint != _bound_fingerprint(verdict):
        raise _not_bound(verification.signer_fingerprint)
    signed_decision = SignedDecision(
        application_uid=api.content.get_uuid(application),
        transition=entry["transition"],
        userid=userid,
        reason=entry["reason"],
        pdf=signed,
        signer_fingerprint=verification.signer_fingerprint,
        signer_subject=verification.signer_subject,
        signer_certificate=verification.signer_certificate,
        signing_time=verification.signing_time,
        timestamp_time=verification.timestamp_time,
        level=verification.level,
        authorization_uid=api.content.get_uuid(verdict.authorization),
    )
    api.portal.get_tool("portal_workflow").doActionFor(
        application,
        entry["transition"],
        comment=entry["reason"],
        signed_decision=signed_decision,
    )
    return signed_decision


def commit_signed_decision(record):
    """Run `record` and commit; on a ZODB conflict redo `record` alone, never the signing.

    A signature is an outside effect: Zope would retry the whole request on a conflict and
    sign again. Committing here and retrying only the recording (same signature, fresh state)
    makes one signature end in at most one decision; if another request decided meanwhile,
    the retry refuses with `already_decided`.
    """
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            signed_decision = record()
            transaction.commit()
        except ConflictError:
            transaction.abort()
            time.sleep(random.uniform(0, RETRY_PAUSE * (attempt + 1)))  # noqa: S311 - jitter
            continue
        return signed_decision
    raise SignatureRefused("busy", status=503)


def _keep_wrong_pin(label, userid, commit):
    """Count a wrong PIN; with `commit`, in a transaction of its own that the refusal keeps.

    The publisher aborts a request that raised, which would forget the count: so the request's
    transaction (nothing but checks so far) is dropped and the count committed alone, retried
    on a conflict (the journal's head) without trying the PIN again. Without `commit` the
    caller's transaction holds the count.
    """
    if not commit:
        count_wrong_pin(label, userid)
        return
    for attempt in range(COMMIT_ATTEMPTS):
        transaction.abort()
        try:
            count_wrong_pin(label, userid)
            transaction.commit()
        except ConflictError:
            time.sleep(random.uniform(0, RETRY_PAUSE * (attempt + 1)))  # noqa: S311 - jitter
            continue
        return
    transaction.abort()
    raise SignatureRefused("busy", status=503)


def sign_with_server_token(
    application, transition, reason, pin, userid=None, at=None, commit=False
):
    """Sign the decision with the approver's token on the server (the route names its label).

    With `commit`, the decision is committed through `commit_signed_decision`, so that a
    conflict retry records the one signature made instead of signing again.
    """
    userid = userid or api.user.get_current().getId()
    moment = at or now()
    if not is_offered("server"):
        raise SignatureRefused("server_signing_off", status=409)
    library = signing_setting("pkcs11_module")
    label = signing_route("server").token_label(userid)
    # Before the token is touched: who may not decide, or whose token the portal locked,
    # learns it without a PIN attempt.
    _check_decision(application, transition, (reason or "").strip(), userid, moment)
    check_not_locked(label)
    # No token takes an empty PIN or one this long (C_Login answers CKR_PIN_LEN_RANGE, which
    # it does not count): refused as input, so that it is neither tried nor counted.
    if not pin or len(pin.encode("utf-8", "surrogatepass")) > MAX_PIN_BYTES:
        raise bad_field("pin")
    try:
        with portal_errors_for_signer_errors():
            certificate = token_certificate(library, label)
        prepared, entry = _prepare(application, transition, reason, certificate, userid, moment)
        with portal_errors_for_signer_errors():
            signature, cert_der = sign_data_with_token(
                library, label, pin, base64.b64decode(prepared["data_to_sign"])
            )
    except SigningError as error:
        if error.code == "wrong_pin":
            _keep_wrong_pin(label, userid, commit)
        raise SignatureRefused(error.code, *error.messages, status=error.status) from error

    def record():
        count_right_pin(label)
        return _record(application, entry, signature, cert_der, userid, moment)

    return commit_signed_decision(record) if commit else record()


def verify_signed_decision(pdf_bytes):
    """pyHanko's verdict on the decision signature, against the configured anchors."""
    return verify(
        pdf_bytes,
        trust_anchors(),
        field_name=SIGNATURE_FIELD,
        timestamp_anchors=trust_anchors("timestamp_anchors"),
    )
