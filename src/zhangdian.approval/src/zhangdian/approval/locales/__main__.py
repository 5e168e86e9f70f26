"""Rebuild the .pot from code, templates and profiles, and sync the zh_CN and en catalogues.

Run with ``python -m zhangdian.approval.locales`` (``make i18n``).
"""

from pathlib import Path

import subprocess
import sys


DOMAIN = "zhangdian.approval"
LANGUAGES = ("zh_CN", "en")
LOCALES = Path(__file__).parent
PACKAGE = LOCALES.parent
# The profiles folder is a symlink; i18ndude does not follow symlinks, so name its target.
PROFILES = (PACKAGE / "profiles").resolve()
I18NDUDE = Path(sys.executable).parent / "i18ndude"


ROOT = PROFILES.parent
LANGUAGE_NAMES = {"zh_CN": "Chinese (Simplified)", "en": "English"}


def run(*args):
    """Run i18ndude from the repository root, so references are relative paths."""
    command = [str(I18NDUDE), *map(str, args)]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)  # noqa: S603


def main():
    """Rebuild the template and merge it into every language."""
    pot = LOCALES / f"{DOMAIN}.pot"
    profiles_pot = LOCALES / f"{DOMAIN}-profiles.pot"
    package = PACKAGE.resolve().relative_to(ROOT)
    run("rebuild-pot", "--pot", profiles_pot, "--create", DOMAIN, "profiles")
    run("rebuild-pot", "--pot", pot, "--merge", profiles_pot, "--create", DOMAIN, package)
    profiles_pot.unlink()
    for language in LANGUAGES:
        po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.exists():
            po.parent.mkdir(parents=True, exist_ok=True)
            po.write_text(
                pot.read_text(encoding="utf-8")
                .replace('"Language-Code: en\\n"', f'"Language-Code: {language}\\n"')
                .replace(
                    '"Language-Name: English\\n"', f'"Language-Name: {LANGUAGE_NAMES[language]}\\n"'
                ),
                encoding="utf-8",
            )
        run("sync", "--pot", pot, po)
    print(f"Rebuilt {pot.name} and synced {', '.join(LANGUAGES)}.")  # noqa: T201


if __name__ == "__main__":
    main()
