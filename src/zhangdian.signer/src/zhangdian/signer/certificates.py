"""Certificate helpers the signer and the portal share."""

from cryptography import x509
from cryptography.hazmat.primitives import hashes


def fingerprint(cert: x509.Certificate) -> str:
    """The SHA-256 fingerprint as upper-case hex pairs joined by colons."""
    return ":".join(f"{byte:02X}" for byte in cert.fingerprint(hashes.SHA256()))
