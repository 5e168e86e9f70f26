"""The installable web app: manifest, icons, a service worker that keeps the shell only."""

from tests.desks.test_desks import browser

import json
import re


def test_manifest(functional_portal):
    """Named after the bureau, opens the approver's desk standalone, with 192 and 512 icons."""
    base = functional_portal.absolute_url()
    answer = browser().get(f"{base}/manifest.webmanifest", timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(answer.text)
    assert manifest["name"].startswith("淄博市张店区行政审批服务局")
    assert manifest["start_url"] == f"{base}/@@approval-queue"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        image = browser().get(icon["src"], timeout=60)
        assert image.status_code == 200
        assert image.content.startswith(b"\x89PNG")
        width, height = int.from_bytes(image.content[16:20]), int.from_bytes(image.content[20:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_every_page_links_the_manifest_and_the_worker(functional_portal, functional_matter_list):
    """Home page, matter list and a staff page all carry the manifest and register the worker."""
    base = functional_portal.absolute_url()
    for userid, path in ((None, ""), (None, "matters"), ("workgroup", "@@workbench")):
        html = browser(userid).get(f"{base}/{path}", timeout=60).text
        assert f'rel="manifest" href="{base}/manifest.webmanifest"' in html, path
        assert f'data-worker="{base}/service-worker.js"' in html, path


def test_worker_keeps_the_shell_and_nothing_else(functional_portal):
    """Served from the site root (its scope is the portal), never cached; only static files kept."""
    base = functional_portal.absolute_url()
    answer = browser().get(f"{base}/service-worker.js", timeout=60)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/javascript")
    assert answer.headers["Cache-Control"] == "no-cache"
    script = answer.text
    shell = re.search(r"const SHELL = \[(.*?)\];", script, re.S).group(1)
    kept = [*re.findall(r'BASE \+ "([^"]+)"', shell), "@@offline"]
    assert all(path == "@@offline" or path.startswith("++plone++") for path in kept), kept
    # Nothing is ever put into a cache outside the install step's list.
    assert ".put(" not in script and "cache.add(" not in script
    assert len(re.findall(r"caches\s*\.open\(", script)) == 1 and "addAll(SHELL" in script
    # Only GET is ever answered; page requests go to the network, the offline page as fallback.
    assert 'request.method !== "GET"' in script
    assert "fetch(request).catch(() => caches.match(OFFLINE_PAGE))" in script


def test_offline_page(functional_portal):
    """A clear page in Chinese and English, with no case data and nothing of the user."""
    base = functional_portal.absolute_url()
    for userid in (None, "approver1"):
        answer = browser(userid).get(f"{base}/@@offline", timeout=60)
        assert answer.status_code == 200
        assert "当前没有网络连接" in answer.text and "You are offline" in answer.text
        assert "approver1" not in answer.text
