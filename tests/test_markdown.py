import pytest
from bs4 import BeautifulSoup

from scrutiny.markdown import render_markdown

GROUP = "adult-social-care-waiting-times"


@pytest.mark.parametrize("source", [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "<a href='javascript:alert(1)'>x</a>",
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
])
def test_markdown_never_yields_markup_that_runs_or_loads(source):
    soup = BeautifulSoup(str(render_markdown(source)), "html.parser")
    assert not soup.find_all(["script", "img", "iframe", "style", "object", "embed", "form", "input"])
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (source, tag)
            if name in ("href", "src"):
                assert value.split(":")[0].lower() in ("http", "https", "mailto"), (source, tag)


def test_markdown_keeps_what_officers_write():
    html = str(render_markdown("# Aims\n\n- one\n- **two**\n\n[report](https://example.org/r.pdf)\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<h2>Aims</h2>" in html and "<strong>two</strong>" in html and "<td>2</td>" in html
    assert '<a href="https://example.org/r.pdf" rel="noopener noreferrer">report</a>' in html


def test_a_scope_with_a_script_shows_as_text_on_the_group_page(browser, second_case):
    browser.sign_in("lead@second.example")
    browser.submit(f"/groups/{GROUP}/edit", {"title": "Adult Social Care Waiting Times",
                                             "scope": "Before <script>alert('owned')</script> after"})
    page = browser.get(f"/groups/{GROUP}").text
    assert "<script>alert('owned')" not in page
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in page or "&lt;script&gt;" in page


def test_typed_headings_never_compete_with_the_pages_h1():
    html = str(render_markdown("# Top\n\n## Next\n\n###### Deep"))
    assert "<h1>" not in html
    assert "<h2>Top</h2>" in html and "<h3>Next</h3>" in html and "<h6>Deep</h6>" in html


def test_a_typed_table_takes_keyboard_focus_so_a_keyboard_can_scroll_it():
    """On a phone a wide table of figures scrolls inside itself (WCAG 1.4.10's
    exception); without focus, someone without a mouse could not scroll it."""
    html = str(render_markdown("| Month | Median wait |\n|---|---|\n| May | 61 |"))
    assert '<table tabindex="0">' in html
    typed = BeautifulSoup(str(render_markdown('<p tabindex="0">typed</p>')), "html.parser")
    assert not typed.select("[tabindex]"), "only the tables we render take focus"
