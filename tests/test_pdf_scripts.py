"""Text in every script of the council's languages comes out of our PDFs as
it went in: drawn with the Noto faces we ship (embedded, whatever the
machine has), and with a text layer that gives back the typed words, so a
reader can search and copy it and a screen reader can say it."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata

import pikepdf
import pytest
from flask import render_template_string

from scrutiny.documents import actual_text, render
from scrutiny.i18n import pdf_fonts

SENTENCES = {
    "ar": "نُشر التقرير النهائي للمراجعة اليوم",
    "bn": "চূড়ান্ত প্রতিবেদন আজ প্রকাশিত হয়েছে",
    "gu": "અંતિમ અહેવાલ આજે પ્રકાશિત થયો",
    "pa": "ਅੰਤਿਮ ਰਿਪੋਰਟ ਅੱਜ ਪ੍ਰਕਾਸ਼ਿਤ ਹੋਈ",
    "ur": "حتمی رپورٹ آج شائع ہوئی",
    "pl": "Zażółć gęślą jaźń",
}
RTL = {"ar", "ur"}
DOCUMENT = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Every script</title>
<style>{% include "pdf/pdf.css" %}</style></head><body>
<p>The report in the council's languages:</p>
{% for code, sentence in sentences.items() %}<p lang="{{ code }}"{% if code in rtl %} dir="rtl"{% endif %}>{{ sentence }}</p>
{% endfor %}</body></html>"""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"{name} (poppler-utils) is missing")
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return found


@pytest.fixture(scope="module")
def pdf(app, tmp_path_factory):
    """The sentences through the app's own path: its PDF stylesheet, layout and PDF/UA writer."""
    target = tmp_path_factory.mktemp("scripts") / "scripts.pdf"
    with app.app_context():
        # As documents.jobs.document_html does: the faces its text needs, filled in after rendering.
        html = pdf_fonts.with_faces_for_its_text(render_template_string(DOCUMENT, sentences=SENTENCES, rtl=RTL))
        fetcher = render.AssetOnlyFetcher()
        render.write(render.layout(html, fetcher), target, variant="pdf/ua-1")
    assert fetcher.refused == []
    return target


def _words(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return " ".join(re.sub("[\u202a-\u202e\u200e\u200f]", "", text).split())  # no bidi marks, one space


def test_every_script_extracts_as_typed(pdf):
    lines = [_words(line) for line in subprocess.run(
        [_tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
        check=True).stdout.splitlines() if line.strip()]
    for code, sentence in SENTENCES.items():
        if code in RTL:
            # poppler lays an RTL line's ActualText out left to right, then reverses the line as it
            # does drawn Arabic; the PDF holds the typed text (next test), poppler hands it back mirrored.
            assert _words(sentence)[::-1] in lines, code
        else:
            assert _words(sentence) in lines, code


def test_shaped_lines_carry_their_typed_text(pdf):
    """What Acrobat, screen readers and search use: each line's /ActualText."""
    assert actual_text.install(), "WeasyPrint was upgraded: check scrutiny/documents/actual_text.py still applies"
    spans = []
    with pikepdf.open(pdf) as document:
        for operands, operator in pikepdf.parse_content_stream(document.pages[0]):
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) \
                    and "/ActualText" in operands[1]:
                spans.append(_words(str(operands[1].ActualText)))
    assert spans == [_words(s) for code, s in SENTENCES.items() if code != "pl"]


def test_the_noto_faces_are_embedded(pdf):
    fonts = subprocess.run([_tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    embedded = {line.split()[0].split("+", 1)[-1] for line in fonts.splitlines()[2:] if " yes " in line}
    assert {"Noto-Sans", "Noto-Sans-Arabic", "Noto-Sans-Bengali", "Noto-Sans-Gujarati", "Noto-Sans-Gurmukhi",
            "Noto-Naskh-Arabic", "Noto-Sans-Latin-Ext"} <= embedded
    assert not [f for f in embedded if not f.startswith("Noto")], "a system font filled in for a missing glyph"


def test_a_document_can_ask_for_the_fonts_of_its_languages():
    css = pdf_fonts.font_css(["en", "bn", "ur"])
    assert "Noto Sans Bengali" in css and "Noto Naskh Arabic" in css and "Noto Sans Gujarati" not in css
    assert ':lang(ur) { font-family: "Noto Naskh Arabic", "Noto Sans"' in css
    assert pdf_fonts.font_stack(["en"]) == '"Noto Sans", "Noto Sans Latin Ext", sans-serif'


def test_english_text_is_drawn_as_before():
    assert not actual_text.SHAPED.search("Adult Social Care Waiting Times – Zażółć")


def test_a_document_loads_the_faces_of_its_languages_and_of_the_scripts_in_its_words():
    # An English survey whose options name languages in their own scripts needs those faces too.
    assert pdf_fonts.languages_in(["Bengali – বাংলা", "Gujarati – ગુજરાતી", "Polski: Zażółć"], ["en"]) == ["en", "bn", "gu"]
    assert pdf_fonts.languages_in(["اردو"], ["en", "ur"]) == ["en", "ur", "ar"]
    css = pdf_fonts.font_css(["en", "bn"])
    assert "Noto Sans Bengali" in css and "Arabic" not in css and "Gujarati" not in css


def test_an_english_document_declares_no_other_script_and_a_polish_name_brings_latin_extended(app):
    """WeasyPrint loads every face a stylesheet declares, about a second for all of them on every build."""
    english = '<style>{{ pdf_faces_placeholder }}</style><p>Adult social care: “waiting times”, café</p>'
    with app.test_request_context():
        plain = pdf_fonts.with_faces_for_its_text(render_template_string(english))
        polish = pdf_fonts.with_faces_for_its_text(render_template_string(english + "<p>Zażółć Wiśniewska</p>"))
        urdu = pdf_fonts.with_faces_for_its_text(render_template_string(english + '<p lang="ur">اردو</p>'))
    assert "@font-face" not in plain and 'html { font-family: "Noto Sans", sans-serif; }' in plain
    assert "Noto Sans Latin Ext" in polish and "Arabic" not in polish
    assert "Noto Naskh Arabic" in urdu and "Latin Ext" not in urdu
