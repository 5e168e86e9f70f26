"""Signed tree heads (RFC 9162 §4.10 in JSON), signed by the bureau's log key on its token.

A head is issued in the database (`Journal.heads`, by tree size) and, once that transaction
has committed, published outside it: one JSON line appended to the heads file (a directory an
operator may point at a WORM share), and an e-mail to the supervisors. A database rolled back
by undo, an older backup or a console edit no longer holds, or contradicts, a head published
before: `verify_journal` names it.

The log key's token label and PIN come from the instance's configuration (environment or the
zope.conf product-config `zhangdian.approval`), never from the database an administrator can
edit; the PKCS#11 module is the signing settings' `pkcs11_module`.
"""

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa
from datetime import UTC
from datetime import timedelta
from pathlib import Path
from plone import api
from zhangdian.approval.audit.journal import journal
from zhangdian.approval.audit.journal import token_imprint
from zhangdian.approval.audit.journal import tsa_timestamp
from zhangdian.approval.clock import now
from zhangdian.approval.rules.oversight import is_supervisor
from zhangdian.approval.settings import signing_setting
from zhangdian.signer.token import sign_data_with_token
from zhangdian.signer.token import token_certificate
from zhangdian.verify import merkle

import base64
import hashlib
import json
import logging
import os


logger = logging.getLogger(__name__)

PRODUCT = "zhangdian.approval"
# Setting → (environment variable, product-config key, default).
LOG_SETTINGS = {
    "heads_dir": ("ZHANGDIAN_LOG_HEADS_DIR", "log-heads-dir", None),
    "token_label": ("ZHANGDIAN_LOG_TOKEN", "log-token", "bureau-log"),
    "pin": ("ZHANGDIAN_LOG_PIN", "log-pin", None),
    "head_minutes": ("ZHANGDIAN_LOG_HEAD_MINUTES", "log-head-minutes", "60"),
}
HEADS_FILE = "heads.jsonl"
RSA_ALGORITHM = "rsa-pkcs1v15-sha256"
EC_ALGORITHM = "ecdsa-sha256"


def log_setting(name):
    """An instance setting of the log: environment first, then zope.conf product-config."""
    variable, key, default = LOG_SETTINGS[name]
    if os.environ.get(variable):
        return os.environ[variable]
    from App.config import getConfiguration

    product_config = getattr(getConfiguration(), "product_config", None) or {}
    return (product_config.get(PRODUCT) or {}).get(key) or default


def heads_dir():
    """Where heads are appended: the configured directory, else instance/var/log-heads."""
    configured = log_setting("heads_dir")
    if configured:
        return Path(configured)
    from App.config import getConfiguration

    clienthome = getattr(getConfiguration(), "clienthome", None) or os.getcwd()
    return Path(clienthome) / "log-heads"


def log_certificate():
    """The log key's certificate on its token (public: no PIN), or None when not configured."""
    library = signing_setting("pkcs11_module")
    if not library:
        return None
    return token_certificate(library, log_setting("token_label"))


def log_public_key(required=True):
    """The log's public key, from its token; None when no token is configured and not required."""
    try:
        certificate = log_certificate()
    except Exception:
        if required:
            raise
        logger.warning("the log key's token cannot be read", exc_info=True)
        return None
    if certificate is None and required:
        raise LookupError("no PKCS#11 module configured for the log key")
    return certificate.public_key() if certificate is not None else None


def public_key_der(public_key):
    """SubjectPublicKeyInfo DER of a public key."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_pem(public_key):
    """SubjectPublicKeyInfo PEM of a public key (text)."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def log_id(public_key):
    """Hex SHA-256 of the log key's SubjectPublicKeyInfo DER."""
    return hashlib.sha256(public_key_der(public_key)).hexdigest()


def signature_algorithm(public_key):
    """The name heads give the log key's signature scheme."""
    return RSA_ALGORITHM if isinstance(public_key, rsa.RSAPublicKey) else EC_ALGORITHM


def signature_holds(head, public_key):
    """Whether the head's signature is the log key's over `merkle.head_bytes(head)`."""
    try:
        signature = base64.b64decode(head["signature"])
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(
                signature, merkle.head_bytes(head), padding.PKCS1v15(), hashes.SHA256()
            )
        else:
            public_key.verify(signature, merkle.head_bytes(head), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True


def head_problem(head, log, public_key):
    """What is wrong with a stored head against the tree and the log key, or None."""
    size = head["tree_size"]
    if size > log.tree.size or log.tree.root(size).hex() != head["root_hash"]:
        return "root_mismatch"
    if public_key is not None and (
        head.get("log_id") != log_id(public_key) or not signature_holds(head, public_key)
    ):
        return "bad_signature"
    token = head.get("timestamp_token")
    if token and token_imprint(token) != hashlib.sha256(merkle.head_bytes(head)).hexdigest():
        return "bad_timestamp"
    return None


def head_due(log, moment=None):
    """Whether a new head should be issued: entries since the last, which is old enough."""
    latest = log.latest_head()
    if log.tree.size == 0 or (latest is not None and latest["tree_size"] == log.tree.size):
        return False
    if latest is None:
        return True
    minutes = int(log_setting("head_minutes"))
    issued = _parse_time(latest["timestamp"])
    return (moment or now()) - issued >= timedelta(minutes=minutes)


def _parse_time(text):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def issue_head(log=None, moment=None, settings=None):
    """Sign a head over the whole tree with the log key and store it; None if no key is set up."""
    log = log if log is not None else journal()
    settings = settings or {
        name: signing_setting(name) for name in ("pkcs11_module", "timestamp_url")
    }
    library, pin = settings["pkcs11_module"], log_setting("pin")
    if not library or not pin or log.tree.size == 0:
        return None
    label = log_setting("token_label")
    public_key = token_certificate(library, label).public_key()
    head = {
        "tree_size": log.tree.size,
        "root_hash": log.tree.root().hex(),
        "timestamp": (moment or now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "log_id": log_id(public_key),
    }
    signature, _ = sign_data_with_token(library, label, pin, merkle.head_bytes(head))
    head["signature"] = base64.b64encode(signature).decode("ascii")
    head["signature_algorithm"] = signature_algorithm(public_key)
    url = settings["timestamp_url"]
    head["timestamp_token"] = (
        tsa_timestamp(url)(hashlib.sha256(merkle.head_bytes(head)).digest()) if url else None
    )
    log.heads[head["tree_size"]] = head
    return head


def head_line(head):
    """One line of the heads file."""
    return json.dumps(head, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def append_to_heads_file(head):
    """Append the head to the heads file, flushed to disk before returning."""
    directory = heads_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / HEADS_FILE, "a", encoding="utf-8") as heads_file:
        heads_file.write(head_line(head) + "\n")
        heads_file.flush()
        os.fsync(heads_file.fileno())


def read_heads_file():
    """Every head in the heads file, in the order issued (none when there is no file)."""
    path = heads_dir() / HEADS_FILE
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as heads_file:
        return [json.loads(line) for line in heads_file if line.strip()]


def oversight_addresses():
    """The e-mail addresses of the supervisors, who keep a copy of every head."""
    addresses = set()
    for user in api.user.get_users():
        email = user.getProperty("email")
        if email and is_supervisor(user.getId()):
            addresses.add(email)
    return sorted(addresses)


def mail_head(head):
    """Send the head to every supervisor, at once (the head's transaction has committed)."""
    from zhangdian.approval import _
    from zope.i18n import translate

    subject = translate(
        _(
            "mail_log_head_subject",
            default="Audit log head: ${size} entries",
            mapping={"size": str(head["tree_size"])},
        ),
        target_language="zh_CN",
    )
    intro = translate(
        _(
            "mail_log_head_body",
            default="Keep this signed tree head of the audit log: a database rolled back "
            "behind it is detected by comparing with it.",
        ),
        target_language="zh_CN",
    )
    body = f"{intro}\n\n{head_line(head)}\n"
    for address in oversight_addresses():
        api.portal.send_email(recipient=address, subject=subject, body=body, immediate=True)


def publish_head(head):
    """Keep the head outside the database: the heads file, then the supervisors' mail."""
    append_to_heads_file(head)
    try:
        mail_head(head)
    except Exception:
        # The file holds the head; a mail server down must not lose it or stop the log.
        logger.exception("the head of size %s was not mailed", head["tree_size"])
