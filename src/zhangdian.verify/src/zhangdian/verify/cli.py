"""zhangdian-verify: check an evidence bundle offline; print the report; exit 0 if all holds."""

from zhangdian.verify.checks import load_certificates
from zhangdian.verify.checks import verify_bundle
from zhangdian.verify.messages import LANGUAGES
from zhangdian.verify.messages import MESSAGES
from zhangdian.verify.messages import REASONS
from zhangdian.verify.messages import default_language

import argparse
import sys


def _parser():
    parser = argparse.ArgumentParser(
        prog="zhangdian-verify",
        description="Check a zhangdian approval evidence bundle offline (no network, no portal).",
    )
    parser.add_argument("bundle", help="the evidence bundle (ZIP) exported by the portal")
    parser.add_argument(
        "--anchor",
        action="append",
        required=True,
        help="the bureau CA certificate (PEM or DER) the signer must chain to; repeatable",
    )
    parser.add_argument(
        "--tsa-anchor",
        action="append",
        help="the timestamp authority's root (PEM or DER), if not one of --anchor; repeatable",
    )
    parser.add_argument("--log-key", help="the bureau's transparency log public key (PEM)")
    parser.add_argument("--lang", choices=LANGUAGES, help="report language (default: locale)")
    return parser


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def render(report, language) -> str:
    """The report as text in `language`."""
    texts = MESSAGES[language]
    reasons = REASONS[language]
    lines = [texts["title"], ""]
    for check in report.checks:
        holds, fails = texts[check.code]
        details = {key: "" if value is None else value for key, value in check.details.items()}
        if check.ok:
            label = texts["warning"] if check.warning else texts["ok"]
            text = holds.format_map(_Blank(details))
        else:
            label = texts["failed"]
            detail = reasons.get(check.reason, check.reason or "").format_map(_Blank(details))
            text = fails.format_map(_Blank({**details, "detail": detail}))
        lines.append(f"[{label}] {text}")
    lines.extend(["", texts["result_ok"] if report.ok else texts["result_failed"]])
    return "\n".join(lines)


class _Blank(dict):
    """Placeholders a check did not fill stay empty rather than failing the report."""

    def __missing__(self, key):
        return ""


def main(argv=None) -> int:
    """Run the verifier; 0 when every check holds, 1 otherwise (2 for unusable arguments)."""
    args = _parser().parse_args(argv)
    language = args.lang or default_language()
    try:
        anchors = [cert for path in args.anchor for cert in load_certificates(_read(path))]
        tsa_anchors = [
            cert for path in args.tsa_anchor or () for cert in load_certificates(_read(path))
        ]
        bundle = _read(args.bundle)
        log_key = _read(args.log_key) if args.log_key else None
    except (OSError, ValueError) as error:
        sys.stderr.write(f"zhangdian-verify: {error}\n")
        return 2
    report = verify_bundle(
        bundle, anchors, log_key, [*tsa_anchors, *anchors] if tsa_anchors else None
    )
    out = sys.stdout
    text = render(report, language)
    try:
        out.write(text + "\n")
    except UnicodeEncodeError:
        # A Windows console in a legacy code page cannot show Chinese: write UTF-8 bytes.
        out.buffer.write((text + "\n").encode("utf-8"))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
