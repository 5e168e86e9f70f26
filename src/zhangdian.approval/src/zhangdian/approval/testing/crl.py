"""A loopback CRL distribution point of the test bureau CA, for tests and the demo.

The CA's certificate revocation list is served over HTTP at the URL its approver certificates
name (CRL distribution point); `revoke` adds a certificate and reissues the list at once, as a
CA does when it revokes one. Not a production CA: the key lives in memory.
"""

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from datetime import UTC
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from zhangdian.approval.testing.pki import make_crl

import threading


CRL_PATH = "/bureau-ca.crl"
CRL_TYPE = "application/pkix-crl"


class CrlPublisher:
    """The test CA's revocation list: who is revoked since when, and the signed CRL of that."""

    def __init__(self, ca_cert: x509.Certificate, ca_key: CertificateIssuerPrivateKeyTypes):
        self.ca_cert = ca_cert
        self.ca_key = ca_key
        self.revoked: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._crl = None
        self.url = None

    def revoke(self, cert: x509.Certificate, when: datetime | None = None) -> bytes:
        """Revoke `cert` from `when` (default now) and return the reissued CRL."""
        with self._lock:
            self.revoked[cert.serial_number] = when or datetime.now(UTC)
            self._crl = None
        return self.crl()

    def crl(self) -> bytes:
        """The current CRL (DER), issued when first asked for after the last change."""
        with self._lock:
            if self._crl is None:
                self._crl = make_crl(self.ca_cert, self.ca_key, dict(self.revoked))
            return self._crl

    def reissue(self) -> bytes:
        """A fresh CRL with the same entries (as the CA's periodic reissue)."""
        with self._lock:
            self._crl = None
        return self.crl()


class _CrlHandler(BaseHTTPRequestHandler):
    """Answers GET of the CRL path with the publisher's current CRL."""

    server_version = "zhangdian-crl"

    def do_GET(self):
        """Send the CRL, or 404 for any other path."""
        if self.path != CRL_PATH:
            self.send_response(404)
            self.end_headers()
            return
        body = self.server.publisher.crl()
        self.send_response(200)
        self.send_header("Content-Type", CRL_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's parameter name
        """Stay quiet: tests and demos do not need an access log."""


def serve_crl(
    ca_cert: x509.Certificate,
    ca_key: CertificateIssuerPrivateKeyTypes,
    host: str = "127.0.0.1",
    port: int = 0,
) -> tuple[ThreadingHTTPServer, CrlPublisher]:
    """Serve the CA's CRL on loopback in a thread; the publisher's `url` is the CDP to name."""
    publisher = CrlPublisher(ca_cert, ca_key)
    server = ThreadingHTTPServer((host, port), _CrlHandler)
    server.daemon_threads = True
    server.publisher = publisher
    threading.Thread(target=server.serve_forever, name="loopback CRL", daemon=True).start()
    bound_host, bound_port = server.server_address[:2]
    publisher.url = f"http://{bound_host}:{bound_port}{CRL_PATH}"
    return server, publisher
