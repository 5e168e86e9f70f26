"""Demo provisioning on every `make start`: the bureau's own settings, bindings and data survive."""

from cryptography.hazmat.primitives import serialization
from datetime import UTC
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header
from email.header import make_header
from pathlib import Path
from plone import api
from tests.helpers.approval import LIBRARY
from tests.helpers.approval import RSA_TOKEN
from tests.helpers.approval import approve_as
from tests.helpers.approval import bind
from tests.helpers.approval import configure_signing
from tests.helpers.approval import grant
from tests.helpers.approval import make_authorization
from zhangdian.approval.certificates import fingerprint
from zhangdian.approval.settings import signing_setting
from zhangdian.approval.setuphandlers.demo import configure_demo_mail
from zhangdian.approval.setuphandlers.demo_provisioning import records
from zhangdian.approval.signing.public_verify import verify_decision
from zhangdian.approval.testing import softhsm
from zhangdian.approval.testing.demo_pki import enrol_test_tokens
from zhangdian.approval.testing.pki import make_ca
from zhangdian.approval.testing.pki import make_signing_certificate
from zhangdian.approval.testing.pki import to_pem

import importlib.util
import os
import pytest
import socket
import subprocess
import sys
import time
import time_machine
import transaction


ROOT = Path(__file__).parents[2]
MAIL_SINK = ROOT / "instance" / "scripts" / "mail_sink.py"
# A token label no other test uses: the demo gives it a key and a certificate of its own CA.
DEMO_APPROVER = "demo-approver"


@pytest.fixture(scope="module")
def demo_pki(tmp_path_factory, tokens):
    """The demo's PKI directory (its own CA) on the suite's SoftHSM token store.

    SoftHSM reads one configuration per process, so the demo's softhsm/ is the suite's.
    """
    directory = tmp_path_factory.mktemp("demo-pki")
    (directory / "softhsm").symlink_to(Path(tokens.config).parent)
    ca_cert, ca_key = make_ca("演示CA", valid_from=datetime(2026, 1, 1, tzinfo=UTC))
    (directory / "ca.pem").write_bytes(to_pem(ca_cert))
    (directory / "ca-key.pem").write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return directory


@pytest.fixture
def demo_authorization(portal, approvers, clock):
    """The demo approver's authorisation for 经贸商事 in 2026, granted; the clock on 2026-03-02."""
    with api.env.adopt_roles(["Manager"]):
        api.user.create(username=DEMO_APPROVER, email="demo@example.org", password="pw-123456")
    authorization = make_authorization(
        portal["approvers"], DEMO_APPROVER, "2026-01-01", "2026-12-31", ["jmss"]
    )
    grant(portal, authorization)
    clock("2026-03-02")
    return authorization


def provision(demo_pki, report=None):
    """What `make start` runs each time (instance/scripts/test_pki.py), as admin."""
    lines = []
    with api.env.adopt_roles(["Manager"]):
        enrol_test_tokens(demo_pki, [DEMO_APPROVER], report=report or lines.append)
    return lines


def tokens_labelled(label):
    """How many SoftHSM tokens carry `label`."""
    shown = subprocess.run(  # noqa: S603 - fixed arguments
        [softhsm.SOFTHSM_UTIL, "--show-slots"], capture_output=True, text=True, check=True
    ).stdout
    return sum(1 for line in shown.splitlines() if line.split() == ["Label:", label])


def test_restart_keeps_the_bureaus_signing_configuration(
    portal, approvers, demo_authorization, demo_pki, tokens, submit, tmp_path
):
    """The bureau's CA, PKCS#11 module and bindings survive a restart; its decisions verify."""
    provision(demo_pki)
    demo_ca = (demo_pki / "ca.pem").read_text()
    assert signing_setting("trust_anchors") == demo_ca
    assert signing_setting("pkcs11_module") == LIBRARY
    demo_fingerprint = demo_authorization.certificate_fingerprint
    assert demo_fingerprint is not None

    # The bureau: its own CA, its HSM's module (the same SoftHSM under another path), its
    # certificates, for its own approver and for the demo approver.
    module = tmp_path / "bureau-hsm" / "libpkcs11.so"
    module.parent.mkdir()
    module.symlink_to(LIBRARY)
    configure_signing(tokens, server_module=str(module))
    bind(approvers["approver1"], tokens.certs[RSA_TOKEN])
    bureau_cert, _ = make_signing_certificate(tokens.ca_cert, tokens.ca_key, "演示审批员")
    bind(demo_authorization, bureau_cert)
    bureau_anchors = to_pem(tokens.ca_cert).decode()

    lines = provision(demo_pki)

    assert signing_setting("trust_anchors") == bureau_anchors
    assert signing_setting("pkcs11_module") == str(module)
    assert demo_authorization.certificate_fingerprint == fingerprint(bureau_cert)
    assert approvers["approver1"].certificate_fingerprint == fingerprint(tokens.certs[RSA_TOKEN])
    assert len(lines) == 3
    assert [line.split(":")[0] for line in lines] == [
        "signing.trust_anchors",
        "signing.pkcs11_module",
        f"certificate.{demo_authorization.getId()}",
    ]
    application = submit("XK-T-001")
    approve_as(portal, application, "approver1")
    report = verify_decision(application.decision_document.data)
    assert report["trusted"]
    assert report["ok"]


def test_restart_of_an_untouched_demo_changes_nothing(portal, demo_authorization, demo_pki):
    """A second run finds the demo's own values: nothing rewritten, no second token."""
    assert provision(demo_pki) == []
    settings = signing_setting("trust_anchors"), signing_setting("pkcs11_module")
    certificate = demo_authorization.certificate
    written = {key: dict(value) for key, value in records().items()}

    assert provision(demo_pki) == []

    assert (signing_setting("trust_anchors"), signing_setting("pkcs11_module")) == settings
    assert demo_authorization.certificate is certificate
    assert {key: dict(value) for key, value in records().items()} == written
    assert set(written) == {
        "signing.trust_anchors",
        "signing.pkcs11_module",
        f"certificate.{demo_authorization.getId()}",
    }
    assert tokens_labelled(DEMO_APPROVER) == 1


def counts():
    """How many demo objects of each kind the site holds."""
    return {
        kind: len(api.content.find(portal_type=kind, unrestricted=True))
        for kind in ("Matter", "MatterCategory", "ApproverAuthorization", "Application")
    } | {"users": len(api.user.get_users())}


def test_demo_profile_again_keeps_the_bureaus_data(portal, apply_profiles, clock):
    """Applying the demo profile again, days later, duplicates and overwrites nothing."""
    clock("2026-03-02")
    with api.env.adopt_roles(["Manager"]):
        apply_profiles(portal, ["zhangdian.approval:demo"])
        before = counts()
        matter = api.content.find(portal_type="Matter", unrestricted=True)[0].getObject()
        matter.title = "局里改过的事项名称"
        portal.acl_users.source_users.userSetPassword("applicant1", "the-bureaus-password")
        clock("2026-03-09")
        apply_profiles(portal, ["zhangdian.approval:demo"])
    assert counts() == before
    assert matter.title == "局里改过的事项名称"
    assert portal.acl_users.source_users.authenticateCredentials(
        {"login": "applicant1", "password": "the-bureaus-password"}
    )


class TestDemoMail:
    """The demo points the portal's mail at the sink, unless the bureau has a server."""

    def test_fresh_site_sends_to_the_sink(self, portal):
        """Plone's defaults (localhost:25, no sender) are replaced by the demo's."""
        lines = []
        configure_demo_mail(8025, report=lines.append)
        assert api.portal.get_registry_record("plone.smtp_host") == "127.0.0.1"
        assert api.portal.get_registry_record("plone.smtp_port") == 8025
        assert portal.MailHost.smtp_port == 8025
        assert api.portal.get_registry_record("plone.email_from_address")
        assert lines == []

    def test_bureau_server_is_kept(self, portal):
        """A mail server the bureau configured, before or after the demo, is never replaced."""
        configure_demo_mail(8025)
        api.portal.set_registry_record("plone.smtp_host", "mail.zhangdian.gov.cn")
        api.portal.set_registry_record("plone.smtp_port", 587)
        api.portal.set_registry_record("plone.smtp_userid", "portal")
        api.portal.set_registry_record("plone.email_from_address", "spj@zhangdian.gov.cn")
        lines = []
        configure_demo_mail(8026, report=lines.append)
        assert api.portal.get_registry_record("plone.smtp_host") == "mail.zhangdian.gov.cn"
        assert api.portal.get_registry_record("plone.smtp_port") == 587
        assert api.portal.get_registry_record("plone.smtp_userid") == "portal"
        assert api.portal.get_registry_record("plone.email_from_address") == (
            "spj@zhangdian.gov.cn"
        )
        assert [line.split(":")[0] for line in lines] == ["mail.server", "mail.email_from_address"]

    def test_bureau_server_before_any_demo_run_is_kept(self, portal):
        """A site whose mail server was set before the demo first ran keeps it too."""
        api.portal.set_registry_record("plone.smtp_host", "127.0.0.1")
        api.portal.set_registry_record("plone.smtp_port", 25)
        configure_demo_mail(8025, report=lambda line: None)
        assert api.portal.get_registry_record("plone.smtp_port") == 25

    def test_demo_port_change_follows(self, portal):
        """While the site holds what the demo wrote, a new MAIL_PORT is taken."""
        configure_demo_mail(8025)
        configure_demo_mail(8026)
        assert api.portal.get_registry_record("plone.smtp_port") == 8026


def free_port():
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink(port, directory):
    """instance/scripts/mail_sink.py as a subprocess; its first line of output and the process."""
    process = subprocess.Popen(  # noqa: S603 - our script, fixed arguments
        [sys.executable, str(MAIL_SINK), "--port", str(port), "--directory", str(directory)],
        stdout=subprocess.PIPE,
        text=True,
    )
    return process.stdout.readline(), process


@pytest.fixture
def sink(tmp_path):
    """The demo mail sink on a free loopback port; (port, mail directory)."""
    port, directory = free_port(), tmp_path / "mail"
    line, process = start_sink(port, directory)
    assert line.startswith("mail sink: smtp://127.0.0.1:")
    yield port, directory
    process.terminate()
    assert process.wait(10) == 0


def wait_for_files(directory, count, timeout=10):
    """The .eml files in `directory` once there are `count` of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(directory.glob("*.eml")) if directory.exists() else []
        if len(files) >= count:
            return files
        time.sleep(0.05)
    raise AssertionError(f"{count} mail(s) expected in {directory}, found {len(files)}")


def text(header):
    """A header's decoded text."""
    return str(make_header(decode_header(header)))


def test_portal_mail_lands_in_the_sink(functional_portal, sink):
    """Mail the portal sends after the demo configuration is an .eml file in the directory."""
    port, directory = sink
    configure_demo_mail(port)
    transaction.commit()
    for subject in ("受理通知书", "补正通知书"):
        api.portal.send_email(
            recipient="member@example.org", subject=subject, body="您的申请已受理。"
        )
    transaction.commit()
    messages = [message_from_bytes(path.read_bytes()) for path in wait_for_files(directory, 2)]
    assert {text(m["Subject"]) for m in messages} == {"受理通知书", "补正通知书"}
    for message in messages:
        assert message["X-RcptTo"] == "member@example.org"
        assert message["To"] == "member@example.org"
        assert "张店区行政审批服务局" in text(message["From"])


def test_second_sink_on_the_same_port_gives_way(sink):
    """A sink started while one is running says so and ends without an error."""
    port, directory = sink
    line, process = start_sink(port, directory)
    assert "already in use" in line
    assert process.wait(10) == 0


def test_sink_never_overwrites_a_file(tmp_path):
    """A name taken (an earlier run, the same second) moves to the next counter."""
    spec = importlib.util.spec_from_file_location("mail_sink", MAIL_SINK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    writer = module.EmlWriter(tmp_path)
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        stamp = time.strftime("%Y%m%dT%H%M%S")
        (tmp_path / f"{stamp}-0001.eml").write_bytes(b"earlier")
        path = writer.write(b"Subject: new\r\n\r\nbody")
    assert path.name == f"{stamp}-0002.eml"
    assert (tmp_path / f"{stamp}-0001.eml").read_bytes() == b"earlier"
    assert os.listdir(tmp_path) and len(os.listdir(tmp_path)) == 2
