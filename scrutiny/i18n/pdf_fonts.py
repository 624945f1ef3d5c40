"""Fonts for every script of the council's languages in the PDFs, so text
in Arabic, Bengali, Gujarati, Gurmukhi, Urdu, Polish or Romanian (a
witness's name, a survey's answers) is drawn, on any machine.

The faces come from the @fontsource packages (assets/build.mjs copies them
to static/build/fonts), read through the PDF renderer's restricted fetcher.
Each script has its own family after Noto Sans in one stack: WeasyPrint
(Pango) draws each character with the first family that has it, and only
the glyphs used are embedded, so an English report is no bigger for it.
Urdu (text marked lang="ur") is set in Naskh in PDFs, not the Nastaliq of
the web pages, whose steep joins lay out and extract badly in a PDF.
The text layer of these scripts is made right by
scrutiny.documents.actual_text.

`font_css()` (the template global `pdf_font_css`) is what a PDF stylesheet
includes (templates/pdf/pdf.css does); a document for particular languages
(the survey results) can ask for theirs: `font_css(["bn", "ur"])`, or just
the family list, `font_stack(["bn", "ur"])`."""
from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup

from scrutiny.i18n.languages import KNOWN

# script (ISO 15924) → the family and the file stem (fonts/<stem>-<weight>-normal.woff2)
SCRIPT_FACES = {
    "Arab": ("Noto Sans Arabic", "noto-sans-arabic-arabic"),
    "Beng": ("Noto Sans Bengali", "noto-sans-bengali-bengali"),
    "Gujr": ("Noto Sans Gujarati", "noto-sans-gujarati-gujarati"),
    "Guru": ("Noto Sans Gurmukhi", "noto-sans-gurmukhi-gurmukhi"),
}
URDU_FACE = ("Noto Naskh Arabic", "noto-naskh-arabic-arabic")
# Polish and Romanian letters (ą, ł, ș, ț) are beyond the Latin subset of Noto Sans that
# pdf.css loads: its Latin Extended file, under a family of its own, is tried next.
LATIN_EXT_FACE = ("Noto Sans Latin Ext", "noto-sans-latin-ext")
WEIGHTS = (400, 700)


def _faces_for(codes, latin_ext: bool = True) -> list[tuple[str, str]]:
    faces = [LATIN_EXT_FACE] if latin_ext else []
    for code in codes:
        face = URDU_FACE if code == "ur" else SCRIPT_FACES.get(KNOWN[code].script)
        if face and face not in faces:
            faces.append(face)
    return faces


# The first word of a letter's Unicode name, for the scripts whose faces we ship.
_SCRIPT_OF_NAME = {"ARABIC": "ar", "BENGALI": "bn", "GUJARATI": "gu", "GURMUKHI": "pa"}


def languages_in(texts, codes=()) -> list[str]:
    """The language codes whose faces a document needs: `codes` (its own
    languages, Urdu's Naskh among them) and one for each script its text is
    written in. An English label such as "Bengali – বাংলা" needs the
    Bengali face though the document is English."""
    found = [c for c in codes if c in KNOWN]
    for text in texts:
        for char in str(text or ""):
            if char.isascii() or not char.isalpha():
                continue
            code = _SCRIPT_OF_NAME.get(unicodedata.name(char, "").partition(" ")[0])
            if code and code not in found:
                found.append(code)
    return found


def font_stack(codes=None, first: str | None = None, latin_ext: bool = True) -> str:
    """The CSS font-family: Noto Sans, then each script's family of `codes`
    (every known language by default); the language `first`'s own before all."""
    faces = [family for family, _stem in _faces_for(codes if codes is not None else KNOWN, latin_ext)]
    own = [family for family, _stem in _faces_for([first], latin_ext=False)] if first else []
    families = own + ["Noto Sans"] + [family for family in faces if family not in own]
    return ", ".join(f'"{family}"' for family in families) + ", sans-serif"


def font_css(codes=None, latin_ext: bool = True) -> Markup:
    """@font-face rules for the scripts of `codes` (every known language by
    default), the stack on the whole document, and Naskh first where text is
    marked lang="ur"; `latin_ext=False` leaves out Latin beyond Latin-1."""
    codes = list(codes if codes is not None else KNOWN)
    faces = _faces_for(codes, latin_ext)
    rules = [f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: {weight}; '
             f'src: url("scrutiny-asset:fonts/{stem}-{weight}-normal.woff2") format("woff2"); }}'
             for family, stem in faces for weight in WEIGHTS]
    rules.append(f"html {{ font-family: {font_stack(codes, latin_ext=latin_ext)}; }}")
    if "ur" in codes:
        rules.append(f":lang(ur) {{ font-family: {font_stack(codes, first='ur', latin_ext=latin_ext)}; }}")
    return Markup("\n".join(rules))


# Where a document's stylesheet leaves the choice to its text (templates/pdf/pdf.css).
FACES_PLACEHOLDER = "/* scrutiny: the faces this document's text needs */"
_BEYOND_LATIN_1 = re.compile(r"[^\x00-\xff]")


def with_faces_for_its_text(html: str) -> str:
    """The document with the @font-face rules its own text needs, in place
    of the placeholder: WeasyPrint loads every face a stylesheet declares
    (about a second for all of them, on every build), so an English letter
    declares none beyond Noto Sans, and a witness named in Polish or a
    survey answer in Bengali brings its own."""
    if FACES_PLACEHOLDER not in html:
        return html
    wide = set(_BEYOND_LATIN_1.findall(html))
    codes = languages_in(["".join(wide)])
    if 'lang="ur"' in html and "ur" not in codes:
        codes.append("ur")
    latin_ext = any(unicodedata.name(char, "").startswith("LATIN") for char in wide)
    return html.replace(FACES_PLACEHOLDER, font_css(codes, latin_ext=latin_ext), 1)
