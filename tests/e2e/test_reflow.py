"""Every page a person reaches, on a 320 px screen (WCAG 1.4.10 reflow), and
every page's HTML through the Nu HTML Checker.

Officer, councillor and admin each sign in and follow the links they are
shown from their start pages (every GET page of the service, a few of each
kind); a witness does the same from a portal link. The demo and the second
review are loaded, with a built report, letters, an evidence file and a few
long unbroken words (an e-mail address, a web address, a file name) of the
kind people type. Each page must fit 320 px without scrolling sideways, and
no list of records may hide its columns in a sideways scroller: only a table
marked two-dimensional (app-table--grid: a matrix read across and down) or
one typed in Markdown (figures someone pasted) may scroll inside itself.
The HTML the server sent for every page goes to the checker in one run.

The same crawl puts one page of each kind per role through axe-core, against
WCAG 2.2 AA (and the levels under it), at 320 px and again at 1280 px: one
walk for all three checks (each used to walk the site itself, two minutes
of CI apiece). axe-core comes inside the axe-playwright-python package (no
network): its script goes into each page once and runs at both widths.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.site_walk import NOT_PAGES, walk

pytestmark = pytest.mark.browser

WIDTH = 320
# A few of each kind of page, per role: enough to meet each template with its data.
PER_ENDPOINT = {"officer": 2, "councillor": 1, "admin": 1, "witness": 2, "responder": 2, "nobody": 1}

LAYOUT = """() => {
  const doc = document.documentElement, limit = doc.clientWidth;
  const describe = (e) => {
    const table = e.closest("table") || e.querySelector("table");
    const caption = table && table.caption ? ` (table "${table.caption.innerText.trim()}")` : "";
    const classes = typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\\s+/).join(".") : "";
    const text = (e.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return `<${e.tagName.toLowerCase()}${classes}> ${Math.round(e.getBoundingClientRect().width)} px "${text}"${caption}`;
  };
  // The element whose right edge sticks out furthest: the innermost one of equal reach.
  let widest = null, right = limit + 1;
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    if (r.right > right + 0.5 || (widest && widest.contains(e) && r.right >= right - 0.5)) { widest = e; right = r.right; }
  }
  const scrollers = [...document.querySelectorAll("body *")].filter((e) => {
    const s = getComputedStyle(e);
    return ["auto", "scroll"].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1
      && !e.querySelector(".app-table--grid") && !e.closest(".app-markdown");
  });
  // Short words cut in two ("Pres / ent"): a box squeezed narrower than a
  // word, which overflow-wrap then breaks. Long ones (addresses) may wrap.
  const split = [];
  for (const e of document.querySelectorAll("main label, main legend, main .govuk-button, main th, main .govuk-tag")) {
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/(?<!\\S)\\S{2,20}(?!\\S)/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width).map((r) => Math.round(r.top)));
        if (tops.size > 1) split.push(`"${m[0]}" in ${describe(e)}`);
      }
    }
  }
  return {scrollWidth: doc.scrollWidth, widest: widest && describe(widest), split,
          scrollers: scrollers.map((e) => `${describe(e)} scrolls inside itself to ${e.scrollWidth} px`)};
}"""


WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
AXE_WIDTHS = (WIDTH, 1280)


def checked_elsewhere(who: str, endpoint: str) -> bool:
    """Pages axe sees as someone else already. An admin's pages differ from an
    officer's only by the "Users" link of the menu (templates/macros/navigation.html),
    seen on the admin's start pages; a witness's or responder's public pages
    are everyone's."""
    role = who.split()[0]
    if role == "admin":
        return not endpoint.startswith(("admin.", "branding."))
    if role in ("witness", "responder"):
        return not endpoint.startswith("portal.")
    return False


@dataclass
class AxeRuns:
    checked: list = field(default_factory=list)  # (role, endpoint, page, width)
    # (rule, element, what is wrong) -> where it was seen
    found: dict = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0


@dataclass
class Visit:
    who: str
    path: str
    status: int
    html: str
    layout: dict
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.path}{self.note} (as {self.who})"


@pytest.fixture(scope="module")
def crawl(app, chromium_browser, live_server) -> tuple[list[Visit], AxeRuns]:
    """Every page each kind of user reaches, opened at 320 px and kept for the
    checks below; one of each kind per role through axe as well."""
    visits, axe = [], AxeRuns()
    script = Axe().axe_script
    adapter = app.url_map.bind("localhost")
    injected, axed = set(), set()

    def run_axe(page, who, path, endpoint, note):
        started = time.monotonic()
        if page.context not in injected:  # every later page of this person's comes with axe in it
            page.context.add_init_script(script=script)
            injected.add(page.context)
        if page.evaluate("typeof axe") == "undefined":
            page.evaluate(script)
        for width in AXE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            axe.checked.append((who.split()[0], endpoint, path + note, width))
            for rule in results["violations"]:
                for node in rule["nodes"]:
                    target = " ".join(str(t) for t in node["target"])
                    why = (node.get("failureSummary") or "").splitlines()[-1].strip()
                    axe.found[(f"{rule['id']} ({rule['impact']}): {rule['help']}", target, why)].append(
                        f"{path}{note} as {who} at {width} px")
        page.set_viewport_size({"width": WIDTH, "height": 640})
        axe.seconds += time.monotonic() - started

    def look(page, who, path, status, html, note=""):
        visits.append(Visit(who, path, status, html, page.evaluate(LAYOUT), note))
        endpoint = adapter.match(urlsplit(path).path, method="GET")[0]
        kind = (who.split()[0], endpoint, bool(note))
        if kind not in axed and not checked_elsewhere(who, endpoint):
            axed.add(kind)
            run_axe(page, who, path, endpoint, note)

    walk(app, chromium_browser, live_server, look, width=WIDTH, per_endpoint=PER_ENDPOINT)
    return visits, axe


@pytest.fixture(scope="module")
def site(crawl) -> list[Visit]:
    return crawl[0]


def test_the_crawl_reaches_every_kind_of_page(site, app):
    """So the checks below cannot pass by visiting too little."""
    adapter = app.url_map.bind("localhost")
    reached = {adapter.match(urlsplit(v.path).path, method="GET")[0] for v in site}
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - NOT_PAGES - {"index"}
    assert pages - reached == set(), f"pages never reached: {sorted(pages - reached)}"
    broken = [f"{v.name}: {v.status}" for v in site
              if v.status >= 400 and "not-a-real-token" not in v.path and not v.note]
    assert not broken, "pages that did not open:\n" + "\n".join(broken)
    quiet = [v.name for v in site if v.note and "govuk-error-summary" not in v.html]
    assert not quiet, f"forms sent empty that showed no errors: {quiet}"


def test_every_page_reflows_at_320_px(site):
    problems = []
    for v in site:
        if v.layout["scrollWidth"] > WIDTH:
            problems.append(f"{v.name}: {v.layout['scrollWidth']} px wide at {WIDTH} px; widest: {v.layout['widest']}")
        problems += [f"{v.name}: {s}" for s in v.layout["scrollers"]]
        problems += [f"{v.name}: a word cut across lines: {s}" for s in v.layout["split"]]
    assert not problems, f"{len(problems)} problems on {len(site)} pages:\n" + "\n".join(problems)


def test_every_page_is_valid_html(site, nu_html_checker, tmp_path):
    files = {}
    for n, v in enumerate(site):
        file = tmp_path / f"page-{n:03d}.html"
        file.write_text(v.html, encoding="utf-8")
        files[str(file)] = v
    messages = nu_html_checker(list(files))
    errors = [f"{files[m['path']].name} line {m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
              for m in messages]
    assert not errors, f"{len(errors)} HTML errors on {len(site)} pages:\n" + "\n".join(errors)


def test_words_stay_whole_in_labels_and_buttons_on_a_desktop(site, chromium_browser, live_server):
    """Inline radios squeezed by a percentage width cut their labels mid-word
    ("Pres / ent") at desktop widths, where they sit side by side."""
    ctx = chromium_browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.goto("/sign-in")
    page.get_by_label("Email address", exact=True).fill("lead@second.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    problems = []
    paths = sorted({v.path for v in site if v.who == "officer lead@second.example" and v.status == 200})
    assert any(p.endswith("/record") for p in paths), "the attendance page, with its inline radios, was not reached"
    for path in paths:
        page.goto(path)
        problems += [f"{path}: {s}" for s in page.evaluate(LAYOUT)["split"]]
    ctx.close()
    assert not problems, "\n".join(problems)


def test_no_page_breaks_wcag_22_aa_for_anyone_at_either_width(crawl, app, screenshot_dir):
    """The count of pages and the time taken go to test-artifacts/axe.txt with any violations."""
    _, axe = crawl
    reached = {endpoint for _, endpoint, _, _ in axe.checked}
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods} - NOT_PAGES - {"index"}
    assert pages - reached == set(), f"pages never checked: {sorted(pages - reached)}"
    assert {who for who, *_ in axe.checked} == set(PER_ENDPOINT)
    problems = [f"{rule}\n    at {target}\n    {why}\n    on {len(where)}: " + "; ".join(where[:3])
                + (" ..." if len(where) > 3 else "") for (rule, target, why), where in sorted(axe.found.items())]
    summary = (f"{len({(who, path) for who, _, path, _ in axe.checked})} pages x roles, each at "
               f"{len(AXE_WIDTHS)} widths ({len(axe.checked)} axe runs) in {axe.seconds:.0f} s")
    screenshot_dir.parent.joinpath("axe.txt").write_text(summary + "\n" + "\n".join(problems) + "\n")
    assert not problems, f"{len(problems)} WCAG 2.2 AA violations ({summary}):\n" + "\n".join(problems)
