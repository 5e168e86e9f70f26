"""Fixtures shared by the whole suite (pytest-plone)."""

import os


# zope.i18n reads this when it is first imported: compile our .po files to .mo.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")

from aiosmtpd.controller import Controller
from approval_testing import PASSWORD
from approval_testing import at
from approval_testing import make_authorization
from approval_testing import populate
from approval_testing import transition
from email import message_from_bytes
from plone import api
from pytest_plone import fixtures_factory
from zhangdian.approval.applications import forget_cached_verdicts
from zhangdian.approval.testing import FUNCTIONAL_TESTING
from zhangdian.approval.testing import INTEGRATION_TESTING

import pytest
import socket
import time_machine
import transaction


pytest_plugins = ["pytest_plone"]

globals().update(
    fixtures_factory(
        (
            (FUNCTIONAL_TESTING, "functional"),
            (INTEGRATION_TESTING, "integration"),
        )
    )
)


@pytest.fixture
def package_name() -> str:
    """The distribution under test (used by pytest-plone's install fixtures)."""
    return "zhangdian.approval"


@pytest.fixture
def matter_list(portal):
    """The matter list with two categories and matters in every state."""
    return populate(portal)


@pytest.fixture
def functional_matter_list(functional_portal):
    """The same content, committed for tests that go through HTTP."""

    matter_list = populate(functional_portal)
    transaction.commit()
    return matter_list


@pytest.fixture
def user_request(request_factory):
    """A REST session logged in as one of the test users (or anonymous for None)."""

    def factory(userid):
        if userid is None:
            return request_factory()
        return request_factory(basic_auth=(userid, PASSWORD))

    return factory


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
        # A real request never spans two days: drop what this one remembers.
        forget_cached_verdicts()

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


class Inbox:
    """Collects what the SMTP server receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        """Store one message."""
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(functional_portal):
    """A real SMTP server on loopback, with the portal's MailHost pointed at it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailhost = functional_portal.MailHost
    api.portal.set_registry_record("plone.email_from_address", "bureau@zhangdian.example.cn")
    api.portal.set_registry_record("plone.email_from_name", "张店区行政审批服务局")
    api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
    api.portal.set_registry_record("plone.smtp_port", port)
    mailhost.smtp_host, mailhost.smtp_port = "127.0.0.1", port
    transaction.commit()
    yield inbox
    controller.stop()
