"""Arabic and Urdu pages read right to left in a real browser: the mirrored
GOV.UK components put a radio's drawn ring and its input on the right of
its label (on the left in English), the Arabic face is downloaded only by
pages in Arabic, and the review page is looked at on a desktop and a phone."""
from __future__ import annotations

from tests.e2e.conftest import PHONE
from tests.test_letters import SECOND, second  # noqa: F401
from tests.test_public_pages import published  # noqa: F401

REVIEW = f"/reviews/{SECOND}"

# Where the first radio's input box, its drawn ring and its label's words are, in page pixels.
PLACES = """() => {
  const input = document.querySelector('.govuk-radios__input');
  const label = document.querySelector(`label[for="${input.id}"]`);
  const item = input.closest('.govuk-radios__item').getBoundingClientRect();
  const ring = getComputedStyle(label, '::before');
  const words = document.createRange();
  words.selectNodeContents(label);
  const box = (r) => [r.left, r.right];
  const ringLeft = item.left + parseFloat(ring.left);
  return {input: box(input.getBoundingClientRect()), words: box(words.getBoundingClientRect()),
          ring: [ringLeft, ringLeft + parseFloat(ring.width)], dir: document.documentElement.dir};
}"""


def _overlaps(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_a_radio_sits_on_the_reading_side_of_its_label(page, published, screenshot_dir):  # noqa: F811
    page.goto("/ar/reviews")
    page.get_by_label("منشورة", exact=True).check()  # the ring's dot drawn too
    page.screenshot(path=str(screenshot_dir / "reviews-ar-1280.png"), full_page=True)
    rtl = page.evaluate(PLACES)
    assert rtl["dir"] == "rtl"
    assert rtl["input"][0] >= rtl["words"][1], "in Arabic the input is right of its label's words"
    assert _overlaps(rtl["ring"], rtl["input"]), "and the ring is drawn over the input, not left behind"

    page.goto("/reviews")
    ltr = page.evaluate(PLACES)
    assert ltr["dir"] == "ltr"
    assert ltr["input"][1] <= ltr["words"][0], "in English the input is left of its label"
    assert _overlaps(ltr["ring"], ltr["input"])


def test_the_arabic_face_is_fetched_only_for_arabic_pages(page, published):  # noqa: F811
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(REVIEW)
    page.wait_for_load_state("networkidle")
    assert not [url for url in fetched if "/fonts/" in url and "noto-sans-latin" not in url]

    fetched.clear()
    page.goto(f"/ar{REVIEW}")
    page.evaluate("document.fonts.ready")
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/fonts/arabic.css") for url in fetched)
    assert any("noto-sans-arabic-arabic-400" in url for url in fetched)
    assert page.evaluate("document.fonts.check('19px \"Noto Sans Arabic\"', 'المحتويات')")
    # The heading starts at the right edge of its column's content.
    heading = page.get_by_role("heading", name="المحتويات").bounding_box()
    column = page.locator(".govuk-grid-column-two-thirds").first
    box, padding = column.bounding_box(), column.evaluate("c => parseFloat(getComputedStyle(c).paddingRight)")
    assert abs((heading["x"] + heading["width"]) - (box["x"] + box["width"] - padding)) < 2


def test_the_review_page_on_a_desktop_and_a_phone(page, chromium_browser, live_server, published,  # noqa: F811
                                                 screenshot_dir):
    for path, name in ((f"/ar{REVIEW}", "review-ar"), (REVIEW, "review-en")):
        page.goto(path)
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(screenshot_dir / f"{name}-1280.png"), full_page=True)
        context = chromium_browser.new_context(base_url=live_server, viewport=PHONE, has_touch=True, is_mobile=True)
        phone = context.new_page()
        try:
            phone.goto(path)
            phone.evaluate("document.fonts.ready")
            # Nothing runs off a phone's screen sideways, in either direction.
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            phone.screenshot(path=str(screenshot_dir / f"{name}-375.png"), full_page=True)
        finally:
            context.close()
