"""Constants shared by the signing tests (tests/signing/conftest.py builds the fixtures)."""

from datetime import UTC
from datetime import datetime
from tests.helpers.approval import EC_TOKEN
from tests.helpers.approval import LIBRARY
from tests.helpers.approval import PIN
from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import SO_PIN


__all__ = ["EC_TOKEN", "LIBRARY", "PIN", "RSA_TOKEN", "SO_PIN"]
# The decision generator's box (decision_document.SIGNATURE_BOX), repeated to stay independent.
BOX = (334, 100, 514, 170)
# When the unit tests' CAs begin to be valid.
CA_START = datetime(2025, 1, 1, tzinfo=UTC)
TAMPER_MARK = b"APPROVED"
# What the signing tests' decision PDF states in its /Info for the agent (and pages summarise).
DOCUMENT_SUMMARY = {"number": "ZD-2026-000042", "matter": "食品经营许可", "decision": "准予许可"}
