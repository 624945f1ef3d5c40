"""Tables of records that stack on narrow screens.

Below the tablet breakpoint a table marked `app-table--stack` shows each row
as a block and each cell under its column's name (app.scss reads the name
from the cell's data-label), so no column hides in a sideways scroller
(WCAG 1.4.10). The markup stays a table, so screen readers still announce
headers and positions.

The `stacked` filter takes a rendered table and adds the class and the
labels from its header row, so a template wraps a table in
`{% filter stacked %}` instead of repeating each header on every cell, and
a label cannot drift from the header it repeats. Headers that show no text
(a visually hidden "Actions") give no label: their cells are links that say
what they do. No ARIA roles are added to force the table's semantics: HTML
forbids a role on a row or cell of a table (the Nu HTML Checker refuses
them), and the header row stays in the markup, only visually hidden.
"""
from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

HIDDEN = "govuk-visually-hidden"
CLASS = "app-table--stack"


class _Reader(HTMLParser):
    """Finds the header row's visible names and where each cell starts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section = None  # "thead" or "tbody"
        self.headers: list[list[str]] = []  # visible words of each column header
        self.hidden_depth = 0  # inside a visually hidden span
        self.in_header = False
        self.table_tag: tuple[int, int, str] | None = None
        self.column = 0
        self.cells: list[tuple[int, int, str, int]] = []  # (line, col, start tag, column)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and self.table_tag is None:
            self.table_tag = (*self.getpos(), self.get_starttag_text())
        elif tag in ("thead", "tbody"):
            self.section = tag
        elif tag == "tr":
            self.column = 0
        elif tag == "th" and self.section == "thead":
            self.headers.append([])
            self.in_header = True
        elif tag in ("th", "td") and self.section == "tbody":
            if tag == "td":
                self.cells.append((*self.getpos(), self.get_starttag_text(), self.column))
            span = dict(attrs).get("colspan") or "1"
            self.column += int(span) if span.isdigit() else 1
        if tag not in ("br", "img", "input", "hr", "wbr", "col", "meta", "link"):
            self.stack.append(tag)
            if HIDDEN in classes or self.hidden_depth:
                self.hidden_depth += 1

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack:
                popped = self.stack.pop()
                if self.hidden_depth:
                    self.hidden_depth -= 1
                if popped == tag:
                    break
        if tag == "th" and self.section == "thead":
            self.in_header = False

    def handle_data(self, data):
        if self.in_header and not self.hidden_depth:
            self.headers[-1].append(data)


def _offset(lines: list[int], line: int, col: int) -> int:
    return lines[line - 1] + col


def stacked(html: str) -> Markup:
    """The table in `html` marked to stack on narrow screens, each data cell
    labelled with its column header's visible text."""
    html = str(html)
    reader = _Reader()
    reader.feed(html)
    reader.close()
    if reader.table_tag is None:
        return Markup(html)
    starts, total = [], 0
    for line in html.splitlines(keepends=True):
        starts.append(total)
        total += len(line)
    labels = [" ".join("".join(words).split()) for words in reader.headers]
    edits = []  # (offset, old start tag, new start tag), applied from the end
    line, col, tag = reader.table_tag
    edits.append((_offset(starts, line, col), tag, _with_class(tag)))
    for line, col, tag, column in reader.cells:
        label = labels[column] if column < len(labels) else ""
        if label and "data-label" not in tag:
            edits.append((_offset(starts, line, col), tag, f'{tag[:3]} data-label="{escape(label)}"{tag[3:]}'))
    for offset, old, new in sorted(edits, reverse=True):
        if not html.startswith(old, offset):  # never expected: leave the markup as it is
            continue
        html = html[:offset] + new + html[offset + len(old):]
    return Markup(html)


def _with_class(tag: str) -> str:
    if 'class="' in tag:
        return tag.replace('class="', f'class="{CLASS} ', 1)
    return f'{tag[:-1]} class="{CLASS}">'
