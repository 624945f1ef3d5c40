"""The results as CSV: the suppressed tables, not the responses.

A row per response would defeat suppression (anyone with a spreadsheet
could count a small group), so the export holds exactly what the results
page shows: all responses and each channel, then for each question how many
answered and the count for each option or rating, with "fewer than 5" where
the page says so. Free-text answers are not exported (they are read on the
page, where they show only past the threshold). It is written a line at a
time from the aggregates, so its memory does not grow with the responses,
and every cell goes through csv_cells' formula guard (officers type the
labels, and a label "=HYPERLINK(...)" must stay text in Excel).
"""
from __future__ import annotations

from collections.abc import Iterator

from scrutiny import csv_cells
from scrutiny.surveys.models import QuestionKind
from scrutiny.surveys.results import Results, title_of

COLUMNS = ["Question number", "Question", "Answer", "Responses", "Note"]
NOT_A_SUM = "Counts need not add up to the total: respondents may choose several, and small counts are hidden"


def lines(found: Results) -> Iterator[str]:
    """The CSV a line at a time, starting with a byte-order mark so Excel reads UTF-8."""
    yield "\ufeff" + csv_cells.line(COLUMNS)
    for said in found.filter_labels:
        yield csv_cells.line(["", "Filter", said, "", ""])
    yield csv_cells.line(["", "All responses", "Total", found.respondents.shown,
                          "Withdrawn responses are not counted"])
    if not found.shown:
        yield csv_cells.line(["", "", "", "", found.refused])
        return
    for cell in found.channels:
        yield csv_cells.line(["", "All responses", f"By {cell.label.value.lower()}", cell.shown, ""])
    for result in found.questions:
        number, text = str(result.number), str(result.text)
        note = ""
        if result.kind == QuestionKind.MULTIPLE:
            note = NOT_A_SUM
        elif result.has_hidden_cells:
            note = "Small counts are hidden, and so are the next smallest, so none can be worked out"
        yield csv_cells.line([number, text, "Answered", result.answered.shown, note])
        if result.kind == QuestionKind.TEXT:
            yield csv_cells.line([number, text, "Free-text answers", "", "Not exported: read them on the "
                                                                             "results page"])
        yield "".join(csv_cells.line([number, text, str(cell.label), cell.shown, ""]) for cell in result.cells)
        if result.mean is not None:
            yield csv_cells.line([number, text, "Average rating", f"{result.mean:.2f}", ""])


def filename(found: Results) -> str:
    words = "".join(c if c.isascii() and c.isalnum() else "-" for c in str(title_of(found.survey)).lower())
    words = words.strip("-")
    while "--" in words:
        words = words.replace("--", "-")
    return f"{words[:60] or 'survey'}-results{'-filtered' if found.filters.active else ''}.csv"
