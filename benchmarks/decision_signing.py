"""Time each step of a signed decision on SoftHSM2 tokens (RSA-2048 and ECDSA P-256).

Renders the decision PDF, prepares the PAdES signature, signs the bytes on the token through
the PKCS#11 worker, completes and verifies, for ROUNDS decisions per key type, in one process
with its own throw-away tokens and CA. The portal's rules around these steps are measured by
the Plone benchmarks; this isolates the document and crypto cost. Asserts nothing about speed.
"""

from datetime import date
from pathlib import Path
from zhangdian.approval.documents.decision_document import SIGNATURE_BOX
from zhangdian.approval.documents.decision_document import SIGNATURE_FIELD
from zhangdian.approval.documents.decision_document import SIGNATURE_PAGE
from zhangdian.approval.documents.decision_document import DecisionData
from zhangdian.approval.documents.decision_document import render_decision
from zhangdian.approval.signing.prepare import complete
from zhangdian.approval.signing.prepare import prepare
from zhangdian.approval.signing.verify import verify
from zhangdian.approval.testing import softhsm
from zhangdian.approval.testing.pki import make_ca
from zhangdian.signer.token import sign_data_with_token

import os
import statistics
import tempfile
import time


ROUNDS = int(os.environ.get("ROUNDS", "20"))
PIN = "123456"
DATA = DecisionData(
    bureau_name="淄博市张店区行政审批服务局",
    application_number="ZD-2026-000123",
    applicant_name="淄博市张店区好运来餐饮管理有限公司",
    applicant_identifier="91370303MA3C4K7L1U",
    matter_code="XK-JMSS-001",
    matter_name="食品经营许可（新办）",
    legal_basis="《中华人民共和国食品安全法》第三十五条",
    decision="approved",
    reason="",
    decided_on=date(2026, 11, 22),
    approver_name="李明",
    verify_url="http://localhost:8080/Plone/@@application-status?number=ZD-2026-000123",
    query_code="7K3M9QXA",
)


def timed(function, *args, **kwargs):
    """(result, milliseconds)."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000


def main():
    """Provision two tokens, run the rounds, print medians."""
    directory = Path(tempfile.mkdtemp(prefix="zd-bench-sign-"))
    config = softhsm.write_config(directory)
    softhsm.activate(config)
    ca_cert, ca_key = make_ca()
    anchors = [ca_cert]
    rows = []
    for label, key_type in (("bench-rsa", "RSA"), ("bench-ec", "EC")):
        cert = softhsm.provision_token(
            config, label, PIN, "87654321", "李明", ca_cert, ca_key, key_type
        )
        steps = {"render": [], "prepare": [], "sign on token": [], "complete": [], "verify": []}
        size = 0
        for _ in range(ROUNDS):
            document, ms = timed(render_decision, DATA)
            steps["render"].append(ms)
            prepared, ms = timed(
                prepare,
                document,
                cert,
                field_name=SIGNATURE_FIELD,
                box=SIGNATURE_BOX,
                page=SIGNATURE_PAGE,
            )
            steps["prepare"].append(ms)
            (signature, _cert), ms = timed(
                sign_data_with_token, softhsm.SOFTHSM_LIBRARY, label, PIN, prepared.data_to_sign
            )
            steps["sign on token"].append(ms)
            signed, ms = timed(complete, prepared.state, signature)
            steps["complete"].append(ms)
            result, ms = timed(verify, signed, anchors)
            steps["verify"].append(ms)
            assert result.ok  # noqa: S101 - the data must be right for the figures to mean anything
            size = len(signed)
        total = sum(statistics.median(values) for values in steps.values())
        for step, values in steps.items():
            rows.append((key_type, step, statistics.median(values), max(values)))
        rows.append((key_type, "whole signed decision", total, None))
        rows.append((key_type, f"signed PDF size: {size / 1024:.0f} KiB", None, None))
    print(f"| key | step | median ms ({ROUNDS} rounds) | max ms |")
    print("|---|---|---:|---:|")
    for key_type, step, median, most in rows:
        median_text = "" if median is None else f"{median:.1f}"
        most_text = "" if most is None else f"{most:.1f}"
        print(f"| {key_type} | {step} | {median_text} | {most_text} |")


if __name__ == "__main__":
    main()
