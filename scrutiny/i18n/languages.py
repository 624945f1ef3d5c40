"""The languages the council can offer on its public pages: each one's own
name (what a reader looks for in a list of languages), the direction its
script runs and the script, which decides the fonts a page needs."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g


@dataclass(frozen=True)
class Language:
    code: str  # the URL prefix and the <html lang>: a BCP 47 tag
    name: str  # the language's own name (endonym), as readers look for it
    english: str
    locale: str  # Babel's locale for dates, numbers and plural rules
    script: str  # ISO 15924
    direction: str = "ltr"

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


KNOWN = {language.code: language for language in (
    Language("en", "English", "English", "en_GB", "Latn"),
    Language("ar", "العربية", "Arabic", "ar", "Arab", "rtl"),
    Language("bn", "বাংলা", "Bengali", "bn", "Beng"),
    Language("gu", "ગુજરાતી", "Gujarati", "gu", "Gujr"),
    Language("pl", "Polski", "Polish", "pl", "Latn"),
    Language("pa", "ਪੰਜਾਬੀ", "Punjabi", "pa", "Guru"),
    Language("ro", "Română", "Romanian", "ro", "Latn"),
    Language("so", "Soomaali", "Somali", "so", "Latn"),
    Language("ur", "اردو", "Urdu", "ur", "Arab", "rtl"),
)}
DEFAULT_LANGUAGES = ("en", "ar", "bn", "gu", "pl", "pa", "ro", "so", "ur")


def check_languages(codes) -> None:
    """`LANGUAGES` names languages we have, English first (officers write in
    it, and it is the unprefixed address); a mistyped code stops the start."""
    from config import ConfigError

    unknown = [c for c in codes if c not in KNOWN]
    if unknown:
        raise ConfigError(f"LANGUAGES names languages Scrutiny has no translation for: {', '.join(unknown)} "
                          f"(it has {', '.join(KNOWN)})")
    if not codes or codes[0] != "en":
        raise ConfigError("LANGUAGES must start with en: English pages keep the addresses without a prefix")


def offered() -> list[Language]:
    """The council's languages, in its order (`LANGUAGES`)."""
    return [KNOWN[c] for c in current_app.config["LANGUAGES"]]


def default() -> Language:
    return KNOWN[current_app.config["LANGUAGES"][0]]


def current() -> Language:
    """The language of this page: from its address, else the default. Staff
    pages, e-mails and jobs are always in the default language."""
    return g.get("language") or default()
