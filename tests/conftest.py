"""Fixtures shared by the whole suite (pytest-plone)."""

import os


# zope.i18n reads this when it is first imported: compile our .po files to .mo.
os.environ.setdefault("zope_i18n_compile_mo_files", "true")

from aiosmtpd.controller import Controller
from tests.helpers.approval import EC_TOKEN
from tests.helpers.approval import IN_SCOPE_EC_TOKEN
from tests.helpers.approval import LIBRARY
from tests.helpers.approval import PASSWORD
from tests.helpers.approval import register_application_as
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from tests.helpers.approval import PIN
from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import SHORT_LIVED_TOKEN
from tests.helpers.approval import SO_PIN
from tests.helpers.approval import STRANGER_TOKEN
from tests.helpers.approval import at
from tests.helpers.approval import submitted_and_accepted
from tests.helpers.approval import make_authorization
from tests.helpers.approval import populate
from tests.helpers.approval import transition
from email import message_from_bytes
from plone import api
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pytest_plone import fixtures_factory
from zhangdian.approval.certificates import make_ca
from urllib.parse import urlsplit
from zhangdian.approval.signing import softhsm
from zhangdian.approval.signing.agent import create_server
from zhangdian.approval.signing.timestamps import serve_tsa
from zhangdian.approval.applications import forget_cached_verdicts
from zhangdian.approval.testing import FUNCTIONAL_TESTING
from zhangdian.approval.testing import INTEGRATION_TESTING

import pytest
import shutil
import socket
import threading
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


@dataclass(frozen=True)
class Tokens:
    """The provisioned tokens and the CA that issued their certificates."""

    config: str
    ca_cert: object
    ca_key: object
    rsa_cert: object
    ec_cert: object
    certs: dict


@pytest.fixture(scope="session")
def tokens(tmp_path_factory) -> Tokens:
    """SoftHSM2 tokens labelled by user id, with certificates from a test bureau CA.

    approver1 RSA-2048, approver2 and approver4 EC P-256, all valid through 2027; approver6
    RSA valid in January and February 2026 only; `stranger` bound to nobody.
    """
    if shutil.which(softhsm.SOFTHSM_UTIL) is None or not os.path.exists(LIBRARY):
        pytest.fail(
            "SoftHSM2 (softhsm2-util, libsofthsm2.so) is not installed: run `make system-deps`",
            pytrace=False,
        )
    config = softhsm.write_config(tmp_path_factory.mktemp("softhsm"))
    softhsm.activate(config)
    ca_cert, ca_key = make_ca(valid_from=datetime(2025, 1, 1, tzinfo=UTC))
    certs = {}
    for label, name, key_type, days in (
        (RSA_TOKEN, "李明", "RSA", 730),
        (EC_TOKEN, "王芳", "EC", 730),
        (IN_SCOPE_EC_TOKEN, "赵强", "EC", 730),
        (STRANGER_TOKEN, "陌生人", "RSA", 730),
        (SHORT_LIVED_TOKEN, "孙丽", "RSA", 59),
    ):
        certs[label] = softhsm.provision_token(
            config,
            label,
            PIN,
            SO_PIN,
            name,
            ca_cert,
            ca_key,
            key_type,
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
            days=days,
        )
    return Tokens(str(config), ca_cert, ca_key, certs[RSA_TOKEN], certs[EC_TOKEN], certs)


@pytest.fixture(scope="session")
def tsa_url(tokens):
    """The URL of a loopback RFC 3161 TSA whose certificate the test CA issued."""
    server, url = serve_tsa(
        tokens.ca_cert, tokens.ca_key, valid_from=datetime(2026, 1, 1, tzinfo=UTC), days=730
    )
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def submit(portal, matter_list):
    """Submit an application as `userid` (default the member applicant)."""

    def factory(matter="XK-T-001", userid="member", **overrides):
        return register_application_as(portal, userid, matter, **overrides)

    return factory


@pytest.fixture
def approvers(portal, granted):
    """approver1 (经贸商事, granted), approver2 (社会事务) and approver4 (经贸商事) for 2026."""
    roster = portal["approvers"]
    authorizations = {"approver1": granted}
    for userid, category in (("approver2", "shsw"), ("approver4", "jmss")):
        with api.env.adopt_roles(["Manager"]):
            api.user.create(username=userid, email=f"{userid}@example.org", password="pw-123456")
        authorization = make_authorization(roster, userid, "2026-01-01", "2026-12-31", [category])
        transition(portal, authorization, "grant")
        authorizations[userid] = authorization
    return authorizations


@pytest.fixture
def keys(portal, approvers, tokens):
    """approver1 (RSA) and approver4 (EC) have their token certificates bound; server signing on."""
    configure_signing(tokens)
    for userid in (RSA_TOKEN, IN_SCOPE_EC_TOKEN):
        bind(approvers[userid], tokens.certs[userid])
    return tokens


@pytest.fixture
def accepted(functional_portal, functional_granted, tokens, user_request, smtp, clock):
    """An application by `member` (member@example.org), accepted by approver1 on 2026-03-02.

    The checklist is complete; approver1's SoftHSM token certificate is bound and the server
    may use the token. Returns the application's URL.
    """
    clock("2026-03-02")
    with api.env.adopt_roles(["Manager"]):
        api.user.get(userid="member").setMemberProperties({"email": "member@example.org"})
    configure_signing(tokens)
    bind(functional_granted, tokens.certs[RSA_TOKEN])
    transaction.commit()
    return submitted_and_accepted(functional_portal, user_request)


@pytest.fixture
def agent(tokens, functional_portal):
    """zhangdian-signer in front of approver1's token, allowing the test portal's origin.

    The PIN prompt is answered from the environment (--pin-env), the confirmation by --yes.
    """
    parts = urlsplit(functional_portal.absolute_url())
    patch = pytest.MonkeyPatch()
    patch.setenv("ZD_TEST_AGENT_PIN", PIN)
    server = create_server(
        [
            "--module",
            LIBRARY,
            "--token-label",
            RSA_TOKEN,
            "--port",
            "0",
            "--allow-origin",
            f"{parts.scheme}://{parts.netloc}",
            "--pin-env",
            "ZD_TEST_AGENT_PIN",
            "--yes",
        ]
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()
    patch.undo()
