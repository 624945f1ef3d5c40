"""Text in Arabic and the Indic scripts that copies, searches and reads
aloud as it was typed, not as the glyphs were drawn.

A PDF's text layer maps each glyph to text once (a ToUnicode table, one
entry per glyph), and WeasyPrint 70 fills it with the text the glyph drew
first. Shaped scripts share glyphs between letters: Arabic fonts build "ت"
and "ق" from one dotless form and its dots, and Bengali draws "ি" before its
consonant, so the second word to use a glyph extracts wrongly ("التقرير"
as "القققرير", "প্রকাশিত" as "প্রকাশিতি"). PDF has the answer for this:
a marked-content span whose /ActualText is the real text (ISO 32000-1,
14.9.4), which text extraction, search and screen readers take instead of
the glyphs. We wrap each line of such text in one; Latin-only lines are
drawn exactly as before, so every other PDF keeps its bytes.

This wraps `weasyprint.draw.text.draw_first_line`, the one place a line of
text is drawn; the pinned WeasyPrint version is checked so an upgrade that
moves it is noticed by tests/test_pdf_scripts.py rather than silently lost."""
from __future__ import annotations

import re

import pydyf
import weasyprint
from weasyprint.draw import text as weasyprint_text

# Hebrew to the end of the Arabic extensions, the Indic block (Devanagari to
# Sinhala), Arabic presentation forms: scripts whose glyphs are shaped.
SHAPED = re.compile("[\u0590-\u08ff\u0900-\u0dff\ufb50-\ufdff\ufe70-\ufeff]")
TESTED_WITH = "70."


def _with_actual_text(draw_first_line):
    def draw(stream, textbox, *args, **kwargs):
        text = textbox.text
        if not SHAPED.search(text):
            return draw_first_line(stream, textbox, *args, **kwargs)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        try:
            return draw_first_line(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw.scrutiny_actual_text = True
    return draw


def install() -> bool:
    """Wrap WeasyPrint's line drawing once; False when its version is not the one this was written for."""
    if not weasyprint.__version__.startswith(TESTED_WITH):
        return False
    if not getattr(weasyprint_text.draw_first_line, "scrutiny_actual_text", False):
        weasyprint_text.draw_first_line = _with_actual_text(weasyprint_text.draw_first_line)
    return True
