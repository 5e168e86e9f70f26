"""The in-browser accessibility check finds what it looks for (so a pass means something)."""

from tests.browser.conftest import ACCESSIBILITY


PAGE = """<!DOCTYPE html><html><body style="background:#fff">
<p id="grey" style="color:#999">4.5:1 is not reached by this grey</p>
<p style="color:#595959">this grey reaches 7:1</p>
<div style="background:#007bb1"><span style="color:#f8f9fa">almost white on blue</span></div>
<div style="background:rgba(0,0,0,.7)"><span style="color:#fff">white on 70 % black (8:1 over the white page)</span></div>
<h1 style="color:#949494;font-size:32px">large text needs 3:1</h1>
<label for="named">Name</label><input id="named">
<input id="bare"><input type="hidden" id="hidden"><input aria-label="Search" id="aria">
<p style="display:none;color:#eee">hidden text is not read</p>
</body></html>"""


def test_the_check_names_low_contrast_and_unlabelled_controls(chromium):
    """Two texts below AA and the one unlabelled control; nothing else."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_content(PAGE)
    problems = page.evaluate(ACCESSIBILITY)
    context.close()
    contrast = sorted(p["text"] for p in problems if p["kind"] == "contrast")
    assert contrast == ["4.5:1 is not reached by this grey", "almost white on blue"]
    assert [p["id"] for p in problems if p["kind"] == "unlabelled"] == ["bare"]
