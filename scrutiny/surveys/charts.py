"""Bar charts of a survey's suppressed results, as SVG written on the server.

pygal (pinned in requirements.txt) draws them: it is kept (releases through
2026), pure Python over lxml (already ours), writes SVG text without a
browser, a display or the network, and draws a missing value as no bar at
all. That last is how a suppressed cell is drawn: no bar, and its label
says "fewer than 5", so no bar length gives the number away. Bars are built
only from `results.Cell`s, which are suppressed already.

pygal's output is trimmed of what a page or a PDF must not carry: its
`<script>` (configuration for its optional JavaScript), its comments (one
holds today's date, which would make an unchanged PDF differ day to day),
the random id its styles are scoped to (replaced by one from the data) and
its "Pygal" title, replaced with the chart's own. The web page shows the
SVG as an image (the page's Content Security Policy would block the SVG's
own `<style>` inline) with an empty alt text, the table beside it carrying
the same figures for screen readers; PDFs embed the same SVG inline.

In PDFs, WeasyPrint draws an SVG's text letter by letter, with no
right-to-left ordering and no Arabic joining (and no Bengali or Gujarati
reordering either), so a label in those scripts would come out scrambled:
`pdf_bar_chart` labels such a bar by its number in the table printed beside
the chart, where the text is laid out properly and read.

Charts are cached per process by their data: the same table always makes
the same SVG, so the cache holds no state that machines could disagree on.
"""
from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from functools import lru_cache
from html import escape

import pygal
from pygal.style import Style

from scrutiny.surveys.results import Cell

BLUE, BLACK, GREY = "#1d70b8", "#0b0c0c", "#b1b4b6"  # GOV.UK colours
STYLE = Style(background="white", plot_background="white", foreground=BLACK, foreground_strong=BLACK,
              foreground_subtle=GREY, colors=(BLUE,), font_family="'Noto Sans', sans-serif",
              label_font_size=13, major_label_font_size=13, value_font_size=13, title_font_size=15)
WIDTH = 720
ROW_HEIGHT = 30
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)


def bar_label(cell: Cell, number: int | None = None) -> str:
    return f"{cell.label if number is None else number}: {cell.shown}"


def latin(text) -> bool:
    """Whether every letter of `text` is Latin (accents included): what an SVG in a PDF draws correctly."""
    return all(c.isascii() or not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in str(text))


def numbered(cells: list[Cell]) -> list[int | None]:
    """Each cell's number in its table when its label is not wholly Latin, else None."""
    return [None if latin(c.label) else n for n, c in enumerate(cells, 1)]


def bar_chart(title: str, cells: list[Cell]) -> str:
    """The SVG of one table's cells, one horizontal bar each, top to bottom in the table's order."""
    return _chart(title, tuple((bar_label(c), c.count) for c in cells))


def pdf_bar_chart(title: str, cells: list[Cell]) -> str:
    """The chart for a PDF: a bar whose label is not in Latin script is labelled by its row's number."""
    return _chart(title, tuple((bar_label(c, n), c.count) for c, n in zip(cells, numbered(cells))))


@lru_cache(maxsize=1024)
def _chart(title: str, bars: tuple[tuple[str, int | None], ...]) -> str:
    chart = pygal.HorizontalBar(
        style=STYLE, width=WIDTH, height=70 + ROW_HEIGHT * len(bars), explicit_size=True, show_legend=False,
        js=[], disable_xml_declaration=True, truncate_label=-1, show_y_guides=False,
        print_values=False, tooltip_fancy_mode=False, margin=12)
    # pygal draws the first bar at the bottom; the table reads from the top.
    chart.x_labels = [label for label, _ in reversed(bars)]
    chart.add("Responses", [value for _, value in reversed(bars)])
    svg = chart.render(is_unicode=True)
    svg = COMMENT.sub("", SCRIPT.sub("", svg))
    # Its styles are scoped to a random id (without it, WeasyPrint drops
    # them and draws every shape black): an id from the data keeps it
    # unique on a page and the same from one build to the next.
    stable = hashlib.sha256(repr((title, bars)).encode()).hexdigest()[:16]
    svg = re.sub(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", f"chart-{stable}", svg)
    return svg.replace("<title>Pygal</title>", f"<title>{escape(title)}</title>", 1)


def data_url(svg: str) -> str:
    """The SVG for an `<img src>`: the page's CSP lets images be data: URLs."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
