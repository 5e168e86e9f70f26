"""Fixtures of the bad-input suite: an accepted application and a spot check with a sample."""

from tests.helpers.approval import signed_approval
from tests.helpers.approval import start_spot_check

import pytest
import transaction


@pytest.fixture
def spot_check(functional_portal, functional_granted, tokens, clock):
    """A 2026-Q1 spot check whose sample holds one case approver1 approved; its URL and number."""
    clock("2026-03-02")
    application = signed_approval(functional_portal, functional_granted, tokens)
    clock("2026-04-02")
    check = start_spot_check(
        functional_portal, title="Q1", quarter="2026-Q1", share=1.0, seed="bad-input"
    )
    transaction.commit()
    assert application.number in [n for numbers in check.sample.values() for n in numbers]
    return check.absolute_url(), application.number
