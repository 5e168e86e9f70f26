"""Authorisations on a clock the tests move (time-machine)."""

from authorization_helpers import at
from authorization_helpers import make_authorization
from authorization_helpers import transition
from plone import api

import pytest
import time_machine


@pytest.fixture
def clock():
    """Travel to a day; returns a function `clock("2026-06-01")`."""
    travellers = []

    def travel(day):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(at(day), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def roster(portal, matter_list):
    """The approver roster, next to the test matter list."""
    return portal["approvers"]


@pytest.fixture
def granted(portal, roster, clock):
    """approver1 authorised for 经贸商事 for 2026, granted on 2026-01-02."""
    with api.env.adopt_roles(["Manager"]):
        api.user.create(username="approver1", email="a1@example.org", password="secret-password-1")
    authorization = make_authorization(roster, "approver1", "2026-01-01", "2026-12-31", ["jmss"])
    clock("2026-01-02")
    transition(portal, authorization, "grant")
    return authorization


@pytest.fixture
def functional_granted(functional_matter_list, functional_portal):
    """approver1 (approver1@example.org) authorised for 经贸商事 in 2026, committed."""
    import transaction

    with api.env.adopt_roles(["Manager"]):
        api.user.create(
            username="approver1", email="approver1@example.org", password="secret-password-1"
        )
    authorization = make_authorization(
        functional_portal["approvers"], "approver1", "2026-01-01", "2026-12-31", ["jmss"]
    )
    with time_machine.travel(at("2026-01-02"), tick=False):
        transition(functional_portal, authorization, "grant")
    transaction.commit()
    return authorization
