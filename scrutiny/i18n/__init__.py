"""Languages of the public pages (Flask-Babel, gettext catalogues in
scrutiny/translations): which the council offers (languages.py), how a
page's address carries its language (urls.py), dates and numbers in it
(formatting.py), and the fonts each script needs in PDFs (pdf_fonts.py).

Officers' own text (titles, reports, evidence) is shown as written, marked
with its language (`original_language`) so screen readers and the
browser's bidirectional layout treat it as English on an Arabic page."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, request
from flask_babel import Babel, force_locale
from markupsafe import Markup, escape

from scrutiny.i18n import formatting, pdf_fonts
from scrutiny.i18n.languages import KNOWN, Language, check_languages, current, default, offered
from scrutiny.i18n.urls import add_language_urls, in_languages, language_endpoints, same_page_in

__all__ = ["Language", "add_language_urls", "current", "default", "in_languages", "init_app", "offered", "speaking"]

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
babel = Babel()


def _locale() -> str:
    return current().locale


def init_app(app: Flask) -> None:
    check_languages(app.config["LANGUAGES"])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en_GB")
    babel.init_app(app, locale_selector=_locale)
    for name in ("format_date", "iso_date", "format_number", "format_size", "format_day", "format_time"):
        app.add_template_filter(getattr(formatting, name), name)
    app.add_template_global(current, "current_language")
    app.add_template_global(language_links, "language_links")
    app.add_template_global(original_language, "original_language")
    app.add_template_global(in_original, "in_original")
    app.add_template_global(script_stylesheet, "script_stylesheet")
    app.add_template_global(pdf_fonts.font_css, "pdf_font_css")
    app.add_template_global(Markup(pdf_fonts.FACES_PLACEHOLDER), "pdf_faces_placeholder")


@contextmanager
def speaking(code: str | None):
    """Render in a resident's language outside their page (an e-mail queued
    by a job, a confirmation sent from an officer's action): gettext, dates
    and `current()` all in `code`, or in the default language when the
    council no longer offers it."""
    language = KNOWN.get(code) if code in current_app.config["LANGUAGES"] else default()
    before = g.get("language")
    g.language = language  # also makes g non-empty, which force_locale needs to act at all
    try:
        with force_locale(language.locale):
            yield language
    finally:
        if before is None:
            g.pop("language", None)
        else:
            g.language = before


def language_links() -> list[dict]:
    """The language switcher: this page in each language, or none on a page
    that is not offered in several."""
    if request.endpoint not in language_endpoints(current_app):
        return []
    here = current()
    return [{"code": language.code, "name": language.name, "english": language.english,
             "href": same_page_in(language.code), "current": language == here} for language in offered()]


def original_language() -> Markup:
    """Attributes for text shown as officers wrote it: ` lang="en" dir="ltr"`
    on a page in another language, nothing on an English page."""
    written = default()
    if current() == written:
        return Markup("")
    return Markup(f' lang="{written.code}" dir="{written.direction}"')


def in_original(text) -> Markup:
    """Officers' text inside a sentence of the page's language: in a span
    marked with its own language on a page in another, as it is otherwise."""
    attributes = original_language()
    return Markup(f"<span{attributes}>%s</span>") % text if attributes else escape(text)


SCRIPT_STYLESHEETS = {"Arab": "arabic", "Beng": "bengali", "Gujr": "gujarati", "Guru": "gurmukhi"}


def script_stylesheet(language: Language | None = None) -> str | None:
    """The fonts stylesheet a page in this language links (build/fonts/<name>.css,
    from assets/build.mjs), or None: English pages download no other font."""
    language = language or current()
    if language.code == "ur":
        return "fonts/urdu.css"  # Nastaliq, the style Urdu readers expect
    if language.code in ("pl", "ro"):
        return "fonts/latin-ext.css"  # ą, ł, ș, ț: beyond the Latin subset every page has
    name = SCRIPT_STYLESHEETS.get(language.script)
    return f"fonts/{name}.css" if name else None
