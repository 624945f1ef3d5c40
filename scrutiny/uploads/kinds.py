"""The kinds of file we take, and the words for the ones we do not."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import filetype

from scrutiny.uploads.names import ALIASES

CATEGORIES = ("document", "data", "presentation", "image")

#: Kinds of file each category of upload takes, by canonical extension.
#: PDF is both a document and a presentation; ``check_upload`` reports the
#: first category (in ``CATEGORIES`` order) that the form accepts.
ALLOWED: dict[str, tuple[str, ...]] = {
    "document": ("pdf", "docx", "odt"),
    "data": ("csv", "xlsx"),
    "presentation": ("pdf", "pptx", "odp"),
    "image": ("png", "jpg"),
}


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    format_name: str  # as listed to the witness: "PDF, Word, OpenDocument, ..."
    noun: str  # "PowerPoint file": "is really a PowerPoint file", "upload the PDF"


KINDS: dict[str, Kind] = {
    k.extension: k
    for k in (
        Kind("pdf", "application/pdf", "PDF", "PDF"),
        Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "Word", "Word document"),
        Kind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument", "OpenDocument text file"),
        Kind("csv", "text/csv", "CSV", "CSV file"),
        Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "Excel", "Excel spreadsheet"),
        Kind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             "PowerPoint", "PowerPoint presentation"),
        Kind("odp", "application/vnd.oasis.opendocument.presentation", "OpenDocument",
             "OpenDocument presentation"),
        Kind("png", "image/png", "PNG", "PNG image"),
        Kind("jpg", "image/jpeg", "JPEG", "JPEG image"),
    )
}

# The order formats are listed in messages, whatever the form accepts.
_FORMAT_ORDER = ("PDF", "Word", "OpenDocument", "CSV", "Excel", "PowerPoint", "PNG", "JPEG")

# Names for kinds we recognise but do not take, for "is really a ... file".
OTHER_NOUNS = {
    "zip": "ZIP file",
    "dotx": "Word template",
    "xltx": "Excel template",
    "potx": "PowerPoint template",
    "ppsx": "PowerPoint show",
    "ods": "OpenDocument spreadsheet",
    "odg": "OpenDocument drawing",
    "ott": "OpenDocument template",
    "otp": "OpenDocument template",
    "odm": "OpenDocument master document",
    "odf": "OpenDocument formula",
    "epub": "EPUB e-book",
}

# Extensions that say what a file is. Only these can contradict the content:
# a name such as "Minutes 12.03.2024" has no real extension, so a PDF called
# that is accepted (and given ".pdf" in its display name) rather than refused.
KNOWN_EXTENSIONS = (
    set(KINDS) | set(ALIASES) | set(OTHER_NOUNS)
    | {t.extension for t in filetype.types}
    | {"doc", "docm", "dot", "dotm", "xls", "xlsm", "xlsb", "xlam", "ppt", "pptm", "pps", "ppsm",
       "potm", "txt", "rtf", "htm", "html", "xml", "json", "md", "tsv", "odb", "pages",
       "numbers", "key", "heic", "heif", "webp", "svg", "tif", "tiff", "bmp", "exe", "js"}
)

# Zip-based kinds: a broken one is "not a valid Word document", not "not a zip".
ZIP_BASED = {"docx", "xlsx", "pptx", "odt", "odp"}

# What to save a macro-enabled or old-format file as instead.
SAVE_AS = {
    "docx": "a Word document (.docx)",
    "doc": "a Word document (.docx)",
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an Excel workbook (.xlsx)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "ppt": "a PowerPoint presentation (.pptx)",
}


def noun(ext: str) -> str:
    if ext in KINDS:
        return KINDS[ext].noun
    return OTHER_NOUNS.get(ext, f"{ext.upper()} file")


def accepted_kinds(accept: Iterable[str] | None) -> dict[str, str]:
    """Accepted extension -> its category, first category winning."""
    categories = CATEGORIES if accept is None else tuple(accept)
    unknown = set(categories) - set(CATEGORIES)
    if unknown or not categories:
        raise ValueError(f"accept must name some of {CATEGORIES}, not {sorted(unknown)}")
    accepted: dict[str, str] = {}
    for category in CATEGORIES:
        if category in categories:
            for ext in ALLOWED[category]:
                accepted.setdefault(ext, category)
    return accepted


def formats(accepted: Iterable[str]) -> str:
    """'PDF, Word, OpenDocument, CSV, Excel, PowerPoint, PNG or JPEG'."""
    present = {KINDS[ext].format_name for ext in accepted}
    names = [n for n in _FORMAT_ORDER if n in present]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
