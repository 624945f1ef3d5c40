"""File names and sizes as the witness sees them: made safe to show, quoted
in messages, and sizes in the units a file manager uses."""
from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 150
_EXT_RE = re.compile(r"[A-Za-z0-9]{1,10}")

# Other spellings of an accepted extension, so "photo.jpeg" is not a mismatch.
ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg"}


def safe_name(original_name: str | None) -> str:
    """The sender's file name made safe to show and to offer as a download name.

    Keeps only the last path part (browsers on Windows may send
    ``C:\\Users\\x\\report.pdf``; an attacker may send ``../../etc/passwd``),
    drops control and formatting characters (including the right-to-left
    override used to disguise ``exe`` as ``pdf``), leading dots (hidden files)
    and trailing dots and spaces (which Windows drops), and shortens it to
    150 characters keeping the extension. Never used to build a path.
    """
    name = unicodedata.normalize("NFC", original_name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    # Collapse runs of (Unicode) white space; trailing dots and spaces go now,
    # leading dots after the extension is split off, so ".pdf" -> "file.pdf".
    name = " ".join(name.split()).rstrip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or not _EXT_RE.fullmatch(ext):
        stem, ext = name, ""
    stem = stem.strip(" .")
    suffix = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .")
    return (stem or "file") + suffix


def claimed_extension(name: str) -> str | None:
    """The extension the name claims, lower case, aliases folded ("jpeg" -> "jpg")."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext:
        return None
    ext = ext.lower()
    return ALIASES.get(ext, ext)


def quoted(name: str) -> str:
    return f"\u201c{name}\u201d"


def a(noun: str) -> str:
    """'a PDF', 'an Excel spreadsheet', 'an HTML file'."""
    first = noun.split()[0]
    if len(first) > 1 and first.isupper():  # an acronym: say its first letter
        vowel_sound = first[0] in "AEFHILMNORSX"
    else:
        vowel_sound = first[0].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {noun}"


def human_size(size: int) -> str:
    """Bytes as people read them in a file manager: "512 bytes", "14.6 KB",
    "2.4 MB". 1024-based, as Windows Explorer counts, so set limits as
    multiples of 1024 * 1024 to show round numbers. The one size formatter:
    pages, e-mails and refusals all use it."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    text = f"{value:.1f}".removesuffix(".0") if value < 100 else f"{value:.0f}"
    return f"{text} {unit}"
