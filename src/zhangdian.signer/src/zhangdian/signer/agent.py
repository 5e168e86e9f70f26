"""zhangdian-signer: the signing agent on the approver's PC, in front of the USB key.

The portal prepares a decision PDF and hands the browser the prepared document and the DER
signed attributes to sign; the browser posts both here with a summary of the decision. The
agent computes the digest of the document's signed byte range itself, checks that the signed
attributes carry that digest, reads number, matter and decision from the document (refusing a
summary that says otherwise), shows them in a window (or on its terminal), asks the approver
to confirm and for the PIN, signs on the token and returns the signature value and
certificate. The key and the PIN never leave this PC.

Defences: it listens on 127.0.0.1 only; every request must carry an Origin from the
`--allow-origin` list and a loopback Host (against DNS rebinding); bodies are capped at 8 MiB;
it signs only CMS signed attributes made for this token's certificate over the document it
shows, never arbitrary bytes.
`--yes` skips the confirmation and exists for automated tests only.

Everything here is the standard library plus python-pkcs11, cryptography and asn1crypto: it
runs on an approver's Windows PC with no Plone (tests/signing checks that none is imported).
"""

from asn1crypto import cms
from asn1crypto import tsp  # noqa: F401 - teaches cms the signing_certificate_v2 attribute
from collections.abc import Callable
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zhangdian.signer.certificates import fingerprint
from zhangdian.signer.document import decision_summary
from zhangdian.signer.document import signed_digest
from zhangdian.signer.errors import BadRequest
from zhangdian.signer.errors import BodyTooLarge
from zhangdian.signer.errors import CertificateMismatch
from zhangdian.signer.errors import Declined
from zhangdian.signer.errors import DocumentMismatch
from zhangdian.signer.errors import NotFound
from zhangdian.signer.errors import OriginForbidden
from zhangdian.signer.errors import SignerError
from zhangdian.signer.errors import TokenNotFound
from zhangdian.signer.token import sign_data_with_token
from zhangdian.signer.token import token_certificate

import argparse
import base64
import binascii
import getpass
import hashlib
import json
import logging
import os
import sys
import threading
import unicodedata


if TYPE_CHECKING:
    from zhangdian.signer.confirm import WindowConfirmation


LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8769
MODULE_ENV = "ZHANGDIAN_PKCS11_MODULE"
DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
# A prepared decision PDF is ~40 KiB, but its embedded font subset grows with the distinct
# characters: ~5 MB for 20,000 different ones, the worst the portal's text limits allow, and
# a third more in base64.
MAX_BODY = 8 * 1024 * 1024
_MAX_DRAIN = 16 * 1024 * 1024
_MAX_NONCE = 200
_MAX_SUMMARY_FIELD = 500
_ALLOWED_METHODS = "GET, POST, OPTIONS"

logger = logging.getLogger("zhangdian.signer.agent")


@dataclass(frozen=True)
class AgentConfig:
    """What the agent signs with and whom it answers."""

    module: str
    token_label: str
    key_label: str | None
    allowed_origins: frozenset[str]
    # Shows the summary to the approver: the PIN to sign with, or None when they decline.
    approve: Callable[[dict], str | None]


class SigningAgent(ThreadingHTTPServer):
    """The agent's HTTP server, bound to 127.0.0.1."""

    daemon_threads = True

    def __init__(self, config: AgentConfig, port: int, window: "WindowConfirmation | None" = None):
        """Bind to 127.0.0.1:`port` (0 picks a free port); `window` asks in a window."""
        self.config = config
        self.window = window
        # One signature at a time: the approver answers one prompt after the other.
        self.signing_lock = threading.Lock()
        super().__init__((LOOPBACK, port), _AgentHandler)

    @property
    def port(self) -> int:
        """The bound port."""
        return self.server_address[1]


class _AgentHandler(BaseHTTPRequestHandler):
    """Routes /status and /sign, enforcing origin, host and size limits."""

    server_version = "zhangdian-signer"
    server: SigningAgent

    def do_OPTIONS(self):
        """Answer a CORS preflight from an allowed origin."""
        self._handle(self._preflight)

    def do_GET(self):
        """GET /status."""
        self._handle(self._status if self._path() == "/status" else None)

    def do_POST(self):
        """POST /sign."""
        self._handle(self._sign if self._path() == "/sign" else None)

    def _path(self) -> str:
        """The path without query string."""
        return urlsplit(self.path).path

    def _handle(self, endpoint) -> None:
        """Check origin and host, run the endpoint, answer JSON (errors included)."""
        try:
            origin = self._checked_origin()
            if endpoint is None:
                raise NotFound()
            status, body = endpoint()
        except SignerError as error:
            self._answer(error.status, error.as_json(), self._allowed_origin())
        except Exception:
            logger.exception("unexpected error while answering %s %s", self.command, self._path())
            body = {"type": "internal_error", "message": "The signing agent failed; see its log."}
            self._answer(500, body, self._allowed_origin())
        else:
            self._answer(status, body, origin)

    def _allowed_origin(self) -> str | None:
        """The request's Origin if it is allowed (so that browsers can read the error)."""
        origin = self.headers.get("Origin")
        return origin if origin in self.server.config.allowed_origins else None

    def _checked_origin(self) -> str:
        """The allowed Origin of the request; OriginForbidden otherwise."""
        origin = self._allowed_origin()
        host = (self.headers.get("Host") or "").lower()
        port = self.server.port
        if origin is None or host not in (f"{LOOPBACK}:{port}", f"localhost:{port}"):
            raise OriginForbidden()
        return origin

    def _preflight(self):
        """204 with the CORS grants (body None)."""
        return HTTPStatus.NO_CONTENT, None

    def _status(self):
        """Whether the token is present, and its certificate."""
        config = self.server.config
        try:
            certificate = token_certificate(config.module, config.token_label, config.key_label)
        except TokenNotFound as error:
            return 200, {"present": False, "token_label": config.token_label, **error.as_json()}
        return 200, {
            "present": True,
            "token_label": config.token_label,
            "subject": certificate.subject.rfc4514_string(),
            "fingerprint": fingerprint(certificate),
            "not_after": certificate.not_valid_after_utc.isoformat(),
        }

    def _sign(self):
        """Sign the posted signed attributes after the approver confirmed and gave the PIN."""
        config = self.server.config
        request = _parse_sign_request(self._read_body())
        # Shown from the document itself: the page's summary only has to agree with it.
        summary = _checked_document(request)
        with self.server.signing_lock:
            certificate = token_certificate(config.module, config.token_label, config.key_label)
            _check_signed_attributes(request["data_to_sign"], certificate)
            pin = config.approve(summary)
            if pin is None:
                logger.info("declined: application %s", summary["number"])
                raise Declined()
            signature, cert_der = sign_data_with_token(
                config.module,
                config.token_label,
                pin,
                request["data_to_sign"],
                config.key_label,
            )
        logger.info(
            "signed application %s (%s) with certificate %s",
            summary["number"],
            summary["decision"],
            fingerprint(x509.load_der_x509_certificate(cert_der)),
        )
        return 200, {
            "nonce": request["nonce"],
            "signature": base64.b64encode(signature).decode("ascii"),
            "certificate": base64.b64encode(cert_der).decode("ascii"),
        }

    def _read_body(self) -> bytes:
        """The request body, refusing bodies without a length or above MAX_BODY."""
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise BadRequest("The request has no valid Content-Length.") from None
        if length > MAX_BODY:
            if length <= _MAX_DRAIN:
                # Read what the client sends, so that it gets the 413 instead of a reset.
                self.rfile.read(length)
            self.close_connection = True
            raise BodyTooLarge(MAX_BODY)
        if length < 0:
            raise BadRequest("The request has no valid Content-Length.")
        return self.rfile.read(length)

    def _answer(self, status: int, body: dict | None, origin: str | None) -> None:
        """Send a JSON answer, with CORS headers for an allowed origin."""
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        if origin is not None:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Methods", _ALLOWED_METHODS)
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
            self.send_header("Access-Control-Max-Age", "600")
            if self.headers.get("Access-Control-Request-Private-Network") == "true":
                # Chrome's Private Network Access preflight for a public page calling loopback.
                self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Vary", "Origin")
        self.send_header("Cache-Control", "no-store")
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_error(self, code, message=None, explain=None):
        """Protocol errors (bad request line, unknown method) as JSON too."""
        self.close_connection = True
        error = {"type": "bad_request", "message": message or HTTPStatus(code).phrase}
        self._answer(code, error, None)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's parameter name
        """Access log at debug level only; what was signed is logged by _sign."""
        logger.debug("%s - %s", self.address_string(), format % args)


def _parse_sign_request(body: bytes) -> dict:
    """The validated /sign request: nonce, data_to_sign and document (bytes), summary."""
    try:
        request = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.") from None
    if not isinstance(request, dict):
        raise BadRequest("The request body is not valid JSON.")
    nonce = request.get("nonce")
    if not isinstance(nonce, str) or not 0 < len(nonce) <= _MAX_NONCE:
        raise _invalid_field("nonce")
    encoded = request.get("data_to_sign")
    if not isinstance(encoded, str) or not encoded:
        raise _invalid_field("data_to_sign")
    try:
        data_to_sign = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid_field("data_to_sign") from None
    encoded = request.get("document")
    if not isinstance(encoded, str) or not encoded:
        raise _invalid_field("document")
    try:
        document = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid_field("document") from None
    summary = request.get("summary")
    if not isinstance(summary, dict):
        raise _invalid_field("summary")
    clean = {}
    for key in ("number", "matter", "decision"):
        value = summary.get(key)
        if not isinstance(value, str) or not 0 < len(value) <= _MAX_SUMMARY_FIELD:
            raise _invalid_field(f"summary.{key}")
        clean[key] = _printable(value)
    return {"nonce": nonce, "data_to_sign": data_to_sign, "document": document, "summary": clean}


def _invalid_field(name: str) -> BadRequest:
    """The error for a missing or malformed request field."""
    return BadRequest("The request field ${field} is missing or invalid.", field=name)


def _printable(text: str) -> str:
    """`text` without control characters, so that it cannot drive the terminal."""
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))


def _checked_document(request: dict) -> dict[str, str]:
    """The document's number, matter and decision, if data_to_sign signs this very document."""
    document = request["document"]
    claimed = _message_digest(request["data_to_sign"])
    if signed_digest(document, len(claimed)) != claimed:
        raise DocumentMismatch("digest")
    summary = {key: _printable(value) for key, value in decision_summary(document).items()}
    if summary != request["summary"]:
        raise DocumentMismatch("summary")
    return summary


def _not_attributes() -> BadRequest:
    """The error for data_to_sign that is not CMS signed attributes."""
    return BadRequest("data_to_sign is not the signed attributes of a document signature.")


def _message_digest(data: bytes) -> bytes:
    """The messageDigest of the signed attributes `data`."""
    try:
        attributes = {a["type"].native: a["values"] for a in cms.CMSAttributes.load(data)}
        values = attributes["message_digest"]
        if len(values) != 1:
            raise _not_attributes()
        return bytes(values[0].native)
    except (ValueError, KeyError, IndexError, TypeError):
        raise _not_attributes() from None


def _check_signed_attributes(data: bytes, certificate: x509.Certificate) -> None:
    """Refuse anything but CMS signed attributes made for this certificate."""
    not_attributes = BadRequest(
        "data_to_sign is not the signed attributes of a document signature."
    )
    try:
        attributes = {a["type"].native: a["values"] for a in cms.CMSAttributes.load(data)}
        cert_ids = attributes["signing_certificate_v2"][0]["certs"]
        hash_name = cert_ids[0]["hash_algorithm"]["algorithm"].native
        claimed = bytes(cert_ids[0]["cert_hash"].native)
        if "message_digest" not in attributes or "content_type" not in attributes:
            raise not_attributes
        actual = hashlib.new(hash_name, certificate.public_bytes(Encoding.DER)).digest()
    except (ValueError, KeyError, IndexError, TypeError):
        raise not_attributes from None
    if claimed != actual:
        raise CertificateMismatch()


def _terminal_confirm(summary: dict) -> bool:
    """Show the decision on the terminal and ask the approver to confirm it."""
    sys.stderr.write(
        "\n=== 签署确认 Signature request ===\n"
        f"办件编号 Application: {summary['number']}\n"
        f"审批事项 Matter:      {summary['matter']}\n"
        f"审批决定 Decision:    {summary['decision']}\n"
        "确认签署？Sign this decision? [y/N] "
    )
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes", "是", "确认")


def _terminal_pin() -> str:
    """Ask for the PIN on the terminal without echoing it."""
    return getpass.getpass("USB key PIN 密钥口令: ")


def _has_terminal() -> bool:
    """Whether a person can answer on stdin (pythonw on Windows has no stdin at all)."""
    return sys.stdin is not None and sys.stdin.isatty()


def window_available() -> bool:
    """Whether a confirmation window can be shown: tkinter imports and there is a desktop."""
    if sys.platform not in ("win32", "darwin") and not os.environ.get("DISPLAY"):
        return False
    try:
        import tkinter  # noqa: F401 - only whether it imports
    except ImportError:
        return False
    return True


def _parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="zhangdian-signer",
        description="Local signing agent: signs decisions prepared by the portal with your USB "
        "key (PKCS#11). Listens on 127.0.0.1 only.",
    )
    parser.add_argument(
        "--module",
        default=os.environ.get(MODULE_ENV) or DEFAULT_MODULE,
        help=f"PKCS#11 library of the USB key (default: ${MODULE_ENV} or {DEFAULT_MODULE})",
    )
    parser.add_argument("--token-label", required=True, help="label of the USB key (token)")
    parser.add_argument("--key-label", help="label of the key, if the token holds several")
    parser.add_argument(
        "--host", default=LOOPBACK, help="listening address; only 127.0.0.1 is accepted"
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="listening port")
    parser.add_argument(
        "--allow-origin",
        action="append",
        required=True,
        metavar="ORIGIN",
        help="portal origin allowed to ask for signatures, e.g. https://portal.example "
        "(repeat for several)",
    )
    parser.add_argument(
        "--pin-env",
        metavar="VAR",
        help="read the PIN from environment variable VAR (tests, kiosks); default: prompt",
    )
    parser.add_argument(
        "--confirm",
        choices=("auto", "window", "terminal"),
        default="auto",
        help="where the approver confirms each signature: a window, the terminal, or auto "
        "(a window when there is a desktop, else the terminal; the default)",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="sign without asking for confirmation: FOR AUTOMATED TESTS ONLY",
    )
    parser.add_argument(
        "--log-file",
        metavar="PATH",
        help="append the log to PATH instead of the terminal (pythonw has no terminal)",
    )
    return parser


def _normalised_origin(parser: argparse.ArgumentParser, value: str) -> str:
    """`scheme://host[:port]` in lower case; exit with a usage error for anything else."""
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        parser.error(f"--allow-origin must look like https://portal.example, not {value!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def create_server(argv: list[str] | None = None) -> SigningAgent:
    """Parse the command line and bind the agent (not serving yet; see `main`)."""
    parser = _parser()
    return _bound_server(parser, parser.parse_args(argv))


def _bound_server(parser: argparse.ArgumentParser, args: argparse.Namespace) -> SigningAgent:
    """The agent the parsed command line `args` asks for, bound to its port."""
    if args.host != LOOPBACK:
        parser.error(f"--host must be {LOOPBACK}: the agent never listens on other addresses")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    origins = frozenset(_normalised_origin(parser, origin) for origin in args.allow_origin)
    approve, window = _approval(parser, args)
    config = AgentConfig(
        module=args.module,
        token_label=args.token_label,
        key_label=args.key_label,
        allowed_origins=origins,
        approve=approve,
    )
    return SigningAgent(config, args.port, window)


def _approval(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[Callable[[dict], str | None], "WindowConfirmation | None"]:
    """How the approver confirms and gives the PIN, and the window service if they use one."""
    pin_from_environment = None
    if args.pin_env:
        variable = args.pin_env
        if variable not in os.environ:
            parser.error(f"--pin-env: environment variable {variable} is not set")

        def pin_from_environment() -> str:
            return os.environ[variable]

    in_window = not args.yes and _confirms_in_window(parser, args.confirm)
    if not in_window and pin_from_environment is None and not _has_terminal():
        parser.error("no terminal to ask for the PIN: run it in a terminal or use --pin-env")
    ask_pin = pin_from_environment or _terminal_pin
    if args.yes:

        def approve(summary: dict) -> str:
            logger.info("auto-confirmed (--yes): application %s", summary["number"])
            return ask_pin()

        return approve, None
    if not in_window:
        if not _has_terminal():
            parser.error("no terminal to confirm signatures: run it in a terminal or a desktop")

        def approve(summary: dict) -> str | None:
            return ask_pin() if _terminal_confirm(summary) else None

        return approve, None
    # Imported here: headless PCs and servers may have no tkinter at all.
    from zhangdian.signer.confirm import WindowConfirmation

    window = WindowConfirmation()

    def approve(summary: dict) -> str | None:
        pin = window.ask(summary, want_pin=pin_from_environment is None)
        if pin is None or pin_from_environment is None:
            return pin
        return pin_from_environment()

    return approve, window


def _confirms_in_window(parser: argparse.ArgumentParser, choice: str) -> bool:
    """Whether `--confirm` `choice` means a window; a usage error if none can be shown."""
    if choice == "terminal":
        return False
    if window_available():
        return True
    if choice == "window":
        parser.error("--confirm window: no desktop to show it on ($DISPLAY) or no tkinter")
    return False


def main(argv: list[str] | None = None) -> int:
    """Run the agent until interrupted."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        **({"filename": args.log_file} if args.log_file else {"stream": sys.stderr}),
        level=logging.INFO,
        format="%(asctime)s %(message)s",
    )
    server = _bound_server(parser, args)
    config = server.config
    logger.info(
        "zhangdian-signer listening on http://%s:%s for %s; token %s; confirmation in %s",
        LOOPBACK,
        server.port,
        ", ".join(sorted(config.allowed_origins)),
        config.token_label,
        "a window" if server.window else "the terminal",
    )
    try:
        certificate = token_certificate(config.module, config.token_label, config.key_label)
        logger.info(
            "certificate %s (%s)", certificate.subject.rfc4514_string(), fingerprint(certificate)
        )
    except SignerError as error:
        logger.warning("%s", error)
    try:
        if server.window is None:
            server.serve_forever()
        else:
            # The windows need the main thread (macOS insists), so HTTP is served beside it.
            threading.Thread(target=server.serve_forever, daemon=True).start()
            server.window.serve()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        if server.window is not None:
            server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
