"""Demo and development only: a throw-away bureau CA and a SoftHSM2 token per approver.

`enrol_test_tokens` creates (once) the CA under `directory`, a token labelled with each
approver's user id holding a key pair made on the token and a certificate from that CA,
binds each certificate to the approver's current authorisation and configures the portal to
trust the CA and to reach the tokens. Never use it for real keys: the CA key lies on disk.

It runs on every demo `make start`: settings and bindings the bureau changed since are kept
(see `demo_provisioning`), so a bureau's own CA and PKCS#11 module survive a restart.
"""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pathlib import Path
from plone import api
from plone.namedfile.file import NamedBlobFile
from zhangdian.approval import logger
from zhangdian.approval.audit.heads import log_setting
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.certificates import load_certificate
from zhangdian.approval.roster.certificates import bind_certificate
from zhangdian.approval.rules.authorization import authorizations_of
from zhangdian.approval.rules.authorization import is_current
from zhangdian.approval.settings import set_signing_setting
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.setuphandlers.demo_provisioning import provision
from zhangdian.approval.testing import softhsm
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import to_pem
from zhangdian.signer.token import token_certificate


DEMO_PIN = "123456"
DEMO_SO_PIN = "87654321"


def bureau_test_ca(directory):
    """The test CA under `directory` (ca.pem, ca-key.pem), created on first use."""
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        return load_certificate(cert_path.read_bytes()), load_pem_private_key(
            key_path.read_bytes(), password=None
        )
    cert, key = make_ca("张店区行政审批服务局 测试CA（仅供开发演示）")
    directory.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(to_pem(cert))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert, key


def enrol_test_tokens(directory, userids, pin=DEMO_PIN, key_type="RSA", report=logger.info):
    """Give each approver a SoftHSM2 token and bind its certificate; return {userid: cert}.

    A setting or binding the bureau changed since the demo wrote it is kept and reported.
    """
    directory = Path(directory).resolve()
    config = softhsm.write_config(directory / "softhsm")
    softhsm.activate(config)
    ca_cert, ca_key = bureau_test_ca(directory)
    for name, value in (
        ("trust_anchors", to_pem(ca_cert).decode()),
        ("pkcs11_module", softhsm.SOFTHSM_LIBRARY),
    ):
        provision(
            f"signing.{name}",
            signing_setting(name),
            value,
            lambda value, name=name: set_signing_setting(name, value),
            report,
        )
    enrolled = {}
    for userid in userids:
        try:
            cert = token_certificate(softhsm.SOFTHSM_LIBRARY, userid)
        except Exception:
            user = api.user.get(userid=userid)
            name = (user.getProperty("fullname") if user else "") or userid
            cert = softhsm.provision_token(
                config, userid, pin, DEMO_SO_PIN, name, ca_cert, ca_key, key_type
            )
        for authorization in authorizations_of(userid):
            if is_current(authorization):
                provision(
                    f"certificate.{authorization.getId()}",
                    authorization.certificate_fingerprint,
                    fingerprint(cert),
                    lambda _, authorization=authorization, cert=cert: _bind(authorization, cert),
                    report,
                )
        enrolled[userid] = cert
    _enrol_log_token(config, pin, ca_cert, ca_key, report)
    return enrolled


def _enrol_log_token(config, pin, ca_cert, ca_key, report):
    """Create the log key's token once (`make start` gives the portal its PIN)."""
    label = log_setting("token_label")
    try:
        token_certificate(softhsm.SOFTHSM_LIBRARY, label)
    except Exception:
        softhsm.provision_token(
            config,
            label,
            pin,
            DEMO_SO_PIN,
            "张店区行政审批服务局审计日志",
            ca_cert,
            ca_key,
            "RSA",
        )
        report(f"log key: token {label!r}, PIN {pin}")


def _bind(authorization, cert):
    """Upload and bind `cert` as the approver's certificate, as the working group would."""
    authorization.certificate = NamedBlobFile(
        data=to_pem(cert), filename=f"{authorization.approver}.pem"
    )
    bind_certificate(authorization)
    authorization.reindexObject()
