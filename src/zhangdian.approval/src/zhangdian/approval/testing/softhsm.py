"""SoftHSM2 tokens for tests and the demo: a configuration, tokens, keys and certificates.

SoftHSM reads `SOFTHSM2_CONF` once, when the library is loaded into the process, so
`activate` must run before anything signs; it refuses once the library is loaded with
another configuration instead of silently using the wrong token directory.
"""

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from datetime import datetime
from pathlib import Path
from pkcs11 import Attribute
from pkcs11 import KeyType
from pkcs11 import MechanismFlag
from pkcs11 import ObjectClass
from pkcs11.util.ec import encode_ec_public_key
from pkcs11.util.ec import encode_named_curve_parameters
from pkcs11.util.rsa import encode_rsa_public_key
from pkcs11.util.x509 import decode_x509_certificate
from zhangdian.approval.testing.pki import make_signing_certificate
from zhangdian.signer import pkcs11_worker

import os
import secrets
import shutil
import subprocess


SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"
SOFTHSM_UTIL = "softhsm2-util"
CONFIG_ENV = "SOFTHSM2_CONF"
RSA_BITS = 2048
EC_CURVE = "secp256r1"


class SoftHSMMissing(RuntimeError):
    """The SoftHSM2 tools or library are not installed."""

    def __init__(self, what: str):
        """`what` (a program or library path) is missing."""
        super().__init__(f"{what} is not installed: run `make system-deps` (Debian softhsm2).")


def write_config(directory: str | os.PathLike) -> Path:
    """Create `directory`/tokens and `directory`/softhsm2.conf; return the configuration path."""
    directory = Path(directory).resolve()
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    return config


def activate(config: str | os.PathLike, library_path: str = SOFTHSM_LIBRARY) -> None:
    """Make this process use `config`; an error once the library runs with another one."""
    config = str(Path(config).resolve())
    if os.environ.get(CONFIG_ENV) == config:
        return
    if pkcs11_worker.is_loaded(library_path):
        raise RuntimeError(
            f"SoftHSM is already loaded with {os.environ.get(CONFIG_ENV)!r}; "
            f"{CONFIG_ENV} must be set to {config!r} before the first signature."
        )
    os.environ[CONFIG_ENV] = config


def init_token(config: str | os.PathLike, label: str, pin: str, so_pin: str) -> None:
    """Initialise a new token `label` in the first free slot (softhsm2-util)."""
    program = shutil.which(SOFTHSM_UTIL)
    if program is None:
        raise SoftHSMMissing(SOFTHSM_UTIL)
    # Arguments are passed as a list, never through a shell.
    subprocess.run(  # noqa: S603
        [program, "--init-token", "--free", "--label", label, "--so-pin", so_pin, "--pin", pin],
        env={**os.environ, CONFIG_ENV: str(Path(config).resolve())},
        check=True,
        capture_output=True,
    )


def provision_token(
    config: str | os.PathLike,
    label: str,
    pin: str,
    so_pin: str,
    common_name: str,
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    key_type: str = "RSA",
    *,
    key_label: str | None = None,
    valid_from: datetime | None = None,
    days: int = 365,
    library_path: str = SOFTHSM_LIBRARY,
    crl_url: str | None = None,
) -> x509.Certificate:
    """A new token `label` with a key pair made on it and its certificate from the CA."""
    if key_type not in ("RSA", "EC"):
        raise ValueError(f"key_type must be 'RSA' or 'EC', not {key_type!r}")
    if not os.path.exists(library_path):
        raise SoftHSMMissing(library_path)
    activate(config, library_path)
    init_token(config, label, pin, so_pin)
    key_label = key_label or label
    key_id = secrets.token_bytes(16)
    public_der = pkcs11_worker.run(
        library_path, _generate_key_pair, label, pin, key_type, key_label, key_id
    )
    public_key = serialization.load_der_public_key(public_der)
    cert, _ = make_signing_certificate(
        ca_cert,
        ca_key,
        common_name,
        public_key=public_key,
        valid_from=valid_from,
        days=days,
        crl_url=crl_url,
    )
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    pkcs11_worker.run(library_path, _store_certificate, label, pin, cert_der, key_label, key_id)
    return cert


def _generate_key_pair(library, token_label, pin, key_type, key_label, key_id) -> bytes:
    """Worker job: generate a non-extractable signing key pair; return the public key DER."""
    capabilities = MechanismFlag.SIGN | MechanismFlag.VERIFY
    options = {
        "store": True,
        "label": key_label,
        "id": key_id,
        "capabilities": capabilities,
        "private_template": {Attribute.EXTRACTABLE: False},
    }
    with pkcs11_worker.open_session(library, token_label, pin, rw=True) as session:
        if key_type == "RSA":
            public, _ = session.generate_keypair(KeyType.RSA, RSA_BITS, **options)
            return encode_rsa_public_key(public)
        parameters = session.create_domain_parameters(
            KeyType.EC,
            {Attribute.EC_PARAMS: encode_named_curve_parameters(EC_CURVE)},
            local=True,
        )
        public, _ = parameters.generate_keypair(**options)
        return encode_ec_public_key(public)


def _store_certificate(library, token_label, pin, cert_der, key_label, key_id) -> None:
    """Worker job: store the certificate next to its key (same label and CKA_ID)."""
    with pkcs11_worker.open_session(library, token_label, pin, rw=True) as session:
        session.create_object(
            decode_x509_certificate(cert_der)
            | {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.TOKEN: True,
                Attribute.LABEL: key_label,
                Attribute.ID: key_id,
            }
        )
