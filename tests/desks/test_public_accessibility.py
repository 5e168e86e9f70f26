"""The public pages: every form control labelled, every image described, and the bureau's
text/background colours (our CSS over the Barceloneta theme's) at WCAG AA contrast."""

from html.parser import HTMLParser
from pathlib import Path
from tests.desks.test_desks import browser
from tests.helpers.approval import register_application_as
from zhangdian import approval

import plonetheme.barceloneta
import pytest
import re
import transaction


# WCAG 2.1 AA for normal text.
AA = 4.5
# Inputs that need no label: nothing a person fills in.
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}
OUR_CSS = Path(approval.__file__).parent / "browser" / "static" / "approval.css"
THEME_CSS = Path(plonetheme.barceloneta.__file__).parent / "theme" / "css" / "barceloneta.min.css"


class Controls(HTMLParser):
    """The form controls, labels and images of a page."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled, self.images, self._in_label = [], set(), [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        if tag in ("input", "select", "textarea"):
            kind = (attrs.get("type") or "text").lower() if tag == "input" else tag
            named = attrs.get("aria-label") or attrs.get("aria-labelledby") or attrs.get("title")
            if kind not in UNLABELLED_TYPES and not named and not self._in_label:
                self.controls.append(attrs.get("id") or attrs.get("name"))
        if tag == "img":
            self.images.append(attrs)

    def handle_endtag(self, tag):
        if tag == "label" and self._in_label:
            self._in_label -= 1


def unlabelled(html):
    """Controls without a label that names them, and images without alt."""
    page = Controls()
    page.feed(html)
    return (
        [control for control in page.controls if control not in page.labelled],
        [image.get("src") for image in page.images if image.get("alt") is None],
    )


@pytest.fixture
def public_pages(functional_portal, functional_matter_list):
    """(userid, url) of the public journey's pages, with an application to look up."""
    application = register_application_as(functional_portal, "member", "XK-T-001")
    transaction.commit()
    base = functional_portal.absolute_url()
    lookup = f"number={application.number}&code={application.query_code}"
    return [
        (None, base),
        (None, f"{base}/matters"),
        (None, f"{base}/matters?q=食品"),
        (None, f"{base}/matters/jmss/xk-t-001"),
        ("member", f"{base}/applications/++add++Application?matter=XK-T-001"),
        ("member", f"{base}/applications/++add++Application"),
        (None, f"{base}/@@application-status"),
        (None, f"{base}/@@application-status?{lookup}"),
        (None, f"{base}/@@verify-decision"),
    ]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_control_labelled_every_image_described(public_pages, language):
    """No form control without its label, no image without alt, on any public page."""
    found = {}
    for userid, url in public_pages:
        page = browser(userid, language=language).get(url, timeout=60)
        assert page.status_code == 200, url
        controls, images = unlabelled(page.text)
        if controls or images:
            found[url] = (controls, images)
    assert found == {}


def test_the_check_finds_what_it_looks_for():
    """An unlabelled input and an image without alt are reported; labelled ones are not."""
    html = (
        '<label for="a">A</label><input id="a"><input id="b" type="text">'
        '<label>C <input id="c"></label><input type="hidden" id="d"><img src="x.png">'
        '<img src="y.png" alt="">'
    )
    assert unlabelled(html) == (["b"], ["x.png"])


def hex_colour(value):
    """(r, g, b, a) of #rgb, #rrggbb or rgba(...)."""
    value = value.strip()
    if value.startswith("rgba"):
        r, g, b, a = (float(part) for part in value[5:-1].split(","))
        return r, g, b, a
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), 1.0


def over(colour, background):
    """`colour` (possibly translucent) as seen over an opaque `background`."""
    r, g, b, a = colour
    return tuple(a * c + (1 - a) * bg for c, bg in zip((r, g, b), background[:3], strict=True))


def luminance(rgb):
    """WCAG relative luminance."""

    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text, background):
    """WCAG contrast ratio of `text` over `background`."""
    light, dark = sorted((luminance(over(text, background)), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def theme_variables():
    """The light-mode values of Bootstrap's variables in the Barceloneta theme (first :root)."""
    css = THEME_CSS.read_text(encoding="utf-8")
    found = {}
    for name, value in re.findall(r"(--bs-[a-z0-9-]+):([^;}]+)[;}]", css):
        found.setdefault(name, value.strip())
    return found


def our_backgrounds():
    """The background colours our CSS sets: var(--bs-x, fallback) resolved from the theme."""
    variables = theme_variables()
    colours = {}
    for selector, value in re.findall(
        r"([^{}]+)\{[^}]*background:\s*([^;]+);", OUR_CSS.read_text()
    ):
        match = re.match(r"var\((--bs-[a-z0-9-]+),\s*(#[0-9a-fA-F]+)\)", value.strip())
        colours[selector.strip()] = (
            variables.get(match.group(1), match.group(2)) if match else value
        )
    return colours


def colour_pairs():
    """(name, text, background) of every pair a public page shows."""
    v = theme_variables()
    pairs = [
        ("body text", v["--bs-body-color"], v["--bs-body-bg"]),
        ("links", v["--bs-link-color"], v["--bs-body-bg"]),
        ("muted text", v["--bs-secondary-color"], v["--bs-body-bg"]),
        ("error alert", v["--bs-danger-text-emphasis"], v["--bs-danger-bg-subtle"]),
        ("header navigation", "#ffffff", v["--bs-primary"]),
    ]
    css = OUR_CSS.read_text(encoding="utf-8")
    for selector, background in our_backgrounds().items():
        # A link colour of our own inside that box, else the theme's.
        own = re.search(rf"{re.escape(selector)} a\s*\{{[^}}]*color:\s*(#[0-9a-fA-F]+)", css)
        pairs += [
            (f"{selector}: text", v["--bs-body-color"], background),
            (f"{selector}: links", own.group(1) if own else v["--bs-link-color"], background),
        ]
    return pairs


@pytest.mark.parametrize(("name", "text", "background"), colour_pairs())
def test_colour_pairs_meet_aa(name, text, background):
    """Text over its background at 4.5:1 at least (measured: the ratio is in the test id)."""
    ratio = contrast(hex_colour(text), hex_colour(background))
    assert ratio >= AA, f"{name}: {text} on {background} is {ratio:.2f}:1"


def test_contrast_arithmetic():
    """Black on white is 21:1, white on white 1:1, Bootstrap's grey #6c757d on white 4.69:1."""
    white, black = hex_colour("#fff"), hex_colour("#000")
    assert round(contrast(black, white), 1) == 21.0
    assert contrast(white, white) == 1.0
    assert round(contrast(hex_colour("#6c757d"), white), 2) == 4.69
