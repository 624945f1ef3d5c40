"""The languages a survey may be offered in, in one place.

Until the interface has its own language machinery (Flask-Babel, /<lang>/
URLs), the surveys keep their list here: `SURVEY_LANGUAGES` in config, each
code named in its own language (its endonym) and marked when written right
to left. When the i18n package lands, point `offered()` and `NAMES` at it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from scrutiny.surveys.texts import BASE


@dataclass(frozen=True)
class Language:
    code: str
    endonym: str  # its name in itself: what a speaker looks for
    english: str  # its name for officers
    rtl: bool = False

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"


NAMES = {language.code: language for language in (
    Language("en", "English", "English"),
    Language("ar", "العربية", "Arabic", rtl=True),
    Language("bn", "বাংলা", "Bengali"),
    Language("gu", "ગુજરાતી", "Gujarati"),
    Language("pl", "Polski", "Polish"),
    Language("pa", "ਪੰਜਾਬੀ", "Punjabi (Gurmukhi)"),
    Language("ro", "Română", "Romanian"),
    Language("so", "Soomaali", "Somali"),
    Language("ur", "اردو", "Urdu", rtl=True),
)}


def offered() -> list[Language]:
    """English first, then each configured language we can name."""
    codes = current_app.config.get("LANGUAGES") or current_app.config.get("SURVEY_LANGUAGES") or [BASE]
    codes = [BASE, *(code for code in codes if code != BASE)]
    return [NAMES[code] for code in codes if code in NAMES]


def get(code: str) -> Language | None:
    """A configured language other than English (English is typed on the survey's own pages)."""
    return next((language for language in offered() if language.code == code and code != BASE), None)


def name(code: str) -> str:
    language = NAMES.get(code)
    return f"{language.english} ({language.endonym})" if language and language.code != BASE else (
        language.english if language else code)
