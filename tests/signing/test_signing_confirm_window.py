"""The signer's confirmation window, on a real (virtual) X display, driven through its widgets."""

from tests.helpers.signing import BOX
from tests.helpers.signing import LIBRARY
from tests.helpers.signing import PIN
from tests.helpers.signing import RSA_TOKEN
from tests.signing.test_signing_agent import ORIGIN
from tests.signing.test_signing_agent import SUMMARY
from tests.signing.test_signing_agent import call
from tests.signing.test_signing_agent import sign_request
from zhangdian.approval.signing.prepare import complete
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.signing.verify import verify
from zhangdian.signer import agent
from zhangdian.signer import confirm

import base64
import http.client
import os
import pytest
import signal
import socket
import subprocess
import sys
import threading
import time
import tkinter


def _widgets(widget):
    """`widget` and everything inside it."""
    yield widget
    for child in widget.winfo_children():
        yield from _widgets(child)


def approver(pin=None, press="sign", presses=1):
    """A window driver that types `pin` and presses a button; returns (driver, what it saw)."""
    seen = {}

    def drive(root):
        try:
            widgets = list(_widgets(root))
            seen["title"] = root.title()
            seen["texts"] = [w.cget("text") for w in widgets if isinstance(w, tkinter.Label)]
            entries = [w for w in widgets if isinstance(w, tkinter.Entry)]
            seen["entries"] = len(entries)
            (button,) = [
                w
                for w in widgets
                if isinstance(w, tkinter.Button) and w.cget("text") == confirm.LABELS[press]
            ]
            for _ in range(presses - 1):
                button.invoke()
            if pin is not None:
                entries[0].insert(0, pin)
            button.invoke()
        except BaseException as error:
            # A failure inside a Tk callback would only be printed and the window stay open.
            seen["error"] = error
            root.quit()

    return drive, seen


def _checked(seen):
    """What the driver saw, after re-raising what failed inside the window."""
    if "error" in seen:
        raise seen["error"]
    return seen


def test_window_shows_the_decision_and_returns_the_typed_pin(x_display):
    drive, seen = approver(pin=PIN)
    answer = confirm.ask(SUMMARY, want_pin=True, screen=x_display, on_shown=drive)
    assert answer == PIN
    texts = _checked(seen)["texts"]
    assert seen["title"] == "签署确认 Signature request"
    for key in ("number", "matter", "decision"):
        assert SUMMARY[key] in texts
        assert confirm.LABELS[key] in texts
    assert confirm.LABELS["pin"] in texts
    assert seen["entries"] == 1


def test_cancel_declines(x_display):
    drive, seen = approver(pin=PIN, press="cancel")
    assert confirm.ask(SUMMARY, want_pin=True, screen=x_display, on_shown=drive) is None
    _checked(seen)


def test_sign_without_a_pin_keeps_the_window_open(x_display):
    # The first press finds the PIN field empty; the window stays until the PIN is typed.
    drive, seen = approver(pin=PIN, presses=2)
    assert confirm.ask(SUMMARY, want_pin=True, screen=x_display, on_shown=drive) == PIN
    _checked(seen)


def test_without_a_pin_to_ask_the_window_only_confirms(x_display):
    drive, seen = approver()
    assert confirm.ask(SUMMARY, want_pin=False, screen=x_display, on_shown=drive) == ""
    assert _checked(seen)["entries"] == 0
    assert confirm.LABELS["pin"] not in seen["texts"]


@pytest.fixture
def window_agent(x_display, monkeypatch):
    """An agent in front of approver1's token that asks in a window and has no PIN of its own."""
    monkeypatch.setenv("DISPLAY", x_display)
    server = agent.create_server(
        [
            "--module",
            LIBRARY,
            "--token-label",
            RSA_TOKEN,
            "--port",
            "0",
            "--allow-origin",
            ORIGIN,
            "--confirm",
            "window",
        ]
    )
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield server
    server.shutdown()
    server.server_close()


def _post_in_background(server, request):
    """POST /sign from another thread, as the browser does while the window is open."""
    answers = []
    thread = threading.Thread(target=lambda: answers.append(call(server, "POST", "/sign", request)))
    thread.start()
    return thread, answers


def test_agent_signs_with_the_pin_typed_into_its_window(window_agent, tokens, decision_pdf):
    assert window_agent.window is not None
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    thread, answers = _post_in_background(window_agent, sign_request(prepared))
    drive, seen = approver(pin=PIN)
    assert window_agent.window.serve_one(timeout=30, on_shown=drive)
    thread.join(30)
    assert SUMMARY["number"] in _checked(seen)["texts"]
    status, _, body = answers[0]
    assert status == 200, body
    signed = complete(prepared.state, base64.b64decode(body["signature"]))
    assert verify(signed, [tokens.ca_cert]).ok


def test_agent_answers_declined_when_the_window_is_cancelled(window_agent, tokens, decision_pdf):
    prepared = prepare(decision_pdf, tokens.rsa_cert, box=BOX)
    thread, answers = _post_in_background(window_agent, sign_request(prepared))
    drive, seen = approver(press="cancel")
    assert window_agent.window.serve_one(timeout=30, on_shown=drive)
    thread.join(30)
    _checked(seen)
    status, _, body = answers[0]
    assert status == 403
    assert body["type"] == "declined"


PIN_VARIABLE = "ZHANGDIAN_TEST_WINDOW_PIN"


@pytest.fixture
def pin_in_environment(monkeypatch):
    """The PIN in the environment, for agents started with `--pin-env`."""
    monkeypatch.setenv(PIN_VARIABLE, PIN)


def _agent_arguments():
    return ["--token-label", RSA_TOKEN, "--allow-origin", ORIGIN, "--pin-env", PIN_VARIABLE]


@pytest.mark.usefixtures("pin_in_environment")
def test_auto_confirm_uses_a_window_when_there_is_a_display(x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    server = agent.create_server([*_agent_arguments(), "--port", "0"])
    server.server_close()
    assert server.window is not None


@pytest.mark.usefixtures("pin_in_environment")
def test_auto_confirm_uses_the_terminal_without_a_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    server = agent.create_server([*_agent_arguments(), "--port", "0"])
    server.server_close()
    assert server.window is None


@pytest.mark.usefixtures("pin_in_environment")
def test_terminal_confirmation_can_be_chosen_on_a_desktop(x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", x_display)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    server = agent.create_server([*_agent_arguments(), "--port", "0", "--confirm", "terminal"])
    server.server_close()
    assert server.window is None


@pytest.mark.usefixtures("pin_in_environment")
def test_a_window_without_a_display_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(SystemExit):
        agent.create_server([*_agent_arguments(), "--confirm", "window"])
    assert "--confirm window: no desktop" in capsys.readouterr().err


@pytest.mark.usefixtures("pin_in_environment")
def test_started_with_python_m_it_serves_http_beside_the_window_loop(x_display, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "signer.log"
    command = [sys.executable, "-m", "zhangdian.signer.agent", "--module", LIBRARY]
    command += [*_agent_arguments(), "--port", str(port), "--log-file", str(log)]
    environment = os.environ | {"DISPLAY": x_display}
    process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while "listening" not in (log.read_text() if log.exists() else ""):
            assert process.poll() is None, "the agent exited"
            assert time.monotonic() < deadline, "the agent did not start"
            time.sleep(0.1)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/status", headers={"Origin": ORIGIN})
        assert connection.getresponse().status == 200
        connection.close()
        assert "confirmation in a window" in log.read_text()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
    assert "stopped" in log.read_text()
