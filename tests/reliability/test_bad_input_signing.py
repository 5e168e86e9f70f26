"""The signature steps: bad input is refused clearly and stores nothing (see bad_input.py)."""

from tests.helpers.approval import PIN
from tests.reliability.bad_input import BIG
from tests.reliability.bad_input import GB18030
from tests.reliability.bad_input import INVALID_UTF8
from tests.reliability.bad_input import JSON
from tests.reliability.bad_input import JSON_UTF8
from tests.reliability.bad_input import XSS
from tests.reliability.bad_input import Case
from tests.reliability.bad_input import b64
from tests.reliability.bad_input import run

import pytest


# The signature steps on an application accepted by approver1 (checklist complete).
CERT_NOT_A_CERT = b64(b"\x30\x03\x02\x01\x05")
SIGN_CASES = [
    Case(
        "prepare-empty-transition",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": ""},
    ),
    Case(
        "prepare-transition-number",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": 5},
    ),
    Case(
        "prepare-transition-object",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": {"approve": True}},
    ),
    Case(
        "prepare-reason-100kB",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": "refuse", "reason": BIG},
    ),
    Case("prepare-list-body", "approver1", "POST", "{app}/@sign-prepare", json=["approve"]),
    Case(
        "prepare-invalid-utf8",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        data=INVALID_UTF8,
        headers=JSON_UTF8,
    ),
    Case(
        "prepare-gb18030-as-utf8",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        data=GB18030,
        headers=JSON_UTF8,
    ),
    Case(
        "prepare-der-not-a-certificate",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": "approve", "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "prepare-certificate-list",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={"transition": "approve", "certificate": ["-----BEGIN CERTIFICATE-----"]},
    ),
    Case(
        "prepare-pem-garbage",
        "approver1",
        "POST",
        "{app}/@sign-prepare",
        json={
            "transition": "approve",
            "certificate": f"-----BEGIN CERTIFICATE-----\n{XSS}\n-----END CERTIFICATE-----",
        },
    ),
    Case(
        "prepare-by-applicant",
        "member",
        "POST",
        "{app}/@sign-prepare",
        (401, 403),
        json={"transition": "approve"},
    ),
    Case("complete-missing", "approver1", "POST", "{app}/@sign-complete", json={}),
    Case(
        "complete-nonce-number",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": 5, "signature": b64(b"sig"), "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-signature-not-base64",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": "n", "signature": "%%%", "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-signature-above-64KiB",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": "n", "signature": b64(b"s" * 70_000), "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-certificate-garbage",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": "n", "signature": b64(b"sig"), "certificate": CERT_NOT_A_CERT},
    ),
    Case(
        "complete-nonce-100kB",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        json={"nonce": BIG, "signature": b64(b"sig"), "certificate": CERT_NOT_A_CERT},
    ),
    Case("complete-list-body", "approver1", "POST", "{app}/@sign-complete", json=[1, 2]),
    Case(
        "complete-invalid-utf8",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        data=b'{"nonce": "\xff", "signature": "", "certificate": ""}',
        headers=JSON,
    ),
    Case(
        "complete-text-plain",
        "approver1",
        "POST",
        "{app}/@sign-complete",
        (415,),
        data=b'{"nonce": "n"}',
        headers={"Content-Type": "text/plain"},
    ),
    Case("server-missing", "approver1", "POST", "{app}/@sign-server", json={}),
    Case(
        "server-empty-pin",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "approve", "pin": ""},
    ),
    Case(
        "server-pin-number",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "approve", "pin": 123456},
    ),
    Case(
        "server-pin-100kB",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "approve", "pin": BIG},
    ),
    Case(
        "server-unknown-transition",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": XSS, "pin": PIN},
    ),
    Case(
        "server-wrong-pin",
        "approver1",
        "POST",
        "{app}/@sign-server",
        (400, 401, 403),
        json={"transition": "approve", "pin": "000000"},
        journalled=("signing.pin_wrong",),
    ),
    Case(
        "server-reason-100kB",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "refuse", "reason": BIG, "pin": PIN},
    ),
    Case(
        "server-refuse-empty-reason",
        "approver1",
        "POST",
        "{app}/@sign-server",
        (400, 403),
        json={"transition": "refuse", "reason": "   ", "pin": PIN},
    ),
    Case(
        "server-reason-lone-surrogate",
        "approver1",
        "POST",
        "{app}/@sign-server",
        json={"transition": "refuse", "reason": "\udcff\udcfe", "pin": PIN},
    ),
    Case("server-list-body", "approver1", "POST", "{app}/@sign-server", json=[]),
    Case(
        "server-malformed",
        "approver1",
        "POST",
        "{app}/@sign-server",
        data=b'{"transition": "approve", "pin": "123456"',
        headers=JSON,
    ),
    Case(
        "server-invalid-utf8",
        "approver1",
        "POST",
        "{app}/@sign-server",
        data=INVALID_UTF8,
        headers=JSON_UTF8,
    ),
    Case(
        "server-gb18030-as-utf8",
        "approver1",
        "POST",
        "{app}/@sign-server",
        data=GB18030,
        headers=JSON_UTF8,
    ),
    Case(
        "server-text-plain",
        "approver1",
        "POST",
        "{app}/@sign-server",
        (415,),
        data=b'{"transition": "approve", "pin": "123456"}',
        headers={"Content-Type": "text/plain"},
    ),
]


@pytest.mark.parametrize("case", SIGN_CASES, ids=lambda c: getattr(c, "id", None))
def test_signature_steps(case, accepted, functional_portal):
    run(case, {"app": accepted}, functional_portal)
