"""The visible texts the journeys expect, from the portal's own message catalogues."""

from pathlib import Path
from zhangdian import approval
from zope.i18n import translate
from zope.i18nmessageid import Message

import functools
import json
import re


# Playwright locale -> the portal's language.
PORTAL_LANGUAGE = {"zh-CN": "zh_CN", "en": "en"}


@functools.cache
def defaults():
    """msgid -> English default, from the package's .pot (the English the templates carry)."""
    pot = Path(approval.__file__).parent / "locales" / "zhangdian.approval.pot"
    found, default = {}, None
    for line in pot.read_text(encoding="utf-8").splitlines():
        if line.startswith("#. Default: "):
            default = json.loads(line[len("#. Default: ") :])
        elif line.startswith("msgid ") and default is not None:
            found[json.loads(line[len("msgid ") :])] = default
            default = None
    return found


def text(msgid, language, domain="zhangdian.approval", **mapping):
    """`msgid` as the portal shows it in `language` (zh-CN or en), whitespace collapsed.

    In zh_CN the text must really be translated (a missing translation fails the journey).
    """
    default = defaults().get(msgid) if domain == "zhangdian.approval" else None
    message = Message(msgid, domain=domain, default=default, mapping=mapping or None)
    english = translate(message, target_language="en")
    shown = translate(message, target_language=PORTAL_LANGUAGE[language])
    if language == "zh-CN":
        assert re.search(r"[\u4e00-\u9fff]", shown), (
            f"{msgid!r} has no zh_CN translation: {shown!r}"
        )
    else:
        assert shown == english
    return " ".join(shown.split())
