"""The test CAs the certificate and trust tests share."""

from tests.helpers.signing import CA_START
from zhangdian.approval.testing.pki import make_ca

import pytest


@pytest.fixture(scope="module")
def ca():
    """The bureau's test CA (RSA-2048) and its key."""
    return make_ca(valid_from=CA_START)


@pytest.fixture(scope="module")
def other_ca():
    """A second, unrelated CA."""
    return make_ca("淄博市 其他测试CA", valid_from=CA_START)
