"""A witness sends evidence with a keyboard alone: from the e-mailed link to
the confirmation, pressing only Tab, Shift+Tab, Enter and Space and typing
(choosing files is the one exception: a file input opens the system's
chooser, which Playwright fills with set_input_files).

Wherever focus lands it must be seen (WCAG 2.4.7): GOV.UK's focus state is
the yellow focus colour, as an outline, a box shadow or a background (on a
radio or checkbox, round its drawn circle or box), and the skip link must
take focus past the header into the page.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_portal_journeys import WITNESS, emailed_link, files  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

MAX_TABS = 40

# What the focused element is, and how its focus shows: GOV.UK draws focus in
# yellow (#ffdd00) as an outline, a box shadow or a background; a radio or a
# checkbox is hidden and draws it round its label's ::before (the circle or box).
FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const choice = (e.type === "radio" || e.type === "checkbox") && e.labels.length > 0;
  const drawn = choice ? getComputedStyle(e.labels[0], "::before") : getComputedStyle(e);
  const yellow = "rgb(255, 221, 0)";
  const outline = drawn.outlineStyle !== "none" && parseFloat(drawn.outlineWidth) >= 2
    && !/rgba\\(.*, 0\\)|transparent/.test(drawn.outlineColor);
  const shown = [
    outline && `outline ${drawn.outlineWidth} ${drawn.outlineStyle} ${drawn.outlineColor}`,
    drawn.boxShadow.includes(yellow) && `box-shadow ${drawn.boxShadow}`,
    drawn.backgroundColor === yellow && "yellow background",
  ].filter(Boolean);
  const box = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), id: e.id, type: e.type || "", href: e.getAttribute("href") || "",
          text: (choice || (e.type === "file" && e.labels.length) ? e.labels[0].innerText
                 : e.innerText || e.value || "").trim().replace(/\\s+/g, " ").slice(0, 60),
          shown, onScreen: box.width > 0 && box.height > 0};
}"""


class Keyboard:
    """Tab through a page, as a person with a keyboard; every stop must show its focus."""

    def __init__(self, page: Page):
        self.page, self.stops, self.unseen = page, 0, []

    def focus(self) -> dict | None:
        return self.page.evaluate(FOCUS)

    def _check(self, element: dict | None, key: str) -> None:
        if element is None:
            return
        self.stops += 1
        if not element["shown"]:
            self.unseen.append(f"{self.page.url} after {key}: <{element['tag']} id={element['id']!r}> "
                               f"“{element['text']}” shows no focus")

    def press(self, key: str) -> dict | None:
        assert key in ("Tab", "Shift+Tab", "Enter", "Space"), key
        self.page.keyboard.press(key)
        if key in ("Enter", "Space"):  # may start a page load: nothing to read until it is done
            return None
        element = self.focus()
        self._check(element, key)
        return element

    def tab_to(self, matches, what: str) -> dict:
        """Press Tab until the focused element matches; fail naming the path taken."""
        path = []
        for _ in range(MAX_TABS):
            element = self.press("Tab")
            path.append(element and (element["text"] or element["id"] or element["tag"]))
            if element and matches(element):
                return element
        pytest.fail(f"{what} took more than {MAX_TABS} presses of Tab on {self.page.url}; focus went: {path}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def _is(text: str):
    return lambda e: e["text"] == text


def test_a_witness_sends_written_evidence_with_the_keyboard_alone(page, emailed_link, files, run_jobs,  # noqa: F811
                                                                 smtp):
    keys = Keyboard(page)
    page.goto(emailed_link)  # as the link in the e-mail opens it

    # The first Tab reaches the skip link, shown on screen; Enter takes focus past the header.
    first = keys.press("Tab")
    assert first and first["text"] == "Skip to main content" and first["onScreen"], f"first Tab reached {first}"
    keys.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content", "the skip link did not move focus"
    after_skip = keys.press("Tab")
    assert after_skip and after_skip["text"] == "Open your evidence page", (
        f"after the skip link, Tab should reach the page's button, not {after_skip}")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/portal/invitations/[^/]+$"))

    # Say yes, then start a piece of evidence.
    keys.tab_to(_is("Yes, we will give evidence"), "The “yes” answer")
    keys.press("Space")
    keys.tab_to(_is("Send answer"), "The send answer button")
    keys.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("your answer has been sent")
    keys.tab_to(_is("Add evidence"), "The add evidence button")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/portal/evidence/[^/]+$"))

    keys.tab_to(lambda e: e["id"] == "title", "The title field")
    keys.type("Carers' waiting times")
    keys.tab_to(_is("Written evidence"), "The first kind of evidence")
    keys.press("Space")
    keys.tab_to(lambda e: e["id"] == "summary", "The summary field")
    keys.type("Carers wait months for an assessment.")
    keys.tab_to(lambda e: e["id"] == "body", "The written evidence field")
    keys.type("Carers told us they wait months.")
    file_input = keys.tab_to(lambda e: e["type"] == "file", "The file chooser")
    page.locator(f"#{file_input['id']}").set_input_files(str(files["waits.pdf"][0]))  # the one exception
    keys.tab_to(_is("Save and check before submitting"), "The check button")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/submit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your evidence before you submit it")
    expect(page.locator("main .govuk-summary-list")).to_contain_text("waits.pdf")

    # Shift+Tab goes back as well as Tab goes forward.
    box = keys.tab_to(lambda e: e["type"] == "checkbox", "The notice checkbox")
    keys.press("Tab")
    assert keys.press("Shift+Tab")["id"] == box["id"], "Shift+Tab should return to the notice checkbox"
    keys.press("Space")
    keys.tab_to(_is("Submit evidence"), "The submit button")
    keys.press("Enter")

    page.wait_for_url(re.compile(r"/portal/invitations/[^/]+$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your evidence has been submitted.")
    row = page.get_by_role("table", name="Evidence you have started or sent").locator("tbody tr")
    expect(row).to_contain_text("Submitted")
    assert keys.stops >= 10, f"only {keys.stops} focus stops were checked"
    assert not keys.unseen, "focus not visible:\n" + "\n".join(keys.unseen)
