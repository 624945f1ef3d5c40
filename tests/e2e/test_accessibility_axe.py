"""Every kind of page through axe-core, against WCAG 2.2 AA (and the levels
under it): signed out, as admin, officer and councillor, as a witness in the
portal and as a responder, each page at 1280 px and again at 320 px.

The pages are the reflow check's (tests/e2e/site_walk.py): every GET page
with a row in tests/test_permissions.py, reached by following links with the
demo and the second review loaded, and each form sent empty for its errors.
One of each kind of page per role keeps the run short; a template's problem
shows on its first page as well as on its tenth.

axe-core comes inside the axe-playwright-python package (no network): its
script goes into each page once and runs at both widths.
"""
from __future__ import annotations

import time
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.site_walk import NOT_PAGES, walk

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
WIDTHS = (1280, 320)
ONE_OF_EACH = {"officer": 1, "councillor": 1, "admin": 1, "witness": 1, "responder": 1, "nobody": 1}


def elsewhere(who: str, endpoint: str) -> bool:
    """Pages checked as someone else already. An admin's pages differ from an
    officer's only by the "Users" link of the menu (templates/macros/navigation.html),
    seen on the admin's start pages; a witness's or responder's public pages
    are everyone's."""
    role = who.split()[0]
    if role == "admin":
        return not endpoint.startswith(("admin.", "branding."))
    if role in ("witness", "responder"):
        return not endpoint.startswith("portal.")
    return False


def test_no_page_breaks_wcag_22_aa_for_anyone_at_either_width(app, chromium_browser, live_server, screenshot_dir):
    """The count of pages and the time taken go to test-artifacts/axe.txt with any violations."""
    started = time.monotonic()
    script = Axe().axe_script
    checked: list[tuple[str, str, int]] = []
    # (rule, element, what is wrong) -> where it was seen
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)

    adapter = app.url_map.bind("localhost")
    injected = set()

    def look(page, who, path, status, html, note=""):
        endpoint = adapter.match(urlsplit(path).path, method="GET")[0]
        if page.context not in injected:  # every later page of this person's comes with axe in it
            page.context.add_init_script(script=script)
            injected.add(page.context)
        if page.evaluate("typeof axe") == "undefined":
            page.evaluate(script)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            results = page.evaluate("options => axe.run(document, options)", OPTIONS)
            checked.append((who.split()[0], endpoint, path + note, width))
            for rule in results["violations"]:
                for node in rule["nodes"]:
                    target = " ".join(str(t) for t in node["target"])
                    why = (node.get("failureSummary") or "").splitlines()[-1].strip()
                    found[(f"{rule['id']} ({rule['impact']}): {rule['help']}", target, why)].append(
                        f"{path}{note} as {who} at {width} px")

    walk(app, chromium_browser, live_server, look, width=WIDTHS[0], per_endpoint=ONE_OF_EACH, skip=elsewhere)
    took = time.monotonic() - started

    reached = {endpoint for _, endpoint, _, _ in checked}
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - NOT_PAGES - {"index"}
    assert pages - reached == set(), f"pages never checked: {sorted(pages - reached)}"
    assert {who for who, *_ in checked} == set(ONE_OF_EACH)

    problems = [f"{rule}\n    at {target}\n    {why}\n    on {len(where)}: " + "; ".join(where[:3])
                + (" ..." if len(where) > 3 else "") for (rule, target, why), where in sorted(found.items())]
    summary = (f"{len({(who, path) for who, _, path, _ in checked})} pages x roles, each at {len(WIDTHS)} widths "
               f"({len(checked)} axe runs) in {took:.0f} s")
    screenshot_dir.parent.joinpath("axe.txt").write_text(summary + "\n" + "\n".join(problems) + "\n")
    assert not problems, f"{len(problems)} WCAG 2.2 AA violations ({summary}):\n" + "\n".join(problems)
