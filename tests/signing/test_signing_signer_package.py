"""zhangdian.signer stands alone (no Plone), and its token errors reach portal users translated."""

from pathlib import Path
from zhangdian.approval.signing.errors import TokenSigningError
from zhangdian.approval.signing.errors import portal_errors_for_signer_errors
from zhangdian.signer import errors

import json
import pytest
import re
import subprocess
import sys
import zhangdian.approval


SIGNER_MODULES = ["agent", "certificates", "confirm", "errors", "pkcs11_worker", "token"]
# What an approver's PC does not have: the portal, its frameworks, and the PDF machinery.
FOREIGN = ("zope", "Products", "plone", "Zope2", "ZODB", "zhangdian.approval", "pyhanko")

TOKEN_ERRORS = [
    errors.LibraryMissing("/usr/lib/vendor.so", "file not found"),
    errors.TokenNotFound("approver1"),
    errors.WrongPin("approver1"),
    errors.PinLocked("approver1"),
    errors.KeyNotFound("approver1", "rsa1"),
    errors.KeyNotFound("approver1", None, "ambiguous"),
    errors.TokenFailure("DeviceError"),
    errors.UnsupportedTokenKey("DSA"),
]
ZH_CN = (
    Path(zhangdian.approval.__file__).parent
    / "locales"
    / "zh_CN"
    / "LC_MESSAGES"
    / "zhangdian.approval.po"
)


def test_importing_the_signer_loads_nothing_of_plone():
    imports = "; ".join(f"import zhangdian.signer.{name}" for name in SIGNER_MODULES)
    script = f"import json, sys; {imports}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    loaded = json.loads(output)
    assert "zhangdian.signer.agent" in loaded
    assert [name for name in loaded if name.startswith(FOREIGN)] == []


def test_every_token_error_class_is_covered_here():
    classes = {type(error) for error in TOKEN_ERRORS}
    assert classes == set(errors.TokenError.__subclasses__())


@pytest.mark.parametrize("error", TOKEN_ERRORS, ids=lambda error: error.template[:40])
def test_token_errors_become_portal_errors_with_the_same_code_status_and_text(error):
    with pytest.raises(TokenSigningError) as caught, portal_errors_for_signer_errors():
        raise error
    portal = caught.value
    assert (portal.code, portal.status) == (error.code, error.status)
    assert portal.message.domain == "zhangdian.approval"
    # The message id is the signer's English text, as it was before the signer moved out.
    assert str(portal.message) == error.template
    assert portal.message.mapping == error.mapping
    assert str(portal) == str(error)
    assert portal.__cause__ is error


@pytest.mark.parametrize("error", TOKEN_ERRORS, ids=lambda error: error.template[:40])
def test_token_errors_keep_their_zh_cn_translation(error):
    catalogue = ZH_CN.read_text(encoding="utf-8")
    entry = re.search(
        r'^msgid "' + re.escape(error.template) + r'"\nmsgstr "(.+)"$', catalogue, re.MULTILINE
    )
    assert entry is not None, f"no zh_CN translation of {error.template!r}"


def test_a_template_the_portal_does_not_know_stays_readable():
    unknown = errors.TokenError("The key ${key} melted.", key="k1")
    with pytest.raises(TokenSigningError) as caught, portal_errors_for_signer_errors():
        raise unknown
    assert str(caught.value) == "The key k1 melted."
    assert caught.value.code == "signer_error"


def test_agent_errors_are_not_turned_into_portal_errors():
    # Only the browser sees those; the portal never calls the agent.
    with pytest.raises(errors.Declined), portal_errors_for_signer_errors():
        raise errors.Declined()
