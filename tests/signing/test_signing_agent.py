"""The local signing agent (zhangdian-signer) over HTTP, against the SoftHSM tokens."""

from cryptography.hazmat.primitives.serialization import Encoding
from io import BytesIO
from reportlab.pdfgen.canvas import Canvas
from tests.helpers.signing import BOX
from tests.helpers.signing import DOCUMENT_SUMMARY
from tests.helpers.signing import EC_TOKEN
from tests.helpers.signing import LIBRARY
from tests.helpers.signing import PIN
from tests.helpers.signing import RSA_TOKEN
from types import SimpleNamespace
from zhangdian.approval.signing.prepare import complete
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.signing.verify import verify
from zhangdian.signer import agent
from zhangdian.signer.certificates import fingerprint

import base64
import dataclasses
import http.client
import json
import os
import pty
import pytest
import re
import select
import signal
import socket
import sys
import threading
import time


ORIGIN = "https://portal.zhangdian.example"
PIN_VARIABLE = "ZHANGDIAN_TEST_AGENT_PIN"
WRONG_PIN_VARIABLE = "ZHANGDIAN_TEST_AGENT_WRONG_PIN"
SUMMARY = DOCUMENT_SUMMARY


@pytest.fixture(scope="module")
def start_agent(tokens):
    """Start agents in-process on free ports; all are stopped after the module."""
    servers = []

    def start(token_label=RSA_TOKEN, pin_variable=PIN_VARIABLE):
        server = agent.create_server(
            [
                "--module",
                LIBRARY,
                "--token-label",
                token_label,
                "--port",
                "0",
                "--allow-origin",
                ORIGIN,
                "--allow-origin",
                "http://localhost:8080/",
                "--pin-env",
                pin_variable,
                "--yes",
            ]
        )
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(server)
        return server

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PIN_VARIABLE, PIN)
        patch.setenv(WRONG_PIN_VARIABLE, "000000")
        yield start
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def rsa_agent(start_agent):
    """An agent in front of token approver1."""
    return start_agent()


def call(server, method, path, body=None, origin=ORIGIN, headers=None):
    """Send a request to the agent; return (status, headers, decoded JSON or None)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    sent = dict(headers or {})
    if origin is not None:
        sent["Origin"] = origin
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, response.headers, json.loads(payload) if payload else None


def sign_request(prepared, nonce="n-1"):
    """The JSON the portal's page posts to /sign."""
    return {
        "nonce": nonce,
        "data_to_sign": base64.b64encode(prepared.data_to_sign).decode(),
        "document": base64.b64encode(prepared.document).decode(),
        "summary": SUMMARY,
    }


def test_agent_listens_on_loopback_only(rsa_agent):
    assert rsa_agent.server_address[0] == "127.0.0.1"
    assert rsa_agent.port > 0


@pytest.mark.parametrize("host", ["0.0.0.0", "localhost", "192.168.1.10", "::"])  # noqa: S104
def test_other_listening_addresses_are_refused(host, capsys):
    with pytest.raises(SystemExit):
        agent.create_server(
            ["--token-label", RSA_TOKEN, "--allow-origin", ORIGIN, "--yes", "--host", host]
        )
    assert "--host must be 127.0.0.1" in capsys.readouterr().err


@pytest.mark.parametrize("origin", ["*", "null", "portal.example", "https://p.example/path"])
def test_malformed_allowed_origins_are_refused(origin, capsys):
    with pytest.raises(SystemExit):
        agent.create_server(["--token-label", RSA_TOKEN, "--allow-origin", origin, "--yes"])
    assert "--allow-origin must look like" in capsys.readouterr().err


def test_allow_origin_is_required(capsys):
    with pytest.raises(SystemExit):
        agent.create_server(["--token-label", RSA_TOKEN, "--yes"])
    assert "--allow-origin" in capsys.readouterr().err


def test_without_a_terminal_the_pin_must_come_from_the_environment(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(SystemExit):
        agent.create_server(["--token-label", RSA_TOKEN, "--allow-origin", ORIGIN, "--yes"])
    assert "--pin-env" in capsys.readouterr().err


def test_status_shows_the_token_certificate(rsa_agent, tokens):
    status, headers, body = call(rsa_agent, "GET", "/status")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert body["present"] is True
    assert body["token_label"] == RSA_TOKEN
    assert body["fingerprint"] == fingerprint(tokens.rsa_cert)
    assert body["subject"] == tokens.rsa_cert.subject.rfc4514_string()


def test_status_of_a_missing_token(start_agent):
    status, _, body = call(start_agent(token_label="unplugged"), "GET", "/status")
    assert status == 200
    assert body["present"] is False
    assert body["type"] == "token_not_found"


def test_signature_from_the_agent_completes_the_prepared_pdf(rsa_agent, tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX, reason="准予")
    status, headers, body = call(rsa_agent, "POST", "/sign", sign_request(prepared, "nonce-42"))
    assert status == 200, body
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert body["nonce"] == "nonce-42"
    assert base64.b64decode(body["certificate"]) == tokens.rsa_cert.public_bytes(Encoding.DER)
    signed = complete(prepared.state, base64.b64decode(body["signature"]))
    result = verify(signed, [tokens.ca_cert])
    assert result.ok, result.problems
    assert result.signer_fingerprint == fingerprint(tokens.rsa_cert)


def test_ec_token_agent(start_agent, tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.ec_cert, box=BOX)
    status, _, body = call(
        start_agent(token_label=EC_TOKEN), "POST", "/sign", sign_request(prepared)
    )
    assert status == 200, body
    signed = complete(prepared.state, base64.b64decode(body["signature"]))
    assert verify(signed, [tokens.ca_cert]).ok


def test_signing_logs_number_and_fingerprint_but_never_the_pin(
    rsa_agent, tokens, decision_pdf, caplog
):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    with caplog.at_level("INFO", logger=agent.logger.name):
        assert call(rsa_agent, "POST", "/sign", sign_request(prepared))[0] == 200
    assert SUMMARY["number"] in caplog.text
    assert fingerprint(tokens.rsa_cert) in caplog.text
    assert PIN not in caplog.text


def test_other_origin_is_forbidden(rsa_agent, tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    status, headers, body = call(
        rsa_agent, "POST", "/sign", sign_request(prepared), origin="https://evil.example"
    )
    assert status == 403
    assert body["type"] == "origin_forbidden"
    assert "Access-Control-Allow-Origin" not in headers


def test_missing_origin_is_forbidden(rsa_agent):
    status, _, body = call(rsa_agent, "GET", "/status", origin=None)
    assert status == 403
    assert body["type"] == "origin_forbidden"


def test_foreign_host_header_is_forbidden(rsa_agent):
    # A DNS-rebinding page reaches 127.0.0.1 under its own host name.
    status, _, body = call(rsa_agent, "GET", "/status", headers={"Host": "evil.example"})
    assert status == 403
    assert body["type"] == "origin_forbidden"


def test_preflight_grants_cors_to_the_allowed_origin(rsa_agent):
    status, headers, body = call(
        rsa_agent,
        "OPTIONS",
        "/sign",
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert status == 204
    assert body is None
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert headers["Access-Control-Allow-Private-Network"] == "true"
    assert headers["Vary"] == "Origin"


def test_preflight_from_another_origin_is_forbidden(rsa_agent):
    headers = {"Access-Control-Request-Method": "POST"}
    status, response_headers, _ = call(
        rsa_agent, "OPTIONS", "/sign", headers=headers, origin="https://evil.example"
    )
    assert status == 403
    assert "Access-Control-Allow-Origin" not in response_headers


def test_second_allowed_origin_is_normalised(rsa_agent):
    status, headers, _ = call(rsa_agent, "GET", "/status", origin="http://localhost:8080")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:8080"


def test_malformed_json_is_a_bad_request(rsa_agent):
    status, headers, body = call(rsa_agent, "POST", "/sign", b"{not json")
    assert status == 400
    assert body["type"] == "bad_request"
    assert headers["Access-Control-Allow-Origin"] == ORIGIN


def test_bad_base64_is_a_bad_request(rsa_agent):
    request = {"nonce": "n", "data_to_sign": "***not base64***", "summary": SUMMARY}
    status, _, body = call(rsa_agent, "POST", "/sign", request)
    assert status == 400
    assert "data_to_sign" in body["message"]


@pytest.mark.parametrize(
    "change",
    [
        {"nonce": ""},
        {"nonce": 7},
        {"summary": "approve"},
        {"summary": {"number": "1", "matter": "m"}},
        {"document": ""},
        {"document": "***not base64***"},
    ],
)
def test_missing_or_invalid_fields_are_bad_requests(rsa_agent, tokens, decision_pdf, change):
    prepared = prepare(decision_pdf, tokens.rsa_cert)
    status, _, body = call(rsa_agent, "POST", "/sign", sign_request(prepared) | change)
    assert status == 400
    assert body["type"] == "bad_request"


def test_arbitrary_data_is_not_signed(rsa_agent, tokens, decision_pdf):
    request = sign_request(prepare(decision_pdf, tokens.rsa_cert)) | {
        "data_to_sign": base64.b64encode(b"hello").decode(),
    }
    status, _, body = call(rsa_agent, "POST", "/sign", request)
    assert status == 400
    assert body["type"] == "bad_request"


def test_document_prepared_for_another_certificate_is_refused(rsa_agent, tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.ec_cert)
    status, _, body = call(rsa_agent, "POST", "/sign", sign_request(prepared))
    assert status == 409
    assert body["type"] == "certificate_mismatch"


OTHER_SUMMARY = {"number": "ZD-2026-000077", "matter": "药品零售许可", "decision": "不予许可"}


@pytest.fixture
def watched_agent(rsa_agent, monkeypatch):
    """rsa_agent, recording what its confirmation shows and what reaches the token."""
    shown, signed = [], []
    config = rsa_agent.config
    real_sign = agent.sign_data_with_token

    def approve(summary):
        shown.append(summary)
        return config.approve(summary)

    def sign_data_with_token(*args):
        signed.append(args)
        return real_sign(*args)

    monkeypatch.setattr(rsa_agent, "config", dataclasses.replace(config, approve=approve))
    monkeypatch.setattr(agent, "sign_data_with_token", sign_data_with_token)
    return SimpleNamespace(port=rsa_agent.port, shown=shown, signed=signed)


def test_confirmation_shows_the_document_and_the_signature_completes(
    watched_agent, tokens, pdf_stating
):
    prepared = prepare(pdf_stating(OTHER_SUMMARY), tokens.rsa_cert, box=BOX)
    request = sign_request(prepared) | {"summary": OTHER_SUMMARY}
    status, _, body = call(watched_agent, "POST", "/sign", request)
    assert status == 200, body
    assert watched_agent.shown == [OTHER_SUMMARY]
    signed = complete(prepared.state, base64.b64decode(body["signature"]))
    assert verify(signed, [tokens.ca_cert]).ok


def test_signed_attributes_of_another_document_are_refused(
    watched_agent, tokens, decision_pdf, pdf_stating
):
    shown_document = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    other = prepare(pdf_stating(OTHER_SUMMARY), tokens.rsa_cert, box=BOX)
    request = sign_request(shown_document) | {
        "data_to_sign": base64.b64encode(other.data_to_sign).decode()
    }
    status, _, body = call(watched_agent, "POST", "/sign", request)
    assert status == 400
    assert body["type"] == "document_mismatch"
    assert watched_agent.shown == []
    assert watched_agent.signed == []


def test_signed_attributes_over_another_digest_of_the_same_document_are_refused(
    watched_agent, tokens, decision_pdf
):
    # Prepared twice, the document differs (signing time, IDs): each has its own digest.
    first = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    second = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    assert first.document_digest != second.document_digest
    request = sign_request(first) | {"data_to_sign": base64.b64encode(second.data_to_sign).decode()}
    status, _, body = call(watched_agent, "POST", "/sign", request)
    assert (status, body["type"]) == (400, "document_mismatch")
    assert watched_agent.signed == []


def _with_byte_range(document: bytes, change) -> bytes:
    """`document` with its last /ByteRange [a b c d] replaced by change(a, b, c, d), same size."""
    match = list(re.finditer(rb"/ByteRange \[([0-9 ]+)\] *", document))[-1]
    numbers = change(*(int(n) for n in match[1].split()))
    replacement = b"/ByteRange [%s]" % b" ".join(b"%d" % n for n in numbers)
    size = match.end() - match.start()
    assert len(replacement) <= size
    return document[: match.start()] + replacement.ljust(size) + document[match.end() :]


@pytest.mark.parametrize(
    "change",
    [
        # The first range stops before the placeholder: the /Contents key goes unsigned.
        lambda a, b, c, d: (a, b - 9, c, d),
        # The second range starts inside the placeholder.
        lambda a, b, c, d: (a, b, c - 10, d + 10),
        # The second range stops short of the end of the file.
        lambda a, b, c, d: (a, b, c, d - 20),
        # The first range leaves out the start of the file.
        lambda a, b, c, d: (a + 15, b, c, d),
        # Both ranges and a gap in the page content, the placeholder signed.
        lambda a, b, c, d: (a, 200, 300, d + c - 300),
    ],
)
def test_byte_range_leaving_out_more_than_the_placeholder_is_refused(
    watched_agent, tokens, decision_pdf, change
):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    request = sign_request(prepared) | {
        "document": base64.b64encode(_with_byte_range(prepared.document, change)).decode()
    }
    status, _, body = call(watched_agent, "POST", "/sign", request)
    assert status == 400
    assert body["type"] == "document_unreadable"
    assert watched_agent.shown == []
    assert watched_agent.signed == []


def test_document_with_bytes_after_the_signed_range_is_refused(watched_agent, tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    document = prepared.document + b"\n1 0 obj\n<< /ZDNumber (ZD-2026-000001) >>\nendobj\n"
    request = sign_request(prepared) | {"document": base64.b64encode(document).decode()}
    status, _, body = call(watched_agent, "POST", "/sign", request)
    assert (status, body["type"]) == (400, "document_unreadable")
    assert watched_agent.signed == []


def test_document_without_a_decision_to_show_is_refused(watched_agent, tokens):
    buffer = BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 700, "no decision information")
    canvas.showPage()
    canvas.save()
    prepared = prepare(buffer.getvalue(), tokens.rsa_cert, box=BOX)
    status, _, body = call(watched_agent, "POST", "/sign", sign_request(prepared))
    assert (status, body["type"]) == (400, "document_unreadable")
    assert watched_agent.shown == []


@pytest.mark.parametrize("key", ["number", "matter", "decision"])
def test_summary_contradicting_the_document_is_refused(watched_agent, tokens, decision_pdf, key):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    request = sign_request(prepared) | {"summary": SUMMARY | {key: OTHER_SUMMARY[key]}}
    status, _, body = call(watched_agent, "POST", "/sign", request)
    assert status == 400
    assert body["type"] == "document_mismatch"
    assert "Nothing was signed" in body["message"]
    assert watched_agent.shown == []
    assert watched_agent.signed == []


def test_wrong_pin_is_unauthorised(start_agent, tokens, decision_pdf):
    server = start_agent(pin_variable=WRONG_PIN_VARIABLE)
    prepared = prepare(decision_pdf, tokens.rsa_cert)
    status, _, body = call(server, "POST", "/sign", sign_request(prepared))
    assert status == 401
    assert body["type"] == "wrong_pin"
    assert "000000" not in body["message"]


def test_oversized_body_is_refused(rsa_agent):
    body = json.dumps({"nonce": "n", "document": "A" * (agent.MAX_BODY + 1)}).encode()
    status, _, answer = call(rsa_agent, "POST", "/sign", body)
    assert status == 413
    assert answer["type"] == "body_too_large"


def test_unknown_path_is_not_found(rsa_agent):
    status, _, body = call(rsa_agent, "GET", "/admin")
    assert status == 404
    assert body["type"] == "not_found"


def test_errors_never_carry_a_traceback(rsa_agent, monkeypatch):
    def explode(*args):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(agent, "token_certificate", explode)
    status, _, body = call(rsa_agent, "GET", "/status")
    assert status == 500
    assert body == {"type": "internal_error", "message": "The signing agent failed; see its log."}


class _Terminal:
    """The agent run as `zhangdian-signer` in a pseudo-terminal, as an approver starts it."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child becomes the agent
            os.execv(sys.executable, [sys.executable, "-c", AGENT_MAIN, *argv])  # noqa: S606
        self.output = b""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        """Read the terminal until `text` appears."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            assert time.monotonic() < deadline, self.output.decode(errors="replace")
            if select.select([self.fd], [], [], 0.1)[0]:
                self.output += os.read(self.fd, 4096)

    def type(self, line: str) -> None:
        """Type a line as the approver."""
        os.write(self.fd, line.encode() + b"\n")

    def stop(self) -> None:
        """Interrupt the agent like Ctrl-C and reap it."""
        os.kill(self.pid, signal.SIGINT)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


AGENT_MAIN = "import sys; from zhangdian.signer.agent import main; sys.exit(main())"


def test_interactive_agent_asks_the_approver(tokens, pdf_stating):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = ["--module", LIBRARY, "--token-label", RSA_TOKEN, "--port", str(port)]
    terminal = _Terminal([*argv, "--allow-origin", ORIGIN, "--confirm", "terminal"])
    try:
        terminal.wait_for("certificate CN=")
        server = SimpleNamespace(port=port)
        # The control characters come in the document, which is what the terminal shows.
        stated = SUMMARY | {"number": "ZD-2026-000043\x1b[2J"}
        prepared = prepare(pdf_stating(stated), tokens.rsa_cert, box=BOX)
        request = sign_request(prepared)
        request["summary"] = stated
        answers = {}

        def post(name):
            answers[name] = call(server, "POST", "/sign", request)

        declining = threading.Thread(target=post, args=("declined",))
        declining.start()
        terminal.wait_for("[y/N]")
        terminal.type("n")
        declining.join(30)
        assert answers["declined"][0] == 403
        assert answers["declined"][2]["type"] == "declined"

        confirming = threading.Thread(target=post, args=("confirmed",))
        confirming.start()
        terminal.wait_for("[y/N]", timeout=30)
        terminal.output = b""
        terminal.type("y")
        terminal.wait_for("PIN")
        terminal.type(PIN)
        confirming.join(30)
        status, _, body = answers["confirmed"]
        assert status == 200, body
        signed = complete(prepared.state, base64.b64decode(body["signature"]))
        assert verify(signed, [tokens.ca_cert]).ok
        terminal.wait_for("signed application ZD-2026-000043")
        shown = terminal.output.decode(errors="replace")
        assert "\x1b" not in shown, "control characters from the request reach the terminal"
        assert PIN not in shown.replace("PIN 密钥口令", "")
    finally:
        terminal.stop()
