"""Constants and helpers shared by the signing tests (conftest.py builds the fixtures)."""

from zhangdian.approval.signing import softhsm


LIBRARY = softhsm.SOFTHSM_LIBRARY
RSA_TOKEN = "approver1"
EC_TOKEN = "approver2"
PIN = "123456"
SO_PIN = "87654321"
# The decision generator's box (decision_document.SIGNATURE_BOX), repeated to stay independent.
BOX = (334, 100, 514, 170)
TAMPER_MARK = b"APPROVED"
