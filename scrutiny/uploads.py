"""The one check every upload form uses: is this a file we can take?

Witnesses send evidence from their own machines, so every upload is treated
as hostile until proved otherwise:

- the type is decided by the file's *content* (magic bytes, and for Office
  and OpenDocument files the parts inside the zip), never by its name or the
  browser's content type, both of which the sender controls;
- when the name claims one accepted type and the content is another (a
  PowerPoint file called ``slides.pdf``), the file is taken as what its
  content is: ``named_as`` keeps what the name claimed, the witness is told,
  and downloads get a name with the right extension (``download_name``) so
  the file opens in the right program. A name claiming a type we do not take
  is refused with a message saying how to fix it;
- files that can run code (Office macros, OpenDocument Basic/scripts) are
  refused, as are zips that could exhaust memory or disk when opened
  (zip bombs), zips with unsafe paths and encrypted zips, all judged from the
  zip's central directory without extracting anything;
- the original file name is kept only as display data (``safe_name``); the
  stored file's key is random (see ``scrutiny.storage``).

Every refusal is an ``UploadRefused`` whose message is written for the
witness: it names their file, says what is wrong and what to do next.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

import filetype
from filetype.types import archive as ft_archive
from filetype.types import image as ft_image
from flask import current_app

from scrutiny.storage import Storage, StoredBlob, TooLarge, storage

# -- what we accept ----------------------------------------------------------

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

# Other spellings of an accepted extension, so "photo.jpeg" is not a mismatch.
_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg"}

# Names for kinds we recognise but do not take, for "is really a ... file".
_OTHER_NOUNS = {
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
_KNOWN_EXTENSIONS = (
    set(KINDS) | set(_ALIASES) | set(_OTHER_NOUNS)
    | {t.extension for t in filetype.types}
    | {"doc", "docm", "dot", "dotm", "xls", "xlsm", "xlsb", "xlam", "ppt", "pptm", "pps", "ppsm",
       "potm", "txt", "rtf", "htm", "html", "xml", "json", "md", "tsv", "odb", "pages",
       "numbers", "key", "heic", "heif", "webp", "svg", "tif", "tiff", "bmp", "exe", "js"}
)

# Zip-based kinds: a broken one is "not a valid Word document", not "not a zip".
_ZIP_BASED = {"docx", "xlsx", "pptx", "odt", "odp"}

# -- limits ------------------------------------------------------------------

HEAD_BYTES = 8192  # enough for every magic number we look at
CSV_SAMPLE_BYTES = 64 * 1024
MIB = 1024 * 1024
# A zip entry over this size and more compressed than this ratio is refused:
# ordinary documents stay well under 100:1, a zip bomb is nearer 1000:1.
BOMB_MIN_ENTRY_BYTES = 1 * MIB
BOMB_MAX_RATIO = 100
# Parts we read to classify a zip ([Content_Types].xml, mimetype, manifest)
# are small; anything bigger is not a document we know.
MAX_META_PART_BYTES = 1 * MIB

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls/.ppt, encrypted OOXML
_PDF, _PNG, _JPEG, _ZIP = ft_archive.Pdf(), ft_image.Png(), ft_image.Jpeg(), ft_archive.Zip()

# OOXML main parts, by content type (as Office writes them in [Content_Types].xml).
_OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "dotx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": "potx",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": "ppsx",
}
_OOXML_FAMILIES = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}

_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.graphics": "odg",
    "application/vnd.oasis.opendocument.text-template": "ott",
    "application/vnd.oasis.opendocument.presentation-template": "otp",
    "application/vnd.oasis.opendocument.text-master": "odm",
    "application/vnd.oasis.opendocument.formula": "odf",
    "application/epub+zip": "epub",
}

# What to save a macro-enabled or old-format file as instead.
_SAVE_AS = {
    "docx": "a Word document (.docx)",
    "doc": "a Word document (.docx)",
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an Excel workbook (.xlsx)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "ppt": "a PowerPoint presentation (.pptx)",
}


# -- results -----------------------------------------------------------------


class UploadRefused(Exception):
    """The upload cannot be taken. ``str(exc)`` is the message for the witness;
    ``code`` is a stable reason for logs and tests (e.g. ``"macros"``)."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CheckedFile:
    content_type: str  # the real MIME type, from the content
    extension: str  # canonical: "pdf", "docx", "jpg", ...
    category: str  # one of CATEGORIES
    safe_name: str  # for display and Content-Disposition only, never a path
    text_encoding: str | None = None  # CSV only: "utf-8", "utf-8-sig" or "cp1252"
    # PDF only: counted once here so builds need not open the file; None
    # when pypdf cannot count them (the agenda pack then says so).
    page_count: int | None = None
    # The content type the name claimed when the content is another
    # accepted type ("" when they agree); safe_name keeps the name as given.
    named_as: str = ""

    @property
    def stored_as_note(self) -> str:
        """What to tell the witness when the name and the content disagree."""
        if not self.named_as:
            return ""
        return f"{_quoted(self.safe_name)} is {_a(KINDS[self.extension].noun)}, so we have stored it as one."


# -- names -------------------------------------------------------------------

MAX_NAME_LENGTH = 150
_EXT_RE = re.compile(r"[A-Za-z0-9]{1,10}")


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


def _claimed_extension(name: str) -> str | None:
    """The extension the name claims, lower case, aliases folded ("jpeg" -> "jpg")."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext:
        return None
    ext = ext.lower()
    return _ALIASES.get(ext, ext)


def _quoted(name: str) -> str:
    return f"\u201c{name}\u201d"


def _a(noun: str) -> str:
    """'a PDF', 'an Excel spreadsheet', 'an HTML file'."""
    first = noun.split()[0]
    if len(first) > 1 and first.isupper():  # an acronym: say its first letter
        vowel_sound = first[0] in "AEFHILMNORSX"
    else:
        vowel_sound = first[0].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {noun}"


def _noun(ext: str) -> str:
    if ext in KINDS:
        return KINDS[ext].noun
    return _OTHER_NOUNS.get(ext, f"{ext.upper()} file")


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


# -- the check ---------------------------------------------------------------


def _accepted(accept: Iterable[str] | None) -> dict[str, str]:
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


def _formats(accepted: Iterable[str]) -> str:
    """'PDF, Word, OpenDocument, CSV, Excel, PowerPoint, PNG or JPEG'."""
    present = {KINDS[ext].format_name for ext in accepted}
    names = [n for n in _FORMAT_ORDER if n in present]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


class _Check:
    """One file being checked: its name, limits, and the messages it may get."""

    def __init__(self, path: Path, name: str, accepted: dict[str, str],
                 max_inflated_bytes: int, max_zip_entries: int):
        self.path = path
        self.name = name
        self.shown = _quoted(name)
        self.claimed = _claimed_extension(name)
        self.accepted = accepted
        self.max_inflated_bytes = max_inflated_bytes
        self.max_zip_entries = max_zip_entries

    # messages ---------------------------------------------------------------

    def refuse(self, message: str, code: str) -> UploadRefused:
        return UploadRefused(message, code)

    def not_allowed(self, actual: str | None = None) -> UploadRefused:
        formats = _formats(self.accepted)
        if actual is None:
            return self.refuse(
                f"{self.shown} is not a {formats} file. "
                "Save it in one of those formats and upload it again.",
                "wrong_type",
            )
        really = "" if self.claimed == actual else "really "
        here = " here" if actual in KINDS else ""
        return self.refuse(
            f"{self.shown} is {really}{_a(_noun(actual))}, which we cannot accept{here}. "
            f"Save it as a {formats} file and upload it again.",
            "wrong_type",
        )

    def mismatch(self, actual: str) -> UploadRefused:
        stem = self.name.rpartition(".")[0]
        renamed = _quoted(f"{stem}.{actual}")
        claimed = self.claimed or ""
        if claimed in self.accepted:
            fix = f"rename it to {renamed} or upload the {_noun(claimed)} instead."
        else:
            fix = f"rename it to {renamed} and upload it again."
        return self.refuse(
            f"{self.shown} is really {_a(_noun(actual))}, not {_a(_noun(claimed))}: {fix}",
            "name_mismatch",
        )

    def invalid(self, family: str | None = None, code: str = "invalid") -> UploadRefused:
        ext = self.claimed if self.claimed in _ZIP_BASED else family
        noun = _noun(ext) if ext else "document"
        return self.refuse(
            f"{self.shown} is not a valid {noun}: it may be damaged or not fully saved. "
            "Open it, save it again and upload the new copy.",
            code,
        )

    def macros(self, family: str | None) -> UploadRefused:
        save_as = _SAVE_AS.get(family or "", "a PDF")
        return self.refuse(
            f"{self.shown} contains macros. We cannot accept files with macros because they "
            f"can run harmful code. Save a copy as {save_as} and upload that.",
            "macros",
        )

    def encrypted(self) -> UploadRefused:
        return self.refuse(
            f"{self.shown} is protected with a password. "
            "Remove the password, save it and upload it again.",
            "encrypted",
        )

    def too_big_inside(self, code: str, detail: str) -> UploadRefused:
        return self.refuse(f"{self.shown} {detail}", code)

    # detection ----------------------------------------------------------------

    def run(self) -> CheckedFile:
        size = self.path.stat().st_size
        if size == 0:
            raise self.refuse(
                f"{self.shown} is empty. Check you chose the right file and upload it again.",
                "empty",
            )
        with self.path.open("rb") as f:
            head = f.read(HEAD_BYTES)

        encoding = None
        actual = self.detect(head)
        if actual is None:
            # CSV has no magic number: only a file *named* .csv is tried as text.
            if self.claimed != "csv":
                raise self.not_allowed()
            encoding = self.csv_encoding()
            actual = "csv"

        if actual not in self.accepted:
            raise self.not_allowed(actual)
        named_as = ""
        if self.claimed != actual and self.claimed in KINDS:
            # Both are types we take: keep it as what it is, say so.
            named_as = KINDS[self.claimed].content_type
        elif self.claimed != actual and self.claimed in _KNOWN_EXTENSIONS:
            raise self.mismatch(actual)

        name = self.name
        if self.claimed != actual and not named_as:
            # No real extension ("Minutes 12.03.2024"): give it the right one,
            # so the download opens in the right program.
            name = safe_name(f"{name}.{actual}")
        kind = KINDS[actual]
        return CheckedFile(
            content_type=kind.content_type,
            extension=actual,
            category=self.accepted[actual],
            safe_name=name,
            text_encoding=encoding,
            page_count=pdf_page_count(self.path) if actual == "pdf" else None,
            named_as=named_as,
        )

    def detect(self, head: bytes) -> str | None:
        """The extension the content really has, None if unrecognised; raises
        for files we recognise but must refuse (macros, bombs, damaged)."""
        if _ZIP.match(head):
            return self.inspect_zip()
        if head.startswith(_OLE_SIGNATURE):
            # Word/Excel/PowerPoint 97-2003, and password-protected new-style
            # Office files, which Office wraps in the same container.
            save_as = _SAVE_AS.get(self.claimed or "", "a PDF")
            raise self.refuse(
                f"{self.shown} is password-protected or saved in an older Office format. "
                f"Remove any password, save it as {save_as} and upload it again.",
                "old_office",
            )
        if _PDF.match(head):
            return "pdf"
        if _PNG.match(head):
            # filetype checks 4 bytes; ask for the full signature and header chunk.
            return "png" if head.startswith(_PNG_SIGNATURE) and head[12:16] == b"IHDR" else None
        if _JPEG.match(head):
            return "jpg"
        guessed = filetype.guess(head)
        return guessed.extension if guessed else None

    # zips -----------------------------------------------------------------------

    def inspect_zip(self) -> str:
        """Classify a zip from its central directory, refusing unsafe ones.

        Nothing is extracted; the only parts read are the small metadata
        parts that say what the document is ([Content_Types].xml, mimetype,
        META-INF/manifest.xml), and only after the size checks have passed.
        """
        try:
            zf = zipfile.ZipFile(self.path)
        except Exception:  # BadZipFile, but a malformed directory can raise others
            raise self.invalid() from None
        with zf:
            infos = zf.infolist()
            names = [info.filename for info in infos]
            family = _ooxml_family(names)

            if len(infos) > self.max_zip_entries:
                raise self.too_big_inside(
                    "too_many_entries",
                    f"has more than {self.max_zip_entries:,} parts inside it, which is more than "
                    "we can check. Open it, save it again (or save it as a PDF) and upload the "
                    "new copy.",
                )
            lowered = [n.lower() for n in names]
            if len(set(lowered)) != len(lowered) or any(_unsafe_member(n) for n in names):
                raise self.invalid(family, code="unsafe_archive")
            if any(info.flag_bits & 0x1 for info in infos):
                raise self.encrypted()
            # Declared sizes come from the central directory; zipfile also
            # stops reading any entry at its declared size, so they bound
            # what the metadata reads below can inflate to.
            if sum(info.file_size for info in infos) > self.max_inflated_bytes:
                raise self.too_big_inside(
                    "zip_bomb",
                    f"unpacks to more than {human_size(self.max_inflated_bytes)}, which is more "
                    "than we can check. Make it smaller (for example by compressing its "
                    "pictures or splitting it into parts) and upload it again.",
                )
            for info in infos:
                if info.file_size > BOMB_MIN_ENTRY_BYTES and (
                    info.compress_size == 0 or info.file_size > BOMB_MAX_RATIO * info.compress_size
                ):
                    raise self.too_big_inside(
                        "zip_bomb",
                        "is packed in an unusual way that we cannot check safely. Open it, save "
                        "it again (or save it as a PDF) and upload the new copy.",
                    )

            by_name = dict(zip(names, infos))
            try:
                if "[Content_Types].xml" in by_name:
                    return self.inspect_ooxml(zf, by_name, family)
                if "mimetype" in by_name or "META-INF/manifest.xml" in by_name:
                    return self.inspect_odf(zf, by_name)
            except _Unreadable:
                raise self.invalid(family) from None
            if family or self.claimed in _ZIP_BASED:
                # Office parts but no [Content_Types].xml, or named .docx etc.
                raise self.invalid(family)
            # A plain zip: we cannot see inside for the witness.
            really = "" if self.claimed == "zip" else "really "
            raise self.refuse(
                f"{self.shown} is {really}a ZIP file, which we cannot accept. "
                "Take the files out of it and upload each one separately.",
                "zip",
            )

    def inspect_ooxml(self, zf: zipfile.ZipFile, by_name: dict, family: str | None) -> str:
        elements = _xml_elements(_read_small(zf, by_name["[Content_Types].xml"]))
        overrides = {
            attrs.get("PartName", "").lstrip("/").lower(): attrs.get("ContentType", "").lower()
            for tag, attrs in elements if tag == "Override"
        }
        defaults = [attrs.get("ContentType", "").lower() for tag, attrs in elements if tag == "Default"]
        names = [n.lower() for n in by_name]

        # VBA projects (.docm/.xlsm/.pptm and friends) and Excel 4.0 macro
        # sheets, which run without any VBA at all.
        content_types = list(overrides.values()) + defaults
        if (
            any("macroenabled" in ct or "vbaproject" in ct or "macrosheet" in ct for ct in content_types)
            or any(n.endswith("vbaproject.bin") or "/macrosheets/" in n for n in names)
        ):
            raise self.macros(family)

        mains = {(part, _OOXML_MAIN_TYPES[ct]) for part, ct in overrides.items() if ct in _OOXML_MAIN_TYPES}
        if len(mains) != 1:
            raise self.invalid(family)
        part, ext = mains.pop()
        if part not in names:
            raise self.invalid(family)
        return ext

    def inspect_odf(self, zf: zipfile.ZipFile, by_name: dict) -> str:
        if "mimetype" not in by_name:
            raise self.invalid()
        mimetype = _read_small(zf, by_name["mimetype"], limit=200).decode("ascii", "replace").strip()
        ext = _ODF_TYPES.get(mimetype)
        if ext == "epub":  # also has a mimetype entry, but no ODF manifest; refused as a type
            return ext
        if "META-INF/manifest.xml" not in by_name:
            raise self.invalid(ext)
        names = [n.lower() for n in by_name]
        if any(n.startswith(("basic/", "scripts/")) for n in names):
            raise self.macros(ext)

        elements = _xml_elements(_read_small(zf, by_name["META-INF/manifest.xml"]))
        for tag, attrs in elements:
            if tag == "encryption-data":
                raise self.encrypted()
            if tag == "file-entry":
                path = attrs.get("full-path", "").lower()
                media = attrs.get("media-type", "").lower()
                if path.startswith(("basic/", "scripts/")) or any(
                    word in media for word in ("script", "basic", "macro")
                ):
                    raise self.macros(ext)

        if ext is None:
            if self.claimed in _ZIP_BASED:
                raise self.invalid()
            raise self.not_allowed()
        if "content.xml" not in by_name:
            raise self.invalid(ext)
        return ext

    # csv --------------------------------------------------------------------

    def csv_encoding(self) -> str:
        """'utf-8', 'utf-8-sig' or 'cp1252' if the file is text, else refuse.

        Any NUL byte anywhere, or a control character other than tab, line
        breaks, form feed and the old DOS end-of-file mark, means binary
        (UTF-16 "Unicode text" exports are full of NULs). The first 64 KiB
        must decode in one of the encodings spreadsheets save CSV in.
        """
        with self.path.open("rb") as f:
            sample = f.read(CSV_SAMPLE_BYTES)
            whole = len(sample) < CSV_SAMPLE_BYTES
            binary = bool(_BINARY_BYTES.search(sample))
            while not binary and (chunk := f.read(CSV_SAMPLE_BYTES)):
                binary = b"\x00" in chunk
        if not binary:
            for encoding in ("utf-8-sig", "cp1252"):
                try:
                    # Incremental, so a character cut at the 64 KiB mark is fine.
                    codecs.getincrementaldecoder(encoding)().decode(sample, final=whole)
                except UnicodeDecodeError:
                    continue
                if encoding == "utf-8-sig" and not sample.startswith(codecs.BOM_UTF8):
                    encoding = "utf-8"
                return encoding
        raise self.refuse(
            f"{self.shown} is not a plain-text CSV file. Save it from your spreadsheet "
            "as \u201cCSV UTF-8\u201d and upload it again.",
            "not_text",
        )


_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f]")


class _Unreadable(Exception):
    """A metadata part inside a zip could not be read or parsed."""


def _ooxml_family(names: list[str]) -> str | None:
    for prefix, ext in _OOXML_FAMILIES.items():
        if any(n.lower().startswith(prefix) for n in names):
            return ext
    return None


def _unsafe_member(name: str) -> bool:
    """Absolute paths, drive letters and '..' parts: a zip-slip attempt."""
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))


def _read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = MAX_META_PART_BYTES) -> bytes:
    """Read one small part into memory, never more than ``limit`` bytes."""
    if info.file_size > limit:
        raise _Unreadable(info.filename)
    try:
        with zf.open(info) as part:
            data = part.read(limit + 1)
    except Exception as exc:  # CRC errors, zlib errors, unknown compression...
        raise _Unreadable(info.filename) from exc
    if len(data) > limit:
        raise _Unreadable(info.filename)
    return data


def _xml_elements(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every element as (local name, {local attribute name: value}).

    A real parser, not a regular expression, so character references cannot
    hide a content type from us; DOCTYPEs are refused outright, which rules
    out entity expansion ("billion laughs") and external entities. Office and
    OpenDocument metadata never has one.
    """
    found: list[tuple[str, dict[str, str]]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        found.append((name.rpartition("}")[2], {k.rpartition("}")[2]: v for k, v in attrs.items()}))

    def refuse_doctype(*_args) -> None:
        raise _Unreadable("DOCTYPE in metadata")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise _Unreadable("malformed XML") from exc
    return found


def pdf_page_count(source: Path | BinaryIO) -> int | None:
    """Pages of a PDF, or None if pypdf cannot read it (encrypted, broken)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        return len(reader.pages)
    except Exception:  # pypdf raises many kinds of error on a broken file
        return None


def download_name(name: str, content_type: str) -> str:
    """`name` with the extension of the type the file really is, so a
    PowerPoint file uploaded as "slides.pdf" downloads as "slides.pptx"."""
    extension = next((k.extension for k in KINDS.values() if k.content_type == content_type), None)
    if extension is None or _claimed_extension(name) == extension:
        return name
    stem, dot, claimed = name.rpartition(".")
    if dot and stem and _ALIASES.get(claimed.lower(), claimed.lower()) in _KNOWN_EXTENSIONS:
        name = stem
    return safe_name(f"{name}.{extension}")


def check_upload(
    path: Path | str,
    original_name: str | None,
    *,
    max_inflated_bytes: int,
    max_zip_entries: int = 2000,
    accept: Iterable[str] | None = None,
) -> CheckedFile:
    """Decide what the file at ``path`` really is, or refuse it.

    ``accept`` limits the categories a form takes (e.g. ``["presentation"]``);
    by default every category in ``ALLOWED``. Raises ``UploadRefused``.
    """
    check = _Check(Path(path), safe_name(original_name), _accepted(accept),
                   max_inflated_bytes, max_zip_entries)
    return check.run()


# -- storing -----------------------------------------------------------------


def upload_limits() -> dict[str, int]:
    """The app's limits, as keyword arguments for ``store_upload``.

    Reads MAX_UPLOAD_BYTES (default 50 MB), MAX_INFLATED_BYTES (default
    500 MB) and MAX_ZIP_ENTRIES (default 2000), the defaults matching config.py.
    """
    config = current_app.config
    return {
        "max_bytes": config["MAX_UPLOAD_BYTES"],
        "max_inflated_bytes": config["MAX_INFLATED_BYTES"],
        "max_zip_entries": config["MAX_ZIP_ENTRIES"],
    }


def store_upload(
    file_storage_or_stream: BinaryIO,
    original_name: str | None,
    *,
    max_bytes: int,
    max_inflated_bytes: int,
    max_zip_entries: int = 2000,
    accept: Iterable[str] | None = None,
    store: Storage | None = None,
) -> tuple[StoredBlob, CheckedFile]:
    """Stream an upload into storage (pending) and check it.

    Accepts anything with ``read`` (a werkzeug ``FileStorage`` or a plain
    binary stream). On refusal the pending blob is discarded before
    ``UploadRefused`` is raised, so a refused upload leaves nothing behind.
    On success the caller writes its database row, then
    ``storage().commit(blob)``; if the row cannot be written,
    ``storage().discard(blob)``.
    """
    store = store or storage()
    try:
        blob = store.put_stream(file_storage_or_stream, max_bytes)
    except TooLarge as exc:
        raise UploadRefused(
            f"{_quoted(safe_name(original_name))} is larger than {human_size(max_bytes)}. "
            "Make it smaller (for example by compressing its pictures or splitting it into "
            "parts) and upload it again.",
            "too_large",
        ) from exc
    try:
        checked = check_upload(
            blob.temp_path, original_name,
            max_inflated_bytes=max_inflated_bytes, max_zip_entries=max_zip_entries, accept=accept,
        )
    except BaseException:
        store.discard(blob)
        raise
    return blob, checked
