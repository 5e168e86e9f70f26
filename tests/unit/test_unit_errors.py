"""One error model: every error of ours is an ApprovalError with a code, a status and messages."""

from collections import defaultdict
from zhangdian.approval.body import bad_field
from zhangdian.approval.errors import ApprovalError
from zhangdian.approval.errors import BadInput
from zhangdian.approval.errors import NothingFound
from zhangdian.approval.errors import Refused
from zhangdian.approval.rules.authorization import REASONS
from zhangdian.approval.rules.workdays import CalendarNotMaintained
from zhangdian.approval.signing.decision import SignatureRefused
from zhangdian.approval.testing.softhsm import SoftHSMMissing
from zope.i18n import translate
from zope.interface import Invalid
from zope.schema import ValidationError

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import zhangdian.approval


# Form validation speaks zope.schema's and zope.interface's protocol (doc(), Invalid), and
# SoftHSMMissing tells a developer to install SoftHSM; none of them reaches a REST client.
NOT_APPROVAL_ERRORS = (ValidationError, Invalid, SoftHSMMissing)
# zExceptions' names, which services answer with for many different reasons on purpose.
SHARED_CODES = {"BadRequest", "NotFound"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def package_modules():
    """Every module of zhangdian.approval, imported (the i18n command line left out)."""
    for info in pkgutil.walk_packages(zhangdian.approval.__path__, "zhangdian.approval."):
        if info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def exception_classes():
    """Every exception class defined in the package."""
    for module in package_modules():
        for _name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                yield value


class TestHierarchy:
    """ApprovalError is the one root."""

    def test_every_error_class_is_an_approval_error(self):
        """A new exception root anywhere in the package fails here."""
        classes = set(exception_classes())
        assert ApprovalError in classes and SignatureRefused in classes
        roots = sorted(
            f"{cls.__module__}.{cls.__qualname__}"
            for cls in classes
            if not issubclass(cls, (ApprovalError, *NOT_APPROVAL_ERRORS))
        )
        assert roots == []

    def test_codes_are_unique_per_class(self):
        """Two classes never share a `type` code, but for zExceptions' names."""
        by_code = defaultdict(list)
        for cls in exception_classes():
            if issubclass(cls, ApprovalError) and "code" in vars(cls):
                by_code[cls.code].append(cls.__qualname__)
        shared = {code: names for code, names in by_code.items() if len(names) > 1}
        assert set(shared) <= SHARED_CODES, shared

    def test_one_status_attribute(self):
        """Every class has an int `status` in the HTTP error range."""
        for cls in exception_classes():
            if issubclass(cls, ApprovalError):
                assert isinstance(cls.status, int), cls
                assert 400 <= cls.status < 600, cls

    def test_kinds(self):
        """The refusal, bad-input and not-found kinds keep their REST names and statuses."""
        assert (Refused.status, BadInput.code, BadInput.status) == (400, "BadRequest", 400)
        assert (NothingFound.code, NothingFound.status) == ("NotFound", 404)
        refused = SignatureRefused("busy", status=503)
        assert isinstance(refused, Refused)
        assert (refused.code, refused.status) == ("busy", 503)


class TestMessages:
    """`.messages` carries the translatable text; str() is English."""

    def test_str_is_english(self):
        """A sentence msgid with its placeholders filled in."""
        error = CalendarNotMaintained(2031)
        assert str(error).startswith("No statutory holidays are recorded for 2031.")
        assert error.message is error.messages[0]

    def test_str_of_an_id_style_message_is_its_default(self):
        """Id-style msgids show their English default, not the id."""
        assert str(bad_field("pin")) == "The field pin is missing or invalid."
        assert str(SignatureRefused("busy")).startswith("busy: The portal is busy")

    def test_as_json_without_a_request_is_english(self):
        """The body an agent or a log gets without a request."""
        error = bad_field("nonce")
        assert error.as_json() == {
            "type": "bad_request",
            "message": "The field nonce is missing or invalid.",
        }

    def test_translated_zh_cn(self, portal, http_request):
        """In the portal's language the message is Chinese."""
        error = bad_field("pin")
        translated = error.translated(http_request)
        assert translated == translate(error.message, target_language="zh_CN")
        assert CJK.search(translated), translated
        assert error.as_json(http_request) == {"type": "bad_request", "message": translated}


def test_every_verdict_reason_without_importing_applications():
    """Verdict(False, "accepted_by_other").message works in a process that never imported it."""
    assert {"accepted_by_other", "unknown_matter"} <= set(REASONS)
    script = (
        "import sys\n"
        "from zhangdian.approval.rules.authorization import Verdict\n"
        "assert 'zhangdian.approval.rules.application' not in sys.modules\n"
        "for reason in ('accepted_by_other', 'unknown_matter'):\n"
        "    print(Verdict(False, reason).message.default)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Another approver accepted this application" in result.stdout
    assert "no longer exists" in result.stdout
