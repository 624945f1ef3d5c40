"""The languages a survey may be offered in: the council's public languages
(scrutiny.i18n, `LANGUAGES`), so a survey can be answered only in a language
whose interface the site has. This module keeps the surveys' own questions
(`get` leaves English out: it is typed on the survey's own pages; `name` is
how officers' pages name a language)."""
from __future__ import annotations

from scrutiny.i18n.languages import KNOWN, Language
from scrutiny.i18n.languages import offered as site_languages
from scrutiny.surveys.texts import BASE

__all__ = ["Language", "get", "name", "offered"]


def offered() -> list[Language]:
    """English first, then the council's other languages, in its order."""
    found = site_languages()
    return [KNOWN[BASE], *(language for language in found if language.code != BASE)]


def get(code: str) -> Language | None:
    """An offered language other than English (English is typed on the survey's own pages)."""
    return next((language for language in offered() if language.code == code and code != BASE), None)


def name(code: str) -> str:
    language = KNOWN.get(code)
    return f"{language.english} ({language.name})" if language and language.code != BASE else (
        language.english if language else code)
