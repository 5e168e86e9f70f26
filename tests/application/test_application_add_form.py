"""在线申报 from a matter page: the matter chosen, one upload slot per material line."""

from plone import api
from tests.helpers.approval import application_data
from tests.reliability.bad_input import csrf_token
from tests.reliability.bad_input import html_session
from zhangdian.approval.rules.materials import MAX_MATERIAL_BYTES

import pytest
import re
import transaction


PDF = b"%PDF-1.4\n% the application form\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
# The msgids' translations are not in the catalogue yet: the page shows the error's id or text.
WRONG_TYPE = ("error_material_wrong_type", "Upload a PDF, JPEG or PNG file", "PDF、JPEG 或 PNG")
TOO_LARGE = ("error_material_too_large", "larger than 20 MB", "超过 20 MB")
MISSING = ("Required input is missing.", "必填")


@pytest.fixture
def form_url(functional_portal, functional_matter_list):
    """The form the matter page's 在线申报 button opens."""
    return f"{functional_portal.absolute_url()}/applications/++add++Application?matter=XK-T-001"


def fields(data):
    """The application's fields as the form names them."""
    sent = {f"form.widgets.{name}": value for name, value in data.items()}
    sent["form.widgets.applicant_kind"] = [data["applicant_kind"]]
    sent["form.widgets.applicant_kind-empty-marker"] = "1"
    sent["form.buttons.save"] = "Save"
    return sent


def send(url, files, **overrides):
    """POST the form as the member, with `files` in the upload slots."""
    session = html_session("member")
    token = csrf_token(session, url)
    data = fields(application_data(**overrides))
    data["_authenticator"] = token
    return session.post(url.split("?")[0], data=data, files=files, timeout=120)


def applications():
    """The numbers of the applications stored."""
    transaction.begin()
    return sorted(
        brain.getId for brain in api.content.find(portal_type="Application", unrestricted=True)
    )


def error_at(page, slot):
    """The message shown at the upload slot `slot`."""
    found = re.search(
        rf'id="formfield-form-widgets-{slot}".*?invalid-feedback[^>]*>(.*?)</div>', page, re.S
    )
    assert found, page[:4000]
    return found.group(1)


class TestTheForm:
    """What the member sees after 在线申报."""

    def test_slots_named_after_the_materials(self, form_url):
        """A file field per material line, labelled with its name, the required one marked."""
        page = html_session("member").get(form_url, timeout=60).text
        assert re.search(
            r'<input[^>]+name="form.widgets.matter"[^>]+value="XK-T-001"[^>]+hidden', page
        )
        assert "食品经营许可（新办）" in page.split("</h1>")[0]
        labels = re.findall(
            r'<label[^>]*for="(form-widgets-material_\d)"[^>]*>\s*([^<]+?)\s*(?:(<span class="required")|</label>)',
            page,
        )
        assert labels == [
            ("form-widgets-material_0", "申请书", '<span class="required"'),
            ("form-widgets-material_1", "营业执照", ""),
        ]
        # Each label names the file input itself.
        inputs = re.findall(
            r'<input[^>]+type="file"[^>]+id="([^"]+)"[^>]*?(required="required")?\s*/>', page
        )
        assert inputs == [
            ("form-widgets-material_0", 'required="required"'),
            ("form-widgets-material_1", ""),
        ]

    def test_without_a_matter_the_code_is_typed(self, functional_portal, functional_matter_list):
        """Opened without a matter: the code field with a real example, no slots."""
        url = f"{functional_portal.absolute_url()}/applications/++add++Application"
        page = html_session("member").get(url, timeout=60).text
        assert re.search(r'<input[^>]+type="text"[^>]+name="form.widgets.matter"', page) or (
            re.search(r'name="form.widgets.matter"[^>]+type="text"', page)
        )
        assert "XK-JMSS-001" in page
        assert "material_0" not in page

    def test_example_code_is_on_the_demo_list(self):
        """The help text names a matter the demo list has."""
        from pathlib import Path
        from zhangdian.approval.content.application import IApplication

        example = re.search(r"XK-[A-Z]+-\d+", IApplication["matter"].description.default)
        demo = Path(__file__).resolve().parents[2] / "profiles" / "demo" / "matters.csv"
        assert example and f"\n{example.group(0)}," in demo.read_text(encoding="utf-8")


class TestSubmitting:
    """The uploads become the application's materials; bad ones keep what was typed."""

    def test_files_become_the_materials(self, form_url):
        """Each file is stored under its line; the applicant sees number and query code."""
        page = send(
            form_url,
            {
                "form.widgets.material_0": ("申请书.pdf", PDF, "application/pdf"),
                "form.widgets.material_1": ("licence.png", PNG, "image/png"),
            },
        )
        assert page.status_code == 200, page.text[:2000]
        transaction.begin()
        (brain,) = api.content.find(portal_type="Application", unrestricted=True)
        application = brain._unrestrictedGetObject()
        assert application.number in page.text and application.query_code in page.text
        materials = {
            item.material: (item.title, item.file.filename, item.file.data)
            for item in application.objectValues()
        }
        assert materials == {
            "申请书": ("申请书", "申请书.pdf", PDF),
            "营业执照": ("营业执照", "licence.png", PNG),
        }
        assert application.matter == "XK-T-001"

    def test_optional_material_may_be_left_out(self, form_url):
        """Only the required line is uploaded: one material."""
        page = send(form_url, {"form.widgets.material_0": ("a.pdf", PDF, "application/pdf")})
        assert page.status_code == 200
        transaction.begin()
        (brain,) = api.content.find(portal_type="Application", unrestricted=True)
        assert [m.material for m in brain._unrestrictedGetObject().objectValues()] == ["申请书"]

    @pytest.mark.parametrize(
        ("files", "slot", "message"),
        [
            ({}, "material_0", MISSING),
            (
                {"form.widgets.material_0": ("a.exe", b"MZ\x90\0", "application/pdf")},
                "material_0",
                WRONG_TYPE,
            ),
            (
                {
                    "form.widgets.material_0": ("a.pdf", PDF, "application/pdf"),
                    "form.widgets.material_1": ("b.txt", b"plain text", "text/plain"),
                },
                "material_1",
                WRONG_TYPE,
            ),
            (
                {
                    "form.widgets.material_0": (
                        "big.pdf",
                        PDF + b"0" * MAX_MATERIAL_BYTES,
                        "application/pdf",
                    )
                },
                "material_0",
                TOO_LARGE,
            ),
            (
                {"form.widgets.material_0": ("empty.pdf", b"", "application/pdf")},
                "material_0",
                ("error_material_empty", "empty", "空"),
            ),
        ],
        ids=["required-missing", "not-a-pdf", "optional-wrong-type", "too-large", "empty"],
    )
    def test_refused_at_the_field(self, form_url, files, slot, message):
        """The message at the slot, what was typed still there, nothing stored."""
        page = send(form_url, files, applicant_name="淄博市示例食品店")
        assert page.status_code == 200
        shown = error_at(page.text, slot)
        assert any(text in shown for text in message), shown
        assert 'value="淄博市示例食品店"' in page.text
        assert 'value="XK-T-001"' in page.text
        assert applications() == []
