"""A loopback RFC 3161 TSA for tests and demos, and the TSA certificate it signs with.

It wraps pyHanko's `DummyTimeStamper` (it signs every request it gets) in a stdlib HTTP server,
so tests exercise the real HTTP client path
(`zhangdian.approval.signing.timestamps.timestamper`) without a
network. It is not a production TSA: no policy, no audit, no protected key.
"""

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pyhanko.sign.timestamps import DummyTimeStamper

import threading


TIMESTAMP_QUERY = "application/timestamp-query"
TIMESTAMP_REPLY = "application/timestamp-reply"
# A timestamp request is a hash and a nonce, well under 1 KiB.
_MAX_REQUEST = 16 * 1024


def make_tsa_certificate(
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    common_name: str = "张店区行政审批服务局 测试时间戳服务",
    days: int = 365,
    valid_from: datetime | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A TSA certificate from the CA (critical timeStamping EKU, as RFC 3161 requires)."""
    # pki.make_signing_certificate cannot add the EKU a TSA must carry; and the
    # dummy TSA signs with RSA only.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = (valid_from or datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    subject = x509.Name(
        [attribute for attribute in ca_cert.subject if attribute.oid != NameOID.COMMON_NAME]
        + [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


class _TimestampHandler(BaseHTTPRequestHandler):
    """Answers RFC 3161 POSTs with a token from the server's DummyTimeStamper."""

    server_version = "zhangdian-tsa"

    def do_POST(self):
        """Timestamp the request's message imprint."""
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if not 0 < length <= _MAX_REQUEST:
            self._reply(400, b"bad request length", "text/plain")
            return
        try:
            request = tsp.TimeStampReq.load(self.rfile.read(length))
            response = self.server.dummy_timestamper.request_tsa_response(request)
        except ValueError:
            self._reply(400, b"not a timestamp request", "text/plain")
            return
        self._reply(200, response.dump(), TIMESTAMP_REPLY)

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        """Send `body` with `status`."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's parameter name
        """Stay quiet: tests and demos do not need an access log."""


def serve_tsa(
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    valid_from: datetime | None = None,
    days: int = 365,
) -> tuple[ThreadingHTTPServer, str]:
    """Run a loopback TSA with a certificate from the CA in a thread; return it and its URL."""
    tsa_cert, tsa_key = make_tsa_certificate(ca_cert, ca_key, days=days, valid_from=valid_from)
    server = ThreadingHTTPServer((host, port), _TimestampHandler)
    server.daemon_threads = True
    server.tsa_certificate = tsa_cert
    server.dummy_timestamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    threading.Thread(target=server.serve_forever, name="loopback TSA", daemon=True).start()
    bound_host, bound_port = server.server_address[:2]
    return server, f"http://{bound_host}:{bound_port}/"
