"""Every label of ours has a zh_CN translation and an English text."""

from pathlib import Path

import re
import zhangdian.approval


LOCALES = Path(zhangdian.approval.__file__).parent / "locales"
ENTRY = re.compile(r'^msgid "(.*)"\nmsgstr "(.*)"', re.MULTILINE)
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def entries(path):
    """(msgid, msgstr, default) of every entry of a .po/.pot file but the header."""
    text = path.read_text(encoding="utf-8")
    result = []
    for block in text.split("\n\n"):
        match = ENTRY.search(block)
        if not match or not match.group(1):
            continue
        default = re.search(r'^#\. Default: "(.*)"$', block, re.MULTILINE)
        result.append((match.group(1), match.group(2), default.group(1) if default else None))
    return result


class TestCatalogues:
    """The zh_CN catalogue is complete and consistent with the template."""

    def test_pot_not_empty(self):
        """The template holds our messages."""
        assert len(entries(LOCALES / "zhangdian.approval.pot")) > 100

    def test_zh_cn_complete(self):
        """Every message of the template has a zh_CN translation."""
        pot = {msgid for msgid, _, _ in entries(LOCALES / "zhangdian.approval.pot")}
        po = entries(LOCALES / "zh_CN" / "LC_MESSAGES" / "zhangdian.approval.po")
        translated = {msgid for msgid, msgstr, _ in po if msgstr}
        assert pot - translated == set()

    def test_placeholders_kept(self):
        """Translations keep every ${placeholder} of the English text."""
        po = entries(LOCALES / "zh_CN" / "LC_MESSAGES" / "zhangdian.approval.po")
        for msgid, msgstr, default in po:
            english = default or msgid
            assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(msgstr)), msgid

    def test_english_text_for_every_id(self):
        """Message ids that are not English sentences carry an English default."""
        for msgid, _, default in entries(LOCALES / "zhangdian.approval.pot"):
            if re.fullmatch(r"[a-z0-9_]+", msgid):
                assert default, f"{msgid} has no English default"
