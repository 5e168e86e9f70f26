"""Constants and helpers shared by the signing tests (conftest.py builds the fixtures)."""

from approval_testing import EC_TOKEN
from approval_testing import LIBRARY
from approval_testing import PIN
from approval_testing import RSA_TOKEN
from approval_testing import SO_PIN


__all__ = ["EC_TOKEN", "LIBRARY", "PIN", "RSA_TOKEN", "SO_PIN"]
# The decision generator's box (decision_document.SIGNATURE_BOX), repeated to stay independent.
BOX = (334, 100, 514, 170)
TAMPER_MARK = b"APPROVED"
