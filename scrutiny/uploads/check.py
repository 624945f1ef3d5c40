"""``check_upload``: what the file really is, from its content, or why not.
The first bytes pick the family; each family's inspector does the rest."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import filetype
from filetype.types import archive as ft_archive
from filetype.types import image as ft_image

from scrutiny.uploads import images, text, zips
from scrutiny.uploads.kinds import ALIASES, KINDS, KNOWN_EXTENSIONS, SAVE_AS, accepted_kinds
from scrutiny.uploads.names import a, claimed_extension, quoted, safe_name
from scrutiny.uploads.pdf import pdf_page_count
from scrutiny.uploads.refusals import Candidate

HEAD_BYTES = 8192  # enough for every magic number we look at

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PDF, _PNG, _JPEG, _ZIP = ft_archive.Pdf(), ft_image.Png(), ft_image.Jpeg(), ft_archive.Zip()


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
    # What store_upload took out of a PDF so others can open it safely, as
    # the sender is told it ("" when nothing was).
    cleaned_note: str = ""

    @property
    def stored_as_note(self) -> str:
        """What to tell the witness when the name and the content disagree."""
        if not self.named_as:
            return ""
        return f"{quoted(self.safe_name)} is {a(KINDS[self.extension].noun)}, so we have stored it as one."


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
    candidate = Candidate(Path(path), safe_name(original_name), accepted_kinds(accept),
                          max_inflated_bytes, max_zip_entries)
    return _check(candidate)


def _check(candidate: Candidate) -> CheckedFile:
    if candidate.path.stat().st_size == 0:
        raise candidate.refuse(
            f"{candidate.shown} is empty. Check you chose the right file and upload it again.",
            "empty",
        )
    with candidate.path.open("rb") as f:
        head = f.read(HEAD_BYTES)

    encoding = None
    actual = _detect(candidate, head)
    if actual is None:
        # CSV has no magic number: only a file *named* .csv is tried as text.
        if candidate.claimed != "csv":
            raise candidate.not_allowed()
        encoding = text.csv_encoding(candidate)
        actual = "csv"

    if actual not in candidate.accepted:
        raise candidate.not_allowed(actual)
    if actual in images.PILLOW_FORMATS:
        images.inspect(candidate, actual)
    named_as = ""
    if candidate.claimed != actual and candidate.claimed in KINDS:
        # Both are types we take: keep it as what it is, say so.
        named_as = KINDS[candidate.claimed].content_type
    elif candidate.claimed != actual and candidate.claimed in KNOWN_EXTENSIONS:
        raise candidate.mismatch(actual)

    name = candidate.name
    if candidate.claimed != actual and not named_as:
        # No real extension ("Minutes 12.03.2024"): give it the right one,
        # so the download opens in the right program.
        name = safe_name(f"{name}.{actual}")
    kind = KINDS[actual]
    return CheckedFile(
        content_type=kind.content_type,
        extension=actual,
        category=candidate.accepted[actual],
        safe_name=name,
        text_encoding=encoding,
        page_count=pdf_page_count(candidate.path) if actual == "pdf" else None,
        named_as=named_as,
    )


def _detect(candidate: Candidate, head: bytes) -> str | None:
    """The extension the content really has, None if unrecognised; raises
    for files we recognise but must refuse (macros, bombs, damaged)."""
    if _ZIP.match(head):
        return zips.inspect_zip(candidate)
    if head.startswith(zips.OLE_SIGNATURE):
        # Word/Excel/PowerPoint 97-2003, and password-protected new-style
        # Office files, which Office wraps in the same container.
        save_as = SAVE_AS.get(candidate.claimed or "", "a PDF")
        raise candidate.refuse(
            f"{candidate.shown} is password-protected or saved in an older Office format. "
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


def download_name(name: str, content_type: str) -> str:
    """`name` with the extension of the type the file really is, so a
    PowerPoint file uploaded as "slides.pdf" downloads as "slides.pptx"."""
    extension = next((k.extension for k in KINDS.values() if k.content_type == content_type), None)
    if extension is None or claimed_extension(name) == extension:
        return name
    stem, dot, claimed = name.rpartition(".")
    if dot and stem and ALIASES.get(claimed.lower(), claimed.lower()) in KNOWN_EXTENSIONS:
        name = stem
    return safe_name(f"{name}.{extension}")
